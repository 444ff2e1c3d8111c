// Loading, validation and compilation of fingerprint rule files, and RE2::Set matching.
#include "fingerprint/rule_db.h"

#include <re2/re2.h>
#include <re2/set.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace phaseout::fingerprint {

double StrengthWeight(Strength s) {
  switch (s) {
    case Strength::kStrong: return 0.9;
    case Strength::kMedium: return 0.6;
    case Strength::kWeak: return 0.3;
    case Strength::kHint: return 0.15;
  }
  return 0.0;
}

const char* EvidenceKindName(EvidenceKind k) {
  return k == EvidenceKind::kIdentifying ? "identifying" : "corroborating";
}

const char* StrengthName(Strength s) {
  switch (s) {
    case Strength::kStrong: return "strong";
    case Strength::kMedium: return "medium";
    case Strength::kWeak: return "weak";
    case Strength::kHint: return "hint";
  }
  return "hint";
}

bool IsExtractField(std::string_view field) {
  for (const char* f : kExtractFields) {
    if (field == f) return true;
  }
  return false;
}

struct RuleDb::KeyIndex {
  std::unique_ptr<re2::RE2::Set> set;
  std::vector<size_t> rules;  // set index -> rule index
};

RuleDb::RuleDb() = default;
RuleDb::~RuleDb() = default;

namespace {

// Rule files bigger than this are refused: the shipped ones are a few KiB, and yaml-cpp keeps
// the whole document in memory.
constexpr size_t kMaxRuleFileBytes = 4u << 20;
constexpr size_t kMaxExamples = 20;

re2::RE2::Options RegexOptions(bool icase) {
  re2::RE2::Options opt;
  // Latin-1: observation values are raw device bytes, not necessarily UTF-8; every byte is one
  // character. Write non-ASCII bytes in patterns as \xNN.
  opt.set_encoding(re2::RE2::Options::EncodingLatin1);
  opt.set_case_sensitive(!icase);
  opt.set_log_errors(false);
  return opt;
}

bool IsIdSyntax(std::string_view s, bool need_dot) {
  if (s.empty()) return false;
  bool dot = false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
    if (c == '.') dot = true;
  }
  if (s.front() == '.' || s.back() == '.') return false;
  return dot || !need_dot;
}

bool KeyAllowed(const std::set<std::string>& vocab, const std::string& key) {
  if (vocab.count(key) != 0) return true;
  for (const auto& entry : vocab) {
    if (entry.size() > 2 && entry.compare(entry.size() - 2, 2, ".*") == 0) {
      std::string_view prefix(entry.data(), entry.size() - 1);  // keeps the dot
      if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) return true;
    }
  }
  return false;
}

// Collects the $N references of an extract template. Returns false on a malformed one
// ("$" not followed by a digit 1-9).
bool TemplateRefs(std::string_view tmpl, std::set<int>* refs) {
  for (size_t pos = 0; pos < tmpl.size(); ++pos) {
    if (tmpl[pos] != '$') continue;
    if (pos + 1 >= tmpl.size() || tmpl[pos + 1] < '1' || tmpl[pos + 1] > '9') return false;
    refs->insert(tmpl[pos + 1] - '0');
    ++pos;
  }
  return true;
}

std::string Expand(std::string_view tmpl, const re2::StringPiece* groups, int ngroups) {
  std::string out;
  for (size_t pos = 0; pos < tmpl.size(); ++pos) {
    if (tmpl[pos] == '$' && pos + 1 < tmpl.size() && tmpl[pos + 1] >= '1' && tmpl[pos + 1] <= '9') {
      int g = tmpl[pos + 1] - '0';
      if (g <= ngroups && groups[g].data() != nullptr) out.append(groups[g].data(), groups[g].size());
      ++pos;
    } else {
      out.push_back(tmpl[pos]);
    }
  }
  return out;
}

// Parser of one rule file. Every failure becomes an Error whose message starts with
// "<file>:<line>:".
class FileParser {
 public:
  FileParser(const RuleText& text, const LoadOptions& options) : text_(text), options_(options) {}

