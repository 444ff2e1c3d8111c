// Fault test of agent delivery against the real `phaseout serve` (inside a private network
// namespace): a large scan is pushed through a proxy that cuts connections while the server
// is SIGKILLed and restarted and the agent itself is SIGKILLed and restarted with a non-empty
// spool; afterwards every record is stored exactly once. Also: duplicate delivery, a revoked
// key and a replaced server certificate are refused with clear messages.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/netns_guard.h"
#include "tests/testing/phaseout_child.h"
#include "tests/testing/sqlite_count.h"

namespace phaseout {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Child;
using testing::ConnectTo;
using testing::FreePort;
using testing::Sh;
using testing::ShellRun;
using testing::Slurp;

// A TCP relay 127.0.0.1:port() -> 127.0.0.1:upstream that, while cutting is on, shuts down
// every open connection at intervals (a network cut in the middle of requests and answers).
class CuttingProxy {
 public:
  explicit CuttingProxy(int upstream) : upstream_(upstream) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(listen_fd_, 64);
    socklen_t len = sizeof(a);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    cut_thread_ = std::thread([this] { CutLoop(); });
  }
  ~CuttingProxy() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    accept_thread_.join();
    cut_thread_.join();
    std::vector<std::thread> relays;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : open_) shutdown(fd, SHUT_RDWR);
      relays.swap(relays_);
    }
    for (auto& t : relays) t.join();
  }
  int port() const { return port_; }
  void set_cutting(bool on) { cutting_ = on; }
  int cuts() const { return cuts_; }

 private:
  void AcceptLoop() {
    while (!stop_) {
      int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      relays_.emplace_back([this, client] { Relay(client); });
    }
  }
  void Relay(int client) {
    int server = ConnectTo(upstream_);
    if (server < 0) {
      close(client);  // server down: the agent sees the connection reset
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_.insert(client);
      open_.insert(server);
    }
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    char buf[65536];
    while (!stop_) {
      if (poll(fds, 2, 200) <= 0) continue;
      bool done = false;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].revents == 0) continue;
        ssize_t n = read(fds[i].fd, buf, sizeof(buf));
        // MSG_NOSIGNAL: a peer that went away must end the relay, not the test (SIGPIPE).
        if (n <= 0 || send(fds[1 - i].fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) done = true;
      }
      if (done) break;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_.erase(client);
      open_.erase(server);
    }
    close(client);
    close(server);
  }
  void CutLoop() {
    while (!stop_) {
      std::this_thread::sleep_for(150ms);
      if (!cutting_) continue;
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : open_) shutdown(fd, SHUT_RDWR);
      if (!open_.empty()) ++cuts_;
    }
  }

  int upstream_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false}, cutting_{false};
  std::atomic<int> cuts_{0};
  std::mutex mu_;
  std::set<int> open_;
  std::vector<std::thread> relays_;
  std::thread accept_thread_, cut_thread_;
};

