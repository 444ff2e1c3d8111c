// Sites-file loader (yaml-cpp).
#include "inventory/sites.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "inventory/lifecycle.h"

namespace phaseout::inventory {
namespace {

class Problems {
 public:
  explicit Problems(std::string origin) : origin_(std::move(origin)) {}
  void Add(const YAML::Node& at, const std::string& msg) {
    int line = at.IsDefined() ? at.Mark().line + 1 : 0;
    list_.push_back(origin_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " + msg);
  }
  bool empty() const { return list_.empty(); }
  Error ToError() const {
    std::string msg;
    for (size_t i = 0; i < list_.size() && i < 10; ++i) msg += (i ? "\n" : "") + list_[i];
    if (list_.size() > 10) msg += "\n(" + std::to_string(list_.size() - 10) + " more problems)";
    return MakeError(ErrorCode::kInvalidArgument, msg);
  }

 private:
  std::string origin_;
  std::vector<std::string> list_;
};

void CheckKeys(const YAML::Node& node, std::initializer_list<const char*> allowed, const std::string& what,
               Problems& p) {
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    bool ok = false;
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok) {
      std::string names;
      for (const char* a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      p.Add(kv.first, "unknown key '" + key + "' in " + what + " (allowed: " + names + ")");
    }
  }
}

std::string Scalar(const YAML::Node& node, const char* key, bool required, const std::string& what, Problems& p) {
  YAML::Node v = node[key];
  if (!v.IsDefined() || v.IsNull()) {
    if (required) p.Add(node, what + " needs '" + key + "'");
    return "";
  }
  if (!v.IsScalar()) {
    p.Add(v, "'" + std::string(key) + "' in " + what + " must be text");
    return "";
  }
  return v.as<std::string>();
}

}  // namespace

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<SitesFile> ParseSitesYaml(std::string_view text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument,
                     origin + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  Problems p(origin);
  SitesFile out;
  if (!root.IsMap() || !root["departments"].IsDefined() || !root["departments"].IsSequence()) {
    return MakeError(ErrorCode::kInvalidArgument, origin + ": a sites file is a map with a 'departments' list");
  }
  CheckKeys(root, {"departments"}, "the sites file", p);
  std::set<std::string> dept_ids, site_ids;
  for (const auto& d : root["departments"]) {
    if (!d.IsMap()) {
      p.Add(d, "each department is a map (id, name, owner, sites)");
      continue;
    }
    CheckKeys(d, {"id", "name", "owner", "sites"}, "a department", p);
    Department dep;
    dep.id = Scalar(d, "id", true, "a department", p);
    dep.name = Scalar(d, "name", false, "department " + dep.id, p);
    dep.owner = Scalar(d, "owner", false, "department " + dep.id, p);
    if (dep.name.empty()) dep.name = dep.id;
    if (!dep.id.empty() && !IsValidId(dep.id)) p.Add(d["id"], "department id '" + dep.id + "' must be 1-64 of letters, digits, '-', '_', '.'");
    if (!dep.id.empty() && !dept_ids.insert(dep.id).second) p.Add(d["id"], "duplicate department id '" + dep.id + "'");
    if (d["sites"].IsDefined() && !d["sites"].IsSequence()) p.Add(d["sites"], "'sites' must be a list");
    if (d["sites"].IsDefined() && d["sites"].IsSequence()) {
      for (const auto& s : d["sites"]) {
        if (!s.IsMap()) {
          p.Add(s, "each site is a map (id, name, owner, location, scopes, deadlines)");
          continue;
        }
        CheckKeys(s, {"id", "name", "owner", "location", "scopes", "deadlines"}, "a site", p);
        Site site;
        site.department = dep.id;
        site.id = Scalar(s, "id", true, "a site", p);
        std::string what = "site " + site.id;
        site.name = Scalar(s, "name", false, what, p);
        if (site.name.empty()) site.name = site.id;
        site.owner = Scalar(s, "owner", false, what, p);
        site.location = Scalar(s, "location", false, what, p);
        if (!site.id.empty() && !IsValidId(site.id)) p.Add(s["id"], "site id '" + site.id + "' must be 1-64 of letters, digits, '-', '_', '.'");
        if (!site.id.empty() && !site_ids.insert(site.id).second) p.Add(s["id"], "duplicate site id '" + site.id + "'");
        const YAML::Node scopes = s["scopes"];
        if (scopes.IsDefined() && !scopes.IsSequence()) p.Add(scopes, what + ": 'scopes' must be a list of address blocks");
        if (scopes.IsDefined() && scopes.IsSequence()) {
          for (const auto& sc : scopes) {
            auto c = Cidr::Parse(sc.IsScalar() ? sc.as<std::string>() : "");
            if (!c) {
              p.Add(sc, what + ": " + c.error().message);
            } else {
              site.scopes.push_back(*c);
            }
          }
        }
        const YAML::Node dl = s["deadlines"];
        if (dl.IsDefined() && !dl.IsMap()) p.Add(dl, what + ": 'deadlines' maps policy ids to YYYY-MM-DD dates");
        if (dl.IsDefined() && dl.IsMap()) {
          for (const auto& kv : dl) {
            std::string policy = kv.first.as<std::string>();
            std::string date = kv.second.IsScalar() ? kv.second.as<std::string>() : "";
            if (!IsIsoDate(date)) {
              p.Add(kv.second, what + ": deadline for '" + policy + "' must be a date YYYY-MM-DD");
            } else {
              site.deadlines[policy] = date;
            }
          }
        }
        out.sites.push_back(std::move(site));
      }
    }
    out.departments.push_back(std::move(dep));
  }
  if (out.departments.empty()) return MakeError(ErrorCode::kInvalidArgument, origin + ": no departments declared");
  if (!p.empty()) return p.ToError();
  return out;
}

Result<SitesFile> LoadSitesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot read sites file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseSitesYaml(ss.str(), path);
}

}  // namespace phaseout::inventory
