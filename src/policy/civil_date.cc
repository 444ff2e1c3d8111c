// CivilDate parsing and formatting.
#include "policy/civil_date.h"

#include <cstdio>

namespace phaseout::policy {
namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && IsLeap(y)) ? 29 : kDays[m - 1];
}

// Parses exactly `n` ASCII digits at `pos`; -1 if they are not there.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

Result<CivilDate> CivilDate::Parse(std::string_view text) {
  auto bad = [&](const char* why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad date '" + std::string(text) + "' (" + why + "; want YYYY, YYYY-MM or YYYY-MM-DD)");
  };
  CivilDate d;
  if (text.size() != 4 && text.size() != 7 && text.size() != 10) return bad("wrong length");
  d.year = Digits(text, 0, 4);
  if (d.year < 1900 || d.year > 2199) return bad("year out of range 1900..2199");
  if (text.size() >= 7) {
    if (text[4] != '-') return bad("expected '-' after the year");
    d.month = Digits(text, 5, 2);
    if (d.month < 1 || d.month > 12) return bad("month out of range");
  }
  if (text.size() == 10) {
    if (text[7] != '-') return bad("expected '-' after the month");
    d.day = Digits(text, 8, 2);
    if (d.day < 1 || d.day > DaysInMonth(d.year, d.month)) return bad("no such day");
  }
  return d;
}

CivilDate CivilDate::FirstDay() const {
  return CivilDate{year, month == 0 ? 1 : month, day == 0 ? 1 : day};
}

CivilDate CivilDate::LastDay() const {
  int m = month == 0 ? 12 : month;
  return CivilDate{year, m, day == 0 ? DaysInMonth(year, m) : day};
}

std::string CivilDate::ToString() const {
  char buf[16];
  if (month == 0) {
    std::snprintf(buf, sizeof(buf), "%04d", year);
  } else if (day == 0) {
    std::snprintf(buf, sizeof(buf), "%04d-%02d", year, month);
  } else {
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, day);
  }
  return buf;
}

}  // namespace phaseout::policy
