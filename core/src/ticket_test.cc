#include "crm/core/ticket.h"

#include <gtest/gtest.h>

#include "crm/core/xml.h"

namespace crm {
namespace {

TEST(TicketStates, ReadsEveryStateInOrder) {
  auto doc = xml::parse(
      "<cib><configuration/><status><tickets>"
      "<ticket_state id=\"A\" granted=\"true\" last-granted=\"1700000000\" owner=\"site-a\"/>"
      "<ticket_state granted=\"true\"/>"
      "<ticket_state id=\"B\" granted=\"yes\" standby=\"true\"/>"
      "<ticket_state id=\"C\"/></tickets></status></cib>");
  ASSERT_TRUE(doc.ok());
  auto t = read_ticket_states(xml::root(*doc));
  ASSERT_EQ(t.size(), 3u);  // the one without an id is skipped
  EXPECT_EQ(t[0].id, "A");
  EXPECT_TRUE(t[0].granted);
  EXPECT_EQ(t[0].last_granted, 1700000000);
  ASSERT_EQ(t[0].attributes.size(), 3u);
  EXPECT_EQ(t[0].attributes[2].first, "owner");
  EXPECT_TRUE(t[1].granted);
  EXPECT_TRUE(t[1].standby);
  EXPECT_FALSE(t[2].granted);
  EXPECT_EQ(t[2].last_granted, -1);
  auto none = xml::parse("<cib><configuration/><status/></cib>");
  EXPECT_TRUE(read_ticket_states(xml::root(*none)).empty());
}

}  // namespace
}  // namespace crm
