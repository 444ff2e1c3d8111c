// Dispatch: rate limit, route matching, content types, authentication, authorisation, CSRF,
// the connection pool, security headers, metrics and the static web root.
#include "server/api.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/data_dir.h"
#include "core/json_dump.h"
#include "inventory/inventory.h"
#include "screening/list_import.h"
#include "screening/screener.h"
#include "screening/screening_context.h"
#include "server/api_internal.h"

namespace phaseout::server {

using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array<double, 11> kLatencyBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

// Matches `path` against `pattern` ("{name}" segments capture one segment).
bool MatchPattern(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                  std::vector<std::pair<std::string, std::string>>* params) {
  if (pattern.size() != path.size()) return false;
  params->clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (path[i].empty()) return false;
      params->emplace_back(p.substr(1, p.size() - 2), path[i]);
    } else if (p != path[i]) {
      return false;
    }
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The media type of a Content-Type header (lower-case, no parameters) and whether its charset,
// if any, is UTF-8.
std::string MediaType(const std::string& content_type, bool* charset_ok) {
  std::string ct = Lower(content_type);
  size_t semi = ct.find(';');
  std::string type = ct.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  *charset_ok = true;
  if (semi != std::string::npos) {
    size_t cs = ct.find("charset=", semi);
    if (cs != std::string::npos) {
      std::string v = ct.substr(cs + 8);
      v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
      size_t end = v.find_first_of("; ");
      v = v.substr(0, end);
      *charset_ok = v == "utf-8" || v == "utf8";
    }
  }
  return type;
}

bool BodyTypeAccepted(BodyKind kind, const std::string& type) {
  switch (kind) {
    case BodyKind::kNone: return true;
    case BodyKind::kJson: return type == "application/json";
    case BodyKind::kNdjson: return type == "application/x-ndjson";
    case BodyKind::kScreening: return type == "text/csv" || type == "application/x-ndjson";
    case BodyKind::kYaml: return type == "application/yaml" || type == "application/x-yaml" || type == "text/yaml";
  }
  return false;
}

const char* BodyTypeNames(BodyKind kind) {
  switch (kind) {
    case BodyKind::kNone: return "no body";
    case BodyKind::kJson: return "application/json";
    case BodyKind::kNdjson: return "application/x-ndjson";
    case BodyKind::kScreening: return "text/csv or application/x-ndjson";
    case BodyKind::kYaml: return "application/yaml";
  }
  return "";
}

std::string CookieValue(const std::string& cookie_header, std::string_view name) {
  size_t i = 0;
  while (i < cookie_header.size()) {
    while (i < cookie_header.size() && (cookie_header[i] == ' ' || cookie_header[i] == ';')) ++i;
    size_t end = cookie_header.find(';', i);
    if (end == std::string::npos) end = cookie_header.size();
    std::string_view item(cookie_header.data() + i, end - i);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return std::string(item.substr(eq + 1));
    i = end + 1;
  }
  return "";
}

const char* ContentTypeForFile(const std::string& ext) {
  static const std::map<std::string, const char*> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json; charset=utf-8"}};
  auto it = kTypes.find(Lower(ext));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

// A token bucket per client address. Thread-safe.
class RateLimiter {
 public:
  RateLimiter(double per_s, double burst) : per_s_(per_s), burst_(burst) {}
  // 0 iff a request from `addr` may go ahead now; otherwise the seconds to wait.
  int64_t Take(const std::string& addr) {
    if (per_s_ <= 0) return 0;
    std::lock_guard<std::mutex> lock(mu_);
    auto now = Clock::now();
    if (buckets_.size() > 100000) buckets_.clear();  // bounded memory under address churn
    auto [it, fresh] = buckets_.try_emplace(addr, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!fresh) {
      double dt = std::chrono::duration<double>(now - b.at).count();
      b.tokens = std::min(burst_, b.tokens + dt * per_s_);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - b.tokens) / per_s_)));
  }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;
  };
  double per_s_, burst_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}
std::string HttpRequest::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return "";
}
bool HttpRequest::HasQuery(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return true;
  }
  return false;
}

