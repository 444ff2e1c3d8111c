// PolicySet: the restricted-vendor policies from data/policies/*.yaml and the evaluation that
// turns "which vendor made / labelled this" into a per-policy verdict (prohibited, review,
// clear) with the clause that fired and a reason a compliance officer can read.
// The rules for deciding are described in docs/policies.md.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/identification.h"
#include "policy/civil_date.h"
#include "policy/vendor_registry.h"

namespace phaseout::policy {

// Identifications below this confidence never produce `prohibited`: the verdict is lowered to
// `review` and the reason says why (docs/policies.md, "Confidence").
inline constexpr double kMinConfidenceForProhibited = 0.5;

// One dated step of a policy ("Part A in force", "authorization ban in force").
struct EffectiveDate {
  CivilDate date;
  std::string what;
};

// A per-vendor exception inside a rule (mitigation agreement, contested interpretation):
// when the subject or any vendor on its ownership path is in `vendors`, the rule gives
// `status` with `reason` instead of its normal status.
struct RuleException {
  std::vector<std::string> vendors;
  model::VerdictStatus status = model::VerdictStatus::kReview;
  std::string reason;
  Provenance provenance;
};

// One ordered rule of a policy: which covered entities it names and how far it reaches.
// Statuses per relation of the subject to a covered entity (see docs/policies.md):
//   made_by    — made or supplied by the covered entity itself;
//   group      — made/sold by a subsidiary, affiliate or group brand of it (dated ownership);
//   oem        — made by the covered entity but sold under another company's label, or
//                supplied by a vendor whose products are documented OEM builds of it;
//   label_only — only a label ties the item to the entity; who made it was not established.
struct PolicyRule {
  std::string id;                     // unique within the policy, e.g. "huawei-zte-telecom"
  std::vector<std::string> entities;  // covered vendor ids (makers or named legal entities)
  std::string clause;                 // e.g. "889(f)(3)(A)"
  std::string summary;                // what the clause covers, one sentence, used in reasons
  std::string qualifier;              // scope limit to repeat in reasons (purpose qualifier), or ""
  std::vector<std::string> device_types;  // empty = any device type
  model::VerdictStatus made_by = model::VerdictStatus::kProhibited;
  model::VerdictStatus group = model::VerdictStatus::kProhibited;
  model::VerdictStatus oem = model::VerdictStatus::kProhibited;
  model::VerdictStatus label_only = model::VerdictStatus::kReview;
  // Optional explanation per relation ("made_by", "group", "oem", "label_only") appended to the
  // reason, e.g. why group brands are only `review` under a policy.
  std::map<std::string, std::string> status_notes;
  std::vector<RuleException> exceptions;
  std::string exceptions_text;  // statutory exceptions to quote (not evaluated)
  Provenance provenance;
};

// A policy. Value type; immutable once loaded.
struct Policy {
  std::string id;            // e.g. "us-ndaa-889"
  std::string title;
  std::string jurisdiction;  // e.g. "US", "CA"
  std::string instrument;    // e.g. "FY2019 NDAA (Pub. L. 115-232) section 889"
  std::string summary;       // clause text summary
  std::vector<std::string> prohibited_actions;  // purchase|use|contract|grant-funds|authorization|deploy|connect|remove
  // Ascending. Informational: verdicts answer "does the policy cover this item" and are not
  // gated by these dates (a use ban reaches equipment bought before it; docs/policies.md).
  std::vector<EffectiveDate> effective;
  std::vector<std::string> sources;             // URLs
  bool verified = false;
  std::string note;
  std::string file;  // the YAML file it came from
  std::vector<PolicyRule> rules;

