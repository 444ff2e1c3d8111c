// Role analysis: what each covered name found in a line is doing there (made by, replaced,
// removed, topic of a service, service on equipment in use, accessory, seller, part of a
// person's or business's name) and what the line buys. All words come from
// data/screening/roles.yaml. Rules: docs/screening.md, "Roles".
#include <algorithm>

#include "core/strings.h"
#include "screening/screener_impl.h"

namespace phaseout::screening {
namespace {

// Cue found at a token position (the longest entry of any list wins; equal lengths follow
// this order of priority).
enum class Cue : uint8_t { kNone, kReplaced, kRemoval, kTopic, kInUse, kPurchase };

// Per token: the cue starting there and its length in tokens (views into LineSubject storage).
struct CueMap {
  const std::vector<uint8_t>* kind_store;
  const std::vector<uint8_t>* len_store;
  Cue kind(size_t i) const { return static_cast<Cue>((*kind_store)[i]); }
  size_t len(size_t i) const { return (*len_store)[i]; }
};

void ReadCues(const RoleData& r, const StrSet& first_tokens, const TokenList& raw, std::vector<uint8_t>* kinds,
              std::vector<uint8_t>* lens) {
  size_t n = raw.size();
  kinds->assign(n, static_cast<uint8_t>(Cue::kNone));
  lens->assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (raw.ref(i).cjk || !first_tokens.count(raw[i])) continue;
    std::pair<size_t, Cue> best{0, Cue::kNone};
    auto consider = [&](const PhraseList& list, Cue cue) {
      size_t l = list.MatchAt(raw, i);
      if (l > best.first) best = {l, cue};
    };
    consider(r.replaced_before, Cue::kReplaced);
    consider(r.removal_before, Cue::kRemoval);
    consider(r.service_topic, Cue::kTopic);
    consider(r.service_in_use, Cue::kInUse);
    consider(r.purchase, Cue::kPurchase);
    if (best.first == 0) continue;
    (*kinds)[i] = static_cast<uint8_t>(best.second);
    (*lens)[i] = static_cast<uint8_t>(std::min<size_t>(best.first, 255));
    i += best.first - 1;  // the words inside a cue start no cue of their own ("de installation")
  }
}

std::string CueText(const TokenList& raw, size_t i, size_t len) {
  std::string s;
  for (size_t k = i; k < i + len && k < raw.size(); ++k) {
    if (!s.empty()) s += ' ';
    s.append(raw[k]);
  }
  return s;
}

bool NearProductWord(const RoleData& r, const TokenList& raw, size_t b, size_t e, size_t radius) {
  size_t lo = b >= radius ? b - radius : 0;
  size_t hi = std::min(raw.size(), e + radius);
  for (size_t j = lo; j < hi; ++j) {
    if ((j < b || j >= e) && r.product_words.Contains(raw[j])) return true;
  }
  return false;
}

// The person or business cue next to the name, before the product-word check. `free_text`:
// the name is in the description (not a manufacturer/brand/supplier/model column).
std::string PersonOrBusinessCue(const RoleData& r, const TokenList& raw, size_t b, size_t e, bool free_text) {
  uint16_t clause = raw.ref(b).clause;
  // An unrelated business: a business word right after the name (one word may sit between).
  for (size_t j = e; j < std::min(raw.size(), e + 2); ++j) {
    if (raw.ref(j).clause != clause) break;
    if (r.business_after.Contains(raw[j])) return "business name ('" + std::string(raw[j]) + "')";
  }
  // A person: only names that are also given names.
  if (r.given_name_like.MatchAt(raw, b) != e - b) return "";
  // A given name written as separate romanised syllables ("Hua Wei", "Da Hua", "HUA-WEI") in
  // free text is read as a person's name: issue 9 lets given names count only in structured
  // fields or next to product words (the product-word check is in PersonOrBusiness).
  if (free_text && e - b >= 2) {
    std::string name;
    for (size_t j = b; j < e; ++j) name += (j > b ? " " : "") + std::string(raw[j]);
    return "person's name (romanised given name '" + name + "' in free text, no product word)";
  }
  if (b > 0 && raw.ref(b - 1).clause == clause && r.chinese_surnames.Contains(raw[b - 1])) {
    return "person's name ('" + std::string(raw[b - 1]) + " ...')";
  }
  if (e < raw.size() && raw.ref(e).clause == clause && r.chinese_surnames.Contains(raw[e])) {
    return "person's name ('... " + std::string(raw[e]) + "')";
  }
  for (size_t j = b >= 2 ? b - 2 : 0; j < b; ++j) {
    if (r.person_markers.Contains(raw[j])) return "person's name ('" + std::string(raw[j]) + " ...')";
  }
  return "";
}

// "Dr. Dahua Li", "employee Liu Huawei", "Dahua Restaurant": returns the cue or "".
std::string PersonOrBusiness(const RoleData& r, const TokenList& raw, size_t b, size_t e, bool free_text) {
  if (b >= raw.size()) return "";
  std::string why = PersonOrBusinessCue(r, raw, b, e, free_text);
  // A product word next to the name keeps it a maker ("Dahua camera for Mr Wang's office").
  if (why.empty() || NearProductWord(r, raw, b, e, 3)) return "";
  return why;
}

}  // namespace

