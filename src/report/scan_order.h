// ReportSorter: puts the reports of a scan in address order for every output format, with
// bounded memory. Hosts finish in whatever order the network answers; the writers need them
// ordered, and a scan of a large estate can report more hosts than should sit in memory. The
// sorter keeps reports (without their raw observations, which no writer renders) in memory up
// to a byte budget, then writes the sorted batch to an anonymous temporary file as a run; at
// the end the runs and the in-memory batch are merged. Memory stays near the budget plus one
// report per run; disk use is about the size of the NDJSON output.
#pragma once

#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/identification.h"

namespace phaseout::report {

// Not thread-safe: Add from one thread at a time (the CLI holds its output mutex).
class ReportSorter {
 public:
  // `memory_budget_bytes`: estimated bytes of reports held before a run is spilled to disk.
  explicit ReportSorter(size_t memory_budget_bytes = 64u << 20);
  ~ReportSorter();
  ReportSorter(const ReportSorter&) = delete;  // owns temporary files
  ReportSorter& operator=(const ReportSorter&) = delete;

  // Adds one report. `key` orders reports (compared as bytes, ascending; equal keys keep their
  // insertion order within a run); `seen_at` travels with the report (ISO 8601 time).
  // The report's host.observations are dropped. Returns kIo if a run cannot be written.
  Status Add(std::string key, std::string seen_at, model::DeviceReport report);

  // Calls `fn` for every report in key order, then forgets them. Returns kIo if a run cannot
  // be read back. REQUIRES: called once, after the last Add.
  Status Drain(const std::function<void(const model::DeviceReport&, const std::string& seen_at)>& fn);

  size_t runs_spilled() const { return runs_.size(); }
  uint64_t count() const { return count_; }

  // Byte encoding of one entry (exposed for tests): key, seen_at, report without observations.
  struct Entry {
    std::string key;
    std::string seen_at;
    model::DeviceReport report;
  };
  static std::string Encode(const Entry& entry);
  // Decodes one entry from `in`; false at clean end of file; kIo/kParse on damage.
  static Result<bool> Decode(std::FILE* in, Entry* entry);

 private:
  Status Spill();

  size_t budget_;
  size_t held_bytes_ = 0;
  uint64_t count_ = 0;
  std::vector<Entry> held_;
  std::vector<std::FILE*> runs_;
};

}  // namespace phaseout::report
