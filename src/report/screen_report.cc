// Screening result renderers.
#include "report/screen_report.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/csv_writer.h"
#include "core/display_text.h"

namespace phaseout::report {
namespace {

using screening::Match;
using screening::MatchContext;

void AppendScore(double v, std::string* out) {
  // The common scores, byte-identical to "%.2f" without the cost of snprintf.
  if (v == 1.0) return out->append("1.00"), void();
  if (v == 0.7) return out->append("0.70"), void();
  if (v == 0.5) return out->append("0.50"), void();
  char buf[16];
  int n = std::snprintf(buf, sizeof buf, "%.2f", v);
  out->append(buf, n);
}

void AppendUint(uint64_t v, std::string* out) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  out->append(p, end - p);
}

std::string Truncate(std::string_view s, size_t n) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    out.push_back(c);
  }
  if (out.size() > n) {
    out.resize(Utf8Prefix(out, n - 3).size());  // on a UTF-8 boundary
    out += "...";
  }
  return out;
}

void AppendMatchJson(const Match& m, std::string* out) {
  out->append("{\"entity\":");
  AppendJsonString(m.entity, out);
  out->append(",\"entity_name\":");
  AppendJsonString(m.entity_name, out);
  out->append(",\"kind\":");
  AppendJsonString(screening::MatchKindName(m.kind), out);
  out->append(",\"field\":");
  AppendJsonString(screening::FieldName(m.field), out);
  out->append(",\"value\":");
  AppendJsonString(m.value, out);
  out->append(",\"name\":");
  AppendJsonString(m.name, out);
  out->append(",\"score\":");
  AppendScore(m.score, out);
  out->append(",\"source\":");
  AppendJsonString(m.source, out);
  out->append(m.strong ? ",\"strong\":true" : ",\"strong\":false");
  if (m.context != MatchContext::kNone) {
    out->append(",\"context\":");
    AppendJsonString(screening::MatchContextName(m.context), out);
  }
  if (!m.cue.empty()) {
    out->append(",\"cue\":");
    AppendJsonString(m.cue, out);
  }
  if (!m.note.empty()) {
    out->append(",\"note\":");
    AppendJsonString(m.note, out);
  }
  out->push_back('}');
}

// True iff `a` and `b` render to the same JSON object (every field AppendMatchJson writes).
bool SameMatchJson(const Match& a, const Match& b) {
  return a.kind == b.kind && a.field == b.field && a.strong == b.strong && a.context == b.context && a.cue == b.cue &&
         a.score == b.score && a.entity == b.entity && a.value == b.value && a.name == b.name &&
         a.note == b.note && a.source == b.source && a.entity_name == b.entity_name;
}

}  // namespace

bool ParseScreenFormat(std::string_view text, ScreenFormat* out) {
  if (text == "table") *out = ScreenFormat::kTable;
  else if (text == "ndjson") *out = ScreenFormat::kNdjson;
  else if (text == "csv") *out = ScreenFormat::kCsv;
  else if (text == "json") *out = ScreenFormat::kJson;
  else return false;
  return true;
}

std::string ScreenResultJson(const screening::CatalogueLine& line, const screening::ScreenResult& result) {
  std::string out;
  out.reserve(256);
  AppendScreenResultJson(line, result, &out);
  return out;
}

void AppendScreenResultJson(const screening::CatalogueLine& line, const screening::ScreenResult& result,
                            std::string* out_buf) {
  ScreeningWriter::AppendResultJson(line, result, nullptr, out_buf);
}

