// The probe contract: a probe is a pure, sans-I/O state machine over bytes. The engine owns
// every socket; a ProbeSession only says what to send next, when a reply is complete, and
// turns replies into Observations. This keeps probes unit-testable and fuzzable without
// sockets, and keeps Asio out of probe headers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"

namespace phaseout::probes {

// The host and port a session talks to. The connection is already open when Start() is called.
struct ProbeTarget {
  std::string ip;
  uint16_t port = 0;
};

// One instruction from a session to the engine.
struct Step {
  enum class Kind {
    kSend,        // send `request` (possibly empty) then read one reply, framed by Frame()
    kWaitBanner,  // send nothing; read whatever the peer volunteers until Frame() or timeout
    kDone,        // the session has nothing more to do
  };
  Kind kind = Kind::kDone;
  std::string request;          // bytes to write; documented at the place that builds them
  bool tls = false;             // the step runs over TLS (engine handshakes, reports the certificate)
  bool new_connection = false;  // close the current connection and open a fresh one first
  uint32_t read_timeout_ms = 0; // 0: the engine's configured read timeout
};

enum class Framing {
  kNeedMore,  // keep reading (until the byte cap, timeout or EOF)
  kComplete,  // the reply is whole; stop reading
};

// What the engine got back for one Step.
struct Response {
  std::string_view bytes;       // everything read for this step (at most the byte cap)
  bool truncated = false;       // the byte cap was hit before the reply was complete
  bool timed_out = false;       // the read timed out before the reply was complete
  bool closed = false;          // the peer closed or reset the connection
  bool connect_failed = false;  // a requested new connection or TLS handshake failed
};

// One exchange sequence with one open port. Not thread-safe; used by one engine task.
class ProbeSession {
 public:
  virtual ~ProbeSession() = default;
  // Returns the next step. After kDone the engine calls TakeObservations() and stops.
  virtual Step Next() = 0;
  // Says whether `received` (all bytes read so far for the current step) is a whole reply.
  // Must be cheap: it is called after every read.
  virtual Framing Frame(std::string_view received) const = 0;
  // Delivers the reply to the step returned by the last Next().
  virtual void OnResponse(const Response& response) = 0;
  // Delivers the peer certificate (DER) after a TLS handshake; empty if none was sent.
  virtual void OnTlsCertificate(std::string_view der) = 0;
  // Returns everything observed; called once, after kDone or when the engine gives up.
  virtual std::vector<model::Observation> TakeObservations() = 0;
};

// Describes one observation field a probe can emit.
struct FieldSpec {
  std::string key;          // e.g. "http.header.server"
  std::string description;  // one line
};

// Static description of a probe. Value type.
struct ProbeSpec {
  std::string name;                    // "http", "https", "rtsp", "banner"
  std::string description;             // names the protocol; shown by `phaseout probes`
  std::vector<uint16_t> default_ports; // ports where this probe is the first choice
  std::vector<FieldSpec> fields;
};

// A probe kind. Implementations are stateless and thread-safe; sessions hold the state.
class Probe {
 public:
  virtual ~Probe() = default;
  virtual const ProbeSpec& Spec() const = 0;
  virtual std::unique_ptr<ProbeSession> Start(const ProbeTarget& target) const = 0;
};

}  // namespace phaseout::probes
