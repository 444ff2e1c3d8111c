// Audit-chain hashing with OpenSSL's SHA-256.
#include "inventory/audit.h"

#include <openssl/evp.h>

#include "core/strings.h"

namespace phaseout::inventory {

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}
Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256Stream::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}
std::string Sha256Stream::HexDigest() const {
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, static_cast<EVP_MD_CTX*>(ctx_));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(copy, md, &len);
  EVP_MD_CTX_free(copy);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
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
