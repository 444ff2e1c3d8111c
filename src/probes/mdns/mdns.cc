// mDNS query building and reply parsing. Message format: RFC 1035 section 4 (header, questions,
// resource records, name compression in 4.1.4); mDNS specifics (QU bit, cache-flush bit,
// legacy unicast): RFC 6762; service instance names and TXT key=value strings: RFC 6763.
#include "probes/mdns/mdns.h"

#include <cctype>

#include "core/strings.h"
#include "probes/common/discovery_text.h"

namespace phaseout::probes::mdns {
namespace {

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypePtr = 12;
constexpr uint16_t kTypeTxt = 16;
constexpr uint16_t kTypeSrv = 33;
constexpr size_t kMaxNameBytes = 255;  // RFC 1035 section 2.3.4 (wire form)

model::Observation Obs(std::string key, std::string value) {
  return model::Observation{"mdns", kPort, std::move(key), std::move(value)};
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : b_(bytes) {}
  size_t pos() const { return pos_; }
  bool U16(uint16_t* v) {
    if (b_.size() - pos_ < 2) return false;
    *v = static_cast<uint16_t>((Byte(pos_) << 8) | Byte(pos_ + 1));
    pos_ += 2;
    return true;
  }
  bool Skip(size_t n) {
    if (b_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  // Reads a possibly compressed name at the cursor into `out` (labels joined with '.', a '.'
  // inside a label written "\."). False on a bad label, a pointer loop or a name too long.
  bool Name(std::string* out) {
    out->clear();
    size_t p = pos_;
    size_t end = 0;  // where the cursor goes after the name (set at the first pointer)
    size_t wire = 0;
    int jumps = 0;
    for (;;) {
      if (p >= b_.size()) return false;
      unsigned len = Byte(p);
      if ((len & 0xc0) == 0xc0) {
        if (p + 1 >= b_.size()) return false;
        size_t target = ((len & 0x3f) << 8) | Byte(p + 1);
        if (end == 0) end = p + 2;
        // Only backwards pointers, and few of them: no loops, bounded work.
        if (target >= p || ++jumps > kMaxPointerJumps) return false;
        p = target;
        continue;
      }
      if ((len & 0xc0) != 0) return false;  // extended label types (RFC 6891) are not names
      if (len == 0) {
        pos_ = end != 0 ? end : p + 1;
        return true;
      }
      wire += len + 1;
      if (wire > kMaxNameBytes || p + 1 + len > b_.size()) return false;
      if (!out->empty()) out->push_back('.');
      for (size_t i = 0; i < len; ++i) {
        char c = b_[p + 1 + i];
        if (c == '.' || c == '\\') out->push_back('\\');
        out->push_back(c);
      }
      p += 1 + len;
    }
  }
  std::string_view Slice(size_t n) const { return b_.substr(pos_, n); }

 private:
  unsigned Byte(size_t i) const { return static_cast<unsigned char>(b_[i]); }
  std::string_view b_;
  size_t pos_ = 0;
};

// The first label of an escaped name ("Front door\.cam._http._tcp.local" -> "Front door.cam").
std::string FirstLabel(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\' && i + 1 < name.size()) {
      out.push_back(name[++i]);
    } else if (name[i] == '.') {
      break;
    } else {
      out.push_back(name[i]);
    }
  }
  return out;
}

// The service type of an instance name: what follows the first label.
std::string_view AfterFirstLabel(std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      ++i;
    } else if (name[i] == '.') {
      return name.substr(i + 1);
    }
  }
  return {};
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// A TXT key as an observation key suffix: lower-case letters, digits, '-' and '_' only, at most
// 32 bytes (RFC 6763 section 6.4 keys are printable ASCII, compared case-insensitively; the
// rest are kept out of the key vocabulary). "" when the key does not qualify.
std::string TxtKey(std::string_view key) {
  if (key.empty() || key.size() > 32) return "";
  std::string out;
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_') {
      out.push_back(static_cast<char>(std::tolower(u)));
    } else {
      return "";
    }
  }
  return out;
}

}  // namespace

