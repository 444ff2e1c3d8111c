// The explicit probe table. Port → first probe:
//
//   http    80, 81, 88, 7080, 8080, 8081          web UIs (Hikvision, Dahua and OEMs)
//   https   443, 7443, 8443                       web UIs over TLS; 8443 may be Hikvision
//                                                 SDK-over-TLS (nmap/nmap nmap-service-probes lines 1821 and 14039): the
//                                                 certificate is read either way
//   rtsp    554, 8554                             camera streaming servers
//   ftp     21                                    FTP greeting (telecom gear, NVRs)
//   ssh     22                                    SSH identification (VRP, ZXR10, RouterOS ...)
//   telnet  23                                    telnet banner, options refused (ONTs, switches)
//   cwmp    7547, 37215                           TR-069 connection request: the Digest realm
//   banner  8000, 37777, 37778, 9010, 9020 and    Hikvision SDK, Dahua SDK, EZVIZ local ports
//           every other port                      and unknown services: listen only
//
// 8000 is deliberately banner, not http: on Hikvision it is the binary SDK port.
//
// Datagram (UDP) probes, sent to every target and, with --discover, to their multicast group:
//
//   sadp    37020  239.255.255.250   Hikvision SADP inquiry
//   dhip    37810  239.255.255.251   Dahua DHIP DHDiscover.search
//   onvif   3702   239.255.255.250   ONVIF WS-Discovery Probe (two types)
//   ssdp    1900   239.255.255.250   SSDP M-SEARCH for root devices
//   mdns    5353   224.0.0.251       mDNS / DNS-SD PTR query for camera-relevant service types
//   snmp    161    (unicast only)    SNMP v2c GET, only with --snmp-community
#include "probes/registry.h"

#include "probes/banner/probe.h"
#include "probes/dhip/dhip.h"
#include "probes/greeting/probes.h"
#include "probes/mdns/mdns.h"
#include "probes/onvif/wsd.h"
#include "probes/sadp/sadp.h"
#include "probes/snmp/snmp.h"
#include "probes/ssdp/ssdp.h"
#include "probes/http/probe.h"
#include "probes/rtsp/probe.h"

namespace phaseout::probes {
namespace {

// Function-local statics: built on first use, thread-safe (C++11 magic statics), never freed.
const http::HttpProbe& Http() {
  static const auto* probe = new http::HttpProbe(/*tls=*/false);
  return *probe;
}
const http::HttpProbe& Https() {
  static const auto* probe = new http::HttpProbe(/*tls=*/true);
  return *probe;
}
const rtsp::RtspProbe& Rtsp() {
  static const auto* probe = new rtsp::RtspProbe();
  return *probe;
}
const greeting::SshProbe& Ssh() {
  static const auto* probe = new greeting::SshProbe();
  return *probe;
}
const greeting::TelnetProbe& Telnet() {
  static const auto* probe = new greeting::TelnetProbe();
  return *probe;
}
const greeting::FtpProbe& Ftp() {
  static const auto* probe = new greeting::FtpProbe();
  return *probe;
}
const greeting::CwmpProbe& Cwmp() {
  static const auto* probe = new greeting::CwmpProbe();
  return *probe;
}
const banner::BannerProbe& Banner() {
  static const auto* probe = new banner::BannerProbe();
  return *probe;
}

}  // namespace

const std::vector<const DatagramProbe*>& AllDatagramProbes() {
  static const auto* all = new std::vector<const DatagramProbe*>{
      new sadp::SadpProbe(), new dhip::DhipProbe(), new onvif::OnvifWsdProbe(), new ssdp::SsdpProbe(),
      new mdns::MdnsProbe(), new snmp::SnmpProbe()};
  return *all;
}

const std::vector<const Probe*>& AllProbes() {
  static const auto* all = new std::vector<const Probe*>{&Http(), &Https(), &Rtsp(), &Ssh(), &Telnet(),
                                                             &Ftp(), &Cwmp(), &Banner()};
  return *all;
}

const Probe* ProbeForPort(uint16_t port) {
  for (const Probe* probe : {static_cast<const Probe*>(&Http()), static_cast<const Probe*>(&Https()),
                             static_cast<const Probe*>(&Rtsp()), static_cast<const Probe*>(&Ssh()),
                             static_cast<const Probe*>(&Telnet()), static_cast<const Probe*>(&Ftp()),
                             static_cast<const Probe*>(&Cwmp())}) {
    for (uint16_t p : probe->Spec().default_ports) {
      if (p == port) return probe;
    }
  }
  return &Banner();
}

}  // namespace phaseout::probes
