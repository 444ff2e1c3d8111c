// Tests for the scan renderers: NDJSON contract fields, JSON document, CSV quoting, table and
// summary numbers, invalid UTF-8 from devices.
#include "report/scan_writers.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace phaseout::report {
namespace {

using model::VerdictStatus;
using nlohmann::json;

model::DeviceReport HikvisionCamera() {
  model::DeviceReport r;
  r.host.ip = "127.16.0.10";
  r.host.open_ports = {80, 554, 8000};
  r.host.mac = "58:50:ed:1f:e3:85";
  r.host.notes = {"port 80: response cut at 65536 bytes"};
  auto& id = r.identification;
  id.manufacturer = "hikvision";
  id.brand = "lts";
  id.device_type = "camera";
  id.model = "LTCMIP7442W-28MDA";
  id.firmware = "V5.5.82 build 190909";
  id.serial = "";
  id.confidence = 0.9876;
  id.evidence.push_back({"http", 80, "http.header.server", "DNVRS-Webs", "hikvision.http.server.dnvrs", "manufacturer=hikvision"});
  id.evidence.push_back({"rtsp", 554, "rtsp.header.server", "bad\xff\xfe bytes, \"quoted\"", "r2", ""});
  r.verdicts.push_back({"us-ndaa-889", VerdictStatus::kProhibited, "Made by Hikvision, sold as LTS; 889(f)(3)(B): ...",
                        "889(f)(3)(B)"});
  r.verdicts.push_back({"ca-federal-2025", VerdictStatus::kProhibited, "Made by Hikvision, sold as LTS", "fed"});
  return r;
}

model::DeviceReport UnknownHost() {
  model::DeviceReport r;
  r.host.ip = "127.16.0.11";
  r.host.open_ports = {22};
  r.verdicts.push_back({"us-ndaa-889", VerdictStatus::kUnknown, "nothing identified", ""});
  r.verdicts.push_back({"ca-federal-2025", VerdictStatus::kUnknown, "nothing identified", ""});
  return r;
}

model::DeviceReport EzvizNoMaker() {
  model::DeviceReport r;
  r.host.ip = "127.16.0.12";
  r.host.open_ports = {8443};
  r.identification.brand = "ezviz";
  r.verdicts.push_back({"us-ndaa-889", VerdictStatus::kReview, "Labelled EZVIZ", "889(f)(3)(B)"});
  r.verdicts.push_back({"ca-federal-2025", VerdictStatus::kReview, "Labelled EZVIZ", "fed"});
  return r;
}

ScanInfo Info() {
  ScanInfo info;
  info.tool_version = "0.1.0";
  info.started_at = "2026-11-26T06:00:00Z";
  info.targets = {"127.16.0.0/24"};
  info.ports = {80, 554};
  info.policies = {{"us-ndaa-889", "US 889"}, {"ca-federal-2025", "Canada"}};
  return info;
}

TEST(NdjsonTest, OneValidObjectPerLineWithContractFields) {
  std::ostringstream out;
  WriteNdjson(out, HikvisionCamera());
  WriteNdjson(out, UnknownHost());
  std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  std::istringstream lines(text);
  std::string line;
  std::vector<json> objs;
  while (std::getline(lines, line)) objs.push_back(json::parse(line));  // throws (fails) if invalid
  ASSERT_EQ(objs.size(), 2u);
  const json& j = objs[0];
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"brand", "confidence", "device_type", "evidence", "firmware", "ip", "mac",
                                            "manufacturer", "model", "notes", "open_ports", "serial", "verdicts"}));
  EXPECT_EQ(j["ip"], "127.16.0.10");
  EXPECT_EQ(j["open_ports"], json({80, 554, 8000}));
  EXPECT_EQ(j["mac"], "58:50:ed:1f:e3:85");
  EXPECT_EQ(j["manufacturer"], "hikvision");
  EXPECT_EQ(j["brand"], "lts");
  EXPECT_TRUE(j["serial"].is_null());
  EXPECT_DOUBLE_EQ(j["confidence"].get<double>(), 0.988);
  ASSERT_EQ(j["evidence"].size(), 2u);
  EXPECT_EQ(j["evidence"][0], json({{"probe", "http"}, {"port", 80}, {"field", "http.header.server"},
                                    {"value", "DNVRS-Webs"}, {"rule", "hikvision.http.server.dnvrs"}}));
  EXPECT_EQ(j["verdicts"][0]["policy"], "us-ndaa-889");
  EXPECT_EQ(j["verdicts"][0]["status"], "prohibited");
  EXPECT_EQ(j["verdicts"][0]["clause"], "889(f)(3)(B)");
  EXPECT_FALSE(j["verdicts"][0]["reason"].get<std::string>().empty());
  EXPECT_EQ(j["notes"][0], "port 80: response cut at 65536 bytes");
  // Unknowns are null where the contract says so.
  const json& u = objs[1];
  EXPECT_TRUE(u["mac"].is_null());
  EXPECT_TRUE(u["manufacturer"].is_null());
  EXPECT_TRUE(u["serial"].is_null());
  EXPECT_EQ(u["brand"], "");
  EXPECT_EQ(u["confidence"], 0.0);
  EXPECT_TRUE(u["verdicts"][0]["clause"].is_null());
  EXPECT_EQ(u["evidence"], json::array());
}

