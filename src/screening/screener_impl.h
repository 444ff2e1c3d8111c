// Private to src/screening: the screener's index and per-thread scratch space, shared by
// name_index.cc (building and querying the name index), role_analysis.cc (what each covered name
// is doing in the line), verdict.cc (per-policy decisions) and screener.cc (the Screen pipeline).
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "screening/normalise.h"
#include "screening/role_data.h"
#include "screening/screener.h"

namespace phaseout::screening {

using model::VerdictStatus;
using policy::CivilDate;

inline constexpr uint32_t kUnknown = 0xFFFFFFFFu;

struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StrMap = std::unordered_map<std::string, V, SvHash, std::equal_to<>>;
using StrSet = std::unordered_set<std::string, SvHash, std::equal_to<>>;

inline bool IsStructuredField(Field f) {
  return f == Field::kManufacturer || f == Field::kBrand || f == Field::kSupplier;
}
inline bool IsAlpha(std::string_view s) {
  for (char c : s) {
    if (c < 'a' || c > 'z') return false;
  }
  return !s.empty();
}
std::string FormatScore(double s);

// Line-level reading of a purchase line (role_analysis.cc): what is being bought.
struct LineSubject {
  CategorySubject category = CategorySubject::kUnknown;  // from the UNSPSC column
  std::string category_text;        // "46171610 -> 4617 Security surveillance and detection (goods)"
  bool removal_only = false;        // the description asks for removal and no purchase
  bool maker_identified = false;    // a non-covered maker is named (column or known maker)
  std::string maker;                // that maker, for reasons
  std::string summary;              // one line for --explain
  // Cues of the description tokens (role_analysis.cc), read once per line and reused.
  std::vector<uint8_t> cue_kind, cue_len;
  void Reset() {
    category = CategorySubject::kUnknown;
    category_text.clear();
    removal_only = maker_identified = false;
    maker.clear();
    summary.clear();
    cue_kind.clear();
    cue_len.clear();
  }
};

struct Screener::Impl {
  struct Entity {
    std::string id;
    std::string display;
    bool is_list = false;
    std::string list_policy;
    bool weak_relation = false;  // low/unverified group link, or an OEM label
    std::string relation_note;
  };
  struct Name {
    uint32_t entity = 0;
    MatchKind kind = MatchKind::kAlias;
    bool verified = true;
    bool structured_only = false;
    bool weak_alias = false;
    std::vector<uint32_t> tokens;  // weighted canonical token ids, in order
    float total_weight = 0;
    uint32_t key = kUnknown;
    std::string text;
    std::string source;
  };
  struct TokenInfo {
    float weight = 1.0f;
    uint32_t df = 0;
    std::vector<uint32_t> keyed;  // names whose key is this token
  };
  struct CjkName {
    std::string core;
    uint32_t name = 0;
  };
  struct ModelRule {
    uint32_t entity = 0;
    std::string pattern;
    std::string note;
    bool verified = false;
    std::string source;
  };

  const policy::PolicySet* policies = nullptr;
  RoleData roles;  // role vocabulary and category table (data/screening/roles.yaml)
  // First tokens of every cue, removal noun and known maker: a token outside it starts none
  // (one lookup per token instead of one per list).
  StrSet cue_first_tokens;
  // Token weight tables (data/screening/name_weights.yaml).
  StrSet stop_words, generic_words, geo_words;
  std::vector<std::string> cjk_company_tails, cjk_geo_prefixes;
  // Distinguishes screeners in the per-thread caches (never reused, unlike addresses).
  uint64_t generation = 0;
  std::vector<Entity> entities;
  StrMap<uint32_t> entity_by_id;
  std::vector<Name> names;
  StrMap<uint32_t> vocab;
  std::vector<std::string> token_strings;  // token id -> text
  std::vector<TokenInfo> tokens;
  size_t max_token_len = 0;
  StrMap<std::vector<uint32_t>> fuzzy;  // token or 1-deletion variant -> distinctive token ids
  std::array<uint64_t, 26> fuzzy_filter{};  // [first letter] bitmask of lengths
  std::vector<CjkName> cjk_names;
  std::unique_ptr<RE2::Set> model_set;
  std::vector<ModelRule> model_rules;
  std::array<bool, 256> model_first{};  // characters a model pattern can start with
  std::vector<std::unique_ptr<RE2>> literal_unused;

