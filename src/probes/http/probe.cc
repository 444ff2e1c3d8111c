// HTTP(S) probe session. Steps, in order:
//   1. GET / on the connection the engine opened (over TLS for https).
//   2. Up to kMaxFollowUps follow-up GETs, each on a new connection (we send "Connection:
//      close"), one at a time: after every reply the follow-up planner (followups.h; its table
//      is data/followups/http.yaml) sees what this port has shown so far and names the next
//      one, or none when nothing left could change the answer.
// Redirects are never followed; Location is recorded as http.header.location.
#include "probes/http/probe.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "probes/common/message.h"
#include "probes/common/message_observations.h"
#include "probes/common/observation_list.h"
#include "probes/http/favicon_hash.h"
#include "probes/http/followups.h"
#include "probes/http/parser.h"
#include "probes/http/request.h"
#include "probes/tls/cert_observations.h"

namespace phaseout::probes::http {
namespace {

constexpr size_t kBodyKept = 16 * 1024;       // http.body, http.login_page.body
constexpr size_t kSmallBodyKept = 4 * 1024;   // isapi.body, magicbox.body
constexpr size_t kRawPrefix = 256;            // http.raw_prefix for non-HTTP replies

std::vector<FieldSpec> HttpFields(bool tls) {
  std::vector<FieldSpec> f = {
      {"tcp.port.open", "the port accepted the connection (probe \"tcp\")"},
      {"http.version", "protocol token of the status line, e.g. HTTP/1.0"},
      {"http.status", "status code of GET /, e.g. 200"},
      {"http.reason", "reason phrase of GET / as sent, e.g. 302 'Redirect' on old Hikvision DVRs"},
      {"http.header.<name>", "every header of GET /, name lower-cased, value verbatim"},
      {"http.header_names", "header names of GET / as sent (case preserved), comma-joined in order"},
      {"http.no_server_header", "\"true\" iff GET / had no Server header (Dahua signal)"},
      {"http.auth.scheme", "scheme of each WWW-Authenticate challenge on GET /"},
      {"http.auth.realm", "realm of each WWW-Authenticate challenge on GET /"},
      {"http.title", "HTML <title> of GET /, trimmed"},
      {"http.body", "first 16 KiB of the decoded body of GET /"},
      {"http.body_bom", "\"true\" iff the body of GET / starts with a UTF-8 BOM"},
      {"http.error", "why GET / yielded no reply: connect_failed, timeout, closed, empty, parse"},
      {"http.parse_error", "why the reply to GET / is not HTTP"},
      {"http.raw_prefix", "first 256 bytes (escaped) of a reply that is not HTTP"},
      {"http.limit", "a limit cut a reply, e.g. headers>100, body>65536 truncated (follow-ups prefixed by path)"},
      {"isapi.status", "status of GET /ISAPI/System/deviceInfo (Hikvision-platform hint)"},
      {"isapi.auth.scheme", "challenge scheme of the ISAPI reply"},
      {"isapi.auth.realm", "challenge realm of the ISAPI reply"},
      {"isapi.schema", "XML root element of the ISAPI body, plus ' ' and its namespace if any"},
      {"isapi.body", "first 4 KiB of the ISAPI body"},
      {"isapi.error", "why the ISAPI request yielded no reply"},
      {"http.login_page.status", "status of GET /doc/page/login.asp (Hikvision-platform hint)"},
      {"http.login_page.title", "HTML title of the login page"},
      {"http.login_page.body", "first 16 KiB of the login page body"},
      {"http.login_page.error", "why the login page request yielded no reply"},
      {"magicbox.status", "status of GET /cgi-bin/magicBox.cgi?action=getDeviceType (Dahua hint)"},
      {"magicbox.auth.scheme", "challenge scheme of the magicBox reply"},
      {"magicbox.auth.realm", "challenge realm of the magicBox reply, e.g. Login to <serial>"},
      {"magicbox.body", "first 4 KiB of the magicBox body"},
      {"magicbox.error", "why the magicBox request yielded no reply"},
      {"http.favicon.status", "status of GET /favicon.ico (sent when GET / is HTML)"},
      {"http.favicon.md5", "lower-case hex MD5 of the favicon bytes"},
      {"http.favicon.mmh3", "Shodan favicon hash: signed mmh3 of the base64 (76-column lines) of the bytes"},
      {"http.favicon.error", "why the favicon request yielded no reply"},
  };
  if (tls) {
    std::vector<FieldSpec> t = {
        {"tls.handshake", "ok, or failed when the TLS handshake did not complete (probe \"tls\")"},
        {"tls.certificate", "\"none\" when the peer sent no certificate"},
        {"tls.parse_error", "why the peer certificate could not be parsed"},
        {"tls.subject", "certificate subject, OpenSSL X509_NAME_print_ex XN_FLAG_RFC2253 form"},
        {"tls.issuer", "certificate issuer, same form"},
        {"tls.self_signed", "\"true\" iff subject equals issuer and the signature verifies with its own key"},
        {"tls.not_before", "validity start, ISO 8601 UTC"},
        {"tls.not_after", "validity end, ISO 8601 UTC"},
        {"tls.san", "one per DNS name or IP address in subjectAltName"},
        {"tls.sha256", "lower-case hex SHA-256 of the certificate DER"},
    };
    f.insert(f.end(), t.begin(), t.end());
  }
  return f;
}

// One planned request: GET / (followup empty) or a follow-up.
struct Planned {
  std::optional<FollowUpRequest> followup;
  std::string path;
};

class HttpSession final : public ProbeSession {
 public:
  HttpSession(const ProbeTarget& target, bool tls)
      : target_(target),
        tls_(tls),
        obs_(tls ? "https" : "http", target.port),
        framer_(common::BodyRule::kUntilClose),
        planner_(CurrentFollowUpPlanner()) {
    obs_.AddAs("tcp", "tcp.port.open", std::to_string(target.port));
    plan_.push_back({std::nullopt, "/"});
  }