void ScreeningWriter::AppendResultJson(const screening::CatalogueLine& line, const screening::ScreenResult& result,
                                       std::vector<CachedVerdict>* cache, std::string* out_buf) {
  std::string& out = *out_buf;
  // The same evidence usually appears under several policies: render it once per line and
  // copy the bytes (offset, length into `out`) for the repeats.
  struct Rendered {
    const Match* match;
    size_t offset, size;
  };
  thread_local std::vector<Rendered> rendered;
  rendered.clear();
  out.append("{\"line_id\":");
  AppendJsonString(line.line_id, &out);
  out.append(",\"line\":");
  AppendUint(line.line_number, &out);
  out.append(",\"verdicts\":[");
  for (size_t i = 0; i < result.verdicts.size(); ++i) {
    const auto& v = result.verdicts[i];
    if (i) out.push_back(',');
    // Most verdicts of a file repeat the previous line's verdict for the same policy ("clear:
    // no evidence"): reuse its rendered JSON instead of escaping the same strings again.
    CachedVerdict* cached = nullptr;
    if (cache && v.matches.empty()) {
      if (cache->size() <= i) cache->resize(i + 1);
      cached = &(*cache)[i];
      if (cached->valid && cached->status == v.status && cached->policy == v.policy && cached->reason == v.reason &&
          cached->clause == v.clause && cached->rule == v.rule) {
        out.append(cached->json);
        continue;
      }
    }
    size_t start = out.size();
    out.append("{\"policy\":");
    AppendJsonString(v.policy, &out);
    out.append(",\"status\":");
    AppendJsonString(model::VerdictStatusName(v.status), &out);
    out.append(",\"reason\":");
    AppendJsonString(v.reason, &out);
    if (!v.clause.empty()) {
      out.append(",\"clause\":");
      AppendJsonString(v.clause, &out);
    }
    out.append(",\"rule\":");
    AppendJsonString(v.rule, &out);
    out.append(",\"matches\":[");
    for (size_t k = 0; k < v.matches.size(); ++k) {
      if (k) out.push_back(',');
      const Match& m = v.matches[k];
      const Rendered* same = nullptr;
      for (const Rendered& r : rendered) {
        if (SameMatchJson(*r.match, m)) {
          same = &r;
          break;
        }
      }
      if (same) {
        out.reserve(out.size() + same->size);  // so the source bytes do not move while copied
        out.append(out.data() + same->offset, same->size);
      } else {
        size_t at = out.size();
        AppendMatchJson(m, &out);
        if (rendered.size() < 32) rendered.push_back(Rendered{&m, at, out.size() - at});
      }
    }
    out.append("]}");
    if (cached) {
      cached->valid = true;
      cached->status = v.status;
      cached->policy = v.policy;
      cached->reason = v.reason;
      cached->clause = v.clause;
      cached->rule = v.rule;
      cached->json.assign(out, start, std::string::npos);
    }
  }
  out.append("],\"fields\":{");
  for (size_t i = 0; i < line.passthrough.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(line.passthrough[i].first, &out);
    out.push_back(':');
    AppendJsonString(line.passthrough[i].second, &out);
  }
  out.push_back('}');
  if (result.explanation) {
    const auto& ex = *result.explanation;
    out.append(",\"explain\":{\"subject\":");
    AppendJsonString(ex.subject, &out);
    out.append(",\"normalised\":{");
    for (size_t i = 0; i < ex.normalised.size(); ++i) {
      if (i) out.push_back(',');
      AppendJsonString(screening::FieldName(ex.normalised[i].first), &out);
      out.push_back(':');
      AppendJsonString(ex.normalised[i].second, &out);
    }
    out.append("},\"model_tokens\":[");
    for (size_t i = 0; i < ex.model_tokens.size(); ++i) {
      if (i) out.push_back(',');
      AppendJsonString(ex.model_tokens[i], &out);
    }
    out.append("],\"trace\":[");
    for (size_t i = 0; i < ex.notes.size(); ++i) {
      if (i) out.push_back(',');
      AppendJsonString(ex.notes[i], &out);
    }
    out.append("]}");
  }
  out.push_back('}');
}

ScreeningWriter::ScreeningWriter(std::FILE* out, ScreenFormat format, std::vector<std::string> policies)
    : out_(out), format_(format), policies_(std::move(policies)) {}

void ScreeningWriter::Flush(bool force) {
  if (force || buf_.size() >= 64 * 1024) {
    std::fwrite(buf_.data(), 1, buf_.size(), out_);
    buf_.clear();
  }
}

void ScreeningWriter::Begin() {
  switch (format_) {
    case ScreenFormat::kCsv:
      buf_.append("line_id,line,policy,status,reason,clause,entities,kinds,fields,values,sources\n");
      break;
    case ScreenFormat::kJson:
      buf_.append("[");
      break;
    case ScreenFormat::kTable: {
      char head[256];
      std::snprintf(head, sizeof head, "%-12s %-22s %-10s %-16s %-13s %-12s %s\n", "LINE_ID", "POLICY", "STATUS",
                    "ENTITY", "KIND", "FIELD", "REASON");
      buf_.append(head);
      break;
    }
    case ScreenFormat::kNdjson:
      break;
  }
  Flush(false);
}