  // Bloom filter over vocabulary tokens and fuzzy variants: most words of a catalogue line are
  // not names, and rejecting them costs one hash instead of a hash-map probe.
  static constexpr size_t kBloomBits = size_t{1} << 21;
  std::vector<uint64_t> bloom = std::vector<uint64_t>(kBloomBits / 64, 0);
  // FNV-1a, split so the hash of a concatenation ("hik" + "vision") continues from the state
  // of its first part without building the joined string.
  static constexpr uint64_t kHashSeed = 1469598103934665603ull;
  static uint64_t HashStep(uint64_t h, std::string_view t) {
    for (unsigned char c : t) h = (h ^ c) * 1099511628211ull;
    return h;
  }
  static uint64_t HashFinish(uint64_t h) { return h ^ (h >> 29); }
  static uint64_t Hash64(std::string_view t) { return HashFinish(HashStep(kHashSeed, t)); }
  void BloomAdd(std::string_view t) {
    uint64_t h = Hash64(t);
    size_t a = h & (kBloomBits - 1), b = (h >> 32) & (kBloomBits - 1);
    bloom[a >> 6] |= uint64_t{1} << (a & 63);
    bloom[b >> 6] |= uint64_t{1} << (b & 63);
  }
  bool BloomMayContain(std::string_view t) const { return BloomMayContainHash(Hash64(t)); }
  // `h` = Hash64 of the token.
  bool BloomMayContainHash(uint64_t h) const {
    size_t a = h & (kBloomBits - 1), b = (h >> 32) & (kBloomBits - 1);
    return (bloom[a >> 6] >> (a & 63) & 1) && (bloom[b >> 6] >> (b & 63) & 1);
  }
  uint32_t TokenId(std::string_view t) const {
    if (!BloomMayContain(t)) return kUnknown;
    auto it = vocab.find(t);
    return it == vocab.end() ? kUnknown : it->second;
  }
  uint32_t AddToken(std::string_view t) {
    auto it = vocab.find(t);
    if (it != vocab.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(tokens.size());
    vocab.emplace(std::string(t), id);
    BloomAdd(t);
    token_strings.emplace_back(t);
    tokens.emplace_back();
    max_token_len = std::max(max_token_len, t.size());
    return id;
  }
  uint32_t AddEntity(const std::string& id, const std::string& display) {
    auto it = entity_by_id.find(id);
    if (it != entity_by_id.end()) return it->second;
    uint32_t idx = static_cast<uint32_t>(entities.size());
    entities.push_back(Entity{id, display});
    entity_by_id.emplace(id, idx);
    return idx;
  }

  // Per-field working state for one Screen call.
  struct Pos {
    uint32_t id = kUnknown;
    uint16_t raw_begin = 0, raw_end = 0;  // raw token span [begin, end)
    bool fuzzy = false;
    bool stop = false;
  };
  // Consecutive catalogue lines often repeat a field (same supplier, same manufacturer): the
  // tokens and the canonical sequence of the previous value are kept and reused when the text
  // is the same.
  struct FieldScratch {
    TokenList raw;
    std::vector<Pos> seq;
    std::string raw_text;        // the text `raw` was tokenised from
    bool raw_valid = false;
    uint64_t seq_generation = 0;  // screener whose vocabulary built `seq`; 0 = none
    // ModelTokens of the field (model, part number, description), valid iff model_valid; kept
    // only when the field is no longer than raw_text (not truncated).
    std::vector<std::string> model_tokens;
    std::vector<uint32_t> model_offsets;
    bool model_valid = false;
  };
  // One PolicySet::Evaluate outcome for (screener, policy, entity, strong, date): catalogues
  // repeat the same vendors and dates, and Evaluate walks the ownership graph each time.
  struct EvalKey {
    uint64_t generation = 0;
    const policy::Policy* policy = nullptr;
    uint32_t entity = 0;
    bool strong = false;
    bool dated = false;
    CivilDate date;
    bool operator==(const EvalKey&) const = default;
  };
  struct EvalKeyHash {
    size_t operator()(const EvalKey& k) const {
      uint64_t h = k.generation * 0x9E3779B97F4A7C15ull;
      h ^= reinterpret_cast<uintptr_t>(k.policy) + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
      h ^= (uint64_t{k.entity} << 2 | uint64_t{k.strong} << 1 | k.dated) + (h << 6) + (h >> 2);
      h ^= static_cast<uint64_t>(k.date.year * 10000 + k.date.month * 100 + k.date.day) + (h << 6) + (h >> 2);
      return static_cast<size_t>(h);
    }
  };
  struct EvalOutcome {
    VerdictStatus status = VerdictStatus::kClear;
    std::string reason;
    std::string clause;
    std::string rule;  // "rule <id> (<relation>)" or "no rule"
    bool weak_relation = false;  // relation "oem" or "label_only"
  };
  // Bounded: cleared when it reaches this many entries.
  static constexpr size_t kMaxCachedEvaluations = 4096;
  // Recent field values (up to kCachedFieldBytes) and their tokens and sequences, per field,
  // direct-mapped by hash: manufacturer, brand and supplier columns hold few distinct values and
  // descriptions of items bought again repeat. Bounded: kFieldCount * kFieldCacheSlots entries
  // of at most kCachedFieldBytes of text each.
  static constexpr size_t kFieldCacheSlots = 64;
  static constexpr size_t kCachedFieldBytes = 256;
  struct Scratch {
    std::array<FieldScratch, kFieldCount> fields;
    std::array<std::array<FieldScratch, kFieldCacheSlots>, kFieldCount> field_cache;
    std::unordered_map<EvalKey, EvalOutcome, EvalKeyHash> evaluations;
    std::vector<std::string> described;  // Describe() of found[i], built on demand
    // ParseLineDate results of recent date texts, direct-mapped by hash: most lines of a file
    // share few dates.
    struct DateMemo {
      bool valid = false;
      std::string text;
      std::optional<CivilDate> date;
    };
    std::array<DateMemo, 16> dates;
    std::string join;
    std::vector<std::string> model_tokens;
    std::vector<uint32_t> model_offsets;
    std::vector<int> set_hits;
    // RE2::Set results of recent model tokens, direct-mapped by hash: descriptions and model
    // columns repeat the same tokens ("4MP", "PoE+", a SKU bought again).
    struct ModelMemo {
      uint64_t generation = 0;  // screener; 0 = empty
      std::string token;
      bool matched = false;
      std::vector<int> hits;  // sorted rule indexes
    };
    static constexpr size_t kModelMemoSlots = 256;
    std::array<ModelMemo, kModelMemoSlots> model_memo;
    std::vector<Match> found;
    LineSubject subject;
  };

  void BuildSequence(FieldScratch* fs, std::string* join) const;
  void MatchNames(const CatalogueLine& line, Field field, FieldScratch* fs, std::vector<Match>* out) const;
  void MatchCjk(const CatalogueLine& line, Field field, const FieldScratch& fs, std::vector<Match>* out) const;
  void MatchModels(const CatalogueLine& line, Field field, Scratch* s, std::vector<Match>* out) const;
  // Role analysis (role_analysis.cc). ReadSubject reads the line-level subject from the
  // description and the category column; AssignRoles sets the role (Match::context) and cue of
  // found[first, end) in `field`.
  void ReadSubject(const CatalogueLine& line, const Scratch& s, const std::array<bool, kFieldCount>& tokenised,
                   const std::vector<Match>& found, LineSubject* subject) const;
  void AssignRoles(Field field, const FieldScratch& fs, const LineSubject& subject, std::vector<Match>* found,
                   size_t first, size_t end) const;
  void Decide(const CatalogueLine& line, const std::vector<const policy::Policy*>& selected,
              const ScreenOptions& options, Scratch* s, ScreenResult* out) const;
  const EvalOutcome& Evaluate(const policy::Policy& pol, uint32_t entity, bool strong,
                              const std::optional<CivilDate>& date, Scratch* s) const;
};

}  // namespace phaseout::screening
