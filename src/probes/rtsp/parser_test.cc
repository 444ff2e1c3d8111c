// Tests for RTSP parsing, Date layout and CSeq echo.
#include "probes/rtsp/parser.h"

#include <gtest/gtest.h>

#include "probes/rtsp/request.h"

namespace phaseout::probes::rtsp {
namespace {

TEST(ClassifyDateLayout, KnownLayouts) {
  EXPECT_EQ(ClassifyDateLayout("Thu, 14 May 2020 16:45:35 GMT"), "rfc1123");
  EXPECT_EQ(ClassifyDateLayout("Thu, 4 May 2020 16:45:35 GMT"), "rfc1123");
  EXPECT_EQ(ClassifyDateLayout("Thu, May 14 2020 16:45:35 GMT"), "hikvision-dow-mon-day-year");
  EXPECT_EQ(ClassifyDateLayout("Thu, May 4 2020 16:45:35 GMT"), "hikvision-dow-mon-day-year");
  EXPECT_EQ(ClassifyDateLayout("Thu Jan  1 00:12:36 1970"), "other");
  EXPECT_EQ(ClassifyDateLayout("Thu, 14 May 2020 16:45:35 GMT extra"), "other");
  EXPECT_EQ(ClassifyDateLayout(""), "other");
}

TEST(ParseRtspResponse, HeadOnlyAndSdpBody) {
  auto m = ParseRtspResponse("RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->version, "RTSP/1.0");
  EXPECT_EQ(CseqEcho(*m, 1), "match");
  EXPECT_EQ(CseqEcho(*m, 2), "mismatch");
  auto sdp = ParseRtspResponse("RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 4\r\n\r\nv=0\nmore");
  ASSERT_TRUE(sdp.has_value());
  EXPECT_EQ(sdp->body, "v=0\n");
  auto none = ParseRtspResponse("RTSP/1.0 200 OK\r\n\r\n");
  EXPECT_EQ(CseqEcho(*none, 1), "absent");
  EXPECT_FALSE(ParseRtspResponse("\x16\x03\x01garbage").has_value());
}

TEST(RtspRequests, ExactBytes) {
  EXPECT_EQ(BuildOptionsRequest({"127.0.0.1", 554}, 1),
            "OPTIONS rtsp://127.0.0.1:554/ RTSP/1.0\r\nCSeq: 1\r\n"
            "User-Agent: phaseout/0.1 (inventory scan; +no-credentials)\r\n\r\n");
  EXPECT_EQ(BuildDescribeRequest({"127.0.0.1", 8554}, 2),
            "DESCRIBE rtsp://127.0.0.1:8554/ RTSP/1.0\r\nCSeq: 2\r\n"
            "User-Agent: phaseout/0.1 (inventory scan; +no-credentials)\r\nAccept: application/sdp\r\n\r\n");
  EXPECT_EQ(RtspUrl({"::1", 554}), "rtsp://[::1]:554/");
}

}  // namespace
}  // namespace phaseout::probes::rtsp
