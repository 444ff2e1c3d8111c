// Screener implementation: a token index over every indexed name (registry vendors and
// imported list entities), phrase/containment scoring, CJK and model-number matching, context
// rules and per-policy decisions through policy::PolicySet::Evaluate.
#include "screening/screener.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "core/strings.h"
#include "screening/normalise.h"

namespace phaseout::screening {
namespace {

using model::VerdictStatus;
using policy::CivilDate;

constexpr uint32_t kUnknown = 0xFFFFFFFFu;

struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StrMap = std::unordered_map<std::string, V, SvHash, std::equal_to<>>;
using StrSet = std::unordered_set<std::string, SvHash, std::equal_to<>>;

// Words that carry no identity: skipped (transparent) inside phrases, weight 0.
const StrSet& StopWords() {
  static const auto* s = new StrSet{"of", "the", "and", "by", "de", "la", "le", "du", "des", "a",
                                    "an", "in", "at", "on", "to", "from", "y", "e", "et", "und"};
  return *s;
}
// Industry words: low weight (they inflate scores otherwise; opensanctions/yente#865,
// DeNederlandscheBank/name_matching#23).
const StrSet& GenericWords() {
  static const auto* s = new StrSet{
      "technology", "digital", "electronic", "communication", "telecommunication", "network",
      "system", "vision", "video", "security", "information", "international", "group",
      "holding", "science", "industry", "industrial", "equipment", "intelligent", "smart",
      "software", "trading", "trade", "import", "export", "global", "enterprise", "development",
      "investment", "service", "solution", "product", "supply", "engineering", "manufacturing",
      "electric", "semiconductor", "device", "research", "institute", "laboratory", "lab",
      "center", "centre", "management", "consulting", "resource", "energy", "power", "new",
      "general", "united", "first", "micro", "tech", "data", "cloud", "imaging", "optical",
      "photonic", "robotic", "automation", "control", "instrument", "component", "material",
      "logistic", "shipping", "marine", "precision", "machinery", "innovation", "partner",
      "associate", "venture", "capital", "commercial", "corporate", "world", "worldwide",
      "subsidiary", "branch", "office", "factory", "plant", "store", "shop", "mobile", "wireless",
      "radio", "storage", "terminal", "camera", "surveillance"};
  return *s;
}
// Place names common in covered and listed company names: low weight.
const StrSet& GeoWords() {
  static const auto* s = new StrSet{
      "hangzhou", "zhejiang", "shenzhen", "beijing", "shanghai", "guangzhou", "guangdong",
      "wuhan", "chengdu", "xian", "nanjing", "tianjin", "suzhou", "xiamen", "fujian", "jiangsu",
      "china", "chinese", "hong", "kong", "hongkong", "taiwan", "usa", "us", "america",
      "american", "canada", "canadian", "uk", "britain", "british", "europe", "european",
      "india", "asia", "asian", "pacific", "japan", "korea", "germany", "deutschland", "france",
      "netherlands", "australia", "singapore", "dubai", "uae", "russia", "iran", "xinjiang",
      "urumqi", "binjiang", "north", "south", "east", "west", "middle", "africa", "latin",
      "mexico", "brazil", "italy", "spain", "poland", "turkey", "vietnam", "thailand",
      "malaysia", "indonesia", "philippines", "pakistan", "nigeria", "egypt", "israel"};
  return *s;
}

// Context vocabularies (docs/screening.md, "Context rules").
const StrSet& RemovalTerms() {
  static const auto* s = new StrSet{
      "remove", "removal", "removing", "removed", "dispose", "disposal", "disposing", "disposed",
      "decommission", "decommissioning", "decommissioned", "uninstall", "uninstallation",
      "uninstalling", "deinstall", "deinstallation", "dismantle", "dismantling", "dismantled",
      "demolish", "demolition", "rip", "takedown", "haul", "recycle", "recycling", "destroy",
      "destruction", "destroying", "scrap", "scrapping", "retire", "retirement", "retiring",
      "replace", "replacing", "swap", "remediate", "remediation", "phaseout", "strip", "ewaste",
      "divest", "divestiture", "sanitise", "sanitize", "sanitization", "wipe", "wiping"};
  return *s;
}
const StrSet& PurchaseTerms() {
  static const auto* s = new StrSet{
      "supply", "install", "installation", "installing", "provide", "providing", "provision",
      "purchase", "purchasing", "buy", "buying", "procure", "procurement", "deliver", "delivery",
      "furnish", "furnishing", "with", "new", "replacement", "order", "add", "additional"};
  return *s;
}
const StrSet& AccessoryBefore() {
  static const auto* s = new StrSet{
      "for", "compatible", "compatibility", "compatable", "fits", "fit", "fitting", "suit",
      "suits", "suitable", "works", "work", "support", "supports", "supported", "interoperable",
      "integration", "integrates", "integrate", "similar", "replaces"};
  return *s;
}
const StrSet& AccessoryAfter() {
  static const auto* s = new StrSet{"compatible", "compatibility", "compatable", "style", "type",
                                    "integration", "interoperable", "certified"};
  return *s;
}
const StrSet& NegationTerms() {
  static const auto* s = new StrSet{
      "no", "not", "non", "without", "free", "excluding", "exclude", "excludes", "except",
      "alternative", "alternatives", "instead", "nor", "vs", "versus", "unlike", "never", "zero",
      "banned", "prohibited", "restricted", "avoid", "replaces"};
  return *s;
}
// Words skipped when looking for a negation or accessory word before a mention.
const StrSet& LookBackSkip() {
  static const auto* s = new StrSet{"of", "to", "than", "any", "the", "a", "an", "all", "from",
                                    "made", "by", "brand", "branded", "existing", "old", "legacy"};
  return *s;
}

// CJK words that may follow a two-character CJK name when the mention is the company or its
// products (华为手机 "Huawei phone"); anything else (大华银行) leaves the match weak.
constexpr std::array<std::string_view, 14> kCjkCompanyTails = {
    "技术", "股份", "通讯", "通信", "科技", "集团", "手机", "摄像", "录像", "监控", "网络",
    "终端", "设备", "数字"};
constexpr std::array<std::string_view, 8> kCjkGeoPrefixes = {"浙江", "杭州", "深圳", "北京",
                                                             "上海", "广东", "中国", "香港"};

bool IsStructuredField(Field f) {
  return f == Field::kManufacturer || f == Field::kBrand || f == Field::kSupplier;
}

// Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions),
// bounded: returns max_d + 1 as soon as the distance exceeds max_d.
int BoundedOsaDistance(std::string_view a, std::string_view b, int max_d) {
  int la = static_cast<int>(a.size()), lb = static_cast<int>(b.size());
  if (std::abs(la - lb) > max_d) return max_d + 1;
  std::vector<int> prev2(lb + 1), prev(lb + 1), cur(lb + 1);
  for (int j = 0; j <= lb; ++j) prev[j] = j;
  for (int i = 1; i <= la; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= lb; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, prev2[j - 2] + 1);
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > max_d) return max_d + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[lb];
}

bool IsAlpha(std::string_view s) {
  for (char c : s) {
    if (c < 'a' || c > 'z') return false;
  }
  return !s.empty();
}

std::string FormatScore(double s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

}  // namespace

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

// ---------------------------------------------------------------------------------------------

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
  static uint64_t Hash64(std::string_view t) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : t) h = (h ^ c) * 1099511628211ull;
    return h ^ (h >> 29);
  }
  void BloomAdd(std::string_view t) {
    uint64_t h = Hash64(t);
    size_t a = h & (kBloomBits - 1), b = (h >> 32) & (kBloomBits - 1);
    bloom[a >> 6] |= uint64_t{1} << (a & 63);
    bloom[b >> 6] |= uint64_t{1} << (b & 63);
  }
  bool BloomMayContain(std::string_view t) const {
    uint64_t h = Hash64(t);
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
  struct Scratch {
    std::array<FieldScratch, kFieldCount> fields;
    std::unordered_map<EvalKey, EvalOutcome, EvalKeyHash> evaluations;
    std::vector<std::string> described;  // Describe() of found[i], built on demand
    std::string last_date_text;  // ParseLineDate cache: most lines of a file share few dates
    std::optional<CivilDate> last_date;
    bool have_last_date = false;
    std::string join;
    std::vector<std::string> model_tokens;
    std::vector<uint32_t> model_offsets;
    std::vector<int> set_hits;
    std::vector<Match> found;
  };

  void BuildSequence(FieldScratch* fs, std::string* join) const;
  void MatchNames(const CatalogueLine& line, Field field, FieldScratch* fs, std::vector<Match>* out) const;
  void MatchCjk(const CatalogueLine& line, Field field, const FieldScratch& fs, std::vector<Match>* out) const;
  void MatchModels(const CatalogueLine& line, Field field, Scratch* s, std::vector<Match>* out) const;
  void ApplyContext(const FieldScratch& fs, bool line_removal, std::vector<Match>* matches,
                    size_t first) const;
  void Decide(const CatalogueLine& line, const std::vector<const policy::Policy*>& selected,
              const ScreenOptions& options, Scratch* s, ScreenResult* out) const;
  const EvalOutcome& Evaluate(const policy::Policy& pol, uint32_t entity, bool strong,
                              const std::optional<CivilDate>& date, Scratch* s) const;
};

