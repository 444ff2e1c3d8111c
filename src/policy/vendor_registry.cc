// Loading, validation and lookups of data/vendors.yaml.
#include "policy/vendor_registry.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <set>

#include "policy/yaml_fields.h"

namespace phaseout::policy {
namespace {

using internal::ErrorList;

std::optional<VendorKind> ParseKind(std::string_view s) {
  if (s == "manufacturer") return VendorKind::kManufacturer;
  if (s == "brand") return VendorKind::kBrand;
  if (s == "subsidiary") return VendorKind::kSubsidiary;
  if (s == "oem-label") return VendorKind::kOemLabel;
  if (s == "other") return VendorKind::kOther;
  return std::nullopt;
}

std::optional<Confidence> ParseConfidence(std::string_view s) {
  if (s == "high") return Confidence::kHigh;
  if (s == "medium") return Confidence::kMedium;
  if (s == "low") return Confidence::kLow;
  if (s == "unverified") return Confidence::kUnverified;
  return std::nullopt;
}

bool ValidId(std::string_view id) {
  if (id.empty() || !(id[0] >= 'a' && id[0] <= 'z')) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Provenance ReadProvenance(const YAML::Node& n, const std::string& what, ErrorList& errors) {
  Provenance p;
  p.source = internal::GetString(n, "source", what, errors, /*required=*/true);
  p.verified = internal::GetBool(n, "verified", false, what, errors);
  return p;
}

Confidence ReadConfidence(const YAML::Node& n, const std::string& what, ErrorList& errors) {
  std::string s = internal::GetString(n, "confidence", what, errors, /*required=*/true);
  if (s.empty()) return Confidence::kUnverified;
  auto c = ParseConfidence(s);
  if (!c) {
    errors.Add(n["confidence"], what + ": unknown confidence '" + s + "' (high, medium, low, unverified)");
    return Confidence::kUnverified;
  }
  return *c;
}

void CheckInterval(const YAML::Node& n, const std::optional<CivilDate>& from,
                   const std::optional<CivilDate>& to, const std::string& what, ErrorList& errors) {
  if (from && to && from->FirstDay() > to->LastDay()) {
    errors.Add(n, what + ": 'from' " + from->ToString() + " is after 'to' " + to->ToString());
  }
}

// True iff `date` lies in the inclusive interval [from.FirstDay(), to.LastDay()].
bool Within(const std::optional<CivilDate>& from, const std::optional<CivilDate>& to,
            const CivilDate& date) {
  CivilDate d = date.FirstDay();
  CivilDate last = date.LastDay();
  if (from && last < from->FirstDay()) return false;
  if (to && d > to->LastDay()) return false;
  return true;
}

int Rank(Confidence c) {
  switch (c) {
    case Confidence::kHigh: return 3;
    case Confidence::kMedium: return 2;
    case Confidence::kLow: return 1;
    case Confidence::kUnverified: return 0;
  }
  return 0;
}

struct RawVendor {
  Vendor vendor;
  YAML::Node node;
};

}  // namespace

const char* VendorKindName(VendorKind kind) {
  switch (kind) {
    case VendorKind::kManufacturer: return "manufacturer";
    case VendorKind::kBrand: return "brand";
    case VendorKind::kSubsidiary: return "subsidiary";
    case VendorKind::kOemLabel: return "oem-label";
    case VendorKind::kOther: return "other";
  }
  return "other";
}

const char* ConfidenceName(Confidence c) {
  switch (c) {
    case Confidence::kHigh: return "high";
    case Confidence::kMedium: return "medium";
    case Confidence::kLow: return "low";
    case Confidence::kUnverified: return "unverified";
  }
  return "unverified";
}

Result<VendorRegistry> VendorRegistry::Load(const std::string& path) {
  auto text = internal::ReadFile(path);
  if (!text) return text.error();
  return LoadFromString(*text, path);
}

Result<VendorRegistry> VendorRegistry::LoadFromString(const std::string& yaml, const std::string& origin) {
  auto parsed = internal::ParseYaml(yaml, origin);
  if (!parsed) return parsed.error();
  const YAML::Node& root = *parsed;
  ErrorList errors(origin);
  std::vector<RawVendor> raw;
  try {
    if (!root.IsMap() || !root["vendors"].IsSequence()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       origin + ": expected a mapping with a 'vendors' list at the top level");
    }
    internal::CheckKeys(root, {"schema", "vendors"}, "top level", errors);
    if (root["schema"].IsDefined() && !(root["schema"].IsScalar() && root["schema"].Scalar() == "1")) {
      errors.Add(root["schema"], "unsupported schema version (this build reads schema 1)");
    }
    for (const YAML::Node& n : root["vendors"]) {
      RawVendor rv;
      rv.node.reset(n);
      Vendor& v = rv.vendor;
      if (!n.IsMap()) {
        errors.Add(n, "vendor entry must be a mapping");
        continue;
      }
      v.id = internal::GetString(n, "id", "vendor", errors, true);
      std::string what = "vendor '" + v.id + "'";
      if (!v.id.empty() && !ValidId(v.id)) {
        errors.Add(n["id"], what + ": id must be lowercase letters, digits and '-', starting with a letter");
      }
      internal::CheckKeys(n, {"id", "display_name", "kind", "restricted_group", "names", "parents", "oem_of",
                              "model_prefixes", "country", "note"},
                          what, errors);
      v.display_name = internal::GetString(n, "display_name", what, errors, true);
      std::string kind = internal::GetString(n, "kind", what, errors, true);
      if (auto k = ParseKind(kind)) {
        v.kind = *k;
      } else if (!kind.empty()) {
        errors.Add(n["kind"], what + ": unknown kind '" + kind +
                                  "' (manufacturer, brand, subsidiary, oem-label, other)");
      }
      v.restricted_group = internal::GetString(n, "restricted_group", what, errors);
      v.country = internal::GetString(n, "country", what, errors);
      v.note = internal::GetString(n, "note", what, errors);
      if (n["names"].IsDefined()) {
        if (!n["names"].IsSequence()) errors.Add(n["names"], what + ": 'names' must be a list");
        else for (const auto& nn : n["names"]) {
          if (!nn.IsMap()) { errors.Add(nn, what + ": each name must be a mapping"); continue; }
          internal::CheckKeys(nn, {"text", "kind", "lang", "source", "verified", "note"}, what + " name", errors);
          VendorName name;
          name.text = internal::GetString(nn, "text", what + " name", errors, true);
          name.kind = internal::GetString(nn, "kind", what + " name", errors, true);
          if (!name.kind.empty() && name.kind != "legal" && name.kind != "statutory" && name.kind != "alias" &&
              name.kind != "former") {
            errors.Add(nn["kind"], what + ": name kind '" + name.kind + "' unknown (legal, statutory, alias, former)");
          }
          name.lang = internal::GetString(nn, "lang", what + " name", errors);
          name.provenance = ReadProvenance(nn, what + " name '" + name.text + "'", errors);
          v.names.push_back(std::move(name));
        }
      }
      if (n["parents"].IsDefined()) {
        if (!n["parents"].IsSequence()) errors.Add(n["parents"], what + ": 'parents' must be a list");
        else for (const auto& pn : n["parents"]) {
          if (!pn.IsMap()) { errors.Add(pn, what + ": each parent must be a mapping"); continue; }
          internal::CheckKeys(pn, {"parent", "relation", "from", "to", "confidence", "source", "verified", "note"},
                              what + " parent", errors);
          ParentLink link;
          link.parent = internal::GetString(pn, "parent", what + " parent", errors, true);
          link.relation = internal::GetString(pn, "relation", what + " parent", errors);
          if (link.relation.empty()) link.relation = "subsidiary";
          link.from = internal::GetDate(pn, "from", what + " parent", errors);
          link.to = internal::GetDate(pn, "to", what + " parent", errors);
          CheckInterval(pn, link.from, link.to, what + " parent '" + link.parent + "'", errors);
          link.confidence = ReadConfidence(pn, what + " parent", errors);
          link.note = internal::GetString(pn, "note", what, errors);
          link.provenance = ReadProvenance(pn, what + " parent '" + link.parent + "'", errors);
          v.parents.push_back(std::move(link));
        }
      }
      if (n["oem_of"].IsDefined()) {
        if (!n["oem_of"].IsSequence()) errors.Add(n["oem_of"], what + ": 'oem_of' must be a list");
        else for (const auto& on : n["oem_of"]) {
          if (!on.IsMap()) { errors.Add(on, what + ": each oem_of entry must be a mapping"); continue; }
          internal::CheckKeys(on, {"maker", "from", "to", "confidence", "source", "verified", "note"},
                              what + " oem_of", errors);
          OemLink link;
          link.maker = internal::GetString(on, "maker", what + " oem_of", errors, true);
          link.from = internal::GetDate(on, "from", what + " oem_of", errors);
          link.to = internal::GetDate(on, "to", what + " oem_of", errors);
          CheckInterval(on, link.from, link.to, what + " oem_of '" + link.maker + "'", errors);
          link.confidence = ReadConfidence(on, what + " oem_of", errors);
          link.note = internal::GetString(on, "note", what, errors);
          link.provenance = ReadProvenance(on, what + " oem_of '" + link.maker + "'", errors);
          v.oem_of.push_back(std::move(link));
        }
      }
      if (n["model_prefixes"].IsDefined()) {
        if (!n["model_prefixes"].IsSequence()) errors.Add(n["model_prefixes"], what + ": 'model_prefixes' must be a list");
        else for (const auto& mn : n["model_prefixes"]) {
          if (!mn.IsMap()) { errors.Add(mn, what + ": each model prefix must be a mapping"); continue; }
          internal::CheckKeys(mn, {"prefix", "note", "source", "verified"}, what + " model prefix", errors);
          ModelPrefix p;
          p.prefix = internal::GetString(mn, "prefix", what + " model prefix", errors, true);
          p.note = internal::GetString(mn, "note", what, errors);
          p.provenance = ReadProvenance(mn, what + " model prefix '" + p.prefix + "'", errors);
          v.model_prefixes.push_back(std::move(p));
        }
      }
      raw.push_back(std::move(rv));
    }
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, origin + ": YAML error: " + e.what());
  }

