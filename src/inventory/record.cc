// NDJSON line -> ScanRecord: a hand-written one-pass JSON scanner (the ingest's hot path). It
// validates the whole line exactly as a strict JSON parser (RFC 8259, as nlohmann::json reads
// it: UTF-8 checked inside strings, escapes and surrogate pairs checked, numbers that overflow a
// double refused, an optional UTF-8 byte-order mark, nothing after the value but whitespace or a
// NUL byte) and keeps only the top-level fields the inventory uses and the policy/status of each
// verdict. Evidence, ports and notes are checked and skipped without copying.
// testing/record_reference.cc keeps the former nlohmann-based parser; record_test.cc and
// fuzz/scan_line_fuzz.cc check that both agree.
#include "inventory/record.h"

#include <cmath>
#include <cstdlib>
#include <locale.h>
#include <optional>

#include "core/strings.h"

namespace phaseout::inventory {
namespace {

bool IsUnknownMaker(const std::string& m) { return m.empty() || EqualsIgnoreCase(m, "unknown"); }

}  // namespace

std::string NormaliseMac(std::string_view mac) {
  char hex[12];
  size_t n = 0;
  for (char c : mac) {
    if (c == ':' || c == '-' || c == '.') continue;
    char l = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    if (!((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f'))) return "";
    if (n == 12) return "";
    hex[n++] = l;
  }
  if (n != 12) return "";
  std::string_view h(hex, 12);
  if (h == "000000000000" || h == "ffffffffffff") return "";
  std::string out(17, ':');
  for (size_t i = 0, o = 0; i < 12; i += 2, o += 3) {
    out[o] = hex[i];
    out[o + 1] = hex[i + 1];
  }
  return out;
}

namespace {

// A JSON string as it appears in the line (between the quotes), decoded only when asked.
struct JsonString {
  std::string_view raw;
  bool escaped = false;  // holds a backslash escape: raw is not the text
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at p (the caller checked they are there), or -1.
int Hex4(const char* p) {
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    int d = HexDigit(p[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The text of a string the scanner has validated.
std::string Decode(const JsonString& s) {
  if (!s.escaped) return std::string(s.raw);
  std::string out;
  out.reserve(s.raw.size());
  const char* p = s.raw.data();
  const char* end = p + s.raw.size();
  while (p < end) {
    if (*p != '\\') {
      out += *p++;
      continue;
    }
    char e = p[1];
    p += 2;
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      default: {  // 'u', validated: a code point, a surrogate pair when high
        uint32_t cp = static_cast<uint32_t>(Hex4(p));
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo = static_cast<uint32_t>(Hex4(p + 2));
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        AppendUtf8(out, cp);
      }
    }
  }
  return out;
}

// What the scanner reports, in document order (the events of a SAX parser). The handler keeps
// the fields ScanRecord needs; its logic is that of the former nlohmann SAX handler, so
// semantic errors are remembered and reported after the syntax is known to be valid, in the
// order a field-by-field check would report them.
class LineHandler {
 public:
  ScanRecord record;
  bool root_object = false;
  std::string type;  // top-level "type" when a string
  bool type_is_string = false;
  bool complete_false = false;
  bool out_of_scope = false;  // top-level "out_of_scope": true
  uint32_t bad_fields = 0;    // bit i: string field i has another type
  std::string verdict_error;  // first problem with "verdicts"

  static constexpr const char* kFields[] = {"ip", "mac", "serial", "manufacturer", "brand", "device_type",
                                            "model", "firmware"};

  enum class Value { kNull, kTrue, kFalse, kString, kOther };

  void Scalar(Value kind, const JsonString* v) {
    if (depth_ == 1) {
      if (int i = FieldIndex(); i >= 0) {
        if (kind == Value::kString) {
          *FieldOut(i) = Decode(*v);
          bad_fields &= ~(1u << i);
        } else if (kind == Value::kNull) {
          FieldOut(i)->clear();
          bad_fields &= ~(1u << i);
        } else {
          bad_fields |= 1u << i;
        }
      } else if (key_ == "type") {
        type_is_string = kind == Value::kString;
        if (type_is_string) type = Decode(*v);
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
          slot = Decode(*v);
        } else {
          slot.reset();
          verdict_fields_ok_ = false;
        }
      }
    }
  }

  void StartObject() {
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
  }
  void EndObject() {
    --depth_;
    if (depth_ == 2 && in_verdicts_) EndVerdict();
  }
  void StartArray() {
    if (depth_ == 1) {
      Nested(/*array=*/true);
    } else if (depth_ == 2 && in_verdicts_) {
      NotAnObjectVerdict();
    } else if (depth_ == 3 && in_verdicts_) {
      verdict_fields_ok_ = verdict_fields_ok_ && vkey_ != "policy" && vkey_ != "status";
    }
    ++depth_;
  }
  void EndArray() {
    --depth_;
    if (depth_ == 1) in_verdicts_ = false;
  }
  void Key(const JsonString& k) {
    if (depth_ == 1) {
      SetKey(k, key_, key_text_);
    } else if (depth_ == 3 && in_verdicts_) {
      SetKey(k, vkey_, vkey_text_);
    }
  }

 private:
  // Keys are views into the line, or into *text when they hold escapes.
  static void SetKey(const JsonString& k, std::string_view& key, std::string& text) {
    if (!k.escaped) {
      key = k.raw;
      return;
    }
    text = Decode(k);
    key = text;
  }

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
  std::string_view key_, vkey_;
  std::string key_text_, vkey_text_;
  bool in_verdicts_ = false;
  bool verdict_fields_ok_ = true;
  std::optional<std::string> policy_, status_;
};

// The scanner: iterative (an explicit stack of open containers, so deep nesting cannot exhaust
// the call stack), one pass, no allocation except the stack and the values kept.
class Scanner {
 public:
  Scanner(std::string_view line, LineHandler& h) : p_(line.data()), end_(line.data() + line.size()), h_(h) {}

  // True iff the line is exactly one valid JSON value (after an optional byte-order mark),
  // with optional whitespace around it.
  bool Run() {
    if (end_ - p_ >= 1 && static_cast<unsigned char>(*p_) == 0xEF) {
      if (end_ - p_ < 3 || static_cast<unsigned char>(p_[1]) != 0xBB || static_cast<unsigned char>(p_[2]) != 0xBF) {
        return false;
      }
      p_ += 3;
    }
    SkipSpace();
    // Expecting a value.
  value:
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        ++p_;
        h_.StartObject();
        stack_.push_back('{');
        SkipSpace();
        if (p_ != end_ && *p_ == '}') {
          ++p_;
          stack_.pop_back();
          h_.EndObject();
          goto after_value;
        }
        goto key;
      case '[':
        ++p_;
        h_.StartArray();
        stack_.push_back('[');
        SkipSpace();
        if (p_ != end_ && *p_ == ']') {
          ++p_;
          stack_.pop_back();
          h_.EndArray();
          goto after_value;
        }
        goto value;
      case '"': {
        JsonString s;
        if (!String(s)) return false;
        h_.Scalar(LineHandler::Value::kString, &s);
        goto after_value;
      }
      case 't':
        if (!Literal("true")) return false;
        h_.Scalar(LineHandler::Value::kTrue, nullptr);
        goto after_value;
      case 'f':
        if (!Literal("false")) return false;
        h_.Scalar(LineHandler::Value::kFalse, nullptr);
        goto after_value;
      case 'n':
        if (!Literal("null")) return false;
        h_.Scalar(LineHandler::Value::kNull, nullptr);
        goto after_value;
      default:
        if (!Number()) return false;
        h_.Scalar(LineHandler::Value::kOther, nullptr);
        goto after_value;
    }
  key:
    if (p_ == end_ || *p_ != '"') return false;
    {
      JsonString k;
      if (!String(k)) return false;
      h_.Key(k);
    }
    SkipSpace();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    SkipSpace();
    goto value;
  after_value:
    SkipSpace();
    // After the value only the end may follow; a NUL byte counts as the end (as it does for
    // nlohmann::json, which the former parser used: what follows it is not read).
    if (stack_.empty()) return p_ == end_ || *p_ == '\0';
    if (p_ == end_) return false;
    if (*p_ == ',') {
      ++p_;
      SkipSpace();
      if (stack_.back() == '{') goto key;
      goto value;
    }
    if (*p_ == '}' && stack_.back() == '{') {
      ++p_;
      stack_.pop_back();
      h_.EndObject();
      goto after_value;
    }
    if (*p_ == ']' && stack_.back() == '[') {
      ++p_;
      stack_.pop_back();
      h_.EndArray();
      goto after_value;
    }
    return false;
  }

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  // A string starting at the opening quote; on success p_ is past the closing quote.
  bool String(JsonString& out) {
    const char* start = ++p_;
    bool escaped = false;
    while (true) {
      // Plain ASCII runs first (the common case).
      while (p_ != end_) {
        auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      if (p_ == end_) return false;
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c < 0x20) return false;  // control characters must be escaped
      if (c == '\\') {
        escaped = true;
        if (!Escape()) return false;
        continue;
      }
      if (!Utf8()) return false;
    }
    out.raw = std::string_view(start, static_cast<size_t>(p_ - start));
    out.escaped = escaped;
    ++p_;
    return true;
  }

  // A backslash escape at p_; \u escapes of UTF-16 surrogates must form a pair.
  bool Escape() {
    if (end_ - p_ < 2) return false;
    char e = p_[1];
    if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
      p_ += 2;
      return true;
    }
    if (e != 'u' || end_ - p_ < 6) return false;
    int cp = Hex4(p_ + 2);
    if (cp < 0) return false;
    p_ += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') return false;
      int lo = Hex4(p_ + 2);
      if (lo < 0xDC00 || lo > 0xDFFF) return false;
      p_ += 6;
    }
    return true;
  }

  // One multi-byte UTF-8 sequence at p_ (RFC 3629: no overlong forms, no surrogates, at most
  // U+10FFFF).
  bool Utf8() {
    auto b = [this](ptrdiff_t i) { return static_cast<unsigned char>(p_[i]); };
    auto in = [](unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
    ptrdiff_t left = end_ - p_;
    unsigned char c = b(0);
    if (in(c, 0xC2, 0xDF)) {
      if (left < 2 || !in(b(1), 0x80, 0xBF)) return false;
      p_ += 2;
      return true;
    }
    if (in(c, 0xE0, 0xEF)) {
      unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      if (left < 3 || !in(b(1), lo, hi) || !in(b(2), 0x80, 0xBF)) return false;
      p_ += 3;
      return true;
    }
    if (in(c, 0xF0, 0xF4)) {
      unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      if (left < 4 || !in(b(1), lo, hi) || !in(b(2), 0x80, 0xBF) || !in(b(3), 0x80, 0xBF)) return false;
      p_ += 4;
      return true;
    }
    return false;
  }

  // A number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. One whose value overflows a double
  // (1e400, or an integer of 309 digits) is refused, as nlohmann::json refuses it.
  bool Number() {
    const char* start = p_;
    auto digit = [this] { return p_ != end_ && *p_ >= '0' && *p_ <= '9'; };
    if (*p_ == '-') ++p_;
    if (!digit()) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (digit()) ++p_;
    }
    bool exponent = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!digit()) return false;
      while (digit()) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      exponent = true;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digit()) return false;
      while (digit()) ++p_;
    }
    // Without an exponent, fewer than 300 characters cannot exceed DBL_MAX (~1.8e308).
    if (!exponent && p_ - start < 300) return true;
    static locale_t c_locale = newlocale(LC_ALL_MASK, "C", nullptr);
    std::string text(start, static_cast<size_t>(p_ - start));
    return std::isfinite(strtod_l(text.c_str(), nullptr, c_locale));
  }

  const char* p_;
  const char* end_;
  LineHandler& h_;
  std::string stack_;  // open containers, '{' or '['
};

// What the line is (see ScanLineKind): a device unless "type" names another record or the
// record is flagged out of scope (a discovery replier outside the scan's targets: never a
// device of the site).
ScanLineKind KindOf(const LineHandler& h) {
  if (h.out_of_scope) return ScanLineKind::kOther;
  if (!h.type_is_string || h.type == "device") return ScanLineKind::kDevice;
  if (h.type == "scan_end" && h.complete_false) return ScanLineKind::kIncompleteEnd;
  return ScanLineKind::kOther;
}

Status Parse(std::string_view line, LineHandler& h) {
  Scanner scanner(line, h);
  if (!scanner.Run()) return MakeError(ErrorCode::kParse, "not valid JSON");
  if (!h.root_object) return MakeError(ErrorCode::kParse, "not a JSON object (one device report per line expected)");
  return Status::Ok();
}

// The device record of a parsed line, or the first problem with it.
Result<ScanRecord> Finish(LineHandler& h) {
  for (int i = 0; i < 8; ++i) {
    if (h.bad_fields & (1u << i)) {
      return MakeError(ErrorCode::kParse, std::string("field '") + LineHandler::kFields[i] + "' is not a string");
    }
  }
  ScanRecord& r = h.record;
  if (r.ip.empty()) return MakeError(ErrorCode::kParse, "no 'ip' field (not a `phaseout scan` NDJSON device report)");
  if (!h.verdict_error.empty()) return MakeError(ErrorCode::kParse, h.verdict_error);
  r.mac = NormaliseMac(r.mac);
  if (IsUnknownMaker(r.manufacturer)) r.manufacturer.clear();
  return std::move(r);
}

}  // namespace

