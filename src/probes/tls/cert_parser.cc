// X.509 DER parsing with OpenSSL (libcrypto only).
#include "probes/tls/cert_parser.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "core/strings.h"

namespace phaseout::probes::tls {
namespace {

constexpr size_t kMaxDer = 65536;
constexpr size_t kMaxSans = 64;
constexpr size_t kMaxName = 4096;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
// OpenSSL records failures in a per-thread error queue; leaving entries there would confuse
// the engine's TLS code running later on the same thread.
struct ClearErrorsOnExit {
  ~ClearErrorsOnExit() { ERR_clear_error(); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};

std::string NameToString(const X509_NAME* name) {
  if (name == nullptr) return "";
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return "";
  return std::string(data, std::min<size_t>(static_cast<size_t>(len), kMaxName));
}

std::string TimeToIso(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "";
  char buf[80];  // room for any int values, so snprintf can never truncate
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string IpToString(const ASN1_OCTET_STRING* ip) {
  const unsigned char* data = ASN1_STRING_get0_data(ip);
  int len = ASN1_STRING_length(ip);
  char buf[INET6_ADDRSTRLEN] = {};
  if (len == 4 && inet_ntop(AF_INET, data, buf, sizeof buf)) return buf;
  if (len == 16 && inet_ntop(AF_INET6, data, buf, sizeof buf)) return buf;
  return "invalid-ip:" + HexEncode(std::string_view(reinterpret_cast<const char*>(data), len > 0 ? len : 0));
}

}  // namespace

Result<CertInfo> ParseCertificateDer(std::string_view der) {
  if (der.empty()) return MakeError(ErrorCode::kParse, "empty certificate");
  if (der.size() > kMaxDer) {
    return MakeError(ErrorCode::kLimit, "certificate larger than " + std::to_string(kMaxDer) + " bytes");
  }
  ClearErrorsOnExit clear_errors;
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = start;
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return MakeError(ErrorCode::kParse, "not a DER X.509 certificate");

  CertInfo info;
  info.subject = NameToString(X509_get_subject_name(cert.get()));
  info.issuer = NameToString(X509_get_issuer_name(cert.get()));
  info.not_before = TimeToIso(X509_get0_notBefore(cert.get()));
  info.not_after = TimeToIso(X509_get0_notAfter(cert.get()));

  if (X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())) == 0) {
    EVP_PKEY* key = X509_get0_pubkey(cert.get());  // owned by the certificate
    info.self_signed = key != nullptr && X509_verify(cert.get(), key) == 1;
  }

  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (names) {
    int count = sk_GENERAL_NAME_num(names.get());
    for (int i = 0; i < count && info.san.size() < kMaxSans; ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
      if (name->type == GEN_DNS) {
        const ASN1_IA5STRING* dns = name->d.dNSName;
        info.san.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                              std::min<size_t>(static_cast<size_t>(std::max(ASN1_STRING_length(dns), 0)), 1024));
      } else if (name->type == GEN_IPADD) {
        info.san.push_back(IpToString(name->d.iPAddress));
      }
    }
  }

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // The hash covers the certificate's own DER bytes, not anything a peer appended after it.
  std::string_view own = der.substr(0, static_cast<size_t>(p - start));
  if (EVP_Digest(own.data(), own.size(), digest, &len, EVP_sha256(), nullptr) == 1) {
    info.sha256 = HexEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
  }
  return info;
}

}  // namespace phaseout::probes::tls
