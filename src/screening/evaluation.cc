// Labelled-set evaluation of the screener.
#include "screening/evaluation.h"

#include <cstdio>
#include <utility>

#include "policy/policy_set.h"
#include "screening/catalogue_reader.h"

namespace phaseout::screening {
namespace {

class EvalSink : public LineSink {
 public:
  EvalSink(const Screener& screener, std::string split, std::vector<PolicyScore>* scores)
      : screener_(screener), split_(std::move(split)), scores_(scores) {}
  void OnLine(const CatalogueLine& line) override {
    bool hard = false;
    std::string split;
    for (const auto& [k, v] : line.passthrough) {
      if (k == "hard_negative") hard = v == "yes";
      if (k == "split") split = v;
    }
    if (!split_.empty() && split != split_) return;
    screener_.Screen(line, ScreenOptions{}, &result_);
    for (size_t p = 0; p < scores_->size(); ++p) {
      PolicyScore& s = (*scores_)[p];
      std::string key = "expect_" + s.policy;
      for (char& c : key) {
        if (c == '-') c = '_';
      }
      std::string expected_text;
      for (const auto& [k, v] : line.passthrough) {
        if (k == key) expected_text = v;
      }
      auto expected = policy::ParseVerdictStatus(expected_text);
      if (!expected) {
        error_ = "line " + std::to_string(line.line_number) + ": bad label '" + expected_text + "' in " + key;
        continue;
      }
      const LineVerdict* v = nullptr;
      for (const auto& lv : result_.verdicts) {
        if (lv.policy == s.policy) v = &lv;
      }
      if (!v) continue;
      ++s.lines;
      auto got = v->status;
      if (got == *expected) ++s.exact;
      auto count = [](Prf* prf, bool exp, bool pred) {
        if (exp && pred) ++prf->tp;
        else if (!exp && pred) ++prf->fp;
        else if (exp && !pred) ++prf->fn;
        else ++prf->tn;
      };
      count(&s.prohibited, *expected == model::VerdictStatus::kProhibited, got == model::VerdictStatus::kProhibited);
      count(&s.flagged, *expected != model::VerdictStatus::kClear, got != model::VerdictStatus::kClear);
      if (hard) {
        ++s.hard_negatives;
        if (got == model::VerdictStatus::kProhibited) ++s.hard_negatives_prohibited;
        if (got != model::VerdictStatus::kClear) ++s.hard_negatives_flagged;
      }
      if (got != *expected) {
        std::string text = line.get(Field::kDescription);
        for (Field f : {Field::kManufacturer, Field::kBrand, Field::kModel, Field::kSupplier, Field::kDate}) {
          if (!line.get(f).empty()) text += std::string(" | ") + FieldName(f) + "=" + line.get(f);
        }
        s.mistakes.push_back(line.line_id + ": expected " + model::VerdictStatusName(*expected) + ", got " +
                             model::VerdictStatusName(got) + ": " + text + " -- " + v->reason);
      }
    }
  }
  void OnLineError(uint64_t line, const std::string& message) override {
    error_ = "line " + std::to_string(line) + ": " + message;
  }
  const std::string& error() const { return error_; }

 private:
  const Screener& screener_;
  std::string split_;
  std::vector<PolicyScore>* scores_;
  ScreenResult result_;
  std::string error_;
};

}  // namespace

Result<std::vector<PolicyScore>> EvaluateLabelledSet(const Screener& screener, const std::string& path,
                                                     const std::string& split) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return MakeError(ErrorCode::kIo, path + ": cannot open");
  // Find which policies have labels: read the header line.
  char buf[4096];
  std::string header;
  if (std::fgets(buf, sizeof buf, f)) header = buf;
  std::rewind(f);
  std::vector<PolicyScore> scores;
  for (const auto* p : screener.selected()) {
    std::string key = "expect_" + p->id;
    for (char& c : key) {
      if (c == '-') c = '_';
    }
    if (header.find(key) != std::string::npos) {
      PolicyScore s;
      s.policy = p->id;
      scores.push_back(s);
    }
  }
  EvalSink sink(screener, split, &scores);
  ReaderOptions options;
  options.format = InputFormat::kCsv;
  Status st = ReadCatalogue(f, path, options, &sink);
  std::fclose(f);
  if (!st.ok()) return st.error();
  if (!sink.error().empty()) return MakeError(ErrorCode::kParse, path + ": " + sink.error());
  return scores;
}

}  // namespace phaseout::screening
