// Evidence collection and the noisy-OR combination described in identify.h.
#include "fingerprint/identify.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace phaseout::fingerprint {
namespace {

constexpr size_t kMaxEvidenceValue = 256;
constexpr size_t kExcerptContext = 60;

std::string Excerpt(const std::string& value, size_t begin, size_t end) {
  if (value.size() <= kMaxEvidenceValue) return value;
  end = std::min(end, begin + (kMaxEvidenceValue - 2 * kExcerptContext));
  size_t from = begin > kExcerptContext ? begin - kExcerptContext : 0;
  size_t to = std::min(value.size(), end + kExcerptContext);
  std::string out;
  if (from > 0) out += "...";
  out.append(value, from, to - from);
  if (to < value.size()) out += "...";
  return out;
}

std::string Claim(const RuleMatch& m) {
  std::string claim;
  for (const char* field : kExtractFields) {
    auto it = m.fields.find(field);
    if (it == m.fields.end() || it->second.empty()) continue;
    if (!claim.empty()) claim += ' ';
    claim += std::string(field) + "=" + it->second;
  }
  claim += std::string(" [") + StrengthName(m.rule->strength) + "]";
  return claim;
}

std::string FormatScore(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", s);
  return buf;
}

struct Hit {
  RuleMatch match;
  size_t order = 0;  // observation order, for stable tie-breaks
};

struct Tally {
  std::map<size_t, double> strong_rules;  // non-hint rule index -> weight
  std::map<size_t, double> hint_rules;
  double Score() const {
    if (strong_rules.empty()) return 0.0;
    double miss = 1.0;
    for (const auto& [idx, w] : strong_rules) miss *= 1.0 - w;
    for (const auto& [idx, w] : hint_rules) miss *= 1.0 - w;
    return 1.0 - miss;
  }
};

const std::string& Get(const Fields& fields, const char* name) {
  static const std::string kEmpty;
  auto it = fields.find(name);
  return it == fields.end() ? kEmpty : it->second;
}

}  // namespace

model::Identification Identify(const RuleDb& db, const model::HostScan& host) {
  model::Identification id;
  std::vector<Hit> hits;
  size_t order = 0;
  for (const auto& obs : host.observations) {
    for (auto& m : db.Match(obs.key, obs.value)) {
      model::Evidence ev;
      ev.probe = obs.probe;
      ev.port = obs.port;
      ev.field = obs.key;
      ev.value = Excerpt(obs.value, m.match_begin, m.match_end);
      ev.rule = m.rule->id;
      ev.claim = Claim(m);
      id.evidence.push_back(std::move(ev));
      hits.push_back(Hit{std::move(m), order++});
    }
  }

  // Manufacturer: noisy-OR per manufacturer, each rule counted once.
  std::map<std::string, Tally> tallies;
  for (const auto& hit : hits) {
    const std::string& maker = Get(hit.match.fields, "manufacturer");
    if (maker.empty()) continue;
    const Rule& rule = *hit.match.rule;
    auto& slot = rule.strength == Strength::kHint ? tallies[maker].hint_rules : tallies[maker].strong_rules;
    slot[hit.match.rule_index] = StrengthWeight(rule.strength);
  }
  std::string winner;
  double best = 0.0;
  size_t best_rules = 0;
  for (const auto& [maker, tally] : tallies) {
    double s = tally.Score();
    if (s <= 0.0) continue;
    // std::map iterates in id order, so on a full tie the alphabetically first id stays.
    if (s > best || (s == best && tally.strong_rules.size() > best_rules)) {
      winner = maker;
      best = s;
      best_rules = tally.strong_rules.size();
    }
  }
  double best_loser = 0.0;
  for (const auto& [maker, tally] : tallies) {
    double s = tally.Score();
    if (maker == winner || s <= 0.0) continue;
    best_loser = std::max(best_loser, s);
    std::string rules;
    for (const auto& [idx, w] : tally.strong_rules) rules += (rules.empty() ? "" : ",") + db.rules()[idx].id;
    id.conflicts.push_back("manufacturer=" + maker + " score=" + FormatScore(s) + " rules=" + rules);
  }
  id.manufacturer = winner;
  id.confidence = winner.empty() ? 0.0 : best * (1.0 - best_loser / 2.0);

  // Other fields: strongest agreeing rule.
  auto agrees = [&](const Hit& hit, bool attribute_field) {
    const std::string& maker = Get(hit.match.fields, "manufacturer");
    if (maker.empty()) return true;
    if (winner.empty()) return !attribute_field;
    return maker == winner;
  };
  struct FieldSlot {
    const char* name;
    std::string* out;
    bool needs_winner;  // brand/device_type: only from manufacturer-free rules when no winner
  };
  FieldSlot slots[] = {{"brand", &id.brand, true},         {"device_type", &id.device_type, true},
                       {"model", &id.model, false},        {"firmware", &id.firmware, false},
                       {"serial", &id.serial, false}};
  for (auto& slot : slots) {
    const Hit* chosen = nullptr;
    for (const auto& hit : hits) {
      const std::string& v = Get(hit.match.fields, slot.name);
      if (v.empty() || !agrees(hit, slot.needs_winner)) continue;
      if (chosen == nullptr) {
        chosen = &hit;
        continue;
      }
      double w = StrengthWeight(hit.match.rule->strength);
      double cw = StrengthWeight(chosen->match.rule->strength);
      bool better = w > cw;
      if (!better && w == cw && std::string(slot.name) == "brand") {
        const std::string& cv = Get(chosen->match.fields, "brand");
        better = cv == winner && v != winner;
      }
      if (better) chosen = &hit;
    }
    if (chosen == nullptr) continue;
    *slot.out = Get(chosen->match.fields, slot.name);
    std::set<std::string> reported;
    for (const auto& hit : hits) {
      const std::string& v = Get(hit.match.fields, slot.name);
      if (v.empty() || v == *slot.out || !agrees(hit, slot.needs_winner)) continue;
      if (!reported.insert(v).second) continue;
      id.conflicts.push_back(std::string(slot.name) + "=" + v + " rule=" + hit.match.rule->id + " [" +
                             StrengthName(hit.match.rule->strength) + "]");
    }
  }
  return id;
}

}  // namespace phaseout::fingerprint
