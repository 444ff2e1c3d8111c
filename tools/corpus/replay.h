// Replay: turns one corpus device into the HostScan the scanner would have produced, by playing
// its recorded replies through the real sans-I/O probe sessions (src/probes) instead of sockets.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/observation.h"
#include "tools/corpus/corpus.h"

namespace phaseout::corpus {

// The observation keys probes emit today: entries of data/identifiers/fields.yaml with
// `status: emitted`. A key ending in ".*" covers every key with that prefix.
struct KeyVocabulary {
  std::set<std::string> exact;
  std::vector<std::string> prefixes;  // "http.header." for "http.header.*"
  bool Emitted(const std::string& key) const;
};

// Loads the vocabulary from `fields_yaml` (data/identifiers/fields.yaml) and adds every key the
// registered probes declare in their ProbeSpec. Fails naming the file.
Result<KeyVocabulary> LoadKeyVocabulary(const std::string& fields_yaml);

// What replaying one device produced.
struct ReplayResult {
  model::HostScan host;                     // ip "corpus:<id>", ports and observations
  std::vector<std::string> replayed;        // reply files used
  std::vector<std::string> not_replayable;  // "<file>: <why>" (no probe for the protocol yet)
  int unrecorded_requests = 0;              // probe requests the corpus has no reply for
};

// Replays `device`:
// - full replies of a protocol with a probe (http, https, rtsp, and greeting protocols through
//   the banner probe) are grouped by port; the probe the registry names for that protocol runs
//   against them: each request it sends gets the recorded reply to the same request (HTTP:
//   method and path; RTSP: method; greetings: the "connect" reply). A request with no recorded
//   reply gets an empty reply and a closed connection, as from a peer that resets.
// - field replies become one observation each, with the key they declare, if `vocabulary`
//   says a probe emits that key; a WWW-Authenticate value also yields the auth.scheme/realm
//   keys through the probes' own challenge parser.
// - anything else is listed in not_replayable.
// Never fails; deterministic.
ReplayResult ReplayDevice(const Device& device, const KeyVocabulary& vocabulary);

}  // namespace phaseout::corpus
