// /proc/net/arp parsing and the cached neighbour lookup.
#include "net/neighbors.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "core/strings.h"
#include "net/ip_address.h"

namespace phaseout::net {
namespace {

bool IsMac(std::string_view s) {
  if (s.size() != 17) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i % 3 == 2) {
      if (c != ':') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::vector<NeighborEntry> ParseProcNetArp(std::string_view text) {
  std::vector<NeighborEntry> out;
  bool first = true;
  for (std::string_view line : Split(text, '\n')) {
    if (first) {  // the header "IP address  HW type  Flags ..."
      first = false;
      continue;
    }
    std::vector<std::string_view> f = Fields(line);
    if (f.size() < 6) continue;
    auto ip = IpAddress::Parse(f[0]);
    if (!ip || ip->is_v6()) continue;
    unsigned long flags = 0;
    try {
      flags = std::stoul(std::string(f[2]), nullptr, 16);
    } catch (const std::exception&) {
      continue;
    }
    if ((flags & 0x2) == 0) continue;  // ATF_COM unset: incomplete entry (flags 0x0)
    if (!IsMac(f[3]) || f[3] == "00:00:00:00:00:00") continue;
    out.push_back({std::string(f[0]), AsciiLower(f[3]), std::string(f[5])});
  }
  return out;
}

std::string NeighborCache::Lookup(const std::string& ip) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (!loaded_ || now - loaded_at_ >= refresh_) {
    loaded_ = true;
    loaded_at_ = now;
    table_.clear();
    std::ifstream in(path_);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      for (NeighborEntry& e : ParseProcNetArp(ss.str())) table_[e.ip] = std::move(e.mac);
    }
  }
  auto it = table_.find(ip);
  return it == table_.end() ? std::string() : it->second;
}

}  // namespace phaseout::net
