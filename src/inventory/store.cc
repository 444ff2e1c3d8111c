// OpenStore: picks the backend from the location; the default per-user location.
#include "inventory/store.h"

#include <charconv>
#include <cstdlib>

#include "inventory/store_backends.h"

namespace phaseout::inventory {

bool IsPostgresLocation(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string DefaultStoreLocation() {
  if (const char* env = std::getenv("PHASEOUT_DB"); env != nullptr && *env != '\0') return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/phaseout/inventory.db";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.local/share/phaseout/inventory.db";
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, const StoreOptions& options) {
  if (location.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty database location");
  if (IsPostgresLocation(location)) {
#ifdef PHASEOUT_WITH_POSTGRES
    return OpenPostgresStore(location, options);
#else
    return MakeError(ErrorCode::kInvalidArgument,
                     "this phaseout was built without PostgreSQL support (libpqxx); use an SQLite path");
#endif
  }
  return OpenSqliteStore(location, options);
}

void CopyText::Text(std::string_view s) {
  Separate();
  size_t from = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    const char* esc = c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : nullptr;
    if (esc == nullptr) continue;
    text_.append(s.substr(from, i - from));
    text_ += esc;
    from = i + 1;
  }
  text_.append(s.substr(from));
}

void CopyText::Int(int64_t n) {
  Separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  text_.append(buf, end);
}

void CopyText::Null() {
  Separate();
  text_ += "\\N";
}

void CopyText::Value(const SqlValue& v) {
  if (std::holds_alternative<std::monostate>(v)) {
    Null();
  } else if (auto* n = std::get_if<int64_t>(&v)) {
    Int(*n);
  } else if (auto* d = std::get_if<double>(&v)) {
    Separate();
    text_ += std::to_string(*d);
  } else {
    Text(std::get<std::string>(v));
  }
}

Status Store::CopyRows(std::string_view table, std::span<const std::string_view> columns,
                       std::span<const SqlValue> values) {
  if (columns.empty() || values.empty()) return Status::Ok();
  CopyText rows(columns.size());
  for (const SqlValue& v : values) rows.Value(v);
  return CopyRowsText(table, columns, rows.text());
}

Status Store::CopyRowsText(std::string_view table, std::span<const std::string_view>, const std::string&) {
  return MakeError(ErrorCode::kInternal, "CopyRows into " + std::string(table) + ": not supported by " + description());
}

int64_t ColInt(const SqlRow& row, size_t i) {
  const auto& v = row.at(i);
  if (!v || v->empty()) return 0;
  return std::strtoll(v->c_str(), nullptr, 10);
}

}  // namespace phaseout::inventory
