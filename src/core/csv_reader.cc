// RFC 4180 CSV push parser with line-level resynchronisation after errors.
#include "core/csv_reader.h"

#include <algorithm>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace phaseout {
namespace {
constexpr char kBom[3] = {'\xEF', '\xBB', '\xBF'};

// Index of the first byte in data[i, limit) equal to a, b or c (limit if none), 16 bytes at a
// time where SSE2 is available.
inline size_t FindAnyOf3(const char* data, size_t i, size_t limit, char a, char b, char c) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
  while (i + 16 <= limit) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_or_si128(_mm_cmpeq_epi8(v, vb), _mm_cmpeq_epi8(v, vc)));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
    i += 16;
  }
#endif
  while (i < limit && data[i] != a && data[i] != b && data[i] != c) ++i;
  return i;
}

// Collects the cells of one line for ParseCsvCells.
class CellSink : public CsvSink {
 public:
  explicit CellSink(std::vector<std::string>* out) : out_(out) {}
  void OnRecord(uint64_t, std::span<std::string> fields) override {
    for (auto& f : fields) out_->push_back(f);
  }
  void OnError(uint64_t, std::string_view) override { ok_ = false; }
  bool ok() const { return ok_; }

 private:
  std::vector<std::string>* out_;
  bool ok_ = true;
};
}  // namespace

CsvParser::CsvParser(CsvOptions options) : options_(options) { fields_.resize(8); }

void CsvParser::ResetRecord() {
  state_ = State::kFieldStart;
  raw_.clear();
  field_count_ = 0;
  fields_[0].clear();
  record_line_ = line_;
}

void CsvParser::EndField() {
  ++field_count_;
  if (field_count_ >= fields_.size()) fields_.resize(fields_.size() * 2);
  fields_[field_count_].clear();
}

void CsvParser::EndRecord(CsvSink* sink) {
  bool blank = field_count_ == 1 && fields_[0].empty() && raw_.size() <= 2;
  if (!blank) sink->OnRecord(record_line_, std::span<std::string>(fields_.data(), field_count_));
  ResetRecord();
}

void CsvParser::Recover(std::string_view message, CsvSink* sink) {
  sink->OnError(record_line_, message);
  size_t nl = raw_.find_first_of("\r\n");
  if (nl != std::string::npos && nl + 1 < raw_.size() + 1) {
    size_t next = nl + 1;
    if (raw_[nl] == '\r' && next < raw_.size() && raw_[next] == '\n') ++next;
    std::string replay = raw_.substr(next);
    replay.append(replay_, replay_pos_, std::string::npos);
    replay_ = std::move(replay);
    replay_pos_ = 0;
    line_ = record_line_ + 1;
    skip_lf_ = false;
    ResetRecord();
  } else {
    // The error is on the record's first line: skip the rest of that line.
    raw_.clear();
    field_count_ = 0;
    fields_[0].clear();
    state_ = State::kSkipLine;
  }
}

