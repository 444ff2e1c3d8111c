// RTSP probe session. Steps:
//   1. OPTIONS rtsp://<ip>:<port>/ (CSeq 1) on the connection the engine opened.
//   2. DESCRIBE rtsp://<ip>:<port>/ (CSeq 2), on the same connection, or on a new one when
//      the server closed after OPTIONS. Skipped when OPTIONS got garbage, an HTTP reply, or
//      silence (a non-RTSP service: asking again teaches nothing).
#include "probes/rtsp/probe.h"

#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "probes/common/message.h"
#include "probes/common/message_observations.h"
#include "probes/common/observation_list.h"
#include "probes/rtsp/parser.h"
#include "probes/rtsp/request.h"

namespace phaseout::probes::rtsp {
namespace {

constexpr size_t kRawPrefix = 256;
constexpr size_t kBodyKept = 4 * 1024;
constexpr int kOptionsCseq = 1;
constexpr int kDescribeCseq = 2;

std::vector<FieldSpec> RtspFields() {
  return {
      {"tcp.port.open", "the port accepted the connection (probe \"tcp\")"},
      {"rtsp.version", "protocol token of the first reply's status line (RTSP/1.0, or HTTP/1.1 from an HTTP server)"},
      {"rtsp.options.status", "status code of OPTIONS"},
      {"rtsp.describe.status", "status code of DESCRIBE (401 without credentials on cameras)"},
      {"rtsp.header.<name>", "every header (name lower-cased, value verbatim); DESCRIBE adds names OPTIONS lacked"},
      {"rtsp.header_names", "header names of the first reply as sent, comma-joined in order"},
      {"rtsp.auth.scheme", "scheme of each WWW-Authenticate challenge (a pair repeated by DESCRIBE is not repeated)"},
      {"rtsp.auth.realm", "realm of each challenge, e.g. IP Camera(C2875), Login to <serial>"},
      {"rtsp.cseq_echo", "match, mismatch or absent: whether replies echo our CSeq"},
      {"rtsp.date_layout", "rfc1123, hikvision-dow-mon-day-year or other (first Date header)"},
      {"rtsp.date_double_space", "\"true\" iff the raw Date line has two spaces after the colon"},
      {"rtsp.no_server_header", "\"true\" iff no reply had a Server header"},
      {"rtsp.describe.body", "first 4 KiB of a DESCRIBE body (SDP)"},
      {"rtsp.options.error", "why OPTIONS yielded no reply: connect_failed, timeout, closed, empty, parse"},
      {"rtsp.describe.error", "why DESCRIBE yielded no reply"},
      {"rtsp.parse_error", "why a reply is not RTSP/HTTP-shaped"},
      {"rtsp.raw_prefix", "first 256 bytes (escaped) of a reply that is not RTSP"},
      {"rtsp.limit", "a limit cut a reply, e.g. headers>100"},
  };
}

class RtspSession final : public ProbeSession {
 public:
  explicit RtspSession(const ProbeTarget& target)
      : target_(target), obs_("rtsp", target.port), framer_(common::BodyRule::kNoBody) {
    obs_.AddAs("tcp", "tcp.port.open", std::to_string(target.port));
  }

  Step Next() override {
    framer_.Reset();
    Step step;
    if (stage_ == Stage::kOptions) {
      step.kind = Step::Kind::kSend;
      step.request = BuildOptionsRequest(target_, kOptionsCseq);
      stage_ = Stage::kAwaitOptions;
    } else if (stage_ == Stage::kDescribe) {
      step.kind = Step::Kind::kSend;
      step.request = BuildDescribeRequest(target_, kDescribeCseq);
      step.new_connection = describe_on_new_connection_;
      stage_ = Stage::kAwaitDescribe;
    } else {
      stage_ = Stage::kDone;
    }
    return step;
  }

  Framing Frame(std::string_view received) const override { return framer_.Feed(received); }

  void OnResponse(const Response& response) override {
    if (stage_ == Stage::kAwaitOptions) {
      stage_ = Stage::kDone;
      bool rtsp = Handle(response, "rtsp.options", kOptionsCseq);
      if (rtsp) {
        stage_ = Stage::kDescribe;
      } else if (response.bytes.empty() && response.closed && !response.connect_failed) {
        // Closed without a word: some servers drop a connection after OPTIONS; try once more.
        stage_ = Stage::kDescribe;
      }
      describe_on_new_connection_ = response.closed || response.connect_failed || response.timed_out;
    } else if (stage_ == Stage::kAwaitDescribe) {
      stage_ = Stage::kDone;
      if (response.bytes.empty() && response.closed && !describe_on_new_connection_) {
        // The server closed after answering OPTIONS (we only learn it now): ask once more on
        // a fresh connection.
        describe_on_new_connection_ = true;
        stage_ = Stage::kDescribe;
        return;
      }
      Handle(response, "rtsp.describe", kDescribeCseq);
    }
  }

