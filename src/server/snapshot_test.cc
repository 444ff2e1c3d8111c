// LoadSnapshot reads evidence and history in bulk for 200 devices or more and one device at a
// time below that: both paths must give the same devices.
#include "server/snapshot.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <random>

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

// What the loader did before its own scanner: the whole record parsed by nlohmann-json. The
// scanner must give the same evidence for every text, valid or not.
std::vector<model::Evidence> ReferenceEvidence(const std::string& raw) {
  std::vector<model::Evidence> out;
  if (raw.empty()) return out;
  auto j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  auto ev = j.find("evidence");
  if (ev == j.end() || !ev->is_array()) return out;
  auto text = [](const nlohmann::json& e, const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const auto& e : *ev) {
    if (!e.is_object()) continue;
    model::Evidence x;
    x.probe = text(e, "probe");
    auto port = e.find("port");
    if (port != e.end() && port->is_number_unsigned() && port->get<uint64_t>() <= 65535) {
      x.port = static_cast<uint16_t>(port->get<uint64_t>());
    }
    x.field = text(e, "field");
    x.value = text(e, "value");
    x.rule = text(e, "rule");
    x.claim = text(e, "claim");
    out.push_back(std::move(x));
  }
  return out;
}

std::string ReferenceState(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "";
  auto it = j.find("state");
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

void ExpectSameEvidence(const std::string& raw) {
  auto want = ReferenceEvidence(raw);
  auto got = RecordEvidence(raw);
  ASSERT_EQ(got.size(), want.size()) << raw;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].probe, want[i].probe) << raw;
    EXPECT_EQ(got[i].port, want[i].port) << raw;
    EXPECT_EQ(got[i].field, want[i].field) << raw;
    EXPECT_EQ(got[i].value, want[i].value) << raw;
    EXPECT_EQ(got[i].rule, want[i].rule) << raw;
    EXPECT_EQ(got[i].claim, want[i].claim) << raw;
  }
  EXPECT_EQ(JsonTopLevelString(raw, "state"), ReferenceState(raw)) << raw;
}

TEST(Snapshot, RecordEvidenceReadsWhatAParsedDocumentHolds) {
  const std::string record = testing::DeviceLine("127.16.0.1", "00:11:22:33:44:01");
  ASSERT_EQ(RecordEvidence(record).size(), 1u);
  EXPECT_EQ(RecordEvidence(record)[0].port, 80);
  EXPECT_EQ(RecordEvidence(record)[0].rule, "hikvision.http.server.webs");
  for (const std::string raw : {
           std::string(""), std::string("{}"), std::string("[]"), std::string("null"), std::string("{\"evidence\":5}"),
           std::string("{\"evidence\":[1,\"x\",null,{\"probe\":\"a\"}]}"),
           std::string("{\"evidence\":[{\"port\":65535},{\"port\":65536},{\"port\":-1},{\"port\":80.0},{\"port\":8e1},"
                       "{\"port\":\"80\"},{\"port\":18446744073709551616},{\"port\":0}]}"),
           std::string("{\"evidence\":[{\"probe\":\"a\",\"probe\":1}],\"evidence\":[{\"rule\":\"later\"}]}"),
           std::string("{\"evid\\u0065nce\":[{\"value\":\"\\u00e9\\ud83d\\ude00\\n\\\"\\/\\b\\f\\r\\t\\\\\"}]}"),
           std::string("{\"evidence\":[{\"value\":\"\\ud83d\"}]}"),      // lone high surrogate
           std::string("{\"evidence\":[{\"value\":\"\\ude00\"}]}"),      // lone low surrogate
           std::string("{\"evidence\":[{\"value\":\"caf\xc3\xa9\"}]}"),   // UTF-8 kept
           std::string("{\"evidence\":[{\"value\":\"\xff\"}]}"),           // invalid UTF-8: not JSON
           std::string("{\"evidence\":[{\"value\":\"a\tb\"}]}"),           // raw control character
           std::string("{\"evidence\":[{\"value\":\"a\"}]} x"),            // text after the value
           std::string("{\"evidence\":[{\"value\":\"a\"}],}"),              // trailing comma
           std::string("{\"evidence\":[{\"value\":\"a\"}]}\n"),
           std::string("{\"a\":[[[[{\"b\":[true,false,null,-0.5e+3]}]]]],\"evidence\":[{\"claim\":\"c\"}],\"z\":{}}"),
           std::string("{\"a\":01,\"evidence\":[{\"claim\":\"c\"}]}"),   // leading zero
           std::string("{\"a\":tru,\"evidence\":[]}"),
           std::string("{\"state\":\"removed\",\"note\":\"x\"}"), std::string("{\"state\":null}"),
           std::string(R"({"state":"found","state":"confirmed"})")}) {
    SCOPED_TRACE(raw);
    ExpectSameEvidence(raw);
  }
  // Random damage to a realistic record: deleted, repeated and replaced bytes.
  const std::string base =
      R"({"ip":"127.0.0.1","evidence":[{"probe":"http","port":80,"field":"http.header.server","value":"App-webs/ \u00e9\"q\"",)"
      R"("rule":"hikvision.http.server.webs","claim":"manufacturer=hikvision"},{"probe":"rtsp","port":554,"field":"f",)"
      R"("value":"v","rule":"r"}],"verdicts":[{"policy":"p","status":"prohibited"}],"n":[1.5,-2,true,null]})";
  ASSERT_EQ(RecordEvidence(base).size(), 2u);
  std::mt19937 rng(11);
  const char alphabet[] = "{}[]\",:\\u0123456789.-+eEtrufalsn \x01\xc3\xa9\xff";
  for (int i = 0; i < 3000; ++i) {
    std::string raw = base;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
      size_t at = rng() % raw.size();
      switch (rng() % 3) {
        case 0: raw.erase(at, 1 + rng() % 3); break;
        case 1: raw.insert(at, 1, raw[at]); break;
        default: raw[at] = alphabet[rng() % (sizeof(alphabet) - 1)]; break;
      }
      if (raw.empty()) raw = "{";
    }
    SCOPED_TRACE(raw);
    ExpectSameEvidence(raw);
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace phaseout::server