TEST(NdjsonTest, InvalidUtf8FromDevicesIsEscaped) {
  std::ostringstream out;
  auto r = HikvisionCamera();
  r.identification.model = "DS-\xC0\xAF" "2CD";
  r.host.notes.push_back("garbage \x80\x81");
  WriteNdjson(out, r);
  json j = json::parse(out.str());
  EXPECT_EQ(j["evidence"][1]["value"], "bad\\xff\\xfe bytes, \"quoted\"");
  EXPECT_EQ(j["model"], "DS-\\xc0\\xaf2CD");
  EXPECT_EQ(j["notes"][1], "garbage \\x80\\x81");
}

TEST(JsonDocumentTest, ScanDevicesSummary) {
  ScanSummary summary({"us-ndaa-889", "ca-federal-2025"});
  std::vector<model::DeviceReport> reports = {HikvisionCamera(), UnknownHost(), EzvizNoMaker()};
  for (const auto& r : reports) summary.Add(r);
  summary.set_finished_at("2026-11-26T06:01:00Z");
  summary.set_addresses_scanned(256);
  std::ostringstream out;
  WriteJson(out, Info(), reports, summary);
  json doc = json::parse(out.str());
  EXPECT_EQ(doc["scan"]["version"], "0.1.0");
  EXPECT_EQ(doc["scan"]["policies"][0]["id"], "us-ndaa-889");
  EXPECT_EQ(doc["scan"]["targets"][0], "127.16.0.0/24");
  ASSERT_EQ(doc["devices"].size(), 3u);
  EXPECT_EQ(doc["devices"][0]["manufacturer"], "hikvision");
  const json& s = doc["summary"];
  EXPECT_EQ(s["hosts"], 3);
  EXPECT_EQ(s["identified"], 1);
  EXPECT_EQ(s["hosts_prohibited"], 1);
  EXPECT_EQ(s["hosts_review"], 1);
  EXPECT_EQ(s["addresses_scanned"], 256);
  EXPECT_EQ(s["by_manufacturer"], json({{"hikvision", 1}, {"unknown", 2}}));
  EXPECT_EQ(s["hosts_unknown"], 1);
  EXPECT_EQ(s["by_policy"]["us-ndaa-889"], json({{"prohibited", 1}, {"review", 1}, {"unknown", 1}, {"clear", 0}}));
  // No coverage was set: a default coverage is complete.
  EXPECT_EQ(s["complete"], true);
  EXPECT_EQ(doc["complete"], true);
  EXPECT_EQ(s["incomplete_reasons"], json::array());
}

TEST(JsonDocumentTest, EmptyScanIsValidJson) {
  std::ostringstream out;
  auto w = MakeScanWriter(ScanFormat::kJson, out);
  w->Begin(Info());
  w->End(ScanSummary({"us-ndaa-889"}));
  json doc = json::parse(out.str());
  EXPECT_EQ(doc["devices"], json::array());
  EXPECT_EQ(doc["summary"]["hosts"], 0);
}

// Minimal RFC 4180 reader for checking the writer's output.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, field_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      field_started = false;
      rows.emplace_back();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

