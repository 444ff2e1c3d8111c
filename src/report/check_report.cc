// Builds and renders the answer of `phaseout check` (text and self-contained HTML).
#include "report/check_report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ostream>
#include <set>
#include <sstream>

#include "core/display_text.h"
#include "report/text.h"

namespace phaseout::report {
namespace {

using model::VerdictStatus;

// Sort key for dotted-quad addresses (others sort after, by text).
std::pair<uint64_t, std::string> AddressKey(const std::string& ip) {
  unsigned a, b, c, d;
  char tail;
  if (std::sscanf(ip.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a < 256 && b < 256 &&
      c < 256 && d < 256) {
    return {(uint64_t{a} << 24) | (b << 16) | (c << 8) | d, ""};
  }
  return {uint64_t{1} << 40, ip};
}

void SortByAddress(std::vector<CheckDevice>& v) {
  std::stable_sort(v.begin(), v.end(), [](const CheckDevice& x, const CheckDevice& y) {
    return AddressKey(x.address) < AddressKey(y.address);
  });
}

bool IsCovering(VerdictStatus s) { return s == VerdictStatus::kProhibited || s == VerdictStatus::kReview; }

std::string Shorten(std::string_view s, size_t max) {
  std::string out(Utf8Prefix(s, max));
  if (out.size() < s.size()) out += "...";
  return out;
}

// "Hikvision camera", "LTS camera made by Hikvision", "device (maker not established)".
std::string Headline(const CheckDevice& d) {
  std::string kind = d.device_type.empty() ? "device" : d.device_type;
  // Short type ids are acronyms ("nvr", "dvr", "ont"): say them as such.
  if (kind.size() <= 3) {
    for (char& c : kind) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  std::string s;
  if (!d.brand.empty() && !d.maker.empty()) {
    s = d.brand + " " + kind + " made by " + d.maker;
  } else if (!d.maker.empty()) {
    s = d.maker + " " + kind;
  } else if (!d.brand.empty()) {
    s = d.brand + "-labelled " + kind + " (maker not established)";
  } else {
    s = kind + " (maker not established)";
  }
  if (!d.model.empty()) s += ", model " + d.model;
  return s;
}

const char* StatusWords(VerdictStatus s) {
  if (s == VerdictStatus::kProhibited) return "covered";
  if (s == VerdictStatus::kReview) return "may be covered, check";
  return "not covered";
}

std::string JoinPorts(const std::vector<uint16_t>& ports) {
  std::string s;
  for (uint16_t p : ports) s += (s.empty() ? "" : ", ") + std::to_string(p);
  return s;
}

// ---- text ------------------------------------------------------------------------------------

// Terminal-safe: printable ASCII only (device bytes and data text alike).
std::string Safe(std::string_view s) { return TableCell(s, 4096); }

// Writes `text` wrapped at 78 columns, first line prefixed by `first`, others by `rest`.
void Wrap(std::ostream& out, const std::string& first, const std::string& rest, const std::string& text) {
  std::istringstream words(Safe(text));
  std::string word, line = first;
  bool empty_line = true;
  while (words >> word) {
    if (!empty_line && line.size() + 1 + word.size() > 78) {
      out << line << "\n";
      line = rest;
      empty_line = true;
    }
    if (!empty_line) line += " ";
    line += word;
    empty_line = false;
  }
  out << line << "\n";
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

void TextSources(std::ostream& out, const std::string& indent, const std::vector<std::string>& sources,
                 bool verified) {
  for (const auto& s : sources) out << indent << Safe(s) << (verified ? "" : "  (not verified)") << "\n";
}

// ---- HTML ------------------------------------------------------------------------------------

// Above this many covered devices the page lists them in a table (one or two printed pages).
constexpr size_t kCompactAbove = 4;

bool IsWebUrl(const std::string& s) {
  return (s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0) &&
         s.find_first_of(" \"'<>") == std::string::npos;
}

std::string HtmlSource(const std::string& s, bool verified) {
  std::string label = IsWebUrl(s) ? "<a href=\"" + HtmlEscape(s) + "\">" + HtmlEscape(s) + "</a>" : HtmlEscape(s);
  return label + (verified ? "" : " <em>(not verified)</em>");
}

// One compact paragraph of sources (keeps the printout to one or two pages).
void HtmlSources(std::ostream& out, const std::vector<std::string>& sources, bool verified,
                 const std::vector<std::string>& more = {}, bool more_verified = true) {
  std::vector<std::string> items;
  for (const auto& s : sources) items.push_back(HtmlSource(s, verified));
  for (const auto& s : more) {
    if (std::find(sources.begin(), sources.end(), s) == sources.end()) {
      items.push_back(HtmlSource(s, more_verified));
    }
  }
  if (items.empty()) return;
  out << "<p class=\"sources\">Sources: ";
  for (size_t i = 0; i < items.size(); ++i) out << (i ? " &middot; " : "") << items[i];
  out << "</p>\n";
}

constexpr const char* kCss = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#111;max-width:46rem;margin:1.5rem auto;padding:0 1rem;line-height:1.35;font-size:11pt}
h1{font-size:1.35rem;margin:0 0 .2rem}h2{font-size:1.05rem;margin:.9rem 0 .25rem;border-bottom:1px solid #bbb}
p{margin:.25rem 0}ul{margin:.2rem 0;padding-left:1.2rem}
.meta{color:#444;font-size:.85rem}
.count{font-size:1.05rem;font-weight:600}
.device{border:1px solid #999;border-left:.35rem solid #b00;padding:.25rem .5rem;margin:.35rem 0;break-inside:avoid}
.device.review{border-left-color:#c80}
.device p{margin:.1rem 0}
table{border-collapse:collapse;width:100%;font-size:.85rem}td,th{border:1px solid #bbb;padding:.1rem .3rem;text-align:left;vertical-align:top}
.sources{font-size:.75rem;color:#333;margin:0 0 .35rem;overflow-wrap:anywhere}
.note{font-size:.85rem;color:#333}
.compact{font-size:.78rem}.compact td{padding:0 .25rem}.nw{white-space:nowrap}
.cols{columns:2;column-gap:1.5rem;list-style:none;padding-left:0;font-size:.85rem}.cols li{break-inside:avoid}
a{color:#024}
@page{size:auto;margin:11mm}
@media print{html{font-size:8.5pt}body{margin:0;padding:0;max-width:none;font-size:1rem;line-height:1.25}a{color:#000}.compact tr{break-inside:avoid}}
)";

}  // namespace

CheckResultBuilder::CheckResultBuilder(const policy::PolicySet& policies, const policy::Policy& chosen,
                                       const CheckAdvice& advice)
    : policies_(policies), chosen_(chosen), advice_(advice) {}

CheckDevice CheckResultBuilder::Describe(const model::DeviceReport& r) const {
  CheckDevice d;
  const model::Identification& id = r.identification;
  d.address = SanitizeUtf8(r.host.ip);
  d.mac = SanitizeUtf8(r.host.mac);
  auto display = [&](const std::string& vendor_id) -> std::string {
    if (vendor_id.empty()) return "";
    const policy::Vendor* v = policies_.vendors().Find(vendor_id);
    return v != nullptr ? v->display_name : SanitizeUtf8(vendor_id);
  };
  d.maker = display(id.manufacturer);
  if (!id.brand.empty() && id.brand != id.manufacturer) d.brand = display(id.brand);
  d.device_type = SanitizeUtf8(id.device_type);
  d.model = Shorten(SanitizeUtf8(id.model), 60);
  d.firmware = Shorten(SanitizeUtf8(id.firmware), 60);
  d.open_ports = r.host.open_ports;
  // How it was recognised: each kind of evidence once, at most three, in words.
  std::set<std::string> said;
  for (const model::Evidence& e : id.evidence) {
    if (d.recognised_by.size() >= 3) break;
    std::string words = advice_.WordsFor(e.field);
    if (!said.insert(words).second) continue;
    d.recognised_kinds.push_back(words);
    std::string phrase = words;
    if (e.port != 0) phrase += " on port " + std::to_string(e.port);
    if (!e.value.empty() && e.field != "tcp.port.open") {
      phrase += " (\"" + Shorten(SanitizeUtf8(e.value), 60) + "\")";
    }
    d.recognised_by.push_back(std::move(phrase));
  }
  std::set<uint16_t> web;
  for (const model::Observation& o : r.host.observations) {
    if ((o.probe == "http" || o.probe == "https") && web.insert(o.port).second) {
      d.web_pages.push_back(o.probe + "://" + d.address + ":" + std::to_string(o.port) + "/");
    }
  }
  for (const model::Verdict& v : r.verdicts) {
    if (v.policy == chosen_.id) {
      d.status = v.status;
      d.clause = SanitizeUtf8(v.clause);
      d.reason = SanitizeUtf8(v.reason);
    } else if (IsCovering(v.status)) {
      d.other_policies.push_back(v.policy);
    }
  }
  return d;
}

void CheckResultBuilder::Add(const model::DeviceReport& report) {
  ++seen_;
  CheckDevice d = Describe(report);
  if (IsCovering(d.status)) {
    covered_.push_back(std::move(d));
  } else if (report.identification.manufacturer.empty()) {
    unidentified_.push_back(std::move(d));
  } else if (!d.other_policies.empty()) {
    elsewhere_.push_back(std::move(d));
  } else {
    ++not_covered_;
  }
}

CheckResult CheckResultBuilder::Finish(CheckResult result) {
  result.policy_id = chosen_.id;
  result.devices_seen = seen_;
  result.not_covered = not_covered_;
  result.covered = std::move(covered_);
  result.elsewhere = std::move(elsewhere_);
  result.unidentified = std::move(unidentified_);
  SortByAddress(result.covered);
  SortByAddress(result.elsewhere);
  SortByAddress(result.unidentified);
  return result;
}

void WriteCheckText(std::ostream& out, const CheckResult& r, const policy::Policy& policy,
                    const CheckAdvice& advice) {
  const PolicyAdvice* pa = nullptr;
  if (auto it = advice.policies.find(policy.id); it != advice.policies.end()) pa = &it->second;

  std::string where;
  for (const auto& s : r.subnets) where += (where.empty() ? "" : ", ") + s;
  Wrap(out, "", "", "phaseout check of " + (where.empty() ? std::string("no network") : where) +
                        " (" + r.started_at + "), policy " + policy.id + ".");
  for (const auto& n : r.notes) Wrap(out, "Note: ", "      ", n);
  if (r.incomplete) {
    Wrap(out, "", "", "INCOMPLETE: this check did not finish; see \"Limits of this check\" below.");
  }
  out << "\n";
  Wrap(out, "", "", Plural(r.devices_seen, "device", "devices") + " answered on " +
                        Plural(r.addresses_checked, "address", "addresses") + " checked.");
  out << "\n";

  if (r.covered.empty()) {
    Wrap(out, "", "", "None is made by a maker that " + policy.id + " covers.");
  } else {
    Wrap(out, "", "", Plural(r.covered.size(), "device is", "devices are") +
                          " made by a maker that " + policy.id + " (" + policy.title + ") covers:");
    int n = 0;
    for (const CheckDevice& d : r.covered) {
      out << "\n";
      std::string num = "  " + std::to_string(++n) + ". ";
      Wrap(out, num, std::string(num.size(), ' '),
           Headline(d) + ", at " + d.address + (d.mac.empty() ? "" : " (MAC " + d.mac + ")"));
      std::string pad(num.size(), ' ');
      if (!d.recognised_by.empty()) {
        std::string how;
        for (size_t i = 0; i < d.recognised_by.size(); ++i) {
          how += (i == 0 ? "" : i + 1 == d.recognised_by.size() ? " and " : "; ") + d.recognised_by[i];
        }
        Wrap(out, pad + "Recognised by ", pad, how + ".");
      }
      if (!d.firmware.empty()) Wrap(out, pad + "Firmware: ", pad, d.firmware);
      Wrap(out, pad + "Under " + policy.id + ": ", pad,
           std::string(StatusWords(d.status)) + (d.clause.empty() ? "" : " (" + d.clause + ")") +
               ". " + d.reason);
    }
  }
  if (!r.elsewhere.empty()) {
    out << "\n";
    Wrap(out, "", "", Plural(r.elsewhere.size(), "device is", "devices are") +
                          " not covered by " + policy.id + " but by another shipped policy:");
    for (const CheckDevice& d : r.elsewhere) {
      std::string others;
      for (const auto& p : d.other_policies) others += (others.empty() ? "" : ", ") + p;
      Wrap(out, "  - ", "    ", Headline(d) + ", at " + d.address + ": " + others + ".");
    }
  }
  if (!r.unidentified.empty()) {
    out << "\n";
    Wrap(out, "", "", Plural(r.unidentified.size(), "device", "devices") +
                          " could not be identified:");
    size_t listed = 0;
    for (const CheckDevice& d : r.unidentified) {
      if (listed++ == kCheckMaxListedUnidentified) break;
      std::string line = d.address + (d.mac.empty() ? "" : " (MAC " + d.mac + ")");
      if (!d.web_pages.empty()) {
        line += ", web page " + d.web_pages.front();
      } else if (!d.open_ports.empty()) {
        line += ", answers on port" + std::string(d.open_ports.size() > 1 ? "s " : " ") + JoinPorts(d.open_ports);
      } else {
        line += ", answered only a discovery request";
      }
      Wrap(out, "  - ", "    ", line);
    }
    if (r.unidentified.size() > kCheckMaxListedUnidentified) {
      Wrap(out, "  ", "  ", "and " + std::to_string(r.unidentified.size() - kCheckMaxListedUnidentified) +
                                " more (use --html for the full list).");
    }
    Wrap(out, "", "", "To check one by hand:");
    for (const AdviceItem& h : advice.by_hand) Wrap(out, "  - ", "    ", h.text);
  }
  if (r.not_covered > 0) {
    out << "\n";
    Wrap(out, "", "", Plural(r.not_covered, "device was", "devices were") +
                          " recognised as made by makers no shipped policy covers.");
  }

  if (!r.covered.empty()) {
    out << "\n";
    Wrap(out, "", "  ", "What this means under " + policy.title);
    if (pa != nullptr) {
      Wrap(out, "  ", "  ", pa->who_it_binds);
      bool any_prohibited = false, any_review = false;
      for (const auto& d : r.covered) {
        any_prohibited = any_prohibited || d.status == VerdictStatus::kProhibited;
        any_review = any_review || d.status == VerdictStatus::kReview;
      }
      if (any_prohibited) Wrap(out, "  Covered: ", "  ", pa->prohibited);
      if (any_review) Wrap(out, "  May be covered: ", "  ", pa->review);
    }
    Wrap(out, "  In the policy's words: ", "  ", policy.summary);
    out << "  Sources:\n";
    TextSources(out, "    ", policy.sources, policy.verified);
    if (pa != nullptr) {
      for (const auto& s : pa->sources) {
        if (std::find(policy.sources.begin(), policy.sources.end(), s) == policy.sources.end()) {
          out << "    " << Safe(s) << (pa->verified ? "" : "  (not verified)") << "\n";
        }
      }
    }
    out << "\nWhat people usually do next\n";
    for (const AdviceItem& a : advice.actions) {
      Wrap(out, "  - ", "    ", a.title + ". " + a.text);
      TextSources(out, "      ", a.sources, a.verified);
    }
  }
  if (!r.limits.empty()) {
    out << "\nLimits of this check\n";
    for (const auto& l : r.limits) Wrap(out, "  - ", "    ", l);
  }
}

void WriteCheckHtml(std::ostream& out, const CheckResult& r, const policy::Policy& policy,
                    const CheckAdvice& advice) {
  const PolicyAdvice* pa = nullptr;
  if (auto it = advice.policies.find(policy.id); it != advice.policies.end()) pa = &it->second;
  std::string where;
  for (const auto& s : r.subnets) where += (where.empty() ? "" : ", ") + s;

  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      << "<title>phaseout check: " << HtmlEscape(where.empty() ? "no network" : where) << "</title>\n"
      << "<style>" << kCss << "</style>\n</head>\n<body>\n";
  out << "<h1>Restricted-vendor equipment check</h1>\n";
  out << "<p class=\"meta\">Network " << HtmlEscape(where.empty() ? "none" : where) << " &middot; "
      << HtmlEscape(r.started_at) << " &middot; policy <strong>" << HtmlEscape(policy.id) << "</strong> ("
      << HtmlEscape(policy.title) << ") &middot; phaseout " << HtmlEscape(r.tool_version) << "</p>\n";
  for (const auto& n : r.notes) out << "<p class=\"note\">Note: " << HtmlEscape(n) << "</p>\n";
  if (r.incomplete) {
    out << "<p class=\"count\">Incomplete: this check did not finish (see &ldquo;Limits of this "
           "check&rdquo;).</p>\n";
  }
  out << "<p class=\"count\">" << HtmlEscape(Plural(r.devices_seen, "device", "devices")) << " answered on "
      << HtmlEscape(Plural(r.addresses_checked, "address", "addresses")) << " checked.</p>\n";

  out << "<h2>Made by a maker the policy covers</h2>\n";
  if (r.covered.empty()) {
    out << "<p>None is made by a maker that " << HtmlEscape(policy.id) << " covers.</p>\n";
  }
  if (r.covered.size() > kCompactAbove) {
    // Many devices: one table row each, and each distinct reason once below it.
    std::vector<std::string> reasons;
    out << "<table class=\"compact\"><tr><th>Address</th><th>Device</th><th>Recognised by</th><th>Under "
        << HtmlEscape(policy.id) << "</th></tr>\n";
    for (const CheckDevice& d : r.covered) {
      auto it = std::find(reasons.begin(), reasons.end(), d.reason);
      size_t reason_no = static_cast<size_t>(it - reasons.begin()) + 1;
      if (it == reasons.end()) reasons.push_back(d.reason);
      out << "<tr><td class=\"nw\">" << HtmlEscape(d.address) << "</td><td>"
          << HtmlEscape(Headline(d)) << "</td><td>";
      // One line per device: the main kind of evidence; the clause is in the numbered reason.
      if (!d.recognised_kinds.empty()) out << HtmlEscape(d.recognised_kinds.front());
      out << "</td><td class=\"nw\"><strong>" << StatusWords(d.status) << "</strong> [" << reason_no
          << "]</td></tr>\n";
    }
    out << "</table>\n<ol class=\"note\">\n";
    for (const auto& reason : reasons) out << "<li>" << HtmlEscape(reason) << "</li>\n";
    out << "</ol>\n";
  }
  for (const CheckDevice& d : r.covered) {
    if (r.covered.size() > kCompactAbove) break;
    out << "<div class=\"device" << (d.status == VerdictStatus::kReview ? " review" : "") << "\">\n"
        << "<p><strong>" << HtmlEscape(Headline(d)) << "</strong>, at " << HtmlEscape(d.address)
        << (d.mac.empty() ? "" : " (MAC " + HtmlEscape(d.mac) + ")") << "</p>\n";
    if (!d.recognised_by.empty()) {
      out << "<p>Recognised by ";
      for (size_t i = 0; i < d.recognised_by.size(); ++i) {
        out << (i == 0 ? "" : i + 1 == d.recognised_by.size() ? " and " : "; ") << HtmlEscape(d.recognised_by[i]);
      }
      out << ".</p>\n";
    }
    if (!d.firmware.empty()) out << "<p>Firmware: " << HtmlEscape(d.firmware) << "</p>\n";
    out << "<p>Under " << HtmlEscape(policy.id) << ": <strong>" << StatusWords(d.status) << "</strong>"
        << (d.clause.empty() ? "" : " (" + HtmlEscape(d.clause) + ")") << ". " << HtmlEscape(d.reason) << "</p>\n</div>\n";
  }
  if (!r.elsewhere.empty()) {
    out << "<h2>Covered by another policy</h2>\n<ul>\n";
    for (const CheckDevice& d : r.elsewhere) {
      std::string others;
      for (const auto& p : d.other_policies) others += (others.empty() ? "" : ", ") + p;
      out << "<li>" << HtmlEscape(Headline(d)) << ", at " << HtmlEscape(d.address) << ": " << HtmlEscape(others) << "</li>\n";
    }
    out << "</ul>\n";
  }
  if (!r.unidentified.empty()) {
    // Two columns of one line each: a school's forty unknown devices still fit on the page.
    out << "<h2>Could not be identified (" << r.unidentified.size() << ")</h2>\n<ul class=\"cols\">\n";
    for (const CheckDevice& d : r.unidentified) {
      out << "<li>" << HtmlEscape(d.address) << (d.mac.empty() ? "" : " (" + HtmlEscape(d.mac) + ")") << ": "
          << HtmlEscape(!d.web_pages.empty()   ? d.web_pages.front()
                  : d.open_ports.empty() ? std::string("answered only a discovery request")
                                         : "ports " + JoinPorts(d.open_ports))
          << "</li>\n";
    }
    out << "</ul>\n<p>To check one by hand:</p>\n<ul>\n";
    for (const AdviceItem& h : advice.by_hand) out << "<li>" << HtmlEscape(h.text) << "</li>\n";
    out << "</ul>\n";
  }
  if (r.not_covered > 0) {
    out << "<p>" << HtmlEscape(Plural(r.not_covered, "device was", "devices were"))
        << " recognised as made by makers no shipped policy covers.</p>\n";
  }
  if (!r.covered.empty()) {
    out << "<h2>What this means under " << HtmlEscape(policy.title) << "</h2>\n";
    if (pa != nullptr) {
      out << "<p>" << HtmlEscape(pa->who_it_binds) << "</p>\n";
      bool any_prohibited = false, any_review = false;
      for (const auto& d : r.covered) {
        any_prohibited = any_prohibited || d.status == VerdictStatus::kProhibited;
        any_review = any_review || d.status == VerdictStatus::kReview;
      }
      if (any_prohibited) out << "<p><strong>Covered:</strong> " << HtmlEscape(pa->prohibited) << "</p>\n";
      if (any_review) out << "<p><strong>May be covered:</strong> " << HtmlEscape(pa->review) << "</p>\n";
    }
    out << "<p>In the policy's words: " << HtmlEscape(policy.summary) << "</p>\n";
    HtmlSources(out, policy.sources, policy.verified, pa != nullptr ? pa->sources : std::vector<std::string>{},
                pa != nullptr && pa->verified);
    out << "<h2>What people usually do next</h2>\n";
    for (const AdviceItem& a : advice.actions) {
      out << "<p class=\"action\"><strong>" << HtmlEscape(a.title) << ".</strong> " << HtmlEscape(a.text) << "</p>\n";
      HtmlSources(out, a.sources, a.verified);
    }
  }
  if (!r.limits.empty()) {
    out << "<h2>Limits of this check</h2>\n<ul>\n";
    for (const auto& l : r.limits) out << "<li>" << HtmlEscape(l) << "</li>\n";
    out << "</ul>\n";
  }
  out << "</body>\n</html>\n";
}

}  // namespace phaseout::report
