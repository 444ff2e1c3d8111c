// Bounded text helpers for discovery replies.
#include "probes/common/discovery_text.h"

#include "core/strings.h"

namespace phaseout::probes::common {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string BoundValue(std::string_view value) {
  value = Trim(value);
  if (value.size() > kMaxDiscoveryValue) value = value.substr(0, kMaxDiscoveryValue);
  return std::string(value);
}

std::string_view XmlLocalName(std::string_view qualified) {
  size_t colon = qualified.rfind(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

int XmlNestingDepth(std::string_view xml, int max_depth) {
  int depth = 0;
  int deepest = 0;
  size_t i = 0;
  while (i < xml.size()) {
    size_t lt = xml.find('<', i);
    if (lt == std::string_view::npos) break;
    std::string_view rest = xml.substr(lt);
    if (rest.substr(0, 4) == "<!--") {
      size_t end = xml.find("-->", lt + 4);
      if (end == std::string_view::npos) break;
      i = end + 3;
      continue;
    }
    if (rest.substr(0, 9) == "<![CDATA[") {
      size_t end = xml.find("]]>", lt + 9);
      if (end == std::string_view::npos) break;
      i = end + 3;
      continue;
    }
    size_t gt = xml.find('>', lt + 1);
    if (gt == std::string_view::npos) break;
    std::string_view tag = xml.substr(lt + 1, gt - lt - 1);
    i = gt + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    if (tag[0] == '/') {
      if (depth > 0) --depth;
      continue;
    }
    if (tag.back() == '/') {
      if (depth + 1 > deepest) deepest = depth + 1;
      continue;
    }
    ++depth;
    if (depth > deepest) deepest = depth;
    if (deepest > max_depth) return deepest;
  }
  return deepest;
}

int JsonNestingDepth(std::string_view json, int max_depth) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
      if (depth > deepest) deepest = depth;
      if (deepest > max_depth) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::string NormalizeMac(std::string_view text) {
  text = Trim(text);
  std::string hex;
  char sep = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (HexValue(c) >= 0) {
      hex += static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
      continue;
    }
    if (c != ':' && c != '-') return "";
    if (sep == 0) sep = c;
    if (c != sep) return "";
    // A separator must follow exactly two hex digits.
    if (hex.size() % 2 != 0 || hex.empty()) return "";
  }
  if (hex.size() != 12) return "";
  if (sep != 0 && text.size() != 17) return "";
  std::string out;
  for (size_t i = 0; i < 12; i += 2) {
    if (!out.empty()) out += ':';
    out += hex.substr(i, 2);
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace phaseout::probes::common

#include <cstdio>
#include <random>

namespace phaseout::probes::common {

std::string FormatUuid4(unsigned long long hi, unsigned long long lo, bool upper) {
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                      // version 4 (RFC 4122 section 4.4)
  lo = (lo & ~(0xc0ULL << 56)) | (0x80ULL << 56);          // variant 10
  char buf[40];
  std::snprintf(buf, sizeof buf, upper ? "%08llX-%04llX-%04llX-%04llX-%012llX" : "%08llx-%04llx-%04llx-%04llx-%012llx",
                hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & 0xffffffffffffULL);
  return buf;
}

namespace {

// 64 random bits from a per-thread generator seeded once from std::random_device. Building a
// std::random_device per request is costly (it probes the CPU with cpuid, which traps under
// virtualisation): 12% of a /16 scan's CPU before.
unsigned long long RandomWord() {
  thread_local std::mt19937_64 generator{[] {
    std::random_device rd;
    std::seed_seq seed{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seed);
  }()};
  return generator();
}

}  // namespace

std::string RandomUuid4(bool upper) {
  unsigned long long hi = RandomWord();
  unsigned long long lo = RandomWord();
  return FormatUuid4(hi, lo, upper);
}

}  // namespace phaseout::probes::common
