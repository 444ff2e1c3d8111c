// The scan engine: per-thread io_contexts, persistent connection lanes that share hosts
// under the per-host cap, probe sessions driven over TcpConnection, lock-free counters.
#include "engine/scanner.h"

#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/detached.hpp>
#include <asio/error.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "net/neighbors.h"
#include "net/rate_limiter.h"
#include "net/tcp.h"

#ifdef PHASEOUT_ENGINE_HAVE_PROBE_REGISTRY
#include "probes/registry.h"
#endif

namespace phaseout::engine {
namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

constexpr size_t kCursorBatch = 32;        // addresses taken from the shared cursor at once
constexpr int kMaxStepsPerPort = 32;       // guards against a probe that never says kDone
constexpr Ms kStopPollInterval{50};
constexpr uint32_t kYieldEvery = 8;        // ports a lane handles before letting other lanes run
constexpr Ms kBackoffMin{20};
constexpr Ms kBackoffMax{1000};

// True iff `ec` carries an errno value (Asio may use its own category object for those).
bool IsErrno(const std::error_code& ec) {
  return ec.category() == std::system_category() || ec.category() == asio::error::get_system_category();
}

bool IsResourceError(const std::error_code& ec) {
  int v = ec.value();
  return IsErrno(ec) &&
         (v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM || v == EADDRNOTAVAIL ||
          v == EAGAIN);
}

// The network answered that no host is at the address (ICMP host unreachable, or no ARP/ND
// reply on a local segment): an answer like a timeout, not a gap in coverage.
bool IsHostUnreachable(const std::error_code& ec) {
  int v = ec.value();
  return IsErrno(ec) && (v == EHOSTUNREACH || v == EHOSTDOWN);
}

// The connect could not be sent or was blocked on this side (no route, local firewall,
// unsupported family): the port was not covered.
bool IsNetworkError(const std::error_code& ec) {
  int v = ec.value();
  return IsErrno(ec) &&
         (v == ENETUNREACH || v == EACCES || v == EPERM || v == ENETDOWN || v == EINVAL || v == EAFNOSUPPORT);
}

constexpr size_t kNotCoveredSample = 20;  // addresses listed by ScanStats::not_covered_sample

std::string JoinPorts(const std::vector<uint16_t>& ports, size_t from) {
  std::string out;
  for (size_t i = from; i < ports.size(); ++i) {
    if (!out.empty()) out += ",";
    out += std::to_string(ports[i]);
  }
  return out;
}

}  // namespace

// Counters and flags shared by Run(), its threads, Snapshot() and Stop().
struct ScanState {
  std::atomic<bool> stop{false};
  std::atomic<bool> running{false};
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> targets_total{0};
  std::atomic<uint64_t> targets_done{0};
  std::atomic<uint64_t> hosts_responsive{0};
  std::atomic<uint64_t> connections_attempted{0};
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> connect_timeouts{0};
  std::atomic<uint64_t> read_timeouts{0};
  std::atomic<uint64_t> bytes_read{0};
  std::atomic<uint64_t> resource_errors{0};
  std::atomic<uint64_t> host_unreachable{0};
  std::atomic<uint64_t> network_errors{0};
  std::atomic<uint64_t> other_errors{0};
  std::atomic<uint64_t> addresses_not_covered{0};
  std::atomic<uint64_t> ports_not_covered{0};
  // Rare events (connect errors), so a mutex is cheap enough.
  mutable std::mutex errors_mu;
  std::map<std::string, uint64_t> errors_by_kind;
  std::vector<std::string> not_covered_sample;
  std::atomic<int64_t> start_ns{0};
  std::atomic<int64_t> elapsed_ns{0};
  std::mutex udp_mu;                   // guards udp_stats (written once per Run)
  DiscoveryStats udp_stats;
  Ms udp_elapsed{0};
  std::vector<std::string> udp_warnings;
};

struct Scanner::Impl : ScanState {};

