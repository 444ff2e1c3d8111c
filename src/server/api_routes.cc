// The route table and the handlers of sessions, users, tokens, departments, sites, devices,
// transitions, waivers, audit, events and health. Ingest and agents: api_ingest.cc; overview,
// reports, screening and the sites file: api_reports.cc.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "inventory/device_json.h"
#include "inventory/audit_read.h"
#include "inventory/inventory.h"
#include "server/api_internal.h"
#include "server/decode.h"

namespace phaseout::server {

using nlohmann::json;

// Handlers defined in api_ingest.cc and api_reports.cc.
HttpResponse StartScan(Call& call, const ScanStartBody& body);
HttpResponse AddScanRecords(Call& call);
HttpResponse CompleteScan(Call& call, const CompleteBody& body);
HttpResponse EnrolAgent(Call& call, const EnrolBody& body);
HttpResponse AgentSchedule(Call& call);
HttpResponse CreateAgentSecret(Call& call, const SecretBody& body);
HttpResponse ListAgents(Call& call);
HttpResponse RevokeAgent(Call& call);
HttpResponse Overview(Call& call);
HttpResponse Report(Call& call);
HttpResponse Screening(Call& call);
HttpResponse PutSites(Call& call);

namespace {

json Strings(const std::vector<std::string>& v) { return json(v); }

HttpResponse Forbidden(const std::string& message) { return ErrorResponse(403, "forbidden", message); }

json MeJson(const Principal& who) {
  return {{"user", who.name},
          {"role", RoleName(who.role)},
          {"departments", Strings(who.departments)},
          {"sites", Strings(who.sites)},
          {"csrf", who.csrf}};
}

HttpResponse Login(Call& call, const LoginBody& body) {
  ApiState& impl = call.impl;
  if (int64_t wait = ImplAccess::LoginRetryAfter(impl, body.user, call.req.remote_addr); wait > 0) {
    HttpResponse r = ErrorResponse(429, "rate_limited", "too many failed logins; try again later");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  auto user = call.auth->CheckPassword(body.user, body.password);
  if (!user) {
    if (user.error().code != ErrorCode::kNotFound) return FromError(call, user.error());
    ImplAccess::LoginFailed(impl, body.user, call.req.remote_addr);
    return ErrorResponse(401, "unauthenticated", "unknown user or wrong password");
  }
  ImplAccess::LoginSucceeded(impl, body.user);
  auto session = call.auth->CreateSession(user->name);
  if (!session) return FromError(call, session.error());
  Principal who;
  who.name = user->name;
  who.role = user->role;
  who.departments = user->departments;
  who.sites = user->sites;
  who.csrf = session->csrf;
  HttpResponse r = Json(200, MeJson(who));
  std::string cookie = "phaseout_session=" + session->id + "; HttpOnly; SameSite=Strict; Path=/";
  if (ImplAccess::Options(impl).tls) cookie += "; Secure";
  r.headers.emplace_back("Set-Cookie", cookie);
  return r;
}

HttpResponse Logout(Call& call) {
  if (call.who.via == Credential::kSession) {
    if (Status s = call.auth->DeleteSession(call.who.session_id); !s.ok()) return FromError(call, s.error());
  }
  HttpResponse r = Json(200, {{"logged_out", true}});
  r.headers.emplace_back("Set-Cookie", "phaseout_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
  return r;
}

HttpResponse Me(Call& call) { return Json(200, MeJson(call.who)); }

HttpResponse Departments(Call& call) {
  auto deps = call.inv->ListDepartments();
  if (!deps) return FromError(call, deps.error());
  auto scope = call.SiteScope();
  if (!scope) return FromError(call, scope.error());
  std::vector<std::string> visible;  // departments of the caller's sites, plus its own
  if (*scope) {
    auto sites = call.inv->ListSites();
    if (!sites) return FromError(call, sites.error());
    for (const auto& s : *sites) {
      if (std::binary_search((*scope)->begin(), (*scope)->end(), s.id)) visible.push_back(s.department);
    }
    for (const auto& d : call.who.departments) visible.push_back(d);
  }
  json out = json::array();
  for (const auto& d : *deps) {
    if (*scope && std::find(visible.begin(), visible.end(), d.id) == visible.end()) continue;
    out.push_back({{"id", d.id}, {"name", d.name}, {"owner", d.owner}});
  }
  return Json(200, {{"departments", out}});
}

HttpResponse Sites(Call& call) {
  auto sites = call.inv->ListSites();
  if (!sites) return FromError(call, sites.error());
  json out = json::array();
  for (const auto& s : *sites) {
    auto in = call.InScope(s.id);
    if (!in) return FromError(call, in.error());
    if (*in) out.push_back(SiteJson(s));
  }
  return Json(200, {{"sites", out}});
}

HttpResponse GetSite(Call& call) {
  std::string id = call.Param("site");
  auto in = call.InScope(id);
  if (!in) return FromError(call, in.error());
  if (!*in) return Forbidden("site '" + id + "' is outside your scope");
  auto site = call.inv->GetSite(id);
  if (!site) return FromError(call, site.error());
  return Json(200, SiteJson(*site));
}

HttpResponse ListDevices(Call& call) {
  const HttpRequest& q = call.req;
  inventory::DeviceFilter f;
  f.site = q.Query("site");
  f.department = q.Query("department");
  f.policy = q.Query("policy");
  f.state = q.Query("state");
  f.maker = q.Query("maker");
  f.brand = q.Query("brand");
  f.status = q.Query("status");
  f.text = q.Query("q");
  // state and status are checked by the inventory (kInvalidArgument: 400).
  if (q.HasQuery("overdue")) {
    std::string o = q.Query("overdue");
    if (o != "1" && o != "0" && o != "true" && o != "false") {
      return ErrorResponse(400, "bad_request", "overdue must be 1 or 0");
    }
    f.overdue_only = o == "1" || o == "true";
  }
  auto offset = QueryInteger(q, "offset", 0, 0, INT64_MAX / 2);
  if (!offset) return BadRequest(offset.error());
  auto limit = QueryInteger(q, "limit", 50, 1, 500);
  if (!limit) return BadRequest(limit.error());
  auto after = QueryInteger(q, "after", 0, 1, INT64_MAX / 2);
  if (!after) return BadRequest(after.error());
  if (*after > 0 && *offset > 0) return ErrorResponse(400, "bad_request", "give after or offset, not both");
  f.offset = *offset;
  f.limit = *limit;
  f.after = *after;
  auto scope = call.SiteScope();
  if (!scope) return FromError(call, scope.error());
  f.only_sites = *scope;
  auto page = call.inv->ListDevicePage(f);
  if (!page) return FromError(call, page.error());
  // Written directly (keys in byte order, as Json() writes an object): an nlohmann object per
  // device was most of a page's server time (docs/performance.md).
  HttpResponse r;
  r.status = 200;
  std::string& body = r.body;
  body.reserve(256 + 900 * page->devices.size());
  body += "{\"devices\":[";
  for (size_t i = 0; i < page->devices.size(); ++i) {
    if (i) body += ',';
    inventory::AppendDeviceJson(page->devices[i], &body);
  }
  body += "],\"limit\":" + std::to_string(*limit);
  // The cursor of the next page (keyset paging: as fast at any depth); none after a short page.
  if (static_cast<int64_t>(page->devices.size()) == *limit) {
    body += ",\"next_after\":" + std::to_string(page->devices.back().id);
  }
  body += ",\"offset\":" + std::to_string(*offset) + ",\"total\":" + std::to_string(page->total) +
          ",\"total_exact\":" + (page->total_exact ? "true}" : "false}");
  return r;
}

// The device of the path if it exists and the caller may see it; otherwise the response.
Result<inventory::DeviceRecord> ScopedDevice(Call& call, HttpResponse* refusal) {
  auto id = ParseInteger(call.Param("id"), "device id", 1, INT64_MAX);
  if (!id) {
    *refusal = ErrorResponse(404, "not_found", "no device '" + call.Param("id") + "'");
    return id.error();
  }
  auto d = call.inv->GetDevice(*id);
  if (!d) {
    *refusal = FromError(call, d.error());
    return d.error();
  }
  auto in = call.InScope(d->site);
  if (!in) {
    *refusal = FromError(call, in.error());
    return in.error();
  }
  if (!*in) {
    *refusal = Forbidden("device " + std::to_string(*id) + " belongs to a site outside your scope");
    return MakeError(ErrorCode::kInvalidArgument, "out of scope");
  }
  return d;
}

std::vector<std::string> AllowedTransitions(const Call& call, const inventory::DeviceRecord& d) {
  std::vector<std::string> out;
  if (call.who.role != Role::kOfficer && call.who.role != Role::kSite) return out;
  for (auto s : inventory::PersonTargets(d.state)) {
    if (call.who.role == Role::kSite && s != inventory::DeviceState::kRemoved) continue;
    out.push_back(inventory::DeviceStateName(s));
  }
  return out;
}

HttpResponse DevicePage(Call& call) {
  HttpResponse refusal;
  auto d = ScopedDevice(call, &refusal);
  if (!d) return refusal;
  json j = DeviceJson(*d);
  json evidence = json::array();
  auto raw = call.inv->LastRecord(d->id);
  if (!raw) return FromError(call, raw.error());
  if (!raw->empty()) {
    json rec = json::parse(*raw, nullptr, false);
    if (rec.is_object() && rec.contains("evidence") && rec["evidence"].is_array()) evidence = rec["evidence"];
  }
  j["evidence"] = evidence;
  auto history = call.inv->History(d->id);
  if (!history) return FromError(call, history.error());
  json h = json::array();
  for (const auto& e : *history) h.push_back(AuditJson(e));
  j["history"] = h;
  j["allowed_transitions"] = AllowedTransitions(call, *d);
  return Json(200, j);
}

HttpResponse Transition(Call& call, const inventory::TransitionRequest& body) {
  HttpResponse refusal;
  auto d = ScopedDevice(call, &refusal);
  if (!d) return refusal;
  inventory::TransitionRequest request = body;
  if (call.who.role == Role::kSite && request.to != inventory::DeviceState::kRemoved) {
    return Forbidden("site managers may only claim removals (to: removed)");
  }
  request.actor = call.who.name;
  auto after = call.inv->SetState(d->id, request);
  if (!after) {
    if (after.error().code == ErrorCode::kInvalidArgument) {
      return ErrorResponse(422, "invalid_transition", after.error().message);
    }
    return FromError(call, after.error());
  }
  return Json(200, DeviceJson(*after));
}

HttpResponse Waivers(Call& call) {
  inventory::DeviceFilter f;
  f.state = "waived";
  auto scope = call.SiteScope();
  if (!scope) return FromError(call, scope.error());
  f.only_sites = *scope;
  auto devices = call.inv->ListDevices(f);
  if (!devices) return FromError(call, devices.error());
  HttpResponse r;
  r.status = 200;
  r.body = "{\"devices\":[";
  for (size_t i = 0; i < devices->size(); ++i) {
    if (i) r.body += ',';
    inventory::AppendDeviceJson((*devices)[i], &r.body);
  }
  r.body += "]}";
  return r;
}

HttpResponse Audit(Call& call) {
  const HttpRequest& q = call.req;
  auto after_v = QueryInteger(q, "after", 0, 0, INT64_MAX);
  if (!after_v) return BadRequest(after_v.error());
  auto limit_v = QueryInteger(q, "limit", 500, 1, 5000);
  if (!limit_v) return BadRequest(limit_v.error());
  const int64_t after = *after_v, limit = *limit_v;
  json entries = json::array();
  if (q.HasQuery("device")) {
    call.params.emplace_back("id", q.Query("device"));
    HttpResponse refusal;
    auto d = ScopedDevice(call, &refusal);
    if (!d) return refusal;
    auto history = call.inv->History(d->id);
    if (!history) return FromError(call, history.error());
    for (const auto& e : *history) {
      if (e.seq <= after) continue;
      if (static_cast<int64_t>(entries.size()) >= limit) break;
      entries.push_back(AuditJson(e));
    }
    return Json(200, {{"entries", entries}});
  }
  if (call.who.role != Role::kAdmin && call.who.role != Role::kProgramme) {
    return Forbidden("the whole audit log is for admin and programme; give device=ID for one device");
  }
  auto page = inventory::ReadAuditLog(*call.inv, after, limit);
  if (!page) return FromError(call, page.error());
  for (const auto& e : *page) entries.push_back(AuditJson(e));
  return Json(200, {{"entries", entries}});
}

HttpResponse AuditVerify(Call& call) {
  auto v = call.inv->VerifyAudit();
  if (!v) return FromError(call, v.error());
  return Json(200, {{"entries", v->entries},
                    {"ok", v->ok},
                    {"first_bad_seq", v->first_bad_seq},
                    {"problem", v->problem},
                    {"head_hash", v->head_hash}});
}

HttpResponse Events(Call& call) {
  auto after = QueryInteger(call.req, "after", 0, 0, INT64_MAX);
  if (!after) return BadRequest(after.error());
  auto events = call.inv->Events(*after);
  if (!events) return FromError(call, events.error());
  json out = json::array();
  for (const auto& e : *events) {
    auto in = call.InScope(e.site);
    if (!in) return FromError(call, in.error());
    if (!*in) continue;
    out.push_back(EventJson(e));
    if (out.size() >= 1000) break;
  }
  return Json(200, {{"events", out}});
}

json UserJson(const User& u) {
  return {{"name", u.name},       {"role", RoleName(u.role)}, {"departments", u.departments},
          {"sites", u.sites},     {"disabled", u.disabled},   {"created_at", u.created_at}};
}

HttpResponse ListUsers(Call& call) {
  auto users = call.auth->ListUsers();
  if (!users) return FromError(call, users.error());
  json out = json::array();
  for (const auto& u : *users) out.push_back(UserJson(u));
  return Json(200, {{"users", out}});
}

HttpResponse AddUser(Call& call, const UserBody& body) {
  auto role = ParseRole(body.role);
  if (!role) return ErrorResponse(400, "bad_request", role.error().message);
  User u;
  u.name = body.name;
  u.role = *role;
  u.departments = body.departments;
  u.sites = body.sites;
  Status s = call.auth->AddUser(u, body.password);
  if (!s.ok()) {
    if (s.error().code == ErrorCode::kInvalidArgument && s.error().message.find("exists") != std::string::npos) {
      return ErrorResponse(409, "conflict", s.error().message);
    }
    return FromError(call, s.error());
  }
  auto stored = call.auth->GetUser(u.name);
  if (!stored) return FromError(call, stored.error());
  return Json(201, UserJson(*stored));
}

// Disables a user: its sessions end and its tokens are revoked (AuthStore::SetDisabled). An
// admin cannot disable itself (the last admin would lock everybody out of the user list).
HttpResponse DisableUser(Call& call) {
  std::string name = call.Param("name");
  if (name == call.who.name) return ErrorResponse(409, "conflict", "you cannot disable your own account");
  Status s = call.auth->SetDisabled(name, true);
  if (!s.ok()) return FromError(call, s.error());
  auto stored = call.auth->GetUser(name);
  if (!stored) return FromError(call, stored.error());
  return Json(200, UserJson(*stored));
}

HttpResponse CreateToken(Call& call, const TokenBody& body) {
  auto t = call.auth->CreateToken(call.Param("name"), body.label, body.expires_in_s);
  if (!t) return FromError(call, t.error());
  return Json(201, {{"id", t->id}, {"token", t->token}, {"expires_at", t->expires_at}});
}

HttpResponse RevokeToken(Call& call) {
  Status s = call.auth->RevokeToken(call.Param("id"));
  if (!s.ok()) return FromError(call, s.error());
  return Json(200, {{"revoked", call.Param("id")}});
}

HttpResponse Health(Call& call) {
  auto r = call.inv->store().Query("SELECT 1");
  if (!r) {
    call.connection_broken = true;
    HttpResponse resp = Json(503, {{"status", "unavailable"},
                                   {"database", "unavailable"},
                                   {"error", {{"code", "unavailable"}, {"message", r.error().message}}}});
    return resp;
  }
  return Json(200, {{"status", "ok"}, {"database", "ok"}});
}

}  // namespace

const std::vector<Route>& RouteTable() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/healthz", kPublic, BodyKind::kNone, Health},
      {"POST", "/api/v1/session", kPublic, BodyKind::kJson, WithBody<DecodeLogin, Login>},
      {"DELETE", "/api/v1/session", kAnyUser, BodyKind::kNone, Logout},
      {"GET", "/api/v1/me", kAnyUser | kAgent, BodyKind::kNone, Me},
      {"GET", "/api/v1/departments", kReaders, BodyKind::kNone, Departments},
      {"GET", "/api/v1/sites", kReaders, BodyKind::kNone, Sites},
      {"PUT", "/api/v1/sites", kAdmin, BodyKind::kYaml, PutSites},
      {"GET", "/api/v1/sites/{site}", kReaders, BodyKind::kNone, GetSite},
      {"GET", "/api/v1/devices", kReaders, BodyKind::kNone, ListDevices},
      {"GET", "/api/v1/devices/{id}", kReaders, BodyKind::kNone, DevicePage},
      {"POST", "/api/v1/devices/{id}/transitions", kOfficer | kSiteRole, BodyKind::kJson, WithBody<DecodeTransition, Transition>},
      {"GET", "/api/v1/waivers", kReaders, BodyKind::kNone, Waivers},
      {"GET", "/api/v1/audit", kReaders, BodyKind::kNone, Audit},
      {"GET", "/api/v1/audit/verify", kAdmin | kProgramme, BodyKind::kNone, AuditVerify},
      {"GET", "/api/v1/events", kReaders, BodyKind::kNone, Events},
      {"GET", "/api/v1/overview", kReaders, BodyKind::kNone, Overview},
      {"GET", "/api/v1/reports/{name}", kReaders, BodyKind::kNone, Report},
      {"POST", "/api/v1/screening", kAdmin | kProgramme | kProcurement, BodyKind::kScreening, Screening},
      {"GET", "/api/v1/users", kAdmin, BodyKind::kNone, ListUsers},
      {"POST", "/api/v1/users", kAdmin, BodyKind::kJson, WithBody<DecodeUser, AddUser>},
      {"POST", "/api/v1/users/{name}/disable", kAdmin, BodyKind::kNone, DisableUser},
      {"POST", "/api/v1/users/{name}/tokens", kAdmin, BodyKind::kJson, WithBody<DecodeToken, CreateToken>},
      {"DELETE", "/api/v1/tokens/{id}", kAdmin, BodyKind::kNone, RevokeToken},
      {"POST", "/api/v1/agents/enrol", kPublic, BodyKind::kJson, WithBody<DecodeEnrol, EnrolAgent>},
      {"GET", "/api/v1/agents/schedule", kAgent, BodyKind::kNone, AgentSchedule},
      {"POST", "/api/v1/agents/secrets", kAdmin, BodyKind::kJson, WithBody<DecodeSecret, CreateAgentSecret>},
      {"GET", "/api/v1/agents", kAdmin, BodyKind::kNone, ListAgents},
      {"DELETE", "/api/v1/agents/{id}", kAdmin, BodyKind::kNone, RevokeAgent},
      {"POST", "/api/v1/scans", kAgent, BodyKind::kJson, WithBody<DecodeScanStart, StartScan>},
      {"POST", "/api/v1/scans/{scan_key}/records", kAgent, BodyKind::kNdjson, AddScanRecords},
      {"POST", "/api/v1/scans/{scan_key}/complete", kAgent, BodyKind::kJson, WithBody<DecodeComplete, CompleteScan>},
  };
  return kRoutes;
}

json SiteJson(const inventory::Site& s) {
  json scopes = json::array();
  for (const auto& c : s.scopes) scopes.push_back(c.ToString());
  return {{"id", s.id},         {"name", s.name},     {"department", s.department}, {"owner", s.owner},
          {"location", s.location}, {"scopes", scopes}, {"deadlines", s.deadlines}};
}

json AuditJson(const inventory::AuditEntry& e) {
  auto parsed = [](const std::string& text) {
    if (text.empty()) return json(nullptr);
    json j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json(text) : j;
  };
  return {{"seq", e.seq},         {"at", e.at},           {"actor", e.actor},
          {"action", e.action},   {"device_id", e.device_id}, {"scan_id", e.scan_id},
          {"before", parsed(e.before)}, {"after", parsed(e.after)}, {"note", e.note},
          {"prev_hash", e.prev_hash}, {"hash", e.hash}};
}

json EventJson(const inventory::Event& e) {
  return {{"id", e.id},   {"at", e.at},         {"kind", e.kind},       {"severity", e.severity},
          {"site", e.site}, {"device_id", e.device_id}, {"scan", e.scan}, {"message", e.message}};
}

}  // namespace phaseout::server
