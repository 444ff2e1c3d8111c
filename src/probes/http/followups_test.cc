// Tests for the follow-up table and its triggers.
#include "probes/http/followups.h"

#include <gtest/gtest.h>

#include "probes/http/parser.h"
#include "probes/http/request.h"

namespace phaseout::probes::http {
namespace {

common::Message Reply(const std::string& raw) {
  auto m = ParseHttpResponse(raw);
  EXPECT_TRUE(m.has_value()) << raw;
  return m.has_value() ? *m : common::Message{};
}

TEST(FollowUpTable, EveryRowIsReviewedAndSafe) {
  ASSERT_LE(FollowUpTable().size(), kMaxFollowUps);
  for (const FollowUp& f : FollowUpTable()) {
    EXPECT_TRUE(IsSafeRequestPath(f.path)) << f.path;
    EXPECT_FALSE(f.trigger.empty()) << f.path;
    EXPECT_FALSE(f.reason.empty()) << f.path;
    EXPECT_NE(f.source.find('/'), std::string_view::npos) << f.path << ": cite a repository path or URL";
    EXPECT_EQ(f.source.find(".md "), std::string_view::npos) << f.path << ": no private notes";
    EXPECT_NE(f.applies, nullptr);
    // No credentials or exploit markers (auth= parameters, /SDK/webLanguage) ever appear in a path.
    for (std::string_view banned : {"auth=", "password", "user=", "SDK/webLanguage", "RPC2_Login"}) {
      EXPECT_EQ(f.path.find(banned), std::string_view::npos) << f.path;
    }
  }
}

TEST(HikvisionPlatformHint, ServersPathsRealms) {
  EXPECT_TRUE(HikvisionPlatformHint(Reply("HTTP/1.1 200 OK\r\nServer: App-webs/\r\n\r\n")));
  EXPECT_TRUE(HikvisionPlatformHint(Reply("HTTP/1.1 200 OK\r\nServer: DVRDVS-Webs\r\n\r\n")));
  EXPECT_TRUE(HikvisionPlatformHint(Reply("HTTP/1.1 200 OK\r\nServer: webserver\r\n\r\n")));
  EXPECT_TRUE(HikvisionPlatformHint(Reply("HTTP/1.1 302 Found\r\nServer: x\r\nLocation: /doc/page/login.asp\r\n\r\n")));
  EXPECT_TRUE(HikvisionPlatformHint(Reply("HTTP/1.1 401 U\r\nServer: x\r\nWWW-Authenticate: Digest realm=\"IP Camera(C2183)\"\r\n\r\n")));
  EXPECT_FALSE(HikvisionPlatformHint(Reply("HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n")));
  EXPECT_FALSE(HikvisionPlatformHint(Reply("HTTP/1.1 200 OK\r\nServer: Webserver-Pro\r\n\r\n")));
}

TEST(DahuaPlatformHint, NoServerMarkersRealm) {
  EXPECT_TRUE(DahuaPlatformHint(Reply("HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 0\r\n\r\n")));
  EXPECT_TRUE(DahuaPlatformHint(Reply("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n<script>/RPC2_Login</script>")));
  EXPECT_TRUE(DahuaPlatformHint(Reply("HTTP/1.1 401 U\r\nServer: x\r\nWWW-Authenticate: Digest realm=\"Login to ND011811000000\"\r\n\r\n")));
  EXPECT_FALSE(DahuaPlatformHint(Reply("HTTP/1.1 200 OK\r\nServer: lighttpd\r\n\r\n<title>Router</title>")));
}

TEST(ChooseFollowUps, OrderAndCap) {
  auto all = ChooseFollowUps(Reply("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<a href=\"/doc/page/login.asp\">"));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0]->kind, FollowUpKind::kIsapiDeviceInfo);
  EXPECT_EQ(all[1]->kind, FollowUpKind::kHikvisionLogin);
  EXPECT_EQ(all[2]->kind, FollowUpKind::kDahuaMagicBox);
  EXPECT_EQ(all[3]->kind, FollowUpKind::kFavicon);
  EXPECT_TRUE(ChooseFollowUps(Reply("HTTP/1.1 404 Not Found\r\nServer: nginx\r\n\r\n")).empty());
}

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
