// Corpus evaluation: outcomes, figures and their Markdown rendering.
#include "tools/corpus/evaluate.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

namespace phaseout::corpus {
namespace {

std::string Pct(int num, int den) {
  if (den == 0) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * num / den);
  return buf;
}

std::string Or(const std::string& s, const char* fallback) { return s.empty() ? fallback : s; }

}  // namespace

std::vector<Outcome> Evaluate(const std::vector<Device>& devices, const std::string& split,
                              const KeyVocabulary& vocabulary, const engine::Classifier& classifier) {
  std::vector<Outcome> out;
  for (const Device& d : devices) {
    if (split != "all" && d.split != split) continue;
    Outcome o;
    o.device = &d;
    o.replay = ReplayDevice(d, vocabulary);
    o.replayable = !o.replay.replayed.empty();
    if (o.replayable) {
      model::DeviceReport report = classifier.Classify(o.replay.host);
      o.predicted = report.identification.manufacturer;
      std::set<std::string> rules;
      for (const model::Evidence& e : report.identification.evidence) rules.insert(e.rule);
      o.rules.assign(rules.begin(), rules.end());
      for (const model::Verdict& v : report.verdicts) {
        o.verdicts.push_back(v.policy + "=" + model::VerdictStatusName(v.status));
        if (v.status == model::VerdictStatus::kProhibited) o.prohibited_by.push_back(v.policy);
      }
      bool right_maker = d.truth.covered && o.predicted == d.truth.manufacturer;
      o.false_prohibited = !o.prohibited_by.empty() && !right_maker;
    }
    out.push_back(std::move(o));
  }
  return out;
}

Summary Summarize(const std::vector<Outcome>& outcomes, const std::string& split,
                  const std::vector<std::string>& policy_ids) {
  Summary s;
  s.split = split;
  for (const std::string& p : policy_ids) s.false_prohibited_by_policy[p] = 0;
  for (const Outcome& o : outcomes) {
    const Truth& t = o.device->truth;
    ++s.devices;
    if (!o.replayable) {
      ++s.not_replayable;
      continue;
    }
    ++s.replayable;
    (t.covered ? s.covered : s.not_covered)++;
    if (!t.manufacturer.empty()) {
      MakerStats& m = s.makers[t.manufacturer];
      m.covered = t.covered;
      ++m.devices;
      if (o.predicted == t.manufacturer) {
        ++m.correct;
        ++s.correct;
      } else if (o.predicted.empty()) {
        ++m.unknown;
        ++s.unknown;
      } else {
        ++m.wrong;
        ++s.wrong;
      }
    } else if (!o.predicted.empty()) {
      ++s.unattributed_claims;
    } else {
      ++s.unknown;
    }
    if (!o.predicted.empty()) s.makers[o.predicted].predicted++;
    for (const std::string& v : o.verdicts) {
      size_t eq = v.find('=');
      auto& table = t.covered ? s.verdicts_covered : s.verdicts_not_covered;
      table[v.substr(0, eq)][v.substr(eq + 1)]++;
    }
    if (!o.prohibited_by.empty() && !o.false_prohibited) ++s.covered_prohibited;
    if (o.false_prohibited) {
      ++s.false_prohibited;
      for (const std::string& p : o.prohibited_by) s.false_prohibited_by_policy[p]++;
    }
  }
  return s;
}

std::string RenderMarkdown(const Summary& s, const std::vector<Outcome>& outcomes) {
  std::ostringstream md;
  md << "### Split `" << s.split << "`\n\n";
  md << "| figure | value |\n|---|---|\n";
  md << "| devices | " << s.devices << " |\n";
  md << "| replayable with today's probes | " << s.replayable << " |\n";
  md << "| not replayable yet (no probe for their protocol) | " << s.not_replayable << " |\n";
  md << "| replayable, covered maker | " << s.covered << " |\n";
  md << "| replayable, not covered or maker not shown | " << s.not_covered << " |\n";
  md << "| maker identified correctly | " << s.correct << " |\n";
  md << "| `unknown` (no maker claimed) | " << s.unknown << " |\n";
  md << "| wrong maker claimed | " << s.wrong << " |\n";
  md << "| maker claimed where the replies show none | " << s.unattributed_claims << " |\n";
  md << "| covered devices prohibited for the right maker | " << s.covered_prohibited << " of " << s.covered << " |\n";
  md << "| **false prohibited** (devices) | **" << s.false_prohibited << "** |\n\n";

  md << "False prohibited per policy:\n\n| policy | false prohibited |\n|---|---|\n";
  for (const auto& [policy, n] : s.false_prohibited_by_policy) md << "| " << policy << " | " << n << " |\n";
  md << "\nVerdicts per policy (replayable devices; covered makers / others):\n\n";
  md << "| policy | prohibited | review | unknown | clear |\n|---|---|---|---|---|\n";
  for (const auto& [policy, n] : s.false_prohibited_by_policy) {
    (void)n;
    md << "| " << policy;
    for (const char* status : {"prohibited", "review", "unknown", "clear"}) {
      auto count = [&](const std::map<std::string, std::map<std::string, int>>& table) {
        auto p = table.find(policy);
        if (p == table.end()) return 0;
        auto c = p->second.find(status);
        return c == p->second.end() ? 0 : c->second;
      };
      md << " | " << count(s.verdicts_covered) << " / " << count(s.verdicts_not_covered);
    }
    md << " |\n";
  }
  md << "\nPer maker (replayable devices; precision = correct / claimed as this maker):\n\n";
  md << "| maker | covered | devices | correct | unknown | wrong | claimed | recall | precision |\n";
  md << "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& [maker, m] : s.makers) {
    md << "| " << maker << " | " << (m.devices == 0 ? "-" : m.covered ? "yes" : "no") << " | " << m.devices << " | "
       << m.correct << " | " << m.unknown << " | " << m.wrong << " | " << m.predicted << " | "
       << Pct(m.correct, m.devices) << " | " << Pct(m.correct, m.predicted) << " |\n";
  }
  md << "\nDevices with a false prohibited or a wrong maker:\n\n";
  bool any = false;
  for (const Outcome& o : outcomes) {
    if (!o.replayable) continue;
    const Truth& t = o.device->truth;
    bool wrong = !o.predicted.empty() && o.predicted != t.manufacturer;
    if (!o.false_prohibited && !wrong) continue;
    any = true;
    md << "- `" << o.device->id << "`: truth " << Or(t.manufacturer, "(not shown)") << ", identified "
       << Or(o.predicted, "unknown") << (o.false_prohibited ? ", FALSE PROHIBITED" : "") << "; rules:";
    for (const std::string& r : o.rules) md << " `" << r << "`";
    md << "\n";
  }
  if (!any) md << "- none\n";
  md << "\nNot replayable yet:\n\n";
  std::map<std::string, int> why;
  for (const Outcome& o : outcomes) {
    if (o.replayable) continue;
    for (const std::string& r : o.replay.not_replayable) {
      size_t colon = r.find(": ");
      why[colon == std::string::npos ? r : r.substr(colon + 2)]++;
    }
  }
  if (why.empty()) md << "- none\n";
  for (const auto& [reason, n] : why) md << "- " << n << " x " << reason << "\n";
  return md.str();
}

}  // namespace phaseout::corpus
