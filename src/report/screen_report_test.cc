// Tests for the screening renderers: NDJSON contract keys, JSON escaping of hostile bytes,
// CSV rows per policy, JSON array framing and the table summary.
#include "report/screen_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "core/utf8.h"

namespace phaseout::report {
namespace {

screening::ScreenResult SampleResult() {
  screening::ScreenResult r;
  screening::LineVerdict v;
  v.policy = "us-ndaa-889";
  v.status = model::VerdictStatus::kProhibited;
  v.reason = "manufacturer 'Hikvision' matches Hikvision";
  v.clause = "889(f)(3)(B)";
  v.rule = "us-ndaa-889: rule x (made_by)";
  screening::Match m;
  m.entity = "hikvision";
  m.entity_name = "Hikvision";
  m.kind = screening::MatchKind::kAlias;
  m.field = screening::Field::kManufacturer;
  m.value = "Hik\"vision\\\n\x01\xff";
  m.name = "Hikvision";
  m.score = 1.0;
  m.source = "data/vendors.yaml";
  m.strong = true;
  m.context = screening::MatchContext::kAccessory;
  v.matches.push_back(m);
  r.verdicts.push_back(v);
  screening::LineVerdict c;
  c.policy = "ca-federal-2025";
  c.reason = "no covered vendor";
  c.rule = "no evidence";
  r.verdicts.push_back(c);
  return r;
}

screening::CatalogueLine SampleLine() {
  screening::CatalogueLine l;
  l.line_id = "A,1";
  l.line_number = 7;
  l.passthrough = {{"cost_center", "CC-1"}};
  return l;
}

std::string Render(ScreenFormat format, bool explain = false) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  ScreeningWriter w(f, format, {"us-ndaa-889", "ca-federal-2025"});
  w.Begin();
  auto r = SampleResult();
  if (explain) {
    r.explanation = screening::Explanation{};
    r.explanation->notes.push_back("candidate hikvision");
  }
  w.Write(SampleLine(), r);
  w.Write(SampleLine(), r);
  ScreenSummary s;
  s.lines = 2;
  s.prohibited = 2;
  w.End(s);
  std::fclose(f);
  std::string out(buf, size);
  std::free(buf);
  return out;
}

TEST(ScreenReportTest, NdjsonContract) {
  std::string out = Render(ScreenFormat::kNdjson, true);
  size_t nl = out.find('\n');
  ASSERT_NE(nl, std::string::npos);
  auto j = nlohmann::json::parse(out.substr(0, nl));
  EXPECT_EQ(j["line_id"], "A,1");
  EXPECT_EQ(j["line"], 7);
  ASSERT_EQ(j["verdicts"].size(), 2u);
  const auto& v = j["verdicts"][0];
  EXPECT_EQ(v["policy"], "us-ndaa-889");
  EXPECT_EQ(v["status"], "prohibited");
  EXPECT_EQ(v["clause"], "889(f)(3)(B)");
  const auto& m = v["matches"][0];
  for (const char* key : {"entity", "kind", "field", "value", "score", "source"}) EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_EQ(m["kind"], "alias");
  EXPECT_EQ(m["context"], "accessory");
  EXPECT_EQ(j["verdicts"][1]["status"], "clear");
  EXPECT_EQ(j["fields"]["cost_center"], "CC-1");
  EXPECT_EQ(j["explain"]["trace"][0], "candidate hikvision");
}

TEST(ScreenReportTest, JsonStringEscapesEverythingUnsafe) {
  std::string out;
  AppendJsonString(std::string("a\"b\\c\n\x01\xff海", 10), &out);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j.get<std::string>().substr(0, 6), "a\"b\\c\n");
}

TEST(ScreenReportTest, JsonArrayCsvAndTable) {
  auto arr = nlohmann::json::parse(Render(ScreenFormat::kJson));
  ASSERT_TRUE(arr.is_array());
  EXPECT_EQ(arr.size(), 2u);
  std::string csv = Render(ScreenFormat::kCsv);
  EXPECT_EQ(csv.rfind("line_id,line,policy,status,reason,clause,entities,kinds,fields,values,sources\n", 0), 0u);
  EXPECT_NE(csv.find("\"A,1\",7,us-ndaa-889,prohibited,"), std::string::npos);
  EXPECT_NE(csv.find("\"A,1\",7,ca-federal-2025,clear,"), std::string::npos);
  std::string table = Render(ScreenFormat::kTable);
  EXPECT_NE(table.find("2 lines screened: 2 prohibited"), std::string::npos);
  ScreenFormat f;
  EXPECT_TRUE(ParseScreenFormat("csv", &f));
  EXPECT_FALSE(ParseScreenFormat("xml", &f));
}

