// Shared inventory CLI pieces: --db, opening, exit codes, events, and ScanRecorder for
// `phaseout scan --site`.
#include "apps/cli/inventory_cli.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/cli/commands.h"
#include "inventory/events.h"
#include "inventory/inventory.h"
#include "inventory/scope.h"
#include "report/scan_writers.h"

namespace phaseout::cli {

void AddDbOption(CLI::App* cmd, std::string* db) {
  cmd->add_option("--db", *db,
                  "Inventory database: an SQLite file or postgresql://... (default: $PHASEOUT_DB, else "
                  "$XDG_DATA_HOME/phaseout/inventory.db, else ~/.local/share/phaseout/inventory.db)");
}

int ExitCodeFor(const Error& e) {
  return (e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kNotFound) ? kExitUsage : kExitRuntime;
}

std::unique_ptr<inventory::Inventory> OpenInventoryOrReport(const std::string& command, const std::string& db,
                                                            int* exit_code, bool read_only) {
  std::string location = db.empty() ? inventory::DefaultStoreLocation() : db;
  inventory::InventoryOptions options;
  options.store.read_only = read_only;
  auto inv = inventory::Inventory::Open(location, options);
  if (!inv) {
    std::fprintf(stderr, "phaseout %s: %s\n", command.c_str(), inv.error().message.c_str());
    *exit_code = ExitCodeFor(inv.error());
    return nullptr;
  }
  return std::move(*inv);
}

bool EmitEvents(const std::string& command, const std::vector<inventory::Event>& events,
                const std::string& events_file, bool syslog) {
  if (events.empty()) return true;
  if (!events_file.empty()) {
    std::string text;
    for (const auto& e : events) text += inventory::EventJsonLine(e);
    if (events_file == "-") {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      std::ofstream out(events_file, std::ios::binary | std::ios::app);
      out << text;
      out.flush();
      if (!out) {
        std::fprintf(stderr, "phaseout %s: cannot append events to %s\n", command.c_str(), events_file.c_str());
        return false;
      }
    }
  }
  if (syslog) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    for (const auto& e : events) {
      Status s = inventory::SendToLocalSyslog(inventory::FormatRfc5424(e, host, getpid()));
      if (!s.ok()) {
        std::fprintf(stderr, "phaseout %s: %s\n", command.c_str(), s.error().message.c_str());
        return false;
      }
    }
  }
  return true;
}

bool EmitIngestEvents(const std::string& command, inventory::Inventory& inv, const inventory::IngestSummary& summary,
                      const std::string& events_file, bool syslog) {
  if (summary.events_raised <= static_cast<int64_t>(summary.events.size())) {
    return EmitEvents(command, summary.events, events_file, syslog);
  }
  auto all = inv.Events(summary.first_event_id - 1);
  if (!all) {
    std::fprintf(stderr, "phaseout %s: reading the raised events back: %s\n", command.c_str(),
                 all.error().message.c_str());
    return false;
  }
  std::erase_if(*all, [&](const inventory::Event& e) { return e.id > summary.last_event_id; });
  return EmitEvents(command, *all, events_file, syslog);
}

Result<std::unique_ptr<ScanRecorder>> ScanRecorder::Start(const std::string& db, const std::string& site,
                                                          const std::string& scan_id,
                                                          const std::vector<std::string>& targets,
                                                          const std::string& started_at,
                                                          const std::string& ruleset_version) {
  inventory::ScanMeta meta;
  meta.site = site;
  meta.started_at = started_at;
  meta.source = "phaseout scan";
  meta.rules_version = ruleset_version;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  meta.agent = host;
  for (const auto& t : targets) {
    auto c = inventory::Cidr::Parse(t);
    if (!c) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--site needs targets written as addresses or CIDR blocks (they are the scan's scope for "
                       "verification); '" + t + "' is not one");
    }
    meta.scope.push_back(*c);
  }
  meta.scan_key = scan_id;
  if (meta.scan_key.empty()) {
    unsigned char rnd[6];
    std::ifstream("/dev/urandom", std::ios::binary).read(reinterpret_cast<char*>(rnd), sizeof(rnd));
    char hex[13];
    for (int i = 0; i < 6; ++i) std::snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    meta.scan_key = site + "-" + started_at + "-" + hex;
  }
  std::unique_ptr<ScanRecorder> r(new ScanRecorder());
  std::string location = db.empty() ? inventory::DefaultStoreLocation() : db;
  auto inv = inventory::Inventory::Open(location, {});
  if (!inv) return inv.error();
  r->inventory_ = std::move(*inv);
  auto ing = r->inventory_->BeginIngest(meta);
  if (!ing) return ing.error();
  r->ingest_ = std::move(*ing);
  r->site_ = site;
  r->scan_id_ = meta.scan_key;
  return r;
}

ScanRecorder::~ScanRecorder() = default;

void ScanRecorder::Add(const model::DeviceReport& report) {
  // A replier outside the scan's targets is not a device of the site (it is in the output,
  // flagged; ingest skips such records too).
  if (!error_.ok() || report.host.out_of_scope) return;
  std::ostringstream line;
  report::WriteNdjson(line, report);
  std::string text = line.str();
  if (!text.empty() && text.back() == '\n') text.pop_back();
  error_ = ingest_->AddLine(text, ++seq_);
}

int ScanRecorder::Finish(bool stopped, bool quiet, const std::string& events_file, bool syslog) {
  if (!error_.ok()) {
    ingest_.reset();  // rolls back
    std::fprintf(stderr, "phaseout scan: not recorded in the inventory (nothing committed): %s\n",
                 error_.error().message.c_str());
    return kExitRuntime;
  }
  if (stopped) ingest_->MarkIncomplete();
  auto summary = ingest_->Commit();
  if (!summary) {
    std::fprintf(stderr, "phaseout scan: not recorded in the inventory (nothing committed): %s\n",
                 summary.error().message.c_str());
    return ExitCodeFor(summary.error());
  }
  if (!quiet) {
    std::fprintf(stderr,
                 "phaseout scan: recorded scan %s at site %s in %s: %lld records, %lld new devices, %lld "
                 "verified removed, %lld missing, %lld regressions%s\n",
                 scan_id_.c_str(), site_.c_str(), inventory_->store().description().c_str(),
                 static_cast<long long>(summary->records), static_cast<long long>(summary->new_devices),
                 static_cast<long long>(summary->verified_removed), static_cast<long long>(summary->went_missing),
                 static_cast<long long>(summary->regressions),
                 stopped ? " (stopped early: recorded as incomplete, not used for verification)" : "");
  }
  if (!EmitIngestEvents("scan", *inventory_, *summary, events_file, syslog)) return kExitRuntime;
  return 0;
}

}  // namespace phaseout::cli
