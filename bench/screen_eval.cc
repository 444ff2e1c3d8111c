// screen_eval: precision, recall and F1 per policy of `phaseout screen` on the labelled set
// data/screening/eval/lines.csv (or one split of it). Exit 0 iff every policy meets the F1 target
// (0.98 on the whole set, 0.97 on a split; prohibited and flagged) with zero hard negatives
// prohibited.
// Usage: screen_eval [--data-dir DIR] [--eval FILE] [--split dev|test] [--verbose]
// Tuning rule (data/screening/eval/README.md): --verbose is used on --split dev only; the test
// split is looked at through its totals.
#include <cstdio>
#include <cstring>
#include <string>

#include "screening/evaluation.h"
#include "screening/screening_context.h"

int main(int argc, char** argv) {
  std::string data_dir, eval, split;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--data-dir") && i + 1 < argc) data_dir = argv[++i];
    else if (!std::strcmp(argv[i], "--eval") && i + 1 < argc) eval = argv[++i];
    else if (!std::strcmp(argv[i], "--split") && i + 1 < argc) split = argv[++i];
    else if (!std::strcmp(argv[i], "--verbose")) verbose = true;
    else {
      std::fprintf(stderr, "usage: screen_eval [--data-dir DIR] [--eval FILE] [--split dev|test] [--verbose]\n");
      return 2;
    }
  }
  using namespace phaseout::screening;
  auto ctx = ScreeningContext::Load(data_dir);
  if (!ctx) {
    std::fprintf(stderr, "screen_eval: %s\n", ctx.error().message.c_str());
    return 1;
  }
  if (eval.empty()) eval = ctx->data_dir + "/screening/eval/lines.csv";
  auto sel = ctx->policies->Select({});
  auto screener = Screener::Create(*ctx->policies, *sel, ctx->data, {});
  if (!screener) {
    std::fprintf(stderr, "screen_eval: %s\n", screener.error().message.c_str());
    return 1;
  }
  auto scores = EvaluateLabelledSet(**screener, eval, split);
  if (!scores) {
    std::fprintf(stderr, "screen_eval: %s\n", scores.error().message.c_str());
    return 1;
  }
  bool ok = !scores->empty();
  // Issue 9: F1 >= 0.97 on the held-out split (and on dev); the whole set keeps issue 3's 0.98.
  const double target = split.empty() ? kTargetF1 : kTargetTestF1;
  std::printf("%-18s %6s %7s | %-28s | %-28s | %s\n", "policy", "lines", "exact", "prohibited P / R / F1",
              "flagged P / R / F1", "hard negatives (prohibited / flagged)");
  for (const auto& s : *scores) {
    std::printf("%-18s %6llu %6.1f%% | %.3f / %.3f / %.3f          | %.3f / %.3f / %.3f          | %llu (%llu / %llu)\n",
                s.policy.c_str(), static_cast<unsigned long long>(s.lines), 100.0 * s.exact / (s.lines ? s.lines : 1),
                s.prohibited.precision(), s.prohibited.recall(), s.prohibited.f1(), s.flagged.precision(),
                s.flagged.recall(), s.flagged.f1(), static_cast<unsigned long long>(s.hard_negatives),
                static_cast<unsigned long long>(s.hard_negatives_prohibited),
                static_cast<unsigned long long>(s.hard_negatives_flagged));
    ok &= s.prohibited.f1() >= target && s.flagged.f1() >= target && s.hard_negatives_prohibited == 0;
    if (verbose && split != "test") {
      for (const auto& m : s.mistakes) std::printf("  %s\n", m.c_str());
    }
  }
  std::printf("target: F1 >= %.2f and no hard negative prohibited: %s\n", target, ok ? "met" : "NOT met");
  return ok ? 0 : 1;
}
