// The inventory suite, run on SQLite and on PostgreSQL. The PostgreSQL run starts a throw-away
// server itself (tests/pg/pg-tmp: initdb in a temporary folder, unix socket only); it is skipped
// with a message only when the server binaries are absent and CI is not set (in CI it fails).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <set>
#include <string>
#include <thread>

#include "inventory/inventory.h"
#include "inventory/schema.h"
#include "inventory/testing/pg_server.h"

// libpq allocates a result for a statement on a connection that broke, and libpqxx 6.4 does not
// free it on that error path (its make_result asks the dead connection for its encoding and
// throws): a leak outside phaseout, seen only when the database goes away (as in
// PostgresStore.ServerGoingAwayCommitsNothingAndRecovers). Same suppression as
// src/server/bad_input_test.cc.
extern "C" const char* __lsan_default_suppressions() { return "leak:PQmakeEmptyPGresult\n"; }

namespace phaseout::inventory {
namespace {

constexpr const char* kSites = R"(
departments:
  - id: finance
    name: Department of Finance
    sites:
      - id: hq
        scopes: [127.16.0.0/24]
        deadlines: {us-ndaa-889: 2027-01-31}
      - id: branch
        scopes: [127.16.0.0/24]
)";

std::string Line(const std::string& ip, const std::string& mac, const std::string& maker = "hikvision",
                 const std::string& model = "DS-2CD2143G2-I", bool prohibited = true, const std::string& serial = "") {
  std::string verdict = prohibited ? "prohibited" : "clear";
  return R"({"ip":")" + ip + R"(","open_ports":[80],"mac":)" + (mac.empty() ? "null" : "\"" + mac + "\"") +
         R"(,"manufacturer":)" + (maker.empty() ? "null" : "\"" + maker + "\"") + R"(,"brand":null,"device_type":"camera","model":")" +
         model + R"(","firmware":"V5.7","serial":)" + (serial.empty() ? "null" : "\"" + serial + "\"") +
         R"(,"confidence":0.9,"evidence":[],"verdicts":[{"policy":"us-ndaa-889","status":")" + verdict +
         R"(","reason":"r","clause":""}],"notes":[]})";
}

class InventorySuite : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      auto url = testing::SharedPgServer().FreshDatabase();
      if (!url) {
        if (testing::SharedPgServer().skip_reason().empty()) FAIL() << url.error().message;
        GTEST_SKIP() << testing::SharedPgServer().skip_reason();
      }
      location_ = *url;
    } else {
      std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
      for (char& c : name) {
        if (c == '/') c = '_';  // parameterised names contain '/'
      }
      dir_ = std::filesystem::temp_directory_path() / ("phaseout-inv-" + std::to_string(getpid()) + "-" + name);
      std::filesystem::remove_all(dir_);
      location_ = (dir_ / "inventory.db").string();
    }
    options_.clock = [this] { return now_; };
    inv_ = Open();
    auto sites = ParseSitesYaml(kSites, "sites.yaml");
    ASSERT_TRUE(sites);
    ASSERT_TRUE(inv_->ImportSites(*sites, "tester", "initial").ok());
  }
  void TearDown() override {
    inv_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Inventory> Open() {
    auto inv = Inventory::Open(location_, options_);
    EXPECT_TRUE(inv) << (inv ? "" : inv.error().message);
    return inv ? std::move(*inv) : nullptr;
  }

  // `scope`: what the scan covered (empty: the site's scopes).
  Result<IngestSummary> Ingest(const std::string& key, const std::vector<std::string>& lines,
                               const std::string& site = "hq", std::vector<Cidr> scope = {}) {
    ScanMeta m;
    m.scan_key = key;
    m.site = site;
    m.started_at = now_;
    m.source = "test";
    m.scope = std::move(scope);
    auto ing = inv_->BeginIngest(m);
    if (!ing) return ing.error();
    int64_t seq = 0;
    for (const auto& l : lines) {
      if (Status s = (*ing)->AddLine(l, ++seq); !s.ok()) return s.error();
    }
    return (*ing)->Commit();
  }

  DeviceRecord Only(const std::string& ip, const std::string& site = "hq") {
    DeviceFilter f;
    f.site = site;
    auto all = inv_->ListDevices(f);
    EXPECT_TRUE(all);
    DeviceRecord found;
    int n = 0;
    for (auto& d : *all) {
      if (d.ip == ip) {
        found = d;
        ++n;
      }
    }
    EXPECT_EQ(n, 1) << "devices at " << ip;
    return found;
  }

  Result<DeviceRecord> Set(int64_t id, DeviceState to) {
    TransitionRequest r;
    r.to = to;
    r.actor = "alice";
    r.note = "test";
    r.replacement_model = "Axis P3265";
    r.target_date = "2027-06-30";
    r.approver = "cio";
    r.reason = "r";
    r.expiry = "2027-01-15";
    return inv_->SetState(id, r);
  }

  // A database of this backend at schema `version` holding `rows` (statements run in order),
  // for a migration test to open. Empty on failure (reported).
  std::string OldDatabase(int version, std::initializer_list<const char*> rows) {
    std::string location;
    if (GetParam() == "postgres") {
      auto url = testing::SharedPgServer().FreshDatabase();
      EXPECT_TRUE(url);
      if (!url) return "";
      location = *url;
    } else {
      location = (dir_ / ("v" + std::to_string(version) + ".db")).string();
    }
    auto store = OpenStore(location);
    EXPECT_TRUE(store);
    if (!store || !internal::Migrate(**store, version).ok()) {
      ADD_FAILURE() << "no database of schema version " << version;
      return "";
    }
    for (const char* sql : rows) {
      if (!(*store)->Exec(sql).ok()) {
        ADD_FAILURE() << sql;
        return "";
      }
    }
    return location;
  }

  std::string now_ = "2026-12-01T10:00:00Z";
  InventoryOptions options_;
  std::filesystem::path dir_;
  std::string location_;
  std::unique_ptr<Inventory> inv_;
};

TEST_P(InventorySuite, SitesAreStored) {
  auto sites = inv_->ListSites();
  ASSERT_TRUE(sites);
  ASSERT_EQ(sites->size(), 2u);
  EXPECT_EQ((*sites)[0].department, "finance");
  auto hq = inv_->GetSite("hq");
  ASSERT_TRUE(hq);
  EXPECT_EQ(hq->deadlines.at("us-ndaa-889"), "2027-01-31");
  EXPECT_FALSE(inv_->GetSite("nope"));
}

TEST_P(InventorySuite, IngestIsIdempotentAndPerSite) {
  std::vector<std::string> lines = {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", ""),
                                    Line("127.16.0.3", "", "", "", false)};
  auto s = Ingest("scan-1", lines);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->records, 3);
  EXPECT_EQ(s->new_devices, 3);
  EXPECT_EQ(s->events.size(), 2u);  // two new covered devices
  auto again = Ingest("scan-1", lines);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->already_ingested);
  // The same addresses at another site are other devices (overlapping private ranges).
  auto b = Ingest("scan-b", lines, "branch");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->new_devices, 3);
  auto all = inv_->ListDevices({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 6u);
  EXPECT_EQ(Only("127.16.0.3").status, "unknown");  // maker unknown: listed to check, not clear
  EXPECT_EQ(Only("127.16.0.1").status, "covered");
  auto unknown_site = Ingest("scan-x", lines, "nowhere");
  ASSERT_FALSE(unknown_site);
  EXPECT_EQ(unknown_site.error().code, ErrorCode::kNotFound);
}

TEST_P(InventorySuite, DevicePagesFilterByScopeAndText) {
  std::vector<std::string> lines = {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "aa:bb:cc:00:00:02"),
                                    Line("127.16.0.3", "aa:bb:cc:00:00:03")};
  ASSERT_TRUE(Ingest("scan-1", lines));
  ASSERT_TRUE(Ingest("scan-b", lines, "branch"));
  DeviceFilter f;
  f.limit = 4;
  auto first = inv_->ListDevicePage(f);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->total, 6);
  ASSERT_EQ(first->devices.size(), 4u);
  f.offset = 4;
  auto rest = inv_->ListDevicePage(f);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->devices.size(), 2u);
  EXPECT_NE(rest->devices[0].id, first->devices[3].id);
  f.offset = 10;
  EXPECT_TRUE(inv_->ListDevicePage(f)->devices.empty());
  f.offset = -1;
  EXPECT_FALSE(inv_->ListDevicePage(f));
  // An authorisation scope: only the listed sites; an empty list matches nothing.
  DeviceFilter scoped;
  scoped.only_sites = std::vector<std::string>{"branch"};
  auto branch = inv_->ListDevicePage(scoped);
  ASSERT_TRUE(branch);
  EXPECT_EQ(branch->total, 3);
  for (const auto& d : branch->devices) EXPECT_EQ(d.site, "branch");
  scoped.only_sites = std::vector<std::string>{};
  EXPECT_EQ(inv_->ListDevicePage(scoped)->total, 0);
  DeviceFilter text;
  text.text = "AA:BB:CC:00:00:02";
  auto matched = inv_->ListDevicePage(text);
  ASSERT_EQ(matched->total, 2);
  // Paged text search counts its matches in the page query: beyond the page, past the last
  // match, and a short first page.
  DeviceFilter paged;
  paged.text = "127.16.0.";
  paged.limit = 4;
  auto p1 = inv_->ListDevicePage(paged);
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->total, 6);
  EXPECT_EQ(p1->devices.size(), 4u);
  paged.offset = 4;
  EXPECT_EQ(inv_->ListDevicePage(paged)->total, 6);
  EXPECT_EQ(inv_->ListDevicePage(paged)->devices.size(), 2u);
  paged.offset = 10;
  EXPECT_EQ(inv_->ListDevicePage(paged)->total, 6);
  EXPECT_TRUE(inv_->ListDevicePage(paged)->devices.empty());
  paged.text = "00:00:03";
  paged.offset = 0;
  EXPECT_EQ(inv_->ListDevicePage(paged)->total, 2);
  // The raw record that attached the device is kept and given back (its evidence as scanned).
  auto raw = inv_->LastRecord(matched->devices[0].id);
  ASSERT_TRUE(raw);
  EXPECT_NE(raw->find("aa:bb:cc:00:00:02"), std::string::npos) << *raw;
  EXPECT_EQ(inv_->LastRecord(999999).error().code, ErrorCode::kNotFound);
}

// Text search pages, by offset and by cursor, hold the matches of the whole list in its order,
// whichever plan PostgreSQL's search takes (few matches: through the trigram index; many: the
// walk over each site's devices), and a text never matches across two fields.
TEST_P(InventorySuite, TextSearchPagesAgreeWithTheFullListOnEveryPlan) {
  std::vector<std::string> hq, branch;
  for (int i = 1; i <= 7; ++i) {
    std::string n = std::to_string(i);
    hq.push_back(Line("127.16.0." + n, "aa:bb:cc:00:00:0" + n, i % 2 ? "hikvision" : "axis", "DS-2CD" + n));
    branch.push_back(Line("127.16.1." + n, "aa:bb:cc:00:01:0" + n, i % 3 ? "hikvision" : "axis", "M30" + n));
  }
  ASSERT_TRUE(Ingest("scan-hq", hq));
  ASSERT_TRUE(Ingest("scan-b", branch, "branch"));
  for (int64_t dense : {int64_t{1000}, int64_t{1}}) {
    options_.dense_text_matches = dense;
    auto inv = Open();
    ASSERT_TRUE(inv);
    for (const std::string& text : {std::string("hikvision"), std::string("AXIS"), std::string("127.16.1."),
                                    std::string("ds-2cd"), std::string("1 aa"), std::string("nothing-like-it")}) {
      DeviceFilter all;
      all.text = text;
      auto list = inv->ListDevices(all);
      ASSERT_TRUE(list) << list.error().message;
      std::vector<int64_t> ids;
      for (const auto& d : *list) ids.push_back(d.id);
      if (text == "1 aa" || text == "nothing-like-it") {
        EXPECT_TRUE(ids.empty()) << text;  // ".1 aa" spans ip and mac
      }
      for (int64_t limit : {1, 3, 20}) {
        std::vector<int64_t> by_offset, by_cursor;
        DeviceFilter o = all, k = all;
        o.limit = k.limit = limit;
        for (int pages = 0; pages < 20; ++pages) {
          auto page = inv->ListDevicePage(o);
          ASSERT_TRUE(page) << page.error().message;
          EXPECT_EQ(page->total, static_cast<int64_t>(ids.size())) << text << " dense " << dense;
          for (const auto& d : page->devices) by_offset.push_back(d.id);
          if (static_cast<int64_t>(page->devices.size()) < limit) break;
          o.offset += limit;
        }
        for (int pages = 0; pages < 20; ++pages) {
          auto page = inv->ListDevicePage(k);
          ASSERT_TRUE(page) << page.error().message;
          for (const auto& d : page->devices) by_cursor.push_back(d.id);
          if (static_cast<int64_t>(page->devices.size()) < limit) break;
          k.after = page->devices.back().id;
        }
        EXPECT_EQ(by_offset, ids) << text << " limit " << limit << " dense " << dense;
        EXPECT_EQ(by_cursor, ids) << text << " limit " << limit << " dense " << dense;
      }
    }
  }
}

