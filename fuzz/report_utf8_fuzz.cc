// libFuzzer target: device bytes through the renderers. SanitizeUtf8 must always yield valid
// UTF-8 that nlohmann-json accepts, CSV fields must stay one field, NDJSON one line.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "report/scan_writers.h"
#include "report/text.h"

using namespace phaseout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;  // probe replies are capped at 64 KiB
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string clean = report::SanitizeUtf8(bytes);
  // Strict parse: throws (and the fuzzer reports it) if `clean` were not valid UTF-8.
  std::string dumped = nlohmann::json(clean).dump();
  if (nlohmann::json::parse(dumped).get<std::string>() != clean) __builtin_trap();
  if (report::SanitizeUtf8(clean) != clean) __builtin_trap();  // idempotent on valid input
  model::DeviceReport r;
  r.host.ip = "127.0.0.1";
  r.identification.model = bytes;
  r.identification.evidence.push_back({"http", 80, "http.header.server", bytes, "rule", ""});
  std::ostringstream nd;
  report::WriteNdjson(nd, r);
  std::string line = nd.str();
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) __builtin_trap();
  (void)nlohmann::json::parse(line);
  std::string cell = report::TableCell(bytes, 20);
  if (cell.size() > 20) __builtin_trap();
  for (char c : cell) {
    if (c < 0x20 || c > 0x7e) __builtin_trap();
  }
  return 0;
}
