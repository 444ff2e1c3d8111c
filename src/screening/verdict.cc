// Verdict aggregation: per policy, the evidence of each entity is weighed by its role and
// strength and evaluated with policy::PolicySet::Evaluate; the worst status decides.
// Rules: docs/screening.md, "Decision per policy".
#include <algorithm>

#include "screening/screener_impl.h"

namespace phaseout::screening {

namespace {

int FieldRank(Field f) {
  switch (f) {
    case Field::kManufacturer: return 0;
    case Field::kBrand: return 1;
    case Field::kSupplier: return 2;
    case Field::kModel: return 3;
    case Field::kPartNumber: return 4;
    case Field::kDescription: return 5;
    default: return 6;
  }
}

// Roles that make a mention count for nothing (clear, the mention is reported).
bool Neutral(const Match& m, const LineSubject& subject) {
  switch (m.context) {
    case MatchContext::kRemoval:
    case MatchContext::kNegated:
    case MatchContext::kReplaced:
    case MatchContext::kTopic:
    case MatchContext::kPersonOrBusiness: return true;
    case MatchContext::kSeller: return subject.maker_identified;
    default: return false;
  }
}

// Why a neutral role does not count.
const char* NeutralWhy(MatchContext c) {
  switch (c) {
    case MatchContext::kRemoval: return "removing or disposing of covered equipment is not a purchase of it";
    case MatchContext::kNegated: return "the line says the item is not that vendor's product";
    case MatchContext::kReplaced:
      return "the covered item is the one replaced, migrated from or traded in, not the item bought";
    case MatchContext::kTopic: return "the covered name is the topic of a service (training, legal, research, survey, audit)";
    case MatchContext::kPersonOrBusiness: return "the name is part of a person's or an unrelated business's name";
    case MatchContext::kSeller: return "the covered name is only the seller and the item's maker is named and not covered";
    default: return "";
  }
}

// True iff `a` is better evidence than `b` for the same entity.
bool BetterEvidence(const Match& a, const Match& b, const LineSubject& subject) {
  bool a_eff = !Neutral(a, subject);
  bool b_eff = !Neutral(b, subject);
  if (a_eff != b_eff) return a_eff;
  bool a_full = a.strong && a.context == MatchContext::kNone;
  bool b_full = b.strong && b.context == MatchContext::kNone;
  if (a_full != b_full) return a_full;
  if (a.score != b.score) return a.score > b.score;
  return FieldRank(a.field) < FieldRank(b.field);
}

std::string Describe(const Match& m) {
  std::string s = std::string(FieldName(m.field)) + " '" + m.value + "' matches " + m.entity_name + " (" +
                  MatchKindName(m.kind) + " '" + m.name + "'";
  if (m.kind != MatchKind::kModelPattern) s += ", score " + FormatScore(m.score);
  s += ")";
  return s;
}

}  // namespace

const Screener::Impl::EvalOutcome& Screener::Impl::Evaluate(const policy::Policy& pol, uint32_t entity,
                                                            bool strong, const std::optional<CivilDate>& date,
                                                            Scratch* s) const {
  EvalKey key;
  key.generation = generation;
  key.policy = &pol;
  key.entity = entity;
  key.strong = strong;
  key.dated = date.has_value();
  if (date) key.date = *date;
  auto it = s->evaluations.find(key);
  if (it != s->evaluations.end()) return it->second;
  if (s->evaluations.size() >= kMaxCachedEvaluations) s->evaluations.clear();
  policy::Subject subject;
  subject.vendor = entities[entity].id;
  subject.role = strong ? policy::SubjectRole::kMaker : policy::SubjectRole::kLabel;
  subject.date = date;
  subject.confidence = strong ? 1.0 : 0.4;
  policy::Finding f = policies->Evaluate(pol, subject);
  EvalOutcome o;
  o.status = f.verdict.status;
  o.reason = std::move(f.verdict.reason);
  o.clause = std::move(f.verdict.clause);
  o.rule = f.rule.empty() ? std::string("no rule") : "rule " + f.rule;
  if (!f.relation.empty()) o.rule += " (" + f.relation + ")";
  o.weak_relation = f.relation == "oem" || f.relation == "label_only";
  return s->evaluations.emplace(key, std::move(o)).first->second;
}

void Screener::Impl::Decide(const CatalogueLine& line, const std::vector<const policy::Policy*>& selected,
                            const ScreenOptions& options, Scratch* s, ScreenResult* out) const {
  std::optional<CivilDate> date;
  const std::string& date_text = line.get(Field::kDate);
  if (!date_text.empty()) {
    auto& memo = s->dates[std::hash<std::string_view>{}(date_text) % s->dates.size()];
    if (!memo.valid || memo.text != date_text) {
      memo.date = ParseLineDate(date_text);
      memo.text = date_text;
      memo.valid = true;
    }
    date = memo.date;
    if (!date && out->explanation) {
      out->explanation->notes.push_back("date '" + date_text + "' not recognised; using --as-of if given");
    }
  }
  if (!date) date = options.as_of;

  // Group evidence by entity, best first.
  const auto& found = out->matches;
  std::vector<size_t> order(found.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (found[a].entity != found[b].entity) return found[a].entity < found[b].entity;
    return BetterEvidence(found[a], found[b], s->subject);
  });

