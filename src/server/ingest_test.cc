// Scan ingest over the API is idempotent: a repeated start, chunk or completion changes
// nothing; an unknown scan is 404; completing with records missing is 409 naming them; a bad
// line stores nothing of its chunk.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "inventory/audit.h"
#include "inventory/inventory.h"
#include "server/testing/backends.h"

namespace phaseout::server {
namespace {

using nlohmann::json;
using testing::DeviceLine;
using testing::ServerFixture;

class Ingest : public testing::BackendFixture {
 protected:
  void Configure(ServerOptions* options) override {
    options->search_refresh_quiet_ms = 50;
    options->log = [this](const std::string& message) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.push_back(message);
    };
  }
  std::vector<std::string> Logged() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }
  std::mutex log_mu_;
  std::vector<std::string> log_;
  int64_t Devices(const std::string& site) {
    auto r = Call("GET", "/api/v1/devices?site=" + site + "&limit=500", "programme");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["total"].get<int64_t>();
  }
  testing::Reply Chunk(const std::string& key, int64_t first, const std::vector<std::string>& lines) {
    std::string body;
    for (const auto& l : lines) body += l + "\n";
    return Call("POST", "/api/v1/scans/" + key + "/records?first_seq=" + std::to_string(first), "agent", body,
                "application/x-ndjson");
  }
};

const std::string kStart = R"({"type":"scan_start","scan_id":"s1","time":"2026-11-02T10:00:00Z"})";
const std::string kEnd = R"({"type":"scan_end","scan_id":"s1","complete":true})";

TEST_P(Ingest, RepeatedChunksAndCompletionChangeNothing) {
  int64_t before = Devices("hq");
  auto start = Call("POST", "/api/v1/scans", "agent",
                    R"({"scan_key":"s1","site":"hq","started_at":"2026-11-02T10:00:00Z","scope":["127.16.0.0/24"]})");
  ASSERT_EQ(start.status, 201) << start.body;
  EXPECT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"s1","site":"hq"})").status, 200);

  auto c1 = Chunk("s1", 1, {kStart, DeviceLine("127.16.0.50", "00:11:22:33:44:50"),
                            DeviceLine("127.16.0.51", "00:11:22:33:44:51")});
  ASSERT_EQ(c1.status, 200) << c1.body;
  EXPECT_EQ(json::parse(c1.body), json({{"stored", 3}, {"duplicates", 0}}));
  auto again = Chunk("s1", 1, {kStart, DeviceLine("127.16.0.50", "00:11:22:33:44:50"),
                               DeviceLine("127.16.0.51", "00:11:22:33:44:51")});
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body), json({{"stored", 0}, {"duplicates", 3}}));
  EXPECT_EQ(Devices("hq"), before + 2);

  // Records 4 and 5 are not there yet.
  auto early = Call("POST", "/api/v1/scans/s1/complete", "agent", R"({"records":5,"complete":true})");
  ASSERT_EQ(early.status, 409) << early.body;
  EXPECT_EQ(json::parse(early.body)["missing"], json::array({"4-5"}));

  // An overlapping chunk: 3 is a duplicate, 4 and 5 are new.
  auto c2 = Chunk("s1", 3, {DeviceLine("127.16.0.51", "00:11:22:33:44:51"), DeviceLine("127.16.0.52", "00:11:22:33:44:52"), kEnd});
  ASSERT_EQ(c2.status, 200) << c2.body;
  EXPECT_EQ(json::parse(c2.body), json({{"stored", 2}, {"duplicates", 1}}));
  auto done = Call("POST", "/api/v1/scans/s1/complete", "agent", R"({"records":5,"complete":true})");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body)["already_completed"], false);
  auto repeat = Call("POST", "/api/v1/scans/s1/complete", "agent", R"({"records":5,"complete":true})");
  ASSERT_EQ(repeat.status, 200);
  EXPECT_EQ(json::parse(repeat.body)["already_completed"], true);
  // A chunk after completion stores nothing.
  auto late = Chunk("s1", 6, {DeviceLine("127.16.0.53", "00:11:22:33:44:53")});
  ASSERT_EQ(late.status, 200);
  EXPECT_EQ(json::parse(late.body)["stored"], 0);
  EXPECT_EQ(Devices("hq"), before + 3);

  // The audit chain is intact after all of it.
  auto verify = Call("GET", "/api/v1/audit/verify", "programme");
  ASSERT_EQ(verify.status, 200);
  EXPECT_EQ(json::parse(verify.body)["ok"], true) << verify.body;
}