// Brings the inventory's text search table up to date (PostgreSQL; Inventory::
// RefreshSearchIndex) on a thread of its own, so that no answer waits for it: a request that
// changed something only wakes it, and it starts once no change has come for `quiet` (an
// agent pushes a scan's chunks back to back; refreshing between them would take the CPU the
// ingest runs on), or `quiet` x 30 after the first change under a steady stream of them. It
// also looks every few seconds, for changes made by other processes (the CLI, another
// server). Searches are right meanwhile, only slower for the devices not yet refreshed. Its
// own connection, opened when first needed and again after a failure.
class SearchRefresher {
 public:
  SearchRefresher(std::string db, std::chrono::milliseconds quiet, std::function<void(const std::string&)> log)
      : db_(std::move(db)), quiet_(quiet), log_(std::move(log)), thread_([this] { Run(); }) {}
  ~SearchRefresher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  SearchRefresher(const SearchRefresher&) = delete;
  SearchRefresher& operator=(const SearchRefresher&) = delete;

  void Wake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      due_ = true;
      last_wake_ = Clock::now();
    }
    cv_.notify_one();
  }
  std::atomic<int64_t> devices{0}, failures{0};  // devices refreshed; refreshes that failed

 private:
  void Run() {
    std::unique_ptr<inventory::Inventory> inv;
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::seconds(5), [this] { return stop_ || due_; });
      auto latest = Clock::now() + 30 * quiet_;
      while (due_ && !stop_ && Clock::now() < std::min(last_wake_ + quiet_, latest)) {
        cv_.wait_until(lock, std::min(last_wake_ + quiet_, latest), [this] { return stop_; });
      }
      if (stop_) break;
      due_ = false;
      lock.unlock();
      Result<int64_t> n = MakeError(ErrorCode::kIo, "no connection");
      if (!inv) {
        inventory::InventoryOptions o;
        o.refresh_search_on_commit = false;
        auto opened = inventory::Inventory::Open(db_, o);
        if (opened) {
          inv = std::move(*opened);
        } else {
          n = opened.error();
        }
      }
      if (inv) n = inv->RefreshSearchIndex();
      if (n) {
        devices += *n;
        failing_ = false;
      } else {
        ++failures;
        inv.reset();
        if (!failing_ && log_) {
          log_("text search table not brought up to date (searches stay right, slower; tried again): " +
               n.error().message);
        }
        failing_ = true;
      }
      lock.lock();
    }
  }

  std::string db_;
  std::chrono::milliseconds quiet_;
  std::function<void(const std::string&)> log_;
  bool failing_ = false;  // the last refresh failed (its failure was said)
  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false, stop_ = false;
  Clock::time_point last_wake_;
  std::thread thread_;  // last: starts once the members above exist
};

struct ApiState {
  ServerOptions options;
  std::unique_ptr<screening::ScreeningContext> knowledge;
  std::mutex screeners_mu;
  std::map<std::string, std::shared_ptr<const screening::Screener>> screeners;
  std::vector<screening::ListEntity> list_entities;

  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<inventory::Inventory>> idle;
  int in_use = 0;      // connections handed out by Acquire
  int64_t pool_waits = 0;  // requests that waited for a connection

  std::unique_ptr<RateLimiter> rate = std::make_unique<RateLimiter>(0, 0);

  // Login failures: per key (user or address), the times of recent failures.
  std::mutex login_mu;
  std::map<std::string, std::vector<int64_t>> login_failures;

  // Overview cache (see ServerOptions::overview_cache_s).
  std::atomic<uint64_t> generation{0};
  std::mutex overview_compute_mu, overview_mu;
  struct CachedBody {
    Clock::time_point at;
    uint64_t generation;
    std::string body;
  };
  std::map<std::string, CachedBody> overviews;

  // Metrics.
  std::mutex metrics_mu;
  std::map<std::pair<std::string, int>, uint64_t> requests;  // (route, status)
  std::array<uint64_t, kLatencyBuckets.size()> latency_buckets{};
  uint64_t latency_count = 0;
  double latency_sum = 0;
  std::atomic<int64_t> ingest_stored{0}, ingest_duplicates{0}, ingest_chunks{0};

  // PostgreSQL only; last, so that it stops before anything else goes.
  std::unique_ptr<SearchRefresher> search_refresher;

