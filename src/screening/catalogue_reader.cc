// CSV and JSON-lines catalogue readers.
#include "screening/catalogue_reader.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <optional>

#include "core/json_dump.h"
#include "core/strings.h"
#include "core/utf8.h"

namespace phaseout::screening {
namespace {

constexpr size_t kChunk = 64 * 1024;

// Maps a header cell to (field, is_line_id) after --map renames.
struct ColumnRole {
  std::optional<Field> field;
  bool line_id = false;
  std::string name;  // as written
};

ColumnRole RoleOf(std::string_view header, const ReaderOptions& options) {
  ColumnRole role;
  role.name = std::string(Trim(header));
  std::string canon = CanonicalColumnName(header);
  for (const auto& [from, to] : options.column_map) {
    if (CanonicalColumnName(from) == canon) {
      canon = CanonicalColumnName(to);
      break;
    }
  }
  if (canon == "line_id") {
    role.line_id = true;
  } else {
    role.field = FieldFromName(canon);
  }
  return role;
}

// Byte source over a FILE* or a buffer.
class Source {
 public:
  explicit Source(std::FILE* f) : file_(f) {}
  explicit Source(std::string_view data) : data_(data) {}
  // Returns the next chunk; empty at end of input. Sets *error on a read error.
  std::string_view Next(bool* error) {
    if (file_) {
      size_t n = std::fread(buf_, 1, sizeof buf_, file_);
      if (n == 0 && std::ferror(file_)) *error = true;
      return {buf_, n};
    }
    std::string_view out = data_.substr(0, kChunk);
    data_.remove_prefix(out.size());
    return out;
  }

 private:
  std::FILE* file_ = nullptr;
  std::string_view data_;
  char buf_[kChunk];
};

class CsvLineAdapter : public CsvSink {
 public:
  CsvLineAdapter(std::string_view name, const ReaderOptions& options, LineSink* sink)
      : name_(name), options_(options), sink_(sink) {}

  void OnRecord(uint64_t line, std::span<std::string> fields) override {
    if (!have_header_) {
      have_header_ = true;
      for (const auto& h : fields) {
        roles_.push_back(RoleOf(h, options_));
        if (roles_.back().field || roles_.back().line_id) recognised_ = true;
        if (!header_text_.empty()) header_text_ += ", ";
        header_text_ += "'" + std::string(Trim(h)).substr(0, 40) + "'";
      }
      return;
    }
    // Nothing is screened under a header that maps to no known column: not a single "clear"
    // row for lines that were never read as purchase lines.
    if (!recognised_) return;
    ++row_;
    if (fields.size() != roles_.size()) {
      sink_->OnLineError(line, "expected " + std::to_string(roles_.size()) + " fields (header), found " +
                                   std::to_string(fields.size()));
      return;
    }
    line_.Clear();
    line_.line_number = line;
    line_.row = row_;
    for (size_t i = 0; i < fields.size(); ++i) {
      size_t bad = 0;
      if (!IsValidUtf8(fields[i], &bad)) {
        sink_->OnLineError(line, "invalid UTF-8 in column '" + roles_[i].name + "' at byte " +
                                     std::to_string(bad + 1) + " (save the file as UTF-8)");
        return;
      }
      const ColumnRole& role = roles_[i];
      if (role.line_id) {
        line_.line_id = std::string(Trim(fields[i]));
      } else if (role.field) {
        std::string& dst = line_.get(*role.field);
        // Swap rather than move: both buffers keep their capacity for the next record (the
        // parser clears a field before reusing it).
        if (dst.empty()) dst.swap(fields[i]);
      } else {
        line_.passthrough.emplace_back(role.name, std::move(fields[i]));
      }
    }
    if (line_.line_id.empty()) line_.line_id = std::to_string(row_);
    sink_->OnLine(line_);
  }
  void OnError(uint64_t line, std::string_view message) override {
    if (have_header_ && !recognised_) return;
    if (have_header_) ++row_;
    sink_->OnLineError(line, std::string(message));
  }
  bool have_header() const { return have_header_; }
  bool recognised() const { return recognised_; }
  const std::string& header_text() const { return header_text_; }

