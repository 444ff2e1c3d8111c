// Runs the `phaseout screen` and `phaseout lists` binaries end to end: exit codes 0/1/2/3,
// malformed and empty input, stdin and JSON-lines input, --explain, and list import into a
// temporary PHASEOUT_HOME. No sockets; every run gets its own PHASEOUT_HOME (no user lists).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/testing/phaseout_child.h"
#include <vector>

namespace phaseout {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q.push_back(c);
  }
  return q + "'";
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string FixturePath(const std::string& name) {
  return std::string(PHASEOUT_SOURCE_DIR) + "/tests/fixtures/lists/" + name;
}

// A scratch directory used as PHASEOUT_HOME and for input files; removed at the end.
class ScreenCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("phaseout-screen-cli-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "home");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `phaseout <args>` with PHASEOUT_HOME set to the scratch home; `stdin_file` (if not
  // empty) is redirected to the standard input.
  CliRun Run(const std::string& args, const std::string& stdin_file = "") {
    std::string cmd = "PHASEOUT_HOME=" + Quote((dir_ / "home").string()) + " " + PHASEOUT_BINARY + " " + args;
    cmd += stdin_file.empty() ? " </dev/null" : " <" + Quote(stdin_file);
    return testing::RunCommand(cmd, dir_ / "stderr.txt");
  }

  std::string Input(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    WriteFile(p, text);
    return p.string();
  }

  fs::path dir_;
};

// Parses NDJSON output into objects; fails the test on a line that is not JSON.
std::vector<nlohmann::json> ParseNdjson(const std::string& out) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (!j.is_discarded()) rows.push_back(std::move(j));
  }
  return rows;
}

// The verdict of `policy` in one NDJSON row, or null.
nlohmann::json VerdictOf(const nlohmann::json& row, const std::string& policy) {
  for (const auto& v : row["verdicts"]) {
    if (v["policy"] == policy) return v;
  }
  return nullptr;
}

bool HasMatchKind(const nlohmann::json& verdict, const std::string& kind) {
  if (!verdict.is_object()) return false;
  for (const auto& m : verdict["matches"]) {
    if (m["kind"] == kind) return true;
  }
  return false;
}

const char kHeader[] = "line_id,description,manufacturer,model,supplier\n";

TEST_F(ScreenCliTest, ProhibitedLineExitsThree) {
  std::string in = Input("a.csv", std::string(kHeader) +
                                      "L1,4MP dome network camera,Axis,M3106-L,Global Distribution\n"
                                      "L2,4MP dome network camera,Hikvision,DS-2CD2143G2-I,Global Distribution\n");
  CliRun r = Run("screen " + in + " --policy us-ndaa-889 --format ndjson");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0]["line_id"], "L1");
  EXPECT_EQ(VerdictOf(rows[0], "us-ndaa-889")["status"], "clear");
  EXPECT_EQ(rows[1]["line_id"], "L2");
  EXPECT_EQ(VerdictOf(rows[1], "us-ndaa-889")["status"], "prohibited");
}

TEST_F(ScreenCliTest, ClearInputExitsZero) {
  std::string in = Input("a.csv", std::string(kHeader) +
                                      "L1,4MP dome network camera,Axis,M3106-L,Global Distribution\n"
                                      "L2,24-port PoE+ managed switch,Cisco,C9200-24P,Global Distribution\n");
  CliRun r = Run("screen " + in + " --format ndjson");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    for (const auto& v : row["verdicts"]) EXPECT_EQ(v["status"], "clear") << row.dump();
  }
}