  Status Parse(RuleFile* file, std::vector<Rule>* rules) {
    YAML::Node root;
    try {
      root = YAML::Load(text_.text);
    } catch (const YAML::ParserException& e) {
      return Fail(e.mark.line + 1, "invalid YAML: " + e.msg);
    } catch (const YAML::Exception& e) {
      return Fail(0, std::string("invalid YAML: ") + e.what());
    }
    try {
      return ParseRoot(root, file, rules);
    } catch (const YAML::Exception& e) {
      // Conversions are type-checked before use, so this is a safety net only.
      return Fail(e.mark.line + 1, std::string("invalid rule file: ") + e.what());
    }
  }

 private:
  Status Fail(int line, const std::string& msg) const {
    std::string where = text_.name;
    if (line > 0) where += ":" + std::to_string(line);
    return MakeError(ErrorCode::kInvalidArgument, where + ": " + msg);
  }
  Status FailRule(const YAML::Node& node, const std::string& id, const std::string& msg) const {
    return Fail(Line(node), "rule '" + id + "': " + msg);
  }
  static int Line(const YAML::Node& node) { return node.Mark().line + 1; }

  // Reads a required non-empty scalar string.
  bool Scalar(const YAML::Node& map, const char* key, std::string* out) const {
    YAML::Node n = map[key];
    if (!n || !n.IsScalar()) return false;
    *out = n.Scalar();
    return true;
  }

  Status ParseRoot(const YAML::Node& root, RuleFile* file, std::vector<Rule>* rules) {
    if (!root.IsMap()) return Fail(Line(root), "a rule file must be a YAML mapping with 'rules:'");
    for (const auto& kv : root) {
      const std::string k = kv.first.Scalar();
      if (k != "description" && k != "source" && k != "key" && k != "keys" && k != "rules") {
        return Fail(Line(kv.first), "unknown top-level field '" + k +
                                        "' (allowed: description, source, key, keys, rules)");
      }
    }
    file->name = text_.name;
    if (!Scalar(root, "description", &file->description) || file->description.empty()) {
      return Fail(Line(root), "missing file 'description'");
    }
    if (!Scalar(root, "source", &file->source) || file->source.empty()) {
      return Fail(Line(root), "missing file 'source'");
    }
    if (root["key"] && root["keys"]) return Fail(Line(root["keys"]), "give either 'key' or 'keys', not both");
    if (root["key"]) {
      if (!root["key"].IsScalar()) return Fail(Line(root["key"]), "'key' must be a string");
      file->keys.push_back(root["key"].Scalar());
    } else if (root["keys"]) {
      if (!root["keys"].IsSequence() || root["keys"].size() == 0) {
        return Fail(Line(root["keys"]), "'keys' must be a non-empty list of observation keys");
      }
      for (const auto& k : root["keys"]) {
        if (!k.IsScalar()) return Fail(Line(k), "'keys' entries must be strings");
        file->keys.push_back(k.Scalar());
      }
    } else {
      return Fail(Line(root), "missing 'key' (or 'keys'): the observation key(s) the rules match");
    }
    for (const auto& k : file->keys) {
      if (!IsIdSyntax(k, true)) return Fail(Line(root), "bad observation key '" + k + "'");
      if (options_.keys && !KeyAllowed(*options_.keys, k)) {
        return Fail(Line(root), "unknown observation key '" + k +
                                    "' (not in data/identifiers/fields.yaml)");
      }
    }
    YAML::Node list = root["rules"];
    if (!list || !list.IsSequence() || list.size() == 0) {
      return Fail(Line(root), "missing 'rules' (a non-empty list)");
    }
    for (const auto& node : list) {
      Rule rule;
      if (Status st = ParseRule(node, file->keys, &rule); !st.ok()) return st;
      rules->push_back(std::move(rule));
    }
    return Status::Ok();
  }

