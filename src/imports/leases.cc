// DHCP lease databases -> HostScans: ISC dhcpd (dhcpd.leases(5)) and dnsmasq (the
// dhcp-leasefile, one lease per line). A lease gives an address, a MAC (so the MAC vendor from
// the OUI registry) and the host name the client sent.
#include <string>
#include <unordered_map>
#include <vector>

#include "core/strings.h"
#include "imports/import.h"
#include "imports/import_internal.h"

namespace phaseout::imports {
namespace {

// dhcpd.leases tokens: words, quoted strings (with backslash escapes), '{', '}', ';'.
// '#' starts a comment to the end of the line.
struct Token {
  enum Kind { kWord, kString, kOpen, kClose, kSemi } kind;
  std::string text;
  uint64_t line;
};

Result<std::vector<Token>> Tokenise(std::string_view in, const ImportOptions& options) {
  std::vector<Token> out;
  uint64_t line = 1;
  size_t i = 0;
  // Tokens are bounded by the input size; the record bound keeps a hostile file from making
  // the vector itself the problem (about 20 tokens per lease).
  const size_t max_tokens = options.max_records * 32 + 1024;
  while (i < in.size()) {
    char c = in[i];
    if (c == '\n') { ++line; ++i; continue; }
    if (c == ' ' || c == '\t' || c == '\r') { ++i; continue; }
    if (out.size() >= max_tokens) {
      return internal::ParseError("dhcpd", "line " + std::to_string(line), "too many entries");
    }
    if (c == '#') {
      while (i < in.size() && in[i] != '\n') ++i;
      continue;
    }
    if (c == '{') { out.push_back({Token::kOpen, "{", line}); ++i; continue; }
    if (c == '}') { out.push_back({Token::kClose, "}", line}); ++i; continue; }
    if (c == ';') { out.push_back({Token::kSemi, ";", line}); ++i; continue; }
    if (c == '"') {
      uint64_t start = line;
      std::string s;
      ++i;
      bool closed = false;
      while (i < in.size()) {
        char d = in[i++];
        if (d == '"') { closed = true; break; }
        if (d == '\n') ++line;
        if (d == '\\' && i < in.size()) {
          char e = in[i++];
          if (e >= '0' && e <= '7') {  // octal escape, as dhcpd writes binary bytes
            int v = e - '0';
            for (int k = 0; k < 2 && i < in.size() && in[i] >= '0' && in[i] <= '7'; ++k) v = v * 8 + (in[i++] - '0');
            s += static_cast<char>(v & 0xff);
          } else {
            s += e;
          }
          continue;
        }
        s += d;
      }
      if (!closed) {
        return internal::ParseError("dhcpd", "line " + std::to_string(start), "unterminated string");
      }
      out.push_back({Token::kString, std::move(s), start});
      continue;
    }
    size_t start = i;
    while (i < in.size() && in[i] != ' ' && in[i] != '\t' && in[i] != '\r' && in[i] != '\n' &&
           in[i] != ';' && in[i] != '{' && in[i] != '}' && in[i] != '"' && in[i] != '#') {
      ++i;
    }
    out.push_back({Token::kWord, std::string(in.substr(start, i - start)), line});
  }
  return out;
}

}  // namespace

Result<ImportResult> ParseDhcpdLeases(std::string_view input, const ImportOptions& options) {
  constexpr const char* kFormat = "dhcpd";
  auto tokens_or = Tokenise(input, options);
  if (!tokens_or) return tokens_or.error();
  const std::vector<Token>& t = *tokens_or;
  ImportResult result;
  // dhcpd appends a new lease block for every change: the last block of an address wins.
  std::unordered_map<std::string, size_t> by_ip;
  struct Lease {
    model::HostScan host;
    std::string state;
  };
  std::vector<Lease> leases;
  size_t i = 0;
  auto at = [&](size_t k) { return "line " + std::to_string(t[std::min(k, t.size() - 1)].line); };
  while (i < t.size()) {
    if (t[i].kind == Token::kWord && t[i].text == "lease") {
      size_t begin = i;
      if (i + 2 >= t.size() || t[i + 1].kind != Token::kWord || t[i + 2].kind != Token::kOpen) {
        return internal::ParseError(kFormat, at(i), "expected 'lease <address> {'");
      }
      std::string ip = t[i + 1].text;
      if (!internal::IsIpAddress(ip)) {
        return internal::ParseError(kFormat, at(i + 1), "bad lease address '" + EscapeBytes(ip, 64) + "'");
      }
      i += 3;
      Lease lease;
      lease.host.ip = ip;
      std::vector<const Token*> stmt;
      int depth = 0;
      bool closed = false;
      while (i < t.size()) {
        const Token& k = t[i++];
        if (k.kind == Token::kOpen) { ++depth; continue; }
        if (k.kind == Token::kClose) {
          if (depth == 0) { closed = true; break; }
          --depth;
          stmt.clear();
          continue;
        }
        if (k.kind != Token::kSemi) { stmt.push_back(&k); continue; }
        if (depth == 0 && !stmt.empty()) {
          const std::string& w0 = stmt[0]->text;
          if (w0 == "hardware" && stmt.size() == 3) {
            std::string mac = NormaliseMac(stmt[2]->text);
            if (mac.empty()) {
              return internal::ParseError(kFormat, "line " + std::to_string(stmt[2]->line),
                                          "bad hardware address '" + EscapeBytes(stmt[2]->text, 64) + "'");
            }
            lease.host.mac = mac;
          } else if (w0 == "client-hostname" && stmt.size() == 2) {
            internal::Observe(&lease.host, "dhcpd", 0, "dhcp.hostname", stmt[1]->text);
          } else if (w0 == "binding" && stmt.size() == 3 && stmt[1]->text == "state") {
            lease.state = stmt[2]->text;
          } else if (w0 == "set" && stmt.size() == 4 && stmt[1]->text == "vendor-class-identifier") {
            internal::Observe(&lease.host, "dhcpd", 0, "dhcp.vendor_class", stmt[3]->text);
          }
        }
        stmt.clear();
      }
      if (!closed) return internal::ParseError(kFormat, at(begin), "lease block never closed");
      internal::MarkSource(&lease.host, kFormat, at(begin));
      auto [it, inserted] = by_ip.emplace(ip, leases.size());
      if (inserted) {
        if (leases.size() >= options.max_records) {
          return internal::ParseError(kFormat, at(begin), "more than " + std::to_string(options.max_records) + " leases");
        }
        leases.push_back(std::move(lease));
      } else {
        leases[it->second] = std::move(lease);
      }
      continue;
    }
    // Any other top-level statement (server-duid, authoring-byte-order, failover blocks, host
    // declarations): skip to its ';' or past its balanced block.
    int depth = 0;
    while (i < t.size()) {
      const Token& k = t[i++];
      if (k.kind == Token::kOpen) ++depth;
      if (k.kind == Token::kClose && --depth <= 0) break;
      if (k.kind == Token::kSemi && depth == 0) break;
    }
    if (depth > 0) return internal::ParseError(kFormat, "end of input", "block never closed");
  }
  size_t inactive = 0;
  for (auto& l : leases) {
    // Only leases a client holds now describe a device on the network; free, expired,
    // released or abandoned ones are counted, not imported.
    if (!l.state.empty() && l.state != "active") {
      ++inactive;
      continue;
    }
    result.hosts.push_back(std::move(l.host));
  }
  if (inactive > 0) {
    result.warnings.push_back(std::to_string(inactive) + " leases not in binding state active were skipped");
  }
  return result;
}

Result<ImportResult> ParseDnsmasqLeases(std::string_view input, const ImportOptions& options) {
  constexpr const char* kFormat = "dnsmasq";
  ImportResult result;
  uint64_t line_no = 0;
  for (std::string_view line : Split(input, '\n')) {
    ++line_no;
    line = Trim(line);
    if (line.empty()) continue;
    std::string where = "line " + std::to_string(line_no);
    std::vector<std::string_view> f;
    for (std::string_view part : Split(line, ' ')) {
      if (!part.empty()) f.push_back(part);
    }
    if (f[0] == "duid") continue;  // the server DUID line that precedes DHCPv6 leases
    // <expiry epoch> <mac, or IAID for DHCPv6> <address> <hostname or *> [<client id or *>]
    if (f.size() < 4 || f.size() > 5) {
      return internal::ParseError(kFormat, where,
                                  "expected '<expiry> <mac> <address> <hostname> <client-id>'");
    }
    for (char c : f[0]) {
      if (c < '0' || c > '9') return internal::ParseError(kFormat, where, "expiry is not a number");
    }
    if (!internal::IsIpAddress(f[2])) {
      return internal::ParseError(kFormat, where, "bad address '" + EscapeBytes(f[2], 64) + "'");
    }
    if (result.hosts.size() >= options.max_records) {
      return internal::ParseError(kFormat, where, "more than " + std::to_string(options.max_records) + " leases");
    }
    model::HostScan host;
    host.ip = std::string(f[2]);
    bool v6 = f[2].find(':') != std::string_view::npos;
    host.mac = NormaliseMac(f[1]);
    if (host.mac.empty() && !v6) {
      return internal::ParseError(kFormat, where, "bad MAC address '" + EscapeBytes(f[1], 64) + "'");
    }
    if (f[3] != "*") internal::Observe(&host, "dnsmasq", 0, "dhcp.hostname", f[3]);
    internal::MarkSource(&host, kFormat, where);
    result.hosts.push_back(std::move(host));
  }
  return result;
}

}  // namespace phaseout::imports
