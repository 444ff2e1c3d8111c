// Audit-chain hashing with OpenSSL's SHA-256.
// Sha256Stream uses OpenSSL's SHA256_* functions (deprecated in OpenSSL 3 in favour of EVP, still
// provided, same assembly): only their context exposes the state SaveState keeps.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "inventory/audit.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstring>

#include "core/strings.h"

namespace phaseout::inventory {

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

Sha256Stream::Sha256Stream() : ctx_(new SHA256_CTX) { SHA256_Init(static_cast<SHA256_CTX*>(ctx_)); }
Sha256Stream::~Sha256Stream() { delete static_cast<SHA256_CTX*>(ctx_); }
void Sha256Stream::Update(std::string_view data) {
  SHA256_Update(static_cast<SHA256_CTX*>(ctx_), data.data(), data.size());
}
std::string Sha256Stream::HexDigest() const {
  SHA256_CTX copy = *static_cast<const SHA256_CTX*>(ctx_);
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_Final(md, &copy);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

// The state as 10 words of 8 hex digits (the eight chaining values, the bit count low and
// high), the count of buffered bytes (2 hex digits) and those bytes in hex.
std::string Sha256Stream::SaveState() const {
  const SHA256_CTX& c = *static_cast<const SHA256_CTX*>(ctx_);
  std::string out;
  char word[9];
  auto add = [&](unsigned long v) {
    std::snprintf(word, sizeof word, "%08lx", v & 0xffffffffUL);
    out += word;
  };
  for (auto h : c.h) add(h);
  add(c.Nl);
  add(c.Nh);
  std::snprintf(word, sizeof word, "%02x", c.num);
  out += word;
  out += HexEncode(std::string_view(reinterpret_cast<const char*>(c.data), c.num));
  return out;
}

bool Sha256Stream::RestoreState(std::string_view state) {
  auto hex = [](std::string_view s, unsigned long* v) {
    *v = 0;
    for (char ch : s) {
      int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
      if (d < 0) return false;
      *v = *v * 16 + static_cast<unsigned long>(d);
    }
    return true;
  };
  SHA256_CTX c;
  SHA256_Init(&c);
  if (state.size() < 82) return false;
  unsigned long v = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (!hex(state.substr(i * 8, 8), &v)) return false;
    if (i < 8) c.h[i] = static_cast<SHA_LONG>(v);
    if (i == 8) c.Nl = static_cast<SHA_LONG>(v);
    if (i == 9) c.Nh = static_cast<SHA_LONG>(v);
  }
  if (!hex(state.substr(80, 2), &v) || v >= SHA256_CBLOCK || state.size() != 82 + 2 * v) return false;
  c.num = static_cast<unsigned int>(v);
  unsigned char* data = reinterpret_cast<unsigned char*>(c.data);
  for (size_t i = 0; i < c.num; ++i) {
    unsigned long b = 0;
    if (!hex(state.substr(82 + 2 * i, 2), &b)) return false;
    data[i] = static_cast<unsigned char>(b);
  }
  // The bit count says how many bytes were hashed: the buffered ones are its remainder.
  if ((c.Nl / 8) % SHA256_CBLOCK != c.num) return false;
  *static_cast<SHA256_CTX*>(ctx_) = c;
  return true;
}

std::string EntryHash(const AuditEntry& e) {
  std::string buf;
  auto add = [&buf](std::string_view field) {
    buf += std::to_string(field.size());
    buf += ':';
    buf += field;
    buf += ';';
  };
  add(e.prev_hash);
  add(std::to_string(e.seq));
  add(e.at);
  add(e.actor);
  add(e.action);
  add(std::to_string(e.device_id));
  add(std::to_string(e.scan_id));
  add(e.before);
  add(e.after);
  add(e.note);
  return Sha256Hex(buf);
}

}  // namespace phaseout::inventory
