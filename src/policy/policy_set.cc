// Loading of data/policies/*.yaml and the evaluation of subjects and devices against them.
// The decision rules are documented in docs/policies.md; keep the two in step.
#include "policy/policy_set.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "policy/yaml_fields.h"

namespace phaseout::policy {
namespace {

using internal::ErrorList;
using model::VerdictStatus;

constexpr const char* kActions[] = {"purchase", "use",    "contract", "grant-funds", "authorization", "import",
                                    "marketing", "deploy", "connect",  "remove",      "export",        "wind-up"};

bool KnownAction(const std::string& a) {
  return std::any_of(std::begin(kActions), std::end(kActions), [&](const char* k) { return a == k; });
}

VerdictStatus ReadStatus(const YAML::Node& map, const char* key, VerdictStatus fallback, const std::string& what,
                         ErrorList& errors) {
  std::string s = internal::GetString(map, key, what, errors);
  if (s.empty()) return fallback;
  auto st = ParseVerdictStatus(s);
  if (!st) {
    errors.Add(map[key], what + ": status '" + s + "' unknown (prohibited, review, clear)");
    return fallback;
  }
  return *st;
}

void CheckVendorIds(const std::vector<std::string>& ids, const YAML::Node& at, const std::string& what,
                    const VendorRegistry& vendors, ErrorList& errors) {
  for (const auto& id : ids) {
    if (vendors.Find(id) == nullptr) errors.Add(at, what + ": unknown vendor id '" + id + "'");
  }
}

PolicyRule ReadRule(const YAML::Node& n, const std::string& policy_id, const VendorRegistry& vendors,
                    ErrorList& errors) {
  PolicyRule r;
  r.id = internal::GetString(n, "id", "rule", errors, true);
  std::string what = "rule '" + r.id + "'";
  internal::CheckKeys(n, {"id", "entities", "clause", "summary", "qualifier", "device_types", "status", "status_notes",
                          "exceptions", "exceptions_text", "source", "verified", "note"},
                      what, errors);
  r.entities = internal::GetStringList(n, "entities", what, errors);
  if (r.entities.empty()) errors.Add(n, what + ": 'entities' must name at least one vendor id");
  CheckVendorIds(r.entities, n["entities"].IsDefined() ? n["entities"] : n, what, vendors, errors);
  r.clause = internal::GetString(n, "clause", what, errors, true);
  r.summary = internal::GetString(n, "summary", what, errors, true);
  r.qualifier = internal::GetString(n, "qualifier", what, errors);
  r.device_types = internal::GetStringList(n, "device_types", what, errors);
  r.exceptions_text = internal::GetString(n, "exceptions_text", what, errors);
  YAML::Node st = n["status"];
  if (st.IsDefined()) {
    if (!st.IsMap()) {
      errors.Add(st, what + ": 'status' must be a mapping of made_by/group/oem/label_only to a status");
    } else {
      internal::CheckKeys(st, {"made_by", "group", "oem", "label_only"}, what + " status", errors);
      r.made_by = ReadStatus(st, "made_by", r.made_by, what, errors);
      r.group = ReadStatus(st, "group", r.group, what, errors);
      r.oem = ReadStatus(st, "oem", r.oem, what, errors);
      r.label_only = ReadStatus(st, "label_only", r.label_only, what, errors);
    }
  }
  YAML::Node notes = n["status_notes"];
  if (notes.IsDefined()) {
    if (!notes.IsMap()) {
      errors.Add(notes, what + ": 'status_notes' must be a mapping of made_by/group/oem/label_only to text");
    } else {
      internal::CheckKeys(notes, {"made_by", "group", "oem", "label_only"}, what + " status_notes", errors);
      for (const char* key : {"made_by", "group", "oem", "label_only"}) {
        std::string text = internal::GetString(notes, key, what + " status_notes", errors);
        if (!text.empty()) r.status_notes[key] = text;
      }
    }
  }
  r.provenance.source = internal::GetString(n, "source", what, errors, true);
  r.provenance.verified = internal::GetBool(n, "verified", false, what, errors);
  YAML::Node ex = n["exceptions"];
  if (ex.IsDefined()) {
    if (!ex.IsSequence()) {
      errors.Add(ex, what + ": 'exceptions' must be a list");
    } else {
      for (const auto& e : ex) {
        if (!e.IsMap()) {
          errors.Add(e, what + ": each exception must be a mapping");
          continue;
        }
        internal::CheckKeys(e, {"vendors", "status", "reason", "source", "verified"}, what + " exception", errors);
        RuleException x;
        x.vendors = internal::GetStringList(e, "vendors", what + " exception", errors);
        if (x.vendors.empty()) errors.Add(e, what + " exception: 'vendors' must name at least one vendor id");
        CheckVendorIds(x.vendors, e, what + " exception", vendors, errors);
        x.status = ReadStatus(e, "status", VerdictStatus::kReview, what + " exception", errors);
        x.reason = internal::GetString(e, "reason", what + " exception", errors, true);
        x.provenance.source = internal::GetString(e, "source", what + " exception", errors, true);
        x.provenance.verified = internal::GetBool(e, "verified", false, what + " exception", errors);
        r.exceptions.push_back(std::move(x));
      }
    }
  }
  (void)policy_id;
  return r;
}

std::string DisplayName(const VendorRegistry& vendors, std::string_view id) {
  const Vendor* v = vendors.Find(id);
  return v ? v->display_name : std::string(id);
}

std::string Interval(const std::optional<CivilDate>& from, const std::optional<CivilDate>& to) {
  return (from ? from->ToString() : std::string("?")) + ".." + (to ? to->ToString() : std::string("now"));
}

// How a vendor relates to the covered entities of one rule.
struct Relation {
  enum Kind { kNone, kSelf, kGroup, kOem } kind = kNone;
  std::string entity;              // covered entity id that matched
  std::vector<std::string> path;   // subject ... entity
  Confidence confidence = Confidence::kHigh;  // weakest edge on the path
  bool verified = true;            // every edge on the path has verified: true
  std::string weak_edge;           // "hikmicro -> hikvision" for the weakest/unverified edge
  bool undated_bounded = false;    // the edge is dated but no date was given
  std::string bound_text;          // "2018-02..2023" for the dated edge
  std::string former_text;         // set when a date excluded an otherwise valid edge
};

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Relation Relate(const VendorRegistry& vendors, const std::string& vendor, const PolicyRule& rule,
                const std::optional<CivilDate>& date) {
  Relation rel;
  if (vendors.Find(vendor) == nullptr) return rel;
  if (Contains(rule.entities, vendor)) {
    rel.kind = Relation::kSelf;
    rel.entity = vendor;
    rel.path = {vendor};
    return rel;
  }
  // Ownership: the first vendor on the path (after the subject) that the rule names.
  auto group = vendors.GroupOf(vendor, date);
  if (group) {
    for (size_t i = 1; i < group->path.size(); ++i) {
      if (!Contains(rule.entities, group->path[i])) continue;
      rel.kind = Relation::kGroup;
      rel.entity = group->path[i];
      rel.path.assign(group->path.begin(), group->path.begin() + static_cast<long>(i) + 1);
      for (size_t k = 0; k < i; ++k) {
        const ParentLink* l = group->links[k];
        if (static_cast<int>(l->confidence) > static_cast<int>(rel.confidence) || !l->provenance.verified) {
          rel.weak_edge = group->path[k] + " -> " + group->path[k + 1];
        }
        if (static_cast<int>(l->confidence) > static_cast<int>(rel.confidence)) rel.confidence = l->confidence;
        if (!l->provenance.verified) rel.verified = false;
        if (!date && (l->from || l->to)) {
          rel.undated_bounded = true;
          rel.bound_text = Interval(l->from, l->to);
        }
      }
      return rel;
    }
  } else if (date) {
    // Not a member on `date`; remember whether it was one at another time, for the reason.
    auto ever = vendors.GroupOf(vendor);
    if (ever && ever->path.size() > 1) {
      for (size_t i = 1; i < ever->path.size(); ++i) {
        if (!Contains(rule.entities, ever->path[i])) continue;
        for (const ParentLink* l : ever->links) {
          if (l->from || l->to) {
            rel.former_text = DisplayName(vendors, vendor) + " belonged to the " + DisplayName(vendors, ever->maker) +
                              " group only " + Interval(l->from, l->to) + ", not on " + date->ToString();
            break;
          }
        }
        break;
      }
    }
  }
  // OEM: products sold under this vendor's label are built by a covered maker.
  for (const OemLink* link : vendors.OemLinks(vendor, {}, date)) {
    if (!Contains(rule.entities, link->maker)) continue;
    rel.kind = Relation::kOem;
    rel.entity = link->maker;
    rel.path = {vendor, link->maker};
    rel.confidence = link->confidence;
    rel.verified = link->provenance.verified;
    if (!date && (link->from || link->to)) {
      rel.undated_bounded = true;
      rel.bound_text = Interval(link->from, link->to);
    }
    rel.former_text.clear();
    return rel;
  }
  return rel;
}

std::string JoinPath(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : " -> ") + p;
  return out;
}

std::string FormatConfidence(double c) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.2f", c);
  return buf;
}

