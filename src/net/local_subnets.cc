// Interface discovery and the choice of subnets `phaseout check` may scan.
#include "net/local_subnets.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace phaseout::net {
namespace {

uint32_t MaskOf(int prefix) {
  return prefix <= 0 ? 0u : prefix >= 32 ? 0xffffffffu : ~((uint32_t{1} << (32 - prefix)) - 1);
}

std::optional<uint32_t> ParseIpv4(std::string_view text) {
  std::string s(text);
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

// Why an automatic choice leaves this address out, or "" if it may be chosen.
std::string WhyNotPrivate(uint32_t address, bool loopback_ok) {
  if (IsLoopback(address)) return loopback_ok ? "" : "the loopback address (this machine only)";
  if (IsLinkLocal(address)) return "a link-local address (no network configured on it)";
  if (IsRfc1918(address)) return "";
  if ((address & MaskOf(10)) == 0x64400000u) {
    return "a carrier-grade NAT address (100.64.0.0/10), not a local private network";
  }
  if (address >> 28 == 0xe || address >> 28 == 0xf || (address >> 24) == 0) {
    return "a reserved or multicast address";
  }
  return "a public address, never scanned";
}

std::string Describe(const InterfaceAddress& i) {
  return i.name + " " + Ipv4ToString(i.address) + "/" + std::to_string(i.prefix);
}

bool IsPrivateBlock(const Ipv4Subnet& s, bool loopback_ok) {
  // Every RFC 1918 block is at least a /16 and /8..; a block is private iff both ends are in the
  // same private (or, for the testing hook, loopback) block.
  auto private_at = [&](uint32_t a) { return IsRfc1918(a) || (loopback_ok && IsLoopback(a)); };
  if (!private_at(s.first()) || !private_at(s.last())) return false;
  for (const Ipv4Subnet& block : {Ipv4Subnet{0x0a000000u, 8}, Ipv4Subnet{0xac100000u, 12},
                                  Ipv4Subnet{0xc0a80000u, 16}, Ipv4Subnet{0x7f000000u, 8}}) {
    if (block.Contains(s)) return true;
  }
  return false;
}

}  // namespace

Ipv4Subnet Ipv4Subnet::Containing(uint32_t address, int prefix) {
  return Ipv4Subnet{address & MaskOf(prefix), prefix};
}

std::optional<Ipv4Subnet> Ipv4Subnet::Parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = ParseIpv4(text.substr(0, slash));
  std::string_view bits = text.substr(slash + 1);
  if (!address || bits.empty() || bits.size() > 2) return std::nullopt;
  int prefix = 0;
  for (char c : bits) {
    if (c < '0' || c > '9') return std::nullopt;
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix > 32) return std::nullopt;
  return Containing(*address, prefix);
}

std::string Ipv4ToString(uint32_t address) {
  return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
         std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

std::string Ipv4Subnet::ToString() const {
  return Ipv4ToString(network) + "/" + std::to_string(prefix);
}

bool IsRfc1918(uint32_t a) {
  return (a & MaskOf(8)) == 0x0a000000u || (a & MaskOf(12)) == 0xac100000u ||
         (a & MaskOf(16)) == 0xc0a80000u;
}
bool IsLinkLocal(uint32_t a) { return (a & MaskOf(16)) == 0xa9fe0000u; }
bool IsLoopback(uint32_t a) { return (a & MaskOf(8)) == 0x7f000000u; }

Result<SubnetChoice> ChooseCheckSubnets(const std::vector<InterfaceAddress>& interfaces,
                                        const SubnetChoiceOptions& options) {
  const bool loopback_ok = options.loopback_is_private_for_testing;
  SubnetChoice choice;
  // Attached private networks of up interfaces, each once.
  std::vector<CheckSubnet> attached;
  for (const InterfaceAddress& i : interfaces) {
    if (i.prefix < 0 || i.prefix > 32) {
      choice.skipped.push_back(i.name + ": unusable netmask");
      continue;
    }
    if (!i.up) {
      choice.skipped.push_back(Describe(i) + ": the interface is down");
      continue;
    }
    choice.own_addresses.push_back(i.address);
    if (i.loopback && !loopback_ok) continue;  // `lo`: never a network to check, not worth a line
    std::string why = WhyNotPrivate(i.address, loopback_ok);
    if (!why.empty()) {
      choice.skipped.push_back(Describe(i) + ": " + why);
      continue;
    }
    if (i.point_to_point) {
      choice.skipped.push_back(Describe(i) + ": a point-to-point link (VPN or tunnel), not a local network");
      continue;
    }
    if (i.prefix == 32) {
      choice.skipped.push_back(Describe(i) + ": a single address, no other device on it");
      continue;
    }
    CheckSubnet c;
    c.interface = i.name;
    c.own_address = i.address;
    c.attached = Ipv4Subnet::Containing(i.address, i.prefix);
    c.subnet = c.attached;
    attached.push_back(c);
  }

  auto add_disjoint = [&](CheckSubnet c) {
    for (CheckSubnet& have : choice.subnets) {
      if (have.subnet.Contains(c.subnet)) {
        if (!(have.subnet == c.subnet) || have.interface != c.interface) {
          choice.notes.push_back(c.interface + ": " + c.subnet.ToString() + " is already covered by " +
                                 have.subnet.ToString() + " (" + have.interface + ")");
        }
        return;
      }
    }
    // A new block swallowing earlier ones replaces them (keeps the list disjoint).
    std::vector<CheckSubnet> kept;
    for (CheckSubnet& have : choice.subnets) {
      if (c.subnet.Contains(have.subnet)) continue;
      kept.push_back(std::move(have));
    }
    kept.push_back(std::move(c));
    choice.subnets = std::move(kept);
  };

  if (options.named.empty()) {
    for (CheckSubnet c : attached) {
      if (c.attached.prefix < kCheckLargestAutoPrefix) {
        c.subnet = Ipv4Subnet::Containing(c.own_address, kCheckLargestAutoPrefix);
        c.clamped = true;
        choice.notes.push_back(
            c.interface + ": the attached network " + c.attached.ToString() + " is larger than a /" +
            std::to_string(kCheckLargestAutoPrefix) + "; only " + c.subnet.ToString() + " (" +
            std::to_string(c.subnet.size()) +
            " addresses around this machine) is checked. Name other parts with --subnet.");
      }
      add_disjoint(std::move(c));
    }
    return choice;
  }

  for (const Ipv4Subnet& named : options.named) {
    if (!IsPrivateBlock(named, loopback_ok)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       named.ToString() + " is not a private (RFC 1918) network; phaseout check "
                       "only scans private networks attached to this machine");
    }
    if (named.prefix < kCheckLargestNamedPrefix) {
      return MakeError(ErrorCode::kInvalidArgument,
                       named.ToString() + " is larger than a /" +
                           std::to_string(kCheckLargestNamedPrefix) +
                           "; name smaller blocks (or use `phaseout scan` with a plan)");
    }
    const CheckSubnet* home = nullptr;
    for (const CheckSubnet& a : attached) {
      if (a.attached.Contains(named)) {
        home = &a;
        break;
      }
    }
    if (home == nullptr) {
      std::string have;
      for (const CheckSubnet& a : attached) {
        have += (have.empty() ? "" : ", ") + a.attached.ToString() + " on " + a.interface;
      }
      return MakeError(ErrorCode::kInvalidArgument,
                       named.ToString() + " is not inside a private network attached to this "
                       "machine (attached: " + (have.empty() ? std::string("none") : have) +
                       "); phaseout check never leaves the attached networks");
    }
    CheckSubnet c = *home;
    c.subnet = named;
    c.clamped = false;
    c.named = true;
    if (named.prefix < kCheckLargestAutoPrefix) {
      choice.notes.push_back(c.interface + ": " + named.ToString() + " was named: " +
                             std::to_string(named.size()) + " addresses, more than the /" +
                             std::to_string(kCheckLargestAutoPrefix) +
                             " checked by default; the check takes longer");
    }
    add_disjoint(std::move(c));
  }
  return choice;
}

