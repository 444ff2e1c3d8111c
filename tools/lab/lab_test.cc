// Socket tests for the lab server (run inside scripts/netns-run): every device answers HTTP,
// RTSP, TLS and banners exactly as its profile says; refused addresses RST; silent ones drop;
// hostile hosts misbehave; ready/truth files appear; the lab refuses to run outside a netns.
#include "tools/lab/lab.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "net/isolation.h"
#include "tests/testing/netns_guard.h"

namespace phaseout::lab {
namespace {

const std::string kProfilesDir = PHASEOUT_SOURCE_DATA_DIR "/lab/profiles";

// A blocking TCP connection with a receive timeout. fd < 0 means connect failed (err = errno).
struct Client {
  int fd = -1;
  int err = 0;
  Client(const std::string& ip, uint16_t port, int timeout_ms = 5000) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      err = errno;
      close(fd);
      fd = -1;
    }
  }
  ~Client() {
    if (fd >= 0) close(fd);
  }
  void Send(const std::string& s) const { ASSERT_EQ(send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size())); }
  // Reads until EOF, timeout, `max` bytes, or (when `until` is non-empty) `until` appears.
  std::string Read(size_t max = 1 << 20, const std::string& until = "") const {
    std::string out;
    char buf[4096];
    while (out.size() < max) {
      const ssize_t n = recv(fd, buf, std::min(sizeof(buf), max - out.size()), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
      if (!until.empty() && out.find(until) != std::string::npos) break;
    }
    return out;
  }
};

std::string HttpGet(const std::string& ip, uint16_t port, const std::string& target) {
  Client c(ip, port);
  EXPECT_GE(c.fd, 0) << ip << ":" << port << " " << std::strerror(c.err);
  if (c.fd < 0) return "";
  c.Send("GET " + target + " HTTP/1.1\r\nHost: " + ip + "\r\nUser-Agent: phaseout-test\r\nAccept: */*\r\n\r\n");
  return c.Read();
}

// The reply split into status line, header lines (verbatim) and body.
struct Parsed {
  std::string status_line;
  std::vector<std::string> headers;
  std::string body;
};

Parsed Parse(const std::string& raw) {
  Parsed p;
  const size_t end = raw.find("\r\n\r\n");
  const std::string head = raw.substr(0, end);
  p.body = end == std::string::npos ? "" : raw.substr(end + 4);
  size_t pos = 0;
  bool first = true;
  while (pos <= head.size()) {
    size_t nl = head.find("\r\n", pos);
    if (nl == std::string::npos) nl = head.size();
    const std::string line = head.substr(pos, nl - pos);
    if (first) p.status_line = line; else p.headers.push_back(line);
    first = false;
    pos = nl + 2;
  }
  return p;
}

bool Volatile(const std::string& tmpl) {
  for (const char* v : {"{nonce}", "{date}", "{date_hik}", "{unix_time}"}) {
    if (tmpl.find(v) != std::string::npos) return true;
  }
  return false;
}

// Checks a received reply against the profile's reply for that device: the status line, every
// header name in order with its exact case, values and body exactly unless they hold
// time- or nonce-dependent parts.
void ExpectReply(const std::string& raw, const Reply& reply, TemplateVars vars, const std::string& what) {
  SCOPED_TRACE(what);
  const std::string expected_raw = RenderReply(reply, vars);
  const Parsed got = Parse(raw);
  const Parsed want = Parse(expected_raw);
  EXPECT_EQ(got.status_line, want.status_line);
  ASSERT_EQ(got.headers.size(), reply.headers.size()) << raw;
  for (size_t i = 0; i < reply.headers.size(); ++i) {
    const std::string& name = reply.headers[i].first;
    EXPECT_EQ(got.headers[i].substr(0, name.size() + 1), name + ":") << got.headers[i];
    if (!Volatile(reply.headers[i].second)) {
      EXPECT_EQ(got.headers[i], want.headers[i]);
    }
  }
  if (!Volatile(reply.body)) {
    EXPECT_EQ(got.body, want.body);
  }
}

