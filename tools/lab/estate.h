// The lab's estate: which address in the block is which emulated device (or refuses, stays
// silent, or is hostile), generated deterministically from a seed, and its ground truth.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "tools/lab/profile.h"

namespace phaseout::lab {

// Plain configuration of a lab. Defaults in the comments.
struct LabSpec {
  std::string base = "127.16.0.0/16";  // address block; must lie inside 127.0.0.0/8
  uint32_t devices = 200;              // emulated devices placed in the block
  uint64_t seed = 1;                   // same seed + profiles + spec = same estate
  std::map<std::string, double> mix;   // profile id -> weight; when non-empty only these profiles are used
  double silent_fraction = 0.0;        // share of non-device addresses that drop packets (nftables)
  double refuse_fraction = 1.0;        // share of the other (not silent) addresses listed as `refuse`
  uint32_t hostile = 0;                // hostile hosts (endless headers, huge body, garbage bytes)
  uint32_t latency_ms = 0;             // delay before every reply and banner
  std::string profiles_dir;            // empty: <data dir>/lab/profiles
  std::string truth_path;              // write the ground truth here as NDJSON (optional)
  std::string ready_path;              // write this file once every socket is bound (optional)
  unsigned threads = 0;                // event loops; 0 = one per core
  uint32_t idle_timeout_ms = 30000;    // close connections idle this long
};

enum class HostKind { kDevice, kRefuse, kSilent, kHostile };
const char* HostKindName(HostKind kind);

enum class HostileMode { kNone, kEndlessHeaders, kHugeBody, kGarbage };
const char* HostileModeName(HostileMode mode);

// One address of the estate and what a perfect scanner would report for it.
struct TruthEntry {
  uint32_t ip = 0;  // host order
  HostKind kind = HostKind::kRefuse;
  HostileMode hostile = HostileMode::kNone;
  int profile = -1;  // index into the profile list (kDevice only)
  std::string profile_id, manufacturer, brand, device_type, model, firmware, serial, mac;
  std::string hex_token;  // per-device 32 hex digits used by {hex_token}
  std::vector<uint16_t> open_ports;  // TCP
  std::vector<uint16_t> udp_ports;   // UDP discovery responders (a device may have only these)
  bool expect_identified = false;
};

struct Estate {
  std::vector<TruthEntry> hosts;  // ascending by ip; unlisted addresses in the block refuse too
  uint32_t first = 0, last = 0;   // the block (inclusive, host order)
  uint32_t devices = 0, refused = 0, silent = 0, hostile = 0;
};

// Parses "a.b.c.d/len" into an inclusive host-order range. Fails with kInvalidArgument when
// malformed or outside 127.0.0.0/8 (the lab never binds anything else).
Result<std::pair<uint32_t, uint32_t>> ParseLabBlock(const std::string& cidr);

std::string Ipv4ToString(uint32_t ip);

// Builds the estate. Devices go to pseudo-random addresses (never the first or last address of
// the block), profiles are drawn by weight, serials use the device's 1-based ordinal.
// Deterministic in (spec.base, devices, seed, mix, fractions, hostile, profile list).
// Fails with kInvalidArgument when the block is too small, a mix id is unknown, every weight is
// zero or a fraction is outside 0..1. Of the addresses that are neither device nor hostile,
// silent_fraction are silent; refuse_fraction of the rest are listed as refuse; the others
// refuse too but are not listed (keeps the truth small for big blocks).
Result<Estate> BuildEstate(const LabSpec& spec, const std::vector<Profile>& profiles);

// Template values of one device (serial, MAC in three spellings, model, firmware, ip, token).
TemplateVars DeviceVars(const TruthEntry& entry);

// One NDJSON line (no newline) for `entry`: ip, kind, profile, manufacturer, brand,
// device_type, model, firmware, serial, mac, open_ports, expect_identified (+ hostile mode).
std::string TruthToJson(const TruthEntry& entry);

}  // namespace phaseout::lab
