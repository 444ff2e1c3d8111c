// Flattens a discovery XML reply into (path, text) fields without recursion.
#include "probes/common/xml_reply.h"

#include <pugixml.hpp>

#include "probes/common/discovery_text.h"

namespace phaseout::probes::common {
namespace {

bool PathEndsWith(const std::string& path, std::string_view suffix) {
  if (path.size() < suffix.size()) return false;
  if (path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  return path.size() == suffix.size() || path[path.size() - suffix.size() - 1] == '/';
}

std::string NamespaceOf(const pugi::xml_node& node) {
  std::string_view name = node.name();
  size_t colon = name.find(':');
  std::string attr = colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(name.substr(0, colon));
  return node.attribute(attr.c_str()).value();
}

}  // namespace

const XmlField* XmlReply::Find(std::string_view suffix) const {
  for (const XmlField& f : fields) {
    if (PathEndsWith(f.path, suffix)) return &f;
  }
  return nullptr;
}

std::vector<const XmlField*> XmlReply::FindAll(std::string_view suffix) const {
  std::vector<const XmlField*> out;
  for (const XmlField& f : fields) {
    if (PathEndsWith(f.path, suffix)) out.push_back(&f);
  }
  return out;
}

Result<XmlReply> ParseXmlReply(std::string_view bytes) {
  if (XmlNestingDepth(bytes) > kMaxNestingDepth) {
    return MakeError(ErrorCode::kInvalidArgument, "XML nesting deeper than " + std::to_string(kMaxNestingDepth));
  }
  pugi::xml_document doc;
  // parse_default minus nothing: no DTD processing exists in pugixml; only &lt; &gt; &amp;
  // &apos; &quot; and numeric references are expanded.
  pugi::xml_parse_result parsed = doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return MakeError(ErrorCode::kInvalidArgument, std::string("not XML: ") + parsed.description());
  pugi::xml_node root = doc.document_element();
  if (!root) return MakeError(ErrorCode::kInvalidArgument, "not XML: no root element");
  XmlReply out;
  out.root = std::string(XmlLocalName(root.name()));
  out.root_namespace = BoundValue(NamespaceOf(root));
  // Iterative pre-order walk; depth is already bounded by the check above.
  // The walk also stops descending at kMaxNestingDepth, should the byte scan above have been
  // misled (e.g. by '>' inside attribute values).
  struct Pending {
    pugi::xml_node node;
    std::string path;
    int depth;
  };
  std::vector<Pending> stack;
  stack.push_back({root, out.root, 1});
  while (!stack.empty()) {
    Pending top = std::move(stack.back());
    stack.pop_back();
    const pugi::xml_node& node = top.node;
    const std::string& path = top.path;
    std::string text;
    for (pugi::xml_node child : node.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
      if (text.size() > kMaxDiscoveryValue) break;
    }
    std::string bounded = BoundValue(text);
    if (!bounded.empty()) {
      if (out.fields.size() >= kMaxXmlFields) {
        out.fields_cut = true;
        break;
      }
      out.fields.push_back({path, std::move(bounded)});
    }
    if (top.depth >= kMaxNestingDepth) continue;
    // Children pushed in reverse so they pop in document order.
    std::vector<pugi::xml_node> elements;
    for (pugi::xml_node child : node.children()) {
      if (child.type() == pugi::node_element) elements.push_back(child);
      if (elements.size() > kMaxXmlFields) break;
    }
    for (auto it = elements.rbegin(); it != elements.rend(); ++it) {
      stack.push_back({*it, path + "/" + std::string(XmlLocalName(it->name())), top.depth + 1});
    }
  }
  return out;
}

}  // namespace phaseout::probes::common