  // Cross-entry checks: duplicates, unknown ids in relations, group consistency, cycles.
  VendorRegistry reg;
  reg.origin_ = origin;
  reg.vendors_ = std::make_unique<std::vector<Vendor>>();
  std::map<std::string, int, std::less<>> first_line;
  for (auto& rv : raw) {
    const std::string& id = rv.vendor.id;
    if (id.empty()) continue;
    if (auto it = first_line.find(id); it != first_line.end()) {
      errors.Add(rv.node["id"], "duplicate vendor id '" + id + "' (first defined at line " +
                                    std::to_string(it->second) + ")");
      continue;
    }
    first_line[id] = internal::LineOf(rv.node);
    reg.index_[id] = reg.vendors_->size();
    reg.vendors_->push_back(rv.vendor);
  }
  auto node_of = [&](const std::string& id) -> YAML::Node {
    for (const auto& rv : raw) {
      if (rv.vendor.id == id) return rv.node;
    }
    return YAML::Node();
  };
  for (const Vendor& v : *reg.vendors_) {
    YAML::Node n = node_of(v.id);
    for (const auto& link : v.parents) {
      if (link.parent.empty()) continue;
      if (link.parent == v.id) errors.Add(n, "vendor '" + v.id + "': is its own parent");
      else if (!reg.Find(link.parent)) errors.Add(n, "vendor '" + v.id + "': unknown parent id '" + link.parent + "'");
    }
    for (const auto& link : v.oem_of) {
      if (link.maker.empty()) continue;
      const Vendor* maker = reg.Find(link.maker);
      if (!maker) errors.Add(n, "vendor '" + v.id + "': unknown oem_of maker id '" + link.maker + "'");
      else if (maker->kind != VendorKind::kManufacturer) {
        errors.Add(n, "vendor '" + v.id + "': oem_of maker '" + link.maker + "' is not of kind manufacturer");
      }
    }
    if (!v.restricted_group.empty()) {
      const Vendor* g = reg.Find(v.restricted_group);
      if (!g) {
        errors.Add(n, "vendor '" + v.id + "': unknown restricted_group id '" + v.restricted_group + "'");
      } else if (g->kind != VendorKind::kManufacturer || g->restricted_group != g->id) {
        errors.Add(n, "vendor '" + v.id + "': restricted_group '" + v.restricted_group +
                          "' is not a restricted maker (kind manufacturer with restricted_group = its own id)");
      }
    }
  }
  if (!errors.empty()) return errors.ToError();