// Pages come in the order of ListDevices (site key, then device id; "branch" sorts before "hq"
// although its devices were made later), page after page, with every page size and with a
// filter; the count stops at the cap and says so.
TEST_P(InventorySuite, DevicePagesKeepListOrderAndCapTheCount) {
  std::vector<std::string> hq = {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "aa:bb:cc:00:00:02"),
                                 Line("127.16.0.3", "aa:bb:cc:00:00:03", "axis", "M3045", false)};
  std::vector<std::string> branch = {Line("127.16.1.1", "aa:bb:cc:00:01:01"),
                                     Line("127.16.1.2", "aa:bb:cc:00:01:02", "axis", "M3045", false)};
  ASSERT_TRUE(Ingest("scan-hq", hq));
  ASSERT_TRUE(Ingest("scan-b", branch, "branch"));
  for (const std::string& status : {std::string(), std::string("covered")}) {
    DeviceFilter all;
    all.status = status;
    auto list = inv_->ListDevices(all);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), status.empty() ? 5u : 3u);
    EXPECT_EQ(list->front().site, "branch");
    EXPECT_EQ(list->back().site, "hq");
    for (size_t i = 1; i < list->size(); ++i) {
      const auto& a = (*list)[i - 1];
      const auto& b = (*list)[i];
      EXPECT_TRUE(a.site < b.site || (a.site == b.site && a.id < b.id)) << i;
    }
    for (int64_t limit = 1; limit <= 6; ++limit) {
      DeviceFilter f = all;
      f.limit = limit;
      std::vector<int64_t> ids;
      for (f.offset = 0; f.offset < 8; f.offset += limit) {
        auto page = inv_->ListDevicePage(f);
        ASSERT_TRUE(page);
        EXPECT_TRUE(page->total_exact);
        EXPECT_EQ(page->total, static_cast<int64_t>(list->size())) << "limit " << limit << " offset " << f.offset;
        for (const auto& d : page->devices) ids.push_back(d.id);
      }
      ASSERT_EQ(ids.size(), list->size()) << "limit " << limit;
      for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], (*list)[i].id) << "limit " << limit << " at " << i;
      // Keyset paging: after the last device of each page, across the sites, the same order.
      DeviceFilter k = all;
      k.limit = limit;
      std::vector<int64_t> keyed;
      for (int pages = 0; pages < 8; ++pages) {
        auto page = inv_->ListDevicePage(k);
        ASSERT_TRUE(page) << page.error().message;
        EXPECT_EQ(page->total, static_cast<int64_t>(list->size())) << "limit " << limit << " after " << k.after;
        for (const auto& d : page->devices) keyed.push_back(d.id);
        if (static_cast<int64_t>(page->devices.size()) < limit) break;
        k.after = page->devices.back().id;
      }
      EXPECT_EQ(keyed, ids) << "limit " << limit;
    }
  }
  DeviceFilter capped;
  capped.limit = 1;
  capped.count_cap = 3;
  auto page = inv_->ListDevicePage(capped);
  ASSERT_TRUE(page);
  EXPECT_FALSE(page->total_exact);
  EXPECT_EQ(page->total, 3);  // more than 3 match
  capped.offset = 3;
  capped.limit = 1;
  page = inv_->ListDevicePage(capped);
  EXPECT_FALSE(page->total_exact);
  EXPECT_EQ(page->total, 4);  // the cap grows with offset + limit
  capped.limit = 2;
  page = inv_->ListDevicePage(capped);
  EXPECT_TRUE(page->total_exact);
  EXPECT_EQ(page->total, 5);
  capped.count_cap = 5;
  capped.offset = 0;
  capped.limit = 1;
  page = inv_->ListDevicePage(capped);
  EXPECT_TRUE(page->total_exact);
  EXPECT_EQ(page->total, 5);
  // The scope and site filters hold on the index path.
  DeviceFilter scoped;
  scoped.limit = 1;
  scoped.offset = 1;
  scoped.only_sites = std::vector<std::string>{"hq"};
  page = inv_->ListDevicePage(scoped);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 3);
  ASSERT_EQ(page->devices.size(), 1u);
  EXPECT_EQ(page->devices[0].ip, "127.16.0.2");
  scoped.site = "branch";
  EXPECT_EQ(inv_->ListDevicePage(scoped)->total, 0);
  // A cursor must name a device and excludes an offset.
  DeviceFilter bad;
  bad.limit = 1;
  bad.after = 999999;
  EXPECT_EQ(inv_->ListDevicePage(bad).error().code, ErrorCode::kInvalidArgument);
  bad.after = page->devices[0].id;
  bad.offset = 1;
  EXPECT_EQ(inv_->ListDevicePage(bad).error().code, ErrorCode::kInvalidArgument);
  // The last raw records in bulk: in id order, paged, the same as LastRecord.
  std::vector<DeviceLastRecord> records;
  int64_t after = 0;
  while (true) {
    auto part = inv_->LastRecords(after, 2);
    ASSERT_TRUE(part);
    for (const auto& r : *part) records.push_back(r);
    if (part->size() < 2) break;
    after = part->back().device_id;
  }
  ASSERT_EQ(records.size(), 5u);
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) {
      EXPECT_LT(records[i - 1].device_id, records[i].device_id);
    }
    EXPECT_EQ(records[i].record, *inv_->LastRecord(records[i].device_id));
    EXPECT_FALSE(records[i].record.empty());
  }
  EXPECT_FALSE(inv_->LastRecords(0, 0));
}

// Counts and deadlines are kept while the data stays the same (SqlInventory's read cache) and
// follow every change: another connection's commit and this connection's own writes.
TEST_P(InventorySuite, CachedCountsAndDeadlinesFollowEveryChange) {
  ASSERT_TRUE(Ingest("scan-1", {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "aa:bb:cc:00:00:02"),
                                Line("127.16.0.3", "aa:bb:cc:00:00:03")}));
  DeviceFilter found;
  found.state = "found";
  found.limit = 1;  // a full page: the total comes from the count query
  auto total = [&] {
    auto page = inv_->ListDevicePage(found);
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->total : -1;
  };
  EXPECT_EQ(total(), 3);
  EXPECT_EQ(total(), 3);  // the same answer again, from the cache
  // Another connection adds a device: the next page counts it.
  auto other = Open();
  ASSERT_TRUE(other);
  ScanMeta m;
  m.scan_key = "scan-2";
  m.site = "hq";
  m.started_at = now_;
  m.source = "test";
  auto ing = other->BeginIngest(m);
  ASSERT_TRUE(ing);
  ASSERT_TRUE((*ing)->AddLine(Line("127.16.0.4", "aa:bb:cc:00:00:04"), 1).ok());
  ASSERT_TRUE((*ing)->Commit());
  EXPECT_EQ(total(), 4);
  // This connection's own change: one device leaves "found".
  int64_t id = Only("127.16.0.1").id;
  ASSERT_TRUE(Set(id, DeviceState::kConfirmed));
  EXPECT_EQ(total(), 3);
  EXPECT_EQ(total(), 3);
  // The other connection counts the same list after that change (on PostgreSQL the connections
  // of a process share counts of the same data version), then changes it: both see each change.
  auto theirs = other->ListDevicePage(found);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->total, 3);
  TransitionRequest confirm;
  confirm.to = DeviceState::kConfirmed;
  confirm.actor = "bob";
  confirm.note = "test";
  ASSERT_TRUE(other->SetState(Only("127.16.0.2").id, confirm));
  EXPECT_EQ(total(), 2);
  EXPECT_EQ(other->ListDevicePage(found)->total, 2);
  // The site's deadline moves into the past on the other connection: the device is overdue.
  auto dev = inv_->GetDevice(id);
  ASSERT_TRUE(dev);
  EXPECT_FALSE(dev->overdue);
  std::string moved = kSites;
  moved.replace(moved.find("2027-01-31"), 10, "2026-11-30");
  auto sites = ParseSitesYaml(moved, "sites.yaml");
  ASSERT_TRUE(sites);
  ASSERT_TRUE(other->ImportSites(*sites, "tester", "deadline moved").ok());
  dev = inv_->GetDevice(id);
  ASSERT_TRUE(dev);
  EXPECT_TRUE(dev->overdue) << dev->overdue_reason;
}

// Deep offset pages start from checkpoints (every step-th match of the filter, kept while the
// data stays the same): every offset, asked deep first and then shallow, returns the slice of
// the full list, for several filters, before and after changes that move every position (new
// devices in "branch", which sorts before "hq"; a state change; another connection's commit).
TEST_P(InventorySuite, DeepOffsetPagesAgreeWithTheFullListAcrossChanges) {
  options_.offset_checkpoint_step = 3;
  inv_ = Open();
  ASSERT_TRUE(inv_);
  auto other = Open();
  ASSERT_TRUE(other);
  std::vector<std::string> hq, branch;
  for (int i = 1; i <= 23; ++i) {
    std::string n = std::to_string(i);
    hq.push_back(Line("127.16.0." + n, "aa:bb:cc:00:00:" + std::to_string(10 + i), i % 3 ? "hikvision" : "axis",
                      "DS-2CD" + n, i % 3 != 0));
  }
  for (int i = 1; i <= 8; ++i) {
    std::string n = std::to_string(i);
    branch.push_back(Line("127.16.1." + n, "aa:bb:cc:00:01:" + std::to_string(10 + i), "hikvision", "M30" + n,
                          i % 2 == 0));
  }
  ASSERT_TRUE(Ingest("scan-hq", hq));
  ASSERT_TRUE(Ingest("scan-b", branch, "branch"));
  std::vector<DeviceFilter> filters(4);
  filters[1].status = "covered";
  filters[2].state = "found";
  filters[3].text = "hikvision";
  auto check = [&](Inventory& inv, const std::string& when) {
    for (const DeviceFilter& all : filters) {
      std::string name = when + " status '" + all.status + "' state '" + all.state + "' text '" + all.text + "'";
      auto list = inv.ListDevices(all);
      ASSERT_TRUE(list) << list.error().message;
      auto size = static_cast<int64_t>(list->size());
      for (int64_t limit : {1, 4, 7}) {
        std::vector<int64_t> offsets;
        for (int64_t o = size + 2; o >= 0; --o) offsets.push_back(o);
        for (int64_t o = 0; o <= size + 2; ++o) offsets.push_back(o);
        for (int64_t offset : offsets) {
          DeviceFilter f = all;
          f.limit = limit;
          f.offset = offset;
          auto page = inv.ListDevicePage(f);
          ASSERT_TRUE(page) << page.error().message;
          std::vector<int64_t> got, want;
          for (const auto& d : page->devices) got.push_back(d.id);
          for (int64_t i = offset; i < std::min(size, offset + limit); ++i) want.push_back((*list)[i].id);
          EXPECT_EQ(got, want) << name << " limit " << limit << " offset " << offset;
          EXPECT_EQ(page->total, size) << name << " limit " << limit << " offset " << offset;
        }
      }
    }
  };
  check(*inv_, "first");
  ASSERT_GT(inv_->ListDevices(filters[1])->size(), 12u);  // deep enough for several checkpoints
  // New devices before every hq device, from this connection, then another's change of state.
  ASSERT_TRUE(Ingest("scan-b2", {Line("127.16.1.20", "aa:bb:cc:00:01:40"), Line("127.16.1.21", "aa:bb:cc:00:01:41")},
                     "branch"));
  check(*inv_, "after new devices");
  TransitionRequest confirm;
  confirm.to = DeviceState::kConfirmed;
  confirm.actor = "bob";
  confirm.note = "test";
  ASSERT_TRUE(other->SetState(Only("127.16.0.2").id, confirm));
  check(*inv_, "after another connection's change");
  check(*other, "on the other connection");
  ASSERT_TRUE(Set(Only("127.16.0.13").id, DeviceState::kConfirmed));
  check(*other, "the other connection, after this one's change");
  check(*inv_, "after this connection's change");
}

