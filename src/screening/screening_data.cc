// Loader for data/screening/screening.yaml.
#include "screening/screening_data.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace phaseout::screening {
namespace {

Result<std::string> Str(const YAML::Node& node, const char* key, const std::string& where, bool required) {
  YAML::Node v = node[key];
  if (!v || v.IsNull()) {
    if (required) return MakeError(ErrorCode::kInvalidArgument, where + ": missing '" + key + "'");
    return std::string();
  }
  if (!v.IsScalar()) return MakeError(ErrorCode::kInvalidArgument, where + ": '" + key + "' must be a string");
  return v.as<std::string>();
}

}  // namespace

Result<ScreeningData> ScreeningData::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, path + ": cannot read screening data");
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadFromString(ss.str(), path);
}

Result<ScreeningData> ScreeningData::LoadFromString(const std::string& yaml, const std::string& origin) {
  ScreeningData data;
  try {
    YAML::Node root = YAML::Load(yaml);
    if (!root.IsMap()) return MakeError(ErrorCode::kInvalidArgument, origin + ": expected a mapping at top level");
    if (auto n = root["replaces_prefixes"]) {
      for (const auto& p : n) data.replaces_prefixes.push_back(p.as<std::string>());
    }
    if (auto n = root["model_patterns"]) {
      size_t idx = 0;
      for (const auto& e : n) {
        std::string where = origin + ": model_patterns[" + std::to_string(idx++) + "] (line " +
                            std::to_string(e.Mark().line + 1) + ")";
        ModelPatternSpec spec;
        auto vendor = Str(e, "vendor", where, true);
        if (!vendor) return vendor.error();
        auto pattern = Str(e, "pattern", where, true);
        if (!pattern) return pattern.error();
        auto source = Str(e, "source", where, true);
        if (!source) return source.error();
        auto note = Str(e, "note", where, false);
        if (!note) return note.error();
        spec.vendor = *vendor;
        spec.pattern = *pattern;
        spec.source = *source;
        spec.note = *note;
        spec.verified = e["verified"] && e["verified"].as<bool>();
        data.model_patterns.push_back(std::move(spec));
      }
    }
    if (auto n = root["structured_field_only"]) {
      size_t idx = 0;
      for (const auto& e : n) {
        std::string where = origin + ": structured_field_only[" + std::to_string(idx++) + "]";
        auto name = Str(e, "name", where, true);
        if (!name) return name.error();
        data.structured_field_only.push_back(*name);
      }
    }
    if (auto n = root["extra_names"]) {
      size_t idx = 0;
      for (const auto& e : n) {
        std::string where = origin + ": extra_names[" + std::to_string(idx++) + "]";
        ExtraName x;
        auto vendor = Str(e, "vendor", where, true);
        if (!vendor) return vendor.error();
        auto text = Str(e, "text", where, true);
        if (!text) return text.error();
        auto source = Str(e, "source", where, true);
        if (!source) return source.error();
        auto kind = Str(e, "kind", where, false);
        if (!kind) return kind.error();
        x.vendor = *vendor;
        x.text = *text;
        x.source = *source;
        x.kind = kind->empty() ? "alias" : *kind;
        x.verified = e["verified"] && e["verified"].as<bool>();
        data.extra_names.push_back(std::move(x));
      }
    }
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument,
                     origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return data;
}

Result<NameWeights> NameWeights::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, path + ": cannot read name weights");
  std::stringstream ss;
  ss << in.rdbuf();
  NameWeights w;
  const std::pair<const char*, std::vector<std::string> NameWeights::*> lists[] = {
      {"stop_words", &NameWeights::stop_words},
      {"generic_words", &NameWeights::generic_words},
      {"geo_words", &NameWeights::geo_words},
      {"cjk_company_tails", &NameWeights::cjk_company_tails},
      {"cjk_geo_prefixes", &NameWeights::cjk_geo_prefixes}};
  try {
    YAML::Node root = YAML::Load(ss.str());
    if (!root.IsMap()) return MakeError(ErrorCode::kInvalidArgument, path + ": expected a mapping at top level");
    for (const auto& [key, member] : lists) {
      YAML::Node n = root[key];
      if (!n || !n.IsSequence()) return MakeError(ErrorCode::kInvalidArgument, path + ": missing list '" + key + "'");
      for (const auto& e : n) (w.*member).push_back(e.as<std::string>());
    }
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return w;
}

}  // namespace phaseout::screening
