// Text and JSON renderers for policies and findings.
#include "report/policy_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "core/json_dump.h"
#include "report/text.h"

namespace phaseout::report {
namespace {

using nlohmann::json;

// Word-wraps `text` to `width` columns, each line prefixed by `indent`.
void Wrap(std::ostream& out, const std::string& text, const std::string& indent, size_t width = 96) {
  std::istringstream words(text);
  std::string word, line;
  while (words >> word) {
    if (!line.empty() && indent.size() + line.size() + 1 + word.size() > width) {
      out << indent << line << '\n';
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out << indent << line << '\n';
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

const char* S(model::VerdictStatus s) { return model::VerdictStatusName(s); }

std::string Bounds(const std::optional<policy::CivilDate>& from, const std::optional<policy::CivilDate>& to) {
  if (!from && !to) return "";
  return (from ? from->ToString() : std::string("?")) + ".." + (to ? to->ToString() : std::string("now"));
}

// A vendor the rule reaches through ownership or OEM edges.
struct Reach {
  const policy::Vendor* vendor;
  std::string how;       // "group" or "oem"
  std::string via;       // path text or maker
  std::string interval;  // "2018-02..2023" or ""
  std::string confidence;
};

std::vector<Reach> Reaches(const policy::PolicyRule& rule, const policy::VendorRegistry& vendors) {
  std::vector<Reach> out;
  auto named = [&](const std::string& id) {
    return std::find(rule.entities.begin(), rule.entities.end(), id) != rule.entities.end();
  };
  for (const auto& v : vendors.vendors()) {
    if (named(v.id)) continue;
    if (auto g = vendors.GroupOf(v.id)) {
      for (size_t i = 1; i < g->path.size(); ++i) {
        if (!named(g->path[i])) continue;
        Reach r{&v, "group", "", "", policy::ConfidenceName(g->confidence)};
        for (size_t k = 0; k <= i; ++k) r.via += (k ? " -> " : "") + g->path[k];
        for (const auto* l : g->links) {
          std::string b = Bounds(l->from, l->to);
          if (!b.empty()) r.interval = b;
        }
        out.push_back(r);
        break;
      }
    }
    for (const auto* link : vendors.OemLinks(v.id)) {
      if (!named(link->maker)) continue;
      out.push_back({&v, "oem", "OEM of " + link->maker, Bounds(link->from, link->to),
                     policy::ConfidenceName(link->confidence)});
    }
  }
  return out;
}

json PolicyRow(const policy::Policy& p) {
  auto from = p.InForceFrom();
  return {{"id", p.id},
          {"title", p.title},
          {"jurisdiction", p.jurisdiction},
          {"in_force_from", from ? json(from->ToString()) : json(nullptr)},
          {"prohibited_actions", p.prohibited_actions},
          {"verified", p.verified},
          {"file", p.file}};
}

}  // namespace

void WritePolicyList(std::ostream& out, const policy::PolicySet& policies) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%-28s %-4s %-10s %-30s %s\n", "ID", "JUR", "IN FORCE", "PROHIBITED ACTIONS", "TITLE");
  out << buf;
  for (const auto& p : policies.policies()) {
    auto from = p.InForceFrom();
    std::snprintf(buf, sizeof(buf), "%-28s %-4s %-10s %-30s ", p.id.c_str(), p.jurisdiction.c_str(),
                  from ? from->ToString().c_str() : "-", Join(p.prohibited_actions, ",").c_str());
    out << buf << SanitizeUtf8(p.title) << (p.verified ? "" : " [unverified]") << '\n';
  }
  out << policies.policies().size() << " policies; `phaseout policies show ID` for details\n";
}

void WritePolicyListJson(std::ostream& out, const policy::PolicySet& policies) {
  json arr = json::array();
  for (const auto& p : policies.policies()) arr.push_back(PolicyRow(p));
  out << DumpJson(arr, 2) << '\n';
}

void WritePolicyDetail(std::ostream& out, const policy::Policy& p, const policy::VendorRegistry& vendors) {
  out << p.id << ": " << p.title << '\n';
  out << "  jurisdiction: " << p.jurisdiction << "    verified: " << (p.verified ? "yes" : "no") << "    file: "
      << p.file << '\n';
  out << "  prohibited actions: " << Join(p.prohibited_actions, ", ") << '\n';
  out << "  instrument:\n";
  Wrap(out, p.instrument, "    ");
  out << "  summary:\n";
  Wrap(out, p.summary, "    ");
  if (!p.effective.empty()) {
    out << "  effective:\n";
    for (const auto& e : p.effective) Wrap(out, e.date.ToString() + "  " + e.what, "    ");
  }
  out << "  rules (all are evaluated; the worst status wins):\n";
  int n = 0;
  for (const auto& r : p.rules) {
    out << "  " << ++n << ". " << r.id << "  [clause " << r.clause << "]" << (r.provenance.verified ? "" : " [unverified]")
        << '\n';
    Wrap(out, "covers: " + r.summary + (r.qualifier.empty() ? "" : ", " + r.qualifier), "     ");
    std::vector<std::string> named;
    for (const auto& e : r.entities) {
      const auto* v = vendors.Find(e);
      named.push_back((v ? v->display_name : e) + " (" + e + ")");
    }
    Wrap(out, "named: " + Join(named, ", "), "     ");
    if (!r.device_types.empty()) out << "     device types: " << Join(r.device_types, ", ") << '\n';
    out << "     status: made by the entity " << S(r.made_by) << "; group member or brand " << S(r.group)
        << "; OEM build " << S(r.oem) << "; label only " << S(r.label_only) << '\n';
    for (const auto& [rel, note] : r.status_notes) Wrap(out, rel + ": " + note, "     ");
    auto reach = Reaches(r, vendors);
    if (!reach.empty()) {
      out << "     reaches (data/vendors.yaml):\n";
      for (const auto& x : reach) {
        std::string line = x.vendor->id + " (" + x.vendor->display_name + "): " + x.how + ", " + x.via +
                           (x.interval.empty() ? "" : ", " + x.interval) + ", " + x.confidence + " confidence";
        Wrap(out, line, "       ");
      }
    }
    for (const auto& ex : r.exceptions) {
      Wrap(out, "exception for " + Join(ex.vendors, ", ") + " -> " + S(ex.status) + ": " + ex.reason +
                    (ex.provenance.verified ? "" : " [unverified]") + " (" + ex.provenance.source + ")",
           "     ");
    }
    if (!r.exceptions_text.empty()) Wrap(out, "statutory exceptions (not evaluated): " + r.exceptions_text, "     ");
    out << "     source: " << r.provenance.source << '\n';
  }
  out << "  sources:\n";
  for (const auto& s : p.sources) out << "    " << s << '\n';
  if (!p.note.empty()) {
    out << "  note:\n";
    Wrap(out, p.note, "    ");
  }
}

void WritePolicyDetailJson(std::ostream& out, const policy::Policy& p, const policy::VendorRegistry& vendors) {
  json j = PolicyRow(p);
  j["instrument"] = p.instrument;
  j["summary"] = p.summary;
  j["sources"] = p.sources;
  j["note"] = p.note;
  json eff = json::array();
  for (const auto& e : p.effective) eff.push_back({{"date", e.date.ToString()}, {"what", e.what}});
  j["effective"] = std::move(eff);
  json rules = json::array();
  for (const auto& r : p.rules) {
    json reach = json::array();
    for (const auto& x : Reaches(r, vendors)) {
      reach.push_back({{"vendor", x.vendor->id}, {"how", x.how}, {"via", x.via}, {"interval", x.interval},
                       {"confidence", x.confidence}});
    }
    json exceptions = json::array();
    for (const auto& ex : r.exceptions) {
      exceptions.push_back({{"vendors", ex.vendors}, {"status", S(ex.status)}, {"reason", ex.reason},
                            {"source", ex.provenance.source}, {"verified", ex.provenance.verified}});
    }
    rules.push_back({{"id", r.id},
                     {"entities", r.entities},
                     {"clause", r.clause},
                     {"summary", r.summary},
                     {"qualifier", r.qualifier},
                     {"device_types", r.device_types},
                     {"status",
                      {{"made_by", S(r.made_by)}, {"group", S(r.group)}, {"oem", S(r.oem)}, {"label_only", S(r.label_only)}}},
                     {"status_notes", r.status_notes},
                     {"exceptions", std::move(exceptions)},
                     {"exceptions_text", r.exceptions_text},
                     {"reaches", std::move(reach)},
                     {"source", r.provenance.source},
                     {"verified", r.provenance.verified}});
  }
  j["rules"] = std::move(rules);
  out << DumpJson(j, 2) << '\n';
}

void WriteFindings(std::ostream& out, const std::vector<policy::Finding>& findings) {
  for (const auto& f : findings) {
    out << f.verdict.policy << ": " << S(f.verdict.status);
    if (!f.verdict.clause.empty()) out << " [" << f.verdict.clause << "]";
    if (!f.path.empty()) {
      out << " via ";
      for (size_t i = 0; i < f.path.size(); ++i) out << (i ? " -> " : "") << f.path[i];
      out << " (" << f.relation << ")";
    }
    out << '\n';
    Wrap(out, SanitizeUtf8(f.verdict.reason), "    ");
  }
}

}  // namespace phaseout::report