TEST_F(ScreenCliTest, ReviewOnlyLineDependsOnFailOn) {
  // An accessory mention is at most review: exit 0 with --fail-on prohibited, 3 with review.
  std::string in = Input("a.csv", std::string(kHeader) +
                                      "L1,Wall mount bracket compatible with Hikvision dome cameras,Axis,,"
                                      "Global Distribution\n");
  CliRun prohibited = Run("screen " + in + " --policy us-ndaa-889 --format ndjson --fail-on prohibited");
  EXPECT_EQ(prohibited.exit_code, 0) << prohibited.err;
  auto rows = ParseNdjson(prohibited.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(VerdictOf(rows[0], "us-ndaa-889")["status"], "review") << rows[0].dump();

  CliRun review = Run("screen " + in + " --policy us-ndaa-889 --format ndjson --fail-on review");
  EXPECT_EQ(review.exit_code, 3) << review.err;
  EXPECT_EQ(review.out, prohibited.out);
}

TEST_F(ScreenCliTest, UnknownPolicyIsAUsageError) {
  std::string in = Input("a.csv", std::string(kHeader) + "L1,camera,Axis,,\n");
  CliRun r = Run("screen " + in + " --policy no-such-policy");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no-such-policy"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(ScreenCliTest, BadFlagsAreUsageErrors) {
  std::string in = Input("a.csv", std::string(kHeader) + "L1,camera,Axis,,\n");
  CliRun fail_on = Run("screen " + in + " --fail-on never");
  EXPECT_EQ(fail_on.exit_code, 2) << fail_on.err;
  EXPECT_NE(fail_on.err.find("--fail-on"), std::string::npos) << fail_on.err;
  CliRun format = Run("screen " + in + " --format xml");
  EXPECT_EQ(format.exit_code, 2) << format.err;
  EXPECT_NE(format.err.find("xml"), std::string::npos) << format.err;
  CliRun map = Run("screen " + in + " --map nonsense");
  EXPECT_EQ(map.exit_code, 2) << map.err;
  CliRun as_of = Run("screen " + in + " --as-of yesterday");
  EXPECT_EQ(as_of.exit_code, 2) << as_of.err;
  CliRun unknown = Run("screen " + in + " --frobnicate");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  CliRun missing = Run("screen");
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

TEST_F(ScreenCliTest, MalformedCsvLineIsNamedAndOthersAreScreened) {
  std::string in = Input("bad.csv", std::string(kHeader) +
                                        "L1,4MP dome network camera,Hikvision,DS-2CD2143G2-I,Global\n"
                                        "L2,too,few\n"
                                        "L3,Laser printer duplex,Brother,HL-L2350DW,Global\n");
  CliRun r = Run("screen " + in + " --format ndjson");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("bad.csv:3:"), std::string::npos) << r.err;  // physical line 3
  EXPECT_NE(r.err.find("not screened"), std::string::npos) << r.err;
  auto rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0]["line_id"], "L1");
  EXPECT_EQ(rows[0]["line"], 2);
  EXPECT_EQ(rows[1]["line_id"], "L3");
  EXPECT_EQ(rows[1]["line"], 4);
}

TEST_F(ScreenCliTest, EmptyFileIsARuntimeError) {
  std::string in = Input("empty.csv", "");
  CliRun r = Run("screen " + in + " --format ndjson");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("empty.csv"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(ScreenCliTest, HeaderOnlyFileScreensNothing) {
  std::string in = Input("header.csv", kHeader);
  CliRun r = Run("screen " + in + " --format ndjson");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(ScreenCliTest, ReadsStdin) {
  std::string in = Input("stdin.csv", std::string(kHeader) + "S1,Network video recorder,Dahua,,Global\n");
  CliRun r = Run("screen - --policy us-ndaa-889 --format ndjson", in);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0]["line_id"], "S1");
  EXPECT_EQ(VerdictOf(rows[0], "us-ndaa-889")["status"], "prohibited");
}

TEST_F(ScreenCliTest, ReadsJsonLines) {
  std::string in = Input("lines.jsonl",
                         "{\"line_id\":\"J1\",\"description\":\"Outdoor bullet camera\",\"manufacturer\":\"Huawei\","
                         "\"cost_centre\":\"CC-7\"}\n"
                         "{\"line_id\":\"J2\",\"description\":\"Laser printer duplex\",\"manufacturer\":\"Brother\"}\n");
  CliRun r = Run("screen " + in + " --policy us-ndaa-889 --format ndjson");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0]["line_id"], "J1");
  EXPECT_EQ(VerdictOf(rows[0], "us-ndaa-889")["status"], "prohibited");
  EXPECT_EQ(rows[0]["fields"]["cost_centre"], "CC-7") << rows[0].dump();
  EXPECT_EQ(rows[1]["line_id"], "J2");
  EXPECT_EQ(VerdictOf(rows[1], "us-ndaa-889")["status"], "clear");
}