  // Cycle check over parent edges (undated): DFS with colours.
  {
    std::map<std::string, int, std::less<>> colour;  // 0 white, 1 grey, 2 black
    std::function<bool(const std::string&)> visit = [&](const std::string& id) -> bool {
      colour[id] = 1;
      for (const auto& link : reg.Find(id)->parents) {
        int c = colour[link.parent];
        if (c == 1) {
          errors.Add(node_of(id), "ownership cycle through '" + id + "' and '" + link.parent + "'");
          return false;
        }
        if (c == 0 && !visit(link.parent)) return false;
      }
      colour[id] = 2;
      return true;
    };
    for (const Vendor& v : *reg.vendors_) {
      if (colour[v.id] == 0 && !visit(v.id)) break;
    }
    if (!errors.empty()) return errors.ToError();
  }

  // restricted_group must agree with what the (undated) parent chain reaches.
  for (const Vendor& v : *reg.vendors_) {
    auto g = reg.GroupOf(v.id);
    std::string reached = g ? g->maker : "";
    if (reached != v.restricted_group) {
      errors.Add(node_of(v.id), "vendor '" + v.id + "': restricted_group '" + v.restricted_group +
                                    "' disagrees with its parent chain, which reaches '" + reached + "'");
    }
  }
  if (!errors.empty()) return errors.ToError();
  return reg;
}

