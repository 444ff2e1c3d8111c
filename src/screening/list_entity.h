// An entity imported from an external screening list (CSL, OpenSanctions), tied to a policy.
#pragma once

#include <string>
#include <vector>

namespace phaseout::screening {

// Value type.
struct ListEntity {
  std::string id;       // id within its source (CSL _id, OpenSanctions id)
  std::string name;     // primary name
  std::vector<std::string> aliases;
  std::vector<std::string> weak_aliases;  // OFAC-style weak AKAs: matched, but only as weak signals
  std::string type;     // "Entity", "Company", "Person", "Vessel", ... ("" if unknown)
  std::string source;   // the list it came from, e.g. "Entity List (EL) - Bureau of Industry and Security"
  std::string list;     // name of the stored list in the user data dir
  std::string policy;   // policy id the list is tied to
};

}  // namespace phaseout::screening
