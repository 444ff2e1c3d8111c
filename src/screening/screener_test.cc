// Screener tests against the shipped data (data/vendors.yaml, data/policies, data/screening):
// names and variants, short/generic tokens inside other words, context rules, dated
// ownership, model patterns, imported list entries and property checks.
#include "screening/screener.h"

#include <gtest/gtest.h>

#include "screening/screening_context.h"

namespace phaseout::screening {
namespace {

using model::VerdictStatus;

class ScreenerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = ScreeningContext::Load(PHASEOUT_SOURCE_DATA_DIR);
    ASSERT_TRUE(c.has_value()) << c.error().message;
    ctx_ = new ScreeningContext(std::move(*c));
    std::vector<ListEntity> lists;
    ListEntity e;
    e.id = "x1";
    e.name = "ACME TELECOM TRADING LLC";
    e.aliases = {"ACME TRADING FZE"};
    e.list = "sdn";
    e.policy = "us-ndaa-889";
    e.source = "Specially Designated Nationals (SDN) - Treasury Department";
    lists.push_back(e);
    auto sel = ctx_->policies->Select({"us-ndaa-889", "ca-federal-2025"});
    ASSERT_TRUE(sel.has_value());
    auto s = Screener::Create(*ctx_->policies, *sel, ctx_->data, lists);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    screener_ = s->release();
  }
  static void TearDownTestSuite() {
    delete screener_;
    delete ctx_;
  }

  // Screens one line; returns the status for `policy` ("us-ndaa-889" = index 0).
  VerdictStatus Status(CatalogueLine line, size_t policy = 0, ScreenOptions options = {}) {
    screener_->Screen(line, options, &result_);
    EXPECT_EQ(result_.verdicts.size(), 2u);
    return result_.verdicts[policy].status;
  }
  static CatalogueLine Desc(const std::string& description) {
    CatalogueLine l;
    l.get(Field::kDescription) = description;
    return l;
  }
  static CatalogueLine Mfr(const std::string& manufacturer, const std::string& description = "") {
    CatalogueLine l;
    l.get(Field::kManufacturer) = manufacturer;
    l.get(Field::kDescription) = description;
    return l;
  }

  static ScreeningContext* ctx_;
  static Screener* screener_;
  ScreenResult result_;
};
ScreeningContext* ScreenerTest::ctx_ = nullptr;
Screener* ScreenerTest::screener_ = nullptr;

TEST_F(ScreenerTest, LegalNamesAliasesAndVariantsAreProhibitedUnder889) {
  const char* positives[] = {
      "Hangzhou Hikvision Digital Technology Co., Ltd.",
      "HANGZHOU HIKVISION DIGITAL TECHNOLOGY COMPANY",
      "Hikvision Digital Tech Co Ltd",
      "HIK VISION",
      "Hik-Vision",
      "海康威视",
      "杭州海康威视数字技术股份有限公司",
      "海康威視",
      "Hikvision USA Inc",
      "Zhejiang Dahua Technology Co., Ltd.",
      "ZheJiang Dahua Technology CO.,LTD.",
      "Zhe Jiang Da Hua Technology",
      "浙江大华技术股份有限公司",
      "Huawei Technologies Co., Ltd.",
      "华为技术有限公司",
      "ZTE Corporation",
      "中兴通讯股份有限公司",
      "Hytera Communications Corporation Limited",
      "ＨＩＫＶＩＳＩＯＮ",
  };
  for (const char* p : positives) {
    EXPECT_EQ(Status(Mfr(p)), VerdictStatus::kProhibited) << p << "\n" << result_.verdicts[0].reason;
  }
  EXPECT_EQ(Status(Desc("ZTE MF920U 4G mobile hotspot")), VerdictStatus::kProhibited);
  EXPECT_EQ(Status(Desc("Huawei AR1220 router")), VerdictStatus::kProhibited);
}

