#include "inventory/device_json.h"

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "inventory/inventory.h"

namespace phaseout::inventory {
namespace {

// Writes `"key":` (keys are plain ASCII literals) after a comma unless it opens the object.
void Key(std::string_view key, std::string* out) {
  if (out->back() != '{') out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

void Text(std::string_view key, std::string_view value, std::string* out) {
  Key(key, out);
  AppendJsonString(value, out);
}

void Integer(std::string_view key, int64_t value, std::string* out) {
  Key(key, out);
  out->append(std::to_string(value));
}

void Boolean(std::string_view key, bool value, std::string* out) {
  Key(key, out);
  out->append(value ? "true" : "false");
}

void TextList(std::string_view key, const std::vector<std::string>& values, std::string* out) {
  Key(key, out);
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(values[i], out);
  }
  out->push_back(']');
}

}  // namespace

void AppendDeviceJson(const DeviceRecord& d, std::string* out) {
  // Keys in byte order, as an nlohmann::json object (a std::map) is written.
  out->push_back('{');
  Text("brand", d.brand, out);
  Text("department", d.department, out);
  Text("device_type", d.device_type, out);
  Text("firmware", d.firmware, out);
  Text("first_seen", d.first_seen, out);
  Integer("id", d.id, out);
  Text("ip", d.ip, out);
  Text("last_scan", d.last_scan, out);
  Text("last_seen", d.last_seen, out);
  Text("mac", d.mac, out);
  Text("manufacturer", d.manufacturer, out);
  Text("match_rule", d.match_rule, out);
  Integer("missed_scans", d.missed_scans, out);
  Text("model", d.model, out);
  Boolean("overdue", d.overdue, out);
  Text("overdue_reason", d.overdue_reason, out);
  if (d.prior_state) {
    Text("prior_state", DeviceStateName(*d.prior_state), out);
  } else {
    Key("prior_state", out);
    out->append("null");
  }
  TextList("prohibited", d.prohibited, out);
  Text("reason", d.reason, out);
  Text("removed_by", d.removed_by, out);
  Text("replacement_model", d.replacement_model, out);
  TextList("review", d.review, out);
  Text("serial", d.serial, out);
  Text("site", d.site, out);
  Text("state", DeviceStateName(d.state), out);
  Text("state_since", d.state_since, out);
  Text("status", d.status, out);
  Text("target_date", d.target_date, out);
  Text("waiver_approver", d.waiver_approver, out);
  Boolean("waiver_expired", d.waiver_expired, out);
  Text("waiver_expiry", d.waiver_expiry, out);
  Text("waiver_reason", d.waiver_reason, out);
  out->push_back('}');
}

nlohmann::json DeviceJson(const DeviceRecord& d) {
  std::string text;
  AppendDeviceJson(d, &text);
  // Always valid JSON (strings go through the one string writer); the parse cannot fail.
  return nlohmann::json::parse(text);
}

}  // namespace phaseout::inventory
