// VendorRegistry: the curated vendor graph from data/vendors.yaml (makers, subsidiaries,
// brands, OEM labels) with dated ownership edges, legal names, aliases and model prefixes.
// Policies, device verdicts and procurement screening all resolve vendor ids through it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/civil_date.h"

namespace phaseout::policy {

enum class VendorKind { kManufacturer, kBrand, kSubsidiary, kOemLabel, kOther };
// "manufacturer", "brand", "subsidiary", "oem-label", "other".
const char* VendorKindName(VendorKind kind);

// How well a fact is supported (policies.md markers [H]/[M]/[L]/[UNVERIFIED]).
enum class Confidence { kHigh, kMedium, kLow, kUnverified };
// "high", "medium", "low", "unverified".
const char* ConfidenceName(Confidence c);

// Where a fact came from and whether it was checked against a public source.
struct Provenance {
  std::string source;     // URL, or "GitHub owner/repo path", or a knowledge-file section
  bool verified = false;  // false: plausible but not confirmed (kept for review, never for blocking alone)
};

// A name a vendor is known by. `kind`: "legal" (registered company name, any script),
// "statutory" (the wording a law uses), "alias" (short/trade name, transliteration),
// "former" (earlier legal or brand name).
struct VendorName {
  std::string text;
  std::string kind;  // legal | statutory | alias | former
  std::string lang;  // "en", "zh", ... ("" = Latin-script default)
  Provenance provenance;
};

// Ownership edge: `parent` owned/controlled this vendor between `from` and `to` (inclusive,
// at the precision written; a missing bound is open). Used for group membership.
struct ParentLink {
  std::string parent;  // vendor id
  std::optional<CivilDate> from;
  std::optional<CivilDate> to;
  std::string relation;  // "subsidiary", "brand", "joint-venture", "affiliate"
  Confidence confidence = Confidence::kUnverified;
  std::string note;
  Provenance provenance;
};

// OEM edge: products sold under this vendor's label are (in part) built by `maker`.
struct OemLink {
  std::string maker;  // vendor id
  std::optional<CivilDate> from;
  std::optional<CivilDate> to;
  Confidence confidence = Confidence::kUnverified;
  std::string note;
  Provenance provenance;
};

// A model-number prefix documented for a brand (e.g. "DS-" for Hikvision). Prefixes collide
// across vendors (HiLook "IPC-" vs Dahua "IPC-"): a prefix alone never decides a maker.
struct ModelPrefix {
  std::string prefix;  // literal, compared case-insensitively at the start of a model number
  std::string note;
  Provenance provenance;
};

// One vendor entry. Value type.
struct Vendor {
  std::string id;            // canonical id, e.g. "hikvision", "ezviz", "lts"
  std::string display_name;  // e.g. "Hikvision", "EZVIZ"
  VendorKind kind = VendorKind::kOther;
  // The restricted maker whose corporate group this vendor belongs or belonged to by
  // ownership (the maker's own id for the maker itself); empty if none. OEM labels are not
  // group members: see `oem_of`. Dated membership: VendorRegistry::GroupOf.
  std::string restricted_group;
  std::vector<VendorName> names;  // legal, statutory, alias and former names
  std::vector<ParentLink> parents;
  std::vector<OemLink> oem_of;
  std::vector<ModelPrefix> model_prefixes;
  std::string country;  // ISO 3166-1 alpha-2 of the head office, "" if not recorded
  std::string note;
};

// The path from a vendor to the restricted maker it belongs to, as returned by GroupOf.
struct GroupMembership {
  std::string maker;               // restricted maker id, e.g. "dahua"
  std::vector<std::string> path;   // vendor ids from the queried vendor to `maker`, both included
  std::vector<const ParentLink*> links;  // the ownership edges walked (path.size() - 1 of them)
  Confidence confidence = Confidence::kHigh;  // weakest confidence along the path
  // True iff any edge on the path has a `from` or `to` bound. When GroupOf is asked without a
  // date such a membership is still returned (see GroupOf) and callers should not treat it as
  // certain: policy evaluation turns it into `review`.
  bool time_bounded = false;
};

// Immutable after Load; thread-safe for concurrent const use. Pointers returned by lookups
// stay valid for the registry's lifetime (moving the registry keeps them valid).
class VendorRegistry {
 public:
  // Loads and validates a vendors.yaml file. Fails with kNotFound if the file cannot be read,
  // kInvalidArgument naming the file, the line and the vendor id for: YAML syntax errors,
  // missing id/display_name/kind, unknown kind or confidence, duplicate ids, ids that are not
  // lowercase [a-z0-9-], relations (parent, oem_of maker, restricted_group) naming unknown
  // ids, bad dates or `from` after `to`, ownership cycles, and a restricted_group that
  // disagrees with the parent chain.
  static Result<VendorRegistry> Load(const std::string& path);
  // Same, from YAML text; `origin` names the text in error messages.
  static Result<VendorRegistry> LoadFromString(const std::string& yaml, const std::string& origin);

  VendorRegistry(VendorRegistry&&) noexcept = default;
  VendorRegistry& operator=(VendorRegistry&&) noexcept = default;
  // Not copyable: lookups hand out pointers into the registry.
  VendorRegistry(const VendorRegistry&) = delete;
  VendorRegistry& operator=(const VendorRegistry&) = delete;

  // Returns the vendor with `id`, or nullptr.
  const Vendor* Find(std::string_view id) const;

  // All vendors in file order.
  const std::vector<Vendor>& vendors() const { return *vendors_; }

  // The restricted maker `id` belongs to by ownership, walking `parents` edges.
  // With `date`: an edge counts iff `date` lies within [from.FirstDay(), to.LastDay()]
  // (so Lorex, owned by Dahua 2018-02..2023, is in the Dahua group for 2019-06-01 and not for
  // 2024-01-01). Without a date: every edge counts, the documented conservative default, and
  // the result has time_bounded=true when any edge is dated.
  // A maker is its own group (path {maker}). Returns nullopt for unknown ids and vendors
  // outside every restricted group.
  std::optional<GroupMembership> GroupOf(std::string_view id,
                                         std::optional<CivilDate> date = std::nullopt) const;

  // OEM edges of `id` whose maker is `maker` (or any maker if empty) valid at `date`
  // (no date: all). Empty for unknown ids.
  std::vector<const OemLink*> OemLinks(std::string_view id, std::string_view maker = {},
                                       std::optional<CivilDate> date = std::nullopt) const;

  // True iff `id` is a restricted maker (kind manufacturer with restricted_group == id).
  bool IsRestrictedMaker(std::string_view id) const;

  // One searchable name for the screening engineer: every display name, legal/statutory/alias/
  // former name, with the vendor it belongs to.
  struct NameEntry {
    const Vendor* vendor;
    const std::string* text;
    std::string kind;  // "display", "legal", "statutory", "alias", "former"
    const Provenance* provenance;  // nullptr for display names
  };
  // Every name of every vendor, in file order.
  std::vector<NameEntry> AllNames() const;

  // One model prefix with its vendor.
  struct PrefixEntry {
    const Vendor* vendor;
    const ModelPrefix* prefix;
  };
  std::vector<PrefixEntry> AllModelPrefixes() const;

  // The file (or origin) the registry was loaded from.
  const std::string& origin() const { return origin_; }

 private:
  VendorRegistry() = default;
  std::string origin_;
  // Behind a unique_ptr-like stable allocation so moves keep pointers valid.
  std::unique_ptr<std::vector<Vendor>> vendors_;
  std::map<std::string, size_t, std::less<>> index_;
};

}  // namespace phaseout::policy