class AgentFault : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("phaseout-agentfault-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "server.db").string();
    std::ofstream(dir_ / "sites.yaml") << "departments:\n  - id: d1\n    name: Dept\n    sites:\n"
                                          "      - id: lab\n        scopes: [127.1.0.0/16]\n"
                                          "      - id: other\n        scopes: [127.2.0.0/16]\n";
    ShellRun r = Po("sites import " + (dir_ / "sites.yaml").string() + " --db " + db_ + " --actor test");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  void TearDown() override {
    server_.Kill();
    fs::remove_all(dir_);
  }
  ShellRun Po(const std::string& args) { return Sh(std::string(PHASEOUT_BINARY) + " " + args); }

  // Starts `phaseout serve` on `port` and waits for /healthz.
  void StartServer(int port, const std::string& tls_args = "") {
    std::vector<std::string> args = {"serve", "--db", db_, "--listen", "127.0.0.1:" + std::to_string(port)};
    std::istringstream extra(tls_args);
    for (std::string a; extra >> a;) args.push_back(a);
    server_ = Child::Start(args, dir_ / "server.log");
    for (int i = 0; i < 200; ++i) {
      int fd = ConnectTo(port);
      if (fd >= 0) {
        close(fd);
        return;
      }
      ASSERT_TRUE(server_.Running()) << Slurp(dir_ / "server.log");
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "server did not start: " << Slurp(dir_ / "server.log");
  }

  // A one-time enrolment secret for `site` (the last word `phaseout agents secret` prints).
  std::string Secret(const std::string& site) {
    ShellRun r = Sh(std::string(PHASEOUT_BINARY) + " agents secret --site " + site + " --db " + db_ + " 2>/dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::istringstream words(r.output);
    std::string w, last;
    while (words >> w) last = w;
    return last;
  }

  // Writes an agent config with fast retries beside the key written by enrol.
  std::string WriteConfig(const std::string& server, const std::string& pin = "") {
    fs::path cfg = dir_ / "agent" / "agent.yaml";
    std::ofstream(cfg) << "server: " << server << "\nkey_file: " << (dir_ / "agent" / "agent.key").string()
                       << "\nspool_dir: " << (dir_ / "agent" / "spool").string() << "\n"
                       << (pin.empty() ? "" : "pinned_sha256: " + pin + "\n")
                       << "retry: {initial_ms: 20, max_ms: 400, give_up_after_s: 120}\n";
    return cfg.string();
  }

  // A fabricated scan output: scan_start, `devices` device lines with distinct addresses, scan_end.
  fs::path WriteScan(const std::string& scan_id, int devices) {
    fs::path p = dir_ / (scan_id + ".ndjson");
    std::ofstream out(p);
    out << R"({"type":"scan_start","scan_id":")" << scan_id
        << R"(","started_at":"2026-12-01T00:00:00Z","time":"2026-12-01T00:00:00Z","ruleset":"sha256:test","targets":["127.1.0.0/16"]})"
        << "\n";
    for (int i = 0; i < devices; ++i) {
      int a = 1 + i / 250, b = 1 + i % 250;
      char mac[32];
      std::snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", a, b);
      out << R"({"type":"device","scan_id":")" << scan_id << R"(","ip":"127.1.)" << a << "." << b
          << R"(","mac":")" << mac
          << R"(","open_ports":[80],"manufacturer":"","brand":"","device_type":"","model":"","firmware":"","serial":"","confidence":0,"evidence":[],"verdicts":[],"time":"2026-12-01T00:00:01Z","ruleset":"sha256:test"})"
          << "\n";
    }
    out << R"({"type":"scan_end","scan_id":")" << scan_id << R"(","complete":true,"time":"2026-12-01T00:10:00Z"})" << "\n";
    return p;
  }

  // Rows of `sql` (one integer column) from the server's database.
  int64_t Count(const std::string& sql) { return testing::QueryInt(db_, sql); }

  size_t SpoolEntries() {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / "agent" / "spool", ec)) {
      std::string name = e.path().filename().string();
      if (name.size() > 21 && name[20] == '.' && name[0] == '0') ++n;
    }
    return n;
  }

  fs::path dir_;
  std::string db_;
  Child server_;
};

