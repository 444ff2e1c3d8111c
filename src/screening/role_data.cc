// Loader for data/screening/roles.yaml and the phrase matching used by role analysis.
#include "screening/role_data.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace phaseout::screening {

void PhraseList::Add(std::string_view entry) {
  TokenList tl;
  Tokenise(entry, &tl);  // the same normalisation as line text
  if (tl.empty()) return;
  std::vector<std::string> rest;
  for (size_t i = 1; i < tl.size(); ++i) rest.emplace_back(tl[i]);
  by_first_[std::string(tl[0])].push_back(std::move(rest));
  entries_.emplace_back(entry);
}

size_t PhraseList::MatchAt(const TokenList& raw, size_t i) const {
  if (i >= raw.size() || by_first_.empty()) return 0;
  auto it = by_first_.find(raw[i]);
  if (it == by_first_.end()) return 0;
  size_t best = 0;
  for (const auto& rest : it->second) {
    if (i + 1 + rest.size() > raw.size()) continue;
    bool ok = true;
    for (size_t k = 0; k < rest.size() && ok; ++k) {
      ok = raw[i + 1 + k] == rest[k] && raw.ref(i + 1 + k).clause == raw.ref(i).clause;
    }
    if (ok) best = std::max(best, rest.size() + 1);
  }
  return best;
}

bool PhraseList::Contains(std::string_view token) const {
  auto it = by_first_.find(token);
  if (it == by_first_.end()) return false;
  for (const auto& rest : it->second) {
    if (rest.empty()) return true;
  }
  return false;
}

const char* CategorySubjectName(CategorySubject s) {
  switch (s) {
    case CategorySubject::kUnknown: return "unknown";
    case CategorySubject::kGoods: return "goods";
    case CategorySubject::kInUseService: return "in-use-service";
    case CategorySubject::kTopic: return "topic";
    case CategorySubject::kRemoval: return "removal";
  }
  return "unknown";
}

const CategoryEntry* RoleData::Category(std::string_view code) const {
  std::string digits;
  for (char c : code) {
    if (c >= '0' && c <= '9') digits.push_back(c);
    else if (c != ' ' && c != '-' && c != '.') break;
  }
  if (digits.empty()) return nullptr;
  const CategoryEntry* best = nullptr;
  for (const auto& e : unspsc) {
    if (digits.compare(0, e.prefix.size(), e.prefix) == 0 && (!best || e.prefix.size() > best->prefix.size())) best = &e;
  }
  return best;
}

Result<RoleData> RoleData::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, path + ": cannot read role data");
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadFromString(ss.str(), path);
}

Result<RoleData> RoleData::LoadFromString(const std::string& yaml, const std::string& origin) {
  RoleData d;
  const std::pair<const char*, PhraseList RoleData::*> lists[] = {
      {"removal_before", &RoleData::removal_before},   {"removal_after", &RoleData::removal_after},
      {"replaced_before", &RoleData::replaced_before}, {"purchase", &RoleData::purchase},
      {"negation_before", &RoleData::negation_before}, {"accessory_before", &RoleData::accessory_before},
      {"accessory_after", &RoleData::accessory_after}, {"lookback_skip", &RoleData::lookback_skip},
      {"service_in_use", &RoleData::service_in_use},   {"add_on", &RoleData::add_on},
      {"service_topic", &RoleData::service_topic},     {"person_markers", &RoleData::person_markers},
      {"chinese_surnames", &RoleData::chinese_surnames}, {"given_name_like", &RoleData::given_name_like},
      {"business_after", &RoleData::business_after},   {"product_words", &RoleData::product_words},
      {"generic_makers", &RoleData::generic_makers},   {"known_makers", &RoleData::known_makers},
      {"fuzzy_guard", &RoleData::fuzzy_guard}};
  try {
    YAML::Node root = YAML::Load(yaml);
    if (!root.IsMap()) return MakeError(ErrorCode::kInvalidArgument, origin + ": expected a mapping at top level");
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      std::string where = origin + ":" + std::to_string(kv.first.Mark().line + 1);
      if (key == "schema") continue;
      if (key == "unspsc") {
        for (const auto& e : kv.second) {
          std::string ew = origin + ":" + std::to_string(e.Mark().line + 1);
          CategoryEntry c;
          if (!e["prefix"] || !e["subject"]) return MakeError(ErrorCode::kInvalidArgument, ew + ": unspsc entry needs prefix and subject");
          c.prefix = e["prefix"].as<std::string>();
          if (c.prefix.empty() || c.prefix.find_first_not_of("0123456789") != std::string::npos) {
            return MakeError(ErrorCode::kInvalidArgument, ew + ": unspsc prefix '" + c.prefix + "' must be digits");
          }
          std::string s = e["subject"].as<std::string>();
          if (s == "goods") c.subject = CategorySubject::kGoods;
          else if (s == "in-use-service") c.subject = CategorySubject::kInUseService;
          else if (s == "topic") c.subject = CategorySubject::kTopic;
          else if (s == "removal") c.subject = CategorySubject::kRemoval;
          else return MakeError(ErrorCode::kInvalidArgument, ew + ": unknown subject '" + s + "'");
          if (e["title"]) c.title = e["title"].as<std::string>();
          d.unspsc.push_back(std::move(c));
        }
        continue;
      }
      PhraseList RoleData::*member = nullptr;
      for (const auto& [name, m] : lists) {
        if (key == name) member = m;
      }
      if (!member) return MakeError(ErrorCode::kInvalidArgument, where + ": unknown key '" + key + "'");
      if (!kv.second.IsSequence()) return MakeError(ErrorCode::kInvalidArgument, where + ": '" + key + "' must be a list");
      for (const auto& e : kv.second) (d.*member).Add(e.as<std::string>());
    }
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return d;
}

}  // namespace phaseout::screening
