// WS-Discovery Probe building and ProbeMatches parsing. Reply shape: a real Hikvision
// DS-2CD2385G1-I ProbeMatch quoted in Haicam/Haicam golang/discovery.go; prefixes vary by
// vendor (soap:/wsa:/wsd: on a Hikvision NVR, edgexfoundry/device-onvif-camera issue 412), so
// elements are matched by local name.
#include "probes/onvif/wsd.h"

#include "core/strings.h"
#include "probes/common/discovery_text.h"
#include "probes/common/xml_reply.h"

namespace phaseout::probes::onvif {
namespace {

model::Observation Obs(std::string key, std::string value) {
  return model::Observation{"onvif", kPort, std::move(key), std::move(value)};
}

constexpr std::string_view kScopePrefix = "onvif://www.onvif.org/";

// Splits on blanks (XML list type), bounded.
std::vector<std::string_view> Words(std::string_view text, size_t max) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size() && out.size() < max) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    size_t start = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

void AddScopes(std::string_view scopes, std::vector<model::Observation>* out) {
  for (std::string_view scope : Words(scopes, kMaxScopes)) {
    if (scope.substr(0, kScopePrefix.size()) != kScopePrefix) {
      out->push_back(Obs("onvif.scope.other", std::string(scope)));
      continue;
    }
    std::string_view rest = scope.substr(kScopePrefix.size());
    size_t slash = rest.find('/');
    std::string_view category = slash == std::string_view::npos ? rest : rest.substr(0, slash);
    std::string value = slash == std::string_view::npos ? "" : common::PercentDecode(rest.substr(slash + 1));
    std::string cat = AsciiLower(category);
    if (cat == "name") {
      out->push_back(Obs("onvif.name", value));
    } else if (cat == "hardware") {
      out->push_back(Obs("onvif.hardware", value));
    } else if (cat == "location") {
      out->push_back(Obs("onvif.location", value));
    } else if (cat == "mac" || cat == "macaddress") {
      out->push_back(Obs("onvif.mac", value));
    } else if (cat == "serialnumber") {
      out->push_back(Obs("onvif.serial", value));
    } else if (cat == "profile") {
      out->push_back(Obs("onvif.profile", value));
    } else if (cat == "type") {
      out->push_back(Obs("onvif.type", value));
    } else {
      out->push_back(Obs("onvif.scope.other", std::string(rest)));
    }
  }
}

// "urn:uuid:aa85c000-6324-11b3-819e-5850ed1fe385" -> "58:50:ed:1f:e3:85" for version-1 style
// UUIDs whose node field is the MAC (Hikvision's habit); "" otherwise.
std::string UuidNode(std::string_view address) {
  size_t dash = address.rfind('-');
  if (dash == std::string_view::npos || address.size() - dash - 1 != 12) return "";
  return common::NormalizeMac(address.substr(dash + 1));
}

}  // namespace

std::string BuildProbe(std::string_view message_id, std::string_view type_prefix, std::string_view type_ns,
                       std::string_view type_name) {
  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  out += "<Envelope xmlns=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
         "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" xmlns:";
  out += type_prefix;
  out += "=\"";
  out += type_ns;
  out += "\"><Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>"
         "<a:MessageID>uuid:";
  out += message_id;
  out += "</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></Header>"
         "<Body><d:Probe><d:Types>";
  out += type_prefix;
  out += ":";
  out += type_name;
  out += "</d:Types></d:Probe></Body></Envelope>";
  return out;
}

