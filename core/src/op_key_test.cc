#include "crm/core/op_key.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(OpKey, Builds) {
  EXPECT_EQ(op_key("vip", "monitor", 10000), "vip_monitor_10000");
  EXPECT_EQ(op_key("db:1", "start", 0), "db:1_start_0");
  EXPECT_EQ(notify_key("db", "pre", "start"), "db_pre_notify_start_0");
  EXPECT_EQ(failcount_name("vip", "monitor", 10000), "fail-count-vip#monitor_10000");
  EXPECT_EQ(last_failure_name("vip", "start", 0), "last-failure-vip#start_0");
}

void expect_key(std::string_view key, const char* rsc, const char* action, long interval) {
  auto k = parse_op_key(key);
  ASSERT_TRUE(k.has_value()) << key;
  EXPECT_EQ(k->rsc, rsc) << key;
  EXPECT_EQ(k->action, action) << key;
  EXPECT_EQ(k->interval_ms, interval) << key;
}

TEST(OpKey, ParsesAsThePeer) {
  expect_key("vip_monitor_10000", "vip", "monitor", 10000);
  expect_key("my_web_rsc_start_0", "my_web_rsc", "start", 0);
  expect_key("db_migrate_to_0", "db", "migrate_to", 0);
  expect_key("my_db_migrate_from_0", "my_db", "migrate_from", 0);
  expect_key("db_pre_notify_start_0", "db", "pre_notify_start", 0);
  expect_key("ms_db_post_notify_promote_0", "ms_db", "post_notify_promote", 0);
  expect_key("db_post_notify_migrate_to_0", "db_post_notify", "migrate_to", 0);  // the peer's greedy match
  expect_key("db:0_stop_0", "db:0", "stop", 0);
}

TEST(OpKey, FailureAttributeNames) {
  auto c = parse_failure_attr("fail-count-db:1#monitor_10000");
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->is_count);
  EXPECT_EQ(c->rsc, "db:1");
  EXPECT_EQ(c->op_key, "monitor_10000");
  auto l = parse_failure_attr("last-failure-vip");
  ASSERT_TRUE(l.has_value());
  EXPECT_FALSE(l->is_count);
  EXPECT_EQ(l->rsc, "vip");
  EXPECT_EQ(l->op_key, "");
  for (const char* other : {"fail-count-", "last-failure-#start_0", "standby", "fail-count"}) {
    EXPECT_FALSE(parse_failure_attr(other).has_value()) << other;
  }
}

TEST(OpKey, RejectsWhatIsNoKey) {
  for (const char* bad : {"", "vip", "vip_start", "vip_start_", "vip_start_x", "_start_0", "vip__0", "vip_start_-1"}) {
    EXPECT_FALSE(parse_op_key(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace crm