namespace {

// One host being scanned by one thread. Pooled per thread; reused for the next host.
struct HostState {
  net::IpAddress address;
  asio::ip::address asio_address;
  size_t next_port = 0;   // index into options.ports of the next port to try
  uint32_t active = 0;    // lanes working on this host now (<= per_host)
  bool in_pending = false;
  Clock::time_point deadline;
  std::string skipped_note;  // set once when the host timeout or Stop skips ports
  std::vector<uint16_t> ports_lost;  // connects not sent or blocked here, and ports Stop skipped
  std::string lost_reason;           // the first error text among ports_lost
  model::HostScan scan;
  std::vector<std::pair<uint16_t, std::vector<model::Observation>>> per_port;
};

class DiscoveryFeed;

// Work shared by all threads of one Run().
struct RunShared {
  const ScanOptions* options = nullptr;
  ScanState* impl = nullptr;
  net::TargetCursor* cursor = nullptr;
  net::RateLimiter* limiter = nullptr;
  net::NeighborCache* neighbors = nullptr;
  ProbeSelector selector;
  const HostCallback* on_host = nullptr;
  size_t cursor_batch = kCursorBatch;
  // In-scope discovery replies by address; read-only during the TCP pass (discovery first).
  const std::map<std::string, DiscoveredHost>* discovered = nullptr;
  // The hand-over when discovery runs beside the TCP pass (then `discovered` is null).
  DiscoveryFeed* feed = nullptr;
};

// Reports one finished host: `scan` holds its TCP facts, `found` its discovery facts (may be
// null). Nothing is reported for a host with neither. Thread-safe (any scan or discovery thread).
void Deliver(RunShared& shared, const net::IpAddress& address, model::HostScan&& scan, const DiscoveredHost* found) {
  if (scan.open_ports.empty() && found == nullptr) return;
  scan.ip = address.ToString();
  if (shared.neighbors != nullptr && !address.is_v6()) scan.mac = shared.neighbors->Lookup(scan.ip);
  // UDP facts come after the TCP ones; the kernel's MAC wins over the device's claim.
  if (found != nullptr) MergeDiscovered(*found, &scan);
  shared.impl->hosts_responsive.fetch_add(1, std::memory_order_relaxed);
  (*shared.on_host)(std::move(scan));
}

// Discovery beside the TCP pass: a host the TCP pass finished is reported once its discovery
// facts are final (DiscoveryListener); until then it waits here. The discovery pass walks the
// scope in the same ascending order and faster (one slot per address against one per port),
// so few hosts wait, and none longer than about wait_ms.
class DiscoveryFeed final : public DiscoveryListener {
 public:
  explicit DiscoveryFeed(RunShared& shared) : shared_(shared) {}

  // The TCP pass finished `address`.
  void Finished(const net::IpAddress& address, model::HostScan&& scan) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!all_final_ && (!through_ || *through_ < address)) {
      parked_.emplace(address, std::move(scan));
      return;
    }
    std::optional<DiscoveredHost> found = TakeLocked(address);
    lock.unlock();
    Deliver(shared_, address, std::move(scan), found ? &*found : nullptr);
  }

  void Final(std::optional<net::IpAddress> through, std::vector<DiscoveredHost> hosts) override {
    std::vector<std::tuple<net::IpAddress, model::HostScan, std::optional<DiscoveredHost>>> now;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (DiscoveredHost& h : hosts) {
        std::string ip = h.ip;
        ready_.emplace(std::move(ip), std::move(h));
      }
      if (through) {
        through_ = through;
      } else {
        all_final_ = true;
      }
      auto end = all_final_ ? parked_.end() : parked_.upper_bound(*through_);
      for (auto it = parked_.begin(); it != end; ++it) {
        now.emplace_back(it->first, std::move(it->second), TakeLocked(it->first));
      }
      parked_.erase(parked_.begin(), end);
    }
    for (auto& [address, scan, found] : now) Deliver(shared_, address, std::move(scan), found ? &*found : nullptr);
  }

 private:
  std::optional<DiscoveredHost> TakeLocked(const net::IpAddress& address) {
    if (ready_.empty()) return std::nullopt;
    auto it = ready_.find(address.ToString());
    if (it == ready_.end()) return std::nullopt;
    std::optional<DiscoveredHost> found(std::move(it->second));
    ready_.erase(it);
    return found;
  }

  RunShared& shared_;
  std::mutex mu_;
  std::optional<net::IpAddress> through_;  // discovery facts final up to here
  bool all_final_ = false;
  std::unordered_map<std::string, DiscoveredHost> ready_;  // final, not yet claimed by the TCP pass
  std::map<net::IpAddress, model::HostScan> parked_;       // finished by TCP, facts not final yet
};

// One connection slot: at most one open connection at a time.
struct Lane {
  explicit Lane(asio::io_context& io) : conn(io) {}
  net::TcpConnection conn;
  std::unique_ptr<char[]> buffer;  // max_response_bytes, allocated on first use
};

