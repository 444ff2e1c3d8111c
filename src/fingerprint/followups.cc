// Loader and validator of data/followups/http.yaml.
#include "fingerprint/followups.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace phaseout::fingerprint {
namespace {

Error Fail(const std::string& path, const YAML::Node& node, const std::string& msg) {
  return MakeError(ErrorCode::kInvalidArgument, path + ":" + std::to_string(node.Mark().line + 1) + ": " + msg);
}

bool SafePath(const std::string& p) {
  if (p.empty() || p[0] != '/' || p.size() > 200) return false;
  for (char c : p) {
    if (c <= ' ' || c > '~') return false;
  }
  // No traversal, no credentials or exploit markers in a follow-up path.
  for (const char* banned : {"..", "auth=", "password", "passwd", "user=", "pwd="}) {
    std::string lower = p;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.find(banned) != std::string::npos) return false;
  }
  return true;
}

bool ReadList(const YAML::Node& n, std::vector<std::string>* out) {
  if (!n.IsSequence()) return false;
  for (const auto& v : n) {
    if (!v.IsScalar() || v.Scalar().empty()) return false;
    out->push_back(v.Scalar());
  }
  return true;
}

}  // namespace

Result<std::vector<FollowUpEntry>> LoadFollowUps(const std::string& path, const RuleDb& rules) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return MakeError(ErrorCode::kNotFound, "follow-up table '" + path + "' not found");
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, path + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!root.IsMap()) return Fail(path, root, "the follow-up table must be a mapping with 'followups:'");
  for (const auto& kv : root) {
    const std::string k = kv.first.Scalar();
    if (k != "description" && k != "source" && k != "followups") {
      return Fail(path, kv.first, "unknown top-level field '" + k + "' (allowed: description, source, followups)");
    }
  }
  if (!root["followups"] || !root["followups"].IsSequence()) return Fail(path, root, "missing 'followups:' list");
  std::set<std::string> rule_ids;
  for (const Rule& r : rules.rules()) rule_ids.insert(r.id);
  static const std::set<std::string> kFields = {"description", "id",  "reads",  "path",  "asked_by",
                                                "when_html",   "adds", "reason", "source", "note"};
  static const std::set<std::string> kAdds = {"manufacturer", "brand", "model", "firmware", "serial"};
  std::vector<FollowUpEntry> out;
  std::set<std::string> ids;
  for (const auto& node : root["followups"]) {
    if (!node.IsMap()) return Fail(path, node, "each follow-up must be a mapping");
    FollowUpEntry e;
    e.line = node.Mark().line + 1;
    for (const auto& kv : node) {
      if (!kFields.count(kv.first.Scalar())) return Fail(path, kv.first, "unknown field '" + kv.first.Scalar() + "'");
    }
    auto scalar = [&](const char* key, std::string* v) {
      if (node[key] && node[key].IsScalar()) *v = node[key].Scalar();
      return !v->empty();
    };
    if (!scalar("id", &e.id)) return Fail(path, node, "missing 'id'");
    if (!ids.insert(e.id).second) return Fail(path, node, "duplicate follow-up id '" + e.id + "'");
    const std::string where = "follow-up '" + e.id + "': ";
    if (!scalar("reads", &e.reads)) return Fail(path, node, where + "missing 'reads' (the parser of its reply)");
    if (!scalar("path", &e.path)) return Fail(path, node, where + "missing 'path'");
    if (!SafePath(e.path)) {
      return Fail(path, node["path"], where + "path '" + e.path +
                                          "' is not a fixed, printable, credential-free request target");
    }
    if (!scalar("reason", &e.reason)) return Fail(path, node, where + "missing 'reason'");
    if (!scalar("source", &e.source)) return Fail(path, node, where + "missing 'source' (its public basis)");
    if (node["asked_by"] && !ReadList(node["asked_by"], &e.asked_by)) {
      return Fail(path, node["asked_by"], where + "'asked_by' must be a list of rule ids");
    }
    for (const std::string& id : e.asked_by) {
      if (!rule_ids.count(id)) return Fail(path, node["asked_by"], where + "no fingerprint rule '" + id + "'");
    }
    if (node["when_html"]) {
      if (!node["when_html"].IsScalar() || (node["when_html"].Scalar() != "true" && node["when_html"].Scalar() != "false")) {
        return Fail(path, node["when_html"], where + "'when_html' must be true or false");
      }
      e.when_html = node["when_html"].Scalar() == "true";
    }
    if (e.asked_by.empty() && !e.when_html) {
      return Fail(path, node, where + "nothing asks for it (give 'asked_by' rules or 'when_html: true')");
    }
    if (!node["adds"] || !ReadList(node["adds"], &e.adds) || e.adds.empty()) {
      return Fail(path, node, where + "'adds' must list what its reply can tell");
    }
    for (const std::string& a : e.adds) {
      if (!kAdds.count(a)) {
        return Fail(path, node["adds"], where + "'adds' value '" + a +
                                            "' (allowed: manufacturer, brand, model, firmware, serial)");
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace phaseout::fingerprint
