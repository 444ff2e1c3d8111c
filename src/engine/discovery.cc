// The discovery pass: one thread, one UDP socket per probe (plus one per probe and multicast
// interface), sends paced by a RateLimiter (unicast ones batched per socket with sendmmsg),
// replies drained between batches; with a DiscoveryListener, hosts handed over in scope order
// as their reply windows end.
#include "engine/discovery.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <memory>
#include <set>
#include <thread>
#include <unordered_map>

#include "engine/scanner.h"
#include "net/rate_limiter.h"
#include "net/udp.h"
#include "probes/common/discovery_text.h"
#include "probes/ssdp/ssdp.h"

#ifdef PHASEOUT_ENGINE_HAVE_PROBE_REGISTRY
#include "probes/registry.h"
#endif

namespace phaseout::engine {
namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

// Targets whose unicast datagrams are sent together (one sendmmsg per socket) when the rate
// limiter does not make the sweep wait.
constexpr size_t kSendBatchTargets = 64;

// Keys whose value is a MAC the device reports about itself.
constexpr const char* kMacKeys[] = {"sadp.mac", "dhip.mac", "onvif.mac", "onvif.uuid_node", "mdns.txt.macaddress"};
constexpr const char* kSerialKeys[] = {"sadp.serial", "dhip.serial", "onvif.serial", "upnp.serial"};

struct Endpoint {
  const probes::DatagramProbe* probe;
  net::UdpSocket socket;
};

struct HostEntry {
  DiscoveredHost host;
  std::set<std::string> seen;  // probe \x1f key \x1f value, for de-duplication
};

// One plain HTTP exchange with `ip:port` before `deadline`: connect, write `request`, read until
// the peer closes, `cap` bytes or the deadline. Returns what was read ("" if nothing).
std::string FetchOnce(const std::string& ip, uint16_t port, const std::string& request, size_t cap,
                      Clock::time_point deadline) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  std::string out;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  auto wait = [&](short events) {
    auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, static_cast<int>(left)) > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
  };
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) == 1) {
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    bool connected = rc == 0;
    if (!connected && errno == EINPROGRESS && wait(POLLOUT)) {
      int err = 0;
      socklen_t len = sizeof err;
      connected = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    size_t sent = 0;
    while (connected && sent < request.size() && wait(POLLOUT)) {
      ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    char buf[8192];
    while (connected && sent == request.size() && out.size() < cap && wait(POLLIN)) {
      ssize_t n = ::recv(fd, buf, std::min(sizeof buf, cap - out.size()), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  // RST on close, as the scan engine does: no TIME_WAIT left behind.
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
  return out;
}

class Pass {
 public:
  Pass(const net::TargetSet& scope, const DiscoveryOptions& options, const std::atomic<bool>* stop,
       DiscoveryListener* listener)
      : scope_(scope), opt_(options), stop_(stop), listener_(listener), limiter_(options.rate),
        buffer_(new char[static_cast<size_t>(options.max_datagram_bytes) + 1]) {}

  std::vector<Endpoint> endpoints;  // unicast sockets, then multicast ones
  std::vector<std::pair<size_t, std::string>> multicast;  // endpoint index -> group

  bool Stopping() const { return stop_ != nullptr && stop_->load(std::memory_order_relaxed); }

  // Reads whatever is queued on every socket, waiting at most until `until`.
  void DrainUntil(Clock::time_point until) {
    std::vector<net::UdpSocket*> sockets;
    for (Endpoint& e : endpoints) sockets.push_back(&e.socket);
    do {
      auto left = std::chrono::duration_cast<Ms>(until - Clock::now());
      if (left.count() < 0) left = Ms(0);
      const Clock::time_point read_at = Clock::now();
      std::vector<size_t> ready = net::WaitReadable(sockets, std::min(left, Ms(50)));
      for (size_t idx : ready) ReadAll(endpoints[idx]);
      HandOver(read_at);
      if (Stopping()) return;
    } while (Clock::now() < until);
  }

  // Waits for the next rate-limiter slot, reading replies meanwhile.
  void Pace() {
    std::chrono::nanoseconds wait = limiter_.Reserve();
    if (wait.count() > 0) DrainUntil(Clock::now() + wait);
  }

  // Reserves the next rate-limiter slot; returns how long to wait before using it.
  std::chrono::nanoseconds Reserve() { return limiter_.Reserve(); }

  // Sends the datagrams queued for `e` (destination IPv4, bytes) in one batch.
  void SendQueued(Endpoint& e, const std::vector<std::pair<uint32_t, std::string>>& queued) {
    out_.clear();
    for (const auto& [ipv4, bytes] : queued) out_.push_back({ipv4, e.probe->Spec().port, bytes});
    errors_.clear();
    result.stats.datagrams_sent += e.socket.SendBatch(out_, &errors_);
    result.stats.send_errors += errors_.size();
    for (std::string& m : errors_) {
      if (result.warnings.size() < 8) result.warnings.push_back(std::move(m));
    }
  }

  void Send(Endpoint& e, const std::string& ip, const std::string& bytes) {
    Status st = e.socket.SendTo(ip, e.probe->Spec().port, bytes);
    if (st.ok()) {
      ++result.stats.datagrams_sent;
    } else {
      ++result.stats.send_errors;
      if (result.warnings.size() < 8) result.warnings.push_back(st.error().message);
    }
  }

  // Reads the replies already queued, without waiting: one poll() over every socket, then
  // reads only from the ready ones. Called once per target during a sweep so the socket
  // buffers never fill; reading every socket after every datagram cost a /16 sweep over three
  // million recvfrom() calls that found nothing.
  void ReadReady() {
    if (ready_sockets_.size() != endpoints.size()) {
      ready_sockets_.clear();
      for (Endpoint& e : endpoints) ready_sockets_.push_back(&e.socket);
    }
    const Clock::time_point read_at = Clock::now();
    for (size_t idx : net::WaitReadable(ready_sockets_, Ms(0))) ReadAll(endpoints[idx]);
    HandOver(read_at);
  }

  // With a listener: notes that every target up to `last` had its datagrams sent now.
  void Sent(const net::IpAddress& last) {
    if (listener_ != nullptr) sent_.emplace_back(last, Clock::now());
  }

  // With a listener: hands over the hosts whose reply window (wait_ms after their datagrams)
  // ended before `read_at`, a moment after which every socket was read.
  void HandOver(Clock::time_point read_at) {
    if (listener_ == nullptr) return;
    std::optional<net::IpAddress> through;
    while (!sent_.empty() && sent_.front().second + Ms(opt_.wait_ms) <= read_at) {
      through = sent_.front().first;
      sent_.pop_front();
    }
    if (through) Give(through);
  }

  // Hands every in-scope host up to `through` (nullopt: all) to the listener.
  void Give(std::optional<net::IpAddress> through) {
    std::vector<DiscoveredHost> hosts;
    auto end = through ? in_hosts_.upper_bound(*through) : in_hosts_.end();
    for (auto it = in_hosts_.begin(); it != end; ++it) {
      hosts.push_back(std::move(it->second.host));
      if (opt_.fetch_upnp_description && !Stopping()) FetchDescription(hosts.back());
    }
    in_hosts_.erase(in_hosts_.begin(), end);
    if (through) {
      final_through_ = through;
    } else {
      all_final_ = true;
    }
    listener_->Final(through, std::move(hosts));
  }

  // Reads the UPnP description an SSDP reply of `host` points to, under the fetch rules
  // (DiscoveryOptions::fetch_upnp_description).
  void FetchDescription(DiscoveredHost& host) {
    std::string location;
    for (const model::Observation& o : host.observations) {
      if (o.key == "ssdp.location") {
        location = o.value;
        break;
      }
    }
    if (location.empty()) return;
    probes::ssdp::DescriptionUrl url;
    if (!probes::ssdp::ParseLocation(location, &url) || url.host != host.ip ||
        fetched_ >= opt_.max_description_fetches) {
      ++result.stats.descriptions_refused;
      host.notes.push_back("ssdp: description at " + probes::common::BoundValue(location).substr(0, 200) +
                           " not fetched (only http://<this address>/... is, within the fetch cap)");
      return;
    }
    ++fetched_;
    Pace();
    std::string reply = FetchOnce(host.ip, url.port, probes::ssdp::BuildDescriptionRequest(url), 65536,
                                  Clock::now() + Ms(opt_.fetch_timeout_ms));
    if (reply.empty()) {
      host.notes.push_back("ssdp: description at " + probes::common::BoundValue(location).substr(0, 200) + " did not answer");
      return;
    }
    ++result.stats.descriptions_fetched;
    for (model::Observation& o : probes::ssdp::ParseDescriptionReply(reply, url.port)) {
      host.observations.push_back(std::move(o));
    }
  }

  void ReadAllQueued() {
    for (Endpoint& e : endpoints) ReadAll(e);
  }

  DiscoveryResult result;

 private:
  std::vector<net::UdpSocket*> ready_sockets_;  // endpoints' sockets, for ReadReady
  std::vector<net::OutgoingDatagram> out_;      // SendQueued's batch (reused)
  std::vector<std::string> errors_;             // SendQueued's error texts (reused)
  void ReadAll(Endpoint& e) {
    net::Datagram d;
    const size_t cap = opt_.max_datagram_bytes;
    // Bounded per call so one flooding socket can not starve the sender.
    for (int i = 0; i < 256 && e.socket.Receive(buffer_.get(), cap, &d); ++i) {
      ++result.stats.replies;
      Accept(e, d);
    }
  }

  void Accept(const Endpoint& e, const net::Datagram& d) {
    std::optional<net::IpAddress> addr = net::IpAddress::Parse(d.from_ip);
    bool in_scope = addr && scope_.Contains(*addr);
    if (!in_scope) ++result.stats.replies_out_of_scope;
    if (in_scope && (all_final_ || (final_through_ && !(*final_through_ < *addr)))) {
      ++result.stats.replies_late;  // its host was handed over already
      return;
    }
    if (kept_ >= opt_.max_replies_total) {
      ++result.stats.replies_dropped;
      return;
    }
    HostEntry* found = nullptr;
    if (in_scope) {
      auto it = in_hosts_.find(*addr);
      if (it == in_hosts_.end()) {
        it = in_hosts_.emplace(*addr, HostEntry{}).first;
        it->second.host.ip = d.from_ip;
      }
      found = &it->second;
    } else {
      auto it = out_hosts_.find(d.from_ip);
      if (it == out_hosts_.end()) {
        if (out_hosts_.size() >= opt_.max_out_of_scope_hosts) {
          ++result.stats.replies_dropped;
          return;
        }
        it = out_hosts_.emplace(d.from_ip, HostEntry{}).first;
        it->second.host.ip = d.from_ip;
      }
      found = &it->second;
    }
    HostEntry& entry = *found;
    if (entry.host.replies >= opt_.max_replies_per_host) {
      ++result.stats.replies_dropped;
      if (entry.host.replies == opt_.max_replies_per_host) {
        entry.host.notes.push_back("discovery: more than " + std::to_string(opt_.max_replies_per_host) +
                                   " replies from this address; the rest were dropped");
        ++entry.host.replies;  // note once
      }
      return;
    }
    ++entry.host.replies;
    ++kept_;
    std::string_view bytes(buffer_.get(), d.size);
    const std::string& name = e.probe->Spec().name;
    if (d.truncated) {
      ++result.stats.replies_truncated;
      entry.host.notes.push_back(name + ": datagram longer than " + std::to_string(opt_.max_datagram_bytes) +
                                 " bytes, parsed cut");
    }
    for (model::Observation& o : e.probe->ParseReply(bytes)) {
      std::string id = o.probe + '\x1f' + o.key + '\x1f' + o.value;
      if (!entry.seen.insert(std::move(id)).second) continue;
      if (entry.host.mac.empty()) {
        for (const char* k : kMacKeys) {
          if (o.key == k) entry.host.mac = probes::common::NormalizeMac(o.value);
        }
      }
      entry.host.observations.push_back(std::move(o));
    }
  }

 public:
  void Collect() {
    if (listener_ != nullptr) {
      Give(std::nullopt);
    } else {
      for (auto& [address, entry] : in_hosts_) result.in_scope.emplace(entry.host.ip, std::move(entry.host));
      in_hosts_.clear();
    }
    for (auto& [ip, entry] : out_hosts_) {
      entry.host.notes.insert(entry.host.notes.begin(),
                              "outside the scan scope: answered a discovery probe; recorded and flagged, not probed, not merged");
      result.out_of_scope.push_back(std::move(entry.host));
    }
  }

 private:
  const net::TargetSet& scope_;
  const DiscoveryOptions& opt_;
  const std::atomic<bool>* stop_;
  DiscoveryListener* listener_;
  net::RateLimiter limiter_;
  std::unique_ptr<char[]> buffer_;
  uint64_t kept_ = 0;
  uint32_t fetched_ = 0;  // UPnP descriptions fetched
  std::map<net::IpAddress, HostEntry> in_hosts_;  // ascending, as the scope is walked
  std::deque<std::pair<net::IpAddress, Clock::time_point>> sent_;  // last target of a batch, when sent
  std::optional<net::IpAddress> final_through_;  // handed over up to here
  bool all_final_ = false;
  std::map<std::string, HostEntry> out_hosts_;
};

}  // namespace

Result<DiscoveryResult> RunDiscovery(const net::TargetSet& scope, const DiscoveryOptions& options,
                                     const std::atomic<bool>* stop, DiscoveryListener* listener) {
  auto invalid = [](const std::string& m) { return MakeError(ErrorCode::kInvalidArgument, "discovery options: " + m); };
  if (options.max_datagram_bytes == 0) return invalid("max_datagram_bytes must be positive");
  if (options.max_replies_per_host == 0) return invalid("max_replies_per_host must be positive");
  std::vector<const probes::DatagramProbe*> probe_list = options.probes;
#ifdef PHASEOUT_ENGINE_HAVE_PROBE_REGISTRY
  if (probe_list.empty()) probe_list = probes::AllDatagramProbes();
#endif
  if (listener != nullptr && !options.interfaces.empty()) {
    return invalid("a listener takes unicast discovery only (multicast replies come from anywhere, at any time)");
  }
  Pass pass(scope, options, stop, listener);
  if (probe_list.empty()) {
    pass.Collect();
    return std::move(pass.result);
  }

  std::string first_error;
  if (options.unicast) {
    for (const probes::DatagramProbe* p : probe_list) {
      Result<net::UdpSocket> s = net::UdpSocket::Open("");
      if (!s) {
        if (first_error.empty()) first_error = s.error().message;
        continue;
      }
      pass.endpoints.push_back({p, std::move(*s)});
    }
  }
  const size_t unicast_count = pass.endpoints.size();
  for (const net::Interface& itf : options.interfaces) {
    for (const probes::DatagramProbe* p : probe_list) {
      if (p->Spec().multicast_group.empty()) continue;
      Result<net::UdpSocket> s = net::UdpSocket::Open(itf.address, itf.address);
      if (!s) {
        pass.result.warnings.push_back("multicast on " + itf.name + ": " + s.error().message);
        continue;
      }
      pass.multicast.emplace_back(pass.endpoints.size(), p->Spec().multicast_group);
      pass.endpoints.push_back({p, std::move(*s)});
    }
  }
  if (pass.endpoints.empty() && (options.unicast || !options.interfaces.empty())) {
    pass.Collect();  // a listener still learns that nothing more will come
    return MakeError(ErrorCode::kIo, "discovery: cannot open a UDP socket: " + first_error);
  }

  // Unicast: every probe to every IPv4 target. Each target takes one rate-limiter slot; its
  // datagrams (one per probe, each to a different port) are queued per socket and sent with one
  // sendmmsg per socket for up to kSendBatchTargets targets (one system call instead of one per
  // datagram: a /16 is 400,000 datagrams). A batch is sent as soon as the limiter makes the
  // sweep wait, so a rate-limited scan sends every target's datagrams in its own slot.
  if (unicast_count > 0) {
    net::TargetCursor cursor(scope);
    std::vector<net::IpAddress> batch;
    std::vector<std::vector<std::pair<uint32_t, std::string>>> queued(unicast_count);
    size_t queued_targets = 0;
    net::IpAddress last_queued;
    auto flush = [&] {
      for (size_t i = 0; i < unicast_count; ++i) {
        if (!queued[i].empty()) pass.SendQueued(pass.endpoints[i], queued[i]);
        queued[i].clear();
      }
      queued_targets = 0;
      pass.Sent(last_queued);
      pass.ReadReady();
    };
    while (!pass.Stopping() && cursor.NextBatch(256, &batch) > 0) {
      for (const net::IpAddress& a : batch) {
        if (pass.Stopping()) break;
        if (a.is_v6()) {
          ++pass.result.stats.targets_skipped_v6;
          continue;
        }
        std::chrono::nanoseconds wait = pass.Reserve();
        if (wait.count() > 0) {
          if (queued_targets > 0) flush();
          pass.DrainUntil(Clock::now() + wait);
        }
        std::string ip = a.ToString();
        for (size_t i = 0; i < unicast_count; ++i) {
          Endpoint& e = pass.endpoints[i];
          for (std::string& bytes : e.probe->Requests({ip, false}, options.context)) {
            queued[i].emplace_back(a.v4(), std::move(bytes));
          }
        }
        last_queued = a;
        if (++queued_targets >= kSendBatchTargets) flush();
      }
    }
    if (queued_targets > 0) flush();
    pass.DrainUntil(Clock::now() + Ms(options.wait_ms));
  }
  if (!pass.multicast.empty() && !pass.Stopping()) {
    for (auto& [idx, group] : pass.multicast) {
      Endpoint& e = pass.endpoints[idx];
      pass.Pace();
      for (const std::string& bytes : e.probe->Requests({group, true}, options.context)) pass.Send(e, group, bytes);
      pass.ReadReady();
    }
    pass.DrainUntil(Clock::now() + Ms(options.multicast_wait_ms));
  }
  pass.ReadAllQueued();
  pass.Collect();
  if (options.fetch_upnp_description && listener == nullptr) {
    for (auto& [ip, host] : pass.result.in_scope) {
      if (pass.Stopping()) break;
      pass.FetchDescription(host);
    }
  }
  return std::move(pass.result);
}

Status ApplyDiscoveryFlags(const DiscoveryFlags& flags, ScanOptions* options) {
  auto usage = [](const std::string& m) { return MakeError(ErrorCode::kInvalidArgument, m); };
  if (!flags.interfaces.empty() && !flags.discover) return usage("--interface needs --discover");
  if (flags.discover && flags.no_udp) return usage("--discover and --no-udp contradict each other");
  if (!flags.snmp_community.empty() && flags.no_udp) return usage("--snmp-community needs UDP (drop --no-udp)");
  options->udp = !flags.no_udp;
  options->discovery.context.snmp_community = flags.snmp_community;
  if (flags.discover) {
    Result<std::vector<net::Interface>> all = net::ListInterfaces();
    if (!all) return all.error();
    Result<std::vector<net::Interface>> chosen = net::ChooseDiscoveryInterfaces(*all, flags.interfaces);
    if (!chosen) return chosen.error();
    options->discovery.interfaces = std::move(*chosen);
  }
  return Status::Ok();
}

void MergeDiscovered(const DiscoveredHost& host, model::HostScan* scan) {
  scan->observations.insert(scan->observations.end(), host.observations.begin(), host.observations.end());
  scan->notes.insert(scan->notes.end(), host.notes.begin(), host.notes.end());
  if (scan->mac.empty()) scan->mac = host.mac;
}

std::string MergeKey(const model::HostScan& scan) {
  if (!scan.mac.empty()) return "mac:" + scan.mac;
  for (const char* k : kSerialKeys) {
    for (const model::Observation& o : scan.observations) {
      if (o.key == k && !o.value.empty()) return "serial:" + o.value;
    }
  }
  return "ip:" + scan.ip;
}

}  // namespace phaseout::engine
