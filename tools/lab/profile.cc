// Loads and validates device-lab profiles (YAML) and renders their reply templates.
#include "tools/lab/profile.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace phaseout::lab {
namespace {

namespace fs = std::filesystem;

// Thrown only inside this file and turned into a Result at the ParseProfile boundary.
struct ProfileError {
  std::string message;
};

[[noreturn]] void Fail(const std::string& file, const YAML::Node& node, const std::string& what) {
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) throw ProfileError{fmt::format("{}:{}: {}", file, mark.line + 1, what)};
  throw ProfileError{fmt::format("{}: {}", file, what)};
}

// Rejects keys outside `allowed` so a misspelt key never silently drops a behaviour.
void CheckKeys(const std::string& file, const YAML::Node& map, std::initializer_list<const char*> allowed,
               const std::string& where) {
  if (!map.IsMap()) Fail(file, map, where + " must be a mapping");
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
    if (!ok) {
      std::string list;
      for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
      Fail(file, kv.first, fmt::format("unknown key '{}' in {} (allowed: {})", key, where, list));
    }
  }
}

std::string Str(const std::string& file, const YAML::Node& map, const char* key, bool required,
                const std::string& where) {
  const YAML::Node n = map[key];
  if (!n) {
    if (required) Fail(file, map, fmt::format("{} needs '{}'", where, key));
    return "";
  }
  if (!n.IsScalar()) Fail(file, n, fmt::format("'{}' in {} must be a string", key, where));
  return n.as<std::string>();
}

bool Bool(const std::string& file, const YAML::Node& map, const char* key) {
  const YAML::Node n = map[key];
  if (!n) return false;
  bool value = false;
  if (!YAML::convert<bool>::decode(n, value)) Fail(file, n, fmt::format("'{}' must be true or false", key));
  return value;
}

Provenance ParseProvenance(const std::string& file, const YAML::Node& map, const std::set<std::string>& ids,
                           const std::string& where) {
  Provenance p;
  if (const YAML::Node s = map["sources"]) {
    if (!s.IsSequence()) Fail(file, s, "'sources' must be a list of source ids");
    for (const auto& item : s) {
      std::string id = item.as<std::string>();
      if (!ids.count(id)) Fail(file, item, fmt::format("{} cites unknown source id '{}'", where, id));
      p.sources.push_back(std::move(id));
    }
  }
  p.synthetic = Bool(file, map, "synthetic");
  p.unverified = Bool(file, map, "unverified");
  p.note = Str(file, map, "note", false, where);
  if (p.sources.empty() && !p.synthetic) {
    Fail(file, map, fmt::format("{} cites no source; add 'sources' or mark it 'synthetic: true'", where));
  }
  if (p.sources.empty() && p.note.empty()) {
    Fail(file, map, fmt::format("{} is synthetic without sources; add a 'note' saying why", where));
  }
  return p;
}

void CheckTemplateOrFail(const std::string& file, const YAML::Node& node, const std::string& text,
                         bool allow_length) {
  Status st = CheckTemplate(text, allow_length);
  if (!st.ok()) Fail(file, node, st.error().message);
}

Reply ParseReply(const std::string& file, const YAML::Node& node, const std::set<std::string>& ids,
                 const std::string& where, bool rtsp) {
  CheckKeys(file, node,
            {"version", "status", "reason", "headers", "body", "bom", "sources", "synthetic", "unverified",
             "note"},
            where);
  Reply r;
  r.version = Str(file, node, "version", false, where);
  if (r.version.empty()) r.version = rtsp ? "RTSP/1.0" : "HTTP/1.1";
  if (r.version != "HTTP/1.0" && r.version != "HTTP/1.1" && r.version != "RTSP/1.0") {
    Fail(file, node["version"], fmt::format("unknown protocol version '{}' in {}", r.version, where));
  }
  const YAML::Node status = node["status"];
  if (!status) Fail(file, node, fmt::format("{} needs 'status'", where));
  int code = 0;
  if (!YAML::convert<int>::decode(status, code) || code < 100 || code > 599) {
    Fail(file, status, fmt::format("'status' in {} must be a number 100..599", where));
  }
  r.status = code;
  r.reason = Str(file, node, "reason", true, where);
  if (const YAML::Node headers = node["headers"]) {
    if (!headers.IsSequence()) Fail(file, headers, "'headers' must be a list of \"Name: value\" strings");
    for (const auto& h : headers) {
      const std::string line = h.as<std::string>();
      const size_t colon = line.find(':');
      if (colon == std::string::npos || colon == 0) {
        Fail(file, h, fmt::format("header '{}' is not \"Name: value\"", line));
      }
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      // One space after the colon is the separator; more spaces are part of the value
      // (Hikvision RTSP sends "Date:  Thu, ..." with two).
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      for (char c : name) {
        if (std::isspace(static_cast<unsigned char>(c))) Fail(file, h, fmt::format("header name '{}' has space", name));
      }
      CheckTemplateOrFail(file, h, value, true);
      r.headers.emplace_back(std::move(name), std::move(value));
    }
  }
  r.body = Str(file, node, "body", false, where);
  CheckTemplateOrFail(file, node["body"] ? node["body"] : node, r.body, false);
  r.bom = Bool(file, node, "bom");
  r.provenance = ParseProvenance(file, node, ids, where);
  return r;
}