 private:
  std::string_view name_;
  const ReaderOptions& options_;
  LineSink* sink_;
  bool have_header_ = false;
  bool recognised_ = false;
  std::vector<ColumnRole> roles_;
  std::string header_text_;
  uint64_t row_ = 0;
  CatalogueLine line_;
};

void HandleJsonLine(std::string_view text, uint64_t line_number, uint64_t row, const ReaderOptions& options,
                    CatalogueLine* line, LineSink* sink) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    std::string msg = e.what();
    sink->OnLineError(line_number, "invalid JSON: " + msg.substr(msg.find(']') == std::string::npos ? 0 : msg.find(']') + 2));
    return;
  }
  if (!j.is_object()) {
    sink->OnLineError(line_number, "expected a JSON object per line");
    return;
  }
  line->Clear();
  line->line_number = line_number;
  line->row = row;
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string value;
    if (it->is_string()) {
      value = it->get<std::string>();
    } else if (!it->is_null()) {
      value = DumpJson(*it);
    }
    ColumnRole role = RoleOf(it.key(), options);
    if (role.line_id) {
      line->line_id = std::string(Trim(value));
    } else if (role.field) {
      std::string& dst = line->get(*role.field);
      if (dst.empty()) dst = std::move(value);
    } else {
      line->passthrough.emplace_back(it.key(), std::move(value));
    }
  }
  if (line->line_id.empty()) line->line_id = std::to_string(row);
  sink->OnLine(*line);
}

// Why the first bytes of an input are not a text catalogue ("" when they look like text):
// UTF-16/UTF-32 (byte-order mark or NUL bytes between ASCII letters) or binary data (NUL or many
// control bytes).
std::string NotTextProblem(std::string_view head) {
  head = head.substr(0, 4096);
  if (head.substr(0, 2) == "\xFF\xFE" || head.substr(0, 2) == "\xFE\xFF") {
    return "the file is UTF-16 or UTF-32 text (byte-order mark " +
           std::string(head[0] == '\xFF' ? "FF FE" : "FE FF") + "), not UTF-8";
  }
  size_t nul = 0, control = 0, nul_odd = 0;
  for (size_t i = 0; i < head.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(head[i]);
    if (c == 0) {
      ++nul;
      if (i % 2 == 1) ++nul_odd;
    } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
      ++control;
    }
  }
  if (nul > 0 && nul * 4 >= head.size() && (nul_odd * 10 >= nul * 9 || nul_odd * 10 <= nul)) {
    return "the file looks like UTF-16 text without a byte-order mark (NUL bytes between characters), not UTF-8";
  }
  if (nul > 0 || control * 20 > head.size()) {
    return "the file is not text (binary data: " + std::to_string(nul) + " NUL and " + std::to_string(control) +
           " control bytes in the first " + std::to_string(head.size()) + " bytes)";
  }
  return "";
}

// The delimiter of a CSV file from its header line: ',' unless ';' or tab occur more often
// outside quotes.
char SniffDelimiter(std::string_view probe, char fallback) {
  size_t comma = 0, semicolon = 0, tab = 0;
  bool quoted = false;
  for (char c : probe) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    if (c == ',') ++comma;
    else if (c == ';') ++semicolon;
    else if (c == '\t') ++tab;
  }
  if (tab > comma && tab >= semicolon && tab > 0) return '\t';
  if (semicolon > comma && semicolon > 0) return ';';
  return comma > 0 ? ',' : fallback;
}

Status ReadCsv(Source* src, std::string_view chunk, std::string_view name, const ReaderOptions& options,
               LineSink* sink);
Status ReadJsonLines(Source* src, std::string_view chunk, std::string_view name, const ReaderOptions& options,
                     LineSink* sink);

Status ReadFrom(Source* src, std::string_view name, const ReaderOptions& options, LineSink* sink) {
  bool io_error = false;
  std::string_view chunk = src->Next(&io_error);
  if (io_error) return MakeError(ErrorCode::kIo, std::string(name) + ": read error");
  // Sniff: skip a BOM and white space.
  std::string_view probe = chunk;
  if (probe.substr(0, 3) == "\xEF\xBB\xBF") probe.remove_prefix(3);
  size_t first = probe.find_first_not_of(" \t\r\n");
  if (chunk.empty() || first == std::string_view::npos) {
    // A chunk of only white space might be followed by more; an empty chunk is the end.
    if (chunk.empty()) return MakeError(ErrorCode::kParse, std::string(name) + ": empty input (no header row)");
  }
  if (std::string problem = NotTextProblem(chunk); !problem.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(name) + ": " + problem + "; nothing was screened. Save the file as UTF-8 CSV "
                     "(or JSON lines) with a header row; name columns with --map FROM=TO if needed");
  }
  InputFormat format = options.format;
  if (format == InputFormat::kAuto) {
    format = (first != std::string_view::npos && probe[first] == '{') ? InputFormat::kJsonLines : InputFormat::kCsv;
  }
  if (format == InputFormat::kCsv) {
    ReaderOptions sniffed = options;
    if (!options.delimiter_set) sniffed.csv.delimiter = SniffDelimiter(probe, options.csv.delimiter);
    return ReadCsv(src, chunk, name, sniffed, sink);
  }
  return ReadJsonLines(src, chunk, name, options, sink);
}

