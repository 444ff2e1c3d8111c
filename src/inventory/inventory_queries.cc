// Reading the inventory: scans, device lists and pages (every filter in SQL), a device and
// its last raw record, history, audit verification, events, and the diff of two scans.

#include "inventory/inventory_internal.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <span>

namespace phaseout::inventory::internal {
namespace {

// Capped counts shared by the connections of this process to one PostgreSQL database. There the
// data version is the count of committed writes to the inventory (schema 8; the snapshot on an
// older database), the same text for every connection that sees the same commits, so a count
// made on one pooled connection serves the others until the next commit that writes (each
// connection counted for itself before: one slow count per connection after every commit).
// SQLite's version holds the connection's own change counter, so its counts stay with the
// connection. The keys kept for deep offset pages and rare searches are shared the same way.
struct SharedCounts {
  std::mutex mu;
  std::string version;
  std::unordered_map<std::string, int64_t> counts;
  OffsetCheckpointCache checkpoints;
  std::mutex build_mu;  // held while a connection finds kept keys (checkpoints, rare matches)
  std::mutex count_mu;  // held while a connection counts (the others wait and take its count)
};

SharedCounts& SharedCountsOf(const std::string& database) {
  static std::mutex registry_mu;
  static std::map<std::string, std::unique_ptr<SharedCounts>> registry;
  std::lock_guard<std::mutex> lock(registry_mu);
  auto& slot = registry[database];
  if (!slot) slot = std::make_unique<SharedCounts>();
  return *slot;
}

std::optional<int64_t> SharedCount(SharedCounts& shared, const std::string& version, const std::string& key) {
  std::lock_guard<std::mutex> lock(shared.mu);
  if (shared.version != version) return std::nullopt;
  auto it = shared.counts.find(key);
  if (it == shared.counts.end()) return std::nullopt;
  return it->second;
}

// REQUIRES: shared.mu held. Drops what was kept under another version (newer, or a connection
// still on an older one).
void FollowVersion(SharedCounts& shared, const std::string& version) {
  if (shared.version == version) return;
  shared.version = version;
  shared.counts.clear();
  shared.checkpoints.Clear();
}

void KeepSharedCount(SharedCounts& shared, const std::string& version, const std::string& key, int64_t total) {
  std::lock_guard<std::mutex> lock(shared.mu);
  FollowVersion(shared, version);
  if (shared.counts.size() >= 1024) shared.counts.clear();  // bounded: many distinct filters
  shared.counts.emplace(key, total);
}

std::optional<OffsetCheckpoints> SharedCheckpoints(SharedCounts& shared, const std::string& version,
                                                   const std::string& key) {
  std::lock_guard<std::mutex> lock(shared.mu);
  if (shared.version != version) return std::nullopt;
  const OffsetCheckpoints* found = shared.checkpoints.Find(key);
  if (!found) return std::nullopt;
  return *found;
}

void KeepSharedCheckpoints(SharedCounts& shared, const std::string& version, const std::string& key,
                           const OffsetCheckpoints& checkpoints) {
  std::lock_guard<std::mutex> lock(shared.mu);
  FollowVersion(shared, version);
  shared.checkpoints.Keep(key, checkpoints);
}

// A cache key: a statement and the values bound to it.
std::string StatementKey(std::string sql, std::span<const SqlValue> params) {
  for (const SqlValue& v : params) {
    sql += '\x1f';
    if (auto* n = std::get_if<int64_t>(&v)) sql.append("i").append(std::to_string(*n));
    else if (auto* t = std::get_if<std::string>(&v)) sql.append("t").append(*t);
    else if (auto* d = std::get_if<double>(&v)) sql.append("d").append(std::to_string(*d));
    else sql += "n";
  }
  return sql;
}

}  // namespace

Result<std::pair<int64_t, std::string>> DigestScanRecords(Store& store, int64_t scan_id) {
  Sha256Stream h;
  int64_t count = 0, after_seq = 0;
  while (true) {
    SqlValue q[] = {I(scan_id), I(after_seq)};
    auto recs = store.Query(
        "SELECT seq, record FROM scan_records WHERE scan_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000", q);
    if (!recs) return recs.error();
    if (recs->empty()) break;
    for (const auto& rec : *recs) {
      after_seq = ColInt(rec, 0);
      h.Update(Col(rec, 1));
      h.Update("\n");
      ++count;
    }
  }
  return std::make_pair(count, h.HexDigest());
}

Result<std::vector<ScanListing>> SqlInventory::ListScans(const std::string& site) {
  SqlValue p[] = {T(site)};
  auto rows = store_->Query(
      "SELECT sc.key, s.key, sc.agent, sc.started_at, sc.rules_version, sc.source, sc.scope, sc.records, "
      "sc.complete FROM scans sc JOIN sites s ON s.id = sc.site_id WHERE ($1 = '' OR s.key = $1) "
      "ORDER BY sc.started_at, sc.id",
      p);
  if (!rows) return rows.error();
  std::vector<ScanListing> out;
  for (const auto& r : *rows) {
    out.push_back({Col(r, 0), Col(r, 1), Col(r, 2), Col(r, 3), Col(r, 4), Col(r, 5), Col(r, 6), ColInt(r, 7),
                   ColInt(r, 8) != 0});
  }
  return out;
}

void SqlInventory::Derive(DeviceRecord& d, const std::map<std::string, std::map<std::string, std::string>>& deadlines,
            const std::string& today) {
  d.overdue = false;
  d.overdue_reason.clear();
  bool open = IsOpenState(d.state);
  if (d.state == DeviceState::kWaived && !d.waiver_expiry.empty() && d.waiver_expiry < today) {
    d.overdue = true;
    d.overdue_reason = "waiver expired " + d.waiver_expiry;
    return;
  }
  if (!open || d.state == DeviceState::kWaived) return;
  if (d.waiver_expired) {
    d.overdue = true;
    d.overdue_reason = "waiver expired " + d.waiver_expiry;
    return;
  }
  if (d.state == DeviceState::kReplacementPlanned && !d.target_date.empty() && d.target_date < today) {
    d.overdue = true;
    d.overdue_reason = "replacement target " + d.target_date + " passed";
    return;
  }
  auto site = deadlines.find(d.site);
  if (site == deadlines.end()) return;
  for (const auto& policy : d.prohibited) {
    auto dl = site->second.find(policy);
    if (dl != site->second.end() && dl->second < today) {
      d.overdue = true;
      d.overdue_reason = policy + " deadline " + dl->second + " passed";
      return;
    }
  }
}

Status SqlInventory::RefreshReadCache() {
  auto version = store_->DataVersion();
  if (!version) return version.error();
  if (version->empty() || *version != read_cache_.version) {
    read_cache_ = ReadCache{};
    read_cache_.version = std::move(*version);
  }
  return Status::Ok();
}

Result<std::map<std::string, std::map<std::string, std::string>>> SqlInventory::AllDeadlines() {
  PO_TRY(RefreshReadCache());
  if (read_cache_.deadlines) return *read_cache_.deadlines;
  auto dl = store_->Query("SELECT s.key, d.policy, d.deadline FROM site_deadlines d JOIN sites s ON s.id = d.site_id");
  if (!dl) return dl.error();
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& r : *dl) out[Col(r, 0)][Col(r, 1)] = Col(r, 2);
  if (!read_cache_.version.empty()) read_cache_.deadlines = out;
  return out;
}