Screener::Screener() : impl_(std::make_unique<Impl>()) {}
Screener::~Screener() = default;
size_t Screener::indexed_names() const { return impl_->names.size(); }

namespace {

// Splits a display name like "HikStorage / Hiksemi" or "Imou (Lechange)" into names.
std::vector<std::string> DisplayParts(const std::string& display) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : display) {
    if (c == '/' || c == '(' || c == ')' || c == '"') {
      if (!Trim(cur).empty()) parts.emplace_back(Trim(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!Trim(cur).empty()) parts.emplace_back(Trim(cur));
  return parts;
}

}  // namespace

Result<std::unique_ptr<Screener>> Screener::Create(const policy::PolicySet& policies,
                                                   std::vector<const policy::Policy*> selected,
                                                   const ScreeningData& data,
                                                   const std::vector<ListEntity>& list_entities) {
  std::unique_ptr<Screener> screener(new Screener());
  screener->selected_ = std::move(selected);
  Impl& im = *screener->impl_;
  im.policies = &policies;
  static std::atomic<uint64_t> next_generation{1};
  im.generation = next_generation.fetch_add(1);
  const policy::VendorRegistry& reg = policies.vendors();

  StrSet structured_only;
  for (const auto& n : data.structured_field_only) structured_only.insert(CompactKey(n));

  struct RawName {
    uint32_t entity;
    MatchKind kind;
    bool verified;
    bool weak_alias;
    std::string text;
    std::string source;
  };
  std::vector<RawName> raw_names;

  // Registry vendors in a restricted group (by ownership, any date) or OEM labels of a
  // restricted maker.
  for (const policy::Vendor& v : reg.vendors()) {
    auto group = reg.GroupOf(v.id);
    auto oem = reg.OemLinks(v.id);
    bool oem_of_restricted = false;
    for (const auto* link : oem) {
      if (reg.IsRestrictedMaker(link->maker)) oem_of_restricted = true;
    }
    if (!group && !oem_of_restricted) continue;
    uint32_t e = im.AddEntity(v.id, v.display_name);
    MatchKind kind;
    bool is_maker = reg.IsRestrictedMaker(v.id);
    if (is_maker) {
      kind = MatchKind::kAlias;
    } else if (group) {
      kind = v.kind == policy::VendorKind::kBrand ? MatchKind::kBrand : MatchKind::kSubsidiary;
    } else {
      kind = MatchKind::kOem;
    }
    auto& ent = im.entities[e];
    if (!group) {
      ent.weak_relation = true;
      ent.relation_note = "OEM label: products are in part built by a covered maker";
    } else if (group->confidence == policy::Confidence::kLow ||
               group->confidence == policy::Confidence::kUnverified) {
      ent.weak_relation = true;
      ent.relation_note = std::string("group link confidence ") + policy::ConfidenceName(group->confidence);
    }
    for (const std::string& part : DisplayParts(v.display_name)) {
      raw_names.push_back(RawName{e, kind, true, false, part, "data/vendors.yaml (" + v.id + ")"});
    }
    for (const policy::VendorName& n : v.names) {
      MatchKind k = kind;
      if (is_maker && (n.kind == "legal" || n.kind == "statutory")) k = MatchKind::kLegalName;
      raw_names.push_back(RawName{e, k, n.provenance.verified, false, n.text,
                                  n.provenance.source.empty() ? "data/vendors.yaml (" + v.id + ")"
                                                              : n.provenance.source});
    }
  }
  for (const ExtraName& x : data.extra_names) {
    auto it = im.entity_by_id.find(x.vendor);
    if (it == im.entity_by_id.end()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "screening data: extra name '" + x.text + "' names vendor '" + x.vendor +
                           "', which is not a restricted-group vendor in the registry");
    }
    bool is_maker = reg.IsRestrictedMaker(x.vendor);
    MatchKind k = MatchKind::kAlias;
    if (!is_maker) {
      const policy::Vendor* v = reg.Find(x.vendor);
      k = v && v->kind == policy::VendorKind::kBrand ? MatchKind::kBrand : MatchKind::kSubsidiary;
      if (im.entities[it->second].weak_relation && !reg.GroupOf(x.vendor)) k = MatchKind::kOem;
    } else if (x.kind == "legal" || x.kind == "statutory") {
      k = MatchKind::kLegalName;
    }
    raw_names.push_back(RawName{it->second, k, x.verified, false, x.text, x.source});
  }
  for (const ListEntity& le : list_entities) {
    std::string id = le.list + "/" + le.id;
    uint32_t e = im.AddEntity(id, le.name);
    im.entities[e].is_list = true;
    im.entities[e].list_policy = le.policy;
    std::string source = le.source.empty() ? "list " + le.list : le.source + " (list " + le.list + ")";
    raw_names.push_back(RawName{e, MatchKind::kListEntry, true, false, le.name, source});
    for (const auto& a : le.aliases) raw_names.push_back(RawName{e, MatchKind::kListEntry, true, false, a, source});
    for (const auto& a : le.weak_aliases) raw_names.push_back(RawName{e, MatchKind::kListEntry, true, true, a, source});
  }

  // Pass 1: tokenise every name, build the vocabulary, index CJK names.
  TokenList tl;
  std::vector<std::vector<uint32_t>> name_raw_tokens;
  name_raw_tokens.reserve(raw_names.size());
  for (const RawName& rn : raw_names) {
    Tokenise(rn.text, &tl);
    std::vector<uint32_t> ids;
    std::string cjk;
    for (size_t i = 0; i < tl.size(); ++i) {
      if (tl.ref(i).cjk) {
        cjk.append(tl[i]);
        continue;
      }
      if (StopWords().count(tl[i]) || (tl[i].size() == 1 && !tl.ref(i).numeric)) continue;
      ids.push_back(im.AddToken(tl[i]));
    }
    Impl::Name name;
    name.entity = rn.entity;
    name.kind = rn.kind;
    name.verified = rn.verified;
    name.weak_alias = rn.weak_alias;
    name.text = rn.text;
    name.source = rn.source;
    name.structured_only = false;  // set below from the name's key token
    if (!cjk.empty() && ids.empty()) {
      im.cjk_names.push_back(Impl::CjkName{cjk, static_cast<uint32_t>(im.names.size())});
      im.names.push_back(std::move(name));
      name_raw_tokens.emplace_back();
      continue;
    }
    if (ids.empty()) continue;
    im.names.push_back(std::move(name));
    name_raw_tokens.push_back(std::move(ids));
  }
  // Pass 2: canonicalise names with the same greedy joins the query side uses ("hik vision"
  // -> "hikvision" when "hikvision" is a known token), count document frequencies.
  std::string join;
  for (size_t n = 0; n < im.names.size(); ++n) {
    const auto& ids = name_raw_tokens[n];
    std::vector<uint32_t> canon;
    for (size_t i = 0; i < ids.size();) {
      bool joined = false;
      for (size_t len = 3; len >= 2 && !joined; --len) {
        if (i + len > ids.size()) continue;
        join.clear();
        for (size_t k = 0; k < len; ++k) join.append(im.token_strings[ids[i + k]]);
        uint32_t jid = im.TokenId(join);
        if (jid != kUnknown && IsAlpha(join)) {
          canon.push_back(jid);
          i += len;
          joined = true;
        }
      }
      if (!joined) canon.push_back(ids[i++]);
    }
    std::sort(canon.begin(), canon.end());
    std::vector<uint32_t> uniq = canon;
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    for (uint32_t t : uniq) im.tokens[t].df++;
    // Keep order for phrase matching: redo without sorting.
    canon.clear();
    for (size_t i = 0; i < ids.size();) {
      bool joined = false;
      for (size_t len = 3; len >= 2 && !joined; --len) {
        if (i + len > ids.size()) continue;
        join.clear();
        for (size_t k = 0; k < len; ++k) join.append(im.token_strings[ids[i + k]]);
        uint32_t jid = im.TokenId(join);
        if (jid != kUnknown && IsAlpha(join)) {
          canon.push_back(jid);
          i += len;
          joined = true;
        }
      }
      if (!joined) canon.push_back(ids[i++]);
    }
    im.names[n].tokens = std::move(canon);
  }
  // Token weights: generic and place words are low; numbers medium; frequent tokens capped.
  const std::vector<std::string>& token_text = im.token_strings;
  size_t freq_cap = std::max<size_t>(25, im.names.size() / 100);
  for (size_t t = 0; t < im.tokens.size(); ++t) {
    std::string_view text = token_text[t];
    float w = 1.0f;
    if (GenericWords().count(text)) {
      w = 0.2f;
    } else if (GeoWords().count(text)) {
      w = 0.3f;
    } else if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
      w = 0.5f;
    }
    if (im.tokens[t].df > freq_cap) w = std::min(w, 0.3f);
    im.tokens[t].weight = w;
  }
  // Keys: the highest-weight token of each name, rarest first among equals.
  for (size_t n = 0; n < im.names.size(); ++n) {
    auto& name = im.names[n];
    if (name.tokens.empty()) continue;
    float total = 0;
    uint32_t key = kUnknown;
    for (uint32_t t : name.tokens) {
      total += im.tokens[t].weight;
      if (key == kUnknown || im.tokens[t].weight > im.tokens[key].weight ||
          (im.tokens[t].weight == im.tokens[key].weight && im.tokens[t].df < im.tokens[key].df)) {
        key = t;
      }
    }
    name.total_weight = total;
    name.key = key;
    // A name keyed by a common word ("Honor", also in "Honor Device Co., Ltd.") is restricted
    // to structured fields like the word itself.
    name.structured_only = structured_only.count(im.token_strings[key]) > 0;
    im.tokens[key].keyed.push_back(static_cast<uint32_t>(n));
  }
  // Fuzzy table: distinctive registry tokens of 7+ letters and their 1-deletion variants.
  for (size_t n = 0; n < im.names.size(); ++n) {
    const auto& name = im.names[n];
    if (im.entities[name.entity].is_list) continue;
    for (uint32_t t : name.tokens) {
      std::string_view text = token_text[t];
      if (im.tokens[t].weight < 1.0f || text.size() < 7 || !IsAlpha(text)) continue;
      auto add = [&](const std::string& variant) {
        im.BloomAdd(variant);
        auto& v = im.fuzzy[variant];
        if (std::find(v.begin(), v.end(), t) == v.end()) v.push_back(t);
      };
      add(std::string(text));
      for (size_t i = 0; i < text.size(); ++i) {
        std::string variant(text);
        variant.erase(i, 1);
        add(variant);
      }
      for (size_t len = text.size() - 1; len <= text.size() + 1 && len < 64; ++len) {
        im.fuzzy_filter[text[0] - 'a'] |= (uint64_t{1} << len);
      }
    }
  }

  // Model patterns: specific patterns from screening data plus registry prefixes not replaced.
  RE2::Options re_options;
  re_options.set_log_errors(false);
  im.model_set = std::make_unique<RE2::Set>(re_options, RE2::ANCHOR_START);
  auto add_rule = [&](Impl::ModelRule rule) -> Status {
    std::string error;
    int idx = im.model_set->Add(rule.pattern, &error);
    if (idx < 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "screening data: model pattern '" + rule.pattern + "': " + error);
    }
    // First characters the pattern can start with: literal letters/digits, skipping "X?"
    // optional prefixes; anything else (classes, groups) allows every character.
    const std::string& pat = rule.pattern;
    size_t i = 0;
    for (;;) {
      if (i < pat.size() && std::isalnum(static_cast<unsigned char>(pat[i]))) {
        im.model_first[static_cast<unsigned char>(pat[i])] = true;
        if (i + 1 < pat.size() && pat[i + 1] == '?') {
          i += 2;
          continue;
        }
      } else {
        im.model_first.fill(true);
      }
      break;
    }
    im.model_rules.push_back(std::move(rule));
    return Status::Ok();
  };
  StrSet replaced;
  for (const auto& p : data.replaces_prefixes) replaced.insert(AsciiLower(p));
  for (const auto& spec : data.model_patterns) {
    auto it = im.entity_by_id.find(spec.vendor);
    if (it == im.entity_by_id.end()) {
      return MakeError(ErrorCode::kInvalidArgument, "screening data: model pattern '" + spec.pattern +
                                                        "' names vendor '" + spec.vendor +
                                                        "', which is not a restricted-group vendor");
    }
    Status st = add_rule(Impl::ModelRule{it->second, spec.pattern, spec.note, spec.verified, spec.source});
    if (!st.ok()) return st.error();
  }
  for (const auto& pe : reg.AllModelPrefixes()) {
    auto it = im.entity_by_id.find(pe.vendor->id);
    if (it == im.entity_by_id.end()) continue;
    if (replaced.count(AsciiLower(pe.prefix->prefix))) continue;
    std::string upper = pe.prefix->prefix;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // A literal prefix followed by a model body with both a letter and a digit ("THC-T120-PC",
    // "IPC-B140H"), so "THC-100" or "NVR-RACK" are not taken for model numbers.
    std::string pattern = RE2::QuoteMeta(upper) +
                          "(?:[0-9A-Z-]*[A-Z][0-9A-Z-]*[0-9]|[0-9A-Z-]*[0-9][0-9A-Z-]*[A-Z])";
    Status st = add_rule(Impl::ModelRule{it->second, pattern, pe.prefix->note, pe.prefix->provenance.verified,
                                         pe.prefix->provenance.source});
    if (!st.ok()) return st.error();
  }
  if (!im.model_rules.empty() && !im.model_set->Compile()) {
    return MakeError(ErrorCode::kInvalidArgument, "screening data: model patterns do not compile as a set");
  }
  return screener;
}

