// libFuzzer target: the RTSP reply parser, its framer, Date-layout and CSeq readings.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/common/message.h"
#include "probes/rtsp/parser.h"

using namespace phaseout::probes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return 0;  // the 64 KiB head limit makes longer inputs redundant
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  common::MessageFramer framer(common::BodyRule::kNoBody);
  size_t step = size > 0 ? 1 + data[0] % 61 : 1;
  for (size_t n = step; n <= size; n += step) {
    if (framer.Feed(bytes.substr(0, n)) == Framing::kComplete) break;
  }
  auto reply = rtsp::ParseRtspResponse(bytes);
  if (!reply) return 0;
  for (const common::HeaderField& h : reply->headers) (void)rtsp::ClassifyDateLayout(h.value);
  (void)rtsp::CseqEcho(*reply, 1);
  return 0;
}