// The rule's decision about `subject`, or a Finding with kind none (status clear, empty rule).
// `other_maker`: for a label-only subject, the display name of an identified maker that is not
// covered (device evaluation), or "".
Finding EvaluateRule(const VendorRegistry& vendors, const Policy& policy, const PolicyRule& rule,
                     const Subject& subject, const std::string& other_maker, std::string* former_note) {
  Finding f;
  f.verdict.policy = policy.id;
  Relation rel = Relate(vendors, subject.vendor, rule, subject.date);
  if (rel.kind == Relation::kNone) {
    if (!rel.former_text.empty() && former_note->empty()) *former_note = rel.former_text;
    return f;
  }
  // Device-type scope.
  bool type_unknown = false;
  if (!rule.device_types.empty()) {
    if (subject.device_type.empty()) {
      type_unknown = true;
    } else if (!Contains(rule.device_types, subject.device_type)) {
      return f;
    }
  }
  const std::string vendor_name = DisplayName(vendors, subject.vendor);
  const std::string entity_name = DisplayName(vendors, rel.entity);
  std::string phrase;
  std::string weak_note;  // set when a weak relation caps the status at review
  VerdictStatus status = VerdictStatus::kClear;
  std::string relation;
  if (subject.role == SubjectRole::kLabel) {
    status = rule.label_only;
    relation = "label_only";
    switch (rel.kind) {
      case Relation::kSelf: phrase = "labelled " + vendor_name; break;
      case Relation::kGroup: phrase = "labelled " + vendor_name + " (" + entity_name + " group)"; break;
      default:
        phrase = "labelled " + vendor_name + " (documented " + entity_name + " OEM label, " +
                 ConfidenceName(rel.confidence) + " confidence)";
    }
    phrase += other_maker.empty() ? ", but the maker was not established"
                                  : ", while the identified maker, " + other_maker + ", is not covered";
  } else {
    switch (rel.kind) {
      case Relation::kSelf: {
        const std::string& label = subject.label;
        if (label.empty() || label == subject.vendor) {
          status = rule.made_by;
          relation = "made_by";
          phrase = "made by " + vendor_name;
          break;
        }
        auto label_group = vendors.GroupOf(label, subject.date);
        auto maker_group = vendors.GroupOf(subject.vendor);
        const std::string label_name = DisplayName(vendors, label);
        if (label_group && maker_group && label_group->maker == maker_group->maker) {
          status = rule.group;
          relation = "group";
          phrase = "made by " + vendor_name + ", sold under its group brand " + label_name;
          rel.path.insert(rel.path.begin(), label);
        } else {
          status = rule.oem;
          relation = "oem";
          phrase = "made by " + vendor_name + ", sold as " + label_name;
          rel.path.insert(rel.path.begin(), label);
        }
        break;
      }
      case Relation::kGroup:
        status = rule.group;
        relation = "group";
        phrase = "made by " + vendor_name + ", part of the " + entity_name + " group (" + JoinPath(rel.path) + ")";
        // A weak or unverified ownership link alone never blocks (data/vendors.yaml header).
        if (rel.confidence == Confidence::kLow || rel.confidence == Confidence::kUnverified || !rel.verified) {
          weak_note = "the ownership link " + rel.weak_edge + " is " + ConfidenceName(rel.confidence) + " confidence" +
                      (rel.verified ? "" : " and unverified");
        }
        break;
      case Relation::kOem:
        status = rule.oem;
        relation = "oem";
        phrase = vendor_name + " is a documented " + entity_name + " OEM label (" + ConfidenceName(rel.confidence) +
                 " confidence" + (rel.verified ? "" : ", unverified") + ")";
        if (rel.confidence != Confidence::kHigh || !rel.verified) {
          weak_note = "not every " + vendor_name + " product is necessarily built by " + entity_name;
        }
        break;
      case Relation::kNone: break;
    }
  }
  std::vector<std::string> caveats;
  if (!weak_note.empty() && status == VerdictStatus::kProhibited) {
    caveats.push_back(weak_note);
    status = VerdictStatus::kReview;
  }
  if (rel.undated_bounded) {
    caveats.push_back("the relationship is dated (" + rel.bound_text + ") and no date was given");
    status = std::min(status, VerdictStatus::kReview);
  }
  if (type_unknown) {
    std::string types;
    for (const auto& t : rule.device_types) types += (types.empty() ? "" : "/") + t;
    caveats.push_back("the rule covers " + types + " and the device type is unknown");
    status = std::min(status, VerdictStatus::kReview);
  }
  // Per-vendor exceptions replace the status and explain why.
  for (const auto& ex : rule.exceptions) {
    bool hit = Contains(ex.vendors, subject.vendor) || (!subject.label.empty() && Contains(ex.vendors, subject.label));
    for (const auto& p : rel.path) hit = hit || (p != rel.entity && Contains(ex.vendors, p));
    if (hit) {
      status = ex.status;
      caveats.push_back(ex.reason);
      break;
    }
  }
  if (status == VerdictStatus::kProhibited && subject.confidence < kMinConfidenceForProhibited) {
    status = VerdictStatus::kReview;
    caveats.push_back("identification confidence " + FormatConfidence(subject.confidence) + " is below " +
                      FormatConfidence(kMinConfidenceForProhibited));
  }
  if (auto it = rule.status_notes.find(relation); it != rule.status_notes.end()) caveats.push_back(it->second);
  std::string reason = phrase;
  reason[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(reason[0])));
  reason += "; " + rule.clause + ": " + rule.summary;
  if (!rule.qualifier.empty()) reason += ", " + rule.qualifier;
  for (const auto& c : caveats) reason += "; " + c;
  reason += ".";
  f.verdict.status = status;
  f.verdict.reason = std::move(reason);
  f.verdict.clause = rule.clause;
  f.rule = rule.id;
  f.entity = rel.entity;
  f.relation = relation;
  f.path = std::move(rel.path);
  return f;
}

}  // namespace