bool CsvParser::Step(char c, CsvSink* sink) {
  if (at_stream_start_) {
    if (bom_seen_ < 3 && c == kBom[bom_seen_]) {
      if (++bom_seen_ == 3) at_stream_start_ = false;
      return true;
    }
    at_stream_start_ = false;
    if (bom_seen_ > 0) {
      // Not a BOM after all: process the held bytes first, then this one.
      std::string held(kBom, bom_seen_);
      bom_seen_ = 0;  // decided: Finish must not hand these bytes back a second time
      held.push_back(c);
      held.append(replay_, replay_pos_, std::string::npos);
      replay_ = std::move(held);
      replay_pos_ = 0;
      return true;
    }
  }
  bool is_lf = c == '\n';
  bool is_cr = c == '\r';
  if (is_lf && skip_lf_) {
    // Second half of a CRLF pair.
    skip_lf_ = false;
    if (state_ == State::kQuoted) {
      fields_[field_count_].push_back('\n');
      raw_.push_back(c);
    }
    return true;
  }
  skip_lf_ = is_cr;
  if (is_lf || is_cr) ++line_;
  if (state_ == State::kSkipLine) {
    if (is_lf || is_cr) ResetRecord();
    return true;
  }
  raw_.push_back(c);
  if (raw_.size() > options_.max_record_bytes) {
    sink->OnError(record_line_, "record exceeds " + std::to_string(options_.max_record_bytes) +
                                    " bytes (unbalanced quote or huge field); skipped up to line " +
                                    std::to_string(line_));
    raw_.clear();
    field_count_ = 0;
    fields_[0].clear();
    state_ = State::kSkipLine;
    if (is_lf || is_cr) ResetRecord();
    return true;
  }
  std::string& field = fields_[field_count_];
  bool is_delim = c == options_.delimiter;
  switch (state_) {
    case State::kFieldStart:
      if (c == '"') {
        state_ = State::kQuoted;
      } else if (is_delim) {
        EndField();
      } else if (is_lf || is_cr) {
        EndField();
        EndRecord(sink);
      } else {
        field.push_back(c);
        state_ = State::kUnquoted;
      }
      break;
    case State::kUnquoted:
      if (is_delim) {
        EndField();
        state_ = State::kFieldStart;
      } else if (is_lf || is_cr) {
        EndField();
        EndRecord(sink);
      } else {
        field.push_back(c);
      }
      break;
    case State::kQuoted:
      if (c == '"') {
        state_ = State::kQuoteInQuoted;
      } else {
        field.push_back(c);
      }
      break;
    case State::kQuoteInQuoted:
      if (c == '"') {
        field.push_back('"');
        state_ = State::kQuoted;
      } else if (is_delim) {
        EndField();
        state_ = State::kFieldStart;
      } else if (is_lf || is_cr) {
        EndField();
        EndRecord(sink);
      } else {
        error_message_ = "unexpected character after a closing quote in field " +
                         std::to_string(field_count_ + 1) + " (quotes inside a field must be doubled)";
        return false;
      }
      break;
    case State::kSkipLine:
      break;
  }
  if (field_count_ >= options_.max_fields) {
    error_message_ = "more than " + std::to_string(options_.max_fields) + " fields";
    return false;
  }
  return true;
}

void CsvParser::Drain(CsvSink* sink) {
  while (replay_pos_ < replay_.size()) {
    char c = replay_[replay_pos_++];
    if (!Step(c, sink)) Recover(error_message_, sink);
  }
  replay_.clear();
  replay_pos_ = 0;
}

void CsvParser::Feed(std::string_view chunk, CsvSink* sink) {
  const char* data = chunk.data();
  size_t i = 0, n = chunk.size();
  const char delim = options_.delimiter;
  while (i < n) {
    // Fast path inside a field with nothing to replay: copy the run of ordinary bytes at once.
    // Same effect as Step() on each byte (no state change, no line count, within the bounds).
    if ((state_ == State::kUnquoted || state_ == State::kQuoted) && !at_stream_start_ && !skip_lf_ &&
        replay_pos_ >= replay_.size() && field_count_ < options_.max_fields &&
        raw_.size() < options_.max_record_bytes) {
      size_t limit = std::min(n, i + (options_.max_record_bytes - raw_.size()));
      size_t j = FindAnyOf3(data, i, limit, state_ == State::kUnquoted ? delim : '"', '\n', '\r');
      if (j > i) {
        raw_.append(data + i, j - i);
        fields_[field_count_].append(data + i, j - i);
        i = j;
        continue;
      }
    }
    if (!Step(data[i++], sink)) Recover(error_message_, sink);
    if (replay_pos_ < replay_.size()) Drain(sink);
  }
}

void CsvParser::Finish(CsvSink* sink) {
  at_stream_start_ = false;
  if (bom_seen_ > 0 && bom_seen_ < 3) {
    std::string held(kBom, bom_seen_);
    bom_seen_ = 3;
    Feed(held, sink);
  }
  // Each pass over an unterminated quote drops one line, so this terminates.
  for (;;) {
    Drain(sink);
    if (state_ == State::kQuoted) {
      Recover("unterminated quoted field (a '\"' opened here is never closed)", sink);
      continue;
    }
    break;
  }
  if (state_ == State::kUnquoted || state_ == State::kQuoteInQuoted ||
      (state_ == State::kFieldStart && (field_count_ > 0 || !fields_[0].empty()))) {
    EndField();
    EndRecord(sink);
  }
  ResetRecord();
}

bool ParseCsvCells(std::string_view text, char delimiter, std::vector<std::string>* fields) {
  fields->clear();
  CsvOptions options;
  options.delimiter = delimiter;
  CsvParser parser(options);
  CellSink sink(fields);
  parser.Feed(text, &sink);
  parser.Finish(&sink);
  return sink.ok();
}

}  // namespace phaseout
