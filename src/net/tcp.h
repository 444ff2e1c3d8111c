// TcpConnection: one client TCP connection (optionally upgraded to TLS) driven by C++20
// coroutines on an Asio io_context, where every operation has a deadline and a connection is
// closed with RST (SO_LINGER {1,0}) so scans leave no TIME_WAIT behind (loopback scans are
// otherwise limited to a few hundred closes per second per destination).
// Heavy header (Asio, OpenSSL): include it only from engine/ and tests, never from headers
// other modules include.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "core/result.h"

namespace phaseout::net {

using SteadyTime = std::chrono::steady_clock::time_point;

// How an operation ended.
enum class IoStatus {
  kOk,
  kTimeout,    // the deadline passed first
  kRefused,    // connect: the peer answered RST (nothing listens)
  kClosed,     // the peer closed or reset the connection
  kCancelled,  // Cancel() was called
  kError,      // any other OS error; see `error`
};

struct IoResult {
  IoStatus status = IoStatus::kOk;
  std::error_code error;  // the underlying error for everything but kOk/kTimeout/kCancelled
  bool ok() const { return status == IoStatus::kOk; }
};

// What ReadUntil got.
struct ReadResult {
  size_t size = 0;         // bytes now in the buffer
  bool complete = false;   // the frame function accepted the bytes
  bool truncated = false;  // the byte cap was reached without a complete frame
  bool timed_out = false;
  bool closed = false;     // EOF or reset by the peer
  bool cancelled = false;
  std::error_code error;   // set for errors other than EOF/reset/timeout
};

// Makes a TLS client context for fingerprinting: no certificate verification (we read the
// certificate, we do not trust it), every protocol version and cipher OpenSSL still has
// (security level 0: cameras often only speak TLS 1.0 with old ciphers), legacy
// renegotiation allowed. Returns kInternal if OpenSSL refuses the settings.
Result<std::unique_ptr<asio::ssl::context>> MakeScanTlsContext();

// One client connection, reusable for many successive connections (Connect closes the
// previous one). Not thread-safe: use it from the thread running its io_context.
// REQUIRES: the object outlives every pending operation it started, i.e. destroy it only
// after its io_context has stopped running (the deadline timer's handler refers to it).
class TcpConnection {
 public:
  explicit TcpConnection(asio::io_context& io);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;  // owns a socket and a timer bound to `this`
  TcpConnection& operator=(const TcpConnection&) = delete;

  // Opens a socket and connects to `endpoint` before `deadline`. Closes any previous
  // connection first. kError with EMFILE/ENFILE/EADDRNOTAVAIL means "out of resources".
  asio::awaitable<IoResult> Connect(const asio::ip::tcp::endpoint& endpoint, SteadyTime deadline);

  // Runs a TLS client handshake (no SNI, no verification) on the connected socket and records
  // the peer certificate (DER, empty if the server sent none).
  // REQUIRES: connected, not yet TLS.
  asio::awaitable<IoResult> StartTls(asio::ssl::context& context, SteadyTime deadline);

  // Writes all of `data` before `deadline` (through TLS when active).
  asio::awaitable<IoResult> Write(std::string_view data, SteadyTime deadline);

  // Reads into buffer[0, cap) until `frame(bytes so far)` returns true, `cap` bytes arrived,
  // the peer closes, or `deadline` passes. `frame` is called after every read that returned
  // bytes. REQUIRES: cap > 0.
  asio::awaitable<ReadResult> ReadUntil(char* buffer, size_t cap,
                                        const std::function<bool(std::string_view)>& frame,
                                        SteadyTime deadline);

  // Suspends until `until` (used for rate limiting and back-off). Returns kCancelled if
  // Cancel() interrupted it.
  asio::awaitable<IoResult> SleepUntil(SteadyTime until);

  // Closes the connection with RST (SO_LINGER {1,0}); no TLS close_notify. Idempotent.
  void Close();
  // Aborts the pending operation (it returns kCancelled); sticky until ResetCancel().
  void Cancel();
  void ResetCancel() { cancelled_ = false; }
  bool cancelled() const { return cancelled_; }

  bool is_open() const { return socket_.is_open(); }
  bool is_tls() const { return tls_.has_value(); }
  // Bytes written since the last Connect; lets callers know whether a connection is fresh.
  uint64_t bytes_written() const { return bytes_written_; }
  const std::string& peer_certificate_der() const { return peer_certificate_der_; }
  // The human-readable reason of the last TLS failure ("" if none).
  const std::string& tls_error() const { return tls_error_; }

 private:
  void Arm(SteadyTime deadline);
  void Disarm();
  IoStatus Classify(const std::error_code& ec) const;

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  uint64_t generation_ = 0;  // bumped on every Arm/Disarm; stale timer handlers compare it
  bool timed_out_ = false;
  bool cancelled_ = false;
  uint64_t bytes_written_ = 0;
  std::string peer_certificate_der_;
  std::string tls_error_;
};

}  // namespace phaseout::net