TEST_F(ScreenerTest, ShortAndGenericTokensNeverMatchInsideOtherWords) {
  const char* negatives[] = {
      "Hikari LED panel light",       "Hikoki cordless drill 18V", "Hankvision PoE switch",
      "Zetec engine gasket",          "Aztec conference table",    "ZTEK USB-C hub",
      "Dahuang Foods Co., Ltd.",      "Huaxin Cement",             "Huawen Trading Co",
      "Vision Technology Co., Ltd.",  "Digital Technology Co., Ltd.",
      "Hangzhou Robam Technology Co., Ltd.",
      "Honor Guard Security LLC patrol services",
      "Hikers backpack 40L",          "Dahlia flower arrangement",
  };
  for (const char* n : negatives) {
    EXPECT_EQ(Status(Desc(n)), VerdictStatus::kClear) << n << "\n" << result_.verdicts[0].reason;
    EXPECT_NE(Status(Mfr(n)), VerdictStatus::kProhibited) << n << "\n" << result_.verdicts[0].reason;
  }
  EXPECT_NE(Status(Mfr("Honor Guard Security LLC")), VerdictStatus::kProhibited);
}

TEST_F(ScreenerTest, FuzzyTypoOfLongNameIsOnlyReview) {
  EXPECT_EQ(Status(Mfr("Hikvison")), VerdictStatus::kReview) << result_.verdicts[0].reason;
  EXPECT_EQ(Status(Desc("Hikvsion 4MP camera")), VerdictStatus::kReview);
}

TEST_F(ScreenerTest, BrandsAndGroupMembersFollowThePolicy) {
  // EZVIZ and HiLook are Hikvision-group brands: prohibited under 889, review in Canada.
  EXPECT_EQ(Status(Mfr("EZVIZ")), VerdictStatus::kProhibited);
  EXPECT_EQ(Status(Mfr("EZVIZ"), 1), VerdictStatus::kReview);
  EXPECT_EQ(Status(Mfr("HILOOK BY HIKVISION")), VerdictStatus::kProhibited);
  EXPECT_EQ(Status(Mfr("HILOOK BY HIKVISION"), 1), VerdictStatus::kReview);
  EXPECT_EQ(Status(Mfr("Hikvision")), VerdictStatus::kProhibited);
  EXPECT_EQ(Status(Mfr("Hikvision"), 1), VerdictStatus::kProhibited);
  EXPECT_EQ(Status(Mfr("Dahua"), 1), VerdictStatus::kClear);
}

TEST_F(ScreenerTest, OemLabelIsReviewAndVerifiedModelColumnDecidesTheMaker) {
  EXPECT_EQ(Status(Mfr("LTS")), VerdictStatus::kReview) << result_.verdicts[0].reason;
  // A relabeler with a weak tie is review with the source of the tie.
  EXPECT_NE(result_.verdicts[0].reason.find("tie to hikvision"), std::string::npos) << result_.verdicts[0].reason;
  EXPECT_NE(result_.verdicts[0].reason.find("source: "), std::string::npos) << result_.verdicts[0].reason;
  EXPECT_EQ(Status(Mfr("Amcrest")), VerdictStatus::kReview);
  // A verified Hikvision stem in the model column decides the maker under any label (OEM case).
  CatalogueLine l;
  l.get(Field::kModel) = "DS-2CD2143G2-I";
  EXPECT_EQ(Status(l), VerdictStatus::kProhibited) << result_.verdicts[0].reason;
  ASSERT_FALSE(result_.verdicts[0].matches.empty());
  EXPECT_EQ(result_.verdicts[0].matches[0].kind, MatchKind::kModelPattern);
  l.get(Field::kManufacturer) = "Acme Vision";
  EXPECT_EQ(Status(l), VerdictStatus::kProhibited) << result_.verdicts[0].reason;
  l.get(Field::kManufacturer).clear();
  l.get(Field::kModel) = "DS-18B20";  // a temperature sensor, not a Hikvision model
  EXPECT_EQ(Status(l), VerdictStatus::kClear);
  l.get(Field::kModel) = "DHI-NVR4108HS-8P-4KS2";
  EXPECT_EQ(Status(l), VerdictStatus::kProhibited);
  l.get(Field::kModel) = "XVR5108HS-I3";  // unverified stem: review
  EXPECT_EQ(Status(l), VerdictStatus::kReview);
  // In free text a model stem stays a weak signal.
  EXPECT_EQ(Status(Desc("camera DS-2CD2143G2-I")), VerdictStatus::kReview);
}

