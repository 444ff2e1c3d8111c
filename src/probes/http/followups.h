// The reviewed table of safe follow-up requests the HTTP probe may send after GET /, and the
// triggers that pick them from what the first reply suggests.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "probes/common/message.h"

namespace phaseout::probes::http {

// Which follow-up an entry is; the probe turns each kind's reply into its own keys.
enum class FollowUpKind {
  kIsapiDeviceInfo,   // isapi.*
  kHikvisionLogin,    // http.login_page.*
  kDahuaMagicBox,     // magicbox.*
  kFavicon,           // http.favicon.*
};

// One reviewed follow-up. Every entry is a credential-free GET of a fixed path that public
// detection tools request too; none is an exploit path. Value type with static storage.
struct FollowUp {
  FollowUpKind kind;
  std::string_view path;     // request target, passes IsSafeRequestPath
  std::string_view trigger;  // when it is sent, in words
  std::string_view reason;   // what it tells us
  std::string_view source;   // public basis: repository path or URL
  bool (*applies)(const common::Message& first_reply);
};

// At most this many follow-ups are sent per port, each on a new connection.
inline constexpr size_t kMaxFollowUps = 4;

// The whole reviewed table, in priority order.
std::span<const FollowUp> FollowUpTable();

// The follow-ups to send after `first_reply` (the reply to GET /), in table order, at most
// kMaxFollowUps.
std::vector<const FollowUp*> ChooseFollowUps(const common::Message& first_reply);

// Trigger predicates, exposed for tests.
// True iff the reply hints at a Hikvision-platform web server: Server is one of Webs, Web,
// webserver, App-webs..., Hikvision-Webs, DNVRS-Webs, DVRDVS-Webs; or the body or Location
// mentions /doc/page/; or a realm starts with "IP Camera(" or equals "hikvision".
bool HikvisionPlatformHint(const common::Message& reply);
// True iff the reply hints at a Dahua-platform web server: no Server header; or a Dahua body
// marker (title "WEB SERVICE", "@WebVersion@", "t_username", "/RPC2_Login", "global.login");
// or a realm starting with "Login to".
bool DahuaPlatformHint(const common::Message& reply);

}  // namespace phaseout::probes::http
