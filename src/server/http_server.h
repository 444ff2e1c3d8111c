// Puts an Api on a TCP socket (cpp-httplib; TLS with a certificate and key). The HTTP library
// is confined to http_server.cc.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

namespace phaseout::server {

class Api;

struct ListenOptions {
  std::string host = "127.0.0.1";
  int port = 8443;            // 0: any free port (see HttpServer::port)
  std::string tls_cert, tls_key;  // both or neither; PEM files
  int threads = 8;            // request worker threads
  size_t max_body_bytes = 8u << 20;
  int read_timeout_s = 30;
};

// Thread-safe: Stop may be called from another thread (or a signal-watching thread) while Run
// blocks.
class HttpServer {
 public:
  // Binds the socket (and loads the certificate). kInvalidArgument for unusable TLS files,
  // kIo when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Bind(Api& api, const ListenOptions& options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;  // owns a listening socket
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Serves until Stop. Fails with kIo if the listening loop breaks.
  Status Run();
  void Stop();

 private:
  HttpServer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace phaseout::server