TEST_F(ScreenerTest, RolesDecideWhatTheNameMeans) {
  // Made by, even when it replaces another maker's item or the same maker's old unit.
  EXPECT_EQ(Status(Desc("Hikvision turret camera to replace a broken Axis unit")), VerdictStatus::kProhibited)
      << result_.verdicts[0].reason;
  EXPECT_EQ(Status(Desc("Swap out old Dahua recorder; replace with new Dahua XVR")), VerdictStatus::kProhibited);
  // Replaced, migrated from, traded in: clear, the mention reported with its role.
  EXPECT_EQ(Status(Desc("Axis dome camera replacing a Hikvision dome in the lobby")), VerdictStatus::kClear)
      << result_.verdicts[0].reason;
  ASSERT_FALSE(result_.verdicts[0].matches.empty());
  EXPECT_EQ(result_.verdicts[0].matches[0].context, MatchContext::kReplaced);
  EXPECT_EQ(Status(Desc("Migrating from Huawei core routers to Juniper MX")), VerdictStatus::kClear);
  EXPECT_EQ(Status(Desc("Trade-in credit for ZTE handsets")), VerdictStatus::kClear);
  // The manufacturer column is the item bought when the description only names what it replaces.
  EXPECT_EQ(Status(Mfr("Hikvision", "Dome camera, replaces an Axis unit")), VerdictStatus::kProhibited)
      << result_.verdicts[0].reason;
  // Topic of a service: clear.
  EXPECT_EQ(Status(Desc("Seminar fee: detecting Dahua recorders on campus networks")), VerdictStatus::kClear)
      << result_.verdicts[0].reason;
  EXPECT_EQ(result_.verdicts[0].matches.at(0).context, MatchContext::kTopic);
  CatalogueLine coded = Desc("Hytera radio fleet review");
  coded.get(Field::kUnspsc) = "80121704";  // legal services segment
  EXPECT_EQ(Status(coded), VerdictStatus::kClear) << result_.verdicts[0].reason;
  // Service on covered equipment still in use: review.
  EXPECT_EQ(Status(Desc("Yearly maintenance visit, Hikvision recorders in Block C")), VerdictStatus::kReview)
      << result_.verdicts[0].reason;
  EXPECT_EQ(Status(Desc("Dahua XVR firmware update service")), VerdictStatus::kReview);
  // ... but a warranty bundled with the goods does not make the line a service.
  EXPECT_EQ(Status(Desc("Hikvision bullet camera with 3-year warranty")), VerdictStatus::kProhibited);
}

TEST_F(ScreenerTest, SellerPersonAndBusinessNames) {
  // Seller only: review when the maker is unknown, clear when a non-covered maker is named.
  CatalogueLine l = Desc("Fibre patch panel 24 port");
  l.get(Field::kSupplier) = "Huawei Spares Warehouse";
  EXPECT_EQ(Status(l), VerdictStatus::kReview) << result_.verdicts[0].reason;
  EXPECT_EQ(result_.verdicts[0].matches.at(0).context, MatchContext::kSeller);
  l.get(Field::kManufacturer) = "Corning";
  EXPECT_EQ(Status(l), VerdictStatus::kClear) << result_.verdicts[0].reason;
  l.get(Field::kManufacturer) = "Generic";  // a placeholder does not name a maker
  EXPECT_EQ(Status(l), VerdictStatus::kReview);
  // Given names and unrelated businesses.
  EXPECT_EQ(Status(Desc("Honorarium for guest lecturer Dr. Zhou Dahua")), VerdictStatus::kClear)
      << result_.verdicts[0].reason;
  CatalogueLine r = Desc("Team dinner");
  r.get(Field::kSupplier) = "Huawei Cafe and Bakery";
  EXPECT_EQ(Status(r), VerdictStatus::kClear) << result_.verdicts[0].reason;
  // A product word next to the name keeps it a maker.
  EXPECT_EQ(Status(Desc("Dahua camera for Mr Wang's office")), VerdictStatus::kProhibited);
}