const Vendor* VendorRegistry::Find(std::string_view id) const {
  if (!vendors_) return nullptr;
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &(*vendors_)[it->second];
}

bool VendorRegistry::IsRestrictedMaker(std::string_view id) const {
  const Vendor* v = Find(id);
  return v != nullptr && v->kind == VendorKind::kManufacturer && v->restricted_group == v->id;
}

std::optional<GroupMembership> VendorRegistry::GroupOf(std::string_view id,
                                                       std::optional<CivilDate> date) const {
  const Vendor* start = Find(id);
  if (start == nullptr) return std::nullopt;
  // Breadth-first over valid parent edges: the shortest ownership path wins; among equal
  // lengths, file order of the edges.
  struct Step {
    const Vendor* vendor;
    int prev;  // index into `steps`, -1 for the start
    const ParentLink* link;
  };
  std::vector<Step> steps{{start, -1, nullptr}};
  std::set<std::string, std::less<>> seen{start->id};
  for (size_t i = 0; i < steps.size(); ++i) {
    const Vendor* v = steps[i].vendor;
    if (IsRestrictedMaker(v->id)) {
      GroupMembership m;
      m.maker = v->id;
      std::vector<size_t> chain;
      for (int k = static_cast<int>(i); k >= 0; k = steps[k].prev) chain.push_back(static_cast<size_t>(k));
      std::reverse(chain.begin(), chain.end());
      for (size_t k : chain) {
        m.path.push_back(steps[k].vendor->id);
        if (const ParentLink* l = steps[k].link) {
          m.links.push_back(l);
          if (Rank(l->confidence) < Rank(m.confidence)) m.confidence = l->confidence;
          if (l->from || l->to) m.time_bounded = true;
        }
      }
      return m;
    }
    for (const auto& link : v->parents) {
      if (date && !Within(link.from, link.to, *date)) continue;
      const Vendor* p = Find(link.parent);
      if (p == nullptr || seen.count(p->id) > 0) continue;
      seen.insert(p->id);
      steps.push_back({p, static_cast<int>(i), &link});
    }
  }
  return std::nullopt;
}

std::vector<const OemLink*> VendorRegistry::OemLinks(std::string_view id, std::string_view maker,
                                                     std::optional<CivilDate> date) const {
  std::vector<const OemLink*> out;
  const Vendor* v = Find(id);
  if (v == nullptr) return out;
  for (const auto& link : v->oem_of) {
    if (!maker.empty() && link.maker != maker) continue;
    if (date && !Within(link.from, link.to, *date)) continue;
    out.push_back(&link);
  }
  return out;
}

std::vector<VendorRegistry::NameEntry> VendorRegistry::AllNames() const {
  std::vector<NameEntry> out;
  if (!vendors_) return out;
  for (const Vendor& v : *vendors_) {
    out.push_back({&v, &v.display_name, "display", nullptr});
    for (const auto& n : v.names) out.push_back({&v, &n.text, n.kind, &n.provenance});
  }
  return out;
}

std::vector<VendorRegistry::PrefixEntry> VendorRegistry::AllModelPrefixes() const {
  std::vector<PrefixEntry> out;
  if (!vendors_) return out;
  for (const Vendor& v : *vendors_) {
    for (const auto& p : v.model_prefixes) out.push_back({&v, &p});
  }
  return out;
}

}  // namespace phaseout::policy
