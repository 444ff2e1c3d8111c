// Pure parser and framer for HTTP-style messages (status line, header block, body), shared by
// the HTTP and RTSP probes: both protocols use the same RFC 822-like wire layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "probes/probe.h"

namespace phaseout::probes::common {

// Bounds that keep parsing of hostile replies cheap. Defaults are used by every probe.
struct MessageLimits {
  size_t max_headers = 100;        // header fields kept; more are counted as a limit hit
  size_t max_header_line = 8192;   // bytes kept of one header line (value truncated beyond)
  size_t max_head_bytes = 65536;   // status line + headers; beyond this the head is cut off
  size_t max_body = 65536;         // decoded body bytes kept
};

// How a reply without Content-Length or chunked encoding is delimited.
enum class BodyRule {
  kUntilClose,  // HTTP/1.x (RFC 9112 section 6.3): the body runs until the peer closes
  kNoBody,      // RTSP/1.0 (RFC 2326 section 4.3): no Content-Length means no body
};

// One header field as received.
struct HeaderField {
  std::string name;       // as sent, case preserved
  std::string value;      // white space around it trimmed; folded lines joined by one space
  std::string raw_value;  // the first line's bytes between ':' and end of line, untrimmed
};

// A parsed reply. Partial replies (cut by a timeout, a limit or a close) still parse: the
// `head_complete`/`body_complete` flags say how far the bytes went.
struct Message {
  std::string version;      // protocol token as sent, e.g. "HTTP/1.0", "RTSP/1.0"
  std::string status_code;  // the three status digits as sent, e.g. "401"
  int status = 0;           // status_code as a number
  std::string reason;       // reason phrase, trimmed; empty when the device omits it
  std::vector<HeaderField> headers;
  bool head_complete = false;  // the empty line ending the header block was seen
  std::string body;            // decoded body (de-chunked), at most MessageLimits::max_body
  bool body_complete = false;  // the body ended where its framing said it would
  bool chunked = false;        // Transfer-Encoding: chunked was decoded
  std::vector<std::string> limits;  // limits hit, e.g. "headers>100", "body>65536 truncated"

  // Returns the first header named `name` (ASCII case-insensitive), or null.
  const HeaderField* Find(std::string_view name) const;
  // Returns every header named `name` in order (ASCII case-insensitive).
  std::vector<const HeaderField*> FindAll(std::string_view name) const;
};

// Parses `bytes` as one reply: "<PROTO>/<major>.<minor> <3 digits>[ <reason>]", header lines,
// an empty line, then a body per Content-Length / chunked / `rule`. Lenient: bare LF line ends,
// leading empty lines, any header-name case, obs-fold continuation lines, missing reason phrase.
// Returns the Message on success (possibly partial); an Error (kParse) iff the bytes do not
// start with a status line, e.g. garbage from a non-HTTP service or an empty reply.
Result<Message> ParseMessage(std::string_view bytes, BodyRule rule, const MessageLimits& limits = {});

// Says when a reply is whole, incrementally: each call continues where the previous one
// stopped, so feeding a growing buffer costs O(total bytes). Call Reset() before a new reply.
// Not thread-safe.
class MessageFramer {
 public:
  explicit MessageFramer(BodyRule rule, MessageLimits limits = {});

  void Reset();
  // `received` is every byte read so far for the current reply (it only grows between
  // Reset() calls). Returns kComplete once the reply is whole, or once reading more is
  // pointless: the bytes cannot be a status line, or a limit in MessageLimits was reached.
  Framing Feed(std::string_view received);

 private:
  enum class Stage { kStatusLine, kHeaders, kBody, kDone };
  enum class BodyMode { kNone, kLength, kChunked, kUntilClose };

  Framing FeedHead(std::string_view received);
  Framing FeedChunks(std::string_view received);
  // received.find('\n', from), but never rescans bytes already known to hold no '\n', so a
  // peer trickling one byte per read into a long line costs O(n), not O(n^2).
  size_t FindLf(std::string_view received, size_t from);

  BodyRule rule_;
  MessageLimits limits_;
  Stage stage_ = Stage::kStatusLine;
  size_t line_start_ = 0;  // offset of the next unprocessed line
  int status_ = 0;
  bool has_length_ = false;
  uint64_t content_length_ = 0;
  bool chunked_ = false;
  BodyMode body_mode_ = BodyMode::kNone;
  size_t body_start_ = 0;
  size_t chunk_pos_ = 0;        // offset of the next chunk-size line (kChunked)
  bool in_trailers_ = false;    // after the last (zero) chunk
  uint64_t chunk_total_ = 0;    // decoded bytes so far
  size_t seen_ = 0;             // size of the last buffer fed
  size_t no_lf_before_ = 0;     // no '\n' in [line being searched, no_lf_before_)
};

}  // namespace phaseout::probes::common
