// Column names of catalogue lines.
#include "screening/catalogue_line.h"

#include "core/strings.h"

namespace phaseout::screening {

const char* FieldName(Field field) {
  switch (field) {
    case Field::kDescription: return "description";
    case Field::kManufacturer: return "manufacturer";
    case Field::kBrand: return "brand";
    case Field::kModel: return "model";
    case Field::kPartNumber: return "part_number";
    case Field::kSupplier: return "supplier";
    case Field::kUnspsc: return "unspsc";
    case Field::kDate: return "date";
  }
  return "description";
}

std::string CanonicalColumnName(std::string_view name) {
  std::string out = AsciiLower(Trim(name));
  for (char& c : out) {
    if (c == ' ' || c == '-') c = '_';
  }
  return out;
}

std::optional<Field> FieldFromName(std::string_view name) {
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (name == FieldName(static_cast<Field>(i))) return static_cast<Field>(i);
  }
  return std::nullopt;
}

void CatalogueLine::Clear() {
  line_number = 0;
  row = 0;
  line_id.clear();
  for (auto& f : fields) f.clear();
  passthrough.clear();
}

}  // namespace phaseout::screening
