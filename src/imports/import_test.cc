// Tests for the importers over the fixtures in tests/fixtures/imports (provenance in the
// README there) and over malformed input.
#include "imports/import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace phaseout::imports {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/../tests/fixtures/imports/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// All values of `key` on `host`, in order.
std::vector<std::string> Values(const model::HostScan& host, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& o : host.observations) {
    if (o.key == key) out.push_back(o.value);
  }
  return out;
}

std::string One(const model::HostScan& host, const std::string& key) {
  auto v = Values(host, key);
  return v.size() == 1 ? v[0] : "<" + std::to_string(v.size()) + " values>";
}

TEST(ImportFormat, NamesRoundTripAndUnknownIsUsageError) {
  for (auto f : {ImportFormat::kNmapXml, ImportFormat::kMasscanJson, ImportFormat::kCsvRegister,
                 ImportFormat::kDhcpdLeases, ImportFormat::kDnsmasqLeases, ImportFormat::kIpNeigh}) {
    auto parsed = ParseImportFormat(ImportFormatName(f));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, f);
  }
  auto bad = ParseImportFormat("nessus");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("ip-neigh"), std::string::npos);
}

TEST(NormaliseMac, AcceptsCommonSpellingsOnly) {
  EXPECT_EQ(NormaliseMac("C0-56-E3-12-34-56"), "c0:56:e3:12:34:56");
  EXPECT_EQ(NormaliseMac("c056.e312.3456"), "c0:56:e3:12:34:56");
  EXPECT_EQ(NormaliseMac("C056E3123456"), "c0:56:e3:12:34:56");
  EXPECT_EQ(NormaliseMac(" c0:56:e3:12:34:56 "), "c0:56:e3:12:34:56");
  EXPECT_EQ(NormaliseMac("c0:56:e3:12:34"), "");
  EXPECT_EQ(NormaliseMac("c0:56:e3:12:34:56:78"), "");
  EXPECT_EQ(NormaliseMac("zz:56:e3:12:34:56"), "");
  EXPECT_EQ(NormaliseMac(""), "");
}

TEST(NmapXml, FixtureHostsServicesScriptsAndSource) {
  auto r = ParseNmapXml(Fixture("nmap.xml"), {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 4u);  // the down host is skipped
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("1 hosts not up"), std::string::npos);

  const auto& gw = r->hosts[0];
  EXPECT_EQ(gw.ip, "192.0.2.1");
  EXPECT_EQ(gw.mac, "00:18:82:4a:10:01");
  EXPECT_EQ(gw.open_ports, (std::vector<uint16_t>{22, 80}));
  EXPECT_EQ(One(gw, "mac.oui.org"), "Huawei Technologies");
  EXPECT_EQ(Values(gw, "nmap.service.product"),
            (std::vector<std::string>{"Huawei VRP sshd", "Huawei router http admin"}));
  EXPECT_EQ(One(gw, "nmap.service.cpe"), "cpe:/o:huawei:vrp");
  EXPECT_EQ(One(gw, "nmap.hostname"), "gw.example.net");
  EXPECT_EQ(One(gw, "import.source"), "import:nmap");
  ASSERT_EQ(gw.notes.size(), 1u);
  EXPECT_EQ(gw.notes[0], "source: import:nmap (host 1)");

  const auto& cam = r->hosts[1];
  EXPECT_EQ(cam.ip, "192.0.2.64");
  EXPECT_EQ(cam.open_ports, (std::vector<uint16_t>{80, 554, 8000}));
  EXPECT_EQ(One(cam, "http.title"), "DS-2CD2143G0-I");  // the <elem>, not nmap's sentence
  EXPECT_EQ(One(cam, "http.header.server"), "App-webs/");
  EXPECT_EQ(Values(cam, "tcp.port.open").size(), 3u);
  for (const auto& o : cam.observations) {
    if (o.key == "http.title") {
      EXPECT_EQ(o.port, 80);
    }
  }
  EXPECT_EQ(r->hosts[3].ip, "192.0.2.90");
  EXPECT_EQ(Values(r->hosts[3], "nmap.service.product").size(), 0u);
}

