// Backoff, Retry-After and status classification for deliveries.
#include "agent/backoff.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace phaseout::agent {

uint32_t BackoffDelayMs(const BackoffOptions& options, uint32_t attempt, std::mt19937_64& rng) {
  const double cap = options.max_ms;
  const double mult = std::max(1.0, options.multiplier);
  // Capped before the power can overflow: beyond ~60 doublings the cap always wins.
  double d = options.initial_ms * std::pow(mult, std::min<uint32_t>(attempt, 60));
  if (!std::isfinite(d) || d > cap) d = cap;
  const double jitter = std::clamp(options.jitter, 0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  double delay = d * (1.0 - jitter) + d * jitter * unit(rng);
  return static_cast<uint32_t>(std::clamp(delay, 0.0, cap));
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int MonthIndex(std::string_view m) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i;
  }
  return -1;
}

bool ParseDigits(std::string_view s, int* out) {
  if (s.empty() || s.size() > 4) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 section 5.6.7).
std::optional<std::time_t> ParseImfFixdate(std::string_view s) {
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
      s[16] != ' ' || s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  std::tm tm{};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  int month = MonthIndex(s.substr(8, 3));
  if (!ParseDigits(s.substr(5, 2), &day) || month < 0 || !ParseDigits(s.substr(12, 4), &year) ||
      !ParseDigits(s.substr(17, 2), &hour) || !ParseDigits(s.substr(20, 2), &minute) ||
      !ParseDigits(s.substr(23, 2), &second) || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60 || year < 1970) {
    return std::nullopt;
  }
  tm.tm_mday = day;
  tm.tm_mon = month;
  tm.tm_year = year - 1900;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return timegm(&tm);
}

}  // namespace

std::optional<uint32_t> ParseRetryAfter(std::string_view value, std::time_t now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // delta-seconds; absurdly long values saturate (the caller caps them anyway).
    uint64_t v = 0;
    for (char c : value) {
      v = v * 10 + static_cast<uint64_t>(c - '0');
      if (v > UINT32_MAX) return UINT32_MAX;
    }
    return static_cast<uint32_t>(v);
  }
  auto when = ParseImfFixdate(value);
  if (!when) return std::nullopt;
  if (*when <= now) return 0;
  return static_cast<uint32_t>(std::min<std::time_t>(*when - now, UINT32_MAX));
}

Disposition ClassifyStatus(int status) {
  if (status >= 200 && status < 300) return Disposition::kDelivered;
  if (status == 401) return Disposition::kReenrol;
  if (status == 403) return Disposition::kForbidden;
  if (status == 408 || status == 429) return Disposition::kRetry;
  if (status >= 400 && status < 500) return Disposition::kReject;
  return Disposition::kRetry;
}

}  // namespace phaseout::agent
