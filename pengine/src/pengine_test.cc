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

// ---- tickets ------------------------------------------------------------------

// Status with `a` running on node1 (in `role`: start, then promote for Promoted)
// and a ticket state (none when `ticket` is empty).
std::string running_a(const std::string& ticket, const std::string& role = "Started") {
  std::string ops =
      "<lrm_rsc_op id=\"a_start_0\" operation=\"start\" interval=\"0\" call-id=\"2\" rc-code=\"0\" op-status=\"0\" "
      "transition-key=\"1:1:0:x\"/>";
  if (role == "Promoted")
    ops += "<lrm_rsc_op id=\"a_promote_0\" operation=\"promote\" interval=\"0\" call-id=\"3\" rc-code=\"0\" "
           "op-status=\"0\" transition-key=\"2:1:0:x\"/>";
  return "<node_state id=\"n1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
         "<lrm id=\"n1\"><lrm_resources><lrm_resource id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"" +
         std::string(role == "Promoted" ? "Stateful" : "Dummy") + "\">" + ops +
         "</lrm_resource></lrm_resources></lrm></node_state>"
         "<node_state id=\"n2\" uname=\"node2\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>" +
         (ticket.empty() ? "" : "<tickets>" + ticket + "</tickets>");
}

const char* kA = "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>";

TEST(Tickets, NotGrantedKeepsItStopped) {
  auto t = run(cib(kA, "<rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\"/>"));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_FALSE(has_summary(*t, "Start a"));
  EXPECT_EQ(score_of(*t, "a", "node1"), kMinusInfinity);
  auto g = run(cib(kA, "<rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\"/>",
                   "<node_state id=\"n1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" "
                   "expected=\"member\"/><tickets><ticket_state id=\"T\" granted=\"true\"/></tickets>"));
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_TRUE(has_summary(*g, "Start a ( node1 )"));
}

TEST(Tickets, LossPolicies) {
  const std::string revoked = "<ticket_state id=\"T\" granted=\"false\"/>";
  // stop (the default for a started resource)
  auto stop = run(cib(kA, "<rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\"/>", running_a(revoked)));
  ASSERT_TRUE(stop.ok()) << stop.status().to_string();
  EXPECT_TRUE(has_summary(*stop, "Stop a ( node1 )"));
  // freeze: left running, nothing else
  auto freeze = run(cib(kA, "<rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\" loss-policy=\"freeze\"/>", running_a(revoked)));
  ASSERT_TRUE(freeze.ok());
  EXPECT_TRUE(freeze->summary.empty() || !has_summary(*freeze, "Stop a"));
  // fence: the node running it is fenced (fencing on, with a device)
  std::string fenced_cib = cib(std::string(kA) + "<primitive id=\"f\" class=\"stonith\" type=\"fence_dummy\"/>",
                               "<rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\" loss-policy=\"fence\"/>", running_a(revoked));
  fenced_cib.replace(fenced_cib.find("value=\"false\""), 13, "value=\"true\"");
  auto fence = run(fenced_cib);
  ASSERT_TRUE(fence.ok()) << fence.status().to_string();
  EXPECT_TRUE(has_summary(*fence, "Fence (reboot) node1"));
  // fence without fencing: stop, with a warning
  auto nofence = run(cib(kA, "<rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\" loss-policy=\"fence\"/>", running_a(revoked)));
  ASSERT_TRUE(nofence.ok());
  EXPECT_TRUE(has_summary(*nofence, "Stop a ( node1 )"));
  ASSERT_FALSE(nofence->warnings.empty());
  // standby: stopped even though granted
  auto standby = run(cib(kA, "<rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\" loss-policy=\"freeze\"/>",
                         running_a("<ticket_state id=\"T\" granted=\"true\" standby=\"true\"/>")));
  ASSERT_TRUE(standby.ok());
  EXPECT_TRUE(has_summary(*standby, "Stop a ( node1 )"));
}

