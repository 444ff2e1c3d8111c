// RuleDb: the fingerprint rules of data/fingerprints/*.yaml, validated and compiled into one
// RE2::Set per observation key. Immutable after loading; the file format is docs/rule-format.md.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace re2 {
class RE2;
class Set;
}  // namespace re2

namespace phaseout::fingerprint {

// How much one matching rule says about the manufacturer. Weights are used by the noisy-OR in
// Identify (identify.h). A hint never decides a manufacturer alone: it only adds to a
// manufacturer that already has a non-hint signal.
enum class Strength { kHint, kWeak, kMedium, kStrong };

// What kind of fact a rule reads (docs/rule-format.md "Evidence kind"). Only identifying
// evidence can name a manufacturer; corroborating evidence (habits shared with other stacks)
// may raise or lower confidence and list candidates, never decide.
enum class EvidenceKind { kIdentifying, kCorroborating };

// Returns "identifying" or "corroborating".
const char* EvidenceKindName(EvidenceKind k);

// Returns 0.9 (strong), 0.6 (medium), 0.3 (weak) or 0.15 (hint).
double StrengthWeight(Strength s);
// Returns "strong", "medium", "weak" or "hint".
const char* StrengthName(Strength s);

// The fields a rule may extract, in the order reports list them.
inline constexpr const char* kExtractFields[] = {"manufacturer", "brand",    "device_type",
                                                 "model",        "firmware", "serial"};
// True iff `field` is one of kExtractFields.
bool IsExtractField(std::string_view field);

// Extracted values keyed by field name ("manufacturer" -> "hikvision").
using Fields = std::map<std::string, std::string>;

// One example of a rule: a value that must match the rule and the values it must extract.
struct Example {
  std::string value;
  Fields expect;  // only the declared fields are checked
  int line = 0;   // 1-based line in the rule file
};

// One fingerprint rule, as written in its file (after validation).
struct Rule {
  std::string id;           // stable dotted id, unique across the database
  std::string description;
  std::string pattern;      // RE2 syntax, anchoring exactly as written
  bool icase = false;       // flags: [icase]
  Strength strength = Strength::kWeak;
  EvidenceKind evidence = EvidenceKind::kCorroborating;
  // Rules with the same non-empty correlation group read the same fact (a title and the body
  // that contains it) and count once per manufacturer.
  std::string correlation;
  Fields extract;           // field -> constant or template with $1..$9 capture references
  std::string source;       // public source: URL or "owner/repo path"
  bool verified = false;    // false for facts marked [U] in the knowledge base
  std::vector<Example> examples;
  std::vector<std::string> negative_examples;
  std::vector<std::string> keys;  // observation keys this rule applies to (from its file)
  std::string file;         // file name the rule came from, for messages
  int line = 0;             // 1-based line of the rule in that file
  int capture_groups = 0;   // number of capturing groups in `pattern`
};

// One rule file: its header and the indices (into RuleDb::rules()) of its rules, in file order.
struct RuleFile {
  std::string name;         // file name as given to the loader, e.g. "http_header_server.yaml"
  std::string description;
  std::string source;
  std::vector<std::string> keys;
  std::vector<size_t> rules;
};

// Controlled vocabularies the loader checks names against. An unset optional skips that check
// (the loader then only checks the syntax of ids: lowercase letters, digits, '-', '_', '.').
struct LoadOptions {
  std::optional<std::set<std::string>> vendor_ids;    // manufacturer and brand constants
  std::optional<std::set<std::string>> device_types;  // device_type constants
  // Observation keys; an entry ending in ".*" admits every key with that prefix
  // (e.g. "http.header.*").
  std::optional<std::set<std::string>> keys;
};

// A rule file held in memory: what LoadDirectory reads from disk, and what tests and the fuzz
// target pass directly.
struct RuleText {
  std::string name;  // used in messages; normally the file name
  std::string text;  // YAML
};

// One rule that matched a value, with the fields it extracted (templates expanded).
struct RuleMatch {
  const Rule* rule = nullptr;
  size_t rule_index = 0;
  Fields fields;
  size_t match_begin = 0;  // byte span of the whole match within the value
  size_t match_end = 0;
};

// The compiled rule database. Thread-safe: every method is const and RE2 objects are
// thread-safe for matching, so one instance is shared as std::shared_ptr<const RuleDb> and a
// reload is a pointer swap. Not copyable (it owns compiled automata).
class RuleDb {
 public:
  RuleDb(const RuleDb&) = delete;
  RuleDb& operator=(const RuleDb&) = delete;
  ~RuleDb();

  // Loads every *.yaml file directly under `dir` (sorted by name, so order is stable).
  // Success: the compiled database (an empty directory gives an empty database).
  // Failure: kNotFound if `dir` is not a readable directory; kInvalidArgument naming the file,
  // line, rule id and problem for the first invalid file (bad YAML, bad regex with RE2's error
  // text, missing field, unknown extract field, unknown vendor id/device type/key, missing
  // example, more than 20 examples, duplicate id, capture group count mismatch).
  static Result<std::shared_ptr<const RuleDb>> LoadDirectory(const std::string& dir,
                                                             const LoadOptions& options = {});

  // As LoadDirectory, from in-memory texts (in the given order).
  static Result<std::shared_ptr<const RuleDb>> LoadTexts(const std::vector<RuleText>& texts,
                                                         const LoadOptions& options = {});

  // Every rule registered for `key` whose pattern matches `value`, in database order (file
  // order, then rule order within a file), with extracted fields. Empty if none or if `key`
  // has no rules. Runs one RE2::Set pass, then the full RE2 only for the rules that matched.
  std::vector<RuleMatch> Match(std::string_view key, std::string_view value) const;

  // Runs rule `rule_index` alone on `value`. Success iff it matches; fields as in Match.
  // REQUIRES: rule_index < rules().size().
  std::optional<RuleMatch> MatchRule(size_t rule_index, std::string_view value) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const std::vector<RuleFile>& files() const { return files_; }
  // Every observation key that has at least one rule, sorted.
  std::vector<std::string> Keys() const;

 private:
  struct KeyIndex;
  RuleDb();

  std::vector<Rule> rules_;
  std::vector<RuleFile> files_;
  // Transparent hashing: Match looks keys up by string_view without allocating.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::unique_ptr<re2::RE2>> regexes_;  // parallel to rules_
  std::unordered_map<std::string, std::unique_ptr<KeyIndex>, KeyHash, std::equal_to<>> by_key_;
};

// Reads the controlled vocabularies of a data directory into LoadOptions:
// `<data_dir>/identifiers/fields.yaml` (keys), `<data_dir>/identifiers/device_types.yaml`, and,
// when present, `<data_dir>/vendors.yaml` (every `id:` value anywhere in it, plus the keys of a
// top-level `vendors:` map). Failure: kInvalidArgument / kNotFound naming the file.
Result<LoadOptions> LoadVocabularies(const std::string& data_dir);

// LoadVocabularies(data_dir) then LoadDirectory(data_dir + "/fingerprints"). What the engine and
// the CLI call.
Result<std::shared_ptr<const RuleDb>> LoadRuleDbFromDataDir(const std::string& data_dir);

}  // namespace phaseout::fingerprint
