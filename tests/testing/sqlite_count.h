// Test support: read one integer from a SQLite database the test does not own (e.g. a
// server's), read-only and waiting up to 5 s for its writer.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace phaseout::testing {

// The first column of the first row of `sql` in database `db_path`; -1 (and a test failure)
// when the database cannot be opened or the statement gives no row.
inline int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    } else {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
  } else {
    ADD_FAILURE() << "cannot open " << db_path;
  }
  sqlite3_close(db);
  return n;
}

}  // namespace phaseout::testing
