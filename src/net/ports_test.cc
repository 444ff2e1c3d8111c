// Tests for --ports parsing, the default port set and the printer-port guard.
#include "net/ports.h"

#include <gtest/gtest.h>

namespace phaseout::net {
namespace {

TEST(PortsTest, Parses) {
  auto r = ParsePorts("8080, 80,443,8000-8003,80");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->ports, (std::vector<uint16_t>{80, 443, 8000, 8001, 8002, 8003, 8080}));
  EXPECT_TRUE(r->warnings.empty());
  auto all = ParsePorts("1-65535", true);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->ports.size(), 65535u);
}

TEST(PortsTest, DefaultsCoverDeviceServices) {
  EXPECT_EQ(DefaultPorts(), (std::vector<uint16_t>{22, 80, 443, 554, 7547, 8000, 8080, 8443, 37777}));
  for (uint16_t p : DefaultPorts()) EXPECT_FALSE(IsPrinterPort(p));
}

TEST(PortsTest, PrinterPortsNeedPermission) {
  auto r = ParsePorts("80,9100-9110");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->ports, (std::vector<uint16_t>{80, 9108, 9109, 9110}));
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("9100,9101,9102,9103,9104,9105,9106,9107"), std::string::npos);
  auto allowed = ParsePorts("9100", true);
  ASSERT_TRUE(allowed.has_value());
  EXPECT_EQ(allowed->ports, (std::vector<uint16_t>{9100}));
  auto only = ParsePorts("9100");
  ASSERT_FALSE(only.has_value());
  EXPECT_NE(only.error().message.find("printer ports 9100"), std::string::npos);
}

TEST(PortsTest, BadInputIsNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty list"},
      {"0", "outside 1-65535"},
      {"65536", "outside 1-65535"},
      {"http", "\"http\" is not a port number"},
      {"80,,443", "is not a port number"},
      {"90-80", "ends below its start"},
      {"80-", "is not a port number"},
      {"123456", "is not a port number"},
  };
  for (const auto& [text, part] : cases) {
    auto r = ParsePorts(text);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace phaseout::net
