// Tests for the inventory report: the computed counts, deadline order and burn-down of a
// hand-built snapshot (every expected number worked out in the comments), golden files for
// Markdown, CSV and JSON, and structural checks of the HTML (well-formed, self-contained,
// escaped, carries the numbers). Set PHASEOUT_UPDATE_GOLDEN=1 to rewrite the golden files.
#include "report/inventory_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace phaseout::report {
namespace {

HistoryEvent Ev(const std::string& at, const std::string& id, const std::string& from,
                const std::string& to, const std::string& actor, const std::string& note = "") {
  return HistoryEvent{at + "T09:00:00Z", id, from, to, actor, note};
}

// Three sites in two departments; as of 2026-12-01.
//  d1 hikvision camera, Ottawa HQ: found 03-01 ... verified-removed 05-24      (closed)
//  d2 hikvision NVR, Ottawa HQ: replacement-planned, deadline 2026-06-30       (overdue)
//  d3 dahua camera, Toronto: confirmed, deadline 2027-03-31                     (remaining)
//  d4 dahua/lorex camera, Montreal: waived 05-01, waiver expired 2026-10-31     (overdue)
//  d5 huawei router, Montreal: review verdict, removed (claimed) 11-20         (closed)
//  d6 unknown maker, Toronto: clear                                             (to check)
//  d7 axis camera, Ottawa HQ: clear                                             (out of scope)
//  d8 hikvision camera, Toronto: missing since 11-15, deadline 2027-03-31       (remaining)
InventorySnapshot Sample() {
  InventorySnapshot s;
  s.policy_id = "ca-federal-2025";
  s.policy_title = "Canada federal Hikvision direction (2025)";
  s.as_of = "2026-12-01";
  s.generated_at = "2026-12-01T12:00:00Z";
  s.data_source = "inventory database test.db (3 sites, 4 scans)";
  s.sites = {{"ott-hq", "Ottawa HQ", "Public Works", "facilities@example.org", "2026-06-30"},
             {"tor-wh", "Toronto warehouse", "Public Works", "", "2027-03-31"},
             {"mtl", "Montreal office", "Transport", "", "2026-09-30"}};
  auto dev = [](std::string id, std::string site, std::string dept, std::string maker, std::string type,
                std::string model, std::string state, std::string verdict, std::string deadline) {
    SnapshotDevice d;
    d.id = id; d.site = site; d.department = dept; d.manufacturer = maker; d.device_type = type;
    d.model = model; d.state = state; d.verdict = verdict; d.deadline = deadline;
    return d;
  };
  SnapshotDevice d1 = dev("d1", "ott-hq", "Public Works", "hikvision", "camera", "DS-2CD2143G0-I",
                          "verified-removed", "prohibited", "2026-06-30");
  d1.ip = "192.0.2.64"; d1.mac = "c0:56:e3:12:34:56"; d1.clause = "direction s.2";
  d1.reason = "made by hikvision"; d1.first_seen = "2026-03-01T09:00:00Z"; d1.last_seen = "2026-05-10T09:00:00Z";
  d1.sources = {"scan s1", "import:csv"};
  d1.evidence = {{"http", 80, "http.header.server", "App-webs/", "hikvision.http.server.app_webs", "manufacturer=hikvision [strong]"}};
  d1.history = {Ev("2026-03-01", "d1", "", "found", "scan s1"), Ev("2026-03-05", "d1", "found", "confirmed", "alice", "checked label"),
                Ev("2026-04-01", "d1", "confirmed", "replacement-planned", "alice", "Axis P3245-V"),
                Ev("2026-05-10", "d1", "replacement-planned", "removed", "bob", "taken down"),
                Ev("2026-05-24", "d1", "removed", "verified-removed", "scan s3", "not seen in 2 scans")};
  SnapshotDevice d2 = dev("d2", "ott-hq", "Public Works", "hikvision", "nvr", "DS-7608NI-K2",
                          "replacement-planned", "prohibited", "2026-06-30");
  d2.ip = "192.0.2.65"; d2.replacement_model = "Axis S3008"; d2.supplier = "Example Security Ltd";
  d2.first_seen = "2026-03-01T09:00:00Z"; d2.last_seen = "2026-11-30T09:00:00Z";
  d2.history = {Ev("2026-03-01", "d2", "", "found", "scan s1"), Ev("2026-03-05", "d2", "found", "confirmed", "alice"),
                Ev("2026-04-01", "d2", "confirmed", "replacement-planned", "alice", "Axis S3008 ordered")};
  SnapshotDevice d3 = dev("d3", "tor-wh", "Public Works", "dahua", "camera", "IPC-HDW1431T1-S4",
                          "confirmed", "prohibited", "2027-03-31");
  d3.history = {Ev("2026-09-01", "d3", "", "found", "scan s2"), Ev("2026-09-02", "d3", "found", "confirmed", "carol")};
  SnapshotDevice d4 = dev("d4", "mtl", "Transport", "dahua", "camera", "", "waived", "prohibited", "2026-09-30");
  d4.brand = "lorex"; d4.waiver_expiry = "2026-10-31";
  d4.history = {Ev("2026-04-01", "d4", "", "found", "scan s1"), Ev("2026-05-01", "d4", "found", "waived", "dave", "tender open until October")};
  SnapshotDevice d5 = dev("d5", "mtl", "Transport", "huawei", "router", "AR161", "removed", "review", "");
  d5.history = {Ev("2026-04-01", "d5", "", "found", "scan s1"), Ev("2026-11-20", "d5", "found", "removed", "erin", "swapped <router> & \"patched\"")};
  SnapshotDevice d6 = dev("d6", "tor-wh", "Public Works", "", "", "", "found", "clear", "");
  d6.ip = "192.0.2.200";
  SnapshotDevice d7 = dev("d7", "ott-hq", "Public Works", "axis", "camera", "P3245-V", "found", "clear", "");
  SnapshotDevice d8 = dev("d8", "tor-wh", "Public Works", "hikvision", "camera", "DS-2CD1023G0-I",
                          "missing", "prohibited", "2027-03-31");
  d8.history = {Ev("2026-09-01", "d8", "", "found", "scan s2"), Ev("2026-11-15", "d8", "found", "missing", "scan s4")};
  s.devices = {d1, d2, d3, d4, d5, d6, d7, d8};
  return s;
}

TEST(InventoryReport, StatusCountsFollowTheDefinitions) {
  InventoryReportData r = ComputeInventoryReport(Sample());
  EXPECT_EQ(r.total.found, 6u);      // d1 d2 d3 d4 d5 d8
  EXPECT_EQ(r.total.removed, 1u);    // d5
  EXPECT_EQ(r.total.verified, 1u);   // d1
  EXPECT_EQ(r.total.waived, 0u);     // d4's waiver expired
  EXPECT_EQ(r.total.remaining, 4u);  // d2 d3 d4 d8
  EXPECT_EQ(r.total.overdue, 2u);    // d2 (deadline), d4 (waiver)
  EXPECT_EQ(r.total.missing, 1u);    // d8
  EXPECT_EQ(r.total.to_check, 1u);   // d6
  EXPECT_EQ(r.by_department.at("Public Works").found, 4u);
  EXPECT_EQ(r.by_department.at("Transport").overdue, 1u);
  EXPECT_EQ(r.by_site.at("Toronto warehouse").remaining, 2u);
  EXPECT_EQ(r.by_site.at("Ottawa HQ").verified, 1u);
  EXPECT_EQ(r.by_manufacturer.at("hikvision"), 3u);
  EXPECT_EQ(r.by_brand.at("lorex"), 1u);
  EXPECT_EQ(r.by_state.at("found"), 2u);  // d6 d7, out of scope but listed by state
  EXPECT_EQ(r.by_manufacturer.count("axis"), 0u);
}

TEST(InventoryReport, DeadlinesOverdueFirstThenByDate) {
  InventorySnapshot s = Sample();
  InventoryReportData r = ComputeInventoryReport(s);
  std::vector<std::string> ids;
  for (size_t i : r.deadline_order) ids.push_back(s.devices[i].id);
  EXPECT_EQ(ids, (std::vector<std::string>{"d2", "d4", "d3", "d8"}));
  EXPECT_TRUE(IsOverdue(s.devices[3], s.as_of));
  EXPECT_FALSE(IsOverdue(s.devices[3], "2026-10-15"));  // waiver still valid then
  EXPECT_FALSE(IsOverdue(s.devices[4], s.as_of));       // removed (claimed) is not overdue
}

TEST(InventoryReport, BurnDownReplaysHistory) {
  InventoryReportData r = ComputeInventoryReport(Sample());
  std::vector<std::tuple<std::string, uint64_t, uint64_t>> got;
  for (const auto& p : r.burn_down) got.emplace_back(p.date, p.remaining, p.closed);
  std::vector<std::tuple<std::string, uint64_t, uint64_t>> want = {
      {"2026-03-01", 2, 0}, {"2026-03-05", 2, 0}, {"2026-04-01", 4, 0}, {"2026-05-01", 3, 1},
      {"2026-05-10", 2, 2}, {"2026-05-24", 2, 2}, {"2026-09-01", 4, 2}, {"2026-09-02", 4, 2},
      {"2026-11-15", 5, 1},  // d4's waiver expired on 10-31: open again
      {"2026-11-20", 4, 2}, {"2026-12-01", 4, 2}};
  EXPECT_EQ(got, want);
  // The last point agrees with the status table.
  EXPECT_EQ(r.burn_down.back().remaining, r.total.remaining);
}

TEST(InventoryReport, FormatAndKindNames) {
  EXPECT_TRUE(ParseInventoryReportFormat("md"));
  EXPECT_TRUE(ParseInventoryReportFormat("HTML"));
  EXPECT_FALSE(ParseInventoryReportFormat("pdf"));
  EXPECT_TRUE(ParseInventoryReportKind("notice"));
  EXPECT_FALSE(ParseInventoryReportKind("everything"));
}

std::string Render(InventoryReportFormat f, InventoryReportKind k = InventoryReportKind::kFull) {
  std::ostringstream out;
  WriteInventoryReport(out, Sample(), f, k);
  return out.str();
}

void CheckGolden(const std::string& name, const std::string& got) {
  std::string path = std::string(PHASEOUT_SOURCE_DATA_DIR) + "/../src/report/testdata/" + name;
  if (std::getenv("PHASEOUT_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << got;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " (run with PHASEOUT_UPDATE_GOLDEN=1 to create it)";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(got, want.str()) << "golden " << name << " differs";
}

TEST(InventoryReportGolden, Markdown) { CheckGolden("inventory_report.md", Render(InventoryReportFormat::kMarkdown)); }
TEST(InventoryReportGolden, Csv) { CheckGolden("inventory_report.csv", Render(InventoryReportFormat::kCsv)); }
TEST(InventoryReportGolden, StatusCsv) {
  CheckGolden("inventory_status.csv", Render(InventoryReportFormat::kCsv, InventoryReportKind::kStatus));
}
TEST(InventoryReportGolden, NoticeCsv) {
  CheckGolden("inventory_notice.csv", Render(InventoryReportFormat::kCsv, InventoryReportKind::kNotice));
}
TEST(InventoryReportGolden, Json) {
  std::string j = Render(InventoryReportFormat::kJson);
  CheckGolden("inventory_report.json", j);
  auto doc = nlohmann::json::parse(j);
  EXPECT_EQ(doc["status"]["all"]["remaining"], 4);
  EXPECT_EQ(doc["notices"].size(), 5u);  // prohibited: d1 d2 d3 d4 d8
}

TEST(InventoryReportHtml, SelfContainedWellFormedAndCarriesTheNumbers) {
  InventorySnapshot s = Sample();
  s.devices[1].model = "<script>alert(1)</script>";  // device bytes must never become markup
  s.devices[2].serial = std::string("\xff\xfe", 2);  // invalid UTF-8
  std::ostringstream out;
  WriteInventoryReport(out, s, InventoryReportFormat::kHtml);
  std::string html = out.str();
  pugi::xml_document doc;
  auto parsed = doc.load_string(html.c_str());
  ASSERT_TRUE(parsed) << "not well-formed: " << parsed.description() << " at " << parsed.offset << ": "
                      << html.substr(parsed.offset > 40 ? parsed.offset - 40 : 0, 80);
  for (const char* banned : {"<script", "src=", "@import", "url(", "href=\"http", "<link", "<iframe", "<img"}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
  }
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("\\xff\\xfe"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  // Status row "all": found 6, removed 1, verified 1, waived 0, remaining 4, overdue 2.
  auto all_row = doc.select_node("//tr[td[1]='all']");
  ASSERT_TRUE(all_row);
  std::vector<std::string> cells;
  for (auto td : all_row.node().children("td")) cells.push_back(td.text().get());
  EXPECT_EQ(cells, (std::vector<std::string>{"all", "6", "1", "1", "0", "4", "2", "1", "1"}));
  EXPECT_EQ(doc.select_nodes("//svg").size(), 2u);  // status per site, burn-down
  EXPECT_EQ(doc.select_nodes("//section[@class='notice']").size(), 5u);
  EXPECT_EQ(doc.select_nodes("//section[@class='device']").size(), 8u);
  // Every table says what it counts.
  for (auto t : doc.select_nodes("//table")) EXPECT_TRUE(t.node().child("caption")) << "table without caption";
  // Deadline table: overdue first.
  auto first = doc.select_node("//h2[.='Deadlines (overdue first)']/following-sibling::table[1]/tbody/tr[1]");
  ASSERT_TRUE(first);
  EXPECT_STREQ(first.node().attribute("class").value(), "overdue");
  EXPECT_STREQ(first.node().child("td").child("a").text().get(), "d2");
}

TEST(InventoryReportHtml, NoticeAndStatusKinds) {
  std::string notice = Render(InventoryReportFormat::kHtml, InventoryReportKind::kNotice);
  EXPECT_NE(notice.find("FAR 52.204-25(d)"), std::string::npos);
  EXPECT_NE(notice.find("Example Security Ltd"), std::string::npos);  // d2's supplier
  EXPECT_EQ(notice.find("Status by department"), std::string::npos);
  std::string status = Render(InventoryReportFormat::kHtml, InventoryReportKind::kStatus);
  EXPECT_NE(status.find("Status by department"), std::string::npos);
  EXPECT_EQ(status.find("Covered-equipment notices"), std::string::npos);
}

// 31 devices at one site, as of 2026-12-01; x00..x29 cycle through five kinds (i % 5):
//  0 hikvision, found, deadline 2026-06-30: overdue      (6: attention, notice)
//  1 hikvision, confirmed, deadline 2027-03-31: open     (6: attention, notice)
//  2 hikvision, verified-removed: closed                 (6: notice)
//  3 axis, clear                                         (6: not in scope)
//  4 maker unknown                                       (6: attention, to check)
// and m1, an axis camera (clear) that went missing       (1: attention)
// Report limits small enough for the 31 devices of Large().
InventoryReportLimits Limits(size_t deadline_rows, size_t maker_unknown_rows, size_t device_details, size_t notices) {
  InventoryReportLimits limits;
  limits.deadline_rows = deadline_rows;
  limits.maker_unknown_rows = maker_unknown_rows;
  limits.device_details = device_details;
  limits.notices = notices;
  return limits;
}

InventorySnapshot Large() {
  InventorySnapshot s;
  s.policy_id = "us-ndaa-889";
  s.as_of = "2026-12-01";
  s.sites = {{"hq", "HQ", "ops", "", "2026-06-30"}};
  for (int i = 0; i < 30; ++i) {
    SnapshotDevice d;
    d.id = (i < 10 ? "x0" : "x") + std::to_string(i);
    d.site = "hq";
    d.department = "ops";
    int kind = i % 5;
    d.manufacturer = kind <= 2 ? "hikvision" : kind == 3 ? "axis" : "";
    d.verdict = kind <= 2 ? "prohibited" : kind == 3 ? "clear" : "";
    d.state = kind == 1 ? "confirmed" : kind == 2 ? "verified-removed" : "found";
    d.deadline = kind == 0 ? "2026-06-30" : kind == 1 ? "2027-03-31" : "";
    d.evidence = {{"http", 80, "http.header.server", "App-webs/", "hikvision.http.server.webs", ""}};
    s.devices.push_back(d);
  }
  SnapshotDevice m;
  m.id = "m1";
  m.site = "hq";
  m.manufacturer = "axis";
  m.verdict = "clear";
  m.state = "missing";
  s.devices.push_back(m);
  return s;
}

TEST(InventoryReport, AttentionOrder) {
  InventorySnapshot s = Large();
  InventoryReportData r = ComputeInventoryReport(s);
  std::vector<std::string> ids;
  for (size_t i : r.attention) ids.push_back(s.devices[i].id);
  // Overdue (kind 0), then open by deadline (kind 1), then missing, then maker unknown (kind 4).
  EXPECT_EQ(ids, (std::vector<std::string>{"x00", "x05", "x10", "x15", "x20", "x25", "x01", "x06", "x11", "x16", "x21",
                                           "x26", "m1", "x04", "x09", "x14", "x19", "x24", "x29"}));
  EXPECT_TRUE(NeedsAttention(s.devices[30], s.as_of));   // missing, though clear
  EXPECT_FALSE(NeedsAttention(s.devices[2], s.as_of));   // verified-removed
  EXPECT_FALSE(NeedsAttention(s.devices[3], s.as_of));   // clear
}

TEST(InventoryReportHtml, LargeReportDetailsOnlyWhatNeedsAttentionAndSaysWhatItLeftOut) {
  InventorySnapshot s = Large();
  InventoryReportLimits limits = Limits(5, 2, 4, 3);
  std::ostringstream out;
  WriteInventoryReport(out, s, InventoryReportFormat::kHtml, InventoryReportKind::kFull, limits);
  std::string html = out.str();
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(html.c_str()));
  // Sections for the first four devices needing attention: the overdue ones.
  std::vector<std::string> sections;
  for (auto x : doc.select_nodes("//section[@class='device']")) sections.push_back(x.node().attribute("id").value());
  EXPECT_EQ(sections, (std::vector<std::string>{"dev-x00", "dev-x05", "dev-x10", "dev-x15"}));
  // The devices a loader reads evidence for are the ones with sections.
  std::vector<std::string> detailed;
  for (size_t i : DevicesShownInDetail(s, limits)) detailed.push_back("dev-" + s.devices[i].id);
  EXPECT_EQ(detailed, sections);
  InventorySnapshot small = Sample();
  EXPECT_EQ(DevicesShownInDetail(small).size(), small.devices.size());  // a small report details all
  // No link points at a section that is not there.
  for (auto a : doc.select_nodes("//a[@href]")) {
    std::string target = std::string(a.node().attribute("href").value()).substr(1);
    EXPECT_TRUE(doc.select_node(("//*[@id='" + target + "']").c_str())) << target;
  }
  auto text = [&](const char* xpath) {
    auto n = doc.select_node(xpath);
    return n ? std::string(n.node().text().get()) : std::string();
  };
  std::string details = text("//h2[.='Devices needing attention']/following-sibling::p[1]");
  EXPECT_NE(details.find("This report holds 31 devices; 19 of them need attention"), std::string::npos) << details;
  EXPECT_NE(details.find("first 4 of those"), std::string::npos) << details;
  EXPECT_NE(details.find("15 more devices needing attention, 6 in-scope devices already closed"), std::string::npos)
      << details;
  EXPECT_NE(details.find("6 devices that are not in scope"), std::string::npos) << details;
  EXPECT_NE(details.find("--format csv"), std::string::npos) << details;
  // Deadlines: 5 of the 12 open units; the 7 others (one overdue: x25) are counted.
  EXPECT_EQ(doc.select_nodes("//h2[.='Deadlines (overdue first)']/following-sibling::table[1]/tbody/tr").size(), 5u);
  std::string deadlines = text("//h2[.='Deadlines (overdue first)']/following-sibling::p[1]");
  EXPECT_NE(deadlines.find("first 5 of the 12 open in-scope units; the other 7 (1 of them overdue)"),
            std::string::npos) << deadlines;
  EXPECT_EQ(doc.select_nodes("//h2[starts-with(., 'Devices with an unknown maker')]/following-sibling::ul[1]/li").size(), 2u);
  EXPECT_NE(html.find("4 more devices with an unknown maker are not listed here"), std::string::npos);
  EXPECT_EQ(doc.select_nodes("//section[@class='notice']").size(), 3u);
  EXPECT_NE(html.find("the first 3 of the 18 covered-equipment notices"), std::string::npos);
  // The counts are over every device, whatever the limits.
  auto all_row = doc.select_node("//tr[td[1]='all']");
  ASSERT_TRUE(all_row);
  EXPECT_STREQ(all_row.node().child("td").next_sibling("td").text().get(), "18");  // found
  // The notice kind prints every notice.
  std::ostringstream notice;
  WriteInventoryReport(notice, s, InventoryReportFormat::kHtml, InventoryReportKind::kNotice, limits);
  pugi::xml_document nd;
  ASSERT_TRUE(nd.load_string(notice.str().c_str()));
  EXPECT_EQ(nd.select_nodes("//section[@class='notice']").size(), 18u);
}

TEST(InventoryReport, MarkdownFollowsTheSameLimits) {
  InventorySnapshot s = Large();
  InventoryReportLimits limits = Limits(5, 2, 4, 3);
  std::ostringstream out;
  WriteInventoryReport(out, s, InventoryReportFormat::kMarkdown, InventoryReportKind::kFull, limits);
  std::string md = out.str();
  EXPECT_NE(md.find("## Devices needing attention"), std::string::npos);
  size_t sections = 0;
  for (size_t at = md.find("\n### x"); at != std::string::npos; at = md.find("\n### x", at + 1)) ++sections;
  EXPECT_EQ(sections, 4u);
  size_t notices = 0;
  for (size_t at = md.find("\n### Device "); at != std::string::npos; at = md.find("\n### Device ", at + 1)) ++notices;
  EXPECT_EQ(notices, 3u);
  EXPECT_NE(md.find("15 more devices needing attention"), std::string::npos);
}

TEST(InventoryReport, CsvAndJsonCarryEveryDeviceWhateverTheLimits) {
  InventorySnapshot s = Large();
  InventoryReportLimits limits = Limits(1, 1, 1, 1);
  std::ostringstream csv, json;
  WriteInventoryReport(csv, s, InventoryReportFormat::kCsv, InventoryReportKind::kFull, limits);
  WriteInventoryReport(json, s, InventoryReportFormat::kJson, InventoryReportKind::kFull, limits);
  std::string c = csv.str();
  EXPECT_EQ(std::count(c.begin(), c.end(), '\n'), 32);  // header + 31 devices
  auto j = nlohmann::json::parse(json.str());
  ASSERT_EQ(j["devices"].size(), 31u);
  for (const auto& d : j["devices"]) {
    EXPECT_EQ(d["evidence"].size(), d["id"] == "m1" ? 0u : 1u) << d["id"];
  }
  EXPECT_EQ(j["deadlines"].size(), 12u);
  EXPECT_EQ(j["maker_unknown"].size(), 6u);
  EXPECT_EQ(j["notices"].size(), 18u);
}

TEST(InventoryReport, EmptySnapshotRendersEveryFormat) {
  InventorySnapshot s;
  s.policy_id = "us-ndaa-889";
  s.as_of = "2026-12-01";
  for (auto f : {InventoryReportFormat::kHtml, InventoryReportFormat::kMarkdown, InventoryReportFormat::kCsv,
                 InventoryReportFormat::kJson}) {
    std::ostringstream out;
    WriteInventoryReport(out, s, f);
    EXPECT_FALSE(out.str().empty());
  }
}

}  // namespace
}  // namespace phaseout::report
