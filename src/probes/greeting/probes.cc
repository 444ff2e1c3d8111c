// Sessions of the ssh, telnet, ftp and cwmp probes.
#include "probes/greeting/probes.h"

#include <iterator>
#include <vector>

#include "core/strings.h"
#include "probes/banner/banner.h"
#include "probes/common/observation_list.h"
#include "probes/greeting/greeting.h"
#include "probes/http/probe.h"

namespace phaseout::probes::greeting {
namespace {

// How long a greeting may take. Telnet servers on embedded gear negotiate first and print the
// banner afterwards; 2.5 s per round covers slow CPEs without stalling a scan.
constexpr uint32_t kGreetingTimeoutMs = 2500;

std::string ErrorOf(const Response& r) {
  if (r.connect_failed) return "connect_failed";
  if (r.bytes.empty()) return r.timed_out ? "timeout" : r.closed ? "closed" : "empty";
  return "";
}

// One kWaitBanner step, then kDone: the shape shared by ssh and ftp.
class OneReadSession : public ProbeSession {
 public:
  OneReadSession(const char* name, const ProbeTarget& target) : obs_(name, target.port) {
    obs_.AddAs("tcp", "tcp.port.open", std::to_string(target.port));
  }
  Step Next() override {
    Step step;
    if (!asked_) {
      asked_ = true;
      step.kind = Step::Kind::kWaitBanner;
      step.read_timeout_ms = kGreetingTimeoutMs;
    }
    return step;
  }
  void OnResponse(const Response& response) override {
    if (!asked_ || answered_) return;
    answered_ = true;
    banner::AddBannerObservations(response, &obs_);
    if (std::string e = ErrorOf(response); !e.empty()) {
      obs_.Add(obs_.probe() + ".error", e);
      return;
    }
    Parse(response.bytes);
  }
  void OnTlsCertificate(std::string_view) override {}
  std::vector<model::Observation> TakeObservations() override { return obs_.Take(); }

 protected:
  virtual void Parse(std::string_view bytes) = 0;
  common::ObservationList obs_;

 private:
  bool asked_ = false;
  bool answered_ = false;
};

class SshSession final : public OneReadSession {
 public:
  explicit SshSession(const ProbeTarget& t) : OneReadSession("ssh", t) {}
  Framing Frame(std::string_view received) const override { return FrameSsh(received); }

 private:
  void Parse(std::string_view bytes) override {
    SshGreeting g = ParseSshGreeting(bytes);
    for (const std::string& line : g.preamble) obs_.Add("ssh.preamble", line);
    if (!g.found) {
      obs_.Add("ssh.error", "no SSH identification line");
      return;
    }
    obs_.Add("ssh.banner", EscapeBytes(g.line, 255));
    obs_.Add("ssh.protocol", EscapeBytes(g.proto_version, 64));
    if (!g.software.empty()) obs_.Add("ssh.software", EscapeBytes(g.software, 255));
    if (!g.comment.empty()) obs_.Add("ssh.comment", EscapeBytes(g.comment, 255));
  }
};

class FtpSession final : public OneReadSession {
 public:
  explicit FtpSession(const ProbeTarget& t) : OneReadSession("ftp", t) {}
  Framing Frame(std::string_view received) const override { return FrameFtp(received); }

