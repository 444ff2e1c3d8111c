// Inventory report: computation (counts, deadlines, burn-down) and the Markdown, CSV and JSON
// renderers. HTML is in inventory_report_html.cc.
#include "report/inventory_report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

#include "core/json_dump.h"
#include "core/strings.h"
#include "report/inventory_report_internal.h"
#include "report/text.h"

namespace phaseout::report {

Result<InventoryReportFormat> ParseInventoryReportFormat(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n == "html") return InventoryReportFormat::kHtml;
  if (n == "md" || n == "markdown") return InventoryReportFormat::kMarkdown;
  if (n == "csv") return InventoryReportFormat::kCsv;
  if (n == "json") return InventoryReportFormat::kJson;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown report format '" + std::string(name) + "' (choose html, md, csv or json)");
}

Result<InventoryReportKind> ParseInventoryReportKind(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n == "full") return InventoryReportKind::kFull;
  if (n == "notice" || n == "far") return InventoryReportKind::kNotice;
  if (n == "status") return InventoryReportKind::kStatus;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown report kind '" + std::string(name) + "' (choose full, notice or status)");
}

bool InScope(const SnapshotDevice& d) { return d.verdict == "prohibited" || d.verdict == "review"; }

namespace internal {

bool IsClosedState(std::string_view state) {
  return state == "removed" || state == "verified-removed" || state == "waived" ||
         state == "not-restricted";
}

bool WaiverExpired(const SnapshotDevice& d, std::string_view as_of) {
  return d.state == "waived" && !d.waiver_expiry.empty() && d.waiver_expiry < as_of;
}

bool IsRemaining(const SnapshotDevice& d, std::string_view as_of) {
  return InScope(d) && (!IsClosedState(d.state) || WaiverExpired(d, as_of));
}

std::string Day(std::string_view iso) { return std::string(iso.substr(0, std::min<size_t>(10, iso.size()))); }

std::string OrUnknown(const std::string& s) { return s.empty() ? "unknown" : s; }

std::string SiteName(const InventorySnapshot& s, const std::string& site_id) {
  for (const auto& site : s.sites) {
    if (site.id == site_id) return site.name.empty() ? site.id : site.name;
  }
  return site_id.empty() ? "no site" : site_id;
}

std::string Mitigation(const SnapshotDevice& d) {
  std::string m = "state " + OrUnknown(d.state);
  if (!d.replacement_model.empty()) m += "; replacement planned: " + d.replacement_model;
  if (!d.deadline.empty()) m += "; target date " + d.deadline;
  if (!d.history.empty()) {
    const HistoryEvent& last = d.history.back();
    m += "; last change " + Day(last.at) + " by " + OrUnknown(last.actor);
    if (!last.note.empty()) m += ": " + last.note;
  }
  return m;
}

size_t CountNotices(const InventorySnapshot& s) {
  size_t n = 0;
  for (const auto& d : s.devices) n += d.verdict == "prohibited" ? 1 : 0;
  return n;
}

std::vector<NoticeRow> Notices(const InventorySnapshot& s, size_t limit) {
  std::vector<NoticeRow> out;
  for (const auto& d : s.devices) {
    if (d.verdict != "prohibited") continue;
    if (out.size() >= limit) break;
    NoticeRow n;
    n.device_id = d.id;
    n.supplier = d.supplier.empty() ? "not recorded" : d.supplier;
    n.manufacturer = OrUnknown(d.manufacturer);
    n.brand = d.brand.empty() ? OrUnknown(d.manufacturer) : d.brand;
    n.model = d.model.empty() ? "not identified" : d.model;
    n.description = !d.description.empty()
                        ? d.description
                        : OrUnknown(d.device_type) + " made by " + OrUnknown(d.manufacturer) +
                              (d.firmware.empty() ? "" : ", firmware " + d.firmware) +
                              (d.serial.empty() ? "" : ", serial " + d.serial);
    n.location = SiteName(s, d.site) + (d.department.empty() ? "" : " (" + d.department + ")") +
                 (d.location.empty() ? "" : ", " + d.location) +
                 (d.ip.empty() ? "" : ", address " + d.ip) + (d.mac.empty() ? "" : ", MAC " + d.mac);
    n.found = Day(d.first_seen);
    n.clause = d.clause;
    n.mitigation = Mitigation(d);
    out.push_back(std::move(n));
  }
  return out;
}

std::string NoticesLeftOut(size_t shown, size_t total) {
  return "This full report prints the first " + std::to_string(shown) + " of the " + std::to_string(total) +
         " covered-equipment notices (one per device with a prohibited verdict); the other " +
         std::to_string(total - shown) + " are not printed here. phaseout report --kind notice (same options, any "
         "format) prints every notice.";
}

std::string DeadlinesLeftOut(const InventorySnapshot& s, const InventoryReportData& r, size_t shown) {
  uint64_t overdue = 0;
  for (size_t k = shown; k < r.deadline_order.size(); ++k) overdue += IsOverdue(s.devices[r.deadline_order[k]], s.as_of) ? 1 : 0;
  return "The table lists the first " + std::to_string(shown) + " of the " + std::to_string(r.deadline_order.size()) +
         " open in-scope units; the other " + std::to_string(r.deadline_order.size() - shown) + " (" +
         std::to_string(overdue) + " of them overdue) come later in this order and are not listed here. " +
         kEveryDeviceIn;
}

std::string MakerUnknownLeftOut(size_t left_out) {
  return std::to_string(left_out) + " more devices with an unknown maker are not listed here. " +
         std::string(kEveryDeviceIn);
}

std::string DetailsLeftOut(const InventorySnapshot& s, const DetailSelection& sel) {
  return "This report holds " + std::to_string(s.devices.size()) + " devices; " + std::to_string(sel.attention) +
         " of them need attention (in scope and still open, overdue first and then by deadline; then missing; "
         "then of an unknown maker). The details below (identification, evidence, history) are of the first " +
         std::to_string(sel.shown.size()) + " of those in that order. Not detailed here: " +
         std::to_string(sel.attention_left_out) + " more devices needing attention, " +
         std::to_string(sel.closed_left_out) +
         " in-scope devices already closed (removed, verified removed, waived or not restricted) and " +
         std::to_string(sel.clear_left_out) + " devices that are not in scope under " + s.policy_id + ". " +
         kEveryDeviceIn;
}

DetailSelection SelectDetails(const InventorySnapshot& s, const InventoryReportData& r, size_t limit) {
  DetailSelection sel;
  sel.has_section.assign(s.devices.size(), false);
  for (size_t i : r.attention) sel.attention += s.devices[i].weight;
  sel.everything = s.devices.size() <= limit;
  if (sel.everything) {
    for (size_t i = 0; i < s.devices.size(); ++i) sel.shown.push_back(i);
  } else {
    for (size_t i : r.attention) {
      if (sel.shown.size() >= limit) break;
      sel.shown.push_back(i);
    }
  }
  for (size_t i : sel.shown) sel.has_section[i] = true;
  if (sel.everything) return sel;
  for (size_t i = 0; i < s.devices.size(); ++i) {
    if (sel.has_section[i]) continue;
    const SnapshotDevice& d = s.devices[i];
    if (NeedsAttention(d, s.as_of)) {
      sel.attention_left_out += d.weight;
    } else if (InScope(d)) {
      sel.closed_left_out += d.weight;
    } else {
      sel.clear_left_out += d.weight;
    }
  }
  return sel;
}

}  // namespace internal

