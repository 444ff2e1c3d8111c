// Text normalisation for screening. Tables are small and built in; docs/screening.md lists them
// with their sources (legal-form variants after opensanctions/rigour org_types, abbreviations
// seen in list data such as "COMM GRP", "TECH").
#include "screening/normalise.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "core/utf8.h"

namespace phaseout::screening {
namespace {

// Latin-1 supplement letters U+00C0..U+00FF folded to ASCII ('\0' = separator).
constexpr char kLatin1Fold[65] =
    "aaaaaaaceeeeiiiidnooooo\0ouuuuyts"
    "aaaaaaaceeeeiiiidnooooo\0ouuuuyty";

// Traditional Chinese characters that occur in covered names, folded to simplified so
// 海康威視 == 海康威视 and 浙江大華技術 == 浙江大华技术.
const std::unordered_map<char32_t, char32_t>& TraditionalToSimplified() {
  static const auto* map = new std::unordered_map<char32_t, char32_t>{
      {U'視', U'视'}, {U'華', U'华'}, {U'術', U'术'}, {U'數', U'数'}, {U'訊', U'讯'},
      {U'興', U'兴'}, {U'為', U'为'}, {U'爲', U'为'}, {U'達', U'达'}, {U'電', U'电'},
      {U'網', U'网'}, {U'絡', U'络'}, {U'團', U'团'}, {U'際', U'际'}, {U'國', U'国'},
      {U'資', U'资'}, {U'創', U'创'}, {U'應', U'应'}, {U'螢', U'萤'}, {U'實', U'实'},
      {U'業', U'业'}, {U'機', U'机'}, {U'區', U'区'}, {U'東', U'东'}, {U'廣', U'广'},
      {U'聯', U'联'}, {U'設', U'设'}, {U'備', U'备'}, {U'發', U'发'}, {U'號', U'号'},
      {U'責', U'责'}, {U'訊', U'讯'}, {U'軟', U'软'}, {U'體', U'体'}, {U'終', U'终'},
      {U'導', U'导'}, {U'衛', U'卫'}, {U'錄', U'录'}, {U'監', U'监'}, {U'控', U'控'},
      {U'攝', U'摄'}, {U'頭', U'头'}, {U'師', U'师'}, {U'勢', U'势'}, {U'陸', U'陆'}};
  return *map;
}

// Legal-form words dropped from names and text (after opensanctions/rigour org_types).
constexpr std::array<std::string_view, 40> kLegalForms = {
    "co",    "ltd",  "ltda", "limited", "inc",  "incorporated", "corp", "corporation",
    "company", "llc", "llp", "lp",      "plc",  "gmbh",         "ag",   "kg",
    "sa",    "sas",  "sarl", "srl",     "spa",  "bv",           "nv",   "oy",
    "pty",   "pte",  "jsc",  "ojsc",    "cjsc", "pjsc",         "kk",   "sdn",
    "bhd",   "cia",  "ulc",  "pllc",    "lc",   "sl",           "kft",  "zrt"};

// Abbreviations expanded before comparison (seen in list data and catalogue exports).
const std::unordered_map<std::string_view, std::string_view>& Abbreviations() {
  static const auto* map = new std::unordered_map<std::string_view, std::string_view>{
      {"tech", "technology"},      {"techn", "technology"},     {"technol", "technology"},
      {"techs", "technology"},     {"comm", "communication"},   {"comms", "communication"},
      {"commun", "communication"}, {"telecomm", "telecommunication"},
      {"grp", "group"},            {"intl", "international"},   {"internat", "international"},
      {"elec", "electronic"},      {"elect", "electronic"},     {"electr", "electronic"},
      {"eqpt", "equipment"},       {"equip", "equipment"},      {"info", "information"},
      {"sys", "system"},           {"mfg", "manufacturing"},    {"hldg", "holding"},
      {"hldgs", "holding"},        {"ind", "industry"},         {"inds", "industry"},
      {"sci", "science"},          {"natl", "national"},        {"svc", "service"},
      {"svcs", "service"},         {"srvces", "service"},       {"srvcs", "service"},
      {"mgmt", "management"},      {"assn", "association"},     {"dist", "distribution"},
      {"digi", "digital"},         {"ntwk", "network"},         {"netw", "network"},
      {"telecom", "telecommunication"}};
  return *map;
}

// CJK legal-form suffixes, longest first.
constexpr std::array<std::string_view, 6> kCjkLegalSuffixes = {
    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "公司"};

enum class CharClass { kSeparator, kLetter, kDigit, kOther, kCjk };

// Folds one code point; returns its class and writes the folded ASCII char or code point.
CharClass Fold(char32_t cp, char32_t* folded) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII forms
  if (cp < 0x80) {
    char c = static_cast<char>(cp);
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    *folded = static_cast<char32_t>(c);
    if (c >= 'a' && c <= 'z') return CharClass::kLetter;
    if (c >= '0' && c <= '9') return CharClass::kDigit;
    return CharClass::kSeparator;
  }
  if (cp >= 0xC0 && cp <= 0xFF) {
    char c = kLatin1Fold[cp - 0xC0];
    if (c == '\0') return CharClass::kSeparator;
    *folded = static_cast<char32_t>(c);
    return CharClass::kLetter;
  }
  if (IsCjkIdeograph(cp)) {
    const auto& t2s = TraditionalToSimplified();
    auto it = t2s.find(cp);
    *folded = it == t2s.end() ? cp : it->second;
    return CharClass::kCjk;
  }
  // General punctuation, CJK punctuation, ideographic space, symbols, replacement char.
  if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) || cp == kReplacementChar ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF5F && cp <= 0xFF65) || cp < 0xC0) {
    return CharClass::kSeparator;
  }
  *folded = cp;
  return CharClass::kOther;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string TokenList::Joined() const {
  std::string out;
  for (size_t i = 0; i < refs_.size(); ++i) {
    if (i) out.push_back(' ');
    out.append((*this)[i]);
  }
  return out;
}

