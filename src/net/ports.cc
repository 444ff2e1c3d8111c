// Port list parsing and the default scan ports.
#include "net/ports.h"

#include <algorithm>

#include "core/strings.h"

namespace phaseout::net {
namespace {

Result<uint16_t> ParsePort(std::string_view item, std::string_view whole) {
  std::string_view t = Trim(item);
  uint32_t v = 0;
  if (t.empty() || t.size() > 5) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "ports \"" + std::string(whole) + "\": \"" + std::string(t) + "\" is not a port number (1-65535)");
  }
  for (char c : t) {
    if (c < '0' || c > '9') {
      return MakeError(ErrorCode::kInvalidArgument, "ports \"" + std::string(whole) + "\": \"" +
                                                        EscapeBytes(t, 40) + "\" is not a port number (1-65535)");
    }
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v == 0 || v > 65535) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "ports \"" + std::string(whole) + "\": " + std::string(t) + " is outside 1-65535");
  }
  return static_cast<uint16_t>(v);
}

}  // namespace

const std::vector<uint16_t>& DefaultPorts() {
  static const std::vector<uint16_t> ports = {22, 80, 443, 554, 7547, 8000, 8080, 8443, 37777};
  return ports;
}

bool IsPrinterPort(uint16_t port) { return port >= 9100 && port <= 9107; }

Result<PortList> ParsePorts(std::string_view text, bool allow_printer_ports) {
  std::vector<uint16_t> ports;
  if (Trim(text).empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "ports: empty list (example: 80,443,8000-8010)");
  }
  for (std::string_view item : Split(text, ',')) {
    if (size_t dash = item.find('-'); dash != std::string_view::npos) {
      Result<uint16_t> lo = ParsePort(item.substr(0, dash), text);
      if (!lo) return lo.error();
      Result<uint16_t> hi = ParsePort(item.substr(dash + 1), text);
      if (!hi) return hi.error();
      if (*hi < *lo) {
        return MakeError(ErrorCode::kInvalidArgument, "ports \"" + std::string(text) + "\": range \"" +
                                                          std::string(Trim(item)) + "\" ends below its start");
      }
      for (uint32_t p = *lo; p <= *hi; ++p) ports.push_back(static_cast<uint16_t>(p));
    } else {
      Result<uint16_t> p = ParsePort(item, text);
      if (!p) return p.error();
      ports.push_back(*p);
    }
  }
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());

  PortList out;
  std::string removed;
  for (uint16_t p : ports) {
    if (!allow_printer_ports && IsPrinterPort(p)) {
      removed += (removed.empty() ? "" : ",") + std::to_string(p);
      continue;
    }
    out.ports.push_back(p);
  }
  if (!removed.empty()) {
    out.warnings.push_back("printer ports " + removed +
                           " skipped: printers print whatever arrives there (allow them explicitly "
                           "to scan them)");
  }
  if (out.ports.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "ports \"" + std::string(text) + "\": nothing left to scan" +
                         (removed.empty() ? std::string() : " after skipping printer ports " + removed));
  }
  return out;
}

}  // namespace phaseout::net
