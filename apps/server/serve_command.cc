// `phaseout serve`: the JSON API, agent ingest and the web dashboard over one inventory
// database (docs/server.md). Wiring only: src/server is the server.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "apps/cli/commands.h"
#include "core/data_dir.h"
#include "inventory/store.h"
#include "server/api.h"
#include "server/http_server.h"

namespace phaseout::cli {
namespace {

struct ServeFlags {
  std::string db;
  std::string listen = "127.0.0.1:8443";
  std::string tls_cert, tls_key;
  std::string web_root;
  std::string data_dir;
  // cpp-httplib gives each client connection a thread for as long as the client keeps it open
  // (up to 5 requests or 5 s idle): with fewer threads than kept-alive clients (a browser opens
  // up to six) the others waited for one, up to ~0.25 s under 10 paced clients. Threads are
  // cheap while they wait; the database's concurrency is --db-connections.
  int threads = 32;
  int db_connections = 8;
  double rate_limit = 500;
  int session_hours = 8;
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "phaseout serve: %s\n", message.c_str());
  return kExitUsage;
}

// "ADDR:PORT" or "[V6]:PORT".
bool ParseListen(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
  *port = std::stoi(p);
  return *port <= 65535;
}

int RunServe(const ServeFlags& f) {
  server::ListenOptions listen;
  if (!ParseListen(f.listen, &listen.host, &listen.port)) {
    return Usage("--listen wants ADDR:PORT (e.g. 127.0.0.1:8443 or [::1]:8443), got '" + f.listen + "'");
  }
  if (f.tls_cert.empty() != f.tls_key.empty()) return Usage("--tls-cert and --tls-key go together");
  if (f.threads < 1 || f.threads > 256) return Usage("--threads wants 1..256");
  if (f.db_connections < 1 || f.db_connections > 256) return Usage("--db-connections wants 1..256");
  if (f.rate_limit < 0) return Usage("--rate-limit cannot be negative");
  if (f.session_hours < 1 || f.session_hours > 24 * 7) return Usage("--session-hours wants 1..168");
  listen.tls_cert = f.tls_cert;
  listen.tls_key = f.tls_key;
  listen.threads = f.threads;

  server::ServerOptions options;
  options.db = f.db.empty() ? inventory::DefaultStoreLocation() : f.db;
  options.data_dir = f.data_dir;
  options.tls = !f.tls_cert.empty();
  options.pool_size = f.db_connections;
  options.rate_per_s = f.rate_limit;
  options.rate_burst = f.rate_limit * 2;
  options.auth.session_idle_s = int64_t{f.session_hours} * 3600;
  options.log = [](const std::string& message) {
    std::fprintf(stderr, "phaseout serve: %s\n", message.c_str());
    std::fflush(stderr);
  };
  options.web_root = f.web_root;
  if (options.web_root.empty()) {
    // The installed web/ beside data/ (share/phaseout/web, or the source tree's web/).
    if (auto data = FindDataDir(f.data_dir)) {
      std::filesystem::path web = std::filesystem::path(*data).parent_path() / "web";
      if (std::filesystem::is_directory(web)) options.web_root = web.string();
    }
  } else if (!std::filesystem::is_directory(options.web_root)) {
    return Usage("--web-root " + options.web_root + " is not a directory");
  }
  listen.max_body_bytes = options.max_body_bytes;

  // Signals are taken by one thread (sigwait) so Stop runs outside a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto api = server::Api::Create(options);
  if (!api) {
    std::fprintf(stderr, "phaseout serve: %s\n", api.error().message.c_str());
    return api.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitRuntime;
  }
  auto http = server::HttpServer::Bind(**api, listen);
  if (!http) {
    std::fprintf(stderr, "phaseout serve: %s\n", http.error().message.c_str());
    return http.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitRuntime;
  }
  std::fprintf(stderr, "phaseout serve: listening on %s://%s:%d (web root %s)\n", options.tls ? "https" : "http",
               listen.host.c_str(), (*http)->port(),
               options.web_root.empty() ? "none" : options.web_root.c_str());
  std::fflush(stderr);
  server::HttpServer* srv = http->get();
  std::thread waiter([srv, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    srv->Stop();
  });
  Status s = srv->Run();
  // Wake the waiter if the loop ended on its own.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  if (!s.ok()) {
    std::fprintf(stderr, "phaseout serve: %s\n", s.error().message.c_str());
    return kExitRuntime;
  }
  std::fprintf(stderr, "phaseout serve: stopped\n");
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand("serve", "Serve the JSON API, agent ingest and the web dashboard (docs/server.md)");
  cmd->footer(
      "Users and agents are created with `phaseout users add` / `phaseout agents secret` (or the API). Without "
      "--tls-cert the server speaks plain HTTP: keep it on loopback or behind a TLS proxy. SIGINT/SIGTERM stop it. "
      "Exit codes: 0 stopped, 1 runtime error (database, socket), 2 usage error.");
  cmd->add_option("--db", flags->db,
                  "Inventory database: SQLite file (one site) or postgresql://... (default: $PHASEOUT_DB or the "
                  "per-user location)");
  cmd->add_option("--listen", flags->listen, "ADDR:PORT to listen on (port 0: any free port)")->capture_default_str();
  cmd->add_option("--tls-cert", flags->tls_cert, "PEM certificate (chain) for HTTPS");
  cmd->add_option("--tls-key", flags->tls_key, "PEM private key for HTTPS");
  cmd->add_option("--web-root", flags->web_root, "Folder of the web dashboard (default: the installed web/)");
  cmd->add_option("--data-dir", flags->data_dir, "phaseout data directory (policies, vendors, screening)");
  cmd->add_option("--threads", flags->threads,
                  "Request threads (each serves one kept-alive client connection at a time)")
      ->capture_default_str();
  cmd->add_option("--db-connections", flags->db_connections,
                  "Database connections open at most (requests beyond wait for one)")
      ->capture_default_str();
  cmd->add_option("--rate-limit", flags->rate_limit, "Requests per second per client address (burst twice that; 0: off)")
      ->capture_default_str();
  cmd->add_option("--session-hours", flags->session_hours, "Idle hours after which a login session expires")
      ->capture_default_str();
  cmd->callback([flags, exit_code] { *exit_code = RunServe(*flags); });
}

}  // namespace phaseout::cli
