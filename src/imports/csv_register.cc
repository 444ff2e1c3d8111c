// CSV asset registers -> HostScans, with a column mapping. Uses the project's one CSV reader
// (core/csv_reader.h, RFC 4180). Each mapped column becomes the observation
// "register.<field>" (ip and mac fill the host's address fields), so register rules in
// data/fingerprints/register_*.yaml and the model-number rules apply.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "imports/import.h"
#include "imports/import_internal.h"
#include "core/csv_reader.h"

namespace phaseout::imports {
namespace {

constexpr const char* kFormat = "csv";

// Header spellings that map to a field without --map (after NormaliseHeader).
const std::map<std::string, std::string>& Aliases() {
  static const std::map<std::string, std::string> kAliases = {
      {"ip", "ip"}, {"ip_address", "ip"}, {"ipv4", "ip"}, {"ipv4_address", "ip"}, {"ip_addr", "ip"},
      {"mac", "mac"}, {"mac_address", "mac"}, {"hardware_address", "mac"},
      {"hostname", "hostname"}, {"host_name", "hostname"}, {"dns_name", "hostname"},
      {"manufacturer", "manufacturer"}, {"make", "manufacturer"}, {"maker", "manufacturer"},
      {"vendor", "manufacturer"},
      {"brand", "brand"},
      {"model", "model"}, {"model_number", "model"}, {"model_no", "model"},
      {"part_number", "model"},
      {"serial", "serial"}, {"serial_number", "serial"}, {"serial_no", "serial"},
      {"firmware", "firmware"}, {"firmware_version", "firmware"},
      {"device_type", "device_type"}, {"type", "device_type"}, {"category", "device_type"},
      {"description", "description"}, {"item_description", "description"},
      {"location", "location"},
      {"asset_id", "asset_id"}, {"asset_tag", "asset_id"}, {"asset_number", "asset_id"},
      {"supplier", "supplier"},
  };
  return kAliases;
}

std::string NormaliseHeader(std::string_view h) {
  std::string out;
  for (char c : Trim(h)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '-' || c == '.' || c == '/') {
      if (!out.empty() && out.back() != '_') out += '_';
    } else {
      out += static_cast<char>(std::tolower(u));
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

struct Rows : CsvSink {
  size_t max_records;
  std::vector<std::pair<uint64_t, std::vector<std::string>>> rows;
  std::string error;
  void OnRecord(uint64_t line, std::span<std::string> fields) override {
    if (!error.empty()) return;
    if (rows.size() > max_records) {
      error = "line " + std::to_string(line) + ": more than " + std::to_string(max_records) + " rows";
      return;
    }
    rows.emplace_back(line, std::vector<std::string>(fields.begin(), fields.end()));
  }
  void OnError(uint64_t line, std::string_view message) override {
    if (error.empty()) error = "line " + std::to_string(line) + ": " + std::string(message);
  }
};

}  // namespace

Result<ImportResult> ParseCsvRegister(std::string_view input, const ImportOptions& options) {
  CsvOptions csv;
  csv.delimiter = options.csv_delimiter;
  CsvParser parser(csv);
  Rows rows;
  rows.max_records = options.max_records;
  parser.Feed(input, &rows);
  parser.Finish(&rows);
  if (!rows.error.empty()) {
    return MakeError(ErrorCode::kParse, std::string(kFormat) + ": " + rows.error + " (malformed CSV)");
  }
  if (rows.rows.empty()) {
    return MakeError(ErrorCode::kParse, std::string(kFormat) + ": empty input (expected a header row)");
  }
  const std::vector<std::string>& header = rows.rows.front().second;
  ImportResult result;

  // Column -> field: explicit mapping first, then aliases for the columns left.
  std::vector<std::string> field_of(header.size());
  std::set<std::string> known(RegisterFields().begin(), RegisterFields().end());
  std::map<std::string, size_t> field_column;
  for (const auto& [column, field] : options.column_map) {
    std::string f = AsciiLower(Trim(field));
    if (!known.count(f)) {
      std::string all;
      for (const auto& k : RegisterFields()) all += (all.empty() ? "" : ", ") + k;
      return MakeError(ErrorCode::kInvalidArgument,
                       "--map " + column + "=" + field + ": unknown field '" + field +
                           "' (fields: " + all + ")");
    }
    size_t idx = header.size();
    for (size_t i = 0; i < header.size(); ++i) {
      if (EqualsIgnoreCase(Trim(header[i]), Trim(column))) idx = i;
    }
    if (idx == header.size()) {
      std::string cols;
      for (const auto& h : header) cols += (cols.empty() ? "" : ", ") + std::string("'") + h + "'";
      return MakeError(ErrorCode::kInvalidArgument,
                       "--map " + column + "=" + field + ": the file has no column '" + column +
                           "' (columns: " + cols + ")");
    }
    if (field_column.count(f)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--map: field '" + f + "' is mapped from two columns");
    }
    field_of[idx] = f;
    field_column[f] = idx;
  }
  std::vector<std::string> ignored;
  for (size_t i = 0; i < header.size(); ++i) {
    if (!field_of[i].empty()) continue;
    auto it = Aliases().find(NormaliseHeader(header[i]));
    if (it != Aliases().end() && !field_column.count(it->second)) {
      field_of[i] = it->second;
      field_column[it->second] = i;
    } else {
      ignored.push_back(header[i]);
    }
  }
  if (!field_column.count("ip") && !field_column.count("mac") && !field_column.count("serial")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "csv: no column maps to ip, mac or serial, so no record could be matched to a "
                     "device; name one with --map COLUMN=ip (or mac, serial)");
  }
  if (!ignored.empty()) {
    std::string list;
    for (const auto& c : ignored) list += (list.empty() ? "'" : ", '") + c + "'";
    result.warnings.push_back("columns not mapped to a register field, ignored: " + list +
                              " (use --map COLUMN=FIELD)");
  }

  size_t skipped_blank = 0;
  for (size_t r = 1; r < rows.rows.size(); ++r) {
    const auto& [line, fields] = rows.rows[r];
    std::string where = "line " + std::to_string(line);
    if (fields.size() > header.size()) {
      // Trailing empty cells (spreadsheet exports) are harmless; data past the header is not.
      for (size_t i = header.size(); i < fields.size(); ++i) {
        if (!Trim(fields[i]).empty()) {
          return internal::ParseError(kFormat, where,
                                      std::to_string(fields.size()) + " fields but the header has " +
                                          std::to_string(header.size()));
        }
      }
    }
    model::HostScan host;
    bool has_identity = false;
    for (size_t i = 0; i < header.size() && i < fields.size(); ++i) {
      const std::string& f = field_of[i];
      std::string_view value = Trim(fields[i]);
      if (f.empty() || value.empty()) continue;
      if (f == "ip") {
        if (!internal::IsIpAddress(value)) {
          return internal::ParseError(kFormat, where, "column '" + header[i] + "': '" +
                                                          EscapeBytes(value, 64) + "' is not an IP address");
        }
        host.ip = std::string(value);
        has_identity = true;
      } else if (f == "mac") {
        host.mac = NormaliseMac(value);
        if (host.mac.empty()) {
          return internal::ParseError(kFormat, where, "column '" + header[i] + "': '" +
                                                          EscapeBytes(value, 64) + "' is not a MAC address");
        }
        has_identity = true;
      } else {
        if (f == "serial") has_identity = true;
        internal::Observe(&host, "register", 0, "register." + f, value);
      }
    }
    if (!has_identity) {
      ++skipped_blank;
      continue;
    }
    internal::MarkSource(&host, kFormat, where);
    result.hosts.push_back(std::move(host));
  }
  if (skipped_blank > 0) {
    result.warnings.push_back(std::to_string(skipped_blank) +
                              " rows without an ip, mac or serial were skipped");
  }
  return result;
}

}  // namespace phaseout::imports