  // Earliest effective date, if any.
  std::optional<CivilDate> InForceFrom() const;
};

// How the subject vendor relates to what is being judged.
enum class SubjectRole {
  kMaker,  // the vendor made or supplies the item (device manufacturer; a purchase line's
           // manufacturer/supplier/brand owner matched strongly)
  kLabel,  // only the vendor's name/brand is on the item; who made it is not established
};

// What a policy is asked to judge: one matched vendor plus context. Value type.
struct Subject {
  std::string vendor;        // canonical vendor id (may be unknown to the registry: clear)
  SubjectRole role = SubjectRole::kMaker;
  std::string label;         // vendor id of the label it is sold under, if different; "" if none
  std::optional<CivilDate> date;  // purchase/observation date for dated ownership; nullopt = undated
  double confidence = 1.0;   // confidence that `vendor` is right, 0..1
  std::string device_type;   // "" = unknown; only matters for rules scoped to device types
};

// A verdict with the structured explanation behind it.
struct Finding {
  model::Verdict verdict;
  std::string rule;                // rule id that decided, "" when clear
  std::string entity;              // covered entity id that fired, "" when clear
  std::string relation;            // "made_by" | "group" | "oem" | "label_only" | ""
  std::vector<std::string> path;   // vendor id path from the subject to `entity`
};

// Loaded policies plus the registry they refer to. Immutable after load; thread-safe for
// concurrent const use. REQUIRES: the VendorRegistry passed to LoadDirectory outlives the set.
class PolicySet {
 public:
  // Loads every *.yaml file in `dir` (sorted by file name), one policy per file.
  // Fails with kNotFound if `dir` cannot be read or holds no policy; kInvalidArgument naming
  // the file (and line where known) for YAML errors, missing fields, duplicate policy or rule
  // ids, unknown statuses or actions, bad dates, and vendor ids unknown to `vendors`
  // ("<file>: rule 'x': unknown vendor id 'y'").
  static Result<PolicySet> LoadDirectory(const std::string& dir, const VendorRegistry& vendors);
  // Loads one policy file (used by tests and LoadDirectory).
  static Result<Policy> LoadFile(const std::string& path, const VendorRegistry& vendors);
  static Result<Policy> LoadFromString(const std::string& yaml, const std::string& origin,
                                       const VendorRegistry& vendors);
  // Builds a set from already loaded policies; fails on duplicate ids.
  static Result<PolicySet> FromPolicies(std::vector<Policy> policies, const VendorRegistry& vendors);

  PolicySet(PolicySet&&) noexcept = default;
  PolicySet& operator=(PolicySet&&) noexcept = default;
  PolicySet(const PolicySet&) = delete;
  PolicySet& operator=(const PolicySet&) = delete;

  // Policy ids in load order (sorted by file name).
  std::vector<std::string> Ids() const;
  const std::vector<Policy>& policies() const { return *policies_; }
  // Returns the policy with `id` or nullptr.
  const Policy* Find(std::string_view id) const;
  const VendorRegistry& vendors() const { return *vendors_; }

  // Resolves policy ids. An empty list selects every policy (the default of scan and screen).
  // Duplicates are kept once. Fails with kInvalidArgument "unknown policy 'x'; known: a, b".
  Result<std::vector<const Policy*>> Select(const std::vector<std::string>& ids) const;

  // The generic building block: one policy's decision about `subject`, with explanation.
  // Never fails: unknown vendor ids and vendors outside every covered group give `clear`.
  Finding Evaluate(const Policy& policy, const Subject& subject) const;
  // Evaluate for each policy, in the order given.
  std::vector<Finding> EvaluateAll(const std::vector<const Policy*>& policies,
                                   const Subject& subject) const;

  // Device verdicts, one per policy in order: the manufacturer decides when known (brand kept
  // as the label); a brand alone gives at most `review`; identifications below
  // kMinConfidenceForProhibited give at most `review`; an identified maker that is not covered
  // gives `clear` ("no covered manufacturer identified (made by X)"); no maker and no covered
  // brand gives `unknown` ("nothing identified").
  std::vector<model::Verdict> EvaluateDevice(const model::Identification& id,
                                             const std::vector<const Policy*>& policies) const;

 private:
  PolicySet() = default;
  Finding EvaluateWithMaker(const Policy& policy, const Subject& subject, const std::string& other_maker) const;
  const VendorRegistry* vendors_ = nullptr;
  std::unique_ptr<std::vector<Policy>> policies_;  // stable addresses for Select()
};

// "prohibited" > "review" > "unknown" > "clear".
model::VerdictStatus WorseOf(model::VerdictStatus a, model::VerdictStatus b);
// Parses "prohibited" / "review" / "clear"; nullopt otherwise.
std::optional<model::VerdictStatus> ParseVerdictStatus(std::string_view text);

}  // namespace phaseout::policy
