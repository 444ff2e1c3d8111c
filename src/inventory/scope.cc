// CIDR parsing and containment over inet_pton.
#include "inventory/scope.h"

#include <arpa/inet.h>

#include <cstring>

namespace phaseout::inventory {
namespace {

bool ParseAddress(std::string_view text, std::array<uint8_t, 16>& out, bool& v6) {
  std::string s(text);
  out.fill(0);
  if (s.find(':') != std::string::npos) {
    v6 = true;
    return inet_pton(AF_INET6, s.c_str(), out.data()) == 1;
  }
  v6 = false;
  return inet_pton(AF_INET, s.c_str(), out.data() + 12) == 1;
}

}  // namespace

Result<Cidr> Cidr::Parse(std::string_view text) {
  Cidr c;
  size_t slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  if (!ParseAddress(addr, c.addr, c.v6)) {
    return MakeError(ErrorCode::kInvalidArgument, "not an address block: '" + std::string(text) + "'");
  }
  int max = c.v6 ? 128 : 32;
  c.prefix = max;
  if (slash != std::string_view::npos) {
    std::string len(text.substr(slash + 1));
    if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(len) > max) {
      return MakeError(ErrorCode::kInvalidArgument, "bad prefix length in '" + std::string(text) + "'");
    }
    c.prefix = std::stoi(len);
  }
  // Clear host bits so equal blocks compare equal.
  int bits = c.prefix + (c.v6 ? 0 : 96);
  for (int i = 0; i < 16; ++i) {
    int keep = bits - i * 8;
    if (keep >= 8) continue;
    c.addr[i] &= keep <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - keep));
  }
  return c;
}

bool Cidr::Contains(std::string_view ip) const {
  std::array<uint8_t, 16> a{};
  bool is_v6 = false;
  if (!ParseAddress(ip, a, is_v6) || is_v6 != v6) return false;
  int bits = prefix + (v6 ? 0 : 96);
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (addr[i] & mask)) return false;
  }
  return true;
}

bool Cidr::Covers(const Cidr& inner) const {
  if (inner.v6 != v6 || inner.prefix < prefix) return false;
  int bits = prefix + (v6 ? 0 : 96);
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((inner.addr[i] & mask) != (addr[i] & mask)) return false;
  }
  return true;
}

std::string Cidr::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v6) {
    inet_ntop(AF_INET6, addr.data(), buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET, addr.data() + 12, buf, sizeof(buf));
  }
  return std::string(buf) + "/" + std::to_string(prefix);
}

bool ScopeContains(const std::vector<Cidr>& scopes, std::string_view ip) {
  for (const auto& c : scopes) {
    if (c.Contains(ip)) return true;
  }
  return false;
}

Result<std::vector<Cidr>> ParseScopeList(std::string_view text) {
  std::vector<Cidr> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find_first_of(" ,\t\n", i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) {
      auto c = Cidr::Parse(text.substr(i, j - i));
      if (!c) return c.error();
      out.push_back(*c);
    }
    i = j + 1;
  }
  return out;
}

std::string ScopeListToString(const std::vector<Cidr>& scopes) {
  std::string out;
  for (const auto& c : scopes) out += (out.empty() ? "" : " ") + c.ToString();
  return out;
}

}  // namespace phaseout::inventory
