// Golden-file helpers for probe tests: read recorded replies from testdata/ and compare a
// session's observations with an expected listing (regenerate with PHASEOUT_UPDATE_GOLDEN=1,
// then review the diff by hand).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/strings.h"
#include "model/observation.h"

namespace phaseout::probes::testing {

inline std::string TestdataDir() { return PHASEOUT_PROBES_DIR; }

// The bytes of `path` (relative to src/probes/), or nullopt if it does not exist.
inline std::optional<std::string> ReadTestdata(const std::string& path) {
  std::ifstream in(TestdataDir() + "/" + path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One line per observation: "<probe>\t<port>\t<key>\t<escaped value>".
inline std::string FormatObservations(const std::vector<model::Observation>& obs) {
  std::string out;
  for (const model::Observation& o : obs) {
    out += o.probe + "\t" + std::to_string(o.port) + "\t" + o.key + "\t" + EscapeBytes(o.value, 1 << 20) + "\n";
  }
  return out;
}

// Compares with `expected_path` (relative to src/probes/); rewrites it when
// PHASEOUT_UPDATE_GOLDEN=1.
inline void ExpectGolden(const std::vector<model::Observation>& obs, const std::string& expected_path) {
  std::string actual = FormatObservations(obs);
  if (const char* update = std::getenv("PHASEOUT_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream out(TestdataDir() + "/" + expected_path, std::ios::binary);
    out << actual;
    return;
  }
  std::optional<std::string> expected = ReadTestdata(expected_path);
  ASSERT_TRUE(expected.has_value()) << "missing golden file " << expected_path
                                    << " (run with PHASEOUT_UPDATE_GOLDEN=1 and review it)";
  EXPECT_EQ(*expected, actual) << "golden mismatch for " << expected_path;
}

}  // namespace phaseout::probes::testing
