// IpAddress: a compact IPv4 or IPv6 address value with parsing and formatting, used by target
// sets, the scan engine and the neighbour table. No name resolution happens anywhere here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace phaseout::net {

// 128-bit unsigned integer used for IPv6 arithmetic (GCC and Clang extension).
using Uint128 = unsigned __int128;

// An IPv4 or IPv6 address. Value type; cheap to copy; thread-compatible.
class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress V4(uint32_t host_order) { return IpAddress(false, host_order); }
  static IpAddress V6(Uint128 host_order) { return IpAddress(true, host_order); }

  // Parses a dotted-quad IPv4 or an IPv6 literal (inet_pton syntax; no zone ids, no names).
  // Returns nullopt iff `text` is not an address literal.
  static std::optional<IpAddress> Parse(std::string_view text);

  bool is_v6() const { return v6_; }
  // REQUIRES: !is_v6().
  uint32_t v4() const { return static_cast<uint32_t>(value_); }
  // The address as a number (IPv4 in the low 32 bits).
  Uint128 value() const { return value_; }

  // "127.0.0.1" or the RFC 5952 text of an IPv6 address.
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.v6_ == b.v6_ && a.value_ == b.value_;
  }
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    return a.v6_ != b.v6_ ? !a.v6_ : a.value_ < b.value_;
  }

 private:
  IpAddress(bool v6, Uint128 value) : v6_(v6), value_(value) {}
  bool v6_ = false;
  Uint128 value_ = 0;
};

}  // namespace phaseout::net
