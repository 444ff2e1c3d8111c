// Enrolment and delivery over real sockets against a small in-test httplib server: plain HTTP
// on loopback, and TLS with a throw-away self-signed certificate (pinning, CA check, refusal).
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "agent/delivery.h"
#include "agent/enrol.h"
#include "agent/scan_spool.h"
#include "tests/testing/netns_guard.h"

namespace phaseout::agent {
namespace {

namespace fs = std::filesystem;

// A self-signed certificate for 127.0.0.1 (IP SAN, so a CA check of the address passes).
struct Cert {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string sha256;
  std::string pem_path;
  ~Cert() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

std::unique_ptr<Cert> MakeCert(const std::string& dir, const std::string& name) {
  auto c = std::make_unique<Cert>();
  c->key = EVP_EC_gen("P-256");
  c->cert = X509_new();
  X509_set_version(c->cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c->cert), static_cast<long>(std::hash<std::string>{}(name) & 0xffff));
  X509_gmtime_adj(X509_getm_notBefore(c->cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(c->cert), 86400);
  X509_set_pubkey(c->cert, c->key);
  X509_NAME* subject = X509_get_subject_name(c->cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(c->cert, subject);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, c->cert, c->cert, nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
  X509_add_ext(c->cert, san, -1);
  X509_EXTENSION_free(san);
  X509_sign(c->cert, c->key, EVP_sha256());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(c->cert, EVP_sha256(), md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    c->sha256 += kHex[md[i] >> 4];
    c->sha256 += kHex[md[i] & 15];
  }
  c->pem_path = dir + "/" + name + ".pem";
  FILE* f = fopen(c->pem_path.c_str(), "w");
  PEM_write_X509(f, c->cert);
  fclose(f);
  return c;
}

// The fake server: enrolment with one secret, idempotent record storage, a revocable key.
struct FakeServer {
  std::mutex mu;
  std::set<uint64_t> seqs;
  std::atomic<bool> revoked{false};
  std::atomic<int> enrolments{0};

  void Install(httplib::Server& s) {
    s.Post("/api/v1/agents/enrol", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.body.find("\"secret\":\"good-secret\"") == std::string::npos) {
        res.status = 401;
        res.set_content(R"({"error":{"code":"unauthenticated","message":"bad secret"}})", "application/json");
        return;
      }
      ++enrolments;
      res.status = 200;
      res.set_content(R"({"agent_id":"a1","key":"agent-key-1","sites":["lab"]})", "application/json");
    });
    auto authorised = [this](const httplib::Request& req, httplib::Response& res) {
      if (revoked || req.get_header_value("Authorization") != "Bearer agent-key-1") {
        res.status = 401;
        res.set_content(R"({"error":{"code":"unauthenticated","message":"token revoked"}})", "application/json");
        return false;
      }
      return true;
    };
    s.Get("/api/v1/agents/schedule", [authorised](const httplib::Request& req, httplib::Response& res) {
      if (!authorised(req, res)) return;
      res.set_content(R"({"scans":[]})", "application/json");
    });
    s.Post("/api/v1/scans", [authorised](const httplib::Request& req, httplib::Response& res) {
      if (!authorised(req, res)) return;
      res.status = 201;
      res.set_content("{}", "application/json");
    });
    s.Post(R"(/api/v1/scans/([^/]+)/records)", [this, authorised](const httplib::Request& req, httplib::Response& res) {
      if (!authorised(req, res)) return;
      if (req.get_header_value("Content-Type") != "application/x-ndjson") {
        res.status = 415;
        return;
      }
      uint64_t seq = std::stoull(req.get_param_value("first_seq"));
      uint64_t stored = 0, dup = 0;
      std::lock_guard<std::mutex> lock(mu);
      for (size_t pos = 0; pos < req.body.size(); pos = req.body.find('\n', pos) + 1, ++seq) {
        (seqs.insert(seq).second ? stored : dup)++;
      }
      res.set_content("{\"stored\":" + std::to_string(stored) + ",\"duplicates\":" + std::to_string(dup) + "}",
                      "application/json");
    });
    s.Post(R"(/api/v1/scans/([^/]+)/complete)", [authorised](const httplib::Request& req, httplib::Response& res) {
      if (!authorised(req, res)) return;
      res.set_content("{}", "application/json");
    });
  }
};

class AgentHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/phaseout-agent-http-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    fs::remove_all(root_);
  }
  int Start(std::unique_ptr<httplib::Server> server) {
    server_ = std::move(server);
    fake_.Install(*server_);
    int port = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 500 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return port;
  }
  std::string WriteScan(int devices) {
    std::string path = root_ + "/scan.ndjson";
    std::ofstream out(path);
    out << R"({"type":"scan_start","scan_id":"k1","started_at":"2026-12-01T00:00:00Z","ruleset":"sha256:1"})" << "\n";
    for (int i = 0; i < devices; ++i) out << R"({"type":"device","ip":"127.0.0.)" << i % 250 << "\"}\n";
    out << R"({"type":"scan_end","complete":true})" << "\n";
    return path;
  }

  std::string root_;
  FakeServer fake_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

