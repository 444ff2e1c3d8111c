// Ingest of scan records (identity resolution and writes a batch at a time), the verification
// pass after a complete scan, and rebuild (replaying every stored scan with the current rules
// and redoing the recorded decisions).

#include "core/json_dump.h"
#include "inventory/inventory_internal.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <span>
#include <tuple>
#include <unordered_set>

#include "inventory/identity.h"

namespace phaseout::inventory::internal {

namespace {

// IdentityLookup over the devices table of one site, one query per call (Rebuild uses it to
// find the device a recorded decision was about; the ingest resolves from a BatchLookup).
class SqlIdentityLookup final : public IdentityLookup {
 public:
  SqlIdentityLookup(Store& store, int64_t site_id) : store_(store), site_id_(site_id) {}

  std::optional<IdentityCandidate> ByMac(const std::string& mac) override {
    SqlValue p[] = {I(site_id_), T(mac)};
    return One(
        "SELECT id, mac, serial, ip, manufacturer, model, last_scan_id FROM devices "
        "WHERE site_id = $1 AND mac = $2 AND mac <> '' ORDER BY id LIMIT 1",
        p);
  }
  std::optional<IdentityCandidate> BySerial(const std::string& maker, const std::string& serial) override {
    SqlValue p[] = {I(site_id_), T(serial), T(maker)};
    return One(
        "SELECT id, mac, serial, ip, manufacturer, model, last_scan_id FROM devices "
        "WHERE site_id = $1 AND serial = $2 AND serial <> '' AND manufacturer = $3 ORDER BY id LIMIT 1",
        p);
  }
  std::optional<IdentityCandidate> ByAddressMakerModel(const std::string& ip, const std::string& maker,
                                                       const std::string& model) override {
    SqlValue p[] = {I(site_id_), T(ip), T(maker), T(model)};
    return One(
        "SELECT id, mac, serial, ip, manufacturer, model, last_scan_id FROM devices "
        "WHERE site_id = $1 AND ip = $2 AND manufacturer = $3 AND model = $4 ORDER BY id DESC LIMIT 1",
        p);
  }
  Status status() const { return status_; }

 private:
  std::optional<IdentityCandidate> One(std::string_view sql, std::span<const SqlValue> p) {
    auto rows = store_.Query(sql, p);
    if (!rows) {
      status_ = rows.error();
      return std::nullopt;
    }
    if (rows->empty()) return std::nullopt;
    const SqlRow& r = rows->front();
    return IdentityCandidate{ColInt(r, 0), Col(r, 1), Col(r, 2), Col(r, 3), Col(r, 4), Col(r, 5), ColInt(r, 6)};
  }
  Store& store_;
  int64_t site_id_;
  Status status_;
};

// Runs one multi-row statement per chunk of rows: `head`, then the rows (each `row` with its
// '?' replaced by the next parameter), then `tail`. Chunks hold at most 128 rows and are powers
// of two, so a batch costs a few statements (round trips on PostgreSQL) and only a few statement
// texts get prepared whatever the batch size; the texts are built once per thread. On SQLite the
// parameters are anonymous '?' (numbered by position): SQLite looks `$N` names up linearly when
// preparing, which made preparing a 2,304-parameter statement cost milliseconds. Result rows
// (RETURNING) are appended to *out when given. `head`, `row` and `tail` must be string literals (their addresses key the
// cache of statement texts).
constexpr size_t kMaxRowsPerStatement = 128;
// SQLite too: one row per re-run statement measured slower (callgrind, 20,000 records: 4.1 vs 3.2
// billion instructions; RETURNING and UPDATE ... FROM build a temporary table per statement).
constexpr size_t kSqliteRowsPerStatement = 128;
const std::string& MultiRowSql(Dialect dialect, std::string_view head, std::string_view row, std::string_view tail,
                               size_t chunk) {
  // Per thread: the server runs one store per thread.
  thread_local std::map<std::tuple<const char*, const char*, const char*, size_t, bool>, std::string> cache;
  auto key = std::make_tuple(head.data(), row.data(), tail.data(), chunk, dialect == Dialect::kSqlite);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::string sql(head);
  size_t n = 0;
  for (size_t i = 0; i < chunk; ++i) {
    if (i) sql += ", ";
    for (char c : row) {
      if (c != '?') {
        sql += c;
      } else if (dialect == Dialect::kSqlite) {
        sql += '?';
      } else {
        sql += '$';
        sql += std::to_string(++n);
      }
    }
  }
  sql += tail;
  return cache.emplace(key, std::move(sql)).first->second;
}
Status ExecRows(Store& store, std::string_view head, std::string_view row, size_t columns, std::string_view tail,
                std::span<const SqlValue> values, SqlRows* out = nullptr) {
  size_t rows = columns == 0 ? 0 : values.size() / columns;
  size_t most = store.dialect() == Dialect::kSqlite ? kSqliteRowsPerStatement : kMaxRowsPerStatement;
  size_t done = 0;
  while (done < rows) {
    size_t chunk = most;
    while (chunk > rows - done) chunk /= 2;
    const std::string& sql = MultiRowSql(store.dialect(), head, row, tail, chunk);
    auto r = store.Query(sql, values.subspan(done * columns, chunk * columns));
    if (!r) return r.error();
    if (out != nullptr) {
      for (auto& one : *r) out->push_back(std::move(one));
    }
    done += chunk;
  }
  return Status::Ok();
}

// PostgreSQL array literals, passed as one parameter and read with unnest($n::text[]) or
// unnest($n::bigint[]): a batch of any size is then one statement with a fixed text (the
// multi-row VALUES lists above need a parameter per value and a text per row count).
void AppendPgArrayElement(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}
std::string PgTextArray(std::span<const std::string> v) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    AppendPgArrayElement(out, v[i]);
  }
  return out + "}";
}
std::string PgIntArray(std::span<const int64_t> v) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(v[i]);
  }
  return out + "}";
}
// The columns of a batch, one array literal per column (PostgreSQL). Column c of row r is
// Add(c, ...) in row order.
class PgColumns {
 public:
  explicit PgColumns(size_t n) : cols_(n, "{"), rows_(n, 0) {}
  void Text(size_t c, std::string_view s) {
    if (rows_[c]++) cols_[c] += ',';
    AppendPgArrayElement(cols_[c], s);
  }
  void Null(size_t c) {
    if (rows_[c]++) cols_[c] += ',';
    cols_[c] += "NULL";
  }
  void Int(size_t c, int64_t n) {
    if (rows_[c]++) cols_[c] += ',';
    cols_[c] += std::to_string(n);
  }
  size_t rows() const { return rows_.empty() ? 0 : rows_[0]; }
  std::vector<SqlValue> Params() {
    std::vector<SqlValue> out;
    out.reserve(cols_.size());
    for (auto& c : cols_) out.push_back(T(std::move(c) + "}"));
    return out;
  }

 private:
  std::vector<std::string> cols_;
  std::vector<size_t> rows_;
};

// Hands out ids of `table` (devices, events) for rows an ingest inserts in batches, so a
// record knows its device id before the row is written. SQLite: MAX(id) + 1 onwards (what
// SQLite itself would choose; the ingest holds the write lock for its whole transaction and is
// the only inserter meanwhile). PostgreSQL: a range of kPgIdsPerQuery values of the table's
// sequence per round trip, taken by moving the sequence past it (setval(nextval + n - 1): one
// call instead of n nextval calls, which cost ~4 us each in the server). Every writer holds the
// writer lock (PostgresStore::Begin), so no other inserter draws from the sequence between the
// two; ids reserved and not used leave a gap, as sequences do anyway.
class IdAllocator {
 public:
  static constexpr int64_t kPgIdsPerQuery = 1024;
  IdAllocator(Store& store, std::string table) : store_(store), table_(std::move(table)) {}
  // Called before Next() runs a query of its own (the pipelined ingest waits for its thread).
  void set_before_query(std::function<Status()> f) { before_query_ = std::move(f); }
  Result<int64_t> Next() {
    if (store_.dialect() == Dialect::kSqlite) {
      if (next_ == 0) {
        auto r = store_.Query("SELECT COALESCE(MAX(id), 0) FROM " + table_);
        if (!r) return r.error();
        next_ = ColInt(r->front(), 0) + 1;
      }
      return next_++;
    }
    if (next_ == end_ && !spare_.empty()) {
      std::tie(next_, end_) = spare_.front();
      spare_.pop_front();
    }
    if (next_ == end_) {
      if (before_query_) PO_TRY(before_query_());
      auto first = Reserve(kPgIdsPerQuery);
      if (!first) return first.error();
      Add(*first, kPgIdsPerQuery);
    }
    return next_++;
  }
  // PostgreSQL: reserves `n` ids (any thread that may use the store); the first of them.
  Result<int64_t> Reserve(int64_t n) {
    SqlValue p[] = {T(table_), I(n)};
    auto r = store_.Query(
        "SELECT setval(q.s, nextval(q.s) + $2 - 1) FROM (SELECT CAST(pg_get_serial_sequence($1, 'id') AS regclass) "
        "AS s) AS q",
        p);
    if (!r) return r.error();
    if (r->empty()) return MakeError(ErrorCode::kInternal, "no ids from the sequence of " + table_);
    return ColInt(r->front(), 0) + 1 - n;
  }
  // Hands out [first, first + n) once the ids reserved before are used (PostgreSQL).
  void Add(int64_t first, int64_t n) {
    if (next_ == end_) {
      next_ = first;
      end_ = first + n;
    } else {
      spare_.emplace_back(first, first + n);
    }
  }
  // Ids reserved and not handed out yet (PostgreSQL).
  int64_t available() const {
    int64_t n = end_ - next_;
    for (const auto& [a, b] : spare_) n += b - a;
    return n;
  }
 private:
  Store& store_;
  std::string table_;
  int64_t next_ = 0;
  int64_t end_ = 0;  // PostgreSQL: end of the range handed out now, [next_, end_)
  std::deque<std::pair<int64_t, int64_t>> spare_;  // PostgreSQL: ranges reserved after it
  std::function<Status()> before_query_;
};

// The PostgreSQL statements of an ingest, run on a thread of their own in the order they were
// posted, so the ingest's thread resolves the next batch while PostgreSQL writes the last one
// (SqlScanIngest, "Pipelined"). Only the jobs use the store while any is queued or running.
// After a failure the jobs still queued are skipped; Wait returns the first failure.
class PgPipeline {
 public:
  PgPipeline() : thread_([this] { Run(); }) {}
  ~PgPipeline() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (error_.ok()) error_ = MakeError(ErrorCode::kInternal, "ingest abandoned");
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  PgPipeline(const PgPipeline&) = delete;
  PgPipeline& operator=(const PgPipeline&) = delete;

