// The only file that includes httplib.h: converts its requests to HttpRequest, answers with the
// Api and turns the library's own errors (malformed requests, bodies over the limit) into the
// API's JSON errors.
#include "server/http_server.h"

#include <httplib.h>

#include <cctype>

#include "server/api.h"

namespace phaseout::server {

struct HttpServer::Impl {
  std::unique_ptr<httplib::Server> server;
  int port = 0;
};

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {}
HttpServer::~HttpServer() = default;

int HttpServer::port() const { return impl_->port; }

namespace {

const char* CodeForStatus(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthenticated";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "too_large";
    case 414: return "too_large";
    case 415: return "unsupported_media_type";
    case 429: return "rate_limited";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "bad_request";
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(Api& api, const ListenOptions& options) {
  std::unique_ptr<HttpServer> out(new HttpServer());
  bool tls = !options.tls_cert.empty() || !options.tls_key.empty();
  if (tls && (options.tls_cert.empty() || options.tls_key.empty())) {
    return MakeError(ErrorCode::kInvalidArgument, "--tls-cert and --tls-key go together");
  }
  if (tls) {
    auto s = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!s->is_valid()) {
      return MakeError(ErrorCode::kInvalidArgument, "cannot load the TLS certificate " + options.tls_cert +
                                                        " and key " + options.tls_key + " (PEM files, matching)");
    }
    out->impl_->server = std::move(s);
  } else {
    out->impl_->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& srv = *out->impl_->server;
  int threads = options.threads > 0 ? options.threads : 8;
  srv.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Without TCP_NODELAY the library's separate writes of headers and body meet the client's
  // delayed ACK: every answer on a kept-alive connection waited ~40 ms (bench/server_load.sh).
  srv.set_tcp_nodelay(true);
  srv.set_payload_max_length(options.max_body_bytes);
  srv.set_read_timeout(options.read_timeout_s, 0);
  srv.set_write_timeout(options.read_timeout_s, 0);
  auto handler = [&api, tls](const httplib::Request& req, httplib::Response& res) {
    HttpRequest r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& [k, v] : req.params) r.query.emplace_back(k, v);
    for (const auto& [k, v] : req.headers) {
      std::string name = k;
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.emplace_back(std::move(name), v);
    }
    r.body = req.body;
    r.remote_addr = req.remote_addr;
    r.tls = tls;
    HttpResponse out = api.Handle(r);
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.set_header(k.c_str(), v);
    res.set_content(std::move(out.body), out.content_type.c_str());
  };
  for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    std::string m = method;
    if (m == "GET") srv.Get(".*", handler);
    else if (m == "POST") srv.Post(".*", handler);
    else if (m == "PUT") srv.Put(".*", handler);
    else if (m == "DELETE") srv.Delete(".*", handler);
    else if (m == "PATCH") srv.Patch(".*", handler);
    else srv.Options(".*", handler);
  }
  // Errors the library answers itself (bad request line, body over the limit, unknown method)
  // get the same JSON body and security headers as the API's.
  srv.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = res.status == 413 ? "the request body exceeds the size limit" : "the request was refused";
    res.set_content(std::string("{\"error\":{\"code\":\"") + CodeForStatus(res.status) + "\",\"message\":\"" +
                        message + "\"}}",
                    "application/json; charset=utf-8");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Cache-Control", "no-store");
    return httplib::Server::HandlerResponse::Handled;
  }));
  if (options.port == 0) {
    int port = srv.bind_to_any_port(options.host);
    if (port <= 0) return MakeError(ErrorCode::kIo, "cannot listen on " + options.host);
    out->impl_->port = port;
  } else {
    if (!srv.bind_to_port(options.host, options.port)) {
      return MakeError(ErrorCode::kIo, "cannot listen on " + options.host + ":" + std::to_string(options.port) +
                                           " (address in use, or not an address of this machine)");
    }
    out->impl_->port = options.port;
  }
  return out;
}

Status HttpServer::Run() {
  if (!impl_->server->listen_after_bind()) {
    if (!impl_->server->is_running()) return Status::Ok();
    return MakeError(ErrorCode::kIo, "the listening loop stopped");
  }
  return Status::Ok();
}

void HttpServer::Stop() { impl_->server->stop(); }

}  // namespace phaseout::server
