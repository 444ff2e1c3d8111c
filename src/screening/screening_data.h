// Screening-specific data loaded from data/screening/screening.yaml: model-number patterns,
// names that only count in structured fields, and extra names for registry vendors.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

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

// Value type.
struct ScreeningData {
  std::vector<std::string> replaces_prefixes;   // registry prefixes not used literally
  std::vector<ModelPatternSpec> model_patterns;
  std::vector<std::string> structured_field_only;  // names (as written) restricted to structured fields
  std::vector<ExtraName> extra_names;

  // Loads the YAML file. Fails with kNotFound if unreadable, kInvalidArgument naming the file
  // and entry for syntax errors and missing fields. Patterns are compiled later (Screener).
  static Result<ScreeningData> Load(const std::string& path);
  static Result<ScreeningData> LoadFromString(const std::string& yaml, const std::string& origin);
};

}  // namespace phaseout::screening
