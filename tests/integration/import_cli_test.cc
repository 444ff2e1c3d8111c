// Runs `phaseout import` end to end on the fixtures of tests/fixtures/imports: records go
// through the shipped rules and policies and come out as `phaseout scan` NDJSON with their
// source; malformed input, bad mappings and oversized files exit 2 and write nothing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/testing/phaseout_child.h"

namespace phaseout {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;

std::string Fixture(const std::string& name) {
  return std::string(PHASEOUT_SOURCE_DIR) + "/tests/fixtures/imports/" + name;
}

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("phaseout-import-cli-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `phaseout import <args>` without the IEEE registry (so results do not depend on the
  // machine's ieee-data); MAC vendors then come only from the input itself.
  CliRun Run(const std::string& args) {
    return testing::RunCommand(std::string(PHASEOUT_BINARY) + " import --oui-dir '' " + args + " </dev/null",
                               dir_ / "stderr.txt");
  }

  fs::path dir_;
};

// NDJSON rows keyed by ip (or by the source note for address-less register rows).
std::map<std::string, nlohmann::json> ByIp(const std::string& out) {
  std::map<std::string, nlohmann::json> rows;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << line;
    if (j.is_discarded()) continue;
    if (j.contains("type") && j["type"] != "device") continue;  // scan_start / scan_end records
    std::string key = j["ip"].is_string() && !j["ip"].get<std::string>().empty() ? j["ip"].get<std::string>()
                      : j["notes"].empty() ? "?" : j["notes"][0].get<std::string>();
    rows[key] = j;
  }
  return rows;
}

std::string Verdict(const nlohmann::json& row, const std::string& policy) {
  for (const auto& v : row["verdicts"]) {
    if (v["policy"] == policy) return v["status"];
  }
  return "none";
}

bool HasNote(const nlohmann::json& row, const std::string& text) {
  for (const auto& n : row["notes"]) {
    if (n.get<std::string>().find(text) != std::string::npos) return true;
  }
  return false;
}

TEST_F(ImportCliTest, NmapXmlIsIdentifiedLikeAScan) {
  CliRun r = Run("nmap " + Fixture("nmap.xml") + " --format ndjson --policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 3) << r.err;  // prohibited devices found
  auto rows = ByIp(r.out);
  ASSERT_EQ(rows.size(), 4u) << r.out;
  EXPECT_EQ(rows["192.0.2.64"]["manufacturer"], "hikvision");
  EXPECT_EQ(rows["192.0.2.108"]["manufacturer"], "dahua");
  EXPECT_EQ(rows["192.0.2.1"]["manufacturer"], "huawei");
  EXPECT_EQ(Verdict(rows["192.0.2.64"], "us-ndaa-889"), "prohibited");
  EXPECT_TRUE(HasNote(rows["192.0.2.64"], "source: import:nmap (host 2)"));
  // The evidence names the imported field and the rule that read it.
  bool product_rule = false;
  for (const auto& e : rows["192.0.2.64"]["evidence"]) {
    product_rule = product_rule || e["rule"] == "hikvision.nmap.product.hikvision";
  }
  EXPECT_TRUE(product_rule);
  EXPECT_NE(rows["192.0.2.90"]["manufacturer"], "hikvision");
}

TEST_F(ImportCliTest, MasscanBannersUseTheHttpRules) {
  CliRun r = Run("masscan " + Fixture("masscan.json") + " --format ndjson --policy us-ndaa-889");
  // One medium identifying rule (Server: App-webs/) names the maker but is not decisive:
  // review, not prohibited (docs/policies.md, "Device verdicts"), so nothing at --fail-on.
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto rows = ByIp(r.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows["192.0.2.64"]["manufacturer"], "hikvision");  // Server: App-webs/
  EXPECT_EQ(Verdict(rows["192.0.2.64"], "us-ndaa-889"), "review");
  EXPECT_TRUE(rows["192.0.2.5"]["manufacturer"].is_null());
}

TEST_F(ImportCliTest, RegisterRowsWithMappingAndContradictions) {
  CliRun r = Run("csv " + Fixture("register.csv") + " --map Building=location --format ndjson --policy us-ndaa-889");
  // A register's manufacturer column is one medium identifying fact: review until a scan
  // confirms it (docs/imports.md), so nothing at --fail-on.
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto rows = ByIp(r.out);
  ASSERT_EQ(rows.size(), 4u) << r.out;
  EXPECT_EQ(rows["192.0.2.64"]["manufacturer"], "hikvision");
  EXPECT_EQ(rows["192.0.2.64"]["model"], "DS-2CD2143G0-I");
  EXPECT_EQ(rows["192.0.2.108"]["manufacturer"], "dahua");
  EXPECT_EQ(rows["192.0.2.90"]["manufacturer"], "axis");
  EXPECT_EQ(rows["source: import:csv (line 5)"]["manufacturer"], "axis");
  EXPECT_NE(r.err.find("'Cost Centre', 'Notes'"), std::string::npos) << r.err;
}

TEST_F(ImportCliTest, LeasesAndNeighboursKeepSourceAndMac) {
  for (const char* f : {"dhcpd dhcpd.leases", "dnsmasq dnsmasq.leases", "ip-neigh ip-neigh.txt"}) {
    std::string spec = f;
    std::string format = spec.substr(0, spec.find(' '));
    CliRun r = Run(format + " " + Fixture(spec.substr(spec.find(' ') + 1)) + " --format ndjson");
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 3) << f << ": " << r.err;
    auto rows = ByIp(r.out);
    ASSERT_FALSE(rows.empty()) << f;
    EXPECT_EQ(rows["192.0.2.64"]["mac"], "c0:56:e3:12:34:56") << f;
    EXPECT_TRUE(HasNote(rows["192.0.2.64"], "source: import:" + format)) << f;
  }
}

TEST_F(ImportCliTest, BadInputExitsTwoAndWritesNothing) {
  std::ifstream in(Fixture("nmap.xml"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string half = ss.str().substr(0, ss.str().size() / 2);
  fs::path bad = dir_ / "half.xml";
  std::ofstream(bad) << half;
  fs::path out = dir_ / "out.ndjson";
  CliRun r = Run("nmap " + bad.string() + " -o " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("malformed XML"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was imported"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".tmp"));

  CliRun unknown_column = Run("csv " + Fixture("register.csv") + " --map Room=location");
  EXPECT_EQ(unknown_column.exit_code, 2);
  EXPECT_TRUE(unknown_column.out.empty());
  EXPECT_NE(unknown_column.err.find("no column 'Room'"), std::string::npos) << unknown_column.err;

  CliRun too_big = Run("nmap " + Fixture("nmap.xml") + " --max-bytes 100");
  EXPECT_EQ(too_big.exit_code, 2);
  EXPECT_NE(too_big.err.find("over the import limit"), std::string::npos) << too_big.err;

  EXPECT_EQ(Run("nessus " + Fixture("nmap.xml")).exit_code, 2);
  EXPECT_EQ(Run("nmap " + (dir_ / "absent.xml").string()).exit_code, 2);
  EXPECT_EQ(Run("masscan " + Fixture("register.csv")).exit_code, 2);
}

}  // namespace
}  // namespace phaseout
