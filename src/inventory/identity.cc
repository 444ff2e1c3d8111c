// Identity resolution rules (see identity.h).
#include "inventory/identity.h"

namespace phaseout::inventory {

const char* MatchRuleName(MatchRule r) {
  switch (r) {
    case MatchRule::kNew: return "new";
    case MatchRule::kMac: return "mac";
    case MatchRule::kSerial: return "serial";
    case MatchRule::kAddressMakerModel: return "address+maker+model";
  }
  return "new";
}

IdentityDecision ResolveIdentity(const ScanRecord& r, int64_t scan_id, IdentityLookup& lookup) {
  IdentityDecision d;
  auto strong = [&](const IdentityCandidate& c, MatchRule rule) {
    if (c.last_scan_id == scan_id && scan_id != 0 && c.ip != r.ip) {
      d.device_id = 0;
      d.rule = MatchRule::kNew;
      d.review_device_id = c.id;
      d.duplicate_in_scan = true;
      d.review_reason = std::string("same ") + MatchRuleName(rule) + " as device " + std::to_string(c.id) +
                        " at " + c.ip + " in the same scan";
      return d;
    }
    d.device_id = c.id;
    d.rule = rule;
    return d;
  };
  if (!r.mac.empty()) {
    if (auto c = lookup.ByMac(r.mac)) {
      strong(*c, MatchRule::kMac);
      if (d.device_id != 0 && !r.serial.empty() && !c->serial.empty() && c->serial != r.serial) {
        d.review_device_id = 0;  // keep the MAC match; the serial change is in the device history
      }
      return d;
    }
  }
  if (!r.serial.empty()) {
    if (auto c = lookup.BySerial(r.manufacturer, r.serial)) {
      if (c->mac.empty() || r.mac.empty()) return strong(*c, MatchRule::kSerial);
      // Same serial, different MAC: not merged silently.
      d.review_device_id = c->id;
      d.review_reason = "same serial " + r.serial + " as device " + std::to_string(c->id) + " but MAC " + r.mac +
                        " differs from " + c->mac;
      return d;
    }
  }
  if (auto c = lookup.ByAddressMakerModel(r.ip, r.manufacturer, r.model)) {
    bool serial_conflict = !r.serial.empty() && !c->serial.empty() && r.serial != c->serial;
    if (serial_conflict) return d;  // a different unit at the same address
    if (!r.mac.empty()) {
      if (c->mac.empty()) {
        d.review_device_id = c->id;
        d.review_reason = "same address, maker and model as device " + std::to_string(c->id) +
                          " (which has no MAC); first seen with MAC " + r.mac;
      }
      return d;  // a MAC that differs from the candidate's is another unit
    }
    d.device_id = c->id;
    d.rule = MatchRule::kAddressMakerModel;
    return d;
  }
  return d;
}

}  // namespace phaseout::inventory
