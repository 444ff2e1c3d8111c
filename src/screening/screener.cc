// Screener pipeline: tokenises the fields of a line, queries the name index, reads the role of
// every covered name and decides per policy. Index: name_index.cc; roles: role_analysis.cc;
// decisions: verdict.cc.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "core/strings.h"
#include "screening/screener_impl.h"

namespace phaseout::screening {

std::string FormatScore(double s) {
  // Scores are ratios of a few token weights, so few distinct values occur: remember the text
  // of recent ones (exactly what snprintf wrote) instead of formatting each time.
  struct Slot {
    uint64_t bits = 0;
    bool valid = false;
    char text[16];
  };
  thread_local std::array<Slot, 64> slots;
  uint64_t bits;
  std::memcpy(&bits, &s, sizeof bits);
  Slot& slot = slots[(bits ^ (bits >> 29) ^ (bits >> 47)) & 63];
  if (!slot.valid || slot.bits != bits) {
    std::snprintf(slot.text, sizeof slot.text, "%.2f", s);
    slot.bits = bits;
    slot.valid = true;
  }
  return slot.text;
}

const char* MatchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::kLegalName: return "legal-name";
    case MatchKind::kAlias: return "alias";
    case MatchKind::kBrand: return "brand";
    case MatchKind::kSubsidiary: return "subsidiary";
    case MatchKind::kOem: return "oem";
    case MatchKind::kModelPattern: return "model-pattern";
    case MatchKind::kSupplier: return "supplier";
    case MatchKind::kListEntry: return "list-entry";
  }
  return "alias";
}

const char* MatchContextName(MatchContext context) {
  switch (context) {
    case MatchContext::kNone: return "";
    case MatchContext::kRemoval: return "removal";
    case MatchContext::kAccessory: return "accessory";
    case MatchContext::kNegated: return "negated";
    case MatchContext::kReplaced: return "replaced";
    case MatchContext::kTopic: return "topic";
    case MatchContext::kInUseService: return "in-use-service";
    case MatchContext::kSeller: return "seller";
    case MatchContext::kPersonOrBusiness: return "person-or-business";
  }
  return "";
}

std::optional<CivilDate> ParseLineDate(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  std::string s(text);
  if (s.size() > 10 && (s[10] == 'T' || s[10] == ' ')) s.resize(10);  // ISO timestamp
  for (char& c : s) {
    if (c == '/' || c == '.') c = '-';
  }
  // MM-DD-YYYY (US style) -> YYYY-MM-DD.
  if (s.size() >= 8 && s.size() <= 10 && s.find('-') != std::string::npos &&
      s.rfind('-') == s.size() - 5) {
    auto parts = Split(s, '-');
    if (parts.size() == 3 && parts[2].size() == 4) {
      std::string mm(parts[0]), dd(parts[1]);
      if (mm.size() == 1) mm = "0" + mm;
      if (dd.size() == 1) dd = "0" + dd;
      s = std::string(parts[2]) + "-" + mm + "-" + dd;
    }
  }
  auto d = CivilDate::Parse(s);
  if (!d) return std::nullopt;
  return *d;
}

Screener::Screener() : impl_(std::make_unique<Impl>()) {}
Screener::~Screener() = default;
size_t Screener::indexed_names() const { return impl_->names.size(); }

namespace {

// Longer fields are screened on their first kMaxScreenedFieldBytes (screener.h).
constexpr size_t kMaxScreenedBytes = kMaxScreenedFieldBytes;

}  // namespace

