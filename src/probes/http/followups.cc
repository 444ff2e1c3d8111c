// The follow-up table. Adding a row is a review decision: GET only, fixed path, no
// credentials, no exploit or state-changing endpoint, and a public source in
// public source (repository path or URL, copied into the row).
#include "probes/http/followups.h"

#include <array>

#include "core/strings.h"
#include "probes/common/auth_challenge.h"
#include "probes/http/parser.h"

namespace phaseout::probes::http {
namespace {

std::vector<std::string> Realms(const common::Message& reply) {
  std::vector<std::string> out;
  for (const common::HeaderField* h : reply.FindAll("WWW-Authenticate")) {
    for (const common::AuthChallenge& c : common::ParseAuthChallenges(h->value)) {
      if (const std::string* realm = c.Param("realm")) out.push_back(*realm);
    }
  }
  return out;
}

bool Contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

bool IsHtml(const common::Message& reply) { return LooksLikeHtml(reply); }

constexpr std::array<FollowUp, 4> kTable = {{
    {FollowUpKind::kIsapiDeviceInfo, "/ISAPI/System/deviceInfo",
     "Hikvision-platform hint in GET / (Server, /doc/page/ link, IP Camera(...)/hikvision realm)",
     "expects 401 without credentials; the realm and the XML body schema (userCheck, "
     "DeviceInfo namespace hikvision.com / isapi.org / std-cgi.com) identify the ISAPI stack and OEM builds",
     "https://github.com/maciej-or/hikvision_next/issues/50; maciej-or/hikvision_next tests/fixtures/ISAPI", &HikvisionPlatformHint},
    {FollowUpKind::kHikvisionLogin, "/doc/page/login.asp", "same Hikvision-platform hint",
     "public login page; its body names the vendor on Hikvision-branded firmware",
     "projectdiscovery/nuclei-templates http/technologies/hikvision-detect.yaml", &HikvisionPlatformHint},
    {FollowUpKind::kDahuaMagicBox, "/cgi-bin/magicBox.cgi?action=getDeviceType",
     "Dahua-platform hint in GET / (no Server header, Dahua body markers, 'Login to' realm)",
     "expects 401 whose Digest realm is 'Login to <serial>' on Dahua and OEM firmware",
     "rroller/dahua custom_components/dahua/client.py; qweasader/gbn gb_dahua_devices_http_detect.nasl", &DahuaPlatformHint},
    {FollowUpKind::kFavicon, "/favicon.ico", "GET / returned HTML",
     "favicon MD5 and Shodan mmh3 hashes match public vendor favicon fingerprints",
     "rapid7/recog xml/favicons.xml; projectdiscovery/nuclei-templates http/technologies/hikvision-detect.yaml, http/exposed-panels/dahua-web-panel.yaml",
     &IsHtml},
}};

}  // namespace

std::span<const FollowUp> FollowUpTable() { return kTable; }

std::vector<const FollowUp*> ChooseFollowUps(const common::Message& first_reply) {
  std::vector<const FollowUp*> out;
  for (const FollowUp& f : kTable) {
    if (out.size() >= kMaxFollowUps) break;
    if (f.applies(first_reply)) out.push_back(&f);
  }
  return out;
}

bool HikvisionPlatformHint(const common::Message& reply) {
  if (const common::HeaderField* server = reply.Find("Server")) {
    static constexpr std::string_view kServers[] = {"Webs", "Web", "webserver", "Hikvision-Webs", "DNVRS-Webs",
                                                    "DVRDVS-Webs"};
    for (std::string_view s : kServers) {
      if (EqualsIgnoreCase(server->value, s)) return true;
    }
    if (StartsWithIgnoreCase(server->value, "App-webs")) return true;
  }
  if (Contains(reply.body, "/doc/page/")) return true;
  if (const common::HeaderField* location = reply.Find("Location")) {
    if (Contains(location->value, "/doc/page/")) return true;
  }
  for (const std::string& realm : Realms(reply)) {
    if (StartsWithIgnoreCase(realm, "IP Camera(") || EqualsIgnoreCase(realm, "hikvision")) return true;
  }
  return false;
}

bool DahuaPlatformHint(const common::Message& reply) {
  if (reply.Find("Server") == nullptr) return true;
  if (ExtractHtmlTitle(reply.body) == "WEB SERVICE") return true;
  for (std::string_view marker : {"@WebVersion@", "t_username", "/RPC2_Login", "global.login"}) {
    if (Contains(reply.body, marker)) return true;
  }
  for (const std::string& realm : Realms(reply)) {
    if (std::string_view(realm).starts_with("Login to")) return true;
  }
  return false;
}

}  // namespace phaseout::probes::http
