// Durations as the CIB, agents' meta-data and the tools write them: "30s",
// "500ms", "2min", "1h", "250us", and bare numbers (seconds, as the peer's
// crm_get_msec reads them, unless the caller says otherwise).
//
//   ASSIGN_OR_RETURN(auto d, parse_duration("5s"));   // 5000 ms
#pragma once

#include <chrono>
#include <string_view>

#include "crm/core/status.h"

namespace crm {

// Surrounding blanks are ignored; units: ms msec s sec m min h hr us usec
// (microseconds round down). invalid-argument for anything else, a negative
// number, or a value beyond a year.
Result<std::chrono::milliseconds> parse_duration(std::string_view text, long long bare_unit_ms = 1000);

}  // namespace crm
