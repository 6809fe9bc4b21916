#include "crm/tengine/transition.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include <map>

#include <fstream>
#include <sstream>

#include "crm/core/xml.h"
#include "crm/pengine/digest.h"
#include "crm/pengine/pengine.h"
#include "crm/core/op_history.h"

namespace crm::tengine {
namespace {

using pengine::op_digest;  // the digest the controller records

using namespace std::chrono_literals;

// Records what it was asked to run; the test completes actions by hand.
class RecordingExecutor : public ActionExecutor {
 public:
  Status execute(const Action& action, const std::string& key) override {
    started.push_back(action.id);
    keys[action.id] = key;
    if (fail_ids.count(action.id)) return unavailable("node gone");
    return Status::Ok();
  }
  std::vector<int> started;
  std::map<int, std::string> keys;
  std::set<int> fail_ids;
};

// stop rsc1 on n1 (1) -> pseudo stopped (2) -> start rsc1 on n2 (3) -> monitor (4)
constexpr const char* kGraph = R"(<transition_graph cluster-delay="2s" stonith-timeout="60s" transition_id="7">
  <synapse id="0"><action_set>
    <rsc_op id="1" operation="stop" operation_key="rsc1_stop_0" on_node="n1" on_node_uuid="1">
      <primitive id="rsc1" class="ocf" provider="crm" type="Dummy"/>
      <attributes CRM_meta_timeout="20000" state="/tmp/x"/></rsc_op></action_set><inputs/></synapse>
  <synapse id="1"><action_set><pseudo_event id="2" operation="stopped" operation_key="rsc1_stopped_0"/></action_set>
    <inputs><trigger><rsc_op id="1" operation="stop" operation_key="rsc1_stop_0" on_node="n1"/></trigger></inputs></synapse>
  <synapse id="2"><action_set>
    <rsc_op id="3" operation="start" operation_key="rsc1_start_0" on_node="n2" on_node_uuid="2">
      <primitive id="rsc1" class="ocf" provider="crm" type="Dummy"/>
      <attributes CRM_meta_timeout="20000"/></rsc_op></action_set>
    <inputs><trigger><pseudo_event id="2" operation="stopped" operation_key="rsc1_stopped_0"/></trigger></inputs></synapse>
  <synapse id="3"><action_set>
    <rsc_op id="4" operation="monitor" operation_key="rsc1_monitor_10000" on_node="n2" on_node_uuid="2">
      <primitive id="rsc1" class="ocf" provider="crm" type="Dummy"/>
      <attributes CRM_meta_timeout="20000" CRM_meta_interval="10000"/></rsc_op></action_set>
    <inputs><trigger><rsc_op id="3" operation="start" operation_key="rsc1_start_0" on_node="n2"/></trigger></inputs></synapse>
</transition_graph>)";

TEST(GraphTest, ParsesActionsAndTriggers) {
  auto g = Graph::parse(kGraph);
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->transition_id, 7);
  EXPECT_EQ(g->cluster_delay, 2s);
  ASSERT_EQ(g->synapses.size(), 4u);
  const Action& stop = g->actions.at(1);
  EXPECT_EQ(stop.type, ActionType::kRscOp);
  EXPECT_EQ(stop.rsc_id, "rsc1");
  EXPECT_EQ(stop.rsc_type, "Dummy");
  EXPECT_EQ(stop.timeout, 20000ms);
  EXPECT_EQ(stop.parameters().at("state"), "/tmp/x");
  EXPECT_EQ(stop.parameters().count("CRM_meta_timeout"), 0u);
  EXPECT_EQ(g->actions.at(4).interval_ms, 10000);
  EXPECT_EQ(g->actions.at(2).type, ActionType::kPseudo);
}

TEST(GraphTest, RejectsDanglingTrigger) {
  auto g = Graph::parse(R"(<transition_graph transition_id="1"><synapse id="0"><action_set>
    <pseudo_event id="1" operation="x" operation_key="x"/></action_set>
    <inputs><trigger><rsc_op id="9"/></trigger></inputs></synapse></transition_graph>)");
  EXPECT_FALSE(g.ok());
  EXPECT_FALSE(Graph::parse("<nope/>").ok());
  EXPECT_FALSE(Graph::parse("<transition_graph").ok());
}