// Deep offset pages read while another connection commits again and again: each commit may
// land between the version a page was planned under and the page itself. The other connection
// confirms the devices of the list of found ones from its start, one per commit, so list n
// (after n commits) is the full list without its first n devices, and every checkpoint moves.
// A page must be a slice of one of the lists the data went through during the call. (Stale
// checkpoints show only when commits on both sides of a checkpoint land within one page read:
// DeepOffsetPagesAgreeWithTheFullListAcrossChanges covers those positions deterministically;
// this test checks the page read again after a commit, under the pool's sharing, and threads.)
TEST_P(InventorySuite, DeepOffsetPagesStayRightWhileAnotherConnectionCommits) {
  options_.offset_checkpoint_step = 2;
  inv_ = Open();
  ASSERT_TRUE(inv_);
  auto other = Open();
  ASSERT_TRUE(other);
  std::vector<std::string> hq;
  for (int i = 1; i <= 40; ++i) {
    std::string n = std::to_string(i);
    hq.push_back(Line("127.16.0." + n, "aa:bb:cc:00:00:" + std::to_string(10 + i), "hikvision", "DS-2CD" + n));
  }
  ASSERT_TRUE(Ingest("scan-hq", hq));
  DeviceFilter found;
  found.state = "found";
  auto all = inv_->ListDevices(found);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 40u);
  const int kConfirmed = 25;
  std::atomic<int> commits{0};
  std::string writer_error;
  std::thread writer([&] {
    for (int i = 0; i < kConfirmed; ++i) {
      TransitionRequest confirm;
      confirm.to = DeviceState::kConfirmed;
      confirm.actor = "bob";
      confirm.note = "test";
      auto done = other->SetState((*all)[i].id, confirm);
      if (!done) {
        writer_error = done.error().message;
        return;
      }
      ++commits;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  int pages = 0, concurrent = 0;
  const int64_t kLimit = 3;
  while (commits < kConfirmed && writer_error.empty()) {
    for (int64_t offset = 14; offset >= 0; --offset) {
      int before = commits;
      DeviceFilter f = found;
      f.limit = kLimit;
      f.offset = offset;
      auto page = inv_->ListDevicePage(f);
      int after = commits;
      ASSERT_TRUE(page) << page.error().message;
      std::vector<int64_t> got;
      for (const auto& d : page->devices) got.push_back(d.id);
      bool matches_one = false;
      for (int n = before; n <= std::min(after + 1, kConfirmed) && !matches_one; ++n) {
        std::vector<int64_t> want;
        for (int64_t i = n + offset; i < std::min<int64_t>(40, n + offset + kLimit); ++i) want.push_back((*all)[i].id);
        matches_one = got == want;
      }
      EXPECT_TRUE(matches_one) << "offset " << offset << " read between commits " << before << " and " << after;
      ++pages;
      if (after > before) ++concurrent;
    }
  }
  writer.join();
  EXPECT_EQ(writer_error, "");
  EXPECT_GT(pages, 0);
  RecordProperty("pages_read_across_a_commit", concurrent);
}

TEST_P(InventorySuite, MalformedLineCommitsNothing) {
  auto s = Ingest("scan-bad", {Line("127.16.0.1", "aa:bb:cc:00:00:01"), "{\"ip\": oops"});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kParse);
  auto all = inv_->ListDevices({});
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
  auto scans = inv_->ListScans("");
  ASSERT_TRUE(scans);
  EXPECT_TRUE(scans->empty());
  // The same scan id can be ingested once the file is fixed.
  ASSERT_TRUE(Ingest("scan-bad", {Line("127.16.0.1", "aa:bb:cc:00:00:01")}));
}

TEST_P(InventorySuite, AddressChangeKeepsIdAndWeakKeyOpensReview) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "", "dahua", "IPC")}));
  int64_t id = Only("127.16.0.1").id;
  int64_t weak = Only("127.16.0.2").id;
  now_ = "2026-12-02T10:00:00Z";
  auto s = Ingest("s2", {Line("127.16.0.9", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "aa:bb:cc:00:00:77", "dahua", "IPC")});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(Only("127.16.0.9").id, id);
  EXPECT_EQ(Only("127.16.0.9").match_rule, "mac");
  EXPECT_EQ(s->reviews_opened, 1);
  auto reviews = inv_->ListReviews(true);
  ASSERT_TRUE(reviews);
  ASSERT_EQ(reviews->size(), 1u);
  EXPECT_EQ((*reviews)[0].device_a, weak);
  // Duplicate MAC at two addresses in one scan: kept apart and counted.
  now_ = "2026-12-03T10:00:00Z";
  auto dup = Ingest("s3", {Line("127.16.0.9", "aa:bb:cc:00:00:01"), Line("127.16.0.10", "aa:bb:cc:00:00:01")});
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->duplicates, 1);
}

TEST_P(InventorySuite, LifecycleIsValidatedAndAudited) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01")}));
  int64_t id = Only("127.16.0.1").id;
  ASSERT_TRUE(Set(id, DeviceState::kConfirmed));
  auto bad = Set(id, DeviceState::kVerifiedRemoved);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  auto planned = Set(id, DeviceState::kReplacementPlanned);
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->replacement_model, "Axis P3265");
  EXPECT_FALSE(inv_->SetState(999999, TransitionRequest{}));
  auto hist = inv_->History(id);
  ASSERT_TRUE(hist);
  ASSERT_EQ(hist->size(), 2u);
  EXPECT_NE((*hist)[1].before.find("\"confirmed\""), std::string::npos);
  auto v = inv_->VerifyAudit();
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_GE(v->entries, 4);  // sites import, ingest, two changes
}

TEST_P(InventorySuite, AuditTamperingIsDetected) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01")}));
  int64_t id = Only("127.16.0.1").id;
  ASSERT_TRUE(Set(id, DeviceState::kConfirmed));
  ASSERT_TRUE(Set(id, DeviceState::kRemoved));
  Store& st = inv_->store();
  // The log refuses edits outright...
  EXPECT_FALSE(st.Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3").ok());
  EXPECT_FALSE(st.Exec("DELETE FROM audit_log WHERE seq = 3").ok());
  // ...and when someone with raw access drops the guard, the chain exposes the edit.
  if (st.dialect() == Dialect::kSqlite) {
    ASSERT_TRUE(st.ExecScript("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").ok());
  } else {
    ASSERT_TRUE(st.ExecScript("DROP TRIGGER audit_log_append_only ON audit_log").ok());
  }
  ASSERT_TRUE(st.Exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3").ok());
  auto v = inv_->VerifyAudit();
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, 3);
  ASSERT_TRUE(st.Exec("UPDATE audit_log SET actor = 'alice' WHERE seq = 3").ok());
  ASSERT_TRUE(inv_->VerifyAudit()->ok);
  ASSERT_TRUE(st.Exec("DELETE FROM audit_log WHERE seq = 3").ok());
  v = inv_->VerifyAudit();
  EXPECT_FALSE(v->ok);
  EXPECT_NE(v->problem.find("missing"), std::string::npos) << v->problem;
}

// One complete scan that misses thousands of devices at once (more than one id range of the
// verification pass): every covered one goes missing and every removed one is verified
// removed, each with its own audit entry (written together, chained in order) and event.
TEST_P(InventorySuite, ManyDevicesChangeStateInOneVerificationPass) {
  const int kDevices = 2600;
  auto sites = ParseSitesYaml(std::string(kSites) + R"(      - id: campus
        scopes: [127.20.0.0/16]
)", "sites.yaml");
  ASSERT_TRUE(sites) << sites.error().message;
  ASSERT_TRUE(inv_->ImportSites(*sites, "tester", "campus").ok());
  std::vector<std::string> lines;
  for (int i = 0; i < kDevices; ++i) {
    std::string ip = "127.20." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    char mac[32];
    std::snprintf(mac, sizeof mac, "aa:bb:cc:00:%02x:%02x", i / 256, i % 256);
    lines.push_back(Line(ip, mac, i % 5 == 0 ? "axis" : "hikvision", "M" + std::to_string(i), i % 5 != 0));
  }
  ASSERT_TRUE(Ingest("s1", lines, "campus"));
  DeviceFilter all;
  all.site = "campus";
  auto devices = inv_->ListDevices(all);
  ASSERT_TRUE(devices);
  ASSERT_EQ(devices->size(), static_cast<size_t>(kDevices));
  std::set<int64_t> removed;
  for (size_t i = 1; i < devices->size(); i += 97) {
    if ((*devices)[i].prohibited.empty()) continue;
    ASSERT_TRUE(Set((*devices)[i].id, DeviceState::kRemoved));
    removed.insert((*devices)[i].id);
  }
  // Two complete scans that see only the first device.
  now_ = "2026-12-02T10:00:00Z";
  ASSERT_TRUE(Ingest("s2", {lines[0]}, "campus"));
  now_ = "2026-12-03T10:00:00Z";
  auto s3 = Ingest("s3", {lines[0]}, "campus");
  ASSERT_TRUE(s3) << s3.error().message;
  int covered = 0;
  for (const auto& d : *devices) covered += !d.prohibited.empty() && d.id != (*devices)[0].id && !removed.count(d.id);
  EXPECT_EQ(s3->verified_removed, static_cast<int64_t>(removed.size()));
  EXPECT_EQ(s3->went_missing, covered);
  auto after = inv_->ListDevices(all);
  ASSERT_TRUE(after);
  int missing = 0, verified = 0;
  for (const auto& d : *after) {
    if (d.state == DeviceState::kMissing) {
      ++missing;
      EXPECT_EQ(d.prior_state, DeviceState::kFound) << d.id;
      EXPECT_EQ(d.state_since, "2026-12-03T10:00:00Z") << d.id;
      EXPECT_EQ(d.missed_scans, 2) << d.id;
    }
    if (d.state == DeviceState::kVerifiedRemoved) {
      ++verified;
      EXPECT_TRUE(removed.count(d.id)) << d.id;
    }
  }
  EXPECT_EQ(missing, covered);
  EXPECT_EQ(verified, static_cast<int>(removed.size()));
  // Each changed device has its audit entry, with the states before and after.
  for (size_t i : {size_t{1}, size_t{2}, size_t{1500}, size_t{2599}}) {
    const auto& d = (*after)[i];
    if (d.state != DeviceState::kMissing && d.state != DeviceState::kVerifiedRemoved) continue;
    auto history = inv_->History(d.id);
    ASSERT_TRUE(history);
    ASSERT_FALSE(history->empty());
    const AuditEntry& last = history->back();
    EXPECT_EQ(last.action, d.state == DeviceState::kMissing ? "missing" : "verified-removed");
    EXPECT_NE(last.after.find(DeviceStateName(d.state)), std::string::npos) << last.after;
    EXPECT_EQ(last.device_id, d.id);
  }
  auto audit = inv_->VerifyAudit();
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->ok) << audit->problem;
}

TEST_P(InventorySuite, RawScanRecordEditsAreDetected) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01")}));
  ASSERT_TRUE(inv_->VerifyAudit()->ok);
  ASSERT_TRUE(inv_->store().Exec("UPDATE scan_records SET record = '{\"ip\":\"127.16.0.1\"}'").ok());
  auto v = inv_->VerifyAudit();
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->ok);
  EXPECT_NE(v->problem.find("raw records"), std::string::npos);
}

// Fields and raw records with tabs, newlines, carriage returns and backslashes (JSON escapes in
// the raw line, control characters once decoded) come back as they went in: PostgreSQL's COPY
// text form escapes them (CopyText), SQLite binds them.
TEST_P(InventorySuite, ControlCharactersAndBackslashesRoundTrip) {
  std::string model = R"(A\tB\\C\nD\rE)";  // JSON for A<tab>B\C<newline>D<return>E
  std::string line = Line("127.16.0.1", "aa:bb:cc:00:00:01", "hikvision", model);
  ASSERT_TRUE(Ingest("s1", {line, Line("127.16.0.2", "")}));
  DeviceRecord d = Only("127.16.0.1");
  EXPECT_EQ(d.model, "A\tB\\C\nD\rE");
  auto raw = inv_->LastRecord(d.id);
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(*raw, line);
  auto audit = inv_->VerifyAudit();
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->ok) << audit->problem;
}

TEST(CopyText, EscapesFieldsAndSeparatesRows) {
  CopyText rows(3);
  rows.Text("a\tb\nc\rd\\e");
  rows.Int(-42);
  rows.Null();
  rows.Value(SqlValue(std::string("x")));
  rows.Value(SqlValue(int64_t{7}));
  rows.Value(SqlValue());
  EXPECT_EQ(rows.rows(), 2u);
  EXPECT_EQ(rows.text(), "a\\tb\\nc\\rd\\\\e\t-42\t\\N\nx\t7\t\\N");
}