bool NeedsAttention(const SnapshotDevice& d, std::string_view as_of) {
  return internal::IsRemaining(d, as_of) || d.state == "missing" || d.manufacturer.empty();
}

bool IsOverdue(const SnapshotDevice& d, std::string_view as_of) {
  if (!InScope(d)) return false;
  if (internal::WaiverExpired(d, as_of)) return true;
  return !internal::IsClosedState(d.state) && !d.deadline.empty() && d.deadline < as_of;
}

namespace {

void Count(StatusCounts* c, const SnapshotDevice& d, std::string_view as_of) {
  const uint64_t n = d.weight;
  if (d.manufacturer.empty()) c->to_check += n;
  if (d.state == "missing") c->missing += n;
  if (!InScope(d)) return;
  c->found += n;
  bool expired = internal::WaiverExpired(d, as_of);
  if (d.state == "removed") c->removed += n;
  if (d.state == "verified-removed") c->verified += n;
  if (d.state == "waived" && !expired) c->waived += n;
  if (d.state == "not-restricted") c->not_restricted += n;
  if (internal::IsRemaining(d, as_of)) c->remaining += n;
  if (IsOverdue(d, as_of)) c->overdue += n;
}

std::vector<BurnDownPoint> BurnDown(const InventorySnapshot& s) {
  // Per in-scope device, its (day, state) changes in time order; a device without recorded
  // history counts from its first_seen day in its current state.
  std::vector<std::vector<std::pair<std::string, std::string>>> changes;
  std::vector<std::string> expiry;
  std::vector<uint64_t> weight;
  std::set<std::string> days;
  for (const auto& d : s.devices) {
    if (!InScope(d)) continue;
    expiry.push_back(d.waiver_expiry);
    weight.push_back(d.weight);
    std::vector<std::pair<std::string, std::string>> c;
    for (const auto& e : d.history) c.emplace_back(internal::Day(e.at), e.to_state);
    if (c.empty() && !d.first_seen.empty()) c.emplace_back(internal::Day(d.first_seen), d.state);
    std::stable_sort(c.begin(), c.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [day, state] : c) days.insert(day);
    changes.push_back(std::move(c));
  }
  if (!s.as_of.empty() && !days.empty()) days.insert(s.as_of);
  std::vector<BurnDownPoint> out;
  std::vector<size_t> pos(changes.size(), 0);
  std::vector<std::string> state(changes.size());
  for (const auto& day : days) {
    if (!s.as_of.empty() && day > s.as_of) break;
    BurnDownPoint p;
    p.date = day;
    for (size_t i = 0; i < changes.size(); ++i) {
      while (pos[i] < changes[i].size() && changes[i][pos[i]].first <= day) state[i] = changes[i][pos[i]++].second;
      if (state[i].empty()) continue;  // not found yet on this day
      // A waiver counts as closed until its expiry (only the current waiver's is known).
      bool expired = state[i] == "waived" && !expiry[i].empty() && expiry[i] < day;
      if (internal::IsClosedState(state[i]) && !expired) {
        p.closed += weight[i];
      } else {
        p.remaining += weight[i];
      }
    }
    out.push_back(p);
  }
  return out;
}

// Overdue first, then by deadline (none last), site and id; stable.
void SortByDeadline(const InventorySnapshot& s, std::vector<size_t>* order) {
  std::vector<bool> overdue(s.devices.size(), false);
  for (size_t i : *order) overdue[i] = IsOverdue(s.devices[i], s.as_of);
  std::stable_sort(order->begin(), order->end(), [&](size_t a, size_t b) {
    const auto& x = s.devices[a];
    const auto& y = s.devices[b];
    if (overdue[a] != overdue[b]) return static_cast<bool>(overdue[a]);
    if (x.deadline.empty() != y.deadline.empty()) return y.deadline.empty();
    if (x.deadline != y.deadline) return x.deadline < y.deadline;
    if (x.site != y.site) return x.site < y.site;
    return x.id < y.id;
  });
}

// InventoryReportData::attention from the deadline order.
std::vector<size_t> AttentionOrder(const InventorySnapshot& s, const std::vector<size_t>& deadline_order) {
  std::vector<bool> listed(s.devices.size(), false);
  std::vector<size_t> out = deadline_order;
  for (size_t i : out) listed[i] = true;
  for (size_t i = 0; i < s.devices.size(); ++i) {
    if (!listed[i] && s.devices[i].state == "missing") {
      out.push_back(i);
      listed[i] = true;
    }
  }
  for (size_t i = 0; i < s.devices.size(); ++i) {
    if (!listed[i] && s.devices[i].manufacturer.empty()) out.push_back(i);
  }
  return out;
}

}  // namespace

