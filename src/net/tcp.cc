// Deadline-bounded TCP/TLS client operations on Asio coroutines, closed with RST.
#include "net/tcp.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <asio/error.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace phaseout::net {
namespace {

std::string OpenSslErrors() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<asio::ssl::context>> MakeScanTlsContext() {
  std::unique_ptr<asio::ssl::context> ctx;
  try {
    ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, std::string("cannot create TLS context: ") + e.what());
  }
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_security_level(native, 0);
  SSL_CTX_set_min_proto_version(native, 0);  // 0: the lowest version this OpenSSL supports
  SSL_CTX_set_options(native, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, "ALL:@SECLEVEL=0") != 1) {
    return MakeError(ErrorCode::kInternal, "cannot set TLS cipher list: " + OpenSslErrors());
  }
  return ctx;
}

TcpConnection::TcpConnection(asio::io_context& io) : socket_(io), timer_(io) {}

TcpConnection::~TcpConnection() { Close(); }

void TcpConnection::Arm(SteadyTime deadline) {
  timed_out_ = false;
  timer_.expires_at(deadline);
  timer_.async_wait([this, generation = ++generation_](const std::error_code& ec) {
    if (ec || generation != generation_) return;
    timed_out_ = true;
    std::error_code ignored;
    socket_.cancel(ignored);
  });
}

void TcpConnection::Disarm() {
  ++generation_;
  timer_.cancel();
}

IoStatus TcpConnection::Classify(const std::error_code& ec) const {
  if (!ec) return IoStatus::kOk;
  if (ec == asio::error::operation_aborted) {
    if (cancelled_) return IoStatus::kCancelled;
    if (timed_out_) return IoStatus::kTimeout;
    return IoStatus::kCancelled;
  }
  if (ec == asio::error::connection_refused) return IoStatus::kRefused;
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated) {
    return IoStatus::kClosed;
  }
  return IoStatus::kError;
}

asio::awaitable<IoResult> TcpConnection::Connect(const asio::ip::tcp::endpoint& endpoint,
                                                 SteadyTime deadline) {
  Close();
  if (cancelled_) co_return IoResult{IoStatus::kCancelled, {}};
  // Fast path without the reactor: on a sweep most connects are refused, and on loopback the
  // answer is often known when connect() returns. Only an in-progress connect is registered
  // with the event loop and given a deadline.
  const int family = endpoint.protocol().family();
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) co_return IoResult{IoStatus::kError, std::error_code(errno, asio::error::get_system_category())};
  int rc = ::connect(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size()));
  if (rc != 0 && errno != EINPROGRESS) {
    std::error_code ec(errno, asio::error::get_system_category());
    ::close(fd);
    co_return IoResult{Classify(ec), ec};
  }
  std::error_code ec;
  socket_.assign(endpoint.protocol(), fd, ec);
  if (ec) {
    ::close(fd);
    co_return IoResult{IoStatus::kError, ec};
  }
  if (rc == 0) co_return IoResult{IoStatus::kOk, {}};
  // A wake-up for "writable" is not proof of a connection: Asio may deliver readiness that the
  // event loop collected for the previous socket of this object (reset by its peer just before
  // we closed it) to this one, since both share the reactor's recycled slot, and SO_ERROR is 0
  // while a connect is still in progress. So the answer is taken from the kernel: SO_ERROR
  // names a failure, a state past SYN_SENT means the peer answered; a socket still in
  // SYN_SENT waits again until the deadline.
  Arm(deadline);
  while (true) {
    co_await socket_.async_wait(asio::socket_base::wait_write, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
    if (so_error != 0) {
      ec = std::error_code(so_error, asio::error::get_system_category());
      break;
    }
    tcp_info info{};
    socklen_t info_len = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_len) != 0) {
      ec = std::error_code(errno, asio::error::get_system_category());
      break;
    }
    if (info.tcpi_state != TCP_SYN_SENT) break;  // answered: connected (perhaps closed since)
    // Still connecting: a stale wake-up. Wait for the real answer (or the deadline).
  }
  Disarm();
  if (ec) {
    IoStatus status = Classify(ec);
    std::error_code ignored;
    socket_.close(ignored);  // nothing was established: a plain close sends no RST and costs nothing
    co_return IoResult{status, ec};
  }
  co_return IoResult{IoStatus::kOk, {}};
}

