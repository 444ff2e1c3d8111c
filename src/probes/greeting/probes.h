// The "ssh", "telnet" and "ftp" probes: greetings of telecom and network gear read without
// logging in, and the "cwmp" probe: a plain GET on TR-069 connection-request ports for the
// Digest realm. Each is sans-I/O; parsers are pure functions in text_greeting.h.
#pragma once

#include <memory>

#include "probes/probe.h"

namespace phaseout::probes::greeting {

// SSH (RFC 4253 section 4.2): the server sends its identification string first; we only read
// it and close. Nothing is sent (not even our own identification), so no key exchange starts.
class SshProbe final : public Probe {
 public:
  SshProbe();
  const ProbeSpec& Spec() const override { return spec_; }
  std::unique_ptr<ProbeSession> Start(const ProbeTarget& target) const override;

 private:
  ProbeSpec spec_;
};

// Telnet (RFC 854/855): read what the server volunteers; refuse every option it offers or
// asks for (WILL -> DONT, DO -> WONT, RFC 854 "general considerations") so it proceeds to its
// login banner; never answer the prompt. At most two refusal rounds.
class TelnetProbe final : public Probe {
 public:
  TelnetProbe();
  const ProbeSpec& Spec() const override { return spec_; }
  std::unique_ptr<ProbeSession> Start(const ProbeTarget& target) const override;

 private:
  ProbeSpec spec_;
};

// FTP (RFC 959 section 4.2): read the 220 greeting (single or multi-line) and close. No USER.
class FtpProbe final : public Probe {
 public:
  FtpProbe();
  const ProbeSpec& Spec() const override { return spec_; }
  std::unique_ptr<ProbeSession> Start(const ProbeTarget& target) const override;

 private:
  ProbeSpec spec_;
};

// TR-069 / CWMP connection-request ports (7547 standard, 37215 Huawei home gateways): the same
// GET / as the http probe, no follow-ups, keys re-rooted under "cwmp." (cwmp.status,
// cwmp.auth.realm, cwmp.header.server, ...). The connection-request URL answers 401 with the
// CPE's Digest realm (TR-069 Amendment 6 section 3.2.2); we never send credentials.
class CwmpProbe final : public Probe {
 public:
  CwmpProbe();
  const ProbeSpec& Spec() const override { return spec_; }
  std::unique_ptr<ProbeSession> Start(const ProbeTarget& target) const override;

 private:
  ProbeSpec spec_;
};

}  // namespace phaseout::probes::greeting
