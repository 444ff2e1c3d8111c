// libFuzzer target: vendors.yaml and policy-file loaders over arbitrary YAML text. Loading must
// return a value or an error, never crash or throw. The first byte picks the loader.
#include <cstddef>
#include <cstdint>
#include <string>

#include "policy/policy_set.h"
#include "policy/vendor_registry.h"

using namespace phaseout::policy;

namespace {
// A fixed registry for the policy loader, so policy files can reference real ids.
const VendorRegistry& Registry() {
  static const VendorRegistry* reg = [] {
    auto r = VendorRegistry::LoadFromString(R"(vendors:
  - {id: hikvision, display_name: Hikvision, kind: manufacturer, restricted_group: hikvision}
  - {id: ezviz, display_name: EZVIZ, kind: brand, restricted_group: hikvision,
     parents: [{parent: hikvision, from: "2015", to: "2030", confidence: high, source: s}]}
  - {id: lts, display_name: LTS, kind: oem-label, oem_of: [{maker: hikvision, confidence: high, source: s}]}
)", "fixed");
    if (!r) __builtin_trap();
    return new VendorRegistry(std::move(*r));
  }();
  return *reg;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Data files are small; big inputs only slow the YAML parser down.
  if (size == 0 || size > 16 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1) {
    auto reg = VendorRegistry::LoadFromString(text, "fuzz.yaml");
    if (reg) {
      for (const auto& v : reg->vendors()) {
        (void)reg->GroupOf(v.id);
        (void)reg->GroupOf(v.id, CivilDate{2020, 6, 1});
        (void)reg->OemLinks(v.id);
      }
      (void)reg->AllNames();
    } else if (reg.error().message.empty()) {
      __builtin_trap();  // errors must say what is wrong
    }
  } else {
    auto policy = PolicySet::LoadFromString(text, "fuzz.yaml", Registry());
    if (policy) {
      std::vector<Policy> one;
      one.push_back(std::move(*policy));
      auto set = PolicySet::FromPolicies(std::move(one), Registry());
      if (!set) __builtin_trap();
      auto all = set->Select({});
      phaseout::model::Identification id;
      for (const char* maker : {"hikvision", "ezviz", "lts", ""}) {
        id.manufacturer = maker;
        id.brand = "lts";
        id.confidence = 0.7;
        (void)set->EvaluateDevice(id, *all);
      }
    } else if (policy.error().message.empty()) {
      __builtin_trap();
    }
  }
  return 0;
}