std::string BuildQuery(bool unicast_response) {
  std::string out(12, '\0');  // ID 0, flags 0 (RFC 6762 section 18), counts below
  constexpr size_t kQuestions = std::size(kServiceTypes);
  out[5] = static_cast<char>(kQuestions);
  for (const char* type : kServiceTypes) {
    std::string_view name = type;
    while (!name.empty()) {
      size_t dot = name.find('.');
      std::string_view label = name.substr(0, dot);
      out.push_back(static_cast<char>(label.size()));
      out.append(label);
      name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    }
    out.push_back('\0');
    out.push_back('\0');
    out.push_back(static_cast<char>(kTypePtr));
    out.push_back(static_cast<char>(unicast_response ? 0x80 : 0x00));  // QU bit + class IN
    out.push_back('\x01');
  }
  return out;
}

std::vector<model::Observation> ParseReply(std::string_view datagram) {
  std::vector<model::Observation> out;
  auto fail = [&](std::string why) {
    out.push_back(Obs("mdns.parse_error", std::move(why)));
    out.push_back(Obs("mdns.raw_prefix", EscapeBytes(datagram.substr(0, 256), 256)));
    return out;
  };
  Reader r(datagram);
  uint16_t id, flags, qd, an, ns, ar;
  if (!r.U16(&id) || !r.U16(&flags) || !r.U16(&qd) || !r.U16(&an) || !r.U16(&ns) || !r.U16(&ar)) {
    return fail("shorter than a DNS header (12 bytes)");
  }
  if ((flags & 0x8000) == 0) return fail("a DNS query, not a response");
  if (((flags >> 11) & 0xf) != 0) return fail("DNS opcode " + std::to_string((flags >> 11) & 0xf) + ", not a standard response");
  size_t records = static_cast<size_t>(an) + ns + ar;
  out.push_back(Obs("mdns.reply", "answers=" + std::to_string(an) + " additional=" + std::to_string(static_cast<size_t>(ns) + ar)));
  std::string name, target;
  if (qd > kMaxQuestions) {
    out.push_back(Obs("mdns.limit", "questions>" + std::to_string(kMaxQuestions)));
    return out;
  }
  for (uint16_t i = 0; i < qd; ++i) {
    if (!r.Name(&name) || !r.Skip(4)) return fail("question " + std::to_string(i + 1) + " is cut or malformed");
  }
  if (records > kMaxRecords) {
    out.push_back(Obs("mdns.limit", "records>" + std::to_string(kMaxRecords)));
    records = kMaxRecords;
  }
  auto add = [&](std::string key, std::string value) {
    if (out.size() < kMaxObservations) {
      out.push_back(Obs(std::move(key), common::BoundValue(value)));
    } else if (out.back().key != "mdns.limit") {
      out.push_back(Obs("mdns.limit", "observations>" + std::to_string(kMaxObservations)));
    }
  };
  for (size_t i = 0; i < records; ++i) {
    uint16_t type, klass, ttl_hi, ttl_lo, rdlength;
    if (!r.Name(&name) || !r.U16(&type) || !r.U16(&klass) || !r.U16(&ttl_hi) || !r.U16(&ttl_lo) || !r.U16(&rdlength)) {
      add("mdns.parse_error", "record " + std::to_string(i + 1) + " is cut or malformed");
      break;
    }
    size_t rdata = r.pos();
    if (datagram.size() - rdata < rdlength) {
      add("mdns.parse_error", "record " + std::to_string(i + 1) + " data longer than the datagram");
      break;
    }
    if ((klass & 0x7fff) == 1) {  // IN; the top bit is the cache-flush bit (RFC 6762 section 10.2)
      Reader data = r;
      if (type == kTypePtr) {
        if (data.Name(&target) && data.pos() <= rdata + rdlength) {
          if (EqualsNoCase(name, "_services._dns-sd._udp.local")) {
            add("mdns.service_type", target);
          } else {
            add("mdns.service_type", name);
            add("mdns.instance", FirstLabel(target));
          }
        } else {
          add("mdns.parse_error", "PTR record " + std::to_string(i + 1) + " has a malformed name");
        }
      } else if (type == kTypeSrv) {
        uint16_t priority, weight, port;
        if (data.U16(&priority) && data.U16(&weight) && data.U16(&port) && data.Name(&target) &&
            data.pos() <= rdata + rdlength) {
          add("mdns.instance", FirstLabel(name));
          add("mdns.srv", std::to_string(port) + " " + target);
          add("mdns.hostname", target);
          if (std::string_view type_name = AfterFirstLabel(name); !type_name.empty()) {
            add("mdns.service_type", std::string(type_name));
          }
        } else {
          add("mdns.parse_error", "SRV record " + std::to_string(i + 1) + " is malformed");
        }
      } else if (type == kTypeTxt) {
        std::string_view txt = datagram.substr(rdata, rdlength);
        size_t strings = 0;
        while (!txt.empty()) {
          size_t len = static_cast<unsigned char>(txt[0]);
          if (len + 1 > txt.size()) {
            add("mdns.parse_error", "TXT record " + std::to_string(i + 1) + " string longer than the record");
            break;
          }
          if (++strings > kMaxTxtStrings) {
            add("mdns.limit", "txt strings>" + std::to_string(kMaxTxtStrings));
            break;
          }
          std::string_view s = txt.substr(1, len);
          txt.remove_prefix(len + 1);
          size_t eq = s.find('=');
          std::string key = TxtKey(s.substr(0, eq));
          // A key without '=' is a boolean attribute (RFC 6763 section 6.4): value "true".
          if (!key.empty()) add("mdns.txt." + key, eq == std::string_view::npos ? "true" : std::string(s.substr(eq + 1)));
        }
      } else if (type == kTypeA && rdlength == 4) {
        std::string_view a = datagram.substr(rdata, 4);
        std::string ip;
        for (size_t k = 0; k < 4; ++k) {
          ip += (k ? "." : "") + std::to_string(static_cast<unsigned char>(a[k]));
        }
        add("mdns.hostname", name);
        add("mdns.ipv4", ip);
      }
    }
    r.Skip(rdlength);
  }
  return out;
}

