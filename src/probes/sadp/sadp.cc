// SADP inquiry and reply parsing. Field names and a real DS-2CD2385G1-I reply:
// Haicam/Haicam golang/discovery.go; field list also in http://sergei.nz/reverse-engineering-hikvision-sadp-tool/.
#include "probes/sadp/sadp.h"

#include "core/strings.h"
#include "probes/common/discovery_text.h"
#include "probes/common/xml_reply.h"

namespace phaseout::probes::sadp {
namespace {

// SADP element -> observation key. Only these are kept: they identify the device or say what
// it serves. Salt, password-reset and lock fields are deliberately not recorded.
struct FieldMap {
  const char* element;
  const char* key;
};
constexpr FieldMap kFields[] = {
    {"Types", "sadp.types"},
    {"DeviceType", "sadp.device_type"},
    {"DeviceDescription", "sadp.model"},
    {"DeviceSN", "sadp.serial"},
    {"SoftwareVersion", "sadp.firmware"},
    {"DSPVersion", "sadp.dsp_version"},
    {"MAC", "sadp.mac"},
    {"IPv4Address", "sadp.ipv4"},
    {"CommandPort", "sadp.command_port"},
    {"HttpPort", "sadp.http_port"},
    {"SDKOverTLSPort", "sadp.sdk_tls_port"},
    {"DetailOEMCode", "sadp.oem_code"},
    {"OEMInfo", "sadp.oem_info"},
    {"Activated", "sadp.activated"},
    {"AnalogChannelNum", "sadp.analog_channels"},
    {"DigitalChannelNum", "sadp.digital_channels"},
};

model::Observation Obs(std::string key, std::string value) {
  return model::Observation{"sadp", kPort, std::move(key), std::move(value)};
}

}  // namespace

std::string BuildInquiry(std::string_view uuid) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><Probe><Uuid>" + std::string(uuid) +
         "</Uuid><Types>inquiry</Types></Probe>";
}

std::vector<model::Observation> ParseReply(std::string_view datagram) {
  std::vector<model::Observation> out;
  Result<common::XmlReply> xml = common::ParseXmlReply(datagram);
  if (!xml) {
    out.push_back(Obs("sadp.parse_error", xml.error().message));
    out.push_back(Obs("sadp.raw_prefix", EscapeBytes(datagram.substr(0, 256), 256)));
    return out;
  }
  if (xml->root != "ProbeMatch") {
    // Our own inquiry echoed back (multicast loop) or another XML service on the port.
    out.push_back(Obs("sadp.parse_error", "root element " + EscapeBytes(xml->root, 64) + ", not ProbeMatch"));
    return out;
  }
  out.push_back(Obs("sadp.reply", "ProbeMatch"));
  for (const common::XmlField& field : xml->fields) {
    std::string_view path = field.path;
    // Only direct children of <ProbeMatch>.
    if (path.size() <= 11 || path.substr(0, 11) != "ProbeMatch/" || path.find('/', 11) != std::string_view::npos) continue;
    std::string_view element = path.substr(11);
    for (const FieldMap& f : kFields) {
      if (element == f.element) {
        out.push_back(Obs(f.key, field.text));
        break;
      }
    }
  }
  if (xml->fields_cut) out.push_back(Obs("sadp.limit", "fields>" + std::to_string(common::kMaxXmlFields)));
  return out;
}

SadpProbe::SadpProbe() {
  spec_.name = "sadp";
  spec_.description = "Hikvision SADP discovery (UDP 37020): XML inquiry, ProbeMatch reply with model, serial, firmware, MAC";
  spec_.port = kPort;
  spec_.multicast_group = kMulticastGroup;
  spec_.fields = {
      {"sadp.reply", "\"ProbeMatch\": the host answered the SADP inquiry"},
      {"sadp.types", "Types element (inquiry)"},
      {"sadp.device_type", "DeviceType (numeric device class code)"},
      {"sadp.model", "DeviceDescription (model), e.g. DS-2CD2385G1-I"},
      {"sadp.serial", "DeviceSN, e.g. DS-2CD2385G1-I20200414AAWRE33842150"},
      {"sadp.firmware", "SoftwareVersion, e.g. V5.6.2build 190701"},
      {"sadp.dsp_version", "DSPVersion"},
      {"sadp.mac", "MAC as sent (58-50-ed-1f-e3-85)"},
      {"sadp.ipv4", "IPv4Address the device reports"},
      {"sadp.command_port", "CommandPort (SDK port, normally 8000)"},
      {"sadp.http_port", "HttpPort"},
      {"sadp.sdk_tls_port", "SDKOverTLSPort"},
      {"sadp.oem_code", "DetailOEMCode (1 on Hikvision-branded builds)"},
      {"sadp.oem_info", "OEMInfo"},
      {"sadp.activated", "Activated (true/false)"},
      {"sadp.analog_channels", "AnalogChannelNum"},
      {"sadp.digital_channels", "DigitalChannelNum"},
      {"sadp.parse_error", "why a datagram from port 37020 is not a SADP reply"},
      {"sadp.raw_prefix", "first 256 bytes of such a datagram, escaped"},
      {"sadp.limit", "a parser limit was hit"},
  };
}

std::vector<std::string> SadpProbe::Requests(const DatagramTarget&, const DatagramContext&) const {
  return {BuildInquiry(common::RandomUuid4(/*upper=*/true))};
}

std::vector<model::Observation> SadpProbe::ParseReply(std::string_view datagram) const {
  return sadp::ParseReply(datagram);
}

}  // namespace phaseout::probes::sadp
