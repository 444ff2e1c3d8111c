// Lifecycle rules: the transition table and the fields each target state needs.
#include "inventory/lifecycle.h"

#include <array>
#include <cstdio>

namespace phaseout::inventory {
namespace {

using S = DeviceState;

constexpr std::array<std::pair<S, const char*>, 8> kNames{{
    {S::kFound, "found"},
    {S::kConfirmed, "confirmed"},
    {S::kReplacementPlanned, "replacement-planned"},
    {S::kRemoved, "removed"},
    {S::kVerifiedRemoved, "verified-removed"},
    {S::kWaived, "waived"},
    {S::kNotRestricted, "not-restricted"},
    {S::kMissing, "missing"},
}};

// What a person may do from each state. verified-removed has no manual exit: only a regression
// (the device answering again) reopens it.
std::vector<S> PersonTable(S from) {
  switch (from) {
    case S::kFound: return {S::kConfirmed, S::kReplacementPlanned, S::kRemoved, S::kWaived, S::kNotRestricted};
    case S::kConfirmed: return {S::kReplacementPlanned, S::kRemoved, S::kWaived, S::kNotRestricted};
    case S::kReplacementPlanned:
      return {S::kConfirmed, S::kReplacementPlanned, S::kRemoved, S::kWaived, S::kNotRestricted};
    case S::kRemoved: return {S::kConfirmed};  // removal claim withdrawn
    case S::kVerifiedRemoved: return {};
    case S::kWaived: return {S::kConfirmed, S::kReplacementPlanned, S::kRemoved, S::kWaived, S::kNotRestricted};
    case S::kNotRestricted: return {S::kFound, S::kConfirmed};
    case S::kMissing: return {S::kConfirmed, S::kRemoved, S::kWaived, S::kNotRestricted};
  }
  return {};
}

bool Contains(const std::vector<S>& v, S s) {
  for (S x : v) {
    if (x == s) return true;
  }
  return false;
}

}  // namespace

const char* DeviceStateName(DeviceState s) {
  for (const auto& [state, name] : kNames) {
    if (state == s) return name;
  }
  return "found";
}

Result<DeviceState> ParseDeviceState(std::string_view name) {
  for (const auto& [state, n] : kNames) {
    if (name == n) return state;
  }
  std::string all;
  for (const auto& [state, n] : kNames) all += (all.empty() ? "" : ", ") + std::string(n);
  return MakeError(ErrorCode::kInvalidArgument, "unknown state '" + std::string(name) + "' (states: " + all + ")");
}

std::vector<std::string> AllDeviceStateNames() {
  std::vector<std::string> out;
  for (const auto& [state, n] : kNames) out.emplace_back(n);
  return out;
}

std::vector<DeviceState> PersonTargets(DeviceState from) { return PersonTable(from); }

bool IsTransitionAllowed(DeviceState from, DeviceState to, TransitionOrigin origin) {
  if (origin == TransitionOrigin::kPerson) return Contains(PersonTable(from), to);
  switch (to) {
    case S::kVerifiedRemoved: return from == S::kRemoved;
    case S::kMissing:
      return from == S::kFound || from == S::kConfirmed || from == S::kReplacementPlanned || from == S::kWaived;
    case S::kConfirmed:  // regression: a removed device answered again
      return from == S::kRemoved || from == S::kVerifiedRemoved || from == S::kMissing || from == S::kWaived;
    case S::kFound:
    case S::kReplacementPlanned:  // back to the state before missing, or before a waiver
      return from == S::kMissing || from == S::kWaived;
    case S::kWaived: return from == S::kMissing;  // a missing waived device answered again
    case S::kRemoved:
    case S::kNotRestricted: return false;  // only people decide these
  }
  return false;
}

bool IsIsoDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  int y = std::stoi(std::string(t.substr(0, 4)));
  int m = std::stoi(std::string(t.substr(5, 2)));
  int d = std::stoi(std::string(t.substr(8, 2)));
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[m - 1] + ((m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) ? 1 : 0);
  return d <= max;
}

bool IsOpenState(DeviceState s) {
  return s == S::kFound || s == S::kConfirmed || s == S::kReplacementPlanned || s == S::kWaived || s == S::kMissing;
}

Status ValidateTransition(DeviceState from, const TransitionRequest& r, std::string_view today) {
  auto bad = [](std::string m) -> Status { return MakeError(ErrorCode::kInvalidArgument, std::move(m)); };
  if (!IsTransitionAllowed(from, r.to, TransitionOrigin::kPerson)) {
    std::string allowed;
    for (S s : PersonTable(from)) allowed += (allowed.empty() ? "" : ", ") + std::string(DeviceStateName(s));
    return bad(std::string("cannot change a device from '") + DeviceStateName(from) + "' to '" +
               DeviceStateName(r.to) + "' (allowed from '" + DeviceStateName(from) +
               "': " + (allowed.empty() ? "none; only a scan that sees the device again reopens it" : allowed) + ")");
  }
  if (r.actor.empty()) return bad("an actor is required (--actor NAME): every change names who made it");
  if (r.note.empty()) return bad("a note is required (--note TEXT): every change says why");
  switch (r.to) {
    case S::kReplacementPlanned:
      if (r.replacement_model.empty()) return bad("replacement-planned needs --replacement MODEL");
      if (!IsIsoDate(r.target_date)) return bad("replacement-planned needs --target-date YYYY-MM-DD (a real date)");
      break;
    case S::kWaived:
      if (r.approver.empty()) return bad("a waiver needs --approver NAME");
      if (r.reason.empty()) return bad("a waiver needs --reason TEXT");
      if (!IsIsoDate(r.expiry)) return bad("a waiver needs --expires YYYY-MM-DD (a real date)");
      if (std::string_view(r.expiry) <= today) return bad("the waiver expiry " + r.expiry + " is not after today (" + std::string(today) + ")");
      break;
    case S::kNotRestricted:
      if (r.reason.empty()) return bad("not-restricted needs --reason TEXT (e.g. identification corrected)");
      break;
    default: break;
  }
  return Status::Ok();
}

}  // namespace phaseout::inventory