MdnsProbe::MdnsProbe() {
  spec_.name = "mdns";
  spec_.description =
      "mDNS / DNS-SD (UDP 5353): one PTR query for camera-relevant service types; instance, host, "
      "SRV, TXT and A records of the answer";
  spec_.port = kPort;
  spec_.multicast_group = kMulticastGroup;
  spec_.fields = {
      {"mdns.reply", "answer and additional record counts of a DNS response"},
      {"mdns.service_type", "a service type the device announces, e.g. _http._tcp.local"},
      {"mdns.instance", "service instance name (first label), e.g. the camera's own name"},
      {"mdns.hostname", "host name of an SRV target or A record, e.g. axis-00408c123456.local"},
      {"mdns.srv", "SRV port and target, e.g. 80 axis-00408c123456.local"},
      {"mdns.ipv4", "address of an A record"},
      {"mdns.txt.*", "TXT key=value strings by lower-case key, e.g. mdns.txt.macaddress"},
      {"mdns.limit", "a parser limit was hit"},
      {"mdns.parse_error", "why a datagram from UDP 5353 is not an mDNS response"},
      {"mdns.raw_prefix", "first 256 bytes of such a datagram, escaped"},
  };
}

std::vector<std::string> MdnsProbe::Requests(const DatagramTarget& target, const DatagramContext&) const {
  return {BuildQuery(target.multicast)};
}

std::vector<model::Observation> MdnsProbe::ParseReply(std::string_view datagram) const {
  return mdns::ParseReply(datagram);
}

}  // namespace phaseout::probes::mdns
