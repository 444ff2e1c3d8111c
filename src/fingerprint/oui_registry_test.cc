#include "fingerprint/oui_registry.h"

#include <gtest/gtest.h>

namespace phaseout::fingerprint {
namespace {

constexpr char kCsv[] =
    "Registry,Assignment,Organization Name,Organization Address\n"
    "MA-L,4447CC,\"Hangzhou Hikvision Digital Technology Co.,Ltd.\",No.555 Qianmo Road\n"
    "MA-L,3CEF8C,Zhejiang Dahua Technology Co.，Ltd.,Hangzhou\r\n"
    "MA-M,B0B3536,Hangzhou Hikrobot Technology Co.，Ltd.,x\n"
    "MA-S,70B3D5F2F,TELEPLATFORMS,\"Polbina st., 3/1 Moscow\"\n"
    "MA-L,C404D8,Aviva Links Inc.,\"160 E Tasman Dr\nSTE 102 SAN JOSE CA US 95134 \"\r\n"
    "MA-L,E0CA3C,\"Hangzhou Hikvision Digital Technology Co.,Ltd.\",No.555\r\n";

TEST(OuiRegistryTest, LooksUpMostSpecificBlock) {
  OuiRegistry reg;
  ASSERT_TRUE(reg.AddCsv(kCsv, "test.csv").ok());
  EXPECT_EQ(reg.Lookup("44:47:cc:01:02:03"), "Hangzhou Hikvision Digital Technology Co.,Ltd.");
  EXPECT_EQ(reg.Lookup("3C-EF-8C-61-01-C0"), "Zhejiang Dahua Technology Co.，Ltd.");
  EXPECT_EQ(reg.Lookup("b0b353 6a0000"), "");  // space is not a separator: malformed
  EXPECT_EQ(reg.Lookup("b0:b3:53:6a:00:00"), "Hangzhou Hikrobot Technology Co.，Ltd.");
  EXPECT_EQ(reg.Lookup("b0:b3:53:7a:00:00"), "");
  EXPECT_EQ(reg.Lookup("70:b3:d5:f2:ff:00"), "TELEPLATFORMS");
  EXPECT_EQ(reg.Lookup("zz:zz"), "");
  EXPECT_EQ(reg.Lookup("c4:04:d8:00:00:01"), "Aviva Links Inc.");
  // The record after a quoted line break still parses (as in the real oui.csv).
  EXPECT_EQ(reg.Lookup("e0:ca:3c:00:00:01"), "Hangzhou Hikvision Digital Technology Co.,Ltd.");
  EXPECT_EQ(reg.size(), 6u);
}

TEST(OuiRegistryTest, ReportsBadLinesWithLineNumber) {
  OuiRegistry reg;
  Status st = reg.AddCsv("Registry,Assignment,Organization Name\nMA-L,XYZ123,Foo\n", "bad.csv");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "bad.csv:2: bad assignment 'XYZ123'");
}

TEST(OuiRegistryTest, LoadsDebianRegistryWhenInstalled) {
  auto reg = OuiRegistry::Load();
  if (!reg) GTEST_SKIP() << reg.error().message;
  EXPECT_GT(reg->size(), 30000u);
  EXPECT_NE(reg->Lookup("44:47:cc:00:00:01").find("Hikvision"), std::string::npos);
}

}  // namespace
}  // namespace phaseout::fingerprint
