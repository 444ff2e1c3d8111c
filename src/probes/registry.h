// The explicit table of every probe phaseout can run, and which probe serves which port.
#pragma once

#include <cstdint>
#include <vector>

#include "probes/datagram.h"
#include "probes/probe.h"

namespace phaseout::probes {

// Every probe, in a fixed order. The pointers live for the whole program. Thread-safe.
const std::vector<const Probe*>& AllProbes();

// The probe to run first on an open TCP `port`: http on web ports, https on TLS ports,
// rtsp on 554/8554, banner elsewhere (8000, 37777 and unknown ports). Never null.
const Probe* ProbeForPort(uint16_t port);

// Every datagram (UDP discovery) probe, in a fixed order: sadp, dhip, onvif, ssdp, snmp.
// The pointers live for the whole program. Thread-safe.
const std::vector<const DatagramProbe*>& AllDatagramProbes();

}  // namespace phaseout::probes
