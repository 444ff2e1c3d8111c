// Runs the `phaseout` binary end to end: bad input gets a clear message and exit 2; a scan of a
// small lab writes the NDJSON contract and exits 3 when prohibited devices are found.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/data_dir.h"
#include "tests/testing/netns_guard.h"
#include "tools/lab/lab.h"

namespace phaseout {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CliRun RunPhaseout(const std::string& args) {
  std::string cmd = std::string(PHASEOUT_BINARY) + " " + args + " 2>&1";
  CliRun run;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.output.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(CliTest, ScanWithoutTargetsIsAUsageError) {
  CliRun r = RunPhaseout("scan --no-progress");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no targets"), std::string::npos) << r.output;
}

TEST(CliTest, MalformedTargetIsNamed) {
  CliRun r = RunPhaseout("scan 300.1.2.3 --no-progress");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("300.1.2.3"), std::string::npos) << r.output;
}

TEST(CliTest, UnknownPolicyIsAUsageError) {
  CliRun r = RunPhaseout("scan 127.0.0.1 --policy no-such-policy --no-progress");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no-such-policy"), std::string::npos) << r.output;
}

TEST(CliTest, UnknownFlagIsAUsageError) {
  CliRun r = RunPhaseout("scan 127.0.0.1 --frobnicate");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(CliTest, MissingDataDirectoryIsNamed) {
  CliRun r = RunPhaseout("scan 127.0.0.1 --data-dir /nonexistent/phaseout-data --no-progress");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("/nonexistent/phaseout-data"), std::string::npos) << r.output;
}

TEST(CliTest, RuleWithInvalidRegexIsNamed) {
  auto data = FindDataDir();
  ASSERT_TRUE(data) << data.error().message;
  auto tmp = std::filesystem::temp_directory_path() / ("phaseout-cli-test-" + std::to_string(getpid()));
  std::filesystem::remove_all(tmp);
  std::filesystem::copy(*data, tmp, std::filesystem::copy_options::recursive);
  {
    std::ofstream bad(tmp / "fingerprints" / "zz_broken.yaml");
    bad << "key: http.header.server\n"
           "description: test file with a broken pattern\n"
           "source: test\n"
           "rules:\n"
           "  - id: test.broken.regex\n"
           "    description: unbalanced parenthesis\n"
           "    pattern: '^(Hikvision'\n"
           "    strength: strong\n"
           "    evidence: identifying\n"
           "    extract: {manufacturer: hikvision}\n"
           "    source: test\n"
           "    verified: false\n"
           "    examples:\n"
           "      - value: 'Hikvision'\n";
  }
  CliRun r = RunPhaseout("scan 127.0.0.1 --no-progress --data-dir " + tmp.string());
  std::filesystem::remove_all(tmp);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("test.broken.regex"), std::string::npos) << r.output;
}

TEST(CliTest, ScanOfALabWritesTheNdjsonContractAndExits3) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  lab::LabSpec spec;
  spec.base = "127.26.0.0/28";
  spec.devices = 6;
  spec.seed = 3;
  spec.mix = {{"hikvision-nvr-dnvrs", 1.0}, {"axis-camera", 1.0}};
  auto started = lab::Lab::Start(spec);
  ASSERT_TRUE(started) << started.error().message;
  CliRun r = RunPhaseout("scan 127.26.0.0/28 --rate 100000 --format ndjson --quiet --policy us-ndaa-889");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  std::istringstream lines(r.output);
  std::string line;
  int devices = 0, prohibited = 0;
  while (std::getline(lines, line)) {
    auto obj = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(obj.is_object()) << "not a JSON object: " << line;
    if (obj["type"] != "device") {
      EXPECT_TRUE(obj["type"] == "scan_start" || obj["type"] == "scan_end") << line;
      continue;
    }
    for (const char* key : {"ip", "open_ports", "mac", "manufacturer", "brand", "device_type",
                            "model", "firmware", "serial", "confidence", "evidence", "verdicts"}) {
      EXPECT_TRUE(obj.contains(key)) << key << " missing in " << line;
    }
    ++devices;
    for (const auto& v : obj["verdicts"]) {
      EXPECT_EQ(v["policy"], "us-ndaa-889");
      if (v["status"] == "prohibited") ++prohibited;
    }
    if (obj["manufacturer"] == "hikvision") {
      ASSERT_FALSE(obj["evidence"].empty());
      for (const auto& e : obj["evidence"]) {
        for (const char* key : {"probe", "port", "field", "value", "rule"}) {
          EXPECT_TRUE(e.contains(key)) << key << " missing in evidence of " << line;
        }
      }
    }
  }
  EXPECT_EQ(devices, 6);
  EXPECT_GT(prohibited, 0);
}

}  // namespace
}  // namespace phaseout