// Rewrites the raw tokens of a field into canonical token ids with greedy 3/2-token joins
// (pinyin spacing, hyphenation), fuzzy lookups and stop-word flags.
void Screener::Impl::BuildSequence(FieldScratch* fs, std::string* join) const {
  const TokenList& raw = fs->raw;
  fs->seq.clear();
  size_t n = raw.size();
  for (size_t i = 0; i < n;) {
    if (raw.ref(i).cjk) {
      fs->seq.push_back(Pos{kUnknown, static_cast<uint16_t>(i), static_cast<uint16_t>(i + 1), false, false});
      ++i;
      continue;
    }
    bool joined = false;
    for (size_t len = 3; len >= 2 && !joined; --len) {
      if (i + len > n) continue;
      size_t total = 0;
      bool ok = true;
      for (size_t k = 0; k < len; ++k) {
        if (raw.ref(i + k).cjk || raw.ref(i + k).numeric) ok = false;
        total += raw[i + k].size();
      }
      if (!ok || total > max_token_len) continue;
      join->clear();
      for (size_t k = 0; k < len; ++k) join->append(raw[i + k]);
      uint32_t id = TokenId(*join);
      if (id != kUnknown) {
        fs->seq.push_back(Pos{id, static_cast<uint16_t>(i), static_cast<uint16_t>(i + len), false, false});
        i += len;
        joined = true;
      }
    }
    if (joined) continue;
    std::string_view t = raw[i];
    Pos p{TokenId(t), static_cast<uint16_t>(i), static_cast<uint16_t>(i + 1), false, false};
    if (p.id == kUnknown) {
      p.stop = (t.size() <= 4 && StopWords().count(t) > 0) || (t.size() == 1 && !raw.ref(i).numeric);
      if (!p.stop && t.size() >= 6 && t.size() < 64 && t[0] >= 'a' && t[0] <= 'z' &&
          (fuzzy_filter[t[0] - 'a'] >> t.size() & 1) && IsAlpha(t)) {
        // Candidates: variants at deletion distance <= 1 on either side, verified with OSA.
        auto try_key = [&](std::string_view key) {
          if (!BloomMayContain(key)) return;
          auto it = fuzzy.find(key);
          if (it == fuzzy.end()) return;
          for (uint32_t cand : it->second) {
            if (BoundedOsaDistance(t, token_strings[cand], 1) <= 1) {
              p.id = cand;
              p.fuzzy = true;
              return;
            }
          }
        };
        try_key(t);
        for (size_t k = 0; k < t.size() && !p.fuzzy; ++k) {
          join->assign(t.substr(0, k));
          join->append(t.substr(k + 1));
          try_key(*join);
        }
      }
    } else {
      p.stop = tokens[p.id].weight <= 0.0f;
    }
    fs->seq.push_back(p);
    ++i;
  }
}

