// Tests for the shared HTTP-style message parser and framer.
#include "probes/common/message.h"

#include <gtest/gtest.h>

#include <string>

namespace phaseout::probes::common {
namespace {

TEST(ParseMessage, CrlfWithContentLength) {
  auto m = ParseMessage("HTTP/1.1 200 OK\r\nServer: DNVRS-Webs\r\nContent-Length: 5\r\n\r\nhelloEXTRA", BodyRule::kUntilClose);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->version, "HTTP/1.1");
  EXPECT_EQ(m->status, 200);
  EXPECT_EQ(m->status_code, "200");
  EXPECT_EQ(m->reason, "OK");
  ASSERT_EQ(m->headers.size(), 2u);
  EXPECT_EQ(m->headers[0].name, "Server");
  EXPECT_EQ(m->headers[0].value, "DNVRS-Webs");
  EXPECT_TRUE(m->head_complete);
  EXPECT_TRUE(m->body_complete);
  EXPECT_EQ(m->body, "hello");
  EXPECT_TRUE(m->limits.empty());
}

TEST(ParseMessage, LenientBareLfFoldMissingReasonAndCase) {
  auto m = ParseMessage("\r\nHTTP/1.0 401\nx-a: one\n  two\nCONTENT-LENGTH: 2\nX-B:\n\nok", BodyRule::kUntilClose);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->version, "HTTP/1.0");
  EXPECT_EQ(m->status, 401);
  EXPECT_EQ(m->reason, "");
  ASSERT_NE(m->Find("X-A"), nullptr);
  EXPECT_EQ(m->Find("X-A")->value, "one two");
  EXPECT_EQ(m->Find("x-b")->value, "");
  EXPECT_EQ(m->body, "ok");
}

TEST(ParseMessage, RawValueKeepsLeadingBlanks) {
  auto m = ParseMessage("RTSP/1.0 200 OK\r\nDate:  Thu, May 14 2020 16:45:35 GMT\r\n\r\n", BodyRule::kNoBody);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->Find("date")->raw_value, "  Thu, May 14 2020 16:45:35 GMT");
  EXPECT_EQ(m->Find("date")->value, "Thu, May 14 2020 16:45:35 GMT");
}

TEST(ParseMessage, DuplicateHeadersKeptInOrder) {
  auto m = ParseMessage("HTTP/1.1 200 OK\r\nSet-Cookie: a\r\nset-cookie: b\r\n\r\n", BodyRule::kUntilClose);
  ASSERT_TRUE(m.has_value());
  auto all = m->FindAll("Set-Cookie");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->value, "a");
  EXPECT_EQ(all[1]->value, "b");
}

TEST(ParseMessage, RejectsGarbageAndEmpty) {
  EXPECT_FALSE(ParseMessage("", BodyRule::kUntilClose).has_value());
  EXPECT_FALSE(ParseMessage("\r\n\r\n", BodyRule::kUntilClose).has_value());
  EXPECT_FALSE(ParseMessage(std::string("\0\0\0\x10", 4), BodyRule::kUntilClose).has_value());
  EXPECT_FALSE(ParseMessage("SSH-2.0-OpenSSH_9.2\r\n", BodyRule::kUntilClose).has_value());
  EXPECT_FALSE(ParseMessage("HTTP/1.1 2000 OK\r\n\r\n", BodyRule::kUntilClose).has_value());
  auto err = ParseMessage("garbage", BodyRule::kUntilClose);
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().code, ErrorCode::kParse);
}

TEST(ParseMessage, ChunkedDecoding) {
  auto m = ParseMessage("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n",
                        BodyRule::kUntilClose);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->chunked);
  EXPECT_TRUE(m->body_complete);
  EXPECT_EQ(m->body, "Wikipedia in\r\n\r\nchunks.");
}

TEST(ParseMessage, ChunkedCutOffAndHostileSize) {
  auto cut = ParseMessage("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n12345", BodyRule::kUntilClose);
  ASSERT_TRUE(cut.has_value());
  EXPECT_FALSE(cut->body_complete);
  EXPECT_EQ(cut->body, "12345");
  auto huge = ParseMessage("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nx", BodyRule::kUntilClose);
  ASSERT_TRUE(huge.has_value());
  EXPECT_FALSE(huge->body_complete);
  EXPECT_EQ(huge->body, "");
}