  Status CheckName(const YAML::Node& node, const std::string& id, const std::string& field,
                   const std::string& value) const {
    if (value.find('$') != std::string::npos) return Status::Ok();  // capture: checked at run time
    if (field == "manufacturer" || field == "brand") {
      if (!IsIdSyntax(value, false)) {
        return FailRule(node, id, "extract." + field + " '" + value + "' is not a vendor id");
      }
      if (options_.vendor_ids && options_.vendor_ids->count(value) == 0) {
        return FailRule(node, id, "unknown vendor id '" + value + "' in extract." + field +
                                      " (not in vendors.yaml)");
      }
    } else if (field == "device_type") {
      if (options_.device_types && options_.device_types->count(value) == 0) {
        return FailRule(node, id, "unknown device type '" + value +
                                      "' (not in data/identifiers/device_types.yaml)");
      }
    }
    return Status::Ok();
  }

  Status ParseRule(const YAML::Node& node, const std::vector<std::string>& keys, Rule* rule) {
    if (!node.IsMap()) return Fail(Line(node), "each rule must be a mapping");
    if (!Scalar(node, "id", &rule->id) || rule->id.empty()) return Fail(Line(node), "rule without 'id'");
    const std::string& id = rule->id;
    if (!IsIdSyntax(id, true)) {
      return FailRule(node, id, "bad id (use dotted lowercase, e.g. hikvision.http.server.webs)");
    }
    static const std::set<std::string> kAllowed = {
        "id",       "description", "pattern",  "flags",    "strength",          "evidence",
        "correlation", "extract", "source", "verified", "examples", "negative_examples", "note"};
    for (const auto& kv : node) {
      if (kAllowed.count(kv.first.Scalar()) == 0) {
        return FailRule(kv.first, id, "unknown field '" + kv.first.Scalar() + "'");
      }
    }
    rule->line = Line(node);
    rule->file = text_.name;
    rule->keys = keys;
    if (!Scalar(node, "description", &rule->description) || rule->description.empty()) {
      return FailRule(node, id, "missing 'description'");
    }
    if (!Scalar(node, "pattern", &rule->pattern) || rule->pattern.empty()) {
      return FailRule(node, id, "missing 'pattern'");
    }
    if (!Scalar(node, "source", &rule->source) || rule->source.empty()) {
      return FailRule(node, id, "missing 'source'");
    }
    std::string strength;
    if (!Scalar(node, "strength", &strength)) return FailRule(node, id, "missing 'strength'");
    if (strength == "strong") rule->strength = Strength::kStrong;
    else if (strength == "medium") rule->strength = Strength::kMedium;
    else if (strength == "weak") rule->strength = Strength::kWeak;
    else if (strength == "hint") rule->strength = Strength::kHint;
    else return FailRule(node["strength"], id, "strength '" + strength + "' is not one of strong, medium, weak, hint");
    std::string evidence;
    if (!Scalar(node, "evidence", &evidence)) {
      return FailRule(node, id, "missing 'evidence' (identifying or corroborating)");
    }
    if (evidence == "identifying") rule->evidence = EvidenceKind::kIdentifying;
    else if (evidence == "corroborating") rule->evidence = EvidenceKind::kCorroborating;
    else return FailRule(node["evidence"], id, "evidence '" + evidence + "' is not one of identifying, corroborating");
    if (YAML::Node corr = node["correlation"]) {
      if (!corr.IsScalar() || !IsIdSyntax(corr.Scalar(), false)) {
        return FailRule(corr, id, "'correlation' must be a group id (lowercase letters, digits, '-', '_', '.')");
      }
      rule->correlation = corr.Scalar();
    }
    std::string verified;
    if (!Scalar(node, "verified", &verified)) return FailRule(node, id, "missing 'verified' (true or false)");
    if (verified == "true") rule->verified = true;
    else if (verified == "false") rule->verified = false;
    else return FailRule(node["verified"], id, "'verified' must be true or false");
    if (YAML::Node flags = node["flags"]) {
      if (!flags.IsSequence()) return FailRule(flags, id, "'flags' must be a list");
      for (const auto& f : flags) {
        if (!f.IsScalar() || f.Scalar() != "icase") {
          return FailRule(f, id, "unknown flag (allowed: icase)");
        }
        rule->icase = true;
      }
    }
    // Compile to validate and count groups; RuleDb compiles again into its own storage.
    re2::RE2 re(rule->pattern, RegexOptions(rule->icase));
    if (!re.ok()) return FailRule(node["pattern"], id, "bad pattern: " + re.error());
    rule->capture_groups = re.NumberOfCapturingGroups();

    std::set<int> refs;
    if (YAML::Node ex = node["extract"]) {
      if (!ex.IsMap()) return FailRule(ex, id, "'extract' must be a mapping field -> value");
      for (const auto& kv : ex) {
        const std::string field = kv.first.Scalar();
        if (!IsExtractField(field)) {
          return FailRule(kv.first, id, "unknown extract field '" + field +
                                            "' (allowed: manufacturer, brand, device_type, model, firmware, serial)");
        }
        if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
          return FailRule(kv.second, id, "extract." + field + " must be a non-empty string");
        }
        const std::string value = kv.second.Scalar();
        if (!TemplateRefs(value, &refs)) {
          return FailRule(kv.second, id, "extract." + field + " '" + value +
                                             "': '$' must be followed by a capture group number 1-9");
        }
        if (Status st = CheckName(kv.second, id, field, value); !st.ok()) return st;
        rule->extract[field] = value;
      }
    }
    if (rule->extract.empty()) return FailRule(node, id, "'extract' is missing or empty: a rule must conclude something");
    int max_ref = refs.empty() ? 0 : *refs.rbegin();
    if (max_ref > rule->capture_groups || static_cast<int>(refs.size()) != rule->capture_groups) {
      return FailRule(node["pattern"], id,
                      "capture group count mismatch: pattern has " + std::to_string(rule->capture_groups) +
                          " capturing group(s) but extract uses " + std::to_string(refs.size()) +
                          " distinct reference(s)" + (max_ref > 0 ? " up to $" + std::to_string(max_ref) : "") +
                          " (use (?:...) for groups that only group)");
    }

