// SSDP M-SEARCH and reply parsing (UPnP Device Architecture 2.0 section 1.3).
#include "probes/ssdp/ssdp.h"

#include "core/strings.h"
#include "probes/common/discovery_text.h"
#include "probes/common/message.h"

namespace phaseout::probes::ssdp {
namespace {

model::Observation Obs(std::string key, std::string value) {
  return model::Observation{"ssdp", kPort, std::move(key), std::move(value)};
}

}  // namespace

std::string BuildSearch(std::string_view host, bool multicast) {
  std::string out = "M-SEARCH * HTTP/1.1\r\nHOST: ";
  out += host;
  out += ":1900\r\nMAN: \"ssdp:discover\"\r\n";
  if (multicast) out += "MX: 1\r\n";
  out += "ST: upnp:rootdevice\r\nUSER-AGENT: phaseout/0.1 UPnP/2.0 inventory-scan/0.1\r\n\r\n";
  return out;
}

std::vector<model::Observation> ParseReply(std::string_view datagram) {
  std::vector<model::Observation> out;
  common::MessageLimits limits;
  limits.max_headers = 32;
  limits.max_body = 0;
  Result<common::Message> msg = common::ParseMessage(datagram, common::BodyRule::kNoBody, limits);
  if (!msg || msg->version.rfind("HTTP/", 0) != 0) {
    // A NOTIFY or our own M-SEARCH looped back starts with a method, not a status line.
    out.push_back(Obs("ssdp.parse_error", msg ? "not an HTTP status line" : msg.error().message));
    out.push_back(Obs("ssdp.raw_prefix", EscapeBytes(datagram.substr(0, 256), 256)));
    return out;
  }
  out.push_back(Obs("ssdp.status", msg->status_code));
  struct Map {
    const char* header;
    const char* key;
  };
  static constexpr Map kHeaders[] = {{"server", "ssdp.server"}, {"location", "ssdp.location"},
                                     {"st", "ssdp.st"},         {"usn", "ssdp.usn"},
                                     {"al", "ssdp.al"}};
  for (const Map& m : kHeaders) {
    for (const common::HeaderField* h : msg->FindAll(m.header)) out.push_back(Obs(m.key, common::BoundValue(h->value)));
  }
  for (const std::string& l : msg->limits) out.push_back(Obs("ssdp.limit", l));
  return out;
}

SsdpProbe::SsdpProbe() {
  spec_.name = "ssdp";
  spec_.description = "SSDP / UPnP discovery (UDP 1900): M-SEARCH for root devices, SERVER and LOCATION of the reply";
  spec_.port = kPort;
  spec_.multicast_group = kMulticastGroup;
  spec_.fields = {
      {"ssdp.status", "status code of the search reply (200)"},
      {"ssdp.server", "SERVER header, e.g. Linux UPnP/1.0 Huawei-ATP-IGD"},
      {"ssdp.location", "LOCATION header: URL of the UPnP device description"},
      {"ssdp.st", "ST header"},
      {"ssdp.usn", "USN header (uuid:...::upnp:rootdevice)"},
      {"ssdp.al", "AL header"},
      {"ssdp.limit", "a header limit was hit"},
      {"ssdp.parse_error", "why a datagram from UDP 1900 is not a search reply"},
      {"ssdp.raw_prefix", "first 256 bytes of such a datagram, escaped"},
  };
}

std::vector<std::string> SsdpProbe::Requests(const DatagramTarget& target, const DatagramContext&) const {
  return {BuildSearch(target.ip, target.multicast)};
}

std::vector<model::Observation> SsdpProbe::ParseReply(std::string_view datagram) const {
  return ssdp::ParseReply(datagram);
}

}  // namespace phaseout::probes::ssdp