std::vector<model::Observation> ParseReply(std::string_view datagram) {
  std::vector<model::Observation> out;
  Result<common::XmlReply> xml = common::ParseXmlReply(datagram);
  if (!xml) {
    out.push_back(Obs("onvif.parse_error", xml.error().message));
    out.push_back(Obs("onvif.raw_prefix", EscapeBytes(datagram.substr(0, 256), 256)));
    return out;
  }
  if (xml->root != "Envelope") {
    out.push_back(Obs("onvif.parse_error", "root element " + EscapeBytes(xml->root, 64) + ", not a SOAP Envelope"));
    return out;
  }
  if (const common::XmlField* action = xml->Find("Header/Action")) {
    // Our own Probe looped back by multicast: not a device.
    if (action->text.size() >= 6 && action->text.compare(action->text.size() - 6, 6, "/Probe") == 0) {
      out.push_back(Obs("onvif.parse_error", "a Probe request, not a reply"));
      return out;
    }
    out.push_back(Obs("onvif.action", action->text));
  }
  if (const common::XmlField* fault = xml->Find("Fault/Code/Subcode/Value")) {
    out.push_back(Obs("onvif.fault", fault->text));
  }
  if (const common::XmlField* reason = xml->Find("Fault/Reason/Text")) {
    out.push_back(Obs("onvif.fault_reason", reason->text));
  }
  size_t matches = 0;
  for (const common::XmlField& f : xml->fields) {
    std::string_view path = f.path;
    if (path.find("/ProbeMatch/") == std::string_view::npos) continue;
    if (path.ends_with("/ProbeMatch/EndpointReference/Address")) {
      if (++matches > kMaxMatches) {
        out.push_back(Obs("onvif.limit", "probe matches>" + std::to_string(kMaxMatches)));
        break;
      }
      out.push_back(Obs("onvif.endpoint", f.text));
      if (std::string node = UuidNode(f.text); !node.empty()) out.push_back(Obs("onvif.uuid_node", node));
    } else if (path.ends_with("/ProbeMatch/Types")) {
      out.push_back(Obs("onvif.types", f.text));
    } else if (path.ends_with("/ProbeMatch/Scopes")) {
      out.push_back(Obs("onvif.scopes", f.text));
      AddScopes(f.text, &out);
    } else if (path.ends_with("/ProbeMatch/XAddrs")) {
      out.push_back(Obs("onvif.xaddrs", f.text));
    } else if (path.ends_with("/ProbeMatch/MetadataVersion")) {
      out.push_back(Obs("onvif.metadata_version", f.text));
    }
  }
  if (xml->fields_cut) out.push_back(Obs("onvif.limit", "fields>" + std::to_string(common::kMaxXmlFields)));
  if (out.empty()) out.push_back(Obs("onvif.parse_error", "SOAP envelope without ProbeMatch or Fault"));
  return out;
}

OnvifWsdProbe::OnvifWsdProbe() {
  spec_.name = "onvif";
  spec_.description = "ONVIF WS-Discovery (UDP 3702): SOAP Probe for NetworkVideoTransmitter and Device, ProbeMatch scopes";
  spec_.port = kPort;
  spec_.multicast_group = kMulticastGroup;
  spec_.fields = {
      {"onvif.action", "WS-Addressing Action of the reply (.../ProbeMatches)"},
      {"onvif.endpoint", "EndpointReference Address, e.g. urn:uuid:..."},
      {"onvif.uuid_node", "the endpoint UUID's node field as a MAC (aa:bb:cc:dd:ee:ff), when it has one"},
      {"onvif.types", "Types, e.g. dn:NetworkVideoTransmitter tds:Device"},
      {"onvif.scopes", "the whole Scopes list as sent"},
      {"onvif.name", "scope name/ value, percent-decoded, e.g. HIKVISION DS-2CD2385G1-I"},
      {"onvif.hardware", "scope hardware/ value (model)"},
      {"onvif.location", "scope location/ value, e.g. city/hangzhou"},
      {"onvif.mac", "scope MAC/ value"},
      {"onvif.serial", "scope SerialNumber/ value (ONVIF 2023 scopes)"},
      {"onvif.profile", "scope Profile/ value (Streaming, G, T ...)"},
      {"onvif.type", "scope type/ value (video_encoder, Network_Video_Transmitter ...)"},
      {"onvif.scope.other", "any other scope, as sent"},
      {"onvif.xaddrs", "XAddrs (device service URLs)"},
      {"onvif.metadata_version", "MetadataVersion"},
      {"onvif.fault", "SOAP fault subcode, e.g. MatchingRuleNotSupported"},
      {"onvif.fault_reason", "SOAP fault reason text"},
      {"onvif.parse_error", "why a datagram from port 3702 is not a WS-Discovery reply"},
      {"onvif.raw_prefix", "first 256 bytes of such a datagram, escaped"},
      {"onvif.limit", "a parser limit was hit"},
  };
}

std::vector<std::string> OnvifWsdProbe::Requests(const DatagramTarget&, const DatagramContext&) const {
  return {BuildProbe(common::RandomUuid4(false), "dn", "http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter"),
          BuildProbe(common::RandomUuid4(false), "tds", "http://www.onvif.org/ver10/device/wsdl", "Device")};
}

std::vector<model::Observation> OnvifWsdProbe::ParseReply(std::string_view datagram) const {
  return onvif::ParseReply(datagram);
}

}  // namespace phaseout::probes::onvif