TEST_P(InventorySuite, VerificationRegressionAndMissing) {
  std::string cam1 = Line("127.16.0.1", "aa:bb:cc:00:00:01");
  std::string cam2 = Line("127.16.0.2", "aa:bb:cc:00:00:02");
  std::string cam3 = Line("127.16.0.3", "aa:bb:cc:00:00:03");
  ASSERT_TRUE(Ingest("s1", {cam1, cam2, cam3}));
  int64_t id1 = Only("127.16.0.1").id, id2 = Only("127.16.0.2").id;
  ASSERT_TRUE(Set(id1, DeviceState::kRemoved));
  // Scan 2: cam1 gone (removed), cam2 gone (not removed), cam3 answers.
  now_ = "2026-12-02T10:00:00Z";
  auto s2 = Ingest("s2", {cam3});
  ASSERT_TRUE(s2);
  EXPECT_EQ(inv_->GetDevice(id1)->state, DeviceState::kRemoved);  // 1 of 2 scans
  now_ = "2026-12-03T10:00:00Z";
  auto s3 = Ingest("s3", {cam3});
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->verified_removed, 1);
  EXPECT_EQ(s3->went_missing, 1);
  EXPECT_EQ(inv_->GetDevice(id1)->state, DeviceState::kVerifiedRemoved);
  auto missing = inv_->GetDevice(id2);
  EXPECT_EQ(missing->state, DeviceState::kMissing);
  EXPECT_EQ(missing->prior_state, DeviceState::kFound);
  // Scan 4: both come back: regression for the removed one, the missing one returns.
  now_ = "2026-12-04T10:00:00Z";
  auto s4 = Ingest("s4", {cam1, cam2, cam3});
  ASSERT_TRUE(s4);
  EXPECT_EQ(s4->regressions, 1);
  EXPECT_EQ(s4->reappeared, 1);
  EXPECT_EQ(inv_->GetDevice(id1)->state, DeviceState::kConfirmed);
  EXPECT_EQ(inv_->GetDevice(id2)->state, DeviceState::kFound);
  bool regression_event = false;
  for (const auto& e : s4->events) regression_event |= e.kind == "regression";
  EXPECT_TRUE(regression_event);
  // A scan that does not cover an address says nothing about it.
  ASSERT_TRUE(Set(id1, DeviceState::kRemoved));
  for (int i = 0; i < 3; ++i) {
    ScanMeta m;
    m.scan_key = "narrow-" + std::to_string(i);
    m.site = "hq";
    m.started_at = now_;
    m.scope = *ParseScopeList("127.16.0.3/32");
    auto ing = inv_->BeginIngest(m);
    ASSERT_TRUE(ing);
    ASSERT_TRUE((*ing)->AddLine(cam3, 1).ok());
    ASSERT_TRUE((*ing)->Commit());
  }
  EXPECT_EQ(inv_->GetDevice(id1)->state, DeviceState::kRemoved);
  EXPECT_TRUE(inv_->VerifyAudit()->ok);
}

// A complete scan covering the whole site counts a missed scan for each unseen device in its
// scope and not for a device recorded outside the site's scopes; devices needing attention go
// missing after the configured number of such scans (PostgreSQL counts a page of the site in one
// statement and sets back what should not have counted).
TEST_P(InventorySuite, MissedScansCountOnlyAddressesTheScanCovered) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01"),
                            Line("127.16.0.2", "aa:bb:cc:00:00:02", "axis", "P3265", false),
                            Line("127.17.0.5", "aa:bb:cc:00:00:05")}));
  int64_t attention = Only("127.16.0.1").id, clear = Only("127.16.0.2").id, outside = Only("127.17.0.5").id;
  int n = options_.missing_after_scans;
  ASSERT_GE(n, 2);
  for (int i = 0; i < n; ++i) {
    auto s = Ingest("empty-" + std::to_string(i), {});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->went_missing, i + 1 == n ? 1 : 0) << "scan " << i;
    EXPECT_EQ(inv_->GetDevice(attention)->missed_scans, i + 1);
  }
  auto a = inv_->GetDevice(attention);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, DeviceState::kMissing);
  EXPECT_EQ(a->missed_scans, n);
  auto c = inv_->GetDevice(clear);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->state, DeviceState::kFound);  // clear devices only count
  EXPECT_EQ(c->missed_scans, n);
  auto o = inv_->GetDevice(outside);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->state, DeviceState::kFound);
  EXPECT_EQ(o->missed_scans, 0);
  auto audit = inv_->VerifyAudit();
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->ok) << audit->problem;
}

TEST_P(InventorySuite, WaiverExpiryAndDeadlines) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "aa:bb:cc:00:00:02")}));
  int64_t id = Only("127.16.0.1").id;
  ASSERT_TRUE(Set(id, DeviceState::kConfirmed));
  auto w = Set(id, DeviceState::kWaived);  // expires 2027-01-15
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->prior_state, DeviceState::kConfirmed);
  EXPECT_FALSE(w->overdue);
  now_ = "2027-02-01T09:00:00Z";  // after the waiver and the 2027-01-31 deadline
  auto events = inv_->CheckDeadlines();
  ASSERT_TRUE(events);
  int expired = 0, deadline = 0;
  for (const auto& e : *events) {
    expired += e.kind == "waiver-expired";
    deadline += e.kind == "deadline-passed";
  }
  EXPECT_EQ(expired, 1);
  EXPECT_EQ(deadline, 1);
  auto d = inv_->GetDevice(id);
  EXPECT_EQ(d->state, DeviceState::kConfirmed);
  EXPECT_TRUE(d->waiver_expired);
  EXPECT_TRUE(d->overdue);
  DeviceFilter overdue;
  overdue.overdue_only = true;
  EXPECT_EQ(inv_->ListDevices(overdue)->size(), 2u);
  // Raised once only.
  EXPECT_TRUE(inv_->CheckDeadlines()->empty());
}

// The overview's aggregate: devices without audit entries counted per group, those with
// entries listed apart; together they are every device, each once.
TEST_P(InventorySuite, DeviceGroupsCountTheDevicesWithoutHistory) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "aa:bb:cc:00:00:02"),
                            Line("127.16.0.3", "aa:bb:cc:00:00:03"), Line("127.16.0.4", "", "", "x", false)}));
  ASSERT_TRUE(Ingest("b1", {Line("127.16.0.1", "aa:bb:cc:00:00:01")}, "branch"));
  ASSERT_TRUE(Set(Only("127.16.0.2").id, DeviceState::kConfirmed));
  DeviceFilter f;
  auto groups = inv_->CountDeviceGroups(f);
  ASSERT_TRUE(groups) << groups.error().message;
  // hq: three covered Hikvision devices (one confirmed: listed apart) and one unknown; branch: one.
  ASSERT_EQ(groups->size(), 3u);
  int64_t counted = 0;
  for (const auto& g : *groups) {
    counted += g.count;
    EXPECT_EQ(g.device.first_seen.size(), 10u) << g.device.first_seen;
    EXPECT_EQ(g.device.state, DeviceState::kFound);
  }
  EXPECT_EQ(counted, 4);
  EXPECT_EQ(groups->front().device.site, "branch");
  f.with_audit_only = true;
  auto audited = inv_->ListDevices(f);
  ASSERT_TRUE(audited);
  ASSERT_EQ(audited->size(), 1u);
  EXPECT_EQ(audited->front().ip, "127.16.0.2");
  DeviceFilter hq;
  hq.site = "hq";
  EXPECT_EQ(inv_->CountDeviceGroups(hq)->size(), 2u);
  hq.state = "found";
  EXPECT_FALSE(inv_->CountDeviceGroups(hq));  // only site, department and scope filter groups
}

// ListDevices filters status and overdue in SQL; ReadDevice/Derive (status, overdue on each
// device read) are the reference: both must pick the same devices.
TEST_P(InventorySuite, SqlFiltersAgreeWithDerivedFields) {
  std::string review = R"({"ip":"127.16.0.6","mac":"aa:bb:cc:00:00:06","manufacturer":"dahua",)"
                       R"("verdicts":[{"policy":"uk-gov","status":"review"}]})";
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "aa:bb:cc:00:00:02"),
                            Line("127.16.0.3", "aa:bb:cc:00:00:03"), Line("127.16.0.4", "", "", "x", false),
                            Line("127.16.0.5", "aa:bb:cc:00:00:05", "axis", "P3265", false), review}));
  ASSERT_TRUE(Ingest("b1", {Line("127.16.0.1", "aa:bb:cc:00:00:01")}, "branch"));
  ASSERT_TRUE(Set(Only("127.16.0.1").id, DeviceState::kConfirmed));
  ASSERT_TRUE(Set(Only("127.16.0.1").id, DeviceState::kWaived));  // expires 2027-01-15
  ASSERT_TRUE(Set(Only("127.16.0.2").id, DeviceState::kConfirmed));
  ASSERT_TRUE(Set(Only("127.16.0.2").id, DeviceState::kReplacementPlanned));  // target 2027-06-30
  ASSERT_TRUE(Set(Only("127.16.0.3").id, DeviceState::kNotRestricted));
  for (std::string day : {"2026-12-02", "2027-01-20", "2027-02-15", "2027-07-01"}) {
    now_ = day + "T00:00:00Z";  // before/after the waiver expiry, the hq deadline, the target date
    auto all = inv_->ListDevices({});
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 7u);
    auto ids = [](const std::vector<DeviceRecord>& v) {
      std::vector<int64_t> out;
      for (const auto& d : v) out.push_back(d.id);
      return out;
    };
    DeviceFilter overdue;
    overdue.overdue_only = true;
    std::vector<DeviceRecord> expected;
    for (const auto& d : *all) {
      if (d.overdue) expected.push_back(d);
    }
    EXPECT_EQ(ids(*inv_->ListDevices(overdue)), ids(expected)) << day;
    // Paged, the page query also counts the matches (one page, the rest, past the end).
    for (int64_t offset : {0, 1, 10}) {
      overdue.limit = 1;
      overdue.offset = offset;
      auto page = inv_->ListDevicePage(overdue);
      ASSERT_TRUE(page) << page.error().message;
      EXPECT_EQ(page->total, static_cast<int64_t>(expected.size())) << day << " offset " << offset;
      EXPECT_EQ(page->devices.size(), offset < static_cast<int64_t>(expected.size()) ? 1u : 0u) << day;
    }
    for (std::string state : {"found", "confirmed", "waived", "replacement-planned", "not-restricted", "removed"}) {
      DeviceFilter f;
      f.state = state;
      f.limit = 2;
      expected.clear();
      for (const auto& d : *all) {
        if (DeviceStateName(d.state) == state) expected.push_back(d);
      }
      EXPECT_EQ(ids(*inv_->ListDevices(f)), ids(expected)) << state;
      auto page = inv_->ListDevicePage(f);
      ASSERT_TRUE(page);
      EXPECT_EQ(page->total, static_cast<int64_t>(expected.size())) << state;
    }
    for (std::string status : {"covered", "review", "unknown", "clear"}) {
      DeviceFilter f;
      f.status = status;
      expected.clear();
      for (const auto& d : *all) {
        if (d.status == status) expected.push_back(d);
      }
      EXPECT_EQ(ids(*inv_->ListDevices(f)), ids(expected)) << status;
      EXPECT_FALSE(expected.empty()) << status;
    }
  }
  // Paging with a filter: total counts all matches; pages follow the ListDevices order.
  DeviceFilter covered;
  covered.status = "covered";
  covered.limit = 2;
  covered.offset = 1;
  auto page = inv_->ListDevicePage(covered);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 4);  // three at hq (whatever their state), one at branch
  ASSERT_EQ(page->devices.size(), 2u);
  // Text search is a literal substring: LIKE wildcards in it match only themselves.
  for (std::string text : {"%", "_", "127.16.0._", "\\"}) {
    DeviceFilter f;
    f.text = text;
    EXPECT_EQ(inv_->ListDevicePage(f)->total, 0) << text;
  }
  DeviceFilter dahua;
  dahua.text = "DAHUA";
  EXPECT_EQ(inv_->ListDevicePage(dahua)->total, 1);
}

// PostgreSQL keeps the search text of devices in a table of its own, brought up to date after
// the commit (schema v9): a search is right before that refresh (it reads the devices written
// since themselves), after it, and for a device whose searchable fields changed (found by the
// new text only); a deleted device leaves the search table. SQLite has
// nothing to refresh. Both the flat plan (few matches) and the walk (many) are asked.
TEST_P(InventorySuite, SearchIsRightBeforeAndAfterTheSearchTableIsRefreshed) {
  options_.refresh_search_on_commit = false;
  options_.dense_text_matches = 1000;
  inv_ = Open();
  ASSERT_TRUE(inv_);
  bool pg = GetParam() == "postgres";
  auto matches = [&](const std::string& text, int64_t dense) {
    options_.dense_text_matches = dense;
    auto other = Open();  // the option is read when a page is asked: a fresh inventory per plan
    EXPECT_TRUE(other);
    DeviceFilter f;
    f.text = text;
    f.limit = 10;
    auto page = other->ListDevicePage(f);
    EXPECT_TRUE(page) << page.error().message;
    std::string ips;
    for (const auto& d : page->devices) ips += d.ip + " ";
    return std::to_string(page->total) + ": " + ips;
  };
  auto both = [&](const std::string& text) {
    std::string flat = matches(text, 1000), walked = matches(text, 0);
    EXPECT_EQ(flat, walked) << text;
    return flat;
  };
  auto queued = [&]() -> int64_t {
    if (!pg) return 0;
    auto n = inv_->store().Query("SELECT COUNT(*) FROM device_search_queue");
    EXPECT_TRUE(n);
    return n ? ColInt(n->front(), 0) : -1;
  };
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01", "hikvision", "ZX-100"),
                            Line("127.16.0.2", "aa:bb:cc:00:00:02", "axis", "P3265", false)}));
  EXPECT_EQ(queued(), pg ? 2 : 0);
  EXPECT_EQ(both("zx-1"), "1: 127.16.0.1 ");
  auto n = inv_->RefreshSearchIndex();
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, pg ? 2 : 0);
  EXPECT_EQ(queued(), 0);
  EXPECT_EQ(both("zx-1"), "1: 127.16.0.1 ");
  EXPECT_EQ(both("P326"), "1: 127.16.0.2 ");
  // The camera's model changes: only the new text finds it, before and after the refresh.
  ASSERT_TRUE(Ingest("s2", {Line("127.16.0.1", "aa:bb:cc:00:00:01", "hikvision", "QY-200"),
                            Line("127.16.0.2", "aa:bb:cc:00:00:02", "axis", "P3265", false)}));
  EXPECT_EQ(queued(), pg ? 1 : 0) << "only the device whose searchable fields changed is queued";
  EXPECT_EQ(both("zx-1"), "0: ");
  EXPECT_EQ(both("qy-2"), "1: 127.16.0.1 ");
  n = inv_->RefreshSearchIndex();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, pg ? 1 : 0);
  EXPECT_EQ(both("zx-1"), "0: ");
  EXPECT_EQ(both("qy-2"), "1: 127.16.0.1 ");
  EXPECT_EQ(*inv_->RefreshSearchIndex(), 0) << "nothing left to refresh";
  if (!pg) return;
  auto stored = inv_->store().Query("SELECT device_id, body FROM device_search ORDER BY device_id");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ(Col(stored->front(), 1), "127.16.0.1 aa:bb:cc:00:00:01  hikvision  QY-200");
  // A device that goes leaves the search table in the same transaction.
  ASSERT_TRUE(inv_->store().Exec("DELETE FROM devices WHERE ip = '127.16.0.2'").ok());
  stored = inv_->store().Query("SELECT COUNT(*) FROM device_search");
  ASSERT_TRUE(stored);
  EXPECT_EQ(ColInt(stored->front(), 0), 1);
  EXPECT_EQ(both("P326"), "0: ");
}

