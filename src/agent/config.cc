// Agent config (YAML) and key file (JSON) reading and writing.
#include "agent/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/json_dump.h"

namespace phaseout::agent {
namespace {

using json = nlohmann::json;

Error ConfigError(const std::string& origin, const YAML::Node& node, const std::string& what) {
  std::string where = origin;
  if (node.IsDefined() && node.Mark().line >= 0) where += ":" + std::to_string(node.Mark().line + 1);
  return MakeError(ErrorCode::kInvalidArgument, where + ": " + what);
}

// Refuses keys outside `known` so a typo ("spool_dirr") is an error, not a silent default.
Status CheckKeys(const YAML::Node& map, const std::set<std::string>& known, const std::string& origin,
                 const std::string& section) {
  for (const auto& kv : map) {
    std::string key = kv.first.as<std::string>("");
    if (known.count(key) == 0) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      return ConfigError(origin, kv.first, "unknown key '" + key + "'" +
                                               (section.empty() ? "" : " in " + section) + " (known: " + list + ")");
    }
  }
  return Status::Ok();
}

Result<std::string> GetString(const YAML::Node& map, const char* key, const std::string& origin, bool required) {
  YAML::Node n = map[key];
  if (!n || n.IsNull()) {
    if (required) return ConfigError(origin, map, std::string("missing '") + key + "'");
    return std::string();
  }
  if (!n.IsScalar()) return ConfigError(origin, n, std::string("'") + key + "' must be a text value");
  return n.Scalar();
}

Result<std::vector<std::string>> GetList(const YAML::Node& map, const char* key, const std::string& origin) {
  YAML::Node n = map[key];
  std::vector<std::string> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsSequence()) return ConfigError(origin, n, std::string("'") + key + "' must be a list");
  for (const auto& item : n) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return ConfigError(origin, item, std::string("'") + key + "' entries must be non-empty text");
    }
    out.push_back(item.Scalar());
  }
  return out;
}

// A number within [min, max]; absent keeps *out.
Status GetNumber(const YAML::Node& map, const char* key, double min, double max, const std::string& origin,
                 double* out) {
  YAML::Node n = map[key];
  if (!n || n.IsNull()) return Status::Ok();
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
    return ConfigError(origin, n, std::string("'") + key + "' must be a number");
  }
  if (v < min || v > max) {
    std::ostringstream msg;
    msg << "'" << key << "' is " << v << ", outside " << min << ".." << max;
    return ConfigError(origin, n, msg.str());
  }
  *out = v;
  return Status::Ok();
}

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, dotted quad only.
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3 && host.rfind("127.", 0) == 0;
}

Result<ScheduledScan> ParseScheduledScan(const YAML::Node& n, const std::string& origin) {
  if (!n.IsMap()) return ConfigError(origin, n, "each local schedule entry must be a map");
  if (Status st = CheckKeys(n, {"site", "targets", "ports", "interval_s"}, origin, "schedule.local"); !st.ok()) {
    return st.error();
  }
  ScheduledScan s;
  auto site = GetString(n, "site", origin, true);
  if (!site) return site.error();
  s.site = *site;
  auto targets = GetList(n, "targets", origin);
  if (!targets) return targets.error();
  if (targets->empty()) return ConfigError(origin, n, "schedule entry for site '" + s.site + "' lists no targets");
  s.targets = *targets;
  auto ports = GetString(n, "ports", origin, false);
  if (!ports) return ports.error();
  s.ports = *ports;
  double interval = s.interval_s;
  if (Status st = GetNumber(n, "interval_s", 60, 31536000, origin, &interval); !st.ok()) return st.error();
  s.interval_s = static_cast<uint32_t>(interval);
  return s;
}

}  // namespace

Result<ServerUrl> ParseServerUrl(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument, "server URL '" + std::string(url) + "': " + why);
  };
  ServerUrl out;
  std::string_view rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    out.tls = false;
    out.port = 80;
    rest = url.substr(7);
  } else {
    return bad("must start with https://");
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return bad("no host");
  if (rest.find_first_of("/?#@ ") != std::string_view::npos) {
    return bad("give only the scheme, host and port (no path, query or user)");
  }
  std::string_view host = rest, port;
  if (rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unclosed [ in IPv6 address");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after ]");
      port = after.substr(1);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  out.host = std::string(host);
  if (!port.empty()) {
    int p = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || p > 65535) return bad("port must be a number 1-65535");
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) return bad("port must be a number 1-65535");
    out.port = p;
  }
  if (!out.tls && !IsLoopbackHost(out.host)) {
    return bad("plain http:// is only accepted for a loopback address (the agent key and the scan "
               "results would travel in clear): use https://");
  }
  return out;
}

