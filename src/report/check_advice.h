// CheckAdvice: the plain-language text `phaseout check` prints around its findings, loaded from
// data/check/advice.yaml (locale defaults, what a finding means under each policy, what people
// usually do next, how to check a device by hand, evidence described in words).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/policy_set.h"

namespace phaseout::report {

// One piece of sourced text.
struct AdviceItem {
  std::string id;
  std::string title;  // may be empty (by-hand items have none)
  std::string text;
  std::vector<std::string> sources;  // URLs, or "GitHub owner/repo path"
  bool verified = false;
};

// What a finding means under one policy, in everyday words.
struct PolicyAdvice {
  std::string who_it_binds;
  std::string prohibited;  // meaning of a `prohibited` verdict
  std::string review;      // meaning of a `review` verdict
  std::vector<std::string> sources;
  bool verified = false;
};

// Immutable after load; thread-compatible.
struct CheckAdvice {
  std::map<std::string, std::string> locale_policies;  // "en_CA" -> "ca-federal-2025"
  std::map<std::string, PolicyAdvice> policies;        // by policy id
  std::vector<AdviceItem> actions;                     // what people usually do next
  std::vector<AdviceItem> by_hand;                     // how to check a device by hand
  std::map<std::string, std::string> evidence_words;   // observation key prefix -> words

  // Loads `path`. kNotFound if unreadable; kInvalidArgument naming the file and line for YAML
  // errors, unknown keys, missing text, and (when `policies` is given) policy ids it does not
  // define.
  static Result<CheckAdvice> LoadFile(const std::string& path,
                                      const policy::PolicySet* policies = nullptr);
  static Result<CheckAdvice> LoadFromString(const std::string& yaml, const std::string& origin,
                                            const policy::PolicySet* policies = nullptr);

  // The default policy id for a locale name such as "en_CA.UTF-8" or "fr_CA@euro"; nullopt when
  // the locale has none (C, POSIX, unset, or a country without a shipped policy).
  std::optional<std::string> PolicyForLocale(std::string_view locale) const;

  // Words for an observation key: the entry with the longest prefix of `key` ending at a dot
  // boundary (or equal to it); the key itself when none matches.
  std::string WordsFor(std::string_view key) const;
};

// The locale that decides the default: the first non-empty of LC_ALL, LC_MESSAGES, LANG.
std::string LocaleFromEnvironment();

}  // namespace phaseout::report
