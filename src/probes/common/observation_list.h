// Collects the Observations of one probe session, with a hard cap so a hostile device can not
// make a session grow without bound.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"

namespace phaseout::probes::common {

// Observations of one session on one port. Not thread-safe; owned by the session.
class ObservationList {
 public:
  // At most this many observations are kept; the next one becomes "<probe>.limit" =
  // "observations>N" and later ones are dropped.
  static constexpr size_t kMaxObservations = 1024;

  ObservationList(std::string probe, uint16_t port) : probe_(std::move(probe)), port_(port) {}

  // Adds key=value under this session's probe name.
  void Add(std::string_view key, std::string value) { AddAs(probe_, key, std::move(value)); }
  // Adds key=value under another probe name (e.g. "tcp" or "tls" facts found by an http session).
  void AddAs(std::string_view probe, std::string_view key, std::string value);
  // Records that a limit was hit: key "<prefix>.limit" with `what`, e.g. "headers>100".
  void AddLimit(std::string_view prefix, std::string what) { Add(std::string(prefix) + ".limit", std::move(what)); }

  const std::string& probe() const { return probe_; }
  const std::vector<model::Observation>& items() const { return items_; }
  // Returns everything collected and leaves the list empty.
  std::vector<model::Observation> Take();

 private:
  std::string probe_;
  uint16_t port_;
  bool capped_ = false;
  std::vector<model::Observation> items_;
};

}  // namespace phaseout::probes::common
