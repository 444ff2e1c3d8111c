#include "inventory/device_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_dump.h"
#include "inventory/inventory.h"

namespace phaseout::inventory {
namespace {

// The shape as an nlohmann object (how the API wrote devices before AppendDeviceJson): the
// oracle of the bytes, written out here field by field on purpose.
nlohmann::json ObjectOracle(const DeviceRecord& d) {
  using nlohmann::json;
  return {{"id", d.id}, {"site", d.site}, {"department", d.department}, {"mac", d.mac}, {"serial", d.serial},
          {"ip", d.ip}, {"manufacturer", d.manufacturer}, {"brand", d.brand}, {"device_type", d.device_type},
          {"model", d.model}, {"firmware", d.firmware}, {"prohibited", d.prohibited}, {"review", d.review},
          {"state", DeviceStateName(d.state)},
          {"prior_state", d.prior_state ? json(DeviceStateName(*d.prior_state)) : json(nullptr)},
          {"state_since", d.state_since}, {"replacement_model", d.replacement_model},
          {"target_date", d.target_date}, {"removed_by", d.removed_by}, {"waiver_approver", d.waiver_approver},
          {"waiver_reason", d.waiver_reason}, {"waiver_expiry", d.waiver_expiry},
          {"waiver_expired", d.waiver_expired}, {"reason", d.reason}, {"first_seen", d.first_seen},
          {"last_seen", d.last_seen}, {"last_scan", d.last_scan}, {"missed_scans", d.missed_scans},
          {"match_rule", d.match_rule}, {"status", d.status}, {"overdue", d.overdue},
          {"overdue_reason", d.overdue_reason}};
}

DeviceRecord Sample() {
  DeviceRecord d;
  d.id = 9007199254740993;  // beyond a double's exact integers
  d.site = "hq";
  d.department = "finance";
  d.mac = "44:19:b6:00:00:01";
  d.ip = "127.60.0.1";
  d.manufacturer = "Hikvision";
  d.brand = "LTS \"Platinum\"";
  d.device_type = "ip-camera";
  d.model = "DS-2CD2042WD-I\tnew\nline";
  d.firmware = "V5.4.5 \xe2\x80\x94 build";
  d.prohibited = {"us-ndaa-889", "ca-hikvision-2025"};
  d.state = DeviceState::kWaived;
  d.prior_state = DeviceState::kConfirmed;
  d.waiver_approver = "cio";
  d.waiver_reason = "invalid \xff\xfe bytes";
  d.waiver_expiry = "2027-01-01";
  d.waiver_expired = true;
  d.missed_scans = -3;
  d.status = "covered";
  d.overdue = true;
  d.overdue_reason = "waiver expired";
  return d;
}

TEST(DeviceJson, AppendWritesTheBytesOfTheObjectForm) {
  DeviceRecord full = Sample();
  DeviceRecord empty;  // defaults: empty strings and lists, no prior state
  for (const DeviceRecord* d : {&full, &empty}) {
    std::string text;
    AppendDeviceJson(*d, &text);
    EXPECT_EQ(text, DumpJson(ObjectOracle(*d)));
    EXPECT_EQ(DumpJson(DeviceJson(*d)), text);
  }
}

TEST(DeviceJson, AppendsAfterWhatIsThere) {
  DeviceRecord d = Sample();
  std::string text = "[";
  AppendDeviceJson(d, &text);
  text += ',';
  AppendDeviceJson(d, &text);
  text += ']';
  auto parsed = nlohmann::json::parse(text);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[1]["id"].get<int64_t>(), 9007199254740993);
  EXPECT_EQ(parsed[0]["prior_state"], "confirmed");
  EXPECT_EQ(parsed[0].size(), 32u);
}

}  // namespace
}  // namespace phaseout::inventory
