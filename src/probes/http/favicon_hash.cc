// Favicon hashing: MIME base64, MurmurHash3_x86_32 and MD5.
#include "probes/http/favicon_hash.h"

#include <openssl/evp.h>

#include <cstring>

#include "core/strings.h"

namespace phaseout::probes::http {
namespace {

uint32_t Rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

uint32_t FinalMix(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

}  // namespace

std::string Base64EncodeLines(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  // Python encodes 57 input bytes per 76-character line.
  constexpr size_t kBytesPerLine = 57;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4 + bytes.size() / kBytesPerLine + 2);
  for (size_t line = 0; line < bytes.size(); line += kBytesPerLine) {
    std::string_view chunk = bytes.substr(line, kBytesPerLine);
    size_t i = 0;
    for (; i + 3 <= chunk.size(); i += 3) {
      uint32_t v = (static_cast<uint8_t>(chunk[i]) << 16) | (static_cast<uint8_t>(chunk[i + 1]) << 8) |
                   static_cast<uint8_t>(chunk[i + 2]);
      out += kAlphabet[(v >> 18) & 63];
      out += kAlphabet[(v >> 12) & 63];
      out += kAlphabet[(v >> 6) & 63];
      out += kAlphabet[v & 63];
    }
    size_t left = chunk.size() - i;
    if (left == 1) {
      uint32_t v = static_cast<uint8_t>(chunk[i]) << 16;
      out += kAlphabet[(v >> 18) & 63];
      out += kAlphabet[(v >> 12) & 63];
      out += "==";
    } else if (left == 2) {
      uint32_t v = (static_cast<uint8_t>(chunk[i]) << 16) | (static_cast<uint8_t>(chunk[i + 1]) << 8);
      out += kAlphabet[(v >> 18) & 63];
      out += kAlphabet[(v >> 12) & 63];
      out += kAlphabet[(v >> 6) & 63];
      out += '=';
    }
    out += '\n';
  }
  return out;
}

uint32_t MurmurHash3X86_32(std::string_view data, uint32_t seed) {
  constexpr uint32_t kC1 = 0xcc9e2d51u;
  constexpr uint32_t kC2 = 0x1b873593u;
  const size_t blocks = data.size() / 4;
  uint32_t h = seed;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k;
    std::memcpy(&k, data.data() + i * 4, 4);  // the reference reads blocks little-endian
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    k = __builtin_bswap32(k);
#endif
    k *= kC1;
    k = Rotl32(k, 15);
    k *= kC2;
    h ^= k;
    h = Rotl32(h, 13);
    h = h * 5 + 0xe6546b64u;
  }
  const auto* tail = reinterpret_cast<const uint8_t*>(data.data() + blocks * 4);
  uint32_t k = 0;
  switch (data.size() & 3) {
    case 3:
      k ^= static_cast<uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      k ^= static_cast<uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= kC1;
      k = Rotl32(k, 15);
      k *= kC2;
      h ^= k;
  }
  h ^= static_cast<uint32_t>(data.size());
  return FinalMix(h);
}

std::string ShodanFaviconHash(std::string_view bytes) {
  uint32_t h = MurmurHash3X86_32(Base64EncodeLines(bytes), 0);
  return std::to_string(static_cast<int32_t>(h));
}

std::string Md5Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr) != 1) return "";
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

}  // namespace phaseout::probes::http
