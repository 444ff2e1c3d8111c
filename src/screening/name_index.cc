// The screener's name index: building it from the registry, the screening data and imported
// lists (Create), and querying it per field: token sequences with joins and fuzzy lookups,
// phrase/containment scoring, CJK names and model-number patterns. Rules: docs/screening.md,
// "Matching".
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>

#include "core/strings.h"
#include "screening/screener_impl.h"

namespace phaseout::screening {
namespace {



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

}  // namespace

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
  im.roles = data.roles;
  for (const PhraseList* list : {&im.roles.replaced_before, &im.roles.removal_before, &im.roles.service_topic,
                                 &im.roles.service_in_use, &im.roles.purchase, &im.roles.removal_after,
                                 &im.roles.known_makers}) {
    list->ForEachFirstToken([&](const std::string& t) { im.cue_first_tokens.insert(t); });
  }
  for (const auto& w : data.weights.stop_words) im.stop_words.insert(w);
  for (const auto& w : data.weights.generic_words) im.generic_words.insert(w);
  for (const auto& w : data.weights.geo_words) im.geo_words.insert(w);
  im.cjk_company_tails = data.weights.cjk_company_tails;
  im.cjk_geo_prefixes = data.weights.cjk_geo_prefixes;
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
    // Weak ties say where they come from, so a reviewer can judge them.
    if (!group) {
      ent.weak_relation = true;
      ent.relation_note = "OEM label: products are in part built by a covered maker";
      for (const auto* link : oem) {
        if (!reg.IsRestrictedMaker(link->maker)) continue;
        ent.relation_note += std::string("; tie to ") + link->maker + ", confidence " +
                             policy::ConfidenceName(link->confidence) +
                             (link->provenance.source.empty() ? ", no source recorded" : ", source: " + link->provenance.source);
        break;
      }
    } else if (group->confidence == policy::Confidence::kLow ||
               group->confidence == policy::Confidence::kUnverified) {
      ent.weak_relation = true;
      ent.relation_note = std::string("group link confidence ") + policy::ConfidenceName(group->confidence);
      for (const auto* link : group->links) {
        if (link && link->confidence == group->confidence) {
          ent.relation_note += link->provenance.source.empty() ? "; no source recorded"
                                                               : "; source of the tie: " + link->provenance.source;
          break;
        }
      }
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
      if (im.stop_words.count(tl[i]) || (tl[i].size() == 1 && !tl.ref(i).numeric)) continue;
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
    // Document frequencies count each token once per name; the name keeps its order for
    // phrase matching.
    std::vector<uint32_t> uniq = canon;
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    for (uint32_t t : uniq) im.tokens[t].df++;
    im.names[n].tokens = std::move(canon);
  }
  // Token weights: generic and place words are low; numbers medium; frequent tokens capped.
  const std::vector<std::string>& token_text = im.token_strings;
  size_t freq_cap = std::max<size_t>(25, im.names.size() / 100);
  for (size_t t = 0; t < im.tokens.size(); ++t) {
    std::string_view text = token_text[t];
    float w = 1.0f;
    if (im.generic_words.count(text)) {
      w = 0.2f;
    } else if (im.geo_words.count(text)) {
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
      if (im.tokens[t].weight < 1.0f || text.size() < kFuzzyMinNameLetters || !IsAlpha(text)) continue;
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
    // Hash states of raw[i], raw[i]+raw[i+1] and raw[i]+raw[i+1]+raw[i+2]: the Bloom filter
    // rejects most joins before any string is built.
    uint64_t h1 = HashStep(kHashSeed, raw[i]);
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
      uint64_t h = h1;
      for (size_t k = 1; k < len; ++k) h = HashStep(h, raw[i + k]);
      if (!BloomMayContainHash(HashFinish(h))) continue;
      join->clear();
      for (size_t k = 0; k < len; ++k) join->append(raw[i + k]);
      auto it = vocab.find(std::string_view(*join));
      if (it != vocab.end()) {
        fs->seq.push_back(Pos{it->second, static_cast<uint16_t>(i), static_cast<uint16_t>(i + len), false, false});
        i += len;
        joined = true;
      }
    }
    if (joined) continue;
    std::string_view t = raw[i];
    uint32_t id = kUnknown;
    if (BloomMayContainHash(HashFinish(h1))) {
      auto it = vocab.find(t);
      if (it != vocab.end()) id = it->second;
    }
    Pos p{id, static_cast<uint16_t>(i), static_cast<uint16_t>(i + 1), false, false};
    if (p.id == kUnknown) {
      p.stop = (t.size() <= 4 && stop_words.count(t) > 0) || (t.size() == 1 && !raw.ref(i).numeric);
      if (!p.stop && t.size() + 1 >= kFuzzyMinNameLetters && t.size() < 64 && t[0] >= 'a' && t[0] <= 'z' &&
          (fuzzy_filter[t[0] - 'a'] >> t.size() & 1) && IsAlpha(t) && !roles.fuzzy_guard.Contains(t)) {
        // Candidates: variants at deletion distance <= 1 on either side, verified with OSA.
        // `h` is Hash64 of the variant; the string is built only when the Bloom filter may
        // contain it.
        auto try_key = [&](uint64_t h, std::string_view key) {
          if (!BloomMayContainHash(h)) return;
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
        try_key(HashFinish(h1), t);
        uint64_t prefix = kHashSeed;  // hash state of t[0, k)
        for (size_t k = 0; k < t.size() && !p.fuzzy; ++k) {
          uint64_t h = HashFinish(HashStep(prefix, t.substr(k + 1)));
          if (BloomMayContainHash(h)) {
            join->assign(t.substr(0, k));
            join->append(t.substr(k + 1));
            try_key(h, *join);
          }
          prefix = HashStep(prefix, t.substr(k, 1));
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
        for (std::string_view geo : cjk_geo_prefixes) {
          if (r.size() > geo.size() && r.substr(0, geo.size()) == geo) {
            r.remove_prefix(geo.size());
            break;
          }
        }
        if (r.substr(0, cn.core.size()) == cn.core) {
          hit = true;
          std::string_view tail = r.substr(cn.core.size());
          strong = tail.empty();
          for (std::string_view ok : cjk_company_tails) {
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
  FieldScratch& fs = s->fields[static_cast<size_t>(field)];
  const std::string& text = line.get(field);
  if (!fs.model_valid || text.size() != fs.raw_text.size()) {
    ModelTokens(text, &fs.model_tokens, &fs.model_offsets);
    fs.model_valid = text.size() == fs.raw_text.size();  // raw_text is a prefix of text
  }
  for (size_t i = 0; i < fs.model_tokens.size(); ++i) {
    const std::string& token = fs.model_tokens[i];
    if (!model_first[static_cast<unsigned char>(token[0])]) continue;
    auto& memo = s->model_memo[Hash64(token) & (Scratch::kModelMemoSlots - 1)];
    if (memo.generation != generation || memo.token != token) {
      memo.hits.clear();
      // Most tokens match no pattern: ask first without collecting hits (RE2 then allocates
      // nothing), and collect them only for a token that matches.
      memo.matched = model_set->Match(token, nullptr) && model_set->Match(token, &memo.hits);
      std::sort(memo.hits.begin(), memo.hits.end());
      memo.token = token;
      memo.generation = generation;
    }
    if (!memo.matched) continue;
    uint32_t last_entity = kUnknown;
    for (int idx : memo.hits) {
      const ModelRule& rule = model_rules[idx];
      if (rule.entity == last_entity) continue;
      last_entity = rule.entity;
      const Entity& ent = entities[rule.entity];
      Match m;
      m.entity = ent.id;
      m.entity_name = ent.display;
      m.kind = MatchKind::kModelPattern;
      m.field = field;
      m.value = fs.model_tokens[i];
      m.name = rule.pattern + (rule.note.empty() ? "" : " (" + rule.note + ")");
      m.score = rule.verified ? 0.7 : 0.5;
      m.source = rule.source;
      // A verified model stem in a model or part-number column decides the maker, whatever the
      // label (the OEM case); in free text, or unverified, it stays a weak signal.
      bool model_column = field == Field::kModel || field == Field::kPartNumber;
      m.strong = rule.verified && model_column && !ent.weak_relation;
      m.note = m.strong ? std::string()
               : model_column ? "unverified model-number pattern: prefixes collide across vendors"
                              : "model-number pattern in free text: prefixes collide across vendors and OEM lines";
      // Token span: the first normalised token starting at or after the model token.
      const TokenList& raw = fs.raw;
      size_t tb = 0;
      while (tb < raw.size() && raw.ref(tb).src_begin < fs.model_offsets[i]) ++tb;
      m.token_begin = static_cast<uint16_t>(tb);
      m.token_end = static_cast<uint16_t>(std::min(raw.size(), tb + 1));
      out->push_back(std::move(m));
    }
  }
}


}  // namespace phaseout::screening