// Parses "YYYY-MM-DD".
bool ValidDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool ValidName(const std::string& s) {
  // "/K=V/K=V": every component has a key and a value.
  if (s.empty() || s[0] != '/') return false;
  size_t pos = 1;
  while (pos <= s.size()) {
    size_t next = s.find('/', pos);
    if (next == std::string::npos) next = s.size();
    const std::string part = s.substr(pos, next - pos);
    const size_t eq = part.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == part.size()) return false;
    pos = next + 1;
  }
  return true;
}

CertSpec ParseCert(const std::string& file, const YAML::Node& node, const std::set<std::string>& ids) {
  CheckKeys(file, node,
            {"subject", "issuer", "not_before", "not_after", "key", "sources", "synthetic", "unverified", "note"},
            "tls");
  CertSpec c;
  c.subject = Str(file, node, "subject", true, "tls");
  c.issuer = Str(file, node, "issuer", false, "tls");
  if (c.issuer.empty()) c.issuer = c.subject;
  if (!ValidName(c.subject)) Fail(file, node["subject"], "tls subject must look like /C=CN/O=Org/CN=name");
  if (!ValidName(c.issuer)) Fail(file, node["issuer"], "tls issuer must look like /C=CN/O=Org/CN=name");
  c.not_before = Str(file, node, "not_before", true, "tls");
  c.not_after = Str(file, node, "not_after", true, "tls");
  if (!ValidDate(c.not_before) || !ValidDate(c.not_after) || c.not_after <= c.not_before) {
    Fail(file, node, "tls not_before/not_after must be YYYY-MM-DD with not_before < not_after");
  }
  const std::string key = Str(file, node, "key", false, "tls");
  if (key.empty() || key == "ec-p256") {
    c.key = KeyType::kEcP256;
  } else if (key == "rsa-2048") {
    c.key = KeyType::kRsa2048;
  } else {
    Fail(file, node["key"], fmt::format("unknown tls key type '{}' (ec-p256 or rsa-2048)", key));
  }
  c.provenance = ParseProvenance(file, node, ids, "tls");
  return c;
}

std::string DecodeHex(const std::string& file, const YAML::Node& node, const std::string& hex) {
  std::string clean;
  for (char c : hex) {
    if (!std::isspace(static_cast<unsigned char>(c))) clean.push_back(c);
  }
  if (clean.size() % 2 != 0) Fail(file, node, "banner 'hex' has an odd number of digits");
  std::string out;
  for (size_t i = 0; i < clean.size(); i += 2) {
    auto nib = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      Fail(file, node, fmt::format("banner 'hex' has a non-hex character '{}'", c));
    };
    out.push_back(static_cast<char>(nib(clean[i]) * 16 + nib(clean[i + 1])));
  }
  return out;
}

