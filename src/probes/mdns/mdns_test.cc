// mDNS query bytes and reply parsing: a response built here record by record (RFC 1035
// section 4.1 layout, compressed names), truncations, pointer loops, queries and the caps.
#include "probes/mdns/mdns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "probes/common/discovery_text.h"

namespace phaseout::probes::mdns {
namespace {

std::string U16(unsigned v) { return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }

std::string Name(const std::string& dotted) {
  std::string out;
  size_t start = 0;
  while (start < dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    out.push_back(static_cast<char>(dot - start));
    out += dotted.substr(start, dot - start);
    start = dot + 1;
  }
  return out + std::string(1, '\0');
}

std::string Record(const std::string& owner, unsigned type, const std::string& rdata, unsigned klass = 0x8001) {
  return owner + U16(type) + U16(klass) + U16(0) + U16(120) + U16(static_cast<unsigned>(rdata.size())) + rdata;
}

std::string Header(unsigned flags, unsigned qd, unsigned an, unsigned ar) {
  return U16(0) + U16(flags) + U16(qd) + U16(an) + U16(0) + U16(ar);
}

std::string TxtString(const std::string& s) { return std::string(1, static_cast<char>(s.size())) + s; }

std::vector<std::string> Values(const std::vector<model::Observation>& obs, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& o : obs) {
    if (o.key == key) out.push_back(o.value);
  }
  return out;
}

std::string First(const std::vector<model::Observation>& obs, const std::string& key) {
  auto v = Values(obs, key);
  return v.empty() ? "<absent>" : v[0];
}

// An answer as an Axis-style camera gives it: PTR, SRV, TXT, A, the service name compressed.
std::string CameraReply() {
  std::string msg = Header(0x8400, 0, 1, 3);
  const size_t service_at = msg.size();  // the PTR owner "_axis-video._tcp.local" starts here
  const std::string service = Name("_axis-video._tcp.local");
  const std::string to_service = std::string("\xc0", 1) + static_cast<char>(service_at);
  // PTR rdata: the instance label, then a pointer back to the service name.
  msg += Record(service, 12, std::string(1, 21) + "AXIS M3045-V - 00408C" + to_service, 0x0001);
  const size_t instance_at = service_at + service.size() + 10;  // 10: type, class, TTL, length
  const std::string to_instance = std::string("\xc0", 1) + static_cast<char>(instance_at);
  msg += Record(to_instance, 33, U16(0) + U16(0) + U16(80) + Name("axis-00408c123456.local"));
  msg += Record(to_instance, 16, TxtString("macaddress=00408C123456") + TxtString("SN=ACCC8E123456") +
                                     TxtString("bool") + TxtString("bad key=x"));
  msg += Record(Name("axis-00408c123456.local"), 1, std::string("\x7f\x01\x02\x03", 4));
  return msg;
}

TEST(Mdns, QueryAsksEveryServiceTypeForPtr) {
  std::string q = BuildQuery(true);
  ASSERT_GE(q.size(), 12u);
  EXPECT_EQ(q.substr(0, 4), std::string(4, '\0'));  // ID 0, standard query
  EXPECT_EQ(static_cast<unsigned char>(q[5]), std::size(kServiceTypes));
  EXPECT_NE(q.find(Name("_rtsp._tcp.local") + std::string("\x00\x0c\x80\x01", 4)), std::string::npos);
  EXPECT_NE(BuildQuery(false).find(Name("_http._tcp.local") + std::string("\x00\x0c\x00\x01", 4)), std::string::npos);
  // Our own query looped back is not taken for an answer.
  auto obs = ParseReply(q);
  EXPECT_EQ(First(obs, "mdns.parse_error"), "a DNS query, not a response");
  EXPECT_EQ(Values(obs, "mdns.raw_prefix").size(), 1u);
  MdnsProbe probe;
  EXPECT_EQ(probe.Spec().port, 5353);
  EXPECT_EQ(probe.Spec().multicast_group, "224.0.0.251");
  EXPECT_EQ(probe.Requests({"224.0.0.251", true}, {}), std::vector<std::string>{BuildQuery(true)});
}

TEST(Mdns, CameraAnswerGivesInstanceHostSrvTxtAndAddress) {
  auto obs = ParseReply(CameraReply());
  EXPECT_EQ(First(obs, "mdns.reply"), "answers=1 additional=3");
  EXPECT_EQ(First(obs, "mdns.service_type"), "_axis-video._tcp.local");
  EXPECT_EQ(First(obs, "mdns.instance"), "AXIS M3045-V - 00408C");
  EXPECT_EQ(First(obs, "mdns.srv"), "80 axis-00408c123456.local");
  EXPECT_EQ(First(obs, "mdns.hostname"), "axis-00408c123456.local");
  EXPECT_EQ(First(obs, "mdns.txt.macaddress"), "00408C123456");
  EXPECT_EQ(First(obs, "mdns.txt.sn"), "ACCC8E123456");       // keys are lower-cased
  EXPECT_EQ(First(obs, "mdns.txt.bool"), "true");             // attribute without '='
  EXPECT_EQ(First(obs, "mdns.ipv4"), "127.1.2.3");
  EXPECT_EQ(Values(obs, "mdns.parse_error").size(), 0u);
  for (const auto& o : obs) {
    EXPECT_EQ(o.probe, "mdns");
    EXPECT_EQ(o.port, 5353);
    EXPECT_NE(o.key, "mdns.txt.bad key");  // a key with a blank never becomes an observation key
  }
}

TEST(Mdns, ServiceEnumerationListsTypes) {
  std::string msg = Header(0x8400, 0, 2, 0);
  msg += Record(Name("_services._dns-sd._udp.local"), 12, Name("_http._tcp.local"), 1);
  msg += Record(Name("_services._dns-sd._udp.local"), 12, Name("_rtsp._tcp.local"), 1);
  auto types = Values(ParseReply(msg), "mdns.service_type");
  EXPECT_EQ(types, (std::vector<std::string>{"_http._tcp.local", "_rtsp._tcp.local"}));
}

TEST(Mdns, MalformedInputIsRefusedOrCutNeverOverRead) {
  EXPECT_EQ(First(ParseReply(""), "mdns.parse_error"), "shorter than a DNS header (12 bytes)");
  EXPECT_EQ(First(ParseReply(Header(0xa800, 0, 0, 0)), "mdns.parse_error"), "DNS opcode 5, not a standard response");
  std::string full = CameraReply();
  for (size_t cut = 0; cut < full.size(); ++cut) {
    auto obs = ParseReply(std::string_view(full).substr(0, cut));
    EXPECT_LE(obs.size(), kMaxObservations + 2);
  }
  // A pointer to itself (a loop) and a forward pointer are malformed names.
  std::string loop = Header(0x8400, 0, 1, 0) + std::string("\xc0\x0c", 2) + U16(1) + U16(1) + U16(0) + U16(0) + U16(4) + "abcd";
  EXPECT_EQ(First(ParseReply(loop), "mdns.parse_error"), "record 1 is cut or malformed");
  std::string forward = Header(0x8400, 0, 1, 0) + std::string("\xc0\x20", 2) + std::string(40, '\0');
  EXPECT_EQ(First(ParseReply(forward), "mdns.parse_error"), "record 1 is cut or malformed");
  // A label longer than the datagram.
  std::string cut_label = Header(0x8400, 0, 1, 0) + std::string("\x3f", 1) + "abc";
  EXPECT_EQ(Values(ParseReply(cut_label), "mdns.parse_error").size(), 1u);
  // rdlength beyond the end.
  std::string long_rdata = Header(0x8400, 0, 1, 0) + Name("x.local") + U16(16) + U16(1) + U16(0) + U16(0) + U16(500) + "ab";
  EXPECT_EQ(First(ParseReply(long_rdata), "mdns.parse_error"), "record 1 data longer than the datagram");
}

TEST(Mdns, CapsBoundAFloodingAnswer) {
  // 300 records announced, each a TXT with 40 strings: records, strings and observations capped.
  std::string txt;
  for (int i = 0; i < 40; ++i) txt += TxtString("k" + std::to_string(i) + "=v");
  std::string msg = Header(0x8400, 0, 300, 0);
  for (int i = 0; i < 300; ++i) msg += Record(Name("a.local"), 16, txt);
  auto obs = ParseReply(msg);
  EXPECT_LE(obs.size(), kMaxObservations + 1);
  auto limits = Values(obs, "mdns.limit");
  EXPECT_NE(std::find(limits.begin(), limits.end(), "records>64"), limits.end());
  EXPECT_NE(std::find(limits.begin(), limits.end(), "observations>128"), limits.end());
  // Long values are bounded like every discovery field.
  std::string big = Header(0x8400, 0, 6, 0);
  std::string long_txt;
  for (int i = 0; i < 6; ++i) long_txt += TxtString("model=" + std::string(240, 'M'));
  for (int i = 0; i < 6; ++i) big += Record(Name("b.local"), 16, long_txt);
  for (const auto& o : ParseReply(big)) EXPECT_LE(o.value.size(), common::kMaxDiscoveryValue);
  // Too many questions: stop before the answers.
  EXPECT_EQ(First(ParseReply(Header(0x8400, 100, 0, 0)), "mdns.limit"), "questions>16");
}

}  // namespace
}  // namespace phaseout::probes::mdns
