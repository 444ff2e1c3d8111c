// libFuzzer target: everything the agent parses from outside its own memory: spool files
// (DecodeSpoolEntry: a file on disk may be damaged), the server's enrolment, schedule, error
// and chunk answers, Retry-After values, and the agent config file. Invariants: a decoded
// spool entry re-encodes to the same bytes; nothing crashes or throws.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/backoff.h"
#include "agent/config.h"
#include "agent/messages.h"
#include "agent/spool.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace phaseout::agent;
  if (auto e = DecodeSpoolEntry(in); e) {
    auto again = EncodeSpoolEntry(*e);
    if (!again || *again != in) std::abort();
  }
  (void)ParseEnrolResponse(in);
  if (auto s = ParseScheduleResponse(in); s) {
    for (const auto& scan : *s) {
      if (scan.site.empty() || scan.targets.empty() || scan.interval_s < 60) std::abort();
    }
  }
  (void)DescribeErrorBody(in);
  (void)ParseChunkAnswer(in);
  (void)ParseRetryAfter(in.substr(0, 64), 1000000000);
  (void)ParseServerUrl(in.substr(0, 256));
  // YAML parsing is slow on big inputs; the config file is small.
  if (size < 4096) (void)ParseAgentConfig(in, "fuzz.yaml");
  return 0;
}
