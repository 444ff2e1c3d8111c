// NDJSON line -> ScanRecord (nlohmann::json).
#include "inventory/record.h"

#include <nlohmann/json.hpp>

#include "core/strings.h"

namespace phaseout::inventory {
namespace {

Result<std::string> OptString(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return MakeError(ErrorCode::kParse, std::string("field '") + key + "' is not a string");
  return it->get<std::string>();
}

bool IsUnknownMaker(const std::string& m) { return m.empty() || EqualsIgnoreCase(m, "unknown"); }

}  // namespace

std::string NormaliseMac(std::string_view mac) {
  std::string hex;
  for (char c : mac) {
    if (c == ':' || c == '-' || c == '.') continue;
    char l = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    if (!((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f'))) return "";
    hex += l;
  }
  if (hex.size() != 12 || hex == "000000000000" || hex == "ffffffffffff") return "";
  std::string out;
  for (size_t i = 0; i < 12; i += 2) {
    if (i) out += ':';
    out += hex.substr(i, 2);
  }
  return out;
}

namespace {

// What a parsed line is (see ScanLineKind): a device unless "type" names another record or the
// record is flagged out of scope (a discovery replier outside the scan's targets: never a
// device of the site).
ScanLineKind KindOf(const nlohmann::json& j) {
  auto outside = j.find("out_of_scope");
  if (outside != j.end() && outside->is_boolean() && outside->get<bool>()) return ScanLineKind::kOther;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string() || type->get_ref<const std::string&>() == "device") {
    return ScanLineKind::kDevice;
  }
  if (type->get_ref<const std::string&>() == "scan_end") {
    auto complete = j.find("complete");
    if (complete != j.end() && complete->is_boolean() && !complete->get<bool>()) {
      return ScanLineKind::kIncompleteEnd;
    }
  }
  return ScanLineKind::kOther;
}

Result<nlohmann::json> ParseObject(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return MakeError(ErrorCode::kParse, "not valid JSON");
  if (!j.is_object()) return MakeError(ErrorCode::kParse, "not a JSON object (one device report per line expected)");
  return j;
}

Result<ScanRecord> RecordFromJson(const nlohmann::json& j) {
  ScanRecord r;
  struct Field {
    const char* key;
    std::string* out;
  } fields[] = {{"ip", &r.ip},         {"mac", &r.mac},     {"serial", &r.serial},
                {"manufacturer", &r.manufacturer}, {"brand", &r.brand}, {"device_type", &r.device_type},
                {"model", &r.model},   {"firmware", &r.firmware}};
  for (auto& f : fields) {
    auto v = OptString(j, f.key);
    if (!v) return v.error();
    *f.out = std::move(*v);
  }
  if (r.ip.empty()) return MakeError(ErrorCode::kParse, "no 'ip' field (not a `phaseout scan` NDJSON device report)");
  std::string raw_mac = r.mac;
  r.mac = NormaliseMac(raw_mac);
  if (IsUnknownMaker(r.manufacturer)) r.manufacturer.clear();
  if (auto it = j.find("verdicts"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return MakeError(ErrorCode::kParse, "field 'verdicts' is not a list");
    for (const auto& v : *it) {
      if (!v.is_object()) return MakeError(ErrorCode::kParse, "a verdict is not an object");
      auto policy = v.find("policy");
      auto status = v.find("status");
      if (policy == v.end() || status == v.end() || !policy->is_string() || !status->is_string()) {
        return MakeError(ErrorCode::kParse, "a verdict lacks a text 'policy' or 'status'");
      }
      const std::string& s = status->get_ref<const std::string&>();
      if (s == "prohibited") {
        r.prohibited.push_back(policy->get<std::string>());
      } else if (s == "review") {
        r.review.push_back(policy->get<std::string>());
      } else if (s != "clear" && s != "unknown") {
        return MakeError(ErrorCode::kParse, "unknown verdict status '" + s + "'");
      }
    }
  }
  return r;
}

}  // namespace

Result<ScanRecord> ParseScanRecord(std::string_view line) {
  auto j = ParseObject(line);
  if (!j) return j.error();
  return RecordFromJson(*j);
}

Result<ScanLine> ParseScanLine(std::string_view line) {
  auto j = ParseObject(line);
  if (!j) return j.error();
  ScanLine out;
  out.kind = KindOf(*j);
  if (out.kind != ScanLineKind::kDevice) return out;
  auto r = RecordFromJson(*j);
  if (!r) return r.error();
  out.record = std::move(*r);
  return out;
}

ScanRecord RecordFromReport(const model::DeviceReport& rep) {
  ScanRecord r;
  r.ip = rep.host.ip;
  r.mac = NormaliseMac(rep.host.mac);
  const auto& id = rep.identification;
  r.serial = id.serial;
  r.manufacturer = IsUnknownMaker(id.manufacturer) ? "" : id.manufacturer;
  r.brand = id.brand;
  r.device_type = id.device_type;
  r.model = id.model;
  r.firmware = id.firmware;
  for (const auto& v : rep.verdicts) {
    if (v.status == model::VerdictStatus::kProhibited) r.prohibited.push_back(v.policy);
    if (v.status == model::VerdictStatus::kReview) r.review.push_back(v.policy);
  }
  return r;
}

}  // namespace phaseout::inventory
