// The split check: no rule, example or negative example in data/fingerprints, and no value in
// data/screening, may quote a distinctive value of a `test` corpus reply. Definitions:
// tools/corpus/README.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tools/corpus/corpus.h"

namespace phaseout::corpus {

// A string the knowledge data quotes, and where.
struct Quote {
  std::string text;
  std::string where;  // "data/fingerprints/x.yaml rule y pattern", "... example", ...
};

// One test-split value some quote repeats.
struct Leak {
  std::string device;
  std::string file;
  std::string value;  // the test reply's value
  Quote quote;
};

// Literal substrings of an RE2 pattern: the runs of characters the pattern matches verbatim
// (escapes decoded; a character made optional by ?, * or {0,} dropped; classes, groups,
// anchors, alternation and other operators end a run). Only runs of >= 1 byte are returned.
std::vector<std::string> LiteralRuns(std::string_view pattern);

// `s` lower-cased with the generic protocol and device words removed (the list is
// kGenericWords in split_check.cc and in tools/corpus/README.md) and every run of other
// non-alphanumeric bytes turned into one space: the tokens that can identify something.
std::string Distinctive(std::string_view s);

// True iff Distinctive(s) has at least kMinDistinctiveChars alphanumeric bytes, or at least
// two tokens with kMinDistinctiveMultiToken bytes together. A single maker name ("hikvision",
// "Ubiquiti") or a product family word ("EchoLife") is not distinctive; a realm such as
// "TP-LINK IP-Camera" or "HuaweiHomeGateway" is.
bool IsDistinctive(std::string_view s);
inline constexpr size_t kMinDistinctiveChars = 12;
inline constexpr size_t kMinDistinctiveMultiToken = 8;

// The distinctive values of one reply: a field reply's value; for any reply, each line, the
// value of each "Name: value" line, each double-quoted string and the <title> text. Only
// distinctive values (IsDistinctive) are returned.
std::vector<std::string> SignificantValues(const Reply& reply);

// Every pattern literal run, example value and negative example of data_dir/fingerprints/*.yaml
// and every scalar or CSV cell in data_dir/screening/ (*.yaml, *.csv), keeping only the
// distinctive ones. Left out: rules keyed on mac.oui.org (they quote the IEEE registry) and
// quotes that are a company name of data/vendors.yaml or part of one (after lower-casing and
// folding punctuation): a certificate's O= field may always be matched by a maker's name. Fails naming an unreadable file.
Result<std::vector<Quote>> CollectQuotes(const std::string& data_dir);

// Leaks: pairs (test value, distinctive quote) where one contains the other, compared in lower
// case. Devices of the dev split are ignored.
std::vector<Leak> FindLeaks(const std::vector<Device>& devices, const std::vector<Quote>& quotes);

}  // namespace phaseout::corpus
