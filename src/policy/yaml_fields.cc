// Typed YAML field access with file/line error messages for the policy loaders.
#include "policy/yaml_fields.h"

#include <fstream>
#include <sstream>

namespace phaseout::policy::internal {

void ErrorList::Add(const YAML::Node& at, const std::string& message) {
  int line = LineOf(at);
  messages_.push_back(origin_ + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + message);
}

void ErrorList::AddNoLine(const std::string& message) { messages_.push_back(origin_ + ": " + message); }

Error ErrorList::ToError() const {
  constexpr size_t kMaxShown = 20;
  std::string out;
  for (size_t i = 0; i < messages_.size() && i < kMaxShown; ++i) {
    if (i > 0) out += "\n";
    out += messages_[i];
  }
  if (messages_.size() > kMaxShown) {
    out += "\n(" + std::to_string(messages_.size() - kMaxShown) + " more errors)";
  }
  return MakeError(ErrorCode::kInvalidArgument, out);
}

int LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

void CheckKeys(const YAML::Node& node, std::initializer_list<const char*> allowed,
               const std::string& what, ErrorList& errors) {
  if (!node.IsMap()) return;
  for (const auto& kv : node) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("<non-scalar>");
    bool ok = false;
    for (const char* a : allowed) {
      if (key == a) ok = true;
    }
    if (!ok) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      errors.Add(kv.first, what + ": unknown field '" + key + "' (known: " + list + ")");
    }
  }
}

std::string GetString(const YAML::Node& node, const char* key, const std::string& what,
                      ErrorList& errors, bool required) {
  YAML::Node v = node[key];
  if (!v.IsDefined() || v.IsNull()) {
    if (required) errors.Add(node, what + ": missing required field '" + key + "'");
    return "";
  }
  if (!v.IsScalar()) {
    errors.Add(v, what + ": field '" + key + "' must be a string");
    return "";
  }
  if (required && v.Scalar().empty()) errors.Add(v, what + ": field '" + key + "' is empty");
  return v.Scalar();
}

bool GetBool(const YAML::Node& node, const char* key, bool fallback, const std::string& what,
             ErrorList& errors) {
  YAML::Node v = node[key];
  if (!v.IsDefined() || v.IsNull()) return fallback;
  if (v.IsScalar()) {
    const std::string& s = v.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  errors.Add(v, what + ": field '" + key + "' must be true or false");
  return fallback;
}

std::optional<CivilDate> GetDate(const YAML::Node& node, const char* key, const std::string& what,
                                 ErrorList& errors) {
  YAML::Node v = node[key];
  if (!v.IsDefined() || v.IsNull()) return std::nullopt;
  if (!v.IsScalar()) {
    errors.Add(v, what + ": field '" + key + "' must be a date");
    return std::nullopt;
  }
  auto d = CivilDate::Parse(v.Scalar());
  if (!d) {
    errors.Add(v, what + ": field '" + key + "': " + d.error().message);
    return std::nullopt;
  }
  return *d;
}

std::vector<std::string> GetStringList(const YAML::Node& node, const char* key,
                                       const std::string& what, ErrorList& errors) {
  std::vector<std::string> out;
  YAML::Node v = node[key];
  if (!v.IsDefined() || v.IsNull()) return out;
  if (v.IsScalar()) {
    out.push_back(v.Scalar());
    return out;
  }
  if (!v.IsSequence()) {
    errors.Add(v, what + ": field '" + key + "' must be a list of strings");
    return out;
  }
  for (const auto& item : v) {
    if (!item.IsScalar()) {
      errors.Add(item, what + ": field '" + key + "' must be a list of strings");
      continue;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

Result<YAML::Node> ParseYaml(const std::string& text, const std::string& origin) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::string where = origin;
    if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1);
    return MakeError(ErrorCode::kInvalidArgument, where + ": YAML error: " + e.msg);
  }
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot read '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kIo, "error reading '" + path + "'");
  return ss.str();
}

}  // namespace phaseout::policy::internal