  Step Next() override {
    framer_.Reset();
    if (next_ >= plan_.size()) return Step{};
    const Planned& p = plan_[next_++];
    Step step;
    step.kind = Step::Kind::kSend;
    step.request = BuildGetRequest(target_, tls_, p.path);
    step.tls = tls_;
    step.new_connection = p.followup.has_value();
    return step;
  }

  Framing Frame(std::string_view received) const override { return framer_.Feed(received); }

  void OnResponse(const Response& response) override {
    if (next_ == 0 || answered_ >= next_) return;  // no outstanding step: ignore
    answered_ = next_;
    const Planned& p = plan_[next_ - 1];
    if (!p.followup) {
      if (OnRootResponse(response)) PlanNext();
    } else {
      OnFollowUpResponse(*p.followup, response);
      PlanNext();
    }
  }

  void OnTlsCertificate(std::string_view der) override {
    if (cert_seen_) return;  // follow-up connections present the same certificate again
    cert_seen_ = true;
    tls::AddCertificateObservations(der, &obs_);
  }

  std::vector<model::Observation> TakeObservations() override { return obs_.Take(); }

 private:
  // Asks the planner for the next follow-up of this port, given everything seen so far.
  void PlanNext() {
    if (!planner_ || sent_.size() >= kMaxFollowUps) return;
    std::optional<FollowUpRequest> next = planner_->Next(obs_.items(), sent_);
    // A planner must not repeat itself or hand out an unreviewed path; either ends the exchange.
    if (!next || !IsSafeRequestPath(next->path)) return;
    for (const std::string& id : sent_) {
      if (id == next->id) return;
    }
    sent_.push_back(next->id);
    std::string path = next->path;
    plan_.push_back({std::move(next), std::move(path)});
  }

  // Reads the reply to GET /; true iff it was an HTTP reply (follow-ups may then be planned).
  bool OnRootResponse(const Response& response) {
    if (tls_ && response.connect_failed && !cert_seen_) {
      // The handshake failed. 8443 on Hikvision may be SDK-over-TLS or plain; record and stop.
      obs_.AddAs("tls", "tls.handshake", "failed");
      return false;
    }
    if (response.bytes.empty()) {
      obs_.Add("http.error", common::EmptyReason(response));
      return false;
    }
    Result<common::Message> reply = ParseHttpResponse(response.bytes);
    if (!reply) {
      obs_.Add("http.error", "parse");
      obs_.Add("http.parse_error", reply.error().message);
      obs_.Add("http.raw_prefix", EscapeBytes(response.bytes.substr(0, kRawPrefix), 4 * kRawPrefix));
      return false;
    }
    const common::Message& m = *reply;
    obs_.Add("http.version", m.version);
    obs_.Add("http.status", m.status_code);
    if (!m.reason.empty()) obs_.Add("http.reason", m.reason);
    common::AddHeaders(m, "http", &obs_);
    obs_.Add("http.header_names", common::HeaderNames(m));
    if (m.Find("Server") == nullptr) obs_.Add("http.no_server_header", "true");
    common::AddAuthChallenges(m, "http", &obs_);
    std::string title = ExtractHtmlTitle(m.body);
    if (!title.empty()) obs_.Add("http.title", title);
    if (!m.body.empty()) obs_.Add("http.body", m.body.substr(0, kBodyKept));
    if (HasUtf8Bom(m.body)) obs_.Add("http.body_bom", "true");
    common::AddLimits(m, response, "http", "", &obs_);
    return true;
  }

