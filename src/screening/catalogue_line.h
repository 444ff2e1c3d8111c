// A purchase/catalogue line as screening sees it: recognised columns plus passthrough columns.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace phaseout::screening {

// Recognised input columns (matched case-insensitively; spaces and '-' count as '_').
enum class Field : uint8_t {
  kDescription,
  kManufacturer,
  kBrand,
  kModel,
  kPartNumber,
  kSupplier,
  kUnspsc,
  kDate,
};
inline constexpr size_t kFieldCount = 8;

// "description", "manufacturer", "brand", "model", "part_number", "supplier", "unspsc", "date".
const char* FieldName(Field field);
// Parses a recognised column name (after lower-casing; "part number"/"part-number" accepted).
// Returns nullopt for other names (including "line_id", which is handled separately).
std::optional<Field> FieldFromName(std::string_view name);
// Lower-cases `name`, trims it and turns spaces and '-' into '_' ("Part Number" -> "part_number").
std::string CanonicalColumnName(std::string_view name);

// One input line. Value type; reused between lines by the readers (Clear keeps capacity).
struct CatalogueLine {
  uint64_t line_number = 0;  // physical input line where the record starts (1-based)
  uint64_t row = 0;          // data row number (1-based, header excluded, bad rows counted)
  std::string line_id;       // from the line_id column, or the row number when absent/empty
  std::array<std::string, kFieldCount> fields;
  // Unrecognised columns in input order: (column name as written, value).
  std::vector<std::pair<std::string, std::string>> passthrough;

  const std::string& get(Field f) const { return fields[static_cast<size_t>(f)]; }
  std::string& get(Field f) { return fields[static_cast<size_t>(f)]; }
  void Clear();
};

}  // namespace phaseout::screening
