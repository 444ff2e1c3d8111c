// The "rtsp" probe: OPTIONS then DESCRIBE on the root URL, no credentials. Sans-I/O.
#pragma once

#include <memory>

#include "probes/probe.h"

namespace phaseout::probes::rtsp {

// Stateless and thread-safe; each Start() returns an independent session.
class RtspProbe final : public Probe {
 public:
  RtspProbe();
  const ProbeSpec& Spec() const override { return spec_; }
  std::unique_ptr<ProbeSession> Start(const ProbeTarget& target) const override;

 private:
  ProbeSpec spec_;
};

}  // namespace phaseout::probes::rtsp
