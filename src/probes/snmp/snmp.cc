// SNMP v2c BER encoding and decoding, limited to what one GET of three scalars needs.
// Decoding never recurses on input structure: the message has a fixed shape, walked level by
// level with explicit bounds.
#include "probes/snmp/snmp.h"

#include <random>

#include "core/strings.h"
#include "probes/common/discovery_text.h"

namespace phaseout::probes::snmp {
namespace {

model::Observation Obs(std::string key, std::string value) {
  return model::Observation{"snmp", kPort, std::move(key), std::move(value)};
}

std::string Tlv(unsigned char tag, std::string_view content) {
  std::string out(1, static_cast<char>(tag));
  size_t n = content.size();
  if (n < 128) {
    out.push_back(static_cast<char>(n));
  } else if (n < 256) {
    out.push_back(static_cast<char>(0x81));
    out.push_back(static_cast<char>(n));
  } else {
    out.push_back(static_cast<char>(0x82));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  }
  out.append(content);
  return out;
}

// One BER element read from `in` at `*pos`: tag, and the content as a view into `in`.
struct Element {
  unsigned char tag = 0;
  std::string_view content;
};

bool Read(std::string_view in, size_t* pos, Element* out) {
  if (*pos + 2 > in.size()) return false;
  out->tag = static_cast<unsigned char>(in[*pos]);
  size_t p = *pos + 1;
  size_t len = static_cast<unsigned char>(in[p++]);
  if (len & 0x80) {
    size_t bytes = len & 0x7f;
    if (bytes == 0 || bytes > 3 || p + bytes > in.size()) return false;  // indefinite or absurd lengths
    len = 0;
    for (size_t i = 0; i < bytes; ++i) len = (len << 8) | static_cast<unsigned char>(in[p++]);
  }
  if (len > in.size() - p) return false;
  out->content = in.substr(p, len);
  *pos = p + len;
  return true;
}

bool ReadInt(std::string_view content, int64_t* v) {
  if (content.empty() || content.size() > 8) return false;
  int64_t x = static_cast<signed char>(content[0]);
  for (size_t i = 1; i < content.size(); ++i) x = x * 256 + static_cast<unsigned char>(content[i]);
  *v = x;
  return true;
}

// BER OID content -> dotted text; "" when malformed. At most 64 arcs.
std::string OidText(std::string_view c) {
  if (c.empty()) return "";
  std::string out;
  uint64_t arc = 0;
  int arcs = 0;
  bool first = true;
  for (size_t i = 0; i < c.size(); ++i) {
    unsigned char b = static_cast<unsigned char>(c[i]);
    if (arc > (UINT64_MAX >> 7)) return "";
    arc = (arc << 7) | (b & 0x7f);
    if (b & 0x80) continue;
    if (++arcs > 64) return "";
    if (first) {
      uint64_t x = arc < 40 ? 0 : arc < 80 ? 1 : 2;
      out = std::to_string(x) + "." + std::to_string(arc - 40 * x);
      first = false;
    } else {
      out += "." + std::to_string(arc);
    }
    arc = 0;
  }
  if (c.back() & 0x80) return "";
  return out;
}

constexpr std::string_view kSysDescr("\x2b\x06\x01\x02\x01\x01\x01\x00", 8);
constexpr std::string_view kSysObjectId("\x2b\x06\x01\x02\x01\x01\x02\x00", 8);
constexpr std::string_view kSysName("\x2b\x06\x01\x02\x01\x01\x05\x00", 8);

}  // namespace

std::string BuildGet(std::string_view community, uint32_t request_id) {
  std::string binds;
  for (std::string_view oid : {kSysDescr, kSysObjectId, kSysName}) {
    binds += Tlv(0x30, Tlv(0x06, oid) + std::string("\x05\x00", 2));
  }
  // Four bytes big-endian; the top bit cleared so the INTEGER stays positive.
  request_id &= 0x7fffffff;
  std::string id(4, '\0');
  for (int i = 0; i < 4; ++i) id[static_cast<size_t>(i)] = static_cast<char>((request_id >> (24 - 8 * i)) & 0xff);
  std::string pdu = Tlv(0x02, id) + Tlv(0x02, std::string(1, '\0')) + Tlv(0x02, std::string(1, '\0')) + Tlv(0x30, binds);
  std::string msg = Tlv(0x02, std::string(1, '\x01')) + Tlv(0x04, community) + Tlv(0xa0, pdu);
  return Tlv(0x30, msg);
}

std::vector<model::Observation> ParseReply(std::string_view datagram) {
  std::vector<model::Observation> out;
  auto fail = [&](const char* why) {
    out.push_back(Obs("snmp.parse_error", why));
    out.push_back(Obs("snmp.raw_prefix", EscapeBytes(datagram.substr(0, 64), 256)));
    return out;
  };
  size_t pos = 0;
  Element msg, version, community, pdu;
  if (!Read(datagram, &pos, &msg) || msg.tag != 0x30) return fail("not a BER SEQUENCE");
  size_t p = 0;
  if (!Read(msg.content, &p, &version) || version.tag != 0x02) return fail("no version");
  if (!Read(msg.content, &p, &community) || community.tag != 0x04) return fail("no community");
  if (!Read(msg.content, &p, &pdu)) return fail("no PDU");
  if (pdu.tag == 0xa0) return fail("a GetRequest, not a response");
  if (pdu.tag != 0xa2) return fail("not a GetResponse PDU");
  size_t q = 0;
  Element request_id, error_status, error_index, binds;
  if (!Read(pdu.content, &q, &request_id) || !Read(pdu.content, &q, &error_status) ||
      !Read(pdu.content, &q, &error_index) || !Read(pdu.content, &q, &binds) || binds.tag != 0x30) {
    return fail("malformed GetResponse");
  }
  int64_t status = 0;
  if (ReadInt(error_status.content, &status) && status != 0) out.push_back(Obs("snmp.error_status", std::to_string(status)));
  size_t b = 0;
  for (int n = 0; n < 16 && b < binds.content.size(); ++n) {
    Element bind, oid, value;
    if (!Read(binds.content, &b, &bind) || bind.tag != 0x30) break;
    size_t v = 0;
    if (!Read(bind.content, &v, &oid) || oid.tag != 0x06 || !Read(bind.content, &v, &value)) break;
    const char* key = oid.content == kSysDescr      ? "snmp.sysdescr"
                      : oid.content == kSysObjectId ? "snmp.sysobjectid"
                      : oid.content == kSysName     ? "snmp.sysname"
                                                    : nullptr;
    if (key == nullptr) continue;
    if (value.tag == 0x04) {
      out.push_back(Obs(key, common::BoundValue(value.content)));
    } else if (value.tag == 0x06) {
      std::string text = OidText(value.content);
      if (!text.empty()) out.push_back(Obs(key, text));
    }
    // NULL, noSuchObject (0x80), noSuchInstance (0x81), endOfMibView (0x82): nothing to record.
  }
  return out;
}

SnmpProbe::SnmpProbe() {
  spec_.name = "snmp";
  spec_.description = "SNMP v2c GET of sysDescr, sysObjectID, sysName (UDP 161), only with the community the user gives";
  spec_.port = kPort;
  spec_.fields = {
      {"snmp.sysdescr", "sysDescr.0, e.g. Huawei Versatile Routing Platform Software ..."},
      {"snmp.sysobjectid", "sysObjectID.0 dotted, e.g. 1.3.6.1.4.1.2011.2.23.96"},
      {"snmp.sysname", "sysName.0"},
      {"snmp.error_status", "non-zero error-status of the response"},
      {"snmp.parse_error", "why a datagram from UDP 161 is not a GetResponse"},
      {"snmp.raw_prefix", "first 64 bytes of such a datagram, escaped"},
  };
}

std::vector<std::string> SnmpProbe::Requests(const DatagramTarget& target, const DatagramContext& context) const {
  // Never a default or guessed community: a community is a credential.
  if (context.snmp_community.empty() || context.snmp_community.size() > 255 || target.multicast) return {};
  // One generator per thread, seeded once: a std::random_device per request is costly.
  thread_local std::mt19937 generator{std::random_device{}()};
  return {BuildGet(context.snmp_community, generator() & 0x7fffffff)};
}

std::vector<model::Observation> SnmpProbe::ParseReply(std::string_view datagram) const {
  return snmp::ParseReply(datagram);
}

}  // namespace phaseout::probes::snmp