void Screener::Impl::MatchNames(const CatalogueLine& line, Field field, FieldScratch* fs,
                                std::vector<Match>* out) const {
  const auto& seq = fs->seq;
  bool structured = IsStructuredField(field);
  const std::string& text = line.get(field);
  // Identity weight of the whole field: known tokens at their weight, unknown words at 1.
  float field_weight = 0;
  for (const Pos& q : seq) {
    if (q.stop) continue;
    if (q.id == kUnknown) field_weight += fs->raw.ref(q.raw_begin).numeric ? 0.5f : 1.0f;
    else field_weight += tokens[q.id].weight;
  }
  for (size_t p = 0; p < seq.size(); ++p) {
    if (seq[p].id == kUnknown) continue;
    for (uint32_t n : tokens[seq[p].id].keyed) {
      const Name& name = names[n];
      if (name.structured_only && !structured) continue;
      float credit = 0;
      bool fuzzy = false;
      size_t span_begin = seq[p].raw_begin, span_end = seq[p].raw_end;
      if (structured) {
        // Containment: the share of the name's weight present anywhere in the field.
        for (uint32_t t : name.tokens) {
          for (const Pos& q : seq) {
            if (q.id == t) {
              credit += tokens[t].weight * (q.fuzzy ? kFuzzyTokenCredit : 1.0f);
              fuzzy |= q.fuzzy;
              span_begin = std::min<size_t>(span_begin, q.raw_begin);
              span_end = std::max<size_t>(span_end, q.raw_end);
              break;
            }
          }
        }
      } else {
        // Phrase: every name token in order around this key occurrence, stop words skipped.
        size_t key_idx = 0;
        while (key_idx < name.tokens.size() && name.tokens[key_idx] != seq[p].id) ++key_idx;
        if (key_idx == name.tokens.size()) continue;
        bool ok = true;
        size_t q = p;
        for (size_t k = key_idx; k-- > 0;) {
          do {
            if (q == 0) { ok = false; break; }
            --q;
          } while (seq[q].stop);
          if (!ok || seq[q].id != name.tokens[k]) { ok = false; break; }
          span_begin = seq[q].raw_begin;
          fuzzy |= seq[q].fuzzy;
        }
        q = p;
        for (size_t k = key_idx + 1; ok && k < name.tokens.size(); ++k) {
          do {
            ++q;
          } while (q < seq.size() && seq[q].stop);
          if (q >= seq.size() || seq[q].id != name.tokens[k]) { ok = false; break; }
          span_end = seq[q].raw_end;
          fuzzy |= seq[q].fuzzy;
        }
        if (!ok) continue;
        fuzzy |= seq[p].fuzzy;
        for (uint32_t t : name.tokens) credit += tokens[t].weight;
        if (fuzzy) credit *= kFuzzyTokenCredit;
      }
      double score = name.total_weight > 0 ? credit / name.total_weight : 0.0;
      if (score < kWeakNameScore) continue;
      // Common-word names ("Honor", "Hills") count only as (most of) a structured field.
      if (name.structured_only && field_weight > 0 && credit / field_weight < kStructuredOnlyCoverage) continue;
      const Entity& ent = entities[name.entity];
      Match m;
      m.entity = ent.id;
      m.entity_name = ent.display;
      m.kind = field == Field::kSupplier && !ent.is_list ? MatchKind::kSupplier : name.kind;
      m.field = field;
      uint32_t b = fs->raw.ref(span_begin).src_begin, e = fs->raw.ref(span_end - 1).src_end;
      m.value = structured ? text : text.substr(b, e > b ? e - b : 0);
      m.name = name.text;
      m.score = std::min(1.0, score);
      m.source = name.source;
      m.list_policy = ent.list_policy;
      std::string why;
      if (fuzzy) why = "fuzzy token match (edit distance 1)";
      else if (score < kStrongNameScore) why = "partial name match (score " + FormatScore(score) + ")";
      else if (!name.verified) why = "name not verified by a public source";
      else if (name.weak_alias) why = "weak alias";
      else if (ent.weak_relation) why = ent.relation_note;
      else if (name.kind == MatchKind::kOem) why = "OEM label";
      m.strong = why.empty();
      m.note = why;
      m.token_begin = static_cast<uint16_t>(span_begin);
      m.token_end = static_cast<uint16_t>(span_end);
      out->push_back(std::move(m));
    }
  }
}

