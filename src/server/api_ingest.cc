// Scan ingest from agents (start, record chunks, complete; idempotent by scan key and sequence
// number) and agent enrolment, schedule, secrets and revocation.
//
// A chunk is one inventory ingest (ScanMeta.complete = false: records only) in one
// transaction; the sequence numbers it carried are written to server_scan_spans (as runs of
// consecutive numbers) in the same transaction, so a chunk is stored whole or not at all and a
// repeated chunk is recognised.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/json_dump.h"
#include "inventory/inventory.h"
#include "inventory/record.h"
#include "inventory/scope.h"
#include "net/ports.h"
#include "server/api_internal.h"
#include "server/decode.h"

namespace phaseout::server {

using nlohmann::json;
using inventory::SqlValue;

namespace {

SqlValue T(std::string s) { return SqlValue(std::move(s)); }
SqlValue I(int64_t v) { return SqlValue(v); }

struct ServerScan {
  inventory::ScanMeta meta;
  bool completed = false;
  bool end_incomplete = false;
};

// The scan `key` as the server recorded it at start; kNotFound if it never started here.
Result<ServerScan> LoadScan(Call& call, const std::string& key) {
  SqlValue p[] = {T(key)};
  auto rows = call.inv->store().Query(
      "SELECT site, agent, started_at, rules_version, source, scope, completed, end_incomplete FROM server_scans "
      "WHERE scan_key = $1",
      p);
  if (!rows) return rows.error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no scan '" + key + "' was started (POST /api/v1/scans first)");
  const auto& r = rows->front();
  ServerScan s;
  s.meta.complete = false;  // chunks carry records only; CompleteScan decides
  s.meta.scan_key = key;
  s.meta.site = inventory::Col(r, 0);
  s.meta.agent = inventory::Col(r, 1);
  s.meta.started_at = inventory::Col(r, 2);
  s.meta.rules_version = inventory::Col(r, 3);
  s.meta.source = inventory::Col(r, 4);
  auto scope = inventory::ParseScopeList(inventory::Col(r, 5));
  if (scope) s.meta.scope = *scope;
  s.completed = inventory::ColInt(r, 6) != 0;
  s.end_incomplete = inventory::ColInt(r, 7) != 0;
  return s;
}

bool Bound(const Call& call, const std::string& site) {
  return std::find(call.who.sites.begin(), call.who.sites.end(), site) != call.who.sites.end();
}

// The scan `key` if it was started here for a site this agent is bound to; else the answer
// (404 unknown, 403 another site's scan, 503 database).
Result<ServerScan> BoundScan(Call& call, const std::string& key, HttpResponse* refusal) {
  auto scan = LoadScan(call, key);
  if (!scan) {
    *refusal = FromError(call, scan.error());
    return scan.error();
  }
  if (!Bound(call, scan->meta.site)) {
    *refusal = ErrorResponse(403, "forbidden", "this agent is not bound to site '" + scan->meta.site + "'");
    return MakeError(ErrorCode::kInvalidArgument, "not bound");
  }
  return scan;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

HttpResponse StartScan(Call& call, const ScanStartBody& body) {
  if (!Bound(call, body.site)) {
    return ErrorResponse(403, "forbidden", "this agent is not bound to site '" + body.site + "'");
  }
  inventory::ScanMeta meta;
  meta.scan_key = body.scan_key;
  meta.site = body.site;
  meta.agent = call.who.name;
  meta.started_at = body.started_at;
  meta.rules_version = body.rules_version;
  meta.source = body.source.empty() ? "agent" : body.source;
  meta.complete = false;
  for (const auto& c : body.scope) {
    auto cidr = inventory::Cidr::Parse(c);
    if (!cidr) return ErrorResponse(400, "bad_request", "field 'scope': " + cidr.error().message);
    meta.scope.push_back(*cidr);
  }
  if (!meta.started_at.empty() &&
      (meta.started_at.size() < 10 || !inventory::IsIsoDate(std::string_view(meta.started_at).substr(0, 10)))) {
    return ErrorResponse(400, "bad_request", "field 'started_at' must be an ISO 8601 time (YYYY-MM-DDTHH:MM:SSZ)");
  }
  if (meta.started_at.empty()) meta.started_at = call.inv->Now();
  auto existing = LoadScan(call, meta.scan_key);
  auto answer_existing = [&](const ServerScan& s) {
    if (s.meta.site != meta.site) {
      return ErrorResponse(409, "conflict", "scan '" + meta.scan_key + "' was started for another site");
    }
    return Json(200, {{"scan_key", meta.scan_key}, {"site", s.meta.site}, {"created", false}});
  };
  if (existing) return answer_existing(*existing);
  if (existing.error().code != ErrorCode::kNotFound) return FromError(call, existing.error());

  auto ingest = call.inv->BeginIngest(meta);
  if (!ingest) {
    if (ingest.error().code == ErrorCode::kInvalidArgument) {
      return ErrorResponse(409, "conflict", ingest.error().message);
    }
    return FromError(call, ingest.error());
  }
  if (!call.inv->store().in_transaction()) {
    // The inventory holds this key as a completely ingested scan (recorded by other means).
    return ErrorResponse(409, "conflict", "scan '" + meta.scan_key + "' is already recorded as complete");
  }
  // Inside the ingest's transaction: a concurrent start of the same key is seen here.
  auto again = LoadScan(call, meta.scan_key);
  if (again) return answer_existing(*again);
  SqlValue p[] = {T(meta.scan_key), T(meta.site), T(meta.agent), T(meta.started_at), T(meta.rules_version),
                  T(meta.source), T(inventory::ScopeListToString(meta.scope))};
  if (Status s = call.inv->store().Exec(
          "INSERT INTO server_scans (scan_key, site, agent, started_at, rules_version, source, scope, completed, "
          "end_incomplete) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0)",
          p);
      !s.ok()) {
    return FromError(call, s.error());
  }
  auto summary = (*ingest)->Commit();
  if (!summary) return FromError(call, summary.error());
  return Json(201, {{"scan_key", meta.scan_key}, {"site", meta.site}, {"created", true}});
}

HttpResponse AddScanRecords(Call& call) {
  std::string key = call.Param("scan_key");
  auto first = ParseInteger(call.req.Query("first_seq"), "first_seq", 1, INT64_MAX / 4);
  if (!first) return ErrorResponse(400, "bad_request", first.error().message);
  HttpResponse refusal;
  auto scan = BoundScan(call, key, &refusal);
  if (!scan) return refusal;
  // Split into lines; a final newline ends the last line.
  std::vector<std::string_view> lines;
  std::string_view body = call.req.body;
  int max_lines = ImplAccess::Options(call.impl).max_chunk_lines;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    std::string_view line = body.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      return ErrorResponse(400, "bad_request",
                           "line " + std::to_string(lines.size() + 1) + " is empty; nothing was stored");
    }
    lines.push_back(line);
    if (static_cast<int>(lines.size()) > max_lines) {
      return ErrorResponse(413, "too_large", "a chunk holds at most " + std::to_string(max_lines) + " lines");
    }
    pos = nl + 1;
  }
  int64_t n = static_cast<int64_t>(lines.size());
  if (n == 0) return ErrorResponse(400, "bad_request", "the chunk holds no lines");
  if (scan->completed) {
    CountIngest(call.impl, 0, n);
    return Json(200, {{"stored", 0}, {"duplicates", n}});
  }
  auto ingest = call.inv->BeginIngest(scan->meta);
  if (!ingest) return FromError(call, ingest.error());
  if (!call.inv->store().in_transaction()) {  // completely ingested already: nothing can change
    CountIngest(call.impl, 0, n);
    return Json(200, {{"stored", 0}, {"duplicates", n}});
  }
  // Within the ingest's transaction: which of these sequence numbers are stored already.
  SqlValue q[] = {T(key), I(*first), I(*first + n)};
  auto have_rows = call.inv->store().Query(
      "SELECT first_seq, last_seq FROM server_scan_spans WHERE scan_key = $1 AND last_seq >= $2 AND first_seq < $3",
      q);
  if (!have_rows) return FromError(call, have_rows.error());
  std::vector<bool> have(lines.size(), false);
  int64_t duplicates = 0;
  for (const auto& r : *have_rows) {
    int64_t from = std::max<int64_t>(inventory::ColInt(r, 0) - *first, 0);
    int64_t to = std::min<int64_t>(inventory::ColInt(r, 1) - *first, n - 1);
    for (int64_t s = from; s <= to; ++s) {
      if (!have[s]) {
        have[s] = true;
        ++duplicates;
      }
    }
  }
  bool end_incomplete = false;
  std::vector<int64_t> fresh;
  for (int64_t i = 0; i < n; ++i) {
    if (have[i]) continue;
    auto parsed = inventory::ParseScanLine(lines[i]);
    if (!parsed) {
      return ErrorResponse(400, "bad_request",
                           "line " + std::to_string(i + 1) + " (seq " + std::to_string(*first + i) +
                               "): " + parsed.error().message + "; nothing of this chunk was stored");
    }
    if (parsed->kind == inventory::ScanLineKind::kDevice) {
      Status s = (*ingest)->AddRecord(parsed->record, lines[i], *first + i);
      if (!s.ok()) {
        if (s.error().code == ErrorCode::kParse || s.error().code == ErrorCode::kInvalidArgument) {
          return ErrorResponse(400, "bad_request", "line " + std::to_string(i + 1) + ": " + s.error().message +
                                                       "; nothing of this chunk was stored");
        }
        return FromError(call, s.error());
      }
    } else if (parsed->kind == inventory::ScanLineKind::kIncompleteEnd) {
      end_incomplete = true;
    }
    fresh.push_back(*first + i);
  }
  if (Status s = (*ingest)->Flush(); !s.ok()) return FromError(call, s.error());
  // Record the sequence numbers as runs of consecutive ones (a chunk sent once: one run).
  for (size_t at = 0; at < fresh.size();) {
    size_t end = at + 1;
    while (end < fresh.size() && fresh[end] == fresh[end - 1] + 1) ++end;
    SqlValue r[] = {T(key), I(fresh[at]), I(fresh[end - 1])};
    if (Status s = call.inv->store().Exec(
            "INSERT INTO server_scan_spans (scan_key, first_seq, last_seq) VALUES ($1, $2, $3)", r);
        !s.ok()) {
      return FromError(call, s.error());
    }
    at = end;
  }
  if (end_incomplete) {
    SqlValue u[] = {T(key)};
    if (Status s = call.inv->store().Exec("UPDATE server_scans SET end_incomplete = 1 WHERE scan_key = $1", u); !s.ok()) {
      return FromError(call, s.error());
    }
  }
  auto summary = (*ingest)->Commit();
  if (!summary) return FromError(call, summary.error());
  int64_t stored = static_cast<int64_t>(fresh.size());
  CountIngest(call.impl, stored, duplicates);
  return Json(200, {{"stored", stored}, {"duplicates", duplicates}});
}

HttpResponse CompleteScan(Call& call, const CompleteBody& body) {
  std::string key = call.Param("scan_key");
  HttpResponse refusal;
  auto scan = BoundScan(call, key, &refusal);
  if (!scan) return refusal;
  if (scan->completed) return Json(200, {{"scan_key", key}, {"already_completed", true}});
  SqlValue q[] = {T(key), I(body.records)};
  auto rows = call.inv->store().Query(
      "SELECT first_seq, last_seq FROM server_scan_spans WHERE scan_key = $1 AND first_seq <= $2 ORDER BY first_seq",
      q);
  if (!rows) return FromError(call, rows.error());
  std::vector<int64_t> stored;
  for (const auto& r : *rows) {
    for (int64_t seq = inventory::ColInt(r, 0); seq <= std::min(inventory::ColInt(r, 1), body.records); ++seq) {
      stored.push_back(seq);
    }
  }
  auto missing = MissingRanges(stored, body.records);
  if (!missing.empty()) {
    HttpResponse r = ErrorResponse(409, "conflict",
                                   "only " + std::to_string(stored.size()) + " of " + std::to_string(body.records) +
                                       " records are stored; missing: " + Join(missing, ", "));
    json j = json::parse(r.body);
    j["missing"] = missing;
    r.body = DumpJson(j);
    return r;
  }
  inventory::ScanMeta meta = scan->meta;
  meta.complete = true;
  bool complete = body.complete && !scan->end_incomplete;
  auto ingest = call.inv->BeginIngest(meta);
  if (!ingest) return FromError(call, ingest.error());
  // A scan that did not cover its scope is kept out of verification (and still gets the digest
  // of all its records in its audit entry).
  if (!complete) (*ingest)->MarkIncomplete();
  SqlValue u[] = {T(key)};
  if (!call.inv->store().in_transaction()) {  // completely ingested already: only remember it
    if (Status s = call.inv->store().Exec("UPDATE server_scans SET completed = 1 WHERE scan_key = $1", u); !s.ok()) {
      return FromError(call, s.error());
    }
    return Json(200, {{"scan_key", key}, {"already_completed", true}});
  }
  // Claimed inside the transaction: a concurrent repeat finds it completed and changes nothing.
  auto claimed = call.inv->store().Query(
      "UPDATE server_scans SET completed = 1 WHERE scan_key = $1 AND completed = 0 RETURNING scan_key", u);
  if (!claimed) return FromError(call, claimed.error());
  if (claimed->empty()) return Json(200, {{"scan_key", key}, {"already_completed", true}});
  auto summary = (*ingest)->Commit();
  if (!summary) return FromError(call, summary.error());
  return Json(200, {{"scan_key", key},
                    {"already_completed", summary->already_ingested},
                    {"complete", complete},
                    {"verified_removed", summary->verified_removed},
                    {"went_missing", summary->went_missing},
                    {"events", summary->events.size()}});
}

HttpResponse EnrolAgent(Call& call, const EnrolBody& body) {
  auto e = call.auth->Enrol(body.secret, body.name);
  if (!e) {
    if (e.error().code == ErrorCode::kNotFound) return ErrorResponse(401, "unauthenticated", e.error().message);
    return FromError(call, e.error());
  }
  return Json(200, {{"agent_id", e->agent_id}, {"key", e->key}, {"sites", e->sites}});
}

HttpResponse AgentSchedule(Call& call) {
  std::string ports;
  for (uint16_t p : net::DefaultPorts()) ports += (ports.empty() ? "" : ",") + std::to_string(p);
  json scans = json::array();
  for (const auto& id : call.who.sites) {
    auto site = call.inv->GetSite(id);
    if (!site) {
      if (site.error().code == ErrorCode::kNotFound) continue;
      return FromError(call, site.error());
    }
    json targets = json::array();
    for (const auto& c : site->scopes) targets.push_back(c.ToString());
    scans.push_back({{"site", id}, {"targets", targets}, {"ports", ports}, {"interval_s", 86400}});
  }
  return Json(200, {{"scans", scans}});
}

HttpResponse CreateAgentSecret(Call& call, const SecretBody& body) {
  for (const auto& s : body.sites) {
    auto site = call.inv->GetSite(s);
    if (!site) {
      if (site.error().code == ErrorCode::kNotFound) return ErrorResponse(400, "bad_request", "no site '" + s + "'");
      return FromError(call, site.error());
    }
  }
  auto secret = call.auth->CreateEnrolSecret(body.sites, body.expires_in_s, call.who.name);
  if (!secret) return FromError(call, secret.error());
  return Json(201, {{"secret", *secret}, {"sites", body.sites}, {"expires_in_s", body.expires_in_s}});
}

HttpResponse ListAgents(Call& call) {
  auto agents = call.auth->ListAgents();
  if (!agents) return FromError(call, agents.error());
  json out = json::array();
  for (const auto& a : *agents) {
    out.push_back({{"id", a.id}, {"name", a.name}, {"sites", a.sites}, {"created_at", a.created_at}, {"revoked", a.revoked}});
  }
  return Json(200, {{"agents", out}});
}

HttpResponse RevokeAgent(Call& call) {
  Status s = call.auth->RevokeAgent(call.Param("id"));
  if (!s.ok()) return FromError(call, s.error());
  return Json(200, {{"revoked", call.Param("id")}});
}

}  // namespace phaseout::server
