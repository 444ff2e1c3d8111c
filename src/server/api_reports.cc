// Overview, report downloads (the renderers of `phaseout report`), screening uploads (the
// screener of `phaseout screen`) and the sites file, all scoped to the caller.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "inventory/inventory.h"
#include "policy/civil_date.h"
#include "policy/policy_set.h"
#include "report/inventory_report.h"
#include "report/screen_report.h"
#include "screening/catalogue_reader.h"
#include "screening/screener.h"
#include "screening/screening_context.h"
#include "server/api_internal.h"
#include "server/snapshot.h"

namespace phaseout::server {

using nlohmann::json;

namespace {

// The snapshot for the `policy` query parameter, scoped to the caller; or the response.
Result<report::InventorySnapshot> ScopedSnapshot(Call& call, HttpResponse* refusal, bool with_evidence,
                                                 bool grouped = false) {
  std::string policy_id = call.req.Query("policy");
  const auto* knowledge = ImplAccess::Knowledge(call.impl);
  const policy::Policy* policy = policy_id.empty() ? nullptr : knowledge->policies->Find(policy_id);
  if (policy == nullptr) {
    *refusal = ErrorResponse(400, "bad_request",
                             policy_id.empty() ? "give policy=ID (see phaseout policies list)"
                                               : "unknown policy '" + policy_id + "'");
    return MakeError(ErrorCode::kInvalidArgument, "policy");
  }
  auto scope = call.SiteScope();
  if (!scope) {
    *refusal = FromError(call, scope.error());
    return scope.error();
  }
  auto s = LoadSnapshot(*call.inv, policy->id, "", "", "the server's inventory", *scope, with_evidence, grouped);
  if (!s) {
    *refusal = FromError(call, s.error());
    return s.error();
  }
  s->policy_id = policy->id;
  s->policy_title = policy->title;
  std::string now = call.inv->Now();
  s->as_of = now.substr(0, 10);
  s->generated_at = now;
  s->data_source = "phaseout server inventory, " + std::to_string(s->sites.size()) + " sites in scope";
  return s;
}

}  // namespace

HttpResponse Overview(Call& call) {
  // Cached per policy and scope: on a large inventory the snapshot takes seconds.
  auto scope = call.SiteScope();
  if (!scope) return FromError(call, scope.error());
  std::string key = call.req.Query("policy") + "|";
  if (*scope) {
    for (const auto& site : **scope) key += site + ",";
  } else {
    key += "*";
  }
  if (auto body = ImplAccess::CachedOverview(call.impl, key)) {
    HttpResponse r;
    r.body = std::move(*body);
    return r;
  }
  std::lock_guard<std::mutex> one_at_a_time(ImplAccess::OverviewLock(call.impl));
  if (auto body = ImplAccess::CachedOverview(call.impl, key)) {  // computed while we waited
    HttpResponse r;
    r.body = std::move(*body);
    return r;
  }
  uint64_t generation = ImplAccess::Generation(call.impl);
  HttpResponse refusal;
  // Grouped: the devices without history counted in SQL (the overview shows counts only).
  auto s = ScopedSnapshot(call, &refusal, /*with_evidence=*/false, /*grouped=*/true);
  if (!s) return refusal;
  report::InventoryReportData data = report::ComputeInventoryReport(*s);
  json by_site = json::array();
  for (const auto& site : s->sites) {
    // The report keys its per-site counts by the name it prints (the id when a site has none).
    const std::string& key = site.name.empty() ? site.id : site.name;
    auto it = data.by_site.find(key);
    report::StatusCounts c = it == data.by_site.end() ? report::StatusCounts{} : it->second;
    by_site.push_back({{"site", site.id},
                       {"name", key},
                       {"covered", c.found},
                       {"open", c.remaining},
                       {"overdue", c.overdue}});
  }
  json burndown = json::array();
  for (const auto& p : data.burn_down) burndown.push_back({{"date", p.date}, {"open", p.remaining}, {"closed", p.closed}});
  HttpResponse r = Json(200, {{"policy", s->policy_id},
                              {"by_state", data.by_state},
                              {"by_site", by_site},
                              {"overdue", data.total.overdue},
                              {"burndown", burndown},
                              {"generated_at", s->generated_at}});
  ImplAccess::StoreOverview(call.impl, key, r.body, generation);
  return r;
}

HttpResponse Report(Call& call) {
  // The names are a closed list: nothing from the path reaches a file name.
  struct Named {
    const char* name;
    report::InventoryReportFormat format;
    report::InventoryReportKind kind;
    const char* content_type;
  };
  static const Named kReports[] = {
      {"status.html", report::InventoryReportFormat::kHtml, report::InventoryReportKind::kStatus, "text/html; charset=utf-8"},
      {"status.csv", report::InventoryReportFormat::kCsv, report::InventoryReportKind::kStatus, "text/csv; charset=utf-8"},
      {"status.json", report::InventoryReportFormat::kJson, report::InventoryReportKind::kStatus, "application/json; charset=utf-8"},
      {"status.md", report::InventoryReportFormat::kMarkdown, report::InventoryReportKind::kStatus, "text/markdown; charset=utf-8"},
      {"far.md", report::InventoryReportFormat::kMarkdown, report::InventoryReportKind::kNotice, "text/markdown; charset=utf-8"},
      {"burndown.csv", report::InventoryReportFormat::kCsv, report::InventoryReportKind::kFull, "text/csv; charset=utf-8"},
  };
  std::string name = call.Param("name");
  const Named* chosen = nullptr;
  for (const auto& r : kReports) {
    if (name == r.name) chosen = &r;
  }
  if (chosen == nullptr) return ErrorResponse(404, "not_found", "no report named '" + name + "'");
  HttpResponse refusal;
  // None of these prints evidence (status tables, notices, the burn-down): not read.
  auto s = ScopedSnapshot(call, &refusal, /*with_evidence=*/false);
  if (!s) return refusal;
  std::ostringstream out;
  if (std::string_view(chosen->name) == "burndown.csv") {
    report::InventoryReportData data = report::ComputeInventoryReport(*s);
    out << "date,remaining,closed\n";
    for (const auto& p : data.burn_down) out << p.date << "," << p.remaining << "," << p.closed << "\n";
  } else {
    report::WriteInventoryReport(out, *s, chosen->format, chosen->kind);
  }
  HttpResponse r;
  r.content_type = chosen->content_type;
  r.body = out.str();
  r.headers.emplace_back("Content-Disposition", std::string("attachment; filename=\"") + s->policy_id + "-" +
                                                    chosen->name + "\"");
  return r;
}

namespace {

class CollectSink : public screening::LineSink {
 public:
  CollectSink(const screening::Screener& screener, const screening::ScreenOptions& options)
      : screener_(screener), options_(options) {}
  void OnLine(const screening::CatalogueLine& line) override {
    screener_.Screen(line, options_, &result_);
    std::string one;
    report::AppendScreenResultJson(line, result_, &one);
    json j = json::parse(one, nullptr, false);
    results_.push_back(j.is_discarded() ? json(one) : j);
    ++summary_.lines;
    int worst = 0;
    for (const auto& v : result_.verdicts) worst = std::max(worst, static_cast<int>(v.status));
    if (worst == static_cast<int>(model::VerdictStatus::kProhibited)) ++summary_.prohibited;
    else if (worst == static_cast<int>(model::VerdictStatus::kReview)) ++summary_.review;
    else ++summary_.clear;
  }
  void OnLineError(uint64_t line, const std::string& message) override {
    ++summary_.unreadable;
    if (errors_.size() < 100) errors_.push_back({{"line", line}, {"message", message}});
  }
  json results_ = json::array();
  json errors_ = json::array();
  report::ScreenSummary summary_;

