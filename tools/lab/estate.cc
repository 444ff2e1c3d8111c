// Deterministic estate generation and ground-truth serialisation for the device lab.
#include "tools/lab/estate.h"
#include "core/json_dump.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace phaseout::lab {
namespace {

// SplitMix64: a tiny, portable generator, so the estate is the same on every platform and
// standard library (std:: distributions are implementation-defined).
class SplitMix {
 public:
  explicit SplitMix(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0. The modulo bias is irrelevant at these sizes.
  uint64_t Below(uint64_t n) { return Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  uint64_t state_;
};

uint64_t Mix(uint64_t seed, uint64_t a, uint64_t b) {
  SplitMix m(seed ^ (a * 0x9E3779B97F4A7C15ULL) ^ (b << 32) ^ b);
  m.Next();
  return m.Next();
}

std::string MacFor(const std::string& oui, uint64_t bits, char sep, bool upper) {
  std::string hex = oui + fmt::format("{:06X}", bits & 0xFFFFFF);
  if (!upper) std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::tolower(c); });
  if (sep == 0) return hex;
  std::string out;
  for (size_t i = 0; i < 12; i += 2) {
    if (i) out.push_back(sep);
    out += hex.substr(i, 2);
  }
  return out;
}

}  // namespace

const char* HostKindName(HostKind kind) {
  switch (kind) {
    case HostKind::kDevice: return "device";
    case HostKind::kRefuse: return "refuse";
    case HostKind::kSilent: return "silent";
    case HostKind::kHostile: return "hostile";
  }
  return "refuse";
}

const char* HostileModeName(HostileMode mode) {
  switch (mode) {
    case HostileMode::kNone: return "";
    case HostileMode::kEndlessHeaders: return "endless-headers";
    case HostileMode::kHugeBody: return "huge-body";
    case HostileMode::kGarbage: return "garbage";
  }
  return "";
}

std::string Ipv4ToString(uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

Result<std::pair<uint32_t, uint32_t>> ParseLabBlock(const std::string& cidr) {
  auto bad = [&](const char* why) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("lab block '{}': {}", cidr, why));
  };
  const size_t slash = cidr.find('/');
  const std::string addr = cidr.substr(0, slash);
  uint32_t ip = 0;
  int parts = 0;
  size_t pos = 0;
  while (pos <= addr.size() && parts < 5) {
    size_t dot = addr.find('.', pos);
    if (dot == std::string::npos) dot = addr.size();
    const std::string part = addr.substr(pos, dot - pos);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), ::isdigit)) {
      return bad("expected a.b.c.d/len");
    }
    const int v = std::stoi(part);
    if (v > 255) return bad("octet above 255");
    ip = (ip << 8) | static_cast<uint32_t>(v);
    ++parts;
    pos = dot + 1;
  }
  if (parts != 4) return bad("expected a.b.c.d/len");
  int len = 32;
  if (slash != std::string::npos) {
    const std::string l = cidr.substr(slash + 1);
    if (l.empty() || l.size() > 2 || !std::all_of(l.begin(), l.end(), ::isdigit)) return bad("bad prefix length");
    len = std::stoi(l);
    if (len > 32) return bad("prefix length above 32");
  }
  if (len < 8) return bad("blocks larger than a /8 are not supported");
  const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
  const uint32_t first = ip & mask;
  const uint32_t last = first | ~mask;
  if ((first >> 24) != 127) {
    return bad("the lab only uses loopback addresses: the block must lie inside 127.0.0.0/8");
  }
  return std::make_pair(first, last);
}

