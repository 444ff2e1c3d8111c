// Renders `phaseout screen` results as NDJSON (the contract), a JSON array, CSV (one row per
// line and policy) or a human table. Streaming: one line at a time, nothing buffered.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_text.h"
#include "screening/catalogue_line.h"
#include "screening/screener.h"

namespace phaseout::report {

enum class ScreenFormat { kTable, kNdjson, kCsv, kJson };

// Parses "table", "ndjson", "csv", "json"; returns false for anything else.
bool ParseScreenFormat(std::string_view text, ScreenFormat* out);

// Counts for the closing summary.
struct ScreenSummary {
  uint64_t lines = 0;
  uint64_t unreadable = 0;
  uint64_t prohibited = 0;  // lines with at least one prohibited verdict
  uint64_t review = 0;      // lines whose worst verdict is review
  uint64_t clear = 0;
};

// One NDJSON object for a screened line (no trailing newline). Keys: line_id, line, verdicts
// [{policy, status, reason, clause, rule, matches [{entity, entity_name, kind, field, value,
// score, source, strong, context?, note?}]}], fields {passthrough columns}, explain (iff the
// result carries an explanation).
std::string ScreenResultJson(const screening::CatalogueLine& line, const screening::ScreenResult& result);
// The same object appended to *out (no allocation when *out has room).
void AppendScreenResultJson(const screening::CatalogueLine& line, const screening::ScreenResult& result,
                            std::string* out);

// JSON strings are written by the project's one JSON string writer, core/json_text.h
// (invalid UTF-8 bytes as the text "\xNN", as core/utf8.h SanitizeUtf8 does).
using ::phaseout::AppendJsonString;

// Streams results to a FILE*. Not thread-safe; one writer per output.
class ScreeningWriter {
 public:
  ScreeningWriter(std::FILE* out, ScreenFormat format, std::vector<std::string> policies);
  // Writes headers (CSV header, '[' for JSON, column titles for the table).
  void Begin();
  void Write(const screening::CatalogueLine& line, const screening::ScreenResult& result);
  // Closes the JSON array; prints the summary for the table format.
  void End(const ScreenSummary& summary);

 private:
  friend void AppendScreenResultJson(const screening::CatalogueLine&, const screening::ScreenResult&, std::string*);
  // The last rendered verdict without matches, per verdict position.
  struct CachedVerdict {
    bool valid = false;
    model::VerdictStatus status = model::VerdictStatus::kClear;
    std::string policy, reason, clause, rule;
    std::string json;
  };
  // Renders one result object into *out; `cache` (may be null) reuses unchanged verdicts.
  static void AppendResultJson(const screening::CatalogueLine& line, const screening::ScreenResult& result,
                               std::vector<CachedVerdict>* cache, std::string* out);
  void Flush(bool force);
  std::FILE* out_;
  ScreenFormat format_;
  std::vector<std::string> policies_;
  std::string buf_;
  std::vector<CachedVerdict> verdict_cache_;
  bool first_ = true;
};

}  // namespace phaseout::report
