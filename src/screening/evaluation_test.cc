// Quality gates of the labelled evaluation set (data/screening/eval/lines.csv, README there):
// - on the held-out `test` split: F1 >= 0.97 per policy (prohibited and flagged) and no hard
//   negative prohibited (issue 9);
// - the split is not quoted: no multi-word entry of data/screening/*.yaml and no multi-word
//   string literal of the screening tests occurs in a `test` line unless it also occurs in a
//   `dev` line (so nothing was written from a test line).
#include "screening/evaluation.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "screening/catalogue_reader.h"
#include "screening/screening_context.h"

namespace phaseout::screening {
namespace {

const std::string kEval = std::string(PHASEOUT_SOURCE_DATA_DIR) + "/screening/eval/lines.csv";

std::unique_ptr<Screener> MakeScreener(ScreeningContext* ctx) {
  auto c = ScreeningContext::Load(PHASEOUT_SOURCE_DATA_DIR);
  EXPECT_TRUE(c.has_value()) << c.error().message;
  *ctx = std::move(*c);
  auto sel = ctx->policies->Select({});
  auto screener = Screener::Create(*ctx->policies, *sel, ctx->data, {});
  EXPECT_TRUE(screener.has_value()) << screener.error().message;
  return std::move(*screener);
}

TEST(ScreeningEvalTest, TestSplitMeetsQualityTargets) {
  ScreeningContext ctx;
  auto screener = MakeScreener(&ctx);
  auto scores = EvaluateLabelledSet(*screener, kEval, "test");
  ASSERT_TRUE(scores.has_value()) << scores.error().message;
  ASSERT_GE(scores->size(), 2u);
  for (const auto& s : *scores) {
    // Totals only: the misjudged test lines are not printed (the rules are not tuned on them).
    std::printf("test split %s: %llu lines, prohibited P/R/F1 %.3f/%.3f/%.3f, flagged P/R/F1 %.3f/%.3f/%.3f, "
                "hard negatives %llu (prohibited %llu, flagged %llu)\n",
                s.policy.c_str(), static_cast<unsigned long long>(s.lines), s.prohibited.precision(),
                s.prohibited.recall(), s.prohibited.f1(), s.flagged.precision(), s.flagged.recall(), s.flagged.f1(),
                static_cast<unsigned long long>(s.hard_negatives),
                static_cast<unsigned long long>(s.hard_negatives_prohibited),
                static_cast<unsigned long long>(s.hard_negatives_flagged));
    EXPECT_GE(s.lines, 250u) << s.policy;
    EXPECT_GE(s.hard_negatives, 100u) << s.policy;
    EXPECT_GE(s.prohibited.f1(), kTargetTestF1) << s.policy;
    EXPECT_GE(s.flagged.f1(), kTargetTestF1) << s.policy;
    EXPECT_EQ(s.hard_negatives_prohibited, 0u) << s.policy;
  }
}

TEST(ScreeningEvalTest, WholeSetSizeAndDevSplit) {
  ScreeningContext ctx;
  auto screener = MakeScreener(&ctx);
  auto all = EvaluateLabelledSet(*screener, kEval);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  for (const auto& s : *all) {
    EXPECT_GE(s.lines, 800u) << s.policy;
    EXPECT_GE(s.hard_negatives, 350u) << s.policy;
  }
  auto dev = EvaluateLabelledSet(*screener, kEval, "dev");
  ASSERT_TRUE(dev.has_value()) << dev.error().message;
  for (const auto& s : *dev) {
    std::printf("dev split %s: %llu lines, prohibited F1 %.3f, flagged F1 %.3f, hard negatives %llu (prohibited %llu, "
                "flagged %llu)\n",
                s.policy.c_str(), static_cast<unsigned long long>(s.lines), s.prohibited.f1(), s.flagged.f1(),
                static_cast<unsigned long long>(s.hard_negatives),
                static_cast<unsigned long long>(s.hard_negatives_prohibited),
                static_cast<unsigned long long>(s.hard_negatives_flagged));
    std::string mistakes;
    for (const auto& m : s.mistakes) mistakes += "  " + m + "\n";
    EXPECT_GE(s.prohibited.f1(), kTargetTestF1) << s.policy << "\n" << mistakes;
    EXPECT_GE(s.flagged.f1(), kTargetTestF1) << s.policy << "\n" << mistakes;
    EXPECT_EQ(s.hard_negatives_prohibited, 0u) << s.policy << "\n" << mistakes;
  }
}

// Lower-case ASCII words separated by single spaces, with a space at both ends, so that a
// whole-word search is a substring search.
std::string Words(std::string_view text) {
  std::string out = " ";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) {
      out.push_back(static_cast<char>(std::tolower(u)));
    } else if (out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (out.back() != ' ') out.push_back(' ');
  return out;
}

size_t WordCount(const std::string& words) {
  size_t n = 0;
  for (size_t i = 1; i < words.size(); ++i) n += words[i] == ' ';
  return n;
}

// String literals of a C++ source (ordinary "..." literals; raw strings are skipped).
std::vector<std::string> Literals(const std::string& src) {
  std::vector<std::string> out;
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      i = src.find('\n', i);
      if (i == std::string::npos) break;
      continue;
    }
    if (src[i] == '\'' ) {  // character literal
      i = src.find('\'', i + (src[i + 1] == '\\' ? 3 : 2));
      if (i == std::string::npos) break;
      continue;
    }
    if (src[i] != '"') continue;
    if (i > 0 && src[i - 1] == 'R') {
      size_t end = src.find(")\"", i);
      if (end == std::string::npos) break;
      i = end + 1;
      continue;
    }
    std::string lit;
    size_t j = i + 1;
    for (; j < src.size() && src[j] != '"'; ++j) {
      if (src[j] == '\\' && j + 1 < src.size()) ++j;
      lit.push_back(src[j]);
    }
    out.push_back(lit);
    i = j;
  }
  return out;
}

