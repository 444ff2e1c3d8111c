// HTTP reply parsing and content extractors.
#include "probes/http/parser.h"

#include <algorithm>
#include <pugixml.hpp>

#include "core/strings.h"

namespace phaseout::probes::http {
namespace {

constexpr size_t kMaxTitle = 1024;
constexpr size_t kMaxXml = 65536;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Position of `needle` (lower case) in `hay` ignoring ASCII case, from `from`; npos if absent.
size_t FindIgnoreCase(std::string_view hay, std::string_view needle, size_t from = 0) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (EqualsIgnoreCase(hay.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

}  // namespace

Result<common::Message> ParseHttpResponse(std::string_view bytes) {
  return common::ParseMessage(bytes, common::BodyRule::kUntilClose);
}

std::string ExtractHtmlTitle(std::string_view html) {
  size_t pos = 0;
  while (true) {
    size_t open = FindIgnoreCase(html, "<title", pos);
    if (open == std::string_view::npos) return "";
    size_t after = open + 6;
    // "<title>" or "<title lang=..>", but not "<titlebar>".
    if (after < html.size() && html[after] != '>' && html[after] != ' ' && html[after] != '\t' &&
        html[after] != '\r' && html[after] != '\n') {
      pos = after;
      continue;
    }
    size_t gt = html.find('>', after);
    if (gt == std::string_view::npos) return "";
    size_t close = FindIgnoreCase(html, "</title", gt + 1);
    std::string_view text = html.substr(gt + 1, close == std::string_view::npos ? kMaxTitle : close - gt - 1);
    text = Trim(text);
    return std::string(text.substr(0, kMaxTitle));
  }
}

bool HasUtf8Bom(std::string_view body) { return body.substr(0, 3) == kBom; }

bool LooksLikeHtml(const common::Message& reply) {
  if (const common::HeaderField* type = reply.Find("Content-Type")) {
    if (FindIgnoreCase(type->value, "text/html") != std::string_view::npos) return true;
  }
  std::string_view body = reply.body;
  if (HasUtf8Bom(body)) body.remove_prefix(3);
  body = Trim(body.substr(0, 512));
  return StartsWithIgnoreCase(body, "<!doctype html") || StartsWithIgnoreCase(body, "<html");
}

Result<std::string> XmlRootSchema(std::string_view body) {
  if (HasUtf8Bom(body)) body.remove_prefix(3);
  body = body.substr(0, kMaxXml);
  pugi::xml_document doc;
  // parse_default without parse_doctype-driven expansion: pugixml never expands external
  // entities, and only the five predefined entities are decoded.
  pugi::xml_parse_result parsed = doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return MakeError(ErrorCode::kParse, std::string("not XML: ") + parsed.description());
  pugi::xml_node root = doc.document_element();
  if (!root) return MakeError(ErrorCode::kParse, "XML without a root element");
  std::string name = root.name();
  std::string ns_attr = "xmlns";
  if (size_t colon = name.find(':'); colon != std::string::npos) ns_attr += ":" + name.substr(0, colon);
  std::string out = name;
  if (pugi::xml_attribute ns = root.attribute(ns_attr.c_str())) {
    out += " ";
    out += ns.value();
  }
  return out;
}

}  // namespace phaseout::probes::http
