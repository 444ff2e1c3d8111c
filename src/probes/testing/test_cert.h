// Builds X.509 certificates in memory for tests (OpenSSL APIs only; no files, no network).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <utility>
#include <vector>

namespace phaseout::probes::testing {

struct TestCertSpec {
  // Name entries in DER order, e.g. {{"C","CN"},{"ST","ZheJiang"},...,{"CN","www.hikvision.com"}}.
  std::vector<std::pair<std::string, std::string>> subject;
  std::vector<std::pair<std::string, std::string>> issuer;  // empty: same as subject (self-issued)
  std::string san;            // e.g. "DNS:hikvision.com,IP:127.0.0.1"; empty for none
  long not_before_unix = 1576540800;  // 2019-12-17T00:00:00Z
  long not_after_unix = 2145830400;   // 2037-12-31T00:00:00Z
  bool sign_with_other_key = false;   // true: signature does not verify with the cert's own key
};

inline EVP_PKEY* NewTestKey() {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_keygen_init(ctx);
  EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1);
  EVP_PKEY_keygen(ctx, &key);
  EVP_PKEY_CTX_free(ctx);
  return key;
}

inline void SetName(X509_NAME* name, const std::vector<std::pair<std::string, std::string>>& entries) {
  for (const auto& [field, value] : entries) {
    X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                               -1, -1, 0);
  }
}

// Returns the DER bytes of a certificate built from `spec`, or "" if OpenSSL failed.
inline std::string MakeTestCertDer(const TestCertSpec& spec) {
  EVP_PKEY* key = NewTestKey();
  EVP_PKEY* signer = spec.sign_with_other_key ? NewTestKey() : key;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 4242);
  ASN1_TIME_set(X509_getm_notBefore(cert), spec.not_before_unix);
  ASN1_TIME_set(X509_getm_notAfter(cert), spec.not_after_unix);
  SetName(X509_get_subject_name(cert), spec.subject);
  SetName(X509_get_issuer_name(cert), spec.issuer.empty() ? spec.subject : spec.issuer);
  X509_set_pubkey(cert, key);
  if (!spec.san.empty()) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, spec.san.c_str());
    if (ext != nullptr) {
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
  }
  std::string der;
  if (X509_sign(cert, signer, EVP_sha256()) > 0) {
    unsigned char* buf = nullptr;
    int len = i2d_X509(cert, &buf);
    if (len > 0) der.assign(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
    OPENSSL_free(buf);
  }
  X509_free(cert);
  if (signer != key) EVP_PKEY_free(signer);
  EVP_PKEY_free(key);
  return der;
}

}  // namespace phaseout::probes::testing
