// The lab server: one Asio event loop per thread, one listening socket per (device, port) on
// the device's own 127.x address, replies rendered from the device's profile, silent hosts
// dropped by nftables rules inside the namespace.
#include "tools/lab/lab.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "core/data_dir.h"
#include "core/strings.h"
#include "net/isolation.h"
#include "tools/lab/tls_cert.h"

extern char** environ;

namespace phaseout::lab {
namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxRequestBytes = 8192;         // request head bound (request line + headers)
constexpr size_t kMaxRtspBodyBytes = 65536;       // RTSP request bodies are skipped up to this
constexpr uint64_t kHostileCapBytes = 64u << 20;  // a hostile host stops after this many bytes
constexpr uint32_t kTlsShutdownMs = 2000;
constexpr int kListenBacklog = 1024;
constexpr const char* kNftTable = "phaseout_lab";

// What one device (or hostile host) serves. Immutable while serving.
struct Device {
  const TruthEntry* truth = nullptr;
  const Profile* profile = nullptr;  // null for hostile hosts
  TemplateVars vars;
};

struct Shared {
  uint32_t latency_ms = 0;
  uint32_t idle_ms = 30000;
  std::atomic<uint64_t> connections{0};
  std::atomic<bool> stopping{false};
};

// One accepted connection. Owned by its serving coroutine and its watchdog (shared_ptr),
// touched only on its io_context's single thread.
struct Conn {
  explicit Conn(tcp::socket s) : sock(std::move(s)), timer(sock.get_executor()) {}
  tcp::socket sock;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;
  asio::steady_timer timer;
  Clock::time_point deadline;
  bool done = false;
  void Touch(uint32_t ms) { deadline = Clock::now() + std::chrono::milliseconds(ms); }
};

auto Redirect(asio::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

// Closes the connection when it has been idle past its deadline (slow or stuck clients).
asio::awaitable<void> Watchdog(std::shared_ptr<Conn> c) {
  asio::error_code ec;
  while (!c->done) {
    c->timer.expires_at(c->deadline);
    co_await c->timer.async_wait(Redirect(ec));
    if (c->done) co_return;
    if (Clock::now() >= c->deadline) {
      asio::error_code ignored;
      c->sock.close(ignored);
      co_return;
    }
  }
}

asio::awaitable<size_t> ReadInto(Conn& c, std::string& buf, size_t max_new, asio::error_code& ec) {
  const size_t old = buf.size();
  buf.resize(old + max_new);
  size_t n = 0;
  if (c.tls) {
    n = co_await c.tls->async_read_some(asio::buffer(buf.data() + old, max_new), Redirect(ec));
  } else {
    n = co_await c.sock.async_read_some(asio::buffer(buf.data() + old, max_new), Redirect(ec));
  }
  buf.resize(old + (ec ? 0 : n));
  co_return ec ? 0 : n;
}

asio::awaitable<void> WriteAll(Conn& c, std::string_view data, asio::error_code& ec) {
  if (c.tls) {
    co_await asio::async_write(*c.tls, asio::buffer(data.data(), data.size()), Redirect(ec));
  } else {
    co_await asio::async_write(c.sock, asio::buffer(data.data(), data.size()), Redirect(ec));
  }
}

// Reads one request head (up to and including the blank line) into `head`; bytes after it stay
// in `buf`. False on EOF, error, idle timeout or a head above kMaxRequestBytes.
asio::awaitable<bool> ReadHead(Conn& c, std::string& buf, std::string& head, uint32_t idle_ms) {
  for (;;) {
    const size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      head = buf.substr(0, end + 4);
      buf.erase(0, end + 4);
      co_return true;
    }
    if (buf.size() >= kMaxRequestBytes) co_return false;
    c.Touch(idle_ms);
    asio::error_code ec;
    co_await ReadInto(c, buf, std::min<size_t>(1024, kMaxRequestBytes - buf.size()), ec);
    if (ec) co_return false;
  }
}

asio::awaitable<void> Delay(Conn& c, uint32_t ms) {
  if (ms == 0) co_return;
  asio::steady_timer t(c.sock.get_executor(), std::chrono::milliseconds(ms));
  asio::error_code ec;
  co_await t.async_wait(Redirect(ec));
}

// Method and target of the request line "METHOD SP TARGET SP VERSION".
std::pair<std::string, std::string> RequestLine(std::string_view head) {
  const std::string_view line = head.substr(0, head.find("\r\n"));
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return {std::string(line), ""};
  const size_t sp2 = line.find(' ', sp1 + 1);
  return {std::string(line.substr(0, sp1)), std::string(line.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1))};
}