void ScreeningWriter::Write(const screening::CatalogueLine& line, const screening::ScreenResult& result) {
  switch (format_) {
    case ScreenFormat::kNdjson:
      AppendResultJson(line, result, &verdict_cache_, &buf_);
      buf_.push_back('\n');
      break;
    case ScreenFormat::kJson:
      buf_.append(first_ ? "\n" : ",\n");
      AppendResultJson(line, result, &verdict_cache_, &buf_);
      break;
    case ScreenFormat::kCsv:
      for (const auto& v : result.verdicts) {
        std::string entities, kinds, fields, values, sources;
        for (const auto& m : v.matches) {
          auto add = [](std::string* dst, std::string_view s) {
            if (!dst->empty()) dst->append("; ");
            dst->append(s);
          };
          add(&entities, m.entity);
          add(&kinds, screening::MatchKindName(m.kind));
          add(&fields, screening::FieldName(m.field));
          add(&values, m.value);
          add(&sources, m.source);
        }
        // Cells quoted and formula-guarded by the one CSV writer (core/csv_writer.h): line ids,
        // reasons and matched values come from the input file.
        AppendCsvField(line.line_id, &buf_);
        buf_.push_back(',');
        buf_.append(std::to_string(line.line_number));
        buf_.push_back(',');
        AppendCsvField(v.policy, &buf_);
        buf_.push_back(',');
        buf_.append(model::VerdictStatusName(v.status));
        buf_.push_back(',');
        AppendCsvField(v.reason, &buf_);
        buf_.push_back(',');
        AppendCsvField(v.clause, &buf_);
        for (const std::string* s : {&entities, &kinds, &fields, &values, &sources}) {
          buf_.push_back(',');
          AppendCsvField(*s, &buf_);
        }
        buf_.push_back('\n');
      }
      break;
    case ScreenFormat::kTable:
      for (const auto& v : result.verdicts) {
        const Match* m = v.matches.empty() ? nullptr : &v.matches.front();
        char row[512];
        std::snprintf(row, sizeof row, "%-12s %-22s %-10s %-16s %-13s %-12s ", Truncate(line.line_id, 12).c_str(),
                      Truncate(v.policy, 22).c_str(), model::VerdictStatusName(v.status),
                      m ? Truncate(m->entity, 16).c_str() : "-", m ? screening::MatchKindName(m->kind) : "-",
                      m ? screening::FieldName(m->field) : "-");
        buf_.append(row);
        buf_.append(Truncate(v.reason, 160));
        buf_.push_back('\n');
      }
      if (result.explanation) {
        const auto& ex = *result.explanation;
        buf_.append("  explain line " + line.line_id + ":\n");
        buf_.append("    subject: " + ex.subject + "\n");
        for (const auto& [f, text] : ex.normalised) {
          buf_.append("    normalised ");
          buf_.append(screening::FieldName(f));
          buf_.append(": ");
          buf_.append(text);
          buf_.push_back('\n');
        }
        if (!ex.model_tokens.empty()) {
          buf_.append("    model tokens:");
          for (const auto& t : ex.model_tokens) buf_.append(" " + t);
          buf_.push_back('\n');
        }
        for (const auto& n : ex.notes) buf_.append("    " + n + "\n");
      }
      break;
  }
  first_ = false;
  Flush(false);
}

void ScreeningWriter::End(const ScreenSummary& s) {
  if (format_ == ScreenFormat::kJson) buf_.append(first_ ? "]\n" : "\n]\n");
  if (format_ == ScreenFormat::kTable) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "\n%llu lines screened: %llu prohibited, %llu review, %llu clear; %llu unreadable\n",
                  static_cast<unsigned long long>(s.lines), static_cast<unsigned long long>(s.prohibited),
                  static_cast<unsigned long long>(s.review), static_cast<unsigned long long>(s.clear),
                  static_cast<unsigned long long>(s.unreadable));
    buf_.append(line);
  }
  Flush(true);
  std::fflush(out_);
}

}  // namespace phaseout::report
