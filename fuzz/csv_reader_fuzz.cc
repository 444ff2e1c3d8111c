// libFuzzer target: the shared RFC 4180 CSV push parser (core) and the catalogue reader on
// arbitrary bytes, fed in fuzzer-chosen chunk sizes. Invariants: chunking does not change the result, line
// numbers never decrease below 1, and the reader never fails except for empty/headerless input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "screening/catalogue_reader.h"
#include "core/csv_reader.h"

namespace {
struct Collect : phaseout::CsvSink {
  std::vector<std::string> out;
  void OnRecord(uint64_t line, std::span<std::string> fields) override {
    if (line == 0) std::abort();
    std::string r = std::to_string(line) + ":";
    for (auto& f : fields) r += f + "\x1f";
    out.push_back(r);
  }
  void OnError(uint64_t line, std::string_view message) override {
    if (line == 0 || message.empty()) std::abort();
    out.push_back("E" + std::to_string(line));
  }
};
struct Lines : phaseout::screening::LineSink {
  void OnLine(const phaseout::screening::CatalogueLine& l) override {
    if (l.line_id.empty()) std::abort();
  }
  void OnLineError(uint64_t line, const std::string& m) override {
    if (m.empty()) std::abort();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phaseout;
  using namespace phaseout::screening;
  if (size < 1 || size > 256 * 1024) return 0;  // bound the work per input
  size_t chunk = 1 + data[0] % 17;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  CsvOptions options;
  options.max_record_bytes = 4096;  // exercise the limit path
  Collect whole, pieces;
  {
    CsvParser p(options);
    p.Feed(text, &whole);
    p.Finish(&whole);
  }
  {
    CsvParser p(options);
    for (size_t i = 0; i < text.size(); i += chunk) p.Feed(text.substr(i, chunk), &pieces);
    p.Finish(&pieces);
  }
  if (whole.out != pieces.out) std::abort();
  Lines lines;
  ReaderOptions ro;
  (void)ReadCatalogueFromString(text, "fuzz", ro, &lines);
  ro.format = InputFormat::kJsonLines;
  (void)ReadCatalogueFromString(text, "fuzz", ro, &lines);
  return 0;
}
