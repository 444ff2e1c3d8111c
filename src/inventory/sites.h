// The organisation: departments, their sites, each site's address scopes and policy deadlines,
// as declared in a sites file (YAML; format in docs/inventory.md).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/scope.h"

namespace phaseout::inventory {

// One site: a network whose ranges may overlap another site's (identity is resolved within a
// site). Value type.
struct Site {
  std::string id;          // stable short id, e.g. "ottawa-hq" (letters, digits, '-', '_', '.')
  std::string name;
  std::string department;  // department id
  std::string owner;       // who answers for the site
  std::string location;    // street address or building, free text
  std::vector<Cidr> scopes;
  std::map<std::string, std::string> deadlines;  // policy id -> YYYY-MM-DD
};

struct Department {
  std::string id;
  std::string name;
  std::string owner;
};

struct SitesFile {
  std::vector<Department> departments;
  std::vector<Site> sites;
};

// Parses a sites file. Fails with kInvalidArgument naming `origin`, the line and the problem
// (unknown keys, duplicate ids, bad scopes or dates, no departments), listing several problems.
Result<SitesFile> ParseSitesYaml(std::string_view text, const std::string& origin);
// Reads and parses the file at `path` (kNotFound if absent).
Result<SitesFile> LoadSitesFile(const std::string& path);

// True iff `id` is a usable id (1..64 of letters, digits, '-', '_', '.').
bool IsValidId(std::string_view id);

}  // namespace phaseout::inventory