std::optional<CivilDate> Policy::InForceFrom() const {
  if (effective.empty()) return std::nullopt;
  CivilDate first = effective.front().date.FirstDay();
  for (const auto& e : effective) first = std::min(first, e.date.FirstDay());
  return first;
}

model::VerdictStatus WorseOf(model::VerdictStatus a, model::VerdictStatus b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

std::optional<model::VerdictStatus> ParseVerdictStatus(std::string_view text) {
  if (text == "prohibited") return model::VerdictStatus::kProhibited;
  if (text == "review") return model::VerdictStatus::kReview;
  if (text == "clear") return model::VerdictStatus::kClear;
  return std::nullopt;
}

Result<Policy> PolicySet::LoadFromString(const std::string& yaml, const std::string& origin,
                                         const VendorRegistry& vendors) {
  auto parsed = internal::ParseYaml(yaml, origin);
  if (!parsed) return parsed.error();
  const YAML::Node& n = *parsed;
  ErrorList errors(origin);
  Policy p;
  p.file = origin;
  try {
    if (!n.IsMap()) return MakeError(ErrorCode::kInvalidArgument, origin + ": expected a mapping (one policy per file)");
    internal::CheckKeys(n, {"schema", "id", "title", "jurisdiction", "instrument", "summary", "prohibited_actions",
                            "effective", "sources", "verified", "note", "rules"},
                        "policy", errors);
    if (n["schema"].IsDefined() && !(n["schema"].IsScalar() && n["schema"].Scalar() == "1")) {
      errors.Add(n["schema"], "unsupported schema version (this build reads schema 1)");
    }
    p.id = internal::GetString(n, "id", "policy", errors, true);
    const std::string what = "policy '" + p.id + "'";
    p.title = internal::GetString(n, "title", what, errors, true);
    p.jurisdiction = internal::GetString(n, "jurisdiction", what, errors, true);
    p.instrument = internal::GetString(n, "instrument", what, errors, true);
    p.summary = internal::GetString(n, "summary", what, errors, true);
    p.note = internal::GetString(n, "note", what, errors);
    p.verified = internal::GetBool(n, "verified", false, what, errors);
    p.prohibited_actions = internal::GetStringList(n, "prohibited_actions", what, errors);
    if (p.prohibited_actions.empty()) errors.Add(n, what + ": 'prohibited_actions' must list at least one action");
    for (const auto& a : p.prohibited_actions) {
      if (!KnownAction(a)) {
        std::string known;
        for (const char* k : kActions) known += (known.empty() ? "" : ", ") + std::string(k);
        errors.Add(n["prohibited_actions"], what + ": unknown action '" + a + "' (known: " + known + ")");
      }
    }
    p.sources = internal::GetStringList(n, "sources", what, errors);
    if (p.sources.empty()) errors.Add(n, what + ": 'sources' must list at least one source");
    YAML::Node eff = n["effective"];
    if (eff.IsDefined()) {
      if (!eff.IsSequence()) {
        errors.Add(eff, what + ": 'effective' must be a list of {date, what}");
      } else {
        for (const auto& e : eff) {
          if (!e.IsMap()) {
            errors.Add(e, what + ": each effective entry must be a mapping {date, what}");
            continue;
          }
          internal::CheckKeys(e, {"date", "what"}, what + " effective", errors);
          auto d = internal::GetDate(e, "date", what + " effective", errors);
          if (!d && !e["date"].IsDefined()) errors.Add(e, what + ": effective entry without 'date'");
          std::string w = internal::GetString(e, "what", what + " effective", errors, true);
          if (d) p.effective.push_back({*d, w});
        }
        std::stable_sort(p.effective.begin(), p.effective.end(),
                         [](const EffectiveDate& a, const EffectiveDate& b) { return a.date.FirstDay() < b.date.FirstDay(); });
      }
    }
    YAML::Node rules = n["rules"];
    if (!rules.IsDefined() || !rules.IsSequence() || rules.size() == 0) {
      errors.Add(n, what + ": 'rules' must be a non-empty list");
    } else {
      std::set<std::string> rule_ids;
      for (const auto& r : rules) {
        if (!r.IsMap()) {
          errors.Add(r, what + ": each rule must be a mapping");
          continue;
        }
        PolicyRule rule = ReadRule(r, p.id, vendors, errors);
        if (!rule.id.empty() && !rule_ids.insert(rule.id).second) {
          errors.Add(r, what + ": duplicate rule id '" + rule.id + "'");
        }
        p.rules.push_back(std::move(rule));
      }
    }
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, origin + ": YAML error: " + e.what());
  }
  if (!errors.empty()) return errors.ToError();
  return p;
}

