// libFuzzer target: the HTTP reply parser, its framer and every extractor the HTTP probe runs
// on a reply (title, BOM, HTML sniffing, XML root, challenges). Follow-up planning is data-driven
// now and fuzzed through the session in http_session_fuzz.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/common/auth_challenge.h"
#include "probes/common/message.h"
#include "probes/http/parser.h"

using namespace phaseout::probes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Larger inputs only repeat what the 64 KiB limits already cut; skip them to keep runs fast.
  if (size > 256 * 1024) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // Framing with reads of a size derived from the input, as the engine would deliver them.
  common::MessageFramer framer(common::BodyRule::kUntilClose);
  size_t step = size > 0 ? 1 + data[0] % 97 : 1;
  for (size_t n = step; n <= size; n += step) {
    if (framer.Feed(bytes.substr(0, n)) == Framing::kComplete) break;
  }

  auto reply = http::ParseHttpResponse(bytes);
  if (!reply) return 0;
  (void)http::ExtractHtmlTitle(reply->body);
  (void)http::LooksLikeHtml(*reply);
  (void)http::HasUtf8Bom(reply->body);
  (void)http::XmlRootSchema(reply->body);
  for (const common::HeaderField& h : reply->headers) (void)common::ParseAuthChallenges(h.value);
  return 0;
}
