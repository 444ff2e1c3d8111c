// Internal helpers for the policy module's YAML loaders: typed field access with error
// messages that name the origin file and line. Not part of the public API.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "policy/civil_date.h"

namespace phaseout::policy::internal {

// Collects validation errors ("<origin>:<line>: <message>") so a loader can report several.
class ErrorList {
 public:
  explicit ErrorList(std::string origin) : origin_(std::move(origin)) {}
  void Add(const YAML::Node& at, const std::string& message);
  void AddNoLine(const std::string& message);
  bool empty() const { return messages_.empty(); }
  // One error joining the first messages (kInvalidArgument).
  Error ToError() const;
  const std::string& origin() const { return origin_; }

 private:
  std::string origin_;
  std::vector<std::string> messages_;
};

// 1-based line of a node, 0 if unknown.
int LineOf(const YAML::Node& node);

// Reports keys of map `node` that are not in `allowed` (catches typos such as "parnet").
void CheckKeys(const YAML::Node& node, std::initializer_list<const char*> allowed,
               const std::string& what, ErrorList& errors);

// Scalar string at node[key]; "" when absent. Reports a non-scalar or, if `required`, a
// missing/empty value.
std::string GetString(const YAML::Node& node, const char* key, const std::string& what,
                      ErrorList& errors, bool required = false);
// Boolean at node[key]; `fallback` when absent. Reports non-boolean values.
bool GetBool(const YAML::Node& node, const char* key, bool fallback, const std::string& what,
             ErrorList& errors);
// Optional date at node[key]. Reports unparsable dates.
std::optional<CivilDate> GetDate(const YAML::Node& node, const char* key, const std::string& what,
                                 ErrorList& errors);
// Sequence of scalar strings at node[key] (a single scalar is accepted as a one-element list).
std::vector<std::string> GetStringList(const YAML::Node& node, const char* key,
                                       const std::string& what, ErrorList& errors);

// Parses YAML text, converting yaml-cpp exceptions into an Error naming origin and line.
Result<YAML::Node> ParseYaml(const std::string& text, const std::string& origin);
// Reads a whole file; kNotFound naming the path when it cannot be read.
Result<std::string> ReadFile(const std::string& path);

}  // namespace phaseout::policy::internal
