// Parsing of target specs into sorted merged ranges, exclusion arithmetic and the lazy cursor.
#include "net/target_set.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/strings.h"

namespace phaseout::net {
namespace {

constexpr uint64_t kMaxV6SpecSize = 256;  // IPv6 specs beyond /120 are refused as too large

struct SourcedSpec {
  std::string text;
  std::string origin;  // "" for command-line specs, "file:line" for file lines
};

struct Reserved {
  bool v6;
  Uint128 first;
  Uint128 last;
  const char* why;
};

Uint128 V6Max() { return ~Uint128{0}; }

const std::vector<Reserved>& ReservedBlocks() {
  static const std::vector<Reserved> blocks = {
      {false, 0x00000000u, 0x00FFFFFFu, "0.0.0.0/8 (\"this network\")"},
      {false, 0xE0000000u, 0xEFFFFFFFu, "224.0.0.0/4 (multicast)"},
      {false, 0xF0000000u, 0xFFFFFFFFu, "240.0.0.0/4 (reserved and broadcast)"},
      {true, 0, 0, ":: (unspecified)"},
      {true, Uint128{0xff} << 120, V6Max(), "ff00::/8 (multicast)"},
  };
  return blocks;
}

std::string Quote(const SourcedSpec& spec) {
  std::string out = "target \"" + EscapeBytes(spec.text, 200) + "\"";
  if (!spec.origin.empty()) out = spec.origin + ": " + out;
  return out;
}

Error Invalid(const SourcedSpec& spec, const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument, Quote(spec) + ": " + why);
}

bool LooksLikeHostName(std::string_view text) {
  bool has_alpha = false;
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c))) has_alpha = true;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  }
  return has_alpha;
}

std::optional<unsigned> ParseSmallUint(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

// Parses one spec into a range. `single` is set iff the spec named exactly one address.
Result<AddressRange> ParseOne(const SourcedSpec& spec, bool* single) {
  std::string_view text = Trim(spec.text);
  *single = false;
  if (text.empty()) return Invalid(spec, "empty target");

  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    auto addr = IpAddress::Parse(text.substr(0, slash));
    if (!addr) {
      return Invalid(spec, "expected an address before '/' (CIDR block like 127.16.0.0/16)");
    }
    unsigned max_prefix = addr->is_v6() ? 128 : 32;
    auto prefix = ParseSmallUint(text.substr(slash + 1), max_prefix);
    if (!prefix) {
      return Invalid(spec, "prefix length must be a number from 0 to " + std::to_string(max_prefix));
    }
    if (addr->is_v6() && *prefix < 120) {
      return Invalid(spec, "IPv6 block too large: at most /120 (256 addresses) is scanned by "
                           "address; use a smaller block");
    }
    unsigned host_bits = max_prefix - *prefix;
    AddressRange r;
    r.v6 = addr->is_v6();
    Uint128 host_mask = host_bits == 0 ? 0 : ((Uint128{1} << host_bits) - 1);
    r.first = addr->value() & ~host_mask;
    r.last = r.first | host_mask;
    if (!r.v6) {
      r.first &= 0xFFFFFFFFu;
      r.last &= 0xFFFFFFFFu;
    }
    *single = host_bits == 0;
    return r;
  }

  if (size_t dash = text.find('-'); dash != std::string_view::npos) {
    std::string_view left = Trim(text.substr(0, dash));
    std::string_view right = Trim(text.substr(dash + 1));
    auto first = IpAddress::Parse(left);
    if (!first) {
      if (LooksLikeHostName(text)) {
        return Invalid(spec, "host names are not resolved; give an IP address, CIDR block or range");
      }
      return Invalid(spec, "expected an address before '-' (range like 127.0.0.1-127.0.0.20)");
    }
    std::optional<IpAddress> last = IpAddress::Parse(right);
    if (!last && !first->is_v6()) {
      // Short form a.b.c.d-N: the last octet runs from d to N.
      if (auto octet = ParseSmallUint(right, 255)) {
        last = IpAddress::V4((first->v4() & 0xFFFFFF00u) | *octet);
      }
    }
    if (!last) {
      return Invalid(spec, "expected an address or a last octet (0-255) after '-'");
    }
    if (last->is_v6() != first->is_v6()) return Invalid(spec, "range mixes IPv4 and IPv6");
    if (last->value() < first->value()) return Invalid(spec, "range end is below its start");
    if (first->is_v6() && last->value() - first->value() >= kMaxV6SpecSize) {
      return Invalid(spec, "IPv6 range too large: at most 256 addresses");
    }
    *single = first->value() == last->value();
    return AddressRange{first->is_v6(), first->value(), last->value()};
  }

  auto addr = IpAddress::Parse(text);
  if (!addr) {
    if (LooksLikeHostName(text)) {
      return Invalid(spec, "host names are not resolved; give an IP address, CIDR block or range");
    }
    return Invalid(spec, "not an IPv4/IPv6 address, CIDR block or range");
  }
  *single = true;
  return AddressRange{addr->is_v6(), addr->value(), addr->value()};
}

