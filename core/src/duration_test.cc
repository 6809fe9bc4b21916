#include "crm/core/duration.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

using std::chrono::milliseconds;

TEST(Duration, UnitsAsThePeerReadsThem) {
  EXPECT_EQ(parse_duration("30").value(), milliseconds(30000));
  EXPECT_EQ(parse_duration(" 30s ").value(), milliseconds(30000));
  EXPECT_EQ(parse_duration("500ms").value(), milliseconds(500));
  EXPECT_EQ(parse_duration("2min").value(), milliseconds(120000));
  EXPECT_EQ(parse_duration("2m").value(), milliseconds(120000));
  EXPECT_EQ(parse_duration("1h").value(), milliseconds(3600000));
  EXPECT_EQ(parse_duration("2500us").value(), milliseconds(2));
  EXPECT_EQ(parse_duration("0").value(), milliseconds(0));
  EXPECT_EQ(parse_duration("20", 1).value(), milliseconds(20)) << "a caller whose bare numbers are milliseconds";
}

TEST(Duration, AnythingElseIsAnError) {
  for (const char* bad : {"", "s", "-5s", "5 parsecs", "abc", "1.5s", "+3", "99999999999999999999"}) {
    auto r = parse_duration(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(parse_duration("400d").ok());
  EXPECT_FALSE(parse_duration("10000000h").ok());
}

}  // namespace
}  // namespace crm
