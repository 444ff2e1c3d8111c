// Pure parsers and framers for service greetings: SSH identification strings (RFC 4253
// section 4.2), telnet option negotiation and banner text (RFC 854/855), FTP replies
// (RFC 959 section 4.2). No sockets; bounded on hostile input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "probes/probe.h"

namespace phaseout::probes::greeting {

// Bytes a greeting may take before reading stops (real greetings are < 1 KiB).
inline constexpr size_t kMaxGreetingBytes = 8192;

// SSH identification "SSH-protoversion-softwareversion SP comments CR LF".
struct SshGreeting {
  bool found = false;
  std::string line;              // the identification line without CR LF
  std::string proto_version;     // "2.0", "1.99"
  std::string software;          // "OpenSSH_7.4", "HUAWEI-1.5", "ROSSSH"
  std::string comment;           // after the first blank, e.g. "Debian-10+deb9u2"
  std::vector<std::string> preamble;  // lines sent before it (RFC 4253 allows them), at most 8
};
SshGreeting ParseSshGreeting(std::string_view bytes);
// Whole once an "SSH-" line ended with LF, or kMaxGreetingBytes arrived.
Framing FrameSsh(std::string_view received);

// What a telnet server sent: its option commands and the text with all IAC sequences removed.
struct TelnetGreeting {
  std::string text;                  // data bytes (IAC IAC kept as one 0xFF), at most kMaxGreetingBytes
  std::vector<std::string> options;  // "DO 24", "WILL 1", ... in order, at most 64
  std::string refusal;               // our reply: IAC WONT x for each DO x, IAC DONT x for each WILL x
};
TelnetGreeting ParseTelnet(std::string_view bytes);
// The text as lines: split at CR/LF, each trimmed, empty lines dropped, joined by "\n"; other
// control bytes escaped as \xNN; at most `max_len` bytes. "F668\r\n\rLogin:" -> "F668\nLogin:".
std::string BannerLines(std::string_view text, size_t max_len = 1024);
// Whole when the text so far ends in a prompt (':', '>', '#', '$', optionally followed by
// blanks) or kMaxGreetingBytes arrived.
Framing FrameTelnet(std::string_view received);

// An FTP greeting: "220 text" or "220-text ... 220 text".
struct FtpGreeting {
  bool found = false;  // a three-digit reply code started the reply
  std::string code;    // "220", "421", ...
  std::string text;    // every line's text after the code, joined by " | "
};
FtpGreeting ParseFtpGreeting(std::string_view bytes);
// Whole once the final line "ddd " (RFC 959 section 4.2: same code, then a blank) ended.
Framing FrameFtp(std::string_view received);

}  // namespace phaseout::probes::greeting