void Screener::Impl::MatchCjk(const CatalogueLine& line, Field field, const FieldScratch& fs,
                              std::vector<Match>* out) const {
  for (size_t i = 0; i < fs.raw.size(); ++i) {
    if (!fs.raw.ref(i).cjk) continue;
    std::string_view run = fs.raw[i];
    for (const CjkName& cn : cjk_names) {
      const Name& name = names[cn.name];
      bool hit = false;
      bool strong = true;
      if (cn.core.size() >= 9) {
        hit = run.find(cn.core) != std::string_view::npos;
      } else {
        std::string_view r = run;
        for (std::string_view geo : kCjkGeoPrefixes) {
          if (r.size() > geo.size() && r.substr(0, geo.size()) == geo) {
            r.remove_prefix(geo.size());
            break;
          }
        }
        if (r.substr(0, cn.core.size()) == cn.core) {
          hit = true;
          std::string_view tail = r.substr(cn.core.size());
          strong = tail.empty();
          for (std::string_view ok : kCjkCompanyTails) {
            if (tail.substr(0, ok.size()) == ok) strong = true;
          }
        }
      }
      if (!hit) continue;
      const Entity& ent = entities[name.entity];
      Match m;
      m.entity = ent.id;
      m.entity_name = ent.display;
      m.kind = field == Field::kSupplier && !ent.is_list ? MatchKind::kSupplier : name.kind;
      m.field = field;
      const auto& ref = fs.raw.ref(i);
      m.value = line.get(field).substr(ref.src_begin, ref.src_end - ref.src_begin);
      m.name = name.text;
      m.score = 1.0;
      m.source = name.source;
      m.list_policy = ent.list_policy;
      m.token_begin = static_cast<uint16_t>(i);
      m.token_end = static_cast<uint16_t>(i + 1);
      if (!strong) m.note = "two-character Chinese name followed by unrelated characters";
      else if (!name.verified) m.note = "name not verified by a public source";
      else if (ent.weak_relation) m.note = ent.relation_note;
      m.strong = m.note.empty();
      out->push_back(std::move(m));
    }
  }
}

