// The real transport: cpp-httplib (Debian's compiled 0.11 with OpenSSL) with certificate
// pinning done in OpenSSL's verification callback. The only file that includes httplib.h.
#include "agent/transport.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <string>

#include "agent/backoff.h"

namespace phaseout::agent {
namespace {

std::string Sha256HexOfDer(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) return "";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  EVP_Digest(der, static_cast<size_t>(len), digest, &dlen, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < dlen; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// State the verification callback reads and writes; owned by the transport, which outlives
// its SSL context.
struct PinState {
  std::string expected;  // pinned SHA-256, or "" at enrolment
  bool use_ca = false;   // enrolment with --ca: the chain must verify against it (and the host)
  std::string seen;      // leaf certificate of the last handshake
  std::string ca_error;  // why the CA check failed
};

// Replaces OpenSSL's chain verification (SSL_CTX_set_cert_verify_callback): with a pin, the
// leaf must be exactly the pinned certificate (self-signed certificates work: the pin is the
// trust); at enrolment the leaf is recorded, after a CA check when a CA file was given.
int VerifyCertificate(X509_STORE_CTX* ctx, void* arg) {
  auto* state = static_cast<PinState*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(ctx);
  if (leaf == nullptr) return 0;
  state->seen = Sha256HexOfDer(leaf);
  if (!state->expected.empty()) return state->seen == state->expected ? 1 : 0;
  if (state->use_ca) {
    if (X509_verify_cert(ctx) != 1) {
      state->ca_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
      return 0;
    }
  }
  return 1;
}

class HttplibTransport : public HttpTransport {
 public:
  explicit HttplibTransport(HttpTransportOptions options) : options_(std::move(options)) {}

  Status Init() {
    const ServerUrl& url = options_.url;
    if (url.tls) {
      auto ssl = std::make_unique<httplib::SSLClient>(url.host, url.port);
      // httplib's own verification is off: VerifyCertificate decides (pin or CA + record).
      ssl->enable_server_certificate_verification(false);
      SSL_CTX* ctx = ssl->ssl_context();
      if (ctx == nullptr) return MakeError(ErrorCode::kInternal, "cannot create a TLS context");
      pin_.expected = options_.pinned_sha256;
      if (pin_.expected.empty() && !options_.ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(ctx, options_.ca_file.c_str(), nullptr) != 1) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "cannot load CA certificates from '" + options_.ca_file + "' (PEM expected)");
        }
        X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
        // The name in the URL must be in the certificate: an address is checked as an address.
        if (X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str()) != 1) {
          X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size());
        }
        pin_.use_ca = true;
      }
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      SSL_CTX_set_cert_verify_callback(ctx, VerifyCertificate, &pin_);
      SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
      client_ = std::move(ssl);
    } else {
      client_ = std::make_unique<httplib::ClientImpl>(url.host, url.port);
    }
    client_->set_connection_timeout(static_cast<time_t>(options_.connect_timeout_s), 0);
    client_->set_read_timeout(static_cast<time_t>(options_.read_timeout_s), 0);
    client_->set_write_timeout(static_cast<time_t>(options_.read_timeout_s), 0);
    client_->set_keep_alive(true);
    if (!options_.bearer_key.empty()) client_->set_bearer_token_auth(options_.bearer_key.c_str());
    return Status::Ok();
  }

  Result<HttpResponse> Send(const std::string& method, const std::string& target, const std::string& content_type,
                            const std::string& body) override {
    pin_.seen.clear();
    pin_.ca_error.clear();
    httplib::Result res = method == "GET" ? client_->Get(target.c_str())
                          : method == "DELETE"
                              ? client_->Delete(target.c_str())
                              : client_->Post(target.c_str(), body, content_type.empty() ? "application/json"
                                                                                          : content_type.c_str());
    if (!res) {
      httplib::Error err = res.error();
      std::string where = (options_.url.tls ? "https://" : "http://") + options_.url.host + ":" +
                          std::to_string(options_.url.port);
      if (options_.url.tls && err == httplib::Error::SSLConnection && !pin_.seen.empty()) {
        if (!pin_.expected.empty() && pin_.seen != pin_.expected) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "refusing the server at " + where + ": its certificate (SHA-256 " + pin_.seen +
                               ") is not the one pinned at enrolment (" + pin_.expected +
                               "). If the server's certificate was replaced on purpose, enrol this agent again "
                               "(phaseout agent enrol); otherwise something is intercepting the connection");
        }
        if (!pin_.ca_error.empty()) {
          return MakeError(ErrorCode::kInvalidArgument, "refusing the server at " + where +
                                                            ": its certificate does not verify against the CA file '" +
                                                            options_.ca_file + "': " + pin_.ca_error);
        }
      }
      return MakeError(ErrorCode::kIo, "no answer from " + where + ": " + httplib::to_string(err));
    }
    HttpResponse out;
    out.status = res->status;
    out.body = std::move(res->body);
    if (res->has_header("Retry-After")) {
      out.retry_after_s = ParseRetryAfter(res->get_header_value("Retry-After"), std::time(nullptr));
    }
    return out;
  }

  const std::string& seen_sha256() const override { return pin_.seen; }

 private:
  HttpTransportOptions options_;
  PinState pin_;
  std::unique_ptr<httplib::ClientImpl> client_;
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> MakeHttpTransport(const HttpTransportOptions& options) {
  if (options.url.tls && options.pinned_sha256.empty() && !options.bearer_key.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no pinned server certificate: enrol first (phaseout agent enrol) so the agent knows "
                     "which certificate to trust");
  }
  auto t = std::make_unique<HttplibTransport>(options);
  if (Status st = t->Init(); !st.ok()) return st.error();
  return std::unique_ptr<HttpTransport>(std::move(t));
}

}  // namespace phaseout::agent