bool IsLegalFormWord(std::string_view token) {
  // Called for every word of every screened field: bucket the table by first letter and
  // length (every legal form is 2..12 lower-case letters).
  static const auto* buckets = [] {
    auto* b = new std::array<std::vector<std::string_view>, 26 * 13>();
    for (std::string_view f : kLegalForms) (*b)[(f[0] - 'a') * 13 + f.size()].push_back(f);
    return b;
  }();
  if (token.size() > 12 || token.empty() || token[0] < 'a' || token[0] > 'z') return false;
  for (std::string_view f : (*buckets)[(token[0] - 'a') * 13 + token.size()]) {
    if (f == token) return true;
  }
  return false;
}

std::string_view ExpandAbbreviation(std::string_view token) {
  // Called for most words of every screened field: every abbreviation has 3..8 bytes and a
  // lower-case first letter, so look only in the bucket of (first letter, length).
  static const auto* buckets = [] {
    auto* b = new std::array<std::vector<std::pair<std::string_view, std::string_view>>, 26 * 9>();
    for (const auto& [from, to] : Abbreviations()) (*b)[(from[0] - 'a') * 9 + from.size()].emplace_back(from, to);
    return b;
  }();
  if (token.size() < 3 || token.size() > 8 || token[0] < 'a' || token[0] > 'z') return token;
  for (const auto& [from, to] : (*buckets)[(token[0] - 'a') * 9 + token.size()]) {
    if (from == token) return to;
  }
  return token;
}

std::string_view StripCjkLegalForm(std::string_view run) {
  for (std::string_view suffix : kCjkLegalSuffixes) {
    if (run == suffix) return {};
  }
  for (std::string_view suffix : kCjkLegalSuffixes) {
    if (run.size() > suffix.size() && EndsWith(run, suffix)) {
      return run.substr(0, run.size() - suffix.size());
    }
  }
  return run;
}

