// The API on a real socket (loopback, inside scripts/netns-run): login with the session cookie,
// the library's own limits answered as JSON errors, raw traversal in the request line, and
// HTTPS with a certificate made for the test.
#include "server/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "server/testing/fixture.h"
#include "tests/testing/netns_guard.h"

namespace phaseout::server {
namespace {

using nlohmann::json;

class OnSocket : public testing::ServerFixture {
 protected:
  void Configure(ServerOptions* options) override {
    std::filesystem::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>phaseout</title>";
    std::ofstream(dir_ / "secret.txt") << "not for the web";
    options->web_root = (dir_ / "web").string();
  }
  void Start(const ListenOptions& lo) {
    auto srv = HttpServer::Bind(*api_, lo);
    ASSERT_TRUE(srv) << srv.error().message;
    server_ = std::move(*srv);
    thread_ = std::thread([this] { (void)server_->Run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    ServerFixture::TearDown();
  }
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

// A raw request on a new connection; returns the whole answer.
std::string Raw(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(0x7f000001);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return "";
  }
  (void)::send(fd, request.data(), request.size(), 0);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// More kept-alive clients than database connections: each request takes a connection only
// while it is answered, so twelve clients on twelve threads share one connection, every request
// answered (the requests beyond wait for the connection instead of failing or opening more; the
// metrics show one connection open and the waits).
class OneConnection : public OnSocket {
 protected:
  void Configure(ServerOptions* options) override {
    OnSocket::Configure(options);
    options->pool_size = 1;
  }
};

TEST_F(OneConnection, ManyKeptAliveClientsShareFewDatabaseConnections) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  ListenOptions lo;
  lo.host = "127.0.0.1";
  lo.port = 0;
  lo.threads = 12;
  Start(lo);
  int port = server_->port();
  std::string token = tokens_.at("programme");
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 12; ++c) {
    clients.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_read_timeout(20, 0);
      for (int i = 0; i < 4; ++i) {
        auto r = client.Get("/api/v1/devices?limit=5", {{"Authorization", "Bearer " + token}});
        (r && r->status == 200 ? ok : failed)++;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 48);
  EXPECT_EQ(failed.load(), 0);
  std::string metrics = Call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("\nphaseout_db_connections_open 1\n"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("\nphaseout_db_connection_waits_total 0\n"), std::string::npos) << "nobody waited";
  EXPECT_NE(metrics.find("\nphaseout_db_connection_waits_total "), std::string::npos);
}

TEST_F(OnSocket, LoginLimitsAndTraversal) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  ListenOptions lo;
  lo.host = "127.0.0.1";
  lo.port = 0;
  lo.max_body_bytes = 64 * 1024;
  Start(lo);
  int port = server_->port();
  httplib::Client c("127.0.0.1", port);
  auto login = c.Post("/api/v1/session", R"({"user":"officer","password":"correct horse battery"})", "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  std::string cookie = login->get_header_value("Set-Cookie");
  std::string sid = cookie.substr(0, cookie.find(';'));
  httplib::Headers h = {{"Cookie", sid}};
  auto me = c.Get("/api/v1/me", h);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(json::parse(me->body)["user"], "officer");
  EXPECT_EQ(me->get_header_value("X-Frame-Options"), "DENY");
  auto list = c.Get("/api/v1/devices?limit=1&offset=1", h);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  auto lj = json::parse(list->body);
  EXPECT_EQ(lj["total"], 2);
  EXPECT_EQ(lj["devices"].size(), 1u);
  // Keyset paging: the first page's cursor leads to the same device as offset 1.
  auto first = json::parse(c.Get("/api/v1/devices?limit=1", h)->body);
  ASSERT_TRUE(first.contains("next_after"));
  auto next = c.Get("/api/v1/devices?limit=1&after=" + std::to_string(first["next_after"].get<int64_t>()), h);
  ASSERT_EQ(next->status, 200) << next->body;
  auto nj = json::parse(next->body);
  ASSERT_EQ(nj["devices"].size(), 1u);
  EXPECT_EQ(nj["devices"][0]["id"], lj["devices"][0]["id"]);
  EXPECT_EQ(nj["total"], 2);
  EXPECT_EQ(c.Get("/api/v1/devices?limit=1&offset=1&after=1", h)->status, 400);
  // Over the body limit: the library refuses before reading it; still a JSON error.
  auto big = c.Post("/api/v1/session", std::string(100 * 1024, 'x'), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("too_large"), std::string::npos) << big->body;
  // Encoded traversal in the request line, for static files and reports.
  for (const std::string path : {"/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
                                 "/api/v1/reports/%2e%2e%2f%2e%2e%2fetc%2fpasswd?policy=us-ndaa-889"}) {
    std::string answer = Raw(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nCookie: " + sid +
                                       "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(answer.find("not for the web"), std::string::npos) << path;
    EXPECT_TRUE(answer.rfind("HTTP/1.1 404", 0) == 0 || answer.rfind("HTTP/1.1 400", 0) == 0 ||
                answer.rfind("HTTP/1.1 401", 0) == 0)
        << path << ": " << answer.substr(0, 200);
  }
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("phaseout_http_requests_total{route=\"/api/v1/me\",status=\"200\"} 1"), std::string::npos)
      << metrics->body;
}

TEST_F(OnSocket, Https) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  std::string cert = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 -keyout '" + key +
                    "' -out '" + cert + "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl command not available to make a test certificate";
  ListenOptions lo;
  lo.host = "127.0.0.1";
  lo.port = 0;
  lo.tls_cert = cert;
  lo.tls_key = key;
  Start(lo);
  httplib::SSLClient c("127.0.0.1", server_->port());
  c.set_ca_cert_path(cert.c_str());
  c.enable_server_certificate_verification(false);  // CN-only test certificate
  auto r = c.Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  // A mismatched key is refused at startup.
  lo.tls_key = cert;
  EXPECT_FALSE(HttpServer::Bind(*api_, lo));
}

}  // namespace
}  // namespace phaseout::server