Result<std::vector<DeviceRecord>> SqlInventory::ListDevices(const DeviceFilter& f) {
  DeviceFilter all = f;
  all.offset = 0;
  all.limit = 0;
  all.after = 0;
  auto page = ListDevicePage(all);
  if (!page) return page.error();
  return std::move(page->devices);
}

Result<DevicePage> SqlInventory::ListDevicePage(const DeviceFilter& f) {
  // A page read from kept positions is read again when the data changed meanwhile: once more
  // the same way (the positions are then found again under the new data, by one connection of
  // the pool for all of them), and a second time from the start of the list.
  auto page = ListDevicePageOnce(f, /*again=*/true);
  if (!page) return page.error();
  if (*page) return std::move(**page);
  page = ListDevicePageOnce(f, /*again=*/false);
  if (!page) return page.error();
  return std::move(**page);
}

Result<std::optional<DevicePage>> SqlInventory::ListDevicePageOnce(const DeviceFilter& f, bool again) {
  if (f.offset < 0 || f.limit < 0) return MakeError(ErrorCode::kInvalidArgument, "offset and limit must be >= 0");
  if (f.after < 0) return MakeError(ErrorCode::kInvalidArgument, "after must be a device id");
  if (f.after > 0 && f.offset > 0) return MakeError(ErrorCode::kInvalidArgument, "give after or offset, not both");
  if (!f.state.empty()) {
    if (auto s = ParseDeviceState(f.state); !s) return s.error();
  }
  if (!f.status.empty() && f.status != "covered" && f.status != "review" && f.status != "unknown" &&
      f.status != "clear") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown status '" + f.status + "' (covered, review, unknown, clear)");
  }
  DevicePage page;
  if (f.only_sites && f.only_sites->empty()) return std::optional<DevicePage>(std::move(page));  // an empty scope matches nothing
  std::string today = Today();
  auto deadlines = AllDeadlines();
  if (!deadlines) return deadlines.error();
  // The position of the cursor: the page goes on after device `after` in (site key, id) order.
  std::string after_site;
  if (f.after > 0) {
    SqlValue p[] = {I(f.after)};
    auto at = store_->Query(std::string(kReusePlan) + "SELECT s.key FROM devices d JOIN sites s ON s.id = d.site_id WHERE d.id = $1", p);
    if (!at) return at.error();
    if (at->empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "after: no device with id " + std::to_string(f.after));
    }
    after_site = Col(at->front(), 0);
  }
  std::vector<SqlValue> params;
  auto param = [&params](SqlValue v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  // Conditions on the site (its key, department, the caller's scope) and on the device.
  std::string site_where;
  if (!f.site.empty()) site_where += " AND s.key = " + param(T(f.site));
  if (!f.department.empty()) site_where += " AND dp.key = " + param(T(f.department));
  if (f.only_sites) {
    std::string list;
    for (const auto& site : *f.only_sites) list += (list.empty() ? "" : ", ") + param(T(site));
    site_where += " AND s.key IN (" + list + ")";
  }
  std::string where;
  std::string candidates;  // PostgreSQL text search: the devices that can match, through its index
  if (!f.state.empty()) {
    where += " AND d.state = " + param(T(f.state));
    // The literal term lets both databases use the partial index devices_site_state (schema v3).
    if (f.state != "found") where += " AND d.state <> 'found'";
  }
  if (!f.maker.empty()) where += " AND d.manufacturer = " + param(T(f.maker));
  if (!f.brand.empty()) where += " AND d.brand = " + param(T(f.brand));
  if (!f.policy.empty()) {
    where += " AND (',' || d.prohibited || ',' || d.review || ',') LIKE ('%,' || " + param(T(f.policy)) + " || ',%')";
  }
  if (f.status == "covered") where += " AND d.prohibited <> ''";
  if (f.status == "review") where += " AND d.prohibited = '' AND d.review <> ''";
  if (f.status == "unknown") where += " AND d.prohibited = '' AND d.review = '' AND d.manufacturer = ''";
  if (f.status == "clear") where += " AND d.prohibited = '' AND d.review = '' AND d.manufacturer <> ''";
  if (!f.text.empty()) {
    std::string pattern = "%";
    for (char c : f.text) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    pattern += "%";
    std::string p = param(T(pattern));
    // SQLite's LIKE ignores ASCII case already; PostgreSQL's ILIKE does the same.
    const char* like = store_->dialect() == Dialect::kSqlite ? " LIKE " : " ILIKE ";
    const char* cols[] = {"d.ip", "d.mac", "d.serial", "d.manufacturer", "d.brand", "d.model"};
    bool pg = store_->dialect() == Dialect::kPostgres;
    if (!pg || f.text.find(' ') != std::string::npos) {
      where += " AND (";
      for (size_t i = 0; i < 6; ++i) {
        where += std::string(i ? " OR " : "") + cols[i] + like + p + " ESCAPE '\\'";
      }
      where += ")";
    }
    if (pg) {
      // The fields joined by spaces (never NULL): a text without a space matches them exactly
      // when it matches one of them, so the term above (a substring of one field) is needed only
      // for a text with a space. The same text as device_search.body (schema v9), whose
      // trigram index gives the candidates where an index is wanted (`candidates`).
      where += std::string(" AND ") + kDeviceSearchText + " ILIKE " + p + " ESCAPE '\\'";
      // The devices whose stored body matches, and those written since device_search was last
      // brought up to date (queued; their body may be old or missing): every device that can
      // match, each checked by `where` above against its own fields.
      candidates = " AND d.id IN (SELECT device_id FROM device_search WHERE body ILIKE " + p +
                   " ESCAPE '\\' UNION ALL SELECT device_id FROM device_search_queue)";
    }
  }
  if (f.with_audit_only) where += " AND EXISTS (SELECT 1 FROM audit_log a WHERE a.device_id = d.id)";
  if (f.overdue_only) {
    // Overdue by the device's own fields: the stored overdue_from (index devices_overdue_from);
    // by a passed policy deadline of its site: only sites with one can hold such devices.
    std::string t = param(T(today));
    std::string passed;
    for (const auto& [site, policies] : *deadlines) {
      for (const auto& [policy, date] : policies) {
        if (date < today) {
          passed += (passed.empty() ? "" : ", ") + param(T(site));
          break;
        }
      }
    }
    where += " AND ((d.overdue_from <> '' AND d.overdue_from < " + t + ")";
    if (!passed.empty()) {
      where += " OR (d.site_id IN (SELECT id FROM sites WHERE key IN (" + passed +
               ")) AND d.state IN ('found', 'confirmed', 'replacement-planned', 'missing') AND d.prohibited <> '' "
               "AND EXISTS (SELECT 1 FROM site_deadlines sd WHERE sd.site_id = d.site_id AND sd.deadline < " + t +
               " AND (',' || d.prohibited || ',') LIKE ('%,' || sd.policy || ',%')))";
    }
    where += ")";
  }
  // Overdue pages (and text search on SQLite) find their few matches through an index and
  // count them in the page query (a window over the filtered rows) instead of a second pass.
  // Not after a cursor: the window would count only the matches after it.
  bool pg_text = store_->dialect() == Dialect::kPostgres && !f.text.empty() && f.limit > 0;
  bool count_in_page = f.limit > 0 && f.after == 0 && !pg_text && (!f.text.empty() || f.overdue_only);
  size_t filter_params = params.size();  // the count query binds these only
  // The matches up to the cap (and whether that is all of them). The joins are needed only to
  // filter by site or department key. The same count is asked for every page of a list: it is
  // kept while the data stays as it was (read_cache_, refreshed by AllDeadlines above).
  auto capped_count = [&]() -> Result<std::pair<int64_t, bool>> {
    params.resize(filter_params);
    int64_t cap = std::max(f.count_cap, f.offset + f.limit);
    std::string stop = param(I(cap + 1));
    bool joins = !site_where.empty();
    std::string sql = std::string("SELECT COUNT(*) FROM (SELECT 1 FROM devices d ") +
                      (joins ? "JOIN sites s ON s.id = d.site_id JOIN departments dp ON dp.id = "
                               "s.department_id "
                             : "") +
                      "WHERE 1 = 1" + site_where + where + candidates + " LIMIT " + stop + ") x";
    auto capped = [cap](int64_t total) { return std::make_pair(std::min(total, cap), total <= cap); };
    const std::string& version = read_cache_.version;  // "" (nothing cached): count every time
    if (version.empty()) {
      auto n = store_->Query(sql, params);
      if (!n) return n.error();
      return capped(ColInt(n->front(), 0));
    }
    std::string key = StatementKey(sql, params);
    if (auto hit = read_cache_.counts.find(key); hit != read_cache_.counts.end()) return capped(hit->second);
    SharedCounts* shared =
        store_->dialect() == Dialect::kPostgres ? &SharedCountsOf(store_->description()) : nullptr;
    std::optional<int64_t> total = shared ? SharedCount(*shared, version, key) : std::nullopt;
    std::unique_lock<std::mutex> counting;
    if (!total && shared) {
      // One connection at a time counts: right after a commit (or at the start) every pooled
      // connection would otherwise count the same matches at once (0.5 s each for 60,000 under
      // load), and each request would wait for all of them.
      counting = std::unique_lock<std::mutex>(shared->count_mu);
      total = SharedCount(*shared, version, key);
    }
    if (!total) {
      auto n = store_->Query(sql, params);
      if (!n) return n.error();
      total = ColInt(n->front(), 0);
      if (shared) KeepSharedCount(*shared, version, key, *total);
    }
    if (read_cache_.counts.size() >= 256) read_cache_.counts.clear();  // bounded: many distinct filters
    read_cache_.counts.emplace(std::move(key), *total);
    return capped(*total);
  };
  // A text search on PostgreSQL counts first and lets the count choose the page's plan: few
  // matches are fetched through the trigram index and sorted (walking the sites' devices in
  // order would read whole sites to find them); many matches (a maker's name) are found by
  // that walk within a few rows each, where fetching and sorting all of them took 0.5 s for
  // 33,000 (InventoryOptions::dense_text_matches; the walk reads about limit x devices /
  // matches rows of a site).
  std::optional<std::pair<int64_t, bool>> counted;
  if (pg_text) {
    auto c = capped_count();
    if (!c) return c.error();
    counted = *c;
  }
  bool flat = counted && counted->second && counted->first < options_.dense_text_matches;
  const bool pg = store_->dialect() == Dialect::kPostgres;
  // Where a deep offset page starts: after match number from_at, device from_id of site
  // from_site (an offset checkpoint; from_at 0: from the start of the list).
  std::string from_site;
  int64_t from_id = 0, from_at = 0;
  // The conditions of one part of the list: 0 all of it; 1 and 2 after the cursor: the rest of
  // the cursor's site, then the sites after it (each an index range; one query would read the
  // cursor's site from its start); 3 after (from_site, from_id): the rest of that site (its
  // index range from the device) and the sites after it, in one query.
  auto part_where = [&](int part, std::string& sites, std::string& devices) {
    sites = site_where;
    devices = where;
    if (part == 1) {
      sites += " AND s.key = " + param(T(after_site));
      devices += " AND d.id > " + param(I(f.after));
    } else if (part == 2) {
      sites += " AND s.key > " + param(T(after_site));
    } else if (part == 3) {
      std::string site = param(T(from_site));
      sites += " AND s.key >= " + site;
      devices += " AND d.id > CASE WHEN s.key = " + site + " THEN CAST(" + param(I(from_id)) + " AS BIGINT) ELSE 0 END";
    }
  };
  // One page query (`part` as above).
  auto page_rows = [&](int part, int64_t limit, int64_t offset) -> Result<std::vector<SqlRow>> {
    params.resize(filter_params);
    std::string sites, devices;
    part_where(part, sites, devices);
    std::string sql;
    if (limit > 0 && !count_in_page && !flat && store_->dialect() == Dialect::kPostgres) {
      // PostgreSQL joins all devices to their sites and sorts them for ORDER BY s.key, d.id
      // (~0.4 s for 100,000). Instead: the matching sites in key order, and from each one its
      // first offset + limit matching devices in id order (index devices_site_id), so a page
      // reads at most offset + limit devices per site; the incremental sort by id within a
      // site stops once the page is full.
      std::string n = param(I(offset + limit));
      std::string select(kDeviceSelect);
      select.replace(select.find("FROM devices d "), std::string::npos,
                     "FROM (SELECT s.id, s.key, s.department_id, s.full_scans FROM sites s JOIN departments dp ON dp.id = "
                     "s.department_id WHERE 1 = 1" + sites +
                     ") s CROSS JOIN LATERAL (SELECT * FROM devices d WHERE d.site_id = s.id" + devices +
                     " ORDER BY d.id LIMIT " + n +
                     ") d JOIN departments dp ON dp.id = s.department_id LEFT JOIN scans sc ON sc.id = d.last_scan_id ");
      sql = std::string(kReusePlan) + select + "ORDER BY s.key, d.id";
    } else {
      std::string select(kDeviceSelect);
      if (count_in_page) select.replace(select.find(" FROM devices d "), 0, ", COUNT(*) OVER ()");
      // SQLite walks the sites in key order and each site's devices by index devices_site_id.
      sql = select + "WHERE 1 = 1" + sites + devices + (pg_text ? candidates : "") + " ORDER BY s.key, d.id";
    }
    if (limit > 0) sql += " LIMIT " + param(I(limit)) + " OFFSET " + param(I(offset));
    return store_->Query(sql, params);
  };
  // The site key and id of every step-th match in page order, of the next `n` matches of
  // `part` (0 or 3): one walk that reads the keys only (and what the filter needs), numbered in
  // the database so that only the checkpoints come back.
  const int64_t step = options_.offset_checkpoint_step;
  auto walk_keys = [&](int part, int64_t n) -> Result<std::vector<SqlRow>> {
    params.resize(filter_params);
    std::string sites, devices;
    part_where(part, sites, devices);
    std::string count = param(I(n));
    std::string walk =
        pg ? "SELECT s.key AS site_key, d.id AS device_id FROM (SELECT s.id, s.key FROM sites s JOIN departments dp "
             "ON dp.id = s.department_id WHERE 1 = 1" + sites + ") s CROSS JOIN LATERAL (SELECT d.id FROM devices d "
             "WHERE d.site_id = s.id" + devices + " ORDER BY d.id LIMIT " + count + ") d ORDER BY s.key, d.id LIMIT " +
             count
           : "SELECT s.key AS site_key, d.id AS device_id FROM devices d JOIN sites s ON s.id = d.site_id JOIN "
             "departments dp ON dp.id = s.department_id WHERE 1 = 1" + sites + devices +
             " ORDER BY s.key, d.id LIMIT " + count;
    std::string every = param(I(step));  // bound before `params` is passed on
    return store_->Query("SELECT site_key, device_id FROM (SELECT site_key, device_id, ROW_NUMBER() OVER (ORDER BY "
                         "site_key, device_id) AS n FROM (" + walk + ") w) x WHERE n % " + every + " = 0 ORDER BY n",
                         params);
  };
  // The keys kept under `key` for the data version (checkpoints, or every match of a rare
  // search): this connection's when `enough`, else the pool's (PostgreSQL), else `extend`ed from
  // what is kept and kept in both. One connection at a time extends (the others wait and take
  // what it found): right after a commit every pooled connection would otherwise walk the same
  // keys at once.
  auto kept_keys = [&](const std::string& key, auto enough,
                       auto extend) -> Result<const OffsetCheckpoints*> {
    const std::string& version = read_cache_.version;
    SharedCounts* shared = pg ? &SharedCountsOf(store_->description()) : nullptr;
    const OffsetCheckpoints* cp = read_cache_.checkpoints.Find(key);
    std::unique_lock<std::mutex> building;
    if (!enough(cp) && shared) {
      building = std::unique_lock<std::mutex>(shared->build_mu);
      auto theirs = SharedCheckpoints(*shared, version, key);
      if (theirs && (!cp || theirs->complete || theirs->at.size() > cp->at.size())) {
        read_cache_.checkpoints.Keep(key, std::move(*theirs));
        cp = read_cache_.checkpoints.Find(key);
      }
    }
    if (!enough(cp)) {
      Result<OffsetCheckpoints> more = extend(cp);
      if (!more) return more.error();
      if (shared) KeepSharedCheckpoints(*shared, version, key, *more);
      read_cache_.checkpoints.Keep(key, std::move(*more));
      cp = read_cache_.checkpoints.Find(key);
    }
    return cp;
  };
  // Deep offset pages start from the nearest checkpoint at or before the offset and skip less
  // than a step from there, instead of reading every skipped match (60,000 took 185 ms of CPU
  // on PostgreSQL). The checkpoints of a filter come from one walk over the keys up to the
  // offset (continued from the last one for a deeper offset), kept under the data version
  // like the counts (on PostgreSQL shared by the process's connections).
  auto find_checkpoint = [&]() -> Status {
    std::string key = StatementKey(std::to_string(step) + site_where + where,
                                   std::span<const SqlValue>(params.data(), filter_params));
    size_t want = static_cast<size_t>(f.offset / step);
    auto enough = [want](const OffsetCheckpoints* c) { return c && (c->at.size() >= want || c->complete); };
    auto extend = [&](const OffsetCheckpoints* cp) -> Result<OffsetCheckpoints> {
      OffsetCheckpoints more = cp ? *cp : OffsetCheckpoints{};
      size_t missing = want - more.at.size();
      if (!more.at.empty()) {
        from_site = more.at.back().first;
        from_id = more.at.back().second;
      }
      auto keys = walk_keys(more.at.empty() ? 0 : 3, static_cast<int64_t>(missing) * step);
      if (!keys) return keys.error();
      for (const auto& r : *keys) more.at.emplace_back(Col(r, 0), ColInt(r, 1));
      more.complete = keys->size() < missing;
      return more;
    };
    auto cp = kept_keys(key, enough, extend);
    if (!cp) return cp.error();
    size_t k = std::min(want, (*cp)->at.size());
    from_at = static_cast<int64_t>(k) * step;
    if (k > 0) {
      from_site = (*cp)->at[k - 1].first;
      from_id = (*cp)->at[k - 1].second;
    }
    return Status::Ok();
  };
  if (step > 0 && f.limit > 0 && f.after == 0 && f.offset >= step && !flat && !read_cache_.version.empty()) {
    PO_TRY(find_checkpoint());
    if (from_at > 0) count_in_page = false;  // the window would count the matches after the checkpoint only
  }
  // A text search with few matches (the flat plan, PostgreSQL only) keeps the keys of all its
  // matches in page order under the data version, like checkpoints with a step of one: its
  // offset pages are then read by primary key, without the trigram index lookup and its
  // planning (~2-3 ms for a rare term made of common trigrams, "DS-2CD4242"). Not after a
  // cursor: its place in the list would be found by comparing site keys, which the database's
  // collation orders.
  std::string listed;  // the page's ids as a PostgreSQL array, "{3,5}"; "": not listed
  if (flat && f.after == 0 && !read_cache_.version.empty()) {
    std::string key = StatementKey("text matches" + site_where + where,
                                   std::span<const SqlValue>(params.data(), filter_params));
    auto enough = [](const OffsetCheckpoints* c) { return c != nullptr; };
    auto extend = [&](const OffsetCheckpoints*) -> Result<OffsetCheckpoints> {
      params.resize(filter_params);
      auto found = store_->Query(
          "SELECT s.key, d.id FROM devices d JOIN sites s ON s.id = d.site_id JOIN departments dp ON dp.id = "
          "s.department_id WHERE 1 = 1" + site_where + where + candidates + " ORDER BY s.key, d.id",
          params);
      if (!found) return found.error();
      OffsetCheckpoints matches;
      matches.complete = true;
      for (const auto& r : *found) matches.at.emplace_back(Col(r, 0), ColInt(r, 1));
      return matches;
    };
    auto kept = kept_keys(key, enough, extend);
    if (!kept) return kept.error();
    const OffsetCheckpoints* all = *kept;
    listed = "{";
    auto end = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(all->at.size()), f.offset + f.limit));
    for (auto i = static_cast<size_t>(f.offset); i < end; ++i) {
      if (listed.size() > 1) listed += ',';
      listed += std::to_string(all->at[i].second);
    }
    listed += '}';
  }
  Result<std::vector<SqlRow>> rows = std::vector<SqlRow>();
  if (!listed.empty()) {
    SqlValue ids[] = {T(listed)};
    rows = store_->Query(std::string(kReusePlan) + kDeviceSelect +
                             "WHERE d.id = ANY(CAST($1 AS BIGINT[])) ORDER BY s.key, d.id",
                         ids);
  } else if (from_at > 0) {
    rows = page_rows(3, f.limit, f.offset - from_at);
  } else {
    rows = page_rows(f.after > 0 ? 1 : 0, f.limit, f.offset);
  }
  if (!rows) return rows.error();
  if (from_at > 0 || !listed.empty()) {
    // The checkpoints (and kept matches) hold for the data they were found in: after a commit
    // between reading the version and the page they may have moved. Reading the page again
    // from the start of the list at once cost every request in flight a full skip (~1 s at
    // p99 under 200 requests/s for offset 30,000 after a catalogue ANALYZE moved the snapshot).
    auto now = store_->DataVersion();
    if (!now) return now.error();
    if (*now != read_cache_.version) {
      if (again) return std::optional<DevicePage>();
      read_cache_ = ReadCache{};
      read_cache_.version = std::move(*now);
      rows = page_rows(0, f.limit, f.offset);
      if (!rows) return rows.error();
    }
  }
  if (f.after > 0 && (f.limit == 0 || static_cast<int64_t>(rows->size()) < f.limit)) {
    // The cursor's site is done: go on with the sites after it.
    auto more = page_rows(2, f.limit == 0 ? 0 : f.limit - static_cast<int64_t>(rows->size()), 0);
    if (!more) return more.error();
    for (auto& r : *more) rows->push_back(std::move(r));
  }
  if (counted) {
    page.total = counted->first;
    page.total_exact = counted->second;
  } else if (count_in_page && !rows->empty()) {
    page.total = ColInt(rows->front(), rows->front().size() - 1);
  } else if (f.limit > 0 && f.after == 0 && f.offset == 0 && static_cast<int64_t>(rows->size()) < f.limit) {
    page.total = static_cast<int64_t>(rows->size());  // a short first page holds every match
  } else if (f.limit > 0 && f.after == 0 && !rows->empty() && static_cast<int64_t>(rows->size()) < f.limit) {
    page.total = f.offset + static_cast<int64_t>(rows->size());  // a short page is the last
  } else if (f.limit > 0) {
    // Count the matches up to the cap only (the count of 100,000 devices took longer than the
    // page itself). After a cursor the count is of every match, as on the first page.
    auto c = capped_count();
    if (!c) return c.error();
    page.total = c->first;
    page.total_exact = c->second;
  }
  for (size_t i = f.limit > 0 ? 0 : static_cast<size_t>(std::min<int64_t>(f.offset, rows->size()));
       i < rows->size(); ++i) {
    DeviceRecord d = ReadDevice((*rows)[i]);
    Derive(d, *deadlines, today);
    page.devices.push_back(std::move(d));
  }
  if (f.limit == 0) page.total = static_cast<int64_t>(rows->size());
  return std::optional<DevicePage>(std::move(page));
}