TEST_F(ScreenCliTest, ExplainNamesTheDecidingRule) {
  std::string in = Input("a.csv", std::string(kHeader) + "L1,4MP dome network camera,Hikvision,,Global\n");
  CliRun r = Run("screen " + in + " --policy us-ndaa-889 --format ndjson --explain");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  auto v = VerdictOf(rows[0], "us-ndaa-889");
  ASSERT_TRUE(v.is_object());
  std::string rule = v["rule"];
  EXPECT_NE(rule.find("rule "), std::string::npos) << rule;
  ASSERT_TRUE(rows[0].contains("explain")) << rows[0].dump();
  bool traced = false;
  for (const auto& note : rows[0]["explain"]["trace"]) {
    std::string n = note;
    if (n.find("decided by " + rule) != std::string::npos) traced = true;
  }
  EXPECT_TRUE(traced) << rows[0]["explain"].dump();
  EXPECT_EQ(rows[0]["explain"]["normalised"]["manufacturer"], "hikvision");

  // The table format prints the same trace.
  CliRun t = Run("screen " + in + " --policy us-ndaa-889 --format table --explain");
  EXPECT_EQ(t.exit_code, 3) << t.err;
  EXPECT_NE(t.out.find("decided by " + rule), std::string::npos) << t.out;
}

TEST_F(ScreenCliTest, ImportedListsAreScreened) {
  CliRun csl = Run("lists import " + FixturePath("csl_sample.csv") + " --policy us-ndaa-889");
  ASSERT_EQ(csl.exit_code, 0) << csl.err;
  EXPECT_NE(csl.out.find("imported"), std::string::npos) << csl.out;
  CliRun os = Run("lists import " + FixturePath("opensanctions_targets.simple.csv") + " --policy us-fcc-covered-list");
  ASSERT_EQ(os.exit_code, 0) << os.err;
  CliRun ftm = Run("lists import " + FixturePath("ftm_entities.jsonl") + " --policy us-ndaa-889 --name ftm");
  ASSERT_EQ(ftm.exit_code, 0) << ftm.err;
  EXPECT_TRUE(fs::exists(dir_ / "home" / "lists" / "us-ndaa-889" / "csl_sample.jsonl"));
  EXPECT_TRUE(fs::exists(dir_ / "home" / "lists" / "us-ndaa-889" / "ftm.jsonl"));

  CliRun show = Run("lists show");
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("csl_sample"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("ftm"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("3 list(s)"), std::string::npos) << show.out;

  std::string in = Input("a.csv", std::string(kHeader) +
                                      "L1,Thermal imaging module,Contoso,ZP-100,Zorvex Photonics Ltd.\n"
                                      "L2,Radio handset,Contoso,,Kestrovia Signal Technologies Co. Ltd\n"
                                      "L3,Thermal imaging module,Contoso,ZP-100,Brevanto Surveillance Systems\n");
  CliRun r = Run("screen " + in + " --policy us-ndaa-889 --policy us-fcc-covered-list --format ndjson");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 3u) << r.out;
  // CSL and FtM lists are tied to NDAA 889, the OpenSanctions one to the FCC Covered List.
  EXPECT_TRUE(HasMatchKind(VerdictOf(rows[0], "us-ndaa-889"), "list-entry")) << rows[0].dump();
  EXPECT_NE(VerdictOf(rows[0], "us-ndaa-889")["status"], "clear");
  EXPECT_FALSE(HasMatchKind(VerdictOf(rows[0], "us-fcc-covered-list"), "list-entry")) << rows[0].dump();
  EXPECT_TRUE(HasMatchKind(VerdictOf(rows[1], "us-ndaa-889"), "list-entry")) << rows[1].dump();
  EXPECT_TRUE(HasMatchKind(VerdictOf(rows[2], "us-fcc-covered-list"), "list-entry")) << rows[2].dump();
  EXPECT_FALSE(HasMatchKind(VerdictOf(rows[2], "us-ndaa-889"), "list-entry")) << rows[2].dump();

  // --no-lists ignores them.
  CliRun none = Run("screen " + in + " --policy us-ndaa-889 --format ndjson --no-lists");
  EXPECT_EQ(none.exit_code, 0) << none.err;
  for (const auto& row : ParseNdjson(none.out)) {
    EXPECT_FALSE(HasMatchKind(VerdictOf(row, "us-ndaa-889"), "list-entry")) << row.dump();
  }
}

