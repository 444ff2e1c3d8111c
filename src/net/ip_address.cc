// Parsing and formatting of IpAddress through inet_pton/inet_ntop.
#include "net/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace phaseout::net {

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN + 1];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    in_addr a4{};
    if (inet_pton(AF_INET, buf, &a4) != 1) return std::nullopt;
    return V4(ntohl(a4.s_addr));
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) != 1) return std::nullopt;
  Uint128 v = 0;
  for (unsigned char byte : a6.s6_addr) v = (v << 8) | byte;
  return V6(v);
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  if (!v6_) {
    in_addr a4{};
    a4.s_addr = htonl(v4());
    inet_ntop(AF_INET, &a4, buf, sizeof buf);
    return buf;
  }
  in6_addr a6{};
  Uint128 v = value_;
  for (int i = 15; i >= 0; --i) {
    a6.s6_addr[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
  inet_ntop(AF_INET6, &a6, buf, sizeof buf);
  return buf;
}

}  // namespace phaseout::net
