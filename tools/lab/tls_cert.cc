// Certificate generation for lab devices with OpenSSL 3 (EVP key generation + X509 builder).
#include "tools/lab/tls_cert.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>

#include <fmt/format.h>

namespace phaseout::lab {
namespace {

struct KeyFree { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct CertFree { void operator()(X509* c) const { X509_free(c); } };
struct NameFree { void operator()(X509_NAME* n) const { X509_NAME_free(n); } };
struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

Error SslError(const char* what) {
  const unsigned long code = ERR_get_error();
  char buf[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return MakeError(ErrorCode::kInternal, fmt::format("OpenSSL {} failed: {}", what, buf));
}

KeyPtr NewKey(KeyType type) {
  if (type == KeyType::kRsa2048) return KeyPtr(EVP_RSA_gen(2048));
  return KeyPtr(EVP_EC_gen("P-256"));
}

// "/C=CN/O=X/CN=y" -> X509_NAME in the same order.
std::unique_ptr<X509_NAME, NameFree> ParseName(const std::string& text) {
  std::unique_ptr<X509_NAME, NameFree> name(X509_NAME_new());
  size_t pos = 1;
  while (name && pos < text.size()) {
    size_t next = text.find('/', pos);
    if (next == std::string::npos) next = text.size();
    const std::string part = text.substr(pos, next - pos);
    const size_t eq = part.find('=');
    const std::string key = part.substr(0, eq);
    const std::string value = part.substr(eq + 1);
    if (X509_NAME_add_entry_by_txt(name.get(), key.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) != 1) {
      return nullptr;
    }
    pos = next + 1;
  }
  return name;
}

time_t DateToTime(const std::string& ymd) {
  std::tm tm{};
  tm.tm_year = std::stoi(ymd.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(ymd.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(ymd.substr(8, 2));
  return timegm(&tm);
}

}  // namespace

Result<CertificatePem> MakeCertificate(const CertSpec& spec) {
  KeyPtr key = NewKey(spec.key);
  if (!key) return SslError("key generation");
  KeyPtr issuer_key;
  EVP_PKEY* signer = key.get();
  if (!spec.self_signed()) {
    issuer_key = NewKey(spec.key);
    if (!issuer_key) return SslError("issuer key generation");
    signer = issuer_key.get();
  }
  std::unique_ptr<X509, CertFree> cert(X509_new());
  if (!cert) return SslError("X509_new");
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial_bytes[8];
  RAND_bytes(serial_bytes, sizeof(serial_bytes));
  serial_bytes[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), DateToTime(spec.not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), DateToTime(spec.not_after))) {
    return SslError("ASN1_TIME_set");
  }
  auto subject = ParseName(spec.subject);
  auto issuer = ParseName(spec.issuer);
  if (!subject || !issuer) return SslError("X509_NAME_add_entry_by_txt");
  X509_set_subject_name(cert.get(), subject.get());
  X509_set_issuer_name(cert.get(), issuer.get());
  X509_set_pubkey(cert.get(), key.get());
  if (X509_sign(cert.get(), signer, EVP_sha256()) == 0) return SslError("X509_sign");

  CertificatePem out;
  std::unique_ptr<BIO, BioFree> cert_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioFree> key_bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(cert_bio.get(), cert.get())) return SslError("PEM_write_bio_X509");
  if (!PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
    return SslError("PEM_write_bio_PrivateKey");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(cert_bio.get(), &data);
  out.cert.assign(data, static_cast<size_t>(len));
  len = BIO_get_mem_data(key_bio.get(), &data);
  out.key.assign(data, static_cast<size_t>(len));
  return out;
}

}  // namespace phaseout::lab
