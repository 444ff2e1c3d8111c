// Loads data/check/advice.yaml (format described in the file itself and in docs/check.md).
#include "report/check_advice.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace phaseout::report {
namespace {

class Errors {
 public:
  explicit Errors(std::string origin) : origin_(std::move(origin)) {}
  void Add(const YAML::Node& at, const std::string& message) {
    int line = at.IsDefined() ? at.Mark().line + 1 : 0;
    messages_.push_back(origin_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " + message);
  }
  bool empty() const { return messages_.empty(); }
  Error ToError() const {
    std::string all;
    for (size_t i = 0; i < messages_.size() && i < 5; ++i) all += (i ? "; " : "") + messages_[i];
    return MakeError(ErrorCode::kInvalidArgument, all);
  }

 private:
  std::string origin_;
  std::vector<std::string> messages_;
};

void CheckKeys(const YAML::Node& node, std::initializer_list<const char*> allowed,
               const std::string& what, Errors& errors) {
  if (!node.IsMap()) {
    errors.Add(node, what + ": expected a mapping");
    return;
  }
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>("");
    bool ok = false;
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok) errors.Add(kv.first, what + ": unknown key '" + key + "'");
  }
}

std::string Text(const YAML::Node& node, const char* key, const std::string& what, Errors& errors,
                 bool required) {
  YAML::Node v = node[key];
  if (!v.IsDefined() || v.IsNull()) {
    if (required) errors.Add(node, what + ": missing '" + key + "'");
    return "";
  }
  if (!v.IsScalar()) {
    errors.Add(v, what + ": '" + key + "' must be text");
    return "";
  }
  std::string s = v.as<std::string>();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (required && s.empty()) errors.Add(v, what + ": '" + key + "' is empty");
  return s;
}

std::vector<std::string> Sources(const YAML::Node& node, const std::string& what, Errors& errors) {
  std::vector<std::string> out;
  YAML::Node v = node["sources"];
  if (!v.IsDefined()) {
    errors.Add(node, what + ": missing 'sources' (use [] for advice that needs none)");
    return out;
  }
  if (!v.IsSequence()) {
    errors.Add(v, what + ": 'sources' must be a list");
    return out;
  }
  for (const auto& s : v) {
    if (!s.IsScalar() || s.as<std::string>().empty()) {
      errors.Add(s, what + ": empty source");
      continue;
    }
    out.push_back(s.as<std::string>());
  }
  return out;
}

bool Verified(const YAML::Node& node, const std::string& what, Errors& errors) {
  YAML::Node v = node["verified"];
  if (!v.IsDefined()) {
    errors.Add(node, what + ": missing 'verified'");
    return false;
  }
  try {
    return v.as<bool>();
  } catch (const YAML::Exception&) {
    errors.Add(v, what + ": 'verified' must be true or false");
    return false;
  }
}

std::vector<AdviceItem> Items(const YAML::Node& root, const char* key, bool need_title, Errors& errors) {
  std::vector<AdviceItem> out;
  YAML::Node list = root[key];
  if (!list.IsSequence() || list.size() == 0) {
    errors.Add(root, std::string("'") + key + "' must be a non-empty list");
    return out;
  }
  std::set<std::string> ids;
  for (const auto& n : list) {
    std::string what = std::string(key) + " item";
    CheckKeys(n, {"id", "title", "text", "sources", "verified"}, what, errors);
    if (!n.IsMap()) continue;
    AdviceItem item;
    item.id = Text(n, "id", what, errors, true);
    what += " '" + item.id + "'";
    item.title = Text(n, "title", what, errors, need_title);
    item.text = Text(n, "text", what, errors, true);
    item.sources = Sources(n, what, errors);
    item.verified = Verified(n, what, errors);
    if (!ids.insert(item.id).second) errors.Add(n, what + ": duplicate id");
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

Result<CheckAdvice> CheckAdvice::LoadFile(const std::string& path, const policy::PolicySet* policies) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return LoadFromString(text.str(), path, policies);
}

Result<CheckAdvice> CheckAdvice::LoadFromString(const std::string& yaml, const std::string& origin,
                                                const policy::PolicySet* policies) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument,
                     origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  Errors errors(origin);
  CheckAdvice advice;
  if (!root.IsMap()) return MakeError(ErrorCode::kInvalidArgument, origin + ": expected a mapping");
  CheckKeys(root, {"schema", "locale_policies", "policies", "actions", "by_hand", "evidence_words"},
            "advice", errors);
  if (root["schema"].as<std::string>("") != "1") errors.Add(root, "'schema' must be 1");

  auto known_policy = [&](const YAML::Node& at, const std::string& id, const std::string& what) {
    if (policies != nullptr && policies->Find(id) == nullptr) {
      errors.Add(at, what + ": unknown policy id '" + id + "'");
    }
  };
  if (YAML::Node locales = root["locale_policies"]; locales.IsMap()) {
    for (const auto& kv : locales) {
      std::string locale = kv.first.as<std::string>("");
      std::string id = kv.second.as<std::string>("");
      if (id.empty()) errors.Add(kv.first, "locale_policies: '" + locale + "' has no policy");
      known_policy(kv.second, id, "locale_policies '" + locale + "'");
      advice.locale_policies[locale] = id;
    }
  } else {
    errors.Add(root, "'locale_policies' must be a mapping");
  }
  if (YAML::Node ps = root["policies"]; ps.IsMap()) {
    for (const auto& kv : ps) {
      std::string id = kv.first.as<std::string>("");
      std::string what = "policies '" + id + "'";
      known_policy(kv.first, id, what);
      CheckKeys(kv.second, {"who_it_binds", "prohibited", "review", "sources", "verified"}, what, errors);
      if (!kv.second.IsMap()) continue;
      PolicyAdvice p;
      p.who_it_binds = Text(kv.second, "who_it_binds", what, errors, true);
      p.prohibited = Text(kv.second, "prohibited", what, errors, true);
      p.review = Text(kv.second, "review", what, errors, true);
      p.sources = Sources(kv.second, what, errors);
      p.verified = Verified(kv.second, what, errors);
      advice.policies[id] = std::move(p);
    }
  } else {
    errors.Add(root, "'policies' must be a mapping");
  }
  advice.actions = Items(root, "actions", true, errors);
  advice.by_hand = Items(root, "by_hand", false, errors);
  if (YAML::Node words = root["evidence_words"]; words.IsMap()) {
    for (const auto& kv : words) {
      std::string text = kv.second.as<std::string>("");
      if (text.empty()) errors.Add(kv.first, "evidence_words: empty text");
      advice.evidence_words[kv.first.as<std::string>("")] = text;
    }
  } else {
    errors.Add(root, "'evidence_words' must be a mapping");
  }
  if (!errors.empty()) return errors.ToError();
  return advice;
}

std::optional<std::string> CheckAdvice::PolicyForLocale(std::string_view locale) const {
  size_t end = locale.find_first_of(".@");
  std::string name(locale.substr(0, end));
  auto it = locale_policies.find(name);
  if (it == locale_policies.end()) return std::nullopt;
  return it->second;
}

std::string CheckAdvice::WordsFor(std::string_view key) const {
  std::string_view probe = key;
  while (!probe.empty()) {
    auto it = evidence_words.find(std::string(probe));
    if (it != evidence_words.end()) return it->second;
    size_t dot = probe.rfind('.');
    if (dot == std::string_view::npos) break;
    probe = probe.substr(0, dot);
  }
  return std::string(key);
}

std::string LocaleFromEnvironment() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return v;
  }
  return "";
}

}  // namespace phaseout::report