// A pushed device is found by text search at once; on PostgreSQL the server brings the search
// table up to date after the push (its refresher: the queue empties, the metric counts it) and
// the device is still found, now through the table.
TEST_P(Ingest, PushedDevicesAreSearchableAtOnceAndTheSearchTableCatchesUp) {
  auto search = [&] {
    auto r = Call("GET", "/api/v1/devices?q=44:77&limit=10", "programme");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["total"].get<int64_t>();
  };
  EXPECT_EQ(search(), 0);
  ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"s1","site":"hq","scope":["127.16.0.0/24"]})").status,
            201);
  ASSERT_EQ(Chunk("s1", 1, {DeviceLine("127.16.0.77", "00:11:22:33:44:77")}).status, 200);
  EXPECT_EQ(search(), 1);
  if (GetParam() != "postgres") return;
  auto inv = inventory::Inventory::Open(location_);
  ASSERT_TRUE(inv) << inv.error().message;
  int64_t queued = -1;
  for (int i = 0; i < 200 && queued != 0; ++i) {
    auto n = (*inv)->store().Query("SELECT COUNT(*) FROM device_search_queue");
    ASSERT_TRUE(n) << n.error().message;
    queued = inventory::ColInt(n->front(), 0);
    if (queued != 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(queued, 0) << "the refresher did not take the queued devices within 10 s";
  auto body = (*inv)->store().Query(
      "SELECT s.body FROM device_search s JOIN devices d ON d.id = s.device_id WHERE d.ip = '127.16.0.77'");
  ASSERT_TRUE(body);
  ASSERT_EQ(body->size(), 1u);
  EXPECT_NE(inventory::Col(body->front(), 0).find("00:11:22:33:44:77"), std::string::npos);
  EXPECT_EQ(search(), 1);
  auto metrics = Call("GET", "/metrics");
  EXPECT_NE(metrics.body.find("phaseout_search_refreshed_devices_total "), std::string::npos);
  EXPECT_EQ(metrics.body.find("phaseout_search_refreshed_devices_total 0\n"), std::string::npos) << metrics.body;
}

// A refresh of the search table that fails is said once (ServerOptions::log), counted, and tried
// again after the next change; searches and ingest go on meanwhile (PostgreSQL; SQLite has none).
TEST_P(Ingest, AFailingSearchRefreshIsSaidOnceAndTriedAgain) {
  if (GetParam() != "postgres") {  // nothing to refresh: no refresher, no metric, nothing said
    ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"s1","site":"hq"})").status, 201);
    ASSERT_EQ(Chunk("s1", 1, {DeviceLine("127.16.0.77", "00:11:22:33:44:77")}).status, 200);
    EXPECT_EQ(Call("GET", "/metrics").body.find("phaseout_search_refresh"), std::string::npos);
    EXPECT_TRUE(Logged().empty());
    return;
  }
  auto inv = inventory::Inventory::Open(location_);
  ASSERT_TRUE(inv) << inv.error().message;
  auto queued = [&] {
    auto n = (*inv)->store().Query("SELECT COUNT(*) FROM device_search_queue");
    EXPECT_TRUE(n);
    return n ? inventory::ColInt(n->front(), 0) : -1;
  };
  auto wait_for = [](auto done) {
    for (int i = 0; i < 200 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return done();
  };
  ASSERT_TRUE(wait_for([&] { return queued() == 0; }));  // the seeded devices
  ASSERT_TRUE((*inv)->store().Exec("ALTER TABLE device_search RENAME TO device_search_away").ok());
  ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"s1","site":"hq","scope":["127.16.0.0/24"]})").status,
            201);
  ASSERT_EQ(Chunk("s1", 1, {DeviceLine("127.16.0.77", "00:11:22:33:44:77")}).status, 200);
  ASSERT_EQ(Chunk("s1", 2, {DeviceLine("127.16.0.78", "00:11:22:33:44:78")}).status, 200);
  ASSERT_TRUE(wait_for([&] { return Logged().size() >= 1; })) << "no failure said";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(Logged().size(), 1u);
  EXPECT_NE(Logged().front().find("text search table not brought up to date"), std::string::npos) << Logged().front();
  EXPECT_EQ(Call("GET", "/metrics").body.find("phaseout_search_refresh_failures_total 0\n"), std::string::npos);
  EXPECT_EQ(queued(), 2);
  ASSERT_TRUE((*inv)->store().Exec("ALTER TABLE device_search_away RENAME TO device_search").ok());
  ASSERT_EQ(Chunk("s1", 3, {DeviceLine("127.16.0.79", "00:11:22:33:44:79")}).status, 200);
  EXPECT_TRUE(wait_for([&] { return queued() == 0; })) << "not tried again";
  auto r = Call("GET", "/api/v1/devices?q=44:7&limit=10", "programme");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["total"], 3);
  EXPECT_EQ(Logged().size(), 1u);
}