  void OnTlsCertificate(std::string_view) override {}  // RTSP steps never ask for TLS

  std::vector<model::Observation> TakeObservations() override {
    if (!finalized_) {
      finalized_ = true;
      if (parsed_replies_ > 0) {
        obs_.Add("rtsp.cseq_echo", cseq_absent_ ? "absent" : cseq_mismatch_ ? "mismatch" : "match");
        if (!saw_server_) obs_.Add("rtsp.no_server_header", "true");
      }
    }
    return obs_.Take();
  }

 private:
  enum class Stage { kOptions, kAwaitOptions, kDescribe, kAwaitDescribe, kDone };

  // Records one reply under `prefix` ("rtsp.options" / "rtsp.describe"). Returns true iff it
  // parsed as an RTSP reply (version RTSP/...).
  bool Handle(const Response& response, const std::string& prefix, int cseq) {
    if (response.bytes.empty()) {
      obs_.Add(prefix + ".error", common::EmptyReason(response));
      return false;
    }
    Result<common::Message> reply = ParseRtspResponse(response.bytes);
    if (!reply) {
      obs_.Add(prefix + ".error", "parse");
      obs_.Add("rtsp.parse_error", reply.error().message);
      obs_.Add("rtsp.raw_prefix", EscapeBytes(response.bytes.substr(0, kRawPrefix), 4 * kRawPrefix));
      return false;
    }
    const common::Message& m = *reply;
    bool first = parsed_replies_ == 0;
    ++parsed_replies_;
    if (first) obs_.Add("rtsp.version", m.version);
    obs_.Add(prefix + ".status", m.status_code);
    // Headers: all of the first reply; later replies only add names not seen before, so the
    // per-request Date or CSeq does not appear twice.
    std::set<std::string> names_this_reply;
    for (const common::HeaderField& h : m.headers) {
      std::string key = common::HeaderKey(h.name);
      if (header_keys_seen_.count(key) == 0) {
        obs_.Add("rtsp.header." + key, h.value);
        names_this_reply.insert(key);
      }
    }
    header_keys_seen_.insert(names_this_reply.begin(), names_this_reply.end());
    if (first) obs_.Add("rtsp.header_names", common::HeaderNames(m));
    common::AddAuthChallenges(m, "rtsp", &obs_, &challenges_seen_);
    if (m.Find("Server") != nullptr) saw_server_ = true;
    std::string echo = CseqEcho(m, cseq);
    cseq_absent_ = cseq_absent_ || echo == "absent";
    cseq_mismatch_ = cseq_mismatch_ || echo == "mismatch";
    if (const common::HeaderField* date = m.Find("Date"); date != nullptr && !date_recorded_) {
      date_recorded_ = true;
      obs_.Add("rtsp.date_layout", ClassifyDateLayout(date->value));
      // The raw line is "Date:  Thu, ..." on Hikvision: two blanks after the colon.
      if (date->raw_value.rfind("  ", 0) == 0) obs_.Add("rtsp.date_double_space", "true");
    }
    if (prefix == "rtsp.describe" && !m.body.empty()) obs_.Add("rtsp.describe.body", m.body.substr(0, kBodyKept));
    common::AddLimits(m, response, "rtsp", prefix == "rtsp.options" ? "OPTIONS" : "DESCRIBE", &obs_);
    return StartsWithIgnoreCase(m.version, "RTSP/");
  }

  ProbeTarget target_;
  common::ObservationList obs_;
  // Frame() is const by contract but framing is incremental; the framer is per-step scratch.
  mutable common::MessageFramer framer_;
  Stage stage_ = Stage::kOptions;
  bool describe_on_new_connection_ = false;
  int parsed_replies_ = 0;
  bool saw_server_ = false;
  bool cseq_absent_ = false;
  bool cseq_mismatch_ = false;
  bool date_recorded_ = false;
  bool finalized_ = false;
  std::set<std::string> header_keys_seen_;
  std::set<std::pair<std::string, std::string>> challenges_seen_;  // (scheme, realm) already recorded
};

}  // namespace

RtspProbe::RtspProbe() {
  spec_.name = "rtsp";
  spec_.description = "RTSP/1.0: OPTIONS and DESCRIBE on the root URL without credentials (Server, Public, realm, Date layout)";
  spec_.default_ports = {554, 8554};
  spec_.fields = RtspFields();
}

std::unique_ptr<ProbeSession> RtspProbe::Start(const ProbeTarget& target) const {
  return std::make_unique<RtspSession>(target);
}

}  // namespace phaseout::probes::rtsp
