// DHIP search framing and reply parsing. Reply layout (client.notifyDevInfo with deviceInfo
// DeviceClass/DeviceType/SerialNo/Version/Vendor/...): a real IPC-HDW1431T1-S4 reply in
// Haicam/Haicam golang/discovery.go; rroller/dahua custom_components/dahua/discovery.py.
#include "probes/dhip/dhip.h"

#include <nlohmann/json.hpp>

#include "core/json_dump.h"
#include "core/strings.h"
#include "probes/common/discovery_text.h"

namespace phaseout::probes::dhip {
namespace {

constexpr std::string_view kSearchBody = "{\"method\":\"DHDiscover.search\",\"params\":{\"mac\":\"\",\"uni\":1}}\n";

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLe(std::string_view in, size_t offset, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[offset + static_cast<size_t>(i)]);
  return v;
}

model::Observation Obs(std::string key, std::string value) {
  return model::Observation{"dhip", kPort, std::move(key), std::move(value)};
}

// A JSON scalar as text: strings verbatim, numbers and booleans as JSON prints them.
std::string Scalar(const nlohmann::json& v) {
  if (v.is_string()) return common::BoundValue(v.get_ref<const std::string&>());
  if (v.is_number() || v.is_boolean()) return DumpJson(v);
  return "";
}

struct FieldMap {
  const char* member;
  const char* key;
};
constexpr FieldMap kDeviceInfo[] = {
    {"DeviceClass", "dhip.device_class"}, {"DeviceType", "dhip.device_type"},
    {"SerialNo", "dhip.serial"},          {"MachineName", "dhip.machine_name"},
    {"Version", "dhip.firmware"},         {"Vendor", "dhip.vendor"},
    {"Manufacturer", "dhip.manufacturer"}, {"HttpPort", "dhip.http_port"},
    {"HttpsPort", "dhip.https_port"},     {"Port", "dhip.port"},
    {"Find", "dhip.find"},                {"FindVersion", "dhip.find_version"},
};

}  // namespace

std::string BuildSearch() {
  std::string out;
  PutLe(&out, kHeaderSize, 4);
  out += "DHIP";
  PutLe(&out, 0, 8);
  PutLe(&out, kSearchBody.size(), 8);
  PutLe(&out, kSearchBody.size(), 8);
  out += kSearchBody;
  return out;
}

