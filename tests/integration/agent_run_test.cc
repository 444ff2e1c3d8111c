// `phaseout agent run --once` end to end inside a private network namespace: the device lab
// puts emulated devices on 127.3.0.0/29, `phaseout serve` (SQLite) schedules a scan of that
// site for an enrolled agent, and one bounded run of the loop fetches the schedule, scans,
// spools, pushes and completes; the server then holds every lab device once, and a second run
// adds a scan but no device.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "tests/testing/netns_guard.h"
#include "tests/testing/phaseout_child.h"
#include "tests/testing/sqlite_count.h"

namespace phaseout {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Child;
using testing::ConnectTo;
using testing::FreePort;
using testing::Sh;
using testing::ShellRun;
using testing::Slurp;

class AgentRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("phaseout-agentrun-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "agent");
    db_ = (dir_ / "server.db").string();
  }
  void TearDown() override {
    server_.Kill();
    lab_.Kill();
    fs::remove_all(dir_);
  }
  ShellRun Po(const std::string& args) { return Sh(std::string(PHASEOUT_BINARY) + " " + args); }

  int64_t Count(const std::string& sql) { return testing::QueryInt(db_, sql); }

  size_t SpoolEntries() {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / "agent" / "spool", ec)) {
      if (e.is_regular_file() && e.path().extension() == ".json") ++n;
    }
    return n;
  }

  fs::path dir_;
  std::string db_;
  Child server_, lab_;
};

TEST_F(AgentRun, OnceRunsTheServersScheduleAndTheServerStoresEveryDeviceOnce) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  // Three emulated devices (Hikvision cameras and a plain web server, drawn 2:1) in a block of eight.
  fs::path truth = dir_ / "truth.ndjson", ready = dir_ / "lab.ready";
  lab_ = Child::Start({"lab", "--devices", "3", "--base", "127.3.0.0/29", "--seed", "7", "--mix",
                       "hikvision-ipc-webserver=2,nginx-server=1", "--truth", truth.string(), "--ready-file",
                       ready.string(), "--duration", "280"},
                      dir_ / "lab.log");
  for (int i = 0; i < 400 && !fs::exists(ready); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(fs::exists(ready)) << Slurp(dir_ / "lab.log");
  // The lab draws the profiles by weight: count what it placed.
  int64_t devices_in_truth = 0, hikvision_in_truth = 0;
  {
    std::ifstream in(truth);
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("profile") || !j["profile"].is_string()) continue;
      std::string profile = j["profile"];
      if (profile.empty()) continue;
      ++devices_in_truth;
      if (profile.rfind("hikvision-", 0) == 0) ++hikvision_in_truth;
    }
  }
  ASSERT_EQ(devices_in_truth, 3) << Slurp(truth);
  ASSERT_GE(hikvision_in_truth, 1) << Slurp(truth);

  std::ofstream(dir_ / "sites.yaml") << "departments:\n  - id: d1\n    name: Dept\n    sites:\n"
                                        "      - id: camlab\n        scopes: [127.3.0.0/29]\n"
                                        "      - id: elsewhere\n        scopes: [127.4.0.0/29]\n";
  ShellRun imported = Po("sites import " + (dir_ / "sites.yaml").string() + " --db " + db_ + " --actor test");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;

  int port = FreePort();
  server_ = Child::Start({"serve", "--db", db_, "--listen", "127.0.0.1:" + std::to_string(port)}, dir_ / "server.log");
  bool up = false;
  for (int i = 0; i < 400 && !up; ++i) {
    int fd = ConnectTo(port);
    if (fd >= 0) {
      close(fd);
      up = true;
    } else {
      std::this_thread::sleep_for(50ms);
    }
  }
  ASSERT_TRUE(up) << Slurp(dir_ / "server.log");
  std::string url = "http://127.0.0.1:" + std::to_string(port);

  ShellRun secret = Sh(std::string(PHASEOUT_BINARY) + " agents secret --site camlab --db " + db_ + " 2>/dev/null");
  ASSERT_EQ(secret.exit_code, 0) << secret.output;
  std::string word, last;
  for (std::istringstream words(secret.output); words >> word;) last = word;
  std::string config = (dir_ / "agent" / "agent.yaml").string();
  ShellRun enrol = Po("agent enrol --server " + url + " --secret " + last + " --name run-agent --config " + config);
  ASSERT_EQ(enrol.exit_code, 0) << enrol.output;
  // The enrolled config, with the spool beside it and a fast scan (loopback only).
  std::string text = Slurp(config);
  ASSERT_NE(text.find("server: " + url), std::string::npos) << text;
  std::ofstream(config, std::ios::app) << "scan: {rate: 2000}\n";

  auto run_once = [&](const std::string& log) {
    Child agent = Child::Start({"agent", "run", "--once", "--config", config}, dir_ / log);
    return agent.Wait(200s);  // -1 (killed) if the loop does not end by itself
  };
  int code = run_once("run1.log");
  ASSERT_EQ(code, 0) << Slurp(dir_ / "run1.log") << Slurp(dir_ / "server.log");
  std::string log1 = Slurp(dir_ / "run1.log");
  EXPECT_NE(log1.find("scanning site camlab"), std::string::npos) << log1;
  EXPECT_EQ(log1.find("elsewhere"), std::string::npos) << log1;  // not bound: never scheduled
  EXPECT_EQ(SpoolEntries(), 0u) << log1;

  const std::string camlab_devices =
      "SELECT count(*) FROM devices d JOIN sites s ON s.id = d.site_id WHERE s.key = 'camlab'";
  EXPECT_EQ(Count("SELECT count(*) FROM server_scans WHERE site = 'camlab' AND completed = 1"), 1);
  EXPECT_EQ(Count(camlab_devices), 3) << log1;
  // Covered exactly where the lab put a Hikvision camera (the scanner's verdicts, stored).
  EXPECT_EQ(Count(camlab_devices + " AND d.prohibited <> ''"), hikvision_in_truth) << log1;
  EXPECT_EQ(Count("SELECT count(*) FROM devices d JOIN sites s ON s.id = d.site_id WHERE s.key <> 'camlab'"), 0);
  // Every line the agent sent (scan_start, devices, scan_end) is recorded once.
  EXPECT_EQ(Count("SELECT count(*) FROM server_scan_spans a JOIN server_scan_spans b ON b.scan_key = a.scan_key AND "
                  "b.first_seq > a.first_seq AND b.first_seq <= a.last_seq"),
            0);

  // A second run: a second complete scan, the same three devices.
  code = run_once("run2.log");
  ASSERT_EQ(code, 0) << Slurp(dir_ / "run2.log");
  EXPECT_EQ(Count("SELECT count(*) FROM server_scans WHERE site = 'camlab' AND completed = 1"), 2);
  EXPECT_EQ(Count(camlab_devices), 3);
  EXPECT_EQ(SpoolEntries(), 0u);
}

}  // namespace
}  // namespace phaseout
