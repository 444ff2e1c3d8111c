// HTTP-style message parsing and framing (RFC 9112 layout, also used by RTSP/1.0, RFC 2326).
#include "probes/common/message.h"

#include <algorithm>
#include <string>

#include "core/strings.h"

namespace phaseout::probes::common {
namespace {

bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// The longest protocol token accepted before '/'; "HTTP" and "RTSP" are four letters.
constexpr size_t kMaxProtocolToken = 16;

// Walks the status-line grammar over `s`. Returns false iff `s` can not be the start of a
// status line "<ALPHA+>/<DIGIT+>[.<DIGIT+>] <3 DIGIT>"; a prefix that fits so far is true.
bool StatusPrefixPlausible(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsAlpha(s[i]) && i < kMaxProtocolToken) ++i;
  if (i == s.size()) return true;
  if (i == 0 || s[i] != '/') return false;
  ++i;
  size_t digits = 0;
  while (i < s.size() && IsDigit(s[i]) && digits < 4) { ++i; ++digits; }
  if (i == s.size()) return true;
  if (digits == 0) return false;
  if (s[i] == '.') {
    ++i;
    digits = 0;
    while (i < s.size() && IsDigit(s[i]) && digits < 4) { ++i; ++digits; }
    if (i == s.size()) return true;
    if (digits == 0) return false;
  }
  if (!IsBlank(s[i])) return false;
  while (i < s.size() && IsBlank(s[i])) ++i;
  for (int n = 0; n < 3; ++n, ++i) {
    if (i == s.size()) return true;
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

// Parses a whole status line (CR already stripped). Returns false iff it is not one.
bool ParseStatusLine(std::string_view line, Message* out) {
  if (!StatusPrefixPlausible(line)) return false;
  size_t slash = line.find('/');
  if (slash == std::string_view::npos) return false;
  size_t i = slash + 1;
  while (i < line.size() && (IsDigit(line[i]) || line[i] == '.')) ++i;
  if (i == slash + 1 || i >= line.size() || !IsBlank(line[i])) return false;
  out->version = std::string(line.substr(0, i));
  while (i < line.size() && IsBlank(line[i])) ++i;
  if (i + 3 > line.size()) return false;
  std::string_view code = line.substr(i, 3);
  for (char c : code) {
    if (!IsDigit(c)) return false;
  }
  i += 3;
  // "HTTP/1.1 2000 OK" is not a status line: the code must be exactly three digits.
  if (i < line.size() && IsDigit(line[i])) return false;
  out->status_code = std::string(code);
  out->status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  out->reason = std::string(Trim(line.substr(i)));
  return true;
}

void AddLimit(std::vector<std::string>* limits, std::string limit) {
  if (std::find(limits->begin(), limits->end(), limit) == limits->end()) limits->push_back(std::move(limit));
}

// Parses a decimal Content-Length. Returns false for anything but 1-18 digits.
bool ParseLength(std::string_view s, uint64_t* out) {
  s = Trim(s);
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// Parses a chunk-size line ("1a;ext=1"). Returns false unless 1-15 hex digits lead it, so a
// hostile size can never overflow.
bool ParseChunkSize(std::string_view line, uint64_t* out) {
  size_t semi = line.find(';');
  if (semi != std::string_view::npos) line = line.substr(0, semi);
  line = Trim(line);
  if (line.empty() || line.size() > 15) return false;
  uint64_t v = 0;
  for (char c : line) {
    int d;
    if (IsDigit(c)) d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

bool ContainsChunked(std::string_view value) {
  std::string lower = AsciiLower(value);
  return lower.find("chunked") != std::string::npos;
}

// Whether a reply with this status can carry a body (RFC 9112 section 6.3, items 1-2).
bool StatusMayHaveBody(int status) { return !(status / 100 == 1 || status == 204 || status == 304); }

std::string BodyLimit(const MessageLimits& limits) {
  return "body>" + std::to_string(limits.max_body) + " truncated";
}

// Decodes a chunked body from `rest` into `out`.
void DecodeChunked(std::string_view rest, const MessageLimits& limits, Message* out) {
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t lf = rest.find('\n', pos);
    if (lf == std::string_view::npos) return;  // size line cut off
    uint64_t size = 0;
    if (!ParseChunkSize(StripCr(rest.substr(pos, lf - pos)), &size)) return;
    if (size == 0) {
      out->body_complete = true;  // trailers, if any, are ignored
      return;
    }
    size_t data = lf + 1;
    size_t available = rest.size() - data;
    size_t take = size < available ? static_cast<size_t>(size) : available;
    size_t room = limits.max_body - out->body.size();
    if (take > room) {
      out->body.append(rest.substr(data, room));
      AddLimit(&out->limits, BodyLimit(limits));
      return;
    }
    out->body.append(rest.substr(data, take));
    if (take < size) return;  // chunk data cut off
    pos = data + take;
    // The CRLF after the data; tolerate a bare LF or nothing.
    if (pos < rest.size() && rest[pos] == '\r') ++pos;
    if (pos < rest.size() && rest[pos] == '\n') ++pos;
  }
}

}  // namespace

const HeaderField* Message::Find(std::string_view name) const {
  for (const HeaderField& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h;
  }
  return nullptr;
}

std::vector<const HeaderField*> Message::FindAll(std::string_view name) const {
  std::vector<const HeaderField*> out;
  for (const HeaderField& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) out.push_back(&h);
  }
  return out;
}

Result<Message> ParseMessage(std::string_view bytes, BodyRule rule, const MessageLimits& limits) {
  Message msg;
  size_t pos = 0;
  // RFC 9112 section 2.2: ignore empty lines before the status line (bounded by the head cap).
  while (pos < bytes.size() && pos < limits.max_head_bytes && (bytes[pos] == '\r' || bytes[pos] == '\n')) ++pos;
  if (pos == bytes.size()) return MakeError(ErrorCode::kParse, "empty reply");
  size_t lf = bytes.find('\n', pos);
  size_t line_end = lf == std::string_view::npos ? bytes.size() : lf;
  if (line_end - pos > limits.max_header_line) {
    return MakeError(ErrorCode::kParse, "status line longer than " + std::to_string(limits.max_header_line) + " bytes");
  }
  if (!ParseStatusLine(StripCr(bytes.substr(pos, line_end - pos)), &msg)) {
    return MakeError(ErrorCode::kParse, "no status line: reply starts with \"" + EscapeBytes(bytes.substr(pos, 32)) + "\"");
  }
  pos = lf == std::string_view::npos ? bytes.size() : lf + 1;

  size_t dropped_headers = 0;
  HeaderField* last = nullptr;
  while (pos < bytes.size()) {
    if (pos > limits.max_head_bytes) {
      AddLimit(&msg.limits, "head>" + std::to_string(limits.max_head_bytes));
      break;
    }
    lf = bytes.find('\n', pos);
    line_end = lf == std::string_view::npos ? bytes.size() : lf;
    std::string_view line = StripCr(bytes.substr(pos, line_end - pos));
    pos = lf == std::string_view::npos ? bytes.size() : lf + 1;
    if (line.empty()) {
      if (lf != std::string_view::npos) msg.head_complete = true;
      break;
    }
    if (line.size() > limits.max_header_line) {
      AddLimit(&msg.limits, "header_line>" + std::to_string(limits.max_header_line));
      line = line.substr(0, limits.max_header_line);
    }
    if (IsBlank(line.front())) {
      // obs-fold (RFC 9112 section 5.2): continuation of the previous field value.
      if (last != nullptr && last->value.size() < limits.max_header_line) {
        std::string_view more = Trim(line);
        if (!more.empty()) {
          if (!last->value.empty()) last->value += ' ';
          last->value.append(more.substr(0, limits.max_header_line - std::min(limits.max_header_line, last->value.size())));
        }
      }
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      last = nullptr;  // not a header line; skipped (lenient)
      continue;
    }
    std::string_view name = Trim(line.substr(0, colon));
    bool name_ok = !name.empty();
    for (char c : name) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) name_ok = false;
    }
    if (!name_ok) {
      last = nullptr;
      continue;
    }
    if (msg.headers.size() >= limits.max_headers) {
      ++dropped_headers;
      last = nullptr;
      continue;
    }
    HeaderField field;
    field.name = std::string(name);
    field.raw_value = std::string(line.substr(colon + 1));
    field.value = std::string(Trim(field.raw_value));
    msg.headers.push_back(std::move(field));
    last = &msg.headers.back();
  }
  if (dropped_headers > 0) AddLimit(&msg.limits, "headers>" + std::to_string(limits.max_headers));
  if (!msg.head_complete) return msg;

