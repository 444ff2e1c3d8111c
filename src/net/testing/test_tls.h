// Test-only helpers for TLS tests: a freshly generated self-signed certificate (P-256 key)
// and a blocking OpenSSL server handler. Header-only; link OpenSSL.
#pragma once

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <memory>
#include <string>

#include "net/testing/fake_tcp_server.h"

namespace phaseout::net::testing {

// A self-signed certificate and its key; owns the OpenSSL objects.
struct SelfSigned {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string der;
  ~SelfSigned() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

// Generates a certificate for CN=`common_name`, valid for a day. Returns nullptr on failure.
inline std::unique_ptr<SelfSigned> MakeSelfSigned(const std::string& common_name) {
  auto out = std::make_unique<SelfSigned>();
  out->key = EVP_EC_gen("P-256");
  if (out->key == nullptr) return nullptr;
  out->cert = X509_new();
  X509_set_version(out->cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(out->cert), 4242);
  X509_gmtime_adj(X509_getm_notBefore(out->cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(out->cert), 86400);
  X509_set_pubkey(out->cert, out->key);
  X509_NAME* name = X509_get_subject_name(out->cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(out->cert, name);
  if (X509_sign(out->cert, out->key, EVP_sha256()) == 0) return nullptr;
  int len = i2d_X509(out->cert, nullptr);
  out->der.resize(static_cast<size_t>(len));
  auto* p = reinterpret_cast<unsigned char*>(out->der.data());
  i2d_X509(out->cert, &p);
  return out;
}

// A server handler: TLS handshake with `cert`, then reads one line and answers `reply`,
// then waits for the client to go away. The SSL_CTX is shared by all connections.
inline FakeTcpServer::Handler TlsReplyHandler(std::shared_ptr<SelfSigned> cert, std::string reply) {
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  SSL_CTX_use_certificate(ctx.get(), cert->cert);
  SSL_CTX_use_PrivateKey(ctx.get(), cert->key);
  return [ctx, cert, reply](int fd, const std::atomic<bool>& stop) {
    SSL* ssl = SSL_new(ctx.get());
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      std::string line;
      char c;
      while (line.size() < 1024 && SSL_read(ssl, &c, 1) == 1) {
        line.push_back(c);
        if (c == '\n') break;
      }
      SSL_write(ssl, reply.data(), static_cast<int>(reply.size()));
      WaitForClose(fd, stop);
    }
    SSL_free(ssl);
  };
}

}  // namespace phaseout::net::testing
