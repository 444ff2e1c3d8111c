// JSON string literals (RFC 8259) with the project's UTF-8 sanitising rule.
#include "core/json_text.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/utf8.h"

namespace phaseout {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// True iff any of the 8 bytes in `w` is a control character, non-ASCII, '"' or '\\'.
inline bool NeedsEscapeWord(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  uint64_t lt20 = (w - kOnes * 0x20) & ~w;  // high bit set where byte < 0x20 (or >= 0x80)
  uint64_t q = w ^ (kOnes * '"');
  uint64_t b = w ^ (kOnes * '\\');
  uint64_t zq = (q - kOnes) & ~q;
  uint64_t zb = (b - kOnes) & ~b;
  return ((lt20 | zq | zb | w) & kHigh) != 0;
}

// Length of the leading run of bytes of s[i, size) that are copied as they are (printable
// ASCII other than '"' and '\\'), looked at 16 bytes at a time where SSE2 is available.
inline size_t PlainRunEnd(std::string_view s, size_t run) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (run + 16 <= s.size()) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + run));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" also catches them.
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, space),
                               _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
    if (mask != 0) return run + static_cast<size_t>(__builtin_ctz(mask));
    run += 16;
  }
#endif
  while (run + 8 <= s.size()) {
    uint64_t w;
    std::memcpy(&w, s.data() + run, 8);
    if (NeedsEscapeWord(w)) break;
    run += 8;
  }
  return run;
}

inline bool PlainJsonByte(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    size_t run = PlainRunEnd(s, i);
    while (run < s.size() && PlainJsonByte(static_cast<unsigned char>(s[run]))) ++run;
    if (run > i) {
      out->append(s.data() + i, run - i);
      i = run;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c < 0x20) {
      switch (c) {
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        default:
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
      }
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len > 0) {
      out->append(s.data() + i, len);
      i += len;
    } else {
      out->append("\\\\x");  // the text "\xNN", as SanitizeUtf8 writes it
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
      ++i;
    }
  }
  out->push_back('"');
}

std::string JsonString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonString(s, &out);
  return out;
}

}  // namespace phaseout