void Screener::Impl::ReadSubject(const CatalogueLine& line, const Scratch& s,
                                 const std::array<bool, kFieldCount>& tokenised, const std::vector<Match>& found,
                                 LineSubject* subject) const {
  subject->Reset();
  const std::string& code = line.get(Field::kUnspsc);
  if (!code.empty()) {
    if (const CategoryEntry* c = roles.Category(code)) {
      subject->category = c->subject;
      subject->category_text = code + " -> " + c->prefix + " " + c->title + " (" + CategorySubjectName(c->subject) + ")";
    } else {
      subject->category_text = code + " -> no category entry";
    }
  }
  // Removal only: the description asks for removal and for no purchase.
  bool removal = false, purchase = false;
  if (tokenised[static_cast<size_t>(Field::kDescription)]) {
    const TokenList& raw = s.fields[static_cast<size_t>(Field::kDescription)].raw;
    ReadCues(roles, cue_first_tokens, raw, &subject->cue_kind, &subject->cue_len);
    CueMap cues{&subject->cue_kind, &subject->cue_len};
    for (size_t i = 0; i < raw.size(); ++i) {
      // Only removal words: a line naming the item it replaces still buys something.
      bool candidate = cue_first_tokens.count(raw[i]) > 0;
      if (cues.kind(i) == Cue::kRemoval || (candidate && roles.removal_after.MatchAt(raw, i))) {
        removal = true;
      } else if (cues.kind(i) == Cue::kPurchase && raw[i] != "with") {
        purchase = true;
      }
    }
    // A non-covered maker named in the description.
    for (size_t i = 0; i < raw.size() && !subject->maker_identified; ++i) {
      if (!cue_first_tokens.count(raw[i])) continue;
      if (size_t l = roles.known_makers.MatchAt(raw, i)) {
        subject->maker_identified = true;
        subject->maker = CueText(raw, i, l);
      }
    }
  }
  subject->removal_only = (removal && !purchase) || subject->category == CategorySubject::kRemoval;
  // A maker column naming something that is not covered (and not a placeholder).
  for (Field f : {Field::kManufacturer, Field::kBrand}) {
    if (!tokenised[static_cast<size_t>(f)]) continue;
    bool covered = false;
    for (const Match& m : found) covered |= m.field == f;
    if (covered) continue;
    const TokenList& raw = s.fields[static_cast<size_t>(f)].raw;
    if (raw.empty()) continue;
    bool generic = roles.generic_makers.MatchAt(raw, 0) == raw.size();
    if (!generic) {
      subject->maker_identified = true;
      subject->maker = line.get(f);
      break;
    }
  }
  std::string& sum = subject->summary;
  sum = subject->removal_only ? "removal/disposal service (no purchase)" : "purchase";
  if (subject->category != CategorySubject::kUnknown) sum += std::string("; category ") + CategorySubjectName(subject->category);
  if (subject->maker_identified) sum += "; non-covered maker named: '" + subject->maker + "'";
}