// Value of header `name` (case-insensitive) in a request head, or "".
std::string HeaderValue(std::string_view head, std::string_view name) {
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const size_t start = pos + 2;
    const size_t end = head.find("\r\n", start);
    const std::string_view line = head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos && EqualsIgnoreCase(Trim(line.substr(0, colon)), name)) {
      return std::string(Trim(line.substr(colon + 1)));
    }
    pos = end;
  }
  return "";
}

const Reply& RouteFor(const PortSpec& port, const std::string& target) {
  const std::string path = target.substr(0, target.find('?'));
  for (const Route& r : port.routes) {
    const bool with_query = r.target.find('?') != std::string::npos;
    if ((with_query && r.target == target) || (!with_query && r.target == path)) return r.reply;
  }
  return *port.fallback;
}

asio::awaitable<void> ServeHttp(Conn& c, const Device& d, const PortSpec& port, const Shared& s) {
  std::string buf, head;
  if (!co_await ReadHead(c, buf, head, s.idle_ms)) co_return;
  const auto [method, target] = RequestLine(head);
  const Reply& reply = RouteFor(port, target);
  co_await Delay(c, s.latency_ms);
  const std::string out = RenderReply(reply, d.vars);
  c.Touch(s.idle_ms);
  asio::error_code ec;
  co_await WriteAll(c, out, ec);
}

// Reply for RTSP methods a profile does not list (shape only: RFC 2326 status 501).
const Reply& RtspNotImplemented() {
  static const Reply* r = [] {
    auto* reply = new Reply;
    reply->version = "RTSP/1.0";
    reply->status = 501;
    reply->reason = "Not Implemented";
    reply->headers = {{"CSeq", "{cseq}"}};
    return reply;
  }();
  return *r;
}

asio::awaitable<void> ServeRtsp(Conn& c, const Device& d, const PortSpec& port, const Shared& s) {
  std::string buf, head;
  TemplateVars vars = d.vars;
  for (;;) {
    if (!co_await ReadHead(c, buf, head, s.idle_ms)) co_return;
    const auto [method, target] = RequestLine(head);
    vars.cseq = HeaderValue(head, "CSeq");
    // Skip a request body (SET_PARAMETER, ANNOUNCE) so the next request parses.
    size_t body = 0;
    const std::string cl = HeaderValue(head, "Content-Length");
    if (!cl.empty() && cl.size() < 9 && std::all_of(cl.begin(), cl.end(), ::isdigit)) body = std::stoul(cl);
    if (body > kMaxRtspBodyBytes) co_return;
    while (buf.size() < body) {
      asio::error_code ec;
      c.Touch(s.idle_ms);
      co_await ReadInto(c, buf, body - buf.size(), ec);
      if (ec) co_return;
    }
    buf.erase(0, body);
    auto it = port.methods.find(method);
    const Reply& reply = it != port.methods.end() ? it->second : port.fallback ? *port.fallback : RtspNotImplemented();
    co_await Delay(c, s.latency_ms);
    const std::string out = RenderReply(reply, vars);
    asio::error_code ec;
    c.Touch(s.idle_ms);
    co_await WriteAll(c, out, ec);
    if (ec) co_return;
  }
}

asio::awaitable<void> ServeBanner(Conn& c, const PortSpec& port, const Shared& s) {
  co_await Delay(c, s.latency_ms);
  asio::error_code ec;
  if (!port.banner.empty()) {
    c.Touch(s.idle_ms);
    co_await WriteAll(c, port.banner, ec);
    if (ec) co_return;
  }
  // Then say nothing more; discard what the client sends until it closes or goes idle.
  std::string sink;
  for (;;) {
    c.Touch(s.idle_ms);
    sink.clear();
    co_await ReadInto(c, sink, 256, ec);
    if (ec) co_return;
  }
}

