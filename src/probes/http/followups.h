// Follow-up requests the HTTP probe may send after GET /. Which follow-up exists, which path it
// requests and when it is worth sending is vendor knowledge and lives in data/
// (data/followups/http.yaml, loaded with the fingerprint rules by engine::LoadKnowledge). This
// header holds only what the probe needs: the kinds of reply it knows how to read, and the
// planner interface that decides, from the observations so far, what to send next.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/observation.h"

namespace phaseout::probes::http {

// How a follow-up's reply is read; each kind turns its reply into its own keys.
enum class FollowUpKind {
  kIsapiDeviceInfo,   // isapi.*
  kHikvisionLogin,    // http.login_page.*
  kDahuaMagicBox,     // magicbox.*
  kFavicon,           // http.favicon.*
};

// The data name of a kind ("isapi_device_info", "login_page", "magicbox", "favicon") and back.
std::string_view FollowUpKindName(FollowUpKind kind);
std::optional<FollowUpKind> FollowUpKindFromName(std::string_view name);

// At most this many follow-ups are sent per port, each on a new connection.
inline constexpr size_t kMaxFollowUps = 4;

// One follow-up to send: a credential-free GET of a fixed, reviewed path (IsSafeRequestPath).
struct FollowUpRequest {
  std::string id;    // the data entry's id, e.g. "hikvision.isapi_device_info"
  FollowUpKind kind;
  std::string path;
};

// Decides the next follow-up of one port from what that port has shown so far (the
// observations of GET / and of the follow-ups already answered). Asked after every reply;
// nullopt ends the exchange. Implementations are immutable and thread-safe.
class FollowUpPlanner {
 public:
  virtual ~FollowUpPlanner() = default;
  // `sent`: ids of the follow-ups already sent on this port, in order.
  virtual std::optional<FollowUpRequest> Next(std::span<const model::Observation> so_far,
                                              std::span<const std::string> sent) const = 0;
};

// The planner HTTP sessions use. engine::LoadKnowledge installs the one built from the loaded
// data; until then (and after SetFollowUpPlanner(nullptr)) the probe sends GET / only. The
// probes are process-wide singletons (probes/registry.h), so their follow-up knowledge is too.
// Thread-safe; a session keeps the planner it started with.
void SetFollowUpPlanner(std::shared_ptr<const FollowUpPlanner> planner);
std::shared_ptr<const FollowUpPlanner> CurrentFollowUpPlanner();

}  // namespace phaseout::probes::http