Result<Estate> BuildEstate(const LabSpec& spec, const std::vector<Profile>& profiles) {
  Result<std::pair<uint32_t, uint32_t>> block = ParseLabBlock(spec.base);
  if (!block) return block.error();
  if (profiles.empty()) return MakeError(ErrorCode::kInvalidArgument, "no lab profiles loaded");
  if (spec.silent_fraction < 0 || spec.silent_fraction > 1 || spec.refuse_fraction < 0 || spec.refuse_fraction > 1) {
    return MakeError(ErrorCode::kInvalidArgument, "silent and refuse fractions must be between 0 and 1");
  }
  Estate estate;
  estate.first = block->first;
  estate.last = block->second;
  // The first and last address of the block stay unused: scanners often skip them.
  const uint64_t usable = static_cast<uint64_t>(estate.last - estate.first) + 1 - 2;
  if (estate.last - estate.first < 2 || uint64_t{spec.devices} + spec.hostile > usable) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("block {} has {} usable addresses, fewer than {} devices + {} hostile hosts",
                                 spec.base, estate.last - estate.first < 2 ? 0 : usable, spec.devices,
                                 spec.hostile));
  }

  // Without a mix every profile has its file's weight; with one, only the listed profiles.
  std::vector<double> weights;
  for (const Profile& p : profiles) weights.push_back(spec.mix.empty() ? p.weight : 0.0);
  for (const auto& [id, w] : spec.mix) {
    auto it = std::find_if(profiles.begin(), profiles.end(), [&](const Profile& p) { return p.id == id; });
    if (it == profiles.end()) {
      return MakeError(ErrorCode::kInvalidArgument, fmt::format("profile mix names unknown profile '{}'", id));
    }
    if (w < 0) return MakeError(ErrorCode::kInvalidArgument, fmt::format("negative weight for '{}'", id));
    weights[static_cast<size_t>(it - profiles.begin())] = w;
  }
  double total = 0;
  for (double w : weights) total += w;
  if (spec.devices > 0 && total <= 0) {
    return MakeError(ErrorCode::kInvalidArgument, "every profile weight is zero (check --mix)");
  }

  // Floyd's sampling: distinct offsets in [1, usable], O(devices + hostile) memory.
  SplitMix rng(spec.seed);
  std::unordered_set<uint32_t> chosen;
  std::vector<uint32_t> picks;
  const uint64_t want = uint64_t{spec.devices} + spec.hostile;
  chosen.reserve(want * 2);
  for (uint64_t j = usable - want; j < usable; ++j) {
    const uint32_t t = static_cast<uint32_t>(rng.Below(j + 1));
    const uint32_t pick = chosen.count(t) ? static_cast<uint32_t>(j) : t;
    chosen.insert(pick);
    picks.push_back(pick);
  }
  // The first `devices` picks are devices, the rest hostile; then order by address.
  std::vector<std::pair<uint32_t, bool>> placed;  // (ip, is_device)
  for (size_t i = 0; i < picks.size(); ++i) placed.emplace_back(estate.first + 1 + picks[i], i < spec.devices);
  std::sort(placed.begin(), placed.end());

  uint64_t ordinal = 0;
  uint64_t hostile_idx = 0;
  size_t next = 0;
  for (uint64_t ip64 = estate.first; ip64 <= estate.last; ++ip64) {
    const uint32_t ip = static_cast<uint32_t>(ip64);
    if (next < placed.size() && placed[next].first == ip) {
      TruthEntry e;
      e.ip = ip;
      if (placed[next].second) {
        e.kind = HostKind::kDevice;
        ++ordinal;
        // Weighted profile choice, keyed by the address so adding hosts elsewhere doesn't
        // reshuffle every device.
        double r = static_cast<double>(Mix(spec.seed, ip, 1) >> 11) * (1.0 / 9007199254740992.0) * total;
        size_t idx = 0;
        for (; idx + 1 < weights.size(); ++idx) {
          if (r < weights[idx]) break;
          r -= weights[idx];
        }
        while (weights[idx] <= 0) idx = (idx + 1) % weights.size();  // total > 0, so this ends
        const Profile& p = profiles[idx];
        e.profile = static_cast<int>(idx);
        e.profile_id = p.id;
        e.manufacturer = p.truth.manufacturer;
        e.brand = p.truth.brand;
        e.device_type = p.truth.device_type;
        e.model = p.truth.model;
        e.firmware = p.truth.firmware;
        e.serial = RenderSerial(p.truth.serial, ordinal).value();  // validated at load
        const uint64_t h = Mix(spec.seed, ip, 2);
        const std::string& oui = p.truth.ouis[h % p.truth.ouis.size()];
        e.mac = MacFor(oui, h >> 16, ':', false);
        e.hex_token = fmt::format("{:016x}{:016x}", Mix(spec.seed, ip, 3), Mix(spec.seed, ip, 4));
        e.open_ports = p.OpenPorts();
        e.udp_ports = p.UdpPorts();
        e.expect_identified = p.truth.expect_identified;
        ++estate.devices;
      } else {
        e.kind = HostKind::kHostile;
        e.hostile = static_cast<HostileMode>(1 + hostile_idx++ % 3);
        e.open_ports = {80};
        ++estate.hostile;
      }
      estate.hosts.push_back(std::move(e));
      ++next;
      continue;
    }
    if (ip == estate.first || ip == estate.last) continue;
    if (spec.silent_fraction <= 0 && spec.refuse_fraction <= 0) continue;
    const double r = static_cast<double>(Mix(spec.seed, ip, 5) >> 11) * (1.0 / 9007199254740992.0);
    if (r < spec.silent_fraction) {
      TruthEntry e;
      e.ip = ip;
      e.kind = HostKind::kSilent;
      estate.hosts.push_back(std::move(e));
      ++estate.silent;
    } else if (r < spec.silent_fraction + spec.refuse_fraction * (1.0 - spec.silent_fraction)) {
      TruthEntry e;
      e.ip = ip;
      e.kind = HostKind::kRefuse;
      estate.hosts.push_back(std::move(e));
      ++estate.refused;
    }
  }
  return estate;
}

