// NDJSON, JSON, CSV and table renderers for scan results (nlohmann-json stays in this file).
#include "report/scan_writers.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "core/json_dump.h"
#include "report/text.h"

namespace phaseout::report {
namespace {

using nlohmann::json;

json StrOrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(SanitizeUtf8(s)); }

double RoundConfidence(double c) {
  if (!std::isfinite(c)) return 0.0;
  return std::round(c * 1000.0) / 1000.0;
}

json DeviceJson(const model::DeviceReport& r) {
  const model::HostScan& h = r.host;
  const model::Identification& id = r.identification;
  json j = json::object();
  j["ip"] = SanitizeUtf8(h.ip);
  // Outside the scan scope: answered a discovery probe from an address not among the targets;
  // never probed, never merged, not counted in the summary. Present only on such records, so
  // in-scope records keep exactly the contract fields.
  if (h.out_of_scope) j["out_of_scope"] = true;
  j["open_ports"] = h.open_ports;
  j["mac"] = StrOrNull(h.mac);
  j["manufacturer"] = StrOrNull(id.manufacturer);
  j["brand"] = SanitizeUtf8(id.brand);
  j["device_type"] = SanitizeUtf8(id.device_type);
  j["model"] = SanitizeUtf8(id.model);
  j["firmware"] = SanitizeUtf8(id.firmware);
  j["serial"] = StrOrNull(id.serial);
  j["confidence"] = RoundConfidence(id.confidence);
  json evidence = json::array();
  for (const auto& e : id.evidence) {
    evidence.push_back({{"probe", SanitizeUtf8(e.probe)},
                        {"port", e.port},
                        {"field", SanitizeUtf8(e.field)},
                        {"value", SanitizeUtf8(e.value)},
                        {"rule", SanitizeUtf8(e.rule)}});
  }
  j["evidence"] = std::move(evidence);
  json verdicts = json::array();
  for (const auto& v : r.verdicts) {
    verdicts.push_back({{"policy", v.policy},
                        {"status", model::VerdictStatusName(v.status)},
                        {"reason", SanitizeUtf8(v.reason)},
                        {"clause", StrOrNull(v.clause)}});
  }
  j["verdicts"] = std::move(verdicts);
  json notes = json::array();
  for (const auto& n : h.notes) notes.push_back(SanitizeUtf8(n));
  j["notes"] = std::move(notes);
  return j;
}

// Strings are sanitised before they reach the json; the project's document writer
// (core/json_dump.h) writes any byte that slipped through as "\xNN" and never throws.
std::string Dump(const json& j, int indent = -1) {
  return DumpJson(j, indent);
}

json ScanJson(const ScanInfo& info) {
  json policies = json::array();
  for (const auto& p : info.policies) policies.push_back({{"id", p.id}, {"title", SanitizeUtf8(p.title)}});
  json targets = json::array();
  for (const auto& t : info.targets) targets.push_back(SanitizeUtf8(t));
  return {{"tool", "phaseout"},
          {"version", info.tool_version},
          {"started_at", StrOrNull(info.started_at)},
          {"targets", std::move(targets)},
          {"ports", info.ports},
          {"policies", std::move(policies)},
          {"scan_id", StrOrNull(info.scan_id)},
          {"ruleset", StrOrNull(info.ruleset_version)}};
}

json CoverageJson(const ScanSummary& s) {
  const ScanCoverage& c = s.coverage();
  json errors = json::object();
  for (const auto& [kind, n] : c.errors_by_kind) errors[SanitizeUtf8(kind)] = n;
  json sample = json::array();
  for (const auto& a : c.not_covered_sample) sample.push_back(SanitizeUtf8(a));
  return {{"addresses_total", c.addresses_total},
          {"addresses_finished", c.addresses_finished},
          {"addresses_not_started", c.addresses_not_started()},
          {"addresses_not_covered", c.addresses_not_covered},
          {"ports_not_covered", c.ports_not_covered},
          {"connections_attempted", c.connections_attempted},
          {"connections_answered", c.connections_answered},
          {"connect_timeouts", c.connect_timeouts},
          {"host_unreachable", c.host_unreachable},
          {"interrupted_by", StrOrNull(c.interrupted_by)},
          {"errors_by_kind", std::move(errors)},
          {"not_covered_sample", std::move(sample)}};
}

// The UDP discovery counters; null when the pass did not run.
json DiscoveryJson(const ScanSummary& s) {
  const ScanDiscovery& d = s.discovery();
  if (!d.ran) return nullptr;
  return {{"datagrams_sent", d.datagrams_sent},
          {"send_errors", d.send_errors},
          {"replies", d.replies},
          {"replies_out_of_scope", d.replies_out_of_scope},
          {"replies_truncated", d.replies_truncated},
          {"replies_capped", d.replies_capped},
          {"replies_late", d.replies_late},
          {"elapsed_ms", d.elapsed_ms}};
}

json ReasonsJson(const ScanSummary& s) {
  json reasons = json::array();
  for (const auto& r : s.IncompleteReasons()) reasons.push_back(SanitizeUtf8(r));
  return reasons;
}

json SummaryJson(const ScanSummary& s) {
  json by_policy = json::object();
  for (const auto& id : s.policy_ids()) {
    by_policy[id] = {{"prohibited", s.Count(id, model::VerdictStatus::kProhibited)},
                     {"review", s.Count(id, model::VerdictStatus::kReview)},
                     {"unknown", s.Count(id, model::VerdictStatus::kUnknown)},
                     {"clear", s.Count(id, model::VerdictStatus::kClear)}};
  }
  json by_maker = json::object();
  for (const auto& [maker, n] : s.by_manufacturer()) by_maker[SanitizeUtf8(maker)] = n;
  return {{"finished_at", StrOrNull(s.finished_at())},
          {"addresses_scanned", s.addresses_scanned()},
          {"stopped", s.stopped()},
          {"hosts", s.hosts()},
          {"identified", s.identified()},
          {"hosts_prohibited", s.hosts_prohibited()},
          {"hosts_review", s.hosts_review()},
          {"hosts_unknown", s.hosts_unknown()},
          {"out_of_scope", s.out_of_scope()},
          {"by_manufacturer", std::move(by_maker)},
          {"by_policy", std::move(by_policy)},
          {"complete", s.complete()},
          {"incomplete_reasons", ReasonsJson(s)},
          {"coverage", CoverageJson(s)},
          {"udp", DiscoveryJson(s)}};
}

const model::Verdict* FindVerdict(const model::DeviceReport& r, const std::string& policy) {
  const model::Verdict* worst = nullptr;
  for (const auto& v : r.verdicts) {
    if (v.policy != policy) continue;
    if (worst == nullptr || Severity(v.status) > Severity(worst->status)) worst = &v;
  }
  return worst;
}

// Status as shown in table cells: PROHIBITED stands out, the others stay lower case.
std::string TableStatus(model::VerdictStatus s) {
  return s == model::VerdictStatus::kProhibited ? std::string("PROHIBITED") : model::VerdictStatusName(s);
}

char StatusLetter(model::VerdictStatus s) {
  switch (s) {
    case model::VerdictStatus::kProhibited: return 'P';
    case model::VerdictStatus::kReview: return 'R';
    case model::VerdictStatus::kUnknown: return 'U';
    case model::VerdictStatus::kClear: return 'C';
  }
  return '?';
}

// "complete=false; reason; reason" for trailers.
std::string CompletenessLine(const ScanSummary& s) {
  std::string line = std::string("complete=") + (s.complete() ? "true" : "false");
  for (const auto& r : s.IncompleteReasons()) line += "; " + r;
  return line;
}

std::string FormatConfidence(double c) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.2f", RoundConfidence(c));
  return buf;
}

