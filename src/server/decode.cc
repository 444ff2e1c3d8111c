// JSON request bodies and query numbers, decoded strictly: wrong types and unknown fields of
// the fixed-shape bodies are refused with the field named.
#include "server/decode.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <initializer_list>

namespace phaseout::server {
namespace {

using nlohmann::json;

Error Bad(std::string message) { return MakeError(ErrorCode::kInvalidArgument, std::move(message)); }

Result<json> Object(std::string_view body) {
  if (body.size() > (1u << 20)) return Bad("the JSON body is larger than 1 MiB");
  json j = json::parse(body.empty() ? std::string_view("{}") : body, nullptr, false);
  if (j.is_discarded()) return Bad("the body is not valid JSON");
  if (!j.is_object()) return Bad("the body must be a JSON object");
  return j;
}

Status OnlyKnown(const json& j, std::initializer_list<const char*> keys) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const char* k : keys) known = known || it.key() == k;
    if (!known) return Bad("unknown field '" + it.key() + "'");
  }
  return Status::Ok();
}

// *out = j[key] as a string when present and not null; error when of another type.
Status Str(const json& j, const char* key, std::string* out, bool required = false, size_t max = 4096) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return Bad(std::string("field '") + key + "' is required");
    return Status::Ok();
  }
  if (!it->is_string()) return Bad(std::string("field '") + key + "' must be a string");
  *out = it->get<std::string>();
  if (out->size() > max) return Bad(std::string("field '") + key + "' is longer than " + std::to_string(max) + " bytes");
  if (required && out->empty()) return Bad(std::string("field '") + key + "' must not be empty");
  return Status::Ok();
}

Status StrList(const json& j, const char* key, std::vector<std::string>* out, size_t max_items = 10000) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Bad(std::string("field '") + key + "' must be an array of strings");
  if (it->size() > max_items) return Bad(std::string("field '") + key + "' has too many items");
  for (const auto& v : *it) {
    if (!v.is_string()) return Bad(std::string("field '") + key + "' must be an array of strings");
    out->push_back(v.get<std::string>());
  }
  return Status::Ok();
}

Status Int(const json& j, const char* key, int64_t* out, int64_t min, int64_t max, bool required = false) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return Bad(std::string("field '") + key + "' is required");
    return Status::Ok();
  }
  if (!it->is_number_integer()) return Bad(std::string("field '") + key + "' must be an integer");
  int64_t v = it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                  ? INT64_MAX
                  : it->get<int64_t>();
  if (v < min || v > max) {
    return Bad(std::string("field '") + key + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  *out = v;
  return Status::Ok();
}

#define PO_DECODE(expr)              \
  do {                               \
    if (Status s_ = (expr); !s_.ok()) \
      return s_.error();             \
  } while (0)

}  // namespace

