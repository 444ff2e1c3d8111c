// The epoll connect-and-read baseline: one thread, a fixed slot array, no allocation per
// connection.
#include "net/epoll_baseline.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace phaseout::net {
namespace {

using Clock = std::chrono::steady_clock;

struct Slot {
  int fd = -1;
  bool reading = false;
  uint16_t port = 0;
  Clock::time_point deadline;
};

void CloseRst(int fd) {
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
}

}  // namespace

Result<EpollBaselineResult> RunEpollBaseline(const TargetSet& targets, const EpollBaselineOptions& options) {
  if (options.ports.empty()) return MakeError(ErrorCode::kInvalidArgument, "epoll baseline: no ports");
  if (options.concurrency == 0) return MakeError(ErrorCode::kInvalidArgument, "epoll baseline: zero concurrency");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return MakeError(ErrorCode::kIo, std::string("epoll_create1: ") + std::strerror(errno));

  EpollBaselineResult result;
  const auto start = Clock::now();
  const auto connect_timeout = std::chrono::milliseconds(options.connect_timeout_ms);
  const auto read_timeout = std::chrono::milliseconds(options.read_timeout_ms);
  std::vector<Slot> slots(options.concurrency);
  std::vector<uint32_t> free_slots;
  for (uint32_t i = options.concurrency; i > 0; --i) free_slots.push_back(i - 1);
  std::vector<char> buffer(std::max<size_t>(1, options.read_bytes));
  std::vector<epoll_event> events(256);

  TargetCursor cursor(targets);
  std::vector<IpAddress> batch;
  size_t batch_pos = 0;
  size_t port_idx = options.ports.size();  // forces fetching the first address
  IpAddress current;
  bool exhausted = false;
  uint32_t in_flight = 0;
  bool fd_exhausted = false;

  auto finish = [&](uint32_t idx, bool rst) {
    Slot& s = slots[idx];
    epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
    if (rst) {
      CloseRst(s.fd);
    } else {
      close(s.fd);
    }
    s.fd = -1;
    free_slots.push_back(idx);
    --in_flight;
    fd_exhausted = false;
  };

  auto start_read = [&](uint32_t idx) {
    Slot& s = slots[idx];
    ++result.open;
    auto req = options.requests.find(s.port);
    if (req != options.requests.end() && !req->second.empty()) {
      (void)!send(s.fd, req->second.data(), req->second.size(), MSG_NOSIGNAL);
    }
    s.reading = true;
    s.deadline = Clock::now() + read_timeout;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u32 = idx;
    epoll_ctl(ep, EPOLL_CTL_MOD, s.fd, &ev);
  };

  auto next_pair = [&](IpAddress* addr, uint16_t* port) -> bool {
    if (port_idx == options.ports.size()) {
      if (batch_pos == batch.size()) {
        if (cursor.NextBatch(256, &batch) == 0) return false;
        batch_pos = 0;
      }
      current = batch[batch_pos++];
      port_idx = 0;
    }
    *addr = current;
    *port = options.ports[port_idx++];
    return true;
  };

  auto last_sweep = Clock::now();
  while (true) {
    // Launch connections into free slots.
    while (!exhausted && !fd_exhausted && !free_slots.empty()) {
      IpAddress addr;
      uint16_t port = 0;
      if (!next_pair(&addr, &port)) {
        exhausted = true;
        break;
      }
      sockaddr_storage ss{};
      socklen_t len = 0;
      if (addr.is_v6()) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        Uint128 v = addr.value();
        for (int i = 15; i >= 0; --i) {
          a6->sin6_addr.s6_addr[i] = static_cast<uint8_t>(v & 0xff);
          v >>= 8;
        }
        len = sizeof(sockaddr_in6);
      } else {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        a4->sin_addr.s_addr = htonl(addr.v4());
        len = sizeof(sockaddr_in);
      }
      int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        if ((errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) && in_flight > 0) {
          --port_idx;  // out of descriptors: retry this pair once a connection finishes
          fd_exhausted = true;
          break;
        }
        ++result.errors;
        continue;
      }
      ++result.attempts;
      int rc = connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
      if (rc != 0 && errno != EINPROGRESS) {
        if (errno == ECONNREFUSED) {
          ++result.refused;
        } else {
          ++result.errors;
        }
        close(fd);
        continue;
      }
      uint32_t idx = free_slots.back();
      free_slots.pop_back();
      Slot& s = slots[idx];
      s.fd = fd;
      s.port = port;
      s.reading = false;
      s.deadline = Clock::now() + connect_timeout;
      ++in_flight;
      epoll_event ev{};
      ev.events = EPOLLOUT;
      ev.data.u32 = idx;
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      if (rc == 0) start_read(idx);
    }
    if (in_flight == 0) break;  // the launch loop only stops with nothing in flight when exhausted

    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 10);
    for (int i = 0; i < n; ++i) {
      uint32_t idx = events[static_cast<size_t>(i)].data.u32;
      Slot& s = slots[idx];
      if (s.fd < 0) continue;
      if (!s.reading) {
        int err = 0;
        socklen_t errlen = sizeof err;
        getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &errlen);
        if (err == 0) {
          start_read(idx);
        } else {
          if (err == ECONNREFUSED) {
            ++result.refused;
          } else {
            ++result.errors;
          }
          finish(idx, false);
        }
        continue;
      }
      ssize_t got = read(s.fd, buffer.data(), buffer.size());
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (got > 0) {
        ++result.replies;
        result.bytes += static_cast<uint64_t>(got);
      }
      finish(idx, true);
    }
    auto now = Clock::now();
    if (now - last_sweep >= std::chrono::milliseconds(5)) {
      last_sweep = now;
      for (uint32_t idx = 0; idx < slots.size(); ++idx) {
        if (slots[idx].fd >= 0 && now >= slots[idx].deadline) {
          ++result.timeouts;
          finish(idx, true);
        }
      }
    }
  }
  close(ep);
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace phaseout::net
