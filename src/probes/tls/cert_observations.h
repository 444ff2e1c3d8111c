// Turns a peer certificate into "tls.*" observations (probe name "tls").
#pragma once

#include <string_view>

#include "probes/common/observation_list.h"

namespace phaseout::probes::tls {

// Adds tls.handshake="ok" and, for a parseable certificate, tls.subject, tls.issuer,
// tls.self_signed ("true"/"false"), tls.not_before, tls.not_after, one tls.san per SAN entry
// and tls.sha256. An empty `der` adds tls.certificate="none"; bytes that do not parse add
// tls.parse_error. Never fails.
void AddCertificateObservations(std::string_view der, common::ObservationList* out);

}  // namespace phaseout::probes::tls
