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

TEST(Duration, UnitsMatchByTheirStartInAnyCaseAsThePeers) {
  EXPECT_EQ(parse_duration("10sec").value(), milliseconds(10000));
  EXPECT_EQ(parse_duration("10 seconds").value(), milliseconds(10000));
  EXPECT_EQ(parse_duration("5minutes").value(), milliseconds(300000));
  EXPECT_EQ(parse_duration("2H").value(), milliseconds(7200000));
  EXPECT_EQ(parse_duration("100MSEC").value(), milliseconds(100));
  EXPECT_EQ(parse_duration("30s\n").value(), milliseconds(30000));
  EXPECT_EQ(parse_duration("1.5s").value(), milliseconds(1000)) << "the peer drops the fraction";
}

TEST(Duration, Iso8601Durations) {
  using std::chrono::seconds;
  EXPECT_EQ(parse_iso8601_duration("PT10S").value(), seconds(10));
  EXPECT_EQ(parse_iso8601_duration("PT1M").value(), seconds(60));
  EXPECT_EQ(parse_iso8601_duration("P1M").value(), seconds(30 * 86400)) << "months before T";
  EXPECT_EQ(parse_iso8601_duration("P1DT2H").value(), seconds(86400 + 7200));
  EXPECT_EQ(parse_iso8601_duration("P2W").value(), seconds(14 * 86400));
  EXPECT_EQ(parse_iso8601_duration("P1Y").value(), seconds(365 * 86400));
  EXPECT_EQ(parse_iso8601_duration("PT1H30M/2020-01-01").value(), seconds(5400)) << "ends at a '/'";
  for (const char* bad : {"", "P", "T10S", "PT", "PT10", "PT10X", "P 1D", "PTS", "P-1D"}) {
    EXPECT_FALSE(parse_iso8601_duration(bad).ok()) << bad;
  }
}

TEST(Duration, IntervalsAreIsoOrDurations) {
  EXPECT_EQ(parse_interval("PT10S").value(), milliseconds(10000));
  EXPECT_EQ(parse_interval("10s").value(), milliseconds(10000));
  EXPECT_EQ(parse_interval("10").value(), milliseconds(10000)) << "bare seconds";
  EXPECT_EQ(parse_interval("0").value(), milliseconds(0));
  EXPECT_FALSE(parse_interval("").ok());
  EXPECT_FALSE(parse_interval("P").ok());
  EXPECT_FALSE(parse_interval("P400D").ok()) << "beyond a year";
  EXPECT_FALSE(parse_interval("often").ok());
}

TEST(Duration, AnythingElseIsAnError) {
  for (const char* bad : {"", "s", "-5s", "5 parsecs", "abc", ".5s", "+3", "99999999999999999999"}) {
    auto r = parse_duration(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(parse_duration("400d").ok());
  EXPECT_FALSE(parse_duration("10000000h").ok());
}

}  // namespace
}  // namespace crm