PortSpec ParsePort(const std::string& file, const YAML::Node& node, const std::set<std::string>& ids) {
  CheckKeys(file, node,
            {"port", "kind", "tls", "routes", "default", "methods", "hex", "sources", "synthetic", "unverified",
             "note", "protocol", "reply", "repeat"},
            "port");
  PortSpec p;
  int port = 0;
  if (!node["port"] || !YAML::convert<int>::decode(node["port"], port) || port < 1 || port > 65535) {
    Fail(file, node, "each port needs 'port: 1..65535'");
  }
  p.port = static_cast<uint16_t>(port);
  const std::string where = fmt::format("port {}", port);
  const std::string kind = Str(file, node, "kind", true, where);
  if (kind == "http") {
    p.kind = PortKind::kHttp;
  } else if (kind == "rtsp") {
    p.kind = PortKind::kRtsp;
  } else if (kind == "banner") {
    p.kind = PortKind::kBanner;
  } else if (kind == "refuse") {
    p.kind = PortKind::kRefuse;
  } else if (kind == "udp") {
    p.kind = PortKind::kUdp;
  } else {
    Fail(file, node["kind"], fmt::format("unknown port kind '{}' (http, rtsp, banner, refuse, udp)", kind));
  }
  if (p.kind == PortKind::kUdp) {
    if (node["tls"] || node["routes"] || node["methods"] || node["default"] || node["hex"]) {
      Fail(file, node, fmt::format("udp {} takes only 'protocol' and 'reply'", where));
    }
    p.udp_protocol = Str(file, node, "protocol", true, where);
    if (p.udp_protocol != "sadp" && p.udp_protocol != "dhip" && p.udp_protocol != "onvif" &&
        p.udp_protocol != "mdns") {
      Fail(file, node["protocol"], fmt::format("unknown udp protocol '{}' (sadp, dhip, onvif, mdns)", p.udp_protocol));
    }
    p.udp_reply = Str(file, node, "reply", true, where);
    if (const YAML::Node repeat = node["repeat"]) {
      // A hostile flooding responder: this many copies of the reply per request.
      long long n = -1;
      try {
        n = repeat.as<long long>();
      } catch (const YAML::Exception&) {
      }
      if (n < 1 || n > kMaxUdpRepeat) Fail(file, repeat, fmt::format("'repeat' must be 1..{}", kMaxUdpRepeat));
      p.udp_repeat = static_cast<uint32_t>(n);
    }
    if (Status st = CheckTemplate(p.udp_reply, false); !st.ok()) Fail(file, node["reply"], st.error().message);
    p.provenance = ParseProvenance(file, node, ids, where);
    return p;
  }
  if (node["protocol"] || node["reply"] || node["repeat"]) {
    Fail(file, node, fmt::format("'protocol'/'reply'/'repeat' are for kind udp only"));
  }
  if (const YAML::Node tls = node["tls"]) {
    if (p.kind == PortKind::kRefuse) Fail(file, tls, "a refused port cannot have 'tls'");
    p.tls = ParseCert(file, tls, ids);
  }
  if (p.kind == PortKind::kHttp) {
    const YAML::Node routes = node["routes"];
    if (!routes || !routes.IsSequence() || routes.size() == 0) {
      Fail(file, node, fmt::format("http {} needs a non-empty 'routes' list", where));
    }
    for (const auto& r : routes) {
      CheckKeys(file, r, {"path", "reply"}, "route");
      Route route;
      route.target = Str(file, r, "path", true, "route");
      if (route.target.empty() || route.target[0] != '/') Fail(file, r, "route 'path' must start with '/'");
      if (!r["reply"]) Fail(file, r, "route needs 'reply'");
      route.reply = ParseReply(file, r["reply"], ids, fmt::format("{} {}", where, route.target), false);
      p.routes.push_back(std::move(route));
    }
    if (!node["default"]) Fail(file, node, fmt::format("http {} needs a 'default' reply for other paths", where));
    p.fallback = ParseReply(file, node["default"], ids, where + " default", false);
  } else if (p.kind == PortKind::kRtsp) {
    const YAML::Node methods = node["methods"];
    if (!methods || !methods.IsMap()) Fail(file, node, fmt::format("rtsp {} needs a 'methods' map", where));
    for (const auto& kv : methods) {
      const std::string method = kv.first.as<std::string>();
      p.methods[method] = ParseReply(file, kv.second, ids, fmt::format("{} {}", where, method), true);
    }
    if (!p.methods.count("OPTIONS") || !p.methods.count("DESCRIBE")) {
      Fail(file, methods, fmt::format("rtsp {} needs OPTIONS and DESCRIBE replies", where));
    }
    if (node["default"]) p.fallback = ParseReply(file, node["default"], ids, where + " default", true);
  } else {
    if (node["routes"] || node["methods"] || node["default"]) {
      Fail(file, node, fmt::format("{} of kind {} takes no routes/methods/default", where, kind));
    }
    if (p.kind == PortKind::kBanner && node["hex"]) p.banner = DecodeHex(file, node["hex"], node["hex"].as<std::string>());
    if (p.kind == PortKind::kRefuse && node["hex"]) Fail(file, node["hex"], "a refused port sends nothing");
    p.provenance = ParseProvenance(file, node, ids, where);
  }
  return p;
}