TEST_F(AgentFault, LargePushSurvivesServerKillsConnectionCutsAndAgentRestart) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  // 16,000 device lines in 40 chunks: the debug (ASan) server ingests a few hundred records per
  // second on a shared machine, so this keeps the test within its time limit.
  const int kDevices = 16000;
  int port = FreePort();
  StartServer(port);
  CuttingProxy proxy(port);
  std::string url = "http://127.0.0.1:" + std::to_string(proxy.port());
  fs::create_directories(dir_ / "agent");
  ShellRun enrol = Po("agent enrol --server " + url + " --secret " + Secret("lab") + " --name fault-agent --config " +
                      (dir_ / "agent" / "agent.yaml").string());
  ASSERT_EQ(enrol.exit_code, 0) << enrol.output;
  std::string config = WriteConfig(url);
  fs::path scan = WriteScan("fault-scan-1", kDevices);

  // 400-line chunks: 40 requests, so the faults below land mid-stream.
  Child agent = Child::Start({"agent", "push", "--config", config, "--site", "lab", "--scope", "127.1.0.0/16",
                              "--chunk-lines", "400", scan.string()},
                             dir_ / "agent1.log");
  proxy.set_cutting(true);
  // Wait until part of the scan is stored, then SIGKILL the server and restart it, twice.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 1200 && Count("SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM server_scan_spans") < 1600 * (round + 1); ++i) {
      std::this_thread::sleep_for(50ms);
    }
    server_.Kill();
    std::this_thread::sleep_for(700ms);
    StartServer(port);
  }
  // SIGKILL the agent with entries still spooled; a new agent process replays the spool.
  for (int i = 0; i < 1200 && Count("SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM server_scan_spans") < 5000; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  agent.Kill();
  size_t left = SpoolEntries();
  EXPECT_GT(left, 0u) << "the agent finished before it could be killed; make the scan larger";
  Child again = Child::Start({"agent", "push", "--config", config}, dir_ / "agent2.log");
  std::this_thread::sleep_for(1s);
  proxy.set_cutting(false);
  ASSERT_EQ(again.Wait(300s), 0) << Slurp(dir_ / "agent1.log") << Slurp(dir_ / "agent2.log");
  EXPECT_EQ(SpoolEntries(), 0u);
  EXPECT_GT(proxy.cuts(), 0);

  const int64_t total = kDevices + 2;  // scan_start + devices + scan_end
  EXPECT_EQ(Count("SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM server_scan_spans WHERE scan_key = 'fault-scan-1'"), total);
  EXPECT_EQ(Count("SELECT min(first_seq) FROM server_scan_spans WHERE scan_key = 'fault-scan-1'"), 1);
  EXPECT_EQ(Count("SELECT max(last_seq) FROM server_scan_spans WHERE scan_key = 'fault-scan-1'"), total);
  EXPECT_EQ(Count("SELECT count(*) FROM server_scan_spans a JOIN server_scan_spans b ON b.scan_key = a.scan_key AND "
                  "b.first_seq > a.first_seq AND b.first_seq <= a.last_seq"),
            0);  // no line twice
  // In the inventory: one raw record per device line, each address once.
  const std::string records =
      "FROM scan_records r JOIN scans s ON s.id = r.scan_id WHERE s.key = 'fault-scan-1'";
  EXPECT_EQ(Count("SELECT count(*) " + records), kDevices);
  EXPECT_EQ(Count("SELECT count(DISTINCT r.ip) " + records), kDevices);
  EXPECT_EQ(Count("SELECT count(*) FROM devices"), kDevices);

  // Duplicate delivery: the whole scan again changes nothing.
  ShellRun dup = Po("agent push --config " + config + " --site lab --chunk-lines 5000 " + scan.string());
  EXPECT_EQ(dup.exit_code, 0) << dup.output;
  EXPECT_NE(dup.output.find("(0 records stored, " + std::to_string(total) + " already there)"), std::string::npos)
      << dup.output;
  EXPECT_EQ(Count("SELECT count(*) " + records), kDevices);
  EXPECT_EQ(Count("SELECT count(*) FROM devices"), kDevices);
}

