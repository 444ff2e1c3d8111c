// Interface listing and the discovery-interface choice.
#include "net/interfaces.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace phaseout::net {

Result<std::vector<Interface>> ListInterfaces() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return MakeError(ErrorCode::kIo, std::string("getifaddrs: ") + std::strerror(errno));
  std::vector<Interface> out;
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) continue;
    Interface i;
    i.name = it->ifa_name;
    char text[INET_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(it->ifa_addr)->sin_addr, text, sizeof text);
    i.address = text;
    if (it->ifa_netmask != nullptr) {
      uint32_t mask = ntohl(reinterpret_cast<sockaddr_in*>(it->ifa_netmask)->sin_addr.s_addr);
      i.prefix_len = __builtin_popcount(mask);
    }
    i.up = (it->ifa_flags & IFF_UP) != 0;
    i.loopback = (it->ifa_flags & IFF_LOOPBACK) != 0;
    i.multicast = (it->ifa_flags & IFF_MULTICAST) != 0;
    out.push_back(std::move(i));
  }
  ::freeifaddrs(list);
  return out;
}

bool IsPrivateIpv4(const std::string& ip) {
  in_addr a;
  if (inet_pton(AF_INET, ip.c_str(), &a) != 1) return false;
  uint32_t v = ntohl(a.s_addr);
  return (v >> 24) == 10 || (v >> 20) == (172u << 4 | 1) || (v >> 16) == (192u << 8 | 168) ||
         (v >> 22) == (100u << 2 | 1);
}

Result<std::vector<Interface>> ChooseDiscoveryInterfaces(const std::vector<Interface>& all,
                                                         const std::vector<std::string>& names) {
  std::vector<Interface> out;
  if (!names.empty()) {
    for (const std::string& name : names) {
      bool found = false;
      for (const Interface& i : all) {
        if (i.name != name) continue;
        found = true;
        if (!i.up) return MakeError(ErrorCode::kInvalidArgument, "interface " + name + " is down");
        out.push_back(i);
      }
      if (!found) {
        return MakeError(ErrorCode::kInvalidArgument, "interface \"" + name + "\" has no IPv4 address (or does not exist)");
      }
    }
    return out;
  }
  for (const Interface& i : all) {
    if (i.up && !i.loopback && i.multicast && IsPrivateIpv4(i.address)) out.push_back(i);
  }
  if (out.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     "no up, multicast-capable interface with a private IPv4 address; name one with --interface");
  }
  return out;
}

}  // namespace phaseout::net
