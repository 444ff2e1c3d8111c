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
constexpr size_t kTidyMax = 1024;

// `value` with leading and trailing whitespace removed and every run of spaces and tabs inside
// it made one space; line breaks inside are kept (multi-line banners). Rules are written
// against the tidy form a public source prints; devices pad, indent and double-space.
std::string TidyWhitespace(const std::string& value) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  size_t b = 0, e = value.size();
  while (b < e && is_space(value[b])) ++b;
  while (e > b && is_space(value[e - 1])) --e;
  std::string out;
  out.reserve(e - b);
  for (size_t i = b; i < e; ++i) {
    char c = value[i];
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() == ' ') continue;
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

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
  const model::Observation* obs = nullptr;
  size_t order = 0;  // observation order, for stable tie-breaks
};

bool IsMacKey(std::string_view key) { return key.rfind("mac.", 0) == 0; }

// One counted fact for one manufacturer: a rule, or a correlation group of rules.
struct Fact {
  double weight = 0.0;
  bool identifying = false;
  bool strong_identifying = false;  // a strong identifying match, MAC excluded
  bool mac = false;                 // every identifying match of the fact came from a MAC
  std::string rule;                 // first rule id seen, for reports
  std::set<std::pair<std::string, std::string>> sources;  // (probe, key) of identifying matches
};

struct Tally {
  std::map<std::string, Fact> facts;  // "r:<rule index>" or "c:<correlation>" -> fact
  bool Identified() const {
    for (const auto& [k, f] : facts) {
      if (f.identifying) return true;
    }
    return false;
  }
  size_t IdentifyingFacts() const {
    size_t n = 0;
    for (const auto& [k, f] : facts) n += f.identifying ? 1 : 0;
    return n;
  }
  double Score() const {
    double miss = 1.0;
    for (const auto& [k, f] : facts) miss *= 1.0 - f.weight;
    return 1.0 - miss;
  }
  std::vector<std::string> Rules() const {
    std::vector<std::string> out;
    for (const auto& [k, f] : facts) out.push_back(f.rule);
    return out;
  }
};

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

const std::string& Get(const Fields& fields, const char* name) {
  static const std::string kEmpty;
  auto it = fields.find(name);
  return it == fields.end() ? kEmpty : it->second;
}

}  // namespace

