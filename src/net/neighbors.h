// Neighbour (ARP) table access: the MAC address of IPv4 hosts on directly attached segments,
// read from the kernel's /proc/net/arp. MACs of routed hosts are never known this way.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace phaseout::net {

// One complete ARP entry.
struct NeighborEntry {
  std::string ip;      // dotted quad
  std::string mac;     // "aa:bb:cc:dd:ee:ff", lower case
  std::string device;  // interface name, e.g. "eth0"
};

// Parses the text of /proc/net/arp (header line, then "IP HWtype Flags HWaddress Mask Device").
// Pure function. Skips incomplete entries (flags 0x0), all-zero MACs and malformed lines;
// never fails.
std::vector<NeighborEntry> ParseProcNetArp(std::string_view text);

// A cached IPv4 -> MAC map, re-read from /proc/net/arp at most once per `refresh` interval.
// Thread-safe (a mutex; meant for the rare path "a host turned out responsive").
class NeighborCache {
 public:
  explicit NeighborCache(std::string path = "/proc/net/arp",
                         std::chrono::milliseconds refresh = std::chrono::milliseconds(1000))
      : path_(std::move(path)), refresh_(refresh) {}

  // Returns the MAC of `ip`, or "" if unknown or the table cannot be read.
  std::string Lookup(const std::string& ip);

 private:
  std::mutex mu_;
  std::string path_;
  std::chrono::milliseconds refresh_;
  std::chrono::steady_clock::time_point loaded_at_{};
  bool loaded_ = false;
  std::unordered_map<std::string, std::string> table_;
};

}  // namespace phaseout::net
