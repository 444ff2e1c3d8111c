// Store: the persistence interface of the inventory. A Store runs parameterised SQL in one
// dialect (SQLite or PostgreSQL) inside explicit transactions; everything the inventory knows
// (schema, identity, lifecycle, audit) is written once on top of it, in inventory.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace phaseout::inventory {

// One bound parameter: NULL, integer, real or text.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

// One result row; NULL columns are std::nullopt, other values are their text form.
using SqlRow = std::vector<std::optional<std::string>>;
using SqlRows = std::vector<SqlRow>;

enum class Dialect { kSqlite, kPostgres };

// A statement that starts with this comment may keep its plan: on PostgreSQL, outside a
// transaction, it runs as a named prepared statement (parsed once per connection; after five
// runs PostgreSQL may keep a generic plan, replanned when the tables' statistics change). For
// the reads of a page, a device or a credential, whose planning cost as much as their
// execution. Inside a transaction (an ingest growing a fresh table before any statistics
// exist) such statements are planned each time. SQLite keeps every statement prepared anyway.
inline constexpr std::string_view kReusePlan = "/* reuse plan */ ";

// Rows in the text form of PostgreSQL's COPY (tab between fields, newline between rows; \N is
// NULL; backslash, tab, newline and carriage return escaped), built field by field, for
// Store::CopyRowsText.
class CopyText {
 public:
  explicit CopyText(size_t width) : width_(width) {}
  void Text(std::string_view s);
  void Int(int64_t n);
  void Null();
  void Value(const SqlValue& v);
  size_t rows() const { return (fields_ + width_ - 1) / width_; }
  const std::string& text() const { return text_; }

 private:
  void Separate() {
    if (fields_ > 0) text_ += fields_ % width_ == 0 ? '\n' : '\t';
    ++fields_;
  }
  size_t width_;
  size_t fields_ = 0;
  std::string text_;
};

// A connection to one database. Not thread-safe: one thread at a time (open one Store per
// thread). Statements use $1..$n placeholders in both dialects; values are always bound, never
// spliced into the SQL text.
class Store {
 public:
  virtual ~Store() = default;
  virtual Dialect dialect() const = 0;
  // Where the data lives, safe to print (no password): "sqlite:/path" or "postgresql://host/db".
  virtual std::string description() const = 0;

  // Runs one statement and returns its rows (none for statements without a result).
  // Fails with kIo naming the database on any database error (locked, read-only, connection
  // lost, constraint violated); the message includes the statement's first words.
  virtual Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params) = 0;
  Result<SqlRows> Query(std::string_view sql) { return Query(sql, {}); }
  Status Exec(std::string_view sql, std::span<const SqlValue> params) {
    auto r = Query(sql, params);
    if (!r) return r.error();
    return Status::Ok();
  }
  Status Exec(std::string_view sql) { return Exec(sql, {}); }
  // Runs several statements without parameters (schema scripts).
  virtual Status ExecScript(std::string_view sql) = 0;

  // Appends rows to `table`: `values` holds columns.size() values per row, row after row.
  // PostgreSQL streams them with one COPY ... FROM STDIN (no statement to plan, rows written in
  // bulk; the ingest's batches on PostgreSQL use it). Other backends answer kInternal: callers
  // check dialect() first. REQUIRES: inside a transaction.
  Status CopyRows(std::string_view table, std::span<const std::string_view> columns,
                  std::span<const SqlValue> values);
  // CopyRows with the rows already in COPY's text form (CopyText): a caller may build them on
  // one thread and send them from another (the ingest builds a batch's rows while PostgreSQL
  // writes the batch before it).
  virtual Status CopyRowsText(std::string_view table, std::span<const std::string_view> columns,
                              const std::string& text);

  // A token that changes whenever data this connection reads may have changed: another
  // connection's commit or this one's own writes. Equal tokens mean the same data is visible, so
  // results read under one token can be reused while it stays. "" (never equal) inside a
  // transaction or when the backend cannot tell. PostgreSQL: the current snapshot (its xmin,
  // xmax and running transactions: any commit changes it); SQLite: PRAGMA data_version and the
  // connection's count of changed rows.
  virtual Result<std::string> DataVersion() { return std::string(); }

  // Transactions. Begin takes the write lock at once (SQLite BEGIN IMMEDIATE), so a second
  // writer fails at Begin (after the busy timeout) rather than half-way through a change.
  // REQUIRES: no transaction open for Begin; one open for Commit/Rollback.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual bool in_transaction() const = 0;
};

// Options of OpenStore.
struct StoreOptions {
  int busy_timeout_ms = 5000;  // how long SQLite waits for a lock held by another process
  bool read_only = false;      // open without write access (queries only)
};

// Opens `location`: "postgresql://..." or "postgres://..." selects PostgreSQL (when built with
// it), anything else is an SQLite file path (created with its parent folder if absent).
// SQLite runs in WAL mode with synchronous=FULL, foreign keys on; a new SQLite file gets 32 KiB
// pages (an existing one keeps its page size).
// Fails with kIo (cannot open, not a database) or kInvalidArgument (PostgreSQL not built in).
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, const StoreOptions& options = {});

// True iff `location` names a PostgreSQL database.
bool IsPostgresLocation(std::string_view location);

// The default SQLite location: $PHASEOUT_DB if set, else $XDG_DATA_HOME/phaseout/inventory.db,
// else $HOME/.local/share/phaseout/inventory.db.
std::string DefaultStoreLocation();

// Runs `fn` inside one transaction: commits iff fn returns ok, rolls back otherwise.
template <typename Fn>
Status InTransaction(Store& store, Fn&& fn) {
  if (Status s = store.Begin(); !s.ok()) return s;
  Status s = fn();
  if (!s.ok()) {
    (void)store.Rollback();
    return s;
  }
  if (Status c = store.Commit(); !c.ok()) {
    (void)store.Rollback();
    return c;
  }
  return Status::Ok();
}

// Text helpers for rows: column `i` as text ("" when NULL) or as an integer (0 when NULL).
inline std::string Col(const SqlRow& row, size_t i) { return row.at(i).value_or(""); }
int64_t ColInt(const SqlRow& row, size_t i);

}  // namespace phaseout::inventory