TEST(NmapXml, OlderHtmlTitleScript) {
  auto r = ParseNmapXml(
      "<nmaprun><host><address addr=\"192.0.2.9\" addrtype=\"ipv4\"/><ports><port protocol=\"tcp\" "
      "portid=\"80\"><state state=\"open\"/><script id=\"html-title\" output=\"DS-7608NI-K2\"/></port>"
      "<port protocol=\"tcp\" portid=\"81\"><state state=\"open\"/><script id=\"html-title\" "
      "output=\"Site doesn&apos;t have a title.\"/></port></ports></host></nmaprun>", {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 1u);
  EXPECT_EQ(Values(r->hosts[0], "http.title"), (std::vector<std::string>{"DS-7608NI-K2"}));
}

TEST(NmapXml, MalformedInputIsRefusedWhole) {
  std::string good = Fixture("nmap.xml");
  auto truncated = ParseNmapXml(good.substr(0, good.size() / 2), {});
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kParse);
  EXPECT_NE(truncated.error().message.find("malformed XML"), std::string::npos);

  auto other = ParseNmapXml("<?xml version=\"1.0\"?><scan><host/></scan>", {});
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("nmaprun"), std::string::npos);

  auto bad_port = ParseNmapXml(
      "<nmaprun><host><address addr=\"192.0.2.1\" addrtype=\"ipv4\"/><ports><port protocol=\"tcp\" "
      "portid=\"99999\"><state state=\"open\"/></port></ports></host></nmaprun>", {});
  ASSERT_FALSE(bad_port);
  EXPECT_NE(bad_port.error().message.find("portid"), std::string::npos);

  auto bad_addr = ParseNmapXml(
      "<nmaprun><host><address addr=\"999.1.1.1\" addrtype=\"ipv4\"/></host></nmaprun>", {});
  ASSERT_FALSE(bad_addr);

  // Entities are never expanded: a "billion laughs" document is refused (custom entities are
  // not defined for pugixml), not expanded.
  auto bomb = ParseNmapXml(
      "<?xml version=\"1.0\"?><!DOCTYPE nmaprun [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
      "\"&a;&a;&a;&a;&a;&a;&a;&a;\">]><nmaprun><host><address addr=\"192.0.2.1\"/><hostnames>"
      "<hostname name=\"&b;\"/></hostnames></host></nmaprun>", {});
  if (bomb) {
    ASSERT_EQ(bomb->hosts.size(), 1u);
    for (const auto& o : bomb->hosts[0].observations) EXPECT_LT(o.value.size(), 64u);
  }

  ImportOptions small;
  small.max_records = 2;
  auto too_many = ParseNmapXml(good, small);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("more than 2 hosts"), std::string::npos);
}

