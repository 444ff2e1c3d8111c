// Test double for the scan engine: plays a probe session Step by Step against scripted peer
// replies, feeding bytes in small pieces through Frame() exactly as the real engine reads
// them, and reports what was sent and observed. Tests only; no sockets.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "probes/probe.h"

namespace phaseout::probes::testing {

// What the fake peer does for one step. A peer that closes after its reply stays closed: a
// later step on the same connection gets an empty, closed Response.
struct FakeReply {
  std::string bytes;          // sent after the request (or at once for kWaitBanner)
  bool close_after = true;    // true: the peer closes after `bytes`; false: it stays silent (timeout)
  bool connect_fails = false; // a requested new connection fails
  bool tls_fails = false;     // the TLS handshake fails (for Step.tls)
};

struct FakeOptions {
  size_t byte_cap = 256 * 1024;  // the engine's per-response cap
  size_t chunk = 7;              // bytes per simulated read
  std::string cert_der;          // certificate presented on every TLS handshake
  int max_steps = 20;            // a session asking for more is a bug
};

struct FakeRun {
  std::vector<Step> steps;                         // every non-kDone step, in order
  std::vector<std::string> delivered;              // bytes handed to OnResponse per step
  std::vector<Response> responses;                 // flags handed to OnResponse per step
  std::vector<model::Observation> observations;
  bool finished = false;                           // the session returned kDone
};

// Plays `probe` against `reply_for(step, index)`.
inline FakeRun RunFakeSession(const Probe& probe, const ProbeTarget& target,
                              const std::function<FakeReply(const Step&, int)>& reply_for,
                              const FakeOptions& options = {}) {
  FakeRun run;
  std::unique_ptr<ProbeSession> session = probe.Start(target);
  bool peer_closed = false;  // the peer closed the current connection after its last reply
  for (int index = 0; index < options.max_steps; ++index) {
    Step step = session->Next();
    if (step.kind == Step::Kind::kDone) {
      run.finished = true;
      break;
    }
    run.steps.push_back(step);
    FakeReply reply = reply_for(step, index);
    Response response;
    std::string received;
    if (step.new_connection) peer_closed = false;
    if ((step.new_connection && reply.connect_fails) || (step.tls && reply.tls_fails)) {
      response.connect_failed = true;
    } else if (peer_closed) {
      response.closed = true;  // the previous reply closed this connection: nothing more comes
    } else {
      if (step.tls) session->OnTlsCertificate(options.cert_der);
      size_t pos = 0;
      bool complete = false;
      while (pos < reply.bytes.size()) {
        size_t take = std::min(options.chunk, reply.bytes.size() - pos);
        take = std::min(take, options.byte_cap - received.size());
        received.append(reply.bytes, pos, take);
        pos += take;
        if (session->Frame(received) == Framing::kComplete) {
          complete = true;
          break;
        }
        if (received.size() >= options.byte_cap) {
          response.truncated = true;
          break;
        }
      }
      peer_closed = reply.close_after;
      if (!complete && !response.truncated) {
        if (reply.close_after) {
          response.closed = true;
        } else {
          response.timed_out = true;
        }
      }
    }
    run.delivered.push_back(received);
    response.bytes = run.delivered.back();
    run.responses.push_back(response);
    session->OnResponse(response);
  }
  run.observations = session->TakeObservations();
  return run;
}

// The request target of an HTTP/RTSP request ("GET /x HTTP/1.1" → "/x").
inline std::string RequestTarget(const std::string& request) {
  size_t sp = request.find(' ');
  size_t sp2 = request.find(' ', sp + 1);
  if (sp == std::string::npos || sp2 == std::string::npos) return "";
  return request.substr(sp + 1, sp2 - sp - 1);
}

// The method of a request ("GET", "OPTIONS", ...).
inline std::string RequestMethod(const std::string& request) { return request.substr(0, request.find(' ')); }

// Values of every observation with `key`, in order.
inline std::vector<std::string> Values(const std::vector<model::Observation>& obs, const std::string& key) {
  std::vector<std::string> out;
  for (const model::Observation& o : obs) {
    if (o.key == key) out.push_back(o.value);
  }
  return out;
}

// The single value of `key`, "<absent>" if none, "<many>" if more than one.
inline std::string Value(const std::vector<model::Observation>& obs, const std::string& key) {
  std::vector<std::string> v = Values(obs, key);
  if (v.empty()) return "<absent>";
  if (v.size() > 1) return "<many>";
  return v.front();
}

}  // namespace phaseout::probes::testing