TEST(GraphTest, FingerprintIgnoresIdsAndOrderButNotWhatTheGraphDoes) {
  auto g = Graph::parse(kGraph);
  ASSERT_TRUE(g.ok());
  const std::string fp = g->fingerprint();
  EXPECT_EQ(fp.size(), 16u);
  // The same graph with other ids and the synapses in another order.
  std::string renumbered = kGraph;
  for (auto [from, to] : {std::pair{"id=\"1\"", "id=\"11\""}, {"id=\"3\"", "id=\"13\""}}) {
    for (size_t at; (at = renumbered.find(from)) != std::string::npos;) renumbered.replace(at, std::strlen(from), to);
  }
  auto h = Graph::parse(renumbered);
  ASSERT_TRUE(h.ok()) << h.status().to_string();
  std::reverse(h->synapses.begin(), h->synapses.end());
  EXPECT_EQ(h->fingerprint(), fp);
  // Another node, another attribute value, or one input less: another fingerprint.
  Graph moved = *g;
  moved.actions.at(3).on_node = "n3";
  EXPECT_NE(moved.fingerprint(), fp);
  Graph changed = *g;
  changed.actions.at(1).attributes["state"] = "/tmp/y";
  EXPECT_NE(changed.fingerprint(), fp);
  Graph unordered = *g;
  unordered.synapses[3].inputs.clear();
  EXPECT_NE(unordered.fingerprint(), fp);
}

TEST(GraphTest, PeerGraphsParse) {
  // Every reference graph of the peer's scheduler suite parses.
  for (const char* c : {"anti-colocation-order", "1494", "bug-5025-1"}) {
    std::ifstream in(std::string(CRM_SHARED_DIR) + "/scheduler-cases/" + c + "/graph.xml");
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    auto g = Graph::parse(ss.str());
    EXPECT_TRUE(g.ok()) << c << ": " << g.status().to_string();
  }
}

TEST(TransitionTest, RunsInTriggerOrder) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Transition t(*Graph::parse(kGraph), ex, clock, {.dc_uuid = "1"});
  std::vector<Outcome> outcomes;
  std::vector<std::string> recorded;
  t.on_finished = [&](Outcome o) { outcomes.push_back(o); };
  t.on_action_result = [&](const Action& a, const ActionResult&) { recorded.push_back(a.operation_key); };
  t.start();
  EXPECT_EQ(ex.started, std::vector<int>({1}));
  EXPECT_EQ(ex.keys[1], "1:7:0:1");
  EXPECT_EQ(t.in_flight_action("1:7:0:1"), 1);
  EXPECT_TRUE(t.action_done(1, {}));
  EXPECT_FALSE(t.action_done(1, {}));  // duplicate
  // The pseudo event confirms at once, so the start fires in the same step.
  EXPECT_EQ(ex.started, std::vector<int>({1, 3}));
  EXPECT_TRUE(t.confirmed(2));
  t.action_done(3, {});
  EXPECT_EQ(ex.started, std::vector<int>({1, 3, 4}));
  EXPECT_TRUE(outcomes.empty());
  t.action_done(4, {});
  EXPECT_EQ(outcomes, std::vector<Outcome>({Outcome::kComplete}));
  EXPECT_EQ(recorded, std::vector<std::string>({"rsc1_stop_0", "rsc1_start_0", "rsc1_monitor_10000"}));
}

TEST(TransitionTest, EmptyGraphCompletesAtOnce) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Transition t(*Graph::parse(R"(<transition_graph transition_id="1"/>)"), ex, clock);
  Outcome got = Outcome::kRunning;
  t.on_finished = [&](Outcome o) { got = o; };
  t.start();
  EXPECT_EQ(got, Outcome::kComplete);
}

TEST(TransitionTest, AbortWaitsForInFlightAndStartsNothingNew) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Transition t(*Graph::parse(kGraph), ex, clock);
  Outcome got = Outcome::kRunning;
  t.on_finished = [&](Outcome o) { got = o; };
  t.start();
  t.abort("node 3 left");
  EXPECT_EQ(got, Outcome::kRunning);  // the stop is still running
  EXPECT_TRUE(t.aborting());
  t.action_done(1, {});
  EXPECT_EQ(got, Outcome::kAborted);
  EXPECT_EQ(ex.started, std::vector<int>({1}));  // start never fired
  EXPECT_EQ(t.abort_reason(), "node 3 left");
}

TEST(TransitionTest, UnexpectedResultFailsTheTransition) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Transition t(*Graph::parse(kGraph), ex, clock);
  Outcome got = Outcome::kRunning;
  t.on_finished = [&](Outcome o) { got = o; };
  t.start();
  t.action_done(1, {.rc = kOcfErrGeneric});
  EXPECT_EQ(got, Outcome::kFailed);
  EXPECT_TRUE(t.action_failed(1));
  EXPECT_EQ(ex.started, std::vector<int>({1}));
}