std::vector<size_t> DevicesShownInDetail(const InventorySnapshot& s, const InventoryReportLimits& limits) {
  std::vector<size_t> out;
  if (s.devices.size() <= limits.device_details) {
    for (size_t i = 0; i < s.devices.size(); ++i) out.push_back(i);
    return out;
  }
  std::vector<size_t> order;
  for (size_t i = 0; i < s.devices.size(); ++i) {
    if (internal::IsRemaining(s.devices[i], s.as_of)) order.push_back(i);
  }
  SortByDeadline(s, &order);
  out = AttentionOrder(s, order);
  if (out.size() > limits.device_details) out.resize(limits.device_details);
  return out;
}

InventoryReportData ComputeInventoryReport(const InventorySnapshot& s) {
  InventoryReportData r;
  // The devices of a snapshot come site by site: the counters of the previous device's
  // department, site and state are looked up again only when they change.
  const std::string* last_department = nullptr;
  const std::string* last_site = nullptr;
  const std::string* last_state = nullptr;
  StatusCounts* department = nullptr;
  StatusCounts* site = nullptr;
  uint64_t* state = nullptr;
  for (size_t i = 0; i < s.devices.size(); ++i) {
    const SnapshotDevice& d = s.devices[i];
    if (last_department == nullptr || *last_department != d.department) {
      department = &r.by_department[internal::OrUnknown(d.department)];
      last_department = &d.department;
    }
    if (last_site == nullptr || *last_site != d.site) {
      site = &r.by_site[internal::SiteName(s, d.site)];
      last_site = &d.site;
    }
    if (last_state == nullptr || *last_state != d.state) {
      state = &r.by_state[internal::OrUnknown(d.state)];
      last_state = &d.state;
    }
    Count(&r.total, d, s.as_of);
    Count(department, d, s.as_of);
    Count(site, d, s.as_of);
    *state += d.weight;
    if (d.manufacturer.empty()) r.to_check.push_back(i);
    if (!InScope(d)) continue;
    r.by_manufacturer[internal::OrUnknown(d.manufacturer)] += d.weight;
    r.by_brand[d.brand.empty() ? internal::OrUnknown(d.manufacturer) : d.brand] += d.weight;
    r.by_device_type[internal::OrUnknown(d.device_type)] += d.weight;
    if (internal::IsRemaining(d, s.as_of)) r.deadline_order.push_back(i);
  }
  SortByDeadline(s, &r.deadline_order);
  r.attention = AttentionOrder(s, r.deadline_order);
  r.burn_down = BurnDown(s);
  return r;
}

