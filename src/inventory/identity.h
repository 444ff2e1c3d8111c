// Device identity within one site: which stored device a scan record belongs to, by
// MAC > serial > (address + maker + model), with the rule that decided. Pure logic over a
// lookup interface, so the store and the tests share it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "inventory/record.h"

namespace phaseout::inventory {

// What the store knows about a candidate device (all within the record's site).
struct IdentityCandidate {
  int64_t id = 0;
  std::string mac, serial, ip, manufacturer, model;
  int64_t last_scan_id = 0;
};

// Lookups the resolver needs; each returns the lowest-id match or nullopt.
class IdentityLookup {
 public:
  virtual ~IdentityLookup() = default;
  virtual std::optional<IdentityCandidate> ByMac(const std::string& mac) = 0;
  virtual std::optional<IdentityCandidate> BySerial(const std::string& manufacturer, const std::string& serial) = 0;
  virtual std::optional<IdentityCandidate> ByAddressMakerModel(const std::string& ip, const std::string& manufacturer,
                                                               const std::string& model) = 0;
};

enum class MatchRule { kNew, kMac, kSerial, kAddressMakerModel };
// "new", "mac", "serial", "address+maker+model".
const char* MatchRuleName(MatchRule r);

// The decision for one record. device_id == 0 means "create a new device". When
// review_device_id != 0 the record may be the same device as review_device_id but the
// evidence is too weak (or contradictory) to merge silently: a merge review is opened.
struct IdentityDecision {
  int64_t device_id = 0;
  MatchRule rule = MatchRule::kNew;
  int64_t review_device_id = 0;
  std::string review_reason;
  bool duplicate_in_scan = false;  // the strong key was already used by another address this scan
};

// Resolves `record` seen in scan `scan_id`:
// - MAC match -> that device (an address change keeps the id).
// - else serial (same maker) match, if the device has no other MAC -> that device.
// - else address+maker+model match, only if the record has no MAC and the serials do not
//   conflict -> that device (weak rule recorded). A record WITH a new MAC that matches a MAC-less
//   device only on address+maker+model becomes a new device plus a merge review.
// - A strong match already seen at another address in the same scan (two hosts claiming one
//   MAC/serial) is not merged: new device, review, duplicate_in_scan.
IdentityDecision ResolveIdentity(const ScanRecord& record, int64_t scan_id, IdentityLookup& lookup);

}  // namespace phaseout::inventory
