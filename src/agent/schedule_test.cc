// Tests of the scheduled-scan checks and the run record.
#include "agent/schedule.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace phaseout::agent {
namespace {

ScheduledScan Scan(std::string site, std::vector<std::string> targets) {
  ScheduledScan s;
  s.site = std::move(site);
  s.targets = std::move(targets);
  s.interval_s = 3600;
  return s;
}

TEST(CheckScheduledScan, OnlyBoundSitesAndAllowedBlocks) {
  EXPECT_TRUE(CheckScheduledScan(Scan("a", {"127.0.0.0/24"}), {"a"}, {}).ok());
  EXPECT_TRUE(CheckScheduledScan(Scan("a", {"127.0.0.0/24", "127.0.1.7"}), {"a"}, {"127.0.0.0/16"}).ok());
  Status other_site = CheckScheduledScan(Scan("b", {"127.0.0.0/24"}), {"a"}, {});
  ASSERT_FALSE(other_site.ok());
  EXPECT_NE(other_site.error().message.find("not bound"), std::string::npos);
  Status outside = CheckScheduledScan(Scan("a", {"127.0.0.0/24", "127.1.0.0/30"}), {"a"}, {"127.0.0.0/24"});
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("4 target addresses (first 127.1.0.0)"), std::string::npos)
      << outside.error().message;
  EXPECT_FALSE(CheckScheduledScan(Scan("a", {"@/etc/passwd"}), {"a"}, {}).ok());
  EXPECT_FALSE(CheckScheduledScan(Scan("a", {"example.com"}), {"a"}, {}).ok());
  EXPECT_FALSE(CheckScheduledScan(Scan("a", {}), {"a"}, {}).ok());
}

TEST(RunRecord, DueAfterIntervalAndSurvivesRestart) {
  char tmpl[] = "/tmp/phaseout-runs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/runs.tsv";
  ScheduledScan s = Scan("a", {"127.0.0.0/24"});
  {
    RunRecord r = RunRecord::Load(path);
    EXPECT_TRUE(r.Due(s, 1000));
    ASSERT_TRUE(r.MarkStarted(s, 1000).ok());
    EXPECT_FALSE(r.Due(s, 1001));
  }
  RunRecord r = RunRecord::Load(path);
  EXPECT_FALSE(r.Due(s, 1000 + 3599));
  EXPECT_EQ(r.SecondsUntilNext({s}, 1000 + 600), 3000u);
  EXPECT_TRUE(r.Due(s, 1000 + 3600));
  EXPECT_TRUE(r.Due(s, 10));  // clock went back: run rather than wait for ever
  ScheduledScan other = Scan("a", {"127.0.1.0/24"});
  EXPECT_TRUE(r.Due(other, 1001));
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace phaseout::agent