Result<Policy> PolicySet::LoadFile(const std::string& path, const VendorRegistry& vendors) {
  auto text = internal::ReadFile(path);
  if (!text) return text.error();
  auto p = LoadFromString(*text, path, vendors);
  if (!p) return p;
  std::string stem = std::filesystem::path(path).stem().string();
  if (p->id != stem) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + ": policy id '" + p->id + "' must match the file name ('" + stem + ".yaml')");
  }
  return p;
}

Result<PolicySet> PolicySet::LoadDirectory(const std::string& dir, const VendorRegistry& vendors) {
  std::error_code ec;
  std::vector<std::string> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() == ".yaml" && it->is_regular_file(ec)) files.push_back(path.string());
  }
  if (ec) return MakeError(ErrorCode::kNotFound, "cannot read policy directory '" + dir + "': " + ec.message());
  if (files.empty()) return MakeError(ErrorCode::kNotFound, "policy directory '" + dir + "' holds no *.yaml policy");
  std::sort(files.begin(), files.end());
  std::vector<Policy> policies;
  std::string messages;
  for (const auto& f : files) {
    auto p = LoadFile(f, vendors);
    if (!p) {
      messages += (messages.empty() ? "" : "\n") + p.error().message;
      continue;
    }
    policies.push_back(std::move(*p));
  }
  if (!messages.empty()) return MakeError(ErrorCode::kInvalidArgument, messages);
  return FromPolicies(std::move(policies), vendors);
}