TEST_F(ScreenCliTest, BadListFileLeavesStoredListUntouched) {
  CliRun good = Run("lists import " + FixturePath("csl_sample.csv") + " --policy us-ndaa-889 --name csl");
  ASSERT_EQ(good.exit_code, 0) << good.err;
  fs::path stored = dir_ / "home" / "lists" / "us-ndaa-889" / "csl.jsonl";
  ASSERT_TRUE(fs::exists(stored));
  std::string before = ReadFile(stored);

  CliRun bad = Run("lists import " + FixturePath("csl_bad.csv") + " --policy us-ndaa-889 --name csl");
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("nothing stored"), std::string::npos) << bad.err;
  EXPECT_EQ(ReadFile(stored), before);
  // No temporary files are left beside the list.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(stored.parent_path())) {
    if (e.path().extension() == ".jsonl") ++files;
  }
  EXPECT_EQ(files, 1u);

  // The stored list still screens.
  std::string in = Input("a.csv", std::string(kHeader) + "L1,Thermal imaging module,Contoso,,Zorvex Photonics Ltd.\n");
  CliRun r = Run("screen " + in + " --policy us-ndaa-889 --format ndjson");
  auto rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out << r.err;
  EXPECT_TRUE(HasMatchKind(VerdictOf(rows[0], "us-ndaa-889"), "list-entry")) << rows[0].dump();
}

TEST_F(ScreenCliTest, ListImportUsageErrors) {
  CliRun unknown = Run("lists import " + FixturePath("csl_sample.csv") + " --policy no-such-policy");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  CliRun format = Run("lists import " + FixturePath("csl_sample.csv") + " --policy us-ndaa-889 --format xls");
  EXPECT_EQ(format.exit_code, 2) << format.err;
  CliRun no_policy = Run("lists import " + FixturePath("csl_sample.csv"));
  EXPECT_EQ(no_policy.exit_code, 2) << no_policy.err;
  CliRun missing = Run("lists import " + (dir_ / "missing.csv").string() + " --policy us-ndaa-889");
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("missing.csv"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir_ / "home" / "lists" / "us-ndaa-889"));
}

}  // namespace
}  // namespace phaseout

