// Evaluation of the screener on a labelled set (data/screening/eval/lines.csv): per-policy
// precision, recall and F1, hard negatives judged prohibited, and the misjudged lines.
// Used by bench/screen_eval and by the screening_eval test that asserts the quality targets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "screening/screener.h"

namespace phaseout::screening {

// Precision/recall/F1 for one notion of "positive".
struct Prf {
  uint64_t tp = 0, fp = 0, fn = 0, tn = 0;
  double precision() const { return tp + fp ? double(tp) / double(tp + fp) : 1.0; }
  double recall() const { return tp + fn ? double(tp) / double(tp + fn) : 1.0; }
  double f1() const {
    double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
};

struct PolicyScore {
  std::string policy;
  uint64_t lines = 0;
  uint64_t exact = 0;                    // predicted status == expected status
  Prf prohibited;                        // positive = prohibited
  Prf flagged;                           // positive = prohibited or review
  uint64_t hard_negatives = 0;
  uint64_t hard_negatives_prohibited = 0;
  uint64_t hard_negatives_flagged = 0;
  std::vector<std::string> mistakes;     // "line_id: expected X, got Y: description | reason"
};

// Quality targets: issue 3 (whole set, F1 >= 0.98) was measured on lines written with the rules;
// issue 9 asks F1 >= 0.97 on the held-out `test` split.
inline constexpr double kTargetF1 = 0.98;
inline constexpr double kTargetTestF1 = 0.97;

// Reads the labelled CSV at `path` (recognised catalogue columns plus expect_<policy> columns
// with '-' written as '_', and hard_negative=yes|no) and screens every line with `screener`.
// Returns one score per selected policy that has an expect_ column. Fails with kParse/kIo on
// unreadable files or lines, kInvalidArgument on labels other than prohibited|review|clear.
// `split`: when non-empty, only lines whose `split` column equals it ("dev" or "test").
Result<std::vector<PolicyScore>> EvaluateLabelledSet(const Screener& screener, const std::string& path,
                                                     const std::string& split = "");

}  // namespace phaseout::screening
