// Loading of the screening context from the data directory.
#include "screening/screening_context.h"

#include "core/data_dir.h"

namespace phaseout::screening {

Result<ScreeningContext> ScreeningContext::Load(const std::string& data_dir_override) {
  auto dir = FindDataDir(data_dir_override);
  if (!dir) return dir.error();
  ScreeningContext ctx;
  ctx.data_dir = *dir;
  auto vendors = policy::VendorRegistry::Load(*dir + "/vendors.yaml");
  if (!vendors) return vendors.error();
  ctx.vendors = std::make_unique<policy::VendorRegistry>(std::move(*vendors));
  auto policies = policy::PolicySet::LoadDirectory(*dir + "/policies", *ctx.vendors);
  if (!policies) return policies.error();
  ctx.policies = std::make_unique<policy::PolicySet>(std::move(*policies));
  auto data = ScreeningData::Load(*dir + "/screening/screening.yaml");
  if (!data) return data.error();
  ctx.data = std::move(*data);
  auto roles = RoleData::Load(*dir + "/screening/roles.yaml");
  if (!roles) return roles.error();
  ctx.data.roles = std::move(*roles);
  auto weights = NameWeights::Load(*dir + "/screening/name_weights.yaml");
  if (!weights) return weights.error();
  ctx.data.weights = std::move(*weights);
  return ctx;
}

}  // namespace phaseout::screening
