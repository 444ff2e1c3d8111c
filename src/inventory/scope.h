// Address scopes of a site: IPv4/IPv6 CIDR blocks, and whether an address falls inside them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::inventory {

// One CIDR block ("192.0.2.0/24", "2001:db8::/32", or a single address). Value type.
struct Cidr {
  std::array<uint8_t, 16> addr{};  // IPv4 mapped into the last 4 bytes
  bool v6 = false;
  int prefix = 0;                  // 0..32 (v4) or 0..128 (v6)

  // Parses "ADDR" or "ADDR/LEN"; kInvalidArgument naming the text otherwise.
  static Result<Cidr> Parse(std::string_view text);
  // True iff `ip` (textual address) lies in this block; false for unparsable text.
  bool Contains(std::string_view ip) const;
  // True iff every address of `inner` lies in this block.
  bool Covers(const Cidr& inner) const;
  std::string ToString() const;
};

// True iff `ip` lies in any block of `scopes`.
bool ScopeContains(const std::vector<Cidr>& scopes, std::string_view ip);
// Parses a space- or comma-separated list of blocks.
Result<std::vector<Cidr>> ParseScopeList(std::string_view text);
std::string ScopeListToString(const std::vector<Cidr>& scopes);

}  // namespace phaseout::inventory