  // Queues `job`; its ticket for Wait.
  uint64_t Post(std::function<Status()> job) {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
    wake_.notify_all();
    return ++posted_;
  }
  // Waits until the jobs up to `ticket` ran (every job posted when 0): ok, or the first failure.
  Status Wait(uint64_t ticket = 0) {
    std::unique_lock<std::mutex> lock(mu_);
    if (ticket == 0) ticket = posted_;
    done_.wait(lock, [&] { return finished_ >= ticket; });
    return error_;
  }
  // The number of jobs that ran (or were skipped) so far.
  uint64_t finished() {
    std::lock_guard<std::mutex> lock(mu_);
    return finished_;
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      wake_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      std::function<Status()> job = std::move(jobs_.front());
      jobs_.pop_front();
      bool skip = !error_.ok();
      lock.unlock();
      Status s = skip ? Status::Ok() : job();
      job = nullptr;
      lock.lock();
      if (!s.ok() && error_.ok()) error_ = std::move(s);
      ++finished_;
      done_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_, done_;
  std::deque<std::function<Status()>> jobs_;
  uint64_t posted_ = 0, finished_ = 0;
  Status error_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the rest is constructed
};

// An ingest in progress. Records are resolved and written a batch (kBatchRows records) at a
// time, so a batch costs a constant number of statements (one round trip each on PostgreSQL)
// instead of a few per record:
//   1. one query reads every stored device of the site that shares a MAC, serial or address
//      with a record of the batch (the only devices the identity rules can pick for them);
//   2. the records are resolved in order against those candidates in memory (BatchLookup
//      answers exactly what the per-record SQL lookups would, including the devices created or
//      changed earlier in the same batch);
//   3. new devices (ids handed out by IdAllocator), changed devices, events and raw records
//      are written as multi-row statements.
// A record that brings back a missing, removed or verified-removed device takes the old
// per-record path (pending writes flushed first): a lifecycle change with its audit entry.
// Everything stays inside the ingest's one transaction.
class SqlScanIngest final : public ScanIngest {
 private:
  // A record of the batch and, once applied, its device and the rule that attached it.
  struct Pending {
    ScanRecord record;
    std::string raw;
    int64_t seq = 0;
    int64_t device_id = 0;
    std::string rule;
  };
  // A device the batch may touch, as stored plus the batch's changes so far.
  struct Candidate {
    int64_t id = 0;
    std::string mac, serial, ip, manufacturer, brand, device_type, model, firmware;
    std::string prohibited, review, state, prior_state, match_rule;
    int64_t last_scan_id = 0, last_seq = 0;
    bool is_new = false;   // created in this batch: to insert
    bool changed = false;  // stored and changed in this batch: to update
    int64_t touched = 0;   // pipelined: the batch (batch_no_) that last created or changed it
  };

  // A batch whose candidates the pipeline reads (PostLookup), with the ids reserved for it.
  struct Lookup {
    std::vector<Pending> batch;
    std::vector<SqlValue> params;  // of the candidate query (CandidateParams)
    std::vector<Candidate> cands;  // out: the stored devices sharing a key with the batch
    int64_t device_first = 0, device_n = 0, event_first = 0, event_n = 0;
    uint64_t ticket = 0;
  };
  // What a batch writes, built on this thread and run by the pipeline (RunWrites).
  struct BatchWrites {
    CopyText devices{std::size(kDeviceCols)};  // new devices, rows for COPY
    std::vector<SqlValue> changes;  // changed devices: the UPDATE's arrays (empty: none)
    std::vector<std::array<SqlValue, 5>> reviews;      // merge reviews opened
    std::vector<std::pair<Event, std::string>> events;  // raised, with their dedup keys
    std::vector<SqlValue> event_columns;                // the events as arrays
    bool event_keys_unique = true;                      // no dedup key twice among them
    CopyText records{std::size(kRecordCols)};           // raw records, rows for COPY
    std::vector<Event> kept;  // out: the events stored (those whose dedup key was new)
    uint64_t ticket = 0;
  };


 public:
  // `digest` is the scan's stored records_digest (a resumed scan): see DigestState.
  SqlScanIngest(SqlInventory& inv, ScanMeta meta, SiteRow site, int64_t scan_id, bool already, bool resumed,
                std::string_view digest)
      : inv_(inv), store_(*inv.store_), meta_(std::move(meta)), site_(std::move(site)), scan_id_(scan_id),
        resumed_(resumed), device_ids_(store_, "devices"), event_ids_(store_, "events") {
    summary_.scan_key = meta_.scan_key;
    summary_.already_ingested = already;
    if (resumed_) chain_ok_ = RestoreDigest(digest);
  }
  ~SqlScanIngest() override {
    pipeline_.reset();  // its jobs stop before the transaction goes
    if (owns_transaction_ && !done_ && store_.in_transaction()) (void)store_.Rollback();
  }

  Status AddLine(std::string_view line, int64_t seq) override {
    if (summary_.already_ingested) return Status::Ok();
    // `phaseout scan` NDJSON also carries scan_start/scan_end records (docs/policies.md,
    // "Complete or not"): they are not devices. A scan_end saying the scan was incomplete keeps
    // the scan out of the verification pass.
    auto parsed = ParseScanLine(line);
    if (!parsed) return parsed.error();
    switch (parsed->kind) {
      case ScanLineKind::kDevice: return Add(std::move(parsed->record), line, seq);
      case ScanLineKind::kIncompleteEnd: MarkIncomplete(); return Status::Ok();
      case ScanLineKind::kOther: return Status::Ok();
    }
    return Status::Ok();
  }

  Status AddRecord(const ScanRecord& r, std::string_view raw, int64_t seq) override { return Add(r, raw, seq); }

  Status Add(ScanRecord r, std::string_view raw, int64_t seq) {
    if (summary_.already_ingested) return Status::Ok();
    if (done_) return MakeError(ErrorCode::kInternal, "ingest already committed");
    if (resumed_) {
      // A resumed scan skips the records a previous (committed) chunk stored, and repeats: a
      // repeat within the batch here, stored ones (earlier chunks, earlier batches of this
      // ingest) with one query per batch (DropStored).
      bool pending = std::any_of(batch_.begin(), batch_.end(), [seq](const Pending& p) { return p.seq == seq; });
      if (pending) {
        ++summary_.skipped_records;
        return Status::Ok();
      }
    }
    if (!replay_) {
      // A resumed scan's stream continues the stored digest while its records come in sequence
      // order after the ones it covers.
      if (seq <= chain_last_seq_) chain_ok_ = false;
      if (!resumed_ || chain_ok_) {
        hash_.Update(raw);
        hash_.Update("\n");
        ++chain_count_;
        chain_last_seq_ = std::max(chain_last_seq_, seq);
      }
    }
    batch_.push_back({std::move(r), replay_ ? std::string() : std::string(raw), seq, 0, {}});
    ++summary_.records;
    if (batch_.size() < BatchLimit()) return Status::Ok();
    return FlushBatch();
  }
  // Records per batch. On PostgreSQL the first batch of a pipelined ingest (the pipeline starts
  // with it) is smaller: until its writes are posted, PostgreSQL has nothing to do but the first
  // lookups, and a chunk pushed to the server is an ingest of its own (docs/performance.md,
  // "fifteenth pass").
  size_t BatchLimit() const {
    if (!pg_) return kBatchRows;
    return Pipelined() && !pipeline_ ? kPgFirstBatchRows : kPgBatchRows;
  }

  // Resolves, applies and writes the records of the batch (see the class comment).
  Status FlushBatch() {
    if (pg_) return FlushBatchPg();
    if (resumed_ && !replay_ && !chain_ok_) PO_TRY_S(DropStored());
    if (batch_.empty()) return Status::Ok();
    PO_TRY_S(LoadCandidates());
    for (Pending& p : batch_) PO_TRY_S(ApplyRecord(p));
    PO_TRY_S(FlushDevices());
    PO_TRY_S(FlushEvents());
    if (replay_) {
      std::vector<SqlValue>& v = Scratch(scratch_rows_);
      for (const Pending& p : batch_) {
        v.push_back(I(p.seq));
        v.push_back(I(p.device_id));
        v.push_back(T(p.rule));
        v.push_back(I(scan_id_));
      }
      PO_TRY_S(ExecRows(store_,
                        "UPDATE scan_records SET device_id = v.column2, match_rule = v.column3 FROM (VALUES ",
                        "(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, CAST(? AS BIGINT))", 4,
                        ") AS v WHERE scan_records.scan_id = v.column4 AND scan_records.seq = v.column1", v));
    } else {
      std::vector<SqlValue>& v = Scratch(scratch_rows_);
      for (Pending& p : batch_) {
        v.push_back(I(scan_id_));
        v.push_back(I(p.seq));
        v.push_back(T(p.record.ip));
        v.push_back(I(p.device_id));
        v.push_back(T(p.rule));
        v.push_back(T(std::move(p.raw)));
      }
      PO_TRY_S(ExecRows(store_, "INSERT INTO scan_records (scan_id, seq, ip, device_id, match_rule, record) VALUES ",
                        "(?, ?, ?, ?, ?, ?)", 6, "", v));
    }
    batch_.clear();
    cands_.clear();
    keys_ = {};
    return Status::Ok();
  }

  // FlushBatch on PostgreSQL: the same steps, each one statement for the whole batch (array
  // parameters, COPY for the new devices and the raw records), pipelined (see Pipelined()).
  Status FlushBatchPg() {
    if (!Pipelined()) {
      PO_TRY_S(EndPipeline());
      return FlushBatchPgNow();
    }
    if (batch_.empty()) return Status::Ok();
    auto next = PostLookup();
    if (!next) return next.error();
    PO_TRY_S(ResolveAhead());
    ahead_ = std::move(*next);
    return Status::Ok();
  }

  // Flushes the records of the batch not yet full. Pipelined, its last kPgFirstBatchRows records
  // go as a batch of their own: PostgreSQL writes the others while this thread resolves those,
  // so only a short batch's writes are left to wait for at the end of an ingest (each chunk
  // pushed to the server is one; docs/performance.md, "fifteenth pass").
  Status FlushPending() {
    if (Pipelined() && batch_.size() > kPgFirstBatchRows) {
      auto split = batch_.end() - static_cast<std::ptrdiff_t>(kPgFirstBatchRows);
      std::vector<Pending> last(std::make_move_iterator(split), std::make_move_iterator(batch_.end()));
      batch_.erase(split, batch_.end());
      PO_TRY_S(FlushBatch());
      batch_ = std::move(last);
    }
    return FlushBatch();
  }

  // PostgreSQL plans with the statistics of the devices table, which a large ingest into a
  // fresh or small inventory outgrows inside its one transaction: without them the planner
  // took the (site_id, id) index for the address lookups and filtered every device of the
  // site. ANALYZE (which sees the transaction's own rows) once the ingest has added 1,000
  // devices and as many as the table held when last analyzed, then at 4 times that, ...
  // True when a batch should run ANALYZE before its lookup.
  Result<bool> AnalyzeNow() {
    if (next_analyze_ == 0) {
      auto n = store_.Query("SELECT reltuples FROM pg_class WHERE oid = 'devices'::regclass");
      if (!n) return n.error();
      double known = n->empty() ? 0 : std::strtod(Col(n->front(), 0).c_str(), nullptr);
      next_analyze_ = std::max<int64_t>(1000, static_cast<int64_t>(known));
    }
    if (summary_.new_devices < next_analyze_) return false;
    next_analyze_ *= 4;
    return true;
  }

  // Whether batches go through the pipeline: the statements of batch n (new and changed
  // devices, events, raw records) run on a thread of their own while this thread resolves batch
  // n + 1 against candidates read before those statements ran, together with batch n's devices
  // as it left them (ResolveAhead). On two cores a new host's PostgreSQL work and the server's
  // then overlap instead of adding up (docs/performance.md, "thirteenth pass"). Not for a
  // rebuild's replay (the caller owns the transaction and its statements), nor for a resumed
  // scan whose digest chain broke: each of its batches is looked up against the raw records
  // the batches before it wrote.
  bool Pipelined() const { return pg_ && !replay_ && !(resumed_ && !chain_ok_); }

