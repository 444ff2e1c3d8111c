// nmap XML (`nmap -oX`, DTD: https://nmap.org/book/nmap-dtd.html) -> HostScan records.
// pugixml never expands external or user-defined entities, so an XML bomb stays bytes.
#include <pugixml.hpp>

#include <charconv>
#include <string>

#include "core/strings.h"
#include "imports/import.h"
#include "imports/import_internal.h"

namespace phaseout::imports {
namespace {

constexpr const char* kFormat = "nmap";

// Script outputs that carry the same fact a phaseout probe observes go to that probe's key, so
// the shipped rules for it apply; every other script keeps its own key.
void ObserveScript(model::HostScan* host, uint16_t port, const pugi::xml_node& script) {
  std::string id = script.attribute("id").as_string();
  std::string output = script.attribute("output").as_string();
  if (id.empty()) return;
  if (id == "http-title") {
    // nmap prints "Site doesn't have a title (...)." when there is none; the <elem key="title">
    // child holds the real title when there is one.
    pugi::xml_node title = script.find_child_by_attribute("elem", "key", "title");
    if (title) internal::Observe(host, "nmap", port, "http.title", title.child_value());
    return;
  }
  if (id == "html-title") {
    // Older nmap (before 5.x) named the script html-title and printed the title alone.
    if (output.rfind("Site doesn't have a title", 0) != 0) {
      internal::Observe(host, "nmap", port, "http.title", output);
    }
    return;
  }
  if (id == "http-server-header") {
    // One <elem> per distinct Server value seen; the output joins them.
    bool any = false;
    for (pugi::xml_node e : script.children("elem")) {
      internal::Observe(host, "nmap", port, "http.header.server", e.child_value());
      any = true;
    }
    if (!any) internal::Observe(host, "nmap", port, "http.header.server", Trim(output));
    return;
  }
  if (id == "banner") {
    internal::Observe(host, "nmap", port, "tcp.banner.text", output);
    return;
  }
  internal::Observe(host, "nmap", port, "nmap.script." + id, output);
}

}  // namespace

Result<ImportResult> ParseNmapXml(std::string_view input, const ImportOptions& options) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(input.data(), input.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed) {
    return internal::ParseError(kFormat, "byte " + std::to_string(parsed.offset),
                                std::string("malformed XML: ") + parsed.description() +
                                    " (an interrupted nmap run leaves an unclosed file)");
  }
  pugi::xml_node run = doc.child("nmaprun");
  if (!run) {
    return internal::ParseError(kFormat, "document",
                                "no <nmaprun> root element: not nmap -oX output");
  }
  ImportResult result;
  size_t host_index = 0;
  size_t skipped_down = 0;
  for (pugi::xml_node h : run.children("host")) {
    ++host_index;
    std::string state = h.child("status").attribute("state").as_string("up");
    if (state != "up") {
      ++skipped_down;
      continue;
    }
    if (result.hosts.size() >= options.max_records) {
      return internal::ParseError(kFormat, "host " + std::to_string(host_index),
                                  "more than " + std::to_string(options.max_records) + " hosts");
    }
    model::HostScan host;
    for (pugi::xml_node a : h.children("address")) {
      std::string type = a.attribute("addrtype").as_string("ipv4");
      std::string addr = a.attribute("addr").as_string();
      if (type == "mac") {
        host.mac = NormaliseMac(addr);
        if (host.mac.empty()) {
          return internal::ParseError(kFormat, "host " + std::to_string(host_index),
                                      "bad MAC address '" + EscapeBytes(addr, 64) + "'");
        }
        // nmap's vendor comes from its nmap-mac-prefixes (generated from the IEEE registry):
        // the same fact as mac.oui.org, so the same rules apply and count once.
        internal::Observe(&host, "nmap", 0, "mac.oui.org", a.attribute("vendor").as_string());
      } else if (host.ip.empty()) {
        if (!internal::IsIpAddress(addr)) {
          return internal::ParseError(kFormat, "host " + std::to_string(host_index),
                                      "bad address '" + EscapeBytes(addr, 64) + "'");
        }
        host.ip = addr;
      }
    }
    if (host.ip.empty() && host.mac.empty()) {
      return internal::ParseError(kFormat, "host " + std::to_string(host_index),
                                  "<host> without an <address>");
    }
    for (pugi::xml_node n : h.child("hostnames").children("hostname")) {
      internal::Observe(&host, "nmap", 0, "nmap.hostname", n.attribute("name").as_string());
    }
    for (pugi::xml_node p : h.child("ports").children("port")) {
      if (std::string(p.child("state").attribute("state").as_string()) != "open") continue;
      std::string_view portid = p.attribute("portid").as_string();
      unsigned value = 0;
      auto [end, ec] = std::from_chars(portid.data(), portid.data() + portid.size(), value);
      if (ec != std::errc() || end != portid.data() + portid.size() || value == 0 ||
          value > 65535) {
        return internal::ParseError(kFormat, "host " + std::to_string(host_index),
                                    "bad portid '" + EscapeBytes(portid, 32) + "'");
      }
      auto port = static_cast<uint16_t>(value);
      bool tcp = std::string_view(p.attribute("protocol").as_string("tcp")) == "tcp";
      if (tcp) {
        host.open_ports.push_back(port);
        host.observations.push_back({"nmap", port, "tcp.port.open", std::to_string(port)});
      }
      pugi::xml_node s = p.child("service");
      if (s) {
        internal::Observe(&host, "nmap", port, "nmap.service.name", s.attribute("name").as_string());
        internal::Observe(&host, "nmap", port, "nmap.service.product", s.attribute("product").as_string());
        internal::Observe(&host, "nmap", port, "nmap.service.version", s.attribute("version").as_string());
        internal::Observe(&host, "nmap", port, "nmap.service.extrainfo", s.attribute("extrainfo").as_string());
        internal::Observe(&host, "nmap", port, "nmap.service.devicetype", s.attribute("devicetype").as_string());
        internal::Observe(&host, "nmap", port, "nmap.service.ostype", s.attribute("ostype").as_string());
        for (pugi::xml_node c : s.children("cpe")) {
          internal::Observe(&host, "nmap", port, "nmap.service.cpe", c.child_value());
        }
      }
      for (pugi::xml_node script : p.children("script")) ObserveScript(&host, port, script);
    }
    for (pugi::xml_node script : h.child("hostscript").children("script")) {
      ObserveScript(&host, 0, script);
    }
    for (pugi::xml_node m : h.child("os").children("osmatch")) {
      internal::Observe(&host, "nmap", 0, "nmap.os.match", m.attribute("name").as_string());
    }
    internal::NormalisePorts(&host);
    internal::MarkSource(&host, kFormat, "host " + std::to_string(host_index));
    result.hosts.push_back(std::move(host));
  }
  if (skipped_down > 0) {
    result.warnings.push_back(std::to_string(skipped_down) + " hosts not up were skipped");
  }
  return result;
}

}  // namespace phaseout::imports
