// Loads the IEEE MAC registry CSV files shipped by Debian's ieee-data package.
#include "fingerprint/oui_registry.h"

#include <fstream>
#include <span>
#include <sstream>

#include "core/csv_reader.h"

namespace phaseout::fingerprint {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads up to `digits` hex digits of `s` (separators ':' '-' '.' skipped) into `out`.
// Returns false iff fewer than `digits` hex digits are present or a foreign byte appears.
bool ReadHex(std::string_view s, int digits, uint64_t* out) {
  uint64_t value = 0;
  int got = 0;
  for (char c : s) {
    if (got == digits) break;
    if (c == ':' || c == '-' || c == '.') continue;
    int v = HexValue(c);
    if (v < 0) return false;
    value = (value << 4) | static_cast<uint64_t>(v);
    ++got;
  }
  if (got != digits) return false;
  *out = value;
  return true;
}

}  // namespace

Status OuiRegistry::AddCsv(std::string_view csv_text, const std::string& file_name) {
  // The project's one CSV reader (core/csv_reader.h): organisation addresses in the IEEE files
  // are quoted and may hold commas and line breaks.
  std::string error;
  auto on_record = [&](uint64_t line_no, std::span<std::string> fields) {
    if (!error.empty() || line_no == 1) return;  // stop at the first error; skip the header
    if (fields.size() < 3) {
      error = file_name + ":" + std::to_string(line_no) +
              ": expected Registry,Assignment,Organization Name";
      return;
    }
    const std::string& registry = fields[0];
    const std::string& assignment = fields[1];
    uint64_t prefix = 0;
    bool ok = true;
    if (registry == "MA-L" && assignment.size() == 6) {
      ok = ReadHex(assignment, 6, &prefix);
      if (ok) by_24_.emplace(static_cast<uint32_t>(prefix), fields[2]);
    } else if (registry == "MA-M" && assignment.size() == 7) {
      ok = ReadHex(assignment, 7, &prefix);
      if (ok) by_28_.emplace(static_cast<uint32_t>(prefix), fields[2]);
    } else if (registry == "MA-S" && assignment.size() == 9) {
      ok = ReadHex(assignment, 9, &prefix);
      if (ok) by_36_.emplace(prefix, fields[2]);
    }  // other registries (IAB, CID) are not MAC prefixes we look up
    if (!ok) {
      error = file_name + ":" + std::to_string(line_no) + ": bad assignment '" + assignment + "'";
    }
  };
  auto on_error = [&](uint64_t line_no, std::string_view message) {
    if (error.empty()) error = file_name + ":" + std::to_string(line_no) + ": " + std::string(message);
  };
  ParseCsvText(csv_text, CsvOptions{}, on_record, on_error);
  if (!error.empty()) return MakeError(ErrorCode::kParse, error);
  return Status::Ok();
}

Result<OuiRegistry> OuiRegistry::Load(const std::string& dir) {
  OuiRegistry registry;
  const char* files[] = {"oui.csv", "mam.csv", "oui36.csv"};
  for (const char* name : files) {
    std::string path = dir + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      if (std::string(name) == "oui.csv") {
        return MakeError(ErrorCode::kNotFound,
                         "cannot read " + path + " (install Debian package ieee-data)");
      }
      continue;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    Status st = registry.AddCsv(buffer.str(), path);
    if (!st.ok()) return st.error();
  }
  return registry;
}

std::string OuiRegistry::Lookup(std::string_view mac) const {
  uint64_t v36 = 0;
  if (ReadHex(mac, 9, &v36)) {
    if (auto it = by_36_.find(v36); it != by_36_.end()) return it->second;
    if (auto it = by_28_.find(static_cast<uint32_t>(v36 >> 8)); it != by_28_.end()) return it->second;
    if (auto it = by_24_.find(static_cast<uint32_t>(v36 >> 12)); it != by_24_.end()) return it->second;
  }
  return {};
}

}  // namespace phaseout::fingerprint