  // FlushBatchPg one statement after another on this thread.
  Status FlushBatchPgNow() {
    if (resumed_ && !replay_ && !chain_ok_) PO_TRY_S(DropStored());
    if (batch_.empty()) return Status::Ok();
    auto analyze = AnalyzeNow();
    if (!analyze) return analyze.error();
    if (*analyze) PO_TRY_S(store_.Exec("ANALYZE devices"));
    PO_TRY_S(LoadCandidates());
    for (Pending& p : batch_) PO_TRY_S(ApplyRecord(p));
    PO_TRY_S(FlushDevices());
    PO_TRY_S(FlushEvents());
    if (replay_) {
      PgColumns cols(3);
      for (const Pending& p : batch_) {
        cols.Int(0, p.seq);
        cols.Int(1, p.device_id);
        cols.Text(2, p.rule);
      }
      std::vector<SqlValue> v = cols.Params();
      v.push_back(I(scan_id_));
      PO_TRY_S(store_.Exec(
          "UPDATE scan_records SET device_id = v.device_id, match_rule = v.rule FROM unnest($1::bigint[], "
          "$2::bigint[], $3::text[]) AS v(seq, device_id, rule) WHERE scan_records.scan_id = $4 AND "
          "scan_records.seq = v.seq",
          v));
    } else {
      PO_TRY_S(store_.CopyRowsText("scan_records", kRecordCols, RecordRows(batch_).text()));
    }
    batch_.clear();
    cands_.clear();
    keys_ = {};
    return Status::Ok();
  }

  // The raw records of a batch as rows for COPY (kRecordCols), built on the thread that resolves
  // (the pipeline's thread only sends them).
  CopyText RecordRows(const std::vector<Pending>& batch) const {
    CopyText rows(std::size(kRecordCols));
    for (const Pending& p : batch) {
      rows.Int(scan_id_);
      rows.Int(p.seq);
      rows.Text(p.record.ip);
      rows.Int(p.device_id);
      rows.Text(p.rule);
      rows.Text(p.raw);
    }
    return rows;
  }
  // A merge review opened by the ingest (site, device a, device b, reason, scan key).
  static constexpr std::string_view kInsertReview =
      "INSERT INTO merge_reviews (site_id, device_a, device_b, reason, scan) VALUES ($1, $2, $3, $4, $5)";
  static constexpr std::string_view kRecordCols[] = {"scan_id", "seq", "ip", "device_id", "match_rule", "record"};

  // Posts the candidate lookup of the full batch (batch_, which starts empty again) and the ids
  // it may need. It runs before the writes of the batch resolved next (ResolveAhead).
  Result<std::shared_ptr<Lookup>> PostLookup() {
    if (!pipeline_) {
      pipeline_ = std::make_unique<PgPipeline>();
      // An allocator that runs out waits for the pipeline and reserves on this thread.
      device_ids_.set_before_query([this] { return Drain(); });
      event_ids_.set_before_query([this] { return Drain(); });
    }
    auto analyze = AnalyzeNow();  // its first call reads the store: before anything is posted
    if (!analyze) return analyze.error();
    auto job = std::make_shared<Lookup>();
    job->batch = std::move(batch_);
    batch_.clear();
    batch_.reserve(kPgBatchRows);
    job->params = CandidateParams(job->batch);
    // Ids reserved with the lookup: when those in hand and those reserved with the batch ahead
    // are fewer than twice what the last batch took, twice that (at least kPgIdsPerQuery). A scan
    // that creates nothing reserves nothing; a batch that needs more waits for the pipeline and
    // reserves on this thread (IdAllocator::Next).
    auto want = [](int64_t have, int64_t last) {
      return have >= 2 * last ? int64_t{0} : std::max<int64_t>(IdAllocator::kPgIdsPerQuery, 2 * last);
    };
    job->device_n = want(device_ids_.available() + (ahead_ ? ahead_->device_n : 0), last_new_devices_);
    job->event_n = want(event_ids_.available() + (ahead_ ? ahead_->event_n : 0), last_events_);
    job->ticket = pipeline_->Post([this, job, analyze = *analyze]() -> Status {
      if (analyze) PO_TRY_S(store_.Exec("ANALYZE devices"));
      if (job->device_n > 0) {
        auto first = device_ids_.Reserve(job->device_n);
        if (!first) return first.error();
        job->device_first = *first;
      }
      if (job->event_n > 0) {
        auto first = event_ids_.Reserve(job->event_n);
        if (!first) return first.error();
        job->event_first = *first;
      }
      auto rows = store_.Query(CandidateSqlPg(), job->params);
      if (!rows) return rows.error();
      job->cands.reserve(rows->size());
      for (const SqlRow& r : *rows) job->cands.push_back(ToCandidate(r));
      return Status::Ok();
    });
    return job;
  }

  // Resolves the batch ahead (posted by PostLookup) and posts its writes. Its candidates are the
  // lookup's rows, read before the writes of the batch resolved last ran, and the devices that
  // batch created or changed, as it left them (they win): what a lookup after those writes
  // would have read, so the identity rules decide as they would one batch at a time.
  Status ResolveAhead() {
    if (!ahead_) return Status::Ok();
    std::shared_ptr<Lookup> job = std::move(ahead_);
    ahead_.reset();
    PO_TRY_S(pipeline_->Wait(job->ticket));
    TakeWrites();
    if (job->device_n > 0) device_ids_.Add(job->device_first, job->device_n);
    if (job->event_n > 0) event_ids_.Add(job->event_first, job->event_n);
    std::map<int64_t, Candidate> cands;
    for (auto& [id, c] : cands_) {
      if (c.touched == batch_no_) cands.emplace(id, std::move(c));
    }
    for (Candidate& c : job->cands) cands.emplace(c.id, std::move(c));
    cands_ = std::move(cands);
    keys_ = {};
    for (const auto& [id, c] : cands_) keys_.Add(c);
    ++batch_no_;
    int64_t devices_before = summary_.new_devices, events_before = raised_;
    resolving_ = true;
    for (Pending& p : job->batch) {
      Status s = ApplyRecord(p);
      if (!s.ok()) {
        resolving_ = false;
        return s;
      }
    }
    resolving_ = false;
    last_new_devices_ = summary_.new_devices - devices_before;
    last_events_ = raised_ - events_before;
    auto w = std::make_shared<BatchWrites>();
    BuildDeviceWrites(*w);
    w->reviews = std::move(reviews_);
    reviews_.clear();
    BuildEventWrites(*w);
    w->records = RecordRows(job->batch);
    w->ticket = pipeline_->Post([this, w] { return RunWrites(*w); });
    writing_.push_back(std::move(w));
    return Status::Ok();
  }

  // Runs a batch's writes (on the pipeline's thread).
  Status RunWrites(BatchWrites& w) {
    PO_TRY_S(RunDeviceWrites(w));
    for (const auto& r : w.reviews) {
      PO_TRY_S(store_.Exec(kInsertReview, r));
    }
    PO_TRY_S(RunEventWrites(w));
    return store_.CopyRowsText("scan_records", kRecordCols, w.records.text());
  }

  // Takes the results of the writes that ran (the events they stored), in the order posted.
  void TakeWrites() {
    uint64_t finished = pipeline_->finished();
    while (!writing_.empty() && writing_.front()->ticket <= finished) {
      for (Event& e : writing_.front()->kept) Keep(std::move(e));
      writing_.pop_front();
    }
  }

  // Waits for every statement posted and takes their results: the store is this thread's
  // until the next post.
  Status Drain() {
    if (!pipeline_) return Status::Ok();
    PO_TRY_S(pipeline_->Wait());
    TakeWrites();
    return Status::Ok();
  }

  // Resolves the batch ahead and drains the pipeline; the batches after it start afresh.
  Status EndPipeline() {
    if (!pipeline_) return Status::Ok();
    PO_TRY_S(ResolveAhead());
    PO_TRY_S(Drain());
    cands_.clear();
    keys_ = {};
    return Status::Ok();
  }

  // The verification pass after a complete scan: removed devices unseen -> verified-removed,
  // open devices unseen -> missing (only for addresses the scan covered). A scan covering the
  // whole site counts its missed scan once for the site (VerifyPassWholeSite); a scan of part of
  // it counts one more missed scan on each unseen device in its scope. Either way it reads only
  // the columns it decides on (address, state, missed scans, verdicts, maker); the whole device
  // is loaded only for those that change state.
  // REQUIRES: the batch flushed.
  Status VerifyPass() {
    const std::vector<Cidr>& scope = meta_.scope.empty() ? site_.scopes : meta_.scope;
    if (scope.empty()) return Status::Ok();  // a scan that covered no address misses nothing
    if (ScopeCoversAll(scope, site_.scopes)) return VerifyPassWholeSite(scope);
    // Paged by id so memory stays bounded on large sites.
    int64_t after_id = 0;
    std::vector<SqlValue> missed;  // devices that only count one more missed scan
    std::vector<int64_t> changing;  // devices that change state, in id order
    while (true) {
      SqlValue p[] = {I(site_.id), I(scan_id_), I(after_id)};
      static const std::string kSql =
          UnseenPageSql("d.state IN ('removed', 'found', 'confirmed', 'replacement-planned', 'waived')");
      auto rows = store_.Query(kSql, p);
      if (!rows) return rows.error();
      if (rows->empty()) break;
      for (const auto& r : *rows) {
        after_id = ColInt(r, 0);
        if (!ScopeContains(scope, Col(r, 1))) continue;
        if (ChangesState(r, ColInt(r, 3) + 1)) {
          changing.push_back(after_id);
        } else {
          missed.push_back(I(after_id));
        }
      }
      PO_TRY_S(ChangeUnseen(changing));
      changing.clear();
      PO_TRY_S(AddMissed(missed, +1));
      missed.clear();
      PO_TRY_S(FlushEvents());
    }
    return Status::Ok();
  }

  // Adds `delta` (+1 or -1) to the stored missed scans of the devices `ids`: one statement per
  // 128 of them (PostgreSQL: one, the ids as an array).
  Status AddMissed(const std::vector<SqlValue>& ids, int delta) {
    if (ids.empty()) return Status::Ok();
    if (pg_) {
      std::vector<int64_t> v;
      v.reserve(ids.size());
      for (const SqlValue& id : ids) v.push_back(std::get<int64_t>(id));
      SqlValue a[] = {T(PgIntArray(v)), I(delta)};
      return store_.Exec("UPDATE devices SET missed_scans = missed_scans + $2 WHERE id = ANY($1::bigint[])", a);
    }
    return delta > 0
               ? ExecRows(store_, "UPDATE devices SET missed_scans = missed_scans + 1 WHERE id IN (", "?", 1, ")", ids)
               : ExecRows(store_, "UPDATE devices SET missed_scans = missed_scans - 1 WHERE id IN (", "?", 1, ")", ids);
  }

