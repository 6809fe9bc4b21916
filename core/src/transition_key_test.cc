#include "crm/core/transition_key.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(TransitionKey, RoundTrips) {
  EXPECT_EQ(transition_key(5, 3, 0, "1"), "5:3:0:1");
  auto k = parse_transition_key("5:3:7:c5d1b2e8-0f6e-4c1b-9a55-0d0d3b1f3a11");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->action_id, 5);
  EXPECT_EQ(k->transition_id, 3);
  EXPECT_EQ(k->target_rc, 7);
  EXPECT_EQ(k->dc_uuid, "c5d1b2e8-0f6e-4c1b-9a55-0d0d3b1f3a11");
  EXPECT_EQ(parse_transition_key("0:0:7:").value().dc_uuid, "");
  EXPECT_EQ(transition_key_target_rc("5:3:7:1"), 7);
  EXPECT_EQ(transition_key_target_rc("5:3:7"), std::nullopt);
}

TEST(TransitionKey, RejectsBadKeys) {
  for (const char* bad : {"", "5", "5:3", "5:3:0", "a:3:0:1", "5::0:1", "5:3:x:1", "5 :3:0:1"}) {
    EXPECT_FALSE(parse_transition_key(bad).ok()) << bad;
  }
}

TEST(TransitionMagic, RoundTrips) {
  EXPECT_EQ(transition_magic(0, 7, "5:3:0:1"), "0:7;5:3:0:1");
  auto m = parse_transition_magic("2:1;5:3:0:1");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->op_status, 2);
  EXPECT_EQ(m->rc, 1);
  EXPECT_EQ(m->key.action_id, 5);
  EXPECT_EQ(m->key.dc_uuid, "1");
  EXPECT_EQ(parse_transition_magic("-1:193;5:3:0:1").value().op_status, -1);
  for (const char* bad : {"", "0:0", "0:0;", "0;0:5:3:0:1", "x:0;5:3:0:1"}) {
    EXPECT_FALSE(parse_transition_magic(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace crm