bool IsHex6(const std::string& s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

Profile ParseProfileOrThrow(std::string_view text, const std::string& file) {
  YAML::Node loaded;
  try {
    loaded = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ProfileError{fmt::format("{}:{}: YAML error: {}", file, e.mark.line + 1, e.msg)};
  }
  // const: operator[] on a non-const node may insert the key it looks up.
  const YAML::Node root = loaded;
  CheckKeys(file, root, {"id", "description", "weight", "truth", "sources", "ports"}, "profile");
  Profile p;
  p.file = file;
  p.id = Str(file, root, "id", true, "profile");
  for (char c : p.id) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      Fail(file, root["id"], fmt::format("profile id '{}' may only use a-z, 0-9 and '-'", p.id));
    }
  }
  p.description = Str(file, root, "description", true, "profile");
  if (root["weight"]) {
    if (!YAML::convert<double>::decode(root["weight"], p.weight) || p.weight < 0) {
      Fail(file, root["weight"], "'weight' must be a number >= 0");
    }
  }
  // Sources first: replies refer to them by id.
  const YAML::Node sources = root["sources"];
  if (!sources || !sources.IsSequence() || sources.size() == 0) {
    Fail(file, root, "profile needs a non-empty 'sources' list");
  }
  std::set<std::string> ids;
  for (const auto& s : sources) {
    CheckKeys(file, s, {"id", "ref", "fact"}, "source");
    Source src{Str(file, s, "id", true, "source"), Str(file, s, "ref", true, "source"),
               Str(file, s, "fact", true, "source")};
    if (!ids.insert(src.id).second) Fail(file, s, fmt::format("duplicate source id '{}'", src.id));
    p.sources.push_back(std::move(src));
  }

  const YAML::Node truth = root["truth"];
  if (!truth) Fail(file, root, "profile needs 'truth' (the device's ground truth)");
  CheckKeys(file, truth,
            {"manufacturer", "brand", "device_type", "model", "firmware", "serial", "ouis", "expect_identified",
             "sources", "synthetic", "unverified", "note"},
            "truth");
  GroundTruth& t = p.truth;
  t.manufacturer = Str(file, truth, "manufacturer", true, "truth");
  t.brand = Str(file, truth, "brand", true, "truth");
  const auto& vendors = KnownVendorIds();
  for (const auto* field : {&t.manufacturer, &t.brand}) {
    if (!field->empty() && std::find(vendors.begin(), vendors.end(), *field) == vendors.end()) {
      Fail(file, truth, fmt::format("unknown vendor id '{}' in truth (not in the canonical vendor list)", *field));
    }
  }
  t.device_type = Str(file, truth, "device_type", true, "truth");
  const auto& types = KnownDeviceTypes();
  if (std::find(types.begin(), types.end(), t.device_type) == types.end()) {
    Fail(file, truth["device_type"], fmt::format("unknown device_type '{}'", t.device_type));
  }
  t.model = Str(file, truth, "model", true, "truth");
  t.firmware = Str(file, truth, "firmware", true, "truth");
  t.serial = Str(file, truth, "serial", true, "truth");
  if (Result<std::string> s = RenderSerial(t.serial, 1); !s) Fail(file, truth["serial"], s.error().message);
  if (!truth["expect_identified"]) Fail(file, truth, "truth needs 'expect_identified: true|false'");
  t.expect_identified = Bool(file, truth, "expect_identified");
  if (t.expect_identified && t.manufacturer.empty()) {
    Fail(file, truth, "expect_identified is true but manufacturer is empty");
  }
  const YAML::Node ouis = truth["ouis"];
  if (!ouis || !ouis.IsSequence() || ouis.size() == 0) Fail(file, truth, "truth needs 'ouis' (MAC prefixes)");
  for (const auto& o : ouis) {
    std::string oui = o.as<std::string>();
    if (!IsHex6(oui)) Fail(file, o, fmt::format("OUI '{}' must be 6 hex digits", oui));
    std::transform(oui.begin(), oui.end(), oui.begin(), [](unsigned char c) { return std::toupper(c); });
    t.ouis.push_back(oui);
  }
  t.provenance = ParseProvenance(file, truth, ids, "truth");

  const YAML::Node ports = root["ports"];
  if (!ports || !ports.IsSequence() || ports.size() == 0) Fail(file, root, "profile needs a non-empty 'ports' list");
  std::set<uint16_t> seen;
  for (const auto& node : ports) {
    PortSpec port = ParsePort(file, node, ids);
    if (!seen.insert(port.port).second) Fail(file, node, fmt::format("port {} listed twice", port.port));
    p.ports.push_back(std::move(port));
  }
  if (p.OpenPorts().empty() && p.UdpPorts().empty()) Fail(file, ports, "profile has no open port");
  return p;
}

