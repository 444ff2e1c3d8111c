// FakeTcpServer: a small blocking-socket TCP server on a 127.x address for socket tests
// (engine and net). Each accepted connection runs a handler on its own thread; the server
// records when connections opened and closed so tests can check concurrency limits.
// Test-only, header-only; run tests that use it through scripts/netns-run.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace phaseout::net::testing {

using TestClock = std::chrono::steady_clock;

// Reads until `delim` (included), EOF or error; returns what was read. Blocking.
inline std::string ReadLine(int fd, char delim = '\n', size_t cap = 4096) {
  std::string out;
  char c;
  while (out.size() < cap) {
    ssize_t n = ::recv(fd, &c, 1, 0);
    if (n <= 0) break;
    out.push_back(c);
    if (c == delim) break;
  }
  return out;
}

inline bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Blocks until the peer closes or resets, or `stop` becomes true.
inline void WaitForClose(int fd, const std::atomic<bool>& stop) {
  char buf[512];
  while (!stop) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 20);
    if (r < 0) return;
    if (r == 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
  }
}

// Shared record of connection lifetimes (possibly across several servers, e.g. the ports of
// one emulated host).
class ConnectionLog {
 public:
  struct Interval {
    TestClock::time_point opened;
    TestClock::time_point closed;
  };
  void Opened(size_t* id) {
    std::lock_guard<std::mutex> lock(mu_);
    *id = intervals_.size();
    intervals_.push_back({TestClock::now(), TestClock::time_point::max()});
  }
  void Closed(size_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    intervals_[id].closed = TestClock::now();
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return intervals_.size();
  }
  // Largest number of connections open at the same moment. Each close time is moved
  // `slack` earlier, because the server notices a client's RST slightly after it happened.
  size_t MaxConcurrent(std::chrono::milliseconds slack = std::chrono::milliseconds(5)) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::pair<TestClock::time_point, int>> events;
    for (const Interval& i : intervals_) {
      auto closed = i.closed == TestClock::time_point::max() ? i.closed : i.closed - slack;
      if (closed < i.opened) closed = i.opened;
      events.push_back({i.opened, +1});
      events.push_back({closed, -1});
    }
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second < b.second;  // closes first
    });
    int cur = 0, best = 0;
    for (const auto& e : events) {
      cur += e.second;
      best = std::max(best, cur);
    }
    return static_cast<size_t>(best);
  }

 private:
  std::mutex mu_;
  std::vector<Interval> intervals_;
};

class FakeTcpServer {
 public:
  // Runs per accepted connection on its own thread; the server closes `fd` afterwards (RST
  // if the handler returns while data is pending; that is fine for tests). `stop` turns true
  // when the server shuts down: long-running handlers must poll it.
  using Handler = std::function<void(int fd, const std::atomic<bool>& stop)>;

  // Listens on ip:port. `accept_connections` false: listen with a zero backlog and never
  // accept (after FillBacklog() further connects hang: a silent host). Returns nullptr on
  // failure (e.g. outside a network namespace where the address is missing).
  static std::unique_ptr<FakeTcpServer> Start(const std::string& ip, uint16_t port, Handler handler,
                                              std::shared_ptr<ConnectionLog> log = nullptr,
                                              bool accept_connections = true) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(fd, accept_connections ? 128 : 0) != 0) {
      ::close(fd);
      return nullptr;
    }
    std::unique_ptr<FakeTcpServer> s(new FakeTcpServer());
    s->fd_ = fd;
    s->ip_ = ip;
    s->port_ = port;
    s->handler_ = std::move(handler);
    s->log_ = log ? std::move(log) : std::make_shared<ConnectionLog>();
    if (accept_connections) s->acceptor_ = std::thread([raw = s.get()] { raw->AcceptLoop(); });
    return s;
  }

  ~FakeTcpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    if (acceptor_.joinable()) acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& t : workers_) {
        if (t.joinable()) t.join();
      }
    }
    for (int c : filler_) ::close(c);
    ::close(fd_);
  }

  // For never-accepting servers: makes connections until the accept queue is full, so the
  // kernel drops further SYNs and clients' connects time out.
  void FillBacklog() {
    for (int i = 0; i < 4; ++i) {
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port_);
      ::inet_pton(AF_INET, ip_.c_str(), &a.sin_addr);
      ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
      filler_.push_back(c);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  uint16_t port() const { return port_; }
  ConnectionLog& log() { return *log_; }
  size_t accepted() const { return accepted_; }

 private:
  FakeTcpServer() = default;

  void AcceptLoop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++accepted_;
      size_t id = 0;
      log_->Opened(&id);
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, c, id] {
        handler_(c, stop_);
        log_->Closed(id);
        ::close(c);
      });
    }
  }

  int fd_ = -1;
  std::string ip_;
  uint16_t port_ = 0;
  Handler handler_;
  std::shared_ptr<ConnectionLog> log_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> accepted_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<int> filler_;
};

// Handlers used by several tests.
inline FakeTcpServer::Handler SilentHandler() {
  return [](int fd, const std::atomic<bool>& stop) { WaitForClose(fd, stop); };
}
inline FakeTcpServer::Handler BannerHandler(std::string banner) {
  return [banner](int fd, const std::atomic<bool>& stop) {
    SendAll(fd, banner);
    WaitForClose(fd, stop);
  };
}
inline FakeTcpServer::Handler EndlessHandler() {
  return [](int fd, const std::atomic<bool>& stop) {
    std::string chunk(4096, 'x');
    while (!stop && SendAll(fd, chunk)) {
    }
  };
}

}  // namespace phaseout::net::testing
