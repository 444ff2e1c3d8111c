// Compares a scan's results with the lab's ground truth.
#include "tools/lab/truth_check.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <unordered_map>

namespace phaseout::lab {
namespace {

std::string StringOrEmpty(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::vector<uint16_t> Ports(const nlohmann::json& obj) {
  std::vector<uint16_t> ports;
  auto it = obj.find("open_ports");
  if (it != obj.end() && it->is_array()) {
    for (const auto& p : *it) {
      if (p.is_number_unsigned()) ports.push_back(p.get<uint16_t>());
    }
  }
  std::sort(ports.begin(), ports.end());
  return ports;
}

template <typename T, typename Fn>
Result<std::vector<T>> ParseLines(const std::string& text, const char* what, Fn fn) {
  std::vector<T> out;
  std::istringstream in(text);
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    nlohmann::json obj = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!obj.is_object()) {
      return MakeError(ErrorCode::kParse,
                       fmt::format("{} line {}: not a JSON object", what, line_no));
    }
    // Scan output also carries "scan_start"/"scan_end" records; only devices are compared.
    if (auto type = obj.find("type"); type != obj.end() && type->is_string() && *type != "device") continue;
    auto item = fn(obj);
    if (!item) {
      return MakeError(ErrorCode::kParse,
                       fmt::format("{} line {}: {}", what, line_no, item.error().message));
    }
    out.push_back(std::move(*item));
  }
  return out;
}

std::string Show(const std::string& s) { return s.empty() ? "(none)" : s; }

std::string ShowPorts(const std::vector<uint16_t>& ports) {
  std::string out;
  for (uint16_t p : ports) out += (out.empty() ? "" : ",") + std::to_string(p);
  return out.empty() ? "(none)" : out;
}

}  // namespace

Result<std::vector<ScannedHost>> ParseScanNdjson(const std::string& text) {
  return ParseLines<ScannedHost>(text, "scan", [](const nlohmann::json& o) -> Result<ScannedHost> {
    ScannedHost h;
    h.ip = StringOrEmpty(o, "ip");
    if (h.ip.empty()) return MakeError(ErrorCode::kParse, "missing \"ip\"");
    h.open_ports = Ports(o);
    h.manufacturer = StringOrEmpty(o, "manufacturer");
    h.brand = StringOrEmpty(o, "brand");
    h.device_type = StringOrEmpty(o, "device_type");
    h.model = StringOrEmpty(o, "model");
    h.firmware = StringOrEmpty(o, "firmware");
    h.serial = StringOrEmpty(o, "serial");
    return h;
  });
}

