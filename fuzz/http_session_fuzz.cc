// libFuzzer target: a whole HTTP(S) session (GET / plus follow-ups) fed arbitrary replies.
// Input layout: byte 0 = flags (bit 0 https, bit 1 peer closes after each reply, bits 2-7 read
// size); the rest is split on "\n#\n" into the replies for step 0, 1, 2, ...; for https the
// last piece is also handed over as the peer certificate.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "probes/http/followups.h"
#include "probes/http/probe.h"
#include "probes/testing/fake_engine.h"

using namespace phaseout::probes;

namespace {

// Plans every follow-up kind in turn whatever the replies say, so each reply parser is fuzzed
// (the shipped planner, engine::FollowUpRulePlanner, asks only when rules match).
class EveryKindPlanner final : public http::FollowUpPlanner {
 public:
  std::optional<http::FollowUpRequest> Next(std::span<const phaseout::model::Observation>,
                                            std::span<const std::string> sent) const override {
    static const http::FollowUpRequest kAll[] = {
        {"isapi", http::FollowUpKind::kIsapiDeviceInfo, "/ISAPI/System/deviceInfo"},
        {"login", http::FollowUpKind::kHikvisionLogin, "/doc/page/login.asp"},
        {"magicbox", http::FollowUpKind::kDahuaMagicBox, "/cgi-bin/magicBox.cgi?action=getDeviceType"},
        {"favicon", http::FollowUpKind::kFavicon, "/favicon.ico"},
    };
    if (sent.size() >= 4) return std::nullopt;
    return kAll[sent.size()];
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool installed = [] {
    http::SetFollowUpPlanner(std::make_shared<EveryKindPlanner>());
    return true;
  }();
  (void)installed;
  if (size == 0 || size > 512 * 1024) return 0;  // beyond the per-reply limits nothing new happens
  uint8_t flags = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> pieces;
  while (true) {
    size_t sep = rest.find("\n#\n");
    pieces.emplace_back(rest.substr(0, sep));
    if (sep == std::string_view::npos) break;
    rest.remove_prefix(sep + 3);
  }
  bool tls = (flags & 1) != 0;
  testing::FakeOptions options;
  options.chunk = 1 + (flags >> 2) * 97;
  options.byte_cap = 128 * 1024;
  if (tls) options.cert_der = pieces.back();
  http::HttpProbe probe(tls);
  auto run = testing::RunFakeSession(
      probe, {"127.0.0.1", static_cast<uint16_t>(tls ? 443 : 80)},
      [&](const Step&, int index) {
        testing::FakeReply reply;
        if (static_cast<size_t>(index) < pieces.size()) reply.bytes = pieces[index];
        reply.close_after = (flags & 2) != 0;
        reply.tls_fails = tls && index == 0 && pieces.size() == 1 && pieces[0].empty();
        return reply;
      },
      options);
  // A session never asks for more than GET / plus the follow-up cap.
  if (run.steps.size() > 5) __builtin_trap();
  return 0;
}