void Screener::Impl::MatchModels(const CatalogueLine& line, Field field, Scratch* s,
                                 std::vector<Match>* out) const {
  if (model_rules.empty()) return;
  ModelTokens(line.get(field), &s->model_tokens, &s->model_offsets);
  for (size_t i = 0; i < s->model_tokens.size(); ++i) {
    if (!model_first[static_cast<unsigned char>(s->model_tokens[i][0])]) continue;
    s->set_hits.clear();
    if (!model_set->Match(s->model_tokens[i], &s->set_hits)) continue;
    std::sort(s->set_hits.begin(), s->set_hits.end());
    uint32_t last_entity = kUnknown;
    for (int idx : s->set_hits) {
      const ModelRule& rule = model_rules[idx];
      if (rule.entity == last_entity) continue;
      last_entity = rule.entity;
      const Entity& ent = entities[rule.entity];
      Match m;
      m.entity = ent.id;
      m.entity_name = ent.display;
      m.kind = MatchKind::kModelPattern;
      m.field = field;
      m.value = s->model_tokens[i];
      m.name = rule.pattern + (rule.note.empty() ? "" : " (" + rule.note + ")");
      m.score = rule.verified ? 0.7 : 0.5;
      m.source = rule.source;
      m.strong = false;
      m.note = "model-number pattern alone: prefixes collide across vendors and OEM lines";
      // Token span: the first normalised token starting at or after the model token.
      const TokenList& raw = s->fields[static_cast<size_t>(field)].raw;
      size_t tb = 0;
      while (tb < raw.size() && raw.ref(tb).src_begin < s->model_offsets[i]) ++tb;
      m.token_begin = static_cast<uint16_t>(tb);
      m.token_end = static_cast<uint16_t>(std::min(raw.size(), tb + 1));
      out->push_back(std::move(m));
    }
  }
}


