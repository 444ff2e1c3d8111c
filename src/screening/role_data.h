// Role vocabulary and category tables loaded from data/screening/roles.yaml: the words that
// decide what a covered name is doing in a purchase line (made by, replaced, topic of a
// service, seller, ...) and the UNSPSC prefixes that say what kind of line it is. Rules:
// docs/screening.md, "Roles". The C++ holds no word list of its own.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "screening/normalise.h"

namespace phaseout::screening {

// A list of words and multi-word phrases, normalised with Tokenise. Value type.
class PhraseList {
 public:
  // Adds an entry (tokenised like line text); entries that normalise to nothing are ignored.
  void Add(std::string_view entry);
  // Number of tokens of the longest entry that starts at raw[i] (0 if none). Never crosses a
  // clause boundary.
  size_t MatchAt(const TokenList& raw, size_t i) const;
  // True iff `token` is a one-token entry.
  bool Contains(std::string_view token) const;
  bool empty() const { return entries_.empty(); }
  // Calls fn(first token) for every entry.
  template <typename Fn>
  void ForEachFirstToken(Fn fn) const {
    for (const auto& [first, rest] : by_first_) fn(first);
  }
  // Entries as written in the data file (leakage checks, explanations).
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  std::vector<std::string> entries_;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // first token -> remaining tokens of each entry starting with it (empty = one-token entry)
  std::unordered_map<std::string, std::vector<std::vector<std::string>>, Hash, std::equal_to<>> by_first_;
};

// Subject of a line implied by its category code.
enum class CategorySubject { kUnknown, kGoods, kInUseService, kTopic, kRemoval };
// "unknown", "goods", "in-use-service", "topic", "removal".
const char* CategorySubjectName(CategorySubject s);

struct CategoryEntry {
  std::string prefix;  // leading digits of the code
  CategorySubject subject = CategorySubject::kUnknown;
  std::string title;
};

// Value type.
struct RoleData {
  PhraseList removal_before, removal_after, replaced_before, purchase, negation_before, accessory_before,
      accessory_after, lookback_skip, service_in_use, add_on, service_topic, person_markers, chinese_surnames,
      given_name_like, business_after, product_words, generic_makers, known_makers, fuzzy_guard;
  std::vector<CategoryEntry> unspsc;  // longest prefix wins

  // The entry for a category code (digits only are looked at), or nullptr.
  const CategoryEntry* Category(std::string_view code) const;

  // Loads the YAML file. kNotFound if unreadable; kInvalidArgument naming file and line for
  // syntax errors, unknown keys, unknown subjects and non-digit prefixes.
  static Result<RoleData> Load(const std::string& path);
  static Result<RoleData> LoadFromString(const std::string& yaml, const std::string& origin);
};

}  // namespace phaseout::screening
