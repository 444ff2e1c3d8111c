// Tests of spooling a scan and delivering the spool, over a scripted fake transport.
#include "agent/delivery.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "agent/scan_spool.h"

namespace phaseout::agent {
namespace {

namespace fs = std::filesystem;

// A fake server: stores chunk lines by (scan, seq) idempotently, like the contract says, and
// fails requests as scripted.
class FakeTransport : public Transport {
 public:
  struct Failure {
    int status = 0;  // 0: no answer (kIo); -1: certificate refused
    std::optional<uint32_t> retry_after;
    std::string body;
  };
  std::deque<Failure> script;  // consumed one per request, before the normal handling
  std::map<std::string, std::set<uint64_t>> stored;
  std::map<std::string, std::string> started, completed;
  std::vector<std::string> requests;
  bool key_revoked = false;

  Result<HttpResponse> Send(const std::string& method, const std::string& target, const std::string&,
                            const std::string& body) override {
    requests.push_back(method + " " + target);
    if (!script.empty()) {
      Failure f = script.front();
      script.pop_front();
      if (f.status == 0) return MakeError(ErrorCode::kIo, "connection reset");
      if (f.status == -1) return MakeError(ErrorCode::kInvalidArgument, "certificate not pinned");
      return HttpResponse{f.status, f.body, f.retry_after};
    }
    if (key_revoked) return HttpResponse{401, R"({"error":{"code":"unauthenticated","message":"revoked"}})", {}};
    if (target == "/api/v1/agents/schedule") return HttpResponse{200, R"({"scans":[]})", {}};
    if (target == "/api/v1/scans") {
      started["x"] = body;
      return HttpResponse{201, "{}", {}};
    }
    size_t q = target.find("/records?first_seq=");
    if (q != std::string::npos) {
      std::string key = target.substr(14, q - 14);
      uint64_t seq = std::stoull(target.substr(q + 19));
      uint64_t s = 0, d = 0;
      for (size_t pos = 0; pos < body.size(); pos = body.find('\n', pos) + 1, ++seq) {
        (stored[key].insert(seq).second ? s : d)++;
      }
      return HttpResponse{200, "{\"stored\":" + std::to_string(s) + ",\"duplicates\":" + std::to_string(d) + "}", {}};
    }
    if (target.size() > 9 && target.compare(target.size() - 9, 9, "/complete") == 0) {
      completed[target] = body;
      return HttpResponse{200, "{}", {}};
    }
    return HttpResponse{404, R"({"error":{"code":"not_found","message":"no route"}})", {}};
  }
};

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/phaseout-delivery-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    auto s = Spool::Open(root_ + "/spool");
    ASSERT_TRUE(s);
    spool_ = std::make_unique<Spool>(std::move(*s));
    options_.backoff.initial_ms = 100;
    options_.backoff.max_ms = 1000;
    options_.seed = 3;
    options_.sleep = [this](uint32_t ms) { slept_.push_back(ms); };
  }
  void TearDown() override { fs::remove_all(root_); }

  // A fabricated scan output of `devices` device lines, with or without its scan_end.
  std::string WriteScan(int devices, bool with_end, bool complete = true) {
    std::string path = root_ + "/scan.ndjson";
    std::ofstream out(path);
    out << R"({"type":"scan_start","scan_id":"20261201T000000Z-0000abcd","started_at":"2026-12-01T00:00:00Z","ruleset":"sha256:1"})"
        << "\n";
    for (int i = 0; i < devices; ++i) out << R"({"type":"device","ip":"127.0.)" << i / 250 << "." << i % 250 << "\"}\n";
    if (with_end) out << R"({"type":"scan_end","complete":)" << (complete ? "true" : "false") << "}\n";
    return path;
  }

  std::string root_;
  std::unique_ptr<Spool> spool_;
  DeliveryOptions options_;
  std::vector<uint32_t> slept_;
};