namespace {

// Maximum bytes of one field that are screened (memory/time bound; 16 KiB holds any real
// catalogue description). Longer fields are screened on their first kMaxScreenedBytes.
constexpr size_t kMaxScreenedBytes = 16 * 1024;

enum SegmentKind : uint8_t { kSegPlain = 0, kSegRemoval = 1, kSegPurchase = 2 };

// Splits the tokens of a free-text field into segments: a new segment starts at each clause
// boundary and at each removal or purchase word; the segment takes that word's kind.
void Segments(const TokenList& raw, std::vector<uint16_t>* seg_of, std::vector<uint8_t>* seg_kind,
              std::vector<uint16_t>* seg_clause) {
  seg_of->assign(raw.size(), 0);
  seg_kind->clear();
  seg_clause->clear();
  seg_kind->push_back(kSegPlain);
  seg_clause->push_back(raw.size() ? raw.ref(0).clause : 0);
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string_view t = raw[i];
    uint8_t kind = kSegPlain;
    bool verb = false;
    if (RemovalTerms().count(t)) {
      kind = kSegRemoval;
      verb = true;
    } else if (PurchaseTerms().count(t)) {
      kind = kSegPurchase;
      verb = true;
      if ((t == "install" || t == "installation") && i > 0 && (raw[i - 1] == "de" || raw[i - 1] == "un")) {
        kind = kSegRemoval;
      }
    }
    bool new_clause = i > 0 && raw.ref(i).clause != raw.ref(i - 1).clause;
    if (verb || new_clause) {
      seg_kind->push_back(verb ? kind : static_cast<uint8_t>(kSegPlain));
      seg_clause->push_back(raw.ref(i).clause);
    }
    (*seg_of)[i] = static_cast<uint16_t>(seg_kind->size() - 1);
  }
}

}  // namespace

void Screener::Impl::ApplyContext(const FieldScratch& fs, bool line_removal, std::vector<Match>* matches,
                                  size_t first) const {
  const TokenList& raw = fs.raw;
  std::vector<uint16_t> seg_of;
  std::vector<uint8_t> seg_kind;
  std::vector<uint16_t> seg_clause;
  Segments(raw, &seg_of, &seg_kind, &seg_clause);
  std::vector<size_t> order;
  for (size_t i = first; i < matches->size(); ++i) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return (*matches)[a].token_begin < (*matches)[b].token_begin;
  });
  std::vector<std::pair<size_t, bool>> mention_ends;  // (token_end, negated)
  for (size_t idx : order) {
    Match& m = (*matches)[idx];
    size_t b = m.token_begin, e = m.token_end;
    if (b >= raw.size()) continue;
    MatchContext ctx = MatchContext::kNone;
    // Removal: the mention's segment is a removal segment, or a plain leading segment followed
    // by a removal segment in the same clause ("Hikvision camera removal").
    uint16_t seg = seg_of[b];
    if (seg_kind[seg] == kSegRemoval ||
        (seg_kind[seg] == kSegPlain && seg + 1u < seg_kind.size() && seg_kind[seg + 1] == kSegRemoval &&
         seg_clause[seg + 1] == seg_clause[seg])) {
      ctx = MatchContext::kRemoval;
    }
    // Negation: "no X", "non-X", "free of X", "alternative to X", chained over "X or Y".
    if (ctx == MatchContext::kNone) {
      size_t j = b;
      while (j > 0) {
        --j;
        std::string_view t = raw[j];
        if (raw.ref(j).clause != raw.ref(b).clause) break;
        if (LookBackSkip().count(t)) continue;
        if (NegationTerms().count(t)) {
          ctx = MatchContext::kNegated;
          break;
        }
        if (t == "or" || t == "and" || t == "nor") continue;
        bool chained = false;
        for (const auto& [end, neg] : mention_ends) {
          if (end == j + 1 && neg) chained = true;
        }
        if (chained) ctx = MatchContext::kNegated;
        break;
      }
    }
    // Accessory: "for X", "compatible with X", "fits X" within three words before, or
    // "X-compatible", "X style" right after.
    if (ctx == MatchContext::kNone) {
      size_t lo = b >= 3 ? b - 3 : 0;
      for (size_t j = lo; j < b; ++j) {
        if (raw.ref(j).clause == raw.ref(b).clause && AccessoryBefore().count(raw[j])) ctx = MatchContext::kAccessory;
      }
      if (e < raw.size() && raw.ref(e).clause == raw.ref(b).clause && AccessoryAfter().count(raw[e])) {
        ctx = MatchContext::kAccessory;
      }
    }
    if (ctx == MatchContext::kNone && line_removal) ctx = MatchContext::kRemoval;
    m.context = ctx;
    mention_ends.emplace_back(e, ctx == MatchContext::kNegated);
  }
}

