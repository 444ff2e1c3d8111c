// The inventory's NDJSON line parser as it was before the hand-written scanner of record.cc:
// nlohmann::json's SAX interface, one pass. Kept only as the reference the scanner is checked
// against (record_test.cc, fuzz/scan_line_fuzz.cc): both must accept and reject the same lines
// with the same messages and give the same records.
#include "inventory/testing/record_reference.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "core/strings.h"

namespace phaseout::inventory::testing {
namespace {

bool IsUnknownMaker(const std::string& m) { return m.empty() || EqualsIgnoreCase(m, "unknown"); }

}  // namespace

namespace {

// One pass over the line with nlohmann's SAX interface: only the top-level fields the inventory
// uses (and the policy/status of each verdict) are kept; evidence, ports and notes are lexed and
// dropped without building a document (the ingest's hot path: about half the cost of a DOM).
// Semantic errors are remembered and reported after the syntax is known to be valid, in the
// order a field-by-field check would report them.
class LineSax {
 public:
  using json = nlohmann::json;
  using string_t = json::string_t;
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using binary_t = json::binary_t;

  ScanRecord record;
  bool root_object = false;
  bool syntax_error = false;
  std::string type;  // top-level "type" when a string
  bool type_is_string = false;
  bool complete_false = false;
  bool out_of_scope = false;   // top-level "out_of_scope": true
  uint32_t bad_fields = 0;     // bit i: string field i has another type
  std::string verdict_error;   // first problem with "verdicts"

  static constexpr const char* kFields[] = {"ip", "mac", "serial", "manufacturer", "brand", "device_type",
                                            "model", "firmware"};

  bool null() { return Scalar(Value::kNull, nullptr); }
  bool boolean(bool b) { return Scalar(b ? Value::kTrue : Value::kFalse, nullptr); }
  bool number_integer(number_integer_t) { return Scalar(Value::kOther, nullptr); }
  bool number_unsigned(number_unsigned_t) { return Scalar(Value::kOther, nullptr); }
  bool number_float(number_float_t, const string_t&) { return Scalar(Value::kOther, nullptr); }
  bool binary(binary_t&) { return Scalar(Value::kOther, nullptr); }
  bool string(string_t& v) { return Scalar(Value::kString, &v); }