  // VerifyPass for a scan covering the whole site (the usual case): one more whole-site scan for
  // the site (schema v10: every device of the site counts it without a write of its own), then
  // the devices that may lie outside the site's scopes are set back where the scan did not cover
  // them, then only the devices whose count now changes their state are read. Before v10 each
  // page of unseen devices counted its missed scan in an UPDATE: 0.18 s for the 50,000 unseen
  // devices of a site of 100,000 (docs/performance.md, "fourteenth pass").
  Status VerifyPassWholeSite(const std::vector<Cidr>& scope) {
    SqlValue site[] = {I(site_.id)}, scan[] = {I(scan_id_)};
    PO_TRY_S(store_.Exec("UPDATE sites SET full_scans = full_scans + 1 WHERE id = $1", site));
    PO_TRY_S(store_.Exec("UPDATE scans SET full_counted = 1 WHERE id = $1", scan));
    ++site_.full_scans;
    // Devices recorded outside the site's scopes (or not yet known: after the scopes changed).
    int64_t after_id = 0;
    std::vector<SqlValue> set_back, inside, outside;
    while (true) {
      SqlValue p[] = {I(site_.id), I(scan_id_), I(after_id)};
      auto rows = store_.Query(
          "SELECT id, ip, outside_scope FROM devices WHERE site_id = $1 AND last_scan_id <> $2 AND id > $3 AND "
          "outside_scope <> 0 ORDER BY id LIMIT 2000",
          p);
      if (!rows) return rows.error();
      if (rows->empty()) break;
      for (const auto& r : *rows) {
        after_id = ColInt(r, 0);
        if (ColInt(r, 2) < 0) (ScopeContains(site_.scopes, Col(r, 1)) ? inside : outside).push_back(I(after_id));
        if (!ScopeContains(scope, Col(r, 1))) set_back.push_back(I(after_id));
      }
      PO_TRY_S(AddMissed(set_back, -1));
      PO_TRY_S(ExecRows(store_, "UPDATE devices SET outside_scope = 0 WHERE id IN (", "?", 1, ")", inside));
      PO_TRY_S(ExecRows(store_, "UPDATE devices SET outside_scope = 1 WHERE id IN (", "?", 1, ")", outside));
      set_back.clear();
      inside.clear();
      outside.clear();
    }
    // The devices whose missed scans now reach a threshold (ChangesState, in SQL: removed ones at
    // verify_after_scans, open ones needing attention at missing_after_scans). $6 first drops,
    // from the device's own columns alone, those that cannot reach the lower threshold (their
    // last scan's full_counted only lowers the count): 45 ms instead of 67 for a site of 50,000
    // (the joins were evaluated for every unseen device before).
    int n_verify = inv_.options().verify_after_scans, n_missing = inv_.options().missing_after_scans;
    after_id = 0;
    std::vector<int64_t> changing;
    while (true) {
      SqlValue p[] = {I(site_.id),  I(scan_id_), I(after_id), I(n_verify), I(n_missing),
                      I(std::min(n_verify, n_missing) - site_.full_scans)};
      static const std::string kSql = UnseenPageSql(
          std::string("d.missed_scans - d.full_scans_seen >= $6 AND ((d.state = 'removed' AND ") + kMissedScans +
          " >= $4) OR (d.state IN ('found', 'confirmed', 'replacement-planned', 'waived') AND " + kMissedScans +
          " >= $5 AND (replace(d.prohibited, ',', '') <> '' OR replace(d.review, ',', '') <> '' OR "
          "d.manufacturer = '')))");
      auto rows = store_.Query(kSql, p);
      if (!rows) return rows.error();
      if (rows->empty()) break;
      for (const auto& r : *rows) {
        after_id = ColInt(r, 0);
        if (ChangesState(r, ColInt(r, 3))) changing.push_back(after_id);  // the missed scan counted already
      }
      PO_TRY_S(ChangeUnseen(changing, /*counted=*/true));
      changing.clear();
      PO_TRY_S(FlushEvents());
    }
    return Status::Ok();
  }

  // A page (2,000, in id order after $3) of the site's ($1) devices unseen by the scan ($2) that
  // also meet `condition`, with the columns ChangesState decides on.
  static std::string UnseenPageSql(std::string_view condition) {
    return std::string("SELECT d.id, d.ip, d.state, ") + kMissedScans +
           ", d.prohibited, d.review, d.manufacturer FROM devices d JOIN sites s ON s.id = d.site_id "
           "LEFT JOIN scans sc ON sc.id = d.last_scan_id WHERE d.site_id = $1 AND d.last_scan_id <> $2 AND "
           "d.id > $3 AND " +
           std::string(condition) + " ORDER BY d.id LIMIT 2000";
  }

  // True iff an unseen device changes state once `missed_scans` are counted: removed -> verified
  // removed, or needing attention (its status, as ReadDevice gives it, is not "clear") ->
  // missing. `r`: a row of the verification pass (id, ip, state, missed_scans, prohibited,
  // review, manufacturer).
  bool ChangesState(const SqlRow& r, int64_t missed_scans) const {
    auto has_item = [](const std::string& list) { return list.find_first_not_of(',') != std::string::npos; };
    if (Col(r, 2) == "removed") return missed_scans >= inv_.options().verify_after_scans;
    bool attention = has_item(Col(r, 4)) || has_item(Col(r, 5)) || Col(r, 6).empty();
    return attention && missed_scans >= inv_.options().missing_after_scans;
  }

  // True iff every block of `inner` lies inside a block of `outer`.
  static bool ScopeCoversAll(const std::vector<Cidr>& outer, const std::vector<Cidr>& inner) {
    for (const Cidr& c : inner) {
      bool covered = false;
      for (const Cidr& o : outer) covered |= o.Covers(c);
      if (!covered) return false;
    }
    return true;
  }

  // The unseen devices `ids` (VerifyPass chose them by their columns) change state: loaded whole
  // (PostgreSQL: one query), then verified-removed or missing with their lifecycle audit entry and
  // event. `counted`: their missed scan was counted in the database already (VerifyPassWholeSite);
  // they are taken as they were before it, and the state change writes the count again.
  Status ChangeUnseen(const std::vector<int64_t>& ids, bool counted = false) {
    if (ids.empty()) return Status::Ok();
    int n_verify = inv_.options().verify_after_scans;
    int n_missing = inv_.options().missing_after_scans;
    std::vector<DeviceRecord> devices;
    devices.reserve(ids.size());
    if (pg_) {
      SqlValue a[] = {T(PgIntArray(ids))};
      auto rows = store_.Query(std::string(kDeviceSelect) + "WHERE d.id = ANY($1::bigint[]) ORDER BY d.id", a);
      if (!rows) return rows.error();
      for (const auto& r : *rows) devices.push_back(ReadDevice(r));
    } else {
      for (int64_t id : ids) {
        auto d = inv_.LoadDevice(id);
        if (!d) return d.error();
        devices.push_back(std::move(*d));
      }
    }
    if (counted) {
      for (DeviceRecord& d : devices) --d.missed_scans;
    }
    std::vector<UnseenChange> changed;
    changed.reserve(devices.size());
    for (const DeviceRecord& before : devices) {
      DeviceRecord after = before;
      after.missed_scans = before.missed_scans + 1;
      bool attention = NeedsAttention(before);
      Event e;
      e.site = site_.key;
      e.device_id = before.id;
      e.scan = meta_.scan_key;
      std::string what = (before.manufacturer.empty() ? "unknown maker" : before.manufacturer) +
                         (before.model.empty() ? "" : " " + before.model) + ", last at " + before.ip;
      if (before.state == DeviceState::kRemoved && after.missed_scans >= n_verify) {
        after.state = DeviceState::kVerifiedRemoved;
        after.state_since = meta_.started_at;
        e.kind = "verified-removed";
        e.severity = "notice";
        e.message = "device " + std::to_string(before.id) + " (" + what + ") verified removed: not seen in " +
                    std::to_string(after.missed_scans) + " scans covering its address since removal was claimed" +
                    (before.removed_by.empty() ? "" : " by " + before.removed_by);
        ++summary_.verified_removed;
      } else if (before.state != DeviceState::kRemoved && attention && after.missed_scans >= n_missing) {
        after.prior_state = before.state;
        after.state = DeviceState::kMissing;
        after.state_since = meta_.started_at;
        e.kind = "missing";
        e.severity = "warning";
        e.message = "device " + std::to_string(before.id) + " (" + what + ") stopped answering (" +
                    std::to_string(after.missed_scans) +
                    " scans covering its address) without being marked removed";
        ++summary_.went_missing;
      } else {
        return MakeError(ErrorCode::kInternal,
                         "verification pass: device " + std::to_string(before.id) + " changed while being verified");
      }
      if (!pg_) PO_TRY_S(inv_.WriteLifecycle(before, after, "phaseout", e.kind, e.message, scan_id_, /*audit=*/false));
      changed.push_back({before, std::move(after), e.kind, e.message});
      PO_TRY_S(Raise(e, e.kind + ":" + std::to_string(before.id) + ":" + meta_.scan_key));
    }
    if (devices.size() != ids.size()) {
      return MakeError(ErrorCode::kInternal, "verification pass: a device vanished while being verified");
    }
    if (pg_) PO_TRY_S(WriteUnseenPg(changed));
    if (!audit_) return Status::Ok();
    // Their audit entries, chained in memory and written together (one query for the head of
    // the log instead of one per entry; PostgreSQL: one COPY).
    std::vector<AuditEntry> entries;
    entries.reserve(changed.size());
    for (const UnseenChange& c : changed) {
      AuditEntry e;
      e.actor = "phaseout";
      e.action = c.action;
      e.device_id = c.after.id;
      e.scan_id = scan_id_;
      e.before = Snapshot(c.before);
      e.after = Snapshot(c.after);
      e.note = c.note;
      entries.push_back(std::move(e));
    }
    return inv_.AppendAudits(std::move(entries));
  }

  // A device the verification pass changes: before and after, the audit action and note.
  struct UnseenChange {
    DeviceRecord before, after;
    std::string action, note;
  };

  // The lifecycle columns of the changed unseen devices on PostgreSQL, as one UPDATE over arrays
  // (kLifecycleColumns, as WriteLifecycle writes them for one device). 33,333 devices going
  // missing at once took 15 s one statement each, with an audit query and insert per device.
  Status WriteUnseenPg(const std::vector<UnseenChange>& changed) {
    if (changed.empty()) return Status::Ok();
    static const std::string kSql = UpdateDevicesFromArrays(kLifecycleColumns);
    PgColumns cols(1 + std::size(kLifecycleColumns));
    for (const UnseenChange& c : changed) {
      cols.Int(0, c.after.id);
      size_t col = 1;
      for (const SqlValue& v : LifecycleValues(c.after)) {
        if (const auto* n = std::get_if<int64_t>(&v)) {
          cols.Int(col++, *n);
        } else {
          cols.Text(col++, std::get<std::string>(v));
        }
      }
    }
    std::vector<SqlValue> v = cols.Params();
    return store_.Exec(kSql, v);
  }

  Status Finish() {
    PO_TRY_S(FlushPending());
    PO_TRY_S(EndPipeline());
    if (meta_.complete) PO_TRY_S(VerifyPass());
    // Records dropped as stored already (a chunk sent again) break the chain of the digest.
    if (summary_.skipped_records > 0) chain_ok_ = false;
    if (replay_) {
      SqlValue p[] = {I(scan_id_), I(meta_.complete ? 1 : 0), I(summary_.records)};
      PO_TRY_S(store_.Exec("UPDATE scans SET complete = $2, records = records + $3 WHERE id = $1", p));
    } else {
      SqlValue p[] = {I(scan_id_), I(meta_.complete ? 1 : 0), I(summary_.records), T(DigestState())};
      PO_TRY_S(store_.Exec(
          "UPDATE scans SET complete = $2, records = records + $3, records_digest = $4 WHERE id = $1", p));
    }
    if (audit_) {
      AuditEntry e;
      e.actor = meta_.agent.empty() ? "phaseout" : meta_.agent;
      e.action = "ingest";
      e.scan_id = scan_id_;
      json a = {{"scan", meta_.scan_key},
                {"site", site_.key},
                {"started_at", meta_.started_at},
                {"rules_version", meta_.rules_version},
                {"source", meta_.source},
                {"records", summary_.records},
                {"records_sha256", hash_.HexDigest()},
                {"new_devices", summary_.new_devices},
                {"complete", meta_.complete}};
      e.after = DumpJson(a);
      e.note = "scan ingested";
      // An ingest opened with ScanMeta.complete = false (one chunk of a scan pushed in parts)
      // or a later chunk: the stream digest covers this chunk only, so verify could not
      // recompute it from the whole scan; keep the count without the digest. The ingest that
      // finishes a chunked scan records the digest of all the scan's records instead.
      bool chunk = !meta_.complete && !marked_incomplete_;
      if (resumed_ && !chunk) {
        // The digest kept as the chunks came in covers the scan when it counted every stored
        // record (records are only ever added, one per sequence number); else re-read them.
        int64_t stored = -1;
        if (chain_ok_) {
          SqlValue q[] = {I(scan_id_)};
          auto n = store_.Query("SELECT COUNT(*) FROM scan_records WHERE scan_id = $1", q);
          if (!n) return n.error();
          stored = ColInt(n->front(), 0);
        }
        int64_t count = chain_count_;
        std::string digest;
        if (stored == chain_count_) {
          digest = hash_.HexDigest();
        } else {
          auto all = DigestScanRecords(store_, scan_id_);
          if (!all) return all.error();
          std::tie(count, digest) = *all;
        }
        a["records"] = count;
        a["records_sha256"] = digest;
        a["chunk_records"] = summary_.records;
        e.after = DumpJson(a);
      } else if (resumed_ || chunk) {
        a.erase("records_sha256");
        a.erase("records");
        a["chunk_records"] = summary_.records;
        e.after = DumpJson(a);
      }
      PO_TRY_S(inv_.AppendAudit(std::move(e)));
    }
    if (audit_) {
      std::vector<Event> raised;
      PO_TRY_S(inv_.CheckDeadlinesTx(
          meta_.started_at.substr(0, 10) < inv_.Today() ? inv_.Today() : meta_.started_at.substr(0, 10), &raised));
      for (Event& e : raised) Keep(std::move(e));
    }
    return Status::Ok();
  }