Result<AgentConfig> ParseAgentConfig(std::string_view yaml_text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument,
                     origin + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (!root.IsMap()) return MakeError(ErrorCode::kInvalidArgument, origin + ": must be a YAML map of settings");
  try {
    if (Status st = CheckKeys(root, {"server", "key_file", "spool_dir", "pinned_sha256", "ca_file", "name",
                                     "schedule", "scan", "retry"},
                              origin, "");
        !st.ok()) {
      return st.error();
    }
    AgentConfig c;
    struct Field {
      const char* key;
      std::string* out;
      bool required;
    } fields[] = {{"server", &c.server, true},          {"key_file", &c.key_file, true},
                  {"spool_dir", &c.spool_dir, true},    {"pinned_sha256", &c.pinned_sha256, false},
                  {"ca_file", &c.ca_file, false},       {"name", &c.name, false}};
    for (auto& f : fields) {
      auto v = GetString(root, f.key, origin, f.required);
      if (!v) return v.error();
      if (f.required && v->empty()) return ConfigError(origin, root[f.key], std::string("'") + f.key + "' is empty");
      *f.out = *v;
    }
    auto url = ParseServerUrl(c.server);
    if (!url) return MakeError(ErrorCode::kInvalidArgument, origin + ": " + url.error().message);
    if (!c.pinned_sha256.empty() && !IsHex64(c.pinned_sha256)) {
      return ConfigError(origin, root["pinned_sha256"], "'pinned_sha256' must be 64 lower-case hex digits");
    }
    if (url->tls && c.pinned_sha256.empty()) {
      return ConfigError(origin, root, "an https server needs 'pinned_sha256' (written by phaseout agent enrol)");
    }
    if (YAML::Node s = root["schedule"]; s && !s.IsNull()) {
      if (!s.IsMap()) return ConfigError(origin, s, "'schedule' must be a map");
      if (Status st = CheckKeys(s, {"source", "local"}, origin, "schedule"); !st.ok()) return st.error();
      auto source = GetString(s, "source", origin, false);
      if (!source) return source.error();
      if (*source == "local") {
        c.server_schedule = false;
      } else if (!source->empty() && *source != "server") {
        return ConfigError(origin, s["source"], "'schedule.source' must be server or local");
      }
      if (YAML::Node local = s["local"]; local && !local.IsNull()) {
        if (!local.IsSequence()) return ConfigError(origin, local, "'schedule.local' must be a list");
        for (const auto& item : local) {
          auto scan = ParseScheduledScan(item, origin);
          if (!scan) return scan.error();
          c.local_schedule.push_back(std::move(*scan));
        }
      }
    }
    if (!c.server_schedule && c.local_schedule.empty()) {
      return ConfigError(origin, root["schedule"], "'schedule.source: local' needs entries in 'schedule.local'");
    }
    if (YAML::Node s = root["scan"]; s && !s.IsNull()) {
      if (!s.IsMap()) return ConfigError(origin, s, "'scan' must be a map");
      if (Status st = CheckKeys(s, {"rate", "allowed", "exclude"}, origin, "scan"); !st.ok()) return st.error();
      if (Status st = GetNumber(s, "rate", 0.001, 10000000, origin, &c.rate); !st.ok()) return st.error();
      auto allowed = GetList(s, "allowed", origin);
      if (!allowed) return allowed.error();
      c.allowed = *allowed;
      auto exclude = GetList(s, "exclude", origin);
      if (!exclude) return exclude.error();
      c.exclude = *exclude;
    }
    if (YAML::Node r = root["retry"]; r && !r.IsNull()) {
      if (!r.IsMap()) return ConfigError(origin, r, "'retry' must be a map");
      if (Status st = CheckKeys(r, {"initial_ms", "max_ms", "multiplier", "jitter", "give_up_after_s"}, origin,
                                "retry");
          !st.ok()) {
        return st.error();
      }
      double initial = c.backoff.initial_ms, max = c.backoff.max_ms, give_up = c.give_up_after_s;
      if (Status st = GetNumber(r, "initial_ms", 1, 3600000, origin, &initial); !st.ok()) return st.error();
      if (Status st = GetNumber(r, "max_ms", 1, 86400000, origin, &max); !st.ok()) return st.error();
      if (Status st = GetNumber(r, "multiplier", 1, 10, origin, &c.backoff.multiplier); !st.ok()) return st.error();
      if (Status st = GetNumber(r, "jitter", 0, 1, origin, &c.backoff.jitter); !st.ok()) return st.error();
      if (Status st = GetNumber(r, "give_up_after_s", 0, 31536000, origin, &give_up); !st.ok()) return st.error();
      if (max < initial) return ConfigError(origin, r, "'retry.max_ms' is smaller than 'retry.initial_ms'");
      c.backoff.initial_ms = static_cast<uint32_t>(initial);
      c.backoff.max_ms = static_cast<uint32_t>(max);
      c.give_up_after_s = static_cast<uint32_t>(give_up);
    }
    return c;
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument,
                     origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kNotFound, "cannot read agent config '" + path + "': " + std::strerror(errno) +
                                               " (phaseout agent enrol writes it)");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseAgentConfig(ss.str(), path);
}

