#include "crm/core/score.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(ScoreTest, ParsesInfinitySpellings) {
  EXPECT_EQ(parse_score("INFINITY").value(), kInfinity);
  EXPECT_EQ(parse_score("+INFINITY").value(), kInfinity);
  EXPECT_EQ(parse_score("-INFINITY").value(), kMinusInfinity);
  EXPECT_EQ(parse_score("infinity").value(), kInfinity);
  EXPECT_EQ(parse_score("  42 ").value(), 42);
  EXPECT_EQ(parse_score("+7").value(), 7);
  EXPECT_EQ(parse_score("-7").value(), -7);
}

TEST(ScoreTest, ClampsLargeNumbers) {
  EXPECT_EQ(parse_score("5000000").value(), kInfinity);
  EXPECT_EQ(parse_score("-99999999999999999999999").value(), kMinusInfinity);
}

TEST(ScoreTest, RejectsGarbage) {
  EXPECT_FALSE(parse_score("").ok());
  EXPECT_FALSE(parse_score("12abc").ok());
  EXPECT_FALSE(parse_score("INFINITE").ok());
  EXPECT_EQ(parse_score("x").status().code(), StatusCode::kInvalidArgument);
}

TEST(ScoreTest, SumsSaturateAndMinusInfinityWins) {
  EXPECT_EQ(score_add(kInfinity, kMinusInfinity), kMinusInfinity);
  EXPECT_EQ(score_add(kMinusInfinity, kInfinity), kMinusInfinity);
  EXPECT_EQ(score_add(kInfinity, -5), kInfinity);
  EXPECT_EQ(score_add(999999, 5), kInfinity);
  EXPECT_EQ(score_add(-999999, -5), kMinusInfinity);
  EXPECT_EQ(score_add(3, 4), 7);
}

TEST(ScoreTest, PrintsPeerSpelling) {
  EXPECT_EQ(score_to_string(kInfinity), "INFINITY");
  EXPECT_EQ(score_to_string(kMinusInfinity), "-INFINITY");
  EXPECT_EQ(score_to_string(-12), "-12");
}

}  // namespace
}  // namespace crm
