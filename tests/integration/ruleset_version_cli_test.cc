// One rule-set version everywhere: the `ruleset` that `phaseout import` (like `phaseout scan`)
// writes into its records is the version the inventory stores for that scan, `inventory
// ingest` takes it from the records it reads, and a contradicting --rules-version is refused.
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

namespace phaseout {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;

class RulesetVersionCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("phaseout-ruleset-cli-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "inventory.db").string();
    std::ofstream(dir_ / "sites.yaml") << "departments:\n"
                                           "  - id: it\n"
                                           "    name: IT\n"
                                           "    sites:\n"
                                           "      - id: hq\n"
                                           "        name: Headquarters\n"
                                           "        scopes: [192.0.2.0/24]\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun Run(const std::string& args) {
    return testing::RunCommand(std::string(PHASEOUT_BINARY) + " " + args + " </dev/null", dir_ / "stderr.txt");
  }

  // The `inventory scans` line of scan `key`, "" if absent.
  std::string ScanLine(const std::string& key) {
    CliRun scans = Run("inventory scans --db " + db_);
    EXPECT_EQ(scans.exit_code, 0) << scans.err;
    std::istringstream in(scans.out);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(" " + key + " ") != std::string::npos) return line;
    }
    ADD_FAILURE() << "scan " << key << " not listed:\n" << scans.out;
    return "";
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(RulesetVersionCliTest, ImportAndIngestStoreTheRecordsRuleset) {
  ASSERT_EQ(Run("sites import " + (dir_ / "sites.yaml").string() + " --actor test --db " + db_).exit_code, 0);
  fs::path out = dir_ / "import.ndjson";
  CliRun imp = Run("import nmap " + std::string(PHASEOUT_SOURCE_DIR) +
                   "/tests/fixtures/imports/nmap.xml --oui-dir '' --format ndjson --site hq --db " + db_ + " -o " +
                   out.string());
  ASSERT_EQ(imp.exit_code, 3) << imp.err;

  // Every record carries the same sha256 rule-set version.
  std::ifstream in(out);
  std::string line, ruleset;
  int records = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    ASSERT_TRUE(j.contains("ruleset") && j["ruleset"].is_string()) << line;
    if (ruleset.empty()) ruleset = j["ruleset"].get<std::string>();
    EXPECT_EQ(j["ruleset"], ruleset) << line;
    ++records;
  }
  ASSERT_GT(records, 0);
  ASSERT_EQ(ruleset.rfind("sha256:", 0), 0u) << ruleset;

  // The import recorded it as the scan's rules version.
  CliRun scans = Run("inventory scans --db " + db_);
  EXPECT_NE(scans.out.find("rules " + ruleset), std::string::npos) << scans.out;

  // Ingest takes it from the records, with or without an agreeing --rules-version.
  CliRun ingest = Run("inventory ingest " + out.string() + " --site hq --scan-id again --db " + db_);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_NE(ScanLine("again").find("rules " + ruleset), std::string::npos);
  CliRun agreeing =
      Run("inventory ingest " + out.string() + " --site hq --scan-id agree --rules-version " + ruleset + " --db " + db_);
  EXPECT_EQ(agreeing.exit_code, 0) << agreeing.err;

  // A contradicting --rules-version is refused and stores nothing.
  CliRun wrong = Run("inventory ingest " + out.string() +
                     " --site hq --scan-id wrong --rules-version sha256:0000000000000000 --db " + db_);
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("contradicts the scan's own ruleset"), std::string::npos) << wrong.err;
  EXPECT_EQ(Run("inventory scans --db " + db_).out.find(" wrong "), std::string::npos);
}

TEST_F(RulesetVersionCliTest, RecordsWithoutRulesetUseTheFlag) {
  ASSERT_EQ(Run("sites import " + (dir_ / "sites.yaml").string() + " --actor test --db " + db_).exit_code, 0);
  fs::path bare = dir_ / "bare.ndjson";
  // Blank first line: the version is read from the first record, which still gets ingested.
  std::ofstream(bare) << "\n{\"ip\":\"192.0.2.10\",\"manufacturer\":\"axis\"}\n{\"ip\":\"192.0.2.11\"}\n";
  CliRun flagged =
      Run("inventory ingest " + bare.string() + " --site hq --scan-id flagged --rules-version sha256:abc --db " + db_);
  ASSERT_EQ(flagged.exit_code, 0) << flagged.err;
  EXPECT_NE(flagged.out.find("2 records"), std::string::npos) << flagged.out;
  EXPECT_NE(ScanLine("flagged").find("rules sha256:abc"), std::string::npos);
  CliRun none = Run("inventory ingest " + bare.string() + " --site hq --scan-id none --db " + db_);
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(ScanLine("none").find("rules -"), std::string::npos);

  // A malformed line still names its line number in the file (blank lines counted).
  fs::path broken = dir_ / "broken.ndjson";
  std::ofstream(broken) << "\n{\"ip\":\"192.0.2.10\"}\nnot json\n";
  CliRun bad = Run("inventory ingest " + broken.string() + " --site hq --scan-id broken --db " + db_);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find(":3:"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace phaseout