namespace {

using json = nlohmann::json;

// ---- Markdown ---------------------------------------------------------------------------

std::string Md(std::string_view v) {
  std::string s = SanitizeUtf8(v), out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else if (c == '<') {
      out += "&lt;";
    } else {
      out += c;
    }
  }
  return out;
}

void MdStatusTable(std::ostream& out, const InventorySnapshot& s, const InventoryReportData& r) {
  out << "| scope | found | removed (claimed) | verified removed | waived | remaining | overdue | "
         "missing | maker unknown |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  auto row = [&](const std::string& name, const StatusCounts& c) {
    out << "| " << Md(name) << " | " << c.found << " | " << c.removed << " | " << c.verified << " | "
        << c.waived << " | " << c.remaining << " | " << c.overdue << " | " << c.missing << " | "
        << c.to_check << " |\n";
  };
  row("all", r.total);
  for (const auto& [name, c] : r.by_department) row("department " + name, c);
  for (const auto& [name, c] : r.by_site) row("site " + name, c);
  out << "\n" << internal::kCountsExplained << "\n\n";
}

void MdCounts(std::ostream& out, const char* title, const std::map<std::string, uint64_t>& m) {
  out << "| " << title << " | units |\n|---|--:|\n";
  for (const auto& [k, v] : m) out << "| " << Md(k) << " | " << v << " |\n";
  out << "\n";
}

void MdNotices(std::ostream& out, const InventorySnapshot& s, size_t limit = SIZE_MAX) {
  auto notices = internal::Notices(s, limit);
  out << "## Covered-equipment notices (FAR 52.204-25(d))\n\n" << internal::kNoticeExplained << "\n\n";
  if (size_t total = internal::CountNotices(s); total > notices.size()) {
    out << internal::NoticesLeftOut(notices.size(), total) << "\n\n";
  }
  if (notices.empty()) {
    out << "No device with a prohibited verdict under " << Md(s.policy_id) << ".\n\n";
    return;
  }
  for (const auto& n : notices) {
    out << "### Device " << Md(n.device_id) << "\n\n"
        << "- Contract and order numbers: to be filled in by the contracting office\n"
        << "- Supplier name: " << Md(n.supplier) << "\n"
        << "- Supplier unique entity identifier and CAGE code: not recorded\n"
        << "- Brand: " << Md(n.brand) << " (manufacturer " << Md(n.manufacturer) << ")\n"
        << "- Model number: " << Md(n.model) << "\n"
        << "- Item description: " << Md(n.description) << "\n"
        << "- Location: " << Md(n.location) << "\n"
        << "- Found: " << Md(n.found.empty() ? "unknown" : n.found)
        << (n.clause.empty() ? "" : "; clause " + Md(n.clause)) << "\n"
        << "- Mitigation so far: " << Md(n.mitigation) << "\n\n";
  }
}

