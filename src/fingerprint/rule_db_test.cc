// Tests of rule file loading (exact error messages) and RE2::Set matching.
#include "fingerprint/rule_db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace phaseout::fingerprint {
namespace {

// A valid one-rule file; tests replace parts of it.
std::string File(const std::string& rule_body, const std::string& header = "key: http.header.server\n") {
  return "description: test file\nsource: test\n" + header + "rules:\n  - id: t.rule\n" + rule_body;
}

const char* kGoodBody = R"(    description: d
    pattern: '^Foo-(\d+)$'
    strength: strong
    evidence: identifying
    extract: {manufacturer: hikvision, model: 'M$1'}
    source: s
    verified: true
    examples: [{value: Foo-12, model: M12}]
)";

std::string LoadError(const std::string& text, const LoadOptions& options = {}) {
  auto db = RuleDb::LoadTexts({{"t.yaml", text}}, options);
  if (db) return "(loaded)";
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
  return db.error().message;
}

TEST(RuleDbLoad, GoodFileLoads) {
  auto db = RuleDb::LoadTexts({{"t.yaml", File(kGoodBody)}});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  ASSERT_EQ((*db)->rules().size(), 1u);
  const Rule& r = (*db)->rules()[0];
  EXPECT_EQ(r.id, "t.rule");
  EXPECT_EQ(r.capture_groups, 1);
  EXPECT_EQ(r.line, 5);
  EXPECT_EQ(r.keys, std::vector<std::string>{"http.header.server"});
  EXPECT_EQ((*db)->Keys(), std::vector<std::string>{"http.header.server"});
}

TEST(RuleDbLoad, BadYaml) {
  EXPECT_EQ(LoadError("description: [unclosed\n"), "t.yaml:2: invalid YAML: end of sequence flow not found");
}

TEST(RuleDbLoad, NotAMapping) {
  EXPECT_EQ(LoadError("- a\n- b\n"), "t.yaml:1: a rule file must be a YAML mapping with 'rules:'");
}

TEST(RuleDbLoad, MissingKey) {
  EXPECT_EQ(LoadError(File(kGoodBody, "")),
            "t.yaml:1: missing 'key' (or 'keys'): the observation key(s) the rules match");
}

TEST(RuleDbLoad, BadRegexCarriesRe2Error) {
  std::string body = kGoodBody;
  body.replace(body.find("'^Foo-(\\d+)$'"), 13, "'^Foo-(\\d+$'");
  EXPECT_EQ(LoadError(File(body)), "t.yaml:7: rule 't.rule': bad pattern: missing ): ^Foo-(\\d+$");
}

TEST(RuleDbLoad, MissingPatternAndDescription) {
  std::string body = kGoodBody;
  body.erase(body.find("    pattern:"), std::string("    pattern: '^Foo-(\\d+)$'\n").size());
  EXPECT_EQ(LoadError(File(body)), "t.yaml:5: rule 't.rule': missing 'pattern'");
  body = kGoodBody;
  body.erase(0, std::string("    description: d\n").size());
  EXPECT_EQ(LoadError(File(body)), "t.yaml:5: rule 't.rule': missing 'description'");
}

TEST(RuleDbLoad, MissingExample) {
  std::string body = kGoodBody;
  body.replace(body.find("    examples:"), std::string::npos, "");
  EXPECT_EQ(LoadError(File(body)),
            "t.yaml:5: rule 't.rule': missing example: every rule needs at least one entry in 'examples'");
}

TEST(RuleDbLoad, UnknownExtractField) {
  std::string body = kGoodBody;
  body.replace(body.find("manufacturer:"), 13, "vendor:");
  EXPECT_EQ(LoadError(File(body)),
            "t.yaml:9: rule 't.rule': unknown extract field 'vendor' (allowed: manufacturer, brand, device_type, "
            "model, firmware, serial)");
}

TEST(RuleDbLoad, UnknownVendorIdWhenListGiven) {
  LoadOptions options;
  options.vendor_ids = std::set<std::string>{"dahua"};
  EXPECT_EQ(LoadError(File(kGoodBody), options),
            "t.yaml:9: rule 't.rule': unknown vendor id 'hikvision' in extract.manufacturer (not in vendors.yaml)");
}