  // A database connection for one request: an idle one, or a new one while fewer than
  // options.pool_size are in use; else the request waits for one (at most 30 s, then the
  // database counts as unavailable). Request threads outnumber connections: a thread also
  // waits on its kept-alive client between requests, which holds no connection.
  Result<std::unique_ptr<inventory::Inventory>> Acquire() {
    std::unique_lock<std::mutex> lock(pool_mu);
    int limit = std::max(options.pool_size, 1);
    if (in_use >= limit) ++pool_waits;
    if (!pool_cv.wait_for(lock, std::chrono::seconds(30), [&] { return in_use < limit; })) {
      return MakeError(ErrorCode::kIo, "all " + std::to_string(limit) + " database connections stayed busy for 30 s");
    }
    ++in_use;
    if (!idle.empty()) {
      auto inv = std::move(idle.back());
      idle.pop_back();
      return inv;
    }
    lock.unlock();
    inventory::InventoryOptions o;
    o.refresh_search_on_commit = !search_refresher;  // else refreshed after the answer
    auto opened = inventory::Inventory::Open(options.db, o);
    if (!opened) Release(nullptr, true);
    return opened;
  }
  // Gives back what Acquire gave (a broken connection is closed; nullptr: none was opened).
  void Release(std::unique_ptr<inventory::Inventory> inv, bool broken) {
    {
      std::lock_guard<std::mutex> lock(pool_mu);
      --in_use;
      if (inv && !broken) idle.push_back(std::move(inv));
    }
    pool_cv.notify_one();
  }

  int64_t NowS() const {
    if (options.auth.now_s) return options.auth.now_s();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  void Record(const std::string& route, int status, double seconds) {
    std::lock_guard<std::mutex> lock(metrics_mu);
    ++requests[{route, status}];
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      if (seconds <= kLatencyBuckets[i]) ++latency_buckets[i];
    }
    ++latency_count;
    latency_sum += seconds;
  }

  std::string Metrics() {
    std::ostringstream out;
    std::lock_guard<std::mutex> lock(metrics_mu);
    out << "# HELP phaseout_http_requests_total HTTP requests by route pattern and status.\n"
        << "# TYPE phaseout_http_requests_total counter\n";
    for (const auto& [key, n] : requests) {
      out << "phaseout_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n
          << "\n";
    }
    out << "# HELP phaseout_http_request_duration_seconds Time to answer a request.\n"
        << "# TYPE phaseout_http_request_duration_seconds histogram\n";
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      out << "phaseout_http_request_duration_seconds_bucket{le=\"" << kLatencyBuckets[i] << "\"} "
          << latency_buckets[i] << "\n";
    }
    out << "phaseout_http_request_duration_seconds_bucket{le=\"+Inf\"} " << latency_count << "\n"
        << "phaseout_http_request_duration_seconds_sum " << latency_sum << "\n"
        << "phaseout_http_request_duration_seconds_count " << latency_count << "\n";
    out << "# HELP phaseout_ingest_records_total Scan records stored by ingest.\n"
        << "# TYPE phaseout_ingest_records_total counter\n"
        << "phaseout_ingest_records_total " << ingest_stored.load() << "\n"
        << "# HELP phaseout_ingest_duplicates_total Scan records received again and skipped.\n"
        << "# TYPE phaseout_ingest_duplicates_total counter\n"
        << "phaseout_ingest_duplicates_total " << ingest_duplicates.load() << "\n"
        << "# HELP phaseout_ingest_chunks_total Record chunks accepted.\n"
        << "# TYPE phaseout_ingest_chunks_total counter\n"
        << "phaseout_ingest_chunks_total " << ingest_chunks.load() << "\n";
    {
      std::lock_guard<std::mutex> pool(pool_mu);
      out << "# HELP phaseout_db_connections_open Database connections open for requests (idle or in use).\n"
          << "# TYPE phaseout_db_connections_open gauge\n"
          << "phaseout_db_connections_open " << idle.size() + static_cast<size_t>(in_use) << "\n"
          << "# HELP phaseout_db_connection_waits_total Requests that waited for a free database connection.\n"
          << "# TYPE phaseout_db_connection_waits_total counter\n"
          << "phaseout_db_connection_waits_total " << pool_waits << "\n";
    }
    if (search_refresher) {
      out << "# HELP phaseout_search_refreshed_devices_total Devices whose search text was brought up to date.\n"
          << "# TYPE phaseout_search_refreshed_devices_total counter\n"
          << "phaseout_search_refreshed_devices_total " << search_refresher->devices.load() << "\n"
          << "# HELP phaseout_search_refresh_failures_total Search table refreshes that failed (retried).\n"
          << "# TYPE phaseout_search_refresh_failures_total counter\n"
          << "phaseout_search_refresh_failures_total " << search_refresher->failures.load() << "\n";
    }
    return out.str();
  }

  HttpResponse Static(const HttpRequest& req);
  HttpResponse Dispatch(const HttpRequest& req, std::string* route_label);
};