TEST_F(ScreenerTest, RomanisedGivenNamesCountOnlyInStructuredFieldsOrNextToProductWords) {
  // Separate syllables in free text read as a person's name (no surname or title needed).
  EXPECT_EQ(Status(Desc("Conference registration for Hua Wei, PhD candidate")), VerdictStatus::kClear)
      << result_.verdicts[0].reason;
  EXPECT_EQ(result_.verdicts[0].matches.at(0).context, MatchContext::kPersonOrBusiness);
  EXPECT_EQ(Status(Desc("Taxi fares reimbursed to Da Hua (visiting scholar)")), VerdictStatus::kClear)
      << result_.verdicts[0].reason;
  EXPECT_EQ(Status(Desc("Poster printing, author HUA-WEI")), VerdictStatus::kClear) << result_.verdicts[0].reason;
  // Next to a product word the syllables still name the maker.
  EXPECT_NE(Status(Desc("Hua Wei 4G router with SIM slot")), VerdictStatus::kClear);
  EXPECT_NE(Status(Desc("HUA-WEI smartphone 128GB")), VerdictStatus::kClear);
  // In a structured column they count.
  EXPECT_NE(Status(Mfr("Hua Wei", "Enterprise switch 24 port")), VerdictStatus::kClear);
  // The one-word company name in free text is still the maker without a person cue.
  EXPECT_EQ(Status(Desc("Huawei OceanStor 5310 storage array")), VerdictStatus::kProhibited);
}

TEST_F(ScreenerTest, MisspellingsOfSixLetterNamesAreReviewGuardedWordsAreNot) {
  EXPECT_EQ(Status(Desc("Huawie 4G router")), VerdictStatus::kReview) << result_.verdicts[0].reason;
  EXPECT_EQ(Status(Desc("Hyterra handheld radio")), VerdictStatus::kReview);
  EXPECT_EQ(Status(Desc("Huawen trading cards")), VerdictStatus::kClear) << result_.verdicts[0].reason;
}

TEST_F(ScreenerTest, RemovalIsNotAPurchase) {
  EXPECT_EQ(Status(Desc("Removal and disposal of existing Hikvision cameras")), VerdictStatus::kClear)
      << result_.verdicts[0].reason;
  EXPECT_EQ(result_.verdicts[0].matches.at(0).context, MatchContext::kRemoval);
  EXPECT_EQ(Status(Desc("Decommission Dahua NVR and haul away")), VerdictStatus::kClear);
  EXPECT_EQ(Status(Desc("Hikvision camera removal, Building 4")), VerdictStatus::kClear);
  EXPECT_EQ(Status(Desc("Rip and replace Huawei base station equipment with new Nokia units")), VerdictStatus::kClear);
  // Buying the replacement is still a purchase.
  EXPECT_EQ(Status(Desc("Remove old Axis cameras and install new Hikvision DS-2CD2143G2-I")),
            VerdictStatus::kProhibited);
  EXPECT_EQ(Status(Desc("Replace failed camera with new Hikvision DS-2CD2143G2-I")), VerdictStatus::kProhibited);
  // A removal service line whose manufacturer column names the removed equipment.
  EXPECT_EQ(Status(Mfr("Hikvision", "De-installation and recycling of legacy cameras")), VerdictStatus::kClear);
  // Supplier is not neutralised by removal context: the seller role stays (review, maker unknown).
  CatalogueLine l = Desc("Removal of old cameras");
  l.get(Field::kSupplier) = "Hikvision USA Inc.";
  EXPECT_EQ(Status(l), VerdictStatus::kReview) << result_.verdicts[0].reason;
}

TEST_F(ScreenerTest, AccessoryAndNegatedMentions) {
  EXPECT_EQ(Status(Desc("Wall mount bracket compatible with Hikvision dome cameras")), VerdictStatus::kReview);
  EXPECT_EQ(Status(Desc("12V power supply for Dahua cameras")), VerdictStatus::kReview);
  EXPECT_EQ(Status(Desc("Hikvision-compatible junction box")), VerdictStatus::kReview);
  EXPECT_EQ(Status(Desc("NDAA compliant camera, no Hikvision, Dahua or Huawei components")), VerdictStatus::kClear)
      << result_.verdicts[0].reason;
  EXPECT_EQ(Status(Desc("Non-Hikvision IP camera")), VerdictStatus::kClear);
  // The model number belongs to the negated mention ("alternative to Hikvision DS-2CD...").
  EXPECT_EQ(Status(Desc("Alternative to Hikvision DS-2CD2143G2-I, made by Axis")), VerdictStatus::kClear);
  // A direct mention next to an accessory mention still decides.
  EXPECT_EQ(Status(Desc("Hikvision NVR with cables for Hikvision cameras")), VerdictStatus::kProhibited);
}

