// Interface discovery for `phaseout check`: the IPv4 networks attached to this machine and the
// pure choice of which of them a check may scan (only attached private RFC 1918 subnets, at most
// a /22 per interface unless the user names a block inside an attached network).
// The interface list is an injectable value, so every rule is unit-tested with fake lists;
// the kernel list (getifaddrs) and the testing hook (127.0.0.0/8 only) are two sources of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::net {

// One IPv4 address configured on one interface, as the kernel reports it. Value type.
struct InterfaceAddress {
  std::string name;          // interface name, e.g. "eth0"
  uint32_t address = 0;      // the machine's own address, host byte order
  int prefix = 0;            // 0..32, from the netmask
  bool up = true;            // IFF_UP and IFF_RUNNING
  bool loopback = false;     // IFF_LOOPBACK
  bool point_to_point = false;  // IFF_POINTOPOINT (VPNs, tunnels)
  bool multicast = true;     // IFF_MULTICAST (local-segment discovery needs it)
};

// An IPv4 block network/prefix. Value type.
struct Ipv4Subnet {
  uint32_t network = 0;  // host byte order, host bits zero
  int prefix = 32;

  // The block of `prefix` bits containing `address`.
  static Ipv4Subnet Containing(uint32_t address, int prefix);
  // Parses "a.b.c.d/n" (host bits are cleared). nullopt iff malformed.
  static std::optional<Ipv4Subnet> Parse(std::string_view text);
  uint64_t size() const { return uint64_t{1} << (32 - prefix); }
  uint32_t first() const { return network; }
  uint32_t last() const { return network + static_cast<uint32_t>(size() - 1); }
  bool Contains(uint32_t address) const { return address >= first() && address <= last(); }
  bool Contains(const Ipv4Subnet& other) const {
    return Contains(other.first()) && Contains(other.last());
  }
  bool Overlaps(const Ipv4Subnet& other) const {
    return first() <= other.last() && other.first() <= last();
  }
  std::string ToString() const;  // "192.0.2.0/24"
  friend bool operator==(const Ipv4Subnet& a, const Ipv4Subnet& b) {
    return a.network == b.network && a.prefix == b.prefix;
  }
};

// "192.0.2.7"
std::string Ipv4ToString(uint32_t address);

// Address classes that matter for the choice.
bool IsRfc1918(uint32_t address);    // 10/8, 172.16/12, 192.168/16 (RFC 1918 section 3)
bool IsLinkLocal(uint32_t address);  // 169.254/16 (RFC 3927)
bool IsLoopback(uint32_t address);   // 127/8 (RFC 1122 3.2.1.3)

// The largest block `phaseout check` scans on one interface without being told: a /22
// (1,024 addresses). Larger attached networks are clamped to the /22 around this machine.
inline constexpr int kCheckLargestAutoPrefix = 22;
// The largest block a user may name with --subnet: a /16 (65,536 addresses).
inline constexpr int kCheckLargestNamedPrefix = 16;

// How the choice is made. Plain struct.
struct SubnetChoiceOptions {
  // Blocks the user named (--subnet). When not empty, exactly these are scanned, and each must
  // be private and lie inside a network attached to an up interface.
  std::vector<Ipv4Subnet> named;
  // Treat 127.0.0.0/8 addresses as private and attached. Set only for the testing hook
  // (TestingInterfacesFromEnv), whose list can hold nothing but 127.0.0.0/8.
  bool loopback_is_private_for_testing = false;
};

// One block the check will scan.
struct CheckSubnet {
  std::string interface;   // interface it is attached to
  uint32_t own_address = 0;  // this machine's address there (excluded from the scan)
  Ipv4Subnet attached;     // the network as configured on the interface
  Ipv4Subnet subnet;       // what will be scanned (== attached unless clamped or named)
  bool clamped = false;    // attached was larger than a /22; subnet is the /22 around us
  bool named = false;      // the user named it
};

// The outcome of the choice: blocks to scan and, in plain words, what was left out and why.
struct SubnetChoice {
  std::vector<CheckSubnet> subnets;   // disjoint, in interface-list order
  std::vector<std::string> skipped;   // e.g. "wlan0 203.0.113.5/24: a public address, never scanned"
  std::vector<std::string> notes;     // e.g. "eth0: the network 10.0.0.0/16 is larger than a /22; only 10.0.0.0/22 ..."
  // Every address of this machine (from up interfaces), so a scan can leave them out.
  std::vector<uint32_t> own_addresses;
};

// Chooses what `phaseout check` may scan. Pure function.
// Automatic choice (options.named empty): every up, non-loopback, non point-to-point interface
// whose address is RFC 1918 contributes its attached network, clamped to the /22 around its
// address when larger; /32 networks (nothing else on them) are skipped; duplicates and blocks
// contained in an already chosen block are merged. Public, link-local, loopback, CGNAT and
// other non-RFC 1918 addresses are never chosen. An empty `subnets` is not an error: the
// caller says "no private network attached" with `skipped`.
// Named choice: returns kInvalidArgument naming the block iff a named block is not private,
// larger than a /16, or not inside an attached private network of an up interface.
Result<SubnetChoice> ChooseCheckSubnets(const std::vector<InterfaceAddress>& interfaces,
                                        const SubnetChoiceOptions& options = {});

// True iff `subnet` is still attached: an up interface of the same name still carries its
// own address inside the same attached network. Used to notice an interface disappearing
// (cable pulled, Wi-Fi lost, VPN down) during a check.
bool StillAttached(const CheckSubnet& subnet, const std::vector<InterfaceAddress>& now);

// The kernel's IPv4 interface list (getifaddrs). kIo with errno text on failure.
Result<std::vector<InterfaceAddress>> ListInterfaceAddresses();

// The testing hook. Name of the environment variable that replaces the kernel's interface
// list for `phaseout check` (end-to-end tests inside the private network namespace).
inline constexpr const char* kTestingInterfacesEnv = "PHASEOUT_CHECK_TEST_INTERFACES";

// Parses the testing hook's value: entries "NAME=ADDRESS/PREFIX" separated by commas, spaces or
// newlines, optionally suffixed ":down"; "@FILE" reads the entries from FILE (re-read on every
// call, so a test can make an interface disappear). Only 127.0.0.0/8 addresses are accepted:
// the hook can never point a check at a real network. kInvalidArgument naming the entry for
// anything else; kNotFound if FILE cannot be read (an empty file is an empty list).
Result<std::vector<InterfaceAddress>> ParseTestingInterfaces(std::string_view value);

}  // namespace phaseout::net