TEST(RuleDbLoad, UnknownDeviceTypeAndKey) {
  std::string body = kGoodBody;
  body.replace(body.find("model: 'M$1'"), 12, "model: 'M$1', device_type: webcam");
  LoadOptions options;
  options.device_types = std::set<std::string>{"camera"};
  EXPECT_EQ(LoadError(File(body), options),
            "t.yaml:9: rule 't.rule': unknown device type 'webcam' (not in data/identifiers/device_types.yaml)");
  LoadOptions keys;
  keys.keys = std::set<std::string>{"http.status", "rtsp.header.*"};
  EXPECT_EQ(LoadError(File(kGoodBody), keys),
            "t.yaml:1: unknown observation key 'http.header.server' (not in data/identifiers/fields.yaml)");
  keys.keys->insert("http.header.*");
  EXPECT_EQ(LoadError(File(kGoodBody), keys), "(loaded)");
}

TEST(RuleDbLoad, CaptureGroupCountMismatch) {
  std::string body = kGoodBody;
  body.replace(body.find("'^Foo-(\\d+)$'"), 13, "'^(Foo)-(\\d+)$'");
  EXPECT_EQ(LoadError(File(body)),
            "t.yaml:7: rule 't.rule': capture group count mismatch: pattern has 2 capturing group(s) but extract "
            "uses 1 distinct reference(s) up to $1 (use (?:...) for groups that only group)");
  body = kGoodBody;
  body.replace(body.find("'M$1'"), 5, "'M$2'");
  EXPECT_EQ(LoadError(File(body)),
            "t.yaml:7: rule 't.rule': capture group count mismatch: pattern has 1 capturing group(s) but extract "
            "uses 1 distinct reference(s) up to $2 (use (?:...) for groups that only group)");
}

TEST(RuleDbLoad, DuplicateIdAcrossFiles) {
  auto db = RuleDb::LoadTexts({{"a.yaml", File(kGoodBody)}, {"b.yaml", File(kGoodBody)}});
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().message, "b.yaml:5: rule 't.rule': duplicate id (first defined at a.yaml:5)");
}

TEST(RuleDbLoad, BadStrengthAndVerifiedAndFlags) {
  std::string body = kGoodBody;
  body.replace(body.find("strong"), 6, "certain");
  EXPECT_EQ(LoadError(File(body)),
            "t.yaml:8: rule 't.rule': strength 'certain' is not one of strong, medium, weak, hint");
  body = kGoodBody;
  body.replace(body.find("verified: true"), 14, "verified: maybe");
  EXPECT_EQ(LoadError(File(body)), "t.yaml:12: rule 't.rule': 'verified' must be true or false");
  body = std::string(kGoodBody) + "    flags: [multiline]\n";
  EXPECT_EQ(LoadError(File(body)), "t.yaml:14: rule 't.rule': unknown flag (allowed: icase)");
}

TEST(RuleDbLoad, EvidenceKindIsRequiredAndChecked) {
  std::string body = kGoodBody;
  body.erase(body.find("    evidence: identifying\n"), 26);
  EXPECT_EQ(LoadError(File(body)), "t.yaml:5: rule 't.rule': missing 'evidence' (identifying or corroborating)");
  body = kGoodBody;
  body.replace(body.find("identifying"), 11, "decisive");
  EXPECT_EQ(LoadError(File(body)),
            "t.yaml:9: rule 't.rule': evidence 'decisive' is not one of identifying, corroborating");
  body = std::string(kGoodBody) + "    correlation: 'Title Group'\n";
  EXPECT_EQ(LoadError(File(body)),
            "t.yaml:14: rule 't.rule': 'correlation' must be a group id (lowercase letters, digits, '-', '_', '.')");
}

TEST(RuleDbLoad, EvidenceKindAndCorrelationAreKept) {
  std::string corroborating = kGoodBody;
  corroborating.replace(corroborating.find("identifying"), 11, "corroborating");
  corroborating += "    correlation: foo.title\n";
  auto db = RuleDb::LoadTexts({{"t.yaml", File(corroborating)}});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  ASSERT_EQ((*db)->rules().size(), 1u);
  EXPECT_EQ((*db)->rules()[0].evidence, EvidenceKind::kCorroborating);
  EXPECT_EQ((*db)->rules()[0].correlation, "foo.title");
  auto plain = RuleDb::LoadTexts({{"t.yaml", File(kGoodBody)}});
  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  EXPECT_EQ((*plain)->rules()[0].evidence, EvidenceKind::kIdentifying);
  EXPECT_EQ((*plain)->rules()[0].correlation, "");
}

TEST(RuleDbLoad, TooManyExamples) {
  std::string body = kGoodBody;
  std::string many = "    examples: [";
  for (int n = 0; n < 21; ++n) many += std::string(n ? ", " : "") + "{value: Foo-1}";
  many += "]\n";
  body.replace(body.find("    examples:"), std::string::npos, many);
  EXPECT_EQ(LoadError(File(body)), "t.yaml:12: rule 't.rule': too many examples (21, max 20)");
}

