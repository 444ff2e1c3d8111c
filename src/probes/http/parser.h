// Pure HTTP reply parsing and the small content extractors the HTTP probe needs (title, BOM,
// HTML sniffing, XML root element). No sockets; every function is bounded.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "probes/common/message.h"

namespace phaseout::probes::http {

// Parses one HTTP/1.x reply with the default limits (100 headers, 8 KiB lines, 64 KiB head,
// 64 KiB decoded body). Without Content-Length or chunked encoding the body runs to the end
// of `bytes`. Returns the message (possibly partial, see Message flags and limits), or a
// kParse Error iff `bytes` does not start with a status line.
Result<common::Message> ParseHttpResponse(std::string_view bytes);

// Returns the text of the first <title> element (tag name case-insensitive, attributes
// allowed), trimmed and cut at 1024 bytes; "" when there is none. Entities are kept verbatim.
std::string ExtractHtmlTitle(std::string_view html);

// True iff `body` starts with the UTF-8 byte order mark EF BB BF.
bool HasUtf8Bom(std::string_view body);

// True iff the reply is HTML: Content-Type names text/html, or the body (after a BOM and
// blanks) starts with "<!doctype html" or "<html" (case-insensitive).
bool LooksLikeHtml(const common::Message& reply);

// Returns the root element of an XML document as "<name>" or "<name> <namespace>" (the
// default xmlns, or xmlns:<prefix> for a prefixed root), e.g.
// "DeviceInfo http://www.std-cgi.com/ver20/XMLSchema". Parses at most 64 KiB with pugixml
// (iterative, no DTD expansion). Returns a kParse Error iff the bytes are not well-formed XML
// with a root element.
Result<std::string> XmlRootSchema(std::string_view body);

}  // namespace phaseout::probes::http