TemplateVars DeviceVars(const TruthEntry& e) {
  TemplateVars v;
  v.serial = e.serial;
  v.serial_tail5 = e.serial.size() >= 5 ? e.serial.substr(e.serial.size() - 5) : e.serial;
  v.mac = e.mac;
  for (char ch : e.mac) {
    if (ch != ':') v.mac_hex.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  }
  v.mac_dash = e.mac;
  std::replace(v.mac_dash.begin(), v.mac_dash.end(), ':', '-');
  v.model = e.model;
  v.firmware = e.firmware;
  v.ip = Ipv4ToString(e.ip);
  v.hex_token = e.hex_token;
  return v;
}

std::string TruthToJson(const TruthEntry& e) {
  // Refusing and silent addresses are most of a big estate: format them directly.
  if (e.kind == HostKind::kRefuse || e.kind == HostKind::kSilent) {
    return fmt::format("{{\"ip\":\"{}\",\"kind\":\"{}\",\"open_ports\":[]}}", Ipv4ToString(e.ip), HostKindName(e.kind));
  }
  nlohmann::ordered_json j;
  j["ip"] = Ipv4ToString(e.ip);
  j["kind"] = HostKindName(e.kind);
  if (e.kind == HostKind::kDevice) {
    j["profile"] = e.profile_id;
    j["manufacturer"] = e.manufacturer.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.manufacturer);
    j["brand"] = e.brand.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.brand);
    j["device_type"] = e.device_type;
    j["model"] = e.model;
    j["firmware"] = e.firmware;
    j["serial"] = e.serial;
    j["mac"] = e.mac;
    j["expect_identified"] = e.expect_identified;
  }
  if (e.kind == HostKind::kHostile) j["hostile"] = HostileModeName(e.hostile);
  j["open_ports"] = e.open_ports;
  if (!e.udp_ports.empty()) j["udp_ports"] = e.udp_ports;
  return DumpJson(j);
}

}  // namespace phaseout::lab
