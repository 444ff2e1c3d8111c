// Tests of the verifier, including the CI self-test over the shipped data/ directory.
#include "fingerprint/verifier.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace phaseout::fingerprint {
namespace {

std::shared_ptr<const RuleDb> MustLoad(const std::string& text) {
  auto db = RuleDb::LoadTexts({{"t.yaml", text}});
  EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
  return db ? *db : nullptr;
}

// The shipped database must pass every check (this is what `phaseout rules verify` runs in CI).
TEST(ShippedData, VerifiesClean) {
  const std::string data = PHASEOUT_SOURCE_DATA_DIR;
  auto db = LoadRuleDbFromDataDir(data);
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto report = Verify(**db);
  for (const auto& f : report.failures) ADD_FAILURE() << f;
  EXPECT_GT(report.files, 15u);
  EXPECT_GT(report.rules, 80u);
  EXPECT_GE(report.examples_ok, report.rules);
  std::printf("%s\n", FormatSummary(report).c_str());
}

TEST(Verifier, ExampleThatDoesNotMatchFails) {
  auto db = MustLoad(R"(description: d
source: s
key: http.header.server
rules:
  - id: a.rule
    description: d
    pattern: '^Foo$'
    strength: strong
    evidence: identifying
    extract: {manufacturer: axis}
    source: s
    verified: true
    examples: [{value: Bar}]
)");
  ASSERT_TRUE(db);
  auto report = Verify(*db);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0], "t.yaml:12: rule 'a.rule': example 'Bar' does not match the pattern");
  EXPECT_EQ(FormatSummary(report), "1 files, 1 rules (0 unverified), 0 examples ok, 0 negative examples ok, 1 failures");
}

TEST(Verifier, WrongExtractionFails) {
  auto db = MustLoad(R"(description: d
source: s
key: http.auth.realm
rules:
  - id: a.rule
    description: d
    pattern: '^Login to ([0-9A-Z]+)$'
    strength: strong
    evidence: identifying
    extract: {manufacturer: dahua, serial: $1}
    source: s
    verified: true
    examples: [{value: Login to ABC, serial: ABD}]
)");
  ASSERT_TRUE(db);
  auto report = Verify(*db);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0], "t.yaml:12: rule 'a.rule': example 'Login to ABC' extracts serial='ABC', expected 'ABD'");
}

TEST(Verifier, ShadowedExampleFails) {
  auto db = MustLoad(R"(description: d
source: s
key: http.header.server
rules:
  - id: a.general
    description: d
    pattern: 'Webs'
    strength: weak
    evidence: identifying
    extract: {manufacturer: hikvision}
    source: s
    verified: true
    examples: [{value: Webs}]
  - id: a.specific
    description: d
    pattern: '^DNVRS-Webs$'
    strength: strong
    evidence: identifying
    extract: {manufacturer: hikvision}
    source: s
    verified: true
    examples: [{value: DNVRS-Webs}]
)");
  ASSERT_TRUE(db);
  auto report = Verify(*db);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0],
            "t.yaml:20: rule 'a.specific': example 'DNVRS-Webs' is shadowed by the earlier rule 'a.general'");
}

TEST(Verifier, NegativeExampleThatMatchesFails) {
  auto db = MustLoad(R"(description: d
source: s
key: http.body
rules:
  - id: a.rule
    description: d
    pattern: '(?i)h[a-z]*vision'
    strength: strong
    evidence: identifying
    extract: {manufacturer: hikvision}
    source: s
    verified: true
    examples: [{value: Hikvision}]
    negative_examples: [Hankvision]
)");
  ASSERT_TRUE(db);
  auto report = Verify(*db);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0], "t.yaml:5: rule 'a.rule': negative example 'Hankvision' matches rule 'a.rule' of the same file");
}

TEST(Verifier, VagueValueAndUndeclaredCaptureFail) {
  auto db = MustLoad(R"(description: d
source: s
key: http.title
rules:
  - id: a.rule
    description: d
    pattern: '^Model (\S+)$'
    strength: weak
    evidence: identifying
    extract: {device_type: unknown, model: $1}
    source: s
    verified: false
    examples: [{value: Model X1}]
)");
  ASSERT_TRUE(db);
  auto report = Verify(*db);
  EXPECT_EQ(report.unverified_rules, 1u);
  ASSERT_EQ(report.failures.size(), 3u);
  EXPECT_EQ(report.failures[0], "t.yaml:5: rule 'a.rule': vague value 'unknown' for device_type");
  EXPECT_EQ(report.failures[1], "t.yaml:5: rule 'a.rule': no example declares the captured field 'model'");
  EXPECT_EQ(report.failures[2], "t.yaml:12: rule 'a.rule': example 'Model X1' extracts vague device_type='unknown'");
}

}  // namespace
}  // namespace phaseout::fingerprint
