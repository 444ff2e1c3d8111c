// State machine: allowed transitions, required fields, system-only transitions.
#include "inventory/lifecycle.h"

#include <gtest/gtest.h>

namespace phaseout::inventory {
namespace {

TransitionRequest Req(DeviceState to) {
  TransitionRequest r;
  r.to = to;
  r.actor = "alice";
  r.note = "checked on site";
  return r;
}

TEST(Lifecycle, NamesRoundTrip) {
  for (const auto& n : AllDeviceStateNames()) {
    auto s = ParseDeviceState(n);
    ASSERT_TRUE(s) << n;
    EXPECT_EQ(n, DeviceStateName(*s));
  }
  EXPECT_FALSE(ParseDeviceState("gone"));
  EXPECT_NE(ParseDeviceState("gone").error().message.find("verified-removed"), std::string::npos);
}

TEST(Lifecycle, HappyPath) {
  const char* today = "2026-12-01";
  EXPECT_TRUE(ValidateTransition(DeviceState::kFound, Req(DeviceState::kConfirmed), today).ok());
  auto plan = Req(DeviceState::kReplacementPlanned);
  plan.replacement_model = "Axis P3265";
  plan.target_date = "2027-03-31";
  EXPECT_TRUE(ValidateTransition(DeviceState::kConfirmed, plan, today).ok());
  EXPECT_TRUE(ValidateTransition(DeviceState::kReplacementPlanned, Req(DeviceState::kRemoved), today).ok());
}

TEST(Lifecycle, ActorAndNoteRequired) {
  auto r = Req(DeviceState::kConfirmed);
  r.actor.clear();
  EXPECT_FALSE(ValidateTransition(DeviceState::kFound, r, "2026-12-01").ok());
  r = Req(DeviceState::kConfirmed);
  r.note.clear();
  EXPECT_FALSE(ValidateTransition(DeviceState::kFound, r, "2026-12-01").ok());
}

TEST(Lifecycle, InvalidTransitionsNameTheAllowedOnes) {
  Status s = ValidateTransition(DeviceState::kRemoved, Req(DeviceState::kReplacementPlanned), "2026-12-01");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("allowed from 'removed': confirmed"), std::string::npos) << s.error().message;
  // Nobody can declare a removal verified: only scans can.
  EXPECT_FALSE(ValidateTransition(DeviceState::kRemoved, Req(DeviceState::kVerifiedRemoved), "2026-12-01").ok());
  EXPECT_FALSE(ValidateTransition(DeviceState::kVerifiedRemoved, Req(DeviceState::kConfirmed), "2026-12-01").ok());
  EXPECT_FALSE(ValidateTransition(DeviceState::kFound, Req(DeviceState::kMissing), "2026-12-01").ok());
}

TEST(Lifecycle, FieldsPerTarget) {
  const char* today = "2026-12-01";
  auto plan = Req(DeviceState::kReplacementPlanned);
  plan.replacement_model = "X";
  plan.target_date = "2027-02-30";  // no such day
  EXPECT_FALSE(ValidateTransition(DeviceState::kConfirmed, plan, today).ok());
  auto waive = Req(DeviceState::kWaived);
  waive.approver = "cio";
  waive.reason = "no replacement for this PTZ yet";
  waive.expiry = "2026-11-30";  // in the past
  EXPECT_FALSE(ValidateTransition(DeviceState::kConfirmed, waive, today).ok());
  waive.expiry = "2027-06-30";
  EXPECT_TRUE(ValidateTransition(DeviceState::kConfirmed, waive, today).ok());
  waive.approver.clear();
  EXPECT_FALSE(ValidateTransition(DeviceState::kConfirmed, waive, today).ok());
  auto clear = Req(DeviceState::kNotRestricted);
  EXPECT_FALSE(ValidateTransition(DeviceState::kFound, clear, today).ok());
  clear.reason = "identification corrected: Axis, not Hikvision";
  EXPECT_TRUE(ValidateTransition(DeviceState::kFound, clear, today).ok());
}

TEST(Lifecycle, SystemTransitions) {
  using S = DeviceState;
  auto sys = TransitionOrigin::kSystem;
  EXPECT_TRUE(IsTransitionAllowed(S::kRemoved, S::kVerifiedRemoved, sys));
  EXPECT_FALSE(IsTransitionAllowed(S::kConfirmed, S::kVerifiedRemoved, sys));
  EXPECT_TRUE(IsTransitionAllowed(S::kVerifiedRemoved, S::kConfirmed, sys));  // regression
  EXPECT_TRUE(IsTransitionAllowed(S::kConfirmed, S::kMissing, sys));
  EXPECT_FALSE(IsTransitionAllowed(S::kNotRestricted, S::kMissing, sys));
  EXPECT_FALSE(IsTransitionAllowed(S::kFound, S::kNotRestricted, sys));  // never silently cleared
  EXPECT_FALSE(IsTransitionAllowed(S::kFound, S::kRemoved, sys));
}

TEST(Lifecycle, IsoDates) {
  EXPECT_TRUE(IsIsoDate("2028-02-29"));
  EXPECT_FALSE(IsIsoDate("2027-02-29"));
  EXPECT_FALSE(IsIsoDate("2027-13-01"));
  EXPECT_FALSE(IsIsoDate("2027-1-01"));
  EXPECT_FALSE(IsIsoDate(""));
}

}  // namespace
}  // namespace phaseout::inventory
