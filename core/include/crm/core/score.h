// Placement scores with the peer's semantics.
//
// A score is an integer clamped to [-INFINITY, +INFINITY] where INFINITY is
// 1000000. Sums saturate; -INFINITY wins over +INFINITY ("a ban beats a
// mandate"), so score_add(kInfinity, kMinusInfinity) == kMinusInfinity.
//
//   Score s = score_add(parse_score("INFINITY").value(), 5);   // 1000000
//   score_to_string(kMinusInfinity);                           // "-INFINITY"
#pragma once

#include <string>
#include <string_view>

#include "crm/core/status.h"

namespace crm {

using Score = int;

inline constexpr Score kInfinity = 1000000;
inline constexpr Score kMinusInfinity = -kInfinity;

// Adds two scores: -INFINITY absorbs everything, then +INFINITY, otherwise the
// arithmetic sum clamped to the finite range.
constexpr Score score_add(Score a, Score b) {
  if (a <= kMinusInfinity || b <= kMinusInfinity) return kMinusInfinity;
  if (a >= kInfinity || b >= kInfinity) return kInfinity;
  long long sum = static_cast<long long>(a) + b;
  if (sum >= kInfinity) return kInfinity;
  if (sum <= kMinusInfinity) return kMinusInfinity;
  return static_cast<Score>(sum);
}

// Clamps any integer into the score range.
constexpr Score score_clamp(long long v) {
  if (v >= kInfinity) return kInfinity;
  if (v <= kMinusInfinity) return kMinusInfinity;
  return static_cast<Score>(v);
}

// Parses "INFINITY", "+INFINITY", "-INFINITY" (any case) or a decimal integer
// (clamped). Anything else, including an empty string or trailing garbage, is
// an invalid-argument error naming the text.
Result<Score> parse_score(std::string_view text);

// "INFINITY", "-INFINITY" or the decimal number.
std::string score_to_string(Score score);

}  // namespace crm