TEST_F(DeliveryTest, SpoolsAScanInChunksInOrder) {
  ScanSpoolOptions o;
  o.site = "ottawa-hq";
  o.scope = {"127.0.0.0/16"};
  o.max_lines = 1000;
  auto s = SpoolScanFile(*spool_, WriteScan(2500, true), o);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->scan_key, "20261201T000000Z-0000abcd");
  EXPECT_EQ(s->records, 2502u);
  EXPECT_EQ(s->chunks, 3u);
  EXPECT_TRUE(s->complete);
  auto names = spool_->List();
  ASSERT_EQ(names->size(), 5u);  // start, 3 chunks, complete
  EXPECT_EQ(spool_->Read(names->front())->kind, EntryKind::kStart);
  EXPECT_EQ(spool_->Read((*names)[1])->first_seq, 1u);
  EXPECT_EQ(spool_->Read((*names)[2])->first_seq, 1001u);
  EXPECT_EQ(spool_->Read((*names)[3])->first_seq, 2001u);
  EXPECT_EQ(spool_->Read((*names)[3])->lines, 502u);
  EXPECT_EQ(spool_->Read(names->back())->body, R"({"complete":true,"records":2502})");
}

TEST_F(DeliveryTest, ChunksRespectTheByteLimitToo) {
  ScanSpoolOptions o;
  o.site = "s";
  o.max_bytes = 200;
  auto s = SpoolScanFile(*spool_, WriteScan(20, true), o);
  ASSERT_TRUE(s);
  auto names = spool_->List();
  ASSERT_TRUE(names);
  for (const auto& n : *names) EXPECT_LE(spool_->Read(n)->body.size(), 200u);
  EXPECT_GT(s->chunks, 3u);
}

TEST_F(DeliveryTest, CutOutputIsSpooledAsIncompleteAndJunkIsRefused) {
  ScanSpoolOptions o;
  o.site = "s";
  auto s = SpoolScanFile(*spool_, WriteScan(3, false), o);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->complete);
  std::ofstream(root_ + "/junk.ndjson") << "{\"type\":\"device\"}\n";
  auto junk = SpoolScanFile(*spool_, root_ + "/junk.ndjson", o);
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message.find("not the NDJSON output of phaseout scan"), std::string::npos);
}

TEST_F(DeliveryTest, DeliversEverythingOnceDespiteFailuresAndRetryAfter) {
  ScanSpoolOptions o;
  o.site = "s";
  o.max_lines = 100;
  ASSERT_TRUE(SpoolScanFile(*spool_, WriteScan(950, true), o));
  FakeTransport t;
  // Network cut, overload with Retry-After, a server error, a timeout: all retried.
  t.script = {{0, {}, ""}, {503, 2, ""}, {500, {}, ""}, {429, 1, ""}, {408, {}, ""}};
  auto r = DeliverSpool(*spool_, t, options_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->end, DeliveryEnd::kEmpty);
  EXPECT_EQ(r->delivered, 12u);  // start + 10 chunks + complete
  EXPECT_EQ(r->retries, 5u);
  EXPECT_EQ(r->stored, 952u);
  EXPECT_EQ(t.stored["20261201T000000Z-0000abcd"].size(), 952u);
  EXPECT_TRUE(spool_->List()->empty());
  ASSERT_EQ(slept_.size(), 5u);
  EXPECT_EQ(slept_[1], 1000u);  // Retry-After 2 s capped by max_ms
  EXPECT_EQ(slept_[3], 1000u);  // Retry-After 1 s
  EXPECT_LE(slept_[0], 100u);   // first backoff step
}

TEST_F(DeliveryTest, ResendingAfterDoubtChangesNothing) {
  ScanSpoolOptions o;
  o.site = "s";
  o.max_lines = 100;
  ASSERT_TRUE(SpoolScanFile(*spool_, WriteScan(250, true), o));
  FakeTransport t;
  // The server stores the first chunk but the answer is lost (the agent resends it whole).
  auto r1 = DeliverSpool(*spool_, t, options_);
  ASSERT_TRUE(r1);
  // Simulate: the same scan spooled again (agent crashed after sending, before deleting).
  ASSERT_TRUE(SpoolScanFile(*spool_, root_ + "/scan.ndjson", o));
  auto r2 = DeliverSpool(*spool_, t, options_);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->stored, 0u);
  EXPECT_EQ(r2->duplicates, 252u);
  EXPECT_EQ(t.stored["20261201T000000Z-0000abcd"].size(), 252u);
}

