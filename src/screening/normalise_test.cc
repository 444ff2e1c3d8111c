// Tests for screening text normalisation: width, case, punctuation, legal forms, abbreviations,
// CJK legal names, pinyin spacing and hyphenation.
#include "screening/normalise.h"

#include <gtest/gtest.h>

#include "core/utf8.h"

namespace phaseout::screening {
namespace {

struct Case {
  const char* input;
  const char* expected;
};

TEST(NormaliseTest, NamesTable) {
  const Case cases[] = {
      {"Hangzhou Hikvision Digital Technology Co., Ltd.", "hangzhou hikvision digital technology"},
      {"HANGZHOU HIKVISION DIGITAL TECHNOLOGY COMPANY", "hangzhou hikvision digital technology"},
      {"Hikvision Digital Tech Co Ltd", "hikvision digital technology"},
      {"ZheJiang Dahua Technology CO.,LTD.", "zhejiang dahua technology"},
      {"ＨＩＫＶＩＳＩＯＮ　ＵＳＡ　Ｉｎｃ．", "hikvision usa"},  // full-width forms and ideographic space
      {"GUANGZHOU HAIGE COMM GRP", "guangzhou haige communication group"},
      {"Hytera Communications Corporation Limited", "hytera communication"},
      {"Société Générale SA", "societe generale"},
      {"Dahua Europe B.V.", "dahua europe b v"},
      {"ZTE Corporation", "zte"},
      {"Axis Communications AB", "axis communication ab"},
      {"Hikvision2MP", "hikvision 2 mp"},
      {"", ""},
      {"   ,,, ;;", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(NormaliseName(c.input), c.expected) << c.input;
}

TEST(NormaliseTest, CompactKeyJoinsHyphenAndSpacingVariants) {
  EXPECT_EQ(CompactKey("Hik-Vision"), "hikvision");
  EXPECT_EQ(CompactKey("HIK VISION"), "hikvision");
  EXPECT_EQ(CompactKey("HikVision"), "hikvision");
  EXPECT_EQ(CompactKey("Zhe Jiang"), CompactKey("ZheJiang"));
  EXPECT_EQ(CompactKey("Hik‐Vision"), "hikvision");  // U+2010 hyphen
}

TEST(NormaliseTest, CjkLegalFormsAndTraditionalCharacters) {
  TokenList t;
  Tokenise("杭州海康威视数字技术股份有限公司", &t);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0], "杭州海康威视数字技术");
  EXPECT_TRUE(t.ref(0).cjk);
  Tokenise("浙江大華技術股份有限公司", &t);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0], "浙江大华技术");
  Tokenise("海康威視 DS-2CD2143G2-I", &t);
  EXPECT_EQ(t[0], "海康威视");
  Tokenise("有限公司", &t);
  EXPECT_TRUE(t.empty());
}

TEST(NormaliseTest, TokensRecordSourceOffsetsAndClauses) {
  TokenList t;
  std::string text = "Remove Hikvision cameras; install Axis";
  Tokenise(text, &t);
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(text.substr(t.ref(1).src_begin, t.ref(1).src_end - t.ref(1).src_begin), "Hikvision");
  EXPECT_EQ(t.ref(0).clause, t.ref(2).clause);
  EXPECT_NE(t.ref(2).clause, t.ref(3).clause);
}

TEST(NormaliseTest, InvalidUtf8BecomesSeparatorNotCrash) {
  TokenList t;
  Tokenise(std::string("Hik\xff\xfevision"), &t);
  EXPECT_EQ(t.Joined(), "hik vision");
  EXPECT_FALSE(IsValidUtf8("a\xc3"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong
  EXPECT_TRUE(IsValidUtf8("海康威视 ok"));
}

TEST(NormaliseTest, ModelTokens) {
  std::vector<std::string> out;
  std::vector<uint32_t> offsets;
  ModelTokens("Hikvision DS-2CD2143G2-I 4MP dome, NVR: DHI-NVR4108HS-8P-4KS2.", &out, &offsets);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], "DS-2CD2143G2-I");
  EXPECT_EQ(offsets[0], 10u);
  EXPECT_EQ(out[1], "4MP");
  EXPECT_EQ(out[2], "DHI-NVR4108HS-8P-4KS2");
  ModelTokens("ｄｓ－２ｃｄ２１４３", &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "DS-2CD2143");
}

TEST(NormaliseTest, LegalFormAndAbbreviationHelpers) {
  EXPECT_TRUE(IsLegalFormWord("gmbh"));
  EXPECT_TRUE(IsLegalFormWord("llc"));
  EXPECT_FALSE(IsLegalFormWord("hikvision"));
  EXPECT_EQ(ExpandAbbreviation("intl"), "international");
  EXPECT_EQ(ExpandAbbreviation("grp"), "group");
  EXPECT_EQ(StripCjkLegalForm("华为技术有限公司"), "华为技术");
}

TEST(NormaliseTest, FoldedPluralOfAnAbbreviationIsExpandedOnce) {
  // Found by screening_normalise_fuzz: "techns" folded to "techn" without expanding it.
  EXPECT_EQ(NormaliseName("Acme Techns"), "acme technology");
  EXPECT_EQ(NormaliseName(NormaliseName("Acme Techns")), NormaliseName("Acme Techns"));
}

}  // namespace
}  // namespace phaseout::screening
