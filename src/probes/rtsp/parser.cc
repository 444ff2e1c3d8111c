// RTSP reply parsing and Date/CSeq readings.
#include "probes/rtsp/parser.h"

#include "core/strings.h"

namespace phaseout::probes::rtsp {
namespace {

// Matches `value` against a shape: 'A' an upper-case letter, 'a' a lower-case letter,
// '9' one digit, '8' one or two digits, anything else itself. Linear, no backtracking
// beyond the single optional digit of '8'.
bool MatchShape(std::string_view value, std::string_view shape) {
  size_t v = 0;
  for (char s : shape) {
    if (v >= value.size()) return false;
    char c = value[v];
    switch (s) {
      case 'A':
        if (c < 'A' || c > 'Z') return false;
        ++v;
        break;
      case 'a':
        if (c < 'a' || c > 'z') return false;
        ++v;
        break;
      case '9':
        if (c < '0' || c > '9') return false;
        ++v;
        break;
      case '8':
        if (c < '0' || c > '9') return false;
        ++v;
        if (v < value.size() && value[v] >= '0' && value[v] <= '9') ++v;
        break;
      default:
        if (c != s) return false;
        ++v;
    }
  }
  return v == value.size();
}

}  // namespace

Result<common::Message> ParseRtspResponse(std::string_view bytes) {
  return common::ParseMessage(bytes, common::BodyRule::kNoBody);
}

std::string ClassifyDateLayout(std::string_view value) {
  if (MatchShape(value, "Aaa, 8 Aaa 9999 99:99:99 GMT")) return "rfc1123";
  if (MatchShape(value, "Aaa, Aaa 8 9999 99:99:99 GMT")) return "hikvision-dow-mon-day-year";
  return "other";
}

std::string CseqEcho(const common::Message& reply, int sent) {
  const common::HeaderField* cseq = reply.Find("CSeq");
  if (cseq == nullptr) return "absent";
  return cseq->value == std::to_string(sent) ? "match" : "mismatch";
}

}  // namespace phaseout::probes::rtsp