  bool start_object(std::size_t) {
    if (depth_ == 0) {
      root_object = true;
    } else if (depth_ == 1) {
      Nested(/*array=*/false);
    } else if (depth_ == 2 && in_verdicts_) {
      policy_.reset();
      status_.reset();
      verdict_fields_ok_ = true;
    } else if (depth_ == 3 && in_verdicts_) {
      verdict_fields_ok_ = verdict_fields_ok_ && vkey_ != "policy" && vkey_ != "status";
    }
    ++depth_;
    return true;
  }
  bool end_object() {
    --depth_;
    if (depth_ == 2 && in_verdicts_) EndVerdict();
    return true;
  }
  bool start_array(std::size_t) {
    if (depth_ == 1) {
      Nested(/*array=*/true);
    } else if (depth_ == 2 && in_verdicts_) {
      NotAnObjectVerdict();
    } else if (depth_ == 3 && in_verdicts_) {
      verdict_fields_ok_ = verdict_fields_ok_ && vkey_ != "policy" && vkey_ != "status";
    }
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    if (depth_ == 1) in_verdicts_ = false;
    return true;
  }
  bool key(string_t& k) {
    if (depth_ == 1) key_.swap(k);
    else if (depth_ == 3 && in_verdicts_) vkey_.swap(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    syntax_error = true;
    return false;
  }

 private:
  enum class Value { kNull, kTrue, kFalse, kString, kOther };

  int FieldIndex() const {
    for (int i = 0; i < 8; ++i) {
      if (key_ == kFields[i]) return i;
    }
    return -1;
  }
  std::string* FieldOut(int i) {
    std::string* outs[] = {&record.ip,    &record.mac,         &record.serial, &record.manufacturer,
                           &record.brand, &record.device_type, &record.model,  &record.firmware};
    return outs[i];
  }

  bool Scalar(Value kind, string_t* v) {
    if (depth_ == 1) {
      if (int i = FieldIndex(); i >= 0) {
        if (kind == Value::kString) {
          FieldOut(i)->swap(*v);
          bad_fields &= ~(1u << i);
        } else if (kind == Value::kNull) {
          FieldOut(i)->clear();
          bad_fields &= ~(1u << i);
        } else {
          bad_fields |= 1u << i;
        }
      } else if (key_ == "type") {
        type_is_string = kind == Value::kString;
        if (type_is_string) type = *v;
      } else if (key_ == "complete") {
        complete_false = kind == Value::kFalse;
      } else if (key_ == "out_of_scope") {
        out_of_scope = kind == Value::kTrue;
      } else if (key_ == "verdicts" && kind != Value::kNull) {
        NoteVerdictError("field 'verdicts' is not a list");
      }
    } else if (depth_ == 2 && in_verdicts_) {
      NotAnObjectVerdict();
    } else if (depth_ == 3 && in_verdicts_) {
      if (vkey_ == "policy" || vkey_ == "status") {
        std::optional<std::string>& slot = vkey_ == "policy" ? policy_ : status_;
        if (kind == Value::kString) {
          slot = std::move(*v);
        } else {
          slot.reset();
          verdict_fields_ok_ = false;
        }
      }
    }
    return true;
  }

  // A container as the value of a top-level key.
  void Nested(bool array) {
    if (int i = FieldIndex(); i >= 0) {
      bad_fields |= 1u << i;
    } else if (key_ == "verdicts") {
      if (array) {
        in_verdicts_ = true;
      } else {
        NoteVerdictError("field 'verdicts' is not a list");
      }
    } else if (key_ == "type") {
      type_is_string = false;
    } else if (key_ == "complete") {
      complete_false = false;
    } else if (key_ == "out_of_scope") {
      out_of_scope = false;
    }
  }

  void NotAnObjectVerdict() { NoteVerdictError("a verdict is not an object"); }

  void EndVerdict() {
    if (!verdict_fields_ok_ || !policy_ || !status_) {
      NoteVerdictError("a verdict lacks a text 'policy' or 'status'");
      return;
    }
    const std::string& st = *status_;
    if (st == "prohibited") {
      record.prohibited.push_back(std::move(*policy_));
    } else if (st == "review") {
      record.review.push_back(std::move(*policy_));
    } else if (st != "clear" && st != "unknown") {
      NoteVerdictError("unknown verdict status '" + st + "'");
    }
  }

  void NoteVerdictError(std::string msg) {
    if (verdict_error.empty()) verdict_error = std::move(msg);
  }

  int depth_ = 0;
  std::string key_, vkey_;
  bool in_verdicts_ = false;
  bool verdict_fields_ok_ = true;
  std::optional<std::string> policy_, status_;
};

// What the line is (see ScanLineKind): a device unless "type" names another record or the
// record is flagged out of scope (a discovery replier outside the scan's targets: never a
// device of the site).
ScanLineKind KindOf(const LineSax& sax) {
  if (sax.out_of_scope) return ScanLineKind::kOther;
  if (!sax.type_is_string || sax.type == "device") return ScanLineKind::kDevice;
  if (sax.type == "scan_end" && sax.complete_false) return ScanLineKind::kIncompleteEnd;
  return ScanLineKind::kOther;
}

Status Parse(std::string_view line, LineSax& sax) {
  bool ok = nlohmann::json::sax_parse(line.begin(), line.end(), &sax, nlohmann::json::input_format_t::json,
                                      /*strict=*/true);
  if (!ok || sax.syntax_error) return MakeError(ErrorCode::kParse, "not valid JSON");
  if (!sax.root_object) return MakeError(ErrorCode::kParse, "not a JSON object (one device report per line expected)");
  return Status::Ok();
}

// The device record of a parsed line, or the first problem with it.
Result<ScanRecord> Finish(LineSax& sax) {
  for (int i = 0; i < 8; ++i) {
    if (sax.bad_fields & (1u << i)) {
      return MakeError(ErrorCode::kParse, std::string("field '") + LineSax::kFields[i] + "' is not a string");
    }
  }
  ScanRecord& r = sax.record;
  if (r.ip.empty()) return MakeError(ErrorCode::kParse, "no 'ip' field (not a `phaseout scan` NDJSON device report)");
  if (!sax.verdict_error.empty()) return MakeError(ErrorCode::kParse, sax.verdict_error);
  r.mac = NormaliseMac(r.mac);
  if (IsUnknownMaker(r.manufacturer)) r.manufacturer.clear();
  return std::move(r);
}

}  // namespace

Result<ScanRecord> ReferenceParseScanRecord(std::string_view line) {
  LineSax sax;
  if (Status s = Parse(line, sax); !s.ok()) return s.error();
  return Finish(sax);
}

Result<ScanLine> ReferenceParseScanLine(std::string_view line) {
  LineSax sax;
  if (Status s = Parse(line, sax); !s.ok()) return s.error();
  ScanLine out;
  out.kind = KindOf(sax);
  if (out.kind != ScanLineKind::kDevice) return out;
  auto r = Finish(sax);
  if (!r) return r.error();
  out.record = std::move(*r);
  return out;
}

}  // namespace phaseout::inventory::testing
