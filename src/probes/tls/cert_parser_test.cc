// Tests for the certificate parser with certificates generated in the test.
#include "probes/tls/cert_parser.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "core/strings.h"
#include "probes/testing/test_cert.h"

namespace phaseout::probes::tls {
namespace {

using testing::MakeTestCertDer;
using testing::TestCertSpec;

// The Hikvision DVR/NVR default subject from rapid7/recog xml/x509_subjects.xml,
// encoded in the usual C..CN order.
const std::vector<std::pair<std::string, std::string>> kHikvisionDvr = {
    {"C", "CN"}, {"ST", "ZheJiang"}, {"L", "HangZhou"}, {"O", "HIKVISION"}, {"OU", "DVRNVR"}, {"CN", "www.hikvision.com"}};

TEST(ParseCertificateDer, SelfSignedHikvisionDefault) {
  TestCertSpec spec;
  spec.subject = kHikvisionDvr;
  spec.san = "DNS:www.hikvision.com,IP:127.0.0.1,IP:::1";
  std::string der = MakeTestCertDer(spec);
  ASSERT_FALSE(der.empty());
  auto info = ParseCertificateDer(der);
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->subject, "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN");
  EXPECT_EQ(info->issuer, info->subject);
  EXPECT_TRUE(info->self_signed);
  EXPECT_EQ(info->not_before, "2019-12-17T00:00:00Z");
  EXPECT_EQ(info->not_after, "2037-12-31T00:00:00Z");
  ASSERT_EQ(info->san.size(), 3u);
  EXPECT_EQ(info->san[0], "www.hikvision.com");
  EXPECT_EQ(info->san[1], "127.0.0.1");
  EXPECT_EQ(info->san[2], "::1");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(der.data(), der.size(), digest, &len, EVP_sha256(), nullptr);
  EXPECT_EQ(info->sha256, HexEncode(std::string_view(reinterpret_cast<char*>(digest), len)));
  EXPECT_EQ(info->sha256.size(), 64u);
}

TEST(ParseCertificateDer, IssuedByCaIsNotSelfSigned) {
  // Dahua's documented shape (Zeek ssl.log examples in public repositories, unverified): CN encoded first, so it prints last.
  TestCertSpec spec;
  spec.subject = {{"CN", "127.0.0.1"}, {"C", "CN"}, {"ST", "ZHEJIANG"}, {"L", "HANGZHOU"}, {"O", "DAHUA"}, {"OU", "DAHUATECH"}};
  spec.issuer = {{"CN", "Product Root CA"}, {"C", "CN"}, {"ST", "ZheJiang"}, {"L", "HangZhou"}, {"O", "DahuaTech"}};
  auto info = ParseCertificateDer(MakeTestCertDer(spec));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->subject, "OU=DAHUATECH,O=DAHUA,L=HANGZHOU,ST=ZHEJIANG,C=CN,CN=127.0.0.1");
  EXPECT_EQ(info->issuer, "O=DahuaTech,L=HangZhou,ST=ZheJiang,C=CN,CN=Product Root CA");
  EXPECT_FALSE(info->self_signed);
  EXPECT_TRUE(info->san.empty());
}

TEST(ParseCertificateDer, SameNameButForeignSignatureIsNotSelfSigned) {
  TestCertSpec spec;
  spec.subject = kHikvisionDvr;
  spec.sign_with_other_key = true;
  auto info = ParseCertificateDer(MakeTestCertDer(spec));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->subject, info->issuer);
  EXPECT_FALSE(info->self_signed);
}

TEST(ParseCertificateDer, EscapesSpecialAndNonAscii) {
  TestCertSpec spec;
  spec.subject = {{"O", "A, B"}, {"CN", "caf\xC3\xA9"}};
  auto info = ParseCertificateDer(MakeTestCertDer(spec));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->subject, "CN=caf\\C3\\A9,O=A\\, B");
}

TEST(ParseCertificateDer, RejectsGarbage) {
  EXPECT_FALSE(ParseCertificateDer("").has_value());
  EXPECT_FALSE(ParseCertificateDer("not a certificate").has_value());
  std::string der = MakeTestCertDer({.subject = kHikvisionDvr});
  EXPECT_FALSE(ParseCertificateDer(std::string_view(der).substr(0, der.size() / 2)).has_value());
  auto big = ParseCertificateDer(std::string(70000, '\x30'));
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code, ErrorCode::kLimit);
}

}  // namespace
}  // namespace phaseout::probes::tls