// Starts a lab over every shipped profile in a /24 with enough devices that each profile
// appears; returns the first device of each profile.
class LabServerTest : public ::testing::Test {
 protected:
  void StartLab(LabSpec spec) {
    Result<std::vector<Profile>> profiles = LoadProfiles(kProfilesDir);
    ASSERT_TRUE(profiles) << profiles.error().message;
    // Every profile weighs the same here so each one gets devices.
    for (const Profile& p : *profiles) spec.mix.emplace(p.id, 1.0);
    Result<std::unique_ptr<Lab>> lab = Lab::Start(spec, std::move(profiles).value());
    ASSERT_TRUE(lab) << lab.error().message;
    lab_ = std::move(lab).value();
    first_.clear();
    for (const TruthEntry& e : lab_->Truth()) {
      if (e.kind == HostKind::kDevice && !first_.count(e.profile_id)) first_[e.profile_id] = &e;
    }
  }
  static LabSpec DefaultSpec() {
    LabSpec spec;
    spec.base = "127.31.7.0/24";
    spec.devices = 240;  // enough that every one of the ~30 profiles gets a device
    spec.seed = 7;
    spec.threads = 2;
    spec.hostile = 3;
    return spec;
  }
  const Profile& ProfileOf(const TruthEntry& e) const { return lab_->profiles()[static_cast<size_t>(e.profile)]; }
  std::unique_ptr<Lab> lab_;
  std::map<std::string, const TruthEntry*> first_;
};

TEST_F(LabServerTest, EveryProfileAnswersHttpAsWritten) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  StartLab(DefaultSpec());
  ASSERT_EQ(first_.size(), lab_->profiles().size()) << "some profile got no device";
  const std::vector<std::string> targets = {"/", "/ISAPI/System/deviceInfo", "/doc/page/login.asp",
                                            "/cgi-bin/magicBox.cgi?action=getDeviceType", "/favicon.ico"};
  for (const auto& [id, entry] : first_) {
    const Profile& p = ProfileOf(*entry);
    const TemplateVars vars = DeviceVars(*entry);
    for (const PortSpec& port : p.ports) {
      if (port.kind != PortKind::kHttp || port.tls) continue;
      for (const std::string& target : targets) {
        const std::string raw = HttpGet(vars.ip, port.port, target);
        const std::string path = target.substr(0, target.find('?'));
        const Reply* want = &*port.fallback;
        for (const Route& r : port.routes) {
          if (r.target == target || r.target == path) {
            want = &r.reply;
            break;
          }
        }
        ExpectReply(raw, *want, vars, id + " " + std::to_string(port.port) + " " + target);
      }
    }
  }
}

TEST_F(LabServerTest, DocumentedSignalsOnTheWire) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  StartLab(DefaultSpec());
  // Hikvision NVR: userCheck XML 401 with a hex realm (hikvision_next issue 50).
  const TruthEntry* nvr = first_.at("hikvision-nvr-dnvrs");
  const std::string isapi = HttpGet(DeviceVars(*nvr).ip, 80, "/ISAPI/System/deviceInfo");
  EXPECT_EQ(isapi.rfind("HTTP/1.1 401 Unauthorized\r\n", 0), 0u) << isapi;
  EXPECT_NE(isapi.find("Server: DNVRS-Webs\r\n"), std::string::npos);
  EXPECT_NE(isapi.find("realm=\"" + nvr->hex_token + "\", domain=\"::\""), std::string::npos) << isapi;
  EXPECT_NE(isapi.find("<userCheck>"), std::string::npos);
  // Dahua: no Server header, upper-case names, "Login to <serial>" on magicBox.
  const TruthEntry* dahua = first_.at("dahua-ipc");
  const std::string ip = DeviceVars(*dahua).ip;
  const std::string root = HttpGet(ip, 80, "/");
  EXPECT_EQ(root.find("Server:"), std::string::npos);
  EXPECT_NE(root.find("CONNECTION: close\r\n"), std::string::npos);
  EXPECT_NE(root.find("\r\n\r\n\xEF\xBB\xBF<!DOCTYPE"), std::string::npos);
  EXPECT_NE(root.find("<title>WEB SERVICE</title>"), std::string::npos);
  const std::string magic = HttpGet(ip, 80, "/cgi-bin/magicBox.cgi?action=getDeviceType");
  EXPECT_NE(magic.find("Digest realm=\"Login to " + dahua->serial + "\""), std::string::npos) << magic;
  // Hikvision camera: the IP Camera(xxxxx) realm.
  const TruthEntry* cam = first_.at("hikvision-ipc-webserver");
  const std::string cam401 = HttpGet(DeviceVars(*cam).ip, 80, "/ISAPI/System/deviceInfo");
  EXPECT_NE(cam401.find("realm=\"IP Camera(" + cam->serial.substr(cam->serial.size() - 5) + ")\""), std::string::npos);
  EXPECT_EQ(cam401.rfind("HTTP/1.0 401", 0), 0u);
}