TEST_F(ScreenerTest, DatedOwnershipOfLorex) {
  CatalogueLine l;
  l.get(Field::kBrand) = "Lorex";
  l.get(Field::kDate) = "2019-05-01";
  EXPECT_EQ(Status(l), VerdictStatus::kProhibited) << result_.verdicts[0].reason;
  l.get(Field::kDate) = "2024-05-01";
  EXPECT_EQ(Status(l), VerdictStatus::kClear) << result_.verdicts[0].reason;
  l.get(Field::kDate) = "";
  EXPECT_EQ(Status(l), VerdictStatus::kReview) << result_.verdicts[0].reason;
  ScreenOptions o;
  o.as_of = *policy::CivilDate::Parse("2020-01-01");
  EXPECT_EQ(Status(l, 0, o), VerdictStatus::kProhibited);
  o.as_of = *policy::CivilDate::Parse("2025-01-01");
  EXPECT_EQ(Status(l, 0, o), VerdictStatus::kClear);
  l.get(Field::kDate) = "03/15/2019";  // US style date in the line wins over --as-of
  EXPECT_EQ(Status(l, 0, o), VerdictStatus::kProhibited);
}

TEST_F(ScreenerTest, ListEntriesOnlyForTheirPolicy) {
  CatalogueLine l;
  l.get(Field::kSupplier) = "Acme Telecom Trading L.L.C.";
  EXPECT_EQ(Status(l, 0), VerdictStatus::kProhibited) << result_.verdicts[0].reason;
  EXPECT_EQ(result_.verdicts[0].matches.at(0).kind, MatchKind::kListEntry);
  EXPECT_EQ(Status(l, 1), VerdictStatus::kClear);
  l.get(Field::kSupplier) = "Acme Hardware";
  EXPECT_NE(Status(l, 0), VerdictStatus::kProhibited);
  EXPECT_EQ(Status(Desc("ACME brackets, 10 pack")), VerdictStatus::kClear);
}

TEST_F(ScreenerTest, ExplainCarriesNormalisedFieldsCandidatesAndRule) {
  ScreenOptions o;
  o.explain = true;
  Status(Mfr("Hik-Vision Digital Tech Co"), 0, o);
  ASSERT_TRUE(result_.explanation.has_value());
  const auto& ex = *result_.explanation;
  ASSERT_FALSE(ex.normalised.empty());
  EXPECT_EQ(ex.normalised[0].second, "hik vision digital technology");
  EXPECT_EQ(ex.subject, "purchase");
  bool candidate = false, decided = false;
  for (const auto& n : ex.notes) {
    candidate |= n.find("in manufacturer: role made-by; hikvision") != std::string::npos;
    decided |= n.find("decided by") != std::string::npos && n.find("role made-by") != std::string::npos;
  }
  EXPECT_TRUE(candidate);
  EXPECT_TRUE(decided);
}

TEST_F(ScreenerTest, PropertiesScoreRangeAndIdentity) {
  for (const char* t : {"Hikvision", "Dahua Technology", "ZTE", "Lorex Corporation", "Acme Telecom Trading"}) {
    Status(Mfr(t));
    for (const auto& m : result_.matches) {
      EXPECT_GE(m.score, 0.0);
      EXPECT_LE(m.score, 1.0);
    }
  }
  // Identity: every indexed registry display name matches itself with score 1.
  for (const auto& v : ctx_->vendors->vendors()) {
    if (!ctx_->vendors->GroupOf(v.id)) continue;
    if (v.display_name.find('(') != std::string::npos || v.display_name.find('/') != std::string::npos) continue;
    Status(Mfr(v.display_name));
    bool self = false;
    for (const auto& m : result_.matches) self |= m.entity == v.id && m.score == 1.0;
    EXPECT_TRUE(self) << v.display_name;
  }
}