void WriteMarkdown(std::ostream& out, const InventorySnapshot& s, InventoryReportKind kind,
                   const InventoryReportLimits& limits) {
  InventoryReportData r = ComputeInventoryReport(s);
  out << "# Phase-out report: " << Md(s.policy_title.empty() ? s.policy_id : s.policy_title) << " ("
      << Md(s.policy_id) << ")\n\n"
      << "- As of: " << Md(s.as_of) << "\n- Generated: " << Md(s.generated_at) << "\n- Data: "
      << Md(s.data_source) << "\n";
  if (!s.department_filter.empty()) out << "- Department: " << Md(s.department_filter) << "\n";
  if (!s.site_filter.empty()) out << "- Site: " << Md(s.site_filter) << "\n";
  out << "- Devices in this report: " << s.devices.size() << "; in scope (prohibited or review): "
      << r.total.found << "\n\n";
  if (kind == InventoryReportKind::kNotice) {
    MdNotices(out, s);
    return;
  }
  out << "## Status by department and site\n\n";
  MdStatusTable(out, s, r);
  if (kind == InventoryReportKind::kStatus) return;

  out << "## Counts of in-scope units\n\n";
  MdCounts(out, "manufacturer", r.by_manufacturer);
  MdCounts(out, "brand", r.by_brand);
  MdCounts(out, "device type", r.by_device_type);
  out << "All devices of the report by lifecycle state:\n\n";
  MdCounts(out, "state", r.by_state);

  out << "## Deadlines (overdue first)\n\n";
  if (r.deadline_order.empty()) out << "No open in-scope unit.\n\n";
  else {
    out << "| device | site | maker | model | state | deadline | overdue |\n|---|---|---|---|---|---|---|\n";
    for (size_t k = 0; k < r.deadline_order.size() && k < limits.deadline_rows; ++k) {
      const auto& d = s.devices[r.deadline_order[k]];
      out << "| " << Md(d.id) << " | " << Md(internal::SiteName(s, d.site)) << " | "
          << Md(internal::OrUnknown(d.manufacturer)) << " | " << Md(d.model) << " | " << Md(d.state)
          << " | " << Md(d.deadline.empty() ? "none set" : d.deadline) << " | "
          << (IsOverdue(d, s.as_of) ? "yes" : "no") << " |\n";
    }
    out << "\n";
    if (r.deadline_order.size() > limits.deadline_rows) {
      out << internal::DeadlinesLeftOut(s, r, limits.deadline_rows) << "\n\n";
    }
  }

  out << "## Progress over time\n\n" << internal::kBurnDownExplained << "\n\n";
  if (r.burn_down.empty()) out << "No recorded history.\n\n";
  else {
    out << "| date | remaining | closed |\n|---|--:|--:|\n";
    for (const auto& p : r.burn_down) out << "| " << p.date << " | " << p.remaining << " | " << p.closed << " |\n";
    out << "\n";
  }

  out << "## Devices with an unknown maker (to be checked)\n\n";
  if (r.to_check.empty()) out << "None.\n\n";
  for (size_t k = 0; k < r.to_check.size() && k < limits.maker_unknown_rows; ++k) {
    const auto& d = s.devices[r.to_check[k]];
    out << "- " << Md(d.id) << ": " << Md(internal::SiteName(s, d.site)) << ", address "
        << Md(d.ip.empty() ? "unknown" : d.ip) << ", MAC " << Md(d.mac.empty() ? "unknown" : d.mac)
        << ", state " << Md(d.state) << "\n";
  }
  if (!r.to_check.empty()) out << "\n";
  if (r.to_check.size() > limits.maker_unknown_rows) {
    out << internal::MakerUnknownLeftOut(r.to_check.size() - limits.maker_unknown_rows) << "\n\n";
  }

  internal::DetailSelection sel = internal::SelectDetails(s, r, limits.device_details);
  out << (sel.everything ? "## Devices\n\n" : "## Devices needing attention\n\n");
  if (!sel.everything) out << internal::DetailsLeftOut(s, sel) << "\n\n";
  for (size_t i : sel.shown) {
    const auto& d = s.devices[i];
    out << "### " << Md(d.id) << ": " << Md(internal::OrUnknown(d.manufacturer))
        << (d.brand.empty() || d.brand == d.manufacturer ? "" : " (brand " + Md(d.brand) + ")") << " "
        << Md(d.model) << "\n\n"
        << "- Site: " << Md(internal::SiteName(s, d.site)) << "; department: " << Md(internal::OrUnknown(d.department))
        << "\n- Address: " << Md(d.ip.empty() ? "unknown" : d.ip) << "; MAC: " << Md(d.mac.empty() ? "unknown" : d.mac)
        << "; serial: " << Md(d.serial.empty() ? "unknown" : d.serial) << "\n- Type: " << Md(internal::OrUnknown(d.device_type))
        << "; firmware: " << Md(d.firmware.empty() ? "unknown" : d.firmware) << "\n- Verdict under "
        << Md(s.policy_id) << ": " << Md(internal::OrUnknown(d.verdict))
        << (d.clause.empty() ? "" : " (" + Md(d.clause) + ")") << (d.reason.empty() ? "" : ": " + Md(d.reason))
        << "\n- State: " << Md(internal::OrUnknown(d.state)) << "; deadline: " << Md(d.deadline.empty() ? "none set" : d.deadline)
        << (IsOverdue(d, s.as_of) ? " (overdue)" : "") << "\n- Seen: first " << Md(d.first_seen) << ", last "
        << Md(d.last_seen) << "\n";
    if (!d.sources.empty()) {
      out << "- Sources:";
      for (const auto& src : d.sources) out << " " << Md(src) << ";";
      out << "\n";
    }
    if (!d.evidence.empty()) {
      out << "- Evidence:\n";
      for (const auto& e : d.evidence) {
        out << "  - " << Md(e.probe) << "/" << e.port << " " << Md(e.field) << " = `"
            << Md(e.value) << "` (rule " << Md(e.rule) << ": " << Md(e.claim) << ")\n";
      }
    }
    if (!d.history.empty()) {
      out << "- History:\n";
      for (const auto& h : d.history) {
        out << "  - " << Md(h.at) << " " << Md(h.from_state.empty() ? "(new)" : h.from_state) << " -> "
            << Md(h.to_state) << " by " << Md(internal::OrUnknown(h.actor)) << (h.note.empty() ? "" : ": " + Md(h.note)) << "\n";
      }
    }
    out << "\n";
  }
  MdNotices(out, s, limits.notices);
}