TEST(MasscanJson, MergesRecordsPerAddressAndSplitsHttpBanner) {
  auto r = ParseMasscanJson(Fixture("masscan.json"), {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 3u);
  const auto& cam = r->hosts[0];
  EXPECT_EQ(cam.ip, "192.0.2.64");
  EXPECT_EQ(cam.open_ports, (std::vector<uint16_t>{80, 554}));
  // From http.server and again from the http banner: kept once.
  EXPECT_EQ(One(cam, "http.header.server"), "App-webs/");
  EXPECT_EQ(One(cam, "http.status"), "200");
  EXPECT_EQ(One(cam, "http.header.content-type"), "text/html");
  EXPECT_EQ(One(cam, "import.source"), "import:masscan");
  EXPECT_EQ(One(r->hosts[1], "http.title"), "WEB SERVICE");
  EXPECT_EQ(r->hosts[1].open_ports, (std::vector<uint16_t>{80, 37777}));
  EXPECT_EQ(One(r->hosts[2], "masscan.banner.ssh"), "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
}

TEST(MasscanJson, OlderFormatWithTrailingCommasAndFinishedMarker) {
  auto r = ParseMasscanJson(Fixture("masscan-old.json"), {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 1u);
  EXPECT_EQ(One(r->hosts[0], "http.header.server"), "DNVRS-Webs");
}

TEST(MasscanJson, MalformedInputIsRefused) {
  for (const char* bad : {"", "[{", "{\"ip\": \"192.0.2.1\"}", "[{\"ports\": []}]",
                          "[{\"ip\": \"not-an-ip\"}]",
                          "[{\"ip\": \"192.0.2.1\", \"ports\": [{\"port\": 70000}]}]",
                          "{ \"ip\": \"192.0.2.1\" },\nthis is not json\n",
                          // a field of the wrong type (found by import_fuzz: it threw)
                          "[{\"ip\": \"192.0.2.1\", \"ports\": [{\"port\": 80, \"status\": 4}]}]",
                          "[{\"ip\": \"192.0.2.1\", \"ports\": [{\"port\": 80, \"proto\": [\"tcp\"]}]}]",
                          "[{\"ip\": \"192.0.2.1\", \"ports\": [{\"port\": 80, \"service\": {\"name\": 1}}]}]"}) {
    auto r = ParseMasscanJson(bad, {});
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kParse) << bad;
    }
  }
}

TEST(CsvRegister, AutoMapsHeadersAndKeepsRowsWithAnIdentity) {
  auto r = ParseCsvRegister(Fixture("register.csv"), {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 4u);
  const auto& a = r->hosts[0];
  EXPECT_EQ(a.ip, "192.0.2.64");
  EXPECT_EQ(a.mac, "c0:56:e3:12:34:56");
  EXPECT_EQ(One(a, "register.manufacturer"), "Hikvision");
  EXPECT_EQ(One(a, "register.model"), "DS-2CD2143G0-I");
  EXPECT_EQ(One(a, "register.asset_id"), "A-1001");
  EXPECT_EQ(a.notes[0], "source: import:csv (line 2)");
  EXPECT_EQ(r->hosts[2].mac, "ac:cc:8e:01:02:03");  // Cisco dotted form
  EXPECT_EQ(r->hosts[3].ip, "");                     // serial-only row
  EXPECT_EQ(One(r->hosts[3], "register.serial"), "ACCC8E0A0B0C");
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_NE(r->warnings[0].find("'Building', 'Cost Centre', 'Notes'"), std::string::npos);
  EXPECT_NE(r->warnings[1].find("1 rows without"), std::string::npos);
}

TEST(CsvRegister, ExplicitMapOverridesAndBadMapsAreUsageErrors) {
  ImportOptions o;
  o.column_map = {{"building", "location"}, {"Notes", "description"}};
  auto r = ParseCsvRegister(Fixture("register.csv"), o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(One(r->hosts[0], "register.location"), "HQ Lobby");
  EXPECT_EQ(One(r->hosts[0], "register.description"), "entrance camera, PoE port 7");
  EXPECT_EQ(One(r->hosts[3], "register.description"), "not on the network, \"offline\" since move");

  o.column_map = {{"Room", "location"}};
  auto missing = ParseCsvRegister(Fixture("register.csv"), o);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message.find("no column 'Room'"), std::string::npos);

  o.column_map = {{"Building", "colour"}};
  auto unknown = ParseCsvRegister(Fixture("register.csv"), o);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown field 'colour'"), std::string::npos);

  auto no_identity = ParseCsvRegister("Make,Model\nHikvision,DS-2CD2143G0-I\n", {});
  ASSERT_FALSE(no_identity);
  EXPECT_EQ(no_identity.error().code, ErrorCode::kInvalidArgument);
}

TEST(CsvRegister, BadRowsAreRefusedWithTheirLine) {
  auto bad_ip = ParseCsvRegister("IP,Make\n192.0.2.1,Axis\n192.0.2.300,Axis\n", {});
  ASSERT_FALSE(bad_ip);
  EXPECT_NE(bad_ip.error().message.find("line 3"), std::string::npos);
  auto bad_quote = ParseCsvRegister("IP,Make\n192.0.2.1,\"Axis\n", {});
  ASSERT_FALSE(bad_quote);
  EXPECT_EQ(bad_quote.error().code, ErrorCode::kParse);
  auto extra = ParseCsvRegister("IP,Make\n192.0.2.1,Axis,surprise\n", {});
  ASSERT_FALSE(extra);
  EXPECT_NE(extra.error().message.find("header has 2"), std::string::npos);
  auto trailing_empty = ParseCsvRegister("IP,Make\n192.0.2.1,Axis,,\n", {});
  EXPECT_TRUE(trailing_empty);
  EXPECT_FALSE(ParseCsvRegister("", {}));
}

TEST(DhcpdLeases, LastBlockWinsAndInactiveLeasesAreSkipped) {
  auto r = ParseDhcpdLeases(Fixture("dhcpd.leases"), {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 2u);
  EXPECT_EQ(r->hosts[0].ip, "192.0.2.64");
  EXPECT_EQ(r->hosts[0].mac, "c0:56:e3:12:34:56");
  EXPECT_EQ(One(r->hosts[0], "dhcp.hostname"), "DS-2CD2143G0-I");
  EXPECT_NE(r->hosts[0].notes[0].find("line 38"), std::string::npos);  // the later block
  EXPECT_EQ(One(r->hosts[1], "dhcp.vendor_class"), "udhcp 1.20.2");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("1 leases not in binding state active"), std::string::npos);
}

TEST(DhcpdLeases, MalformedInputIsRefused) {
  for (const char* bad : {"lease 192.0.2.1 {\n hardware ethernet c0:56:e3:12:34:56;\n",
                          "lease 192.0.2.1 { client-hostname \"unterminated; }\n",
                          "lease nonsense { }\n",
                          "lease 192.0.2.1 { hardware ethernet zz:zz; }\n",
                          "failover peer \"x\" {\n"}) {
    auto r = ParseDhcpdLeases(bad, {});
    EXPECT_FALSE(r) << bad;
  }
  auto empty = ParseDhcpdLeases("# nothing yet\n", {});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->hosts.empty());
}

TEST(DnsmasqLeases, V4AndV6Leases) {
  auto r = ParseDnsmasqLeases(Fixture("dnsmasq.leases"), {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 4u);
  EXPECT_EQ(One(r->hosts[0], "dhcp.hostname"), "DS-2CD2143G0-I");
  EXPECT_TRUE(Values(r->hosts[1], "dhcp.hostname").empty());  // '*'
  EXPECT_EQ(r->hosts[3].ip, "2001:db8::64");
  EXPECT_EQ(r->hosts[3].mac, "");
  EXPECT_FALSE(ParseDnsmasqLeases("1796158800 c0:56:e3:12:34:56\n", {}));
  EXPECT_FALSE(ParseDnsmasqLeases("soon c0:56:e3:12:34:56 192.0.2.1 x *\n", {}));
  EXPECT_FALSE(ParseDnsmasqLeases("1 nomac 192.0.2.1 x *\n", {}));
}

TEST(IpNeigh, EntriesWithLinkLayerAddressOnly) {
  auto r = ParseIpNeigh(Fixture("ip-neigh.txt"), {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 5u);
  EXPECT_EQ(r->hosts[0].mac, "00:18:82:4a:10:01");
  EXPECT_EQ(One(r->hosts[0], "neigh.state"), "REACHABLE");
  EXPECT_EQ(r->hosts[4].ip, "fe80::1");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("2 entries"), std::string::npos);
  auto bad = ParseIpNeigh("Usage: ip neigh { add | del }\n", {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 1"), std::string::npos);
}

// Every key an importer emits is declared in data/identifiers/fields.yaml (exactly, or by a
// "<prefix>.*" family), so rules can be written for it and the vocabulary stays one list.
TEST(ImportKeys, AreDeclaredInFieldsYaml) {
  std::ifstream in(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/identifiers/fields.yaml");
  ASSERT_TRUE(in);
  std::set<std::string> exact, families;
  std::string line;
  while (std::getline(in, line)) {
    auto k = line.find("{key: ");
    if (k == std::string::npos) continue;
    auto end = line.find(',', k);
    std::string key = line.substr(k + 6, end - k - 6);
    if (key.size() > 2 && key.substr(key.size() - 2) == ".*") {
      families.insert(key.substr(0, key.size() - 1));
    } else {
      exact.insert(key);
    }
  }
  ImportOptions o;
  o.column_map = {{"Building", "location"}, {"Notes", "description"}, {"Cost Centre", "supplier"}};
  std::vector<std::pair<ImportFormat, std::string>> inputs = {
      {ImportFormat::kNmapXml, "nmap.xml"},         {ImportFormat::kMasscanJson, "masscan.json"},
      {ImportFormat::kCsvRegister, "register.csv"}, {ImportFormat::kDhcpdLeases, "dhcpd.leases"},
      {ImportFormat::kDnsmasqLeases, "dnsmasq.leases"}, {ImportFormat::kIpNeigh, "ip-neigh.txt"}};
  size_t checked = 0;
  for (const auto& [format, file] : inputs) {
    auto r = ImportHosts(format, Fixture(file), o);
    ASSERT_TRUE(r) << file;
    for (const auto& h : r->hosts) {
      for (const auto& obs : h.observations) {
        bool ok = exact.count(obs.key) > 0;
        for (const auto& f : families) ok = ok || obs.key.rfind(f, 0) == 0;
        EXPECT_TRUE(ok) << file << ": key " << obs.key << " is not in fields.yaml";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 50u);
}

}  // namespace
}  // namespace phaseout::imports