void Screener::Screen(const CatalogueLine& line, const ScreenOptions& options, ScreenResult* out) const {
  out->Clear();
  const Impl& im = *impl_;
  thread_local Impl::Scratch scratch;
  Impl::Scratch& s = scratch;
  std::vector<Match>& found = out->matches;

  static constexpr std::array<Field, 6> kNameFields = {Field::kManufacturer, Field::kBrand, Field::kSupplier,
                                                       Field::kDescription, Field::kModel, Field::kPartNumber};
  std::array<bool, kFieldCount> tokenised{};
  for (Field f : kNameFields) {
    const std::string& text = line.get(f);
    if (text.empty()) continue;
    auto& fs = s.fields[static_cast<size_t>(f)];
    std::string_view view(text);
    if (view.size() > kMaxScreenedBytes) view = view.substr(0, kMaxScreenedBytes);
    if (!fs.raw_valid || fs.raw_text != view) {
      Tokenise(view, &fs.raw);
      fs.raw_text.assign(view);
      fs.raw_valid = true;
      fs.seq_generation = 0;
    }
    tokenised[static_cast<size_t>(f)] = true;
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
    // Pass 2: one match per entity and kind: strong first, then score, then the longer span.
    for (size_t a = first; a < found.size(); ++a) {
      for (size_t b = first; b < found.size(); ++b) {
        if (a == b || drop[a] || drop[b]) continue;
        const Match& ma = found[a];
        const Match& mb = found[b];
        if (ma.entity != mb.entity || ma.kind != mb.kind) continue;
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
  // Context rules only when something matched (most lines match nothing).
  bool line_removal = false;
  if (!found.empty()) {
    // Line-level removal: the description asks for removal and for no purchase.
    if (tokenised[static_cast<size_t>(Field::kDescription)]) {
      const TokenList& raw = s.fields[static_cast<size_t>(Field::kDescription)].raw;
      bool removal = false, purchase = false;
      for (size_t i = 0; i < raw.size(); ++i) {
        bool un_install = (raw[i] == "install" || raw[i] == "installation") && i > 0 &&
                          (raw[i - 1] == "de" || raw[i - 1] == "un");
        if (RemovalTerms().count(raw[i]) || un_install) removal = true;
        else if (PurchaseTerms().count(raw[i]) && raw[i] != "with") purchase = true;
      }
      line_removal = removal && !purchase;
    }
    for (Field f : kNameFields) {
      auto [first, end] = ranges[static_cast<size_t>(f)];
      if (first == end) continue;
      std::vector<Match> part(std::make_move_iterator(found.begin() + first), std::make_move_iterator(found.begin() + end));
      bool field_line_removal = line_removal && f != Field::kSupplier;
      im.ApplyContext(s.fields[static_cast<size_t>(f)], f == Field::kDescription ? false : field_line_removal, &part, 0);
      if (f == Field::kSupplier) {
        for (auto& m : part) {
          if (m.context == MatchContext::kRemoval) m.context = MatchContext::kNone;
        }
      }
      std::move(part.begin(), part.end(), found.begin() + first);
    }
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
    if (line_removal) ex.notes.push_back("context: the description asks for removal/disposal and no purchase");
    for (const Match& m : found) {
      std::string n = "candidate " + m.entity + " (" + m.entity_name + ") kind=" + MatchKindName(m.kind) +
                      " field=" + FieldName(m.field) + " value='" + m.value + "' name='" + m.name +
                      "' score=" + FormatScore(m.score) + (m.strong ? " strong" : " weak");
      if (!m.note.empty()) n += " (" + m.note + ")";
      if (m.context != MatchContext::kNone) n += " context=" + std::string(MatchContextName(m.context));
      ex.notes.push_back(std::move(n));
    }
    out->explanation = std::move(ex);
  }
  im.Decide(line, selected_, options, &s, out);
}

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

// True iff `a` is better evidence than `b` for the same entity.
bool BetterEvidence(const Match& a, const Match& b) {
  bool a_eff = a.context != MatchContext::kRemoval && a.context != MatchContext::kNegated;
  bool b_eff = b.context != MatchContext::kRemoval && b.context != MatchContext::kNegated;
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
    if (s->have_last_date && s->last_date_text == date_text) {
      date = s->last_date;
    } else {
      date = ParseLineDate(date_text);
      s->last_date_text = date_text;
      s->last_date = date;
      s->have_last_date = true;
    }
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
    return BetterEvidence(found[a], found[b]);
  });

  if (found.empty()) {
    // Fast path: nothing matched. Reuse the verdict objects' storage.
    out->verdicts.resize(selected.size());
    for (size_t i = 0; i < selected.size(); ++i) {
      LineVerdict& v = out->verdicts[i];
      v.policy.assign(selected[i]->id);
      v.status = VerdictStatus::kClear;
      v.reason.assign("no covered vendor, brand, model pattern or list entry found");
      v.clause.clear();
      v.rule.assign("no evidence");
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
      bool effective = best.context != MatchContext::kRemoval && best.context != MatchContext::kNegated;
      bool strong = false;
      bool accessory_only = true;
      for (size_t k = gi; k < ge; ++k) {
        const Match& m = found[order[k]];
        if (m.context == MatchContext::kRemoval || m.context == MatchContext::kNegated) continue;
        if (m.context != MatchContext::kAccessory) accessory_only = false;
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
            neutral_reason = describe(order[gi]) + " but only in " + MatchContextName(best.context) +
                             " context: " +
                             (best.context == MatchContext::kRemoval
                                  ? "removing or disposing of covered equipment is not a purchase of it"
                                  : "the line says the item is not, or replaces, that vendor's product");
          }
        }
        gi = ge;
        continue;
      }
      std::string cap;
      if (status != VerdictStatus::kClear && accessory_only) {
        status = VerdictStatus::kReview;
        cap = "accessory or compatibility mention ('for'/'compatible with'): at most review";
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
                  (status == v.status && decider && BetterEvidence(best, *decider));
      if (take) {
        v.status = status;
        v.reason.assign(describe(order[gi])).append(": ").append(reason);
        if (!cap.empty()) v.reason.append(" [").append(cap).append("]");
        v.clause.assign(clause);
        v.rule.assign(pol->id).append(": ").append(rule).append(" via ").append(MatchKindName(best.kind));
        v.rule.append(" match in ").append(FieldName(best.field));
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
        v.rule = pol->id + ": context rule (" + std::string(MatchContextName(neutral.front().context)) + ")";
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