TEST(Tickets, PromotedRoleOnlyDemotes) {
  std::string clone =
      "<clone id=\"ms\"><meta_attributes id=\"msm\"><nvpair id=\"p\" name=\"promotable\" value=\"true\"/>"
      "<nvpair id=\"cm\" name=\"clone-max\" value=\"1\"/></meta_attributes>"
      "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Stateful\"/></clone>";
  std::string status = running_a("<ticket_state id=\"T\" granted=\"false\"/>", "Promoted");
  // master-a is the promotion score
  status.replace(status.find("<lrm "), 0,
                 "<transient_attributes id=\"n1\"><instance_attributes id=\"s\"><nvpair id=\"ma\" name=\"master-a\" "
                 "value=\"10\"/></instance_attributes></transient_attributes>");
  auto t = run(cib(clone, "<rsc_ticket id=\"t\" rsc=\"ms\" rsc-role=\"Promoted\" ticket=\"T\"/>", status));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_TRUE(has_summary(*t, "Demote a:0 ( Promoted -> Unpromoted node1 )"));
  EXPECT_FALSE(has_summary(*t, "Stop"));
}

TEST(Tickets, BadInputIsAnError) {
  for (const char* c : {"<rsc_ticket id=\"t\" rsc=\"nope\" ticket=\"T\"/>",
                        "<rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\" loss-policy=\"explode\"/>",
                        "<rsc_ticket id=\"t\" rsc=\"a\"/>",
                        "<rsc_ticket id=\"t\" ticket=\"T\"><resource_set id=\"s\"><resource_ref id=\"nope\"/>"
                        "</resource_set></rsc_ticket>"}) {
    auto t = run(cib(kA, c));
    ASSERT_FALSE(t.ok()) << c;
    EXPECT_EQ(t.status().code(), StatusCode::kConfigInvalid) << c;
    EXPECT_NE(t.status().message().find("'t'"), std::string::npos) << t.status().message();
  }
}

// ---- templates and tags ---------------------------------------------------------

TEST(Templates, PrimitiveTakesTheTemplatesSettingsAndKeepsItsOwn) {
  std::string rsc =
      "<template id=\"T\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
      "<meta_attributes id=\"tm\"><nvpair id=\"tr\" name=\"target-role\" value=\"Stopped\"/></meta_attributes>"
      "<operations><op id=\"tmon\" name=\"monitor\" interval=\"10s\"/></operations></template>"
      "<primitive id=\"a\" template=\"T\"/>"
      "<primitive id=\"b\" template=\"T\"><meta_attributes id=\"bm\"><nvpair id=\"br\" name=\"target-role\" "
      "value=\"Started\"/></meta_attributes><operations><op id=\"bmon\" name=\"monitor\" interval=\"20s\"/>"
      "</operations></primitive>";
  auto t = run(cib(rsc, "<rsc_location id=\"l\" rsc=\"T\" node=\"node2\" score=\"100\"/>"));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_FALSE(has_summary(*t, "Start a"));  // the template's target-role
  EXPECT_TRUE(has_summary(*t, "Start b ( node2 )"));  // its own, and the location naming the template
  std::string graph = graph_to_xml(*t);
  EXPECT_NE(graph.find("b_monitor_20000"), std::string::npos);  // its own monitor replaces the template's
  EXPECT_EQ(graph.find("b_monitor_10000"), std::string::npos);
}

TEST(Templates, MissingTemplateIsAnError) {
  auto t = run(cib("<primitive id=\"a\" template=\"gone\"/>", ""));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kConfigInvalid);
  EXPECT_NE(t.status().message().find("'gone'"), std::string::npos) << t.status().message();
}

TEST(Bundles, ABundleWithoutItsContainerIsAnError) {
  auto t = run(cib("<bundle id=\"b\"><primitive id=\"x\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></bundle>", ""));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kConfigInvalid);
  EXPECT_NE(t.status().message().find("bundle 'b' has no container"), std::string::npos) << t.status().message();
}

TEST(Tags, ConstraintsNamingATagApplyToItsResources) {
  std::string tags = "</resources><tags><tag id=\"both\"><obj_ref id=\"a\"/><obj_ref id=\"b\"/></tag></tags><resources>";
  auto t = run(cib(std::string(kTwo) + tags, "<rsc_location id=\"l\" rsc=\"both\" node=\"node2\" score=\"100\"/>"
                                             "<rsc_ticket id=\"t\" rsc=\"both\" ticket=\"T\"/>"));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(score_of(*t, "a", "node1"), kMinusInfinity);  // the ticket is not granted
  EXPECT_FALSE(has_summary(*t, "Start"));
  // Two tags cannot be colocated: ignored, with a warning.
  auto c = run(cib(std::string(kTwo) + tags, "<rsc_colocation id=\"c\" rsc=\"both\" with-rsc=\"both\" score=\"INFINITY\"/>"));
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  ASSERT_FALSE(c->warnings.empty());
}