TEST(RuleDbLoad, ExampleDeclaresFieldNotExtracted) {
  std::string body = kGoodBody;
  body.replace(body.find("model: M12"), 10, "serial: X");
  EXPECT_EQ(LoadError(File(body)), "t.yaml:12: rule 't.rule': example declares 'serial' but the rule does not extract it");
}

TEST(RuleDbLoad, UnknownRuleFieldIsATypo) {
  std::string body = std::string(kGoodBody) + "    exmaples: []\n";
  EXPECT_EQ(LoadError(File(body)), "t.yaml:13: rule 't.rule': unknown field 'exmaples'");
}

TEST(RuleDbLoad, DirectoryErrors) {
  auto db = RuleDb::LoadDirectory("/nonexistent/phaseout-rules");
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(db.error().message, "rule directory '/nonexistent/phaseout-rules' does not exist or is not a directory");

  auto dir = std::filesystem::temp_directory_path() / ("phaseout-fp-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.yaml") << File(kGoodBody);
  std::ofstream(dir / "b.yaml") << "rules: [";
  std::ofstream(dir / "notes.txt") << "ignored";
  auto bad = RuleDb::LoadDirectory(dir.string());
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, (dir / "b.yaml").string() + ":1: invalid YAML: end of sequence flow not found");
  std::filesystem::remove(dir / "b.yaml");
  auto good = RuleDb::LoadDirectory(dir.string());
  ASSERT_TRUE(good.has_value()) << good.error().message;
  EXPECT_EQ((*good)->files().size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(RuleDbMatch, SetReturnsEveryMatchInOrderWithCaptures) {
  const char* text = R"(description: d
source: s
keys: [http.auth.realm, rtsp.auth.realm]
rules:
  - id: a.specific
    description: d
    pattern: '^Login to (ND[0-9]+)$'
    strength: strong
    evidence: identifying
    extract: {manufacturer: dahua, brand: lorex, serial: $1}
    source: s
    verified: true
    examples: [{value: Login to ND01}]
  - id: a.general
    description: d
    pattern: '^login to ([0-9A-Z]+)$'
    flags: [icase]
    strength: medium
    evidence: identifying
    extract: {manufacturer: dahua, serial: $1}
    source: s
    verified: true
    examples: [{value: Login to X1}]
)";
  auto db = RuleDb::LoadTexts({{"t.yaml", text}});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto m = (*db)->Match("rtsp.auth.realm", "Login to ND0219");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].rule->id, "a.specific");
  EXPECT_EQ(m[0].fields.at("serial"), "ND0219");
  EXPECT_EQ(m[0].fields.at("brand"), "lorex");
  EXPECT_EQ(m[1].rule->id, "a.general");
  EXPECT_EQ(m[1].match_begin, 0u);
  EXPECT_EQ(m[1].match_end, 15u);
  EXPECT_EQ((*db)->Match("http.auth.realm", "LOGIN TO ABC").size(), 1u);
  EXPECT_TRUE((*db)->Match("http.header.server", "Login to ND0219").empty());
  EXPECT_TRUE((*db)->Match("rtsp.auth.realm", "Please Login to ND0219").empty());
}

TEST(RuleDbMatch, RawBytesAreLatin1) {
  const char* text = R"(description: d
source: s
key: http.body
rules:
  - id: a.bom
    description: d
    pattern: '^\xEF\xBB\xBF<!doctype'
    strength: hint
    evidence: identifying
    extract: {manufacturer: hikvision}
    source: s
    verified: true
    examples: [{value: "\uFEFF<!doctype html>"}]
)";
  auto db = RuleDb::LoadTexts({{"t.yaml", text}});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  EXPECT_EQ((*db)->Match("http.body", "\xEF\xBB\xBF<!doctype html>").size(), 1u);
  // Invalid UTF-8 and NUL bytes are just bytes.
  EXPECT_TRUE((*db)->Match("http.body", std::string("\xff\x00\xfe", 3)).empty());
  EXPECT_TRUE((*db)->Match("http.body", "").empty());
}

TEST(Vocabularies, ShippedVocabulariesLoad) {
  auto options = LoadVocabularies(PHASEOUT_SOURCE_DATA_DIR);
  ASSERT_TRUE(options.has_value()) << options.error().message;
  EXPECT_TRUE(options->keys->count("http.header.*"));
  EXPECT_TRUE(options->device_types->count("nvr"));
  auto missing = LoadVocabularies("/nonexistent");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "vocabulary file '/nonexistent/identifiers/fields.yaml' not found");
}

}  // namespace
}  // namespace phaseout::fingerprint
