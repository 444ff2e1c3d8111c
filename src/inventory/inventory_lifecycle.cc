// Lifecycle changes by people (validated, audited), waiver expiry and passed deadlines, and
// merge reviews (decided by a person: accept folds two devices into one).

#include "core/json_dump.h"
#include "inventory/inventory_internal.h"

namespace phaseout::inventory::internal {

std::vector<SqlValue> LifecycleValues(const DeviceRecord& d) {
  std::vector<SqlValue> v;
  v.reserve(std::size(kLifecycleColumns));
  Push(v, T(DeviceStateName(d.state)), T(d.prior_state ? DeviceStateName(*d.prior_state) : ""), T(d.state_since),
       T(d.replacement_model), T(d.target_date), T(d.removed_by), T(d.waiver_approver), T(d.waiver_reason),
       T(d.waiver_expiry), I(d.waiver_expired ? 1 : 0), T(d.reason), I(d.missed_scans - d.missed_by_site));
  return v;
}

std::string UpdateDevicesFromArrays(std::span<const TypedColumn> columns, std::string_view also) {
  std::string set, arrays = "$1::bigint[]", names = "id";
  size_t n = 2;
  for (const TypedColumn& c : columns) {
    std::string name(c.name);
    set += (set.empty() ? "" : ", ") + name + " = v." + name;
    arrays += ", $" + std::to_string(n) + (c.integer ? "::bigint[]" : "::text[]");
    ++n;
    names += ", " + name;
  }
  if (!also.empty()) set += ", " + std::string(also);
  return "UPDATE devices SET " + set + " FROM unnest(" + arrays + ") AS v(" + names + ") WHERE devices.id = v.id";
}

Status SqlInventory::WriteLifecycle(const DeviceRecord& before, const DeviceRecord& after, const std::string& actor,
                                    const std::string& action, const std::string& note, int64_t scan_id,
                                    bool audit) {
  static const std::string kSql = [] {
    std::string sql = "UPDATE devices SET ";
    size_t n = 2;
    for (const TypedColumn& c : kLifecycleColumns) {
      if (n > 2) sql += ", ";
      sql += std::string(c.name) + " = $" + std::to_string(n);
      ++n;
    }
    return sql + " WHERE id = $1";
  }();
  std::vector<SqlValue> p{I(after.id)};
  for (SqlValue& v : LifecycleValues(after)) p.push_back(std::move(v));
  PO_TRY(store_->Exec(kSql, p));
  if (!audit) return Status::Ok();
  AuditEntry e;
  e.actor = actor;
  e.action = action;
  e.device_id = after.id;
  e.scan_id = scan_id;
  e.before = Snapshot(before);
  e.after = Snapshot(after);
  e.note = note;
  return AppendAudit(std::move(e));
}

Result<DeviceRecord> SqlInventory::SetState(int64_t id, const TransitionRequest& req) {
  DeviceRecord result;
  std::string today = Today();
  Status s = InTransaction(*store_, [&]() -> Status {
    auto loaded = LoadDevice(id);
    if (!loaded) return loaded.error();
    DeviceRecord before = *loaded;
    if (Status v = ValidateTransition(before.state, req, today); !v.ok()) {
      return MakeError(v.error().code, "device " + std::to_string(id) + ": " + v.error().message);
    }
    DeviceRecord after = before;
    after.state = req.to;
    after.state_since = Now();
    after.missed_scans = 0;
    switch (req.to) {
      case DeviceState::kReplacementPlanned:
        after.replacement_model = req.replacement_model;
        after.target_date = req.target_date;
        break;
      case DeviceState::kRemoved: after.removed_by = req.removed_by.empty() ? req.actor : req.removed_by; break;
      case DeviceState::kWaived:
        if (before.state != DeviceState::kWaived) after.prior_state = before.state;
        after.waiver_approver = req.approver;
        after.waiver_reason = req.reason;
        after.waiver_expiry = req.expiry;
        after.waiver_expired = false;
        break;
      case DeviceState::kNotRestricted: after.reason = req.reason; break;
      default: break;
    }
    if (req.to != DeviceState::kWaived) {
      after.prior_state.reset();
      after.waiver_expired = false;
    }
    PO_TRY(WriteLifecycle(before, after, req.actor, req.to == DeviceState::kWaived ? "waive" : "set-state",
                          req.note, 0));
    result = after;
    return Status::Ok();
  });
  if (!s.ok()) return s.error();
  return GetDevice(id);
}

Status SqlInventory::CheckDeadlinesTx(const std::string& today, std::vector<Event>* out) {
  SqlValue p[] = {T(today)};
  auto rows = store_->Query(std::string(kDeviceSelect) +
                                "WHERE d.state = 'waived' AND d.waiver_expiry <> '' AND d.waiver_expiry < $1",
                            p);
  if (!rows) return rows.error();
  for (const auto& r : *rows) {
    DeviceRecord before = ReadDevice(r);
    DeviceRecord after = before;
    after.state = before.prior_state.value_or(DeviceState::kFound);
    if (after.state == DeviceState::kWaived) after.state = DeviceState::kFound;
    after.prior_state.reset();
    after.waiver_expired = true;
    after.state_since = Now();
    PO_TRY(WriteLifecycle(before, after, "phaseout", "waiver-expired",
                          "waiver by " + before.waiver_approver + " expired on " + before.waiver_expiry, 0));
    Event e;
    e.kind = "waiver-expired";
    e.severity = "warning";
    e.site = before.site;
    e.device_id = before.id;
    e.message = "device " + std::to_string(before.id) + " (" + before.ip + ", " +
                (before.manufacturer.empty() ? "unknown maker" : before.manufacturer) + ") waiver expired on " +
                before.waiver_expiry + "; back to " + DeviceStateName(after.state) + " and overdue";
    PO_TRY(AddEvent(e, "waiver-expired:" + std::to_string(before.id) + ":" + before.waiver_expiry, out));
  }
  auto dl = store_->Query(
      "SELECT s.key, d.policy, d.deadline, s.id FROM site_deadlines d JOIN sites s ON s.id = d.site_id "
      "WHERE d.deadline < $1",
      p);
  if (!dl) return dl.error();
  for (const auto& r : *dl) {
    SqlValue q[] = {ColInt(r, 3), T(Col(r, 1))};
    auto n = store_->Query(
        "SELECT COUNT(*) FROM devices WHERE site_id = $1 AND state IN ('found', 'confirmed', "
        "'replacement-planned', 'missing') AND (',' || prohibited || ',') LIKE ('%,' || $2 || ',%')",
        q);
    if (!n) return n.error();
    int64_t count = ColInt(n->front(), 0);
    if (count == 0) continue;
    Event e;
    e.kind = "deadline-passed";
    e.severity = "warning";
    e.site = Col(r, 0);
    e.message = "site " + Col(r, 0) + ": " + Col(r, 1) + " deadline " + Col(r, 2) + " passed with " +
                std::to_string(count) + " covered device(s) not removed";
    PO_TRY(AddEvent(e, "deadline:" + Col(r, 0) + ":" + Col(r, 1) + ":" + Col(r, 2), out));
  }
  return Status::Ok();
}

Result<std::vector<Event>> SqlInventory::CheckDeadlines() {
  std::vector<Event> out;
  std::string today = Today();
  Status s = InTransaction(*store_, [&]() { return CheckDeadlinesTx(today, &out); });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<MergeReview>> SqlInventory::ListReviews(bool open_only) {
  SqlValue p[] = {I(open_only ? 1 : 0)};
  auto rows = store_->Query(
      "SELECT m.id, s.key, m.device_a, m.device_b, m.reason, m.scan, m.status FROM merge_reviews m "
      "JOIN sites s ON s.id = m.site_id WHERE ($1 = 0 OR m.status = 'open') ORDER BY m.id",
      p);
  if (!rows) return rows.error();
  std::vector<MergeReview> out;
  for (const auto& r : *rows) {
    out.push_back({ColInt(r, 0), Col(r, 1), ColInt(r, 2), ColInt(r, 3), Col(r, 4), Col(r, 5), Col(r, 6)});
  }
  return out;
}

Status SqlInventory::MergeDevices(const DeviceRecord& a, const DeviceRecord& b) {
  SqlValue p[] = {I(a.id), I(b.id)};
  PO_TRY(store_->Exec(
      "UPDATE devices SET "
      "mac = CASE WHEN (SELECT mac FROM devices WHERE id = $2) <> '' THEN (SELECT mac FROM devices WHERE id = "
      "$2) ELSE mac END, "
      "serial = CASE WHEN (SELECT serial FROM devices WHERE id = $2) <> '' THEN (SELECT serial FROM devices "
      "WHERE id = $2) ELSE serial END, "
      "first_seen = CASE WHEN (SELECT first_seen FROM devices WHERE id = $2) < first_seen THEN (SELECT "
      "first_seen FROM devices WHERE id = $2) ELSE first_seen END "
      "WHERE id = $1",
      p));
  if (b.last_seen >= a.last_seen) {
    PO_TRY(store_->Exec(
        "UPDATE devices SET (ip, manufacturer, brand, device_type, model, firmware, prohibited, review, "
        "last_seen, last_scan_id, last_seq, missed_scans, full_scans_seen, outside_scope) = (SELECT ip, "
        "manufacturer, brand, device_type, model, firmware, prohibited, review, last_seen, last_scan_id, last_seq, "
        "missed_scans, full_scans_seen, outside_scope FROM devices "
        "WHERE id = $2) WHERE id = $1",
        p));
  }
  SqlValue a_only[] = {I(a.id)}, b_only[] = {I(b.id)};
  PO_TRY(store_->Exec("UPDATE devices SET match_rule = 'merge-review' WHERE id = $1", a_only));
  PO_TRY(store_->Exec("UPDATE scan_records SET device_id = $1 WHERE device_id = $2", p));
  // Other reviews about device_b are now about device_a; one about a and a is moot.
  PO_TRY(store_->Exec("UPDATE merge_reviews SET device_a = $1 WHERE device_a = $2", p));
  PO_TRY(store_->Exec("UPDATE merge_reviews SET device_b = $1 WHERE device_b = $2", p));
  PO_TRY(store_->Exec("UPDATE merge_reviews SET status = 'moot' WHERE device_a = device_b AND status = 'open'"));
  return store_->Exec("DELETE FROM devices WHERE id = $1", b_only);
}

Result<MergeReview> SqlInventory::DecideReview(int64_t review_id, bool accept, const std::string& actor,
                                 const std::string& note) {
  if (actor.empty()) return MakeError(ErrorCode::kInvalidArgument, "an actor is required (--actor NAME)");
  if (note.empty()) return MakeError(ErrorCode::kInvalidArgument, "a note is required (--note TEXT)");
  MergeReview decided;
  Status st = InTransaction(*store_, [&]() -> Status {
    SqlValue k[] = {I(review_id)};
    auto rows = store_->Query(
        "SELECT m.id, s.key, m.device_a, m.device_b, m.reason, m.scan, m.status FROM merge_reviews m "
        "JOIN sites s ON s.id = m.site_id WHERE m.id = $1",
        k);
    if (!rows) return rows.error();
    if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no merge review " + std::to_string(review_id));
    const SqlRow& r = rows->front();
    decided = {ColInt(r, 0), Col(r, 1), ColInt(r, 2), ColInt(r, 3), Col(r, 4), Col(r, 5), Col(r, 6)};
    if (decided.status != "open") {
      return MakeError(ErrorCode::kInvalidArgument, "merge review " + std::to_string(review_id) +
                                                        " was already decided (" + decided.status + ")");
    }
    decided.status = accept ? "accepted" : "rejected";
    json about = {{"review", decided.id}, {"site", decided.site},     {"device_a", decided.device_a},
                  {"device_b", decided.device_b}, {"reason", decided.reason}, {"decision", decided.status}};
    AuditEntry e;
    e.actor = actor;
    e.action = accept ? "merge-accepted" : "merge-rejected";
    e.device_id = decided.device_a;
    e.note = note;
    auto a = LoadDevice(decided.device_a);
    if (!a) return a.error();
    auto b = LoadDevice(decided.device_b);
    if (!b) return b.error();
    // Both devices as they were, so `rebuild` can find them again and redo the decision.
    about["device_a_was"] = json::parse(Snapshot(*a));
    about["device_b_was"] = json::parse(Snapshot(*b));
    if (accept) {
      e.before = Snapshot(*a);
      PO_TRY(MergeDevices(*a, *b));
      auto merged = LoadDevice(a->id);
      if (!merged) return merged.error();
      json after = json::parse(Snapshot(*merged));
      after["merge"] = about;
      e.after = DumpJson(after);
    } else {
      e.after = DumpJson(json({{"merge", about}}));
    }
    SqlValue q[] = {I(decided.id), T(decided.status)};
    PO_TRY(store_->Exec("UPDATE merge_reviews SET status = $2 WHERE id = $1", q));
    return AppendAudit(std::move(e));
  });
  if (!st.ok()) return st.error();
  if (accept) RefreshSearchAfterCommit();
  return decided;
}

}  // namespace phaseout::inventory::internal
