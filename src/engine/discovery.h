// Discovery: the UDP side of a scan. Sends every datagram probe (SADP, DHIP, ONVIF WS-Discovery,
// ...) unicast to each IPv4 target and, when interfaces are given, to each probe's multicast
// group on those interfaces; collects and parses the replies under per-host and total caps.
// Replies from addresses outside the scope are kept apart and flagged, never merged.
//
// Reused by `phaseout scan` (Scanner runs it beside the TCP pass through a DiscoveryListener,
// or before it with multicast, and merges per address) and
// meant for `phaseout check`, which injects its own interface list:
//
//   engine::DiscoveryOptions options;
//   options.unicast = false;                                 // multicast only
//   options.interfaces = *net::ChooseDiscoveryInterfaces(*net::ListInterfaces(), {"eth0"});
//   Result<engine::DiscoveryResult> found = engine::RunDiscovery(*scope, options, nullptr);
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/observation.h"
#include "net/interfaces.h"
#include "net/target_set.h"
#include "probes/datagram.h"

namespace phaseout::engine {

// Discovery settings. Plain struct; defaults are gentle.
struct DiscoveryOptions {
  // Send every datagram probe to every IPv4 target of the scope.
  bool unicast = true;
  // Interfaces to multicast on (empty: no multicast). Chosen by the caller, e.g. with
  // net::ChooseDiscoveryInterfaces; the TTL is 1, so nothing crosses a router.
  std::vector<net::Interface> interfaces;
  // Probes to run (empty: probes::AllDatagramProbes()).
  std::vector<const probes::DatagramProbe*> probes;
  probes::DatagramContext context;
  // Targets per second: each target's datagrams (one per probe, two for ONVIF, each to a
  // different UDP port) are sent together in one slot, so the pass costs about what one more
  // TCP port costs at the same rate. Multicast sends take one slot each. <= 0: unlimited.
  double rate = 300;
  // How long to keep listening after the last unicast datagram (replies are immediate on
  // real devices; 1.5 s covers slow embedded stacks).
  uint32_t wait_ms = 1500;
  // How long to listen after the multicast sends (devices delay replies up to MX / a random
  // back-off; WS-Discovery APP_MAX_DELAY is 500 ms, SSDP MX is 1 s here).
  uint32_t multicast_wait_ms = 3000;
  // Replies kept per sender address (later ones are counted and dropped): a real device sends
  // one per probe, a few at most.
  uint32_t max_replies_per_host = 16;
  // Replies kept in total (a reply flood from a segment or a hostile host stops here).
  uint32_t max_replies_total = 100000;
  // Out-of-scope senders recorded at most (each with its own per-host cap).
  uint32_t max_out_of_scope_hosts = 1024;
  // Bytes of one datagram that are parsed; longer ones are cut and noted.
  uint32_t max_datagram_bytes = 16384;
  // Fetch the UPnP device description an in-scope SSDP reply points to (LOCATION), only when
  // the URL's host is that same replying address (never a third host): one plain GET per host,
  // at most `max_description_fetches` in total, each within `fetch_timeout_ms`, 64 KiB read.
  bool fetch_upnp_description = true;
  uint32_t max_description_fetches = 4096;
  uint32_t fetch_timeout_ms = 3000;
};

// Counters of one discovery run.
struct DiscoveryStats {
  uint64_t datagrams_sent = 0;
  uint64_t send_errors = 0;
  uint64_t replies = 0;               // datagrams received (all)
  uint64_t replies_dropped = 0;       // over the per-host, total or out-of-scope-host caps
  uint64_t replies_truncated = 0;     // longer than max_datagram_bytes
  uint64_t replies_out_of_scope = 0;  // from addresses outside the scope
  uint64_t replies_late = 0;          // in scope, after the address was handed over (DiscoveryListener)
  uint64_t targets_skipped_v6 = 0;    // IPv6 targets (discovery is IPv4 only)
  uint64_t descriptions_fetched = 0;  // UPnP descriptions read (a reply arrived)
  uint64_t descriptions_refused = 0;  // LOCATION not fetched: another host, not http://<ipv4>, or over the cap
};

// Everything learnt from one sender address. Value type.
struct DiscoveredHost {
  std::string ip;
  std::string mac;  // from a discovery field (sadp.mac, dhip.mac, onvif.mac), normalised; "" if none
  std::vector<model::Observation> observations;  // deduplicated, in arrival order
  std::vector<std::string> notes;
  uint32_t replies = 0;
};

struct DiscoveryResult {
  std::map<std::string, DiscoveredHost> in_scope;      // by ip
  std::vector<DiscoveredHost> out_of_scope;            // flagged; never merged into a scan record
  DiscoveryStats stats;
  std::vector<std::string> warnings;                   // e.g. "multicast on lo: <errno>"
};

// Takes each in-scope address's discovery facts as soon as they are final, so the caller can
// run the pass beside other work (Scanner runs the unicast pass beside the TCP pass). Called
// on the discovery thread.
class DiscoveryListener {
 public:
  virtual ~DiscoveryListener() = default;
  // Every scope address up to and including `through` (in the scope's ascending order;
  // nullopt: every address) is final: its datagrams were sent at least wait_ms ago and all
  // replies queued since were read. `hosts` are the in-scope repliers among those addresses
  // (UPnP descriptions fetched). A later reply from such an address is counted in
  // replies_late and dropped.
  virtual void Final(std::optional<net::IpAddress> through, std::vector<DiscoveredHost> hosts) = 0;
};

// Runs one discovery pass. Blocks until done (about targets/rate + wait_ms, plus
// multicast_wait_ms with interfaces) or until `*stop` becomes true (may be null).
// Returns kInvalidArgument for unusable options, kIo if no socket can be opened at all.
// Per-datagram send failures are counted, not errors.
// With a `listener` (unicast only: refused with kInvalidArgument when interfaces are given,
// since multicast replies come from any address at any time), in-scope hosts go to it as
// they become final and DiscoveryResult::in_scope stays empty; the last call has
// through == nullopt.
Result<DiscoveryResult> RunDiscovery(const net::TargetSet& scope, const DiscoveryOptions& options,
                                     const std::atomic<bool>* stop, DiscoveryListener* listener = nullptr);

// Folds `host` into `scan` (same address): observations appended, notes appended, the MAC
// taken when `scan` has none. The MAC > serial > address merge key of a record is
// MergeKey(scan).
void MergeDiscovered(const DiscoveredHost& host, model::HostScan* scan);

// The identity a record merges under: "mac:<mac>" if known, else "serial:<value>" from a
// discovery serial field (sadp.serial, dhip.serial, onvif.serial), else "ip:<ip>".
std::string MergeKey(const model::HostScan& scan);

}  // namespace phaseout::engine
