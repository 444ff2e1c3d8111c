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

#include "inventory/device_json.h"
#include "inventory/inventory.h"
#include "server/api.h"
#include "server/auth.h"
#include "server/decode.h"

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

// A handler of a route with a JSON body: `Decode` (decode.h) reads the body strictly; a body it
// refuses is answered 400 naming the problem, and `Handle` gets the decoded value. Used in the
// route table as WithBody<DecodeX, Handler>.
template <auto Decode, auto Handle>
HttpResponse WithBody(Call& call) {
  auto body = Decode(call.req.body);
  if (!body) return ErrorResponse(400, "bad_request", body.error().message);
  return Handle(call, *body);
}

// Query parameter `name` as an integer in [min, max] (`fallback` when absent); on a bad value
// the error names the parameter (answer it with BadRequest).
Result<int64_t> QueryInteger(const HttpRequest& req, std::string_view name, int64_t fallback, int64_t min,
                             int64_t max);
HttpResponse BadRequest(const Error& e);

// Parses the body as a JSON object; nullopt with *error set (400) otherwise.
std::optional<nlohmann::json> ParseJsonObject(const std::string& body, HttpResponse* error);

// JSON of inventory values (snake_case field names of the structs); devices: inventory::DeviceJson.
using inventory::DeviceJson;
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
  // The overview cache: the body kept for `key` if it is younger than the options allow and no
  // change went through this server since it was computed. Compute under OverviewLock (one
  // computation at a time, so concurrent misses do not all compute).
  static std::optional<std::string> CachedOverview(ApiState& impl, const std::string& key);
  static void StoreOverview(ApiState& impl, const std::string& key, std::string body, uint64_t generation);
  static uint64_t Generation(ApiState& impl);  // changes whenever a request changed something
  static std::mutex& OverviewLock(ApiState& impl);
};

}  // namespace phaseout::server