void Tokenise(std::string_view text, TokenList* out, const TokeniseOptions& options) {
  out->Clear();
  std::string word;
  std::string plural_buf;
  CharClass word_class = CharClass::kSeparator;
  uint32_t word_begin = 0;
  uint32_t word_end = 0;
  uint16_t clause = 0;
  auto flush = [&]() {
    if (word.empty()) return;
    std::string_view w = word;
    if (word_class == CharClass::kCjk) {
      if (options.drop_legal_forms) {
        // Repeat so the result is a fixed point ("股份有限公司有限公司").
        for (std::string_view prev; prev != w;) {
          prev = w;
          w = StripCjkLegalForm(w);
        }
      }
      if (!w.empty()) out->Add(w, /*cjk=*/true, /*numeric=*/false, word_begin, word_end, clause);
    } else if (word_class == CharClass::kLetter) {
      if (options.drop_legal_forms && IsLegalFormWord(w)) {
        word.clear();
        return;
      }
      if (options.expand_abbreviations) {
        std::string_view expanded = ExpandAbbreviation(w);
        if (expanded == w && w.size() >= 5 && w.back() == 's' && !EndsWith(w, "ss") &&
            !EndsWith(w, "us") && !EndsWith(w, "is")) {
          // Plural folding: technologies -> technology, systems -> system.
          plural_buf.assign(w.substr(0, w.size() - 1));
          if (EndsWith(w, "ies")) plural_buf.replace(plural_buf.size() - 2, 2, "y");
          // A folded plural can be an abbreviation itself ("techns" -> "techn" -> technology);
          // without this a second normalisation would change the result (fuzz-found).
          expanded = ExpandAbbreviation(plural_buf);
        }
        w = expanded;
        // A folded plural can itself be a legal form ("corps" -> "corp").
        if (options.drop_legal_forms && IsLegalFormWord(w)) {
          word.clear();
          return;
        }
      }
      out->Add(w, false, false, word_begin, word_end, clause);
    } else {
      out->Add(w, false, word_class == CharClass::kDigit, word_begin, word_end, clause);
    }
    word.clear();
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t cp_begin = pos;
    unsigned char first = static_cast<unsigned char>(text[pos]);
    char32_t cp;
    char32_t folded = 0;
    CharClass cls;
    if (first < 0x80) {  // ASCII fast path (same result as DecodeUtf8 + Fold)
      bool letter = (first | 0x20) >= 'a' && (first | 0x20) <= 'z';
      bool digit = first >= '0' && first <= '9';
      if (letter || digit) {
        // A whole run of ASCII letters (or digits) at once: lower-cased in place.
        cls = letter ? CharClass::kLetter : CharClass::kDigit;
        if (cls != word_class) {
          flush();
          word_class = cls;
        }
        size_t end = pos + 1;
        if (letter) {
          while (end < text.size() && static_cast<unsigned>(static_cast<unsigned char>(text[end] | 0x20) - 'a') < 26u) ++end;
        } else {
          while (end < text.size() && static_cast<unsigned char>(text[end] - '0') < 10u) ++end;
        }
        if (word.empty()) word_begin = static_cast<uint32_t>(pos);
        size_t at = word.size();
        word.append(text.data() + pos, end - pos);
        if (letter) {
          for (size_t k = at; k < word.size(); ++k) word[k] = static_cast<char>(word[k] | 0x20);
        }
        pos = end;
        word_end = static_cast<uint32_t>(pos);
        continue;
      }
      cp = first;
      ++pos;
      cls = CharClass::kSeparator;
    } else {
      cp = DecodeUtf8(text, &pos);
      cls = Fold(cp, &folded);
    }
    if (cls == CharClass::kSeparator) {
      flush();
      word_class = CharClass::kSeparator;
      bool boundary = cp == ';' || cp == ':' || cp == '(' || cp == ')' || cp == '[' || cp == ']' ||
                      cp == '!' || cp == '?' || cp == '\n' || cp == '\r' || cp == 0x3002 ||
                      cp == 0xFF1B || (cp == '.' && (pos >= text.size() || text[pos] == ' '));
      if (boundary && clause < 0xFFFF) ++clause;
      continue;
    }
    if (cls != word_class) {
      flush();
      word_class = cls;
    }
    if (word.empty()) word_begin = static_cast<uint32_t>(cp_begin);
    word_end = static_cast<uint32_t>(pos);
    if (folded < 0x80) {
      word.push_back(static_cast<char>(folded));
    } else {
      AppendUtf8(folded, &word);
    }
  }
  flush();
}

std::string NormaliseName(std::string_view text) {
  TokenList tokens;
  Tokenise(text, &tokens);
  return tokens.Joined();
}

std::string CompactKey(std::string_view text) {
  TokenList tokens;
  Tokenise(text, &tokens);
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) out.append(tokens[i]);
  return out;
}

void ModelTokens(std::string_view text, std::vector<std::string>* out,
                 std::vector<uint32_t>* offsets) {
  out->clear();
  if (offsets) offsets->clear();
  std::string token;
  uint32_t token_begin = 0;
  bool has_letter = false;
  bool has_digit = false;
  auto flush = [&]() {
    while (!token.empty() && (token.back() == '-' || token.back() == '.' || token.back() == '/' ||
                              token.back() == '_' || token.back() == '+')) {
      token.pop_back();
    }
    if (token.size() >= 3 && token.size() <= 48 && has_letter && has_digit) {
      out->push_back(token);
      if (offsets) offsets->push_back(token_begin);
    }
    token.clear();
    has_letter = has_digit = false;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t cp_begin = pos;
    char32_t cp;
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      cp = static_cast<unsigned char>(text[pos++]);  // what DecodeUtf8 returns for ASCII
    } else {
      cp = DecodeUtf8(text, &pos);
    }
    if (token.empty()) token_begin = static_cast<uint32_t>(cp_begin);
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63) cp = '-';
    if (cp >= 'a' && cp <= 'z') cp = cp - 'a' + 'A';
    if (cp >= 'A' && cp <= 'Z') {
      has_letter = true;
      token.push_back(static_cast<char>(cp));
    } else if (cp >= '0' && cp <= '9') {
      has_digit = true;
      token.push_back(static_cast<char>(cp));
    } else if (cp == '-' || cp == '/' || cp == '.' || cp == '_' || cp == '+') {
      if (!token.empty()) token.push_back(static_cast<char>(cp));
    } else {
      flush();
    }
  }
  flush();
}

}  // namespace phaseout::screening