// With the default options an ingest on PostgreSQL refreshes the search table itself.
TEST_P(InventorySuite, IngestRefreshesTheSearchTableByDefault) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01", "hikvision", "ZX-100")}));
  if (GetParam() != "postgres") return;
  auto n = inv_->store().Query(
      "SELECT (SELECT COUNT(*) FROM device_search_queue), (SELECT COUNT(*) FROM device_search)");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(ColInt(n->front(), 0), 0);
  EXPECT_EQ(ColInt(n->front(), 1), 1);
}

// An event whose key is stored already is not raised again, and the ingest goes on (both
// stores insert events with ON CONFLICT DO NOTHING on the key).
TEST_P(InventorySuite, EventWithAStoredKeyIsNotRaisedAgain) {
  // The first device of this fresh inventory gets id 1: its "new covered device" key is taken.
  ASSERT_TRUE(inv_->store()
                  .Exec("INSERT INTO events (at, kind, severity, message, dedup_key) VALUES "
                        "('2026-11-01T00:00:00Z', 'new-covered-device', 'warning', 'stored before', 'new-covered:1')")
                  .ok());
  auto sum = Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "aa:bb:cc:00:00:02")});
  ASSERT_TRUE(sum) << sum.error().message;
  EXPECT_EQ(Only("127.16.0.1").id, 1);
  EXPECT_EQ(sum->new_devices, 2);
  ASSERT_EQ(sum->events_raised, 1);
  EXPECT_EQ(sum->events.front().device_id, Only("127.16.0.2").id);
  auto all = inv_->Events(0);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->front().message, "stored before");
}

// Raw records are written in multi-row batches; the summary keeps a bounded number of events.
TEST_P(InventorySuite, LargeIngestIsBatchedAndBounded) {
  std::vector<std::string> lines;
  const int n = static_cast<int>(kMaxSummaryEvents) + 150;
  for (int i = 0; i < n; ++i) {
    char ip[32], mac[32];
    std::snprintf(ip, sizeof(ip), "127.16.%d.%d", i / 250, i % 250 + 1);
    std::snprintf(mac, sizeof(mac), "aa:bb:cc:00:%02x:%02x", i / 256, i % 256);
    lines.push_back(Line(ip, mac));
  }
  auto sum = Ingest("big", lines);
  ASSERT_TRUE(sum) << sum.error().message;
  EXPECT_EQ(sum->records, n);
  EXPECT_EQ(sum->new_devices, n);
  EXPECT_EQ(sum->events.size(), kMaxSummaryEvents);
  EXPECT_EQ(sum->events_raised, n);
  auto stored = inv_->Events(sum->first_event_id - 1);
  ASSERT_TRUE(stored);
  int64_t in_range = 0;
  for (const auto& e : *stored) in_range += e.id <= sum->last_event_id;
  EXPECT_EQ(in_range, n);
  auto audit = inv_->VerifyAudit();
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->ok) << audit->problem;
  // The device of record 700 gives back exactly that raw record.
  auto d = Only("127.16.2.200");
  auto raw = inv_->LastRecord(d.id);
  ASSERT_TRUE(raw);
  EXPECT_EQ(*raw, lines[699]);
  ASSERT_TRUE(Ingest("again", {lines[699]}));
  EXPECT_EQ(*inv_->LastRecord(d.id), lines[699]);
}

// Identity across the ingest's batches (128 records on SQLite, 1,024 on PostgreSQL): MACs seen
// again later in the same scan, then a rescan matching by address (no MAC) and by MAC at a new
// address, give the same devices on both backends.
TEST_P(InventorySuite, IdentityHoldsAcrossBatches) {
  const int n = 1500;
  auto ip = [](int i) { return "127.17." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1); };
  auto mac = [](int i) {
    char b[32];
    std::snprintf(b, sizeof(b), "aa:bb:cc:01:%02x:%02x", i / 256, i % 256);
    return std::string(b);
  };
  auto model = [](int i) { return "M" + std::to_string(i); };
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i) lines.push_back(Line(ip(i), mac(i), "hikvision", model(i)));
  // Record i*13's MAC again at another address, in later batches of the same scan.
  for (int i = 0; i < 100; ++i) lines.push_back(Line("127.18.0." + std::to_string(i + 1), mac(i * 13)));
  auto first = Ingest("s1", lines);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->records, n + 100);
  EXPECT_EQ(first->new_devices, n + 100);
  EXPECT_EQ(first->duplicates, 100);
  DeviceRecord d7 = Only(ip(7)), d1301 = Only(ip(1301)), d1300 = Only(ip(1300));
  // Rescan: even records without a MAC (address + maker + model), odd ones at a new address.
  std::vector<std::string> again;
  for (int i = 0; i < n; ++i) {
    again.push_back(i % 2 == 0 ? Line(ip(i), "", "hikvision", model(i))
                               : Line("127.19." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1),
                                      mac(i), "hikvision", model(i)));
  }
  auto second = Ingest("s2", again);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->new_devices, 0);
  EXPECT_EQ(second->matched_devices, n);
  EXPECT_EQ(Only("127.19.0.8").id, d7.id);
  EXPECT_EQ(Only("127.19.5.52").id, d1301.id);
  EXPECT_EQ(Only(ip(1300)).id, d1300.id);
  EXPECT_EQ(Only(ip(1300)).match_rule, "address+maker+model");
  auto audit = inv_->VerifyAudit();
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->ok) << audit->problem;
}

// On PostgreSQL a batch is resolved while the pipeline writes the one before it, against
// candidates read before those writes ran plus that batch's devices as it left them. The same
// scans into an SQLite inventory (one batch after another, 128 records each) are the reference:
// every decision (new, matched, duplicate in the scan, review, missing, reappeared) and every
// device must come out the same. The scans make later batches find devices created and changed
// one and two batches before, open reviews, and bring back missing devices in the middle of a
// pipelined batch (a lifecycle change written while the pipeline waits).
TEST_P(InventorySuite, BatchesResolvedAheadDecideAsOneBatchAtATime) {
  if (GetParam() != "postgres") GTEST_SKIP() << "compares PostgreSQL's pipelined ingest with SQLite's";
  auto dir = std::filesystem::temp_directory_path() / ("phaseout-inv-ref-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto ref = Inventory::Open((dir / "inventory.db").string(), options_);
  ASSERT_TRUE(ref) << ref.error().message;
  auto sites = ParseSitesYaml(kSites, "sites.yaml");
  ASSERT_TRUE(sites);
  ASSERT_TRUE((*ref)->ImportSites(*sites, "tester", "initial").ok());

  auto mac = [](int set, int i) {
    char b[32];
    std::snprintf(b, sizeof(b), "aa:bb:%02x:00:%02x:%02x", set, i / 256, i % 256);
    return std::string(b);
  };
  auto out = [](int set, int i) {  // outside the site's scope: never verified
    return "127.2" + std::to_string(set) + "." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
  };
  auto in = [](int i) { return "127.16.0." + std::to_string(i + 1); };  // i < 254
  auto model = [](int i) { return "M" + std::to_string(i); };

  // PostgreSQL's first batch of an ingest holds 256 records (SqlScanIngest::BatchLimit), the
  // next ones 1,024: after 256 new devices at addresses of their own, each block of 1,024 below
  // is one batch.
  std::vector<std::string> s1;
  for (int i = 0; i < 256; ++i) s1.push_back(Line(out(0, i), mac(0, i), "axis", model(i), false));
  for (int i = 0; i < 1024; ++i) {  // a batch of new devices, 200 of them in the scope
    if (i < 200) {
      s1.push_back(Line(in(i), mac(1, i), "hikvision", model(i)));
    } else if (i < 1000) {
      s1.push_back(Line(out(1, i), mac(1, i), "hikvision", model(i), i % 2 == 0));
    } else {  // without a MAC: known by address, maker and model only
      s1.push_back(Line(out(9, i), "", "dahua", "IPC"));
    }
  }
  for (int j = 0; j < 1024; ++j) {  // next batch: the last batch's devices and new ones
    switch (j % 4) {
      case 0: s1.push_back(Line(out(2, j), mac(1, j))); break;                  // a MAC seen again
      case 1: s1.push_back(Line(out(2, j), mac(2, j), "axis", model(j), false)); break;  // new
      case 2: s1.push_back(Line(out(1, j), "", "hikvision", model(j))); break;  // by address
      default: s1.push_back(Line(out(3, j), "", "hikvision", model(j), true, "SER" + std::to_string(j)));
    }
  }
  for (int j = 0; j < 1024; ++j) {  // and the next: the last batch's new devices again
    if (j % 4 == 1) {
      s1.push_back(Line(out(4, j), mac(2, j), "axis", model(j), false));
    } else if (j % 4 == 3) {
      s1.push_back(Line(out(4, j), "", "hikvision", model(j), true, "SER" + std::to_string(j)));
    } else {
      s1.push_back(Line(out(5, j), mac(3, j)));
    }
  }
  for (int i = 1000; i < 1024; ++i) s1.push_back(Line(out(9, i), mac(4, i), "dahua", "IPC"));  // reviews

  // Both inventories get the same scans; every summary and the devices must agree.
  int scan = 0;
  auto both = [&](const std::vector<std::string>& lines) {
    std::string key = "s" + std::to_string(++scan);
    SCOPED_TRACE(key);
    auto got = Ingest(key, lines);
    ASSERT_TRUE(got) << got.error().message;
    std::swap(inv_, *ref);
    auto want = Ingest(key, lines);
    std::swap(inv_, *ref);
    ASSERT_TRUE(want) << want.error().message;
    EXPECT_EQ(got->records, want->records);
    EXPECT_EQ(got->new_devices, want->new_devices);
    EXPECT_EQ(got->matched_devices, want->matched_devices);
    EXPECT_EQ(got->duplicates, want->duplicates);
    EXPECT_EQ(got->reviews_opened, want->reviews_opened);
    EXPECT_EQ(got->went_missing, want->went_missing);
    EXPECT_EQ(got->reappeared, want->reappeared);
    EXPECT_EQ(got->events_raised, want->events_raised);
    auto listing = [](Inventory& inv) {
      DeviceFilter f;
      f.site = "hq";
      auto all = inv.ListDevices(f);
      EXPECT_TRUE(all);
      std::vector<std::string> rows;
      for (const auto& d : *all) {
        rows.push_back(d.ip + " " + d.mac + " " + d.serial + " " + d.manufacturer + " " + d.model + " " +
                       DeviceStateName(d.state) + " " + std::to_string(d.missed_scans) + " " + d.match_rule + " " +
                       d.last_scan + " " + d.status);
      }
      std::sort(rows.begin(), rows.end());
      return rows;
    };
    auto got_rows = listing(*inv_), want_rows = listing(**ref);
    ASSERT_EQ(got_rows.size(), want_rows.size());
    for (size_t i = 0; i < got_rows.size(); ++i) ASSERT_EQ(got_rows[i], want_rows[i]) << "device " << i;
    auto got_reviews = inv_->ListReviews(true), want_reviews = (*ref)->ListReviews(true);
    ASSERT_TRUE(got_reviews && want_reviews);
    EXPECT_EQ(got_reviews->size(), want_reviews->size());
  };
  both(s1);
  // Two scans of half the scope's devices: the other 100 go missing.
  std::vector<std::string> half;
  for (int i = 0; i < 100; ++i) half.push_back(Line(in(i), mac(1, i), "hikvision", model(i)));
  both(half);
  both(half);
  // A large scan that brings them back after 2,300 sightings (PostgreSQL: its third and fourth batch).
  std::vector<std::string> back;
  for (int i = 200; i < 1000; ++i) back.push_back(Line(out(6, i), mac(1, i), "hikvision", model(i)));
  for (int j = 0; j < 1500; ++j) back.push_back(Line(out(7, j), mac(3 + j % 2, j), "hikvision", model(j)));
  for (int i = 100; i < 200; ++i) back.push_back(Line(in(i), mac(1, i), "hikvision", model(i)));
  for (int j = 0; j < 800; ++j) back.push_back(Line(out(8, j), mac(3 + j % 2, j), "hikvision", model(j)));
  both(back);
  // Churn (PostgreSQL reads by address only the devices of the record's maker and model): hosts
  // at stored devices' addresses with another model or maker (new devices), the same maker and
  // model (matched), devices moved or given another maker by their MAC and then looked for by
  // address, maker and model later in the same batch and in the batches after it.
  std::vector<std::string> churn;
  for (int i = 200; i < 400; ++i) {
    churn.push_back(Line(out(6, i), "", "hikvision", model(i + 1)));  // another model: new
    churn.push_back(Line(out(6, i), mac(5, i), "axis", model(i)));    // another maker: new
    churn.push_back(Line(out(6, i + 400), "", "hikvision", model(i + 400)));  // same: matched
  }
  for (int i = 400; i < 600; ++i) {
    churn.push_back(Line(out(10, i), mac(1, i), "hikvision", model(i)));  // moved away from out(6, i)
    churn.push_back(Line(out(10, i), "", "hikvision", model(i)));         // found where it went
    churn.push_back(Line(out(6, i), "", "hikvision", model(i)));          // not where it was
    churn.push_back(Line(out(6, i + 200), mac(1, i + 200), "dahua", "NVR"));  // another maker
  }
  for (int i = 600; i < 800; ++i) churn.push_back(Line(out(6, i), "", "dahua", "NVR"));  // as changed
  both(churn);
  ref->reset();
  std::filesystem::remove_all(dir);
}

// A batch that fails part-way (here a sequence number used twice, refused by the raw records'
// primary key) fails the ingest, wherever the failure surfaces (PostgreSQL: in the pipeline,
// seen at a later batch or at commit), and stores nothing; the inventory takes the next scan.
TEST_P(InventorySuite, AFailingBatchStoresNothing) {
  ScanMeta m;
  m.scan_key = "bad";
  m.site = "hq";
  m.started_at = now_;
  auto ing = inv_->BeginIngest(m);
  ASSERT_TRUE(ing) << ing.error().message;
  Status failed = Status::Ok();
  for (int i = 0; i < 3000 && failed.ok(); ++i) {
    std::string ip = "127.20." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    failed = (*ing)->AddLine(Line(ip, ""), i == 1500 ? 7 : i + 1);
  }
  if (failed.ok()) {
    auto c = (*ing)->Commit();
    ASSERT_FALSE(c) << "the ingest stored sequence number 7 twice";
    failed = c.error();
  }
  EXPECT_FALSE(failed.ok());
  ing->reset();
  auto all = inv_->ListDevices({});
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
  auto scans = inv_->ListScans("hq");
  ASSERT_TRUE(scans);
  EXPECT_TRUE(scans->empty());
  auto next = Ingest("good", {Line("127.16.0.1", "aa:bb:cc:00:00:01")});
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->new_devices, 1);
}