std::vector<model::Observation> ParseReply(std::string_view datagram) {
  std::vector<model::Observation> out;
  auto fail = [&](std::string why) {
    out.push_back(Obs("dhip.parse_error", std::move(why)));
    out.push_back(Obs("dhip.raw_prefix", EscapeBytes(datagram.substr(0, 256), 256)));
    return out;
  };
  std::string_view body;
  if (datagram.size() >= kHeaderSize && (datagram.substr(4, 4) == "DHIP" || datagram.substr(4, 4) == "PIHD")) {
    uint64_t header = GetLe(datagram, 0, 4);
    uint64_t length = GetLe(datagram, 16, 8);
    if (header != kHeaderSize) return fail("DHIP header size " + std::to_string(header) + ", expected 32");
    body = datagram.substr(kHeaderSize);
    if (length < body.size()) {
      body = body.substr(0, static_cast<size_t>(length));
    } else if (length > body.size()) {
      out.push_back(Obs("dhip.limit", "body shorter than its header says (" + std::to_string(body.size()) + " of " +
                                          std::to_string(length) + " bytes)"));
    }
  } else if (!datagram.empty() && datagram[0] == '{') {
    out.push_back(Obs("dhip.framing", "none"));
    body = datagram;
  } else {
    return fail(datagram.size() < kHeaderSize ? "shorter than a DHIP header" : "no DHIP magic");
  }
  // Real replies end the JSON with "\n\0" (the 0a 00 tail noted in Haicam/Haicam
  // golang/discovery.go); trailing blanks and NULs are not part of the document.
  while (!body.empty() && (body.back() == '\0' || body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) {
    body.remove_suffix(1);
  }
  if (common::JsonNestingDepth(body) > common::kMaxNestingDepth) {
    return fail("JSON nesting deeper than " + std::to_string(common::kMaxNestingDepth));
  }
  nlohmann::json doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return fail("body is not a JSON object");
  if (auto it = doc.find("method"); it != doc.end()) {
    // Our own search echoed back by multicast loop-back is not a device.
    if (it->is_string() && it->get_ref<const std::string&>() == "DHDiscover.search") {
      return fail("a DHDiscover.search request, not a reply");
    }
    out.push_back(Obs("dhip.method", Scalar(*it)));
  }
  if (auto it = doc.find("mac"); it != doc.end() && !Scalar(*it).empty()) out.push_back(Obs("dhip.mac", Scalar(*it)));
  const nlohmann::json* info = nullptr;
  if (auto params = doc.find("params"); params != doc.end() && params->is_object()) {
    if (auto di = params->find("deviceInfo"); di != params->end() && di->is_object()) info = &*di;
  }
  if (info == nullptr) {
    out.push_back(Obs("dhip.parse_error", "no params.deviceInfo object"));
    return out;
  }
  for (const FieldMap& f : kDeviceInfo) {
    if (auto it = info->find(f.member); it != info->end()) {
      std::string v = Scalar(*it);
      if (!v.empty()) out.push_back(Obs(f.key, std::move(v)));
    }
  }
  if (auto v4 = info->find("IPv4Address"); v4 != info->end() && v4->is_object()) {
    if (auto ip = v4->find("IPAddress"); ip != v4->end() && !Scalar(*ip).empty()) out.push_back(Obs("dhip.ipv4", Scalar(*ip)));
  }
  return out;
}

DhipProbe::DhipProbe() {
  spec_.name = "dhip";
  spec_.description = "Dahua DHIP discovery (UDP 37810): framed DHDiscover.search, reply with model, serial, firmware, MAC";
  spec_.port = kPort;
  spec_.multicast_group = kMulticastGroup;
  spec_.fields = {
      {"dhip.method", "reply method, e.g. client.notifyDevInfo"},
      {"dhip.mac", "top-level mac as sent"},
      {"dhip.device_class", "deviceInfo.DeviceClass: IPC, NVR, VTO, VTH ..."},
      {"dhip.device_type", "deviceInfo.DeviceType (model), e.g. IPC-HDW1431T1-S4"},
      {"dhip.serial", "deviceInfo.SerialNo"},
      {"dhip.machine_name", "deviceInfo.MachineName"},
      {"dhip.firmware", "deviceInfo.Version, e.g. 2.800.0000000.13.R"},
      {"dhip.vendor", "deviceInfo.Vendor (\"Private\" on some units)"},
      {"dhip.manufacturer", "deviceInfo.Manufacturer"},
      {"dhip.http_port", "deviceInfo.HttpPort"},
      {"dhip.https_port", "deviceInfo.HttpsPort"},
      {"dhip.port", "deviceInfo.Port (SDK port, normally 37777)"},
      {"dhip.find", "deviceInfo.Find"},
      {"dhip.find_version", "deviceInfo.FindVersion"},
      {"dhip.ipv4", "deviceInfo.IPv4Address.IPAddress"},
      {"dhip.framing", "\"none\": the reply was bare JSON without the DHIP header"},
      {"dhip.parse_error", "why a datagram from port 37810 is not a DHIP reply"},
      {"dhip.raw_prefix", "first 256 bytes of such a datagram, escaped"},
      {"dhip.limit", "a length field disagreed with the datagram"},
  };
}

std::vector<std::string> DhipProbe::Requests(const DatagramTarget&, const DatagramContext&) const {
  return {BuildSearch()};
}

std::vector<model::Observation> DhipProbe::ParseReply(std::string_view datagram) const {
  return dhip::ParseReply(datagram);
}

}  // namespace phaseout::probes::dhip