TEST(CsvTest, HeaderAndQuotedRows) {
  std::ostringstream out;
  auto w = MakeScanWriter(ScanFormat::kCsv, out);
  w->Begin(Info());
  auto cam = HikvisionCamera();
  cam.identification.model = "=cmd|' /C calc'!A0";  // formula injection attempt
  w->Device(cam);
  w->Device(UnknownHost());
  w->End(ScanSummary());
  auto rows = ParseCsv(out.str());
  ASSERT_EQ(rows.size(), 4u);
  const auto& h = rows[0];
  ASSERT_EQ(h.size(), 16u);
  EXPECT_EQ(h[15], "out_of_scope");
  EXPECT_EQ(h[0], "ip");
  EXPECT_EQ(h[10], "verdict:us-ndaa-889");
  EXPECT_EQ(h[11], "verdict:ca-federal-2025");
  EXPECT_EQ(h[12], "reasons");
  EXPECT_EQ(h[13], "evidence");
  const auto& r = rows[1];
  ASSERT_EQ(r.size(), 16u);
  EXPECT_EQ(r[15], "false");
  EXPECT_EQ(r[0], "127.16.0.10");
  EXPECT_EQ(r[1], "80 554 8000");
  EXPECT_EQ(r[3], "hikvision");
  EXPECT_EQ(r[6], "'=cmd|' /C calc'!A0");
  EXPECT_EQ(r[9], "0.99");
  EXPECT_EQ(r[10], "prohibited");
  EXPECT_NE(r[12].find("us-ndaa-889: Made by Hikvision"), std::string::npos);
  EXPECT_NE(r[13].find("http/80 http.header.server=DNVRS-Webs [hikvision.http.server.dnvrs]"), std::string::npos);
  EXPECT_NE(r[13].find("bad\\xff\\xfe bytes, \"quoted\""), std::string::npos);  // comma and quotes survive
  EXPECT_EQ(rows[2][10], "unknown");
  EXPECT_EQ(rows[2][3], "");
  // Trailer: same column count, first field says the scan ended and whether it was complete.
  ASSERT_EQ(rows[3].size(), 16u);
  EXPECT_EQ(rows[3][0].rfind("# scan_end complete=true", 0), 0u) << rows[3][0];
}

TEST(TableTest, RowsAndSummaryNumbers) {
  ScanSummary summary({"us-ndaa-889", "ca-federal-2025"});
  std::vector<model::DeviceReport> reports = {HikvisionCamera(), UnknownHost(), EzvizNoMaker(), HikvisionCamera()};
  reports[3].host.ip = "127.16.0.13";
  for (const auto& r : reports) summary.Add(r);
  std::ostringstream out;
  WriteTable(out, Info(), reports, summary);
  std::string t = out.str();
  EXPECT_NE(t.find("IP"), std::string::npos);
  EXPECT_NE(t.find("hikvision (lts)"), std::string::npos);
  EXPECT_NE(t.find("PROHIBITED"), std::string::npos);
  EXPECT_NE(t.find("- (ezviz)"), std::string::npos);
  EXPECT_NE(t.find("Summary: 4 responsive hosts, 2 identified, 2 with a prohibited verdict, 1 to review, 1 unknown"),
            std::string::npos)
      << t;
  // By manufacturer: hikvision 2, unknown 2.
  auto line_with = [&](const std::string& key) {
    auto pos = t.find("\n  " + key);
    if (pos == std::string::npos) return std::string();
    auto end = t.find('\n', pos + 1);
    return t.substr(pos + 1, end - pos - 1);
  };
  EXPECT_NE(line_with("hikvision").find(" 2"), std::string::npos) << t;
  EXPECT_NE(line_with("unknown").find(" 2"), std::string::npos) << t;
  // Verdicts by policy: us-ndaa-889 prohibited 2, review 1, clear 1.
  std::string ndaa = line_with("us-ndaa-889");
  std::istringstream nums(ndaa.substr(ndaa.find("889") + 3));
  uint64_t p = 0, rv = 0, u = 0, c = 0;
  nums >> p >> rv >> u >> c;
  EXPECT_EQ(p, 2u);
  EXPECT_EQ(rv, 1u);
  EXPECT_EQ(u, 1u);
  EXPECT_EQ(c, 0u);
  EXPECT_EQ(t.find("INCOMPLETE"), std::string::npos) << t;
  EXPECT_EQ(summary.Count("ca-federal-2025", VerdictStatus::kProhibited), 2u);
}

TEST(TableTest, DeviceBytesCannotEscapeTheTerminal) {
  auto r = HikvisionCamera();
  r.identification.model = "\x1b]0;pwned\x07";
  std::ostringstream out;
  WriteTable(out, Info(), {r}, ScanSummary());
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
  EXPECT_EQ(out.str().find('\x07'), std::string::npos);
}

