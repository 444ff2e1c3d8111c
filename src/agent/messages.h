// Parsers of the server's answers to the agent (untrusted bytes: fuzzed by
// fuzz/agent_messages_fuzz.cc) and the request bodies the agent sends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config.h"
#include "core/result.h"

namespace phaseout::agent {

// POST /api/v1/agents/enrol -> {"agent_id": "...", "key": "...", "sites": ["..."]}.
// Returns kParse naming the missing or mistyped field.
Result<AgentKey> ParseEnrolResponse(std::string_view body);

// GET /api/v1/agents/schedule -> {"scans": [{"site", "targets": [...], "ports", "interval_s"}]}.
// Returns kParse for anything else (an entry without site or targets, a negative interval).
// Intervals below 60 s are raised to 60 s: a server mistake must not turn into a scan loop.
Result<std::vector<ScheduledScan>> ParseScheduleResponse(std::string_view body);

// "code: message" from an error body {"error": {"code", "message"}}; otherwise the first 200
// bytes of the body with control characters replaced (never trusts the body to be text).
std::string DescribeErrorBody(std::string_view body);

// Counts from a 2xx answer to a chunk: {"stored": k, "duplicates": d}; zeros when absent.
struct ChunkAnswer {
  uint64_t stored = 0;
  uint64_t duplicates = 0;
};
ChunkAnswer ParseChunkAnswer(std::string_view body);

// The facts of a scan the server needs to open it (POST /api/v1/scans). Value type.
struct ScanHeader {
  std::string scan_key;
  std::string site;
  std::string started_at;
  std::string rules_version;
  std::vector<std::string> scope;
  std::string source = "agent";
};
std::string ScanStartBody(const ScanHeader& header);
std::string ScanCompleteBody(uint64_t records, bool complete);

}  // namespace phaseout::agent