// The data version read caches are kept under moves with every commit that writes the
// inventory, on any connection, and (on PostgreSQL, schema version 8) with nothing else: a
// commit to another table leaves it, so the counts and checkpoints kept under it stay. Every
// table of the inventory counts its writes (a table added without the trigger fails here).
TEST_P(InventorySuite, EveryInventoryTableCountsItsWrites) {
  auto other = Open();
  ASSERT_TRUE(other);
  auto version = [&] {
    auto v = inv_->store().DataVersion();
    EXPECT_TRUE(v) << v.error().message;
    return v ? *v : std::string();
  };
  std::string v0 = version();
  ASSERT_FALSE(v0.empty());
  EXPECT_EQ(version(), v0);
  auto theirs = other->store().DataVersion();
  ASSERT_TRUE(theirs);
  if (GetParam() == "postgres") {
    EXPECT_EQ(*theirs, v0);  // one version for every connection
  }
  ASSERT_TRUE(other->store().ExecScript("CREATE TABLE not_inventory (x INTEGER)").ok());
  ASSERT_TRUE(other->store().Exec("INSERT INTO not_inventory VALUES (1)").ok());
  std::string v1 = version();
  if (GetParam() == "postgres") {
    EXPECT_EQ(v1, v0) << "a commit outside the inventory moved its version";
  }
  ASSERT_TRUE(other->ImportSites(*ParseSitesYaml(kSites, "sites.yaml"), "tester", "again").ok());
  std::string v2 = version();
  EXPECT_NE(v2, v1);
  ASSERT_TRUE(Ingest("scan-1", {Line("127.16.0.1", "aa:bb:cc:00:00:01")}));
  std::string v3 = version();
  EXPECT_NE(v3, v2);
  // A transaction that is rolled back leaves the version.
  ASSERT_TRUE(other->store().Begin().ok());
  ASSERT_TRUE(other->store().Exec("UPDATE devices SET model = 'x'").ok());
  ASSERT_TRUE(other->store().Rollback().ok());
  EXPECT_EQ(version(), v3);
  if (GetParam() != "postgres") return;
  auto missing = inv_->store().Query(
      "SELECT t.tablename FROM pg_tables t WHERE t.schemaname = current_schema() AND t.tablename NOT LIKE "
      "'server\\_%' AND t.tablename NOT IN ('inventory_version', 'not_inventory', 'device_search', "
      "'device_search_queue') AND NOT EXISTS (SELECT 1 FROM "
      "pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE c.relname = t.tablename AND g.tgname = "
      "t.tablename || '_counted') ORDER BY 1");
  ASSERT_TRUE(missing) << missing.error().message;
  std::string names;
  for (const auto& r : *missing) names += Col(r, 0) + " ";
  EXPECT_EQ(names, "") << "tables whose writes do not move the data version";
  // Each of them moves it, whichever statement writes.
  for (const char* sql : {"UPDATE departments SET name = name", "DELETE FROM merge_reviews",
                          "UPDATE schema_meta SET value = value WHERE key = 'none'"}) {
    std::string before = version();
    ASSERT_TRUE(other->store().Exec(sql).ok()) << sql;
    EXPECT_NE(version(), before) << sql;
  }
}

// A database written by schema version 1 is migrated: devices learn which raw record last
// attached them (backfilled), scans get an empty records_digest, on both backends.
TEST_P(InventorySuite, MigratesVersionOneDatabases) {
  std::string location = OldDatabase(1, {
      "INSERT INTO departments (key) VALUES ('d')",
      "INSERT INTO sites (key, department_id) VALUES ('s', 1)",
      "INSERT INTO scans (key, site_id, started_at, complete, ingested_at) VALUES ('k', 1, 't', 1, 't')",
      "INSERT INTO devices (site_id, ip, state, state_since, first_seen, last_seen, last_scan_id) "
      "VALUES (1, '127.16.0.9', 'found', 't', 't', 't', 1)",
      "INSERT INTO scan_records (scan_id, seq, ip, device_id, record) VALUES (1, 1, '127.16.0.8', 1, 'old')",
      "INSERT INTO scan_records (scan_id, seq, ip, device_id, record) VALUES (1, 2, '127.16.0.9', 1, 'last')",
      "INSERT INTO scan_records (scan_id, seq, ip, device_id, record) VALUES (1, 3, '127.16.0.7', NULL, 'x')"});
  ASSERT_FALSE(location.empty());
  auto inv = Inventory::Open(location, options_);
  ASSERT_TRUE(inv) << inv.error().message;
  auto v = (*inv)->store().Query("SELECT value FROM schema_meta WHERE key = 'version'");
  ASSERT_TRUE(v);
  EXPECT_EQ(Col(v->front(), 0), std::to_string(kSchemaVersion));
  auto raw = (*inv)->LastRecord(1);
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(*raw, "last");
  EXPECT_EQ((*inv)->ListDevices({})->size(), 1u);
  // Version 5: scans stored before keep no digest of their records (a completing ingest reads them).
  auto digest = (*inv)->store().Query("SELECT records_digest FROM scans WHERE key = 'k'");
  ASSERT_TRUE(digest) << digest.error().message;
  ASSERT_EQ(digest->size(), 1u);
  EXPECT_EQ(Col(digest->front(), 0), "");
  // Version 6: references stay checked after the migration (PostgreSQL: by statement).
  EXPECT_FALSE((*inv)
                   ->store()
                   .Exec("INSERT INTO devices (site_id, ip, state, state_since, first_seen, last_seen) "
                         "VALUES (9999, '127.16.0.9', 'found', 't', 't', 't')")
                   .ok());
  EXPECT_FALSE((*inv)->store().Exec("DELETE FROM scans").ok());
  // Version 9: the devices stored before are in the text search table at once (nothing queued).
  DeviceFilter text;
  text.text = "16.0.9";
  text.limit = 10;
  auto found = (*inv)->ListDevicePage(text);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->total, 1);
  if (GetParam() == "postgres") {
    auto n = (*inv)->store().Query(
        "SELECT (SELECT COUNT(*) FROM device_search), (SELECT COUNT(*) FROM device_search_queue)");
    ASSERT_TRUE(n);
    EXPECT_EQ(ColInt(n->front(), 0), 1);
    EXPECT_EQ(ColInt(n->front(), 1), 0);
  }
}

// A scan pushed in chunks counts like one scan whatever completes between its chunks: a device
// seen by its first chunk and missed by another whole-site scan that completes before it misses
// that scan, and the chunked scan's own completion counts nothing for what it saw (the counts a
// per-device update gave before schema v10).
TEST_P(InventorySuite, MissedScansOfAChunkedScanWithAnotherScanBetweenItsChunks) {
  std::string x = Line("127.16.0.1", "aa:bb:cc:00:00:01"), y = Line("127.16.0.2", "aa:bb:cc:00:00:02");
  ASSERT_TRUE(Ingest("s0", {x, y}));
  int64_t xid = Only("127.16.0.1").id, yid = Only("127.16.0.2").id;
  auto chunk = [&](const std::string& line, int64_t seq, bool complete) {
    ScanMeta m;
    m.scan_key = "chunked";
    m.site = "hq";
    m.started_at = now_;
    m.complete = complete;
    auto ing = inv_->BeginIngest(m);
    ASSERT_TRUE(ing) << ing.error().message;
    ASSERT_TRUE((*ing)->AddLine(line, seq).ok());
    auto sum = (*ing)->Commit();
    ASSERT_TRUE(sum) << sum.error().message;
  };
  now_ = "2026-12-01T11:00:00Z";
  ASSERT_NO_FATAL_FAILURE(chunk(x, 1, false));
  EXPECT_EQ(inv_->GetDevice(xid)->missed_scans, 0);
  EXPECT_EQ(inv_->GetDevice(yid)->missed_scans, 0);
  ASSERT_TRUE(Ingest("between", {y}));  // a whole-site scan that does not see x
  EXPECT_EQ(inv_->GetDevice(xid)->missed_scans, 1);
  EXPECT_EQ(inv_->GetDevice(yid)->missed_scans, 0);
  ASSERT_NO_FATAL_FAILURE(chunk(y, 2, true));  // the chunked scan completes, having seen both
  EXPECT_EQ(inv_->GetDevice(xid)->missed_scans, 1);
  EXPECT_EQ(inv_->GetDevice(yid)->missed_scans, 0);
  ASSERT_TRUE(Ingest("after", {}));
  EXPECT_EQ(inv_->GetDevice(xid)->missed_scans, 2);
  EXPECT_EQ(inv_->GetDevice(yid)->missed_scans, 1);
  EXPECT_EQ(inv_->GetDevice(xid)->state, DeviceState::kMissing);
  EXPECT_EQ(inv_->GetDevice(yid)->state, DeviceState::kFound);
}

