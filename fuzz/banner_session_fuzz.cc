// libFuzzer target: a whole banner session over arbitrary volunteered bytes and read outcomes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "probes/banner/banner.h"
#include "probes/banner/probe.h"
#include "probes/testing/fake_engine.h"

using namespace phaseout::probes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;  // the banner keeps at most 256 bytes anyway
  uint8_t flags = data[0];
  testing::FakeReply reply;
  reply.bytes.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  reply.close_after = (flags & 1) != 0;
  testing::FakeOptions options;
  options.chunk = 1 + (flags >> 1) % 64;
  options.byte_cap = 1 + (flags >> 3) * 37;
  banner::BannerProbe probe;
  auto run = testing::RunFakeSession(probe, {"127.0.0.1", 8000}, [&](const Step&, int) { return reply; }, options);
  if (!run.finished || run.steps.size() != 1) __builtin_trap();  // one wait, then done
  return 0;
}