TEST(ScanSummaryTest, WorstVerdictPerPolicyAndUnknownPolicies) {
  ScanSummary s({"a"});
  model::DeviceReport r;
  r.verdicts = {{"a", VerdictStatus::kClear, "", ""}, {"a", VerdictStatus::kReview, "", ""},
                {"b", VerdictStatus::kProhibited, "", ""}};
  s.Add(r);
  EXPECT_EQ(s.Count("a", VerdictStatus::kReview), 1u);
  EXPECT_EQ(s.Count("a", VerdictStatus::kClear), 0u);
  EXPECT_EQ(s.Count("b", VerdictStatus::kProhibited), 1u);
  EXPECT_EQ(s.policy_ids(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.hosts_prohibited(), 1u);
  EXPECT_EQ(s.Count("zzz", VerdictStatus::kClear), 0u);
}

ScanCoverage InterruptedCoverage() {
  ScanCoverage c;
  c.addresses_total = 256;
  c.addresses_finished = 100;
  c.addresses_not_covered = 2;
  c.ports_not_covered = 3;
  c.connections_attempted = 300;
  c.connections_answered = 250;
  c.interrupted_by = "SIGINT";
  c.not_covered_sample = {"127.16.0.5: ports 80,443 (Operation not permitted)", "127.16.0.6: ports 554 (scan stopped)"};
  c.errors_by_kind = {{"Operation not permitted", 2}};
  return c;
}

TEST(ScanCoverageTest, WhatCountsAsIncomplete) {
  ScanCoverage c;
  c.addresses_total = c.addresses_finished = 10;
  c.connections_attempted = 70;
  c.connections_answered = 1;  // one refused connection is an answer: the scope was reached
  c.connect_timeouts = 69;
  EXPECT_TRUE(c.complete());

  ScanCoverage silent = c;  // every connect timed out: nothing was reached
  silent.connections_answered = 0;
  ASSERT_FALSE(silent.complete());
  EXPECT_NE(silent.IncompleteReasons()[0].find("nothing answered"), std::string::npos);

  ScanCoverage errors = c;  // some ports could not be reached (local firewall, no route)
  errors.addresses_not_covered = 1;
  errors.ports_not_covered = 2;
  ASSERT_FALSE(errors.complete());
  EXPECT_NE(errors.IncompleteReasons()[0].find("1 addresses with 2 ports not reached"), std::string::npos);

  ScanCoverage cut = InterruptedCoverage();
  auto reasons = cut.IncompleteReasons();
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_NE(reasons[0].find("interrupted (SIGINT): 156 of 256 addresses not started"), std::string::npos) << reasons[0];

  EXPECT_TRUE(ScanCoverage().complete());
}

TEST(ScanSummaryTest, UnknownIsSeparateFromClearAndThresholdsCount) {
  ScanSummary s({"us-ndaa-889", "ca-federal-2025"});
  s.Add(HikvisionCamera());
  s.Add(UnknownHost());
  s.Add(EzvizNoMaker());
  model::DeviceReport axis;
  axis.host.ip = "127.16.0.20";
  axis.identification.manufacturer = "axis";
  axis.verdicts = {{"us-ndaa-889", VerdictStatus::kClear, "made by Axis", ""},
                   {"ca-federal-2025", VerdictStatus::kClear, "made by Axis", ""}};
  s.Add(axis);
  EXPECT_EQ(s.hosts_unknown(), 1u);
  EXPECT_EQ(s.HostsWorst(VerdictStatus::kClear), 1u);
  EXPECT_EQ(s.HostsAtOrAbove(VerdictStatus::kProhibited), 1u);
  EXPECT_EQ(s.HostsAtOrAbove(VerdictStatus::kReview), 2u);
  EXPECT_EQ(s.HostsAtOrAbove(VerdictStatus::kUnknown), 3u);
  EXPECT_EQ(s.Count("us-ndaa-889", VerdictStatus::kUnknown), 1u);
  EXPECT_EQ(s.Count("us-ndaa-889", VerdictStatus::kClear), 1u);
  EXPECT_EQ(WorstVerdict(UnknownHost()), VerdictStatus::kUnknown);
  EXPECT_LT(Severity(VerdictStatus::kClear), Severity(VerdictStatus::kUnknown));
  EXPECT_LT(Severity(VerdictStatus::kUnknown), Severity(VerdictStatus::kReview));
  EXPECT_LT(Severity(VerdictStatus::kReview), Severity(VerdictStatus::kProhibited));
}

std::vector<json> NdjsonLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) out.push_back(json::parse(line));
  return out;
}