  Status Flush() override {
    PO_TRY_S(FlushPending());
    return EndPipeline();
  }

  void MarkIncomplete() override {
    meta_.complete = false;
    marked_incomplete_ = true;
  }

  Result<IngestSummary> Commit() override {
    if (summary_.already_ingested) {
      done_ = true;
      if (store_.in_transaction()) (void)store_.Rollback();
      return summary_;
    }
    Status s = Finish();
    pipeline_.reset();  // idle when Finish succeeded; else its jobs stop before the rollback
    if (s.ok()) s = store_.Commit();
    done_ = true;
    if (!s.ok()) {
      (void)store_.Rollback();
      return s.error();
    }
    inv_.RefreshSearchAfterCommit();
    return summary_;
  }

  // scans.records_digest: "<records> <last seq> <SHA-256 state>" of the scan's raw records so
  // far (each followed by a newline, in sequence order), '' when not kept (a chunk sent again,
  // records out of order, scans stored before schema version 5). The ingest that completes a
  // chunked scan takes its audit digest from it instead of re-reading every raw record.
  std::string DigestState() const {
    if (!chain_ok_) return "";
    return std::to_string(chain_count_) + " " + std::to_string(chain_last_seq_) + " " + hash_.SaveState();
  }
  bool RestoreDigest(std::string_view text) {
    size_t a = text.find(' ');
    size_t b = a == std::string_view::npos ? a : text.find(' ', a + 1);
    if (b == std::string_view::npos) return false;
    auto number = [](std::string_view s, int64_t* v) {
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
      return ec == std::errc() && end == s.data() + s.size() && *v >= 0;
    };
    int64_t count = 0, last = 0;
    if (!number(text.substr(0, a), &count) || !number(text.substr(a + 1, b - a - 1), &last) ||
        !hash_.RestoreState(text.substr(b + 1))) {
      return false;
    }
    chain_count_ = count;
    chain_last_seq_ = last;
    return true;
  }

  // Replay inside Rebuild: no audit entries, the caller owns the transaction, and the raw
  // records are already stored (FlushBatch sets their device and rule instead of inserting).
  void set_replay() {
    audit_ = false;
    owns_transaction_ = false;
    replay_ = true;
  }
  const IngestSummary& summary() const { return summary_; }

 private:
  // The candidates' identity keys (ids in order), so a lookup does not read every candidate: a
  // PostgreSQL batch of 1,024 records holds a few thousand. Empty MACs and serials are left out
  // (they match nothing).
  struct KeyIndex {
    std::map<std::string, std::set<int64_t>> mac;
    std::map<std::pair<std::string, std::string>, std::set<int64_t>> serial;                 // serial, maker
    std::map<std::tuple<std::string, std::string, std::string>, std::set<int64_t>> address;  // ip, maker, model
    void Add(const Candidate& c) {
      if (!c.mac.empty()) mac[c.mac].insert(c.id);
      if (!c.serial.empty()) serial[{c.serial, c.manufacturer}].insert(c.id);
      address[{c.ip, c.manufacturer, c.model}].insert(c.id);
    }
    void Remove(const Candidate& c) {
      auto drop = [&c](auto& index, const auto& key) {
        auto it = index.find(key);
        if (it == index.end()) return;
        it->second.erase(c.id);
        if (it->second.empty()) index.erase(it);
      };
      drop(mac, c.mac);
      drop(serial, std::make_pair(c.serial, c.manufacturer));
      drop(address, std::make_tuple(c.ip, c.manufacturer, c.model));
    }
  };

  // Answers ResolveIdentity's lookups from the candidates exactly as the SQL lookups on the
  // devices table would (lowest id for MAC and serial, highest for address+maker+model).
  class BatchLookup final : public IdentityLookup {
   public:
    BatchLookup(const std::map<int64_t, Candidate>& c, const KeyIndex& keys) : c_(c), keys_(keys) {}
    std::optional<IdentityCandidate> ByMac(const std::string& mac) override {
      auto it = keys_.mac.find(mac);
      if (it == keys_.mac.end()) return std::nullopt;
      return Out(c_.at(*it->second.begin()));
    }
    std::optional<IdentityCandidate> BySerial(const std::string& maker, const std::string& serial) override {
      auto it = keys_.serial.find({serial, maker});
      if (it == keys_.serial.end()) return std::nullopt;
      return Out(c_.at(*it->second.begin()));
    }
    std::optional<IdentityCandidate> ByAddressMakerModel(const std::string& ip, const std::string& maker,
                                                         const std::string& model) override {
      auto it = keys_.address.find({ip, maker, model});
      if (it == keys_.address.end()) return std::nullopt;
      return Out(c_.at(*it->second.rbegin()));
    }

   private:
    static IdentityCandidate Out(const Candidate& c) {
      return {c.id, c.mac, c.serial, c.ip, c.manufacturer, c.model, c.last_scan_id};
    }
    const std::map<int64_t, Candidate>& c_;
    const KeyIndex& keys_;
  };

  // A resumed scan: drops the records of the batch whose sequence number is stored already
  // (counted as skipped, as if never added). Not needed while the digest chain holds
  // (chain_ok_): the stored digest then covers every stored record of the scan, the highest
  // numbered chain_last_seq_ when restored, and each record added since came after all before
  // it, so none of them is stored (the primary key (scan_id, seq) would refuse it all the
  // same). A chunk sent again breaks the chain at its first record: its batches are looked up.
  Status DropStored() {
    if (batch_.empty()) return Status::Ok();
    if (pg_) return DropStoredPg();
    static const std::string kSqlite = [] {
      std::string s = "SELECT seq FROM scan_records WHERE scan_id = $1 AND seq IN (";
      for (size_t i = 0; i < kBatchRows; ++i) s += (i ? ", $" : "$") + std::to_string(i + 2);
      return s + ")";
    }();
    std::vector<SqlValue> p(1 + kBatchRows);  // unused slots stay NULL: they match nothing
    p[0] = I(scan_id_);
    for (size_t i = 0; i < batch_.size(); ++i) p[1 + i] = I(batch_[i].seq);
    auto rows = store_.Query(kSqlite, p);
    if (!rows) return rows.error();
    return DropSeqs(*rows);
  }

  // Takes the records whose sequence numbers are in `stored_rows` (one column) out of the batch:
  // they were stored before a resume.
  Status DropSeqs(const std::vector<SqlRow>& stored_rows) {
    if (stored_rows.empty()) return Status::Ok();
    std::set<int64_t> stored;
    for (const auto& r : stored_rows) stored.insert(ColInt(r, 0));
    size_t before = batch_.size();
    std::erase_if(batch_, [&stored](const Pending& p) { return stored.count(p.seq) != 0; });
    summary_.records -= static_cast<int64_t>(before - batch_.size());
    summary_.skipped_records += static_cast<int64_t>(before - batch_.size());
    return Status::Ok();
  }

  // DropStored on PostgreSQL: the batch's sequence numbers as one array, one primary-key lookup
  // each.
  Status DropStoredPg() {
    std::vector<int64_t> seqs;
    seqs.reserve(batch_.size());
    for (const Pending& p : batch_) seqs.push_back(p.seq);
    SqlValue q[] = {I(scan_id_), T(PgIntArray(seqs))};
    auto rows = store_.Query(
        "SELECT r.seq FROM unnest($2::bigint[]) AS k(v) CROSS JOIN LATERAL (SELECT seq FROM scan_records WHERE "
        "scan_id = $1 AND seq = k.v OFFSET 0) r",
        q);
    if (!rows) return rows.error();
    return DropSeqs(*rows);
  }

  // LoadCandidates on PostgreSQL: the batch's distinct MACs, serials and addresses as three
  // arrays, one index lookup per key (see LoadCandidates for why).
  Status LoadCandidatesPg() {
    auto rows = store_.Query(CandidateSqlPg(), CandidateParams(batch_));
    if (!rows) return rows.error();
    return ReadCandidates(*rows);
  }
  // The address lookups ask for address, maker and model together (the only address rule
  // ResolveIdentity has): a device at the address of another maker or model is no candidate, and
  // reading it cost a row to send, parse and index per record when new hosts take the addresses
  // of other devices (docs/performance.md, "fifteenth pass"). A device the batch changes is
  // always read (by the key that matched it), so its stored address need not match.
  std::vector<SqlValue> CandidateParams(const std::vector<Pending>& batch) const {
    std::set<std::string> macs, serials;
    std::set<std::tuple<std::string_view, std::string_view, std::string_view>> addresses;
    for (const Pending& p : batch) {
      if (!p.record.mac.empty()) macs.insert(p.record.mac);
      if (!p.record.serial.empty()) serials.insert(p.record.serial);
      addresses.emplace(p.record.ip, p.record.manufacturer, p.record.model);
    }
    auto array = [](const std::set<std::string>& keys) {
      std::vector<std::string> v(keys.begin(), keys.end());
      return T(PgTextArray(v));
    };
    PgColumns address(3);
    for (const auto& [ip, maker, model] : addresses) {
      address.Text(0, ip);
      address.Text(1, maker);
      address.Text(2, model);
    }
    std::vector<SqlValue> params = {I(site_.id), array(macs), array(serials)};
    for (SqlValue& v : address.Params()) params.push_back(std::move(v));
    return params;
  }
  static const std::string& CandidateSqlPg() {
    auto per_key = [](const char* keys, const char* cond, const char* column) {
      return std::string("SELECT d.* FROM ") + keys +
             " CROSS JOIN LATERAL (SELECT id, mac, serial, ip, manufacturer, brand, device_type, "
             "model, firmware, prohibited, review, state, prior_state, match_rule, last_scan_id, last_seq FROM "
             "devices WHERE site_id = $1 AND " +
             cond + " ORDER BY site_id, " + column + " OFFSET 0) d";
    };
    static const std::string kSql =
        per_key("unnest($2::text[]) AS k(v)", "mac <> '' AND mac = k.v", "mac") + " UNION " +
        per_key("unnest($3::text[]) AS k(v)", "serial <> '' AND serial = k.v", "serial") + " UNION " +
        per_key("unnest($4::text[], $5::text[], $6::text[]) AS k(ip, maker, model)",
                "ip = k.ip AND manufacturer = k.maker AND model = k.model", "ip");
    return kSql;
  }

