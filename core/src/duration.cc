#include "crm/core/duration.h"

#include <cctype>
#include <charconv>
#include <string>

namespace crm {

Result<std::chrono::milliseconds> parse_duration(std::string_view text, long long bare_unit_ms) {
  std::string_view t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  long long n = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || n < 0 || (!t.empty() && t.front() == '+'))
    return invalid_argument("'" + std::string(text) + "' is not a duration");
  std::string_view unit(ptr, static_cast<size_t>(t.data() + t.size() - ptr));
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front()))) unit.remove_prefix(1);
  constexpr long long kYearMs = 366LL * 24 * 3600 * 1000;
  long long ms;
  if (unit.empty()) ms = n > kYearMs ? kYearMs + 1 : n * bare_unit_ms;
  else if (unit == "ms" || unit == "msec") ms = n;
  else if (unit == "us" || unit == "usec") ms = n / 1000;
  else if (n > kYearMs) ms = kYearMs + 1;
  else if (unit == "s" || unit == "sec") ms = n * 1000;
  else if (unit == "m" || unit == "min") ms = n * 60000;
  else if (unit == "h" || unit == "hr") ms = n * 3600000;
  else return invalid_argument("'" + std::string(text) + "' is not a duration (unknown unit '" + std::string(unit) + "')");
  if (ms > kYearMs) return invalid_argument("'" + std::string(text) + "' is longer than a year");
  return std::chrono::milliseconds(ms);
}

}  // namespace crm