TEST(NdjsonTest, RecordsCarryScanIdTimeAndRulesetAndEndWithCompleteness) {
  ScanInfo info = Info();
  info.scan_id = "20261126T060000Z-0000abcd";
  info.ruleset_version = "sha256:0123456789abcdef";
  for (bool interrupted : {false, true}) {
    ScanSummary summary({"us-ndaa-889", "ca-federal-2025"});
    summary.Add(HikvisionCamera());
    summary.set_finished_at("2026-11-26T06:05:00Z");
    if (interrupted) {
      summary.set_stopped(true);
      summary.set_coverage(InterruptedCoverage());
    }
    std::ostringstream out;
    auto w = MakeScanWriter(ScanFormat::kNdjson, out);
    w->Begin(info);
    w->Device(HikvisionCamera(), "2026-11-26T06:00:07Z");
    w->End(summary);
    auto recs = NdjsonLines(out.str());
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[0]["type"], "scan_start");
    EXPECT_EQ(recs[1]["type"], "device");
    EXPECT_EQ(recs[2]["type"], "scan_end");
    for (const auto& r : recs) {
      EXPECT_EQ(r["scan_id"], info.scan_id) << r.dump();
      EXPECT_EQ(r["ruleset"], info.ruleset_version) << r.dump();
      EXPECT_TRUE(r["time"].is_string()) << r.dump();
    }
    EXPECT_EQ(recs[0]["time"], "2026-11-26T06:00:00Z");
    EXPECT_EQ(recs[1]["time"], "2026-11-26T06:00:07Z");
    EXPECT_EQ(recs[1]["ip"], "127.16.0.10");
    EXPECT_EQ(recs[2]["time"], "2026-11-26T06:05:00Z");
    EXPECT_EQ(recs[2]["complete"], !interrupted);
    if (interrupted) {
      EXPECT_EQ(recs[2]["coverage"]["interrupted_by"], "SIGINT");
      EXPECT_EQ(recs[2]["coverage"]["addresses_not_started"], 156);
      EXPECT_EQ(recs[2]["coverage"]["errors_by_kind"]["Operation not permitted"], 2);
      EXPECT_EQ(recs[2]["coverage"]["not_covered_sample"].size(), 2u);
      EXPECT_FALSE(recs[2]["incomplete_reasons"].empty());
    } else {
      EXPECT_EQ(recs[2]["incomplete_reasons"], json::array());
    }
  }
}

TEST(PartialOutputTest, EveryFormatSaysThePartialScanIsIncomplete) {
  ScanSummary summary({"us-ndaa-889", "ca-federal-2025"});
  summary.Add(UnknownHost());
  summary.set_stopped(true);
  summary.set_coverage(InterruptedCoverage());
  ScanInfo info = Info();
  info.incomplete_reasons = summary.IncompleteReasons();

  std::ostringstream json_out;
  WriteJson(json_out, info, {UnknownHost()}, summary);
  json doc = json::parse(json_out.str());
  EXPECT_EQ(doc["complete"], false);
  EXPECT_EQ(doc["summary"]["complete"], false);

  std::ostringstream csv_out;
  auto csv = MakeScanWriter(ScanFormat::kCsv, csv_out);
  csv->Begin(info);
  csv->Device(UnknownHost());
  csv->End(summary);
  auto rows = ParseCsv(csv_out.str());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2][0].rfind("# scan_end complete=false; interrupted (SIGINT)", 0), 0u) << rows[2][0];

  std::ostringstream table_out;
  WriteTable(table_out, info, {UnknownHost()}, summary);
  std::string t = table_out.str();
  EXPECT_EQ(t.rfind("PARTIAL RESULTS: the scan is incomplete (interrupted (SIGINT)", 0), 0u) << t;
  EXPECT_NE(t.find("INCOMPLETE SCAN"), std::string::npos) << t;
  EXPECT_NE(t.find("Operation not permitted: 2"), std::string::npos) << t;
  EXPECT_NE(t.find("127.16.0.5: ports 80,443"), std::string::npos) << t;
}