std::string JoinPorts(const std::vector<uint16_t>& ports, const char* sep) {
  std::string out;
  for (uint16_t p : ports) out += (out.empty() ? "" : sep) + std::to_string(p);
  return out;
}

std::vector<std::string> PolicyIds(const ScanInfo& info) {
  std::vector<std::string> ids;
  for (const auto& p : info.policies) ids.push_back(p.id);
  return ids;
}

// Table layout: fixed widths so rows can be printed as hosts arrive.
constexpr size_t kIpWidth = 15;
constexpr size_t kPortsWidth = 18;
constexpr size_t kMakerWidth = 22;
constexpr size_t kTypeWidth = 14;
constexpr size_t kModelWidth = 22;
constexpr size_t kConfWidth = 4;

void Pad(std::ostream& out, const std::string& cell, size_t width) {
  out << cell;
  for (size_t i = cell.size(); i < width; ++i) out << ' ';
  out << "  ";
}

// Writes `line` without trailing spaces, then a newline.
void EndLine(std::ostream& out, const std::ostringstream& line) {
  std::string s = line.str();
  while (!s.empty() && s.back() == ' ') s.pop_back();
  out << s << '\n';
}

size_t PolicyWidth(const std::string& id) { return std::max<size_t>(id.size(), 10); }