bool StillAttached(const CheckSubnet& subnet, const std::vector<InterfaceAddress>& now) {
  for (const InterfaceAddress& i : now) {
    if (i.name == subnet.interface && i.up && i.address == subnet.own_address &&
        Ipv4Subnet::Containing(i.address, i.prefix) == subnet.attached) {
      return true;
    }
  }
  return false;
}

Result<std::vector<InterfaceAddress>> ListInterfaceAddresses() {
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return MakeError(ErrorCode::kIo, std::string("cannot list network interfaces: ") + std::strerror(errno));
  }
  std::vector<InterfaceAddress> out;
  for (struct ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET || it->ifa_name == nullptr) continue;
    InterfaceAddress i;
    i.name = it->ifa_name;
    i.address = ntohl(reinterpret_cast<const sockaddr_in*>(it->ifa_addr)->sin_addr.s_addr);
    uint32_t mask = it->ifa_netmask != nullptr
                        ? ntohl(reinterpret_cast<const sockaddr_in*>(it->ifa_netmask)->sin_addr.s_addr)
                        : 0xffffffffu;
    int prefix = __builtin_popcount(mask);
    // A non-contiguous mask cannot describe a block: mark it unusable (skipped with a note).
    i.prefix = (mask == MaskOf(prefix)) ? prefix : -1;
    i.up = (it->ifa_flags & IFF_UP) != 0 && (it->ifa_flags & IFF_RUNNING) != 0;
    i.loopback = (it->ifa_flags & IFF_LOOPBACK) != 0;
    i.point_to_point = (it->ifa_flags & IFF_POINTOPOINT) != 0;
    i.multicast = (it->ifa_flags & IFF_MULTICAST) != 0;
    out.push_back(std::move(i));
  }
  freeifaddrs(list);
  return out;
}

Result<std::vector<InterfaceAddress>> ParseTestingInterfaces(std::string_view value) {
  std::string text(value);
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1), std::ios::binary);
    if (!in) {
      return MakeError(ErrorCode::kNotFound,
                       std::string(kTestingInterfacesEnv) + ": cannot read " + text.substr(1));
    }
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  for (char& c : text) {
    if (c == ',' || c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  std::vector<InterfaceAddress> out;
  std::istringstream entries(text);
  std::string entry;
  while (entries >> entry) {
    auto bad = [&](const std::string& why) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(kTestingInterfacesEnv) + ": '" + entry + "': " + why);
    };
    InterfaceAddress i;
    std::string spec = entry;
    if (spec.size() > 5 && spec.compare(spec.size() - 5, 5, ":down") == 0) {
      i.up = false;
      spec.resize(spec.size() - 5);
    }
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) return bad("expected NAME=ADDRESS/PREFIX");
    i.name = spec.substr(0, eq);
    std::string cidr = spec.substr(eq + 1);
    size_t slash = cidr.find('/');
    auto address = ParseIpv4(cidr.substr(0, slash));
    auto block = Ipv4Subnet::Parse(cidr);
    if (slash == std::string::npos || !address || !block) return bad("expected NAME=ADDRESS/PREFIX");
    if (!IsLoopback(*address) || !IsLoopback(block->first()) || !IsLoopback(block->last())) {
      return bad("the testing hook accepts only 127.0.0.0/8 (it must never point at a real network)");
    }
    i.address = *address;
    i.prefix = block->prefix;
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace phaseout::net