// A replier outside the scan scope is a flagged record in every format, in its own table
// section, and counts in the summary only as out of scope (not as a host, maker or verdict).
TEST(OutOfScopeTest, FlaggedInEveryFormatAndNotCounted) {
  model::DeviceReport outside = HikvisionCamera();
  outside.host.ip = "127.99.0.1";
  outside.host.out_of_scope = true;
  ScanSummary summary({"us-ndaa-889", "ca-federal-2025"});
  summary.Add(UnknownHost());
  summary.Add(outside);
  EXPECT_EQ(summary.hosts(), 1u);
  EXPECT_EQ(summary.out_of_scope(), 1u);
  EXPECT_EQ(summary.hosts_prohibited(), 0u);
  EXPECT_EQ(summary.HostsAtOrAbove(VerdictStatus::kReview), 0u);
  EXPECT_EQ(summary.by_manufacturer().count("hikvision"), 0u);
  EXPECT_EQ(summary.Count("us-ndaa-889", VerdictStatus::kProhibited), 0u);

  std::ostringstream json_out;
  WriteJson(json_out, Info(), {UnknownHost(), outside}, summary);
  json doc = json::parse(json_out.str());
  EXPECT_EQ(doc["summary"]["out_of_scope"], 1);
  ASSERT_EQ(doc["devices"].size(), 2u) << doc.dump();
  EXPECT_FALSE(doc["devices"][0].contains("out_of_scope"));
  EXPECT_EQ(doc["devices"][1]["out_of_scope"], true);

  std::ostringstream nd;
  WriteNdjson(nd, outside, nullptr);
  EXPECT_EQ(json::parse(nd.str())["out_of_scope"], true);

  std::ostringstream csv_out;
  auto csv = MakeScanWriter(ScanFormat::kCsv, csv_out);
  csv->Begin(Info());
  csv->Device(UnknownHost());
  csv->Device(outside);
  csv->End(summary);
  auto rows = ParseCsv(csv_out.str());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1][15], "false");
  EXPECT_EQ(rows[2][15], "true");
  EXPECT_NE(rows[3][0].find("out_of_scope=1"), std::string::npos) << rows[3][0];

  std::ostringstream table_out;
  WriteTable(table_out, Info(), {outside, UnknownHost()}, summary);
  std::string t = table_out.str();
  size_t section = t.find("OUTSIDE THE SCAN SCOPE");
  ASSERT_NE(section, std::string::npos) << t;
  EXPECT_LT(t.find("127.16.0.11"), section) << t;   // in-scope rows first
  EXPECT_GT(t.find("127.99.0.1"), section) << t;    // the replier in its own section
  EXPECT_NE(t.find("Outside the scan scope: 1 address answered"), std::string::npos) << t;
}

TEST(TableTest, FivePoliciesUseTheCompactForm) {
  ScanInfo info = Info();
  info.policies = {{"ca-federal-2025", ""}, {"us-ndaa-889", ""}, {"us-fcc-covered-list", ""},
                   {"uk-gov-sensitive-sites-2022", ""}, {"au-gov-2023", ""}};
  model::DeviceReport r = HikvisionCamera();
  r.verdicts = {{"ca-federal-2025", VerdictStatus::kProhibited, "", ""},
                {"us-ndaa-889", VerdictStatus::kProhibited, "", ""},
                {"us-fcc-covered-list", VerdictStatus::kProhibited, "", ""},
                {"uk-gov-sensitive-sites-2022", VerdictStatus::kReview, "", ""},
                {"au-gov-2023", VerdictStatus::kClear, "", ""}};
  model::DeviceReport u = UnknownHost();
  u.verdicts.clear();
  for (const auto& p : info.policies) u.verdicts.push_back({p.id, VerdictStatus::kUnknown, "", ""});
  std::ostringstream out;
  WriteTable(out, info, {r, u}, ScanSummary());
  std::string t = out.str();
  EXPECT_NE(t.find("1=ca-federal-2025  2=us-ndaa-889  3=us-fcc-covered-list  4=uk-gov-sensitive-sites-2022  5=au-gov-2023"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("PROHIBITED (3/5)  PPPRC"), std::string::npos) << t;
  EXPECT_NE(t.find("unknown (5/5)     UUUUU"), std::string::npos) << t;
  // Every row fits a 132-column terminal.
  std::istringstream lines(t);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("Policies:", 0) == 0) continue;
    EXPECT_LE(line.size(), 132u) << line;
  }
}

TEST(ScanFormatTest, Parse) {
  EXPECT_EQ(*ParseScanFormat("ndjson"), ScanFormat::kNdjson);
  auto bad = ParseScanFormat("xml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("table, json, ndjson or csv"), std::string::npos);
}

}  // namespace
}  // namespace phaseout::report
