// POSIX UDP socket wrapper for discovery.
#include "net/udp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace phaseout::net {
namespace {

Error Errno(const std::string& what) {
  return MakeError(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

bool ToSockaddr(const std::string& ip, uint16_t port, sockaddr_in* out) {
  std::memset(out, 0, sizeof *out);
  out->sin_family = AF_INET;
  out->sin_port = htons(port);
  if (ip.empty()) {
    out->sin_addr.s_addr = htonl(INADDR_ANY);
    return true;
  }
  return inet_pton(AF_INET, ip.c_str(), &out->sin_addr) == 1;
}

}  // namespace

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Result<UdpSocket> UdpSocket::Open(const std::string& bind_ip, const std::string& multicast_if) {
  UdpSocket s;
  s.fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.fd_ < 0) return Errno("UDP socket");
  sockaddr_in addr;
  if (!ToSockaddr(bind_ip, 0, &addr)) {
    return MakeError(ErrorCode::kInvalidArgument, "UDP bind address \"" + bind_ip + "\" is not IPv4");
  }
  if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return Errno("UDP bind " + bind_ip);
  // A larger receive buffer so a burst of replies is not dropped by the kernel while we send.
  int rcvbuf = 1 << 20;
  ::setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (!multicast_if.empty()) {
    in_addr ifaddr;
    if (inet_pton(AF_INET, multicast_if.c_str(), &ifaddr) != 1) {
      return MakeError(ErrorCode::kInvalidArgument, "interface address \"" + multicast_if + "\" is not IPv4");
    }
    if (::setsockopt(s.fd_, IPPROTO_IP, IP_MULTICAST_IF, &ifaddr, sizeof ifaddr) != 0) {
      return Errno("IP_MULTICAST_IF " + multicast_if);
    }
    unsigned char ttl = 1;
    ::setsockopt(s.fd_, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    unsigned char loop = 1;
    ::setsockopt(s.fd_, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
  }
  return s;
}

Status UdpSocket::SendTo(const std::string& ip, uint16_t port, std::string_view bytes) {
  sockaddr_in addr;
  if (!ToSockaddr(ip, port, &addr)) return MakeError(ErrorCode::kInvalidArgument, "\"" + ip + "\" is not IPv4");
  ssize_t n = ::sendto(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (n < 0) return Errno("UDP send to " + ip + ":" + std::to_string(port));
  return Status::Ok();
}

size_t UdpSocket::SendBatch(const std::vector<OutgoingDatagram>& batch, std::vector<std::string>* errors) {
  // At most this many per system call (UIO_MAXIOV is 1024; smaller keeps the stack arrays small).
  constexpr size_t kChunk = 64;
  size_t sent = 0;
  for (size_t base = 0; base < batch.size(); base += kChunk) {
    const size_t n = std::min(kChunk, batch.size() - base);
    sockaddr_in addrs[kChunk];
    iovec iovs[kChunk];
    mmsghdr msgs[kChunk];
    for (size_t i = 0; i < n; ++i) {
      const OutgoingDatagram& d = batch[base + i];
      std::memset(&addrs[i], 0, sizeof addrs[i]);
      addrs[i].sin_family = AF_INET;
      addrs[i].sin_port = htons(d.port);
      addrs[i].sin_addr.s_addr = htonl(d.ipv4);
      iovs[i].iov_base = const_cast<char*>(d.bytes.data());
      iovs[i].iov_len = d.bytes.size();
      std::memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_name = &addrs[i];
      msgs[i].msg_hdr.msg_namelen = sizeof addrs[i];
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    size_t done = 0;
    while (done < n) {
      int r = ::sendmmsg(fd_, msgs + done, static_cast<unsigned>(n - done), MSG_NOSIGNAL);
      if (r > 0) {
        done += static_cast<size_t>(r);
        sent += static_cast<size_t>(r);
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      // The first message of the rest failed: note it and go on with the next one.
      if (errors != nullptr) {
        char text[INET_ADDRSTRLEN] = {0};
        inet_ntop(AF_INET, &addrs[done].sin_addr, text, sizeof text);
        errors->push_back("UDP send to " + std::string(text) + ":" + std::to_string(batch[base + done].port) + ": " +
                          std::strerror(r < 0 ? errno : EIO));
      }
      ++done;
    }
  }
  return sent;
}

bool UdpSocket::Receive(char* buffer, size_t cap, Datagram* out) {
  while (true) {
    sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buffer, cap, MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EAGAIN: nothing queued. ECONNREFUSED: an ICMP port-unreachable for an earlier send;
      // it carries no datagram, so read on.
      if (errno == ECONNREFUSED) continue;
      return false;
    }
    char text[INET_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
    out->from_ip = text;
    out->from_port = ntohs(from.sin_port);
    out->truncated = static_cast<size_t>(n) > cap;
    out->size = out->truncated ? cap : static_cast<size_t>(n);
    return true;
  }
}

std::vector<size_t> WaitReadable(const std::vector<UdpSocket*>& sockets, std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds;
  fds.reserve(sockets.size());
  for (UdpSocket* s : sockets) fds.push_back({s->fd(), POLLIN, 0});
  std::vector<size_t> ready;
  int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, timeout.count())));
  if (n <= 0) return ready;
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].revents & (POLLIN | POLLERR)) ready.push_back(i);
  }
  return ready;
}

}  // namespace phaseout::net