TEST_F(AgentHttpTest, PlainLoopbackEnrolAndDeliver) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  int port = Start(std::make_unique<httplib::Server>());
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  EnrolOptions eo{url, "wrong", "agent-1", "", ""};
  auto bad = Enrol(eo);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("refused the enrolment secret"), std::string::npos) << bad.error().message;
  eo.secret = "good-secret";
  auto key = Enrol(eo);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->key, "agent-key-1");
  EXPECT_EQ(key->pinned_sha256, "");

  auto spool = Spool::Open(root_ + "/spool");
  ASSERT_TRUE(spool);
  ScanSpoolOptions so;
  so.site = "lab";
  so.max_lines = 500;
  ASSERT_TRUE(SpoolScanFile(*spool, WriteScan(3000), so));
  HttpTransportOptions to;
  to.url = *ParseServerUrl(url);
  to.bearer_key = key->key;
  auto t = MakeHttpTransport(to);
  ASSERT_TRUE(t);
  DeliveryOptions d;
  d.sleep = [](uint32_t) {};
  auto r = DeliverSpool(*spool, **t, d);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->end, DeliveryEnd::kEmpty) << r->message;
  EXPECT_EQ(r->stored, 3002u);
  EXPECT_EQ(fake_.seqs.size(), 3002u);

  // Revocation: the next delivery stops with the re-enrolment message and keeps the spool.
  fake_.revoked = true;
  ASSERT_TRUE(SpoolScanFile(*spool, WriteScan(10), so));
  auto r2 = DeliverSpool(*spool, **t, d);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->end, DeliveryEnd::kReenrol);
  EXPECT_NE(r2->message.find("revoked"), std::string::npos);
  EXPECT_EQ(spool->List()->size(), 3u);
}

TEST_F(AgentHttpTest, UnreachableServerIsRetriedThenLeftInTheSpool) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  // Nothing listens on this port.
  auto spool = Spool::Open(root_ + "/spool");
  ASSERT_TRUE(spool);
  ScanSpoolOptions so;
  so.site = "lab";
  ASSERT_TRUE(SpoolScanFile(*spool, WriteScan(1), so));
  HttpTransportOptions to;
  to.url = *ParseServerUrl("http://127.0.0.1:9");
  to.bearer_key = "k";
  auto t = MakeHttpTransport(to);
  ASSERT_TRUE(t);
  DeliveryOptions d;
  int sleeps = 0;
  d.sleep = [&](uint32_t) { ++sleeps; };
  d.give_up_after_s = 10;
  auto r = DeliverSpool(*spool, **t, d);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end, DeliveryEnd::kGaveUp);
  EXPECT_NE(r->message.find("no answer from http://127.0.0.1:9"), std::string::npos) << r->message;
  EXPECT_GT(sleeps, 2);
  EXPECT_EQ(spool->List()->size(), 3u);
}

TEST_F(AgentHttpTest, TlsPinsTheCertificateSeenAtEnrolmentAndRefusesAnother) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  auto cert = MakeCert(root_, "server-a");
  auto other = MakeCert(root_, "server-b");
  int port = Start(std::make_unique<httplib::SSLServer>(cert->cert, cert->key));
  std::string url = "https://127.0.0.1:" + std::to_string(port);

  // A CA file that did not sign the server's certificate: enrolment refused, secret unsent.
  EnrolOptions eo{url, "good-secret", "agent-1", other->pem_path, ""};
  auto wrong_ca = Enrol(eo);
  ASSERT_FALSE(wrong_ca);
  EXPECT_NE(wrong_ca.error().message.find("does not verify against the CA file"), std::string::npos)
      << wrong_ca.error().message;
  EXPECT_EQ(fake_.enrolments.load(), 0);
  // An out-of-band fingerprint that does not match: refused too.
  eo.ca_file = "";
  eo.expect_sha256 = other->sha256;
  auto wrong_pin = Enrol(eo);
  ASSERT_FALSE(wrong_pin);
  EXPECT_EQ(fake_.enrolments.load(), 0);
  // With the right CA (the self-signed certificate itself) the certificate is pinned.
  eo.expect_sha256 = "";
  eo.ca_file = cert->pem_path;
  auto key = Enrol(eo);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->pinned_sha256, cert->sha256);

  auto spool = Spool::Open(root_ + "/spool");
  ASSERT_TRUE(spool);
  ScanSpoolOptions so;
  so.site = "lab";
  ASSERT_TRUE(SpoolScanFile(*spool, WriteScan(20), so));
  HttpTransportOptions to;
  to.url = *ParseServerUrl(url);
  to.bearer_key = key->key;
  to.pinned_sha256 = other->sha256;  // as if the server's certificate had been swapped
  auto bad = MakeHttpTransport(to);
  ASSERT_TRUE(bad);
  DeliveryOptions d;
  d.sleep = [](uint32_t) {};
  auto refused = DeliverSpool(*spool, **bad, d);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->end, DeliveryEnd::kCertificate);
  EXPECT_NE(refused->message.find("not the one pinned at enrolment"), std::string::npos) << refused->message;
  EXPECT_NE(refused->message.find("enrol this agent again"), std::string::npos);
  EXPECT_TRUE(fake_.seqs.empty());

  to.pinned_sha256 = key->pinned_sha256;
  auto good = MakeHttpTransport(to);
  ASSERT_TRUE(good);
  auto r = DeliverSpool(*spool, **good, d);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end, DeliveryEnd::kEmpty) << r->message;
  EXPECT_EQ(fake_.seqs.size(), 22u);
}

}  // namespace
}  // namespace phaseout::agent