 private:
  const screening::Screener& screener_;
  const screening::ScreenOptions& options_;
  screening::ScreenResult result_;
};

}  // namespace

HttpResponse Screening(Call& call) {
  const std::string& body = call.req.body;
  int64_t lines = std::count(body.begin(), body.end(), '\n') + (!body.empty() && body.back() != '\n' ? 1 : 0);
  int64_t max_lines = ImplAccess::Options(call.impl).max_screening_lines;
  if (lines > max_lines) {
    return ErrorResponse(413, "too_large",
                         "a screening upload holds at most " + std::to_string(max_lines) + " lines (this one has " +
                             std::to_string(lines) + "); split the file or use `phaseout screen`");
  }
  std::vector<std::string> policies;
  for (const auto& [k, v] : call.req.query) {
    if (k == "policy" && !v.empty()) policies.push_back(v);
  }
  screening::ScreenOptions options;
  std::string as_of = call.req.Query("as_of");
  if (!as_of.empty()) {
    auto d = policy::CivilDate::Parse(as_of);
    if (!d) return ErrorResponse(400, "bad_request", "as_of: " + d.error().message);
    options.as_of = *d;
  }
  auto screener = ImplAccess::ScreenerFor(call.impl, policies);
  if (!screener) return ErrorResponse(400, "bad_request", screener.error().message);
  bool charset_ok = true;
  std::string type = call.req.Header("content-type");
  (void)charset_ok;
  screening::ReaderOptions reader;
  reader.format = type.rfind("text/csv", 0) == 0 ? screening::InputFormat::kCsv : screening::InputFormat::kJsonLines;
  CollectSink sink(**screener, options);
  Status st = screening::ReadCatalogueFromString(call.req.body, "upload", reader, &sink);
  if (!st.ok() && sink.summary_.lines == 0) return ErrorResponse(400, "bad_request", st.error().message);
  json summary = {{"lines", sink.summary_.lines},
                  {"prohibited", sink.summary_.prohibited},
                  {"review", sink.summary_.review},
                  {"clear", sink.summary_.clear},
                  {"unreadable", sink.summary_.unreadable}};
  json ids = json::array();
  for (const auto* p : (*screener)->selected()) ids.push_back(p->id);
  return Json(200, {{"policies", ids}, {"results", sink.results_}, {"summary", summary}, {"errors", sink.errors_}});
}

HttpResponse PutSites(Call& call) {
  auto file = inventory::ParseSitesYaml(call.req.body, "request body");
  if (!file) return ErrorResponse(400, "bad_request", file.error().message);
  Status s = call.inv->ImportSites(*file, call.who.name, "PUT /api/v1/sites");
  if (!s.ok()) return FromError(call, s.error());
  return Json(200, {{"departments", file->departments.size()}, {"sites", file->sites.size()}});
}

}  // namespace phaseout::server
