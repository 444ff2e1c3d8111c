// The project's one CSV reader (RFC 4180): a push parser over byte chunks with error recovery,
// bounded memory and physical line numbers. Pure (no I/O); fuzzed by fuzz/core_text_fuzz.cc
// and fuzz/csv_reader_fuzz.cc. Used by screening (catalogues, lists), imports (CSV registers)
// and fingerprint (IEEE MAC registry).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace phaseout {

// Receives parser output. Called synchronously from Feed()/Finish().
class CsvSink {
 public:
  virtual ~CsvSink() = default;
  // One complete record. `line` is the physical line (1-based) where the record starts.
  // The fields are only valid during the call (the parser reuses their storage).
  virtual void OnRecord(uint64_t line, std::span<std::string> fields) = 0;
  // A record that could not be parsed; the parser has already resynchronised and goes on.
  virtual void OnError(uint64_t line, std::string_view message) = 0;
};

struct CsvOptions {
  char delimiter = ',';
  // Bounds that keep memory constant on hostile input. A record longer than
  // max_record_bytes (all its fields and line breaks) is reported and skipped.
  size_t max_record_bytes = 1 << 20;
  size_t max_fields = 4096;
};

// Parses RFC 4180 CSV: fields separated by `delimiter`, records by CRLF, LF or CR; fields may
// be quoted with '"', quotes inside are doubled, quoted fields may span lines. A UTF-8 BOM at
// the very start is skipped. Blank lines are skipped. Lenient where it is safe: a '"' inside
// an unquoted field is kept literally.
// Errors (a character after a closing quote, a quote never closed, too many fields or bytes)
// are reported with the record's first line; the parser then drops that first physical line
// and re-parses the bytes after it, so a stray quote costs one line, not the rest of the file.
// Thread-compatible: one parser per stream.
class CsvParser {
 public:
  explicit CsvParser(CsvOptions options = {});

  // Parses the next chunk of bytes; may call the sink any number of times.
  void Feed(std::string_view chunk, CsvSink* sink);
  // Signals the end of input; flushes the last record (or reports it as unterminated).
  void Finish(CsvSink* sink);

  // Number of the physical line the parser is on (1-based).
  uint64_t line() const { return line_; }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted, kSkipLine };

  // Processes one byte; returns false on a syntax error in the current record.
  bool Step(char c, CsvSink* sink);
  void EndField();
  void EndRecord(CsvSink* sink);
  void ResetRecord();
  // Reports the current record as bad and arranges resynchronisation.
  void Recover(std::string_view message, CsvSink* sink);
  void Drain(CsvSink* sink);

  CsvOptions options_;
  State state_ = State::kFieldStart;
  uint64_t line_ = 1;
  uint64_t record_line_ = 1;
  bool skip_lf_ = false;      // previous byte was CR: a following LF belongs to it
  size_t bom_seen_ = 0;       // BOM bytes matched at stream start
  bool at_stream_start_ = true;
  std::string raw_;           // raw bytes of the current record, for replay after an error
  std::vector<std::string> fields_;
  size_t field_count_ = 0;
  std::string replay_;
  size_t replay_pos_ = 0;
  std::string error_message_;
};

// Parses a whole in-memory text with CsvParser: calls on_record(line, std::span<std::string>)
// per record and on_error(line, std::string_view message) per unreadable record.
template <typename RecordFn, typename ErrorFn>
void ParseCsvText(std::string_view text, const CsvOptions& options, RecordFn&& on_record,
                  ErrorFn&& on_error) {
  struct Sink final : CsvSink {
    RecordFn& record;
    ErrorFn& error;
    Sink(RecordFn& r, ErrorFn& e) : record(r), error(e) {}
    void OnRecord(uint64_t line, std::span<std::string> fields) override { record(line, fields); }
    void OnError(uint64_t line, std::string_view message) override { error(line, message); }
  } sink(on_record, on_error);
  CsvParser parser(options);
  parser.Feed(text, &sink);
  parser.Finish(&sink);
}

// Parses one CSV line (no line breaks expected) into *fields using the same rules; used for
// multi-valued cells such as OpenSanctions' `;`-separated aliases. Returns false on a syntax
// error (fields then hold what could be parsed).
bool ParseCsvCells(std::string_view text, char delimiter, std::vector<std::string>* fields);

}  // namespace phaseout
