// The phase-out story end to end over the device lab (inside a private network namespace):
// scan into the inventory, mark devices removed, take devices off the network (nftables rejects
// their addresses), rescan twice, and check verified-removed, regression and missing, the audit
// chain and the diff, all through the `phaseout` binary.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "tests/testing/netns_guard.h"
#include "tests/testing/phaseout_child.h"
#include "tools/lab/lab.h"

namespace phaseout {
namespace {

using testing::ShellRun;
using testing::Sh;

class InventoryLab : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("phaseout-invlab-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "inventory.db").string();
  }
  void TearDown() override {
    (void)Sh("nft delete table inet phaseout_invtest");
    std::filesystem::remove_all(dir_);
  }
  ShellRun Po(const std::string& args) { return Sh(std::string(PHASEOUT_BINARY) + " " + args); }
  ShellRun Scan(const std::string& id) {
    return Po("scan 127.27.0.0/28 --rate 5000 --quiet --format ndjson -o /dev/null --policy us-ndaa-889 --site lab --db " +
              db_ + " --scan-id " + id + " --events " + (dir_ / "events.ndjson").string());
  }
  std::map<int64_t, nlohmann::json> Devices() {
    ShellRun r = Sh(std::string(PHASEOUT_BINARY) + " inventory list --format json --db " + db_ + " 2>/dev/null");
    std::map<int64_t, nlohmann::json> out;
    auto arr = nlohmann::json::parse(r.output, nullptr, false);
    EXPECT_TRUE(arr.is_array()) << r.output;
    if (!arr.is_array()) return out;
    for (const auto& d : arr) out[d["id"].get<int64_t>()] = d;
    return out;
  }
  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(InventoryLab, RemovedVerifiedRegressionMissing) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  if (Sh("command -v nft").exit_code != 0) GTEST_SKIP() << "nft not installed (Debian nftables)";
  lab::LabSpec spec;
  spec.base = "127.27.0.0/28";
  spec.devices = 8;
  spec.seed = 11;
  spec.mix = {{"hikvision-nvr-dnvrs", 1.0}, {"axis-camera", 1.0}};
  auto lab = lab::Lab::Start(spec);
  ASSERT_TRUE(lab) << lab.error().message;

  std::ofstream(dir_ / "sites.yaml") << "departments:\n  - id: ops\n    sites:\n      - id: lab\n"
                                        "        scopes: [127.27.0.0/28]\n";
  ShellRun imp = Po("sites import " + (dir_ / "sites.yaml").string() + " --actor tester --db " + db_);
  ASSERT_EQ(imp.exit_code, 0) << imp.output;

  ShellRun s1 = Scan("s1");
  ASSERT_EQ(s1.exit_code, 3) << s1.output;  // prohibited devices found
  auto devices = Devices();
  std::vector<int64_t> covered;
  for (const auto& [id, d] : devices) {
    if (d["status"] == "covered") covered.push_back(id);
  }
  ASSERT_GE(covered.size(), 3u) << "the lab mix should give at least three covered devices";
  int64_t gone = covered[0], back = covered[1], vanished = covered[2];
  for (int64_t id : {gone, back}) {
    ShellRun r = Po("inventory set-state " + std::to_string(id) + " removed --actor facilities --note 'ticket 42' --db " + db_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  // A transition that is not allowed is refused with exit 2.
  ShellRun bad = Po("inventory set-state " + std::to_string(gone) + " verified-removed --actor x --note y --db " + db_);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;

  // `gone` and `vanished` leave the network; `back` was claimed removed but is still there.
  std::string ips = devices[gone]["ip"].get<std::string>() + ", " + devices[vanished]["ip"].get<std::string>();
  ShellRun nft = Sh("nft add table inet phaseout_invtest && nft add chain inet phaseout_invtest input "
               "'{ type filter hook input priority -10; }' && nft add rule inet phaseout_invtest input ip daddr '{ " +
               ips + " }' tcp flags syn reject with tcp reset");
  ASSERT_EQ(nft.exit_code, 0) << nft.output;

  ShellRun s2 = Scan("s2");
  ASSERT_NE(s2.exit_code, 1) << s2.output;
  ShellRun s3 = Scan("s3");
  ASSERT_NE(s3.exit_code, 1) << s3.output;

  devices = Devices();
  EXPECT_EQ(devices[gone]["state"], "verified-removed");
  EXPECT_EQ(devices[back]["state"], "confirmed");  // regression reopened it
  EXPECT_EQ(devices[vanished]["state"], "missing");
  EXPECT_EQ(devices[vanished]["prior_state"], "found");

  std::ifstream events(dir_ / "events.ndjson");
  std::string line, kinds;
  while (std::getline(events, line)) kinds += nlohmann::json::parse(line)["kind"].get<std::string>() + " ";
  EXPECT_NE(kinds.find("new-covered-device"), std::string::npos) << kinds;
  EXPECT_NE(kinds.find("regression"), std::string::npos) << kinds;
  EXPECT_NE(kinds.find("missing"), std::string::npos) << kinds;
  EXPECT_NE(kinds.find("verified-removed"), std::string::npos) << kinds;

  ShellRun verify = Po("audit verify --db " + db_);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  ShellRun diff = Po("inventory diff --site lab --from s1 --to s3 --format json --db " + db_);
  ASSERT_EQ(diff.exit_code, 0) << diff.output;
  auto d = nlohmann::json::parse(diff.output, nullptr, false);
  ASSERT_TRUE(d.is_object()) << diff.output;
  EXPECT_EQ(d["disappeared"].size(), 2u) << diff.output;
  // The three scans are listed.
  ShellRun again = Po("inventory scans --db " + db_);
  EXPECT_NE(again.output.find("s3"), std::string::npos);
}

}  // namespace
}  // namespace phaseout