Result<std::vector<DeviceGroup>> SqlInventory::CountDeviceGroups(const DeviceFilter& f) {
  if (!f.state.empty() || !f.maker.empty() || !f.brand.empty() || !f.policy.empty() || !f.status.empty() ||
      !f.text.empty() || f.overdue_only || f.with_audit_only || f.after != 0 || f.offset != 0 || f.limit != 0) {
    return MakeError(ErrorCode::kInvalidArgument, "device groups are filtered by site, department and scope only");
  }
  std::vector<DeviceGroup> out;
  if (f.only_sites && f.only_sites->empty()) return out;
  std::vector<SqlValue> params;
  auto param = [&params](SqlValue v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  std::string where;
  if (!f.site.empty()) where += " AND s.key = " + param(T(f.site));
  if (!f.department.empty()) where += " AND dp.key = " + param(T(f.department));
  if (f.only_sites) {
    std::string list;
    for (const auto& site : *f.only_sites) list += (list.empty() ? "" : ", ") + param(T(site));
    where += " AND s.key IN (" + list + ")";
  }
  const char* group =
      "s.key, dp.key, d.manufacturer, d.brand, d.device_type, d.prohibited, d.review, d.state, d.target_date, "
      "d.waiver_expiry, SUBSTR(d.first_seen, 1, 10)";
  auto rows = store_->Query(std::string("SELECT ") + group + ", COUNT(*) FROM devices d JOIN sites s ON s.id = "
                                "d.site_id JOIN departments dp ON dp.id = s.department_id WHERE NOT EXISTS (SELECT 1 "
                                "FROM audit_log a WHERE a.device_id = d.id)" + where + " GROUP BY " + group +
                                " ORDER BY " + group,
                            params);
  if (!rows) return rows.error();
  for (const auto& r : *rows) {
    DeviceGroup g;
    g.device.id = 0;
    g.device.site = Col(r, 0);
    g.device.department = Col(r, 1);
    g.device.manufacturer = Col(r, 2);
    g.device.brand = Col(r, 3);
    g.device.device_type = Col(r, 4);
    g.device.prohibited = SplitList(Col(r, 5));
    g.device.review = SplitList(Col(r, 6));
    auto state = ParseDeviceState(Col(r, 7));
    if (!state) return state.error();
    g.device.state = *state;
    g.device.target_date = Col(r, 8);
    g.device.waiver_expiry = Col(r, 9);
    g.device.first_seen = Col(r, 10);
    g.count = ColInt(r, 11);
    out.push_back(std::move(g));
  }
  return out;
}

Result<std::string> SqlInventory::LastRecord(int64_t id) {
  SqlValue p[] = {I(id)};
  auto rows = store_->Query(std::string(kReusePlan) +
                                "SELECT d.id, r.record FROM devices d LEFT JOIN scan_records r ON r.scan_id = "
                                "d.last_scan_id AND r.seq = d.last_seq WHERE d.id = $1",
                            p);
  if (!rows) return rows.error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no device with id " + std::to_string(id));
  return Col(rows->front(), 1);
}

Result<std::vector<DeviceLastRecord>> SqlInventory::LastRecords(int64_t after_id, int64_t limit) {
  if (limit < 1 || limit > 5000) return MakeError(ErrorCode::kInvalidArgument, "a page holds 1 to 5000 records");
  SqlValue p[] = {I(after_id), I(limit)};
  auto rows = store_->Query(
      "SELECT d.id, COALESCE(r.record, '') FROM devices d LEFT JOIN scan_records r ON r.scan_id = d.last_scan_id "
      "AND r.seq = d.last_seq WHERE d.id > $1 ORDER BY d.id LIMIT $2",
      p);
  if (!rows) return rows.error();
  std::vector<DeviceLastRecord> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back({ColInt(r, 0), Col(r, 1)});
  return out;
}

Result<DeviceRecord> SqlInventory::GetDevice(int64_t id) {
  auto d = LoadDevice(id);
  if (!d) return d;
  auto deadlines = AllDeadlines();
  if (!deadlines) return deadlines.error();
  Derive(*d, *deadlines, Today());
  return d;
}

Result<std::vector<AuditEntry>> SqlInventory::History(int64_t device_id) {
  SqlValue p[] = {I(device_id)};
  auto rows = store_->Query(std::string(kReusePlan) + kAuditSelect + "WHERE device_id = $1 ORDER BY seq", p);
  if (!rows) return rows.error();
  std::vector<AuditEntry> out;
  for (const auto& r : *rows) out.push_back(ReadAudit(r));
  return out;
}

Result<AuditVerification> SqlInventory::VerifyAudit() {
  AuditVerification v;
  std::string prev(kGenesisHash);
  int64_t expected = 1;
  int64_t after = 0;
  // Page through the log so memory stays bounded on long histories.
  while (true) {
    SqlValue p[] = {I(after)};
    auto rows = store_->Query(std::string(kAuditSelect) + "WHERE seq > $1 ORDER BY seq LIMIT 5000", p);
    if (!rows) return rows.error();
    if (rows->empty()) break;
    for (const auto& r : *rows) {
      AuditEntry e = ReadAudit(r);
      after = e.seq;
      ++v.entries;
      std::string problem;
      if (e.seq != expected) {
        problem = "entry " + std::to_string(expected) + (e.seq > expected ? " is missing (deleted)" : " is duplicated");
      } else if (e.prev_hash != prev) {
        problem = "entry " + std::to_string(e.seq) + " does not follow entry " + std::to_string(e.seq - 1) +
                  " (previous hash differs: an entry before it was changed or removed)";
      } else if (EntryHash(e) != e.hash) {
        problem = "entry " + std::to_string(e.seq) + " was changed after it was written (hash mismatch)";
      }
      if (!problem.empty() && v.ok) {
        v.ok = false;
        v.first_bad_seq = e.seq != expected ? expected : e.seq;
        v.problem = problem;
      }
      prev = e.hash;
      expected = e.seq + 1;
      v.head_hash = e.hash;
    }
  }
  if (v.ok) {
    // Scans whose raw records no longer match what the ingest entry recorded.
    auto scans = store_->Query(std::string(kAuditSelect) + "WHERE action = 'ingest' ORDER BY seq");
    if (!scans) return scans.error();
    for (const auto& r : *scans) {
      AuditEntry e = ReadAudit(r);
      json a = json::parse(e.after, nullptr, false);
      if (!a.is_object() || !a.contains("records_sha256") || !a.contains("records")) continue;
      auto digest = DigestScanRecords(*store_, e.scan_id);
      if (!digest) return digest.error();
      const auto& [count, sha256] = *digest;
      if (count != a["records"].get<int64_t>() || sha256 != a["records_sha256"].get<std::string>()) {
        v.ok = false;
        v.first_bad_seq = e.seq;
        v.problem = "raw records of scan " + a.value("scan", std::string()) +
                    " differ from what audit entry " + std::to_string(e.seq) + " recorded (" +
                    std::to_string(count) + " records now)";
        break;
      }
    }
  }
  return v;
}

Result<std::vector<Event>> SqlInventory::Events(int64_t after_id) {
  SqlValue p[] = {I(after_id)};
  auto rows = store_->Query(
      "SELECT id, at, kind, severity, site, device_id, scan, message FROM events WHERE id > $1 ORDER BY id", p);
  if (!rows) return rows.error();
  std::vector<Event> out;
  for (const auto& r : *rows) {
    out.push_back({ColInt(r, 0), Col(r, 1), Col(r, 2), Col(r, 3), Col(r, 4), ColInt(r, 5), Col(r, 6), Col(r, 7)});
  }
  return out;
}

Result<ScanDiff> SqlInventory::Diff(const std::string& site, const std::string& from, const std::string& to) {
  auto site_row = LoadSite(site);
  if (!site_row) return site_row.error();
  std::string a = from, b = to;
  if (a.empty() || b.empty()) {
    SqlValue p[] = {I(site_row->id)};
    auto rows = store_->Query(
        "SELECT key FROM scans WHERE site_id = $1 AND complete = 1 ORDER BY started_at DESC, id DESC LIMIT 2", p);
    if (!rows) return rows.error();
    if (rows->size() < 2) {
      return MakeError(ErrorCode::kNotFound, "site " + site + " has fewer than two complete scans to compare");
    }
    if (b.empty()) b = Col((*rows)[0], 0);
    if (a.empty()) a = Col((*rows)[1], 0);
  }
  struct Seen {
    std::string ip, manufacturer, model, firmware, verdicts;
  };
  auto load = [&](const std::string& key) -> Result<std::map<int64_t, Seen>> {
    SqlValue p[] = {T(key), I(site_row->id)};
    auto id = store_->Query("SELECT id FROM scans WHERE key = $1 AND site_id = $2", p);
    if (!id) return id.error();
    if (id->empty()) return MakeError(ErrorCode::kNotFound, "no scan '" + key + "' at site " + site);
    std::map<int64_t, Seen> out;
    int64_t after = 0;
    while (true) {
      SqlValue q[] = {ColInt(id->front(), 0), I(after)};
      auto rows = store_->Query(
          "SELECT seq, device_id, record FROM scan_records WHERE scan_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000", q);
      if (!rows) return rows.error();
      if (rows->empty()) break;
      for (const auto& r : *rows) {
        after = ColInt(r, 0);
        auto rec = ParseScanRecord(Col(r, 2));
        if (!rec) continue;
        out[ColInt(r, 1)] = {rec->ip, rec->manufacturer, rec->model, rec->firmware,
                             JoinList(rec->prohibited) + "|" + JoinList(rec->review)};
      }
    }
    return out;
  };
  auto sa = load(a);
  if (!sa) return sa.error();
  auto sb = load(b);
  if (!sb) return sb.error();
  ScanDiff d;
  d.site = site;
  d.from_scan = a;
  d.to_scan = b;
  for (const auto& [id, s] : *sb) {
    auto it = sa->find(id);
    if (it == sa->end()) {
      d.appeared.push_back({id, s.ip, s.manufacturer, s.model, "appeared"});
      continue;
    }
    std::string change;
    const Seen& o = it->second;
    if (o.ip != s.ip) change += "address " + o.ip + " -> " + s.ip + "; ";
    if (o.manufacturer != s.manufacturer) change += "maker '" + o.manufacturer + "' -> '" + s.manufacturer + "'; ";
    if (o.model != s.model) change += "model '" + o.model + "' -> '" + s.model + "'; ";
    if (o.firmware != s.firmware) change += "firmware '" + o.firmware + "' -> '" + s.firmware + "'; ";
    if (o.verdicts != s.verdicts) change += "verdicts changed; ";
    if (!change.empty()) {
      change.resize(change.size() - 2);
      d.changed.push_back({id, s.ip, s.manufacturer, s.model, change});
    }
  }
  for (const auto& [id, s] : *sa) {
    if (sb->find(id) == sb->end()) d.disappeared.push_back({id, s.ip, s.manufacturer, s.model, "disappeared"});
  }
  return d;
}

}  // namespace phaseout::inventory::internal
