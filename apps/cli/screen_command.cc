// `phaseout screen`: screens purchase/catalogue lines (CSV or JSON lines) against the selected
// policies and prints explainable verdicts. Wiring only; rules live in src/screening.
#include <CLI/CLI.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/cli/commands.h"
#include "report/screen_report.h"
#include "screening/catalogue_reader.h"
#include "screening/list_import.h"
#include "screening/screener.h"
#include "screening/screening_context.h"

namespace phaseout::cli {
namespace {

bool AsciiLowerSuffix(const std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char c = s[s.size() - suffix.size() + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

struct ScreenFlags {
  std::string file;
  std::vector<std::string> policies;
  std::string format;
  std::string fail_on = "prohibited";
  std::vector<std::string> maps;
  std::string as_of;
  bool explain = false;
  std::string output;
  std::string data_dir;
  bool no_lists = false;
};

// Screens each line as it is read and writes it out at once (memory bounded).
class ScreenSink : public screening::LineSink {
 public:
  ScreenSink(const screening::Screener& screener, const screening::ScreenOptions& options,
             report::ScreeningWriter* writer, model::VerdictStatus fail_on, std::string name)
      : screener_(screener), options_(options), writer_(writer), fail_on_(fail_on), name_(std::move(name)) {}

  void OnLine(const screening::CatalogueLine& line) override {
    Begin();
    screener_.Screen(line, options_, &result_);
    writer_->Write(line, result_);
    CheckFields(line);
    ++summary_.lines;
    int worst = 0;
    for (const auto& v : result_.verdicts) worst = std::max(worst, static_cast<int>(v.status));
    if (worst == static_cast<int>(model::VerdictStatus::kProhibited)) ++summary_.prohibited;
    else if (worst == static_cast<int>(model::VerdictStatus::kReview)) ++summary_.review;
    else ++summary_.clear;
    if (worst >= static_cast<int>(fail_on_)) findings_ = true;
  }
  void OnLineError(uint64_t line, const std::string& message) override {
    ++summary_.unreadable;
    std::fprintf(stderr, "phaseout screen: %s:%llu: %s; line not screened\n", name_.c_str(),
                 static_cast<unsigned long long>(line), message.c_str());
  }
  // The writer starts with the first line, so input refused as a whole writes no rows at all.
  void Begin() {
    if (!begun_) writer_->Begin();
    begun_ = true;
  }
  bool begun() const { return begun_; }
  // Warnings about lines that were screened but look wrong (stderr, once, after the run).
  void Warn() const {
    for (size_t f = 0; f < screening::kFieldCount; ++f) {
      uint64_t filled = filled_[f], numeric = numeric_[f];
      auto field = static_cast<screening::Field>(f);
      bool name_field = field == screening::Field::kManufacturer || field == screening::Field::kBrand ||
                        field == screening::Field::kSupplier || field == screening::Field::kDescription;
      if (name_field && filled >= 1 && numeric * 2 > filled) {
        std::fprintf(stderr,
                     "phaseout screen: %s: the column read as %s holds only numbers in %llu of %llu lines; is it "
                     "mapped right? (check the header or --map)\n",
                     name_.c_str(), screening::FieldName(field), static_cast<unsigned long long>(numeric),
                     static_cast<unsigned long long>(filled));
      }
    }
    if (long_fields_ > 0) {
      std::fprintf(stderr,
                   "phaseout screen: %s: %llu line(s) have a field longer than %zu bytes; names are looked for in "
                   "the first %zu bytes of a field only, so none of these lines is given 'clear' (at least 'review')\n",
                   name_.c_str(), static_cast<unsigned long long>(long_fields_), screening::kMaxScreenedFieldBytes,
                   screening::kMaxScreenedFieldBytes);
    }
  }
  const report::ScreenSummary& summary() const { return summary_; }
  bool findings() const { return findings_; }

 private:
  const screening::Screener& screener_;
  const screening::ScreenOptions& options_;
  report::ScreeningWriter* writer_;
  model::VerdictStatus fail_on_;
  std::string name_;
  screening::ScreenResult result_;
  report::ScreenSummary summary_;
  bool findings_ = false;
  bool begun_ = false;
  std::array<uint64_t, screening::kFieldCount> filled_{}, numeric_{};
  uint64_t long_fields_ = 0;

  void CheckFields(const screening::CatalogueLine& line) {
    bool long_field = false;
    for (size_t f = 0; f < screening::kFieldCount; ++f) {
      const std::string& v = line.fields[f];
      if (v.empty()) continue;
      ++filled_[f];
      if (v.find_first_not_of("0123456789.,-+ ") == std::string::npos) ++numeric_[f];
      long_field |= v.size() > screening::kMaxScreenedFieldBytes;
    }
    if (long_field) ++long_fields_;
  }
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "phaseout screen: %s\n", message.c_str());
  return kExitUsage;
}

int RunScreen(const ScreenFlags& flags) {
  // Flags first: usage errors must not depend on data loading.
  report::ScreenFormat format = report::ScreenFormat::kNdjson;
  bool to_tty = flags.output.empty() && ::isatty(STDOUT_FILENO);
  if (flags.format.empty()) {
    format = to_tty ? report::ScreenFormat::kTable : report::ScreenFormat::kNdjson;
  } else if (!report::ParseScreenFormat(flags.format, &format)) {
    return Usage("unknown --format '" + flags.format + "'; use table, ndjson, csv or json");
  }
  model::VerdictStatus fail_on;
  if (flags.fail_on == "prohibited") fail_on = model::VerdictStatus::kProhibited;
  else if (flags.fail_on == "review") fail_on = model::VerdictStatus::kReview;
  else return Usage("unknown --fail-on '" + flags.fail_on + "'; use prohibited or review");
  screening::ReaderOptions reader_options;
  reader_options.format = screening::FormatFromPath(flags.file);
  if (flags.file.size() > 4 && AsciiLowerSuffix(flags.file, ".tsv")) {
    reader_options.csv.delimiter = '\t';
    reader_options.delimiter_set = true;
  }
  for (const auto& m : flags.maps) {
    auto eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      return Usage("--map expects FROM=TO (e.g. --map 'Mfr Name=manufacturer'), got '" + m + "'");
    }
    reader_options.column_map.emplace_back(m.substr(0, eq), m.substr(eq + 1));
  }
  screening::ScreenOptions options;
  options.explain = flags.explain;
  if (!flags.as_of.empty()) {
    auto d = policy::CivilDate::Parse(flags.as_of);
    if (!d) return Usage("--as-of: " + d.error().message);
    options.as_of = *d;
  }

  auto ctx = screening::ScreeningContext::Load(flags.data_dir);
  if (!ctx) {
    std::fprintf(stderr, "phaseout screen: %s\n", ctx.error().message.c_str());
    return ctx.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitRuntime;
  }
  auto selected = ctx->policies->Select(flags.policies);
  if (!selected) return Usage(selected.error().message);
  std::vector<std::string> ids;
  for (const auto* p : *selected) ids.push_back(p->id);

  std::vector<screening::ListEntity> list_entities;
  if (!flags.no_lists) {
    auto root = screening::ListsRoot();
    if (root) {
      auto loaded = screening::LoadStoredLists(*root, ids);
      if (!loaded) {
        std::fprintf(stderr, "phaseout screen: %s\n", loaded.error().message.c_str());
        return kExitRuntime;
      }
      list_entities = std::move(*loaded);
    }
  }
  auto screener = screening::Screener::Create(*ctx->policies, *selected, ctx->data, list_entities);
  if (!screener) {
    std::fprintf(stderr, "phaseout screen: %s\n", screener.error().message.c_str());
    return kExitRuntime;
  }

  std::FILE* in = stdin;
  std::string name = flags.file == "-" ? "<stdin>" : flags.file;
  if (flags.file != "-") {
    struct stat st_buf;
    if (::stat(flags.file.c_str(), &st_buf) == 0 && S_ISDIR(st_buf.st_mode)) {
      return Usage(flags.file + ": is a directory, not a CSV or JSON-lines file; nothing was screened. Give a file "
                   "(columns named with --map FROM=TO if needed)");
    }
    in = std::fopen(flags.file.c_str(), "rb");
    if (!in) {
      std::fprintf(stderr, "phaseout screen: %s: cannot open: %s\n", flags.file.c_str(), std::strerror(errno));
      return kExitRuntime;
    }
  }
  std::FILE* out = stdout;
  if (!flags.output.empty()) {
    out = std::fopen(flags.output.c_str(), "wb");
    if (!out) {
      std::fprintf(stderr, "phaseout screen: %s: cannot write: %s\n", flags.output.c_str(), std::strerror(errno));
      if (in != stdin) std::fclose(in);
      return kExitRuntime;
    }
  }
  report::ScreeningWriter writer(out, format, ids);
  ScreenSink sink(**screener, options, &writer, fail_on, name);
  Status st = screening::ReadCatalogue(in, name, reader_options, &sink);
  bool refused = !st.ok() && st.error().code == ErrorCode::kInvalidArgument;
  if (!refused) {
    sink.Begin();
    writer.End(sink.summary());
  }
  sink.Warn();
  if (in != stdin) std::fclose(in);
  bool write_failed = std::ferror(out) != 0;
  if (out != stdout) write_failed |= std::fclose(out) != 0;
  if (write_failed) {
    std::fprintf(stderr, "phaseout screen: write error on output\n");
    return kExitRuntime;
  }
  if (refused) {
    // The input as a whole is not a catalogue (not text, or no known column): a usage error.
    std::fprintf(stderr, "phaseout screen: %s\n", st.error().message.c_str());
    if (out != stdout) std::remove(flags.output.c_str());
    return kExitUsage;
  }
  if (!st.ok()) {
    std::fprintf(stderr, "phaseout screen: %s\n", st.error().message.c_str());
    return kExitRuntime;
  }
  if (sink.summary().unreadable > 0) {
    std::fprintf(stderr, "phaseout screen: %llu line(s) could not be read and were not screened\n",
                 static_cast<unsigned long long>(sink.summary().unreadable));
    return kExitRuntime;
  }
  return sink.findings() ? kExitFindings : kExitOk;
}

}  // namespace

void AddScreenCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ScreenFlags>();
  auto* cmd = app.add_subcommand(
      "screen",
      "Screen purchase/catalogue lines (CSV with a header row, or JSON lines; '-' = stdin) against "
      "restricted-vendor policies. Exit 0: nothing at or above --fail-on; 3: something is; "
      "1: runtime error or unreadable lines; 2: usage error.");
  cmd->add_option("file", flags->file, "Input file (.csv, .jsonl/.ndjson, or '-' for stdin)")->required();
  cmd->add_option("--policy", flags->policies, "Policy id (repeatable; default: all shipped policies)");
  cmd->add_option("--format", flags->format, "table|ndjson|csv|json (default: table on a terminal, else ndjson)");
  cmd->add_option("--fail-on", flags->fail_on, "prohibited|review: lowest status that makes the exit code 3");
  cmd->add_option("--map", flags->maps, "Rename an input column: FROM=TO (repeatable)");
  cmd->add_option("--as-of", flags->as_of, "Date (YYYY[-MM[-DD]]) for dated ownership when a line has no date");
  cmd->add_flag("--explain", flags->explain, "Show normalised fields, candidates, scores and the deciding rule");
  cmd->add_option("--output,-o", flags->output, "Write results to FILE instead of stdout");
  cmd->add_option("--data-dir", flags->data_dir, "Data directory (vendors.yaml, policies/, screening/)");
  cmd->add_flag("--no-lists", flags->no_lists, "Ignore imported lists");
  cmd->callback([flags, exit_code] { *exit_code = RunScreen(*flags); });
}

}  // namespace phaseout::cli
