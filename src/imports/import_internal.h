// Helpers shared by the importers (not part of the public API).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "model/observation.h"

namespace phaseout::imports::internal {

// Appends an observation unless `value` is empty.
void Observe(model::HostScan* host, std::string_view probe, uint16_t port, std::string key,
             std::string_view value);

// Records the source on `host`: the import.source observation and a note naming `where`.
void MarkSource(model::HostScan* host, const char* format_name, const std::string& where);

// True iff `text` is a textual IPv4 or IPv6 address (inet_pton).
bool IsIpAddress(std::string_view text);

// Sorts and de-duplicates host->open_ports.
void NormalisePorts(model::HostScan* host);

// kParse error "<format>: <where>: <message>".
Error ParseError(const char* format_name, const std::string& where, const std::string& message);

}  // namespace phaseout::imports::internal
