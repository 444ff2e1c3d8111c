// Delivery of the spool (see delivery.h).
#include "agent/delivery.h"

#include <chrono>
#include <random>
#include <thread>

#include "agent/messages.h"

namespace phaseout::agent {

EntryRequest RequestFor(const SpoolEntry& entry) {
  EntryRequest r;
  switch (entry.kind) {
    case EntryKind::kStart:
      r.target = "/api/v1/scans";
      r.content_type = "application/json; charset=utf-8";
      break;
    case EntryKind::kChunk:
      r.target = "/api/v1/scans/" + entry.scan_key + "/records?first_seq=" + std::to_string(entry.first_seq);
      r.content_type = "application/x-ndjson";
      break;
    case EntryKind::kComplete:
      r.target = "/api/v1/scans/" + entry.scan_key + "/complete";
      r.content_type = "application/json; charset=utf-8";
      break;
  }
  return r;
}

Result<DeliveryResult> DeliverSpool(Spool& spool, Transport& transport, const DeliveryOptions& options) {
  DeliveryResult result;
  std::mt19937_64 rng(options.seed != 0 ? options.seed : std::random_device{}());
  auto sleep = options.sleep ? options.sleep : [](uint32_t ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  };
  auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  // Time spent waiting between retries in this pass (slept time, so a fake sleep counts too).
  uint64_t waited_ms = 0;
  const uint64_t give_up_ms = uint64_t{options.give_up_after_s} * 1000;

  auto names = spool.List();
  if (!names) return names.error();
  for (size_t idx = 0; idx < names->size(); ++idx) {
    const std::string& name = (*names)[idx];
    auto finish_remaining = [&](DeliveryEnd end, std::string message) {
      result.end = end;
      result.message = std::move(message);
      result.remaining = names->size() - idx;
      return result;
    };
    auto entry = spool.Read(name);
    if (!entry) {
      if (entry.error().code != ErrorCode::kParse) return entry.error();
      if (Status st = spool.Reject(name, entry.error().message); !st.ok()) return st.error();
      ++result.rejected;
      log("rejected " + name + ": " + entry.error().message);
      continue;
    }
    EntryRequest req = RequestFor(*entry);
    for (uint32_t attempt = 0;; ++attempt) {
      auto res = transport.Send(req.method, req.target, req.content_type, entry->body);
      std::optional<uint32_t> retry_after;
      std::string why;
      if (!res) {
        if (res.error().code == ErrorCode::kInvalidArgument) {
          return finish_remaining(DeliveryEnd::kCertificate, res.error().message);
        }
        why = res.error().message;
      } else {
        Disposition d = ClassifyStatus(res->status);
        if (d == Disposition::kForbidden) {
          // A revoked key and a site this key is not bound to both give 403; a request any
          // valid agent key may make tells them apart.
          auto probe = transport.Send("GET", "/api/v1/agents/schedule", "", "");
          d = (probe && (probe->status == 401 || probe->status == 403)) ? Disposition::kReenrol
                                                                         : Disposition::kReject;
        }
        if (d == Disposition::kDelivered) {
          if (entry->kind == EntryKind::kChunk) {
            ChunkAnswer a = ParseChunkAnswer(res->body);
            result.stored += a.stored;
            result.duplicates += a.duplicates;
          }
          if (Status st = spool.Remove(name); !st.ok()) return st.error();
          ++result.delivered;
          break;
        }
        if (d == Disposition::kReenrol) {
          return finish_remaining(
              DeliveryEnd::kReenrol,
              "the server refused this agent's key (HTTP " + std::to_string(res->status) + ": " +
                  DescribeErrorBody(res->body) +
                  "): it was revoked, has expired or is unknown. Ask an administrator for a new enrolment "
                  "secret and run phaseout agent enrol again; the spooled results are kept and sent afterwards");
        }
        if (d == Disposition::kReject) {
          std::string reason = "HTTP " + std::to_string(res->status) + " to " + req.method + " " + req.target + ": " +
                               DescribeErrorBody(res->body);
          if (Status st = spool.Reject(name, reason); !st.ok()) return st.error();
          ++result.rejected;
          log("rejected " + name + ": " + reason);
          break;
        }
        why = "HTTP " + std::to_string(res->status) + ": " + DescribeErrorBody(res->body);
        retry_after = res->retry_after_s;
      }
      uint32_t delay = BackoffDelayMs(options.backoff, attempt, rng);
      if (retry_after) {
        // The server knows best when it can take more; still capped, so a bad header cannot
        // park the agent for days.
        uint64_t asked = uint64_t{*retry_after} * 1000;
        delay = static_cast<uint32_t>(std::min<uint64_t>(asked, options.backoff.max_ms));
      }
      if (give_up_ms != 0 && waited_ms + delay > give_up_ms) {
        return finish_remaining(DeliveryEnd::kGaveUp,
                                "the server did not take the results (" + why + "); " +
                                    std::to_string(names->size() - idx) + " spool entries remain in '" + spool.dir() +
                                    "' and will be sent by the next run");
      }
      log("retrying " + name + " in " + std::to_string(delay) + " ms: " + why);
      sleep(delay);
      waited_ms += delay;
      ++result.retries;
    }
  }
  result.end = DeliveryEnd::kEmpty;
  return result;
}

}  // namespace phaseout::agent
