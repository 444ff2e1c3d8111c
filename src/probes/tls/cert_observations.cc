// Certificate → observations.
#include "probes/tls/cert_observations.h"

#include "probes/tls/cert_parser.h"

namespace phaseout::probes::tls {

void AddCertificateObservations(std::string_view der, common::ObservationList* out) {
  out->AddAs("tls", "tls.handshake", "ok");
  if (der.empty()) {
    out->AddAs("tls", "tls.certificate", "none");
    return;
  }
  Result<CertInfo> cert = ParseCertificateDer(der);
  if (!cert) {
    out->AddAs("tls", "tls.parse_error", cert.error().message);
    return;
  }
  out->AddAs("tls", "tls.subject", cert->subject);
  out->AddAs("tls", "tls.issuer", cert->issuer);
  out->AddAs("tls", "tls.self_signed", cert->self_signed ? "true" : "false");
  out->AddAs("tls", "tls.not_before", cert->not_before);
  out->AddAs("tls", "tls.not_after", cert->not_after);
  for (const std::string& san : cert->san) out->AddAs("tls", "tls.san", san);
  out->AddAs("tls", "tls.sha256", cert->sha256);
}

}  // namespace phaseout::probes::tls