void Screener::Screen(const CatalogueLine& line, const ScreenOptions& options, ScreenResult* out) const {
  out->Clear();
  const Impl& im = *impl_;
  thread_local Impl::Scratch scratch;
  Impl::Scratch& s = scratch;
  std::vector<Match>& found = out->matches;

  static constexpr std::array<Field, 6> kNameFields = {Field::kManufacturer, Field::kBrand, Field::kSupplier,
                                                       Field::kDescription, Field::kModel, Field::kPartNumber};
  std::array<bool, kFieldCount> tokenised{};
  std::array<Impl::FieldScratch*, kFieldCount> to_cache{};  // slots to fill once built
  for (Field f : kNameFields) {
    const std::string& text = line.get(f);
    if (text.empty()) continue;
    auto& fs = s.fields[static_cast<size_t>(f)];
    std::string_view view(text);
    if (view.size() > kMaxScreenedBytes) view = view.substr(0, kMaxScreenedBytes);
    tokenised[static_cast<size_t>(f)] = true;
    if (fs.raw_valid && fs.raw_text == view) continue;
    if (view.size() <= Impl::kCachedFieldBytes) {
      size_t h = std::hash<std::string_view>{}(view);
      Impl::FieldScratch& slot = s.field_cache[static_cast<size_t>(f)][h & (Impl::kFieldCacheSlots - 1)];
      if (slot.raw_valid && slot.seq_generation == im.generation && slot.raw_text == view) {
        fs = slot;  // the same tokens and sequence as computing them again
        continue;
      }
      to_cache[static_cast<size_t>(f)] = &slot;
    }
    Tokenise(view, &fs.raw);
    fs.raw_text.assign(view);
    fs.raw_valid = true;
    fs.seq_generation = 0;
    fs.model_valid = false;
  }
  std::array<std::pair<size_t, size_t>, kFieldCount> ranges{};
  for (Field f : kNameFields) {
    if (!tokenised[static_cast<size_t>(f)]) continue;
    auto& fs = s.fields[static_cast<size_t>(f)];
    size_t first = found.size();
    if (fs.seq_generation != im.generation) {
      im.BuildSequence(&fs, &s.join);
      fs.seq_generation = im.generation;
    }
    im.MatchNames(line, f, &fs, &found);
    if (!im.cjk_names.empty()) im.MatchCjk(line, f, fs, &found);
    if (f == Field::kModel || f == Field::kPartNumber || f == Field::kDescription) im.MatchModels(line, f, &s, &found);
    if (Impl::FieldScratch* slot = to_cache[static_cast<size_t>(f)]) *slot = fs;
    if (found.size() == first) continue;
    // Within one field keep the most specific name: a match whose token span lies strictly
    // inside another name match's span ("Hikvision" inside "HiLook by Hikvision") is dropped;
    // duplicates of one entity keep the best.
    std::vector<bool> drop(found.size(), false);
    auto is_name = [](const Match& m) { return m.kind != MatchKind::kModelPattern; };
    auto span = [](const Match& m) { return m.token_end - m.token_begin; };
    // Pass 1: the most specific name wins: a name match whose span lies strictly inside another
    // entity's name match ("Hikvision" inside "HiLook by Hikvision") is dropped, and so is a
    // partial match overlapping another entity's full match ("Hikvision Canada" at 0.77 when
    // the field is just "Hikvision").
    for (size_t a = first; a < found.size(); ++a) {
      for (size_t b = first; b < found.size(); ++b) {
        const Match& ma = found[a];
        const Match& mb = found[b];
        if (a == b || ma.entity == mb.entity || !is_name(ma) || !is_name(mb)) continue;
        if (!ma.list_policy.empty() || !mb.list_policy.empty()) continue;
        bool inside = ma.token_begin <= mb.token_begin && ma.token_end >= mb.token_end && span(ma) > span(mb);
        bool overlap = ma.token_begin < mb.token_end && mb.token_begin < ma.token_end;
        if (inside || (overlap && ma.score >= 1.0 && mb.score < kStrongNameScore)) drop[b] = true;
      }
    }
    // Pass 2: one match per entity and kind among overlapping spans: strong first, then score,
    // then the longer span. Separate mentions of one entity are all kept: each gets its own
    // role ("replace old Huawei router with new Huawei AR6140E").
    for (size_t a = first; a < found.size(); ++a) {
      for (size_t b = first; b < found.size(); ++b) {
        if (a == b || drop[a] || drop[b]) continue;
        const Match& ma = found[a];
        const Match& mb = found[b];
        if (ma.entity != mb.entity || ma.kind != mb.kind) continue;
        if (ma.token_begin >= mb.token_end || mb.token_begin >= ma.token_end) continue;
        bool better = (ma.strong > mb.strong) || (ma.strong == mb.strong && ma.score > mb.score) ||
                      (ma.strong == mb.strong && ma.score == mb.score && span(ma) > span(mb)) ||
                      (ma.strong == mb.strong && ma.score == mb.score && span(ma) == span(mb) && a < b);
        if (better) drop[b] = true;
      }
    }
    size_t w = first;
    for (size_t r = first; r < found.size(); ++r) {
      if (!drop[r]) {
        if (w != r) found[w] = std::move(found[r]);
        ++w;
      }
    }
    found.resize(w);
    ranges[static_cast<size_t>(f)] = {first, found.size()};
  }
  // Roles only when something matched (most lines match nothing).
  if (!found.empty()) {
    im.ReadSubject(line, s, tokenised, found, &s.subject);
    for (Field f : kNameFields) {
      auto [first, end] = ranges[static_cast<size_t>(f)];
      if (first != end) im.AssignRoles(f, s.fields[static_cast<size_t>(f)], s.subject, &found, first, end);
    }
  } else {
    s.subject.Reset();
  }
  if (options.explain) {
    Explanation ex;
    for (Field f : kNameFields) {
      if (tokenised[static_cast<size_t>(f)]) ex.normalised.emplace_back(f, s.fields[static_cast<size_t>(f)].raw.Joined());
    }
    for (Field f : {Field::kModel, Field::kPartNumber, Field::kDescription}) {
      if (!tokenised[static_cast<size_t>(f)]) continue;
      ModelTokens(line.get(f), &s.model_tokens);
      for (auto& t : s.model_tokens) ex.model_tokens.push_back(std::string(FieldName(f)) + ":" + t);
    }
    ex.subject = found.empty() ? std::string("no covered name found") : s.subject.summary;
    if (!s.subject.category_text.empty()) ex.notes.push_back("category: " + s.subject.category_text);
    for (const Match& m : found) {
      std::string n = "name '" + m.value + "' in " + FieldName(m.field) + ": role " +
                      (m.context == MatchContext::kNone ? std::string("made-by") : MatchContextName(m.context));
      if (!m.cue.empty()) n += " (cue: " + m.cue + ")";
      n += "; " + m.entity + " (" + m.entity_name + ") " + MatchKindName(m.kind) + " '" + m.name +
           "' score=" + FormatScore(m.score) + (m.strong ? " strong" : " weak");
      if (!m.note.empty()) n += " (" + m.note + ")";
      ex.notes.push_back(std::move(n));
    }
    out->explanation = std::move(ex);
  }
  im.Decide(line, selected_, options, &s, out);
  // A name after the screened part of a long field (kMaxScreenedFieldBytes) was never looked
  // for: "clear" would be a guess, so such a line is at least "review", and the reason says why.
  Field cut = Field::kDescription;
  size_t cut_size = 0;
  for (Field f : kNameFields) {
    if (line.get(f).size() > kMaxScreenedBytes && line.get(f).size() > cut_size) {
      cut = f;
      cut_size = line.get(f).size();
    }
  }
  if (cut_size == 0) return;
  std::string why = std::string("the ") + FieldName(cut) + " column has " + std::to_string(cut_size) +
                    " bytes and names were looked for in its first " + std::to_string(kMaxScreenedBytes) +
                    " only: check the rest by hand";
  for (LineVerdict& v : out->verdicts) {
    if (v.status != VerdictStatus::kClear) continue;
    v.status = VerdictStatus::kReview;
    v.reason = why + " (" + v.reason + ")";
    v.rule = v.policy + ": field longer than the screened " + std::to_string(kMaxScreenedBytes) + " bytes";
  }
}

}  // namespace phaseout::screening
