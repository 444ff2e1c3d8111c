// SSDP M-SEARCH and reply parsing (UPnP Device Architecture 2.0 section 1.3).
#include "probes/ssdp/ssdp.h"

#include "core/strings.h"
#include "probes/common/discovery_text.h"
#include "probes/common/message.h"
#include "probes/common/request_identity.h"
#include "probes/common/xml_reply.h"

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

bool ParseLocation(std::string_view location, DescriptionUrl* out) {
  location = Trim(location);
  constexpr std::string_view kScheme = "http://";
  if (location.size() > 512 || location.substr(0, kScheme.size()) != kScheme) return false;
  std::string_view rest = location.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "/" : rest.substr(slash);
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '@' || c == '#' || static_cast<unsigned char>(c) >= 0x80) return false;
  }
  if (authority.find('@') != std::string_view::npos) return false;
  size_t colon = authority.find(':');
  std::string_view host = authority.substr(0, colon);
  uint32_t port = 80;
  if (colon != std::string_view::npos) {
    std::string_view p = authority.substr(colon + 1);
    if (p.empty() || p.size() > 5) return false;
    port = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return false;
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) return false;
  }
  // A literal dotted quad only: phaseout never resolves names.
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  if (dots != 3 || host.size() < 7 || host.size() > 15) return false;
  out->host = std::string(host);
  out->port = static_cast<uint16_t>(port);
  out->path = std::string(path);
  return true;
}

std::string BuildDescriptionRequest(const DescriptionUrl& url) {
  std::string host = url.host;
  if (url.port != 80) host += ":" + std::to_string(url.port);
  return "GET " + url.path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + std::string(common::kUserAgent) +
         "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
}

std::vector<model::Observation> ParseDescriptionReply(std::string_view reply, uint16_t port) {
  std::vector<model::Observation> out;
  auto obs = [&](std::string key, std::string value) {
    out.push_back(model::Observation{"upnp", port, std::move(key), std::move(value)});
  };
  Result<common::Message> msg = common::ParseMessage(reply, common::BodyRule::kUntilClose);
  if (!msg || msg->version.rfind("HTTP/", 0) != 0) {
    obs("upnp.parse_error", msg ? "not an HTTP reply" : msg.error().message);
    return out;
  }
  obs("upnp.status", msg->status_code);
  if (msg->status_code != "200") return out;
  Result<common::XmlReply> xml = common::ParseXmlReply(msg->body);
  if (!xml || xml->root != "root") {
    obs("upnp.parse_error", xml ? "root element " + EscapeBytes(xml->root, 64) + ", not a UPnP root" : xml.error().message);
    return out;
  }
  // Only the root device's own fields (root/device/<field>), not embedded devices'.
  static constexpr std::pair<const char*, const char*> kFields[] = {
      {"root/device/manufacturer", "upnp.manufacturer"},
      {"root/device/manufacturerURL", "upnp.manufacturer_url"},
      {"root/device/modelName", "upnp.model_name"},
      {"root/device/modelNumber", "upnp.model_number"},
      {"root/device/modelDescription", "upnp.model_description"},
      {"root/device/serialNumber", "upnp.serial"},
      {"root/device/UDN", "upnp.udn"},
      {"root/device/friendlyName", "upnp.friendly_name"},
      {"root/device/deviceType", "upnp.device_type"},
  };
  for (const auto& [path, key] : kFields) {
    for (const common::XmlField& f : xml->fields) {
      if (f.path == path) {
        obs(key, f.text);
        break;
      }
    }
  }
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