  // Reads the stored devices of the site sharing a MAC, serial or address with the batch.
  Status LoadCandidates() {
    if (pg_) return LoadCandidatesPg();
    // SQLite looks each key of the IN lists up in the (site_id, mac), (site_id, serial) and
    // (site_id, ip) indexes. PostgreSQL is given one lookup per key (LATERAL, kept apart from
    // the join by OFFSET 0): inside a fresh inventory's first ingest the planner has no
    // statistics, estimates a few devices per site and, for IN lists or a join, chose to read
    // every device of the site through the site_id index and filter or hash them: a scan of the
    // whole site per batch (EXPLAIN ANALYZE: 9,000 rows read to find none at 10,000 devices,
    // docs/performance.md). With one key per lookup, both index columns are the cheaper plan;
    // the ORDER BY (free on the right index) breaks a cost tie with the (site_id, id) index,
    // which the planner otherwise took for the address and filtered.
    static const std::string kSqlite = [] {
      auto list = [](size_t first) {
        std::string s = "(";
        for (size_t i = 0; i < kBatchRows; ++i) s += (i ? ", $" : "$") + std::to_string(first + i);
        return s + ")";
      };
      const char* cols =
          "SELECT id, mac, serial, ip, manufacturer, brand, device_type, model, firmware, prohibited, review, state, "
          "prior_state, match_rule, last_scan_id, last_seq FROM devices WHERE site_id = $1 AND ";
      return std::string(cols) + "mac <> '' AND mac IN " + list(2) + " UNION " + cols + "serial <> '' AND serial IN " +
             list(2 + kBatchRows) + " UNION " + cols + "ip IN " + list(2 + 2 * kBatchRows);
    }();
    std::vector<SqlValue> p(1 + 3 * kBatchRows);  // unused slots stay NULL: they match nothing
    p[0] = I(site_.id);
    for (size_t i = 0; i < batch_.size(); ++i) {
      const ScanRecord& r = batch_[i].record;
      if (!r.mac.empty()) p[1 + i] = T(r.mac);
      if (!r.serial.empty()) p[1 + kBatchRows + i] = T(r.serial);
      p[1 + 2 * kBatchRows + i] = T(r.ip);
    }
    auto rows = store_.Query(kSqlite, p);
    if (!rows) return rows.error();
    return ReadCandidates(*rows);
  }

  // The candidates from the rows of LoadCandidates' query.
  Status ReadCandidates(const SqlRows& rows) {
    cands_.clear();
    keys_ = {};
    for (const auto& r : rows) {
      Candidate c = ToCandidate(r);
      keys_.Add(c);
      cands_.emplace(c.id, std::move(c));
    }
    return Status::Ok();
  }
  static Candidate ToCandidate(const SqlRow& r) {
    Candidate c;
    c.id = ColInt(r, 0);
    c.mac = Col(r, 1);
    c.serial = Col(r, 2);
    c.ip = Col(r, 3);
    c.manufacturer = Col(r, 4);
    c.brand = Col(r, 5);
    c.device_type = Col(r, 6);
    c.model = Col(r, 7);
    c.firmware = Col(r, 8);
    c.prohibited = Col(r, 9);
    c.review = Col(r, 10);
    c.state = Col(r, 11);
    c.prior_state = Col(r, 12);
    c.match_rule = Col(r, 13);
    c.last_scan_id = ColInt(r, 14);
    c.last_seq = ColInt(r, 15);
    return c;
  }

  // Resolves and applies one record of the batch (in memory; FlushDevices writes it).
  Status ApplyRecord(Pending& p) {
    const ScanRecord& r = p.record;
    BatchLookup lookup(cands_, keys_);
    IdentityDecision d = ResolveIdentity(r, scan_id_, lookup);
    const std::string& at = meta_.started_at;
    p.rule = MatchRuleName(d.rule);
    if (d.device_id == 0) {
      auto id = device_ids_.Next();
      if (!id) return id.error();
      p.device_id = *id;
      Candidate c;
      c.id = *id;
      c.mac = r.mac;
      c.serial = r.serial;
      c.ip = r.ip;
      c.manufacturer = r.manufacturer;
      c.brand = r.brand;
      c.device_type = r.device_type;
      c.model = r.model;
      c.firmware = r.firmware;
      c.prohibited = JoinList(r.prohibited);
      c.review = JoinList(r.review);
      c.state = "found";
      c.match_rule = p.rule;
      c.last_scan_id = scan_id_;
      c.last_seq = p.seq;
      c.is_new = true;
      c.touched = batch_no_;
      keys_.Add(c);
      cands_.emplace(c.id, std::move(c));
      ++summary_.new_devices;
      if (!r.prohibited.empty()) {
        Event e;
        e.kind = "new-covered-device";
        e.severity = "warning";
        e.site = site_.key;
        e.device_id = p.device_id;
        e.scan = meta_.scan_key;
        e.message = "new covered device " + std::to_string(p.device_id) + " at " + r.ip + " (" +
                    (r.manufacturer.empty() ? "unknown maker" : r.manufacturer) +
                    (r.model.empty() ? "" : " " + r.model) + "), prohibited under " + JoinList(r.prohibited);
        PO_TRY_S(Raise(std::move(e), "new-covered:" + std::to_string(p.device_id)));
      }
      if (d.duplicate_in_scan) ++summary_.duplicates;
      if (d.review_device_id != 0) {
        std::array<SqlValue, 5> q = {I(site_.id), I(d.review_device_id), I(p.device_id), T(d.review_reason),
                                     T(meta_.scan_key)};
        if (resolving_) {
          reviews_.push_back(std::move(q));  // written with the batch (RunWrites)
        } else {
          PO_TRY_S(store_.Exec(kInsertReview, q));
        }
        ++summary_.reviews_opened;
        Event e;
        e.kind = "merge-review";
        e.severity = "notice";
        e.site = site_.key;
        e.device_id = p.device_id;
        e.scan = meta_.scan_key;
        e.message = "device " + std::to_string(p.device_id) + " may be device " +
                    std::to_string(d.review_device_id) + ": " + d.review_reason +
                    " (kept apart until someone decides)";
        PO_TRY_S(Raise(std::move(e), ""));
      }
      return Status::Ok();
    }
    p.device_id = d.device_id;
    ++summary_.matched_devices;
    auto it = cands_.find(d.device_id);
    if (it == cands_.end()) return MakeError(ErrorCode::kInternal, "identity resolved to a device not loaded");
    Candidate& c = it->second;
    // What the per-record UPDATE did: a known field replaces the stored one, an unknown one
    // keeps it; verdicts and the last sighting are the record's.
    auto keep_or = [](std::string& field, const std::string& v) {
      if (!v.empty()) field = v;
    };
    keys_.Remove(c);
    c.ip = r.ip;
    keep_or(c.mac, r.mac);
    keep_or(c.serial, r.serial);
    keep_or(c.manufacturer, r.manufacturer);
    keep_or(c.brand, r.brand);
    keep_or(c.device_type, r.device_type);
    keep_or(c.model, r.model);
    keep_or(c.firmware, r.firmware);
    keys_.Add(c);
    c.prohibited = JoinList(r.prohibited);
    c.review = JoinList(r.review);
    c.last_scan_id = scan_id_;
    c.last_seq = p.seq;
    c.match_rule = p.rule;
    if (!c.is_new) c.changed = true;
    c.touched = batch_no_;
    const std::string state = c.state;
    if (state != "missing" && state != "removed" && state != "verified-removed") return Status::Ok();
    // A device back from missing, removed or verified-removed: a lifecycle change, audited.
    PO_TRY_S(Drain());  // pipelined: the batches before are written, the store is this thread's
    PO_TRY_S(FlushDevices());
    auto loaded = inv_.LoadDevice(p.device_id);
    if (!loaded) return loaded.error();
    DeviceRecord before = *loaded;
    DeviceRecord after = before;
    after.state_since = at;
    Event e;
    e.site = site_.key;
    e.device_id = p.device_id;
    e.scan = meta_.scan_key;
    std::string what = (before.manufacturer.empty() ? "unknown maker" : before.manufacturer) +
                       (before.model.empty() ? "" : " " + before.model);
    if (state == "missing") {
      after.state = before.prior_state.value_or(DeviceState::kFound);
      after.prior_state.reset();
      e.kind = "reappeared";
      e.severity = "notice";
      e.message = "device " + std::to_string(p.device_id) + " (" + what + ") answered again at " + r.ip +
                  "; back to " + DeviceStateName(after.state);
      ++summary_.reappeared;
    } else {
      after.state = DeviceState::kConfirmed;
      after.prior_state.reset();
      e.kind = "regression";
      e.severity = "warning";
      e.message = "regression: device " + std::to_string(p.device_id) + " (" + what + "), " + state +
                  (before.removed_by.empty() ? "" : " (removal claimed by " + before.removed_by + ")") +
                  ", answered again at " + r.ip + " in scan " + meta_.scan_key;
      ++summary_.regressions;
    }
    PO_TRY_S(inv_.WriteLifecycle(before, after, "phaseout", e.kind, e.message, scan_id_, audit_));
    c.state = DeviceStateName(after.state);
    c.prior_state.clear();
    return Raise(e, e.kind + ":" + std::to_string(p.device_id) + ":" + meta_.scan_key);
  }

  // `v` emptied for reuse (its capacity kept).
  static std::vector<SqlValue>& Scratch(std::vector<SqlValue>& v) {
    v.clear();
    return v;
  }

  // FlushDevices on PostgreSQL: new devices by COPY, changes as one UPDATE over arrays.
  Status FlushDevicesPg() {
    BatchWrites w;
    BuildDeviceWrites(w);
    return RunDeviceWrites(w);
  }
  // What a sighting changes of a stored device, in the order the UPDATE's arrays hold it after the id.
  static constexpr TypedColumn kSighting[] = {
      {"ip", false},         {"mac", false},         {"serial", false},    {"manufacturer", false},
      {"brand", false},      {"device_type", false}, {"model", false},     {"firmware", false},
      {"prohibited", false}, {"review", false},      {"last_seen", false}, {"last_scan_id", true},
      {"match_rule", false}, {"last_seq", true},     {"full_scans_seen", true}, {"outside_scope", true}};
  static constexpr std::string_view kDeviceCols[] = {
      "id", "site_id", "mac", "serial", "ip", "manufacturer", "brand", "device_type", "model", "firmware",
      "prohibited", "review", "state", "state_since", "first_seen", "last_seen", "last_scan_id", "match_rule",
      "last_seq", "full_scans_seen", "outside_scope"};
  // devices.outside_scope of a device seen at `ip` (schema v10).
  int64_t OutsideScope(const std::string& ip) const { return ScopeContains(site_.scopes, ip) ? 0 : 1; }
  // The new and changed candidates as rows and arrays (they are then written, as far as this
  // ingest knows).
  void BuildDeviceWrites(BatchWrites& w) {
    const std::string& at = meta_.started_at;
    PgColumns upd(1 + std::size(kSighting));
    for (auto& [id, c] : cands_) {
      if (c.is_new) {
        CopyText& d = w.devices;  // kDeviceCols
        d.Int(c.id);
        d.Int(site_.id);
        for (const std::string* f : {&c.mac, &c.serial, &c.ip, &c.manufacturer, &c.brand, &c.device_type, &c.model,
                                     &c.firmware, &c.prohibited, &c.review}) {
          d.Text(*f);
        }
        d.Text("found");
        d.Text(at);
        d.Text(at);
        d.Text(at);
        d.Int(c.last_scan_id);
        d.Text(c.match_rule);
        d.Int(c.last_seq);
        d.Int(site_.full_scans);
        d.Int(OutsideScope(c.ip));
        c.is_new = false;
      } else if (c.changed) {
        upd.Int(0, c.id);
        size_t col = 1;
        for (const std::string* f : {&c.ip, &c.mac, &c.serial, &c.manufacturer, &c.brand, &c.device_type, &c.model,
                                     &c.firmware, &c.prohibited, &c.review}) {
          upd.Text(col++, *f);
        }
        upd.Text(col, at);
        upd.Int(12, c.last_scan_id);
        upd.Text(13, c.match_rule);
        upd.Int(14, c.last_seq);
        upd.Int(15, site_.full_scans);
        upd.Int(16, OutsideScope(c.ip));
        c.changed = false;
      }
    }
    if (upd.rows() > 0) w.changes = upd.Params();
  }
  Status RunDeviceWrites(const BatchWrites& w) {
    static const std::string kSql = UpdateDevicesFromArrays(kSighting, "missed_scans = 0");
    if (w.devices.rows() > 0) PO_TRY_S(store_.CopyRowsText("devices", kDeviceCols, w.devices.text()));
    if (w.changes.empty()) return Status::Ok();
    return store_.Exec(kSql, w.changes);
  }