  void OnFollowUpResponse(const FollowUpRequest& f, const Response& response) {
    std::string_view prefix = Prefix(f.kind);
    if (response.bytes.empty()) {
      obs_.Add(std::string(prefix) + ".error", common::EmptyReason(response));
      return;
    }
    Result<common::Message> reply = ParseHttpResponse(response.bytes);
    if (!reply) {
      obs_.Add(std::string(prefix) + ".error", "parse");
      return;
    }
    const common::Message& m = *reply;
    obs_.Add(std::string(prefix) + ".status", m.status_code);
    switch (f.kind) {
      case FollowUpKind::kIsapiDeviceInfo: {
        common::AddAuthChallenges(m, prefix, &obs_);
        // ISAPI speaks XML; an HTML error page has no schema worth recording.
        if (!LooksLikeHtml(m)) {
          if (Result<std::string> schema = XmlRootSchema(m.body)) obs_.Add("isapi.schema", *schema);
        }
        if (!m.body.empty()) obs_.Add("isapi.body", m.body.substr(0, kSmallBodyKept));
        break;
      }
      case FollowUpKind::kHikvisionLogin: {
        std::string title = ExtractHtmlTitle(m.body);
        if (!title.empty()) obs_.Add("http.login_page.title", title);
        if (!m.body.empty()) obs_.Add("http.login_page.body", m.body.substr(0, kBodyKept));
        break;
      }
      case FollowUpKind::kDahuaMagicBox:
        common::AddAuthChallenges(m, prefix, &obs_);
        if (!m.body.empty()) obs_.Add("magicbox.body", m.body.substr(0, kSmallBodyKept));
        break;
      case FollowUpKind::kFavicon:
        // Hash whatever a 200 carries, as Shodan does; a cut body gives a hash plus a limit note.
        if (m.status == 200 && !m.body.empty()) {
          obs_.Add("http.favicon.md5", Md5Hex(m.body));
          obs_.Add("http.favicon.mmh3", ShodanFaviconHash(m.body));
        }
        break;
    }
    common::AddLimits(m, response, "http", f.path, &obs_);
  }

  static std::string_view Prefix(FollowUpKind kind) {
    switch (kind) {
      case FollowUpKind::kIsapiDeviceInfo: return "isapi";
      case FollowUpKind::kHikvisionLogin: return "http.login_page";
      case FollowUpKind::kDahuaMagicBox: return "magicbox";
      case FollowUpKind::kFavicon: return "http.favicon";
    }
    return "http";
  }

  ProbeTarget target_;
  bool tls_;
  common::ObservationList obs_;
  // Frame() is const by contract but framing is incremental; the framer is per-step scratch.
  mutable common::MessageFramer framer_;
  std::shared_ptr<const FollowUpPlanner> planner_;  // null: GET / only
  std::vector<std::string> sent_;                   // follow-up ids planned, in order
  std::vector<Planned> plan_;
  size_t next_ = 0;       // plan_ entries handed out by Next()
  size_t answered_ = 0;   // plan_ entries whose OnResponse arrived
  bool cert_seen_ = false;
};

}  // namespace

HttpProbe::HttpProbe(bool tls) : tls_(tls) {
  spec_.name = tls ? "https" : "http";
  spec_.description = tls ? "HTTPS (HTTP/1.1 over TLS): GET / and reviewed follow-ups, plus the TLS certificate"
                          : "HTTP/1.1: GET / and reviewed credential-free follow-ups chosen by data/followups/http.yaml "
                            "(ISAPI, login page, magicBox, favicon)";
  spec_.default_ports = tls ? std::vector<uint16_t>{443, 8443, 7443} : std::vector<uint16_t>{80, 81, 88, 8080, 8081, 7080};
  spec_.fields = HttpFields(tls);
}

std::unique_ptr<ProbeSession> HttpProbe::Start(const ProbeTarget& target) const {
  return std::make_unique<HttpSession>(target, tls_);
}

}  // namespace phaseout::probes::http