  std::string_view rest = bytes.substr(pos);
  bool chunked = false;
  for (const HeaderField* te : msg.FindAll("Transfer-Encoding")) chunked = chunked || ContainsChunked(te->value);
  uint64_t length = 0;
  bool has_length = false;
  if (const HeaderField* cl = msg.Find("Content-Length")) has_length = ParseLength(cl->value, &length);

  if (rule == BodyRule::kUntilClose && !StatusMayHaveBody(msg.status)) {
    msg.body_complete = true;
  } else if (chunked) {
    msg.chunked = true;
    DecodeChunked(rest, limits, &msg);
  } else if (has_length) {
    size_t available = std::min<uint64_t>(rest.size(), length);
    size_t keep = std::min(available, limits.max_body);
    msg.body = std::string(rest.substr(0, keep));
    if (length > limits.max_body) AddLimit(&msg.limits, BodyLimit(limits));
    msg.body_complete = rest.size() >= length;
  } else if (rule == BodyRule::kUntilClose) {
    msg.body = std::string(rest.substr(0, limits.max_body));
    if (rest.size() > limits.max_body) AddLimit(&msg.limits, BodyLimit(limits));
    msg.body_complete = true;  // ends at close; the caller knows whether the peer closed
  } else {
    msg.body_complete = true;
  }
  return msg;
}

MessageFramer::MessageFramer(BodyRule rule, MessageLimits limits) : rule_(rule), limits_(limits) {}

void MessageFramer::Reset() { *this = MessageFramer(rule_, limits_); }

Framing MessageFramer::Feed(std::string_view received) {
  // A shorter buffer than last time means a new reply started without Reset(): start over.
  if (received.size() < seen_) Reset();
  seen_ = received.size();
  if (stage_ == Stage::kDone) return Framing::kComplete;
  if (stage_ == Stage::kStatusLine || stage_ == Stage::kHeaders) {
    if (FeedHead(received) == Framing::kComplete) {
      stage_ = Stage::kDone;
      return Framing::kComplete;
    }
    if (stage_ != Stage::kBody) return Framing::kNeedMore;
  }
  Framing result = Framing::kNeedMore;
  switch (body_mode_) {
    case BodyMode::kNone:
      result = Framing::kComplete;
      break;
    case BodyMode::kLength: {
      uint64_t want = std::min<uint64_t>(content_length_, limits_.max_body);
      if (received.size() - body_start_ >= want) result = Framing::kComplete;
      break;
    }
    case BodyMode::kUntilClose:
      // Reading past what the parser keeps is pointless.
      if (received.size() - body_start_ > limits_.max_body) result = Framing::kComplete;
      break;
    case BodyMode::kChunked:
      result = FeedChunks(received);
      break;
  }
  if (result == Framing::kComplete) stage_ = Stage::kDone;
  return result;
}

size_t MessageFramer::FindLf(std::string_view received, size_t from) {
  size_t lf = received.find('\n', std::max(from, no_lf_before_));
  if (lf == std::string_view::npos) no_lf_before_ = received.size();
  return lf;
}

Framing MessageFramer::FeedHead(std::string_view received) {
  while (true) {
    if (line_start_ > limits_.max_head_bytes) return Framing::kComplete;  // endless head
    size_t lf = FindLf(received, line_start_);
    if (stage_ == Stage::kStatusLine) {
      // Skip leading empty lines, then decide early whether this can be a status line at all,
      // so garbage from a non-HTTP service ends the read at once instead of at the timeout.
      while (line_start_ < received.size() && (received[line_start_] == '\r' || received[line_start_] == '\n')) {
        ++line_start_;
      }
      if (line_start_ > limits_.max_head_bytes) return Framing::kComplete;
      lf = FindLf(received, line_start_);
      size_t end = lf == std::string_view::npos ? received.size() : lf;
      if (!StatusPrefixPlausible(StripCr(received.substr(line_start_, std::min<size_t>(end - line_start_, 32))))) {
        return Framing::kComplete;
      }
      if (lf == std::string_view::npos) {
        return end - line_start_ > limits_.max_header_line ? Framing::kComplete : Framing::kNeedMore;
      }
      Message status;
      if (!ParseStatusLine(StripCr(received.substr(line_start_, lf - line_start_)), &status)) {
        return Framing::kComplete;
      }
      status_ = status.status;
      line_start_ = lf + 1;
      stage_ = Stage::kHeaders;
      continue;
    }
    if (lf == std::string_view::npos) {
      return received.size() > limits_.max_head_bytes ? Framing::kComplete : Framing::kNeedMore;
    }
    std::string_view line = StripCr(received.substr(line_start_, lf - line_start_));
    line_start_ = lf + 1;
    if (line.empty()) {
      body_start_ = line_start_;
      stage_ = Stage::kBody;
      if (rule_ == BodyRule::kUntilClose && !StatusMayHaveBody(status_)) {
        body_mode_ = BodyMode::kNone;
      } else if (chunked_) {
        body_mode_ = BodyMode::kChunked;
        chunk_pos_ = body_start_;
      } else if (has_length_) {
        body_mode_ = BodyMode::kLength;
      } else {
        body_mode_ = rule_ == BodyRule::kUntilClose ? BodyMode::kUntilClose : BodyMode::kNone;
      }
      return Framing::kNeedMore;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || IsBlank(line.front())) continue;
    std::string_view name = Trim(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    if (EqualsIgnoreCase(name, "Content-Length") && !has_length_) {
      has_length_ = ParseLength(value, &content_length_);
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding") && ContainsChunked(value)) {
      chunked_ = true;
    }
  }
}

Framing MessageFramer::FeedChunks(std::string_view received) {
  while (true) {
    if (chunk_total_ > limits_.max_body) return Framing::kComplete;
    size_t lf = FindLf(received, chunk_pos_);
    if (lf == std::string_view::npos) {
      return received.size() - chunk_pos_ > limits_.max_header_line ? Framing::kComplete : Framing::kNeedMore;
    }
    std::string_view line = StripCr(received.substr(chunk_pos_, lf - chunk_pos_));
    if (in_trailers_) {
      chunk_pos_ = lf + 1;
      if (line.empty()) return Framing::kComplete;
      continue;
    }
    uint64_t size = 0;
    if (!ParseChunkSize(line, &size)) return Framing::kComplete;  // broken framing: stop reading
    if (size == 0) {
      in_trailers_ = true;
      chunk_pos_ = lf + 1;
      continue;
    }
    // The chunk data plus its CRLF must be present before the next size line is looked at.
    uint64_t data_end = lf + 1 + size;
    if (received.size() < data_end) {
      // Stop once the kept body would be full anyway.
      return chunk_total_ + (received.size() - (lf + 1)) > limits_.max_body ? Framing::kComplete : Framing::kNeedMore;
    }
    size_t next = static_cast<size_t>(data_end);
    if (next < received.size() && received[next] == '\r') ++next;
    if (next < received.size() && received[next] == '\n') {
      ++next;
    } else if (next >= received.size()) {
      return Framing::kNeedMore;
    }
    chunk_total_ += size;
    chunk_pos_ = next;
  }
}

}  // namespace phaseout::probes::common