std::string FormatAgentConfig(const AgentConfig& c) {
  // Values go through yaml-cpp's emitter, so any text is quoted correctly.
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << c.server;
  out << YAML::Key << "key_file" << YAML::Value << c.key_file;
  out << YAML::Key << "spool_dir" << YAML::Value << c.spool_dir;
  if (!c.pinned_sha256.empty()) out << YAML::Key << "pinned_sha256" << YAML::Value << c.pinned_sha256;
  if (!c.ca_file.empty()) out << YAML::Key << "ca_file" << YAML::Value << c.ca_file;
  if (!c.name.empty()) out << YAML::Key << "name" << YAML::Value << c.name;
  out << YAML::Key << "schedule" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "source" << YAML::Value << (c.server_schedule ? "server" : "local");
  if (!c.local_schedule.empty()) {
    out << YAML::Key << "local" << YAML::Value << YAML::BeginSeq;
    for (const auto& s : c.local_schedule) {
      out << YAML::BeginMap << YAML::Key << "site" << YAML::Value << s.site;
      out << YAML::Key << "targets" << YAML::Value << YAML::Flow << s.targets;
      if (!s.ports.empty()) out << YAML::Key << "ports" << YAML::Value << YAML::DoubleQuoted << s.ports;
      out << YAML::Key << "interval_s" << YAML::Value << s.interval_s << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  out << YAML::Key << "scan" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "rate" << YAML::Value << c.rate;
  if (!c.allowed.empty()) out << YAML::Key << "allowed" << YAML::Value << YAML::Flow << c.allowed;
  if (!c.exclude.empty()) out << YAML::Key << "exclude" << YAML::Value << YAML::Flow << c.exclude;
  out << YAML::EndMap;
  out << YAML::Key << "retry" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "initial_ms" << YAML::Value << c.backoff.initial_ms;
  out << YAML::Key << "max_ms" << YAML::Value << c.backoff.max_ms;
  out << YAML::Key << "multiplier" << YAML::Value << c.backoff.multiplier;
  out << YAML::Key << "jitter" << YAML::Value << c.backoff.jitter;
  out << YAML::Key << "give_up_after_s" << YAML::Value << c.give_up_after_s;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Status WriteAgentKey(const AgentKey& key, const std::string& path) {
  json j = {{"agent_id", key.agent_id}, {"key", key.key},       {"sites", key.sites},
            {"server", key.server},     {"pinned_sha256", key.pinned_sha256}};
  std::string text = DumpJson(j, 2) + "\n";
  std::string tmp = path + ".tmp";
  auto io = [&](const std::string& what) {
    return MakeError(ErrorCode::kIo, what + " '" + path + "': " + std::strerror(errno));
  };
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io("cannot create key file");
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = io("cannot write key file");
    ::unlink(tmp.c_str());
    return e;
  }
  return Status::Ok();
}

Result<AgentKey> ReadAgentKey(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kNotFound, "cannot read agent key file '" + path + "': " + std::strerror(errno) +
                                               "; enrol first: phaseout agent enrol --server URL --secret S");
  }
  if ((st.st_mode & 077) != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "agent key file '" + path + "' is readable by other users: run chmod 600 on it "
                     "(and consider revoking the key if others may have read it)");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  auto bad = MakeError(ErrorCode::kInvalidArgument,
                       "agent key file '" + path + "' is damaged; enrol again: phaseout agent enrol");
  if (!j.is_object() || !j.contains("key") || !j["key"].is_string() || j["key"].get<std::string>().empty()) return bad;
  AgentKey k;
  k.key = j["key"].get<std::string>();
  if (j.contains("agent_id") && j["agent_id"].is_string()) k.agent_id = j["agent_id"].get<std::string>();
  if (j.contains("server") && j["server"].is_string()) k.server = j["server"].get<std::string>();
  if (j.contains("pinned_sha256") && j["pinned_sha256"].is_string()) k.pinned_sha256 = j["pinned_sha256"].get<std::string>();
  if (j.contains("sites") && j["sites"].is_array()) {
    for (const auto& s : j["sites"]) {
      if (s.is_string()) k.sites.push_back(s.get<std::string>());
    }
  }
  return k;
}

}  // namespace phaseout::agent