    YAML::Node examples = node["examples"];
    if (!examples || !examples.IsSequence() || examples.size() == 0) {
      return FailRule(node, id, "missing example: every rule needs at least one entry in 'examples'");
    }
    if (examples.size() > kMaxExamples) {
      return FailRule(examples, id, "too many examples (" + std::to_string(examples.size()) + ", max 20)");
    }
    for (const auto& e : examples) {
      Example example;
      example.line = Line(e);
      if (!e.IsMap() || !e["value"] || !e["value"].IsScalar()) {
        return FailRule(e, id, "each example needs a 'value' string");
      }
      for (const auto& kv : e) {
        const std::string field = kv.first.Scalar();
        if (field == "value") continue;
        if (field == "note") continue;
        if (!IsExtractField(field)) return FailRule(kv.first, id, "example field '" + field + "' is not an extract field");
        if (rule->extract.count(field) == 0) {
          return FailRule(kv.first, id, "example declares '" + field + "' but the rule does not extract it");
        }
        if (!kv.second.IsScalar()) return FailRule(kv.second, id, "example field '" + field + "' must be a string");
        example.expect[field] = kv.second.Scalar();
      }
      example.value = e["value"].Scalar();
      rule->examples.push_back(std::move(example));
    }
    if (YAML::Node neg = node["negative_examples"]) {
      if (!neg.IsSequence()) return FailRule(neg, id, "'negative_examples' must be a list of strings");
      for (const auto& n : neg) {
        if (!n.IsScalar()) return FailRule(n, id, "'negative_examples' entries must be strings");
        rule->negative_examples.push_back(n.Scalar());
      }
    }
    return Status::Ok();
  }

  const RuleText& text_;
  const LoadOptions& options_;
};

}  // namespace

