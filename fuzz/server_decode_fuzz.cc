// Fuzzes the server's decoders of untrusted request bytes (JSON bodies, query integers): they
// must never crash, and a decoded transition never carries an actor from the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace phaseout::server;
  (void)ParseInteger(in, "n", INT64_MIN / 2, INT64_MAX / 2);
  (void)DecodeLogin(in);
  if (auto t = DecodeTransition(in); t && !t->actor.empty()) __builtin_trap();
  (void)DecodeScanStart(in);
  (void)DecodeComplete(in);
  (void)DecodeEnrol(in);
  (void)DecodeSecret(in);
  (void)DecodeUser(in);
  (void)DecodeToken(in);
  return 0;
}
