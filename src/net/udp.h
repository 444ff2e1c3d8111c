// UdpSocket: one non-blocking IPv4 UDP socket for discovery (unicast datagrams to targets and
// multicast on a chosen interface), with poll()-based waiting. Plain POSIX, no Asio: the
// discovery pass is one thread sending a few datagrams per target and reading the replies.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::net {

// One received datagram.
struct Datagram {
  std::string from_ip;     // dotted quad of the sender
  uint16_t from_port = 0;
  size_t size = 0;         // bytes kept in the caller's buffer
  bool truncated = false;  // the datagram was longer than the buffer (MSG_TRUNC)
};

// One datagram to send in a batch: destination IPv4 address (host byte order), port, bytes
// (a view: the caller keeps them alive until SendBatch returns).
struct OutgoingDatagram {
  uint32_t ipv4 = 0;
  uint16_t port = 0;
  std::string_view bytes;
};

// Owns one socket. Not thread-safe; movable, not copyable (owns a descriptor).
class UdpSocket {
 public:
  UdpSocket() = default;
  ~UdpSocket();
  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Opens a socket bound to `bind_ip`:0 ("" = any address). For multicast sends pass the
  // interface address as `multicast_if`: IP_MULTICAST_IF is set to it, TTL to 1 (link-local:
  // discovery never crosses a router) and loop-back on (so replies from the same host, e.g.
  // the lab, are seen). Returns kIo with the errno text on failure.
  static Result<UdpSocket> Open(const std::string& bind_ip, const std::string& multicast_if = "");

  // Sends one datagram. Returns kIo with errno text (EAGAIN included: the caller retries later).
  Status SendTo(const std::string& ip, uint16_t port, std::string_view bytes);

  // Sends every datagram of `batch` with as few sendmmsg() calls as the kernel allows (one,
  // normally). Returns how many were sent; a datagram the kernel refuses is skipped and its
  // error text (errno, with its destination) appended to `errors` (may be null).
  size_t SendBatch(const std::vector<OutgoingDatagram>& batch, std::vector<std::string>* errors);

  // Reads one datagram if one is queued (never blocks). Returns false iff none was queued.
  bool Receive(char* buffer, size_t cap, Datagram* out);

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Waits until one of `sockets` is readable or `timeout` passes. Returns the indices of the
// readable ones (empty on timeout or EINTR).
std::vector<size_t> WaitReadable(const std::vector<UdpSocket*>& sockets, std::chrono::milliseconds timeout);

}  // namespace phaseout::net