Result<std::shared_ptr<const RuleDb>> RuleDb::LoadTexts(const std::vector<RuleText>& texts,
                                                        const LoadOptions& options) {
  std::shared_ptr<RuleDb> db(new RuleDb());
  std::map<std::string, std::string> id_to_file;
  for (const auto& text : texts) {
    RuleFile file;
    std::vector<Rule> rules;
    FileParser parser(text, options);
    if (Status st = parser.Parse(&file, &rules); !st.ok()) return st.error();
    for (auto& rule : rules) {
      auto [it, inserted] = id_to_file.emplace(rule.id, text.name + ":" + std::to_string(rule.line));
      if (!inserted) {
        return MakeError(ErrorCode::kInvalidArgument,
                         text.name + ":" + std::to_string(rule.line) + ": rule '" + rule.id +
                             "': duplicate id (first defined at " + it->second + ")");
      }
      file.rules.push_back(db->rules_.size());
      db->regexes_.push_back(std::make_unique<re2::RE2>(rule.pattern, RegexOptions(rule.icase)));
      db->rules_.push_back(std::move(rule));
    }
    db->files_.push_back(std::move(file));
  }
  // One RE2::Set per key. Case-insensitive rules get an inline (?i) because a Set has one
  // options object for all its patterns.
  for (const auto& file : db->files_) {
    for (const auto& key : file.keys) {
      auto& slot = db->by_key_[key];
      if (!slot) slot = std::make_unique<KeyIndex>();
      for (size_t rule_index : file.rules) slot->rules.push_back(rule_index);
    }
  }
  for (auto& [key, index] : db->by_key_) {
    re2::RE2::Options opt = RegexOptions(false);
    opt.set_max_mem(64 << 20);
    index->set = std::make_unique<re2::RE2::Set>(opt, re2::RE2::UNANCHORED);
    for (size_t rule_index : index->rules) {
      const Rule& rule = db->rules_[rule_index];
      std::string err;
      std::string pattern = rule.icase ? "(?i)" + rule.pattern : rule.pattern;
      if (index->set->Add(pattern, &err) < 0) {
        return MakeError(ErrorCode::kInvalidArgument, rule.file + ":" + std::to_string(rule.line) +
                                                          ": rule '" + rule.id + "': bad pattern: " + err);
      }
    }
    if (!index->set->Compile()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "rules for key '" + key + "' are too large to compile into one RE2::Set");
    }
  }
  return std::shared_ptr<const RuleDb>(std::move(db));
}

Result<std::shared_ptr<const RuleDb>> RuleDb::LoadDirectory(const std::string& dir,
                                                            const LoadOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return MakeError(ErrorCode::kNotFound, "rule directory '" + dir + "' does not exist or is not a directory");
  }
  std::vector<fs::path> paths;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& p = it->path();
    if (it->is_regular_file(ec) && (p.extension() == ".yaml" || p.extension() == ".yml")) paths.push_back(p);
  }
  if (ec) return MakeError(ErrorCode::kIo, "cannot list rule directory '" + dir + "': " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<RuleText> texts;
  for (const auto& p : paths) {
    auto size = fs::file_size(p, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot read rule file '" + p.string() + "': " + ec.message());
    if (size > kMaxRuleFileBytes) {
      return MakeError(ErrorCode::kInvalidArgument, p.string() + ": rule file larger than 4 MiB");
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kIo, "cannot open rule file '" + p.string() + "'");
    std::ostringstream buf;
    buf << in.rdbuf();
    texts.push_back(RuleText{p.string(), buf.str()});
  }
  return LoadTexts(texts, options);
}

std::optional<RuleMatch> RuleDb::MatchRule(size_t rule_index, std::string_view value) const {
  const re2::RE2& re = *regexes_[rule_index];
  const Rule& rule = rules_[rule_index];
  // Group 0 plus at most 9 referenced groups (the loader guarantees capture_groups <= 9
  // whenever extract references them; unreferenced groups are refused).
  constexpr int kMaxGroups = 10;
  re2::StringPiece groups[kMaxGroups];
  int n = std::min(rule.capture_groups + 1, kMaxGroups);
  re2::StringPiece text(value.data(), value.size());
  if (!re.Match(text, 0, text.size(), re2::RE2::UNANCHORED, groups, n)) return std::nullopt;
  RuleMatch m;
  m.rule = &rule;
  m.rule_index = rule_index;
  m.match_begin = static_cast<size_t>(groups[0].data() - value.data());
  m.match_end = m.match_begin + groups[0].size();
  for (const auto& [field, tmpl] : rule.extract) m.fields[field] = Expand(tmpl, groups, n - 1);
  return m;
}

std::vector<RuleMatch> RuleDb::Match(std::string_view key, std::string_view value) const {
  std::vector<RuleMatch> out;
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return out;
  std::vector<int> hits;
  if (!it->second->set->Match(re2::StringPiece(value.data(), value.size()), &hits)) return out;
  std::sort(hits.begin(), hits.end());
  for (int hit : hits) {
    if (auto m = MatchRule(it->second->rules[static_cast<size_t>(hit)], value)) out.push_back(std::move(*m));
  }
  return out;
}

std::vector<std::string> RuleDb::Keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, index] : by_key_) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

