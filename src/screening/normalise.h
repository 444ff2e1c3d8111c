// Text normalisation for name screening: width folding, case folding, punctuation, legal-form
// words, abbreviations, CJK legal-name suffixes and model-number tokens. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phaseout::screening {

// A list of normalised tokens stored in one buffer to avoid an allocation per token.
// Tokens are lower-case ASCII words, digit runs, other-script words, or CJK runs (simplified
// characters, legal-form suffix removed). Reusable: Clear() keeps the capacity.
class TokenList {
 public:
  struct Ref {
    uint32_t offset = 0;
    uint32_t size = 0;
    uint32_t src_begin = 0;  // byte range of the token in the tokenised text
    uint32_t src_end = 0;
    uint16_t clause = 0;     // clause number: increments at ; : ( ) [ ] ! ? line breaks and ". "
    bool cjk = false;
    bool numeric = false;
  };

  void Clear() {
    buf_.clear();
    refs_.clear();
  }
  size_t size() const { return refs_.size(); }
  bool empty() const { return refs_.empty(); }
  std::string_view operator[](size_t i) const { return {buf_.data() + refs_[i].offset, refs_[i].size}; }
  const Ref& ref(size_t i) const { return refs_[i]; }
  void Add(std::string_view text, bool cjk, bool numeric, uint32_t src_begin = 0,
           uint32_t src_end = 0, uint16_t clause = 0) {
    Ref r;
    r.offset = static_cast<uint32_t>(buf_.size());
    r.size = static_cast<uint32_t>(text.size());
    r.src_begin = src_begin;
    r.src_end = src_end;
    r.clause = clause;
    r.cjk = cjk;
    r.numeric = numeric;
    buf_.append(text);
    refs_.push_back(r);
  }
  // Space-joined tokens, for explanations and tests.
  std::string Joined() const;

 private:
  std::string buf_;
  std::vector<Ref> refs_;
};

// How a name or text field is tokenised.
struct TokeniseOptions {
  // Drop legal-form words (co, ltd, inc, gmbh, llc, company, corporation, ...) and CJK
  // legal-form suffixes (股份有限公司, 有限公司, ...). On for both names and line text.
  bool drop_legal_forms = true;
  // Expand abbreviations (tech -> technology, comm -> communication, grp -> group, intl ->
  // international, ...) and fold English plurals of long words (systems -> system).
  bool expand_abbreviations = true;
};

// Tokenises `text` into *out (cleared first). Width folding (full-width ASCII forms and the
// ideographic space), ASCII case folding, Latin-1 accent folding, traditional-to-simplified
// folding for the CJK characters used in covered names, punctuation and hyphens as separators,
// letter/digit boundaries as separators. Invalid UTF-8 bytes become separators. Never fails.
void Tokenise(std::string_view text, TokenList* out, const TokeniseOptions& options = {});

// True iff `token` (already normalised) is a legal-form word such as "ltd" or "gmbh".
bool IsLegalFormWord(std::string_view token);

// Returns the expansion of an abbreviation ("tech" -> "technology"), or `token` itself.
std::string_view ExpandAbbreviation(std::string_view token);

// Removes CJK legal-form suffixes (股份有限公司, 有限责任公司, 有限公司, 公司) from a CJK run.
std::string_view StripCjkLegalForm(std::string_view cjk_run);

// Normalises a name to one comparable string: tokens joined by single spaces.
std::string NormaliseName(std::string_view text);

// Normalises a name to its compact key: tokens joined without separators, so "Hik-Vision",
// "HIK VISION" and "Hikvision" all give "hikvision".
std::string CompactKey(std::string_view text);

// Splits text into candidate model-number tokens: width-folded, upper-cased, Unicode dashes
// turned into '-', separated by white space and punctuation other than - / . _ +. A token is
// kept iff it has 3..48 bytes, at least one letter and at least one digit (e.g.
// "DS-2CD2143G2-I", "DHI-NVR4108HS-8P"). Clears *out first. If `offsets` is non-null it
// receives the byte offset of each token in `text`.
void ModelTokens(std::string_view text, std::vector<std::string>* out,
                 std::vector<uint32_t>* offsets = nullptr);

}  // namespace phaseout::screening
