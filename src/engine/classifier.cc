// Classifier: HostScan -> identification -> per-policy verdicts.
#include "engine/classifier.h"

#include <utility>

#include "fingerprint/identify.h"

namespace phaseout::engine {

Classifier::Classifier(std::shared_ptr<const fingerprint::RuleDb> rules,
                       const policy::PolicySet& policies,
                       std::vector<const policy::Policy*> selected,
                       const fingerprint::OuiRegistry* oui)
    : rules_(std::move(rules)), policies_(policies), selected_(std::move(selected)), oui_(oui) {}

model::DeviceReport Classifier::Classify(model::HostScan host) const {
  if (oui_ != nullptr && !host.mac.empty()) {
    std::string org = oui_->Lookup(host.mac);
    if (!org.empty()) {
      host.observations.push_back(model::Observation{"arp", 0, "mac.oui.org", std::move(org)});
    }
  }
  model::DeviceReport report;
  fingerprint::IdentifyOptions options;
  const policy::VendorRegistry& vendors = policies_.vendors();
  options.oem_of = [&vendors](std::string_view label, std::string_view maker) {
    return !vendors.OemLinks(label, maker).empty();
  };
  report.identification = fingerprint::Identify(*rules_, host, options);
  report.verdicts = policies_.EvaluateDevice(report.identification, selected_);
  report.host = std::move(host);
  return report;
}

}  // namespace phaseout::engine
