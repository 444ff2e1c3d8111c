// Generates the TLS certificates lab devices present (subject, issuer, validity per profile).
#pragma once

#include <string>

#include "core/result.h"
#include "tools/lab/profile.h"

namespace phaseout::lab {

// A certificate and its private key, both PEM.
struct CertificatePem {
  std::string cert;
  std::string key;
};

// Creates a fresh key (spec.key) and a certificate with spec's subject, issuer and validity
// (UTC midnight of each date). Self-signed when issuer == subject; otherwise signed by a
// throw-away issuer key, so subject != issuer exactly as on devices with a vendor "CA".
// Fails with kInternal naming the OpenSSL call that failed.
Result<CertificatePem> MakeCertificate(const CertSpec& spec);

}  // namespace phaseout::lab