// ---- Pacemaker Remote and guest nodes ----

std::string online_state(const std::string& id, const std::string& uname) {
  return "<node_state id=\"" + id + "\" uname=\"" + uname +
         "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">";
}

// A history entry: `op` with `rc` (call id `call`) of `rsc` (agent `type` of class ocf:pacemaker).
std::string op(const std::string& rsc, const std::string& type, const std::string& task, long interval, int rc, int call) {
  std::string key = rsc + "_" + task + "_" + std::to_string(interval);
  return "<lrm_resource id=\"" + rsc + "\" class=\"ocf\" provider=\"pacemaker\" type=\"" + type +
         "\"><lrm_rsc_op id=\"" + key + "\" operation_key=\"" + key + "\" operation=\"" + task +
         "\" interval=\"" + std::to_string(interval) + "\" call-id=\"" + std::to_string(call) + "\" rc-code=\"" +
         std::to_string(rc) + "\" op-status=\"" + (rc == 0 || rc == 7 ? "0" : "4") +
         "\" transition-key=\"1:1:0:x\" transition-magic=\"0:" + std::to_string(rc) + ";1:1:0:x\"/></lrm_resource>";
}

const GraphAction* graph_action(const Transition& t, const std::string& key, const std::string& node) {
  for (const auto& a : t.actions)
    if (a.key == key && a.node == node) return &a;
  return nullptr;
}

bool waits_for(const Transition& t, const GraphAction* then, const GraphAction* first) {
  return then && first && std::find(then->inputs.begin(), then->inputs.end(), first->id) != then->inputs.end();
}

TEST(Remote, AConnectionMakesANodeReachedThroughItsHost) {
  // The connection runs on node1; "a" may run on remote1 once it is up, and
  // everything done there goes through node1 after the connection started.
  std::string resources =
      "<primitive id=\"remote1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"/>"
      "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>";
  std::string constraints =
      "<rsc_location id=\"l1\" rsc=\"remote1\" node=\"node1\" score=\"100\"/>"
      "<rsc_location id=\"l2\" rsc=\"a\" node=\"remote1\" score=\"100\"/>";
  auto t = run(cib(resources, constraints));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_TRUE(has_summary(*t, "Start remote1 ( node1 )"));
  EXPECT_TRUE(has_summary(*t, "Start a ( remote1 )"));
  // A connection never runs on a remote node.
  EXPECT_EQ(score_of(*t, "remote1", "remote1"), kMinusInfinity);
  const GraphAction* conn_start = graph_action(*t, "remote1_start_0", "node1");
  const GraphAction* probe = graph_action(*t, "a_monitor_0", "remote1");
  const GraphAction* start = graph_action(*t, "a_start_0", "remote1");
  ASSERT_TRUE(conn_start && probe && start);
  EXPECT_EQ(probe->router_node, "node1");
  EXPECT_EQ(start->router_node, "node1");
  EXPECT_TRUE(waits_for(*t, probe, conn_start));
  EXPECT_TRUE(waits_for(*t, start, conn_start));
  EXPECT_NE(graph_to_xml(*t).find("router_node=\"node1\""), std::string::npos);
  // The status lists it as a remote node.
  EXPECT_NE(format_cluster_status(t->after).find("RemoteOnline: [ remote1 ]"), std::string::npos)
      << format_cluster_status(t->after);
}

