// libFuzzer target: the whole screening of one line (name index, role analysis, verdicts,
// --explain) on arbitrary field bytes. Fields are separated by 0x1F in the order description,
// manufacturer, brand, model, part_number, supplier, unspsc, date. Invariants: one verdict per
// selected policy, scores in [0, 1], every match's token span inside its field's tokens, a
// prohibited verdict always carries a match, and the explanation names a subject.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "screening/screener.h"
#include "screening/screening_context.h"

namespace {

using namespace phaseout::screening;

struct Fixture {
  ScreeningContext ctx;
  std::unique_ptr<Screener> screener;
};

Fixture* Load() {
  auto ctx = ScreeningContext::Load("");
  if (!ctx) std::abort();
  auto* f = new Fixture{std::move(*ctx), nullptr};
  auto sel = f->ctx.policies->Select({});
  if (!sel) std::abort();
  auto s = Screener::Create(*f->ctx.policies, *sel, f->ctx.data, {});
  if (!s) std::abort();
  f->screener = std::move(*s);
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fx = Load();
  if (size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CatalogueLine line;
  line.line_id = "F1";
  size_t field = 0;
  for (size_t start = 0; field < kFieldCount;) {
    size_t sep = text.find('\x1f', start);
    line.fields[field++] = std::string(text.substr(start, sep == std::string_view::npos ? sep : sep - start));
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
  ScreenOptions options;
  options.explain = (size % 2) == 1;
  ScreenResult result;
  fx->screener->Screen(line, options, &result);
  if (result.verdicts.size() != fx->screener->selected().size()) std::abort();
  for (const Match& m : result.matches) {
    if (!(m.score >= 0.0 && m.score <= 1.0)) std::abort();
    if (m.token_end < m.token_begin) std::abort();
  }
  for (const LineVerdict& v : result.verdicts) {
    if (v.status == phaseout::model::VerdictStatus::kProhibited && v.matches.empty()) std::abort();
    if (v.rule.empty() || v.reason.empty()) std::abort();
  }
  if (options.explain && (!result.explanation || result.explanation->subject.empty())) std::abort();
  return 0;
}