  // Writes the batch's new devices and changes to stored devices.
  Status FlushDevices() {
    if (pg_) return FlushDevicesPg();
    const std::string& at = meta_.started_at;
    std::vector<SqlValue>& ins = Scratch(scratch_ins_);
    std::vector<SqlValue>& upd = Scratch(scratch_upd_);
    for (auto& [id, c] : cands_) {
      if (c.is_new) {
        Push(ins, I(c.id), I(site_.id), T(c.mac), T(c.serial), T(c.ip), T(c.manufacturer), T(c.brand),
                           T(c.device_type), T(c.model), T(c.firmware), T(c.prohibited), T(c.review), T(at), T(at),
                           T(at), I(c.last_scan_id), T(c.match_rule), I(c.last_seq), I(site_.full_scans),
                           I(OutsideScope(c.ip)));
        c.is_new = false;
      } else if (c.changed) {
        Push(upd, I(c.id), T(c.ip), T(c.mac), T(c.serial), T(c.manufacturer), T(c.brand), T(c.device_type),
                           T(c.model), T(c.firmware), T(c.prohibited), T(c.review), T(at), I(c.last_scan_id),
                           T(c.match_rule), I(c.last_seq), I(site_.full_scans), I(OutsideScope(c.ip)));
        c.changed = false;
      }
    }
    PO_TRY_S(ExecRows(store_,
                      "INSERT INTO devices (id, site_id, mac, serial, ip, manufacturer, brand, device_type, model, "
                      "firmware, prohibited, review, state, state_since, first_seen, last_seen, last_scan_id, "
                      "match_rule, last_seq, full_scans_seen, outside_scope) VALUES ",
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'found', ?, ?, ?, ?, ?, ?, ?, ?)", 20, "", ins));
    return ExecRows(store_,
                    "UPDATE devices SET ip = v.column2, mac = v.column3, serial = v.column4, "
                    "manufacturer = v.column5, brand = v.column6, device_type = v.column7, model = v.column8, "
                    "firmware = v.column9, prohibited = v.column10, review = v.column11, last_seen = v.column12, "
                    "last_scan_id = v.column13, missed_scans = 0, match_rule = v.column14, last_seq = v.column15, "
                    "full_scans_seen = v.column16, outside_scope = v.column17 FROM (VALUES ",
                    "(CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT), ?, CAST(? AS BIGINT), "
                    "CAST(? AS BIGINT), CAST(? AS BIGINT))",
                    17, ") AS v WHERE devices.id = v.column1", upd);
  }

  // Queues event `e` (id handed out now); FlushEvents stores it unless an event with
  // `dedup_key` exists and then counts it in the summary.
  Status Raise(Event e, const std::string& dedup_key) {
    ++raised_;
    if (e.at.empty()) e.at = inv_.Now();
    auto id = event_ids_.Next();
    if (!id) return id.error();
    e.id = *id;
    events_.push_back({std::move(e), dedup_key});
    return Status::Ok();
  }
  Status FlushEvents() {
    if (events_.empty()) return Status::Ok();
    if (pg_) return FlushEventsPg();
    std::vector<SqlValue>& v = Scratch(scratch_events_);
    for (const auto& [e, key] : events_) {
      Push(v, I(e.id), T(e.at), T(e.kind), T(e.severity), T(e.site), I(e.device_id), T(e.scan),
                         key.empty() ? SqlValue() : T(key), T(e.message));
    }
    SqlRows stored;
    PO_TRY_S(ExecRows(store_, "INSERT INTO events (id, at, kind, severity, site, device_id, scan, dedup_key, message) "
                              "VALUES ",
                      "(CAST(? AS BIGINT), ?, ?, ?, ?, CAST(? AS BIGINT), ?, ?, ?)", 9,
                      " ON CONFLICT (dedup_key) DO NOTHING RETURNING id", v, &stored));
    std::set<int64_t> ids;
    for (const auto& r : stored) ids.insert(ColInt(r, 0));
    for (auto& [e, key] : events_) {
      if (ids.count(e.id)) Keep(std::move(e));
    }
    events_.clear();
    return Status::Ok();
  }
  // FlushEvents on PostgreSQL: the same INSERT ... ON CONFLICT, one statement over arrays.
  Status FlushEventsPg() {
    BatchWrites w;
    BuildEventWrites(w);
    PO_TRY_S(RunEventWrites(w));
    for (Event& e : w.kept) Keep(std::move(e));
    return Status::Ok();
  }
  // Moves the raised events into `w`, with their arrays.
  void BuildEventWrites(BatchWrites& w) {
    if (events_.empty()) return;
    PgColumns cols(9);
    std::unordered_set<std::string_view> keys;
    keys.reserve(events_.size());
    for (const auto& [e, key] : events_) {
      if (!key.empty() && !keys.insert(key).second) w.event_keys_unique = false;
      cols.Int(0, e.id);
      cols.Text(1, e.at);
      cols.Text(2, e.kind);
      cols.Text(3, e.severity);
      cols.Text(4, e.site);
      cols.Int(5, e.device_id);
      cols.Text(6, e.scan);
      if (key.empty()) {
        cols.Null(7);
      } else {
        cols.Text(7, key);
      }
      cols.Text(8, e.message);
    }
    w.event_columns = cols.Params();
    w.events = std::move(events_);
    events_.clear();
  }
  // Stores w's events; w.kept: those stored, in order. Usually no dedup key is stored yet (the
  // events of a chunk sent again are not raised again): one look for the keys, then a plain
  // INSERT, which costs PostgreSQL a third to two thirds of `ON CONFLICT DO NOTHING`'s
  // speculative insertion (22-26 ms against 37-82 per 5,000 events; docs/performance.md,
  // "fourteenth pass"). When a key is there (EventWithAStoredKeyIsNotRaisedAgain), or twice in
  // the batch (no event kind is raised twice for one device and scan today: a guard), ON
  // CONFLICT decides.
  Status RunEventWrites(BatchWrites& w) {
    if (w.events.empty()) return Status::Ok();
    bool plain = w.event_keys_unique;
    if (plain) {
      auto found = store_.Query("SELECT 1 FROM events WHERE dedup_key = ANY($1::text[]) LIMIT 1",
                                std::span(&w.event_columns.at(7), 1));  // $8: the dedup keys
      if (!found) return found.error();
      plain = found->empty();
    }
    static constexpr std::string_view kInsert =
        "INSERT INTO events (id, at, kind, severity, site, device_id, scan, dedup_key, message) SELECT * FROM "
        "unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], "
        "$8::text[], $9::text[])";
    if (plain) {
      PO_TRY_S(store_.Exec(kInsert, w.event_columns));
      for (auto& [e, key] : w.events) w.kept.push_back(std::move(e));
      return Status::Ok();
    }
    static const std::string kInsertNew = std::string(kInsert) + " ON CONFLICT (dedup_key) DO NOTHING RETURNING id";
    auto stored = store_.Query(kInsertNew, w.event_columns);
    if (!stored) return stored.error();
    std::set<int64_t> ids;
    for (const auto& r : *stored) ids.insert(ColInt(r, 0));
    for (auto& [e, key] : w.events) {
      if (ids.count(e.id)) w.kept.push_back(std::move(e));
    }
    return Status::Ok();
  }
  void Keep(Event e) {
    ++summary_.events_raised;
    if (summary_.first_event_id == 0) summary_.first_event_id = e.id;
    summary_.last_event_id = e.id;
    if (summary_.events.size() < kMaxSummaryEvents) summary_.events.push_back(std::move(e));
  }

  SqlInventory& inv_;
  Store& store_;
  ScanMeta meta_;
  SiteRow site_;
  int64_t scan_id_;
  bool resumed_;
  static constexpr size_t kBatchRows = 128;
  // PostgreSQL: a batch is a few statements whatever its size (array parameters and COPY), so
  // larger batches mean fewer round trips.
  static constexpr size_t kPgBatchRows = 1024;
  static constexpr size_t kPgFirstBatchRows = 256;
  bool pg_ = store_.dialect() == Dialect::kPostgres;
  std::vector<Pending> batch_;                // records not yet resolved and written
  std::map<int64_t, Candidate> cands_;        // devices the batch may touch, by id
  KeyIndex keys_;                             // their identity keys
  std::vector<std::pair<Event, std::string>> events_;  // raised, not yet written (with dedup key)
  IdAllocator device_ids_, event_ids_;
  // Parameter lists of the batch's multi-row statements, kept across batches: rebuilding them
  // per batch (up to 2,304 values) made glibc grow and trim the heap (page faults) every batch.
  std::vector<SqlValue> scratch_rows_, scratch_ins_, scratch_upd_, scratch_events_;
  IngestSummary summary_;
  Sha256Stream hash_;
  // The digest of the scan's records kept across its chunks (scans.records_digest): valid while
  // every record came after the last one it covers (chain_last_seq_), chain_count_ records.
  bool chain_ok_ = true;
  int64_t chain_count_ = 0, chain_last_seq_ = 0;
  bool done_ = false;
  bool marked_incomplete_ = false;  // stopped early (not a chunk): the digest is kept
  bool audit_ = true;
  bool owns_transaction_ = true;
  bool replay_ = false;
  int64_t next_analyze_ = 0;  // PostgreSQL: new devices at which to refresh statistics (0: not read yet)
  int64_t raised_ = 0;        // events raised so far
  // Pipelined (PostgreSQL, Pipelined()): the thread running the statements, the batch whose
  // candidates it reads, the writes posted whose results are not taken yet, the number of the
  // batch resolved last, merge reviews opened by the batch being resolved (resolving_), and the
  // new devices and events of the batch resolved last (ids reserved ahead, PostLookup).
  std::unique_ptr<PgPipeline> pipeline_;
  std::shared_ptr<Lookup> ahead_;
  std::deque<std::shared_ptr<BatchWrites>> writing_;
  int64_t batch_no_ = 0;
  std::vector<std::array<SqlValue, 5>> reviews_;
  bool resolving_ = false;
  int64_t last_new_devices_ = 0, last_events_ = 0;
};

}  // namespace

Result<std::unique_ptr<ScanIngest>> SqlInventory::BeginIngest(const ScanMeta& meta_in) {
  ScanMeta meta = meta_in;
  if (meta.scan_key.empty()) return MakeError(ErrorCode::kInvalidArgument, "a scan needs an id (scan key)");
  if (meta.site.empty()) return MakeError(ErrorCode::kInvalidArgument, "a scan is recorded against a site (--site)");
  if (meta.started_at.empty()) meta.started_at = Now();
  PO_TRY(store_->Begin());
  auto fail = [this](Error e) -> Result<std::unique_ptr<ScanIngest>> {
    (void)store_->Rollback();
    return e;
  };
  auto site = LoadSite(meta.site);
  if (!site) return fail(site.error());
  SqlValue k[] = {T(meta.scan_key)};
  auto existing = store_->Query("SELECT id, complete, site_id, records_digest FROM scans WHERE key = $1", k);
  if (!existing) return fail(existing.error());
  int64_t scan_id = 0;
  bool already = false, resumed = false;
  std::string digest;
  if (!existing->empty()) {
    scan_id = ColInt(existing->front(), 0);
    digest = Col(existing->front(), 3);
    if (ColInt(existing->front(), 2) != site->id) {
      return fail(MakeError(ErrorCode::kInvalidArgument,
                            "scan " + meta.scan_key + " was recorded against another site, not " + meta.site));
    }
    already = ColInt(existing->front(), 1) != 0;
    resumed = !already;
  } else {
    SqlValue p[] = {T(meta.scan_key),     I(site->id),   T(meta.agent),  T(meta.started_at),
                    T(meta.rules_version), T(meta.source), T(ScopeListToString(meta.scope.empty() ? site->scopes : meta.scope)),
                    T(Now())};
    auto ins = store_->Query(
        "INSERT INTO scans (key, site_id, agent, started_at, rules_version, source, scope, ingested_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        p);
    if (!ins) return fail(ins.error());
    scan_id = ColInt(ins->front(), 0);
  }
  if (already) (void)store_->Rollback();
  return std::unique_ptr<ScanIngest>(
      std::make_unique<SqlScanIngest>(*this, std::move(meta), std::move(*site), scan_id, already, resumed, digest));
}

// The device a snapshot (Snapshot(): id and identity keys as recorded in the audit log) was
// about, in the re-derived devices: the device of the site whose keys are exactly the recorded
// ones, else the one the identity rules pick for those keys; 0 when none.
Result<int64_t> SqlInventory::FindSnapshotDevice(int64_t site_id, const json& snap) {
  if (!snap.is_object()) return int64_t{0};
  ScanRecord keys;
  keys.mac = snap.value("mac", std::string());
  keys.serial = snap.value("serial", std::string());
  keys.ip = snap.value("ip", std::string());
  keys.manufacturer = snap.value("manufacturer", std::string());
  keys.model = snap.value("model", std::string());
  SqlValue p[] = {I(site_id), T(keys.mac), T(keys.serial), T(keys.ip), T(keys.manufacturer), T(keys.model)};
  auto exact = store_->Query(
      "SELECT id FROM devices WHERE site_id = $1 AND mac = $2 AND serial = $3 AND ip = $4 AND manufacturer = $5 "
      "AND model = $6 ORDER BY id LIMIT 1",
      p);
  if (!exact) return exact.error();
  if (!exact->empty()) return ColInt(exact->front(), 0);
  SqlIdentityLookup lookup(*store_, site_id);
  IdentityDecision d = ResolveIdentity(keys, 0, lookup);
  if (!lookup.status().ok()) return lookup.status().error();
  return d.device_id;
}

// Redoes a person's decision on a merge review inside Rebuild: finds the two devices again
// (from the snapshots the decision recorded; entries written before those were recorded name
// only device_a, whose single open review then says which device_b was meant) and merges them
// (accept) or marks their re-opened review rejected. False when the devices are not both there
// (the rules now decide otherwise): the decision is skipped.
Result<bool> SqlInventory::RedoMergeDecision(bool accept, const json& before, const json& after) {
  if (!after.is_object() || !after.contains("merge") || !after["merge"].is_object()) return false;
  const json& m = after["merge"];
  auto site = LoadSite(m.value("site", std::string()));
  if (!site) return false;
  json a_was = m.contains("device_a_was") ? m["device_a_was"] : before;
  auto a = FindSnapshotDevice(site->id, a_was);
  if (!a) return a.error();
  if (*a == 0) return false;
  int64_t b = 0;
  if (m.contains("device_b_was")) {
    auto found = FindSnapshotDevice(site->id, m["device_b_was"]);
    if (!found) return found.error();
    b = *found;
  } else {
    SqlValue p[] = {I(*a)};
    auto open = store_->Query("SELECT device_b FROM merge_reviews WHERE device_a = $1 AND status = 'open'", p);
    if (!open) return open.error();
    if (open->size() == 1) b = ColInt(open->front(), 0);
  }
  if (b == 0 || b == *a) return false;
  SqlValue ab[] = {I(*a), I(b)};
  auto review = store_->Query(
      "SELECT id FROM merge_reviews WHERE device_a = $1 AND device_b = $2 AND status = 'open' ORDER BY id LIMIT 1", ab);
  if (!review) return review.error();
  int64_t review_id = review->empty() ? 0 : ColInt(review->front(), 0);
  if (accept) {
    auto da = LoadDevice(*a);
    if (!da) return da.error();
    auto db = LoadDevice(b);
    if (!db) return db.error();
    if (Status s = MergeDevices(*da, *db); !s.ok()) return s.error();
  } else if (review_id == 0) {
    return false;  // nothing re-opened to reject
  }
  if (review_id != 0) {
    SqlValue q[] = {I(review_id), T(accept ? "accepted" : "rejected")};
    if (Status s = store_->Exec("UPDATE merge_reviews SET status = $2 WHERE id = $1", q); !s.ok()) return s.error();
  }
  return true;
}

Result<RebuildSummary> SqlInventory::Rebuild(const std::string& actor, const std::string& note) {
  if (actor.empty()) return MakeError(ErrorCode::kInvalidArgument, "an actor is required (--actor NAME)");
  RebuildSummary summary;
  Status st = InTransaction(*store_, [&]() -> Status {
    // People's decisions, in order, with the identity of the device they were about.
    struct Action {
      std::string at;
      AuditEntry entry;
    };
    std::vector<Action> actions;
    auto audit = store_->Query(std::string(kAuditSelect) + "WHERE action IN ('set-state', 'waive', 'merge-accepted', 'merge-rejected') "
                                 "ORDER BY seq");
    if (!audit) return audit.error();
    for (const auto& r : *audit) {
      AuditEntry e = ReadAudit(r);
      actions.push_back({e.at, e});
    }
    PO_TRY_S(store_->Exec("UPDATE scan_records SET device_id = NULL, match_rule = ''"));
    PO_TRY_S(store_->Exec("DELETE FROM merge_reviews"));
    PO_TRY_S(store_->Exec("DELETE FROM devices"));
    // The replayed scans count their whole-site scans again.
    PO_TRY_S(store_->Exec("UPDATE sites SET full_scans = 0"));
    PO_TRY_S(store_->Exec("UPDATE scans SET full_counted = 0"));
    auto scans = store_->Query(
        "SELECT sc.id, sc.key, s.key, sc.agent, sc.started_at, sc.rules_version, sc.source, sc.scope, sc.complete "
        "FROM scans sc JOIN sites s ON s.id = sc.site_id ORDER BY sc.started_at, sc.id");
    if (!scans) return scans.error();
    size_t next_action = 0;
    auto apply_actions_before = [&](const std::string& limit) -> Status {
      for (; next_action < actions.size() && (limit.empty() || actions[next_action].at < limit); ++next_action) {
        const AuditEntry& e = actions[next_action].entry;
        json before = json::parse(e.before, nullptr, false);
        json after = json::parse(e.after, nullptr, false);
        if (e.action == "merge-accepted" || e.action == "merge-rejected") {
          auto redone = RedoMergeDecision(e.action == "merge-accepted", before, after);
          if (!redone) return redone.error();
          ++(*redone ? summary.actions_reapplied : summary.actions_skipped);
          continue;
        }
        if (!before.is_object() || !after.is_object()) {
          ++summary.actions_skipped;
          continue;
        }
        auto site = LoadSite(before.value("site", std::string()));
        if (!site) {
          ++summary.actions_skipped;
          continue;
        }
        auto found = FindSnapshotDevice(site->id, before);
        if (!found) return found.error();
        if (*found == 0) {
          ++summary.actions_skipped;
          continue;
        }
        auto dev = LoadDevice(*found);
        if (!dev) return dev.error();
        DeviceRecord next = *dev;
        next.state = StateOr(after.value("state", std::string()), dev->state);
        std::string prior = after.value("prior_state", std::string());
        next.prior_state = prior.empty() ? std::nullopt : std::optional<DeviceState>(StateOr(prior, DeviceState::kFound));
        next.replacement_model = after.value("replacement_model", std::string());
        next.target_date = after.value("target_date", std::string());
        next.removed_by = after.value("removed_by", std::string());
        next.waiver_approver = after.value("waiver_approver", std::string());
        next.waiver_reason = after.value("waiver_reason", std::string());
        next.waiver_expiry = after.value("waiver_expiry", std::string());
        next.waiver_expired = after.value("waiver_expired", false);
        next.reason = after.value("reason", std::string());
        next.state_since = e.at;
        next.missed_scans = 0;
        if (!IsTransitionAllowed(dev->state, next.state, TransitionOrigin::kPerson)) {
          ++summary.actions_skipped;
          continue;
        }
        PO_TRY_S(WriteLifecycle(*dev, next, e.actor, e.action, e.note, 0, /*audit=*/false));
        ++summary.actions_reapplied;
      }
      return Status::Ok();
    };
    for (const auto& s : *scans) {
      PO_TRY_S(apply_actions_before(Col(s, 4)));
      auto site = LoadSite(Col(s, 2));
      if (!site) return site.error();
      ScanMeta meta;
      meta.scan_key = Col(s, 1);
      meta.site = Col(s, 2);
      meta.agent = Col(s, 3);
      meta.started_at = Col(s, 4);
      meta.rules_version = Col(s, 5);
      meta.source = Col(s, 6);
      if (auto sc = ParseScopeList(Col(s, 7))) meta.scope = *sc;
      meta.complete = ColInt(s, 8) != 0;
      int64_t scan_id = ColInt(s, 0);
      SqlScanIngest replay(*this, meta, *site, scan_id, false, false, "");
      replay.set_replay();
      int64_t after = 0;
      while (true) {
        SqlValue q[] = {I(scan_id), I(after)};
        auto rows = store_->Query(
            "SELECT seq, record FROM scan_records WHERE scan_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000", q);
        if (!rows) return rows.error();
        if (rows->empty()) break;
        for (const auto& r : *rows) {
          after = ColInt(r, 0);
          auto rec = ParseScanRecord(Col(r, 1));
          if (!rec) continue;
          PO_TRY_S(replay.Add(std::move(*rec), "", after));
          ++summary.records;
        }
      }
      PO_TRY_S(replay.FlushBatch());
      if (meta.complete) PO_TRY_S(replay.VerifyPass());
      ++summary.scans;
    }
    PO_TRY_S(apply_actions_before(""));
    auto n = store_->Query("SELECT COUNT(*) FROM devices");
    if (!n) return n.error();
    summary.devices = ColInt(n->front(), 0);
    AuditEntry e;
    e.actor = actor;
    e.action = "rebuild";
    e.after = DumpJson(json({{"scans", summary.scans}, {"records", summary.records}, {"devices", summary.devices},
                             {"actions_reapplied", summary.actions_reapplied},
                             {"actions_skipped", summary.actions_skipped}}));
    e.note = note.empty() ? "devices re-derived from the raw scan events" : note;
    return AppendAudit(std::move(e));
  });
  if (!st.ok()) return st.error();
  RefreshSearchAfterCommit();
  return summary;
}

}  // namespace phaseout::inventory::internal