// ---- CSV --------------------------------------------------------------------------------

void WriteCsv(std::ostream& out, const InventorySnapshot& s, InventoryReportKind kind) {
  InventoryReportData r = ComputeInventoryReport(s);
  if (kind == InventoryReportKind::kStatus) {
    out << "scope_kind,scope,found,removed,verified_removed,waived,not_restricted,remaining,overdue,missing,maker_unknown\n";
    auto row = [&](const char* k, const std::string& name, const StatusCounts& c) {
      out << k << ',' << CsvField(name) << ',' << c.found << ',' << c.removed << ',' << c.verified << ','
          << c.waived << ',' << c.not_restricted << ',' << c.remaining << ',' << c.overdue << ','
          << c.missing << ',' << c.to_check << '\n';
    };
    row("all", "all", r.total);
    for (const auto& [name, c] : r.by_department) row("department", name, c);
    for (const auto& [name, c] : r.by_site) row("site", name, c);
    return;
  }
  if (kind == InventoryReportKind::kNotice) {
    out << "device_id,contract_number,supplier,supplier_uei_cage,brand,manufacturer,model,description,location,found,clause,mitigation\n";
    for (const auto& n : internal::Notices(s)) {
      out << CsvField(n.device_id) << ",," << CsvField(n.supplier) << ",," << CsvField(n.brand) << ','
          << CsvField(n.manufacturer) << ',' << CsvField(n.model) << ',' << CsvField(n.description) << ','
          << CsvField(n.location) << ',' << CsvField(n.found) << ',' << CsvField(n.clause) << ','
          << CsvField(n.mitigation) << '\n';
    }
    return;
  }
  out << "device_id,department,site,ip,mac,serial,manufacturer,brand,device_type,model,firmware,"
         "verdict,clause,state,deadline,overdue,first_seen,last_seen,replacement_model,waiver_expiry,"
         "sources,evidence,history\n";
  for (const auto& d : s.devices) {
    std::string sources, evidence, history;
    for (const auto& x : d.sources) sources += (sources.empty() ? "" : " | ") + x;
    for (const auto& e : d.evidence) {
      evidence += (evidence.empty() ? "" : " | ") + e.probe + "/" + std::to_string(e.port) + " " + e.field +
                  "=" + e.value + " [" + e.rule + "]";
    }
    for (const auto& h : d.history) {
      history += (history.empty() ? "" : " | ") + h.at + " " + (h.from_state.empty() ? "(new)" : h.from_state) +
                 "->" + h.to_state + " by " + h.actor + (h.note.empty() ? "" : ": " + h.note);
    }
    for (const std::string* f : {&d.id, &d.department}) out << CsvField(SanitizeUtf8(*f)) << ',';
    out << CsvField(internal::SiteName(s, d.site)) << ',';
    for (const std::string* f : {&d.ip, &d.mac, &d.serial, &d.manufacturer, &d.brand, &d.device_type,
                                 &d.model, &d.firmware, &d.verdict, &d.clause, &d.state, &d.deadline}) {
      out << CsvField(SanitizeUtf8(*f)) << ',';
    }
    out << (IsOverdue(d, s.as_of) ? "yes" : "no") << ',';
    for (const std::string* f : std::initializer_list<const std::string*>{
             &d.first_seen, &d.last_seen, &d.replacement_model, &d.waiver_expiry, &sources, &evidence}) {
      out << CsvField(SanitizeUtf8(*f)) << ',';
    }
    out << CsvField(SanitizeUtf8(history)) << '\n';
  }
}