class SplitLines : public LineSink {
 public:
  void OnLine(const CatalogueLine& line) override {
    std::string text;
    for (const auto& f : line.fields) text += f + " | ";
    std::string split;
    for (const auto& [k, v] : line.passthrough) {
      if (k == "split") split = v;
    }
    (split == "test" ? test : split == "heldout" ? heldout : dev).push_back(Words(text));
  }
  void OnLineError(uint64_t, const std::string& message) override { ADD_FAILURE() << message; }
  std::vector<std::string> dev, test, heldout;
};

TEST(ScreeningEvalTest, TestSplitIsNotQuotedByRulesOrTests) {
  std::ifstream in(kEval, std::ios::binary);
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  SplitLines lines;
  ReaderOptions options;
  ASSERT_TRUE(ReadCatalogueFromString(ss.str(), kEval, options, &lines).ok());
  ASSERT_GE(lines.test.size(), 250u);
  ASSERT_GE(lines.dev.size(), 250u);
  // The frozen held-out set (data/screening/heldout/README.md) is protected like `test`.
  const std::string heldout_path = std::string(PHASEOUT_SOURCE_DATA_DIR) + "/screening/heldout/heldout.csv";
  std::ifstream hin(heldout_path, std::ios::binary);
  ASSERT_TRUE(hin.good()) << heldout_path;
  std::stringstream hs;
  hs << hin.rdbuf();
  ASSERT_TRUE(ReadCatalogueFromString(hs.str(), heldout_path, options, &lines).ok());
  ASSERT_GE(lines.heldout.size(), 90u);

  // Candidates: multi-word entries of the screening data and multi-word test strings.
  std::vector<std::pair<std::string, std::string>> candidates;  // (text, origin)
  ScreeningContext ctx;
  auto c = ScreeningContext::Load(PHASEOUT_SOURCE_DATA_DIR);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  const RoleData& r = c->data.roles;
  for (const PhraseList* list :
       {&r.removal_before, &r.removal_after, &r.replaced_before, &r.purchase, &r.negation_before,
        &r.accessory_before, &r.accessory_after, &r.lookback_skip, &r.service_in_use, &r.add_on, &r.service_topic,
        &r.person_markers, &r.chinese_surnames, &r.given_name_like, &r.business_after, &r.product_words,
        &r.generic_makers, &r.known_makers, &r.fuzzy_guard}) {
    for (const auto& e : list->entries()) candidates.emplace_back(e, "roles.yaml");
  }
  for (const auto& e : c->data.extra_names) candidates.emplace_back(e.text, "screening.yaml extra_names");
  for (const auto& e : c->data.structured_field_only) candidates.emplace_back(e, "screening.yaml structured_field_only");
  const std::string root = std::string(PHASEOUT_SOURCE_DATA_DIR) + "/..";
  for (const char* file : {"src/screening/screener_test.cc", "src/screening/normalise_test.cc",
                           "src/screening/catalogue_reader_test.cc", "src/screening/evaluation_test.cc",
                           "tests/integration/screen_cli_test.cc"}) {
    std::ifstream f(root + "/" + file, std::ios::binary);
    ASSERT_TRUE(f.good()) << file;
    std::stringstream fs;
    fs << f.rdbuf();
    for (auto& lit : Literals(fs.str())) candidates.emplace_back(lit, file);
  }
  size_t checked = 0;
  for (const auto& [text, origin] : candidates) {
    std::string w = Words(text);
    if (WordCount(w) < 2) continue;
    ++checked;
    bool in_test = false, in_dev = false;
    for (const auto& l : lines.test) in_test |= l.find(w) != std::string::npos;
    // Entries that were in the data before the held-out set was written (commit e1683e7) and
    // that its wording happens to contain: they cannot have been written from it.
    static const std::set<std::string> kPredateHeldOut = {
        Words("away from"),  // roles.yaml replaced_before since 56d4552 (2026-12-01 20:52 UTC)
    };
    if (!kPredateHeldOut.count(w)) {
      for (const auto& l : lines.heldout) in_test |= l.find(w) != std::string::npos;
    }
    if (!in_test) continue;
    for (const auto& l : lines.dev) in_dev |= l.find(w) != std::string::npos;
    EXPECT_TRUE(in_dev) << origin << ": '" << text
                        << "' occurs in a test-split or held-out line and in no dev-split line";
  }
  EXPECT_GE(checked, 50u);
}

}  // namespace
}  // namespace phaseout::screening
