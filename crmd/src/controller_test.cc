#include "crm/crmd/controller.h"

#include <gtest/gtest.h>

#include <optional>
#include <tuple>

#include "crm/crmd/simple_scheduler.h"
#include "crm/crmd/status_view.h"

namespace crm::crmd {
namespace {

// A CIB applied in place (no replication) and an executor that never runs anything.
class LocalCib : public CibAccess {
 public:
  const cib::Cib& current() const override { return cib; }
  void submit(const cib::Request& r, std::function<void(const Status&)> done) override {
    auto applied = cib::apply_request(cib, r, nullptr);
    done(applied.ok() ? Status::Ok() : applied.status());
  }
  cib::Cib cib = cib::Cib::empty();
};

class NullExecutor : public lrmd::ExecutorApi {
 public:
  void set_result_callback(lrmd::ResultCallback) override {}
  Result<int> exec(const lrmd::ExecRequest& r) override {
    requests.push_back(r);
    return static_cast<int>(requests.size());
  }
  Status cancel(const std::string&, const std::string&, uint32_t) override { return Status::Ok(); }
  Result<std::vector<lrmd::RecurringOp>> recurring_ops() override { return std::vector<lrmd::RecurringOp>{}; }
  Result<std::vector<lrmd::ExecResult>> last_results(const std::string&) override {
    return std::vector<lrmd::ExecResult>{};
  }
  std::vector<lrmd::ExecRequest> requests;
};

TEST(ControllerTest, StateNames) {
  EXPECT_STREQ(state_name(State::kIdle), "S_IDLE");
  EXPECT_STREQ(state_name(State::kNotDc), "S_NOT_DC");
}

TEST(ControllerTest, LoneNodeBecomesDcJoinsItselfAndPlans) {
  SimulatedClock clock;
  LocalCib cib;
  NullExecutor ex;
  Controller c(1, "n1", {.clock = clock, .cib = cib, .executor = ex, .scheduler = simple_schedule, .log = nullptr});
  EXPECT_EQ(c.state(), State::kStarting);
  c.step(Quorum{true});
  Outputs out = c.step(Membership{{1}, {1}, {}});
  EXPECT_TRUE(c.is_dc());
  EXPECT_EQ(c.state(), State::kIdle);
  ASSERT_FALSE(out.messages.empty());  // the join offer
  StatusView v = read_status(cib.cib);
  ASSERT_TRUE(v.nodes.count("n1"));
  EXPECT_TRUE(v.nodes.at("n1").online);
  EXPECT_TRUE(v.nodes.at("n1").in_config);
  EXPECT_EQ(v.dc_uuid, "1");
  EXPECT_GE(c.stats().pe_runs, 1u);
}

TEST(ControllerTest, NonDcAnswersTheJoinOfferAndRunsWhatTheDcSends) {
  SimulatedClock clock;
  LocalCib cib;
  NullExecutor ex;
  Controller c(2, "n2", {.clock = clock, .cib = cib, .executor = ex, .scheduler = simple_schedule, .log = nullptr});
  c.step(Membership{{1, 2}, {1, 2}, {}});
  EXPECT_FALSE(c.is_dc());
  EXPECT_EQ(c.dc(), 1u);
  Outputs out = c.step(Message{1, R"(<crmd_join_offer dc="1" gen="1"/>)"});
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_NE(out.messages[0].find("crmd_join_request"), std::string::npos);
  EXPECT_EQ(c.state(), State::kNotDc);
  c.step(Message{1, R"(<crmd_exec target="n2" key="3:0:0:1" digest="d"><rsc_op id="3" operation="start"
      operation_key="ip_start_0" on_node="n2"><primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/>
      <attributes CRM_meta_timeout="20000" ip="10.0.0.1"/></rsc_op></crmd_exec>)"});
  ASSERT_EQ(ex.requests.size(), 1u);
  EXPECT_EQ(ex.requests[0].action, "start");
  EXPECT_EQ(ex.requests[0].params.at("ip"), "10.0.0.1");
  // An exec from a node that is not the DC is ignored.
  c.step(Message{2, R"(<crmd_exec target="n2" key="4:0:0:2"><rsc_op id="4" operation="stop"
      operation_key="ip_stop_0" on_node="n2"><primitive id="ip" class="ocf" type="IPaddr2"/></rsc_op></crmd_exec>)"});
  EXPECT_EQ(ex.requests.size(), 1u);
}

TEST(ControllerTest, RestartedDcIsAnsweredAlthoughItCountsJoinOffersFromOneAgain) {
  SimulatedClock clock;
  LocalCib cib;
  NullExecutor ex;
  Controller c(3, "n3", {.clock = clock, .cib = cib, .executor = ex, .scheduler = simple_schedule, .log = nullptr});
  c.step(Membership{{1, 2, 3}, {1, 2, 3}, {}});
  auto answers = [&](const char* offer) {
    Outputs out = c.step(Message{1, offer});
    return out.messages.size() == 1 && out.messages[0].find("crmd_join_request") != std::string::npos;
  };
  EXPECT_TRUE(answers(R"(<crmd_join_offer dc="1" gen="1"/>)"));
  EXPECT_FALSE(answers(R"(<crmd_join_offer dc="1" gen="1"/>)"));  // the same offer twice: answered once
  // n1 dies (n2 takes over) and comes back: it is the DC again, and its
  // offers start from generation 1.
  c.step(Membership{{2, 3}, {}, {1}});
  EXPECT_EQ(c.dc(), 2u);
  c.step(Membership{{1, 2, 3}, {1}, {}});
  EXPECT_EQ(c.dc(), 1u);
  EXPECT_TRUE(answers(R"(<crmd_join_offer dc="1" gen="1"/>)"));
  EXPECT_EQ(c.state(), State::kNotDc);
}

TEST(ControllerTest, DcMarksNodesItsCibShowsOnlineButAreNotMembersDown) {
  SimulatedClock clock;
  LocalCib cib;
  auto stale = cib::Cib::parse(R"(<cib admin_epoch="0" epoch="3" num_updates="1" validate-with="pacemaker-3.8">
      <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
      <resources/><constraints/></configuration><status>
      <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
      <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
      </status></cib>)");
  ASSERT_TRUE(stale.ok()) << stale.status().to_string();
  cib.cib = std::move(stale).value();
  NullExecutor ex;
  Controller c(1, "n1", {.clock = clock, .cib = cib, .executor = ex, .scheduler = simple_schedule, .log = nullptr});
  c.step(Membership{{1}, {1}, {}});  // restarted alone: n2 is not a member
  StatusView v = read_status(cib.cib);
  EXPECT_TRUE(v.nodes.at("n1").online);
  EXPECT_FALSE(v.nodes.at("n2").online);
}

TEST(ControllerTest, CrashedControllerOnALiveNodeIsNotTakenForDeadUntilCorosyncDropsTheNode) {
  SimulatedClock clock;
  LocalCib cib;
  NullExecutor ex;
  Controller c(1, "n1", {.clock = clock, .cib = cib, .executor = ex, .scheduler = simple_schedule, .log = nullptr});
  c.step(Quorum{true});
  c.step(ClusterNodes{{1, 2, 3}});
  c.step(Membership{{1}, {1}, {}});
  c.step(Membership{{1, 2, 3}, {2, 3}, {}});
  for (NodeId n : {2u, 3u}) {
    c.step(Message{n, "<crmd_join_request node=\"" + std::to_string(n) + "\" name=\"n" + std::to_string(n) +
                          "\" gen=\"2\"><lrm_resources/></crmd_join_request>"});
  }
  ASSERT_TRUE(read_status(cib.cib).nodes.at("n2").online);
  uint64_t runs = c.stats().pe_runs;
  // n2's controller leaves; corosync still has n2: no recovery, no planning.
  c.step(Membership{{1, 3}, {}, {2}});
  EXPECT_TRUE(read_status(cib.cib).nodes.at("n2").online);
  EXPECT_EQ(c.stats().pe_runs, runs);
  ASSERT_TRUE(c.next_deadline().has_value());
  // corosync drops n2 as well: down, and the DC plans.
  c.step(ClusterNodes{{1, 3}});
  EXPECT_FALSE(read_status(cib.cib).nodes.at("n2").online);
  EXPECT_GT(c.stats().pe_runs, runs);
}

TEST(ControllerTest, CrashedControllerThatDoesNotComeBackIsTakenForDeadAfterTheGrace) {
  SimulatedClock clock;
  LocalCib cib;
  NullExecutor ex;
  Controller c(1, "n1", {.clock = clock, .cib = cib, .executor = ex, .scheduler = simple_schedule, .log = nullptr},
               {.controller_return_grace = std::chrono::milliseconds(3000)});
  c.step(Quorum{true});
  c.step(ClusterNodes{{1, 2, 3}});
  c.step(Membership{{1, 2, 3}, {1, 2, 3}, {}});
  for (NodeId n : {2u, 3u}) {
    c.step(Message{n, "<crmd_join_request node=\"" + std::to_string(n) + "\" name=\"n" + std::to_string(n) +
                          "\" gen=\"1\"><lrm_resources/></crmd_join_request>"});
  }
  c.step(Membership{{1, 3}, {}, {2}});
  EXPECT_TRUE(read_status(cib.cib).nodes.at("n2").online);
  clock.advance(std::chrono::milliseconds(3001));
  c.step(Tick{});
  EXPECT_FALSE(read_status(cib.cib).nodes.at("n2").online);
}

std::optional<std::string> bootstrap(const cib::Cib& cib, const std::string& name) {
  auto found = cib.query("/cib/configuration/crm_config/cluster_property_set[@id='cib-bootstrap-options']/nvpair[@name='" +
                         name + "']");
  if (!found.ok() || found->size() != 1) return std::nullopt;
  return xml::attr_or(found->front(), "value");
}

TEST(ControllerTest, DcWritesDcVersionAndClusterInfrastructureOnlyWhenTheyDiffer) {
  EXPECT_STREQ(dc_version(), CRM_TEST_DC_VERSION);
  SimulatedClock clock;
  LocalCib cib;
  // A CIB last run by the peer: its version is replaced, the set's other properties stay.
  auto old = cib::Cib::parse(R"(<cib admin_epoch="0" epoch="3" num_updates="1" validate-with="pacemaker-3.8">
      <configuration><crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
      <nvpair id="cib-bootstrap-options-dc-version" name="dc-version" value="2.1.5-a3f44794f94"/>
      </cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration><status/></cib>)");
  ASSERT_TRUE(old.ok()) << old.status().to_string();
  cib.cib = std::move(old).value();
  NullExecutor ex;
  Controller c(1, "n1", {.clock = clock, .cib = cib, .executor = ex, .scheduler = simple_schedule, .log = nullptr});
  c.step(Membership{{1}, {1}, {}});  // no quorum yet: the CIB daemons would refuse the change
  EXPECT_EQ(bootstrap(cib.cib, "dc-version"), "2.1.5-a3f44794f94");
  c.step(Quorum{true});
  EXPECT_EQ(bootstrap(cib.cib, "dc-version"), std::string(dc_version()));
  EXPECT_EQ(bootstrap(cib.cib, "cluster-infrastructure"), "corosync");
  EXPECT_EQ(bootstrap(cib.cib, "stonith-enabled"), "false");
  // Already right: a new DC round writes nothing more to crm_config.
  auto crm_config = [&] { return xml::to_string(xml::first_child(cib.cib.configuration(), "crm_config"), false); };
  std::string before = crm_config();
  c.step(Membership{{1, 2}, {2}, {}});
  c.step(Message{2, R"(<crmd_join_request node="2" name="n2" gen="2"><lrm_resources/></crmd_join_request>)"});
  c.step(Quorum{false});
  c.step(Quorum{true});
  EXPECT_EQ(crm_config(), before);
}

// An executor whose history holds a started Dummy and its (now successful) monitor.
class HistoryExecutor : public NullExecutor {
 public:
  Result<std::vector<lrmd::ExecResult>> last_results(const std::string&) override {
    std::vector<lrmd::ExecResult> out;
    for (auto [action, interval, call] : {std::tuple{"start", 0u, 3}, std::tuple{"monitor", 10000u, 6}}) {
      lrmd::ExecResult r;
      r.rsc_id = "d";
      r.action = action;
      r.interval_ms = interval;
      r.call_id = call;
      r.rc = 0;
      r.op_status = lrmd::OpStatus::kDone;
      r.standard = "ocf";
      r.provider = "heartbeat";
      r.type = "Dummy";
      out.push_back(r);
    }
    return out;
  }
};

TEST(ControllerTest, LastFailureOfARecurringMonitorStaysUntilCleanup) {
  SimulatedClock clock;
  LocalCib cib;
  HistoryExecutor ex;
  Controller c(1, "n1", {.clock = clock, .cib = cib, .executor = ex, .scheduler = simple_schedule, .log = nullptr});
  c.step(Quorum{true});
  c.step(Membership{{1}, {1}, {}});
  auto result = [&](const char* op, int interval, int call, int rc) {
    c.step(Message{1, "<crmd_op_result node=\"1\" name=\"n1\" rsc=\"d\" class=\"ocf\" provider=\"heartbeat\" "
                      "type=\"Dummy\" operation=\"" + std::string(op) + "\" interval=\"" + std::to_string(interval) +
                      "\" call-id=\"" + std::to_string(call) + "\" rc-code=\"" + std::to_string(rc) +
                      "\" op-status=\"0\"/>"});
  };
  const std::string failure = "//lrm_resource[@id='d']/lrm_rsc_op[@id='d_last_failure_0']";
  auto count = [&](const std::string& xp) {
    auto r = cib.cib.query(xp);
    return r.ok() ? r->size() : 0;
  };
  result("start", 0, 2, 0);
  result("monitor", 10000, 3, 7);  // the monitor fails
  ASSERT_EQ(count(failure), 1u);
  result("monitor", 10000, 4, 0);  // and later succeeds
  EXPECT_EQ(count(failure), 1u);
  EXPECT_EQ(count("//lrm_rsc_op[@id='d_monitor_10000' and @rc-code='0']"), 1u);
  // The recovery's stop and start drop the recurring result, not the failure.
  result("stop", 0, 5, 0);
  EXPECT_EQ(count("//lrm_rsc_op[@id='d_monitor_10000']"), 0u);
  EXPECT_EQ(count(failure), 1u);
  result("start", 0, 6, 0);
  EXPECT_EQ(count(failure), 1u);
  // A join round rebuilds the node's history from its executor (latest
  // results only): the failure is kept.
  c.step(Membership{{1, 2}, {2}, {}});
  c.step(Message{2, R"(<crmd_join_request node="2" name="n2" gen="2"><lrm_resources/></crmd_join_request>)"});
  EXPECT_EQ(count("/cib/status/node_state[@id='1']//lrm_rsc_op[@id='d_monitor_10000']"), 1u);
  EXPECT_EQ(count(failure), 1u);
  EXPECT_EQ(count(failure + "[@operation_key='d_monitor_10000' and @rc-code='7']"), 1u);
  // Cancelling the monitor leaves it too.
  c.step(Message{1, R"(<crmd_op_result node="1" name="n1" rsc="d" class="ocf" provider="heartbeat" type="Dummy"
      operation="cancel" interval="0" cancel-interval="10000" call-id="7" rc-code="0" op-status="0"/>)"});
  EXPECT_EQ(count("//lrm_rsc_op[@id='d_monitor_10000']"), 0u);
  EXPECT_EQ(count(failure), 1u);
}

}  // namespace
}  // namespace crm::crmd
