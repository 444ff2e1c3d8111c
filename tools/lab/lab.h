// The device lab: an emulated estate of cameras, recorders and confusable devices, each bound
// on its own 127.x address inside a private network namespace, with its ground truth.
// Asio stays in lab.cc; this header is cheap to include.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "tools/lab/estate.h"
#include "tools/lab/profile.h"

namespace phaseout::lab {

// A running lab. Start() binds every socket before it returns, so a scan may begin as soon as
// it succeeds. Serving runs on its own threads (one event loop per thread). Truth(),
// profiles(), warnings() and Summary() are safe to call from any thread while it runs.
// Not copyable or movable: the serving threads refer to it.
class Lab {
 public:
  // Loads profiles from spec.profiles_dir (empty: <data dir>/lab/profiles) and starts.
  // Fails with kInvalidArgument when not inside a loopback-only network namespace (the message
  // says to use scripts/netns-run), on a bad spec or profile; kIo when a socket cannot be bound
  // or the file-descriptor limit is too low for the estate (the message gives both numbers).
  static Result<std::unique_ptr<Lab>> Start(const LabSpec& spec);
  // Same with profiles already loaded (tests).
  static Result<std::unique_ptr<Lab>> Start(const LabSpec& spec, std::vector<Profile> profiles);

  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  // Every listed address of the estate (devices, refuse, silent, hostile), ascending by ip.
  const std::vector<TruthEntry>& Truth() const;
  const std::vector<Profile>& profiles() const;
  const Estate& estate() const;
  // Things that work differently than asked (e.g. "nft not found: silent hosts refuse instead").
  const std::vector<std::string>& warnings() const;
  // True iff silent addresses really drop packets (nftables rules installed).
  bool silent_enabled() const;
  uint64_t connections_served() const;
  // One line: devices, profiles, refuse/silent/hostile counts, block, threads, connections.
  std::string Summary() const;

  // Stops serving, joins the threads, removes the nftables rules. Idempotent; the destructor
  // calls it.
  void Stop();

  class Impl;

 private:
  explicit Lab(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace phaseout::lab
