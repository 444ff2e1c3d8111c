// Tests for the request builder and its path check (the follow-up table itself is data:
// data/followups/http.yaml, tested in src/engine/followup_planner_test.cc).
#include "probes/http/followups.h"

#include <gtest/gtest.h>

#include "probes/http/request.h"

namespace phaseout::probes::http {
namespace {

TEST(BuildGetRequest, ExactBytes) {
  EXPECT_EQ(BuildGetRequest({"127.0.0.1", 80}, false, "/"),
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: phaseout/0.1 (inventory scan; +no-credentials)\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n");
  EXPECT_NE(BuildGetRequest({"127.0.0.1", 8080}, false, "/x").find("Host: 127.0.0.1:8080\r\n"), std::string::npos);
  EXPECT_NE(BuildGetRequest({"127.0.0.1", 443}, true, "/").find("Host: 127.0.0.1\r\n"), std::string::npos);
  EXPECT_NE(BuildGetRequest({"::1", 8443}, true, "/").find("Host: [::1]:8443\r\n"), std::string::npos);
  EXPECT_FALSE(IsSafeRequestPath("/a b"));
  EXPECT_FALSE(IsSafeRequestPath("/a\r\nX: y"));
  EXPECT_FALSE(IsSafeRequestPath("http://x/"));
}

}  // namespace
}  // namespace phaseout::probes::http
