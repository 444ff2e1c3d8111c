// Bounded XML parsing for discovery replies (SADP, WS-Discovery, UPnP descriptions): refuses
// nesting deeper than kMaxNestingDepth before building a DOM and never expands entities beyond
// the five predefined ones (pugixml has no DTD processing: a DOCTYPE with entity declarations
// is skipped, so "billion laughs" input stays the size it was sent at).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace phaseout::probes::common {

// One element flattened: its path of local names from the root ("ProbeMatch/MAC") and its
// own text (trimmed, bounded). Value type.
struct XmlField {
  std::string path;
  std::string text;
};

// A parsed reply: the root element's local name and every element that has text, in document
// order, at most `kMaxXmlFields`. Value type.
struct XmlReply {
  std::string root;
  std::string root_namespace;  // the root's xmlns (default or its prefix's), "" if none
  std::vector<XmlField> fields;
  bool fields_cut = false;     // more than kMaxXmlFields elements carried text
  // The first field whose path ends with "/<suffix>" or equals suffix; nullptr if none.
  const XmlField* Find(std::string_view suffix) const;
  // Every field whose path ends with "/<suffix>" or equals suffix.
  std::vector<const XmlField*> FindAll(std::string_view suffix) const;
};

inline constexpr size_t kMaxXmlFields = 256;

// Parses `bytes` as XML. Returns kInvalidArgument ("nesting deeper than 32", "not XML: <why>")
// for anything else. Pure; bounded by the input size.
Result<XmlReply> ParseXmlReply(std::string_view bytes);

}  // namespace phaseout::probes::common