// A database of schema version 9 keeps each device's missed scans (counted per device then) and
// counts on from there per site; whether a device lies outside its site's scopes is found out by
// the first whole-site scan.
TEST_P(InventorySuite, MigratesVersionNineMissedScans) {
  std::string location = OldDatabase(9, {
      "INSERT INTO departments (key) VALUES ('d')",
      "INSERT INTO sites (key, department_id, scopes) VALUES ('s', 1, '127.16.0.0/24')",
      "INSERT INTO scans (key, site_id, started_at, complete, ingested_at) VALUES ('k', 1, 't', 1, 't')",
      "INSERT INTO devices (site_id, ip, manufacturer, prohibited, state, state_since, first_seen, last_seen, "
      "last_scan_id, missed_scans) VALUES (1, '127.16.0.9', 'hikvision', 'us-ndaa-889', 'found', 't', 't', "
      "'t', 1, 1)",
      "INSERT INTO devices (site_id, ip, manufacturer, prohibited, state, state_since, first_seen, last_seen, "
      "last_scan_id, missed_scans) VALUES (1, '127.17.0.9', 'hikvision', 'us-ndaa-889', 'found', 't', 't', "
      "'t', 1, 0)"});
  ASSERT_FALSE(location.empty());
  auto inv = Inventory::Open(location, options_);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ((*inv)->GetDevice(1)->missed_scans, 1);
  EXPECT_EQ((*inv)->GetDevice(2)->missed_scans, 0);
  ScanMeta m;
  m.scan_key = "whole";
  m.site = "s";
  auto ing = (*inv)->BeginIngest(m);
  ASSERT_TRUE(ing);
  auto sum = (*ing)->Commit();
  ASSERT_TRUE(sum) << sum.error().message;
  EXPECT_EQ(sum->went_missing, 1);
  auto inside = (*inv)->GetDevice(1);
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->missed_scans, 2);
  EXPECT_EQ(inside->state, DeviceState::kMissing);
  auto outside = (*inv)->GetDevice(2);  // outside the site's scopes: the scan did not cover it
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->missed_scans, 0);
  EXPECT_EQ(outside->state, DeviceState::kFound);
}

// Missed scans add up the same way whatever mix of scans counted them: scans of part of a site
// (per device), whole-site scans (per site), a removal claim resetting the count, scopes that
// change under stored devices (a device now outside them counts only scans whose own scope
// covered it), and a Rebuild that replays it all counts every device to the same number.
TEST_P(InventorySuite, MissedScansAddUpOverPartAndWholeSiteScansScopeChangesAndRebuild) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01"),
                            Line("127.16.0.2", "aa:bb:cc:00:00:02", "axis", "P3265", false),
                            Line("127.16.0.3", "aa:bb:cc:00:00:03", "axis", "P3265", false)}));
  int64_t a = Only("127.16.0.1").id, b = Only("127.16.0.2").id, c = Only("127.16.0.3").id;
  auto missed = [&](int64_t id) {
    auto d = inv_->GetDevice(id);
    EXPECT_TRUE(d);
    return d ? d->missed_scans : -1;
  };
  auto part = [&](const std::string& key, const std::string& cidr) {
    auto scope = Cidr::Parse(cidr);
    ASSERT_TRUE(scope);
    auto sum = Ingest(key, {}, "hq", {*scope});
    ASSERT_TRUE(sum) << sum.error().message;
  };
  now_ = "2026-12-01T11:00:00Z";
  ASSERT_NO_FATAL_FAILURE(part("p1", "127.16.0.2/32"));  // counts for b only
  EXPECT_EQ(missed(a), 0);
  EXPECT_EQ(missed(b), 1);
  EXPECT_EQ(missed(c), 0);
  now_ = "2026-12-01T12:00:00Z";
  ASSERT_TRUE(Ingest("w1", {Line("127.16.0.3", "aa:bb:cc:00:00:03", "axis", "P3265", false)}));
  EXPECT_EQ(missed(a), 1);
  EXPECT_EQ(missed(b), 2);
  EXPECT_EQ(missed(c), 0);
  now_ = "2026-12-01T13:00:00Z";
  ASSERT_TRUE(Set(a, DeviceState::kRemoved));
  EXPECT_EQ(missed(a), 0);  // counted from the removal claim
  now_ = "2026-12-01T14:00:00Z";
  ASSERT_TRUE(Ingest("w2", {Line("127.16.0.3", "aa:bb:cc:00:00:03", "axis", "P3265", false)}));
  EXPECT_EQ(missed(a), 1);
  EXPECT_EQ(missed(b), 3);
  EXPECT_EQ(missed(c), 0);
  // The site shrinks to 127.16.0.0/31: b and c now lie outside it.
  now_ = "2026-12-01T15:00:00Z";
  auto narrow = ParseSitesYaml(
      "departments:\n  - id: finance\n    sites:\n      - id: hq\n        scopes: [127.16.0.0/31]\n", "s.yaml");
  ASSERT_TRUE(narrow);
  ASSERT_TRUE(inv_->ImportSites(*narrow, "tester", "narrowed").ok());
  now_ = "2026-12-01T16:00:00Z";
  auto w3 = Ingest("w3", {});  // covers the site (127.16.0.0/31) only
  ASSERT_TRUE(w3);
  EXPECT_EQ(w3->verified_removed, 1);
  EXPECT_EQ(missed(a), 2);
  EXPECT_EQ(inv_->GetDevice(a)->state, DeviceState::kVerifiedRemoved);
  EXPECT_EQ(missed(b), 3);
  EXPECT_EQ(missed(c), 0);
  now_ = "2026-12-01T17:00:00Z";
  ASSERT_NO_FATAL_FAILURE(part("w4", "127.16.0.0/24"));  // a scope wider than the site: covers b and c again
  EXPECT_EQ(missed(a), 3);
  EXPECT_EQ(missed(b), 4);
  EXPECT_EQ(missed(c), 1);
  now_ = "2026-12-01T18:00:00Z";
  ASSERT_TRUE(Ingest("w5", {Line("127.16.0.2", "aa:bb:cc:00:00:02", "axis", "P3265", false)}));
  EXPECT_EQ(missed(a), 4);
  EXPECT_EQ(missed(b), 0);
  EXPECT_EQ(missed(c), 1);
  // Rebuild replays scans and decisions into new devices: the same counts and states, by address.
  auto by_ip = [&] {
    std::map<std::string, std::pair<int64_t, std::string>> m;
    auto all = inv_->ListDevices({});
    EXPECT_TRUE(all);
    if (all) {
      for (const auto& d : *all) m[d.ip] = {d.missed_scans, DeviceStateName(d.state)};
    }
    return m;
  };
  auto before = by_ip();
  ASSERT_EQ(before.size(), 3u);
  auto rebuilt = inv_->Rebuild("tester", "replay");
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_EQ(by_ip(), before);
  auto audit = inv_->VerifyAudit();
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->ok) << audit->problem;
}

// Devices name an existing site and raw records an existing scan, on both backends (SQLite: its
// foreign keys; PostgreSQL since schema version 6: checks once per statement, COPY included),
// and a site or scan still referenced cannot be deleted.
TEST_P(InventorySuite, ReferencesToSitesAndScansAreChecked) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.7", "")}));
  Store& store = inv_->store();
  if (GetParam() == "postgres") {
    auto fks = store.Query(
        "SELECT count(*) FROM pg_constraint WHERE conname IN ('devices_site_id_fkey', 'scan_records_scan_id_fkey')");
    ASSERT_TRUE(fks);
    EXPECT_EQ(ColInt(fks->front(), 0), 0);  // replaced by the statement-level checks
  }
  auto count = [&](const char* sql) {
    auto r = store.Query(sql);
    EXPECT_TRUE(r) << sql;
    return r ? ColInt(r->front(), 0) : -1;
  };
  int64_t devices = count("SELECT count(*) FROM devices");
  int64_t records = count("SELECT count(*) FROM scan_records");
  const char* kBad[] = {
      "INSERT INTO devices (site_id, ip, state, state_since, first_seen, last_seen) "
      "VALUES (9999, '127.16.0.9', 'found', 't', 't', 't')",
      "INSERT INTO devices (site_id, ip, state, state_since, first_seen, last_seen) "
      "SELECT site_id, '127.16.0.10', 'found', 't', 't', 't' FROM devices UNION ALL "
      "SELECT 9999, '127.16.0.11', 'found', 't', 't', 't'",
      "UPDATE devices SET site_id = 9999",
      "INSERT INTO scan_records (scan_id, seq, ip, record) VALUES (9999, 1, '127.16.0.9', 'x')",
      "UPDATE scan_records SET scan_id = 9999",
      "DELETE FROM sites",
      "DELETE FROM scans",
      "UPDATE sites SET id = 9999",
  };
  for (const char* sql : kBad) {
    EXPECT_FALSE(store.Exec(sql).ok()) << sql;
  }
  if (GetParam() == "postgres") {
    // COPY (the ingest's way of inserting) is checked too, the good row with the bad one.
    auto site = store.Query("SELECT site_id FROM devices LIMIT 1");
    ASSERT_TRUE(site);
    std::string t = "t";
    SqlValue rows[] = {ColInt(site->front(), 0), std::string("127.16.0.12"), std::string("found"), t, t, t,
                       int64_t{9999}, std::string("127.16.0.13"), std::string("found"), t, t, t};
    std::string_view cols[] = {"site_id", "ip", "state", "state_since", "first_seen", "last_seen"};
    ASSERT_TRUE(store.Begin().ok());
    EXPECT_FALSE(store.CopyRows("devices", cols, rows).ok());
    ASSERT_TRUE(store.Rollback().ok());
  }
  EXPECT_EQ(count("SELECT count(*) FROM devices"), devices);
  EXPECT_EQ(count("SELECT count(*) FROM scan_records"), records);
  // A good insert still goes through.
  EXPECT_TRUE(store
                  .Exec("INSERT INTO devices (site_id, ip, state, state_since, first_seen, last_seen) "
                        "SELECT site_id, '127.16.0.14', 'found', 't', 't', 't' FROM devices LIMIT 1")
                  .ok());
  EXPECT_EQ(count("SELECT count(*) FROM devices"), devices + 1);
}

// Merge reviews are decided by a person: reject keeps two devices, accept folds the newer
// into the older (which keeps its id, lifecycle and history); both are audited.
TEST_P(InventorySuite, MergeReviewsAreDecidedAndAudited) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.7", ""), Line("127.16.0.8", "")}));
  ASSERT_TRUE(Ingest("s2", {Line("127.16.0.7", "aa:bb:cc:00:00:07"), Line("127.16.0.8", "aa:bb:cc:00:00:08")}));
  auto open = inv_->ListReviews(true);
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 2u);
  MergeReview r7 = (*open)[0], r8 = (*open)[1];
  EXPECT_EQ(inv_->DecideReview(r7.id, false, "", "n").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(inv_->DecideReview(r7.id, false, "alice", "").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(inv_->DecideReview(999, false, "alice", "n").error().code, ErrorCode::kNotFound);
  auto rejected = inv_->DecideReview(r7.id, false, "alice", "two cameras on one pole");
  ASSERT_TRUE(rejected) << rejected.error().message;
  EXPECT_EQ(rejected->status, "rejected");
  EXPECT_EQ(inv_->DecideReview(r7.id, true, "alice", "again").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(inv_->ListDevices({})->size(), 4u);
  // Accept: the MAC-less device (with a lifecycle decision) takes the MAC and the sighting.
  ASSERT_TRUE(Set(r8.device_a, DeviceState::kConfirmed));
  auto accepted = inv_->DecideReview(r8.id, true, "alice", "same camera, MAC now visible");
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->status, "accepted");
  EXPECT_EQ(inv_->ListDevices({})->size(), 3u);
  EXPECT_EQ(inv_->GetDevice(r8.device_b).error().code, ErrorCode::kNotFound);
  auto kept = inv_->GetDevice(r8.device_a);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->mac, "aa:bb:cc:00:00:08");
  EXPECT_EQ(kept->state, DeviceState::kConfirmed);
  EXPECT_EQ(kept->last_scan, "s2");
  EXPECT_EQ(*inv_->LastRecord(kept->id), Line("127.16.0.8", "aa:bb:cc:00:00:08"));
  auto history = inv_->History(kept->id);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->back().action, "merge-accepted");
  EXPECT_EQ(history->back().actor, "alice");
  EXPECT_TRUE(inv_->ListReviews(true)->empty());
  EXPECT_TRUE(inv_->VerifyAudit()->ok);
  // The next scan finds the kept device by its MAC.
  auto s3 = Ingest("s3", {Line("127.16.0.8", "aa:bb:cc:00:00:08")});
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->new_devices, 0);
  EXPECT_EQ(Only("127.16.0.8").id, kept->id);
  EXPECT_EQ(Only("127.16.0.8").match_rule, "mac");
}

TEST_P(InventorySuite, DiffBetweenScans) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.1", "aa:bb:cc:00:00:01"), Line("127.16.0.2", "aa:bb:cc:00:00:02")}));
  now_ = "2026-12-02T10:00:00Z";
  ASSERT_TRUE(Ingest("s2", {Line("127.16.0.5", "aa:bb:cc:00:00:01"), Line("127.16.0.3", "aa:bb:cc:00:00:03")}));
  auto d = inv_->Diff("hq", "", "");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->from_scan, "s1");
  EXPECT_EQ(d->to_scan, "s2");
  ASSERT_EQ(d->appeared.size(), 1u);
  EXPECT_EQ(d->appeared[0].ip, "127.16.0.3");
  ASSERT_EQ(d->disappeared.size(), 1u);
  ASSERT_EQ(d->changed.size(), 1u);
  EXPECT_NE(d->changed[0].change.find("127.16.0.1 -> 127.16.0.5"), std::string::npos);
}