constexpr std::array<const char*, 14> kTemplateNames = {
    "serial", "serial_tail5", "mac", "mac_hex", "mac_dash", "model", "firmware",
    "ip",     "hex_token",    "nonce", "date",  "date_hik", "unix_time", "cseq"};

std::string RandomHex(size_t digits) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(digits, '0');
  uint64_t bits = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = rng();
    out[i] = kHex[bits & 0xf];
    bits >>= 4;
  }
  return out;
}

std::string FormatNow(const char* layout) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof(buf), layout, &tm);
  return std::string(buf, n);
}

}  // namespace

const std::vector<std::string>& KnownVendorIds() {
  static const std::vector<std::string> kIds = {
      "hikvision", "dahua", "huawei",   "zte",      "hytera", "ezviz", "hilook",  "hiwatch", "hikmicro",
      "prama",     "lts",   "interlogix", "amcrest", "lorex", "imou",  "cpplus",  "axis",    "hanwha",
      "bosch",     "uniview", "xiongmai", "mikrotik", "tp-link", "hp",  "ubiquiti", "generic"};
  return kIds;
}

const std::vector<std::string>& KnownDeviceTypes() {
  static const std::vector<std::string> kTypes = {"camera", "nvr", "dvr", "router", "switch", "printer", "server"};
  return kTypes;
}

const char* PortKindName(PortKind kind) {
  switch (kind) {
    case PortKind::kHttp: return "http";
    case PortKind::kRtsp: return "rtsp";
    case PortKind::kBanner: return "banner";
    case PortKind::kRefuse: return "refuse";
    case PortKind::kUdp: return "udp";
  }
  return "refuse";
}

std::vector<uint16_t> Profile::OpenPorts() const {
  std::vector<uint16_t> out;
  for (const PortSpec& p : ports) {
    if (p.kind != PortKind::kRefuse && p.kind != PortKind::kUdp) out.push_back(p.port);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint16_t> Profile::UdpPorts() const {
  std::vector<uint16_t> out;
  for (const PortSpec& p : ports) {
    if (p.kind == PortKind::kUdp) out.push_back(p.port);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status CheckTemplate(std::string_view text, bool allow_content_length) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') continue;
    if (i + 1 < text.size() && text[i + 1] == '{') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < text.size() && (std::islower(static_cast<unsigned char>(text[j])) ||
                               std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '_')) {
      ++j;
    }
    // Only "{word}" is a placeholder; braces in scripts or JSON ("{case", "{\"a\"") are text.
    if (j == i + 1 || j >= text.size() || text[j] != '}') continue;
    const std::string_view name = text.substr(i + 1, j - i - 1);
    const bool known = std::find(kTemplateNames.begin(), kTemplateNames.end(), name) != kTemplateNames.end();
    if (name == "content_length" && allow_content_length) continue;
    if (!known) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("unknown template name '{{{}}}' (known: serial, serial_tail5, mac, mac_hex, "
                                   "mac_dash, model, firmware, ip, hex_token, nonce, date, date_hik, unix_time, "
                                   "cseq; content_length in headers)",
                                   name));
    }
  }
  return Status::Ok();
}