// Everything one event-loop thread owns. Destroyed after its io_context stopped running.
class ThreadScan {
 public:
  ThreadScan(RunShared& shared, size_t lanes) : shared_(shared), opt_(*shared.options), stop_timer_(io_) {
    for (size_t i = 0; i < lanes; ++i) lanes_.push_back(std::make_unique<Lane>(io_));
  }

  Status Init() {
    auto tls = net::MakeScanTlsContext();
    if (!tls) return tls.error();
    tls_ = std::move(*tls);
    return Status::Ok();
  }

  void Run() {
    lanes_alive_ = lanes_.size();
    for (auto& lane : lanes_) {
      asio::co_spawn(io_, LaneLoop(*lane), [this](std::exception_ptr e) {
        if (e) shared_.impl->other_errors.fetch_add(1, std::memory_order_relaxed);
        if (--lanes_alive_ == 0) stop_timer_.cancel();
      });
    }
    asio::co_spawn(io_, StopWatcher(), asio::detached);
    while (true) {
      try {
        io_.run();
        break;
      } catch (const std::exception&) {
        // A handler threw (nothing in the engine should); count it and keep the loop going.
        shared_.impl->other_errors.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }

 private:
  // Polls the Stop() flag (Stop must stay async-signal-safe, so it cannot post to us).
  asio::awaitable<void> StopWatcher() {
    while (lanes_alive_ > 0) {
      if (shared_.impl->stop.load(std::memory_order_relaxed)) {
        for (auto& lane : lanes_) lane->conn.Cancel();
        co_return;
      }
      stop_timer_.expires_after(kStopPollInterval);
      std::error_code ec;
      co_await stop_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  bool Stopping() const { return shared_.impl->stop.load(std::memory_order_relaxed); }

  std::optional<net::IpAddress> NextAddress() {
    if (batch_pos_ >= batch_.size()) {
      if (Stopping()) return std::nullopt;
      batch_pos_ = 0;
      if (shared_.cursor->NextBatch(shared_.cursor_batch, &batch_) == 0) return std::nullopt;  // clears batch_
    }
    return batch_[batch_pos_++];
  }

  HostState* NewHost(const net::IpAddress& address) {
    HostState* host;
    if (free_hosts_.empty()) {
      host_pool_.push_back(std::make_unique<HostState>());
      host = host_pool_.back().get();
    } else {
      host = free_hosts_.back();
      free_hosts_.pop_back();
    }
    host->address = address;
    if (address.is_v6()) {
      asio::ip::address_v6::bytes_type bytes;
      net::Uint128 v = address.value();
      for (int i = 15; i >= 0; --i) {
        bytes[static_cast<size_t>(i)] = static_cast<unsigned char>(v & 0xff);
        v >>= 8;
      }
      host->asio_address = asio::ip::address_v6(bytes);
    } else {
      host->asio_address = asio::ip::address_v4(address.v4());
    }
    host->next_port = 0;
    host->active = 0;
    host->in_pending = false;
    host->deadline = Clock::now() + Ms(opt_.host_timeout_ms);
    host->skipped_note.clear();
    host->ports_lost.clear();
    host->lost_reason.clear();
    host->scan = model::HostScan();
    host->per_port.clear();
    return host;
  }

  // A host that still has untried ports and room under the per-host cap, or a new host.
  HostState* PickHost() {
    const size_t port_count = opt_.ports.size();
    while (!pending_.empty()) {
      HostState* host = pending_.front();
      if (host->next_port < port_count && host->active < opt_.per_host) return host;
      pending_.pop_front();
      host->in_pending = false;
    }
    std::optional<net::IpAddress> address = NextAddress();
    if (!address) return nullptr;
    HostState* host = NewHost(*address);
    pending_.push_back(host);
    host->in_pending = true;
    return host;
  }

  // Skips the remaining ports of `host` (host timeout or stop) and says so once.
  // Ports skipped by Stop() count as not covered; the host timeout is the user's budget.
  void SkipRest(HostState* host, const char* why, bool stopped = false) {
    if (host->next_port < opt_.ports.size()) {
      host->skipped_note = std::string(why) + "; ports not tried: " + JoinPorts(opt_.ports, host->next_port);
      if (stopped) {
        host->ports_lost.insert(host->ports_lost.end(), opt_.ports.begin() + static_cast<std::ptrdiff_t>(host->next_port),
                                opt_.ports.end());
        if (host->lost_reason.empty()) host->lost_reason = "scan stopped";
      }
      host->next_port = opt_.ports.size();
    }
  }

  void RecordNotCovered(HostState* host) {
    if (host->ports_lost.empty()) return;
    ScanState& impl = *shared_.impl;
    impl.addresses_not_covered.fetch_add(1, std::memory_order_relaxed);
    impl.ports_not_covered.fetch_add(host->ports_lost.size(), std::memory_order_relaxed);
    std::sort(host->ports_lost.begin(), host->ports_lost.end());
    std::string ports = JoinPorts(host->ports_lost, 0);
    if (!host->scan.open_ports.empty()) {
      host->scan.notes.push_back("ports " + ports + " not reached: " + host->lost_reason);
    }
    std::lock_guard<std::mutex> lock(impl.errors_mu);
    if (impl.not_covered_sample.size() < kNotCoveredSample) {
      impl.not_covered_sample.push_back(host->address.ToString() + ": ports " + ports + " (" + host->lost_reason + ")");
    }
  }

  void Finish(HostState* host) {
    shared_.impl->targets_done.fetch_add(1, std::memory_order_relaxed);
    RecordNotCovered(host);
    model::HostScan scan = std::move(host->scan);
    std::sort(scan.open_ports.begin(), scan.open_ports.end());
    std::stable_sort(host->per_port.begin(), host->per_port.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [port, observations] : host->per_port) {
      for (auto& o : observations) scan.observations.push_back(std::move(o));
    }
    if (!host->skipped_note.empty()) scan.notes.push_back(host->skipped_note);
    if (shared_.feed != nullptr) {
      shared_.feed->Finished(host->address, std::move(scan));
    } else {
      const DiscoveredHost* found = nullptr;
      if (shared_.discovered != nullptr && !shared_.discovered->empty()) {
        auto it = shared_.discovered->find(host->address.ToString());
        if (it != shared_.discovered->end()) found = &it->second;
      }
      Deliver(shared_, host->address, std::move(scan), found);
    }
    host->scan = model::HostScan();
    host->per_port.clear();
    free_hosts_.push_back(host);
  }

  asio::awaitable<void> LaneLoop(Lane& lane) {
    const size_t port_count = opt_.ports.size();
    HostState* host = nullptr;
    uint32_t attempts_since_yield = 0;
    while (true) {
      if (host == nullptr || host->next_port >= port_count || host->active >= opt_.per_host) {
        host = PickHost();
        if (host == nullptr) break;
      }
      if (Stopping()) {
        SkipRest(host, "scan stopped", /*stopped=*/true);
      } else if (Clock::now() >= host->deadline) {
        SkipRest(host, ("host timed out after " + std::to_string(opt_.host_timeout_ms) + " ms").c_str());
      }
      if (host->next_port < port_count) {
        uint16_t port = opt_.ports[host->next_port++];
        ++host->active;
        co_await ScanPort(lane, *host, port);
        --host->active;
        if (Stopping()) SkipRest(host, "scan stopped", /*stopped=*/true);
      }
      if (host->next_port >= port_count) {
        if (host->active == 0) Finish(host);
        host = nullptr;
      } else if (!host->in_pending) {
        pending_.push_back(host);
        host->in_pending = true;
      }
      // Refused connects complete without suspending; yield now and then so one lane cannot
      // starve the other lanes' reads and deadlines on this thread. While suspended, other
      // lanes may finish and recycle `host`, so pick again afterwards (it is in pending_ if
      // it still has ports to try).
      if (++attempts_since_yield >= kYieldEvery) {
        attempts_since_yield = 0;
        host = nullptr;
        co_await asio::post(io_.get_executor(), asio::use_awaitable);
      }
    }
  }

  Clock::time_point DeadlineIn(const HostState& host, uint32_t ms) const {
    return std::min(Clock::now() + Ms(ms), host.deadline);
  }

  // Connects under the rate limit, backing off on resource exhaustion. Counts the outcome.
  asio::awaitable<net::IoResult> Connect(Lane& lane, HostState& host, uint16_t port) {
    ScanState& impl = *shared_.impl;
    asio::ip::tcp::endpoint endpoint(host.asio_address, port);
    Ms backoff = kBackoffMin;
    while (true) {
      if (Stopping()) co_return net::IoResult{net::IoStatus::kCancelled, {}};
      if (Clock::now() >= host.deadline) co_return net::IoResult{net::IoStatus::kTimeout, {}};
      std::chrono::nanoseconds wait = shared_.limiter->Reserve();
      if (wait.count() > 0) {
        net::IoResult slept = co_await lane.conn.SleepUntil(Clock::now() + wait);
        if (!slept.ok()) co_return slept;
      }
      impl.connections_attempted.fetch_add(1, std::memory_order_relaxed);
      net::IoResult r = co_await lane.conn.Connect(endpoint, DeadlineIn(host, opt_.connect_timeout_ms));
      switch (r.status) {
        case net::IoStatus::kOk:
          impl.connections_open.fetch_add(1, std::memory_order_relaxed);
          co_return r;
        case net::IoStatus::kRefused:
          impl.connections_refused.fetch_add(1, std::memory_order_relaxed);
          co_return r;
        case net::IoStatus::kTimeout:
          impl.connect_timeouts.fetch_add(1, std::memory_order_relaxed);
          co_return r;
        case net::IoStatus::kCancelled:
          co_return r;
        case net::IoStatus::kClosed:
        case net::IoStatus::kError:
          break;
      }
      if (IsResourceError(r.error)) {
        // Out of descriptors or ephemeral ports: wait for other connections to finish.
        impl.resource_errors.fetch_add(1, std::memory_order_relaxed);
        net::IoResult slept = co_await lane.conn.SleepUntil(Clock::now() + backoff);
        if (!slept.ok()) co_return slept;
        backoff = std::min(backoff * 2, kBackoffMax);
        continue;
      }
      if (IsHostUnreachable(r.error)) {
        impl.host_unreachable.fetch_add(1, std::memory_order_relaxed);
        co_return r;
      }
      if (IsNetworkError(r.error)) {
        impl.network_errors.fetch_add(1, std::memory_order_relaxed);
      } else {
        impl.other_errors.fetch_add(1, std::memory_order_relaxed);
      }
      {
        std::lock_guard<std::mutex> lock(impl.errors_mu);
        ++impl.errors_by_kind[r.error ? r.error.message() : std::string("connection failed")];
      }
      co_return r;
    }
  }

  void Note(HostState& host, uint16_t port, const std::string& text) {
    host.scan.notes.push_back("port " + std::to_string(port) + ": " + text);
  }

  asio::awaitable<void> ScanPort(Lane& lane, HostState& host, uint16_t port) {
    net::IoResult connected = co_await Connect(lane, host, port);
    if (!connected.ok()) {
      if (connected.status == net::IoStatus::kCancelled && Stopping()) {
        host.ports_lost.push_back(port);
        if (host.lost_reason.empty()) host.lost_reason = "scan stopped";
      } else if ((connected.status == net::IoStatus::kError || connected.status == net::IoStatus::kClosed) &&
                 !IsHostUnreachable(connected.error)) {
        host.ports_lost.push_back(port);
        if (host.lost_reason.empty()) {
          host.lost_reason = connected.error ? connected.error.message() : std::string("connection failed");
        }
      }
      co_return;
    }
    host.scan.open_ports.push_back(port);
    const probes::Probe* probe = shared_.selector ? shared_.selector(port) : nullptr;
    if (probe == nullptr) {
      lane.conn.Close();
      co_return;
    }
    if (!lane.buffer) lane.buffer.reset(new char[opt_.max_response_bytes]);
    std::unique_ptr<probes::ProbeSession> session = probe->Start({host.address.ToString(), port});
    bool fresh = true;  // the current connection has carried no probe step yet
    int steps = 0;
    while (true) {
      if (Stopping()) {
        Note(host, port, "scan stopped during probing");
        break;
      }
      if (Clock::now() >= host.deadline) {
        Note(host, port, "host timeout reached during probing");
        break;
      }
      if (++steps > kMaxStepsPerPort) {
        Note(host, port, "probe gave up after " + std::to_string(kMaxStepsPerPort) + " steps");
        break;
      }
      probes::Step step = session->Next();
      if (step.kind == probes::Step::Kind::kDone) break;
      probes::Response response;

      bool reconnect = step.new_connection || !lane.conn.is_open() ||
                       (step.tls != lane.conn.is_tls() && !fresh) || (!step.tls && lane.conn.is_tls());
      if (reconnect) {
        net::IoResult again = co_await Connect(lane, host, port);
        if (!again.ok()) {
          response.connect_failed = true;
          session->OnResponse(response);
          continue;
        }
        fresh = true;
      }
      if (step.tls && !lane.conn.is_tls()) {
        net::IoResult hs = co_await lane.conn.StartTls(*tls_, DeadlineIn(host, opt_.connect_timeout_ms + opt_.read_timeout_ms));
        if (!hs.ok()) {
          Note(host, port, hs.status == net::IoStatus::kTimeout ? std::string("TLS handshake timed out")
                                                                 : "TLS handshake failed: " + lane.conn.tls_error());
          lane.conn.Close();
          response.connect_failed = true;
          session->OnResponse(response);
          continue;
        }
        session->OnTlsCertificate(lane.conn.peer_certificate_der());
      }
      fresh = false;

      const uint32_t timeout_ms = step.read_timeout_ms != 0 ? step.read_timeout_ms : opt_.read_timeout_ms;
      if (step.kind == probes::Step::Kind::kSend && !step.request.empty()) {
        net::IoResult wrote = co_await lane.conn.Write(step.request, DeadlineIn(host, timeout_ms));
        if (!wrote.ok()) {
          response.timed_out = wrote.status == net::IoStatus::kTimeout;
          response.closed = !response.timed_out;
          lane.conn.Close();
          session->OnResponse(response);
          continue;
        }
      }
      ProbeFrame frame{session.get()};
      net::ReadResult got = co_await lane.conn.ReadUntil(
          lane.buffer.get(), opt_.max_response_bytes, frame.fn, DeadlineIn(host, timeout_ms));
      shared_.impl->bytes_read.fetch_add(got.size, std::memory_order_relaxed);
      response.bytes = std::string_view(lane.buffer.get(), got.size);
      response.truncated = got.truncated;
      response.timed_out = got.timed_out;
      response.closed = got.closed || static_cast<bool>(got.error);
      if (got.truncated) Note(host, port, "reply cut at " + std::to_string(opt_.max_response_bytes) + " bytes");
      if (got.timed_out) {
        shared_.impl->read_timeouts.fetch_add(1, std::memory_order_relaxed);
        if (step.kind == probes::Step::Kind::kSend) {
          Note(host, port, "read timed out after " + std::to_string(timeout_ms) + " ms");
        }
      }
      if (got.truncated || got.closed || got.error || got.cancelled) lane.conn.Close();
      session->OnResponse(response);
    }
    lane.conn.Close();
    host.per_port.emplace_back(port, session->TakeObservations());
  }

  // Adapts ProbeSession::Frame to the TcpConnection frame callback without a heap allocation.
  struct ProbeFrame {
    explicit ProbeFrame(probes::ProbeSession* s)
        : fn([s](std::string_view bytes) { return s->Frame(bytes) == probes::Framing::kComplete; }) {}
    std::function<bool(std::string_view)> fn;
  };

  RunShared& shared_;
  const ScanOptions& opt_;
  asio::io_context io_{1};  // concurrency hint 1: only this thread runs it
  asio::steady_timer stop_timer_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  size_t lanes_alive_ = 0;
  std::vector<net::IpAddress> batch_;
  size_t batch_pos_ = 0;
  std::deque<HostState*> pending_;
  std::vector<std::unique_ptr<HostState>> host_pool_;
  std::vector<HostState*> free_hosts_;
};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

}  // namespace

Scanner::Scanner(ScanOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {}

Scanner::~Scanner() = default;

void Scanner::Stop() { impl_->stop.store(true, std::memory_order_relaxed); }

ScanStats Scanner::Snapshot() const {
  const Impl& i = *impl_;
  ScanStats s;
  auto load = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  s.targets_total = load(i.targets_total);
  s.targets_done = load(i.targets_done);
  s.hosts_responsive = load(i.hosts_responsive);
  s.connections_attempted = load(i.connections_attempted);
  s.connections_open = load(i.connections_open);
  s.connections_refused = load(i.connections_refused);
  s.connect_timeouts = load(i.connect_timeouts);
  s.read_timeouts = load(i.read_timeouts);
  s.bytes_read = load(i.bytes_read);
  s.resource_errors = load(i.resource_errors);
  s.host_unreachable = load(i.host_unreachable);
  s.network_errors = load(i.network_errors);
  s.other_errors = load(i.other_errors);
  {
    std::lock_guard<std::mutex> lock(const_cast<Impl&>(i).udp_mu);
    s.udp = i.udp_stats;
    s.udp_elapsed = i.udp_elapsed;
    s.udp_warnings = i.udp_warnings;
  }
  s.addresses_not_covered = load(i.addresses_not_covered);
  s.ports_not_covered = load(i.ports_not_covered);
  {
    std::lock_guard<std::mutex> lock(i.errors_mu);
    s.not_covered_sample = i.not_covered_sample;
    s.errors_by_kind.assign(i.errors_by_kind.begin(), i.errors_by_kind.end());
  }
  s.running = i.running.load(std::memory_order_relaxed);
  s.stopped = i.stopped.load(std::memory_order_relaxed);
  int64_t elapsed = s.running ? NowNs() - i.start_ns.load(std::memory_order_relaxed)
                              : i.elapsed_ns.load(std::memory_order_relaxed);
  s.elapsed = std::chrono::duration_cast<Ms>(std::chrono::nanoseconds(elapsed));
  return s;
}

Status Scanner::Run(const net::TargetSet& targets, const HostCallback& on_host) {
  const ScanOptions& opt = options_;
  auto invalid = [](const std::string& m) { return MakeError(ErrorCode::kInvalidArgument, "scan options: " + m); };
  if (opt.ports.empty()) return invalid("no ports to scan");
  if (std::find(opt.ports.begin(), opt.ports.end(), 0) != opt.ports.end()) return invalid("port 0 is not scannable");
  if (opt.concurrency == 0) return invalid("concurrency must be at least 1");
  if (opt.per_host == 0) return invalid("per-host connection cap must be at least 1");
  if (opt.connect_timeout_ms == 0 || opt.read_timeout_ms == 0 || opt.host_timeout_ms == 0) {
    return invalid("timeouts must be positive");
  }
  if (opt.max_response_bytes == 0) return invalid("max_response_bytes must be positive");
  if (!on_host) return invalid("no host callback");
  if (impl_->running.exchange(true)) return MakeError(ErrorCode::kInternal, "Scanner::Run is already running");

  RunShared shared;
  shared.options = &opt;
  shared.impl = impl_.get();
  shared.on_host = &on_host;
  shared.selector = opt.probe_for_port;
#ifdef PHASEOUT_ENGINE_HAVE_PROBE_REGISTRY
  if (!shared.selector) shared.selector = [](uint16_t port) { return probes::ProbeForPort(port); };
#endif
  // Unicast discovery runs beside the TCP pass (multicast replies come from anywhere at any
  // time, so with --discover it runs first). Beside it, the two share the rate: one slot per
  // address for the datagrams and one per port for the connects, as when run one after the other.
  const bool run_udp = opt.udp && (opt.discovery.unicast || !opt.discovery.interfaces.empty());
  const bool udp_beside = run_udp && opt.discovery.interfaces.empty();
  const double ports = static_cast<double>(opt.ports.size());
  const double tcp_rate = udp_beside && opt.rate > 0 ? opt.rate * ports / (ports + 1) : opt.rate;
  net::TargetCursor cursor(targets);
  shared.cursor = &cursor;
  net::RateLimiter limiter(tcp_rate);
  shared.limiter = &limiter;
  std::unique_ptr<net::NeighborCache> neighbors;
  if (!opt.neighbor_table_path.empty()) {
    neighbors = std::make_unique<net::NeighborCache>(opt.neighbor_table_path);
    shared.neighbors = neighbors.get();
  }

  Impl& impl = *impl_;
  for (auto* counter : {&impl.targets_done, &impl.hosts_responsive, &impl.connections_attempted,
                        &impl.connections_open, &impl.connections_refused, &impl.connect_timeouts,
                        &impl.read_timeouts, &impl.bytes_read, &impl.resource_errors,
                        &impl.host_unreachable, &impl.network_errors, &impl.other_errors,
                        &impl.addresses_not_covered, &impl.ports_not_covered}) {
    counter->store(0, std::memory_order_relaxed);
  }
  {
    std::lock_guard<std::mutex> lock(impl.errors_mu);
    impl.errors_by_kind.clear();
    impl.not_covered_sample.clear();
  }
  impl.stopped.store(false, std::memory_order_relaxed);
  impl.targets_total.store(targets.Count(), std::memory_order_relaxed);
  impl.start_ns.store(NowNs(), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(impl.udp_mu);
    impl.udp_stats = DiscoveryStats();
    impl.udp_elapsed = Ms(0);
    impl.udp_warnings.clear();
  }

  DiscoveryResult discovered;
  auto run_discovery = [&](DiscoveryListener* listener) {
    DiscoveryOptions dopt = opt.discovery;
    dopt.rate = listener != nullptr && opt.rate > 0 ? opt.rate / (ports + 1) : opt.rate;
    const Clock::time_point udp_start = Clock::now();
    Result<DiscoveryResult> r = RunDiscovery(targets, dopt, &impl.stop, listener);
    const Ms udp_elapsed = std::chrono::duration_cast<Ms>(Clock::now() - udp_start);
    if (r) {
      discovered = std::move(*r);
    } else {
      impl.other_errors.fetch_add(1, std::memory_order_relaxed);
      discovered.warnings.push_back(r.error().message);
    }
    if (listener != nullptr) listener->Final(std::nullopt, {});  // whatever happened: nothing more comes
    std::lock_guard<std::mutex> lock(impl.udp_mu);
    impl.udp_stats = discovered.stats;
    impl.udp_elapsed = udp_elapsed;
    impl.udp_warnings = discovered.warnings;
  };
  DiscoveryFeed feed(shared);
  std::thread udp_thread;
  if (udp_beside) {
    shared.feed = &feed;
    try {
      udp_thread = std::thread([&] { run_discovery(&feed); });
    } catch (const std::system_error&) {
      shared.feed = nullptr;  // no thread: run it first, as with --discover
    }
  }
  if (run_udp && shared.feed == nullptr) {
    // The UDP pass first, so its facts are at hand when each host's TCP record is finished.
    run_discovery(nullptr);
    shared.discovered = &discovered.in_scope;
  }

  // Lanes (connection slots) are split over the threads; together they are the global cap.
  uint32_t threads = opt.threads != 0 ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  uint64_t useful_lanes = std::max<uint64_t>(1, std::min<uint64_t>(opt.concurrency, targets.Count() * opt.per_host));
  // A host lives in one thread, so each thread needs per_host lanes to use the per-host cap.
  threads = static_cast<uint32_t>(std::min<uint64_t>(threads, std::max<uint64_t>(1, useful_lanes / opt.per_host)));
  // Small sets get small cursor batches so every thread gets work.
  shared.cursor_batch = static_cast<size_t>(
      std::clamp<uint64_t>(targets.Count() / (uint64_t{threads} * 16), 1, kCursorBatch));
  std::vector<std::unique_ptr<ThreadScan>> scans;
  Status status = Status::Ok();
  for (uint32_t t = 0; t < threads; ++t) {
    size_t lanes = useful_lanes / threads + (t < useful_lanes % threads ? 1 : 0);
    try {
      // Asio throws if the OS refuses the event loop's descriptors (e.g. EMFILE).
      scans.push_back(std::make_unique<ThreadScan>(shared, lanes));
    } catch (const std::exception& e) {
      status = MakeError(ErrorCode::kIo, std::string("cannot create scan event loop: ") + e.what());
      break;
    }
    if (Status st = scans.back()->Init(); !st.ok()) {
      status = st;
      break;
    }
  }
  if (status.ok()) {
    std::vector<std::thread> workers;
    workers.reserve(scans.size());
    for (auto& scan : scans) {
      try {
        workers.emplace_back([&scan] { scan->Run(); });
      } catch (const std::system_error& e) {
        status = MakeError(ErrorCode::kIo, std::string("cannot start scan thread: ") + e.what());
        impl_->stop.store(true);  // the threads already running wind down
        break;
      }
    }
    for (auto& w : workers) w.join();
  }
  if (udp_thread.joinable()) udp_thread.join();
  scans.clear();
  // Senders outside the target set: separate, flagged records (never merged, never probed).
  if (status.ok()) {
    for (DiscoveredHost& h : discovered.out_of_scope) {
      model::HostScan scan;
      scan.ip = h.ip;
      scan.out_of_scope = true;
      MergeDiscovered(h, &scan);
      on_host(std::move(scan));
    }
  }
  impl.stopped.store(impl.stop.load(std::memory_order_relaxed), std::memory_order_relaxed);
  impl.stop.store(false, std::memory_order_relaxed);
  impl.elapsed_ns.store(NowNs() - impl.start_ns.load(std::memory_order_relaxed), std::memory_order_relaxed);
  impl.running.store(false, std::memory_order_relaxed);
  return status;
}

}  // namespace phaseout::engine
