// Observation helpers shared by the HTTP and RTSP probes.
#include "probes/common/message_observations.h"

#include "core/strings.h"
#include "probes/common/auth_challenge.h"

namespace phaseout::probes::common {
namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-^_`|~").find(c) != std::string_view::npos;
}

std::string WithLabel(std::string_view label, std::string what) {
  if (label.empty()) return what;
  return std::string(label) + " " + what;
}

}  // namespace

std::string HeaderKey(std::string_view name) {
  std::string key = AsciiLower(name.substr(0, 64));
  for (char& c : key) {
    if (!IsTokenChar(c)) c = '_';
  }
  return key;
}

std::string HeaderNames(const Message& reply) {
  std::string out;
  for (const HeaderField& h : reply.headers) {
    if (!out.empty()) out += ',';
    out += h.name;
  }
  return out;
}

void AddHeaders(const Message& reply, std::string_view prefix, ObservationList* out) {
  for (const HeaderField& h : reply.headers) {
    out->Add(std::string(prefix) + ".header." + HeaderKey(h.name), h.value);
  }
}

void AddAuthChallenges(const Message& reply, std::string_view prefix, ObservationList* out,
                       std::set<std::pair<std::string, std::string>>* seen) {
  const std::string scheme_key = std::string(prefix) + ".auth.scheme";
  const std::string realm_key = std::string(prefix) + ".auth.realm";
  for (const HeaderField* h : reply.FindAll("WWW-Authenticate")) {
    for (const AuthChallenge& c : ParseAuthChallenges(h->value)) {
      const std::string* realm = c.Param("realm");
      if (seen != nullptr && !seen->insert({c.scheme, realm != nullptr ? *realm : ""}).second) continue;
      if (!c.scheme.empty()) out->Add(scheme_key, c.scheme);
      if (realm != nullptr) out->Add(realm_key, *realm);
    }
  }
}

void AddLimits(const Message& reply, const Response& response, std::string_view limit_prefix, std::string_view label,
               ObservationList* out) {
  for (const std::string& limit : reply.limits) out->AddLimit(limit_prefix, WithLabel(label, limit));
  if (response.truncated) {
    out->AddLimit(limit_prefix, WithLabel(label, "response>" + std::to_string(response.bytes.size()) + " truncated"));
  }
  bool whole = reply.head_complete && reply.body_complete;
  if (!whole && !response.truncated) {
    std::string how = response.timed_out ? "timeout" : response.closed ? "closed" : "cut";
    out->AddLimit(limit_prefix, WithLabel(label, "incomplete reply (" + how + ")"));
  }
}

std::string EmptyReason(const Response& response) {
  if (response.connect_failed) return "connect_failed";
  if (response.timed_out) return "timeout";
  if (response.closed) return "closed";
  return "empty";
}

}  // namespace phaseout::probes::common