 private:
  void Parse(std::string_view bytes) override {
    FtpGreeting g = ParseFtpGreeting(bytes);
    if (!g.found) {
      obs_.Add("ftp.error", "not an FTP reply");
      return;
    }
    obs_.Add("ftp.code", g.code);
    obs_.Add("ftp.banner", BannerLines(g.text));
  }
};

class TelnetSession final : public ProbeSession {
 public:
  explicit TelnetSession(const ProbeTarget& t) : obs_("telnet", t.port) {
    obs_.AddAs("tcp", "tcp.port.open", std::to_string(t.port));
  }
  Step Next() override {
    Step step;
    if (done_ || rounds_ > kMaxRefusalRounds) return step;
    step.read_timeout_ms = kGreetingTimeoutMs;
    if (rounds_ == 0) {
      step.kind = Step::Kind::kWaitBanner;
    } else {
      step.kind = Step::Kind::kSend;
      step.request = pending_refusal_;
    }
    outstanding_ = true;
    return step;
  }
  Framing Frame(std::string_view received) const override { return FrameTelnet(received); }
  void OnResponse(const Response& response) override {
    if (!outstanding_) return;
    outstanding_ = false;
    ++rounds_;
    if (rounds_ == 1) banner::AddBannerObservations(response, &obs_);
    if (response.connect_failed) {
      obs_.Add("telnet.error", "connect_failed");
      done_ = true;
      return;
    }
    all_.append(response.bytes.substr(0, kMaxGreetingBytes - std::min(all_.size(), kMaxGreetingBytes)));
    TelnetGreeting g = ParseTelnet(response.bytes);
    for (const std::string& o : g.options) {
      if (options_.size() < 64) options_.push_back(o);
    }
    // Answer only when the server negotiated and has not shown a prompt yet.
    pending_refusal_ = g.refusal;
    bool prompt = FrameTelnet(ParseTelnet(all_).text) == Framing::kComplete;
    if (pending_refusal_.empty() || prompt || response.closed) done_ = true;
  }
  void OnTlsCertificate(std::string_view) override {}
  std::vector<model::Observation> TakeObservations() override {
    if (!finished_) {
      finished_ = true;
      TelnetGreeting all = ParseTelnet(all_);
      if (!options_.empty()) {
        std::string joined;
        for (const std::string& o : options_) joined += (joined.empty() ? "" : ",") + o;
        obs_.Add("telnet.options", joined);
      }
      std::string text = BannerLines(all.text);
      if (!text.empty()) {
        size_t nl = text.find_last_of('\n');
        std::string last = nl == std::string::npos ? text : text.substr(nl + 1);
        obs_.Add("telnet.banner", std::move(text));
        obs_.Add("telnet.prompt", std::move(last));
      } else if (rounds_ > 0) {
        obs_.Add("telnet.error", all_.empty() ? "empty" : "negotiation only, no text");
      }
    }
    return obs_.Take();
  }

 private:
  static constexpr int kMaxRefusalRounds = 2;
  common::ObservationList obs_;
  std::string all_;
  std::string pending_refusal_;
  std::vector<std::string> options_;
  int rounds_ = 0;
  bool outstanding_ = false;
  bool done_ = false;
  bool finished_ = false;
};

// Wraps the http probe's session: GET / only, keys re-rooted under "cwmp.".
class CwmpSession final : public ProbeSession {
 public:
  CwmpSession(std::unique_ptr<ProbeSession> http, uint16_t port) : http_(std::move(http)), port_(port) {}
  Step Next() override {
    if (answered_) return Step{};
    Step step = http_->Next();
    if (step.kind != Step::Kind::kDone) outstanding_ = true;
    return step;
  }
  Framing Frame(std::string_view received) const override { return http_->Frame(received); }
  void OnResponse(const Response& response) override {
    if (!outstanding_) return;
    outstanding_ = false;
    answered_ = true;  // no follow-ups: a CWMP port is not a web UI
    http_->OnResponse(response);
  }
  void OnTlsCertificate(std::string_view der) override { http_->OnTlsCertificate(der); }
  std::vector<model::Observation> TakeObservations() override {
    std::vector<model::Observation> out = http_->TakeObservations();
    for (model::Observation& o : out) {
      if (o.probe != "http") continue;
      o.probe = "cwmp";
      if (o.key.rfind("http.", 0) == 0) o.key = "cwmp." + o.key.substr(5);
      o.port = port_;
    }
    return out;
  }

