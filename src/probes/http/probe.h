// The "http" and "https" probes: GET / plus a few reviewed follow-ups (followups.h), and for
// https the peer certificate. Sans-I/O: the engine performs every Step.
#pragma once

#include <memory>

#include "probes/probe.h"

namespace phaseout::probes::http {

// One probe kind: plain HTTP (`tls` false, name "http") or HTTP over TLS ("https").
// Stateless and thread-safe; each Start() returns an independent session.
class HttpProbe final : public Probe {
 public:
  explicit HttpProbe(bool tls);
  const ProbeSpec& Spec() const override { return spec_; }
  std::unique_ptr<ProbeSession> Start(const ProbeTarget& target) const override;

 private:
  bool tls_;
  ProbeSpec spec_;
};

}  // namespace phaseout::probes::http