constexpr size_t kVerdictWidth = 16;  // "PROHIBITED (5/5)"

bool CompactTable(const std::vector<std::string>& policies) { return policies.size() > kTableWidePolicies; }

void WriteTableHeader(std::ostream& os, const std::vector<std::string>& policies) {
  if (CompactTable(policies)) {
    os << "Policies:";
    for (size_t i = 0; i < policies.size(); ++i) os << "  " << (i + 1) << "=" << TableCell(policies[i], 40);
    os << "  (P prohibited, R review, U unknown, C clear)\n";
  }
  std::ostringstream out;
  Pad(out, "IP", kIpWidth);
  Pad(out, "PORTS", kPortsWidth);
  Pad(out, "MANUFACTURER (BRAND)", kMakerWidth);
  Pad(out, "TYPE", kTypeWidth);
  Pad(out, "MODEL", kModelWidth);
  Pad(out, "CONF", kConfWidth);
  if (CompactTable(policies)) {
    Pad(out, "VERDICT", kVerdictWidth);
    // One character per policy while the numbers are single digits ("12345" over "PPPRC").
    for (size_t i = 0; i < policies.size(); ++i) out << (i + 1) << (policies.size() < 10 ? "" : " ");
  } else {
    for (const auto& p : policies) Pad(out, TableCell(p, PolicyWidth(p)), PolicyWidth(p));
  }
  EndLine(os, out);
}

void WriteTableRow(std::ostream& os, const model::DeviceReport& r, const std::vector<std::string>& policies) {
  std::ostringstream out;
  const auto& id = r.identification;
  std::string maker = id.manufacturer.empty() ? "-" : id.manufacturer;
  if (!id.brand.empty() && id.brand != id.manufacturer) maker += " (" + id.brand + ")";
  Pad(out, TableCell(r.host.ip, kIpWidth), kIpWidth);
  Pad(out, TableCell(JoinPorts(r.host.open_ports, ","), kPortsWidth), kPortsWidth);
  Pad(out, TableCell(maker, kMakerWidth), kMakerWidth);
  Pad(out, TableCell(id.device_type.empty() ? "-" : id.device_type, kTypeWidth), kTypeWidth);
  Pad(out, TableCell(id.model.empty() ? "-" : id.model, kModelWidth), kModelWidth);
  Pad(out, id.manufacturer.empty() ? std::string("-") : FormatConfidence(id.confidence), kConfWidth);
  if (CompactTable(policies)) {
    // Worst status and how many policies give it, then one letter per numbered policy.
    const model::Verdict* worst = nullptr;
    std::vector<const model::Verdict*> per_policy;
    for (const auto& p : policies) {
      const model::Verdict* v = FindVerdict(r, p);
      per_policy.push_back(v);
      if (v != nullptr && (worst == nullptr || Severity(v->status) > Severity(worst->status))) worst = v;
    }
    std::string cell = "-";
    if (worst != nullptr) {
      size_t n = 0;
      for (const auto* v : per_policy) n += (v != nullptr && v->status == worst->status) ? 1 : 0;
      cell = TableStatus(worst->status) + " (" + std::to_string(n) + "/" + std::to_string(policies.size()) + ")";
    }
    Pad(out, cell, kVerdictWidth);
    for (size_t i = 0; i < per_policy.size(); ++i) {
      out << (per_policy[i] == nullptr ? '-' : StatusLetter(per_policy[i]->status));
      if (policies.size() >= 10) out << (i + 1 < 10 ? " " : "  ");
    }
  } else {
    for (const auto& p : policies) {
      const model::Verdict* v = FindVerdict(r, p);
      Pad(out, v == nullptr ? std::string("-") : TableStatus(v->status), PolicyWidth(p));
    }
  }
  EndLine(os, out);
}