 private:
  std::unique_ptr<ProbeSession> http_;
  uint16_t port_;
  bool outstanding_ = false;
  bool answered_ = false;
};

const http::HttpProbe& PlainHttp() {
  static const auto* probe = new http::HttpProbe(/*tls=*/false);
  return *probe;
}

// The fields every greeting probe shares (what the engine's TCP layer reports), then its own.
std::vector<FieldSpec> GreetingFields(bool telnet, std::vector<FieldSpec> own) {
  std::vector<FieldSpec> fields = {
      {"tcp.port.open", "the port accepted the connection (probe \"tcp\")"},
      {"tcp.banner.length", telnet ? "bytes the server sent first" : "bytes the server sent"},
      {"tcp.banner.hex",
       telnet ? "first 64 bytes, lower-case hex (IAC negotiation included)" : "first 64 bytes, lower-case hex"},
      {"tcp.banner.text", "first 256 bytes, escaped"},
      {"tcp.silent", "\"true\": nothing arrived"},
      {"tcp.closed_on_connect", "\"true\": closed without a byte"},
      {"banner.limit", "the engine's byte cap cut the greeting"},
  };
  fields.insert(fields.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
  return fields;
}

}  // namespace

SshProbe::SshProbe() {
  spec_.name = "ssh";
  spec_.description = "SSH identification string (RFC 4253 4.2): read the server's version line, send nothing, no key exchange";
  spec_.default_ports = {22};
  spec_.fields = GreetingFields(/*telnet=*/false, {
      {"ssh.banner", "identification line without CR LF, e.g. SSH-2.0-HUAWEI-1.5"},
      {"ssh.protocol", "protocol version, e.g. 2.0"},
      {"ssh.software", "software version, e.g. OpenSSH_7.4, HUAWEI-1.5, ROSSSH"},
      {"ssh.comment", "comments after the software version"},
      {"ssh.preamble", "a line sent before the identification line"},
      {"ssh.error", "connect_failed, timeout, closed, empty, or no SSH identification line"},
  });
}

std::unique_ptr<ProbeSession> SshProbe::Start(const ProbeTarget& target) const {
  return std::make_unique<SshSession>(target);
}

TelnetProbe::TelnetProbe() {
  spec_.name = "telnet";
  spec_.description = "Telnet greeting (RFC 854): read the banner, refuse every option (WONT/DONT), never log in";
  spec_.default_ports = {23};
  spec_.fields = GreetingFields(/*telnet=*/true, {
      {"telnet.options", "the server's option commands in order, e.g. DO 24,WILL 1,WILL 3"},
      {"telnet.banner", "text the server sent, IAC sequences removed, as lines joined by LF (greeting.h BannerLines), e.g. F668\\nLogin:"},
      {"telnet.prompt", "the last line of that text, e.g. Username: or F660 Login:"},
      {"telnet.error", "connect_failed, empty, or negotiation only, no text"},
  });
}

std::unique_ptr<ProbeSession> TelnetProbe::Start(const ProbeTarget& target) const {
  return std::make_unique<TelnetSession>(target);
}

FtpProbe::FtpProbe() {
  spec_.name = "ftp";
  spec_.description = "FTP greeting (RFC 959): read the 220 reply, send nothing";
  spec_.default_ports = {21};
  spec_.fields = GreetingFields(/*telnet=*/false, {
      {"ftp.code", "reply code, normally 220"},
      {"ftp.banner", "greeting text after the code (lines joined by \" | \"), escaped"},
      {"ftp.error", "connect_failed, timeout, closed, empty, or not an FTP reply"},
  });
}

std::unique_ptr<ProbeSession> FtpProbe::Start(const ProbeTarget& target) const {
  return std::make_unique<FtpSession>(target);
}

CwmpProbe::CwmpProbe() {
  spec_.name = "cwmp";
  spec_.description = "TR-069 CWMP connection-request port over HTTP: GET / only, the 401 Digest realm names the CPE";
  spec_.default_ports = {7547, 37215};
  spec_.fields = {
      {"tcp.port.open", "the port accepted the connection (probe \"tcp\")"},
      {"cwmp.version", "status-line protocol token"},
      {"cwmp.status", "status code of GET /, normally 401"},
      {"cwmp.reason", "reason phrase"},
      {"cwmp.header.<name>", "response headers, names lower-cased (as http.header.*)"},
      {"cwmp.header_names", "header names as sent"},
      {"cwmp.no_server_header", "\"true\" iff no Server header"},
      {"cwmp.auth.scheme", "WWW-Authenticate scheme, e.g. Digest"},
      {"cwmp.auth.realm", "WWW-Authenticate realm, e.g. HuaweiHomeGateway"},
      {"cwmp.title", "<title> of the body"},
      {"cwmp.body", "first 16 KiB of the body"},
      {"cwmp.body_bom", "\"true\" iff the body starts with a BOM"},
      {"cwmp.error", "connect_failed, timeout, closed, empty, parse"},
      {"cwmp.parse_error", "why the reply is not HTTP"},
      {"cwmp.raw_prefix", "first 256 bytes of such a reply"},
      {"cwmp.limit", "a limit hit"},
  };
}

std::unique_ptr<ProbeSession> CwmpProbe::Start(const ProbeTarget& target) const {
  return std::make_unique<CwmpSession>(PlainHttp().Start(target), target.port);
}

}  // namespace phaseout::probes::greeting
