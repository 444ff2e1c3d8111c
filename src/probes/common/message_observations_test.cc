// Tests for the observation helpers shared by the HTTP and RTSP probes.
#include "probes/common/message_observations.h"

#include <gtest/gtest.h>

namespace phaseout::probes::common {
namespace {

TEST(HeaderKey, LowerCasesAndNeutralisesDots) {
  EXPECT_EQ(HeaderKey("CONTENT-LENGTH"), "content-length");
  EXPECT_EQ(HeaderKey("WWW-Authenticate"), "www-authenticate");
  EXPECT_EQ(HeaderKey("Server.x"), "server_x");
  EXPECT_EQ(HeaderKey("X-\xff(y)"), "x-__y_");
  EXPECT_EQ(HeaderKey(std::string(100, 'a')).size(), 64u);
}

TEST(MessageObservations, NamesChallengesLimits) {
  Message m;
  m.headers = {{"CONNECTION", "close", " close"}, {"WWW-Authenticate", "Digest realm=\"a\", Basic realm=\"b\"", ""}};
  m.head_complete = true;
  m.limits = {"headers>100"};
  EXPECT_EQ(HeaderNames(m), "CONNECTION,WWW-Authenticate");
  ObservationList out("rtsp", 554);
  std::set<std::pair<std::string, std::string>> seen;
  AddAuthChallenges(m, "rtsp", &out, &seen);
  AddAuthChallenges(m, "rtsp", &out, &seen);  // repeated reply: nothing new
  Response response;
  response.timed_out = true;
  AddLimits(m, response, "rtsp", "OPTIONS", &out);
  std::vector<std::string> got;
  for (const auto& o : out.items()) got.push_back(o.key + "=" + o.value);
  EXPECT_EQ(got, (std::vector<std::string>{"rtsp.auth.scheme=Digest", "rtsp.auth.realm=a", "rtsp.auth.scheme=Basic",
                                           "rtsp.auth.realm=b", "rtsp.limit=OPTIONS headers>100",
                                           "rtsp.limit=OPTIONS incomplete reply (timeout)"}));
}

TEST(EmptyReason, EachOutcome) {
  Response r;
  EXPECT_EQ(EmptyReason(r), "empty");
  r.closed = true;
  EXPECT_EQ(EmptyReason(r), "closed");
  r.timed_out = true;
  EXPECT_EQ(EmptyReason(r), "timeout");
  r.connect_failed = true;
  EXPECT_EQ(EmptyReason(r), "connect_failed");
}

}  // namespace
}  // namespace phaseout::probes::common
