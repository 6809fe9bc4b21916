// Behaviour tests for schedule(): scores, colocation, bad input.
#include "crm/pengine/pengine.h"

#include <gtest/gtest.h>

#include "crm/core/xml.h"

namespace crm::pengine {
namespace {

std::string cib(const std::string& resources, const std::string& constraints, const std::string& status = "",
                const std::string& nodes = "<node id=\"n1\" uname=\"node1\"/><node id=\"n2\" uname=\"node2\"/>") {
  std::string st = status;
  if (st.empty()) {
    st = "<node_state id=\"n1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>"
         "<node_state id=\"n2\" uname=\"node2\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>";
  }
  return "<cib><configuration><crm_config><cluster_property_set id=\"o\">"
         "<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config>"
         "<nodes>" + nodes + "</nodes><resources>" + resources + "</resources><constraints>" + constraints +
         "</constraints></configuration><status>" + st + "</status></cib>";
}

const char* kTwo =
    "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>"
    "<primitive id=\"b\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>";

Result<Transition> run(const std::string& text) {
  auto d = xml::parse(text);
  if (!d.ok()) return d.status();
  ScheduleOptions o;
  o.want_scores = true;
  return schedule(d->get(), 1700000000, o);
}

Score score_of(const Transition& t, const std::string& rsc, const std::string& node) {
  for (const auto& s : t.scores)
    if (s.stage == "pcmk__primitive_assign" && s.resource == rsc && s.node == node) return s.score;
  return -12345;
}

bool has_summary(const Transition& t, const std::string& needle) {
  for (const auto& l : t.summary) {
    std::string c;
    for (char ch : l) if (ch != ' ' || (c.size() && c.back() != ' ')) c += ch;
    if (c.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(Schedule, LocationScoresAndStart) {
  auto t = run(cib(kTwo, "<rsc_location id=\"l\" rsc=\"a\" node=\"node2\" score=\"50\"/>"));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(score_of(*t, "a", "node2"), 50);
  EXPECT_EQ(score_of(*t, "a", "node1"), 0);
  EXPECT_TRUE(has_summary(*t, "Start a ( node2 )"));
}

TEST(Schedule, MandatoryColocationFollowsPrimary) {
  auto t = run(cib(kTwo, "<rsc_location id=\"l\" rsc=\"b\" node=\"node2\" score=\"50\"/>"
                         "<rsc_colocation id=\"c\" rsc=\"a\" with-rsc=\"b\" score=\"INFINITY\"/>"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(score_of(*t, "a", "node1"), kMinusInfinity);
  EXPECT_TRUE(has_summary(*t, "Start a ( node2 )"));
  EXPECT_TRUE(has_summary(*t, "Start b ( node2 )"));
}

TEST(Schedule, AntiColocationSeparates) {
  auto t = run(cib(kTwo, "<rsc_colocation id=\"c\" rsc=\"a\" with-rsc=\"b\" score=\"-INFINITY\"/>"));
  ASSERT_TRUE(t.ok());
  bool a1 = has_summary(*t, "Start a ( node1 )"), b1 = has_summary(*t, "Start b ( node1 )");
  EXPECT_NE(a1, b1);
}

TEST(Schedule, StickinessKeepsRunningResource) {
  std::string status =
      "<node_state id=\"n1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
      "<lrm id=\"n1\"><lrm_resources><lrm_resource id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<lrm_rsc_op id=\"a_start_0\" operation=\"start\" interval=\"0\" call-id=\"2\" rc-code=\"0\" op-status=\"0\" "
      "transition-key=\"1:1:0:x\"/></lrm_resource></lrm_resources></lrm></node_state>"
      "<node_state id=\"n2\" uname=\"node2\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>";
  std::string rsc = "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><meta_attributes id=\"m\">"
                    "<nvpair id=\"s\" name=\"resource-stickiness\" value=\"100\"/></meta_attributes></primitive>";
  auto t = run(cib(rsc, "<rsc_location id=\"l\" rsc=\"a\" node=\"node2\" score=\"50\"/>", status));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(score_of(*t, "a", "node1"), 100);
  EXPECT_FALSE(has_summary(*t, "Move"));
}

TEST(Schedule, OrderingCycleIsAnError) {
  auto t = run(cib(kTwo, "<rsc_order id=\"o1\" first=\"a\" then=\"b\"/><rsc_order id=\"o2\" first=\"b\" then=\"a\"/>"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kConfigInvalid);
  EXPECT_NE(t.status().message().find("cycle"), std::string::npos);
  EXPECT_NE(t.status().message().find("o1"), std::string::npos);
  EXPECT_NE(t.status().message().find("o2"), std::string::npos);
}

TEST(Schedule, UnknownResourceInConstraintIsAnError) {
  for (const char* c : {"<rsc_location id=\"l\" rsc=\"nope\" node=\"node1\" score=\"1\"/>",
                        "<rsc_colocation id=\"c\" rsc=\"a\" with-rsc=\"nope\" score=\"1\"/>",
                        "<rsc_order id=\"o\" first=\"nope\" then=\"a\"/>"}) {
    auto t = run(cib(kTwo, c));
    ASSERT_FALSE(t.ok()) << c;
    EXPECT_EQ(t.status().code(), StatusCode::kConfigInvalid);
    EXPECT_NE(t.status().message().find("nope"), std::string::npos);
  }
}

TEST(Schedule, ImpossibleConfigurationIsAnError) {
  // A clone that must contain something.
  auto t = run(cib("<clone id=\"c\"/>", ""));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kConfigInvalid);
  // A score that is not a score.
  auto u = run(cib(kTwo, "<rsc_location id=\"l\" rsc=\"a\" node=\"node1\" score=\"lots\"/>"));
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("lots"), std::string::npos);
  // Not a CIB at all.
  auto d = xml::parse("<nothing/>");
  auto v = schedule(d->get(), 0);
  ASSERT_FALSE(v.ok());
}

TEST(Schedule, GraphXmlAndStatusText) {
  auto t = run(cib(kTwo, ""));
  ASSERT_TRUE(t.ok());
  std::string g = graph_to_xml(*t);
  EXPECT_NE(g.find("<transition_graph"), std::string::npos);
  EXPECT_NE(g.find("operation_key=\"a_start_0\""), std::string::npos);
  std::string s = format_cluster_status(t->after);
  EXPECT_NE(s.find("Online: [ node1 node2 ]"), std::string::npos);
}

TEST(Schedule, OrderingCycleThroughSetsNamesTheConstraints) {
  const char* three =
      "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>"
      "<primitive id=\"b\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>"
      "<primitive id=\"c\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>";
  auto t = run(cib(three,
                   "<rsc_order id=\"set-order\"><resource_set id=\"s1\"><resource_ref id=\"a\"/>"
                   "<resource_ref id=\"b\"/><resource_ref id=\"c\"/></resource_set></rsc_order>"
                   "<rsc_order id=\"back\" first=\"c\" then=\"a\"/>"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kConfigInvalid);
  const std::string& m = t.status().message();
  EXPECT_NE(m.find("cycle"), std::string::npos) << m;
  EXPECT_NE(m.find("set-order"), std::string::npos) << m;
  EXPECT_NE(m.find("back"), std::string::npos) << m;
}

TEST(Schedule, UnknownResourceInResourceSetIsAnError) {
  for (const char* c :
       {"<rsc_order id=\"o\"><resource_set id=\"s\"><resource_ref id=\"a\"/><resource_ref id=\"nope\"/>"
        "</resource_set></rsc_order>",
        "<rsc_colocation id=\"c\" score=\"INFINITY\"><resource_set id=\"s\"><resource_ref id=\"nope\"/>"
        "<resource_ref id=\"a\"/></resource_set></rsc_colocation>",
        "<rsc_location id=\"l\" node=\"node1\" score=\"5\"><resource_set id=\"s\">"
        "<resource_ref id=\"nope\"/></resource_set></rsc_location>"}) {
    auto t = run(cib(kTwo, c));
    ASSERT_FALSE(t.ok()) << c;
    EXPECT_EQ(t.status().code(), StatusCode::kConfigInvalid) << c;
    EXPECT_NE(t.status().message().find("nope"), std::string::npos) << t.status().message();
  }
}

TEST(Schedule, DuplicateResourceIdIsAnError) {
  auto t = run(cib(std::string(kTwo) + "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>",
                   ""));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kConfigInvalid);
  EXPECT_NE(t.status().message().find("'a'"), std::string::npos) << t.status().message();
}

// Odd but parseable inputs never crash: either a clear error or a complete
// transition whose graph only refers to its own actions.
TEST(Schedule, OddInputsGiveAnErrorOrAConsistentGraph) {
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"<group id=\"g\"/>", ""},
      {"<clone id=\"c\"><meta_attributes id=\"m\"><nvpair id=\"n\" name=\"clone-max\" value=\"-3\"/>"
       "</meta_attributes><primitive id=\"p\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/></clone>",
       ""},
      {kTwo, "<rsc_order id=\"self\" first=\"a\" then=\"a\"/>"},
      {kTwo, "<rsc_colocation id=\"self\" rsc=\"a\" with-rsc=\"a\" score=\"INFINITY\"/>"},
      {kTwo, "<rsc_colocation id=\"loop1\" rsc=\"a\" with-rsc=\"b\" score=\"INFINITY\"/>"
             "<rsc_colocation id=\"loop2\" rsc=\"b\" with-rsc=\"a\" score=\"INFINITY\"/>"},
      {kTwo, "<rsc_colocation id=\"anti\" rsc=\"a\" with-rsc=\"b\" score=\"-INFINITY\"/>"
             "<rsc_colocation id=\"with\" rsc=\"a\" with-rsc=\"b\" score=\"INFINITY\"/>"},
      {kTwo, "<rsc_location id=\"l\" rsc=\"a\" node=\"no-such-node\" score=\"INFINITY\"/>"},
      {kTwo, "<rsc_order id=\"o\" first=\"a\" then=\"b\" first-action=\"frobnicate\"/>"},
      {"<primitive id=\"x\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
       "<operations><op id=\"m\" name=\"monitor\" interval=\"banana\"/></operations></primitive>",
       ""},
  };
  for (const auto& [rsc, cons] : inputs) {
    auto t = run(cib(rsc, cons));
    if (!t.ok()) {
      EXPECT_FALSE(t.status().message().empty()) << rsc << cons;
      continue;
    }
    for (const auto& a : t->actions) {
      for (int in : a.inputs) {
        EXPECT_GE(in, 0) << rsc << cons;
        EXPECT_LT(in, static_cast<int>(t->actions.size())) << rsc << cons;
      }
    }
    EXPECT_EQ(t->execution_order.size(), t->actions.size()) << rsc << cons;
  }
}

}  // namespace
}  // namespace crm::pengine