Result<int64_t> ParseInteger(std::string_view text, std::string_view name, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < min || v > max) {
    return Bad(std::string(name) + " must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return v;
}

Result<LoginBody> DecodeLogin(std::string_view body) {
  auto j = Object(body);
  if (!j) return j.error();
  LoginBody b;
  PO_DECODE(OnlyKnown(*j, {"user", "password"}));
  PO_DECODE(Str(*j, "user", &b.user, true, 64));
  PO_DECODE(Str(*j, "password", &b.password, true, 1024));
  return b;
}

Result<inventory::TransitionRequest> DecodeTransition(std::string_view body) {
  auto j = Object(body);
  if (!j) return j.error();
  PO_DECODE(OnlyKnown(*j, {"to", "note", "replacement_model", "target_date", "removed_by", "approver", "reason", "expiry"}));
  std::string to;
  PO_DECODE(Str(*j, "to", &to, true, 64));
  auto state = inventory::ParseDeviceState(to);
  if (!state) return Bad("field 'to': " + state.error().message);
  inventory::TransitionRequest r;
  r.to = *state;
  PO_DECODE(Str(*j, "note", &r.note));
  PO_DECODE(Str(*j, "replacement_model", &r.replacement_model, false, 256));
  PO_DECODE(Str(*j, "target_date", &r.target_date, false, 32));
  PO_DECODE(Str(*j, "removed_by", &r.removed_by, false, 256));
  PO_DECODE(Str(*j, "approver", &r.approver, false, 256));
  PO_DECODE(Str(*j, "reason", &r.reason));
  PO_DECODE(Str(*j, "expiry", &r.expiry, false, 32));
  return r;
}

Result<ScanStartBody> DecodeScanStart(std::string_view body) {
  auto j = Object(body);
  if (!j) return j.error();
  PO_DECODE(OnlyKnown(*j, {"scan_key", "site", "started_at", "rules_version", "scope", "source"}));
  ScanStartBody b;
  PO_DECODE(Str(*j, "scan_key", &b.scan_key, true, 200));
  PO_DECODE(Str(*j, "site", &b.site, true, 64));
  PO_DECODE(Str(*j, "started_at", &b.started_at, false, 64));
  PO_DECODE(Str(*j, "rules_version", &b.rules_version, false, 200));
  PO_DECODE(Str(*j, "source", &b.source, false, 200));
  PO_DECODE(StrList(*j, "scope", &b.scope));
  for (char c : b.scan_key) {
    if (static_cast<unsigned char>(c) < 0x21 || c == '/' || c == '\\' || c == '%' || c == '?' || c == '#') {
      return Bad("field 'scan_key' may hold no spaces, control characters or any of / \\ % ? #");
    }
  }
  return b;
}

Result<CompleteBody> DecodeComplete(std::string_view body) {
  auto j = Object(body);
  if (!j) return j.error();
  PO_DECODE(OnlyKnown(*j, {"records", "complete"}));
  CompleteBody b;
  PO_DECODE(Int(*j, "records", &b.records, 0, 100000000, true));
  auto it = j->find("complete");
  if (it != j->end() && !it->is_null()) {
    if (!it->is_boolean()) return Bad("field 'complete' must be true or false");
    b.complete = it->get<bool>();
  }
  return b;
}

Result<EnrolBody> DecodeEnrol(std::string_view body) {
  auto j = Object(body);
  if (!j) return j.error();
  PO_DECODE(OnlyKnown(*j, {"secret", "name"}));
  EnrolBody b;
  PO_DECODE(Str(*j, "secret", &b.secret, true, 200));
  PO_DECODE(Str(*j, "name", &b.name, false, 255));
  return b;
}

Result<SecretBody> DecodeSecret(std::string_view body) {
  auto j = Object(body);
  if (!j) return j.error();
  PO_DECODE(OnlyKnown(*j, {"sites", "expires_in_s"}));
  SecretBody b;
  PO_DECODE(StrList(*j, "sites", &b.sites, 1000));
  PO_DECODE(Int(*j, "expires_in_s", &b.expires_in_s, 1, 30 * 86400));
  if (b.sites.empty()) return Bad("field 'sites' must name at least one site");
  return b;
}

Result<UserBody> DecodeUser(std::string_view body) {
  auto j = Object(body);
  if (!j) return j.error();
  PO_DECODE(OnlyKnown(*j, {"name", "role", "password", "departments", "sites"}));
  UserBody b;
  PO_DECODE(Str(*j, "name", &b.name, true, 64));
  PO_DECODE(Str(*j, "role", &b.role, true, 32));
  PO_DECODE(Str(*j, "password", &b.password, true, 1024));
  PO_DECODE(StrList(*j, "departments", &b.departments, 1000));
  PO_DECODE(StrList(*j, "sites", &b.sites, 1000));
  return b;
}

Result<TokenBody> DecodeToken(std::string_view body) {
  auto j = Object(body);
  if (!j) return j.error();
  PO_DECODE(OnlyKnown(*j, {"label", "expires_in_s"}));
  TokenBody b;
  PO_DECODE(Str(*j, "label", &b.label, false, 200));
  PO_DECODE(Int(*j, "expires_in_s", &b.expires_in_s, 0, 400LL * 86400));
  return b;
}

std::vector<std::string> MissingRanges(const std::vector<int64_t>& stored_sorted, int64_t total) {
  std::vector<std::string> out;
  int64_t next = 1;
  auto gap = [&](int64_t from, int64_t to) {
    if (from > to) return;
    out.push_back(from == to ? std::to_string(from) : std::to_string(from) + "-" + std::to_string(to));
  };
  for (int64_t s : stored_sorted) {
    if (s > total) break;
    if (s < next) continue;
    gap(next, s - 1);
    next = s + 1;
    if (out.size() >= 1000) return out;
  }
  gap(next, total);
  return out;
}

}  // namespace phaseout::server