class NdjsonWriter : public ScanWriter {
 public:
  explicit NdjsonWriter(std::ostream& out) : out_(out) {}
  void Begin(const ScanInfo& info) override {
    context_.scan_id = info.scan_id;
    context_.ruleset_version = info.ruleset_version;
    json start = ScanJson(info);
    start["type"] = "scan_start";
    start["time"] = StrOrNull(info.started_at);
    out_ << Dump(start) << '\n';
  }
  void Device(const model::DeviceReport& r, const std::string& seen_at) override {
    context_.time = seen_at;
    WriteNdjson(out_, r, &context_);
  }
  void End(const ScanSummary& s) override {
    json end = SummaryJson(s);
    end["type"] = "scan_end";
    end["scan_id"] = StrOrNull(context_.scan_id);
    end["ruleset"] = StrOrNull(context_.ruleset_version);
    end["time"] = StrOrNull(s.finished_at());
    out_ << Dump(end) << '\n';
    out_.flush();
  }

 private:
  std::ostream& out_;
  RecordContext context_;
};

class JsonWriter : public ScanWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  void Begin(const ScanInfo& info) override { out_ << "{\"scan\":" << Dump(ScanJson(info)) << ",\"devices\":["; }
  void Device(const model::DeviceReport& r, const std::string&) override {
    out_ << (first_ ? "\n" : ",\n") << Dump(DeviceJson(r));
    first_ = false;
  }
  void End(const ScanSummary& s) override {
    out_ << (first_ ? "" : "\n") << "],\"summary\":" << Dump(SummaryJson(s))
         << ",\"complete\":" << (s.complete() ? "true" : "false") << "}\n";
    out_.flush();
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

class CsvWriter : public ScanWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void Begin(const ScanInfo& info) override {
    policies_ = PolicyIds(info);
    info_ = info;
    WriteCsvHeader(out_, policies_);
  }
  void Device(const model::DeviceReport& r, const std::string&) override { WriteCsvRow(out_, r, policies_); }
  void End(const ScanSummary& s) override {
    std::string trailer = "# scan_end " + CompletenessLine(s) + "; scan_id=" + info_.scan_id +
                          "; ruleset=" + info_.ruleset_version + "; hosts=" + std::to_string(s.hosts()) +
                          "; out_of_scope=" + std::to_string(s.out_of_scope());
    out_ << CsvField(SanitizeUtf8(trailer), false);
    for (size_t i = 0; i < 10 + policies_.size() + 4 - 1; ++i) out_ << ',';
    out_ << '\n';
    out_.flush();
  }

 private:
  std::ostream& out_;
  std::vector<std::string> policies_;
  ScanInfo info_;
};

class TableWriter : public ScanWriter {
 public:
  explicit TableWriter(std::ostream& out) : out_(out) {}
  void Begin(const ScanInfo& info) override {
    policies_ = PolicyIds(info);
    if (!info.incomplete_reasons.empty()) {
      out_ << "PARTIAL RESULTS: the scan is incomplete (";
      for (size_t i = 0; i < info.incomplete_reasons.size(); ++i) {
        out_ << (i ? "; " : "") << TableCell(info.incomplete_reasons[i], 200);
      }
      out_ << ")\n";
    }
    WriteTableHeader(out_, policies_);
  }
  void Device(const model::DeviceReport& r, const std::string&) override {
    // Out-of-scope repliers go to their own section after the in-scope rows (the engine caps
    // how many it keeps, so holding them is bounded).
    if (r.host.out_of_scope) {
      out_of_scope_.push_back(r);
      return;
    }
    WriteTableRow(out_, r, policies_);
    ++rows_;
  }
  void End(const ScanSummary& s) override {
    if (rows_ == 0) out_ << "(no responsive hosts)\n";
    if (!out_of_scope_.empty()) {
      out_ << "\nOUTSIDE THE SCAN SCOPE (answered a discovery probe from an address not among the targets; "
              "not probed, not merged, not counted below):\n";
      WriteTableHeader(out_, policies_);
      for (const auto& r : out_of_scope_) WriteTableRow(out_, r, policies_);
    }
    out_ << "\n";
    WriteTableSummary(out_, s);
    out_.flush();
  }

