// Tests for ReportSorter: address order from any arrival order, spilled runs merged, entries
// round-trip through the run encoding, observations dropped.
#include "report/scan_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace phaseout::report {
namespace {

model::DeviceReport Host(int n) {
  model::DeviceReport r;
  r.host.ip = "127.16." + std::to_string(n / 256) + "." + std::to_string(n % 256);
  r.host.open_ports = {80, static_cast<uint16_t>(1000 + n % 100)};
  r.host.notes = {"note " + std::to_string(n)};
  r.host.observations.push_back({});
  r.identification.manufacturer = n % 3 == 0 ? "hikvision" : "";
  r.identification.confidence = n / 1000.0;
  r.identification.evidence.push_back({"http", 80, "http.header.server", "v" + std::to_string(n), "rule", "claim"});
  r.identification.conflicts = {"c"};
  r.verdicts.push_back({"us-ndaa-889", n % 2 ? model::VerdictStatus::kUnknown : model::VerdictStatus::kProhibited,
                        "reason", "clause"});
  return r;
}

std::string Key(int n) {
  std::string k(4, '\0');
  for (int i = 0; i < 4; ++i) k[3 - i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return k;
}

std::vector<int> Shuffled(int n, unsigned seed) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  std::shuffle(v.begin(), v.end(), std::mt19937(seed));
  return v;
}

void CheckSorted(ReportSorter& sorter, int n) {
  int next = 0;
  Status st = sorter.Drain([&](const model::DeviceReport& r, const std::string& seen_at) {
    EXPECT_EQ(r.host.ip, Host(next).host.ip);
    EXPECT_EQ(seen_at, "t" + std::to_string(next));
    EXPECT_TRUE(r.host.observations.empty());
    ++next;
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(next, n);
}

TEST(ReportSorterTest, InMemoryOrder) {
  ReportSorter sorter;
  for (int n : Shuffled(500, 1)) ASSERT_TRUE(sorter.Add(Key(n), "t" + std::to_string(n), Host(n)).ok());
  EXPECT_EQ(sorter.runs_spilled(), 0u);
  CheckSorted(sorter, 500);
}

TEST(ReportSorterTest, SpilledRunsAreMerged) {
  ReportSorter sorter(16 * 1024);  // a few dozen reports per run
  for (int n : Shuffled(3000, 2)) ASSERT_TRUE(sorter.Add(Key(n), "t" + std::to_string(n), Host(n)).ok());
  EXPECT_GT(sorter.runs_spilled(), 10u);
  CheckSorted(sorter, 3000);
}

TEST(ReportSorterTest, EncodingRoundTrips) {
  ReportSorter::Entry e{"key\0x", "2026-11-26T06:00:00Z", Host(7)};
  e.report.host.observations.clear();
  e.report.host.mac = "58:50:ed:00:00:01";
  e.report.identification.brand = "lts";
  e.report.identification.model = std::string("bytes\0\xff", 7);
  std::string bytes = ReportSorter::Encode(e);
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fwrite(bytes.data(), 1, bytes.size() - 3, f);  // a truncated second entry
  std::rewind(f);
  ReportSorter::Entry back;
  auto got = ReportSorter::Decode(f, &back);
  ASSERT_TRUE(got.has_value() && *got);
  EXPECT_EQ(back.key, e.key);
  EXPECT_EQ(back.seen_at, e.seen_at);
  EXPECT_EQ(back.report.host.ip, e.report.host.ip);
  EXPECT_EQ(back.report.host.mac, e.report.host.mac);
  EXPECT_EQ(back.report.host.open_ports, e.report.host.open_ports);
  EXPECT_EQ(back.report.host.notes, e.report.host.notes);
  EXPECT_EQ(back.report.identification.model, e.report.identification.model);
  EXPECT_EQ(back.report.identification.brand, "lts");
  EXPECT_DOUBLE_EQ(back.report.identification.confidence, e.report.identification.confidence);
  ASSERT_EQ(back.report.identification.evidence.size(), 1u);
  EXPECT_EQ(back.report.identification.evidence[0].value, "v7");
  EXPECT_EQ(back.report.identification.evidence[0].port, 80);
  EXPECT_EQ(back.report.identification.conflicts, e.report.identification.conflicts);
  ASSERT_EQ(back.report.verdicts.size(), 1u);
  EXPECT_EQ(back.report.verdicts[0].status, model::VerdictStatus::kUnknown);
  EXPECT_EQ(back.report.verdicts[0].clause, "clause");
  auto damaged = ReportSorter::Decode(f, &back);
  EXPECT_FALSE(damaged.has_value());
  std::fclose(f);
}

TEST(ReportSorterTest, EqualKeysKeepArrivalOrder) {
  ReportSorter sorter(1);  // every report is its own run
  for (int n = 0; n < 5; ++n) ASSERT_TRUE(sorter.Add("same", "t" + std::to_string(n), Host(n)).ok());
  int next = 0;
  ASSERT_TRUE(sorter.Drain([&](const model::DeviceReport&, const std::string& seen_at) {
                      EXPECT_EQ(seen_at, "t" + std::to_string(next++));
                    }).ok());
  EXPECT_EQ(next, 5);
}

}  // namespace
}  // namespace phaseout::report