asio::awaitable<IoResult> TcpConnection::StartTls(asio::ssl::context& context, SteadyTime deadline) {
  peer_certificate_der_.clear();
  tls_error_.clear();
  if (cancelled_) co_return IoResult{IoStatus::kCancelled, {}};
  tls_.emplace(socket_, context);
  std::error_code ec;
  Arm(deadline);
  co_await tls_->async_handshake(asio::ssl::stream_base::client,
                                 asio::redirect_error(asio::use_awaitable, ec));
  Disarm();
  if (ec) {
    tls_error_ = ec.message();
    IoStatus status = Classify(ec);
    co_return IoResult{status, ec};
  }
  X509* cert = SSL_get_peer_certificate(tls_->native_handle());
  if (cert != nullptr) {
    int len = i2d_X509(cert, nullptr);
    if (len > 0) {
      peer_certificate_der_.resize(static_cast<size_t>(len));
      auto* out = reinterpret_cast<unsigned char*>(peer_certificate_der_.data());
      i2d_X509(cert, &out);
    }
    X509_free(cert);
  }
  co_return IoResult{IoStatus::kOk, {}};
}

asio::awaitable<IoResult> TcpConnection::Write(std::string_view data, SteadyTime deadline) {
  if (cancelled_) co_return IoResult{IoStatus::kCancelled, {}};
  if (data.empty()) co_return IoResult{IoStatus::kOk, {}};
  std::error_code ec;
  Arm(deadline);
  size_t n = 0;
  if (tls_) {
    n = co_await asio::async_write(*tls_, asio::buffer(data.data(), data.size()),
                                   asio::redirect_error(asio::use_awaitable, ec));
  } else {
    n = co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                                   asio::redirect_error(asio::use_awaitable, ec));
  }
  Disarm();
  bytes_written_ += n;
  co_return IoResult{Classify(ec), ec};
}

asio::awaitable<ReadResult> TcpConnection::ReadUntil(char* buffer, size_t cap,
                                                     const std::function<bool(std::string_view)>& frame,
                                                     SteadyTime deadline) {
  ReadResult result;
  if (cancelled_) {
    result.cancelled = true;
    co_return result;
  }
  Arm(deadline);
  while (true) {
    if (result.size >= cap) {
      result.truncated = true;
      break;
    }
    std::error_code ec;
    size_t got = 0;
    auto space = asio::buffer(buffer + result.size, cap - result.size);
    if (tls_) {
      got = co_await tls_->async_read_some(space, asio::redirect_error(asio::use_awaitable, ec));
    } else {
      got = co_await socket_.async_read_some(space, asio::redirect_error(asio::use_awaitable, ec));
    }
    result.size += got;
    if (got > 0 && frame(std::string_view(buffer, result.size))) {
      result.complete = true;
      break;
    }
    if (ec) {
      switch (Classify(ec)) {
        case IoStatus::kTimeout: result.timed_out = true; break;
        case IoStatus::kCancelled: result.cancelled = true; break;
        case IoStatus::kClosed: result.closed = true; break;
        default: result.error = ec; break;
      }
      break;
    }
  }
  Disarm();
  co_return result;
}

asio::awaitable<IoResult> TcpConnection::SleepUntil(SteadyTime until) {
  if (cancelled_) co_return IoResult{IoStatus::kCancelled, {}};
  ++generation_;  // any armed watchdog is stale now
  timer_.expires_at(until);
  std::error_code ec;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (ec && cancelled_) co_return IoResult{IoStatus::kCancelled, {}};
  co_return IoResult{IoStatus::kOk, {}};
}

void TcpConnection::Close() {
  tls_.reset();
  bytes_written_ = 0;
  if (!socket_.is_open()) return;
  std::error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

void TcpConnection::Cancel() {
  cancelled_ = true;
  std::error_code ignored;
  socket_.cancel(ignored);
  timer_.cancel();
}

}  // namespace phaseout::net
