// Decoders for the untrusted parts of requests: JSON bodies of the API and numeric query
// parameters. Pure functions over bytes (fuzz/server_decode_fuzz.cc drives them); each fails
// with kInvalidArgument naming the field that is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/lifecycle.h"

namespace phaseout::server {

// A decimal integer in [min, max] (digits only, optional leading '-'); `name` is used in the
// message.
Result<int64_t> ParseInteger(std::string_view text, std::string_view name, int64_t min, int64_t max);

struct LoginBody {
  std::string user, password;
};
Result<LoginBody> DecodeLogin(std::string_view body);

// POST /devices/{id}/transitions. The actor is the caller, never taken from the body.
Result<inventory::TransitionRequest> DecodeTransition(std::string_view body);

struct ScanStartBody {
  std::string scan_key, site, started_at, rules_version, source;
  std::vector<std::string> scope;  // CIDR blocks as sent (checked by the inventory's parser)
};
Result<ScanStartBody> DecodeScanStart(std::string_view body);

struct CompleteBody {
  int64_t records = 0;
  bool complete = true;
};
Result<CompleteBody> DecodeComplete(std::string_view body);

struct EnrolBody {
  std::string secret, name;
};
Result<EnrolBody> DecodeEnrol(std::string_view body);

struct SecretBody {
  std::vector<std::string> sites;
  int64_t expires_in_s = 86400;
};
Result<SecretBody> DecodeSecret(std::string_view body);

struct UserBody {
  std::string name, role, password;
  std::vector<std::string> departments, sites;
};
Result<UserBody> DecodeUser(std::string_view body);

struct TokenBody {
  std::string label;
  int64_t expires_in_s = 0;  // 0: never
};
Result<TokenBody> DecodeToken(std::string_view body);

// Missing seq ranges of [1, total] given the stored seqs (ascending, distinct): "3-7", "9".
std::vector<std::string> MissingRanges(const std::vector<int64_t>& stored_sorted, int64_t total);

}  // namespace phaseout::server
