// SqliteStore: the default Store backend, one SQLite file in WAL mode. Prepared statements are
// cached by SQL text, so the ingest loop parses each statement once.
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "inventory/store_backends.h"

namespace phaseout::inventory {
namespace {

constexpr int kNewDatabasePageSize = 32768;

std::string FirstWords(std::string_view sql) {
  if (sql.starts_with(kReusePlan)) sql.remove_prefix(kReusePlan.size());
  size_t start = sql.find_first_not_of(" \n\t");
  if (start == std::string_view::npos) return "";
  std::string_view s = sql.substr(start, 60);
  std::string out(s);
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteStore() override {
    for (auto& [sql, p] : cache_) sqlite3_finalize(p.stmt);
    if (in_tx_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close_v2(db_);
  }
  SqliteStore(const SqliteStore&) = delete;  // owns the connection handle
  SqliteStore& operator=(const SqliteStore&) = delete;

  using Store::Query;
  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string description() const override { return "sqlite:" + path_; }

  Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params) override {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      Prepared p;
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &p.stmt,
                                  nullptr);
      if (rc != SQLITE_OK) return Failure("prepare", sql);
      // Map $N to SQLite's parameter slot once per statement; anonymous '?' parameters take
      // the values in order.
      int count = sqlite3_bind_parameter_count(p.stmt);
      for (int idx = 1; idx <= count; ++idx) {
        const char* name = sqlite3_bind_parameter_name(p.stmt, idx);
        if (name == nullptr) {
          if (p.slot.size() < static_cast<size_t>(idx)) p.slot.resize(idx, 0);
          p.slot[idx - 1] = idx;
          continue;
        }
        if (name[0] != '$') continue;
        long n = std::strtol(name + 1, nullptr, 10);
        if (n <= 0 || n > 32766) continue;  // SQLITE_MAX_VARIABLE_NUMBER since 3.32
        if (p.slot.size() < static_cast<size_t>(n)) p.slot.resize(n, 0);
        p.slot[n - 1] = idx;
      }
      it = cache_.emplace(std::string(sql), std::move(p)).first;
    }
    sqlite3_stmt* stmt = it->second.stmt;
    const std::vector<int>& slot = it->second.slot;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size() && i < slot.size(); ++i) {
      int idx = slot[i];
      if (idx == 0) continue;  // parameter not used by this statement
      const SqlValue& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) return Failure("bind", sql);
    }
    SqlRows rows;
    int cols = sqlite3_column_count(stmt);
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Error e = Failure("run", sql);
        sqlite3_reset(stmt);
        return e;
      }
      SqlRow row(cols);
      for (int c = 0; c < cols; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row[c] = std::string(text, sqlite3_column_bytes(stmt, c));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    return rows;
  }

  Status ExecScript(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return MakeError(ErrorCode::kIo, Describe("schema script failed: " + msg));
    }
    return Status::Ok();
  }

  Status Begin() override {
    if (Status s = Simple("BEGIN IMMEDIATE"); !s.ok()) return s;
    in_tx_ = true;
    return Status::Ok();
  }
  Status Commit() override {
    Status s = Simple("COMMIT");
    if (s.ok()) in_tx_ = false;
    return s;
  }
  Status Rollback() override {
    in_tx_ = false;
    if (sqlite3_get_autocommit(db_)) return Status::Ok();  // SQLite already rolled back
    return Simple("ROLLBACK");
  }
  bool in_transaction() const override { return in_tx_; }

  Result<std::string> DataVersion() override {
    if (in_tx_) return std::string();
    auto rows = Query("PRAGMA data_version");  // changes with other connections' commits
    if (!rows) return rows.error();
    if (rows->empty()) return std::string();
    // This connection's own writes leave data_version as it is: its count of changed rows does not.
    return "sqlite:" + Col(rows->front(), 0) + ":" + std::to_string(sqlite3_total_changes64(db_));
  }

 private:
  std::string Describe(const std::string& what) const { return "database " + path_ + ": " + what; }

  Error Failure(const char* stage, std::string_view sql) const {
    int code = sqlite3_extended_errcode(db_);
    std::string msg = sqlite3_errmsg(db_);
    int primary = code & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      msg = "the database is locked by another process (waited for the busy timeout); try again when it has finished";
    } else if (primary == SQLITE_READONLY) {
      msg = "the database is read-only (file or folder permissions, or a read-only medium): " + msg;
    }
    return MakeError(ErrorCode::kIo, Describe(msg + " [" + stage + ": " + FirstWords(sql) + "]"));
  }

  Status Simple(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      sqlite3_free(err);
      return Failure("run", sql);
    }
    return Status::Ok();
  }

  sqlite3* db_;
  std::string path_;
  struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> slot;  // slot[N-1]: SQLite index of $N (0: unused)
  };
  // Heterogeneous lookup: find by string_view without building a string per call.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Prepared, Hash, std::equal_to<>> cache_;
  bool in_tx_ = false;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::path p(path);
  if (!options.read_only && p.has_parent_path() && !std::filesystem::exists(p.parent_path(), ec)) {
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      return MakeError(ErrorCode::kIo, "database " + path + ": cannot create folder " + p.parent_path().string() +
                                           ": " + ec.message());
    }
  }
  sqlite3* db = nullptr;
  int flags = options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    if (rc == SQLITE_CANTOPEN && !std::filesystem::exists(p, ec) && options.read_only) {
      msg = "no such database (nothing has been stored yet)";
    }
    return MakeError(ErrorCode::kIo, "database " + path + ": cannot open: " + msg);
  }
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  auto store = std::make_unique<SqliteStore>(db, path);
  // WAL keeps readers going while one writer commits; synchronous=FULL makes each commit
  // durable across power loss (sqlite.org "Atomic Commit In SQLite").
  auto check = store->Query("PRAGMA schema_version");
  if (!check) return check.error();  // "file is not a database" surfaces here
  if (!options.read_only) {
    // A new (empty) database gets 32 KiB pages (sqlite.org default: 4 KiB): an ingest writes
    // every page twice (WAL, then the checkpoint) and fewer, larger pages cost fewer b-tree
    // splits, cache entries, WAL frames and system calls for the same bytes (1,000,000 host
    // records: docs/performance.md, "Larger pages"). The page size is fixed once the first
    // page is written (here, by switching to WAL), so existing databases keep theirs.
    auto pages = store->Query("PRAGMA page_count");
    if (!pages) return pages.error();
    if (ColInt(pages->front(), 0) == 0) {
      if (auto r = store->Query("PRAGMA page_size=" + std::to_string(kNewDatabasePageSize)); !r) return r.error();
    }
    if (auto r = store->Query("PRAGMA journal_mode=WAL"); !r) return r.error();
  }
  // A 64 MiB page cache (a fixed bound, whatever the input size) keeps a large ingest's
  // transaction in memory instead of spilling pages to the WAL and reading them back. A large
  // ingest grows the WAL file to the size of everything it wrote (one transaction); once
  // checkpointed, the file is cut back to 64 MiB instead of keeping that size on disk.
  if (Status s = store->ExecScript("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
                                   "PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=67108864;");
      !s.ok()) {
    return s.error();
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace phaseout::inventory
