// Everything `phaseout screen` and `phaseout lists` load from the data directory: the vendor
// registry, the policies and the screening data, kept together so pointers stay valid.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "policy/policy_set.h"
#include "policy/vendor_registry.h"
#include "screening/screening_data.h"

namespace phaseout::screening {

// Move-only; the registry and policy set live behind stable pointers.
struct ScreeningContext {
  std::string data_dir;
  std::unique_ptr<policy::VendorRegistry> vendors;
  std::unique_ptr<policy::PolicySet> policies;
  ScreeningData data;

  // Loads <dir>/vendors.yaml, <dir>/policies/*.yaml and <dir>/screening/screening.yaml, <dir>/screening/roles.yaml where
  // dir = FindDataDir(data_dir_override). Fails with the loaders' errors (file and line named).
  static Result<ScreeningContext> Load(const std::string& data_dir_override);
};

}  // namespace phaseout::screening
