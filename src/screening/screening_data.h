// Screening-specific data loaded from data/screening/screening.yaml: model-number patterns,
// names that only count in structured fields, and extra names for registry vendors.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "screening/role_data.h"

namespace phaseout::screening {

struct ModelPatternSpec {
  std::string vendor;   // registry vendor id
  std::string pattern;  // RE2, matched anchored at the start of an upper-cased model token
  std::string note;
  bool verified = false;
  std::string source;
};

struct ExtraName {
  std::string vendor;
  std::string text;
  std::string kind;  // legal | statutory | alias | former
  bool verified = false;
  std::string source;
};

// Token weight tables of name matching (data/screening/name_weights.yaml). Value type.
struct NameWeights {
  std::vector<std::string> stop_words, generic_words, geo_words, cjk_company_tails, cjk_geo_prefixes;
  // Loads the YAML file (kNotFound if unreadable, kInvalidArgument naming file and line).
  static Result<NameWeights> Load(const std::string& path);
};

// Value type.
struct ScreeningData {
  std::vector<std::string> replaces_prefixes;   // registry prefixes not used literally
  std::vector<ModelPatternSpec> model_patterns;
  std::vector<std::string> structured_field_only;  // names (as written) restricted to structured fields
  std::vector<ExtraName> extra_names;
  RoleData roles;  // data/screening/roles.yaml (loaded separately: RoleData::Load)
  NameWeights weights;  // data/screening/name_weights.yaml (loaded separately: NameWeights::Load)

  // Loads the YAML file. Fails with kNotFound if unreadable, kInvalidArgument naming the file
  // and entry for syntax errors and missing fields. Patterns are compiled later (Screener).
  static Result<ScreeningData> Load(const std::string& path);
  static Result<ScreeningData> LoadFromString(const std::string& yaml, const std::string& origin);
};

}  // namespace phaseout::screening