// ---- JSON -------------------------------------------------------------------------------

json CountsJson(const StatusCounts& c) {
  return json{{"found", c.found},         {"removed", c.removed}, {"verified_removed", c.verified},
              {"waived", c.waived},       {"not_restricted", c.not_restricted},
              {"remaining", c.remaining}, {"overdue", c.overdue}, {"missing", c.missing},
              {"maker_unknown", c.to_check}};
}

json DeviceJson(const InventorySnapshot& s, const SnapshotDevice& d) {
  auto str = [](const std::string& v) { return SanitizeUtf8(v); };
  json ev = json::array();
  for (const auto& e : d.evidence) {
    ev.push_back({{"probe", str(e.probe)}, {"port", e.port}, {"field", str(e.field)},
                  {"value", str(e.value)}, {"rule", str(e.rule)}, {"claim", str(e.claim)}});
  }
  json hist = json::array();
  for (const auto& h : d.history) {
    hist.push_back({{"at", h.at}, {"from", h.from_state}, {"to", h.to_state}, {"actor", str(h.actor)}, {"note", str(h.note)}});
  }
  json src = json::array();
  for (const auto& x : d.sources) src.push_back(str(x));
  return {{"id", str(d.id)}, {"department", str(d.department)}, {"site", str(internal::SiteName(s, d.site))},
          {"ip", str(d.ip)}, {"mac", str(d.mac)}, {"serial", str(d.serial)},
          {"manufacturer", str(d.manufacturer)}, {"brand", str(d.brand)},
          {"device_type", str(d.device_type)}, {"model", str(d.model)}, {"firmware", str(d.firmware)},
          {"verdict", d.verdict}, {"clause", str(d.clause)}, {"reason", str(d.reason)},
          {"state", d.state}, {"deadline", d.deadline}, {"overdue", IsOverdue(d, s.as_of)},
          {"first_seen", d.first_seen}, {"last_seen", d.last_seen},
          {"replacement_model", str(d.replacement_model)}, {"waiver_expiry", d.waiver_expiry},
          {"sources", std::move(src)}, {"evidence", std::move(ev)}, {"history", std::move(hist)}};
}

// Writes `text` (a document dumped with indent 2) with its top-level "devices" placeholder
// replaced by every device of `s`, each built and written on its own (the same bytes as one
// document holding them all, without holding them all).
void WriteWithDevices(std::ostream& out, const std::string& text, const InventorySnapshot& s) {
  const std::string mark = "\n  \"devices\": []";  // a newline cannot occur inside a JSON string
  size_t at = text.find(mark);
  if (at == std::string::npos || s.devices.empty()) {
    out << text;
    return;
  }
  at += mark.size() - 2;  // at the placeholder's "[]"
  out.write(text.data(), static_cast<std::streamsize>(at));
  out << "[\n";
  std::string one, nested;
  for (size_t i = 0; i < s.devices.size(); ++i) {
    one.clear();
    AppendJson(DeviceJson(s, s.devices[i]), &one, 2);
    nested.assign("    ");
    for (char c : one) {
      nested += c;
      if (c == '\n') nested += "    ";  // two levels deeper than a document of its own
    }
    if (i + 1 < s.devices.size()) nested += ",\n";
    out << nested;
  }
  out << "\n  ]";
  out.write(text.data() + at + 2, static_cast<std::streamsize>(text.size() - at - 2));
}