TEST(TransitionTest, TimeoutIsTheOpTimeoutPlusClusterDelay) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Transition t(*Graph::parse(kGraph), ex, clock);
  Outcome got = Outcome::kRunning;
  ActionResult seen;
  t.on_finished = [&](Outcome o) { got = o; };
  t.on_action_result = [&](const Action&, const ActionResult& r) { seen = r; };
  t.start();
  ASSERT_TRUE(t.next_deadline().has_value());
  EXPECT_EQ(*t.next_deadline(), clock.monotonic_now() + 22s);
  clock.advance(21999ms);
  t.tick();
  EXPECT_EQ(got, Outcome::kRunning);
  clock.advance(1ms);
  t.tick();
  EXPECT_EQ(got, Outcome::kFailed);
  EXPECT_EQ(seen.status, ExecStatus::kTimeout);
}

TEST(TransitionTest, ExecutorErrorAndLostNodeFailActions) {
  SimulatedClock clock;
  RecordingExecutor ex;
  ex.fail_ids = {1};
  Transition t(*Graph::parse(kGraph), ex, clock);
  Outcome got = Outcome::kRunning;
  t.on_finished = [&](Outcome o) { got = o; };
  t.start();
  EXPECT_EQ(got, Outcome::kFailed);

  RecordingExecutor ex2;
  Transition t2(*Graph::parse(kGraph), ex2, clock);
  t2.on_finished = [&](Outcome o) { got = o; };
  got = Outcome::kRunning;
  t2.start();
  t2.node_lost("n2");
  EXPECT_EQ(got, Outcome::kRunning);
  t2.node_lost("n1");
  EXPECT_EQ(got, Outcome::kFailed);
}

// An executor that completes every action synchronously (as the simulator may).
class InstantExecutor : public ActionExecutor {
 public:
  Transition* t = nullptr;
  Status execute(const Action& action, const std::string&) override {
    t->action_done(action.id, {.rc = action.target_rc});
    return Status::Ok();
  }
};

TEST(TransitionTest, SynchronousCompletionIsSafe) {
  SimulatedClock clock;
  InstantExecutor ex;
  Transition t(*Graph::parse(kGraph), ex, clock);
  ex.t = &t;
  int finished = 0;
  t.on_finished = [&](Outcome o) {
    ++finished;
    EXPECT_EQ(o, Outcome::kComplete);
  };
  t.start();
  EXPECT_EQ(finished, 1);
}

// A graph of independent operations (one synapse each), in this order:
// ops[i] = {node, operation}; operation "stonith" makes a crm_event.
Graph independent_ops(const std::vector<std::pair<std::string, std::string>>& ops) {
  Graph g;
  g.transition_id = 3;
  int id = 1;
  for (const auto& [node, op] : ops) {
    Action a;
    a.id = id;
    a.type = op == "stonith" ? ActionType::kCrmEvent : ActionType::kRscOp;
    a.operation = op;
    a.operation_key = "r" + std::to_string(id) + "_" + op + "_0";
    a.on_node = node;
    a.timeout = 20s;
    g.actions.emplace(id, a);
    g.synapses.push_back(Synapse{.id = id - 1, .priority = 0, .actions = {id}, .inputs = {}});
    ++id;
  }
  return g;
}

TEST(TransitionTest, BatchLimitHoldsReadyOperationsUntilASlotFrees) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Transition t(independent_ops({{"n1", "start"}, {"n2", "start"}, {"n1", "start"}, {"n2", "start"}, {"n3", "start"}}),
               ex, clock, {.batch_limit = 2});
  t.start();
  EXPECT_EQ(ex.started, (std::vector<int>{1, 2}));
  EXPECT_EQ(t.throttled(), 3u);
  ASSERT_TRUE(t.action_done(2, {}));
  EXPECT_EQ(ex.started, (std::vector<int>{1, 2, 3}));
  ASSERT_TRUE(t.action_done(1, {}));
  ASSERT_TRUE(t.action_done(3, {}));
  EXPECT_EQ(ex.started, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(t.throttled(), 0u);
  ASSERT_TRUE(t.action_done(4, {}));
  ASSERT_TRUE(t.action_done(5, {}));
  EXPECT_EQ(t.outcome(), Outcome::kComplete);
}

