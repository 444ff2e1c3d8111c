// PostgresStore: the Store backend for central deployments (libpqxx over libpq). Writers are
// serialised with one transaction-scoped advisory lock, the same one-writer discipline SQLite
// has, so the inventory logic behaves the same on both.
#include <pqxx/pqxx>
#include <pqxx/tablewriter>

#include <memory>
#include <string>
#include <unordered_map>

#include "inventory/store_backends.h"

namespace phaseout::inventory {
namespace {

// Key of the advisory lock every writing transaction takes ("phaseout" in ASCII, truncated).
constexpr const char* kWriterLockSql = "SELECT pg_advisory_xact_lock(7021802017)";

std::string RedactUrl(const std::string& url) {
  // postgresql://user:secret@host/db -> postgresql://user@host/db
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::unique_ptr<pqxx::connection> conn, std::string url)
      : conn_(std::move(conn)), where_(RedactUrl(url)) {}
  ~PostgresStore() override {
    try {
      if (work_) work_->abort();
    } catch (...) {  // NOLINT: a destructor must not throw; the server rolls back on disconnect
    }
  }
  PostgresStore(const PostgresStore&) = delete;  // owns the connection
  PostgresStore& operator=(const PostgresStore&) = delete;

  using Store::Query;
  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string description() const override { return where_; }

  Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params) override {
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (auto* n = std::get_if<int64_t>(&v)) {
        text[i] = std::to_string(*n);
      } else if (auto* d = std::get_if<double>(&v)) {
        text[i] = std::to_string(*d);
      } else {  // text (the arrays of a batch: hundreds of kB) is passed where it is, not copied
        values[i] = std::get<std::string>(v).c_str();
        continue;
      }
      values[i] = text[i].c_str();
    }
    try {
      pqxx::result res;
      auto run = [&](pqxx::transaction_base& tx) {
        if (Reusable(sql) || (!work_ && sql.starts_with(kReusePlan))) {
          if (const std::string* name = Prepared(sql)) {
            return tx.exec_prepared(*name, pqxx::prepare::make_dynamic_params(values));
          }
        }
        return tx.exec_params(std::string(sql), pqxx::prepare::make_dynamic_params(values));
      };
      if (work_) {
        res = run(*work_);
      } else {
        pqxx::nontransaction tx(*conn_);
        res = run(tx);
      }
      SqlRows rows;
      rows.reserve(res.size());
      for (const auto& r : res) {
        SqlRow row(r.size());
        for (pqxx::row::size_type c = 0; c < r.size(); ++c) {
          if (!r[c].is_null()) row[c] = std::string(r[c].c_str(), r[c].size());
        }
        rows.push_back(std::move(row));
      }
      return rows;
    } catch (const std::exception& e) {
      return Failure(e, sql);
    }
  }

  Status ExecScript(std::string_view sql) override {
    try {
      if (work_) {
        work_->exec(std::string(sql));
      } else {
        pqxx::nontransaction tx(*conn_);
        tx.exec(std::string(sql));
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return Failure(e, sql);
    }
  }

  // One COPY ... FROM STDIN in the open transaction: the rows are sent as COPY text lines
  // (one buffer for the whole call; libpq sends it in pieces the server reads as they come).
  Status CopyRowsText(std::string_view table, std::span<const std::string_view> columns,
                      const std::string& data) override {
    if (!work_) return MakeError(ErrorCode::kInternal, "COPY outside a transaction");
    if (columns.empty() || data.empty()) return Status::Ok();
    try {
      std::vector<std::string> cols(columns.begin(), columns.end());
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      // tablewriter (deprecated in libpqxx 6 for stream_to) is the one COPY writer of libpqxx 6
      // that takes lines already in COPY text form.
      pqxx::tablewriter copy(*work_, std::string(table), cols.begin(), cols.end());
#pragma GCC diagnostic pop
      copy.write_raw_line(data);
      copy.complete();
      return Status::Ok();
    } catch (const std::exception& e) {
      return Failure(e, "COPY " + std::string(table));
    }
  }

  Status Begin() override {
    try {
      work_ = std::make_unique<pqxx::work>(*conn_);
      work_->exec(kWriterLockSql);
      return Status::Ok();
    } catch (const std::exception& e) {
      work_.reset();
      return Failure(e, "BEGIN");
    }
  }
  Status Commit() override {
    if (!work_) return MakeError(ErrorCode::kInternal, "commit without a transaction");
    try {
      work_->commit();
      work_.reset();
      return Status::Ok();
    } catch (const std::exception& e) {
      work_.reset();
      return Failure(e, "COMMIT");
    }
  }
  Status Rollback() override {
    if (!work_) return Status::Ok();
    try {
      work_->abort();
    } catch (const std::exception&) {  // connection gone: the server discards the transaction
    }
    work_.reset();
    return Status::Ok();
  }
  bool in_transaction() const override { return work_ != nullptr; }

  // The inventory's write counter (schema version 8): every transaction that writes one of its
  // tables adds one, so the number changes exactly when the inventory's data does, the same for
  // every connection. The database snapshot, used before (and still where the counter table
  // does not exist), also moved with commits that change none of it: a browser session's
  // touch, autovacuum analyzing the system catalogue (a burst of ~11 commits within 0.3 s), and
  // each move dropped the kept counts and offset checkpoints of every pooled connection.
  Result<std::string> DataVersion() override {
    if (work_) return std::string();
    static constexpr std::string_view kCounterSql = "SELECT n FROM inventory_version";
    static constexpr std::string_view kSnapshotSql = "SELECT pg_current_snapshot()::text";
    std::string_view sql = counter_missing_ ? kSnapshotSql : kCounterSql;
    try {
      pqxx::nontransaction tx(*conn_);
      // One plan is right for both (one row, or no table). Outside a transaction Prepared always
      // names one.
      pqxx::result res = tx.exec_prepared(*Prepared(sql));
      if (res.empty() || res[0][0].is_null()) return std::string();
      return (counter_missing_ ? "pg:" : "pg:n") + std::string(res[0][0].c_str(), res[0][0].size());
    } catch (const pqxx::undefined_table&) {
      counter_missing_ = true;  // a database older than version 8 (or not an inventory)
      return DataVersion();
    } catch (const std::exception& e) {
      return Failure(e, sql);
    }
  }

 private:
  // Whether `sql` runs as a named prepared statement (parsed once per connection, and after five
  // runs PostgreSQL keeps a generic plan): only INSERTs that read no table (VALUES lists, the
  // ingest's batches), whose plan cannot depend on table sizes. Everything else runs unnamed
  // (PQexecParams), so it is planned for its parameters every time: a generic plan chosen
  // while a table was small (a fresh inventory's first ingest grows it inside one transaction,
  // before any statistics exist) would keep scanning it row by row.
  static bool Reusable(std::string_view sql) {
    size_t start = sql.find_first_not_of(" \n\t");
    if (start == std::string_view::npos || sql.size() - start < 6) return false;
    auto upper = [](std::string_view s) {
      std::string out(s);
      for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
      return out;
    };
    if (upper(sql.substr(start, 6)) != "INSERT") return false;
    std::string all = upper(sql);
    return all.find("SELECT") == std::string::npos && all.find("WHERE") == std::string::npos;
  }

  // The name of the server-side prepared statement for `sql` (prepared once per connection);
  // nullptr when the connection holds kMaxPrepared already inside a transaction (the statement
  // then runs unnamed). Outside one, a full set is dropped and preparing starts again: the
  // statements of device lists differ with their filters and scopes.
  static constexpr size_t kMaxPrepared = 256;
  const std::string* Prepared(std::string_view sql) {
    auto it = prepared_.find(std::string(sql));
    if (it != prepared_.end()) return &it->second;
    if (prepared_.size() >= kMaxPrepared) {
      if (work_) return nullptr;
      for (const auto& [text, old] : prepared_) conn_->unprepare(old);
      prepared_.clear();
    }
    std::string name = "po" + std::to_string(++prepared_serial_);
    conn_->prepare(name, std::string(sql));
    return &prepared_.emplace(std::string(sql), std::move(name)).first->second;
  }

  Error Failure(const std::exception& e, std::string_view sql) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
        dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr || !conn_->is_open() ||
        // libpq's words when preparing a statement finds the connection closed (pqxx then
        // throws sql_error and may still report the connection open).
        msg.find("server closed the connection") != std::string::npos ||
        msg.find("no connection to the server") != std::string::npos) {
      msg = "the PostgreSQL server went away (" + msg + "); the open change was not committed";
    }
    if (sql.starts_with(kReusePlan)) sql.remove_prefix(kReusePlan.size());
    std::string head(sql.substr(0, 60));
    for (char& c : head) {
      if (c == '\n') c = ' ';
    }
    return MakeError(ErrorCode::kIo, "database " + where_ + ": " + msg + " [" + head + "]");
  }

  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> work_;
  std::string where_;
  std::unordered_map<std::string, std::string> prepared_;
  bool counter_missing_ = false;  // no table inventory_version: DataVersion is the snapshot
  uint64_t prepared_serial_ = 0;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreOptions& options) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    auto store = std::make_unique<PostgresStore>(std::move(conn), url);
    // Quiet NOTICEs ("relation already exists") and make lock waits bounded like SQLite's.
    // plan_cache_mode stays `auto`: statements whose plan depends on table sizes are not kept
    // prepared (Reusable), and the foreign-key checks PostgreSQL runs per inserted row keep
    // their cached plans (force_custom_plan re-planned each of them, about half the server's
    // time in an ingest).
    std::string setup = "SET client_min_messages TO WARNING; "
                        "SET lock_timeout = " +
                        std::to_string(options.busy_timeout_ms) + ";";
    if (options.read_only) setup += " SET default_transaction_read_only = on;";
    if (Status s = store->ExecScript(setup); !s.ok()) return s.error();
    return std::unique_ptr<Store>(std::move(store));
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return MakeError(ErrorCode::kIo, "database " + RedactUrl(url) + ": cannot connect: " + msg);
  }
}

}  // namespace phaseout::inventory
