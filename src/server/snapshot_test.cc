// LoadSnapshot reads evidence and history in bulk for 200 devices or more and one device at a
// time below that: both paths must give the same devices.
#include "server/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "inventory/inventory.h"
#include "server/testing/fixture.h"

namespace phaseout::server {
namespace {

TEST(Snapshot, BulkReadsGiveTheSameDevicesAsPerDeviceReads) {
  auto dir = std::filesystem::temp_directory_path() / ("phaseout-snapshot-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto inv = inventory::Inventory::Open((dir / "inventory.db").string());
    ASSERT_TRUE(inv) << inv.error().message;
    auto sites = inventory::ParseSitesYaml(testing::kSitesYaml, "sites.yaml");
    ASSERT_TRUE(sites);
    ASSERT_TRUE((*inv)->ImportSites(*sites, "tester", "initial").ok());
    for (const std::string site : {"hq", "branch"}) {
      inventory::ScanMeta m;
      m.scan_key = "scan-" + site;
      m.site = site;
      auto ing = (*inv)->BeginIngest(m);
      ASSERT_TRUE(ing);
      for (int i = 1; i <= 150; ++i) {
        char mac[32];
        std::snprintf(mac, sizeof mac, "00:11:22:33:%02x:%02x", site == "hq" ? 1 : 2, i);
        std::string ip = (site == "hq" ? "127.16.0." : "127.16.1.") + std::to_string(i);
        ASSERT_TRUE((*ing)->AddLine(testing::DeviceLine(ip, mac, i % 3 != 0), i).ok());
      }
      ASSERT_TRUE((*ing)->Commit());
    }
    // A person's change, so histories hold more than the first sighting.
    inventory::DeviceFilter hq;
    hq.site = "hq";
    auto devices = (*inv)->ListDevices(hq);
    ASSERT_TRUE(devices);
    inventory::TransitionRequest t;
    t.to = inventory::DeviceState::kConfirmed;
    t.actor = "officer";
    t.note = "seen on site";
    ASSERT_TRUE((*inv)->SetState(devices->front().id, t)) << "transition";

    auto all = LoadSnapshot(**inv, "us-ndaa-889", "", "", "test");  // 300 devices: bulk reads
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_EQ(all->devices.size(), 300u);
    auto one = LoadSnapshot(**inv, "us-ndaa-889", "", "hq", "test");  // 150: one device at a time
    ASSERT_TRUE(one) << one.error().message;
    ASSERT_EQ(one->devices.size(), 150u);
    std::map<std::string, const report::SnapshotDevice*> by_id;
    for (const auto& d : all->devices) by_id[d.id] = &d;
    size_t with_history = 0;
    for (const auto& d : one->devices) {
      ASSERT_TRUE(by_id.count(d.id)) << d.id;
      const auto& b = *by_id[d.id];
      ASSERT_EQ(d.evidence.size(), 1u) << d.id;
      ASSERT_EQ(b.evidence.size(), d.evidence.size()) << d.id;
      for (size_t i = 0; i < d.evidence.size(); ++i) {
        EXPECT_EQ(b.evidence[i].probe, d.evidence[i].probe);
        EXPECT_EQ(b.evidence[i].port, d.evidence[i].port);
        EXPECT_EQ(b.evidence[i].field, d.evidence[i].field);
        EXPECT_EQ(b.evidence[i].value, d.evidence[i].value);
        EXPECT_EQ(b.evidence[i].rule, d.evidence[i].rule);
      }
      ASSERT_EQ(b.history.size(), d.history.size()) << d.id;
      for (size_t i = 0; i < d.history.size(); ++i) {
        EXPECT_EQ(b.history[i].at, d.history[i].at);
        EXPECT_EQ(b.history[i].from_state, d.history[i].from_state);
        EXPECT_EQ(b.history[i].to_state, d.history[i].to_state);
        EXPECT_EQ(b.history[i].actor, d.history[i].actor);
        EXPECT_EQ(b.history[i].note, d.history[i].note);
      }
      if (d.history.size() > 1) ++with_history;
    }
    EXPECT_EQ(with_history, 1u);
    // The overview's grouped snapshot: the same counts and burn-down as the full one, from a
    // few weighted groups and the one device with history.
    for (const std::string site : {"", "hq"}) {
      auto full = LoadSnapshot(**inv, "us-ndaa-889", "", site, "test");
      auto grouped = LoadSnapshot(**inv, "us-ndaa-889", "", site, "test", std::nullopt, false, /*grouped=*/true);
      ASSERT_TRUE(full && grouped) << site;
      EXPECT_LT(grouped->devices.size(), 10u) << site;
      full->as_of = grouped->as_of = "2026-12-31";
      auto a = report::ComputeInventoryReport(*full);
      auto b = report::ComputeInventoryReport(*grouped);
      auto same = [&](const report::StatusCounts& x, const report::StatusCounts& y, const std::string& what) {
        EXPECT_EQ(x.found, y.found) << what;
        EXPECT_EQ(x.remaining, y.remaining) << what;
        EXPECT_EQ(x.overdue, y.overdue) << what;
        EXPECT_EQ(x.removed, y.removed) << what;
        EXPECT_EQ(x.verified, y.verified) << what;
        EXPECT_EQ(x.waived, y.waived) << what;
        EXPECT_EQ(x.missing, y.missing) << what;
        EXPECT_EQ(x.to_check, y.to_check) << what;
      };
      same(a.total, b.total, "total " + site);
      ASSERT_EQ(a.by_site.size(), b.by_site.size());
      for (const auto& [k, c] : a.by_site) same(c, b.by_site[k], "site " + k);
      for (const auto& [k, c] : a.by_department) same(c, b.by_department[k], "department " + k);
      EXPECT_EQ(a.by_state, b.by_state) << site;
      EXPECT_EQ(a.by_manufacturer, b.by_manufacturer) << site;
      EXPECT_EQ(a.by_device_type, b.by_device_type) << site;
      ASSERT_EQ(a.burn_down.size(), b.burn_down.size()) << site;
      for (size_t i = 0; i < a.burn_down.size(); ++i) {
        EXPECT_EQ(a.burn_down[i].date, b.burn_down[i].date);
        EXPECT_EQ(a.burn_down[i].remaining, b.burn_down[i].remaining);
        EXPECT_EQ(a.burn_down[i].closed, b.burn_down[i].closed);
      }
      EXPECT_GT(a.total.found, 0u);
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace phaseout::server
