// Implementation of the fingerprint database self-test.
#include "fingerprint/verifier.h"

#include <set>

#include "core/strings.h"

namespace phaseout::fingerprint {
namespace {

bool IsVague(const std::string& field, const std::string& value) {
  static const std::set<std::string> kVague = {"unknown", "general", "other", "n/a", "na", "none",
                                               "null",    "-",       "?",     "device", "default", ""};
  std::string v = AsciiLower(Trim(value));
  if (field == "manufacturer" || field == "brand") return v.empty() || v == "unknown";
  return kVague.count(v) != 0;
}

std::string Where(const Rule& rule, int line) {
  return rule.file + ":" + std::to_string(line > 0 ? line : rule.line) + ": rule '" + rule.id + "': ";
}

std::string Show(const std::string& value) { return "'" + EscapeBytes(value, 120) + "'"; }

}  // namespace

VerifyReport Verify(const RuleDb& db) {
  VerifyReport report;
  report.files = db.files().size();
  report.rules = db.rules().size();
  const auto& rules = db.rules();
  for (const auto& file : db.files()) {
    for (size_t rule_index : file.rules) {
      const Rule& rule = rules[rule_index];
      if (!rule.verified) ++report.unverified_rules;
      if (rule.examples.empty()) report.failures.push_back(Where(rule, 0) + "has no example");
      if (rule.examples.size() > 20) report.failures.push_back(Where(rule, 0) + "has more than 20 examples");
      for (const auto& [field, tmpl] : rule.extract) {
        if (tmpl.find('$') == std::string::npos) {
          if (IsVague(field, tmpl)) report.failures.push_back(Where(rule, 0) + "vague value " + Show(tmpl) + " for " + field);
          continue;
        }
        bool declared = false;
        for (const auto& ex : rule.examples) declared = declared || ex.expect.count(field) != 0;
        if (!declared) {
          report.failures.push_back(Where(rule, 0) + "no example declares the captured field '" + field + "'");
        }
      }
      for (const auto& ex : rule.examples) {
        auto m = db.MatchRule(rule_index, ex.value);
        if (!m) {
          report.failures.push_back(Where(rule, ex.line) + "example " + Show(ex.value) + " does not match the pattern");
          continue;
        }
        bool good = true;
        for (const auto& [field, want] : ex.expect) {
          const std::string& got = m->fields[field];
          if (got != want) {
            report.failures.push_back(Where(rule, ex.line) + "example " + Show(ex.value) + " extracts " + field + "=" +
                                      Show(got) + ", expected " + Show(want));
            good = false;
          }
        }
        for (const auto& [field, got] : m->fields) {
          if (IsVague(field, got)) {
            report.failures.push_back(Where(rule, ex.line) + "example " + Show(ex.value) + " extracts vague " + field +
                                      "=" + Show(got));
            good = false;
          }
        }
        for (size_t other : file.rules) {
          if (other == rule_index) break;
          if (db.MatchRule(other, ex.value)) {
            report.failures.push_back(Where(rule, ex.line) + "example " + Show(ex.value) +
                                      " is shadowed by the earlier rule '" + rules[other].id + "'");
            good = false;
            break;
          }
        }
        if (good) ++report.examples_ok;
      }
      const std::string& maker = [&]() -> const std::string& {
        static const std::string kEmpty;
        auto it = rule.extract.find("manufacturer");
        return it == rule.extract.end() ? kEmpty : it->second;
      }();
      for (const auto& neg : rule.negative_examples) {
        bool good = true;
        for (size_t other : file.rules) {
          if (db.MatchRule(other, neg)) {
            report.failures.push_back(Where(rule, 0) + "negative example " + Show(neg) + " matches rule '" +
                                      rules[other].id + "' of the same file");
            good = false;
          }
        }
        if (!maker.empty()) {
          for (const auto& key : rule.keys) {
            for (const auto& m : db.Match(key, neg)) {
              if (m.rule->file == rule.file) continue;  // reported above
              auto it = m.fields.find("manufacturer");
              if (it != m.fields.end() && it->second == maker) {
                report.failures.push_back(Where(rule, 0) + "negative example " + Show(neg) + " is attributed to " +
                                          maker + " by rule '" + m.rule->id + "' on key " + key);
                good = false;
              }
            }
          }
        }
        if (good) ++report.negative_examples_ok;
      }
    }
  }
  return report;
}

std::string FormatSummary(const VerifyReport& r) {
  return std::to_string(r.files) + " files, " + std::to_string(r.rules) + " rules (" +
         std::to_string(r.unverified_rules) + " unverified), " + std::to_string(r.examples_ok) + " examples ok, " +
         std::to_string(r.negative_examples_ok) + " negative examples ok, " + std::to_string(r.failures.size()) +
         " failures";
}

}  // namespace phaseout::fingerprint
