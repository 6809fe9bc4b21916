// Durations and intervals as the CIB, agents' meta-data and the tools write
// them: "30s", "500ms", "2min", "1h", "250us", bare numbers (seconds, as the
// peer's crm_get_msec reads them, unless the caller says otherwise), and for
// operation intervals also ISO 8601 durations ("PT10S", "P1DT2H").
//
//   ASSIGN_OR_RETURN(auto d, parse_duration("5s"));      // 5000 ms
//   ASSIGN_OR_RETURN(auto i, parse_interval("PT1M"));    // 60000 ms
//
// This is the one parser of these texts in the tree; every component calls it.
#pragma once

#include <chrono>
#include <string_view>

#include "crm/core/status.h"

namespace crm {

// The peer's crm_get_msec: leading blanks are skipped; a number (digits, a
// fraction after '.' is dropped: "1.5s" is 1 s), optional blanks, then a unit
// matched by its start, in any case: "ms"/"msec", "us"/"usec" (microseconds
// round down), "s"/"sec", "m"/"min", "h"/"hr" ("10sec", "5minutes" and "2H"
// read as the peer reads them); no unit: `bare_unit_ms` per unit.
// invalid-argument when there is no number (also "-5s", "+3", ".5"), for an
// unknown unit, or for a value beyond a year.
Result<std::chrono::milliseconds> parse_duration(std::string_view text, long long bare_unit_ms = 1000);

// An ISO 8601 duration as the peer's crm_time_parse_duration reads it:
// 'P', then amounts with units in any order (Y = 365 days, M = 30 days before
// 'T' and minutes after it, W, D, H, S); the text ends at the end, a '/' or
// a blank. invalid-argument when it does not start with 'P', has no amount,
// an amount without a unit or an unknown unit, or is longer than 100 years.
Result<std::chrono::seconds> parse_iso8601_duration(std::string_view text);

// An operation interval (the peer's crm_parse_interval_spec): an ISO 8601
// duration when the text starts with 'P', else parse_duration (bare numbers
// are seconds). Errors as those two say; the peer then uses 0.
Result<std::chrono::milliseconds> parse_interval(std::string_view text);

}  // namespace crm
