// Pieces shared by the API's translation units (route handlers, dispatch): the per-request
// call context, the route table entry, JSON helpers. Not part of the module's public API.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/inventory.h"
#include "server/api.h"
#include "server/auth.h"

namespace phaseout::screening {
struct ScreeningContext;
class Screener;
}  // namespace phaseout::screening

namespace phaseout::server {

inline uint32_t RoleBit(Role r) { return 1u << static_cast<int>(r); }
inline constexpr uint32_t kPublic = 0;
inline constexpr uint32_t kAnyUser = (1u << 5) - 1;  // every role but agent
inline constexpr uint32_t kAdmin = 1u << 0, kProgramme = 1u << 1, kOfficer = 1u << 2, kSiteRole = 1u << 3,
                          kProcurement = 1u << 4, kAgent = 1u << 5;
inline constexpr uint32_t kReaders = kAdmin | kProgramme | kOfficer | kSiteRole;

// What a route accepts as a request body.
enum class BodyKind { kNone, kJson, kNdjson, kScreening, kYaml };

struct ApiState;
struct Call;
using Handler = HttpResponse (*)(Call&);

struct Route {
  const char* method;
  const char* pattern;
  uint32_t roles;  // kPublic: no authentication
  BodyKind body;
  Handler handler;
};

// The route table (api_routes.cc): the one list dispatch and Routes() read.
const std::vector<Route>& RouteTable();

// Everything one request's handler needs. Not thread-safe; lives for one request.
struct Call {
  ApiState& impl;
  const HttpRequest& req;
  std::vector<std::pair<std::string, std::string>> params;  // from the pattern's {name}s
  Principal who;                                            // the caller (empty for public routes)
  inventory::Inventory* inv = nullptr;
  AuthStore* auth = nullptr;
  bool connection_broken = false;  // set on a database error: the connection is not reused
  std::optional<std::optional<std::vector<std::string>>> scope_cache;

  std::string Param(std::string_view name) const;
  // The site ids the caller may see: nullopt = all (admin, programme); otherwise the sites of
  // its departments plus its sites (agents: bound sites). On a database error, the error.
  Result<std::optional<std::vector<std::string>>> SiteScope();
  // True iff the caller may see site `site`.
  Result<bool> InScope(const std::string& site);
};

// Error responses. FromError maps library errors: kNotFound 404, kInvalidArgument/kParse 400,
// kLimit 413, kIo 503 (and marks the connection broken), others 500.
HttpResponse FromError(Call& call, const Error& e);
HttpResponse Json(int status, const nlohmann::json& body);

// Parses the body as a JSON object; nullopt with *error set (400) otherwise.
std::optional<nlohmann::json> ParseJsonObject(const std::string& body, HttpResponse* error);

// JSON of inventory values (snake_case field names of the structs).
nlohmann::json DeviceJson(const inventory::DeviceRecord& d);
nlohmann::json SiteJson(const inventory::Site& s);
nlohmann::json AuditJson(const inventory::AuditEntry& e);
nlohmann::json EventJson(const inventory::Event& e);

// Counters for /metrics.
void CountIngest(ApiState& impl, int64_t stored, int64_t duplicates);

// Shared state of the API (api.cc).
struct ImplAccess {
  static const ServerOptions& Options(ApiState& impl);
  static const screening::ScreeningContext* Knowledge(ApiState& impl);
  // A screener for `policies` (ids, in order; empty = all), built once and kept.
  static Result<std::shared_ptr<const screening::Screener>> ScreenerFor(ApiState& impl,
                                                                       const std::vector<std::string>& policies);
  // Login attempt accounting: RetryAfter > 0 iff the user or address is locked out now.
  static int64_t LoginRetryAfter(ApiState& impl, const std::string& user, const std::string& addr);
  static void LoginFailed(ApiState& impl, const std::string& user, const std::string& addr);
  static void LoginSucceeded(ApiState& impl, const std::string& user);
};

}  // namespace phaseout::server