TEST_P(Ingest, UnknownScanIsNotFoundAndOtherSiteConflicts) {
  auto r = Chunk("never-started", 1, {DeviceLine("127.16.0.60", "00:11:22:33:44:60")});
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(Call("POST", "/api/v1/scans/never-started/complete", "agent", R"({"records":1})").status, 404);
  // The same key for another site: an agent bound to both sites gets 409.
  {
    auto inv = inventory::Inventory::Open(location_);
    ASSERT_TRUE(inv);
    AuthStore auth((*inv)->store(), {});
    auto secret = auth.CreateEnrolSecret({"hq", "branch"}, 60, "t");
    ASSERT_TRUE(secret);
    auto e = auth.Enrol(*secret, "both");
    ASSERT_TRUE(e);
    tokens_["both"] = e->key;
  }
  ASSERT_EQ(Call("POST", "/api/v1/scans", "both", R"({"scan_key":"k2","site":"hq"})").status, 201);
  EXPECT_EQ(Call("POST", "/api/v1/scans", "both", R"({"scan_key":"k2","site":"branch"})").status, 409);
  // A key the inventory already holds as a complete scan (from the CLI) is a conflict too.
  EXPECT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"seed-hq","site":"hq"})").status, 409);
}

TEST_P(Ingest, ABadLineStoresNothingOfItsChunk) {
  int64_t before = Devices("hq");
  ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"s3","site":"hq"})").status, 201);
  auto bad = Chunk("s3", 1, {DeviceLine("127.16.0.70", "00:11:22:33:44:70"), "{not json"});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("line 2"), std::string::npos) << bad.body;
  EXPECT_EQ(Devices("hq"), before);
  // The good line can be sent again and is stored once.
  auto good = Chunk("s3", 1, {DeviceLine("127.16.0.70", "00:11:22:33:44:70")});
  ASSERT_EQ(good.status, 200);
  EXPECT_EQ(json::parse(good.body)["stored"], 1);
  EXPECT_EQ(Devices("hq"), before + 1);
  // Missing first_seq, bad first_seq, empty chunk, a blank line inside.
  EXPECT_EQ(Call("POST", "/api/v1/scans/s3/records", "agent", DeviceLine("127.16.0.71", "00:11:22:33:44:71"),
                 "application/x-ndjson").status,
            400);
  EXPECT_EQ(Call("POST", "/api/v1/scans/s3/records?first_seq=0", "agent", DeviceLine("127.16.0.71", "00:11:22:33:44:71"),
                 "application/x-ndjson").status,
            400);
  EXPECT_EQ(Chunk("s3", 2, {DeviceLine("127.16.0.71", "00:11:22:33:44:71"), "", kEnd}).status, 400);
  EXPECT_EQ(Devices("hq"), before + 1);
}

