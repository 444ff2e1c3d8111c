// Tests for the bounded observation list.
#include "probes/common/observation_list.h"

#include <gtest/gtest.h>

namespace phaseout::probes::common {
namespace {

TEST(ObservationList, ProbeNamesPortAndCap) {
  ObservationList list("http", 8080);
  list.Add("http.status", "200");
  list.AddAs("tcp", "tcp.port.open", "8080");
  list.AddLimit("http", "headers>100");
  ASSERT_EQ(list.items().size(), 3u);
  EXPECT_EQ(list.items()[0].probe, "http");
  EXPECT_EQ(list.items()[1].probe, "tcp");
  EXPECT_EQ(list.items()[2].key, "http.limit");
  EXPECT_EQ(list.items()[2].port, 8080);
  for (size_t i = 0; i < 2 * ObservationList::kMaxObservations; ++i) list.Add("http.header.x", "v");
  auto taken = list.Take();
  ASSERT_EQ(taken.size(), ObservationList::kMaxObservations + 1);
  EXPECT_EQ(taken.back().key, "http.limit");
  EXPECT_EQ(taken.back().value, "observations>1024");
  EXPECT_TRUE(list.items().empty());
}

}  // namespace
}  // namespace phaseout::probes::common
