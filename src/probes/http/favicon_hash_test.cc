// Known-answer tests for base64 (Python encodebytes layout), MurmurHash3_x86_32 and MD5.
#include "probes/http/favicon_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace phaseout::probes::http {
namespace {

std::string Range(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>(i);
  return s;
}

TEST(Base64EncodeLines, MatchesPythonEncodebytes) {
  // Expected values printed by Python 3: base64.encodebytes(...).
  EXPECT_EQ(Base64EncodeLines(""), "");
  EXPECT_EQ(Base64EncodeLines("hello"), "aGVsbG8=\n");
  EXPECT_EQ(Base64EncodeLines("a"), "YQ==\n");
  EXPECT_EQ(Base64EncodeLines(Range(100)),
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n"
            "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiYw==\n");
  // Exactly 57 bytes is exactly one full 76-character line.
  std::string line = Base64EncodeLines(std::string(57, 'x'));
  EXPECT_EQ(line.size(), 77u);
  EXPECT_EQ(line.back(), '\n');
}

TEST(MurmurHash3X86_32, ReferenceVectors) {
  // Published test vectors of the reference implementation (SMHasher) and mmh3's README.
  EXPECT_EQ(MurmurHash3X86_32("", 0), 0u);
  EXPECT_EQ(MurmurHash3X86_32("", 1), 0x514E28B7u);
  EXPECT_EQ(MurmurHash3X86_32("", 0xffffffffu), 0x81F16F39u);
  EXPECT_EQ(MurmurHash3X86_32(std::string(4, '\0'), 0), 0x2362F9DEu);
  EXPECT_EQ(MurmurHash3X86_32("aaaa", 0x9747b28cu), 0x5A97808Au);
  EXPECT_EQ(MurmurHash3X86_32("Hello, world!", 0x9747b28cu), 0x24884CBAu);
  EXPECT_EQ(MurmurHash3X86_32("The quick brown fox jumps over the lazy dog", 0x9747b28cu), 0x2FA826CDu);
  EXPECT_EQ(static_cast<int32_t>(MurmurHash3X86_32("foo", 0)), -156908512);  // mmh3.hash("foo")
}

TEST(ShodanFaviconHash, SignedHashOfWrappedBase64) {
  // Cross-checked with an independent Python implementation (mmh3 of base64.encodebytes).
  EXPECT_EQ(ShodanFaviconHash(Range(100)), "-1165240594");
  std::string ico = std::string("\0\0\1\0\1\0\x10\x10\0\0\1\0\x20\0", 14);
  for (int i = 0; i < 300; ++i) ico += static_cast<char>((i * 37 + 11) % 256);
  EXPECT_EQ(ShodanFaviconHash(ico), "-1792718736");
  EXPECT_EQ(Md5Hex(ico), "40b647f57f7222cfb310271a8a77ec24");
}

TEST(Md5Hex, Rfc1321Vectors) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace
}  // namespace phaseout::probes::http
