// Spooling a scan's NDJSON output (see scan_spool.h).
#include "agent/scan_spool.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent/messages.h"

namespace phaseout::agent {
namespace {

using json = nlohmann::json;

std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

}  // namespace

Result<SpooledScan> SpoolScanFile(Spool& spool, const std::string& ndjson_path, const ScanSpoolOptions& options) {
  std::ifstream in(ndjson_path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kNotFound, "cannot read scan results '" + ndjson_path + "': " + std::strerror(errno));
  }
  auto not_scan = [&](const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "'" + ndjson_path + "' is not the NDJSON output of phaseout scan: " + why);
  };
  std::string line;
  if (!std::getline(in, line)) return not_scan("it is empty");
  json start = json::parse(line, nullptr, false);
  if (!start.is_object() || StringField(start, "type") != "scan_start") {
    return not_scan("the first line is not a scan_start record");
  }
  SpooledScan out;
  out.scan_key = options.scan_key.empty() ? StringField(start, "scan_id") : options.scan_key;
  if (out.scan_key.empty()) return not_scan("the scan_start record has no scan_id");

  ScanHeader header;
  header.scan_key = out.scan_key;
  header.site = options.site;
  header.started_at = StringField(start, "started_at");
  header.rules_version = StringField(start, "ruleset");
  header.scope = options.scope;
  header.source = options.source;
  SpoolEntry e;
  e.kind = EntryKind::kStart;
  e.scan_key = out.scan_key;
  e.site = options.site;
  e.body = ScanStartBody(header);
  if (auto r = spool.Append(e); !r) return r.error();

  SpoolEntry chunk;
  chunk.kind = EntryKind::kChunk;
  chunk.scan_key = out.scan_key;
  chunk.site = options.site;
  chunk.first_seq = 1;
  size_t chunk_lines = 0;
  auto flush = [&]() -> Status {
    if (chunk_lines == 0) return Status::Ok();
    if (auto r = spool.Append(chunk); !r) return r.error();
    ++out.chunks;
    chunk.first_seq += chunk_lines;
    chunk.body.clear();
    chunk_lines = 0;
    return Status::Ok();
  };
  std::string last;
  bool have_line = true;  // `line` holds the scan_start record
  while (have_line) {
    if (chunk_lines > 0 && (chunk_lines >= options.max_lines || chunk.body.size() + line.size() + 1 > options.max_bytes)) {
      if (Status st = flush(); !st.ok()) return st.error();
    }
    chunk.body += line;
    chunk.body += '\n';
    ++chunk_lines;
    ++out.records;
    last = std::move(line);
    have_line = static_cast<bool>(std::getline(in, line));
  }
  if (in.bad()) return MakeError(ErrorCode::kIo, "reading '" + ndjson_path + "' failed");
  if (Status st = flush(); !st.ok()) return st.error();

  // Only a scan_end that says so makes the scan complete: output without its trailer was cut.
  json end = json::parse(last, nullptr, false);
  if (end.is_object() && StringField(end, "type") == "scan_end") {
    auto c = end.find("complete");
    out.complete = c != end.end() && c->is_boolean() && c->get<bool>();
  }
  SpoolEntry done;
  done.kind = EntryKind::kComplete;
  done.scan_key = out.scan_key;
  done.site = options.site;
  done.body = ScanCompleteBody(out.records, out.complete);
  if (auto r = spool.Append(done); !r) return r.error();
  return out;
}

}  // namespace phaseout::agent