void WriteJsonReport(std::ostream& out, const InventorySnapshot& s, InventoryReportKind kind) {
  InventoryReportData r = ComputeInventoryReport(s);
  auto str = [](const std::string& v) { return SanitizeUtf8(v); };
  json j;
  j["report"] = {{"policy", s.policy_id},          {"policy_title", str(s.policy_title)},
                 {"as_of", s.as_of},               {"generated_at", s.generated_at},
                 {"data_source", str(s.data_source)}, {"department", str(s.department_filter)},
                 {"site", str(s.site_filter)},     {"kind", kind == InventoryReportKind::kFull ? "full"
                                                            : kind == InventoryReportKind::kNotice ? "notice" : "status"},
                 {"definitions", internal::kCountsExplained}};
  if (kind != InventoryReportKind::kNotice) {
    json status;
    status["all"] = CountsJson(r.total);
    for (const auto& [k, c] : r.by_department) status["departments"][str(k)] = CountsJson(c);
    for (const auto& [k, c] : r.by_site) status["sites"][str(k)] = CountsJson(c);
    j["status"] = std::move(status);
  }
  if (kind == InventoryReportKind::kFull) {
    auto map_json = [&](const std::map<std::string, uint64_t>& m) {
      json o = json::object();
      for (const auto& [k, v] : m) o[str(k)] = v;
      return o;
    };
    j["counts"] = {{"by_manufacturer", map_json(r.by_manufacturer)}, {"by_brand", map_json(r.by_brand)},
                   {"by_device_type", map_json(r.by_device_type)}, {"by_state", map_json(r.by_state)}};
    json deadlines = json::array();
    for (size_t i : r.deadline_order) {
      const auto& d = s.devices[i];
      deadlines.push_back({{"device", str(d.id)}, {"deadline", d.deadline}, {"overdue", IsOverdue(d, s.as_of)}});
    }
    j["deadlines"] = std::move(deadlines);
    json burn = json::array();
    for (const auto& p : r.burn_down) burn.push_back({{"date", p.date}, {"remaining", p.remaining}, {"closed", p.closed}});
    j["burn_down"] = std::move(burn);
    json to_check = json::array();
    for (size_t i : r.to_check) to_check.push_back(str(s.devices[i].id));
    j["maker_unknown"] = std::move(to_check);
    // A placeholder: the devices are written one at a time into the document's text below.
    j["devices"] = json::array();
  }
  if (kind != InventoryReportKind::kStatus) {
    json notices = json::array();
    for (const auto& n : internal::Notices(s)) {
      notices.push_back({{"device", str(n.device_id)}, {"contract_number", nullptr}, {"supplier", str(n.supplier)},
                         {"supplier_uei_cage", nullptr}, {"brand", str(n.brand)}, {"manufacturer", str(n.manufacturer)},
                         {"model", str(n.model)}, {"description", str(n.description)}, {"location", str(n.location)},
                         {"found", n.found}, {"clause", str(n.clause)}, {"mitigation", str(n.mitigation)}});
    }
    j["notices"] = std::move(notices);
  }
  WriteWithDevices(out, DumpJson(j, 2), s);
  out << "\n";
}

}  // namespace

void WriteInventoryReport(std::ostream& out, const InventorySnapshot& snapshot,
                          InventoryReportFormat format, InventoryReportKind kind,
                          const InventoryReportLimits& limits) {
  switch (format) {
    case InventoryReportFormat::kMarkdown: WriteMarkdown(out, snapshot, kind, limits); return;
    case InventoryReportFormat::kCsv: WriteCsv(out, snapshot, kind); return;
    case InventoryReportFormat::kJson: WriteJsonReport(out, snapshot, kind); return;
    case InventoryReportFormat::kHtml: internal::WriteHtml(out, snapshot, kind, limits); return;
  }
}

}  // namespace phaseout::report
