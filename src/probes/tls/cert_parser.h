// Pure parser for an X.509 certificate (DER) into the fields the fingerprint rules match:
// subject, issuer, validity, SANs, self-signed flag and SHA-256. No sockets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::probes::tls {

// The fields of one certificate. Value type.
struct CertInfo {
  // Distinguished names as printed by OpenSSL X509_NAME_print_ex(..., XN_FLAG_RFC2253):
  // RDNs in reverse order of their DER encoding (RFC 2253 section 2.1: last RDN first),
  // "," between RDNs, "+" inside multi-valued RDNs, short names (CN, OU, O, L, ST, C, ...),
  // RFC 2253 escaping, bytes >= 0x80 escaped as \XX. A certificate encoded in the usual
  // C, ST, L, O, OU, CN order therefore prints as
  // "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN".
  std::string subject;
  std::string issuer;
  bool self_signed = false;     // subject == issuer and the signature verifies with its own key
  std::string not_before;       // ISO 8601 UTC, "2019-12-17T00:00:00Z"
  std::string not_after;
  std::vector<std::string> san; // DNS names verbatim, IP addresses textual; at most 64
  std::string sha256;           // lower-case hex of the DER bytes
};

// Parses `der` (at most 64 KiB) with OpenSSL d2i_X509. Returns the fields, or a kParse Error
// when the bytes are not one DER certificate (or kLimit when larger than 64 KiB).
// Thread-safe (no shared state).
Result<CertInfo> ParseCertificateDer(std::string_view der);

}  // namespace phaseout::probes::tls
