// The explicit probe table. Port → first probe:
//
//   http    80, 81, 88, 7080, 8080, 8081          web UIs (Hikvision, Dahua and OEMs)
//   https   443, 7443, 8443                       web UIs over TLS; 8443 may be Hikvision
//                                                 SDK-over-TLS (nmap/nmap nmap-service-probes lines 1821 and 14039): the
//                                                 certificate is read either way
//   rtsp    554, 8554                             camera streaming servers
//   banner  8000, 37777, 37778, 9010, 9020 and    Hikvision SDK, Dahua SDK, EZVIZ local ports
//           every other port                      and unknown services: listen only
//
// 8000 is deliberately banner, not http: on Hikvision it is the binary SDK port.
#include "probes/registry.h"

#include "probes/banner/probe.h"
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
const banner::BannerProbe& Banner() {
  static const auto* probe = new banner::BannerProbe();
  return *probe;
}

}  // namespace

const std::vector<const Probe*>& AllProbes() {
  static const auto* all = new std::vector<const Probe*>{&Http(), &Https(), &Rtsp(), &Banner()};
  return *all;
}

const Probe* ProbeForPort(uint16_t port) {
  for (const Probe* probe : {static_cast<const Probe*>(&Http()), static_cast<const Probe*>(&Https()),
                             static_cast<const Probe*>(&Rtsp())}) {
    for (uint16_t p : probe->Spec().default_ports) {
      if (p == port) return probe;
    }
  }
  return &Banner();
}

}  // namespace phaseout::probes
