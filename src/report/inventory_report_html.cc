// The inventory report as one self-contained HTML file: inline CSS (screen and print), inline
// SVG charts, no scripts, fonts, images or style sheets from elsewhere. Every table has a
// caption saying what its numbers count and where they come from.
#include <algorithm>
#include <ostream>
#include <sstream>

#include "report/inventory_report.h"
#include "report/inventory_report_internal.h"
#include "report/text.h"

namespace phaseout::report::internal {
namespace {

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2em auto;max-width:70em;color:#111;line-height:1.4;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #333;margin-top:1.6em}h3{font-size:1.05em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%}th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}caption{caption-side:bottom;text-align:left;font-size:.85em;color:#444;padding-top:.3em}
thead th{background:#eee}.overdue{color:#a00;font-weight:bold}.meta{color:#333}.note{font-size:.85em;color:#444}
.device{border:1px solid #bbb;padding:.5em 1em;margin:.8em 0;break-inside:avoid}code{font-size:.9em;word-break:break-all}
.left-out{border-left:4px solid #f9a825;padding-left:.6em}.notice{border:2px solid #333;padding:.5em 1em;margin:1em 0;break-inside:avoid}dl{display:grid;grid-template-columns:16em 1fr;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
svg text{font-size:11px;font-family:inherit}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}table,figure{break-inside:avoid}a{color:inherit;text-decoration:none}}
)";

void StatusTable(std::ostream& out, const InventorySnapshot& s, const InventoryReportData& r) {
  out << "<table><thead><tr><th>scope</th><th class=\"n\">found</th><th class=\"n\">removed (claimed)</th>"
         "<th class=\"n\">verified removed</th><th class=\"n\">waived</th><th class=\"n\">remaining</th>"
         "<th class=\"n\">overdue</th><th class=\"n\">missing</th><th class=\"n\">maker unknown</th></tr></thead><tbody>\n";
  auto row = [&](const std::string& name, const StatusCounts& c) {
    out << "<tr><td>" << HtmlText(name) << "</td><td class=\"n\">" << c.found << "</td><td class=\"n\">" << c.removed
        << "</td><td class=\"n\">" << c.verified << "</td><td class=\"n\">" << c.waived << "</td><td class=\"n\">"
        << c.remaining << "</td><td class=\"n\"" << (c.overdue ? " style=\"color:#a00;font-weight:bold\"" : "")
        << ">" << c.overdue << "</td><td class=\"n\">" << c.missing << "</td><td class=\"n\">" << c.to_check
        << "</td></tr>\n";
  };
  row("all", r.total);
  for (const auto& [name, c] : r.by_department) row("department " + name, c);
  for (const auto& [name, c] : r.by_site) row("site " + name, c);
  out << "</tbody><caption>Units per scope under policy " << HtmlText(s.policy_id) << " as of " << HtmlText(s.as_of)
      << ", counted from " << HtmlText(s.data_source) << ". " << HtmlText(kCountsExplained) << "</caption></table>\n";
}

// Horizontal stacked bars per site: verified, removed, waived, remaining (not overdue), overdue.
void StatusChart(std::ostream& out, const InventoryReportData& r) {
  if (r.by_site.empty()) return;
  struct Part { const char* label; const char* color; };
  const Part parts[] = {{"verified removed", "#2e7d32"}, {"removed (claimed)", "#81c784"},
                        {"waived", "#9e9e9e"}, {"remaining", "#f9a825"}, {"overdue", "#c62828"}};
  uint64_t max_found = 1;
  for (const auto& [name, c] : r.by_site) max_found = std::max<uint64_t>(max_found, c.found);
  const int left = 170, width = 460, bar = 18, gap = 8;
  int height = 30 + static_cast<int>(r.by_site.size()) * (bar + gap) + 30;
  out << "<figure><svg role=\"img\" aria-label=\"Status per site\" width=\"" << left + width + 60
      << "\" height=\"" << height << "\" viewBox=\"0 0 " << left + width + 60 << " " << height << "\">\n";
  int y = 20;
  for (const auto& [name, c] : r.by_site) {
    uint64_t values[] = {c.verified, c.removed, c.waived, c.remaining - std::min(c.remaining, c.overdue), c.overdue};
    out << "<text x=\"" << left - 6 << "\" y=\"" << y + 13 << "\" text-anchor=\"end\">" << HtmlText(name) << "</text>\n";
    double x = left;
    for (int k = 0; k < 5; ++k) {
      double w = static_cast<double>(values[k]) * width / static_cast<double>(max_found);
      if (values[k] > 0) {
        out << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << bar
            << "\" fill=\"" << parts[k].color << "\"><title>" << parts[k].label << ": " << values[k]
            << "</title></rect>\n";
      }
      x += w;
    }
    out << "<text x=\"" << x + 4 << "\" y=\"" << y + 13 << "\">" << c.found << " found</text>\n";
    y += bar + gap;
  }
  int lx = left;
  for (const auto& p : parts) {
    out << "<rect x=\"" << lx << "\" y=\"" << y + 6 << "\" width=\"10\" height=\"10\" fill=\"" << p.color
        << "\"/><text x=\"" << lx + 14 << "\" y=\"" << y + 15 << "\">" << p.label << "</text>\n";
    lx += 96;
  }
  out << "</svg><figcaption class=\"note\">In-scope units per site, by state (bar length = units "
         "found at the site; the number is the same count as the \"found\" column above).</figcaption></figure>\n";
}

void BurnDownChart(std::ostream& out, const std::vector<BurnDownPoint>& points) {
  if (points.empty()) {
    out << "<p>No recorded history.</p>\n";
    return;
  }
  uint64_t max_v = 1;
  for (const auto& p : points) max_v = std::max<uint64_t>(max_v, p.remaining + p.closed);
  const int left = 50, top = 15, w = 560, h = 200;
  auto px = [&](size_t i) {
    return points.size() == 1 ? left + w / 2.0 : left + static_cast<double>(i) * w / (points.size() - 1);
  };
  auto py = [&](uint64_t v) { return top + h - static_cast<double>(v) * h / static_cast<double>(max_v); };
  out << "<figure><svg role=\"img\" aria-label=\"Burn-down of remaining units\" width=\"" << left + w + 30
      << "\" height=\"" << top + h + 50 << "\" viewBox=\"0 0 " << left + w + 30 << " " << top + h + 50 << "\">\n"
      << "<line x1=\"" << left << "\" y1=\"" << top + h << "\" x2=\"" << left + w << "\" y2=\"" << top + h
      << "\" stroke=\"#333\"/><line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\""
      << top + h << "\" stroke=\"#333\"/>\n"
      << "<text x=\"" << left - 6 << "\" y=\"" << top + 4 << "\" text-anchor=\"end\">" << max_v << "</text>"
      << "<text x=\"" << left - 6 << "\" y=\"" << top + h + 4 << "\" text-anchor=\"end\">0</text>\n";
  for (int series = 0; series < 2; ++series) {
    out << "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" << (series == 0 ? "#c62828" : "#2e7d32")
        << "\" points=\"";
    for (size_t i = 0; i < points.size(); ++i) {
      out << px(i) << "," << py(series == 0 ? points[i].remaining : points[i].closed) << " ";
    }
    out << "\"/>\n";
  }
  for (size_t i = 0; i < points.size(); ++i) {
    out << "<circle cx=\"" << px(i) << "\" cy=\"" << py(points[i].remaining) << "\" r=\"3\" fill=\"#c62828\"><title>"
        << points[i].date << ": " << points[i].remaining << " remaining</title></circle>"
        << "<text x=\"" << px(i) << "\" y=\"" << py(points[i].remaining) - 6 << "\" text-anchor=\"middle\">"
        << points[i].remaining << "</text>\n";
  }
  out << "<text x=\"" << left << "\" y=\"" << top + h + 16 << "\">" << points.front().date << "</text>"
      << "<text x=\"" << left + w << "\" y=\"" << top + h + 16 << "\" text-anchor=\"end\">" << points.back().date
      << "</text>\n<rect x=\"" << left << "\" y=\"" << top + h + 28 << "\" width=\"10\" height=\"10\" fill=\"#c62828\"/>"
      << "<text x=\"" << left + 14 << "\" y=\"" << top + h + 37 << "\">remaining</text>"
      << "<rect x=\"" << left + 100 << "\" y=\"" << top + h + 28 << "\" width=\"10\" height=\"10\" fill=\"#2e7d32\"/>"
      << "<text x=\"" << left + 114 << "\" y=\"" << top + h + 37 << "\">closed</text>\n</svg>"
      << "<figcaption class=\"note\">" << HtmlText(kBurnDownExplained) << "</figcaption></figure>\n";
  out << "<table><thead><tr><th>date</th><th class=\"n\">remaining</th><th class=\"n\">closed</th></tr></thead><tbody>\n";
  for (const auto& p : points) {
    out << "<tr><td>" << p.date << "</td><td class=\"n\">" << p.remaining << "</td><td class=\"n\">" << p.closed << "</td></tr>\n";
  }
  out << "</tbody><caption>The numbers of the chart above.</caption></table>\n";
}

void CountTable(std::ostream& out, const char* what, const std::map<std::string, uint64_t>& m,
                const std::string& caption) {
  out << "<table><thead><tr><th>" << what << "</th><th class=\"n\">units</th></tr></thead><tbody>\n";
  for (const auto& [k, v] : m) out << "<tr><td>" << HtmlText(k) << "</td><td class=\"n\">" << v << "</td></tr>\n";
  out << "</tbody><caption>" << HtmlText(caption) << "</caption></table>\n";
}

void Notices(std::ostream& out, const InventorySnapshot& s, size_t limit = SIZE_MAX) {
  out << "<h2 id=\"notices\">Covered-equipment notices (FAR 52.204-25(d))</h2>\n<p class=\"note\">" << HtmlText(kNoticeExplained) << "</p>\n";
  auto notices = internal::Notices(s, limit);
  if (size_t total = CountNotices(s); total > notices.size()) {
    out << "<p class=\"left-out\">" << HtmlText(NoticesLeftOut(notices.size(), total)) << "</p>\n";
  }
  if (notices.empty()) out << "<p>No device with a prohibited verdict under " << HtmlText(s.policy_id) << ".</p>\n";
  for (const auto& n : notices) {
    out << "<section class=\"notice\"><h3>Device " << HtmlText(n.device_id) << "</h3><dl>"
        << "<dt>Contract and order numbers</dt><dd>to be filled in by the contracting office</dd>"
        << "<dt>Supplier name</dt><dd>" << HtmlText(n.supplier) << "</dd>"
        << "<dt>Supplier UEI and CAGE code</dt><dd>not recorded</dd>"
        << "<dt>Brand</dt><dd>" << HtmlText(n.brand) << " (manufacturer " << HtmlText(n.manufacturer) << ")</dd>"
        << "<dt>Model number</dt><dd>" << HtmlText(n.model) << "</dd>"
        << "<dt>Item description</dt><dd>" << HtmlText(n.description) << "</dd>"
        << "<dt>Location</dt><dd>" << HtmlText(n.location) << "</dd>"
        << "<dt>Found</dt><dd>" << HtmlText(n.found.empty() ? "unknown" : n.found) << (n.clause.empty() ? "" : "; clause " + HtmlText(n.clause)) << "</dd>"
        << "<dt>Mitigation so far</dt><dd>" << HtmlText(n.mitigation) << "</dd></dl></section>\n";
  }
}

// The device's id, linked to its section when the report has one.
void DeviceLink(std::ostream& out, const SnapshotDevice& d, bool has_section) {
  if (has_section) {
    out << "<a href=\"#dev-" << HtmlText(d.id) << "\">" << HtmlText(d.id) << "</a>";
  } else {
    out << HtmlText(d.id);
  }
}

}  // namespace

void WriteHtml(std::ostream& out, const InventorySnapshot& s, InventoryReportKind kind,
               const InventoryReportLimits& limits) {
  InventoryReportData r = ComputeInventoryReport(s);
  std::string title = "Phase-out report: " + (s.policy_title.empty() ? s.policy_id : s.policy_title);
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>" << HtmlText(title)
      << "</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><style>" << kStyle
      << "</style></head><body>\n<h1>" << HtmlText(title) << "</h1>\n<p class=\"meta\">Policy <b>" << HtmlText(s.policy_id)
      << "</b>; as of <b>" << HtmlText(s.as_of) << "</b>; generated " << HtmlText(s.generated_at) << " by phaseout "
      << PHASEOUT_VERSION << ".<br/>Data: " << HtmlText(s.data_source) << ".";
  if (!s.department_filter.empty()) out << "<br/>Department: " << HtmlText(s.department_filter) << ".";
  if (!s.site_filter.empty()) out << "<br/>Site: " << HtmlText(s.site_filter) << ".";
  out << "<br/>" << s.devices.size() << " devices in this report, of which " << r.total.found
      << " are in scope (verdict prohibited or review under " << HtmlText(s.policy_id) << ").</p>\n";
  if (kind == InventoryReportKind::kNotice) {
    Notices(out, s);
    out << "</body></html>\n";
    return;
  }
  out << "<h2>Status by department and site</h2>\n";
  StatusTable(out, s, r);
  StatusChart(out, r);
  if (kind == InventoryReportKind::kStatus) {
    out << "</body></html>\n";
    return;
  }
  const DetailSelection sel = SelectDetails(s, r, limits.device_details);
  out << "<h2>Deadlines (overdue first)</h2>\n";
  if (r.deadline_order.empty()) {
    out << "<p>No open in-scope unit.</p>\n";
  } else {
    out << "<table><thead><tr><th>device</th><th>site</th><th>maker</th><th>model</th><th>state</th>"
           "<th>deadline</th><th>overdue</th></tr></thead><tbody>\n";
    for (size_t k = 0; k < r.deadline_order.size() && k < limits.deadline_rows; ++k) {
      const size_t i = r.deadline_order[k];
      const auto& d = s.devices[i];
      bool overdue = IsOverdue(d, s.as_of);
      out << "<tr" << (overdue ? " class=\"overdue\"" : "") << "><td>";
      DeviceLink(out, d, sel.has_section[i]);
      out << "</td><td>" << HtmlText(SiteName(s, d.site)) << "</td><td>" << HtmlText(OrUnknown(d.manufacturer)) << "</td><td>"
          << HtmlText(d.model) << "</td><td>" << HtmlText(d.state) << "</td><td>" << HtmlText(d.deadline.empty() ? "none set" : d.deadline)
          << "</td><td>" << (overdue ? "yes" : "no") << "</td></tr>\n";
    }
    out << "</tbody><caption>Open in-scope units (remaining), overdue first, then by deadline. A "
           "deadline is the replacement target date if one was planned, else the site's policy "
           "deadline from the sites file.</caption></table>\n";
    if (r.deadline_order.size() > limits.deadline_rows) {
      out << "<p class=\"left-out\">" << HtmlText(DeadlinesLeftOut(s, r, limits.deadline_rows)) << "</p>\n";
    }
  }
  out << "<h2>Progress over time</h2>\n";
  BurnDownChart(out, r.burn_down);
  out << "<h2>Counts</h2>\n";
  std::string scope = "In-scope units under " + s.policy_id + ", from the inventory's identification of each device.";
  CountTable(out, "manufacturer", r.by_manufacturer, scope);
  CountTable(out, "brand", r.by_brand, scope + " Brand is the label on the unit; the manufacturer where no other label was identified.");
  CountTable(out, "device type", r.by_device_type, scope);
  CountTable(out, "lifecycle state", r.by_state, "All devices of this report (in scope or not) by their lifecycle state in the inventory.");

  out << "<h2>Devices with an unknown maker (to be checked)</h2>\n";
  if (r.to_check.empty()) out << "<p>None.</p>\n";
  else {
    out << "<ul>\n";
    for (size_t k = 0; k < r.to_check.size() && k < limits.maker_unknown_rows; ++k) {
      const size_t i = r.to_check[k];
      const auto& d = s.devices[i];
      out << "<li>";
      DeviceLink(out, d, sel.has_section[i]);
      out << ": " << HtmlText(SiteName(s, d.site)) << ", address "
          << HtmlText(d.ip.empty() ? "unknown" : d.ip) << ", MAC " << HtmlText(d.mac.empty() ? "unknown" : d.mac) << "</li>\n";
    }
    out << "</ul>\n";
    if (r.to_check.size() > limits.maker_unknown_rows) {
      out << "<p class=\"left-out\">" << HtmlText(MakerUnknownLeftOut(r.to_check.size() - limits.maker_unknown_rows))
          << "</p>\n";
    }
  }

  if (sel.everything) {
    out << "<h2>Devices</h2>\n";
  } else {
    out << "<h2>Devices needing attention</h2>\n<p class=\"left-out\">" << HtmlText(DetailsLeftOut(s, sel)) << "</p>\n";
  }
  for (size_t i : sel.shown) {
    const auto& d = s.devices[i];
    bool overdue = IsOverdue(d, s.as_of);
    out << "<section class=\"device\" id=\"dev-" << HtmlText(d.id) << "\"><h3>" << HtmlText(d.id) << ": " << HtmlText(OrUnknown(d.manufacturer))
        << (d.brand.empty() || d.brand == d.manufacturer ? "" : " (brand " + HtmlText(d.brand) + ")") << " " << HtmlText(d.model)
        << "</h3><dl>"
        << "<dt>Site, department</dt><dd>" << HtmlText(SiteName(s, d.site)) << ", " << HtmlText(OrUnknown(d.department)) << "</dd>"
        << "<dt>Address, MAC, serial</dt><dd>" << HtmlText(d.ip.empty() ? "unknown" : d.ip) << ", "
        << HtmlText(d.mac.empty() ? "unknown" : d.mac) << ", " << HtmlText(d.serial.empty() ? "unknown" : d.serial) << "</dd>"
        << "<dt>Type, firmware</dt><dd>" << HtmlText(OrUnknown(d.device_type)) << ", " << HtmlText(d.firmware.empty() ? "unknown" : d.firmware) << "</dd>"
        << "<dt>Verdict under " << HtmlText(s.policy_id) << "</dt><dd>" << HtmlText(OrUnknown(d.verdict))
        << (d.clause.empty() ? "" : " (" + HtmlText(d.clause) + ")") << (d.reason.empty() ? "" : ": " + HtmlText(d.reason)) << "</dd>"
        << "<dt>State, deadline</dt><dd" << (overdue ? " class=\"overdue\"" : "") << ">" << HtmlText(OrUnknown(d.state)) << ", "
        << HtmlText(d.deadline.empty() ? "no deadline set" : d.deadline) << (overdue ? " (overdue)" : "") << "</dd>"
        << "<dt>Seen</dt><dd>first " << HtmlText(d.first_seen) << ", last " << HtmlText(d.last_seen) << "</dd>";
    if (!d.sources.empty()) {
      out << "<dt>Sources</dt><dd>";
      for (size_t k = 0; k < d.sources.size(); ++k) out << (k ? "; " : "") << HtmlText(d.sources[k]);
      out << "</dd>";
    }
    out << "</dl>\n";
    if (!d.evidence.empty()) {
      out << "<table><thead><tr><th>probe/port</th><th>field</th><th>value</th><th>rule</th><th>claim</th></tr></thead><tbody>\n";
      for (const auto& e : d.evidence) {
        out << "<tr><td>" << HtmlText(e.probe) << "/" << e.port << "</td><td>" << HtmlText(e.field) << "</td><td><code>" << HtmlText(e.value)
            << "</code></td><td>" << HtmlText(e.rule) << "</td><td>" << HtmlText(e.claim) << "</td></tr>\n";
      }
      out << "</tbody><caption>Evidence: what was observed and which fingerprint rule read it.</caption></table>\n";
    }
    if (!d.history.empty()) {
      out << "<table><thead><tr><th>when</th><th>change</th><th>by</th><th>note</th></tr></thead><tbody>\n";
      for (const auto& h : d.history) {
        out << "<tr><td>" << HtmlText(h.at) << "</td><td>" << HtmlText(h.from_state.empty() ? "(new)" : h.from_state) << " &#8594; "
            << HtmlText(h.to_state) << "</td><td>" << HtmlText(OrUnknown(h.actor)) << "</td><td>" << HtmlText(h.note) << "</td></tr>\n";
      }
      out << "</tbody><caption>History from the inventory's audit log, oldest first.</caption></table>\n";
    }
    out << "</section>\n";
  }
  Notices(out, s, limits.notices);
  out << "</body></html>\n";
}

}  // namespace phaseout::report::internal
