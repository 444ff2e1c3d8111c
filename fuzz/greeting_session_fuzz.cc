// libFuzzer target: ssh, telnet, ftp and cwmp sessions over arbitrary greeting bytes, plus the
// pure greeting parsers. Checks that sessions finish within a few steps and that telnet only
// ever sends option refusals (IAC WONT/DONT), never anything else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "probes/greeting/greeting.h"
#include "probes/greeting/probes.h"
#include "probes/testing/fake_engine.h"

using namespace phaseout::probes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 64 * 1024) return 0;
  uint8_t flags = data[0];
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  greeting::ParseSshGreeting(bytes);
  greeting::ParseFtpGreeting(bytes);
  greeting::ParseTelnet(bytes);
  greeting::BannerLines(bytes);
  greeting::SshProbe ssh;
  greeting::TelnetProbe telnet;
  greeting::FtpProbe ftp;
  greeting::CwmpProbe cwmp;
  const Probe* probes[] = {&ssh, &telnet, &ftp, &cwmp};
  const Probe& probe = *probes[flags % 4];
  testing::FakeReply reply;
  reply.bytes = bytes;
  reply.close_after = (flags & 4) != 0;
  testing::FakeOptions options;
  options.chunk = 1 + (flags >> 3) % 32;
  auto run = testing::RunFakeSession(probe, {"127.0.0.1", probe.Spec().default_ports[0]},
                                     [&](const Step&, int) { return reply; }, options);
  if (!run.finished || run.steps.size() > 3) __builtin_trap();
  if (&probe == &telnet) {
    for (const Step& s : run.steps) {
      if (s.request.size() % 3 != 0) __builtin_trap();
      for (size_t i = 0; i < s.request.size(); i += 3) {
        unsigned char iac = static_cast<unsigned char>(s.request[i]);
        unsigned char cmd = static_cast<unsigned char>(s.request[i + 1]);
        if (iac != 255 || (cmd != 252 && cmd != 254)) __builtin_trap();
      }
    }
  }
  return 0;
}
