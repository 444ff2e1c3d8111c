// Event rendering: JSON lines and RFC 5424.
#include "inventory/events.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/json_dump.h"

namespace phaseout::inventory {

std::string EventJsonLine(const Event& e) {
  nlohmann::json j = {{"id", e.id},       {"at", e.at},     {"kind", e.kind},
                      {"severity", e.severity}, {"site", e.site}, {"device", e.device_id},
                      {"scan", e.scan},   {"message", e.message}};
  return DumpJson(j) + "\n";
}

namespace {

std::string SdEscape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string PrintableAscii(std::string_view v, size_t max) {
  std::string out;
  for (char c : v) {
    if (out.size() >= max) break;
    out += (c > 32 && c < 127) ? c : '_';
  }
  return out.empty() ? "-" : out;
}

}  // namespace

std::string FormatRfc5424(const Event& e, std::string_view hostname, int pid) {
  int severity = e.severity == "warning" ? 4 : 5;
  int pri = 16 * 8 + severity;  // facility local0
  std::string msg = "<" + std::to_string(pri) + ">1 " + (e.at.empty() ? "-" : e.at) + " " +
                    PrintableAscii(hostname, 255) + " phaseout " + std::to_string(pid) + " " +
                    PrintableAscii(e.kind, 32) + " [phaseout@32473 site=\"" + SdEscape(e.site) + "\" device=\"" +
                    std::to_string(e.device_id) + "\" scan=\"" + SdEscape(e.scan) + "\" id=\"" +
                    std::to_string(e.id) + "\"] " + e.message;
  return msg;
}

Status SendToLocalSyslog(const std::string& message, const std::string& socket_path) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeError(ErrorCode::kIo, std::string("syslog: socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof(addr.sun_path) - 1);
  ssize_t n = sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  int err = errno;
  close(fd);
  if (n < 0) return MakeError(ErrorCode::kIo, "syslog: cannot send to " + socket_path + ": " + std::strerror(err));
  return Status::Ok();
}

}  // namespace phaseout::inventory
