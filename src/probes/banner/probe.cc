// Banner probe session: one kWaitBanner step. Nothing is ever sent: in particular not the
// nmap NULL/SMB probes whose replies identify port 8000 (nmap/nmap nmap-service-probes lines 1821 and 14039); the Hikvision
// SDK port volunteers its 16-byte "00 00 00 10 ..." header on its own, if at all.
#include "probes/banner/probe.h"

#include "probes/banner/banner.h"
#include "probes/common/observation_list.h"

namespace phaseout::probes::banner {
namespace {

class BannerSession final : public ProbeSession {
 public:
  explicit BannerSession(const ProbeTarget& target) : obs_("banner", target.port) {
    obs_.AddAs("tcp", "tcp.port.open", std::to_string(target.port));
  }

  Step Next() override {
    Step step;
    if (!asked_) {
      asked_ = true;
      step.kind = Step::Kind::kWaitBanner;
      step.read_timeout_ms = kBannerTimeoutMs;
    }
    return step;
  }

  Framing Frame(std::string_view received) const override { return FrameBanner(received); }

  void OnResponse(const Response& response) override {
    if (!asked_ || answered_) return;
    answered_ = true;
    AddBannerObservations(response, &obs_);
  }

  void OnTlsCertificate(std::string_view) override {}

  std::vector<model::Observation> TakeObservations() override { return obs_.Take(); }

 private:
  common::ObservationList obs_;
  bool asked_ = false;
  bool answered_ = false;
};

}  // namespace

BannerProbe::BannerProbe() {
  spec_.name = "banner";
  spec_.description = "TCP banner: connect and wait for whatever the service volunteers (binary or text), send nothing";
  spec_.default_ports = {8000, 37777, 37778, 9010, 9020};
  spec_.fields = {
      {"tcp.port.open", "the port accepted the connection (probe \"tcp\")"},
      {"tcp.banner.length", "number of bytes the service volunteered"},
      {"tcp.banner.hex", "first 64 volunteered bytes, lower-case hex"},
      {"tcp.banner.text", "first 256 volunteered bytes, non-printable bytes escaped as \\xNN"},
      {"tcp.silent", "\"true\": nothing arrived and the connection stayed open (client speaks first)"},
      {"tcp.closed_on_connect", "\"true\": the peer closed without sending anything"},
      {"banner.limit", "the engine's byte cap cut the banner"},
  };
}

std::unique_ptr<ProbeSession> BannerProbe::Start(const ProbeTarget& target) const {
  return std::make_unique<BannerSession>(target);
}

}  // namespace phaseout::probes::banner
