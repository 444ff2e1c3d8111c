// CivilDate: a calendar date with the precision it was written in ("2018", "2018-02",
// "2018-02-14"), used for ownership intervals, policy effective dates and --as-of.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "core/result.h"

namespace phaseout::policy {

// A proleptic Gregorian date. Value type. Partial dates keep their precision so that an
// interval bound written "2023" can mean "the start of 2023" (`from`) or "the end of 2023" (`to`).
struct CivilDate {
  int year = 0;
  int month = 0;  // 1..12, or 0 when only the year is known
  int day = 0;    // 1..31, or 0 when the day is not known

  // Parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" (ISO 8601 calendar dates; year 1900..2199).
  // Fails with kInvalidArgument naming the text when it is not such a date or does not exist
  // (e.g. "2023-02-30").
  static Result<CivilDate> Parse(std::string_view text);

  // The first / last day of the period this (possibly partial) date denotes.
  CivilDate FirstDay() const;
  CivilDate LastDay() const;
  bool IsComplete() const { return month != 0 && day != 0; }

  // "YYYY", "YYYY-MM" or "YYYY-MM-DD" in the precision the date has.
  std::string ToString() const;

  // Compares field by field; compare complete dates (FirstDay/LastDay) for calendar order.
  auto operator<=>(const CivilDate&) const = default;
};

}  // namespace phaseout::policy