TEST_F(LabServerTest, RtspEchoesCseqAndKeepsTheConnection) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  StartLab(DefaultSpec());
  const TruthEntry* cam = first_.at("hikvision-ipc-webserver");
  const std::string ip = DeviceVars(*cam).ip;
  Client c(ip, 554);
  ASSERT_GE(c.fd, 0);
  c.Send("OPTIONS rtsp://" + ip + ":554/ RTSP/1.0\r\nCSeq: 41\r\nUser-Agent: t\r\n\r\n");
  const std::string options = c.Read(65536, "\r\n\r\n");
  EXPECT_EQ(options.rfind("RTSP/1.0 200 OK\r\nCSeq: 41\r\nPublic: OPTIONS, DESCRIBE, PLAY", 0), 0u) << options;
  EXPECT_EQ(options.find("Server:"), std::string::npos);
  // "Date:  Thu, May 14 2020 16:45:35 GMT": two spaces, month before day.
  const size_t date = options.find("Date:  ");
  ASSERT_NE(date, std::string::npos) << options;
  const std::string value = options.substr(date + 7, options.find("\r\n", date) - date - 7);
  ASSERT_EQ(value.size(), 29u) << value;
  EXPECT_EQ(value[3], ',');
  EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(value[5])));  // month name first
  EXPECT_EQ(value.substr(value.size() - 4), " GMT");
  c.Send("DESCRIBE rtsp://" + ip + ":554/Streaming/Channels/101 RTSP/1.0\r\nCSeq: 42\r\nAccept: application/sdp\r\n\r\n");
  const std::string describe = c.Read(65536, "\r\n\r\n");
  EXPECT_EQ(describe.rfind("RTSP/1.0 401 Unauthorized\r\nCSeq: 42\r\n", 0), 0u) << describe;
  EXPECT_NE(describe.find("realm=\"IP Camera("), std::string::npos);

  const TruthEntry* dahua = first_.at("dahua-ipc");
  Client d(DeviceVars(*dahua).ip, 554);
  ASSERT_GE(d.fd, 0);
  d.Send("OPTIONS rtsp://x/ RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  const std::string dopt = d.Read(65536, "\r\n\r\n");
  EXPECT_NE(dopt.find("Server: Rtsp Server/3.0\r\n"), std::string::npos) << dopt;
  d.Send("DESCRIBE rtsp://x/cam/realmonitor?channel=1&subtype=0 RTSP/1.0\r\nCSeq: 2\r\n\r\n");
  const std::string ddesc = d.Read(65536, "\r\n\r\n");
  EXPECT_NE(ddesc.find("CSeq: 2\r\n"), std::string::npos);
  EXPECT_NE(ddesc.find("Login to " + dahua->serial), std::string::npos) << ddesc;
  // Unlisted method: 501 with the CSeq echoed.
  d.Send("SETUP rtsp://x/ RTSP/1.0\r\nCSeq: 3\r\n\r\n");
  EXPECT_EQ(d.Read(65536, "\r\n\r\n"), "RTSP/1.0 501 Not Implemented\r\nCSeq: 3\r\n\r\n");
}

// TLS client that returns the peer certificate's subject and issuer (OpenSSL one-line form)
// and the reply to `request` (if any).
struct TlsResult {
  bool ok = false;
  std::string subject, issuer, reply;
  bool self_signed = false;
};

TlsResult TlsFetch(const std::string& ip, uint16_t port, const std::string& request) {
  TlsResult r;
  Client c(ip, port);
  if (c.fd < 0) return r;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, c.fd);
  if (SSL_connect(ssl) == 1) {
    r.ok = true;
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (cert != nullptr) {
      char buf[512];
      X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof(buf));
      r.subject = buf;
      X509_NAME_oneline(X509_get_issuer_name(cert), buf, sizeof(buf));
      r.issuer = buf;
      r.self_signed = X509_check_issued(cert, cert) == X509_V_OK;
      X509_free(cert);
    }
    if (!request.empty()) {
      SSL_write(ssl, request.data(), static_cast<int>(request.size()));
      char buf[4096];
      int n = 0;
      while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) r.reply.append(buf, static_cast<size_t>(n));
    }
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ERR_clear_error();
  return r;
}

