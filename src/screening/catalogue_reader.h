// Streaming readers for catalogue lines: CSV with a header row (RFC 4180) and JSON lines.
// Memory is bounded by one record; bad lines are reported with their line number and skipped.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/csv_reader.h"
#include "core/result.h"
#include "screening/catalogue_line.h"

namespace phaseout::screening {

enum class InputFormat { kAuto, kCsv, kJsonLines };

// Picks the format from a file name: .csv/.tsv -> CSV, .jsonl/.ndjson/.json -> JSON lines,
// anything else (and "-") -> kAuto (decided from the first non-blank byte: '{' = JSON lines).
InputFormat FormatFromPath(std::string_view path);

// Receives lines and per-line errors. Called synchronously.
class LineSink {
 public:
  virtual ~LineSink() = default;
  // A readable line. The object is reused for the next line.
  virtual void OnLine(const CatalogueLine& line) = 0;
  // A line that could not be read (`line` = physical input line, 1-based).
  virtual void OnLineError(uint64_t line, const std::string& message) = 0;
};

struct ReaderOptions {
  InputFormat format = InputFormat::kAuto;
  // --map from=to: input column `from` (case-insensitive) is read as column `to`.
  std::vector<std::pair<std::string, std::string>> column_map;
  // A record (or JSON line) may be up to kMaxLineBytes, so a description of a megabyte or
  // more is read and screened; longer ones are reported as unreadable.
  static constexpr size_t kMaxLineBytes = size_t{4} << 20;
  CsvOptions csv = {.delimiter = ',', .max_record_bytes = kMaxLineBytes};
  // True when csv.delimiter was chosen by the caller (a .tsv name or a flag); otherwise the
  // delimiter is detected from the header line (',', ';' or tab).
  bool delimiter_set = false;
  size_t max_json_line_bytes = kMaxLineBytes;
};

// Reads `file` to the end. Returns ok when the stream could be read at all (even if some lines
// were bad: those go to sink->OnLineError). Fails with kParse for an empty input, with
// kInvalidArgument (before any line reaches the sink) for input that is not UTF-8 text (UTF-16,
// binary) or a CSV header that maps to no known column (the message names the --map fix), kIo
// when reading fails. `name` is used in messages.
Status ReadCatalogue(std::FILE* file, std::string_view name, const ReaderOptions& options, LineSink* sink);

// Same over an in-memory buffer (tests, fuzzing).
Status ReadCatalogueFromString(std::string_view data, std::string_view name, const ReaderOptions& options,
                               LineSink* sink);

}  // namespace phaseout::screening