std::string RenderTemplate(std::string_view text, const TemplateVars& vars, size_t content_length) {
  std::string out;
  out.reserve(text.size() + 32);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '{') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      out.push_back('{');
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos || close - i > 20) {
      out.push_back(c);
      continue;
    }
    const std::string_view name = text.substr(i + 1, close - i - 1);
    const std::string* value = nullptr;
    std::string computed;
    if (name == "serial") value = &vars.serial;
    else if (name == "serial_tail5") value = &vars.serial_tail5;
    else if (name == "mac") value = &vars.mac;
    else if (name == "mac_hex") value = &vars.mac_hex;
    else if (name == "mac_dash") value = &vars.mac_dash;
    else if (name == "model") value = &vars.model;
    else if (name == "firmware") value = &vars.firmware;
    else if (name == "ip") value = &vars.ip;
    else if (name == "hex_token") value = &vars.hex_token;
    else if (name == "cseq") value = &vars.cseq;
    else if (name == "nonce") { computed = RandomHex(32); value = &computed; }
    else if (name == "date") { computed = FormatNow("%a, %d %b %Y %H:%M:%S GMT"); value = &computed; }
    else if (name == "date_hik") { computed = FormatNow("%a, %b %d %Y %H:%M:%S GMT"); value = &computed; }
    else if (name == "unix_time") { computed = std::to_string(std::time(nullptr)); value = &computed; }
    else if (name == "content_length") { computed = std::to_string(content_length); value = &computed; }
    if (value == nullptr) {
      out.push_back(c);
      continue;
    }
    out += *value;
    i = close;
  }
  return out;
}

std::string RenderReply(const Reply& reply, const TemplateVars& vars) {
  std::string body = RenderTemplate(reply.body, vars);
  if (reply.bom) body.insert(0, "\xEF\xBB\xBF");
  std::string out = fmt::format("{} {} {}\r\n", reply.version, reply.status, reply.reason);
  for (const auto& [name, value] : reply.headers) {
    out += name;
    out += ": ";
    out += RenderTemplate(value, vars, body.size());
    out += "\r\n";
  }
  out += "\r\n";
  out += body;
  return out;
}

Result<std::string> RenderSerial(std::string_view tmpl, uint64_t counter) {
  const size_t open = tmpl.find("{n:");
  if (open == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("serial template '{}' needs a per-device counter {{n:WIDTH}}", tmpl));
  }
  const size_t close = tmpl.find('}', open);
  int width = 0;
  if (close != std::string_view::npos) {
    for (size_t i = open + 3; i < close; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(tmpl[i]))) { width = 0; break; }
      width = width * 10 + (tmpl[i] - '0');
      if (width > 18) break;
    }
  }
  if (close == std::string_view::npos || width < 1 || width > 18) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("serial template '{}': counter must be {{n:WIDTH}} with WIDTH 1..18", tmpl));
  }
  if (tmpl.find("{n:", close) != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("serial template '{}' has two counters", tmpl));
  }
  uint64_t mod = 1;
  for (int i = 0; i < width; ++i) mod *= 10;
  std::string out(tmpl.substr(0, open));
  out += fmt::format("{:0{}}", counter % mod, width);
  out += tmpl.substr(close + 1);
  return out;
}

Result<Profile> ParseProfile(std::string_view yaml_text, const std::string& file) {
  try {
    return ParseProfileOrThrow(yaml_text, file);
  } catch (const ProfileError& e) {
    return MakeError(ErrorCode::kInvalidArgument, e.message);
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}:{}: {}", file, e.mark.line + 1, e.msg));
  }
}

Result<std::vector<Profile>> LoadProfiles(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return MakeError(ErrorCode::kNotFound, fmt::format("profile directory '{}' does not exist", dir));
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  if (ec) return MakeError(ErrorCode::kIo, fmt::format("cannot list '{}': {}", dir, ec.message()));
  std::sort(files.begin(), files.end());
  if (files.empty()) return MakeError(ErrorCode::kNotFound, fmt::format("no *.yaml profiles in '{}'", dir));
  std::vector<Profile> out;
  std::set<std::string> ids;
  for (const fs::path& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kIo, fmt::format("cannot read '{}'", path.string()));
    std::stringstream buf;
    buf << in.rdbuf();
    Result<Profile> p = ParseProfile(buf.str(), path.string());
    if (!p) return p.error();
    if (!ids.insert(p->id).second) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{}: duplicate profile id '{}'", path.string(), p->id));
    }
    out.push_back(std::move(p).value());
  }
  return out;
}

}  // namespace phaseout::lab
