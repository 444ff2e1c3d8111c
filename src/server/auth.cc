// Users, sessions, tokens and agents in the server tables; libsodium for password hashing and
// randomness, SHA-256 (the inventory's) for stored token hashes.
#include "server/auth.h"

#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <mutex>

#include "inventory/audit.h"
#include "inventory/store.h"

namespace phaseout::server {
namespace {

using inventory::Col;
using inventory::ColInt;
using inventory::SqlValue;

SqlValue T(std::string s) { return SqlValue(std::move(s)); }
SqlValue I(int64_t v) { return SqlValue(v); }

void EnsureSodium() {
  static const int rc = sodium_init();
  if (rc < 0) std::abort();  // libsodium cannot work without a random source: nothing is safe
}

// The server's tables. BIGINT and TEXT mean the same in SQLite and PostgreSQL; times are Unix
// seconds; lists are comma-separated ids (ids never hold commas: inventory::IsValidId).
constexpr const char* kMigration1 = R"SQL(
CREATE TABLE IF NOT EXISTS server_users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, departments TEXT NOT NULL, sites TEXT NOT NULL,
  password_hash TEXT NOT NULL, disabled BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS server_sessions (
  id_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL, last_seen BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS server_tokens (
  id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, user_name TEXT NOT NULL, label TEXT NOT NULL,
  created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS server_enrol_secrets (
  secret_hash TEXT PRIMARY KEY, sites TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL, used_at BIGINT NOT NULL DEFAULT 0, agent_id TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS server_agents (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, sites TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL, revoked BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS server_scans (
  scan_key TEXT PRIMARY KEY, site TEXT NOT NULL, agent TEXT NOT NULL, started_at TEXT NOT NULL,
  rules_version TEXT NOT NULL, source TEXT NOT NULL, scope TEXT NOT NULL, completed BIGINT NOT NULL DEFAULT 0,
  end_incomplete BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS server_scan_lines (
  scan_key TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (scan_key, seq));
)SQL";

// Version 2: the sequence numbers a scan's chunks stored are kept as runs (first..last, never
// overlapping) instead of one row per line: a chunk is one row where it was 5,000 (the table
// grew by a row per record of every scan, forever), and the lines of a whole scan are read
// back as a few runs at its completion. Runs are made from the old rows (consecutive numbers
// of a scan form one run).
constexpr const char* kMigration2 = R"SQL(
CREATE TABLE server_scan_spans (
  scan_key TEXT NOT NULL, first_seq BIGINT NOT NULL, last_seq BIGINT NOT NULL, PRIMARY KEY (scan_key, first_seq));
INSERT INTO server_scan_spans (scan_key, first_seq, last_seq)
  SELECT scan_key, MIN(seq), MAX(seq) FROM (
    SELECT scan_key, seq, seq - ROW_NUMBER() OVER (PARTITION BY scan_key ORDER BY seq) AS run FROM server_scan_lines) x
  GROUP BY scan_key, run;
DROP TABLE server_scan_lines;
)SQL";

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Error NotFound(const std::string& what) { return MakeError(ErrorCode::kNotFound, what); }

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  unsigned long long ops = cost == PasswordCost::kModerate ? crypto_pwhash_OPSLIMIT_MODERATE
                                                            : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = cost == PasswordCost::kModerate ? crypto_pwhash_MEMLIMIT_MODERATE : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str(out, password.data(), password.size(), ops, mem) != 0) {
    return MakeError(ErrorCode::kIo, "cannot hash the password (out of memory for argon2id)");
  }
  return std::string(out);
}

// A hash of a random password, verified against when the user does not exist, so an unknown
// user costs the same time as a wrong password.
const std::string& DummyHash(PasswordCost cost) {
  static std::once_flag once[2];
  static std::string hash[2];
  int i = cost == PasswordCost::kModerate ? 1 : 0;
  std::call_once(once[i], [&] {
    auto h = HashPassword(RandomHex(16), cost);
    hash[i] = h ? *h : std::string();
  });
  return hash[i];
}

User UserFromRow(const inventory::SqlRow& r) {
  User u;
  u.name = Col(r, 0);
  auto role = ParseRole(Col(r, 1));
  u.role = role ? *role : Role::kProcurement;  // an unknown stored role gets the least access
  u.departments = Split(Col(r, 2));
  u.sites = Split(Col(r, 3));
  u.disabled = ColInt(r, 4) != 0;
  u.created_at = ColInt(r, 5);
  return u;
}

constexpr const char* kUserColumns = "SELECT name, role, departments, sites, disabled, created_at FROM server_users ";

Principal PrincipalOf(const User& u, Credential via) {
  Principal p;
  p.name = u.name;
  p.role = u.role;
  p.departments = u.departments;
  p.sites = u.sites;
  p.via = via;
  return p;
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kProgramme: return "programme";
    case Role::kOfficer: return "officer";
    case Role::kSite: return "site";
    case Role::kProcurement: return "procurement";
    case Role::kAgent: return "agent";
  }
  return "procurement";
}

Result<Role> ParseRole(std::string_view name) {
  for (int i = 0; i < kRoleCount; ++i) {
    if (name == RoleName(static_cast<Role>(i))) return static_cast<Role>(i);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown role '" + std::string(name) + "' (admin, programme, officer, site, procurement)");
}

std::string RandomHex(size_t bytes) {
  EnsureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool IsValidUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_' || c == '@';
    if (!ok) return false;
  }
  return true;
}

Status MigrateServerTables(inventory::Store& store) {
  return inventory::InTransaction(store, [&]() -> Status {
    if (Status s = store.ExecScript("CREATE TABLE IF NOT EXISTS server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        !s.ok()) {
      return s;
    }
    auto v = store.Query("SELECT value FROM server_meta WHERE key = 'schema_version'");
    if (!v) return v.error();
    int version = v->empty() ? 0 : std::atoi(Col(v->front(), 0).c_str());
    if (version > kAuthSchemaVersion) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the database holds server tables of version " + std::to_string(version) +
                           ", newer than this phaseout understands (" + std::to_string(kAuthSchemaVersion) +
                           "): upgrade phaseout");
    }
    if (version < 1) {
      if (Status s = store.ExecScript(kMigration1); !s.ok()) return s;
    }
    if (version < 2) {
      if (Status s = store.ExecScript(kMigration2); !s.ok()) return s;
    }
    if (version < kAuthSchemaVersion) {
      SqlValue p[] = {T(std::to_string(kAuthSchemaVersion))};
      auto r = store.Query(
          "INSERT INTO server_meta (key, value) VALUES ('schema_version', $1) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          p);
      if (!r) return r.error();
    }
    return Status::Ok();
  });
}

int64_t AuthStore::Now() const {
  if (options_.now_s) return options_.now_s();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status AuthStore::AddUser(const User& user, std::string_view password) {
  if (!IsValidUserName(user.name)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a user name is 1 to 64 letters, digits, '.', '-', '_' or '@', not '" + user.name + "'");
  }
  if (user.role == Role::kAgent) {
    return MakeError(ErrorCode::kInvalidArgument, "agents are not users: enrol them with an enrolment secret");
  }
  if ((user.role == Role::kOfficer || user.role == Role::kSite) && user.departments.empty() && user.sites.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("a user with role ") + RoleName(user.role) +
                                                      " needs a scope: --department and/or --site");
  }
  if (password.size() < 12) return MakeError(ErrorCode::kInvalidArgument, "a password needs at least 12 characters");
  auto hash = HashPassword(password, options_.password_cost);
  if (!hash) return hash.error();
  SqlValue k[] = {T(user.name)};
  auto existing = store_.Query("SELECT 1 FROM server_users WHERE name = $1", k);
  if (!existing) return existing.error();
  if (!existing->empty()) return MakeError(ErrorCode::kInvalidArgument, "user '" + user.name + "' exists");
  SqlValue p[] = {T(user.name), T(RoleName(user.role)), T(Join(user.departments)), T(Join(user.sites)), T(*hash),
                  I(Now())};
  return store_.Exec(
      "INSERT INTO server_users (name, role, departments, sites, password_hash, disabled, created_at) "
      "VALUES ($1, $2, $3, $4, $5, 0, $6)",
      p);
}

Result<std::vector<User>> AuthStore::ListUsers() {
  auto rows = store_.Query(std::string(kUserColumns) + "ORDER BY name");
  if (!rows) return rows.error();
  std::vector<User> out;
  for (const auto& r : *rows) out.push_back(UserFromRow(r));
  return out;
}

Result<User> AuthStore::GetUser(const std::string& name) {
  SqlValue p[] = {T(name)};
  auto rows = store_.Query(std::string(kUserColumns) + "WHERE name = $1", p);
  if (!rows) return rows.error();
  if (rows->empty()) return NotFound("no user '" + name + "'");
  return UserFromRow(rows->front());
}

Status AuthStore::SetDisabled(const std::string& name, bool disabled) {
  auto user = GetUser(name);
  if (!user) return user.error();
  return inventory::InTransaction(store_, [&]() -> Status {
    SqlValue p[] = {T(name), I(disabled ? 1 : 0)};
    if (Status s = store_.Exec("UPDATE server_users SET disabled = $2 WHERE name = $1", p); !s.ok()) return s;
    if (!disabled) return Status::Ok();
    SqlValue q[] = {T(name)};
    if (Status s = store_.Exec("DELETE FROM server_sessions WHERE user_name = $1", q); !s.ok()) return s;
    return store_.Exec("UPDATE server_tokens SET revoked = 1 WHERE user_name = $1", q);
  });
}

Status AuthStore::SetPassword(const std::string& name, std::string_view password) {
  if (password.size() < 12) return MakeError(ErrorCode::kInvalidArgument, "a password needs at least 12 characters");
  auto user = GetUser(name);
  if (!user) return user.error();
  auto hash = HashPassword(password, options_.password_cost);
  if (!hash) return hash.error();
  SqlValue p[] = {T(name), T(*hash)};
  return store_.Exec("UPDATE server_users SET password_hash = $2 WHERE name = $1", p);
}

Result<User> AuthStore::CheckPassword(const std::string& name, std::string_view password) {
  EnsureSodium();
  const Error refused = NotFound("unknown user or wrong password");
  SqlValue p[] = {T(name)};
  auto rows = store_.Query(
      "SELECT name, role, departments, sites, disabled, created_at, password_hash FROM server_users WHERE name = $1",
      p);
  if (!rows) return rows.error();
  if (rows->empty()) {
    const std::string& dummy = DummyHash(options_.password_cost);
    // The same work as for a known user, so timing does not tell which names exist.
    [[maybe_unused]] int same_cost = crypto_pwhash_str_verify(dummy.c_str(), password.data(), password.size());
    return refused;
  }
  std::string hash = Col(rows->front(), 6);
  bool ok = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  User u = UserFromRow(rows->front());
  if (!ok || u.disabled) return refused;
  return u;
}

Result<AuthStore::NewSession> AuthStore::CreateSession(const std::string& user) {
  NewSession s{RandomHex(32), RandomHex(32)};
  int64_t now = Now();
  SqlValue p[] = {T(inventory::Sha256Hex(s.id)), T(user), T(s.csrf), I(now), I(now)};
  if (Status st = store_.Exec(
          "INSERT INTO server_sessions (id_hash, user_name, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $5)", p);
      !st.ok()) {
    return st.error();
  }
  // Expired sessions are removed as new ones are made (no background thread needed).
  SqlValue q[] = {I(now - options_.session_idle_s), I(now - options_.session_max_s)};
  (void)store_.Exec("DELETE FROM server_sessions WHERE last_seen < $1 OR created_at < $2", q);
  return s;
}

Result<Principal> AuthStore::SessionPrincipal(const std::string& id) {
  const Error refused = NotFound("no such session (expired or logged out)");
  if (id.empty() || id.size() > 128) return refused;
  int64_t now = Now();
  SqlValue p[] = {T(inventory::Sha256Hex(id))};
  auto rows = store_.Query(
      std::string(inventory::kReusePlan) +
          "SELECT s.csrf, s.created_at, s.last_seen, u.name, u.role, u.departments, u.sites, u.disabled, "
          "u.created_at FROM server_sessions s JOIN server_users u ON u.name = s.user_name WHERE s.id_hash = $1",
      p);
  if (!rows) return rows.error();
  if (rows->empty()) return refused;
  const auto& r = rows->front();
  if (now - ColInt(r, 2) > options_.session_idle_s || now - ColInt(r, 1) > options_.session_max_s) return refused;
  inventory::SqlRow user_row(r.begin() + 3, r.end());
  User u = UserFromRow(user_row);
  if (u.disabled) return refused;
  if (now - ColInt(r, 2) >= 60) {  // touch at most once a minute: reads stay reads
    SqlValue q[] = {p[0], I(now)};
    (void)store_.Exec("UPDATE server_sessions SET last_seen = $2 WHERE id_hash = $1", q);
  }
  Principal pr = PrincipalOf(u, Credential::kSession);
  pr.csrf = Col(r, 0);
  pr.session_id = id;
  return pr;
}

Status AuthStore::DeleteSession(const std::string& id) {
  SqlValue p[] = {T(inventory::Sha256Hex(id))};
  return store_.Exec("DELETE FROM server_sessions WHERE id_hash = $1", p);
}

Result<AuthStore::NewToken> AuthStore::CreateToken(const std::string& user, const std::string& label, int64_t ttl_s) {
  auto u = GetUser(user);
  if (!u) return u.error();
  if (ttl_s < 0) return MakeError(ErrorCode::kInvalidArgument, "a token lifetime cannot be negative");
  NewToken t;
  t.id = RandomHex(8);
  t.token = "pot_" + RandomHex(32);
  int64_t now = Now();
  t.expires_at = ttl_s == 0 ? 0 : now + ttl_s;
  SqlValue p[] = {T(t.id), T(inventory::Sha256Hex(t.token)), T(user), T(label), I(now), I(t.expires_at)};
  if (Status s = store_.Exec(
          "INSERT INTO server_tokens (id, token_hash, user_name, label, created_at, expires_at, revoked) "
          "VALUES ($1, $2, $3, $4, $5, $6, 0)",
          p);
      !s.ok()) {
    return s.error();
  }
  return t;
}

Result<std::vector<TokenInfo>> AuthStore::ListTokens(const std::string& user) {
  SqlValue p[] = {T(user)};
  auto rows = store_.Query(
      "SELECT id, user_name, label, created_at, expires_at, revoked FROM server_tokens "
      "WHERE ($1 = '' OR user_name = $1) ORDER BY created_at, id",
      p);
  if (!rows) return rows.error();
  std::vector<TokenInfo> out;
  for (const auto& r : *rows) out.push_back({Col(r, 0), Col(r, 1), Col(r, 2), ColInt(r, 3), ColInt(r, 4), ColInt(r, 5) != 0});
  return out;
}

Status AuthStore::RevokeToken(const std::string& id) {
  SqlValue p[] = {T(id)};
  auto rows = store_.Query("UPDATE server_tokens SET revoked = 1 WHERE id = $1 RETURNING id", p);
  if (!rows) return rows.error();
  if (rows->empty()) return NotFound("no token '" + id + "'");
  return Status::Ok();
}

Result<Principal> AuthStore::BearerPrincipal(const std::string& token) {
  const Error refused = NotFound("unknown, revoked or expired token");
  if (token.size() < 8 || token.size() > 128) return refused;
  SqlValue p[] = {T(inventory::Sha256Hex(token))};
  int64_t now = Now();
  if (token.rfind("poa_", 0) == 0) {
    auto rows = store_.Query("SELECT id, sites, revoked FROM server_agents WHERE key_hash = $1", p);
    if (!rows) return rows.error();
    if (rows->empty() || ColInt(rows->front(), 2) != 0) return refused;
    Principal pr;
    pr.name = Col(rows->front(), 0);
    pr.role = Role::kAgent;
    pr.sites = Split(Col(rows->front(), 1));
    pr.via = Credential::kAgentKey;
    return pr;
  }
  auto rows = store_.Query(
      std::string(inventory::kReusePlan) +
          "SELECT t.expires_at, t.revoked, u.name, u.role, u.departments, u.sites, u.disabled, u.created_at "
          "FROM server_tokens t JOIN server_users u ON u.name = t.user_name WHERE t.token_hash = $1",
      p);
  if (!rows) return rows.error();
  if (rows->empty()) return refused;
  const auto& r = rows->front();
  int64_t expires = ColInt(r, 0);
  if (ColInt(r, 1) != 0 || (expires != 0 && now >= expires)) return refused;
  inventory::SqlRow user_row(r.begin() + 2, r.end());
  User u = UserFromRow(user_row);
  if (u.disabled) return refused;
  return PrincipalOf(u, Credential::kToken);
}

Result<std::string> AuthStore::CreateEnrolSecret(const std::vector<std::string>& sites, int64_t ttl_s,
                                                 const std::string& created_by) {
  if (sites.empty()) return MakeError(ErrorCode::kInvalidArgument, "an enrolment secret is bound to at least one site");
  if (ttl_s <= 0 || ttl_s > 30 * 86400) {
    return MakeError(ErrorCode::kInvalidArgument, "an enrolment secret expires within 1 s to 30 days");
  }
  std::string secret = "poe_" + RandomHex(24);
  int64_t now = Now();
  SqlValue p[] = {T(inventory::Sha256Hex(secret)), T(Join(sites)), T(created_by), I(now), I(now + ttl_s)};
  if (Status s = store_.Exec(
          "INSERT INTO server_enrol_secrets (secret_hash, sites, created_by, created_at, expires_at) "
          "VALUES ($1, $2, $3, $4, $5)",
          p);
      !s.ok()) {
    return s.error();
  }
  return secret;
}

Result<AuthStore::Enrolment> AuthStore::Enrol(const std::string& secret, const std::string& agent_name) {
  Enrolment e;
  Status st = inventory::InTransaction(store_, [&]() -> Status {
    int64_t now = Now();
    SqlValue p[] = {T(inventory::Sha256Hex(secret)), I(now)};
    // The update claims the secret: a second enrolment with it finds nothing to claim.
    auto rows = store_.Query(
        "UPDATE server_enrol_secrets SET used_at = $2 WHERE secret_hash = $1 AND used_at = 0 AND expires_at > $2 "
        "RETURNING sites",
        p);
    if (!rows) return rows.error();
    if (rows->empty()) return NotFound("unknown, used or expired enrolment secret");
    e.sites = Split(Col(rows->front(), 0));
    e.agent_id = "agent-" + RandomHex(6);
    e.key = "poa_" + RandomHex(32);
    SqlValue q[] = {T(e.agent_id), T(agent_name), T(Col(rows->front(), 0)), T(inventory::Sha256Hex(e.key)), I(now)};
    if (Status s = store_.Exec(
            "INSERT INTO server_agents (id, name, sites, key_hash, created_at, revoked) VALUES ($1, $2, $3, $4, $5, 0)", q);
        !s.ok()) {
      return s;
    }
    SqlValue r[] = {p[0], T(e.agent_id)};
    return store_.Exec("UPDATE server_enrol_secrets SET agent_id = $2 WHERE secret_hash = $1", r);
  });
  if (!st.ok()) return st.error();
  return e;
}

Result<std::vector<AgentInfo>> AuthStore::ListAgents() {
  auto rows = store_.Query("SELECT id, name, sites, created_at, revoked FROM server_agents ORDER BY created_at, id");
  if (!rows) return rows.error();
  std::vector<AgentInfo> out;
  for (const auto& r : *rows) out.push_back({Col(r, 0), Col(r, 1), Split(Col(r, 2)), ColInt(r, 3), ColInt(r, 4) != 0});
  return out;
}

Status AuthStore::RevokeAgent(const std::string& id) {
  SqlValue p[] = {T(id)};
  auto rows = store_.Query("UPDATE server_agents SET revoked = 1 WHERE id = $1 RETURNING id", p);
  if (!rows) return rows.error();
  if (rows->empty()) return NotFound("no agent '" + id + "'");
  return Status::Ok();
}

}  // namespace phaseout::server