Status ReadCsv(Source* src, std::string_view chunk, std::string_view name, const ReaderOptions& options,
               LineSink* sink) {
  bool io_error = false;
  {
    CsvParser parser(options.csv);
    CsvLineAdapter adapter(name, options, sink);
    while (!chunk.empty()) {
      parser.Feed(chunk, &adapter);
      chunk = src->Next(&io_error);
      if (io_error) return MakeError(ErrorCode::kIo, std::string(name) + ": read error");
    }
    parser.Finish(&adapter);
    if (!adapter.have_header()) return MakeError(ErrorCode::kParse, std::string(name) + ": empty input (no header row)");
    if (!adapter.recognised()) {
      std::string delim = options.csv.delimiter == '\t' ? "tab" : std::string("'") + options.csv.delimiter + "'";
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(name) + ": line 1: the header (" + adapter.header_text() + ", read with delimiter " +
                           delim + ") maps to no known column (line_id, description, manufacturer, brand, model, "
                           "part_number, supplier, unspsc, date); nothing was screened. Name the columns with --map, "
                           "e.g. --map 'Item Text=description' --map 'Mfr Name=manufacturer'");
    }
    return Status::Ok();
  }
}

Status ReadJsonLines(Source* src, std::string_view chunk, std::string_view name, const ReaderOptions& options,
                     LineSink* sink) {
  bool io_error = false;
  std::string pending;
  uint64_t line_number = 0;
  uint64_t row = 0;
  bool skipping = false;
  bool any = false;
  CatalogueLine line;
  auto finish_line = [&](std::string_view text) {
    ++line_number;
    if (line_number == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (Trim(text).empty()) return;
    any = true;
    ++row;
    HandleJsonLine(text, line_number, row, options, &line, sink);
  };
  while (!chunk.empty()) {
    size_t pos = 0;
    while (pos < chunk.size()) {
      size_t nl = chunk.find('\n', pos);
      std::string_view piece = chunk.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      if (!skipping) {
        if (pending.size() + piece.size() > options.max_json_line_bytes) {
          skipping = true;
          pending.clear();
        } else {
          pending.append(piece);
        }
      }
      if (nl == std::string_view::npos) break;
      if (skipping) {
        ++line_number;
        ++row;
        any = true;
        sink->OnLineError(line_number, "line longer than " + std::to_string(options.max_json_line_bytes) + " bytes; skipped");
        skipping = false;
      } else {
        finish_line(pending);
      }
      pending.clear();
      pos = nl + 1;
    }
    chunk = src->Next(&io_error);
    if (io_error) return MakeError(ErrorCode::kIo, std::string(name) + ": read error");
  }
  if (skipping) {
    ++line_number;
    any = true;
    sink->OnLineError(line_number, "line longer than " + std::to_string(options.max_json_line_bytes) + " bytes; skipped");
  } else if (!pending.empty()) {
    finish_line(pending);
  }
  if (!any) return MakeError(ErrorCode::kParse, std::string(name) + ": empty input (no lines)");
  return Status::Ok();
}

}  // namespace

InputFormat FormatFromPath(std::string_view path) {
  std::string lower = AsciiLower(path);
  auto ends = [&](std::string_view s) { return lower.size() >= s.size() && lower.compare(lower.size() - s.size(), s.size(), s) == 0; };
  if (ends(".csv") || ends(".tsv")) return InputFormat::kCsv;
  if (ends(".jsonl") || ends(".ndjson") || ends(".json")) return InputFormat::kJsonLines;
  return InputFormat::kAuto;
}

Status ReadCatalogue(std::FILE* file, std::string_view name, const ReaderOptions& options, LineSink* sink) {
  auto src = std::make_unique<Source>(file);
  return ReadFrom(src.get(), name, options, sink);
}

Status ReadCatalogueFromString(std::string_view data, std::string_view name, const ReaderOptions& options,
                               LineSink* sink) {
  auto src = std::make_unique<Source>(data);
  return ReadFrom(src.get(), name, options, sink);
}

}  // namespace phaseout::screening
