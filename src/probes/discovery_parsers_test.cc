// Parser tests for the datagram probes (SADP, DHIP, ONVIF WS-Discovery) and their shared
// helpers: recorded public replies, and hostile input (truncation, nesting, entities, floods).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "probes/common/discovery_text.h"
#include "probes/common/xml_reply.h"
#include "probes/dhip/dhip.h"
#include "probes/onvif/wsd.h"
#include "probes/registry.h"
#include "probes/sadp/sadp.h"
#include "probes/snmp/snmp.h"
#include "probes/ssdp/ssdp.h"

namespace phaseout::probes {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(PHASEOUT_PROBES_DIR) + "/discovery_testdata/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Value of the first observation with `key`, or "<absent>".
std::string Value(const std::vector<model::Observation>& obs, const std::string& key) {
  for (const auto& o : obs) {
    if (o.key == key) return o.value;
  }
  return "<absent>";
}

size_t Count(const std::vector<model::Observation>& obs, const std::string& key) {
  size_t n = 0;
  for (const auto& o : obs) n += o.key == key;
  return n;
}

std::string DhipFrame(const std::string& body, uint64_t length) {
  std::string out("\x20\0\0\0DHIP", 8);
  out.append(8, '\0');
  for (int k = 0; k < 2; ++k) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  }
  return out + body;
}

TEST(DiscoveryText, NormalizeMac) {
  EXPECT_EQ(common::NormalizeMac("58-50-ed-1f-e3-85"), "58:50:ed:1f:e3:85");
  EXPECT_EQ(common::NormalizeMac("08:ED:ED:87:42:7A"), "08:ed:ed:87:42:7a");
  EXPECT_EQ(common::NormalizeMac("5850ed1fe385"), "58:50:ed:1f:e3:85");
  EXPECT_EQ(common::NormalizeMac("58:50-ed:1f:e3:85"), "");
  EXPECT_EQ(common::NormalizeMac("58:50:ed:1f:e3"), "");
  EXPECT_EQ(common::NormalizeMac("585:0ed:1fe:385"), "");
  EXPECT_EQ(common::NormalizeMac(""), "");
}