TEST(TransitionTest, NodeActionLimitCountsEachNodeApart) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Transition t(independent_ops({{"n1", "start"}, {"n1", "start"}, {"n1", "start"}, {"n2", "start"}, {"n2", "start"},
                                {"n1", "monitor"}}),
               ex, clock, {.node_action_limit = 2});
  t.start();
  // Two on n1 (1, 2); 3 waits; n2 has its own two slots (4, 5); 6 waits.
  EXPECT_EQ(ex.started, (std::vector<int>{1, 2, 4, 5}));
  EXPECT_EQ(t.throttled(), 2u);
  ASSERT_TRUE(t.action_done(4, {}));  // a slot on n2 does not help n1
  EXPECT_EQ(ex.started.size(), 4u);
  ASSERT_TRUE(t.action_done(1, {}));  // graph order: 3 before 6
  EXPECT_EQ(ex.started.back(), 3);
  ASSERT_TRUE(t.action_done(2, {}));
  EXPECT_EQ(ex.started.back(), 6);
  for (int id : {3, 5, 6}) ASSERT_TRUE(t.action_done(id, {}));
  EXPECT_EQ(t.outcome(), Outcome::kComplete);
}

TEST(TransitionTest, FencingNeverWaitsForASlot) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Transition t(independent_ops({{"n1", "start"}, {"n1", "start"}, {"n2", "stonith"}}), ex, clock,
               {.batch_limit = 1, .node_action_limit = 1});
  t.start();
  EXPECT_EQ(ex.started, (std::vector<int>{1, 3}));
  EXPECT_EQ(t.throttled(), 1u);
}

TEST(TransitionTest, HigherPriorityFiresFirstWhenSlotsAreScarce) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Graph g = independent_ops({{"n1", "start"}, {"n1", "start"}, {"n1", "start"}});
  g.synapses[2].priority = 10;
  Transition t(std::move(g), ex, clock, {.batch_limit = 1});
  t.start();
  EXPECT_EQ(ex.started, (std::vector<int>{3}));
  ASSERT_TRUE(t.action_done(3, {}));
  EXPECT_EQ(ex.started, (std::vector<int>{3, 1}));
}

TEST(TransitionTest, AbortedTransitionFiresNothingHeldBack) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Transition t(independent_ops({{"n1", "start"}, {"n1", "start"}}), ex, clock, {.batch_limit = 1});
  t.start();
  t.abort("node n2 left");
  EXPECT_FALSE(t.finished());
  ASSERT_TRUE(t.action_done(1, {}));
  EXPECT_EQ(ex.started, (std::vector<int>{1}));
  EXPECT_EQ(t.outcome(), Outcome::kAborted);
}

// Thousands of chained actions under limits: every one runs once, in trigger
// order, and the transition completes (the engine's bookkeeping scales with
// what it fires; a benchmark, not this test, says how fast).
TEST(TransitionTest, ThousandsOfChainsCompleteUnderLimits) {
  SimulatedClock clock;
  RecordingExecutor ex;
  Graph g;
  g.transition_id = 9;
  const int chains = 2000;  // start -> monitor per resource, on 3 nodes
  for (int r = 0; r < chains; ++r) {
    for (int k = 0; k < 2; ++k) {
      Action a;
      a.id = 2 * r + k + 1;
      a.type = ActionType::kRscOp;
      a.operation = k == 0 ? "start" : "monitor";
      a.on_node = "n" + std::to_string(r % 3 + 1);
      a.timeout = 20s;
      g.actions.emplace(a.id, a);
      Synapse s{.id = a.id - 1, .priority = 0, .actions = {a.id}, .inputs = {}};
      if (k == 1) s.inputs = {a.id - 1};
      g.synapses.push_back(s);
    }
  }
  Transition t(std::move(g), ex, clock, {.batch_limit = 30, .node_action_limit = 8});
  t.start();
  size_t done = 0;
  std::set<int> seen;
  while (done < ex.started.size()) {
    int id = ex.started[done++];
    ASSERT_TRUE(seen.insert(id).second) << "action " << id << " ran twice";
    if (id % 2 == 0) ASSERT_TRUE(t.confirmed(id - 1)) << "monitor " << id << " before its start";
    ASSERT_LE(t.in_flight(), 24u);  // 3 nodes x 8, under the batch limit of 30
    ASSERT_TRUE(t.action_done(id, {}));
  }
  EXPECT_EQ(seen.size(), 2u * chains);
  EXPECT_EQ(t.outcome(), Outcome::kComplete);
}

TEST(OpRecordTest, DigestIgnoresMetaAndOrder) {
  EXPECT_EQ(op_digest({{"a", "1"}, {"b", "2"}}), op_digest({{"b", "2"}, {"a", "1"}, {"CRM_meta_timeout", "5"}}));
  EXPECT_NE(op_digest({{"a", "1"}}), op_digest({{"a", "2"}}));
  EXPECT_EQ(op_digest({}).size(), 32u);
}