Result<PolicySet> PolicySet::FromPolicies(std::vector<Policy> policies, const VendorRegistry& vendors) {
  std::map<std::string, std::string> seen;
  for (const auto& p : policies) {
    auto [it, inserted] = seen.emplace(p.id, p.file);
    if (!inserted) {
      return MakeError(ErrorCode::kInvalidArgument,
                       p.file + ": duplicate policy id '" + p.id + "' (also in " + it->second + ")");
    }
  }
  PolicySet set;
  set.vendors_ = &vendors;
  set.policies_ = std::make_unique<std::vector<Policy>>(std::move(policies));
  return set;
}

std::vector<std::string> PolicySet::Ids() const {
  std::vector<std::string> out;
  for (const auto& p : *policies_) out.push_back(p.id);
  return out;
}

const Policy* PolicySet::Find(std::string_view id) const {
  for (const auto& p : *policies_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

Result<std::vector<const Policy*>> PolicySet::Select(const std::vector<std::string>& ids) const {
  std::vector<const Policy*> out;
  if (ids.empty()) {
    for (const auto& p : *policies_) out.push_back(&p);
    return out;
  }
  for (const auto& id : ids) {
    const Policy* p = Find(id);
    if (p == nullptr) {
      std::string known;
      for (const auto& k : Ids()) known += (known.empty() ? "" : ", ") + k;
      return MakeError(ErrorCode::kInvalidArgument, "unknown policy '" + id + "'; known: " + known);
    }
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

Finding PolicySet::Evaluate(const Policy& policy, const Subject& subject) const {
  return EvaluateWithMaker(policy, subject, "");
}

Finding PolicySet::EvaluateWithMaker(const Policy& policy, const Subject& subject,
                                     const std::string& other_maker) const {
  Finding best;
  best.verdict.policy = policy.id;
  std::string former_note;
  for (const auto& rule : policy.rules) {
    Finding f = EvaluateRule(*vendors_, policy, rule, subject, other_maker, &former_note);
    if (f.rule.empty()) continue;
    if (best.rule.empty() || static_cast<int>(f.verdict.status) > static_cast<int>(best.verdict.status)) {
      best = std::move(f);
    }
  }
  if (best.rule.empty()) {
    std::string who = subject.vendor.empty() ? std::string("no vendor") : DisplayName(*vendors_, subject.vendor);
    best.verdict.reason = who + " is not covered by " + policy.id;
    if (!former_note.empty()) best.verdict.reason += " (" + former_note + ")";
    best.verdict.reason += ".";
  }
  return best;
}

std::vector<Finding> PolicySet::EvaluateAll(const std::vector<const Policy*>& policies,
                                            const Subject& subject) const {
  std::vector<Finding> out;
  out.reserve(policies.size());
  for (const Policy* p : policies) out.push_back(Evaluate(*p, subject));
  return out;
}

std::vector<model::Verdict> PolicySet::EvaluateDevice(const model::Identification& id,
                                                      const std::vector<const Policy*>& policies) const {
  std::vector<model::Verdict> out;
  out.reserve(policies.size());
  const bool has_maker = !id.manufacturer.empty();
  const bool has_label = !id.brand.empty() && id.brand != id.manufacturer;
  for (const Policy* p : policies) {
    Finding f;
    if (has_maker) {
      Subject s;
      s.vendor = id.manufacturer;
      s.role = SubjectRole::kMaker;
      s.label = has_label ? id.brand : std::string();
      s.confidence = id.confidence;
      s.device_type = id.device_type;
      f = Evaluate(*p, s);
    }
    // A brand is consulted on its own when no maker was identified, or when the identified
    // maker is not covered (a covered label on an uncovered maker's device is worth a look).
    if (!id.brand.empty() && (!has_maker || (f.rule.empty() && has_label))) {
      Subject s;
      s.vendor = id.brand;
      s.role = SubjectRole::kLabel;
      s.confidence = id.confidence;
      s.device_type = id.device_type;
      Finding g = EvaluateWithMaker(*p, s, has_maker ? DisplayName(*vendors_, id.manufacturer) : std::string());
      if (!g.rule.empty()) f = std::move(g);
    }
    if (f.rule.empty()) {
      f.verdict.policy = p->id;
      f.verdict.clause.clear();
      if (has_maker) {
        f.verdict.status = VerdictStatus::kClear;
        f.verdict.reason = "no covered manufacturer identified (made by " +
                           DisplayName(*vendors_, id.manufacturer) + ")";
      } else {
        // "clear" must mean "identified as something not covered", never "we don't know".
        f.verdict.status = VerdictStatus::kUnknown;
        f.verdict.reason = "nothing identified: no manufacturer could be determined, so nothing can be said";
      }
    }
    out.push_back(std::move(f.verdict));
  }
  return out;
}

}  // namespace phaseout::policy
