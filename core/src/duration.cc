#include "crm/core/duration.h"

#include <cctype>
#include <charconv>
#include <string>

namespace crm {
namespace {

constexpr long long kYearMs = 366LL * 24 * 3600 * 1000;

bool blank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Does `unit` start with `prefix`, in any case (the peer's strncasecmp)?
bool starts_with_nocase(std::string_view unit, std::string_view prefix) {
  if (unit.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(unit[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text, long long bare_unit_ms) {
  auto bad = [&](const std::string& why) { return invalid_argument("'" + std::string(text) + "' " + why); };
  std::string_view t = text;
  while (!t.empty() && blank(t.front())) t.remove_prefix(1);
  size_t num_len = 0;  // the peer's strspn(NUMCHARS = "0123456789.")
  while (num_len < t.size() && (std::isdigit(static_cast<unsigned char>(t[num_len])) || t[num_len] == '.')) ++num_len;
  long long n = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + num_len, n);
  if (num_len == 0 || ptr == t.data()) return bad("is not a duration");
  if (ec != std::errc()) return bad("is longer than a year");
  std::string_view unit = t.substr(num_len);
  while (!unit.empty() && blank(unit.front())) unit.remove_prefix(1);
  long long multiplier = 1, divisor = 1;
  if (starts_with_nocase(unit, "ms")) {
  } else if (starts_with_nocase(unit, "us")) {
    divisor = 1000;
  } else if (starts_with_nocase(unit, "s")) {
    multiplier = 1000;
  } else if (starts_with_nocase(unit, "m")) {
    multiplier = 60000;
  } else if (starts_with_nocase(unit, "h")) {
    multiplier = 3600000;
  } else if (unit.empty() || unit.front() == '\n' || unit.front() == '\r') {
    multiplier = bare_unit_ms;
  } else {
    return bad("is not a duration (unknown unit '" + std::string(unit) + "')");
  }
  if (multiplier > 0 && n > kYearMs / multiplier) return bad("is longer than a year");
  long long ms = n * multiplier / divisor;
  if (ms > kYearMs) return bad("is longer than a year");
  return std::chrono::milliseconds(ms);
}

Result<std::chrono::seconds> parse_iso8601_duration(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return invalid_argument("'" + std::string(text) + "' is not an ISO 8601 duration (" + why + ")");
  };
  if (text.empty() || text.front() != 'P') return bad("it does not start with 'P'");
  if (text.size() < 2 || blank(text[1])) return bad("nothing follows 'P'");
  constexpr long long kDay = 86400, kMax = 100 * 365 * kDay;
  long long total = 0;
  bool time_part = false, any = false;
  for (size_t i = 1; i < text.size() && text[i] != '/' && !blank(text[i]); ++i) {
    if (text[i] == 'T') {  // days before it, hours/minutes/seconds after (months vs. minutes)
      time_part = true;
      continue;
    }
    long long n = 0;
    auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + text.size(), n);
    if (ptr == text.data() + i || n < 0) return bad("no number at '" + std::string(text.substr(i)) + "'");
    if (ec != std::errc() || n > kMax) return bad("too long");
    i = static_cast<size_t>(ptr - text.data());
    if (i == text.size()) return bad("no unit after " + std::to_string(n));
    switch (text[i]) {
      case 'Y': total += n * 365 * kDay; break;
      case 'M': total += time_part ? n * 60 : n * 30 * kDay; break;
      case 'W': total += n * 7 * kDay; break;
      case 'D': total += n * kDay; break;
      case 'H': total += n * 3600; break;
      case 'S': total += n; break;
      default: return bad("'" + std::string(1, text[i]) + "' is not a unit");
    }
    if (total > kMax) return bad("too long");
    any = true;
  }
  if (!any) return bad("no amounts and units given");
  return std::chrono::seconds(total);
}

Result<std::chrono::milliseconds> parse_interval(std::string_view text) {
  if (!text.empty() && text.front() == 'P') {
    ASSIGN_OR_RETURN(auto s, parse_iso8601_duration(text));
    if (s.count() * 1000 > kYearMs) return invalid_argument("'" + std::string(text) + "' is longer than a year");
    return std::chrono::duration_cast<std::chrono::milliseconds>(s);
  }
  return parse_duration(text);
}

}  // namespace crm
