// Greeting parsers. Bounded: every loop walks the input once; outputs are capped.
#include "probes/greeting/greeting.h"

#include <cctype>

#include "core/strings.h"

namespace phaseout::probes::greeting {
namespace {

constexpr unsigned char kIac = 255, kDont = 254, kDo = 253, kWont = 252, kWill = 251, kSb = 250, kSe = 240;

std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

SshGreeting ParseSshGreeting(std::string_view bytes) {
  SshGreeting out;
  if (bytes.size() > kMaxGreetingBytes) bytes = bytes.substr(0, kMaxGreetingBytes);
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t nl = bytes.find('\n', pos);
    std::string_view line = StripCr(bytes.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    if (line.substr(0, 4) == "SSH-") {
      out.found = true;
      out.line = std::string(line.substr(0, 255));  // RFC 4253: at most 255 characters
      std::string_view rest = line.substr(4);
      size_t dash = rest.find('-');
      out.proto_version = std::string(rest.substr(0, dash));
      if (dash != std::string_view::npos) {
        std::string_view sw = rest.substr(dash + 1);
        size_t sp = sw.find(' ');
        out.software = std::string(sw.substr(0, sp));
        if (sp != std::string_view::npos) out.comment = std::string(Trim(sw.substr(sp + 1)));
      }
      return out;
    }
    if (out.preamble.size() < 8 && !line.empty()) out.preamble.push_back(EscapeBytes(line, 256));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

Framing FrameSsh(std::string_view received) {
  if (received.size() >= kMaxGreetingBytes) return Framing::kComplete;
  size_t pos = 0;
  while (true) {
    size_t nl = received.find('\n', pos);
    if (nl == std::string_view::npos) return Framing::kNeedMore;
    if (received.substr(pos, 4) == "SSH-") return Framing::kComplete;
    pos = nl + 1;
  }
}

TelnetGreeting ParseTelnet(std::string_view bytes) {
  TelnetGreeting out;
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c != kIac) {
      if (out.text.size() < kMaxGreetingBytes) out.text.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (i + 1 >= bytes.size()) break;  // IAC at the very end: incomplete command
    unsigned char cmd = static_cast<unsigned char>(bytes[i + 1]);
    if (cmd == kIac) {
      if (out.text.size() < kMaxGreetingBytes) out.text.push_back(static_cast<char>(kIac));
      i += 2;
    } else if (cmd >= kWill && cmd <= kDont) {
      if (i + 2 >= bytes.size()) break;
      unsigned char opt = static_cast<unsigned char>(bytes[i + 2]);
      const char* name = cmd == kWill ? "WILL" : cmd == kWont ? "WONT" : cmd == kDo ? "DO" : "DONT";
      if (out.options.size() < 64) out.options.push_back(std::string(name) + " " + std::to_string(opt));
      // Refuse: a DO gets WONT, a WILL gets DONT. WONT/DONT need no answer (RFC 854).
      if (cmd == kDo && out.refusal.size() < 192) out.refusal += std::string{static_cast<char>(kIac), static_cast<char>(kWont), static_cast<char>(opt)};
      if (cmd == kWill && out.refusal.size() < 192) out.refusal += std::string{static_cast<char>(kIac), static_cast<char>(kDont), static_cast<char>(opt)};
      i += 3;
    } else if (cmd == kSb) {
      // Subnegotiation: skip to IAC SE (we never asked for one, so we never answer it).
      size_t end = i + 2;
      while (end + 1 < bytes.size() &&
             !(static_cast<unsigned char>(bytes[end]) == kIac && static_cast<unsigned char>(bytes[end + 1]) == kSe)) {
        ++end;
      }
      if (out.options.size() < 64) out.options.push_back("SB");
      i = end + 2;
    } else {
      i += 2;  // NOP, GA, AYT, ...: two-byte commands
    }
  }
  return out;
}

std::string BannerLines(std::string_view text, size_t max_len) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size() && out.size() < max_len) {
    size_t end = text.find_first_of("\r\n", pos);
    std::string_view line = Trim(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (!line.empty()) {
      if (!out.empty()) out += '\n';
      for (char c : line) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
          static const char* kHex = "0123456789abcdef";
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 15];
        } else {
          out += c;
        }
      }
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  if (out.size() > max_len) out.resize(max_len);
  return out;
}

Framing FrameTelnet(std::string_view received) {
  if (received.size() >= kMaxGreetingBytes) return Framing::kComplete;
  // Look at the last data bytes only: cheap, and negotiation bytes never end in a prompt char.
  size_t end = received.size();
  while (end > 0 && (received[end - 1] == ' ' || received[end - 1] == '\t')) --end;
  if (end == 0) return Framing::kNeedMore;
  char last = received[end - 1];
  if (last != ':' && last != '>' && last != '#' && last != '$') return Framing::kNeedMore;
  // The prompt char must be data, not an option code: IAC x ':' would be "DO 58" and the like.
  if (end >= 3 && static_cast<unsigned char>(received[end - 3]) == kIac) return Framing::kNeedMore;
  return Framing::kComplete;
}

FtpGreeting ParseFtpGreeting(std::string_view bytes) {
  FtpGreeting out;
  if (bytes.size() > kMaxGreetingBytes) bytes = bytes.substr(0, kMaxGreetingBytes);
  if (bytes.size() < 3 || !IsDigit(bytes[0]) || !IsDigit(bytes[1]) || !IsDigit(bytes[2])) return out;
  out.found = true;
  out.code = std::string(bytes.substr(0, 3));
  size_t pos = 0;
  int lines = 0;
  while (pos < bytes.size() && lines < 32) {
    size_t nl = bytes.find('\n', pos);
    std::string_view line = StripCr(bytes.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    std::string_view text = line;
    if (line.size() >= 4 && line.substr(0, 3) == out.code && (line[3] == ' ' || line[3] == '-')) text = line.substr(4);
    else if (line.size() == 3 && line == out.code) text = "";
    text = Trim(text);
    if (!text.empty()) {
      if (!out.text.empty()) out.text += " | ";
      out.text += std::string(text);
    }
    ++lines;
    bool final_line = line.size() >= 4 && line.substr(0, 3) == out.code && line[3] == ' ';
    if (final_line || (line.size() == 3 && line == out.code) || nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (out.text.size() > 1024) out.text.resize(1024);
  return out;
}

Framing FrameFtp(std::string_view received) {
  if (received.size() >= kMaxGreetingBytes) return Framing::kComplete;
  if (received.size() >= 3 && !(IsDigit(received[0]) && IsDigit(received[1]) && IsDigit(received[2]))) {
    return Framing::kComplete;  // not FTP: no point waiting
  }
  size_t pos = 0;
  while (true) {
    size_t nl = received.find('\n', pos);
    if (nl == std::string_view::npos) return Framing::kNeedMore;
    std::string_view line = received.substr(pos, nl - pos);
    if (line.size() >= 4 && line.substr(0, 3) == received.substr(0, 3) && line[3] == ' ') return Framing::kComplete;
    if (pos == 0 && line.size() >= 4 && line[3] != '-') return Framing::kComplete;  // single-line reply
    pos = nl + 1;
  }
}

}  // namespace phaseout::probes::greeting