TEST(ParseLineDateTest, Formats) {
  EXPECT_EQ(ParseLineDate("2019-05-01")->ToString(), "2019-05-01");
  EXPECT_EQ(ParseLineDate("2019/05/01")->ToString(), "2019-05-01");
  EXPECT_EQ(ParseLineDate("5/1/2019")->ToString(), "2019-05-01");
  EXPECT_EQ(ParseLineDate("2019-05")->ToString(), "2019-05");
  EXPECT_EQ(ParseLineDate("2021-03-04T10:00:00Z")->ToString(), "2021-03-04");
  EXPECT_FALSE(ParseLineDate("yesterday").has_value());
  EXPECT_FALSE(ParseLineDate("").has_value());
}

}  // namespace
}  // namespace phaseout::screening

namespace phaseout::screening {
namespace {

// Screen() keeps per-thread caches (policy evaluations, tokens of a field repeated from the
// previous line); they must never carry one screener's index or list entities into another.
TEST(ScreenerCacheTest, ScreenersInOneThreadDoNotShareResults) {
  auto c = ScreeningContext::Load(PHASEOUT_SOURCE_DATA_DIR);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  auto sel = c->policies->Select({"us-ndaa-889"});
  ASSERT_TRUE(sel.has_value());
  ListEntity e;
  e.id = "z1";
  e.name = "Zorvex Photonics Ltd.";
  e.list = "el";
  e.policy = "us-ndaa-889";
  auto plain = Screener::Create(*c->policies, *sel, c->data, {});
  auto listed = Screener::Create(*c->policies, *sel, c->data, {e});
  ASSERT_TRUE(plain.has_value() && listed.has_value());
  CatalogueLine line;
  line.get(Field::kDescription) = "Thermal imaging module";
  line.get(Field::kSupplier) = "Zorvex Photonics Ltd.";
  line.get(Field::kDate) = "2024-05-01";
  ScreenResult r;
  for (int round = 0; round < 2; ++round) {
    (*plain)->Screen(line, {}, &r);
    ASSERT_EQ(r.verdicts.size(), 1u);
    EXPECT_EQ(r.verdicts[0].status, model::VerdictStatus::kClear) << r.verdicts[0].reason;
    EXPECT_TRUE(r.matches.empty());
    (*listed)->Screen(line, {}, &r);
    ASSERT_EQ(r.verdicts.size(), 1u);
    EXPECT_EQ(r.verdicts[0].status, model::VerdictStatus::kProhibited) << r.verdicts[0].reason;
    ASSERT_EQ(r.matches.size(), 1u);
    EXPECT_EQ(r.matches[0].kind, MatchKind::kListEntry);
  }
  // The same vendor on consecutive lines with other fields changed: the cached field tokens
  // and evaluations give the same verdicts as a fresh screener.
  CatalogueLine a = line, b = line;
  a.get(Field::kManufacturer) = "Hikvision";
  b.get(Field::kManufacturer) = "Hikvision";
  b.get(Field::kDescription) = "Removal and disposal of existing cameras";
  ScreenResult ra, rb, fresh;
  (*listed)->Screen(a, {}, &ra);
  (*listed)->Screen(b, {}, &rb);
  auto again = Screener::Create(*c->policies, *sel, c->data, {e});
  ASSERT_TRUE(again.has_value());
  (*again)->Screen(b, {}, &fresh);
  EXPECT_EQ(ra.verdicts[0].status, model::VerdictStatus::kProhibited);
  EXPECT_EQ(rb.verdicts[0].status, fresh.verdicts[0].status);
  EXPECT_EQ(rb.verdicts[0].reason, fresh.verdicts[0].reason);
  EXPECT_EQ(rb.verdicts[0].rule, fresh.verdicts[0].rule);
  EXPECT_EQ(rb.matches.size(), fresh.matches.size());
}

// The per-thread caches of recent field values (tokens, sequences, model tokens, set matches,
// dates) hold 16-256 slots: many distinct values in varying order, with slot collisions and
// evictions, must give what a screener with empty caches gives for every line.
TEST(ScreenerCacheTest, RecentValueCachesGiveTheVerdictsOfAFreshScreener) {
  auto c = ScreeningContext::Load(PHASEOUT_SOURCE_DATA_DIR);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  auto sel = c->policies->Select({"us-ndaa-889", "ca-federal-2025"});
  ASSERT_TRUE(sel.has_value());
  auto cached = Screener::Create(*c->policies, *sel, c->data, {});
  ASSERT_TRUE(cached.has_value());
  const std::vector<std::string> makers = {"Hikvision", "Axis", "Dahua Technology", "Bosch", "Huawei", "Hik-Vision",
                                           "Hikvison", "ZTE Corporation", "Lorex", "Generic", "EZVIZ", "Cisco"};
  const std::vector<std::string> models = {"DS-2CD2143G2-I", "AB-1234C", "DH-IPC-HDW1230T1-S5", "C9200L-24P",
                                           "CS-C6N-A0-1C2WFR", "XVR5108HS", "M3106-L"};
  const std::vector<std::string> dates = {"2019-03-01", "2024-05-01", "", "03/04/2021", "not a date"};
  ScreenResult a, b;
  for (int i = 0; i < 600; ++i) {
    CatalogueLine line;
    line.get(Field::kManufacturer) = makers[(i * 7) % makers.size()] + (i % 5 == 0 ? " " + std::to_string(i % 90) : "");
    line.get(Field::kModel) = models[(i * 3) % models.size()];
    line.get(Field::kDescription) = (i % 4 == 0 ? "Replacement of old Dahua recorder, lot " : "Camera lot ") +
                                    std::to_string(i % 150) + (i % 6 == 0 ? " 4MP PoE+" : "");
    line.get(Field::kDate) = dates[i % dates.size()];
    (*cached)->Screen(line, {}, &a);
    auto fresh = Screener::Create(*c->policies, *sel, c->data, {});  // new generation: caches miss
    ASSERT_TRUE(fresh.has_value());
    (*fresh)->Screen(line, {}, &b);
    ASSERT_EQ(a.verdicts.size(), b.verdicts.size());
    for (size_t p = 0; p < a.verdicts.size(); ++p) {
      EXPECT_EQ(a.verdicts[p].status, b.verdicts[p].status) << "line " << i;
      EXPECT_EQ(a.verdicts[p].reason, b.verdicts[p].reason) << "line " << i;
      EXPECT_EQ(a.verdicts[p].rule, b.verdicts[p].rule) << "line " << i;
      EXPECT_EQ(a.verdicts[p].matches.size(), b.verdicts[p].matches.size()) << "line " << i;
    }
  }
}

// Names are looked for in the first kMaxScreenedFieldBytes of a field: a longer field never
// gives "clear", since a name after that point was not looked for.
TEST(ScreenerLongFieldTest, LongFieldIsAtLeastReview) {
  auto c = ScreeningContext::Load(PHASEOUT_SOURCE_DATA_DIR);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  auto sel = c->policies->Select({"us-ndaa-889"});
  ASSERT_TRUE(sel.has_value());
  auto s = Screener::Create(*c->policies, *sel, c->data, {});
  ASSERT_TRUE(s.has_value());
  std::string filler;
  while (filler.size() < kMaxScreenedFieldBytes + 100) filler += "paper ";
  CatalogueLine line;
  line.get(Field::kDescription) = filler + "Hikvision camera";
  ScreenResult r;
  (*s)->Screen(line, {}, &r);
  ASSERT_EQ(r.verdicts.size(), 1u);
  EXPECT_EQ(r.verdicts[0].status, model::VerdictStatus::kReview) << r.verdicts[0].reason;
  EXPECT_NE(r.verdicts[0].reason.find("looked for in its first 16384"), std::string::npos) << r.verdicts[0].reason;
  // A covered name inside the screened part still decides.
  line.get(Field::kDescription) = "Hikvision camera " + filler;
  (*s)->Screen(line, {}, &r);
  EXPECT_EQ(r.verdicts[0].status, model::VerdictStatus::kProhibited) << r.verdicts[0].reason;
  // A field within the limit is judged as usual.
  line.get(Field::kDescription) = filler.substr(0, kMaxScreenedFieldBytes);
  (*s)->Screen(line, {}, &r);
  EXPECT_EQ(r.verdicts[0].status, model::VerdictStatus::kClear) << r.verdicts[0].reason;
}

}  // namespace
}  // namespace phaseout::screening