TEST_F(AgentFault, RevokedKeyAndWrongSiteAreRefused) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  int port = FreePort();
  StartServer(port);
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  fs::create_directories(dir_ / "agent");
  ShellRun bad = Po("agent enrol --server " + url + " --secret not-a-secret --config " +
                    (dir_ / "agent" / "agent.yaml").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("refused the enrolment secret"), std::string::npos) << bad.output;
  std::string secret = Secret("lab");
  ShellRun enrol = Po("agent enrol --server " + url + " --secret " + secret + " --config " +
                      (dir_ / "agent" / "agent.yaml").string());
  ASSERT_EQ(enrol.exit_code, 0) << enrol.output;
  // The secret is single-use.
  ShellRun reuse = Po("agent enrol --server " + url + " --secret " + secret + " --config " +
                      (dir_ / "other.yaml").string());
  EXPECT_NE(reuse.exit_code, 0) << reuse.output;
  std::string config = WriteConfig(url);

  // A site the key is not bound to: refused before anything is spooled.
  ShellRun other = Po("agent push --config " + config + " --site other " + WriteScan("s-other", 3).string());
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_NE(other.output.find("not bound to site 'other'"), std::string::npos) << other.output;

  ShellRun ok = Po("agent push --config " + config + " --site lab " + WriteScan("s-ok", 3).string());
  ASSERT_EQ(ok.exit_code, 0) << ok.output;

  auto key = nlohmann::json::parse(Slurp(dir_ / "agent" / "agent.key"));
  ShellRun revoke = Po("agents revoke " + key["agent_id"].get<std::string>() + " --db " + db_);
  ASSERT_EQ(revoke.exit_code, 0) << revoke.output;
  ShellRun refused = Po("agent push --config " + config + " --site lab " + WriteScan("s-revoked", 3).string());
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("refused this agent's key"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("phaseout agent enrol again"), std::string::npos) << refused.output;
  EXPECT_EQ(SpoolEntries(), 3u);  // kept for after re-enrolment
  EXPECT_EQ(Count("SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM server_scan_spans WHERE scan_key = 's-revoked'"), 0);

  // Re-enrolment with a new secret: the spooled scan is delivered.
  ShellRun re = Po("agent enrol --server " + url + " --secret " + Secret("lab") + " --config " +
                   (dir_ / "agent" / "agent.yaml").string());
  ASSERT_EQ(re.exit_code, 0) << re.output;
  config = WriteConfig(url);
  ShellRun flushed = Po("agent push --config " + config);
  EXPECT_EQ(flushed.exit_code, 0) << flushed.output;
  EXPECT_EQ(Count("SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM server_scan_spans WHERE scan_key = 's-revoked'"), 5);
}

TEST_F(AgentFault, ReplacedServerCertificateIsRefused) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  if (Sh("command -v openssl").exit_code != 0) GTEST_SKIP() << "openssl not installed";
  for (const char* name : {"a", "b"}) {
    ShellRun r = Sh(std::string("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
                                "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout ") +
                    (dir_ / name).string() + ".key -out " + (dir_ / name).string() + ".crt");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  auto tls = [&](const char* name) {
    return "--tls-cert " + (dir_ / name).string() + ".crt --tls-key " + (dir_ / name).string() + ".key";
  };
  int port = FreePort();
  StartServer(port, tls("a"));
  std::string url = "https://127.0.0.1:" + std::to_string(port);
  fs::create_directories(dir_ / "agent");
  // A CA that did not issue the server's certificate: refused, the secret is not used up.
  std::string secret = Secret("lab");
  ShellRun wrong_ca = Po("agent enrol --server " + url + " --secret " + secret + " --ca " + (dir_ / "b.crt").string() +
                         " --config " + (dir_ / "agent" / "agent.yaml").string());
  EXPECT_EQ(wrong_ca.exit_code, 2) << wrong_ca.output;
  EXPECT_NE(wrong_ca.output.find("does not verify against the CA file"), std::string::npos) << wrong_ca.output;
  ShellRun enrol = Po("agent enrol --server " + url + " --secret " + secret + " --ca " + (dir_ / "a.crt").string() +
                      " --config " + (dir_ / "agent" / "agent.yaml").string());
  ASSERT_EQ(enrol.exit_code, 0) << enrol.output;
  std::string fp = Sh("openssl x509 -in " + (dir_ / "a.crt").string() + " -noout -fingerprint -sha256").output;
  std::string hex;
  for (char c : fp.substr(fp.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += static_cast<char>(std::tolower(c));
  }
  EXPECT_NE(enrol.output.find(hex), std::string::npos) << enrol.output << " vs " << hex;
  std::string config = WriteConfig(url, hex);
  ShellRun ok = Po("agent push --config " + config + " --site lab " + WriteScan("tls-ok", 5).string());
  ASSERT_EQ(ok.exit_code, 0) << ok.output;

  // The server comes back with another certificate (as an interceptor would): refused.
  server_.Kill();
  StartServer(port, tls("b"));
  ShellRun refused = Po("agent push --config " + config + " --site lab " + WriteScan("tls-refused", 5).string());
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("not the one pinned at enrolment"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("enrol this agent again"), std::string::npos) << refused.output;
  EXPECT_EQ(Count("SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM server_scan_spans WHERE scan_key = 'tls-refused'"), 0);
  EXPECT_EQ(SpoolEntries(), 3u);
}

}  // namespace
}  // namespace phaseout