model::Identification Identify(const RuleDb& db, const model::HostScan& host,
                               const IdentifyOptions& options) {
  model::Identification id;
  std::vector<Hit> hits;
  size_t order = 0;
  for (const auto& obs : host.observations) {
    // Each short value (headers, titles, realms, banners: up to kTidyMax bytes) is matched as
    // sent and, when that differs, in its whitespace-tidy form (TidyWhitespace); a rule
    // matching both counts once, with the match on the raw value. Bodies are matched as sent.
    std::vector<RuleMatch> matches = db.Match(obs.key, obs.value);
    std::vector<bool> from_tidy(matches.size(), false);
    std::string tidy = obs.value.size() <= kTidyMax ? TidyWhitespace(obs.value) : obs.value;
    if (tidy != obs.value) {
      for (auto& m : db.Match(obs.key, tidy)) {
        bool seen = std::any_of(matches.begin(), matches.end(),
                                [&m](const RuleMatch& r) { return r.rule == m.rule; });
        if (seen) continue;
        matches.push_back(std::move(m));
        from_tidy.push_back(true);
      }
    }
    for (size_t i = 0; i < matches.size(); ++i) {
      RuleMatch& m = matches[i];
      model::Evidence ev;
      ev.probe = obs.probe;
      ev.port = obs.port;
      ev.field = obs.key;
      ev.value = Excerpt(from_tidy[i] ? tidy : obs.value, m.match_begin, m.match_end);
      ev.rule = m.rule->id;
      ev.claim = Claim(m);
      id.evidence.push_back(std::move(ev));
      hits.push_back(Hit{std::move(m), &obs, order++});
    }
  }

  // A MAC organisation names the maker of the network interface; it identifies the device's
  // maker only once other evidence says what kind of device this is.
  bool device_class_known = false;
  for (const auto& hit : hits) {
    if (!IsMacKey(hit.obs->key) && !Get(hit.match.fields, "device_type").empty()) device_class_known = true;
  }

  // Manufacturer: one fact per rule or correlation group per manufacturer; rules of one
  // manufacturer that match the same observation read the same fact (a maker's name rule and
  // its exact Server-string rule on one header), so their groups are joined and count once.
  auto group_of = [](const Hit& hit) {
    const Rule& rule = *hit.match.rule;
    return rule.correlation.empty() ? "r:" + std::to_string(hit.match.rule_index) : "c:" + rule.correlation;
  };
  std::map<std::pair<std::string, std::string>, std::string> parent;  // (maker, group) -> parent group
  auto root = [&parent](const std::string& maker, std::string g) {
    for (auto it = parent.find({maker, g}); it != parent.end() && it->second != g; it = parent.find({maker, g})) {
      g = it->second;
    }
    return g;
  };
  {
    std::map<std::pair<std::string, const model::Observation*>, std::string> first_group;
    for (const auto& hit : hits) {
      const std::string& maker = Get(hit.match.fields, "manufacturer");
      if (maker.empty()) continue;
      std::string g = group_of(hit);
      parent.try_emplace({maker, g}, g);
      auto [it, fresh] = first_group.try_emplace({maker, hit.obs}, g);
      if (fresh) continue;
      std::string a = root(maker, it->second);
      std::string b = root(maker, g);
      if (a != b) parent[{maker, std::max(a, b)}] = std::min(a, b);
    }
  }
  std::map<std::string, Tally> tallies;
  for (const auto& hit : hits) {
    const std::string& maker = Get(hit.match.fields, "manufacturer");
    if (maker.empty()) continue;
    const Rule& rule = *hit.match.rule;
    const bool mac = IsMacKey(hit.obs->key);
    const bool identifying = rule.evidence == EvidenceKind::kIdentifying && rule.verified &&
                             (!mac || device_class_known);
    Fact& fact = tallies[maker].facts[root(maker, group_of(hit))];
    if (fact.rule.empty()) {
      fact.rule = rule.id;
      fact.mac = true;
    }
    fact.weight = std::max(fact.weight, StrengthWeight(rule.strength));
    if (identifying) {
      fact.identifying = true;
      if (!mac) {
        fact.mac = false;
        fact.sources.emplace(hit.obs->probe, hit.obs->key);
        if (rule.strength == Strength::kStrong) fact.strong_identifying = true;
      }
    }
  }

  // Identifying makers; OEM labels yield to the identifying maker that builds them.
  std::set<std::string> identified;
  for (const auto& [maker, tally] : tallies) {
    if (tally.Identified()) identified.insert(maker);
  }
  std::string oem_label;  // a label that yielded (becomes the brand if no rule names one)
  if (identified.size() > 1 && options.oem_of) {
    std::set<std::string> yielded;
    for (const auto& label : identified) {
      for (const auto& maker : identified) {
        if (label != maker && yielded.count(maker) == 0 && options.oem_of(label, maker)) {
          yielded.insert(label);
          break;
        }
      }
    }
    for (const auto& label : yielded) {
      identified.erase(label);
      if (oem_label.empty()) oem_label = label;
    }
  }

  std::string winner;
  double best = 0.0;
  size_t best_facts = 0;
  for (const auto& maker : identified) {
    const Tally& tally = tallies[maker];
    double s = tally.Score();
    // std::set iterates in id order, so on a full tie the alphabetically first id stays.
    if (s > best || (s == best && tally.IdentifyingFacts() > best_facts)) {
      winner = maker;
      best = s;
      best_facts = tally.IdentifyingFacts();
    }
  }

  double best_other = 0.0;
  for (const auto& [maker, tally] : tallies) {
    if (maker == winner || (!oem_label.empty() && maker == oem_label && !winner.empty())) continue;
    double s = tally.Score();
    if (s <= 0.0) continue;
    best_other = std::max(best_other, s);
    model::Candidate c;
    c.manufacturer = maker;
    c.score = s;
    c.identifying = identified.count(maker) != 0;
    c.rules = tally.Rules();
    id.conflicts.push_back("manufacturer=" + maker + " score=" + FormatScore(s) + " rules=" + Join(c.rules) +
                           (c.identifying ? " [identifying]" : " [corroborating]"));
    id.candidates.push_back(std::move(c));
  }
  std::stable_sort(id.candidates.begin(), id.candidates.end(), [](const auto& a, const auto& b) {
    if (a.identifying != b.identifying) return a.identifying;
    return a.score > b.score;
  });
  id.manufacturer = winner;
  id.confidence = winner.empty() ? 0.0 : best * (1.0 - best_other / 2.0);

  // What the decision rests on.
  if (winner.empty()) {
    id.basis = id.candidates.empty() ? "no evidence names a manufacturer"
                                     : "corroborating evidence only (habits shared with other makers)";
  } else {
    const Tally& tally = tallies[winner];
    std::vector<const Fact*> ident;
    for (const auto& [k, f] : tally.facts) {
      if (f.identifying) ident.push_back(&f);
    }
    const Fact* strong = nullptr;
    for (const Fact* f : ident) {
      if (f->strong_identifying) strong = f;
    }
    bool independent_pair = false;
    for (size_t i = 0; i < ident.size() && !independent_pair; ++i) {
      for (size_t j = i + 1; j < ident.size() && !independent_pair; ++j) {
        for (const auto& a : ident[i]->sources) {
          for (const auto& b : ident[j]->sources) {
            if (a != b) independent_pair = true;
          }
        }
      }
    }
    id.decisive = strong != nullptr || independent_pair;
    std::vector<std::string> names;
    for (const Fact* f : ident) names.push_back(f->rule);
    if (strong != nullptr) {
      id.basis = "strong identifying rule (" + strong->rule + ")";
    } else if (independent_pair) {
      id.basis = "independent identifying rules from different probes or fields (" + Join(names) + ")";
    } else if (ident.size() == 1 && ident[0]->mac) {
      id.basis = "MAC organisation with a device class from other evidence (" + ident[0]->rule + ")";
    } else if (ident.size() == 1) {
      id.basis = std::string("one ") + (ident[0]->weight >= 0.6 ? "medium" : "weak") + " identifying rule (" +
                 ident[0]->rule + ")";
    } else {
      id.basis = "identifying rules reading the same probe and field (" + Join(names) + ")";
    }
  }

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
  if (id.brand.empty() && !oem_label.empty() && !winner.empty()) id.brand = oem_label;
  return id;
}

}  // namespace phaseout::fingerprint