TEST_F(DeliveryTest, PermanentRefusalsGoToRejectedWithReason) {
  ScanSpoolOptions o;
  o.site = "s";
  ASSERT_TRUE(SpoolScanFile(*spool_, WriteScan(3, true), o));
  FakeTransport t;
  t.script = {{201, {}, "{}"}, {413, {}, R"({"error":{"code":"too_large","message":"body over 8 MiB"}})"}};
  auto r = DeliverSpool(*spool_, t, options_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end, DeliveryEnd::kEmpty);
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_EQ(r->delivered, 2u);
  bool found = false;
  for (const auto& e : fs::directory_iterator(root_ + "/spool/rejected")) {
    if (e.path().extension() != ".reason") continue;
    std::ifstream in(e.path());
    std::string reason;
    std::getline(in, reason);
    EXPECT_NE(reason.find("HTTP 413"), std::string::npos);
    EXPECT_NE(reason.find("too_large: body over 8 MiB"), std::string::npos);
    found = true;
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(slept_.empty());  // never retried
}

TEST_F(DeliveryTest, RevokedKeyStopsAndKeepsTheSpool) {
  ScanSpoolOptions o;
  o.site = "s";
  ASSERT_TRUE(SpoolScanFile(*spool_, WriteScan(3, true), o));
  FakeTransport t;
  t.key_revoked = true;
  auto r = DeliverSpool(*spool_, t, options_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end, DeliveryEnd::kReenrol);
  EXPECT_NE(r->message.find("phaseout agent enrol"), std::string::npos);
  EXPECT_EQ(r->remaining, 3u);
  EXPECT_EQ(spool_->List()->size(), 3u);
}

TEST_F(DeliveryTest, ForbiddenSiteIsRejectedButRevokedKey403AsksForEnrolment) {
  ScanSpoolOptions o;
  o.site = "not-mine";
  ASSERT_TRUE(SpoolScanFile(*spool_, WriteScan(1, true), o));
  FakeTransport t;
  // 403 on the start; the schedule probe succeeds: a site problem, not a key problem.
  t.script = {{403, {}, R"({"error":{"code":"forbidden","message":"site not bound"}})"}};
  auto r = DeliverSpool(*spool_, t, options_);
  ASSERT_TRUE(r);
  EXPECT_GE(r->rejected, 1u);
  EXPECT_NE(r->end, DeliveryEnd::kReenrol);

  ASSERT_TRUE(SpoolScanFile(*spool_, WriteScan(1, true), o));
  FakeTransport t2;
  t2.script = {{403, {}, ""}, {403, {}, ""}};  // the entry, then the probe
  auto r2 = DeliverSpool(*spool_, t2, options_);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->end, DeliveryEnd::kReenrol);
  EXPECT_EQ(spool_->List()->size(), 3u);
}

TEST_F(DeliveryTest, CertificateRefusalStopsAtOnce) {
  ScanSpoolOptions o;
  o.site = "s";
  ASSERT_TRUE(SpoolScanFile(*spool_, WriteScan(1, true), o));
  FakeTransport t;
  t.script = {{-1, {}, ""}};
  auto r = DeliverSpool(*spool_, t, options_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end, DeliveryEnd::kCertificate);
  EXPECT_EQ(t.requests.size(), 1u);
  EXPECT_EQ(spool_->List()->size(), 3u);
}

TEST_F(DeliveryTest, GivesUpAfterTheConfiguredTimeAndKeepsEverything) {
  ScanSpoolOptions o;
  o.site = "s";
  ASSERT_TRUE(SpoolScanFile(*spool_, WriteScan(1, true), o));
  FakeTransport t;
  for (int i = 0; i < 100; ++i) t.script.push_back({0, {}, ""});
  options_.give_up_after_s = 5;
  auto r = DeliverSpool(*spool_, t, options_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end, DeliveryEnd::kGaveUp);
  EXPECT_NE(r->message.find("3 spool entries remain"), std::string::npos) << r->message;
  uint64_t total = 0;
  for (uint32_t ms : slept_) total += ms;
  EXPECT_LE(total, 5000u);
  EXPECT_EQ(spool_->List()->size(), 3u);
}

TEST_F(DeliveryTest, DamagedSpoolFileIsRejectedNotSent) {
  SpoolEntry e;
  e.kind = EntryKind::kStart;
  e.scan_key = "k";
  e.site = "s";
  e.body = "{}";
  auto name = spool_->Append(e);
  ASSERT_TRUE(name);
  { std::ofstream(root_ + "/spool/" + *name, std::ios::app) << "extra"; }
  FakeTransport t;
  auto r = DeliverSpool(*spool_, t, options_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_TRUE(t.requests.empty());
}

}  // namespace
}  // namespace phaseout::agent