bool RangeLess(const AddressRange& a, const AddressRange& b) {
  if (a.v6 != b.v6) return !a.v6;
  return a.first < b.first;
}

// Sorts and merges overlapping or adjacent ranges in place.
void Normalise(std::vector<AddressRange>* ranges) {
  std::sort(ranges->begin(), ranges->end(), RangeLess);
  std::vector<AddressRange> merged;
  for (const AddressRange& r : *ranges) {
    if (!merged.empty()) {
      AddressRange& back = merged.back();
      bool family_max = back.v6 ? back.last == V6Max() : back.last == 0xFFFFFFFFu;
      if (back.v6 == r.v6 && (family_max || r.first <= back.last + 1)) {
        back.last = std::max(back.last, r.last);
        continue;
      }
    }
    merged.push_back(r);
  }
  *ranges = std::move(merged);
}

// Returns `include` minus `exclude`; both sorted and merged.
std::vector<AddressRange> Subtract(const std::vector<AddressRange>& include,
                                   const std::vector<AddressRange>& exclude) {
  std::vector<AddressRange> out;
  size_t ex = 0;
  for (AddressRange cur : include) {
    bool alive = true;
    while (alive) {
      // Skip exclusions entirely before `cur`.
      while (ex < exclude.size() &&
             (exclude[ex].v6 != cur.v6 ? !exclude[ex].v6 : exclude[ex].last < cur.first)) {
        ++ex;
      }
      if (ex == exclude.size() || exclude[ex].v6 != cur.v6 || exclude[ex].first > cur.last) {
        out.push_back(cur);
        break;
      }
      const AddressRange& e = exclude[ex];
      if (e.first > cur.first) out.push_back({cur.v6, cur.first, e.first - 1});
      if (e.last >= cur.last) {
        alive = false;
      } else {
        cur.first = e.last + 1;
      }
    }
  }
  return out;
}

// `files_must_list_targets`: a file without any spec is an error (target files; an empty
// exclusion file just excludes nothing).
Status ExpandSpecs(const std::vector<std::string>& raw, std::vector<SourcedSpec>* out,
                   bool files_must_list_targets) {
  for (const std::string& arg : raw) {
    std::string_view trimmed = Trim(arg);
    if (!trimmed.empty() && trimmed.front() == '@') {
      std::string path(Trim(trimmed.substr(1)));
      if (path.empty()) return MakeError(ErrorCode::kInvalidArgument, "'@' must be followed by a file name");
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) {
        return MakeError(ErrorCode::kInvalidArgument, "target file \"" + path + "\" is a directory");
      }
      errno = 0;
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::string why = errno != 0 ? std::strerror(errno) : "cannot open";
        return MakeError(ErrorCode::kNotFound, "cannot read target file \"" + path + "\": " + why);
      }
      const size_t before = out->size();
      std::string line;
      int line_no = 0;
      while (std::getline(in, line)) {
        ++line_no;
        if (line_no == 1) {
          // A UTF-8 byte order mark (Windows editors add one) is not part of the first spec;
          // UTF-16 files are refused with a hint rather than misread.
          if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
          if (line.rfind("\xFF\xFE", 0) == 0 || line.rfind("\xFE\xFF", 0) == 0) {
            return MakeError(ErrorCode::kInvalidArgument,
                             "target file \"" + path + "\" is UTF-16 text; save it as UTF-8 or ASCII");
          }
        }
        std::string_view body = line;
        if (size_t hash = body.find('#'); hash != std::string_view::npos) body = body.substr(0, hash);
        body = Trim(body);
        if (body.empty()) continue;
        for (std::string_view piece : Split(body, ',')) {
          piece = Trim(piece);
          if (piece.empty()) continue;
          out->push_back({std::string(piece), path + ":" + std::to_string(line_no)});
        }
      }
      if (in.bad()) {
        return MakeError(ErrorCode::kIo, "cannot read target file \"" + path + "\": " + std::strerror(errno));
      }
      if (files_must_list_targets && out->size() == before) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "target file \"" + path + "\" lists no targets (" +
                             (line_no == 0 ? std::string("it is empty") : "only blank lines and # comments") +
                             "); put one address, CIDR block or range per line");
      }
      continue;
    }
    for (std::string_view piece : Split(trimmed, ',')) {
      out->push_back({std::string(Trim(piece)), ""});
    }
  }
  return Status::Ok();
}