Result<ScanRecord> ParseScanRecord(std::string_view line) {
  LineHandler h;
  if (Status s = Parse(line, h); !s.ok()) return s.error();
  return Finish(h);
}

Result<ScanLine> ParseScanLine(std::string_view line) {
  LineHandler h;
  if (Status s = Parse(line, h); !s.ok()) return s.error();
  ScanLine out;
  out.kind = KindOf(h);
  if (out.kind != ScanLineKind::kDevice) return out;
  auto r = Finish(h);
  if (!r) return r.error();
  out.record = std::move(*r);
  return out;
}

ScanRecord RecordFromReport(const model::DeviceReport& rep) {
  ScanRecord r;
  r.ip = rep.host.ip;
  r.mac = NormaliseMac(rep.host.mac);
  const auto& id = rep.identification;
  r.serial = id.serial;
  r.manufacturer = IsUnknownMaker(id.manufacturer) ? "" : id.manufacturer;
  r.brand = id.brand;
  r.device_type = id.device_type;
  r.model = id.model;
  r.firmware = id.firmware;
  for (const auto& v : rep.verdicts) {
    if (v.status == model::VerdictStatus::kProhibited) r.prohibited.push_back(v.policy);
    if (v.status == model::VerdictStatus::kReview) r.review.push_back(v.policy);
  }
  return r;
}

}  // namespace phaseout::inventory
