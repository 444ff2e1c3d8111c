// Quality gate: the screener on the labelled evaluation set must reach F1 >= 0.98 per policy
// (both "prohibited" and "flagged") with zero hard negatives prohibited (issue 3).
#include "screening/evaluation.h"

#include <gtest/gtest.h>

#include "screening/screening_context.h"

namespace phaseout::screening {
namespace {

TEST(ScreeningEvalTest, MeetsQualityTargets) {
  auto ctx = ScreeningContext::Load(PHASEOUT_SOURCE_DATA_DIR);
  ASSERT_TRUE(ctx.has_value()) << ctx.error().message;
  auto sel = ctx->policies->Select({});
  ASSERT_TRUE(sel.has_value());
  auto screener = Screener::Create(*ctx->policies, *sel, ctx->data, {});
  ASSERT_TRUE(screener.has_value()) << screener.error().message;
  auto scores = EvaluateLabelledSet(**screener, std::string(PHASEOUT_SOURCE_DATA_DIR) + "/screening/eval/lines.csv");
  ASSERT_TRUE(scores.has_value()) << scores.error().message;
  ASSERT_GE(scores->size(), 2u);
  for (const auto& s : *scores) {
    std::string mistakes;
    for (const auto& m : s.mistakes) mistakes += "  " + m + "\n";
    EXPECT_GE(s.lines, 300u) << s.policy;
    EXPECT_GE(s.hard_negatives * 2, s.lines) << s.policy << ": at least half must be hard negatives";
    EXPECT_GE(s.prohibited.f1(), kTargetF1) << s.policy << "\n" << mistakes;
    EXPECT_GE(s.flagged.f1(), kTargetF1) << s.policy << "\n" << mistakes;
    EXPECT_EQ(s.hard_negatives_prohibited, 0u) << s.policy << "\n" << mistakes;
  }
}

}  // namespace
}  // namespace phaseout::screening