  if (found.empty()) {
    // Fast path: nothing matched. Reuse the verdict objects' storage.
    out->verdicts.resize(selected.size());
    for (size_t i = 0; i < selected.size(); ++i) {
      LineVerdict& v = out->verdicts[i];
      // Usually the previous line's verdict already says this: compare before copying.
      constexpr std::string_view kNoEvidence = "no covered vendor, brand, model pattern or list entry found";
      if (v.policy != selected[i]->id) v.policy.assign(selected[i]->id);
      v.status = VerdictStatus::kClear;
      if (v.reason != kNoEvidence) v.reason.assign(kNoEvidence);
      v.clause.clear();
      if (v.rule != "no evidence") v.rule.assign("no evidence");
      v.matches.clear();
      if (out->explanation) {
        out->explanation->notes.push_back("policy " + selected[i]->id + " -> clear: no evidence");
      }
    }
    return;
  }
  // Evidence descriptions, built once per line and shared by the policies.
  s->described.resize(found.size());
  for (size_t i = 0; i < found.size(); ++i) s->described[i].clear();
  auto describe = [&](size_t idx) -> const std::string& {
    if (s->described[idx].empty()) s->described[idx] = Describe(found[idx]);
    return s->described[idx];
  };
  // Reuse the verdict objects' storage from the previous line.
  out->verdicts.resize(selected.size());
  for (size_t pi = 0; pi < selected.size(); ++pi) {
    const policy::Policy* pol = selected[pi];
    LineVerdict& v = out->verdicts[pi];
    v.policy.assign(pol->id);
    v.status = VerdictStatus::kClear;
    v.reason.clear();
    v.clause.clear();
    v.rule.clear();
    v.matches.clear();
    std::string neutral_reason;
    std::vector<Match> neutral;
    std::string clear_reason;
    bool have_decider = false;
    const Match* decider = nullptr;
    for (size_t gi = 0; gi < order.size();) {
      size_t ge = gi;
      while (ge < order.size() && found[order[ge]].entity == found[order[gi]].entity) ++ge;
      const Match& best = found[order[gi]];
      auto ent_it = entity_by_id.find(best.entity);
      const Entity& ent = entities[ent_it->second];
      bool effective = !Neutral(best, s->subject);
      bool strong = false;
      bool capped_only = true;  // only accessory / in-use service / seller roles
      const Match* capped_by = nullptr;
      for (size_t k = gi; k < ge; ++k) {
        const Match& m = found[order[k]];
        if (Neutral(m, s->subject)) continue;
        if (m.context == MatchContext::kNone) capped_only = false;
        else if (!capped_by) capped_by = &m;
        if (m.strong && m.context == MatchContext::kNone) strong = true;
      }
      VerdictStatus status;
      // Views into literals or the evaluation cache (valid until the next Evaluate call).
      std::string_view reason, clause, rule;
      if (ent.is_list) {
        if (ent.list_policy != pol->id) {
          gi = ge;
          continue;
        }
        status = strong ? VerdictStatus::kProhibited : VerdictStatus::kReview;
        reason = "entry of the imported list tied to this policy";
        rule = strong ? "list-entry strong name match" : "list-entry weak name match";
      } else {
        const EvalOutcome& f = Evaluate(*pol, ent_it->second, strong, date, s);
        status = f.status;
        reason = f.reason;
        clause = f.clause;
        rule = f.rule;
        // An OEM relation says some of the label's products are built by a covered maker, not
        // that this item is: a weak signal whatever the name match.
        if (f.weak_relation) strong = false;
      }
      if (!effective) {
        // Only removal/negated mentions: record why it did not count.
        if (status != VerdictStatus::kClear || ent.is_list) {
          for (size_t k = gi; k < ge; ++k) neutral.push_back(found[order[k]]);
          if (neutral_reason.empty()) {
            neutral_reason = describe(order[gi]) + " but its role is " + MatchContextName(best.context);
            if (!best.cue.empty()) neutral_reason += " (" + best.cue + ")";
            neutral_reason += std::string(": ") + NeutralWhy(best.context);
            if (best.context == MatchContext::kSeller) neutral_reason += " ('" + s->subject.maker + "')";
          }
        }
        gi = ge;
        continue;
      }
      std::string cap;
      if (status != VerdictStatus::kClear && capped_only && capped_by) {
        status = VerdictStatus::kReview;
        switch (capped_by->context) {
          case MatchContext::kAccessory: cap = "accessory or compatibility mention"; break;
          case MatchContext::kInUseService: cap = "service on covered equipment in use"; break;
          case MatchContext::kSeller: cap = "covered name only as the seller and the maker is unknown"; break;
          default: cap = "role"; break;
        }
        if (!capped_by->cue.empty()) cap += " (" + capped_by->cue + ")";
        cap += ": at most review";
      } else if (status != VerdictStatus::kClear && !strong) {
        status = VerdictStatus::kReview;
        cap = "weak signal only (" + (best.note.empty() ? std::string("weak match") : best.note) + "): at most review";
      }
      if (status == VerdictStatus::kClear) {
        if (clear_reason.empty()) {
          clear_reason = describe(order[gi]);
          clear_reason.append("; ").append(reason);
        }
        gi = ge;
        continue;
      }
      bool take = !have_decider || static_cast<int>(status) > static_cast<int>(v.status) ||
                  (status == v.status && decider && BetterEvidence(best, *decider, s->subject));
      if (take) {
        v.status = status;
        v.reason.assign(describe(order[gi])).append(": ").append(reason);
        if (!cap.empty()) v.reason.append(" [").append(cap).append("]");
        v.clause.assign(clause);
        v.rule.assign(pol->id).append(": ").append(rule).append(" via ").append(MatchKindName(best.kind));
        v.rule.append(" match in ").append(FieldName(best.field));
        v.rule.append(", role ").append(best.context == MatchContext::kNone ? "made-by" : MatchContextName(best.context));
        v.rule.append(strong ? " (strong signal)" : " (weak signal)");
        if (!cap.empty()) v.rule.append("; capped: ").append(cap);
        decider = &best;
        have_decider = true;
      }
      for (size_t k = gi; k < ge; ++k) v.matches.push_back(found[order[k]]);
      gi = ge;
    }
    if (!have_decider) {
      if (!neutral_reason.empty()) {
        v.reason = neutral_reason;
        v.rule = pol->id + ": role rule (" + std::string(MatchContextName(neutral.front().context)) + ": clear)";
        v.matches = std::move(neutral);
      } else if (!clear_reason.empty()) {
        v.reason = clear_reason;
        v.rule = pol->id + ": matched vendor not covered";
      } else {
        v.reason = "no covered vendor, brand, model pattern or list entry found";
        v.rule = pol->id + ": no evidence";
      }
    } else if (!neutral.empty()) {
      for (auto& m : neutral) v.matches.push_back(std::move(m));
    }
    if (out->explanation) {
      out->explanation->notes.push_back("policy " + pol->id + " -> " + model::VerdictStatusName(v.status) +
                                        ": decided by " + v.rule);
    }
  }
}


}  // namespace phaseout::screening
