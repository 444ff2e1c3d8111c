// Test support: one throw-away PostgreSQL server per test process, started on first use with
// tests/pg/pg-tmp (initdb in a temporary folder, unix socket only, unprivileged user when run as
// root) and stopped at exit. Each test gets its own fresh database.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "inventory/store.h"

#ifndef PHASEOUT_PG_HELPER
#error "define PHASEOUT_PG_HELPER as the path of tests/pg/pg-tmp"
#endif

namespace phaseout::inventory::testing {

class PgServer {
 public:
  PgServer() = default;
  ~PgServer() { Stop(); }
  PgServer(const PgServer&) = delete;  // owns a server process
  PgServer& operator=(const PgServer&) = delete;

  // A URL of a new empty database, or an error. When the server binaries are absent outside CI,
  // the error comes with skip_reason() set; in CI (CI set in the environment) it is a failure.
  Result<std::string> FreshDatabase() {
    if (Status s = Start(); !s.ok()) return s.error();
    std::string name = "t" + std::to_string(++databases_);
    auto admin = OpenStore(base_url_);
    if (!admin) return admin.error();
    if (Status s = (*admin)->ExecScript("CREATE DATABASE " + name); !s.ok()) return s.error();
    return "postgresql://phaseout@/" + name + "?host=" + dir_ + "/s";
  }
  // Stops the server at once (as a crash or a network loss looks to a client) but keeps its
  // data; Resume starts it again on the same data.
  void Halt() {
    if (base_url_.empty()) return;
    std::string cmd = std::string(PHASEOUT_PG_HELPER) + " stop '" + dir_ + "/s' >/dev/null 2>&1";
    (void)std::system(cmd.c_str());
  }
  Status Resume() {
    if (base_url_.empty()) return MakeError(ErrorCode::kInternal, "no server to resume");
    std::string cmd = std::string(PHASEOUT_PG_HELPER) + " restart '" + dir_ + "/s' >/dev/null 2>'" + dir_ + "/restart.err'";
    if (std::system(cmd.c_str()) != 0) return MakeError(ErrorCode::kIo, "could not restart the PostgreSQL server");
    return Status::Ok();
  }
  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& socket_dir() const { return dir_; }

  // Stops the server at once (tests of a server going away); FreshDatabase starts a new one.
  void Stop() {
    if (base_url_.empty()) return;
    std::string cmd = std::string(PHASEOUT_PG_HELPER) + " stop '" + dir_ + "/s' >/dev/null 2>&1";
    (void)std::system(cmd.c_str());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    base_url_.clear();
  }

 private:
  Status Start() {
    if (!base_url_.empty()) return Status::Ok();
    if (!skip_reason_.empty()) return MakeError(ErrorCode::kNotFound, skip_reason_);
    char tmpl[] = "/tmp/phaseout-pg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return MakeError(ErrorCode::kIo, "mkdtemp failed");
    dir_ = tmpl;
    std::string cmd = std::string(PHASEOUT_PG_HELPER) + " start '" + dir_ + "/s' 2>'" + dir_ + "/start.err'";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return MakeError(ErrorCode::kIo, "cannot run " + std::string(PHASEOUT_PG_HELPER));
    char buf[512] = {};
    std::string out;
    while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
    int rc = pclose(p);
    int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (code == 77) {
      std::string msg = "PostgreSQL server binaries are not installed (Debian postgresql-15)";
      if (std::getenv("CI") == nullptr) skip_reason_ = msg + "; skipping the PostgreSQL run outside CI";
      return MakeError(ErrorCode::kNotFound, msg);
    }
    if (code != 0 || out.empty()) {
      return MakeError(ErrorCode::kIo, "could not start a throw-away PostgreSQL server (see " + dir_ + "/s/server.log)");
    }
    base_url_ = out;
    return Status::Ok();
  }

  std::string dir_, base_url_, skip_reason_;
  int databases_ = 0;
};

// The process-wide server (started lazily, stopped at exit).
inline PgServer& SharedPgServer() {
  static PgServer server;
  return server;
}

}  // namespace phaseout::inventory::testing
