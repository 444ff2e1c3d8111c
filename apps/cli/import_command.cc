// `phaseout import FORMAT FILE`: reads what an organisation already has (nmap XML, masscan JSON,
// CSV asset registers, DHCP leases, `ip neigh`) and reports each record exactly as `phaseout
// scan` does, through the same rules, MAC vendors and policies. Wiring only: parsing lives in
// src/imports, identification in engine/fingerprint, rendering in report.
#include <CLI/CLI.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "apps/cli/cli_support.h"
#include "apps/cli/commands.h"
#include "core/utc_time.h"
#include "apps/cli/inventory_cli.h"
#include "engine/classifier.h"
#include "engine/knowledge.h"
#include "fingerprint/oui_registry.h"
#include "imports/import.h"
#include "inventory/inventory.h"
#include "report/scan_summary.h"
#include "report/scan_writers.h"

namespace phaseout::cli {
namespace {

struct ImportFlags {
  std::string format_name;
  std::string file;
  std::vector<std::string> maps;
  std::string delimiter = ",";
  std::vector<std::string> policies;
  std::string output_format;
  std::string output;
  std::string data_dir;
  std::string oui_dir = "/usr/share/ieee-data";
  uint64_t max_bytes = 256ull << 20;
  bool quiet = false;
  std::string site;    // record into the inventory against this site
  std::string db;
  std::string events;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "phaseout import: %s\n", message.c_str());
  return code;
}

// Reads all of `path` ("-" = stdin), refusing more than `max_bytes` before reading it all.
Result<std::string> ReadInput(const std::string& path, uint64_t max_bytes) {
  std::string data;
  if (path == "-") {
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) {
      data.append(buf, n);
      if (data.size() > max_bytes) {
        return MakeError(ErrorCode::kLimit, "standard input is larger than the import limit of " +
                                                std::to_string(max_bytes) + " bytes (--max-bytes)");
      }
    }
    return data;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return MakeError(ErrorCode::kNotFound, "cannot open " + path);
  if (S_ISDIR(st.st_mode)) return MakeError(ErrorCode::kInvalidArgument, path + " is a directory");
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return MakeError(ErrorCode::kLimit, path + " is " + std::to_string(st.st_size) +
                                            " bytes, over the import limit of " +
                                            std::to_string(max_bytes) + " (--max-bytes)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kIo, "cannot read " + path);
  data = ss.str();
  if (data.size() > max_bytes) {
    return MakeError(ErrorCode::kLimit, path + " grew past the import limit while being read");
  }
  return data;
}

int RunImport(const ImportFlags& f) {
  auto format = imports::ParseImportFormat(f.format_name);
  if (!format) return Fail(kExitUsage, format.error().message);
  imports::ImportOptions options;
  for (const auto& m : f.maps) {
    auto eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      return Fail(kExitUsage, "--map wants COLUMN=FIELD, got '" + m + "'");
    }
    options.column_map.emplace_back(m.substr(0, eq), m.substr(eq + 1));
  }
  if (!options.column_map.empty() && *format != imports::ImportFormat::kCsvRegister) {
    return Fail(kExitUsage, "--map applies to the csv format only");
  }
  if (f.delimiter == "\\t" || f.delimiter == "tab") {
    options.csv_delimiter = '\t';
  } else if (f.delimiter.size() == 1) {
    options.csv_delimiter = f.delimiter[0];
  } else {
    return Fail(kExitUsage, "--delimiter wants one character (or 'tab')");
  }

  // Knowledge before input: a broken data directory is reported even for a good file.
  auto knowledge = engine::LoadKnowledge(f.data_dir);
  if (!knowledge) return Fail(kExitUsage, knowledge.error().message);
  const policy::PolicySet& policies = *knowledge->policies;
  auto selected = policies.Select(f.policies);
  if (!selected) return Fail(kExitUsage, selected.error().message);
  bool stdout_tty = f.output.empty() && isatty(STDOUT_FILENO);
  std::string format_name = f.output_format.empty() ? (stdout_tty ? "table" : "ndjson") : f.output_format;
  auto out_format = report::ParseScanFormat(format_name);
  if (!out_format) return Fail(kExitUsage, out_format.error().message);

  // The whole input is parsed before anything is written: bad input leaves no partial output.
  auto input = ReadInput(f.file, f.max_bytes);
  if (!input) {
    return Fail(input.error().code == ErrorCode::kIo ? kExitRuntime : kExitUsage,
                input.error().message);
  }
  auto imported = imports::ImportHosts(*format, *input, options);
  if (!imported) {
    return Fail(kExitUsage, (f.file == "-" ? std::string("stdin") : f.file) + ": " +
                                imported.error().message + "; nothing was imported");
  }
  if (!f.quiet) {
    for (const auto& w : imported->warnings) {
      std::fprintf(stderr, "phaseout import: note: %s\n", w.c_str());
    }
  }

  std::optional<fingerprint::OuiRegistry> oui = LoadOuiOrWarn(f.oui_dir, f.quiet, "phaseout import");
  engine::Classifier classifier(knowledge->rules, policies, *selected, oui ? &*oui : nullptr);

  report::ScanInfo info;
  info.tool_version = PHASEOUT_VERSION;
  info.ruleset_version = knowledge->ruleset_version;
  info.started_at = UtcNowIso8601();
  info.targets = {std::string("import:") + imports::ImportFormatName(*format) + " " + f.file};
  std::vector<std::string> policy_ids;
  for (const policy::Policy* p : *selected) {
    info.policies.push_back({p->id, p->title});
    policy_ids.push_back(p->id);
  }
  report::ScanSummary summary(policy_ids);

  // -o FILE: written to FILE.tmp and renamed at the end, so a failure leaves no half file.
  std::string tmp_path = f.output.empty() ? "" : f.output + ".tmp";
  std::ofstream out_file;
  if (!f.output.empty()) {
    out_file.open(tmp_path, std::ios::binary | std::ios::trunc);
    if (!out_file) return Fail(kExitRuntime, "cannot write " + tmp_path);
  }
  std::ostream& out = f.output.empty() ? std::cout : out_file;
  // --site: the records go into the inventory in one transaction, committed only after the
  // whole input was classified. An import is recorded as an incomplete scan: it adds sightings
  // (and raises regressions) but never counts as a scan that did not see a device, so it can
  // confirm or contradict what scans found without verifying any removal.
  std::unique_ptr<inventory::Inventory> inv;
  std::unique_ptr<inventory::ScanIngest> ingest;
  std::string scan_key;
  if (!f.site.empty()) {
    int code = kExitOk;
    inv = OpenInventoryOrReport("import", f.db, &code);
    if (!inv) return code;
    inventory::ScanMeta meta;
    meta.site = f.site;
    meta.started_at = info.started_at;
    meta.rules_version = knowledge->ruleset_version;
    meta.source = std::string("phaseout import ") + imports::ImportFormatName(*format) + " " + f.file;
    meta.agent = "phaseout import";
    // The key names the format, the input's hash and the time, so the scan list shows which
    // file each import came from.
    scan_key = std::string("import-") + imports::ImportFormatName(*format) + "-" +
               inventory::Sha256Hex(*input).substr(0, 16) + "-" + info.started_at;
    meta.scan_key = scan_key;
    auto begun = inv->BeginIngest(meta);
    if (!begun) return Fail(ExitCodeFor(begun.error()), begun.error().message);
    ingest = std::move(*begun);
  }
  auto writer = report::MakeScanWriter(*out_format, out);
  writer->Begin(info);
  int64_t seq = 0;
  for (auto& host : imported->hosts) {
    model::DeviceReport report = classifier.Classify(std::move(host));
    summary.Add(report);
    writer->Device(report);
    if (ingest) {
      std::ostringstream line;
      report::WriteNdjson(line, report);
      std::string text = line.str();
      if (!text.empty() && text.back() == '\n') text.pop_back();
      Status st = ingest->AddLine(text, ++seq);
      if (!st.ok()) {
        if (!tmp_path.empty()) std::remove(tmp_path.c_str());
        return Fail(ExitCodeFor(st.error()), "not recorded in the inventory (nothing committed): " + st.error().message);
      }
    }
  }
  if (ingest) {
    ingest->MarkIncomplete();  // never used to verify a removal (see above)
    auto committed = ingest->Commit();
    if (!committed) {
      if (!tmp_path.empty()) std::remove(tmp_path.c_str());
      return Fail(ExitCodeFor(committed.error()),
                  "not recorded in the inventory (nothing committed): " + committed.error().message);
    }
    if (!f.quiet) {
      std::fprintf(stderr,
                   "phaseout import: recorded %s at site %s: %lld records, %lld new devices, %lld matched, "
                   "%lld regressions%s\n",
                   scan_key.c_str(), f.site.c_str(), static_cast<long long>(committed->records),
                   static_cast<long long>(committed->new_devices), static_cast<long long>(committed->matched_devices),
                   static_cast<long long>(committed->regressions),
                   "");
    }
    if (!EmitIngestEvents("import", *inv, *committed, f.events, false)) return kExitRuntime;
  }
  summary.set_finished_at(UtcNowIso8601());
  summary.set_addresses_scanned(summary.hosts());
  writer->End(summary);
  out.flush();
  if (!out) {
    if (!tmp_path.empty()) std::remove(tmp_path.c_str());
    return Fail(kExitRuntime, "writing the output failed");
  }
  if (!f.output.empty()) {
    out_file.close();
    if (std::rename(tmp_path.c_str(), f.output.c_str()) != 0) {
      std::remove(tmp_path.c_str());
      return Fail(kExitRuntime, "cannot write " + f.output);
    }
  }
  if (!f.quiet && !stdout_tty) {
    std::fprintf(stderr,
                 "phaseout import: %llu records, %llu identified, %llu with a prohibited verdict\n",
                 static_cast<unsigned long long>(summary.hosts()),
                 static_cast<unsigned long long>(summary.identified()),
                 static_cast<unsigned long long>(summary.hosts_prohibited()));
  }
  return summary.hosts_prohibited() > 0 ? kExitFindings : kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ImportFlags>();
  auto* cmd = app.add_subcommand(
      "import",
      "Identify devices in files you already have (nmap XML, masscan JSON, CSV registers, DHCP "
      "leases, ip neigh) with the same rules and policies as a scan");
  cmd->footer(
      "Formats: nmap (nmap -oX, best with -sV), masscan (masscan -oJ, --banners), csv (asset "
      "register; --map COLUMN=FIELD), dhcpd (dhcpd.leases), dnsmasq (dnsmasq.leases), ip-neigh "
      "(`ip neigh` output).\n"
      "CSV fields: ip, mac, hostname, manufacturer, brand, model, serial, firmware, device_type, "
      "description, location, asset_id, supplier.\n"
      "Each record names its source (import:<format>). Nothing is sent on the network.\n"
      "Exit codes: 0 nothing prohibited, 3 prohibited devices found, 1 runtime error, 2 usage "
      "error or malformed input (nothing is output then).");
  cmd->add_option("format", flags->format_name, "nmap|masscan|csv|dhcpd|dnsmasq|ip-neigh")->required();
  cmd->add_option("file", flags->file, "Input file ('-' for stdin)")->required();
  cmd->add_option("--map", flags->maps, "CSV column mapping COLUMN=FIELD (repeatable)");
  cmd->add_option("--delimiter", flags->delimiter, "CSV delimiter (one character or 'tab')")
      ->capture_default_str();
  cmd->add_option("--policy", flags->policies, "Policy id (repeatable; default: all shipped)");
  cmd->add_option("-f,--format", flags->output_format,
                  "table|json|ndjson|csv (default: table on a terminal, else ndjson)");
  cmd->add_option("-o,--output", flags->output, "Write results to FILE instead of stdout");
  cmd->add_option("--data-dir", flags->data_dir, "phaseout data directory (rules, policies)");
  cmd->add_option("--oui-dir", flags->oui_dir, "IEEE registry directory ('' to disable)")
      ->capture_default_str();
  cmd->add_option("--max-bytes", flags->max_bytes, "Largest input accepted, in bytes")
      ->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  cmd->add_flag("-q,--quiet", flags->quiet, "Only results and errors");
  cmd->add_option("--site", flags->site, "Also record the records in the inventory against this site");
  AddDbOption(cmd, &flags->db);
  cmd->add_option("--events", flags->events, "With --site: append raised inventory events to FILE as JSON lines");
  cmd->callback([flags, exit_code] { *exit_code = RunImport(*flags); });
}

}  // namespace phaseout::cli
