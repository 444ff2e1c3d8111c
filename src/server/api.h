// The server's API as a function from request to response, independent of the HTTP library:
// the route table (method, path pattern, roles, handler) that dispatch and the OpenAPI check
// both read, authentication and authorisation, limits, security headers and the static web
// root. http_server.h puts it on a socket; tests call Handle directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "server/auth.h"

namespace phaseout::server {

struct ApiState;

// One HTTP request as the API sees it. Header names are lower-case. Value type.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path, without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_addr;
  bool tls = false;

  // The first value of header `name` (lower-case), or "".
  std::string Header(std::string_view name) const;
  // The first value of query parameter `name`, or "".
  std::string Query(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct ServerOptions {
  std::string db;        // inventory location (SQLite path or postgresql://...)
  std::string web_root;  // static files; "" serves none
  std::string data_dir;  // phaseout data (policies, vendors, screening); "" finds it
  bool tls = false;      // responses carry HSTS and the cookie is Secure
  size_t max_body_bytes = 8u << 20;
  int max_chunk_lines = 5000;
  // Lines of one screening upload (a CSV header counts); more is 413 (the answer holds a
  // result per line, so it stays a few MiB).
  int max_screening_lines = 20000;
  // The overview (a whole-inventory aggregate) is answered from memory for this long after it
  // was computed, unless a change went through this server since; 0 computes every time.
  int overview_cache_s = 30;
  // Database connections open at most (one per request being answered; more requests wait).
  int pool_size = 4;
  // PostgreSQL: the text search table is brought up to date once no change has come through
  // this server for this long (and at the latest 30 times as long after a change).
  int search_refresh_quiet_ms = 1000;
  // Where the server tells what no request answers: a failed background refresh of the search
  // table (said once until a refresh succeeds again). Called from any thread; none: silent.
  std::function<void(const std::string&)> log;
  // Per client address: a token bucket of `rate_burst` requests refilled at `rate_per_s`;
  // 0 disables the limit.
  double rate_per_s = 500;
  double rate_burst = 1000;
  // Failed logins allowed per user name and per client address in login_window_s.
  int login_failures_per_user = 5;
  int login_failures_per_addr = 20;
  int64_t login_window_s = 900;
  AuthOptions auth;
};

// A route of the table, as published for documentation checks.
struct RouteInfo {
  std::string method;   // GET, POST, PUT, DELETE
  std::string pattern;  // "/api/v1/devices/{id}"
  std::vector<std::string> roles;  // empty: no authentication needed
};

// Thread-safe: Handle may be called from many threads at once; each call takes a database
// connection from a pool (one Inventory per connection: the inventory is not thread-safe).
class Api {
 public:
  // Opens the database once (creating and migrating the inventory and the server tables) and
  // loads the policies. Fails with kIo (database unreachable) or kInvalidArgument.
  static Result<std::unique_ptr<Api>> Create(const ServerOptions& options);
  ~Api();
  Api(const Api&) = delete;  // owns connections and counters
  Api& operator=(const Api&) = delete;

  HttpResponse Handle(const HttpRequest& request);

  // Every route of the table (the OpenAPI document must match it).
  static std::vector<RouteInfo> Routes();

 private:
  Api();
  std::unique_ptr<ApiState> impl_;
};

// The JSON error body {"error": {"code", "message"}}.
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message);

}  // namespace phaseout::server
