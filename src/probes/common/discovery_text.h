// Small pure helpers shared by the discovery parsers (SADP, DHIP, ONVIF, SSDP, mDNS): bounded
// XML parsing without DTDs or entity expansion, MAC normalisation, URL decoding, a JSON nesting
// check that runs before any JSON parser sees the bytes, and value bounding.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace phaseout::probes::common {

// Longest value kept for one discovery field (model, serial, scope, ...). Real values are
// < 200 bytes; longer ones are cut so a hostile reply can not grow a scan result.
inline constexpr size_t kMaxDiscoveryValue = 1024;
// Deepest XML or JSON nesting a discovery reply may have. Real replies nest <= 8 levels
// (SOAP Envelope/Body/ProbeMatches/ProbeMatch/EndpointReference/Address); deeper input is
// refused before a DOM is built, so nesting bombs cost O(bytes) once.
inline constexpr int kMaxNestingDepth = 32;

// `value` trimmed and cut to kMaxDiscoveryValue bytes (bytes kept verbatim otherwise).
std::string BoundValue(std::string_view value);

// The part of an XML qualified name after the last ':' ("wsdd:Scopes" -> "Scopes").
std::string_view XmlLocalName(std::string_view qualified);

// Deepest element nesting of `xml` counted from tags ("<a><b/></a>" -> 2), scanning bytes only.
// Stops counting (returns > max_depth) as soon as max_depth is exceeded. Comments, CDATA and
// declarations are skipped. Pure, O(n).
int XmlNestingDepth(std::string_view xml, int max_depth = kMaxNestingDepth);

// Deepest [ / { nesting of `json` outside strings; stops early past max_depth. Pure, O(n).
int JsonNestingDepth(std::string_view json, int max_depth = kMaxNestingDepth);

// "58-50-ED-1F-E3-85", "58:50:ed:1f:e3:85", "5850ed1fe385" -> "58:50:ed:1f:e3:85".
// Returns "" unless the input is exactly 12 hex digits with consistent ':' / '-' / no separators.
std::string NormalizeMac(std::string_view text);

// Percent-decoding (RFC 3986 section 2.1) as ONVIF scopes use it ("HIKVISION%20DS-2CD").
// Malformed escapes are kept verbatim.
std::string PercentDecode(std::string_view text);

}  // namespace phaseout::probes::common

namespace phaseout::probes::common {

// "8-4-4-4-12" upper-case hex text of a version-4 UUID made from two random words.
std::string FormatUuid4(unsigned long long hi, unsigned long long lo, bool upper);
// A fresh random version-4 UUID (std::random_device); for request message ids only.
std::string RandomUuid4(bool upper);

}  // namespace phaseout::probes::common