// A clone with notify=true (pengine's graph, not hand-written): the agent of
// the running instance is told "pre start" before the new instance starts,
// both are told "post start" after; each notification reaches the executor as
// an ordinary resource operation "notify" with the CRM_meta_notify_* values
// (which lrmd passes to the agent as OCF_RESKEY_CRM_meta_notify_*).
TEST(TransitionTest, RunsCloneNotificationsAsNotifyOperations) {
  auto history = [](const std::string& op, int rc) {
    return "<lrm_resource id=\"p\" class=\"ocf\" provider=\"pacemaker\" type=\"Stateful\"><lrm_rsc_op id=\"p_last_0\" "
           "operation_key=\"p_" + op + "_0\" operation=\"" + op + "\" interval=\"0\" call-id=\"2\" rc-code=\"" +
           std::to_string(rc) + "\" op-status=\"0\" transition-key=\"1:1:0:x\" last-rc-change=\"1700000000\"/>"
           "</lrm_resource>";
  };
  auto state = [](const std::string& id, const std::string& lrm) {
    return "<node_state id=\"" + id + "\" uname=\"node" + id + "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" "
           "expected=\"member\"><lrm id=\"" + id + "\"><lrm_resources>" + lrm + "</lrm_resources></lrm></node_state>";
  };
  // Without fencing: with it on and no device nothing would start; the test
  // is about notify ops being executed, not about devices.
  std::string cib =
      "<cib have-quorum=\"1\" dc-uuid=\"1\"><configuration><crm_config><cluster_property_set id=\"o\">"
      "<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config>"
      "<nodes><node id=\"1\" uname=\"node1\"/><node id=\"2\" uname=\"node2\"/></nodes><resources>"
      "<clone id=\"c\"><meta_attributes id=\"cm\"><nvpair id=\"cm1\" name=\"notify\" value=\"true\"/>"
      "</meta_attributes><primitive id=\"p\" class=\"ocf\" provider=\"pacemaker\" type=\"Stateful\"/></clone>"
      "</resources><constraints/></configuration><status>" +
      state("1", history("start", 0)) + state("2", history("monitor", 7)) + "</status></cib>";
  auto doc = xml::parse(cib);
  ASSERT_TRUE(doc.ok());
  auto planned = pengine::schedule(doc->get(), 1700000000, {});
  ASSERT_TRUE(planned.ok()) << planned.status().to_string();
  // The same graph whether it travels as a structure or as XML.
  for (bool via_xml : {false, true}) {
    auto g = via_xml ? Graph::parse(pengine::graph_to_xml(*planned)) : Graph::from(*planned);
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    SimulatedClock clock;
    RecordingExecutor ex;
    Transition t(*g, ex, clock, {.dc_uuid = "1"});
    t.start();
    // Complete what the executor was given, in order, until the graph is done.
    for (size_t done = 0; done < ex.started.size(); ++done) t.action_done(ex.started[done], {});
    ASSERT_EQ(t.outcome(), Outcome::kComplete);
    std::vector<std::string> ran;  // "operation node type" in execution order
    for (int id : ex.started) {
      const Action& a = g->actions.at(id);
      ran.push_back(a.operation + " " + a.on_node + (a.meta("notify_type") ? " " + *a.meta("notify_type") : ""));
    }
    EXPECT_EQ(ran, std::vector<std::string>({"notify node1 pre", "start node2", "notify node1 post",
                                             "notify node2 post"}));
    const Action& pre = g->actions.at(ex.started[0]);
    EXPECT_EQ(pre.type, ActionType::kRscOp);
    EXPECT_EQ(pre.operation_key, "p_pre_notify_start_0");
    EXPECT_EQ(pre.rsc_id, "p");
    EXPECT_EQ(pre.rsc_type, "Stateful");
    EXPECT_EQ(pre.timeout, 20000ms);
    EXPECT_EQ(pre.meta("notify_operation"), "start");
    EXPECT_EQ(pre.meta("notify_start_resource"), "p:1");
    EXPECT_EQ(pre.meta("notify_start_uname"), "node2");
    EXPECT_EQ(pre.meta("notify_active_uname"), "node1");
    EXPECT_EQ(pre.meta("notify_stop_resource"), " ");
    EXPECT_EQ(pre.meta("notify_all_uname"), "node1 node2");
    // No resource parameters leak out of the notify values.
    EXPECT_TRUE(pre.parameters().empty());
  }
}

}  // namespace
}  // namespace crm::tengine
