#include "inventory/device_json.h"

#include <nlohmann/json.hpp>

#include "inventory/inventory.h"

namespace phaseout::inventory {

nlohmann::json DeviceJson(const DeviceRecord& d) {
  using nlohmann::json;
  return {{"id", d.id},
          {"site", d.site},
          {"department", d.department},
          {"mac", d.mac},
          {"serial", d.serial},
          {"ip", d.ip},
          {"manufacturer", d.manufacturer},
          {"brand", d.brand},
          {"device_type", d.device_type},
          {"model", d.model},
          {"firmware", d.firmware},
          {"prohibited", d.prohibited},
          {"review", d.review},
          {"state", DeviceStateName(d.state)},
          {"prior_state", d.prior_state ? json(DeviceStateName(*d.prior_state)) : json(nullptr)},
          {"state_since", d.state_since},
          {"replacement_model", d.replacement_model},
          {"target_date", d.target_date},
          {"removed_by", d.removed_by},
          {"waiver_approver", d.waiver_approver},
          {"waiver_reason", d.waiver_reason},
          {"waiver_expiry", d.waiver_expiry},
          {"waiver_expired", d.waiver_expired},
          {"reason", d.reason},
          {"first_seen", d.first_seen},
          {"last_seen", d.last_seen},
          {"last_scan", d.last_scan},
          {"missed_scans", d.missed_scans},
          {"match_rule", d.match_rule},
          {"status", d.status},
          {"overdue", d.overdue},
          {"overdue_reason", d.overdue_reason}};
}

}  // namespace phaseout::inventory
