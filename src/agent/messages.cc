// Server answers and request bodies of the agent protocol (CONTRACT of issue 8; docs/openapi.yaml).
#include "agent/messages.h"

#include <nlohmann/json.hpp>

#include "core/json_dump.h"

namespace phaseout::agent {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxScheduleEntries = 10000;

Error ParseError(const std::string& what, const std::string& why) {
  return MakeError(ErrorCode::kParse, "the server's " + what + " answer is not what phaseout expects: " + why);
}

std::string Printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace

Result<AgentKey> ParseEnrolResponse(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return ParseError("enrolment", "not a JSON object");
  AgentKey k;
  auto str = [&](const char* key, std::string* out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return false;
    *out = it->get<std::string>();
    return true;
  };
  if (!str("key", &k.key)) return ParseError("enrolment", "no 'key'");
  if (!str("agent_id", &k.agent_id)) {
    // agent_id may be a number in some servers' JSON; accept it as text.
    auto it = j.find("agent_id");
    if (it == j.end() || !it->is_number_integer()) return ParseError("enrolment", "no 'agent_id'");
    k.agent_id = std::to_string(it->get<int64_t>());
  }
  auto sites = j.find("sites");
  if (sites == j.end() || !sites->is_array()) return ParseError("enrolment", "no 'sites' list");
  for (const auto& s : *sites) {
    if (!s.is_string() || s.get_ref<const std::string&>().empty()) return ParseError("enrolment", "a site is not text");
    k.sites.push_back(s.get<std::string>());
  }
  return k;
}

Result<std::vector<ScheduledScan>> ParseScheduleResponse(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return ParseError("schedule", "not a JSON object");
  auto scans = j.find("scans");
  if (scans == j.end() || !scans->is_array()) return ParseError("schedule", "no 'scans' list");
  if (scans->size() > kMaxScheduleEntries) return ParseError("schedule", "more than 10000 scans");
  std::vector<ScheduledScan> out;
  for (const auto& e : *scans) {
    if (!e.is_object()) return ParseError("schedule", "a scan is not an object");
    ScheduledScan s;
    auto site = e.find("site");
    if (site == e.end() || !site->is_string() || site->get_ref<const std::string&>().empty()) {
      return ParseError("schedule", "a scan has no 'site'");
    }
    s.site = site->get<std::string>();
    auto targets = e.find("targets");
    if (targets == e.end() || !targets->is_array() || targets->empty()) {
      return ParseError("schedule", "scan for site '" + Printable(s.site, 64) + "' has no 'targets'");
    }
    for (const auto& t : *targets) {
      if (!t.is_string() || t.get_ref<const std::string&>().empty()) {
        return ParseError("schedule", "a target of site '" + Printable(s.site, 64) + "' is not text");
      }
      s.targets.push_back(t.get<std::string>());
    }
    if (auto ports = e.find("ports"); ports != e.end() && !ports->is_null()) {
      if (!ports->is_string()) return ParseError("schedule", "'ports' is not text");
      s.ports = ports->get<std::string>();
    }
    if (auto interval = e.find("interval_s"); interval != e.end() && !interval->is_null()) {
      if (!interval->is_number() || interval->get<double>() < 0) {
        return ParseError("schedule", "'interval_s' is not a positive number");
      }
      double v = interval->get<double>();
      s.interval_s = v > 31536000 ? 31536000u : static_cast<uint32_t>(v);
    }
    if (s.interval_s < 60) s.interval_s = 60;
    out.push_back(std::move(s));
  }
  return out;
}

std::string DescribeErrorBody(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    auto e = j.find("error");
    if (e != j.end() && e->is_object()) {
      std::string code, message;
      if (auto c = e->find("code"); c != e->end() && c->is_string()) code = c->get<std::string>();
      if (auto m = e->find("message"); m != e->end() && m->is_string()) message = m->get<std::string>();
      if (!code.empty() || !message.empty()) {
        return Printable(code, 64) + (code.empty() || message.empty() ? "" : ": ") + Printable(message, 400);
      }
    }
  }
  if (body.empty()) return "(no body)";
  return Printable(body, 200);
}

ChunkAnswer ParseChunkAnswer(std::string_view body) {
  ChunkAnswer a;
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return a;
  if (auto s = j.find("stored"); s != j.end() && s->is_number_unsigned()) a.stored = s->get<uint64_t>();
  if (auto d = j.find("duplicates"); d != j.end() && d->is_number_unsigned()) a.duplicates = d->get<uint64_t>();
  return a;
}

std::string ScanStartBody(const ScanHeader& h) {
  json j = {{"scan_key", h.scan_key},         {"site", h.site},   {"started_at", h.started_at},
            {"rules_version", h.rules_version}, {"scope", h.scope}, {"source", h.source}};
  return DumpJson(j);
}

std::string ScanCompleteBody(uint64_t records, bool complete) {
  json j = {{"records", records}, {"complete", complete}};
  return DumpJson(j);
}

}  // namespace phaseout::agent
