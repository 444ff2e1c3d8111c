// Who may call the server: users with a role and a department/site scope, password login
// (libsodium argon2id), browser sessions, API tokens, agent enrolment secrets and agent keys.
// Everything lives in the inventory's database in the server's own tables (server_*), with
// their own versioned migration; secrets are stored only as hashes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::inventory {
class Store;
}

namespace phaseout::server {

// The schema version of the server tables this build writes; a higher one is refused.
inline constexpr int kAuthSchemaVersion = 2;

enum class Role { kAdmin, kProgramme, kOfficer, kSite, kProcurement, kAgent };
inline constexpr int kRoleCount = 6;
// "admin", "programme", "officer", "site", "procurement", "agent".
const char* RoleName(Role role);
// Parses the names above; kInvalidArgument listing them otherwise.
Result<Role> ParseRole(std::string_view name);

// How a caller proved who it is.
enum class Credential { kNone, kSession, kToken, kAgentKey };

// The authenticated caller of one request. Value type.
struct Principal {
  std::string name;  // user name, or agent id for agents
  Role role = Role::kProcurement;
  std::vector<std::string> departments;  // declared scope (department ids)
  std::vector<std::string> sites;        // declared scope (site ids); agents: bound sites
  Credential via = Credential::kNone;
  std::string csrf;        // the session's CSRF token (sessions only)
  std::string session_id;  // the session id as the client holds it (sessions only)
};

// One user as stored (never the password hash). Value type.
struct User {
  std::string name;  // 1..64 of letters, digits, '.', '-', '_', '@'
  Role role = Role::kProgramme;
  std::vector<std::string> departments, sites;
  bool disabled = false;
  int64_t created_at = 0;  // Unix seconds
};

struct TokenInfo {
  std::string id;  // public id (for listing and revoking), not the secret
  std::string user, label;
  int64_t created_at = 0, expires_at = 0;  // 0: never expires
  bool revoked = false;
};

struct AgentInfo {
  std::string id, name;
  std::vector<std::string> sites;
  int64_t created_at = 0;
  bool revoked = false;
};

// argon2id cost: interactive (libsodium OPSLIMIT/MEMLIMIT_INTERACTIVE, 64 MiB; tests) or
// moderate (256 MiB; the default for real passwords).
enum class PasswordCost { kInteractive, kModerate };

struct AuthOptions {
  int64_t session_idle_s = 8 * 3600;   // a session unused this long expires
  int64_t session_max_s = 7 * 86400;   // and none lives longer than this
  PasswordCost password_cost = PasswordCost::kModerate;
  std::function<int64_t()> now_s;      // Unix seconds; the system clock when empty (tests fix it)
};

// Creates (or upgrades) the server tables (users, sessions, tokens, agents, ingest progress) in
// `store`'s database. Idempotent. Fails with kIo on database errors and kInvalidArgument when
// the database holds a newer server schema.
Status MigrateServerTables(inventory::Store& store);

// Users, sessions, tokens and agents over one Store. Not thread-safe (neither is its Store):
// one AuthStore per connection. Every write is one statement or one transaction.
class AuthStore {
 public:
  AuthStore(inventory::Store& store, AuthOptions options) : store_(store), options_(std::move(options)) {}

  int64_t Now() const;

  // Users. AddUser fails with kInvalidArgument (bad name, weak password: under 12 bytes, scope
  // missing for a scoped role) or kInvalidArgument "exists".
  Status AddUser(const User& user, std::string_view password);
  Result<std::vector<User>> ListUsers();
  Result<User> GetUser(const std::string& name);  // kNotFound
  Status SetDisabled(const std::string& name, bool disabled);  // also ends its sessions and tokens
  Status SetPassword(const std::string& name, std::string_view password);

  // Ok iff `name` exists, is enabled and `password` is its password; kNotFound otherwise with
  // one message for every failure (no hint which part was wrong). Takes the same time for an
  // unknown user as for a wrong password.
  Result<User> CheckPassword(const std::string& name, std::string_view password);

  // Sessions: a random id (returned, stored only as its SHA-256) and a random CSRF token.
  struct NewSession {
    std::string id, csrf;
  };
  Result<NewSession> CreateSession(const std::string& user);
  // The caller holding session `id`, iff it exists, is not expired and its user is enabled
  // (extends its idle limit). kNotFound otherwise.
  Result<Principal> SessionPrincipal(const std::string& id);
  Status DeleteSession(const std::string& id);

  // API tokens: `token` is shown once; only its SHA-256 is kept. ttl_s 0: no expiry.
  struct NewToken {
    std::string id, token;
    int64_t expires_at = 0;
  };
  Result<NewToken> CreateToken(const std::string& user, const std::string& label, int64_t ttl_s);
  Result<std::vector<TokenInfo>> ListTokens(const std::string& user);  // "" = all users
  Status RevokeToken(const std::string& id);  // kNotFound
  // The caller holding bearer `token` (a user token or an agent key), iff it is known, not
  // revoked, not expired and its user is enabled. kNotFound otherwise.
  Result<Principal> BearerPrincipal(const std::string& token);

  // Agent enrolment: a one-time secret bound to sites, expiring after ttl_s.
  Result<std::string> CreateEnrolSecret(const std::vector<std::string>& sites, int64_t ttl_s,
                                        const std::string& created_by);
  struct Enrolment {
    std::string agent_id, key;
    std::vector<std::string> sites;
  };
  // Exchanges `secret` (unused, unexpired) for an agent key, in one transaction, so a secret
  // is used at most once. kNotFound for an unknown, used or expired secret.
  Result<Enrolment> Enrol(const std::string& secret, const std::string& agent_name);
  Result<std::vector<AgentInfo>> ListAgents();
  Status RevokeAgent(const std::string& id);  // kNotFound

 private:
  inventory::Store& store_;
  AuthOptions options_;
};

// A random secret of `bytes` random bytes as lower-case hex (libsodium randombytes).
std::string RandomHex(size_t bytes);
// True iff a and b are equal, in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// True iff `name` is a usable user name.
bool IsValidUserName(std::string_view name);

}  // namespace phaseout::server