TEST(DiscoveryText, PercentDecodeAndDepth) {
  EXPECT_EQ(common::PercentDecode("HIKVISION%20DS-2CD2385G1-I"), "HIKVISION DS-2CD2385G1-I");
  EXPECT_EQ(common::PercentDecode("bad%2"), "bad%2");
  EXPECT_EQ(common::PercentDecode("%zz%41"), "%zzA");
  EXPECT_EQ(common::XmlNestingDepth("<a><b/><c><d>x</d></c></a>"), 3);
  EXPECT_EQ(common::XmlNestingDepth("<?xml version='1.0'?><!-- <x><y> --><a/>"), 1);
  EXPECT_EQ(common::JsonNestingDepth(R"({"a":[1,{"b":"[[[["}]})"), 3);
  EXPECT_GT(common::JsonNestingDepth(std::string(100000, '[')), common::kMaxNestingDepth);
}

TEST(DiscoveryText, Uuid) {
  EXPECT_EQ(common::FormatUuid4(0, 0, true), "00000000-0000-4000-8000-000000000000");
  std::string a = common::RandomUuid4(true);
  EXPECT_EQ(a.size(), 36u);
  EXPECT_NE(a, common::RandomUuid4(true));
}

TEST(Sadp, InquiryBytes) {
  EXPECT_EQ(sadp::BuildInquiry("E8ECFE09-90E4-44C0-842B-703F46B58C81"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Probe><Uuid>E8ECFE09-90E4-44C0-842B-703F46B58C81</Uuid>"
            "<Types>inquiry</Types></Probe>");
}

TEST(Sadp, RealReply) {
  auto obs = sadp::ParseReply(Fixture("hikvision_ds2cd2385g1_sadp.xml"));
  EXPECT_EQ(Value(obs, "sadp.reply"), "ProbeMatch");
  EXPECT_EQ(Value(obs, "sadp.model"), "DS-2CD2385G1-I");
  EXPECT_EQ(Value(obs, "sadp.serial"), "DS-2CD2385G1-I20200414AAWRE33842150");
  EXPECT_EQ(Value(obs, "sadp.firmware"), "V5.6.2build 190701");
  EXPECT_EQ(Value(obs, "sadp.dsp_version"), "V7.3 build 190626");
  EXPECT_EQ(Value(obs, "sadp.mac"), "58-50-ed-1f-e3-85");
  EXPECT_EQ(Value(obs, "sadp.command_port"), "8000");
  EXPECT_EQ(Value(obs, "sadp.http_port"), "80");
  EXPECT_EQ(Value(obs, "sadp.sdk_tls_port"), "8443");
  EXPECT_EQ(Value(obs, "sadp.oem_code"), "1");
  EXPECT_EQ(Value(obs, "sadp.device_type"), "141945");
  // The salt is a secret-adjacent value: never recorded.
  for (const auto& o : obs) EXPECT_EQ(o.value.find("d8eebc414effc857"), std::string::npos) << o.key;
  for (const auto& o : obs) {
    EXPECT_EQ(o.probe, "sadp");
    EXPECT_EQ(o.port, 37020);
  }
}

TEST(Sadp, NotSadp) {
  EXPECT_EQ(Count(sadp::ParseReply(""), "sadp.parse_error"), 1u);
  EXPECT_EQ(Count(sadp::ParseReply("garbage\x01\x02"), "sadp.parse_error"), 1u);
  // Our own inquiry, as multicast loop-back would deliver it.
  auto echo = sadp::ParseReply(sadp::BuildInquiry("X"));
  EXPECT_EQ(Count(echo, "sadp.parse_error"), 1u);
  EXPECT_EQ(Count(echo, "sadp.model"), 0u);
  // Truncated mid-element: pugixml refuses it, we report it.
  std::string real = Fixture("hikvision_ds2cd2385g1_sadp.xml");
  auto cut = sadp::ParseReply(std::string_view(real).substr(0, real.size() / 2));
  EXPECT_EQ(Count(cut, "sadp.parse_error"), 1u);
}

TEST(Sadp, EntitiesAreNotExpanded) {
  // "Billion laughs": pugixml has no DTD processing, so &lol9; stays unexpanded (or the
  // document is refused); either way the observation stays small.
  std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  bomb += "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">";
  for (int i = 3; i <= 9; ++i) {
    bomb += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) bomb += "&lol" + std::to_string(i - 1) + ";";
    bomb += "\">";
  }
  bomb += "]><ProbeMatch><DeviceDescription>&lol9;</DeviceDescription></ProbeMatch>";
  auto obs = sadp::ParseReply(bomb);
  for (const auto& o : obs) EXPECT_LE(o.value.size(), 1024u) << o.key;
  EXPECT_NE(Value(obs, "sadp.model").find("&lol9;"), std::string::npos);
}

TEST(Sadp, DeepNestingRefused) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "<a>";
  auto obs = sadp::ParseReply(deep);
  EXPECT_NE(Value(obs, "sadp.parse_error").find("nesting"), std::string::npos);
  // '>' inside attribute values must not let nesting past the walk's own bound.
  std::string tricky = "<ProbeMatch>";
  for (int i = 0; i < 2000; ++i) tricky += "<a x='>'>";
  tricky += "x";
  for (int i = 0; i < 2000; ++i) tricky += "</a>";
  tricky += "</ProbeMatch>";
  auto obs2 = sadp::ParseReply(tricky);
  EXPECT_LE(obs2.size(), 4u);
}

TEST(Sadp, OversizedValuesAreBounded) {
  std::string big = "<ProbeMatch><DeviceDescription>" + std::string(60000, 'A') + "</DeviceDescription></ProbeMatch>";
  auto obs = sadp::ParseReply(big);
  EXPECT_EQ(Value(obs, "sadp.model").size(), common::kMaxDiscoveryValue);
  std::string many = "<ProbeMatch>";
  for (int i = 0; i < 5000; ++i) many += "<MAC>x</MAC>";
  many += "</ProbeMatch>";
  auto obs2 = sadp::ParseReply(many);
  EXPECT_LE(obs2.size(), common::kMaxXmlFields + 4);
  EXPECT_EQ(Count(obs2, "sadp.limit"), 1u);
}

TEST(Dhip, SearchBytes) {
  std::string req = dhip::BuildSearch();
  const std::string body = "{\"method\":\"DHDiscover.search\",\"params\":{\"mac\":\"\",\"uni\":1}}\n";
  ASSERT_EQ(req.size(), 32 + body.size());
  EXPECT_EQ(req.substr(0, 8), std::string("\x20\0\0\0DHIP", 8));
  EXPECT_EQ(req.substr(8, 8), std::string(8, '\0'));
  EXPECT_EQ(static_cast<unsigned char>(req[16]), body.size());
  EXPECT_EQ(static_cast<unsigned char>(req[24]), body.size());
  EXPECT_EQ(req.substr(32), body);
}

TEST(Dhip, RealReply) {
  std::string body = Fixture("dahua_ipc_hdw1431t1_dhip.json");
  while (!body.empty() && body.back() == '\n') body.pop_back();
  body += std::string("\n\0", 2);  // the 0a 00 tail real replies carry
  auto obs = dhip::ParseReply(DhipFrame(body, body.size()));
  EXPECT_EQ(Value(obs, "dhip.method"), "client.notifyDevInfo");
  EXPECT_EQ(Value(obs, "dhip.mac"), "08:ed:ed:87:42:7a");
  EXPECT_EQ(Value(obs, "dhip.device_class"), "IPC");
  EXPECT_EQ(Value(obs, "dhip.device_type"), "IPC-HDW1431T1-S4");
  EXPECT_EQ(Value(obs, "dhip.serial"), "6C01E93PAG69A7D");
  EXPECT_EQ(Value(obs, "dhip.firmware"), "2.800.0000000.13.R");
  EXPECT_EQ(Value(obs, "dhip.vendor"), "Private");
  EXPECT_EQ(Value(obs, "dhip.port"), "37777");
  EXPECT_EQ(Value(obs, "dhip.http_port"), "80");
  EXPECT_EQ(Value(obs, "dhip.ipv4"), "192.168.124.17");
  EXPECT_EQ(Count(obs, "dhip.parse_error"), 0u);
}

TEST(Dhip, BadInput) {
  EXPECT_EQ(Count(dhip::ParseReply(""), "dhip.parse_error"), 1u);
  EXPECT_EQ(Count(dhip::ParseReply("DHIP"), "dhip.parse_error"), 1u);
  // Header claims more than arrived (truncated datagram): parsed, noted.
  std::string body = R"({"method":"client.notifyDevInfo","params":{"deviceInfo":{"DeviceType":"X"}}})";
  auto cut = dhip::ParseReply(DhipFrame(body, 1u << 20));
  EXPECT_EQ(Count(cut, "dhip.limit"), 1u);
  EXPECT_EQ(Value(cut, "dhip.device_type"), "X");
  // Body cut in the middle: not JSON.
  auto half = dhip::ParseReply(DhipFrame(body.substr(0, 20), 20));
  EXPECT_EQ(Count(half, "dhip.parse_error"), 1u);
  // JSON nesting bomb: refused before parsing.
  std::string bomb = std::string(50000, '[') + std::string(50000, ']');
  EXPECT_NE(Value(dhip::ParseReply(DhipFrame(bomb, bomb.size())), "dhip.parse_error").find("nesting"), std::string::npos);
  // Our own search looped back.
  EXPECT_EQ(Count(dhip::ParseReply(dhip::BuildSearch()), "dhip.parse_error"), 1u);
  // Unframed JSON is parsed but marked.
  auto bare = dhip::ParseReply(body);
  EXPECT_EQ(Value(bare, "dhip.framing"), "none");
  // Wrong types never throw.
  std::string odd = R"({"mac":[1,2],"params":{"deviceInfo":{"DeviceType":{"a":1},"SerialNo":12,"Version":null}}})";
  auto o = dhip::ParseReply(DhipFrame(odd, odd.size()));
  EXPECT_EQ(Value(o, "dhip.serial"), "12");
  EXPECT_EQ(Count(o, "dhip.device_type"), 0u);
}

TEST(Onvif, ProbeBytes) {
  std::string p = onvif::BuildProbe("00000000-0000-4000-8000-000000000000", "dn",
                                    "http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter");
  EXPECT_NE(p.find("<d:Types>dn:NetworkVideoTransmitter</d:Types>"), std::string::npos);
  EXPECT_NE(p.find("xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\""), std::string::npos);
  EXPECT_NE(p.find("<a:MessageID>uuid:00000000-0000-4000-8000-000000000000</a:MessageID>"), std::string::npos);
  EXPECT_NE(p.find("http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>"), std::string::npos);
  // The request parses as XML (our own parser agrees) and is recognised as a request.
  EXPECT_EQ(Count(onvif::ParseReply(p), "onvif.parse_error"), 1u);
  onvif::OnvifWsdProbe probe;
  auto reqs = probe.Requests({"127.0.0.1", false}, {});
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_NE(reqs[0].find("dn:NetworkVideoTransmitter"), std::string::npos);
  EXPECT_NE(reqs[1].find("tds:Device"), std::string::npos);
  EXPECT_EQ(reqs[1].find("dn:NetworkVideoTransmitter"), std::string::npos);
}

TEST(Onvif, RealReply) {
  auto obs = onvif::ParseReply(Fixture("hikvision_ds2cd2385g1_wsd.xml"));
  EXPECT_EQ(Value(obs, "onvif.name"), "HIKVISION DS-2CD2385G1-I");
  EXPECT_EQ(Value(obs, "onvif.hardware"), "DS-2CD2385G1-I");
  EXPECT_EQ(Value(obs, "onvif.location"), "city/hangzhou");
  EXPECT_EQ(Value(obs, "onvif.mac"), "58:50:ed:1f:e3:85");
  EXPECT_EQ(Value(obs, "onvif.uuid_node"), "58:50:ed:1f:e3:85");
  EXPECT_EQ(Value(obs, "onvif.endpoint"), "urn:uuid:aa85c000-6324-11b3-819e-5850ed1fe385");
  EXPECT_EQ(Value(obs, "onvif.types"), "dn:NetworkVideoTransmitter tds:Device");
  EXPECT_EQ(Count(obs, "onvif.profile"), 3u);
  EXPECT_EQ(Value(obs, "onvif.metadata_version"), "10");
  EXPECT_NE(Value(obs, "onvif.xaddrs").find("/onvif/device_service"), std::string::npos);
}

TEST(Onvif, FaultAndGarbage) {
  std::string fault =
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value>"
      "<s:Subcode><s:Value>d:MatchingRuleNotSupported</s:Value></s:Subcode></s:Code><s:Reason><s:Text>the xml format error"
      "</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>";
  auto obs = onvif::ParseReply(fault);
  EXPECT_EQ(Value(obs, "onvif.fault"), "d:MatchingRuleNotSupported");
  EXPECT_EQ(Value(obs, "onvif.fault_reason"), "the xml format error");
  EXPECT_EQ(Count(onvif::ParseReply("\xff\xfe garbage"), "onvif.parse_error"), 1u);
  // A flood of matches in one datagram is cut at kMaxMatches.
  std::string many = "<Envelope><Body><ProbeMatches>";
  for (int i = 0; i < 50; ++i) many += "<ProbeMatch><EndpointReference><Address>urn:uuid:x" + std::to_string(i) + "</Address></EndpointReference></ProbeMatch>";
  many += "</ProbeMatches></Body></Envelope>";
  auto flood = onvif::ParseReply(many);
  EXPECT_EQ(Count(flood, "onvif.endpoint"), onvif::kMaxMatches);
  EXPECT_EQ(Count(flood, "onvif.limit"), 1u);
}

TEST(Ssdp, SearchAndReply) {
  EXPECT_EQ(ssdp::BuildSearch("239.255.255.250", true),
            "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
            "ST: upnp:rootdevice\r\nUSER-AGENT: phaseout/0.1 UPnP/2.0 inventory-scan/0.1\r\n\r\n");
  EXPECT_EQ(ssdp::BuildSearch("127.0.0.1", false).find("MX:"), std::string::npos);
  auto obs = ssdp::ParseReply(
      "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://127.0.0.1:37215/desc.xml\r\n"
      "SERVER: Linux UPnP/1.0 Huawei-ATP-IGD\r\nST: upnp:rootdevice\r\nUSN: uuid:x::upnp:rootdevice\r\n\r\n");
  EXPECT_EQ(Value(obs, "ssdp.server"), "Linux UPnP/1.0 Huawei-ATP-IGD");
  EXPECT_EQ(Value(obs, "ssdp.location"), "http://127.0.0.1:37215/desc.xml");
  EXPECT_EQ(Value(obs, "ssdp.status"), "200");
  EXPECT_EQ(Count(ssdp::ParseReply(ssdp::BuildSearch("239.255.255.250", true)), "ssdp.parse_error"), 1u);
  EXPECT_EQ(Count(ssdp::ParseReply("NOTIFY * HTTP/1.1\r\n\r\n"), "ssdp.parse_error"), 1u);
}

TEST(Ssdp, DescriptionLocationAndReply) {
  ssdp::DescriptionUrl url;
  ASSERT_TRUE(ssdp::ParseLocation("http://127.0.0.5:37215/desc.xml", &url));
  EXPECT_EQ(url.host, "127.0.0.5");
  EXPECT_EQ(url.port, 37215);
  EXPECT_EQ(url.path, "/desc.xml");
  EXPECT_EQ(ssdp::BuildDescriptionRequest(url),
            "GET /desc.xml HTTP/1.1\r\nHost: 127.0.0.5:37215\r\nUser-Agent: phaseout/0.1 (inventory scan; +no-credentials)\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(ssdp::ParseLocation("http://127.0.0.5", &url));
  EXPECT_EQ(url.path, "/");
  EXPECT_EQ(url.port, 80);
  for (const char* bad : {"https://127.0.0.5/x", "http://router.local/x", "http://user@127.0.0.5/x", "http://127.0.0.5/a b",
                          "http://127.0.0.5:0/", "http://127.0.0.5:99999/", "ftp://127.0.0.5/", "http://127.0.0.5/\x01"}) {
    EXPECT_FALSE(ssdp::ParseLocation(bad, &url)) << bad;
  }
  std::string reply =
      "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\">"
      "<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>HG8245H</friendlyName>"
      "<manufacturer>Huawei Technologies Co., Ltd.</manufacturer><modelName>HG8245H</modelName><serialNumber>485754</serialNumber>"
      "<UDN>uuid:1</UDN><deviceList><device><manufacturer>Embedded</manufacturer></device></deviceList></device></root>";
  auto obs = ssdp::ParseDescriptionReply(reply, 37215);
  EXPECT_EQ(Value(obs, "upnp.manufacturer"), "Huawei Technologies Co., Ltd.");
  EXPECT_EQ(Count(obs, "upnp.manufacturer"), 1u);  // the embedded device's is not the root's
  EXPECT_EQ(Value(obs, "upnp.model_name"), "HG8245H");
  EXPECT_EQ(Value(obs, "upnp.serial"), "485754");
  EXPECT_EQ(obs[0].probe, "upnp");
  EXPECT_EQ(obs[0].port, 37215);
  EXPECT_EQ(Count(ssdp::ParseDescriptionReply("HTTP/1.1 200 OK\r\n\r\n<html/>", 80), "upnp.parse_error"), 1u);
  EXPECT_EQ(Count(ssdp::ParseDescriptionReply("garbage", 80), "upnp.parse_error"), 1u);
}

TEST(Snmp, GetBytes) {
  std::string get = snmp::BuildGet("public", 0x01020304);
  const std::string expected(
      "\x30\x45\x02\x01\x01\x04\x06public\xa0\x38\x02\x04\x01\x02\x03\x04\x02\x01\x00\x02\x01\x00\x30\x2a"
      "\x30\x0c\x06\x08\x2b\x06\x01\x02\x01\x01\x01\x00\x05\x00"
      "\x30\x0c\x06\x08\x2b\x06\x01\x02\x01\x01\x02\x00\x05\x00"
      "\x30\x0c\x06\x08\x2b\x06\x01\x02\x01\x01\x05\x00\x05\x00",
      71);
  EXPECT_EQ(get, expected);
  snmp::SnmpProbe probe;
  EXPECT_TRUE(probe.Requests({"127.0.0.1", false}, {}).empty());  // no community, nothing sent
  EXPECT_EQ(probe.Requests({"127.0.0.1", false}, {"private"}).size(), 1u);
  EXPECT_TRUE(probe.Requests({"239.255.255.250", true}, {"private"}).empty());
}

// A GetResponse for the three objects built by hand (BER, RFC 3416 PDU layout).
std::string SnmpResponse(const std::string& descr) {
  auto tlv = [](unsigned char tag, const std::string& c) {
    std::string out(1, static_cast<char>(tag));
    if (c.size() < 128) {
      out.push_back(static_cast<char>(c.size()));
    } else {
      out.push_back(static_cast<char>(0x82));
      out.push_back(static_cast<char>(c.size() >> 8));
      out.push_back(static_cast<char>(c.size() & 0xff));
    }
    return out + c;
  };
  std::string binds = tlv(0x30, tlv(0x06, std::string("\x2b\x06\x01\x02\x01\x01\x01\x00", 8)) + tlv(0x04, descr)) +
                      tlv(0x30, tlv(0x06, std::string("\x2b\x06\x01\x02\x01\x01\x02\x00", 8)) +
                                    tlv(0x06, std::string("\x2b\x06\x01\x04\x01\x8f\x5b\x02\x17\x60", 10))) +
                      tlv(0x30, tlv(0x06, std::string("\x2b\x06\x01\x02\x01\x01\x05\x00", 8)) + tlv(0x04, "core-sw1"));
  std::string pdu = tlv(0x02, "\x01") + tlv(0x02, std::string(1, '\0')) + tlv(0x02, std::string(1, '\0')) + tlv(0x30, binds);
  return tlv(0x30, tlv(0x02, "\x01") + tlv(0x04, "public") + tlv(0xa2, pdu));
}

TEST(Snmp, ResponseAndBadInput) {
  const std::string descr = "Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.120 (AR2200 V200R003C00)";
  auto obs = snmp::ParseReply(SnmpResponse(descr));
  EXPECT_EQ(Value(obs, "snmp.sysdescr"), descr);
  EXPECT_EQ(Value(obs, "snmp.sysobjectid"), "1.3.6.1.4.1.2011.2.23.96");
  EXPECT_EQ(Value(obs, "snmp.sysname"), "core-sw1");
  std::string full = SnmpResponse(std::string(3000, 'x'));
  EXPECT_EQ(Value(snmp::ParseReply(full), "snmp.sysdescr").size(), common::kMaxDiscoveryValue);
  // Every truncation is refused or partial, never a crash or an over-read.
  for (size_t cut = 0; cut < full.size(); cut += 7) snmp::ParseReply(std::string_view(full).substr(0, cut));
  EXPECT_EQ(Count(snmp::ParseReply(snmp::BuildGet("public", 1)), "snmp.parse_error"), 1u);
  EXPECT_EQ(Count(snmp::ParseReply(std::string("\x30\x84\xff\xff\xff\xff", 6)), "snmp.parse_error"), 1u);
}

TEST(DatagramRegistry, SpecsAreComplete) {
  for (const DatagramProbe* p : AllDatagramProbes()) {
    const DatagramProbeSpec& spec = p->Spec();
    EXPECT_FALSE(spec.name.empty());
    EXPECT_NE(spec.port, 0);
    EXPECT_FALSE(spec.fields.empty()) << spec.name;
    // Every parse of its own request yields only declared keys.
    for (const std::string& req : p->Requests({"127.0.0.1", false}, {"public"})) {
      for (const auto& o : p->ParseReply(req)) {
        bool declared = false;
        for (const FieldSpec& f : spec.fields) declared = declared || f.key == o.key;
        EXPECT_TRUE(declared) << spec.name << " emits undeclared " << o.key;
        EXPECT_EQ(o.probe, spec.name);
        EXPECT_EQ(o.port, spec.port);
      }
    }
  }
}

}  // namespace
}  // namespace phaseout::probes