TEST_F(LabServerTest, TlsCertificatesFollowTheProfile) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  StartLab(DefaultSpec());
  const TruthEntry* nvr = first_.at("hikvision-nvr-dnvrs");
  TlsResult n = TlsFetch(DeviceVars(*nvr).ip, 443, "GET /ISAPI/System/deviceInfo HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(n.ok);
  EXPECT_EQ(n.subject, "/C=CN/ST=ZheJiang/L=HangZhou/O=HIKVISION/OU=DVRNVR/CN=www.hikvision.com");
  EXPECT_EQ(n.issuer, n.subject);
  EXPECT_TRUE(n.self_signed);
  EXPECT_EQ(n.reply.rfind("HTTP/1.1 401 Unauthorized\r\n", 0), 0u) << n.reply;

  const TruthEntry* ezviz = first_.at("ezviz-h6c");
  TlsResult e = TlsFetch(DeviceVars(*ezviz).ip, 8443, "");
  ASSERT_TRUE(e.ok);
  EXPECT_EQ(e.subject, "/CN=EZVIZ Device");
  EXPECT_EQ(e.issuer, "/CN=CAServer");
  EXPECT_FALSE(e.self_signed);
}

TEST_F(LabServerTest, BannersSilenceAndRefusals) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  StartLab(DefaultSpec());
  const TruthEntry* cam = first_.at("hikvision-ipc-appwebs");
  Client sdk(DeviceVars(*cam).ip, 8000);
  ASSERT_GE(sdk.fd, 0);
  EXPECT_EQ(sdk.Read(16), std::string("\0\0\0\x10\0\0\0\x1e\0\0\0\x1e\0\0\0\0", 16));

  const TruthEntry* dahua = first_.at("dahua-nvr");
  Client dvrip(DeviceVars(*dahua).ip, 37777, 300);
  ASSERT_GE(dvrip.fd, 0);
  EXPECT_EQ(dvrip.Read(), "");  // nothing volunteered before the timeout
  EXPECT_EQ(errno, EAGAIN);

  // A port the profile documents as closed, an unused port, and a "refuse" address: RST.
  const TruthEntry* ezviz = first_.at("ezviz-h6c");
  Client closed(DeviceVars(*ezviz).ip, 554);
  EXPECT_EQ(closed.err, ECONNREFUSED);
  Client unused(DeviceVars(*cam).ip, 8080);
  EXPECT_EQ(unused.err, ECONNREFUSED);
  int refused = 0;
  for (const TruthEntry& e : lab_->Truth()) {
    if (e.kind != HostKind::kRefuse || refused >= 3) continue;
    Client r(DeviceVars(e).ip, 80);
    EXPECT_EQ(r.err, ECONNREFUSED) << DeviceVars(e).ip;
    ++refused;
  }
  EXPECT_EQ(refused, 3);
}

TEST_F(LabServerTest, SilentHostsDropPackets) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  LabSpec spec = DefaultSpec();
  spec.base = "127.31.8.0/24";
  spec.devices = 20;
  spec.silent_fraction = 0.5;
  spec.refuse_fraction = 0.5;
  StartLab(spec);
  if (!lab_->silent_enabled()) {
    ASSERT_FALSE(lab_->warnings().empty());
    GTEST_SKIP() << lab_->warnings()[0];
  }
  const TruthEntry* silent = nullptr;
  for (const TruthEntry& e : lab_->Truth()) {
    if (e.kind == HostKind::kSilent) {
      silent = &e;
      break;
    }
  }
  ASSERT_NE(silent, nullptr);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(80);
  addr.sin_addr.s_addr = htonl(silent->ip);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), -1);
  EXPECT_EQ(errno, EINPROGRESS);
  pollfd p{fd, POLLOUT, 0};
  EXPECT_EQ(poll(&p, 1, 700), 0) << "a silent address answered";
  close(fd);
  lab_->Stop();
  // Stopping removes the rule: the address now refuses.
  Client after(DeviceVars(*silent).ip, 80, 2000);
  EXPECT_EQ(after.err, ECONNREFUSED);
}

