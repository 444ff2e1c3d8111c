// Screener: screens catalogue lines against the vendor registry (names, aliases, brands,
// subsidiaries, OEM labels, model-number patterns), imported lists and the selected policies,
// returning explainable per-policy verdicts. Rules: docs/screening.md.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/identification.h"
#include "policy/civil_date.h"
#include "policy/policy_set.h"
#include "screening/catalogue_line.h"
#include "screening/list_entity.h"
#include "screening/screening_data.h"

namespace phaseout::screening {

// Token-similarity thresholds (docs/screening.md, "Scores"). A name match scores the share of
// the name's token weight found in the field; fuzzy tokens count kFuzzyTokenCredit.
inline constexpr double kStrongNameScore = 0.85;  // at or above: a strong signal (if exact)
inline constexpr double kWeakNameScore = 0.60;    // at or above: a weak signal; below: no match
inline constexpr double kFuzzyTokenCredit = 0.8;
// Misspellings: covered-name tokens of at least this many letters are matched at edit distance
// 1 (words in roles.yaml `fuzzy_guard` never are).
inline constexpr size_t kFuzzyMinNameLetters = 6;
// A name listed as "structured_field_only" (common words such as "Honor") must make up at
// least this share of the field's identity weight ("Honor" yes, "Honor Guard Security" no).
inline constexpr double kStructuredOnlyCoverage = 0.6;
// Bytes of one field that are looked at (memory/time bound; token positions are 16-bit). The
// command line warns about lines with longer fields.
inline constexpr size_t kMaxScreenedFieldBytes = 16 * 1024;

enum class MatchKind { kLegalName, kAlias, kBrand, kSubsidiary, kOem, kModelPattern, kSupplier, kListEntry };
// "legal-name", "alias", "brand", "subsidiary", "oem", "model-pattern", "supplier", "list-entry".
const char* MatchKindName(MatchKind kind);

// The role of a covered name in the line (docs/screening.md, "Roles"), read from the words
// around it (data/screening/roles.yaml). kNone = made by: the maker, brand or model of the item.
enum class MatchContext {
  kNone,
  kRemoval,           // the item removed/disposed of/decommissioned: clear
  kAccessory,         // "compatible with X", "for X", "X-compatible": at most review
  kNegated,           // "no X", "non-X", "without X": clear
  kReplaced,          // replaced, migrated from, traded in: clear
  kTopic,             // topic of a service (training, legal, research, survey, audit): clear
  kInUseService,      // maintenance/firmware/licence/spare parts of covered equipment in use: review
  kSeller,            // supplier column only: review, or clear when a non-covered maker is named
  kPersonOrBusiness,  // part of a person's or an unrelated business's name: clear
};
// "", "removal", "accessory", "negated", "replaced", "topic", "in-use-service", "seller",
// "person-or-business".
const char* MatchContextName(MatchContext context);

// One piece of evidence found in a line. Value type.
struct Match {
  std::string entity;  // registry vendor id, or "<list>/<id>" for list entries
  std::string entity_name;  // display name of the entity
  MatchKind kind = MatchKind::kAlias;
  Field field = Field::kDescription;
  std::string value;   // the field text that matched (the mention, or the whole field)
  std::string name;    // the name or pattern it matched
  double score = 0.0;  // 0..1
  std::string source;  // provenance of the name/pattern/list
  bool strong = false; // strong signal (exact, verified, not context-limited)
  MatchContext context = MatchContext::kNone;
  std::string note;    // why it is weak, fuzzy detail, ...
  std::string list_policy;  // for list entries: the one policy the list is tied to
  std::string cue;     // the word(s) that gave the role ("to replace", "training", ...)
  uint16_t token_begin = 0;  // span of normalised tokens in the field (context rules)
  uint16_t token_end = 0;
};

// The decision of one policy about one line.
struct LineVerdict {
  std::string policy;
  model::VerdictStatus status = model::VerdictStatus::kClear;
  std::string reason;
  std::string clause;
  std::string rule;              // the rule that decided (explainability)
  std::vector<Match> matches;    // evidence relevant to this policy
};

// Extra detail for --explain.
struct Explanation {
  std::string subject;  // what the line buys, as read (goods, service on equipment, topic, removal)
  std::vector<std::pair<Field, std::string>> normalised;  // normalised tokens per non-empty field
  std::vector<std::string> model_tokens;
  std::vector<std::string> notes;  // candidate and rule trace, one line each
};

struct ScreenResult {
  std::vector<Match> matches;       // all evidence found
  std::vector<LineVerdict> verdicts;  // one per selected policy, in order
  std::optional<Explanation> explanation;
  // Clears the evidence; verdicts are rewritten by Screen() (their storage is reused).
  void Clear() {
    matches.clear();
    explanation.reset();
  }
};

struct ScreenOptions {
  // Date used for dated ownership when the line has no `date` column value.
  std::optional<policy::CivilDate> as_of;
  bool explain = false;
};

// Parses a line date: "YYYY-MM-DD", "YYYY-MM", "YYYY", "YYYY/MM/DD", "MM/DD/YYYY" or an ISO
// timestamp ("2021-03-04T10:00:00Z"). Returns nullopt if it is none of these.
std::optional<policy::CivilDate> ParseLineDate(std::string_view text);

// Immutable after Create; Screen() is thread-safe (each call uses its own scratch space).
class Screener {
 public:
  // Builds the indexes. REQUIRES: `policies` (and its registry) outlive the screener.
  // `selected`: the policies to judge by, in output order. Fails with kInvalidArgument when
  // a model pattern does not compile or names an unknown vendor.
  static Result<std::unique_ptr<Screener>> Create(const policy::PolicySet& policies,
                                                  std::vector<const policy::Policy*> selected,
                                                  const ScreeningData& data,
                                                  const std::vector<ListEntity>& list_entities);
  ~Screener();
  Screener(const Screener&) = delete;
  Screener& operator=(const Screener&) = delete;

  // Screens one line into *out (cleared first). Never fails: unreadable lines are the readers'
  // business.
  void Screen(const CatalogueLine& line, const ScreenOptions& options, ScreenResult* out) const;

  const std::vector<const policy::Policy*>& selected() const { return selected_; }
  size_t indexed_names() const;

 private:
  Screener();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<const policy::Policy*> selected_;
};

}  // namespace phaseout::screening