TEST(Remote, AFailedConnectionFencesItsNode) {
  // The connection's monitor failed while "a" runs on remote1: with fencing,
  // remote1 is fenced before "a" starts elsewhere, and the connection recovers.
  std::string resources =
      "<primitive id=\"fence\" class=\"stonith\" type=\"fence_dummy\"/>"
      "<primitive id=\"remote1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"/>"
      "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>";
  std::string status = online_state("n1", "node1") + "<lrm id=\"n1\"><lrm_resources>" +
                       op("remote1", "remote", "start", 0, 0, 1).replace(
                           op("remote1", "remote", "start", 0, 0, 1).find("</lrm_resource>"), 15, "") +
                       "<lrm_rsc_op id=\"remote1_monitor_60000\" operation_key=\"remote1_monitor_60000\" "
                       "operation=\"monitor\" interval=\"60000\" call-id=\"2\" rc-code=\"1\" op-status=\"0\" "
                       "transition-key=\"2:1:0:x\" transition-magic=\"0:1;2:1:0:x\"/></lrm_resource>" +
                       "</lrm_resources></lrm></node_state>" + online_state("n2", "node2") + "</node_state>" +
                       "<node_state id=\"remote1\" uname=\"remote1\"><lrm id=\"remote1\"><lrm_resources>" +
                       op("a", "Dummy", "start", 0, 0, 3) + "</lrm_resources></lrm></node_state>";
  std::string text = cib(resources, "", status);
  text.replace(text.find("value=\"false\""), 13, "value=\"true\"");
  auto t = run(text);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_TRUE(has_summary(*t, "Fence (reboot) remote1 'remote connection is unrecoverable'")) << t->summary.front();
  EXPECT_TRUE(has_summary(*t, "Recover remote1"));
  const GraphAction* fencing = graph_action(*t, "stonith-remote1-reboot", "remote1");
  ASSERT_TRUE(fencing);
  for (const auto& a : t->actions)
    if (a.key == "a_start_0") EXPECT_TRUE(waits_for(*t, &a, fencing)) << "a starts elsewhere only after remote1 is fenced";
}

TEST(Guest, AContainerMakesAGuestNodeFencedByItsRecovery) {
  // vm1 (remote-node=guest1) failed on node1 while "a" ran on guest1: the
  // guest is "fenced" by recovering vm1 (a pseudo fencing, no fencing device
  // involved), and "a" is recovered on guest1 once vm1 and its connection are back.
  std::string resources =
      "<primitive id=\"fence\" class=\"stonith\" type=\"fence_dummy\"/>"
      "<primitive id=\"vm1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><meta_attributes id=\"vm1-m\">"
      "<nvpair id=\"vm1-rn\" name=\"remote-node\" value=\"guest1\"/></meta_attributes></primitive>"
      "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>";
  std::string constraints = "<rsc_location id=\"l\" rsc=\"a\" node=\"guest1\" score=\"100\"/>";
  std::string vm_history = op("vm1", "Dummy", "start", 0, 0, 1);
  vm_history.replace(vm_history.find("</lrm_resource>"), 15,
                     "<lrm_rsc_op id=\"vm1_monitor_10000\" operation_key=\"vm1_monitor_10000\" operation=\"monitor\" "
                     "interval=\"10000\" call-id=\"2\" rc-code=\"1\" op-status=\"0\" transition-key=\"2:1:0:x\" "
                     "transition-magic=\"0:1;2:1:0:x\"/></lrm_resource>");
  std::string status = online_state("n1", "node1") + "<lrm id=\"n1\"><lrm_resources>" + vm_history +
                       op("guest1", "remote", "start", 0, 0, 3) + "</lrm_resources></lrm></node_state>" +
                       online_state("n2", "node2") + "</node_state>" +
                       "<node_state id=\"guest1\" uname=\"guest1\"><lrm id=\"guest1\"><lrm_resources>" +
                       op("a", "Dummy", "start", 0, 0, 4) + "</lrm_resources></lrm></node_state>";
  std::string text = cib(resources, constraints, status);
  text.replace(text.find("value=\"false\""), 13, "value=\"true\"");
  auto t = run(text);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_TRUE(has_summary(*t, "Fence (reboot) guest1 (resource: vm1) 'guest is unclean'"));
  EXPECT_TRUE(has_summary(*t, "Recover vm1 ( node1 )"));
  EXPECT_TRUE(has_summary(*t, "Recover a ( guest1 )"));
  const GraphAction* fencing = graph_action(*t, "stonith-guest1-reboot", "guest1");
  ASSERT_TRUE(fencing);
  EXPECT_EQ(fencing->type, GraphAction::Type::kPseudo);
  EXPECT_TRUE(waits_for(*t, fencing, graph_action(*t, "vm1_stop_0", "node1")));
  // The implicit connection is not listed among the resources; the guest is.
  std::string after = format_cluster_status(t->after);
  EXPECT_EQ(after.find("(ocf:pacemaker:remote)"), std::string::npos) << after;
  EXPECT_NE(after.find("GuestOnline: [ guest1 ]"), std::string::npos) << after;
}

}  // namespace
}  // namespace crm::pengine
