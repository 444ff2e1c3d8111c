// Tests for the project's one JSON string writer: escapes, UTF-8 kept, invalid bytes written as
// the sanitiser writes them, and the output parsed back by an independent JSON parser.
#include "core/json_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "core/utf8.h"

namespace phaseout {
namespace {

TEST(JsonTextTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString(""), "\"\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
  EXPECT_EQ(JsonString(std::string("\x01\x1f\0", 3)), "\"\\u0001\\u001f\\u0000\"");
  EXPECT_EQ(JsonString("\b\f\x7f"), "\"\\b\\f\x7f\"");  // short forms as nlohmann writes; DEL kept
}

TEST(JsonTextTest, KeepsUtf8AndWritesInvalidBytesAsTheSanitiserDoes) {
  EXPECT_EQ(JsonString("海康威视"), "\"海康威视\"");
  EXPECT_EQ(JsonString("Cam\xE9ra"), "\"Cam\\\\xe9ra\"");
  EXPECT_EQ(JsonString("\xED\xA0\x80"), "\"\\\\xed\\\\xa0\\\\x80\"");  // surrogate: not copied
  EXPECT_EQ(JsonString("\xC0\xAF"), "\"\\\\xc0\\\\xaf\"");              // overlong '/'
}

TEST(JsonTextTest, ParsesBackToTheSanitisedText) {
  const std::string cases[] = {"eight by eight bytes of ascii text",
                               "mixed \"quotes\" and \\ in a longer run of text",
                               std::string("nul\0inside", 10), "Cam\xE9ra \xF4\x90\x80\x80 end",
                               "海康 \xE6\x9D cut", "\xF0\x9F\x93\xB7 camera"};
  for (const std::string& s : cases) {
    auto j = nlohmann::json::parse(JsonString(s), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << JsonString(s);
    EXPECT_EQ(j.get<std::string>(), SanitizeUtf8(s));
  }
}

}  // namespace
}  // namespace phaseout