// CSV cells that come from the input (line ids, matched values) go through the one CSV writer:
// a value that a spreadsheet would run as a formula is written as text.
TEST(ScreenReportTest, CsvCellsAreFormulaGuarded) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  ScreeningWriter w(f, ScreenFormat::kCsv, {"us-ndaa-889", "ca-federal-2025"});
  w.Begin();
  auto line = SampleLine();
  line.line_id = "=HYPERLINK(\"http://example.invalid\")";
  auto r = SampleResult();
  r.verdicts[0].matches[0].value = "@SUM(A1)";
  w.Write(line, r);
  w.End(ScreenSummary{});
  std::fclose(f);
  std::string csv(buf, size);
  std::free(buf);
  EXPECT_NE(csv.find("\n\"'=HYPERLINK(\"\"http://example.invalid\"\")\",7,us-ndaa-889,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",'@SUM(A1),"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("\n=HYPERLINK"), std::string::npos);
}

// The writer reuses the rendered JSON of unchanged evidence-free verdicts and of evidence
// repeated under several policies: its output must equal rendering each result afresh.
TEST(ScreenReportTest, WriterCachesDoNotChangeOutput) {
  std::vector<screening::ScreenResult> results;
  auto base = SampleResult();
  results.push_back(base);
  auto same_evidence = base;  // the same match under both policies
  same_evidence.verdicts[1].status = model::VerdictStatus::kReview;
  same_evidence.verdicts[1].matches = same_evidence.verdicts[0].matches;
  results.push_back(same_evidence);
  auto other_note = same_evidence;  // equal but for one field of the second copy
  other_note.verdicts[1].matches[0].note = "weak";
  results.push_back(other_note);
  auto other_score = same_evidence;
  other_score.verdicts[1].matches[0].score = 0.83;
  results.push_back(other_score);
  auto clear_changed = base;  // evidence-free verdict with another reason, then the old one
  clear_changed.verdicts[1].reason = "matched vendor not covered";
  results.push_back(clear_changed);
  results.push_back(base);
  auto clause = base;
  clause.verdicts[1].clause = "s. 1";
  results.push_back(clause);
  results.push_back(base);

  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  ScreeningWriter w(f, ScreenFormat::kNdjson, {"us-ndaa-889", "ca-federal-2025"});
  w.Begin();
  std::string expected;
  for (const auto& r : results) {
    w.Write(SampleLine(), r);
    expected += ScreenResultJson(SampleLine(), r) + "\n";
  }
  w.End({});
  std::fclose(f);
  std::string out(buf, size);
  std::free(buf);
  EXPECT_EQ(out, expected);
  EXPECT_NE(expected.find("\"note\":\"weak\""), std::string::npos);
  EXPECT_NE(expected.find("\"score\":0.83"), std::string::npos);
  EXPECT_NE(expected.find("matched vendor not covered"), std::string::npos);
}

TEST(ScreenReportTest, JsonEscapingOfLongMixedStrings) {
  // Exercises the 8-byte fast path around every kind of byte that needs escaping.
  std::string s;
  for (int i = 0; i < 300; ++i) {
    s.push_back(static_cast<char>('a' + i % 26));
    if (i % 7 == 0) s.push_back('"');
    if (i % 11 == 0) s.push_back('\\');
    if (i % 13 == 0) s.push_back('\x1f');
    if (i % 17 == 0) s += "海";
    if (i % 19 == 0) s.push_back('\xff');
  }
  std::string out;
  AppendJsonString(s, &out);
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  std::string back = j.get<std::string>();
  // The decoded string is the project's sanitised text: every byte except the stray 0xFF
  // comes back unchanged, 0xFF as the text "\xff" (core/utf8.h SanitizeUtf8).
  EXPECT_EQ(back, SanitizeUtf8(s));
  EXPECT_NE(back.find("\\xff"), std::string::npos);
}

}  // namespace
}  // namespace phaseout::report