 private:
  std::ostream& out_;
  std::vector<std::string> policies_;
  uint64_t rows_ = 0;
  std::vector<model::DeviceReport> out_of_scope_;
};

}  // namespace

Result<ScanFormat> ParseScanFormat(std::string_view name) {
  if (name == "table") return ScanFormat::kTable;
  if (name == "json") return ScanFormat::kJson;
  if (name == "ndjson") return ScanFormat::kNdjson;
  if (name == "csv") return ScanFormat::kCsv;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown format '" + std::string(name) + "' (choose table, json, ndjson or csv)");
}

void WriteNdjson(std::ostream& out, const model::DeviceReport& report, const RecordContext* context) {
  json j = DeviceJson(report);
  if (context != nullptr) {
    j["type"] = "device";
    j["scan_id"] = StrOrNull(context->scan_id);
    j["ruleset"] = StrOrNull(context->ruleset_version);
    j["time"] = StrOrNull(context->time);
  }
  out << Dump(j) << '\n';
}

void WriteCsvHeader(std::ostream& out, const std::vector<std::string>& policy_ids) {
  out << "ip,open_ports,mac,manufacturer,brand,device_type,model,firmware,serial,confidence";
  for (const auto& p : policy_ids) out << ',' << CsvField("verdict:" + p, false);
  out << ",reasons,evidence,notes,out_of_scope\n";
}

void WriteCsvRow(std::ostream& out, const model::DeviceReport& r, const std::vector<std::string>& policy_ids) {
  const auto& id = r.identification;
  out << CsvField(r.host.ip) << ',' << CsvField(JoinPorts(r.host.open_ports, " ")) << ',' << CsvField(r.host.mac)
      << ',' << CsvField(id.manufacturer) << ',' << CsvField(id.brand) << ',' << CsvField(id.device_type) << ','
      << CsvField(id.model) << ',' << CsvField(id.firmware) << ',' << CsvField(id.serial) << ','
      << FormatConfidence(id.confidence);
  std::string reasons;
  for (const auto& p : policy_ids) {
    const model::Verdict* v = FindVerdict(r, p);
    out << ',' << (v == nullptr ? "" : model::VerdictStatusName(v->status));
    if (v != nullptr) reasons += (reasons.empty() ? "" : " | ") + p + ": " + v->reason;
  }
  std::string evidence;
  for (const auto& e : id.evidence) {
    evidence += (evidence.empty() ? "" : " | ") + e.probe + "/" + std::to_string(e.port) + " " + e.field + "=" +
                e.value + " [" + e.rule + "]";
  }
  std::string notes;
  for (const auto& n : r.host.notes) notes += (notes.empty() ? "" : " | ") + n;
  out << ',' << CsvField(reasons) << ',' << CsvField(evidence) << ',' << CsvField(notes) << ','
      << (r.host.out_of_scope ? "true" : "false") << '\n';
}

void WriteJson(std::ostream& out, const ScanInfo& info, const std::vector<model::DeviceReport>& reports,
               const ScanSummary& summary) {
  JsonWriter w(out);
  w.Begin(info);
  for (const auto& r : reports) w.Device(r, std::string());
  w.End(summary);
}

void WriteTable(std::ostream& out, const ScanInfo& info, const std::vector<model::DeviceReport>& reports,
                const ScanSummary& summary) {
  TableWriter w(out);
  w.Begin(info);
  for (const auto& r : reports) w.Device(r, std::string());
  w.End(summary);
}

