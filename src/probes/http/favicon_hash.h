// Favicon fingerprints as used by public search engines and detection templates: Shodan's
// "http.favicon.hash" (MurmurHash3 of MIME base64) and the MD5 used by recog favicons.xml.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace phaseout::probes::http {

// Base64 exactly as Python's base64.encodebytes: standard alphabet with '=' padding, a '\n'
// after every 76 output characters and after the final line; "" for empty input.
std::string Base64EncodeLines(std::string_view bytes);

// MurmurHash3_x86_32 (Austin Appleby's reference algorithm) of `data` with `seed`.
uint32_t MurmurHash3X86_32(std::string_view data, uint32_t seed);

// Shodan-style favicon hash: MurmurHash3_x86_32(seed 0) of Base64EncodeLines(bytes), as a
// signed 32-bit decimal string (what Python's mmh3.hash returns), e.g. "999357577".
std::string ShodanFaviconHash(std::string_view bytes);

// Lower-case hex MD5 of `bytes` (OpenSSL EVP). Returns "" only if OpenSSL refuses MD5.
std::string Md5Hex(std::string_view bytes);

}  // namespace phaseout::probes::http
