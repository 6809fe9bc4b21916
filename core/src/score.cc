#include "crm/core/score.h"

#include <charconv>
#include <strings.h>

namespace crm {

Result<Score> parse_score(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  auto equals_ci = [](std::string_view a, const char* b) {
    return a.size() == std::char_traits<char>::length(b) && strncasecmp(a.data(), b, a.size()) == 0;
  };
  if (equals_ci(t, "INFINITY") || equals_ci(t, "+INFINITY")) return kInfinity;
  if (equals_ci(t, "-INFINITY")) return kMinusInfinity;
  if (t.empty()) return invalid_argument("empty score");
  std::string_view digits = t;
  if (digits.front() == '+') digits.remove_prefix(1);
  long long value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return digits.front() == '-' ? kMinusInfinity : kInfinity;
  }
  if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    return invalid_argument("'" + std::string(text) + "' is not a score (an integer or [+-]INFINITY)");
  }
  return score_clamp(value);
}

std::string score_to_string(Score score) {
  if (score >= kInfinity) return "INFINITY";
  if (score <= kMinusInfinity) return "-INFINITY";
  return std::to_string(score);
}

}  // namespace crm
