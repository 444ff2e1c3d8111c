// Replays a corpus device through the real probe sessions.
#include "tools/corpus/replay.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>

#include "probes/common/auth_challenge.h"
#include "probes/registry.h"
#include "probes/testing/fake_engine.h"

namespace phaseout::corpus {
namespace {

// Documentation address (RFC 5737): never scanned; the sessions only print it into requests.
constexpr const char* kReplayIp = "192.0.2.10";

// Protocols whose server speaks first: replayed through the banner probe when no probe of
// their own name exists.
bool IsGreetingProtocol(const std::string& protocol) {
  return protocol == "telnet" || protocol == "ftp" || protocol == "ssh" || protocol == "smtp" ||
         protocol == "banner";
}

const probes::Probe* ProbeByName(const std::string& name) {
  for (const probes::Probe* probe : probes::AllProbes()) {
    if (probe->Spec().name == name) return probe;
  }
  return nullptr;
}

// The probe that replays full replies of `protocol`, or nullptr if none can.
const probes::Probe* ProbeForProtocol(const std::string& protocol) {
  if (const probes::Probe* own = ProbeByName(protocol)) return own;
  if (IsGreetingProtocol(protocol)) return ProbeByName("banner");
  return nullptr;
}

// True iff `reply` answers `step`.
bool Answers(const Reply& reply, const probes::Step& step, const std::string& protocol) {
  if (step.kind == probes::Step::Kind::kWaitBanner) return reply.request == "connect";
  std::string method = probes::testing::RequestMethod(step.request);
  if (protocol == "rtsp") return reply.request == method;
  return reply.request == method + " " + probes::testing::RequestTarget(step.request);
}

std::string ProbeNameForKey(const std::string& key, const std::string& protocol) {
  size_t dot = key.find('.');
  std::string head = key.substr(0, dot);
  if (head == "tls" || head == "tcp") return head;
  return protocol;
}

}  // namespace

bool KeyVocabulary::Emitted(const std::string& key) const {
  if (exact.count(key) != 0) return true;
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return key.size() > p.size() && key.compare(0, p.size(), p) == 0; });
}

Result<KeyVocabulary> LoadKeyVocabulary(const std::string& fields_yaml) {
  KeyVocabulary vocab;
  try {
    YAML::Node root = YAML::LoadFile(fields_yaml);
    YAML::Node list = root["fields"];
    if (!list || !list.IsSequence()) {
      return MakeError(ErrorCode::kInvalidArgument, fields_yaml + ": no 'fields' list");
    }
    for (const YAML::Node& f : list) {
      if (!f["key"] || f["status"].as<std::string>("") != "emitted") continue;
      std::string key = f["key"].as<std::string>();
      if (key.size() > 2 && key.compare(key.size() - 2, 2, ".*") == 0) {
        vocab.prefixes.push_back(key.substr(0, key.size() - 1));
      } else {
        vocab.exact.insert(key);
      }
    }
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, fields_yaml + ": " + e.what());
  }
  // The probes' own field lists are the code's truth: a key a registered probe declares is
  // emitted even before fields.yaml lists it. "x.header.<name>" declares the "x.header." family.
  for (const probes::Probe* probe : probes::AllProbes()) {
    for (const probes::FieldSpec& field : probe->Spec().fields) {
      size_t family = field.key.find_first_of("<*");
      if (family == std::string::npos) {
        vocab.exact.insert(field.key);
      } else {
        vocab.prefixes.push_back(field.key.substr(0, family));
      }
    }
  }
  return vocab;
}

ReplayResult ReplayDevice(const Device& device, const KeyVocabulary& vocabulary) {
  ReplayResult out;
  out.host.ip = "corpus:" + device.id;
  std::set<uint16_t> ports;

  // Full replies, grouped by (port, protocol): one probe session per group.
  std::map<std::pair<uint16_t, std::string>, std::vector<const Reply*>> groups;
  for (const Reply& reply : device.replies) {
    if (!reply.full) continue;
    if (ProbeForProtocol(reply.protocol) == nullptr) {
      out.not_replayable.push_back(reply.file + ": no probe for protocol '" + reply.protocol + "' yet");
      continue;
    }
    groups[{reply.port, reply.protocol}].push_back(&reply);
  }
  for (const auto& [group, replies] : groups) {
    const auto& [port, protocol] = group;
    const probes::Probe* probe = ProbeForProtocol(protocol);
    std::set<const Reply*> used;
    auto reply_for = [&](const probes::Step& step, int) {
      probes::testing::FakeReply fake;
      for (const Reply* r : replies) {
        if (Answers(*r, step, protocol)) {
          fake.bytes = r->bytes;
          used.insert(r);
          return fake;
        }
      }
      ++out.unrecorded_requests;
      return fake;  // empty and closed: a peer that resets
    };
    probes::testing::FakeRun run = probes::testing::RunFakeSession(*probe, {kReplayIp, port}, reply_for);
    for (model::Observation& o : run.observations) out.host.observations.push_back(std::move(o));
    ports.insert(port);
    for (const Reply* r : replies) {
      if (used.count(r) != 0) {
        out.replayed.push_back(r->file);
      } else {
        out.not_replayable.push_back(r->file + ": the " + probe->Spec().name + " probe never sends '" + r->request + "'");
      }
    }
  }

  // Field replies: one observation each, only for keys some probe emits today.
  for (const Reply& reply : device.replies) {
    if (reply.full) continue;
    if (!vocabulary.Emitted(reply.key)) {
      out.not_replayable.push_back(reply.file + ": no probe emits '" + reply.key + "' yet");
      continue;
    }
    std::string probe = ProbeNameForKey(reply.key, reply.protocol);
    out.host.observations.push_back({probe, reply.port, reply.key, reply.bytes});
    for (const char* prefix : {"http", "rtsp"}) {
      if (reply.key != std::string(prefix) + ".header.www-authenticate") continue;
      for (const probes::common::AuthChallenge& c : probes::common::ParseAuthChallenges(reply.bytes)) {
        out.host.observations.push_back({probe, reply.port, std::string(prefix) + ".auth.scheme", c.scheme});
        if (const std::string* realm = c.Param("realm")) {
          out.host.observations.push_back({probe, reply.port, std::string(prefix) + ".auth.realm", *realm});
        }
      }
    }
    out.replayed.push_back(reply.file);
    ports.insert(reply.port);
  }

  // Every port that answered was open; the http probe already says so for its ports.
  for (uint16_t port : ports) {
    bool said = std::any_of(out.host.observations.begin(), out.host.observations.end(), [&](const model::Observation& o) {
      return o.key == "tcp.port.open" && o.port == port;
    });
    if (!said) out.host.observations.push_back({"tcp", port, "tcp.port.open", std::to_string(port)});
  }
  out.host.open_ports.assign(ports.begin(), ports.end());
  return out;
}

}  // namespace phaseout::corpus
