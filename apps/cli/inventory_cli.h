// Shared pieces of the inventory front ends (inventory, sites, audit, scan --site): opening the
// database named by --db / PHASEOUT_DB, exit codes for errors, event output, and recording a
// running scan into the inventory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace CLI {
class App;
}
namespace phaseout::model {
struct DeviceReport;
}
namespace phaseout::inventory {
class Inventory;
class ScanIngest;
struct Event;
struct IngestSummary;
}  // namespace phaseout::inventory

namespace phaseout::cli {

// Adds --db to `cmd` bound to *db (documented default location).
void AddDbOption(CLI::App* cmd, std::string* db);
// Opens the inventory at `db` (or the default location when empty). Prints the error and
// returns nullptr on failure, with *exit_code set.
std::unique_ptr<inventory::Inventory> OpenInventoryOrReport(const std::string& command, const std::string& db,
                                                            int* exit_code, bool read_only = false);
// kExitUsage for kInvalidArgument/kNotFound, kExitRuntime otherwise.
int ExitCodeFor(const Error& e);
// Writes events as JSON lines to `events_file` (appended; "-" for stdout; "" for none) and, if
// `syslog`, to the local syslog socket (RFC 5424). Returns false (message printed) on failure.
bool EmitEvents(const std::string& command, const std::vector<inventory::Event>& events,
                const std::string& events_file, bool syslog);
// EmitEvents for every event an ingest raised (the summary keeps the first
// inventory::kMaxSummaryEvents; the rest are read back from the store).
bool EmitIngestEvents(const std::string& command, inventory::Inventory& inv, const inventory::IngestSummary& summary,
                      const std::string& events_file, bool syslog);

// Records the devices of a running `phaseout scan` against a site, in one transaction that
// commits when the scan ends. Not thread-safe: call Add under the scan's output lock.
class ScanRecorder {
 public:
  // Begins the ingest. `targets` must be addresses or CIDR blocks (they are the scan's scope).
  // `ruleset_version` is engine::Knowledge::ruleset_version, stored as the scan's rules_version.
  static Result<std::unique_ptr<ScanRecorder>> Start(const std::string& db, const std::string& site,
                                                     const std::string& scan_id,
                                                     const std::vector<std::string>& targets,
                                                     const std::string& started_at,
                                                     const std::string& ruleset_version);
  ~ScanRecorder();
  ScanRecorder(const ScanRecorder&) = delete;  // owns an open transaction
  ScanRecorder& operator=(const ScanRecorder&) = delete;
  void Add(const model::DeviceReport& report);
  // Commits (a stopped scan is recorded as incomplete: no verification pass) and prints a
  // summary line on stderr unless quiet. Returns 0, or an exit code after printing the error.
  int Finish(bool stopped, bool quiet, const std::string& events_file, bool syslog);

 private:
  ScanRecorder() = default;
  std::unique_ptr<inventory::Inventory> inventory_;
  std::unique_ptr<inventory::ScanIngest> ingest_;
  std::string site_, scan_id_;
  int64_t seq_ = 0;
  Status error_;
};

}  // namespace phaseout::cli