void CountIngest(ApiState& impl, int64_t stored, int64_t duplicates) {
  impl.ingest_stored += stored;
  impl.ingest_duplicates += duplicates;
  ++impl.ingest_chunks;
}

const ServerOptions& ImplAccess::Options(ApiState& impl) { return impl.options; }
const screening::ScreeningContext* ImplAccess::Knowledge(ApiState& impl) { return impl.knowledge.get(); }

Result<std::shared_ptr<const screening::Screener>> ImplAccess::ScreenerFor(ApiState& impl,
                                                                          const std::vector<std::string>& policies) {
  std::string key;
  for (const auto& p : policies) key += p + ",";
  std::lock_guard<std::mutex> lock(impl.screeners_mu);
  auto it = impl.screeners.find(key);
  if (it != impl.screeners.end()) return it->second;
  auto selected = impl.knowledge->policies->Select(policies);
  if (!selected) return selected.error();
  auto screener = screening::Screener::Create(*impl.knowledge->policies, *selected, impl.knowledge->data,
                                              impl.list_entities);
  if (!screener) return screener.error();
  std::shared_ptr<const screening::Screener> shared(std::move(*screener));
  if (impl.screeners.size() < 64) impl.screeners[key] = shared;
  return shared;
}

int64_t ImplAccess::LoginRetryAfter(ApiState& impl, const std::string& user, const std::string& addr) {
  int64_t now = impl.NowS();
  std::lock_guard<std::mutex> lock(impl.login_mu);
  int64_t wait = 0;
  auto check = [&](const std::string& key, int limit) {
    auto it = impl.login_failures.find(key);
    if (it == impl.login_failures.end()) return;
    auto& times = it->second;
    std::erase_if(times, [&](int64_t t) { return now - t >= impl.options.login_window_s; });
    if (static_cast<int>(times.size()) >= limit) {
      wait = std::max(wait, times.front() + impl.options.login_window_s - now);
    }
  };
  check("u:" + user, impl.options.login_failures_per_user);
  check("a:" + addr, impl.options.login_failures_per_addr);
  return wait;
}

void ImplAccess::LoginFailed(ApiState& impl, const std::string& user, const std::string& addr) {
  int64_t now = impl.NowS();
  std::lock_guard<std::mutex> lock(impl.login_mu);
  if (impl.login_failures.size() > 100000) impl.login_failures.clear();
  impl.login_failures["u:" + user].push_back(now);
  impl.login_failures["a:" + addr].push_back(now);
}

void ImplAccess::LoginSucceeded(ApiState& impl, const std::string& user) {
  std::lock_guard<std::mutex> lock(impl.login_mu);
  impl.login_failures.erase("u:" + user);
}

std::optional<std::string> ImplAccess::CachedOverview(ApiState& impl, const std::string& key) {
  if (impl.options.overview_cache_s <= 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(impl.overview_mu);
  auto it = impl.overviews.find(key);
  if (it == impl.overviews.end()) return std::nullopt;
  if (it->second.generation != impl.generation.load() ||
      Clock::now() - it->second.at > std::chrono::seconds(impl.options.overview_cache_s)) {
    impl.overviews.erase(it);
    return std::nullopt;
  }
  return it->second.body;
}

void ImplAccess::StoreOverview(ApiState& impl, const std::string& key, std::string body, uint64_t generation) {
  if (impl.options.overview_cache_s <= 0) return;
  std::lock_guard<std::mutex> lock(impl.overview_mu);
  if (impl.overviews.size() >= 256) impl.overviews.clear();  // bounded: one entry per policy and scope
  impl.overviews[key] = {Clock::now(), generation, std::move(body)};
}

uint64_t ImplAccess::Generation(ApiState& impl) { return impl.generation.load(); }
std::mutex& ImplAccess::OverviewLock(ApiState& impl) { return impl.overview_compute_mu; }

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.status = status;
  json j = {{"error", {{"code", code}, {"message", message}}}};
  r.body = DumpJson(j);
  return r;
}

