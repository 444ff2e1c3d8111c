// Pure parser for WWW-Authenticate header values (RFC 9110 section 11.6.1): one header may
// carry several challenges, each a scheme plus comma-separated name=value parameters.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace phaseout::probes::common {

// One challenge, e.g. Digest with realm="IP Camera(C2183)". Value type.
struct AuthChallenge {
  std::string scheme;  // as sent, e.g. "Digest", "Basic"
  std::vector<std::pair<std::string, std::string>> params;  // names as sent; quoted values unescaped

  // Returns the first parameter named `name` (ASCII case-insensitive), or nullptr.
  const std::string* Param(std::string_view name) const;
};

// Parses every challenge in `value`. Lenient: quoted or bare values, missing or extra commas
// and blanks, an unterminated quote (runs to the end). Bounded: at most 16 challenges with at
// most 32 parameters each; values longer than 1024 bytes are cut. Never fails: returns an
// empty vector when nothing resembling a challenge is present.
std::vector<AuthChallenge> ParseAuthChallenges(std::string_view value);

}  // namespace phaseout::probes::common