TEST(ParseMessage, BodyLimits) {
  MessageLimits limits;
  limits.max_body = 10;
  auto m = ParseMessage("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789abcdef", BodyRule::kUntilClose, limits);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->body, "0123456789");
  ASSERT_EQ(m->limits.size(), 1u);
  EXPECT_EQ(m->limits[0], "body>10 truncated");
  EXPECT_FALSE(m->body_complete);
  auto until_close = ParseMessage("HTTP/1.0 200 OK\r\n\r\n0123456789abcdef", BodyRule::kUntilClose, limits);
  EXPECT_EQ(until_close->body, "0123456789");
  EXPECT_EQ(until_close->limits.at(0), "body>10 truncated");
}

TEST(ParseMessage, HeaderCountAndLineLimits) {
  std::string raw = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 150; ++i) raw += "X-" + std::to_string(i) + ": v\r\n";
  raw += "Long: " + std::string(10000, 'a') + "\r\n\r\n";
  auto m = ParseMessage(raw, BodyRule::kUntilClose);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->headers.size(), 100u);
  EXPECT_TRUE(m->head_complete);
  ASSERT_EQ(m->limits.size(), 2u);
  EXPECT_EQ(m->limits[0], "header_line>8192");
  EXPECT_EQ(m->limits[1], "headers>100");
}

TEST(ParseMessage, RtspWithoutLengthHasNoBody) {
  auto m = ParseMessage("RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\ntrailing", BodyRule::kNoBody);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->body, "");
  EXPECT_TRUE(m->body_complete);
}

TEST(ParseMessage, NoBodyStatusesIgnoreRest) {
  auto m = ParseMessage("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", BodyRule::kUntilClose);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->body_complete);
}

// Feeds `bytes` one byte at a time; returns how many bytes were consumed when kComplete came
// (or npos if never).
size_t FrameAt(MessageFramer& framer, const std::string& bytes) {
  for (size_t n = 1; n <= bytes.size(); ++n) {
    if (framer.Feed(std::string_view(bytes).substr(0, n)) == Framing::kComplete) return n;
  }
  return std::string::npos;
}

TEST(MessageFramer, ContentLength) {
  MessageFramer f(BodyRule::kUntilClose);
  std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  EXPECT_EQ(FrameAt(f, reply + "zzz"), reply.size());
}

TEST(MessageFramer, ChunkedEndsAfterTrailers) {
  MessageFramer f(BodyRule::kUntilClose);
  std::string reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n";
  EXPECT_EQ(FrameAt(f, reply + "zzz"), reply.size());
}

TEST(MessageFramer, UntilCloseNeverCompletesEarly) {
  MessageFramer f(BodyRule::kUntilClose);
  EXPECT_EQ(FrameAt(f, "HTTP/1.0 200 OK\r\n\r\nsome body"), std::string::npos);
}

TEST(MessageFramer, RtspHeadOnly) {
  MessageFramer f(BodyRule::kNoBody);
  std::string reply = "RTSP/1.0 200 OK\nCSeq: 1\n\n";
  EXPECT_EQ(FrameAt(f, reply), reply.size());
}

TEST(MessageFramer, GarbageCompletesAtOnce) {
  MessageFramer f(BodyRule::kUntilClose);
  EXPECT_EQ(FrameAt(f, std::string("\0\0\0\x10\0\0\0\x1e", 8)), 1u);
  f.Reset();
  EXPECT_EQ(FrameAt(f, "SSH-2.0-OpenSSH\r\n"), 4u);  // "SSH-" can not start "<ALPHA>/"
}

TEST(MessageFramer, EndlessHeadersStopAtHeadLimit) {
  MessageLimits limits;
  limits.max_head_bytes = 1000;
  MessageFramer f(BodyRule::kUntilClose, limits);
  std::string reply = "HTTP/1.1 200 OK\r\n";
  while (reply.size() < 5000) reply += "X-Pad: 0123456789\r\n";
  size_t at = FrameAt(f, reply);
  ASSERT_NE(at, std::string::npos);
  EXPECT_LE(at, 1100u);
}

TEST(MessageFramer, HugeLengthStopsAtBodyLimit) {
  MessageLimits limits;
  limits.max_body = 100;
  MessageFramer f(BodyRule::kUntilClose, limits);
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n";
  EXPECT_EQ(FrameAt(f, head + std::string(500, 'x')), head.size() + 100);
}

TEST(MessageFramer, ShorterBufferRestarts) {
  MessageFramer f(BodyRule::kNoBody);
  EXPECT_EQ(f.Feed("RTSP/1.0 200 OK\r\n\r\n"), Framing::kComplete);
  EXPECT_EQ(f.Feed("RTSP/1.0"), Framing::kNeedMore);
}

}  // namespace
}  // namespace phaseout::probes::common