// ---- Bad input (issue 9): whole-file refusals are usage errors with no verdict rows. --------
namespace phaseout {
namespace {

TEST_F(ScreenCliTest, HeaderWithNoKnownColumnWritesNoRowsAndNamesTheMapFix) {
  std::string in = Input("erp.csv", "Item Text,Mfr Name,Qty\n4MP dome camera,Hikvision,4\nToner,HP,2\n");
  for (const char* format : {"ndjson", "json", "csv", "table"}) {
    CliRun r = Run("screen " + in + " --format " + format);
    EXPECT_EQ(r.exit_code, 2) << format << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << format << ": " << r.out;
    EXPECT_NE(r.err.find("maps to no known column"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--map"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("'Mfr Name'"), std::string::npos) << r.err;
  }
  // The fix the message names works.
  CliRun ok = Run("screen " + in + " --format ndjson --policy us-ndaa-889 --map 'Item Text=description' "
                  "--map 'Mfr Name=manufacturer'");
  EXPECT_EQ(ok.exit_code, 3) << ok.err;
  EXPECT_EQ(ParseNdjson(ok.out).size(), 2u) << ok.out;
}

TEST_F(ScreenCliTest, NonTextInputIsRefused) {
  std::string u16 = Input("u16.csv", std::string("\xFF\xFE" "d\0e\0s\0c\0r\0i\0p\0t\0i\0o\0n\0\n\0", 26));
  CliRun r = Run("screen " + u16 + " --format ndjson");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("UTF-16"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--map"), std::string::npos) << r.err;
  std::string bin = Input("blob.csv", std::string("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0", 24));
  r = Run("screen " + bin + " --format ndjson");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("not text"), std::string::npos) << r.err;
  r = Run("screen " + dir_.string() + " --format ndjson");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.err;
}

TEST_F(ScreenCliTest, TsvAndSemicolonFilesAreRead) {
  std::string tsv = Input("lines.tsv", "line_id\tdescription\tmanufacturer\nT1\tDome camera, 4MP\tHikvision\n");
  CliRun r = Run("screen " + tsv + " --format ndjson --policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0]["line_id"], "T1");
  std::string semi = Input("eu.csv", "line_id;description;manufacturer\nS1;Kamera, 4MP;Dahua\nS2;Drucker;Brother\n");
  r = Run("screen " + semi + " --format ndjson --policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  rows = ParseNdjson(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(VerdictOf(rows[0], "us-ndaa-889")["status"], "prohibited");
  EXPECT_EQ(VerdictOf(rows[1], "us-ndaa-889")["status"], "clear");
}

TEST_F(ScreenCliTest, MixedScriptsAndBadBytesAreCountedNotDropped) {
  std::string in = Input("mixed.csv", std::string(kHeader) +
                                          "M1,Камера 海康威视 IP camera,,,\n"
                                          "M2,Caf\xE9 cr\xE8me machine,,,\n"  // Latin-1 bytes
                                          "M3,Laser printer,Brother,,\n");
  CliRun r = Run("screen " + in + " --format table --policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(":3: invalid UTF-8"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 line(s) could not be read"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("2 lines screened"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 unreadable"), std::string::npos) << r.out;
}

TEST_F(ScreenCliTest, MegabyteDescriptionAndNumbersAsManufacturerAreReported) {
  std::string big(1000 * 1000, 'x');
  for (size_t i = 0; i < big.size(); i += 10) big[i] = ' ';
  std::string in = Input("big.csv", std::string(kHeader) + "B1,Hikvision NVR" + big + ",,,\nB2,Toner,,,\n");
  CliRun r = Run("screen " + in + " --format ndjson --policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(ParseNdjson(r.out).size(), 2u);
  EXPECT_NE(r.err.find("longer than 16384 bytes"), std::string::npos) << r.err;
  // A description of more than a mebibyte (the CSV record limit is 4 MiB) is read and
  // screened; a name after the first 16 KiB was not looked for, so the line is not "clear".
  std::string mib(1 << 20, 'x');
  for (size_t i = 0; i < mib.size(); i += 8) mib[i] = ' ';
  std::string huge = Input("huge.csv", std::string(kHeader) + "H1,Toner" + mib + " Huawei router,,,\nH2,Toner,,,\n");
  r = Run("screen " + huge + " --format ndjson --policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto huge_rows = ParseNdjson(r.out);
  ASSERT_EQ(huge_rows.size(), 2u) << r.err;
  EXPECT_EQ(VerdictOf(huge_rows[0], "us-ndaa-889")["status"], "review");
  EXPECT_EQ(VerdictOf(huge_rows[1], "us-ndaa-889")["status"], "clear");
  std::string wrong = Input("wrong.csv", "line_id,description,manufacturer\nW1,Camera,100234\nW2,Switch,100235\n");
  r = Run("screen " + wrong + " --format ndjson --policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ParseNdjson(r.out).size(), 2u);
  EXPECT_NE(r.err.find("read as manufacturer holds only numbers in 2 of 2 lines"), std::string::npos) << r.err;
}

TEST_F(ScreenCliTest, ListImportWithConflictingEntitiesIsRefused) {
  std::string list = Input("conflict.csv",
                           "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,"
                           "emails,dataset,first_seen,last_seen,last_change\n"
                           "e-1,Company,Acme Telecom Trading,,,,,,,,,x,,,\n"
                           "e-1,Company,Zenith Radio Works,,,,,,,,,x,,,\n");
  CliRun r = Run("lists import " + list + " --policy us-ndaa-889");
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE((r.err + r.out).find("appears more than once with different names"), std::string::npos) << r.err;
  CliRun show = Run("lists show");
  EXPECT_EQ(show.out.find("conflict"), std::string::npos) << show.out;
}

TEST_F(ScreenCliTest, ExplainShowsSubjectRolesAndDecidingRule) {
  std::string in = Input("roles.csv", std::string(kHeader) +
                                          "R1,Axis dome camera replacing a Hikvision dome,Axis,,\n");
  CliRun r = Run("screen " + in + " --format table --explain --policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("subject: purchase"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("role replaced (cue: replacing)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("decided by us-ndaa-889: role rule (replaced: clear)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace phaseout