void WriteTableSummary(std::ostream& out, const ScanSummary& s) {
  out << "Summary: " << s.hosts() << " responsive host" << (s.hosts() == 1 ? "" : "s") << ", " << s.identified()
      << " identified, " << s.hosts_prohibited() << " with a prohibited verdict, " << s.hosts_review()
      << " to review, " << s.hosts_unknown() << " unknown (nothing identified)";
  if (s.addresses_scanned() > 0) out << " (" << s.addresses_scanned() << " addresses scanned)";
  out << "\n";
  if (s.out_of_scope() > 0) {
    out << "Outside the scan scope: " << s.out_of_scope() << " address" << (s.out_of_scope() == 1 ? "" : "es")
        << " answered a discovery probe (listed and flagged out_of_scope, not counted above)\n";
  }
  if (const ScanDiscovery& d = s.discovery(); d.ran) {
    out << "UDP discovery: " << d.datagrams_sent << " datagram" << (d.datagrams_sent == 1 ? "" : "s") << " sent, "
        << d.replies << " repl" << (d.replies == 1 ? "y" : "ies") << " (" << d.replies_out_of_scope
        << " from outside the scope, " << d.replies_truncated << " truncated, " << d.replies_capped
        << " dropped over the flood caps, " << d.replies_late << " late)";
    if (d.send_errors > 0) out << ", " << d.send_errors << " not sent (send errors)";
    out << "\n";
  }
  if (!s.by_manufacturer().empty()) {
    out << "\nBy manufacturer:\n";
    for (const auto& [maker, n] : s.by_manufacturer()) {
      out << "  ";
      Pad(out, TableCell(maker, 24), 24);
      out << n << "\n";
    }
  }
  if (!s.policy_ids().empty()) {
    size_t w = 6;
    for (const auto& p : s.policy_ids()) w = std::max(w, p.size());
    out << "\nVerdicts by policy:\n  ";
    Pad(out, "POLICY", w);
    out << "PROHIBITED      REVIEW     UNKNOWN       CLEAR\n";
    for (const auto& p : s.policy_ids()) {
      out << "  ";
      Pad(out, TableCell(p, w), w);
      char buf[96];
      std::snprintf(buf, sizeof(buf), "%10llu  %10llu  %10llu  %10llu",
                    static_cast<unsigned long long>(s.Count(p, model::VerdictStatus::kProhibited)),
                    static_cast<unsigned long long>(s.Count(p, model::VerdictStatus::kReview)),
                    static_cast<unsigned long long>(s.Count(p, model::VerdictStatus::kUnknown)),
                    static_cast<unsigned long long>(s.Count(p, model::VerdictStatus::kClear)));
      out << buf << "\n";
    }
  }
  const ScanCoverage& c = s.coverage();
  if (!s.complete()) {
    out << "\nINCOMPLETE SCAN: these results are partial.\n";
    for (const auto& r : s.IncompleteReasons()) out << "  - " << TableCell(r, 200) << "\n";
    if (!c.errors_by_kind.empty()) {
      out << "  Errors by kind (connections):\n";
      for (const auto& [kind, n] : c.errors_by_kind) out << "    " << TableCell(kind, 60) << ": " << n << "\n";
    }
    if (!c.not_covered_sample.empty()) {
      out << "  Not reached" << (c.addresses_not_covered > c.not_covered_sample.size() ? " (first ones)" : "")
          << ":\n";
      for (const auto& a : c.not_covered_sample) out << "    " << TableCell(a, 200) << "\n";
    }
  }
}

std::unique_ptr<ScanWriter> MakeScanWriter(ScanFormat format, std::ostream& out) {
  switch (format) {
    case ScanFormat::kTable: return std::make_unique<TableWriter>(out);
    case ScanFormat::kJson: return std::make_unique<JsonWriter>(out);
    case ScanFormat::kNdjson: return std::make_unique<NdjsonWriter>(out);
    case ScanFormat::kCsv: return std::make_unique<CsvWriter>(out);
  }
  return std::make_unique<NdjsonWriter>(out);
}

}  // namespace phaseout::report
