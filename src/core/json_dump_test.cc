// Tests for the project's one JSON document writer: byte-identical to nlohmann's dump for valid
// documents (compact and indented), invalid UTF-8 written as the sanitiser writes it where
// nlohmann throws, numbers exact or round-trip, keys in the DOM's order.
#include "core/json_dump.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/utf8.h"

namespace phaseout {
namespace {

using nlohmann::json;

json Rich() {
  return json{{"name", "海康威视 DS-2CD2143G2-I"},
              {"quote", "a\"b\\c/d"},
              {"controls", std::string("\b\f\n\r\t\x01\x1f\x7f", 8)},
              {"ints", {0, -1, 42, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}},
              {"unsigned", std::numeric_limits<uint64_t>::max()},
              {"doubles", {0.1, 1.0, -2.5, 1e100, 1e-5, 123456789.125, 5e-324, 1.7976931348623157e308}},
              {"flags", {true, false, nullptr}},
              {"empty", {{"object", json::object()}, {"array", json::array()}, {"string", ""}}},
              {"nested", {json::array(), json::object(), {json::array(), {{"k", json::array()}}}}}};
}

TEST(JsonDumpTest, CompactIsNlohmannDumpForValidDocuments) {
  json j = Rich();
  EXPECT_EQ(DumpJson(j), j.dump());
  EXPECT_EQ(DumpJson(json::object()), "{}");
  EXPECT_EQ(DumpJson(json::array()), "[]");
  EXPECT_EQ(DumpJson(json()), "null");
  EXPECT_EQ(DumpJson(json{{"a", 1}, {"b", {1, 2}}}), "{\"a\":1,\"b\":[1,2]}");
}

TEST(JsonDumpTest, IndentedIsNlohmannDumpForValidDocuments) {
  json j = Rich();
  for (int indent : {0, 1, 2, 4}) EXPECT_EQ(DumpJson(j, indent), j.dump(indent)) << indent;
  EXPECT_EQ(DumpJson(json{{"a", json::object()}, {"b", {1}}}, 2), "{\n  \"a\": {},\n  \"b\": [\n    1\n  ]\n}");
}

TEST(JsonDumpTest, ControlCharactersUseTheShortEscapes) {
  EXPECT_EQ(DumpJson(json(std::string("\b\f\n\r\t\x01\x1f\x7f", 8))), "\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"");
  EXPECT_EQ(DumpJson(json(std::string("a\0b", 3))), "\"a\\u0000b\"");
}

TEST(JsonDumpTest, InvalidUtf8IsWrittenAsTheSanitiserWritesItAndNeverThrows) {
  const std::string bad = "Cam\xE9ra \xED\xA0\x80 \xC0\xAF end\xE6\x9D";
  json j = {{bad, bad}, {"list", {bad, "ok"}}};
  EXPECT_THROW((void)j.dump(), json::type_error);  // what the call sites risked before
  std::string out;
  EXPECT_NO_THROW(out = DumpJson(j));
  EXPECT_TRUE(IsValidUtf8(out));
  EXPECT_NE(out.find("Cam\\\\xe9ra"), std::string::npos) << out;
  auto back = json::parse(out, nullptr, false);
  ASSERT_FALSE(back.is_discarded()) << out;
  const std::string clean = SanitizeUtf8(bad);
  EXPECT_EQ(back.at(clean).get<std::string>(), clean);
  EXPECT_EQ(back.at("list").at(0).get<std::string>(), clean);
  // The indented form parses back to the same document.
  EXPECT_EQ(json::parse(DumpJson(j, 2)), back);
}

TEST(JsonDumpTest, IntegersAreExact) {
  EXPECT_EQ(DumpJson(json(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(DumpJson(json(std::numeric_limits<int64_t>::max())), "9223372036854775807");
  EXPECT_EQ(DumpJson(json(std::numeric_limits<uint64_t>::max())), "18446744073709551615");
  EXPECT_EQ(DumpJson(json(-0)), "0");
}

TEST(JsonDumpTest, DoublesRoundTripAndMatchNlohmann) {
  const std::vector<double> values = {0.0, 0.1, 0.3, 1.0, 100.0, 1e15, 1e16, 1e17, 1e21, 1e-4, 1e-5, 2.5e-7,
                                      1.0 / 3.0, 123456789012345680000.0, 5e-324, 2.2250738585072014e-308,
                                      1.7976931348623157e308, -1.5, 4.35, 0.1 + 0.2};
  for (double v : values) {
    json j(v);
    std::string s = DumpJson(j);
    EXPECT_EQ(s, j.dump()) << v;
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
  EXPECT_EQ(DumpJson(json(1.0)), "1.0");
  EXPECT_EQ(DumpJson(json(1e100)), "1e+100");
  EXPECT_EQ(DumpJson(json(1e-5)), "1e-05");
}

TEST(JsonDumpTest, NegativeZeroNanAndInfinity) {
  EXPECT_EQ(DumpJson(json(-0.0)), "-0.0");
  EXPECT_EQ(DumpJson(json(std::nan(""))), "null");
  EXPECT_EQ(DumpJson(json(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(DumpJson(json(-std::numeric_limits<double>::infinity())), "null");
  json j = {{"x", std::nan("")}, {"y", {-0.0, std::numeric_limits<double>::infinity()}}};
  EXPECT_EQ(DumpJson(j), j.dump());
  EXPECT_EQ(DumpJson(j), "{\"x\":null,\"y\":[-0.0,null]}");
}

TEST(JsonDumpTest, KeysInTheDomOrder) {
  json sorted;
  sorted["b"] = 1;
  sorted["a"] = 2;
  EXPECT_EQ(DumpJson(sorted), "{\"a\":2,\"b\":1}");
  nlohmann::ordered_json inserted;
  inserted["b"] = 1;
  inserted["a"] = {{"z", 1}, {"y", 2}};
  EXPECT_EQ(DumpJson(inserted), "{\"b\":1,\"a\":{\"z\":1,\"y\":2}}");
  EXPECT_EQ(DumpJson(inserted, 2), inserted.dump(2));
}

TEST(JsonDumpTest, BinaryAndAppend) {
  json bin = json::binary({1, 2, 255});
  EXPECT_EQ(DumpJson(bin), bin.dump());
  EXPECT_EQ(DumpJson(bin, 2), bin.dump(2));
  json sub = json::binary({7}, 42);
  EXPECT_EQ(DumpJson(sub), sub.dump());
  json none = json::binary({});
  EXPECT_EQ(DumpJson(none), none.dump());
  std::string out = "prefix ";
  AppendJson(json{{"k", "v"}}, &out);
  EXPECT_EQ(out, "prefix {\"k\":\"v\"}");
}

}  // namespace
}  // namespace phaseout
