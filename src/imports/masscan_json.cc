// masscan JSON (`masscan -oJ`, writer: robertdavidgraham/masscan src/out-json.c) -> HostScans.
// masscan writes one object per open port or banner, so records of one address are merged.
// Older masscan versions write `{...},` lines and a final `{finished: 1}` that is not JSON;
// those files are read line by line.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <unordered_map>

#include "core/strings.h"
#include "imports/import.h"
#include "imports/import_internal.h"

namespace phaseout::imports {
namespace {

constexpr const char* kFormat = "masscan";
using json = nlohmann::json;

// The string at `key` of object `o`, `fallback` when absent; nullopt when it is not a string.
std::optional<std::string> StringField(const json& o, const char* key, const char* fallback) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::string(fallback);
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

struct Builder {
  const ImportOptions& options;
  ImportResult result;
  std::unordered_map<std::string, size_t> index;  // ip -> position in result.hosts

  void AddUnique(model::HostScan* host, uint16_t port, std::string key, std::string_view value) {
    if (value.empty()) return;
    for (const auto& o : host->observations) {
      if (o.port == port && o.key == key && o.value == value) return;
    }
    internal::Observe(host, "masscan", port, std::move(key), value);
  }

  // masscan's "http" banner is the reply's status line and headers: split them into the keys
  // the HTTP probe emits, so the HTTP header rules apply.
  void AddHttpBanner(model::HostScan* host, uint16_t port, std::string_view banner) {
    bool first = true;
    for (std::string_view line : Split(banner, '\n')) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (first) {
        first = false;
        if (StartsWithIgnoreCase(line, "HTTP/") && line.size() >= 12) {
          AddUnique(host, port, "http.status", line.substr(9, 3));
          continue;
        }
      }
      if (line.empty()) break;  // end of headers
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) continue;
      AddUnique(host, port, "http.header." + AsciiLower(Trim(line.substr(0, colon))),
                Trim(line.substr(colon + 1)));
    }
  }

  Status Add(const json& rec, const std::string& where) {
    if (!rec.is_object()) return internal::ParseError(kFormat, where, "record is not an object");
    if (rec.contains("finished")) return Status::Ok();  // end marker of older versions
    auto ip_it = rec.find("ip");
    if (ip_it == rec.end() || !ip_it->is_string()) {
      return internal::ParseError(kFormat, where, "record without an \"ip\" string");
    }
    std::string ip = ip_it->get<std::string>();
    if (!internal::IsIpAddress(ip)) {
      return internal::ParseError(kFormat, where, "bad address '" + EscapeBytes(ip, 64) + "'");
    }
    auto [it, inserted] = index.emplace(ip, result.hosts.size());
    if (inserted) {
      if (result.hosts.size() >= options.max_records) {
        return internal::ParseError(kFormat, where,
                                    "more than " + std::to_string(options.max_records) + " hosts");
      }
      model::HostScan h;
      h.ip = ip;
      internal::MarkSource(&h, kFormat, "first seen at " + where);
      result.hosts.push_back(std::move(h));
    }
    model::HostScan& host = result.hosts[it->second];
    auto ports = rec.find("ports");
    if (ports == rec.end()) return Status::Ok();
    if (!ports->is_array()) return internal::ParseError(kFormat, where, "\"ports\" is not an array");
    for (const json& p : *ports) {
      if (!p.is_object() || !p.contains("port") || !p["port"].is_number_unsigned() ||
          p["port"].get<uint64_t>() > 65535) {
        return internal::ParseError(kFormat, where, "port entry without a valid \"port\"");
      }
      auto port = static_cast<uint16_t>(p["port"].get<uint64_t>());
      auto proto = StringField(p, "proto", "tcp");
      auto status = StringField(p, "status", "open");
      if (!proto || !status) return internal::ParseError(kFormat, where, "\"proto\" or \"status\" is not a string");
      auto service = p.find("service");
      if (service != p.end() && service->is_object()) {
        auto name_field = StringField(*service, "name", "");
        auto banner_field = StringField(*service, "banner", "");
        if (!name_field || !banner_field) {
          return internal::ParseError(kFormat, where, "\"service\" \"name\" or \"banner\" is not a string");
        }
        const std::string& name = *name_field;
        const std::string& banner = *banner_field;
        if (name == "http") {
          AddHttpBanner(&host, port, banner);
        } else if (name == "http.server") {
          AddUnique(&host, port, "http.header.server", banner);
        } else if (name == "title") {
          AddUnique(&host, port, "http.title", banner);
        } else if (!name.empty()) {
          AddUnique(&host, port, "masscan.banner." + AsciiLower(name), banner);
        }
        continue;
      }
      if (*proto == "tcp" && *status == "open" && port != 0) {
        host.open_ports.push_back(port);
        AddUnique(&host, port, "tcp.port.open", std::to_string(port));
      }
    }
    return Status::Ok();
  }
};

}  // namespace

Result<ImportResult> ParseMasscanJson(std::string_view input, const ImportOptions& options) {
  Builder b{options, {}, {}};
  json whole = json::parse(input.begin(), input.end(), nullptr, /*allow_exceptions=*/false);
  if (!whole.is_discarded()) {
    if (!whole.is_array()) {
      return internal::ParseError(kFormat, "document", "expected a JSON array of records");
    }
    size_t i = 0;
    for (const json& rec : whole) {
      Status st = b.Add(rec, "record " + std::to_string(++i));
      if (!st.ok()) return st.error();
    }
  } else {
    // Line mode: one record per line, commas before or after it, "[" and "]" on their own.
    uint64_t line_no = 0;
    bool any = false;
    for (std::string_view line : Split(input, '\n')) {
      ++line_no;
      line = Trim(line);
      if (!line.empty() && line.front() == ',') line = Trim(line.substr(1));
      if (!line.empty() && line.back() == ',') line = Trim(line.substr(0, line.size() - 1));
      if (line.empty() || line == "[" || line == "]") continue;
      if (line == "{finished: 1}") continue;
      std::string where = "line " + std::to_string(line_no);
      json rec = json::parse(line.begin(), line.end(), nullptr, false);
      if (rec.is_discarded()) {
        return internal::ParseError(kFormat, where,
                                    "malformed JSON (expected masscan -oJ output: one record per line)");
      }
      Status st = b.Add(rec, where);
      if (!st.ok()) return st.error();
      any = true;
    }
    if (!any) return internal::ParseError(kFormat, "document", "no records (empty input)");
  }
  for (auto& h : b.result.hosts) internal::NormalisePorts(&h);
  return std::move(b.result);
}

}  // namespace phaseout::imports
