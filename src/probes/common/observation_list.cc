// ObservationList: bounded collection of a session's observations.
#include "probes/common/observation_list.h"

#include <utility>

namespace phaseout::probes::common {

void ObservationList::AddAs(std::string_view probe, std::string_view key, std::string value) {
  if (items_.size() >= kMaxObservations) {
    if (!capped_) {
      capped_ = true;
      items_.push_back({probe_, port_, probe_ + ".limit", "observations>" + std::to_string(kMaxObservations)});
    }
    return;
  }
  items_.push_back({std::string(probe), port_, std::string(key), std::move(value)});
}

std::vector<model::Observation> ObservationList::Take() {
  std::vector<model::Observation> out = std::move(items_);
  items_.clear();
  capped_ = false;
  return out;
}

}  // namespace phaseout::probes::common