TEST_F(LabServerTest, HostileHostsMisbehave) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  StartLab(DefaultSpec());
  std::set<HostileMode> seen;
  for (const TruthEntry& e : lab_->Truth()) {
    if (e.kind != HostKind::kHostile) continue;
    seen.insert(e.hostile);
    Client c(DeviceVars(e).ip, 80);
    ASSERT_GE(c.fd, 0);
    c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string got = c.Read(512 * 1024);
    if (e.hostile == HostileMode::kEndlessHeaders) {
      EXPECT_EQ(got.size(), 512u * 1024);
      EXPECT_EQ(got.find("\r\n\r\n"), std::string::npos);
    } else if (e.hostile == HostileMode::kHugeBody) {
      EXPECT_EQ(got.size(), 512u * 1024);
      EXPECT_NE(got.find("Content-Length: 1099511627776"), std::string::npos);
    } else {
      EXPECT_GE(got.size(), 16384u);
      EXPECT_NE(got.rfind("HTTP/", 0), 0u);
    }
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST_F(LabServerTest, ReadyTruthAndLatency) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  LabSpec spec = DefaultSpec();
  spec.base = "127.31.9.0/24";
  spec.devices = 40;
  spec.latency_ms = 250;
  const std::string dir = ::testing::TempDir();
  spec.truth_path = dir + "/lab_truth.ndjson";
  spec.ready_path = dir + "/lab_ready";
  std::remove(spec.ready_path.c_str());
  StartLab(spec);
  std::ifstream ready(spec.ready_path);
  ASSERT_TRUE(ready.good()) << "ready file missing";
  std::string line;
  std::getline(ready, line);
  EXPECT_NE(line.find("\"devices\":40"), std::string::npos) << line;
  std::ifstream truth(spec.truth_path);
  size_t lines = 0;
  std::string first;
  while (std::getline(truth, line)) {
    if (lines++ == 0) first = line;
  }
  EXPECT_EQ(lines, lab_->Truth().size());
  EXPECT_EQ(first, TruthToJson(lab_->Truth()[0]));

  const TruthEntry* dev = nullptr;
  for (const TruthEntry& e : lab_->Truth()) {
    if (e.kind == HostKind::kDevice && std::count(e.open_ports.begin(), e.open_ports.end(), 80)) {
      dev = &e;
      break;
    }
  }
  ASSERT_NE(dev, nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string reply = HttpGet(DeviceVars(*dev).ip, 80, "/");
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_FALSE(reply.empty());
  EXPECT_GE(ms, 240);
  EXPECT_GT(lab_->connections_served(), 0u);
  EXPECT_NE(lab_->Summary().find("40 devices"), std::string::npos) << lab_->Summary();
}

TEST_F(LabServerTest, StopReleasesEveryPort) {
  PHASEOUT_REQUIRE_ISOLATED_NETWORK();
  LabSpec spec = DefaultSpec();
  spec.devices = 30;
  StartLab(spec);
  const TruthEntry* dev = first_.begin()->second;
  const uint16_t port = dev->open_ports[0];
  lab_->Stop();
  Client c(DeviceVars(*dev).ip, port, 1000);
  EXPECT_EQ(c.err, ECONNREFUSED);
  // The same estate starts again on the freed addresses.
  lab_.reset();
  StartLab(spec);
  Client again(DeviceVars(*first_.begin()->second).ip, first_.begin()->second->open_ports[0], 1000);
  EXPECT_GE(again.fd, 0);
}

// The lab refuses to start where a real network is visible. Outside a namespace this checks
// it directly; inside one, a child process makes its own namespace with a veth pair (an
// interface that goes nowhere) and checks there.
TEST(LabIsolation, RefusesOutsideAPrivateNamespace) {
  LabSpec spec;
  spec.base = "127.31.10.0/24";
  spec.devices = 1;
  spec.profiles_dir = kProfilesDir;
  if (!net::IsIsolatedNetwork()) {
    Result<std::unique_ptr<Lab>> lab = Lab::Start(spec);
    ASSERT_FALSE(lab);
    EXPECT_NE(lab.error().message.find("scripts/netns-run"), std::string::npos) << lab.error().message;
    return;
  }
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (unshare(CLONE_NEWNET) != 0) _exit(77);
    if (std::system("ip link add phaseout-va type veth peer name phaseout-vb >/dev/null 2>&1") != 0) _exit(77);
    Result<std::unique_ptr<Lab>> lab = Lab::Start(spec);
    if (lab) _exit(1);
    _exit(lab.error().message.find("scripts/netns-run") != std::string::npos ? 0 : 2);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "cannot create a nested namespace with a veth pair here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the lab started although a non-loopback interface was visible";
}

}  // namespace
}  // namespace phaseout::lab