TEST_P(Ingest, IncompleteScanEndKeepsTheScanOutOfVerification) {
  ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"s4","site":"hq"})").status, 201);
  std::string end = R"({"type":"scan_end","scan_id":"s4","complete":false})";
  ASSERT_EQ(Chunk("s4", 1, {DeviceLine("127.16.0.80", "00:11:22:33:44:80"), end}).status, 200);
  auto done = Call("POST", "/api/v1/scans/s4/complete", "agent", R"({"records":2,"complete":true})");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body)["complete"], false);
}

TEST_P(Ingest, ChunkLineLimit) {
  ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":"s5","site":"hq"})").status, 201);
  std::vector<std::string> lines(5001, "{}");
  auto r = Chunk("s5", 1, lines);
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 200);
  EXPECT_NE(r.body.find("5000 lines"), std::string::npos) << r.body;
}

// The completing request's audit entry holds the digest of all the scan's records in sequence
// order: kept as the chunks came in (in order) or re-read from the stored records (a chunk
// before its predecessor), the same either way and what `verify` recomputes.
TEST_P(Ingest, ChunkedScanDigestCoversEveryRecordInAnyOrder) {
  std::vector<std::string> lines;
  for (int i = 0; i < 6; ++i) lines.push_back(DeviceLine("127.16.0." + std::to_string(90 + i), "00:11:22:33:45:0" + std::to_string(i)));
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  for (std::string key : {"in-order", "out-of-order"}) {
    ASSERT_EQ(Call("POST", "/api/v1/scans", "agent", R"({"scan_key":")" + key + R"(","site":"hq"})").status, 201);
    std::vector<std::string> first(lines.begin(), lines.begin() + 3), second(lines.begin() + 3, lines.end());
    if (key == "in-order") {
      ASSERT_EQ(Chunk(key, 1, first).status, 200);
      ASSERT_EQ(Chunk(key, 4, second).status, 200);
    } else {
      ASSERT_EQ(Chunk(key, 4, second).status, 200);
      ASSERT_EQ(Chunk(key, 1, first).status, 200);
    }
    auto done = Call("POST", "/api/v1/scans/" + key + "/complete", "agent", R"({"records":6,"complete":true})");
    ASSERT_EQ(done.status, 200) << done.body;
  }
  // Kept for the scan pushed in order (then used), not for the other.
  auto inv = inventory::Inventory::Open(location_);
  ASSERT_TRUE(inv) << inv.error().message;
  auto kept = (*inv)->store().Query("SELECT key, records_digest FROM scans WHERE key IN ('in-order', 'out-of-order')");
  ASSERT_TRUE(kept) << kept.error().message;
  ASSERT_EQ(kept->size(), 2u);
  for (const auto& r : *kept) {
    EXPECT_EQ(inventory::Col(r, 1).empty(), inventory::Col(r, 0) == "out-of-order") << inventory::Col(r, 0);
  }
  auto audit = Call("GET", "/api/v1/audit?limit=5000", "programme");
  ASSERT_EQ(audit.status, 200);
  int completions = 0;
  json entries = json::parse(audit.body)["entries"];
  for (const auto& e : entries) {
    if (e["action"] != "ingest" || !e["after"].contains("records_sha256")) continue;
    if (e["after"]["scan"] != "in-order" && e["after"]["scan"] != "out-of-order") continue;
    ++completions;
    EXPECT_EQ(e["after"]["records"], 6) << e.dump();
    EXPECT_EQ(e["after"]["records_sha256"], inventory::Sha256Hex(all)) << e.dump();
  }
  EXPECT_EQ(completions, 2);
  auto verify = Call("GET", "/api/v1/audit/verify", "programme");
  ASSERT_EQ(verify.status, 200);
  EXPECT_EQ(json::parse(verify.body)["ok"], true) << verify.body;
}