HttpResponse Json(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = DumpJson(body);
  return r;
}

HttpResponse FromError(Call& call, const Error& e) {
  switch (e.code) {
    case ErrorCode::kNotFound: return ErrorResponse(404, "not_found", e.message);
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kParse: return ErrorResponse(400, "bad_request", e.message);
    case ErrorCode::kLimit: return ErrorResponse(413, "too_large", e.message);
    case ErrorCode::kIo:
    case ErrorCode::kTimeout:
      call.connection_broken = true;
      return ErrorResponse(503, "unavailable", "the database is unavailable; nothing was stored (" + e.message + ")");
    case ErrorCode::kInternal: break;
  }
  return ErrorResponse(500, "internal", e.message);
}

Result<int64_t> QueryInteger(const HttpRequest& req, std::string_view name, int64_t fallback, int64_t min,
                             int64_t max) {
  if (!req.HasQuery(name)) return fallback;
  return ParseInteger(req.Query(name), name, min, max);
}

HttpResponse BadRequest(const Error& e) { return ErrorResponse(400, "bad_request", e.message); }

std::optional<json> ParseJsonObject(const std::string& body, HttpResponse* error) {
  json j = json::parse(body.empty() ? std::string("{}") : body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = ErrorResponse(400, "bad_request", "the body is not a JSON object");
    return std::nullopt;
  }
  return j;
}

std::string Call::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

Result<std::optional<std::vector<std::string>>> Call::SiteScope() {
  if (scope_cache) return *scope_cache;
  std::optional<std::vector<std::string>> scope;
  if (who.role != Role::kAdmin && who.role != Role::kProgramme) {
    std::vector<std::string> sites;
    if (who.role == Role::kOfficer || who.role == Role::kSite) sites = who.sites;
    if (who.role == Role::kAgent) sites = who.sites;
    if ((who.role == Role::kOfficer || who.role == Role::kSite) && !who.departments.empty()) {
      auto all = inv->ListSites();
      if (!all) return all.error();
      for (const auto& s : *all) {
        if (std::find(who.departments.begin(), who.departments.end(), s.department) != who.departments.end()) {
          sites.push_back(s.id);
        }
      }
    }
    std::sort(sites.begin(), sites.end());
    sites.erase(std::unique(sites.begin(), sites.end()), sites.end());
    scope = std::move(sites);
  }
  scope_cache = scope;
  return scope;
}

Result<bool> Call::InScope(const std::string& site) {
  auto scope = SiteScope();
  if (!scope) return scope.error();
  if (!*scope) return true;
  return std::binary_search((*scope)->begin(), (*scope)->end(), site);
}

