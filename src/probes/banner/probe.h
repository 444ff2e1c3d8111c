// The "banner" probe: connect, send nothing, record what (if anything) the service says.
#pragma once

#include <memory>

#include "probes/probe.h"

namespace phaseout::probes::banner {

// Stateless and thread-safe; each Start() returns an independent session.
class BannerProbe final : public Probe {
 public:
  BannerProbe();
  const ProbeSpec& Spec() const override { return spec_; }
  std::unique_ptr<ProbeSession> Start(const ProbeTarget& target) const override;

 private:
  ProbeSpec spec_;
};

}  // namespace phaseout::probes::banner
