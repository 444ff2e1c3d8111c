// WWW-Authenticate challenge parsing (RFC 9110 section 11.6.1 and 11.2).
#include "probes/common/auth_challenge.h"

#include "core/strings.h"

namespace phaseout::probes::common {
namespace {

constexpr size_t kMaxChallenges = 16;
constexpr size_t kMaxParams = 32;
constexpr size_t kMaxValue = 1024;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsTokenChar(char c) { return !IsBlank(c) && c != ',' && c != '=' && c != '"'; }

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return s_[pos_]; }
  size_t pos() const { return pos_; }
  void Seek(size_t pos) { pos_ = pos; }
  void Advance() { ++pos_; }
  void SkipBlanks() {
    while (!AtEnd() && IsBlank(Peek())) ++pos_;
  }
  void SkipBlanksAndCommas() {
    while (!AtEnd() && (IsBlank(Peek()) || Peek() == ',')) ++pos_;
  }
  std::string_view Token() {
    size_t start = pos_;
    while (!AtEnd() && IsTokenChar(Peek())) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // REQUIRES: Peek() == '"'. Reads a quoted-string, undoing backslash escapes.
  std::string Quoted() {
    std::string out;
    ++pos_;
    while (!AtEnd()) {
      char c = Peek();
      ++pos_;
      if (c == '"') break;
      if (c == '\\' && !AtEnd()) {
        c = Peek();
        ++pos_;
      }
      if (out.size() < kMaxValue) out += c;
    }
    return out;
  }
  // A bare value: everything up to the next comma or blank.
  std::string Bare() {
    size_t start = pos_;
    while (!AtEnd() && Peek() != ',' && !IsBlank(Peek())) ++pos_;
    return std::string(s_.substr(start, std::min(pos_ - start, kMaxValue)));
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

const std::string* AuthChallenge::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

std::vector<AuthChallenge> ParseAuthChallenges(std::string_view value) {
  std::vector<AuthChallenge> out;
  Cursor cur(value);
  while (true) {
    cur.SkipBlanksAndCommas();
    if (cur.AtEnd() || out.size() >= kMaxChallenges) break;
    size_t start = cur.pos();
    std::string_view scheme = cur.Token();
    if (scheme.empty()) {
      cur.Advance();  // a stray '=' or '"': skip it so the loop always moves forward
      continue;
    }
    AuthChallenge challenge;
    challenge.scheme = std::string(scheme.substr(0, kMaxValue));
    cur.SkipBlanks();
    if (!cur.AtEnd() && cur.Peek() == '=') {
      // "realm=x" with no scheme in front: a parameter of the previous challenge, if any.
      cur.Seek(start);
      if (out.empty()) out.push_back(AuthChallenge{});
    } else {
      out.push_back(std::move(challenge));
    }
    AuthChallenge& current = out.back();
    // Parameters until the next token that is not followed by '=' (the next scheme).
    while (true) {
      cur.SkipBlanksAndCommas();
      if (cur.AtEnd()) break;
      size_t param_start = cur.pos();
      std::string_view name = cur.Token();
      cur.SkipBlanks();
      if (name.empty() || cur.AtEnd() || cur.Peek() != '=') {
        if (name.empty()) {
          cur.Advance();
          continue;
        }
        cur.Seek(param_start);  // a new challenge starts here
        break;
      }
      cur.Advance();  // '='
      cur.SkipBlanks();
      std::string param_value;
      if (!cur.AtEnd() && cur.Peek() == '"') {
        param_value = cur.Quoted();
      } else {
        param_value = cur.Bare();
      }
      if (current.params.size() < kMaxParams) {
        current.params.emplace_back(std::string(name.substr(0, kMaxValue)), std::move(param_value));
      }
    }
  }
  return out;
}

}  // namespace phaseout::probes::common