void Screener::Impl::AssignRoles(Field field, const FieldScratch& fs, const LineSubject& subject,
                                 std::vector<Match>* found, size_t first, size_t end) const {
  const TokenList& raw = fs.raw;
  const RoleData& r = roles;
  std::vector<size_t> order;
  for (size_t i = first; i < end; ++i) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return (*found)[a].token_begin < (*found)[b].token_begin;
  });
  if (field != Field::kDescription) {
    for (size_t idx : order) {
      Match& m = (*found)[idx];
      if (m.token_begin < raw.size() && m.kind != MatchKind::kModelPattern) {
        std::string why = PersonOrBusiness(r, raw, m.token_begin, m.token_end, /*free_text=*/false);
        if (!why.empty()) {
          m.context = MatchContext::kPersonOrBusiness;
          m.cue = why;
          continue;
        }
      }
      if (field == Field::kSupplier && !m.list_policy.empty()) {
        // An imported list names parties one must not contract with: as the supplier the
        // listed party is the subject of the line, never neutralised.
        continue;
      }
      if (field == Field::kSupplier) {
        // Contracting with a covered company is never neutralised by removal words.
        m.context = MatchContext::kSeller;
        m.cue = "supplier column";
      } else if (subject.removal_only) {
        m.context = MatchContext::kRemoval;
        m.cue = "the description asks for removal and no purchase";
      }
    }
    return;
  }
  // The description's cues were read by ReadSubject (same tokens).
  std::vector<uint8_t> kinds_local, lens_local;
  CueMap cues{&subject.cue_kind, &subject.cue_len};
  if (subject.cue_kind.size() != raw.size()) {
    ReadCues(r, cue_first_tokens, raw, &kinds_local, &lens_local);
    cues = CueMap{&kinds_local, &lens_local};
  }
  // Segments: a replaced/removal/purchase cue starts a segment of its kind that lasts to the
  // next such cue or the end of the clause.
  // Per-thread scratch (reused across lines; role analysis runs on every line with a match).
  thread_local std::vector<Cue> seg;
  thread_local std::vector<size_t> seg_start;
  thread_local std::vector<int32_t> topic_at, in_use_at;
  seg.assign(raw.size(), Cue::kNone);
  seg_start.assign(raw.size(), 0);
  // Topic and in-use service states last across clauses until a purchase cue.
  topic_at.assign(raw.size(), -1);
  in_use_at.assign(raw.size(), -1);
  Cue cur = Cue::kNone;
  size_t cur_start = 0;
  int32_t topic = -1, in_use = -1;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (i > 0 && raw.ref(i).clause != raw.ref(i - 1).clause) {
      cur = Cue::kNone;
      cur_start = i;
    }
    switch (cues.kind(i)) {
      case Cue::kReplaced:
      case Cue::kRemoval:
      case Cue::kPurchase:
        cur = cues.kind(i);
        cur_start = i;
        if (cues.kind(i) == Cue::kPurchase) {
          topic = -1;
          in_use = -1;
        }
        break;
      case Cue::kTopic:
        if (subject.category != CategorySubject::kGoods) topic = static_cast<int32_t>(i);
        break;
      case Cue::kInUse: {
        bool add_on = false;
        for (size_t j = i >= 2 ? i - 2 : 0; j < i; ++j) add_on |= r.add_on.Contains(raw[j]);
        if (!add_on) in_use = static_cast<int32_t>(i);
        break;
      }
      case Cue::kNone: break;
    }
    seg[i] = cur;
    seg_start[i] = cur_start;
    topic_at[i] = topic;
    in_use_at[i] = in_use;
  }
  std::vector<std::pair<size_t, bool>> mention_ends;  // (token_end, cleared by negation/replacement)
  for (size_t idx : order) {
    Match& m = (*found)[idx];
    size_t b = m.token_begin, e = m.token_end;
    if (b >= raw.size()) continue;
    uint16_t clause = raw.ref(b).clause;
    MatchContext ctx = MatchContext::kNone;
    std::string cue;
    auto set = [&](MatchContext c, std::string why) {
      if (ctx == MatchContext::kNone) {
        ctx = c;
        cue = std::move(why);
      }
    };
    if (m.kind != MatchKind::kModelPattern) {
      std::string why = PersonOrBusiness(r, raw, b, e, /*free_text=*/true);
      if (!why.empty()) set(MatchContext::kPersonOrBusiness, why);
    }
    // Negation right before the mention, chained over "X, Y or Z".
    if (ctx == MatchContext::kNone) {
      size_t j = b;
      while (j > 0) {
        --j;
        if (raw.ref(j).clause != clause) break;
        if (r.lookback_skip.Contains(raw[j])) continue;
        if (r.negation_before.Contains(raw[j])) {
          set(MatchContext::kNegated, std::string(raw[j]));
          break;
        }
        if (raw[j] == "or" || raw[j] == "and" || raw[j] == "nor") continue;
        for (const auto& [end_tok, cleared] : mention_ends) {
          if (end_tok == j + 1 && cleared) set(MatchContext::kNegated, "listed with a negated name");
        }
        break;
      }
    }
    // Replaced / removed: the mention's segment.
    if (ctx == MatchContext::kNone && (seg[b] == Cue::kReplaced || seg[b] == Cue::kRemoval)) {
      size_t st = seg_start[b];
      std::string c = CueText(raw, st, std::max<size_t>(1, cues.len(st)));
      set(seg[b] == Cue::kReplaced ? MatchContext::kReplaced : MatchContext::kRemoval, c);
    }
    // "Hikvision camera removal": a removal noun after the mention in the same clause, before
    // any other cue.
    if (ctx == MatchContext::kNone) {
      for (size_t j = e; j < std::min(raw.size(), e + 4); ++j) {
        if (raw.ref(j).clause != clause || cues.kind(j) == Cue::kPurchase || cues.kind(j) == Cue::kReplaced) break;
        if (size_t l = r.removal_after.MatchAt(raw, j)) {
          set(MatchContext::kRemoval, CueText(raw, j, l));
          break;
        }
      }
    }
    // Topic of a service ("Training course: ... Hikvision ...").
    if (ctx == MatchContext::kNone && topic_at[b] >= 0) {
      set(MatchContext::kTopic, CueText(raw, topic_at[b], std::max<size_t>(1, cues.len(topic_at[b]))));
    }
    // Accessory: "for X", "compatible with X" within three words (not across a purchase cue
    // other than "with"), or "X-compatible".
    if (ctx == MatchContext::kNone) {
      for (size_t k = 0; k < 3 && k < b; ++k) {
        size_t j = b - 1 - k;
        if (raw.ref(j).clause != clause) break;
        if (r.accessory_before.Contains(raw[j])) {
          set(MatchContext::kAccessory, std::string(raw[j]));
          break;
        }
        if (cues.kind(j) == Cue::kPurchase && raw[j] != "with") break;
      }
      if (ctx == MatchContext::kNone && e < raw.size() && raw.ref(e).clause == clause &&
          r.accessory_after.Contains(raw[e])) {
        set(MatchContext::kAccessory, std::string(raw[e]));
      }
    }
    // Service on equipment in use: a service word before (until a purchase cue) or just after.
    if (ctx == MatchContext::kNone && in_use_at[b] >= 0) {
      set(MatchContext::kInUseService, CueText(raw, in_use_at[b], std::max<size_t>(1, cues.len(in_use_at[b]))));
    }
    if (ctx == MatchContext::kNone) {
      for (size_t j = e; j < std::min(raw.size(), e + 4); ++j) {
        if (raw.ref(j).clause != clause || cues.kind(j) == Cue::kPurchase || r.add_on.Contains(raw[j])) break;
        if (cues.kind(j) == Cue::kInUse) {
          set(MatchContext::kInUseService, CueText(raw, j, std::max<size_t>(1, cues.len(j))));
          break;
        }
      }
    }
    // The category column, when the words say nothing.
    if (ctx == MatchContext::kNone && seg[b] != Cue::kPurchase) {
      switch (subject.category) {
        case CategorySubject::kTopic: set(MatchContext::kTopic, "category code: " + subject.category_text); break;
        case CategorySubject::kInUseService:
          set(MatchContext::kInUseService, "category code: " + subject.category_text);
          break;
        case CategorySubject::kRemoval: set(MatchContext::kRemoval, "category code: " + subject.category_text); break;
        default: break;
      }
    }
    m.context = ctx;
    m.cue = std::move(cue);
    mention_ends.emplace_back(e, ctx == MatchContext::kNegated || ctx == MatchContext::kReplaced);
  }
}

}  // namespace phaseout::screening