TEST_P(InventorySuite, RebuildRederivesTheSameStates) {
  std::string cam1 = Line("127.16.0.1", "aa:bb:cc:00:00:01");
  std::string cam2 = Line("127.16.0.2", "aa:bb:cc:00:00:02");
  ASSERT_TRUE(Ingest("s1", {cam1, cam2}));
  ASSERT_TRUE(Set(Only("127.16.0.1").id, DeviceState::kRemoved));
  now_ = "2026-12-02T10:00:00Z";
  ASSERT_TRUE(Ingest("s2", {cam2}));
  now_ = "2026-12-03T10:00:00Z";
  ASSERT_TRUE(Ingest("s3", {cam2}));
  auto before = inv_->ListDevices({});
  auto r = inv_->Rebuild("tester", "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->scans, 3);
  EXPECT_EQ(r->actions_reapplied, 1);
  auto after = inv_->ListDevices({});
  ASSERT_EQ(before->size(), after->size());
  for (size_t i = 0; i < after->size(); ++i) {
    EXPECT_EQ(DeviceStateName((*before)[i].state), DeviceStateName((*after)[i].state)) << (*after)[i].ip;
  }
  EXPECT_EQ(Only("127.16.0.1").state, DeviceState::kVerifiedRemoved);
  EXPECT_TRUE(inv_->VerifyAudit()->ok);
}

// Rebuild redoes people's merge-review decisions (issue 7): an accepted merge stays one device
// with its lifecycle, a rejected review stays rejected, and later scans still match by MAC.
TEST_P(InventorySuite, RebuildRedoesMergeDecisions) {
  ASSERT_TRUE(Ingest("s1", {Line("127.16.0.7", ""), Line("127.16.0.8", "")}));
  now_ = "2026-12-02T10:00:00Z";
  ASSERT_TRUE(Ingest("s2", {Line("127.16.0.7", "aa:bb:cc:00:00:07"), Line("127.16.0.8", "aa:bb:cc:00:00:08")}));
  auto open = inv_->ListReviews(true);
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 2u);
  MergeReview r7 = (*open)[0], r8 = (*open)[1];
  now_ = "2026-12-03T10:00:00Z";
  ASSERT_TRUE(inv_->DecideReview(r7.id, false, "alice", "two cameras on one pole"));
  ASSERT_TRUE(Set(r8.device_a, DeviceState::kConfirmed));
  ASSERT_TRUE(inv_->DecideReview(r8.id, true, "alice", "same camera, MAC now visible"));
  now_ = "2026-12-04T10:00:00Z";
  ASSERT_TRUE(Ingest("s3", {Line("127.16.0.8", "aa:bb:cc:00:00:08")}));
  auto before = inv_->ListDevices({});
  ASSERT_TRUE(before);
  ASSERT_EQ(before->size(), 3u);

  auto r = inv_->Rebuild("tester", "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->actions_reapplied, 3);  // the rejection, the confirmation, the merge
  EXPECT_EQ(r->actions_skipped, 0);
  auto after = inv_->ListDevices({});
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 3u);  // without the merge it would be 4
  DeviceRecord kept = Only("127.16.0.8");
  EXPECT_EQ(kept.mac, "aa:bb:cc:00:00:08");
  EXPECT_EQ(kept.state, DeviceState::kConfirmed);
  EXPECT_EQ(kept.last_scan, "s3");
  EXPECT_EQ(kept.match_rule, "mac");
  EXPECT_TRUE(inv_->ListReviews(true)->empty());
  auto all = inv_->ListReviews(false);
  ASSERT_TRUE(all);
  std::multiset<std::string> statuses;
  for (const auto& rv : *all) statuses.insert(rv.status);
  EXPECT_EQ(statuses, (std::multiset<std::string>{"accepted", "rejected"}));
  for (size_t i = 0; i < after->size(); ++i) {
    EXPECT_EQ(DeviceStateName((*before)[i].state), DeviceStateName((*after)[i].state)) << (*after)[i].ip;
    EXPECT_EQ((*before)[i].mac, (*after)[i].mac) << (*after)[i].ip;
  }
  EXPECT_TRUE(inv_->VerifyAudit()->ok);
}

TEST_P(InventorySuite, NewerSchemaIsRefused) {
  ASSERT_TRUE(inv_->store().Exec("UPDATE schema_meta SET value = '99' WHERE key = 'version'").ok());
  inv_.reset();
  auto again = Inventory::Open(location_, options_);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("newer than this phaseout"), std::string::npos) << again.error().message;
}

INSTANTIATE_TEST_SUITE_P(Backends, InventorySuite, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// Statements marked kReusePlan run as named prepared statements outside a transaction, at most
// 256 of them per connection (a full set is dropped), and unnamed inside one; every answer is the
// statement's own, and a failing one still names its first words without the marker.
TEST(PostgresStore, ReusedPlansStayBoundedAndCorrect) {
  auto url = testing::SharedPgServer().FreshDatabase();
  if (!url) {
    if (testing::SharedPgServer().skip_reason().empty()) FAIL() << url.error().message;
    GTEST_SKIP() << testing::SharedPgServer().skip_reason();
  }
  auto store = OpenStore(*url);
  ASSERT_TRUE(store) << store.error().message;
  Store& db = **store;
  auto prepared = [&] {
    auto n = db.Query("SELECT COUNT(*) FROM pg_prepared_statements");
    return n ? ColInt(n->front(), 0) : -1;
  };
  for (int round = 0; round < 2; ++round) {
    for (int64_t i = 0; i < 300; ++i) {
      SqlValue p[] = {SqlValue(i)};
      std::string sql = std::string(kReusePlan) + "SELECT $1::bigint + " + std::to_string(i);
      auto r = db.Query(sql, p);
      ASSERT_TRUE(r) << r.error().message;
      ASSERT_EQ(ColInt(r->front(), 0), 2 * i);
    }
    EXPECT_LE(prepared(), 256);
    EXPECT_GT(prepared(), 0);
  }
  ASSERT_TRUE(db.Begin().ok());
  int64_t before = prepared();
  for (int64_t i = 0; i < 50; ++i) {
    SqlValue p[] = {SqlValue(i)};
    auto r = db.Query(std::string(kReusePlan) + "SELECT $1::bigint * 3 + " + std::to_string(i), p);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(ColInt(r->front(), 0), 4 * i);
  }
  EXPECT_EQ(prepared(), before);  // nothing prepared inside the transaction
  ASSERT_TRUE(db.Rollback().ok());
  auto bad = db.Query(std::string(kReusePlan) + "SELECT no_such_column FROM pg_class");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("[SELECT no_such_column"), std::string::npos) << bad.error().message;
}

// The PostgreSQL server goes away in the middle of an ingest and of a lifecycle change: each
// fails with a clear message, nothing of either is stored, and once the server is back the
// inventory works again with exactly the committed work.
TEST(PostgresStore, ServerGoingAwayCommitsNothingAndRecovers) {
  testing::PgServer server;  // its own server: the shared one stays up for the other tests
  auto url = server.FreshDatabase();
  if (!url) {
    if (!server.skip_reason().empty()) GTEST_SKIP() << server.skip_reason();
    FAIL() << url.error().message;
  }
  auto inv = Inventory::Open(*url);
  ASSERT_TRUE(inv) << inv.error().message;
  auto sites = ParseSitesYaml(kSites, "sites.yaml");
  ASSERT_TRUE((*inv)->ImportSites(*sites, "tester", "initial").ok());
  auto ingest = [&](Inventory& db, const std::string& key, int n, bool halt_midway) -> Status {
    ScanMeta m;
    m.scan_key = key;
    m.site = "hq";
    auto ing = db.BeginIngest(m);
    if (!ing) return ing.error();
    for (int i = 0; i < n; ++i) {
      if (halt_midway && i == n / 2) server.Halt();
      std::string ip = "127.16.0." + std::to_string(i + 1);
      char mac[32];
      std::snprintf(mac, sizeof(mac), "aa:bb:cc:00:01:%02x", i + 1);
      if (Status s = (*ing)->AddLine(Line(ip, mac), i + 1); !s.ok()) return s;
    }
    auto c = (*ing)->Commit();
    if (!c) return c.error();
    return Status::Ok();
  };
  ASSERT_TRUE(ingest(**inv, "s1", 10, false).ok());
  int64_t device = (*inv)->ListDevices({})->front().id;
  // Mid-ingest.
  Status lost = ingest(**inv, "s2", 200, true);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kIo);
  EXPECT_NE(lost.error().message.find("went away"), std::string::npos) << lost.error().message;
  EXPECT_NE(lost.error().message.find("not committed"), std::string::npos) << lost.error().message;
  // Mid-transition (the connection is gone; so is the server).
  TransitionRequest r;
  r.to = DeviceState::kConfirmed;
  r.actor = "alice";
  r.note = "checked";
  auto changed = (*inv)->SetState(device, r);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kIo);
  // While the server is down, opening fails clearly.
  auto down = Inventory::Open(*url);
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().message.find("cannot connect"), std::string::npos) << down.error().message;
  inv->reset();
  ASSERT_TRUE(server.Resume().ok());
  auto again = Inventory::Open(*url);
  ASSERT_TRUE(again) << again.error().message;
  auto scans = (*again)->ListScans("");
  ASSERT_TRUE(scans);
  ASSERT_EQ(scans->size(), 1u);  // s2 left nothing behind
  EXPECT_EQ(scans->front().key, "s1");
  EXPECT_EQ((*again)->ListDevices({})->size(), 10u);
  EXPECT_EQ((*again)->GetDevice(device)->state, DeviceState::kFound);
  auto audit = (*again)->VerifyAudit();
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->ok) << audit->problem;
  // And it works again: the lost scan can be sent again, the change made.
  ASSERT_TRUE(ingest(**again, "s2", 200, false).ok());
  EXPECT_EQ((*again)->ListDevices({})->size(), 200u);
  ASSERT_TRUE((*again)->SetState(device, r));
  EXPECT_TRUE((*again)->VerifyAudit()->ok);
}

TEST(SqliteStore, LockedAndReadOnlyDatabasesFailClearly) {
  auto dir = std::filesystem::temp_directory_path() / ("phaseout-lock-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::string path = (dir / "inv.db").string();
  InventoryOptions o;
  o.store.busy_timeout_ms = 100;
  auto a = Inventory::Open(path, o);
  ASSERT_TRUE(a) << a.error().message;
  auto b = Inventory::Open(path, o);
  ASSERT_TRUE(b);
  ASSERT_TRUE((*a)->store().Begin().ok());
  auto sites = ParseSitesYaml(kSites, "s");
  Status s = (*b)->ImportSites(*sites, "x", "y");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("locked"), std::string::npos) << s.error().message;
  ASSERT_TRUE((*a)->store().Rollback().ok());
  a->reset();
  b->reset();
  if (geteuid() != 0) {  // root ignores file permissions
    std::filesystem::permissions(path, std::filesystem::perms::owner_read);
    auto ro = Inventory::Open(path, o);
    ASSERT_TRUE(ro);
    Status w = (*ro)->ImportSites(*sites, "x", "y");
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.error().message.find("read-only"), std::string::npos) << w.error().message;
  }
  std::ofstream(dir / "junk.db") << "this is not a database at all, just text that is long enough";
  auto junk = Inventory::Open((dir / "junk.db").string(), o);
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message.find("not a database"), std::string::npos) << junk.error().message;
  std::filesystem::remove_all(dir);
}

// A new SQLite file gets 32 KiB pages; a file written with another page size keeps it and is
// migrated and ingested into as before.
TEST(SqliteStore, NewFilesGetLargePagesOlderFilesKeepTheirs) {
  auto dir = std::filesystem::temp_directory_path() / ("phaseout-pages-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto page_size = [](Inventory& inv) {
    auto r = inv.store().Query("PRAGMA page_size");
    return r && !r->empty() ? ColInt(r->front(), 0) : -1;
  };
  auto fresh = Inventory::Open((dir / "new.db").string());
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(page_size(**fresh), 32768);
  fresh->reset();
  std::string old_path = (dir / "old.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(old_path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE t (x);", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto old = Inventory::Open(old_path);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(page_size(**old), 4096);
  auto sites = ParseSitesYaml(kSites, "s");
  ASSERT_TRUE(sites);
  ASSERT_TRUE((*old)->ImportSites(*sites, "x", "y").ok());
  ScanMeta meta;
  meta.scan_key = "k";
  meta.site = "hq";
  auto ing = (*old)->BeginIngest(meta);
  ASSERT_TRUE(ing) << ing.error().message;
  for (int i = 0; i < 300; ++i) {
    std::string ip = "127.16.0." + std::to_string(i % 250);
    char mac[32];
    std::snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", i / 256, i % 256);
    ASSERT_TRUE((*ing)->AddLine(Line(ip, mac), i + 1).ok());
  }
  auto sum = (*ing)->Commit();
  ASSERT_TRUE(sum) << sum.error().message;
  EXPECT_EQ(sum->new_devices, 300);
  EXPECT_EQ(page_size(**old), 4096);
  auto verified = (*old)->VerifyAudit();
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_TRUE(verified->ok) << verified->problem;
  old->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace phaseout::inventory