namespace {

Result<YAML::Node> LoadYamlFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return MakeError(ErrorCode::kNotFound, "vocabulary file '" + path + "' not found");
  }
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": " + e.what());
  }
}

// Reads `list_name:` as a list of mappings and collects the scalar at `field` of each.
Result<std::set<std::string>> ReadIdList(const std::string& path, const char* list_name, const char* field) {
  auto doc = LoadYamlFile(path);
  if (!doc) return doc.error();
  YAML::Node list = (*doc)[list_name];
  if (!list || !list.IsSequence()) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": expected a top-level '" + list_name + "' list");
  }
  std::set<std::string> out;
  for (const auto& item : list) {
    if (!item.IsMap() || !item[field] || !item[field].IsScalar()) {
      return MakeError(ErrorCode::kInvalidArgument, path + ":" + std::to_string(item.Mark().line + 1) +
                                                        ": each entry needs a '" + field + "' string");
    }
    out.insert(item[field].Scalar());
  }
  return out;
}

void CollectIds(const YAML::Node& node, std::set<std::string>* out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (kv.first.IsScalar() && kv.first.Scalar() == "id" && kv.second.IsScalar()) {
        out->insert(kv.second.Scalar());
      } else {
        CollectIds(kv.second, out);
      }
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) CollectIds(item, out);
  }
}

}  // namespace

Result<LoadOptions> LoadVocabularies(const std::string& data_dir) {
  LoadOptions options;
  auto keys = ReadIdList(data_dir + "/identifiers/fields.yaml", "fields", "key");
  if (!keys) return keys.error();
  options.keys = std::move(*keys);
  auto types = ReadIdList(data_dir + "/identifiers/device_types.yaml", "device_types", "id");
  if (!types) return types.error();
  options.device_types = std::move(*types);
  const std::string vendors_path = data_dir + "/vendors.yaml";
  std::error_code ec;
  if (std::filesystem::is_regular_file(vendors_path, ec)) {
    auto doc = LoadYamlFile(vendors_path);
    if (!doc) return doc.error();
    std::set<std::string> ids;
    try {
      CollectIds(*doc, &ids);
      if (YAML::Node v = (*doc)["vendors"]; v && v.IsMap()) {
        for (const auto& kv : v) ids.insert(kv.first.Scalar());
      }
    } catch (const YAML::Exception& e) {
      return MakeError(ErrorCode::kInvalidArgument, vendors_path + ": " + e.what());
    }
    if (ids.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, vendors_path + ": no vendor ids ('id:' entries) found");
    }
    options.vendor_ids = std::move(ids);
  }
  return options;
}

Result<std::shared_ptr<const RuleDb>> LoadRuleDbFromDataDir(const std::string& data_dir) {
  auto options = LoadVocabularies(data_dir);
  if (!options) return options.error();
  return RuleDb::LoadDirectory(data_dir + "/fingerprints", *options);
}

}  // namespace phaseout::fingerprint