// Server tables of version 1 kept one row per stored line: they are migrated to runs of
// consecutive sequence numbers, and a scan pushed before the upgrade completes after it (the
// lines it still misses named as before).
TEST_P(Ingest, StoredLinesOfVersionOneBecomeRuns) {
  auto start = Call("POST", "/api/v1/scans", "agent",
                    R"({"scan_key":"old","site":"hq","started_at":"2026-11-02T10:00:00Z","scope":["127.16.0.0/24"]})");
  ASSERT_EQ(start.status, 201) << start.body;
  auto c1 = Chunk("old", 1, {kStart, DeviceLine("127.16.0.60", "00:11:22:33:44:60"),
                             DeviceLine("127.16.0.61", "00:11:22:33:44:61")});
  ASSERT_EQ(c1.status, 200) << c1.body;
  auto c2 = Chunk("old", 5, {DeviceLine("127.16.0.64", "00:11:22:33:44:64"), kEnd});
  ASSERT_EQ(c2.status, 200) << c2.body;
  {
    auto inv = inventory::Inventory::Open(location_);
    ASSERT_TRUE(inv) << inv.error().message;
    inventory::Store& store = (*inv)->store();
    // Back to version 1 as an older server left it: lines 1-3 and 5-6 of scan "old".
    ASSERT_TRUE(store.ExecScript("DROP TABLE server_scan_spans; CREATE TABLE server_scan_lines (scan_key TEXT NOT "
                                 "NULL, seq BIGINT NOT NULL, PRIMARY KEY (scan_key, seq)); INSERT INTO "
                                 "server_scan_lines VALUES ('old', 1), ('old', 2), ('old', 3), ('old', 5), ('old', 6); "
                                 "UPDATE server_meta SET value = '1' WHERE key = 'schema_version';")
                    .ok());
    ASSERT_TRUE(MigrateServerTables(store).ok());
    auto runs = store.Query("SELECT first_seq, last_seq FROM server_scan_spans WHERE scan_key = 'old' ORDER BY 1");
    ASSERT_TRUE(runs) << runs.error().message;
    ASSERT_EQ(runs->size(), 2u);
    EXPECT_EQ(inventory::ColInt((*runs)[0], 0), 1);
    EXPECT_EQ(inventory::ColInt((*runs)[0], 1), 3);
    EXPECT_EQ(inventory::ColInt((*runs)[1], 0), 5);
    EXPECT_EQ(inventory::ColInt((*runs)[1], 1), 6);
    auto v = store.Query("SELECT value FROM server_meta WHERE key = 'schema_version'");
    ASSERT_TRUE(v);
    EXPECT_EQ(inventory::Col(v->front(), 0), std::to_string(kAuthSchemaVersion));
    EXPECT_FALSE(store.Query("SELECT 1 FROM server_scan_lines"));  // gone
  }
  auto early = Call("POST", "/api/v1/scans/old/complete", "agent", R"({"records":6,"complete":true})");
  ASSERT_EQ(early.status, 409) << early.body;
  EXPECT_EQ(json::parse(early.body)["missing"], json::array({"4"}));
  auto c3 = Chunk("old", 3, {DeviceLine("127.16.0.61", "00:11:22:33:44:61"), DeviceLine("127.16.0.63", "00:11:22:33:44:63")});
  ASSERT_EQ(c3.status, 200) << c3.body;
  EXPECT_EQ(json::parse(c3.body), json({{"stored", 1}, {"duplicates", 1}}));
  auto done = Call("POST", "/api/v1/scans/old/complete", "agent", R"({"records":6,"complete":true})");
  EXPECT_EQ(done.status, 200) << done.body;
}

INSTANTIATE_TEST_SUITE_P(Stores, Ingest, testing::kBackends, testing::BackendName);

}  // namespace
}  // namespace phaseout::server