HttpResponse ApiState::Static(const HttpRequest& req) {
  if (options.web_root.empty()) return ErrorResponse(404, "not_found", "no such resource");
  std::string rel = req.path;
  if (rel.empty() || rel == "/") rel = "/index.html";
  // Refuse anything that is not a plain relative path: dot segments (., .., hidden files),
  // backslashes and NUL bytes never reach the file system.
  for (const auto& seg : SplitPath(rel)) {
    if (seg.empty() || seg[0] == '.' || seg.find('\\') != std::string::npos || seg.find('\0') != std::string::npos) {
      return ErrorResponse(404, "not_found", "no such file");
    }
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root = fs::canonical(options.web_root, ec);
  if (ec) return ErrorResponse(404, "not_found", "no such file");
  fs::path file = fs::weakly_canonical(root / rel.substr(1), ec);
  if (ec) return ErrorResponse(404, "not_found", "no such file");
  // A symbolic link may not lead out of the web root either.
  auto [r_end, f_it] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  if (r_end != root.end() || !fs::is_regular_file(file, ec)) return ErrorResponse(404, "not_found", "no such file");
  std::ifstream in(file, std::ios::binary);
  if (!in) return ErrorResponse(404, "not_found", "no such file");
  std::ostringstream data;
  data << in.rdbuf();
  HttpResponse r;
  r.content_type = ContentTypeForFile(file.extension().string());
  r.body = data.str();
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

HttpResponse ApiState::Dispatch(const HttpRequest& req, std::string* route_label) {
  if (int64_t wait = rate->Take(req.remote_addr); wait > 0) {
    *route_label = "rate_limited";
    HttpResponse r = ErrorResponse(429, "rate_limited", "too many requests from this address; slow down");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  if (req.body.size() > options.max_body_bytes) {
    *route_label = "too_large";
    return ErrorResponse(413, "too_large", "the request body exceeds " + std::to_string(options.max_body_bytes) + " bytes");
  }
  std::vector<std::string> path = SplitPath(req.path);
  std::vector<std::pair<std::string, std::string>> params;
  const Route* route = nullptr;
  std::vector<std::string> allowed;
  for (const Route& r : RouteTable()) {
    if (!MatchPattern(SplitPath(r.pattern), path, &params)) continue;
    if (req.method == r.method || (req.method == "HEAD" && std::string_view(r.method) == "GET")) {
      route = &r;
      break;
    }
    allowed.push_back(r.method);
  }
  if (route == nullptr) {
    bool api = !path.empty() && path[0] == "api";
    if (!allowed.empty()) {
      *route_label = "method_not_allowed";
      HttpResponse r = ErrorResponse(405, "method_not_allowed", "method " + req.method + " is not allowed here");
      std::string allow;
      for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    if (!api && (req.method == "GET" || req.method == "HEAD")) {
      *route_label = "static";
      return Static(req);
    }
    *route_label = "unmatched";
    return ErrorResponse(404, "not_found", "no such resource: " + req.path);
  }
  // Re-match to fill params of the chosen route.
  (void)MatchPattern(SplitPath(route->pattern), path, &params);
  *route_label = route->pattern;

  if (route->body != BodyKind::kNone && !req.body.empty()) {
    bool charset_ok = true;
    std::string type = MediaType(req.Header("content-type"), &charset_ok);
    if (!BodyTypeAccepted(route->body, type) || !charset_ok) {
      return ErrorResponse(415, "unsupported_media_type",
                           std::string("this resource takes ") + BodyTypeNames(route->body) + " (UTF-8), not '" +
                               req.Header("content-type") + "'");
    }
  }

  auto inv = Acquire();
  if (!inv) {
    return ErrorResponse(503, "unavailable", "the database is unavailable: " + inv.error().message);
  }
  AuthStore auth((*inv)->store(), options.auth);
  Call call{*this, req, params, {}, inv->get(), &auth, /*connection_broken=*/false, /*scope_cache=*/{}};
  HttpResponse response;
  [&] {
    if (route->roles != kPublic) {
      std::string authz = req.Header("authorization");
      Result<Principal> who = MakeError(ErrorCode::kNotFound, "");
      bool presented = false;
      if (!authz.empty()) {
        presented = true;
        if (Lower(authz.substr(0, 7)) != "bearer ") {
          response = ErrorResponse(401, "unauthenticated", "Authorization must be 'Bearer <token>'");
          return;
        }
        who = auth.BearerPrincipal(authz.substr(7));
      } else {
        std::string sid = CookieValue(req.Header("cookie"), "phaseout_session");
        if (!sid.empty()) {
          presented = true;
          who = auth.SessionPrincipal(sid);
        }
      }
      if (!who) {
        if (who.error().code == ErrorCode::kIo) {
          response = FromError(call, who.error());
        } else {
          response = ErrorResponse(401, "unauthenticated",
                                   presented ? who.error().message : "log in first (session cookie or bearer token)");
        }
        return;
      }
      call.who = std::move(*who);
      if ((route->roles & RoleBit(call.who.role)) == 0) {
        response = ErrorResponse(403, "forbidden", std::string("role ") + RoleName(call.who.role) +
                                                       " may not " + req.method + " " + route->pattern);
        return;
      }
      bool changes = req.method != "GET" && req.method != "HEAD";
      if (changes && call.who.via == Credential::kSession &&
          !ConstantTimeEquals(req.Header("x-csrf-token"), call.who.csrf)) {
        response = ErrorResponse(403, "forbidden", "missing or wrong X-CSRF-Token header (CSRF protection)");
        return;
      }
    }
    response = route->handler(call);
    // Anything that may have changed stored data makes cached aggregates stale.
    if (std::string_view(route->method) != "GET" && response.status < 400) ++generation;
  }();
  Release(std::move(*inv), call.connection_broken);
  return response;
}

Api::Api() : impl_(std::make_unique<ApiState>()) {}
Api::~Api() = default;

Result<std::unique_ptr<Api>> Api::Create(const ServerOptions& options) {
  std::unique_ptr<Api> api(new Api());
  ApiState& impl = *api->impl_;
  impl.options = options;
  impl.rate = std::make_unique<RateLimiter>(options.rate_per_s, options.rate_burst);
  if (impl.options.db.empty()) impl.options.db = inventory::DefaultStoreLocation();
  auto inv = inventory::Inventory::Open(impl.options.db);
  if (!inv) return inv.error();
  if (Status s = MigrateServerTables((*inv)->store()); !s.ok()) return s.error();
  if ((*inv)->store().dialect() == inventory::Dialect::kPostgres) {
    // Whatever an earlier run left queued is refreshed at once. The connection that migrated
    // refreshes on commit: it is closed, and the pool opens its own when asked.
    impl.search_refresher = std::make_unique<SearchRefresher>(
        impl.options.db, std::chrono::milliseconds(impl.options.search_refresh_quiet_ms), impl.options.log);
    impl.search_refresher->Wake();
  } else {
    impl.idle.push_back(std::move(*inv));
  }
  auto ctx = screening::ScreeningContext::Load(options.data_dir);
  if (!ctx) return ctx.error();
  impl.knowledge = std::make_unique<screening::ScreeningContext>(std::move(*ctx));
  if (auto root = screening::ListsRoot()) {
    std::vector<std::string> ids;
    for (const auto& p : impl.knowledge->policies->policies()) ids.push_back(p.id);
    auto loaded = screening::LoadStoredLists(*root, ids);
    if (loaded) impl.list_entities = std::move(*loaded);
  }
  return api;
}

HttpResponse Api::Handle(const HttpRequest& request) {
  auto start = Clock::now();
  std::string label;
  HttpResponse r;
  if (request.method == "GET" && request.path == "/metrics") {
    label = "/metrics";
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = impl_->Metrics();
  } else {
    r = impl_->Dispatch(request, &label);
    // A change may have queued devices for the search table.
    if (impl_->search_refresher && request.method != "GET" && request.method != "HEAD" && r.status < 300) {
      impl_->search_refresher->Wake();
    }
  }
  bool api = request.path.rfind("/api/", 0) == 0 || request.path == "/healthz" || request.path == "/metrics";
  auto& h = r.headers;
  h.emplace_back("Content-Security-Policy",
                 "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("X-Frame-Options", "DENY");
  h.emplace_back("Referrer-Policy", "no-referrer");
  if (impl_->options.tls) h.emplace_back("Strict-Transport-Security", "max-age=31536000");
  if (api || r.status >= 400) {
    std::erase_if(h, [](const auto& kv) { return kv.first == "Cache-Control"; });
    h.emplace_back("Cache-Control", "no-store");
  }
  impl_->Record(label, r.status, std::chrono::duration<double>(Clock::now() - start).count());
  return r;
}

std::vector<RouteInfo> Api::Routes() {
  std::vector<RouteInfo> out;
  for (const Route& r : RouteTable()) {
    RouteInfo info{r.method, r.pattern, {}};
    for (int i = 0; i < kRoleCount; ++i) {
      if (r.roles & (1u << i)) info.roles.push_back(RoleName(static_cast<Role>(i)));
    }
    out.push_back(std::move(info));
  }
  out.push_back({"GET", "/metrics", {}});
  return out;
}

}  // namespace phaseout::server
