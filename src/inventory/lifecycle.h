// The phase-out lifecycle of one device: states, which transitions are allowed to people and
// to the system (verification scans, waiver expiry), and what each transition must carry.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace phaseout::inventory {

// found -> confirmed -> replacement-planned -> removed -> verified-removed, plus waived,
// not-restricted and missing. See docs/inventory.md for the diagram.
enum class DeviceState {
  kFound,               // seen by a scan or import; nobody has looked yet
  kConfirmed,           // a person confirmed the identification
  kReplacementPlanned,  // replacement model and target date recorded
  kRemoved,             // someone claims it is gone (by whom recorded); not yet verified
  kVerifiedRemoved,     // N later scans covering its address did not see it
  kWaived,              // exception granted (approver, reason, expiry)
  kNotRestricted,       // identification corrected or out of scope (with reason)
  kMissing,             // stopped answering without being marked removed
};

// "found", "confirmed", "replacement-planned", "removed", "verified-removed", "waived",
// "not-restricted", "missing".
const char* DeviceStateName(DeviceState s);
// Parses the names above; kInvalidArgument listing them otherwise.
Result<DeviceState> ParseDeviceState(std::string_view name);
std::vector<std::string> AllDeviceStateNames();

// Who causes a transition: a person (set-state, waive) or the system (scans, expiry).
enum class TransitionOrigin { kPerson, kSystem };

// True iff `origin` may move a device from `from` to `to`.
bool IsTransitionAllowed(DeviceState from, DeviceState to, TransitionOrigin origin);
// The states a person may move a device to from `from` (for error messages and --help).
std::vector<DeviceState> PersonTargets(DeviceState from);

// A requested change by a person, with what the target state needs.
struct TransitionRequest {
  DeviceState to = DeviceState::kConfirmed;
  std::string actor;              // who makes the change (required)
  std::string note;               // why (required)
  std::string replacement_model;  // replacement-planned: required
  std::string target_date;        // replacement-planned: required, YYYY-MM-DD
  std::string removed_by;         // removed: who removed it (defaults to actor)
  std::string approver;           // waived: required
  std::string reason;             // waived, not-restricted: required
  std::string expiry;             // waived: required, YYYY-MM-DD, after `today`
};

// Checks that a person may make `request` on a device now in `from` on day `today`
// (YYYY-MM-DD). Ok iff the transition is allowed and every field it needs is present and
// well-formed; otherwise kInvalidArgument saying what is missing or which targets are allowed.
Status ValidateTransition(DeviceState from, const TransitionRequest& request, std::string_view today);

// True iff `text` is a valid calendar date written YYYY-MM-DD.
bool IsIsoDate(std::string_view text);

// States in which a device still counts as present and unresolved (not removed, not cleared).
bool IsOpenState(DeviceState s);

}  // namespace phaseout::inventory