Result<std::vector<TruthEntry>> ParseTruthNdjson(const std::string& text) {
  return ParseLines<TruthEntry>(text, "truth", [](const nlohmann::json& o) -> Result<TruthEntry> {
    TruthEntry t;
    std::string ip = StringOrEmpty(o, "ip");
    unsigned a, b, c, d;
    char tail;
    if (std::sscanf(ip.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 ||
        b > 255 || c > 255 || d > 255) {
      return MakeError(ErrorCode::kParse, "bad \"ip\" '" + ip + "'");
    }
    t.ip = (a << 24) | (b << 16) | (c << 8) | d;
    std::string kind = StringOrEmpty(o, "kind");
    if (kind == "device") {
      t.kind = HostKind::kDevice;
    } else if (kind == "refuse") {
      t.kind = HostKind::kRefuse;
    } else if (kind == "silent") {
      t.kind = HostKind::kSilent;
    } else if (kind == "hostile") {
      t.kind = HostKind::kHostile;
    } else {
      return MakeError(ErrorCode::kParse, "unknown \"kind\" '" + kind + "'");
    }
    t.profile_id = StringOrEmpty(o, "profile");
    t.manufacturer = StringOrEmpty(o, "manufacturer");
    t.brand = StringOrEmpty(o, "brand");
    t.device_type = StringOrEmpty(o, "device_type");
    t.model = StringOrEmpty(o, "model");
    t.firmware = StringOrEmpty(o, "firmware");
    t.serial = StringOrEmpty(o, "serial");
    t.mac = StringOrEmpty(o, "mac");
    t.open_ports = Ports(o);
    if (auto u = o.find("udp_ports"); u != o.end() && u->is_array()) {
      for (const auto& v : *u) {
        if (v.is_number_unsigned() && v.get<uint64_t>() <= 65535) t.udp_ports.push_back(static_cast<uint16_t>(v.get<uint64_t>()));
      }
    }
    auto it = o.find("expect_identified");
    t.expect_identified = it != o.end() && it->is_boolean() && it->get<bool>();
    return t;
  });
}

double TruthCheck::Agreement() const {
  uint64_t total = devices + others + unexpected_hosts;
  if (total == 0) return 1.0;
  return static_cast<double>(devices_agree + others_agree) / static_cast<double>(total);
}

TruthCheck CompareWithTruth(const std::vector<TruthEntry>& truth,
                            const std::vector<ScannedHost>& scanned,
                            const std::vector<uint16_t>& scanned_ports) {
  TruthCheck check;
  std::unordered_map<std::string, const ScannedHost*> by_ip;
  for (const auto& h : scanned) by_ip[h.ip] = &h;
  auto mismatch = [&check](std::string line) {
    if (check.mismatches.size() < 50) check.mismatches.push_back(std::move(line));
  };
  std::unordered_map<std::string, bool> known;
  for (const TruthEntry& t : truth) {
    std::string ip = Ipv4ToString(t.ip);
    known[ip] = true;
    auto it = by_ip.find(ip);
    const ScannedHost* h = it == by_ip.end() ? nullptr : it->second;
    if (t.kind != HostKind::kDevice) {
      ++check.others;
      if (h == nullptr || (t.kind == HostKind::kHostile && h->manufacturer.empty())) {
        ++check.others_agree;
      } else {
        mismatch(fmt::format("{} ({}): reported with manufacturer {}", ip, HostKindName(t.kind),
                             Show(h->manufacturer)));
      }
      continue;
    }
    ++check.devices;
    std::vector<uint16_t> truth_ports;
    for (uint16_t p : t.open_ports) {
      if (std::find(scanned_ports.begin(), scanned_ports.end(), p) != scanned_ports.end()) {
        truth_ports.push_back(p);
      }
    }
    std::sort(truth_ports.begin(), truth_ports.end());
    // A device that answers only UDP discovery is expected reported, with no TCP port open.
    if (truth_ports.empty() && t.udp_ports.empty()) {  // nothing it listens on was scanned: must stay unreported
      if (h == nullptr) {
        ++check.devices_agree;
      } else {
        mismatch(fmt::format("{} ({}): reported, but it has no open port among those scanned", ip,
                             t.profile_id));
      }
      continue;
    }
    if (t.expect_identified) ++check.devices_expected;
    if (h == nullptr) {
      mismatch(fmt::format("{} ({}): not reported", ip, t.profile_id));
      continue;
    }
    std::vector<std::string> diffs;
    if (truth_ports != h->open_ports) {
      diffs.push_back(fmt::format("open_ports {} != {}", ShowPorts(h->open_ports), ShowPorts(truth_ports)));
    }
    auto field = [&diffs](const char* name, const std::string& got, const std::string& want) {
      if (got != want) diffs.push_back(fmt::format("{} {} != {}", name, Show(got), Show(want)));
    };
    auto if_reported = [&diffs](const char* name, const std::string& got, const std::string& want) {
      if (!got.empty() && got != want) diffs.push_back(fmt::format("{} {} != {}", name, got, Show(want)));
    };
    if (t.expect_identified) {
      field("manufacturer", h->manufacturer, t.manufacturer);
      // The label must be found when it differs from the maker (OEM builds, group brands);
      // a maker's own label on unbranded firmware may stay unknown, but never be wrong.
      if (t.brand != t.manufacturer || !h->brand.empty()) field("brand", h->brand, t.brand);
      if (h->brand.empty() && !t.brand.empty()) ++check.brand_unknown;
      if_reported("device_type", h->device_type, t.device_type);
      if (h->device_type.empty() && !t.device_type.empty()) ++check.device_type_unknown;
    } else {
      if_reported("manufacturer", h->manufacturer, t.manufacturer);
    }
    if_reported("model", h->model, t.model);
    if_reported("firmware", h->firmware, t.firmware);
    if_reported("serial", h->serial, t.serial);
    if (diffs.empty()) {
      ++check.devices_agree;
    } else {
      std::string line = fmt::format("{} ({}):", ip, t.profile_id);
      for (const auto& d : diffs) line += " " + d + ";";
      mismatch(std::move(line));
    }
  }
  for (const auto& h : scanned) {
    if (!known.count(h.ip)) {
      ++check.unexpected_hosts;
      mismatch(fmt::format("{}: reported but not in the lab's truth", h.ip));
    }
  }
  return check;
}

std::string FormatTruthCheck(const TruthCheck& check) {
  std::string out = fmt::format(
      "ground truth: devices {}/{} agree ({} expected identifiable), other addresses {}/{} "
      "agree, {} unexpected hosts; agreement {:.2f}%\n"
      "  left unknown (not observable without credentials, never wrong): maker's own label on "
      "{} devices, device type on {} devices\n",
      check.devices_agree, check.devices, check.devices_expected, check.others_agree, check.others,
      check.unexpected_hosts, check.Agreement() * 100, check.brand_unknown,
      check.device_type_unknown);
  for (const auto& m : check.mismatches) out += "  mismatch: " + m + "\n";
  return out;
}

}  // namespace phaseout::lab
