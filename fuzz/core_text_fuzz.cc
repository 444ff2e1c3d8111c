// libFuzzer target: the shared text layer on arbitrary bytes. Invariants: the CSV reader gives
// the same records and errors whole and in fuzzer-chosen chunks (and ParseCsvText agrees);
// SanitizeUtf8 yields valid UTF-8 and leaves valid input unchanged; the JSON string writer's
// output is accepted by nlohmann-json and decodes to SanitizeUtf8 of the input; a row written
// by the CSV writer reads back as the sanitised cells (with the formula guard's apostrophe);
// the JSON document writer (core/json_dump.h) writes any document nlohmann-json parses from the
// input byte for byte as nlohmann's dump does (compact and indented) and its output parses back
// to it, and a document holding the raw input as key and string parses back to the sanitised text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/csv_reader.h"
#include "core/csv_writer.h"
#include "core/json_dump.h"
#include "core/json_text.h"
#include "core/utf8.h"

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
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phaseout;
  if (size < 2 || size > 256 * 1024) return 0;  // bound the work per input
  size_t chunk = 1 + data[0] % 17;
  const char delimiters[] = {',', ';', '\t', '|'};
  CsvOptions options;
  options.delimiter = delimiters[data[1] % 4];
  options.max_record_bytes = 4096;  // exercise the limit path
  options.max_fields = 64;
  std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  Collect whole, pieces, helper;
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
  ParseCsvText(
      text, options, [&](uint64_t line, std::span<std::string> f) { helper.OnRecord(line, f); },
      [&](uint64_t line, std::string_view m) { helper.OnError(line, m); });
  if (whole.out != pieces.out || whole.out != helper.out) std::abort();

  std::string clean = SanitizeUtf8(text);
  if (!IsValidUtf8(clean)) std::abort();
  if (IsValidUtf8(text) != (clean == text)) std::abort();
  auto j = nlohmann::json::parse(JsonString(text), nullptr, false);
  if (j.is_discarded() || !j.is_string() || j.get<std::string>() != clean) std::abort();

  // JSON document writer. Parsed strings are valid UTF-8, so nlohmann's own dump is the oracle.
  // Nesting is bounded (both writers recurse) by looking only at inputs of modest size.
  if (text.size() <= 4096) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_discarded()) {
      std::string compact = DumpJson(doc);
      if (compact != doc.dump()) std::abort();
      if (DumpJson(doc, 2) != doc.dump(2)) std::abort();
      auto back = nlohmann::json::parse(compact, nullptr, false);
      if (back.is_discarded() || DumpJson(back) != compact) std::abort();
    }
    auto ordered = nlohmann::ordered_json::parse(text, nullptr, false);
    if (!ordered.is_discarded() && DumpJson(ordered) != ordered.dump()) std::abort();
  }
  {
    nlohmann::json raw = {{std::string(text), {std::string(text), nullptr, -0.0}}};
    auto back = nlohmann::json::parse(DumpJson(raw), nullptr, false);
    if (back.is_discarded() || !back.contains(clean) || back[clean][0] != clean) std::abort();
  }

  // CSV writer round trip: the input split at 0x1F into cells, written as one row.
  std::vector<std::string> cells(1);
  for (char c : text) {
    if (c == '\x1f') cells.emplace_back();
    else cells.back().push_back(c);
  }
  for (bool guard : {false, true}) {
    std::string row;
    std::vector<std::string> expect;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) row.push_back(',');
      AppendCsvField(cells[i], &row, guard);
      std::string e = SanitizeUtf8(cells[i]);
      if (guard && !e.empty() && std::string_view("=+-@\t\r").find(e[0]) != std::string_view::npos) e.insert(0, "'");
      expect.push_back(e);
    }
    row.push_back('\n');
    std::vector<std::vector<std::string>> got;
    CsvOptions o;
    o.max_record_bytes = row.size() + 1;
    o.max_fields = cells.size() + 1;
    ParseCsvText(
        row, o, [&](uint64_t, std::span<std::string> f) { got.emplace_back(f.begin(), f.end()); },
        [&](uint64_t, std::string_view) { std::abort(); });
    bool blank = expect.size() == 1 && expect[0].empty();  // the reader skips a blank line
    if (blank ? !got.empty() : (got.size() != 1 || got[0] != expect)) std::abort();
  }
  return 0;
}
