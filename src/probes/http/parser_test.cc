// Tests for the HTTP reply parser and content extractors.
#include "probes/http/parser.h"

#include <gtest/gtest.h>

namespace phaseout::probes::http {
namespace {

TEST(ExtractHtmlTitle, FindsAndTrims) {
  EXPECT_EQ(ExtractHtmlTitle("<html><head><TITLE>  WEB SERVICE \n</TITLE>"), "WEB SERVICE");
  EXPECT_EQ(ExtractHtmlTitle("<titlebar>x</titlebar><title lang=en>Login</title>"), "Login");
  EXPECT_EQ(ExtractHtmlTitle("<title></title>"), "");
  EXPECT_EQ(ExtractHtmlTitle("no title here"), "");
  EXPECT_EQ(ExtractHtmlTitle("<title>unterminated"), "unterminated");
  EXPECT_EQ(ExtractHtmlTitle("<title>" + std::string(5000, 'a')).size(), 1024u);
}

TEST(LooksLikeHtml, HeaderOrSniff) {
  auto typed = ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Type: TEXT/HTML; charset=utf-8\r\n\r\n");
  EXPECT_TRUE(LooksLikeHtml(*typed));
  auto bom = ParseHttpResponse("HTTP/1.0 200 OK\r\n\r\n\xEF\xBB\xBF\n<!doctype html><html>");
  EXPECT_TRUE(LooksLikeHtml(*bom));
  EXPECT_TRUE(HasUtf8Bom(bom->body));
  auto xml = ParseHttpResponse("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/xml\r\n\r\n<userCheck/>");
  EXPECT_FALSE(LooksLikeHtml(*xml));
  EXPECT_FALSE(HasUtf8Bom(xml->body));
}

TEST(XmlRootSchema, NameAndNamespace) {
  EXPECT_EQ(*XmlRootSchema("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<userCheck>\n<statusValue>401</statusValue>\n</userCheck>"),
            "userCheck");
  EXPECT_EQ(*XmlRootSchema("<DeviceInfo version=\"2.0\" xmlns=\"http://www.std-cgi.com/ver20/XMLSchema\"><model>x</model></DeviceInfo>"),
            "DeviceInfo http://www.std-cgi.com/ver20/XMLSchema");
  EXPECT_EQ(*XmlRootSchema("\xEF\xBB\xBF<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"/>"),
            "s:Envelope http://www.w3.org/2003/05/soap-envelope");
  EXPECT_FALSE(XmlRootSchema("<html><body>unclosed").has_value());
  EXPECT_FALSE(XmlRootSchema("").has_value());
  EXPECT_FALSE(XmlRootSchema("plain text").has_value());
}

TEST(XmlRootSchema, DeepNestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 20000; ++i) deep += "<a>";
  // Not well-formed (never closed) and deeply nested: must fail cleanly, not crash.
  EXPECT_FALSE(XmlRootSchema(deep).has_value());
}

}  // namespace
}  // namespace phaseout::probes::http