asio::awaitable<void> ServeHostile(Conn& c, HostileMode mode, const Shared& s) {
  std::string buf, head;
  co_await ReadHead(c, buf, head, s.idle_ms);  // read the request if one comes; reply anyway
  asio::error_code ec;
  uint64_t sent = 0;
  std::string chunk;
  if (mode == HostileMode::kEndlessHeaders) {
    c.Touch(s.idle_ms);
    co_await WriteAll(c, "HTTP/1.1 200 OK\r\n", ec);
    for (uint64_t i = 0; !ec && sent < kHostileCapBytes; ++i) {
      chunk.clear();
      for (int line = 0; line < 64; ++line) chunk += fmt::format("X-Header-{}: {:0>48}\r\n", i * 64 + line, i);
      c.Touch(s.idle_ms);
      co_await WriteAll(c, chunk, ec);
      sent += chunk.size();
    }
  } else if (mode == HostileMode::kHugeBody) {
    c.Touch(s.idle_ms);
    co_await WriteAll(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1099511627776\r\n\r\n", ec);
    chunk.assign(16384, 'A');
    while (!ec && sent < kHostileCapBytes) {
      c.Touch(s.idle_ms);
      co_await WriteAll(c, chunk, ec);
      sent += chunk.size();
    }
  } else {
    // Garbage: bytes from a fixed LCG, including NULs, CR/LF and high bytes, then close.
    uint32_t x = 0x12345678;
    chunk.resize(16384);
    while (!ec && sent < (1u << 20)) {
      for (char& ch : chunk) {
        x = x * 1664525u + 1013904223u;
        ch = static_cast<char>(x >> 24);
      }
      c.Touch(s.idle_ms);
      co_await WriteAll(c, chunk, ec);
      sent += chunk.size();
    }
  }
}

asio::awaitable<void> Serve(tcp::socket sock, const Device* d, const PortSpec* port, Shared* s,
                            asio::ssl::context* ssl) {
  auto c = std::make_shared<Conn>(std::move(sock));
  s->connections.fetch_add(1, std::memory_order_relaxed);
  c->Touch(s->idle_ms);
  asio::co_spawn(c->sock.get_executor(), Watchdog(c), asio::detached);
  asio::error_code ec;
  bool ok = true;
  if (ssl != nullptr) {
    c->tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(c->sock, *ssl);
    co_await c->tls->async_handshake(asio::ssl::stream_base::server, Redirect(ec));
    ok = !ec;
  }
  if (ok) {
    if (d->profile == nullptr) {
      co_await ServeHostile(*c, d->truth->hostile, *s);
    } else if (port->kind == PortKind::kHttp) {
      co_await ServeHttp(*c, *d, *port, *s);
    } else if (port->kind == PortKind::kRtsp) {
      co_await ServeRtsp(*c, *d, *port, *s);
    } else {
      co_await ServeBanner(*c, *port, *s);
    }
    if (c->tls && c->sock.is_open()) {
      c->Touch(kTlsShutdownMs);
      co_await c->tls->async_shutdown(Redirect(ec));
    }
  }
  c->sock.shutdown(tcp::socket::shutdown_send, ec);
  c->done = true;
  c->timer.cancel();
  c->sock.close(ec);
}

asio::awaitable<void> AcceptLoop(tcp::acceptor* acceptor, const Device* d, const PortSpec* port, Shared* s,
                                 asio::ssl::context* ssl) {
  for (;;) {
    asio::error_code ec;
    tcp::socket sock = co_await acceptor->async_accept(Redirect(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || s->stopping.load()) co_return;
      // Out of descriptors or a transient error: back off briefly instead of spinning.
      asio::steady_timer t(acceptor->get_executor(), std::chrono::milliseconds(20));
      co_await t.async_wait(Redirect(ec));
      continue;
    }
    asio::co_spawn(acceptor->get_executor(), Serve(std::move(sock), d, port, s, ssl),
                   [](std::exception_ptr) {});
  }
}

std::string FindNft() {
  for (const char* path : {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/bin/nft"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

// Runs `nft -f script` and returns its exit status; stderr goes to `err_path`.
Status RunNft(const std::string& nft, const std::string& script_path) {
  const std::string err_path = script_path + ".err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> args = {nft, "-f", script_path};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, nft.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return MakeError(ErrorCode::kIo, fmt::format("cannot run {}: {}", nft, std::strerror(rc)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::ifstream in(err_path);
  std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(err_path.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return MakeError(ErrorCode::kIo, fmt::format("nft failed: {}", std::string(Trim(err))));
  }
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return MakeError(ErrorCode::kIo, fmt::format("cannot write '{}'", tmp));
    out << text;
    if (!out) return MakeError(ErrorCode::kIo, fmt::format("cannot write '{}'", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return MakeError(ErrorCode::kIo, fmt::format("cannot rename '{}' to '{}': {}", tmp, path, std::strerror(errno)));
  }
  return Status::Ok();
}


// ---- UDP discovery responders ----

// True iff `request` is a request of `protocol` that a real device answers.
bool UdpRequestMatches(const std::string& protocol, std::string_view request) {
  if (protocol == "sadp") return request.find("<Types>inquiry</Types>") != std::string_view::npos;
  if (protocol == "dhip") {
    // DHIP framing is required: bare JSON gets no reply from real devices (rroller/dahua
    // custom_components/dahua/discovery.py).
    return request.size() >= 32 && request.substr(4, 4) == "DHIP" &&
           request.find("DHDiscover.search") != std::string_view::npos;
  }
  if (protocol == "onvif") {
    return request.find("http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe<") != std::string_view::npos;
  }
  if (protocol == "mdns") {
    // A standard query (QR 0, opcode 0) with at least one question about a ".local" name.
    return request.size() >= 12 && (static_cast<unsigned char>(request[2]) & 0xf8) == 0 &&
           (request[4] != 0 || request[5] != 0) &&
           request.find(std::string_view("\x05local\x00", 7)) != std::string_view::npos;
  }
  return false;
}

// Encodes the rendered "mdns" reply lines (profile.h, PortSpec::udp_reply) as one DNS response:
// ID echoed from `request` (RFC 6762 section 6.7, legacy unicast), flags 0x8400 (response,
// authoritative), every record an answer, names written out in full, class IN with the
// cache-flush bit on unique records (SRV, TXT, A), TTL 120.
std::string EncodeMdnsReply(std::string_view lines, std::string_view request) {
  auto u16 = [](std::string* out, unsigned v) {
    out->push_back(static_cast<char>((v >> 8) & 0xff));
    out->push_back(static_cast<char>(v & 0xff));
  };
  auto name = [](std::string* out, std::string_view dotted) {
    while (!dotted.empty()) {
      size_t dot = dotted.find('.');
      std::string_view label = dotted.substr(0, std::min<size_t>(dot, 63));
      out->push_back(static_cast<char>(label.size()));
      out->append(label);
      dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
    }
    out->push_back('\0');
  };
  std::string records;
  unsigned count = 0;
  while (!lines.empty()) {
    size_t nl = lines.find('\n');
    std::string_view line = lines.substr(0, nl);
    lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
    // TYPE;OWNER;VALUE (names may hold blanks, so fields are split on ';').
    size_t sp1 = line.find(';');
    if (sp1 == std::string_view::npos) continue;
    std::string_view type = line.substr(0, sp1);
    std::string_view rest = line.substr(sp1 + 1);
    size_t sp2 = rest.find(';');
    if (sp2 == std::string_view::npos) continue;
    std::string_view owner = rest.substr(0, sp2);
    std::string_view value = rest.substr(sp2 + 1);
    std::string rdata;
    unsigned code = 0;
    if (type == "PTR") {
      code = 12;
      name(&rdata, value);  // the target may hold blanks (instance names)
    } else if (type == "SRV") {
      code = 33;
      size_t sp = value.find(';');
      u16(&rdata, 0);
      u16(&rdata, 0);
      u16(&rdata, static_cast<unsigned>(std::atoi(std::string(value.substr(0, sp)).c_str())));
      name(&rdata, sp == std::string_view::npos ? std::string_view() : value.substr(sp + 1));
    } else if (type == "TXT") {
      code = 16;
      while (!value.empty()) {
        size_t bar = value.find('|');
        std::string_view item = value.substr(0, std::min<size_t>(bar, 255));
        rdata.push_back(static_cast<char>(item.size()));
        rdata.append(item);
        value = bar == std::string_view::npos ? std::string_view() : value.substr(bar + 1);
      }
    } else if (type == "A") {
      code = 1;
      asio::error_code ec;
      auto a = asio::ip::make_address_v4(std::string(value), ec);
      if (ec) continue;
      for (unsigned char b : a.to_bytes()) rdata.push_back(static_cast<char>(b));
    } else {
      continue;
    }
    // The owner of a PTR is shared (no cache flush); SRV/TXT/A are unique to this device.
    name(&records, owner);
    u16(&records, code);
    u16(&records, code == 12 ? 0x0001 : 0x8001);
    u16(&records, 0);
    u16(&records, 120);
    u16(&records, static_cast<unsigned>(rdata.size()));
    records += rdata;
    ++count;
  }
  std::string out;
  out.push_back(request.size() >= 2 ? request[0] : '\0');
  out.push_back(request.size() >= 2 ? request[1] : '\0');
  u16(&out, 0x8400);
  u16(&out, 0);
  u16(&out, count);
  u16(&out, 0);
  u16(&out, 0);
  return out + records;
}

// The datagram a device sends back: the rendered template, DHIP-framed for dhip.
std::string UdpReply(const PortSpec& port, const TemplateVars& vars, std::string_view request) {
  std::string body = RenderTemplate(port.udp_reply, vars);
  while (!body.empty() && body.back() == '\n') body.pop_back();
  if (port.udp_protocol == "mdns") return EncodeMdnsReply(body, request);
  if (port.udp_protocol != "dhip") return body;
  body += std::string("\n\0", 2);  // real replies end "0a 00" (Haicam/Haicam golang/discovery.go)
  std::string out;
  auto le = [&out](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  le(32, 4);
  out += "DHIP";
  le(0, 8);
  le(body.size(), 8);
  le(body.size(), 8);
  return out + body;
}

// One device's UDP responder socket.
struct UdpResponder {
  const Device* device;
  const PortSpec* port;
  std::unique_ptr<asio::ip::udp::socket> socket;
};

// Sends `reply` port.udp_repeat times (a flooding responder sends many; a full socket buffer
// drops the rest, as on a real network).
void SendReplies(UdpResponder& r, const std::string& reply, const asio::ip::udp::endpoint& to) {
  asio::error_code ec;
  for (uint32_t i = 0; i < r.port->udp_repeat; ++i) r.socket->send_to(asio::buffer(reply), to, 0, ec);
}

asio::awaitable<void> UdpLoop(UdpResponder* r, Shared* s) {
  std::string buf(65536, '\0');
  for (;;) {
    asio::ip::udp::endpoint from;
    asio::error_code ec;
    size_t n = co_await r->socket->async_receive_from(asio::buffer(buf), from, Redirect(ec));
    if (ec == asio::error::operation_aborted || s->stopping.load()) co_return;
    if (ec) continue;
    std::string_view request(buf.data(), n);
    if (!UdpRequestMatches(r->port->udp_protocol, request)) continue;
    std::string reply = UdpReply(*r->port, r->device->vars, request);
    SendReplies(*r, reply, from);
  }
}

// A multicast listener: answers for every device with a responder on `port` for `protocol`,
// each from its own address.
struct MulticastListener {
  std::string protocol;
  uint16_t port = 0;
  std::unique_ptr<asio::ip::udp::socket> socket;
  std::vector<UdpResponder*> responders;
};

asio::awaitable<void> MulticastLoop(MulticastListener* m, Shared* s) {
  std::string buf(65536, '\0');
  for (;;) {
    asio::ip::udp::endpoint from;
    asio::error_code ec;
    size_t n = co_await m->socket->async_receive_from(asio::buffer(buf), from, Redirect(ec));
    if (ec == asio::error::operation_aborted || s->stopping.load()) co_return;
    if (ec) continue;
    std::string_view request(buf.data(), n);
    if (!UdpRequestMatches(m->protocol, request)) continue;
    for (UdpResponder* r : m->responders) {
      std::string reply = UdpReply(*r->port, r->device->vars, request);
      SendReplies(*r, reply, from);
    }
  }
}

const char* MulticastGroupFor(const std::string& protocol) {
  if (protocol == "dhip") return "239.255.255.251";
  if (protocol == "mdns") return "224.0.0.251";
  return "239.255.255.250";  // sadp, onvif (WS-Discovery)
}

}  // namespace

class Lab::Impl {
 public:
  ~Impl() { Stop(); }

  Status Init();
  void Stop();
  Status InstallSilentRules();

  LabSpec spec;
  std::vector<Profile> profiles;
  Estate estate;
  std::vector<Device> devices;
  std::vector<std::string> warnings;
  bool silent_enabled = false;    // the nftables rules are installed right now
  bool silent_was_enabled = false;  // they were installed at start (for the summary)
  std::string nft;
  bool stopped = false;
  unsigned thread_count = 0;
  Shared shared;
  // Declaration order is destruction order in reverse: acceptors go before their io_contexts,
  // and TLS contexts outlive the connections (inside the io_contexts) that use them.
  std::map<std::pair<int, uint16_t>, std::unique_ptr<asio::ssl::context>> ssl;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::unique_ptr<UdpResponder>> udp;
  std::vector<std::unique_ptr<MulticastListener>> multicast;
  std::vector<std::thread> threads;
};

Status Lab::Impl::InstallSilentRules() {
  nft = FindNft();
  if (nft.empty()) return MakeError(ErrorCode::kNotFound, "nft not found (Debian package nftables)");
  std::string elements;
  for (const TruthEntry& e : estate.hosts) {
    if (e.kind != HostKind::kSilent) continue;
    if (!elements.empty()) elements += ", ";
    elements += Ipv4ToString(e.ip);
  }
  // "add + delete" first removes a table a previous lab in this namespace left behind.
  const std::string script = fmt::format(
      "add table inet {0}\ndelete table inet {0}\n"
      "table inet {0} {{\n"
      "  set silent {{ type ipv4_addr; elements = {{ {1} }} }}\n"
      "  chain input {{ type filter hook input priority -10; policy accept; ip daddr @silent drop; }}\n"
      "}}\n",
      kNftTable, elements);
  char path[] = "/tmp/phaseout-lab-nft-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return MakeError(ErrorCode::kIo, "cannot create a temporary file for the nft script");
  const bool written = write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
  close(fd);
  Status st = written ? RunNft(nft, path) : Status(MakeError(ErrorCode::kIo, "cannot write the nft script"));
  std::remove(path);
  return st;
}

Status Lab::Impl::Init() {
  shared.latency_ms = spec.latency_ms;
  shared.idle_ms = spec.idle_timeout_ms == 0 ? 30000 : spec.idle_timeout_ms;

  // Devices and hostile hosts, with their per-device template values.
  for (const TruthEntry& e : estate.hosts) {
    if (e.kind != HostKind::kDevice && e.kind != HostKind::kHostile) continue;
    Device d;
    d.truth = &e;
    if (e.kind == HostKind::kDevice) d.profile = &profiles[static_cast<size_t>(e.profile)];
    d.vars = DeviceVars(e);
    devices.push_back(std::move(d));
  }

  // One listening socket per (device, open port): check the descriptor limit first.
  size_t listeners = 0;
  for (const Device& d : devices) listeners += d.truth->open_ports.size();
  struct rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  constexpr size_t kReserve = 256;  // connections, files, the scanner when it runs in-process
  if (lim.rlim_cur != RLIM_INFINITY && listeners + kReserve > lim.rlim_cur) {
    return MakeError(ErrorCode::kIo,
                     fmt::format("the estate needs {} listening sockets (+{} spare) but the open-file limit is {}; "
                                 "use fewer devices or raise the limit (ulimit -n)",
                                 listeners, kReserve, static_cast<uint64_t>(lim.rlim_cur)));
  }

  // TLS certificates: one per (profile, port), shared by every device of that profile.
  for (const Device& d : devices) {
    if (d.profile == nullptr) continue;
    for (const PortSpec& p : d.profile->ports) {
      if (!p.tls || p.kind == PortKind::kRefuse) continue;
      const auto key = std::make_pair(d.truth->profile, p.port);
      if (ssl.count(key)) continue;
      Result<CertificatePem> pem = MakeCertificate(*p.tls);
      if (!pem) return pem.error();
      auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      asio::error_code ec;
      ctx->use_certificate_chain(asio::buffer(pem->cert), ec);
      if (!ec) ctx->use_private_key(asio::buffer(pem->key), asio::ssl::context::pem, ec);
      if (ec) {
        return MakeError(ErrorCode::kInternal, fmt::format("profile {} port {}: cannot load the generated certificate: {}",
                                                           d.profile->id, p.port, ec.message()));
      }
      ssl[key] = std::move(ctx);
    }
  }

  unsigned n = spec.threads != 0 ? spec.threads : std::max(1u, std::thread::hardware_concurrency());
  thread_count = n;
  for (unsigned i = 0; i < n; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));

  // Bind everything before anything runs, so "ready" means every port answers.
  size_t next_ctx = 0;
  struct Pending {
    tcp::acceptor* acceptor;
    const Device* device;
    const PortSpec* port;
    asio::ssl::context* ssl;
  };
  std::vector<Pending> pending;
  static const PortSpec kHostilePort = [] {
    PortSpec p;
    p.port = 80;
    p.kind = PortKind::kHttp;
    return p;
  }();
  for (const Device& d : devices) {
    std::vector<const PortSpec*> ports;
    if (d.profile == nullptr) {
      ports.push_back(&kHostilePort);
    } else {
      for (const PortSpec& p : d.profile->ports) {
        if (p.kind != PortKind::kRefuse) ports.push_back(&p);
      }
    }
    for (const PortSpec* p : ports) {
      asio::io_context& ctx = *contexts[next_ctx++ % contexts.size()];
      auto acceptor = std::make_unique<tcp::acceptor>(ctx);
      const tcp::endpoint ep(asio::ip::address_v4(d.truth->ip), p->port);
      asio::error_code ec;
      acceptor->open(ep.protocol(), ec);
      if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) acceptor->bind(ep, ec);
      if (!ec) acceptor->listen(kListenBacklog, ec);
      if (ec) {
        return MakeError(ErrorCode::kIo, fmt::format("cannot listen on {}:{}: {}", d.vars.ip, p->port, ec.message()));
      }
      asio::ssl::context* tls = nullptr;
      if (d.profile != nullptr && p->tls) tls = ssl[std::make_pair(d.truth->profile, p->port)].get();
      pending.push_back({acceptor.get(), &d, p, tls});
      acceptors.push_back(std::move(acceptor));
    }
  }

  // UDP discovery responders live on the first event loop (one thread: the multicast
  // listeners send through the device sockets).
  for (const Device& d : devices) {
    if (d.profile == nullptr) continue;
    for (const PortSpec& p : d.profile->ports) {
      if (p.kind != PortKind::kUdp) continue;
      auto r = std::make_unique<UdpResponder>();
      r->device = &d;
      r->port = &p;
      r->socket = std::make_unique<asio::ip::udp::socket>(*contexts[0]);
      const asio::ip::udp::endpoint ep(asio::ip::address_v4(d.truth->ip), p.port);
      asio::error_code ec;
      r->socket->open(ep.protocol(), ec);
      if (!ec) r->socket->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) r->socket->bind(ep, ec);
      if (ec) return MakeError(ErrorCode::kIo, fmt::format("cannot bind UDP {}:{}: {}", d.vars.ip, p.port, ec.message()));
      MulticastListener* listener = nullptr;
      for (auto& m : multicast) {
        if (m->protocol == p.udp_protocol && m->port == p.port) listener = m.get();
      }
      if (listener == nullptr) {
        auto m = std::make_unique<MulticastListener>();
        m->protocol = p.udp_protocol;
        m->port = p.port;
        m->socket = std::make_unique<asio::ip::udp::socket>(*contexts[0]);
        const auto group = asio::ip::make_address_v4(MulticastGroupFor(p.udp_protocol));
        const asio::ip::udp::endpoint gep(group, p.port);
        m->socket->open(gep.protocol(), ec);
        if (!ec) m->socket->set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) m->socket->bind(gep, ec);
        // Join on loopback: inside the namespace multicast is routed on lo (scripts/netns-run).
        if (!ec) m->socket->set_option(asio::ip::multicast::join_group(group, asio::ip::make_address_v4("127.0.0.1")), ec);
        if (ec) {
          warnings.push_back(fmt::format("multicast {}:{} ({}) unavailable: {}; devices answer unicast only",
                                         group.to_string(), p.port, p.udp_protocol, ec.message()));
          m->socket.reset();
        }
        multicast.push_back(std::move(m));
        listener = multicast.back().get();
      }
      listener->responders.push_back(r.get());
      udp.push_back(std::move(r));
    }
  }

  if (estate.silent > 0) {
    Status st = InstallSilentRules();
    if (st.ok()) {
      silent_enabled = true;
      silent_was_enabled = true;
    } else {
      warnings.push_back(fmt::format("silent hosts disabled ({}); their {} addresses refuse (RST) instead",
                                     st.error().message, estate.silent));
      for (TruthEntry& e : estate.hosts) {
        if (e.kind == HostKind::kSilent) e.kind = HostKind::kRefuse;
      }
      estate.refused += estate.silent;
      estate.silent = 0;
    }
  }

  if (!spec.truth_path.empty()) {
    std::string text;
    text.reserve(estate.hosts.size() * 96);
    for (const TruthEntry& e : estate.hosts) {
      text += TruthToJson(e);
      text += '\n';
    }
    Status st = WriteFileAtomically(spec.truth_path, text);
    if (!st.ok()) return st;
  }

  for (const Pending& p : pending) {
    asio::co_spawn(p.acceptor->get_executor(), AcceptLoop(p.acceptor, p.device, p.port, &shared, p.ssl),
                   [](std::exception_ptr) {});
  }
  for (auto& r : udp) asio::co_spawn(*contexts[0], UdpLoop(r.get(), &shared), [](std::exception_ptr) {});
  for (auto& m : multicast) {
    if (m->socket) asio::co_spawn(*contexts[0], MulticastLoop(m.get(), &shared), [](std::exception_ptr) {});
  }
  for (auto& ctx : contexts) {
    asio::io_context* raw = ctx.get();
    threads.emplace_back([raw] {
      for (;;) {
        try {
          raw->run();
          return;
        } catch (const std::exception& e) {
          // A handler threw: keep serving the other connections.
          std::fprintf(stderr, "phaseout lab: event loop error: %s\n", e.what());
        }
      }
    });
  }

  if (!spec.ready_path.empty()) {
    Status st = WriteFileAtomically(
        spec.ready_path, fmt::format("{{\"devices\":{},\"refuse\":{},\"silent\":{},\"hostile\":{},\"block\":\"{}\"}}\n",
                                     estate.devices, estate.refused, estate.silent, estate.hostile, spec.base));
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

void Lab::Impl::Stop() {
  if (stopped) return;
  stopped = true;
  shared.stopping.store(true);
  for (auto& ctx : contexts) ctx->stop();
  for (std::thread& t : threads) {
    if (t.joinable()) t.join();
  }
  threads.clear();
  acceptors.clear();
  // UDP sockets belong to contexts[0]: close them while their io_context still exists.
  multicast.clear();
  udp.clear();
  contexts.clear();  // destroys the pending coroutines (and their sockets)
  if (silent_enabled && !nft.empty()) {
    char path[] = "/tmp/phaseout-lab-nft-XXXXXX";
    const int fd = mkstemp(path);
    if (fd >= 0) {
      const std::string script = fmt::format("delete table inet {}\n", kNftTable);
      const bool ok = write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
      close(fd);
      if (ok) (void)RunNft(nft, path);
      std::remove(path);
    }
    silent_enabled = false;
  }
}

Result<std::unique_ptr<Lab>> Lab::Start(const LabSpec& spec) {
  std::string dir = spec.profiles_dir;
  if (dir.empty()) {
    Result<std::string> data = FindDataDir();
    if (!data) return data.error();
    dir = *data + "/lab/profiles";
  }
  Result<std::vector<Profile>> profiles = LoadProfiles(dir);
  if (!profiles) return profiles.error();
  return Start(spec, std::move(profiles).value());
}

Result<std::unique_ptr<Lab>> Lab::Start(const LabSpec& spec, std::vector<Profile> profiles) {
  std::string why;
  if (!net::IsIsolatedNetwork(&why)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the lab only runs inside a private network namespace ({}); start it through "
                                 "./scripts/netns-run, e.g. ./scripts/netns-run build/release/phaseout lab",
                                 why));
  }
  auto impl = std::make_unique<Impl>();
  impl->spec = spec;
  impl->profiles = std::move(profiles);
  Result<Estate> estate = BuildEstate(impl->spec, impl->profiles);
  if (!estate) return estate.error();
  impl->estate = std::move(estate).value();
  Status st = impl->Init();
  if (!st.ok()) return st.error();  // ~Impl stops whatever started
  return std::unique_ptr<Lab>(new Lab(std::move(impl)));
}

Lab::Lab(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Lab::~Lab() { Stop(); }
void Lab::Stop() { impl_->Stop(); }
const std::vector<TruthEntry>& Lab::Truth() const { return impl_->estate.hosts; }
const std::vector<Profile>& Lab::profiles() const { return impl_->profiles; }
const Estate& Lab::estate() const { return impl_->estate; }
const std::vector<std::string>& Lab::warnings() const { return impl_->warnings; }
bool Lab::silent_enabled() const { return impl_->silent_enabled; }
uint64_t Lab::connections_served() const { return impl_->shared.connections.load(); }

std::string Lab::Summary() const {
  const Estate& e = impl_->estate;
  std::map<std::string, int> used;
  for (const TruthEntry& t : e.hosts) {
    if (t.kind == HostKind::kDevice) ++used[t.profile_id];
  }
  return fmt::format(
      "phaseout lab: {} devices ({} profiles), {} refuse, {} silent{}, {} hostile in {} on {} threads; {} connections "
      "served",
      e.devices, used.size(), e.refused, e.silent, impl_->silent_was_enabled || e.silent == 0 ? "" : " (disabled)",
      e.hostile, impl_->spec.base, impl_->thread_count, connections_served());
}

}  // namespace phaseout::lab
