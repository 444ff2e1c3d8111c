// Tests for the list importers (CSL CSV, OpenSanctions simplified CSV, FtM JSON lines) and the
// stored-list files (atomic replace, refusal of truncated lists).
#include "screening/list_import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace phaseout::screening {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(PHASEOUT_SOURCE_DATA_DIR) + "/../tests/fixtures/lists/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ListImportTest, CslLayout) {
  std::string data = Fixture("csl_sample.csv");
  ASSERT_EQ(*DetectListFormat(data), ListFormat::kCsl);
  auto l = ParseList(data, ListFormat::kCsl, "csl", "us-ndaa-889");
  ASSERT_TRUE(l.has_value()) << l.error().message;
  EXPECT_TRUE(l->errors.empty());
  ASSERT_EQ(l->entities.size(), 3u);
  EXPECT_EQ(l->skipped, 1u);  // the vessel
  EXPECT_EQ(l->entities[0].name, "Hangzhou Hikvision Digital Technology Co., Ltd.");
  EXPECT_EQ(l->entities[0].source, "Entity List (EL) - Bureau of Industry and Security");
  EXPECT_EQ(l->entities[1].aliases, (std::vector<std::string>{"ACME TELECOM", "ACME TRADING FZE"}));
  EXPECT_EQ(l->entities[2].name, "Zorvex Photonics Ltd.");
  EXPECT_EQ(l->entities[2].aliases,
            (std::vector<std::string>{"Zorvex Imaging", "ZRV Photonics", "Zorvex Optics"}));
  EXPECT_EQ(l->entities[2].policy, "us-ndaa-889");
}

TEST(ListImportTest, OpenSanctionsSimpleCsvSemicolonCells) {
  std::string data = Fixture("opensanctions_targets.simple.csv");
  ASSERT_EQ(*DetectListFormat(data), ListFormat::kOpenSanctionsCsv);
  auto l = ParseList(data, ListFormat::kOpenSanctionsCsv, "os", "us-ndaa-889");
  ASSERT_TRUE(l.has_value()) << l.error().message;
  EXPECT_TRUE(l->errors.empty());
  ASSERT_EQ(l->entities.size(), 3u);
  EXPECT_EQ(l->entities[0].aliases.size(), 3u);
  EXPECT_EQ(l->entities[0].aliases[1], "杭州海康威视数字技术股份有限公司");
  EXPECT_EQ(l->entities[0].source, "US Trade Consolidated Screening List; US DoD Chinese military companies");
  EXPECT_EQ(l->entities[2].aliases,
            (std::vector<std::string>{"Brevanto", "Brevanto; Systems Division", "Brevanto SS"}));
}

TEST(ListImportTest, FtmJsonLinesSkipsRelations) {
  std::string data = Fixture("ftm_entities.jsonl");
  ASSERT_EQ(*DetectListFormat(data), ListFormat::kFtm);
  auto l = ParseList(data, ListFormat::kFtm, "ftm", "us-ndaa-889");
  ASSERT_TRUE(l.has_value());
  EXPECT_TRUE(l->errors.empty());
  ASSERT_EQ(l->entities.size(), 2u);
  EXPECT_EQ(l->skipped, 2u);
  EXPECT_EQ(l->entities[0].aliases, (std::vector<std::string>{"Kestrovia Signal", "Kestrovia"}));
  EXPECT_EQ(l->entities[0].weak_aliases, (std::vector<std::string>{"KST"}));
  EXPECT_EQ(l->entities[1].aliases, (std::vector<std::string>{"Maravelle Radio Research Bureau"}));
}

TEST(ListImportTest, BadInputs) {
  auto bad = ParseList(Fixture("csl_bad.csv"), ListFormat::kCsl, "x", "p");
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->errors.size(), 1u);
  EXPECT_EQ(bad->errors[0].rfind("line 3:", 0), 0u);
  EXPECT_FALSE(ParseList("", ListFormat::kCsl, "x", "p").has_value());
  EXPECT_FALSE(ParseList("foo,bar\n1,2\n", ListFormat::kCsl, "x", "p").has_value());
  auto ftm = ParseList("{\"id\":1}\nnot json\n", ListFormat::kFtm, "x", "p");
  ASSERT_TRUE(ftm.has_value());
  EXPECT_EQ(ftm->errors.size(), 2u);
  EXPECT_FALSE(DetectListFormat("hello,world\n").has_value());
  EXPECT_FALSE(ParseListFormat("xml").has_value());
}

TEST(ListImportTest, StoreRoundTripAtomicReplaceAndTruncationGuard) {
  std::string root = ::testing::TempDir() + "/phaseout_lists_" + std::to_string(::getpid());
  std::filesystem::remove_all(root);
  auto l = ParseList(Fixture("csl_sample.csv"), ListFormat::kCsl, "csl", "us-ndaa-889");
  ASSERT_TRUE(l.has_value());
  StoredListInfo info{"us-ndaa-889", "csl", "csl", "csl_sample.csv", "", 0, ""};
  ASSERT_TRUE(SaveList(root, info, l->entities, false).ok());
  auto shown = ListStoredLists(root);
  ASSERT_TRUE(shown.has_value());
  ASSERT_EQ(shown->size(), 1u);
  EXPECT_EQ((*shown)[0].entities, 3u);
  auto loaded = LoadStoredLists(root, {"us-ndaa-889"});
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[2].aliases.size(), 3u);
  EXPECT_TRUE(LoadStoredLists(root, {"ca-federal-2025"})->empty());
  // A much smaller replacement is refused and the stored list is kept.
  std::vector<ListEntity> one(l->entities.begin(), l->entities.begin() + 1);
  auto st = SaveList(root, info, one, false);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(LoadStoredLists(root, {"us-ndaa-889"})->size(), 3u);
  EXPECT_TRUE(SaveList(root, info, one, true).ok());
  EXPECT_EQ(LoadStoredLists(root, {"us-ndaa-889"})->size(), 1u);
  // No temporary files are left behind.
  size_t files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
  std::filesystem::remove_all(root);
}

TEST(ListImportTest, ListNames) {
  EXPECT_EQ(ListNameFromPath("/tmp/Consolidated Screening List.csv"), "consolidated-screening-list");
  EXPECT_EQ(ListNameFromPath("targets.simple.csv"), "targets.simple");
}

}  // namespace
}  // namespace phaseout::screening
