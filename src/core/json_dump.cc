// JSON text of a whole nlohmann-json DOM, strings through the project's one string writer.
#include "core/json_dump.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/json_text.h"

namespace phaseout {
namespace {

template <typename Int>
void AppendInteger(Int v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

// nlohmann's own double formatter (Grisu2, shortest round-trip digits, "%g"-like layout with
// ".0" on integral values), so doubles are byte-identical to its dump. Not finite: null.
void AppendDouble(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[64];
  char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

void Newline(int indent, int depth, std::string* out) {
  out->push_back('\n');
  out->append(static_cast<size_t>(indent) * static_cast<size_t>(depth), ' ');
}

template <typename Json>
void Append(const Json& v, std::string* out, int indent, int depth) {
  using nlohmann::detail::value_t;
  const bool pretty = indent >= 0;
  switch (v.type()) {
    case value_t::null:
      out->append("null");
      return;
    case value_t::boolean:
      out->append(v.template get_ref<const typename Json::boolean_t&>() ? "true" : "false");
      return;
    case value_t::number_integer:
      AppendInteger(v.template get_ref<const typename Json::number_integer_t&>(), out);
      return;
    case value_t::number_unsigned:
      AppendInteger(v.template get_ref<const typename Json::number_unsigned_t&>(), out);
      return;
    case value_t::number_float:
      AppendDouble(v.template get_ref<const typename Json::number_float_t&>(), out);
      return;
    case value_t::string:
      AppendJsonString(v.template get_ref<const typename Json::string_t&>(), out);
      return;
    case value_t::array: {
      const auto& a = v.template get_ref<const typename Json::array_t&>();
      if (a.empty()) {
        out->append("[]");
        return;
      }
      out->push_back('[');
      bool first = true;
      for (const auto& e : a) {
        if (!first) out->push_back(',');
        first = false;
        if (pretty) Newline(indent, depth + 1, out);
        Append(e, out, indent, depth + 1);
      }
      if (pretty) Newline(indent, depth, out);
      out->push_back(']');
      return;
    }
    case value_t::object: {
      const auto& o = v.template get_ref<const typename Json::object_t&>();
      if (o.empty()) {
        out->append("{}");
        return;
      }
      out->push_back('{');
      bool first = true;
      for (const auto& [key, e] : o) {
        if (!first) out->push_back(',');
        first = false;
        if (pretty) Newline(indent, depth + 1, out);
        AppendJsonString(key, out);
        out->append(pretty ? ": " : ":");
        Append(e, out, indent, depth + 1);
      }
      if (pretty) Newline(indent, depth, out);
      out->push_back('}');
      return;
    }
    case value_t::binary: {
      // As nlohmann writes it: {"bytes":[1,2],"subtype":null}.
      const auto& b = v.template get_ref<const typename Json::binary_t&>();
      const char* sep = pretty ? ", " : ",";
      out->push_back('{');
      if (pretty) Newline(indent, depth + 1, out);
      out->append(pretty ? "\"bytes\": [" : "\"bytes\":[");
      for (size_t i = 0; i < b.size(); ++i) {
        if (i) out->append(sep);
        AppendInteger(static_cast<unsigned>(b[i]), out);
      }
      out->append("],");
      if (pretty) Newline(indent, depth + 1, out);
      out->append(pretty ? "\"subtype\": " : "\"subtype\":");
      if (b.has_subtype()) {
        AppendInteger(b.subtype(), out);
      } else {
        out->append("null");
      }
      if (pretty) Newline(indent, depth, out);
      out->push_back('}');
      return;
    }
    case value_t::discarded:
      out->append("<discarded>");  // what nlohmann writes; a parse failure reaching a writer
      return;
  }
}

}  // namespace

void AppendJson(const nlohmann::json& value, std::string* out, int indent) { Append(value, out, indent, 0); }
void AppendJson(const nlohmann::ordered_json& value, std::string* out, int indent) {
  Append(value, out, indent, 0);
}

std::string DumpJson(const nlohmann::json& value, int indent) {
  std::string out;
  AppendJson(value, &out, indent);
  return out;
}

std::string DumpJson(const nlohmann::ordered_json& value, int indent) {
  std::string out;
  AppendJson(value, &out, indent);
  return out;
}

}  // namespace phaseout
