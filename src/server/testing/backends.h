// Test support: the server fixture on either store, as a parameter ("sqlite" or "postgres").
// The PostgreSQL run uses one throw-away server per test process (tests/pg/pg-tmp, unix socket
// only) and a fresh database per test; it is skipped with a message only when the server
// binaries are absent outside CI (in CI it fails).
#pragma once

#include <string>

#include "inventory/testing/pg_server.h"
#include "server/testing/fixture.h"

namespace phaseout::server::testing {

class BackendFixture : public ServerFixture, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      auto url = inventory::testing::SharedPgServer().FreshDatabase();
      if (!url) {
        if (inventory::testing::SharedPgServer().skip_reason().empty()) FAIL() << url.error().message;
        GTEST_SKIP() << inventory::testing::SharedPgServer().skip_reason();
      }
      location_ = *url;
    }
    ServerFixture::SetUp();
  }
};

inline const auto kBackends = ::testing::Values(std::string("sqlite"), std::string("postgres"));

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace phaseout::server::testing