Result<std::vector<AddressRange>> ParseAll(const std::vector<std::string>& raw, bool check_reserved) {
  std::vector<SourcedSpec> specs;
  if (Status st = ExpandSpecs(raw, &specs, /*files_must_list_targets=*/check_reserved); !st.ok()) return st.error();
  std::vector<AddressRange> ranges;
  ranges.reserve(specs.size());
  for (const SourcedSpec& spec : specs) {
    bool single = false;
    Result<AddressRange> r = ParseOne(spec, &single);
    if (!r) return r.error();
    if (check_reserved && single) {
      for (const Reserved& block : ReservedBlocks()) {
        if (block.v6 == r->v6 && r->first >= block.first && r->first <= block.last) {
          return Invalid(spec, std::string("address is in the blocklisted block ") + block.why +
                                   "; phaseout never scans it");
        }
      }
    }
    ranges.push_back(*r);
  }
  Normalise(&ranges);
  return ranges;
}

}  // namespace

const std::vector<std::string>& BlocklistDescription() {
  static const std::vector<std::string> list = [] {
    std::vector<std::string> v;
    for (const Reserved& block : ReservedBlocks()) v.push_back(block.why);
    return v;
  }();
  return list;
}

Result<std::unique_ptr<TargetSet>> TargetSet::Parse(const std::vector<std::string>& specs,
                                                     const std::vector<std::string>& excludes) {
  Result<std::vector<AddressRange>> include = ParseAll(specs, /*check_reserved=*/true);
  if (!include) return include.error();
  Result<std::vector<AddressRange>> exclude = ParseAll(excludes, /*check_reserved=*/false);
  if (!exclude) return exclude.error();
  std::vector<AddressRange> blocked;
  for (const Reserved& block : ReservedBlocks()) blocked.push_back({block.v6, block.first, block.last});
  exclude->insert(exclude->end(), blocked.begin(), blocked.end());
  Normalise(&*exclude);

  std::unique_ptr<TargetSet> set(new TargetSet());
  set->ranges_ = Subtract(*include, *exclude);
  set->starts_.reserve(set->ranges_.size());
  for (const AddressRange& r : set->ranges_) {
    set->starts_.push_back(set->count_);
    set->count_ += r.size();
  }
  return set;
}

Result<std::vector<std::string>> TargetSet::LoadSpecFile(const std::string& path) {
  std::vector<SourcedSpec> specs;
  if (Status st = ExpandSpecs({"@" + path}, &specs, /*files_must_list_targets=*/false); !st.ok()) return st.error();
  std::vector<std::string> out;
  out.reserve(specs.size());
  for (SourcedSpec& s : specs) out.push_back(std::move(s.text));
  return out;
}

bool TargetSet::Contains(const IpAddress& address) const {
  AddressRange key{address.is_v6(), address.value(), address.value()};
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), key, RangeLess);
  if (it == ranges_.begin()) return false;
  --it;
  return it->v6 == address.is_v6() && address.value() >= it->first && address.value() <= it->last;
}

std::optional<IpAddress> TargetSet::At(uint64_t index) const {
  if (index >= count_) return std::nullopt;
  auto it = std::upper_bound(starts_.begin(), starts_.end(), index);
  size_t range_idx = static_cast<size_t>(it - starts_.begin()) - 1;
  const AddressRange& r = ranges_[range_idx];
  Uint128 v = r.first + (index - starts_[range_idx]);
  return r.v6 ? IpAddress::V6(v) : IpAddress::V4(static_cast<uint32_t>(v));
}

size_t TargetCursor::NextBatch(size_t max, std::vector<IpAddress>* out) {
  out->clear();
  const uint64_t count = set_.count_;
  if (max == 0 || next_.load(std::memory_order_relaxed) >= count) return 0;
  uint64_t begin = next_.fetch_add(max, std::memory_order_relaxed);
  if (begin >= count) return 0;
  uint64_t end = std::min<uint64_t>(begin + max, count);
  auto it = std::upper_bound(set_.starts_.begin(), set_.starts_.end(), begin);
  size_t range_idx = static_cast<size_t>(it - set_.starts_.begin()) - 1;
  for (uint64_t index = begin; index < end; ++index) {
    while (range_idx + 1 < set_.starts_.size() && set_.starts_[range_idx + 1] <= index) ++range_idx;
    const AddressRange& r = set_.ranges_[range_idx];
    Uint128 v = r.first + (index - set_.starts_[range_idx]);
    out->push_back(r.v6 ? IpAddress::V6(v) : IpAddress::V4(static_cast<uint32_t>(v)));
  }
  return out->size();
}

uint64_t TargetCursor::handed_out() const {
  return std::min<uint64_t>(next_.load(std::memory_order_relaxed), set_.count_);
}

}  // namespace phaseout::net
