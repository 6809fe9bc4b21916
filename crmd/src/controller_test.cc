#include "crm/crmd/controller.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <tuple>

#include "crm/crmd/status_view.h"
#include "wire.h"

namespace crm::crmd {
namespace {

// The controller's log on stderr when CRMD_TEST_LOG is set (to debug a test).
std::function<void(const std::string&)> test_log() {
  if (!std::getenv("CRMD_TEST_LOG")) return nullptr;
  return [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
}

// One controller with its effects carried out in place: CIB writes applied to
// a local CIB (no replication) and answered, executor calls recorded and
// never run, messages kept.
struct Harness {
  explicit Harness(NodeId id, ControllerOptions options = {}, cib::Cib initial = cib::Cib::empty(),
                   Scheduler scheduler = policy_engine())
      : cib(std::move(initial)),
        c(id, "n" + std::to_string(id), {.clock = clock, .scheduler = std::move(scheduler), .log = test_log()}, options) {
    step(CibSnapshot{std::make_shared<const cib::Cib>(cib.copy())});
  }
  // Feeds `input` and then the acknowledgements of the CIB writes it caused,
  // until the controller writes nothing more. Returns the messages sent.
  std::vector<std::string> step(const Input& input) {
    std::vector<std::string> messages;
    std::vector<Input> pending{input};
    while (!pending.empty()) {
      Input in = std::move(pending.front());
      pending.erase(pending.begin());
      Outputs out = c.step(in);
      messages.insert(messages.end(), out.messages.begin(), out.messages.end());
      for (const ExecutorCall& x : out.executor) {
        (x.kind == ExecutorCall::Kind::kExec ? requests : cancels).push_back(x.request);
      }
      fencing.insert(fencing.end(), out.fencing.begin(), out.fencing.end());
      answers.insert(answers.end(), out.tool_answers.begin(), out.tool_answers.end());
      if (out.cib_writes.empty()) continue;
      for (const CibWrite& w : out.cib_writes) {
        auto applied = cib::apply_request(cib, w.request, nullptr);
        done.push_back({w.id, applied.ok() ? Status::Ok() : applied.status()});
      }
      pending.push_back(CibSnapshot{std::make_shared<const cib::Cib>(cib.copy())});
      for (auto& d : done) pending.push_back(d);
      done.clear();
    }
    return messages;
  }
  SimulatedClock clock;
  cib::Cib cib;
  Controller c;
  std::vector<lrmd::ExecRequest> requests, cancels;
  std::vector<FenceRequest> fencing;
  std::vector<ToolAnswer> answers;
  std::vector<CibWriteDone> done;
};

// Members `nodes` answer join offer `gen` with an empty history and the
// harness's CIB version.
void answer_join(Harness& h, std::initializer_list<NodeId> nodes, uint64_t gen) {
  for (NodeId n : nodes) {
    h.step(Message{n, wire::encode(wire::JoinRequest{.node = n, .name = "n" + std::to_string(n), .gen = gen,
                                                     .history_xml = "<lrm_resources/>",
                                                     .cib_version = h.cib.version().to_string()})});
  }
}

// n2's result of ip's stop (call `call_id`, ordered with transition key `key`), as its controller sends it.
Message ip_stopped_on_n2(int call_id, const std::string& key) {
  wire::OpResult done{.node = 2, .name = "n2"};
  done.op = {.rsc_id = "ip", .rsc_class = "ocf", .rsc_provider = "heartbeat", .rsc_type = "IPaddr2",
             .operation = "stop", .interval_ms = 0, .call_id = call_id, .rc = 0, .op_status = 0,
             .transition_key = key};
  return Message{2, wire::encode(done)};
}

TEST(ControllerTest, StateNames) {
  EXPECT_STREQ(state_name(State::kIdle), "S_IDLE");
  EXPECT_STREQ(state_name(State::kNotDc), "S_NOT_DC");
}

TEST(ControllerTest, LoneNodeBecomesDcJoinsItselfAndPlans) {
  Harness h(1);
  EXPECT_EQ(h.c.state(), State::kStarting);
  h.step(Quorum{true});
  auto messages = h.step(Membership{{1}, {1}, {}});
  EXPECT_TRUE(h.c.is_dc());
  EXPECT_EQ(h.c.state(), State::kIdle);
  ASSERT_FALSE(messages.empty());  // the join offer
  StatusView v = read_status(h.cib);
  ASSERT_TRUE(v.nodes.count("n1"));
  EXPECT_TRUE(v.nodes.at("n1").online);
  EXPECT_TRUE(v.nodes.at("n1").in_config);
  EXPECT_EQ(v.dc_uuid, "1");
  EXPECT_GE(h.c.stats().pe_runs, 1u);
}

TEST(ControllerTest, ATicketGrantedOrRevokedByAToolIsPlannedOn) {
  Harness h(1);
  h.step(Quorum{true});
  h.step(Membership{{1}, {1}, {}});
  ASSERT_EQ(h.c.state(), State::kIdle);
  const uint64_t runs = h.c.stats().pe_runs;
  // crm_ticket (or booth) writes the ticket's state, as another client would.
  auto doc = xml::parse("<status><tickets><ticket_state id=\"ticketA\" granted=\"true\"/></tickets></status>");
  ASSERT_TRUE(doc.ok());
  ASSERT_TRUE(h.cib.modify("status", xml::root(*doc), true).ok());
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy())});
  EXPECT_GT(h.c.stats().pe_runs, runs);
  // The same copy again is no reason to plan.
  const uint64_t after = h.c.stats().pe_runs;
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy())});
  EXPECT_EQ(h.c.stats().pe_runs, after);
}

// A plan that costs (a large CIB) is not redone for every CIB change of a
// stream of them: the next one waits as long as the last took. Membership
// changes and results are planned at once whatever the last plan cost.
TEST(ControllerTest, CibChangesWaitOutACostlyPlanButANodeLeavingDoesNot) {
  SimulatedClock* clock_of_harness = nullptr;
  Scheduler real = policy_engine();
  auto costly = [&](const cib::Cib& view, std::time_t now) {
    clock_of_harness->advance(std::chrono::milliseconds(400));
    return real(view, now);
  };
  Harness h(1, {}, cib::Cib::empty(), costly);
  clock_of_harness = &h.clock;
  h.step(Quorum{true});
  h.step(Membership{{1, 2}, {1, 2}, {}});
  answer_join(h, {2}, 1);
  ASSERT_EQ(h.c.state(), State::kIdle);
  auto change = [&](const std::string& value) {
    auto doc = xml::parse("<crm_config><cluster_property_set id=\"o\"><nvpair id=\"o-x\" name=\"x\" value=\"" + value +
                          "\"/></cluster_property_set></crm_config>");
    EXPECT_TRUE(doc.ok());
    EXPECT_TRUE(h.cib.modify("crm_config", xml::root(*doc), true).ok());
    return h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy())});
  };
  const uint64_t runs = h.c.stats().pe_runs;
  change("1");  // the last plan ended just now: this one waits 400 ms
  EXPECT_EQ(h.c.stats().pe_runs, runs);
  auto deadline = h.c.step(Tick{}).deadline;
  ASSERT_TRUE(deadline.has_value());
  EXPECT_EQ(*deadline - h.clock.monotonic_now(), std::chrono::milliseconds(400));
  h.clock.advance(std::chrono::milliseconds(200));
  change("2");  // coalesced with the first
  EXPECT_EQ(h.c.stats().pe_runs, runs);
  h.clock.advance(std::chrono::milliseconds(200));
  h.step(Tick{});
  EXPECT_EQ(h.c.stats().pe_runs, runs + 1);  // one plan for both changes
  // A node leaving is planned on at once, however recent the last plan.
  change("3");
  EXPECT_EQ(h.c.stats().pe_runs, runs + 1);
  h.step(Membership{{1}, {}, {2}});
  EXPECT_EQ(h.c.stats().pe_runs, runs + 2);
}

TEST(ControllerTest, MessagesRoundTripThroughTheWireFormat) {
  wire::ExecOrder order{.target = "n2", .key = "3:0:0:1", .digest = "d", .rsc_id = "ip", .rsc_class = "ocf",
                        .rsc_provider = "heartbeat", .rsc_type = "IPaddr2", .operation = "start",
                        .interval_ms = 0, .timeout_ms = 20000,
                        .attributes = {{"ip", "10.0.0.1 & <x>"}, {"CRM_meta_timeout", "20000"}}};
  auto decoded = wire::decode(wire::encode(order));
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  auto* back = std::get_if<wire::ExecOrder>(&*decoded);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->attributes, order.attributes);
  EXPECT_EQ(back->rsc_provider, "heartbeat");
  EXPECT_EQ(back->timeout_ms, 20000u);
  wire::OpResult result{.node = 2, .name = "n2"};
  result.op = {.rsc_id = "ip", .operation = "cancel", .interval_ms = 0, .call_id = 7, .rc = 0,
               .exit_reason = "a \"reason\""};
  result.cancel_interval_ms = 10000;
  decoded = wire::decode(wire::encode(result));
  ASSERT_TRUE(decoded.ok());
  auto* r = std::get_if<wire::OpResult>(&*decoded);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cancel_interval_ms, 10000u);
  EXPECT_EQ(r->op.exit_reason, "a \"reason\"");
  EXPECT_EQ(r->op.call_id, 7);
  wire::JoinRequest join{.node = 3, .name = "n3", .gen = 9, .history_xml = "<lrm_resources><lrm_resource id=\"x\"/></lrm_resources>"};
  decoded = wire::decode(wire::encode(join));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<wire::JoinRequest>(*decoded).history_xml, join.history_xml);
  // Not XML, unknown, or missing what it needs: an error, never a message.
  EXPECT_FALSE(wire::decode("<crmd_join_offer").ok());
  EXPECT_EQ(wire::decode("<crmd_nonsense/>").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wire::decode("<crmd_exec target=\"n1\"/>").status().code(), StatusCode::kInvalidArgument);
}

TEST(ControllerTest, ToolPingIsAnsweredHereOrRelayedToTheNodeAsked) {
  Harness h(1);
  h.step(Quorum{true});
  h.step(Membership{{1, 2}, {1, 2}, {}});
  h.step(Message{2, wire::encode(wire::JoinRequest{.node = 2, .name = "n2", .gen = 1})});
  // This node: at once, from its own state.
  h.step(ToolPing{.token = 5, .target = "n1"});
  ASSERT_EQ(h.answers.size(), 1u);
  EXPECT_EQ(h.answers[0].token, 5u);
  EXPECT_EQ(h.answers[0].state, state_name(h.c.state()));
  // Another member: a ping on the group, and the answer when its reply comes.
  auto sent = h.step(ToolPing{.token = 6, .target = "n2"});
  ASSERT_EQ(sent.size(), 1u);
  auto ping = wire::decode(sent[0]);
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(std::get<wire::PingRequest>(*ping).target, "n2");
  EXPECT_EQ(std::get<wire::PingRequest>(*ping).from, 1u);
  EXPECT_EQ(h.answers.size(), 1u);
  h.step(Message{2, wire::encode(wire::PingReply{.to = 3, .token = 6, .name = "n2", .state = "S_NOT_DC"})});
  EXPECT_EQ(h.answers.size(), 1u) << "a reply for another node is not ours";
  h.step(Message{2, wire::encode(wire::PingReply{.to = 1, .token = 6, .name = "n2", .state = "S_NOT_DC"})});
  ASSERT_EQ(h.answers.size(), 2u);
  EXPECT_EQ(h.answers[1].state, "S_NOT_DC");
  // A node with no controller in the group: an error, not a wait.
  h.step(ToolPing{.token = 7, .target = "n9"});
  ASSERT_EQ(h.answers.size(), 3u);
  EXPECT_EQ(h.answers[2].status.code(), StatusCode::kNotFound);
  // Asked by another node: this controller replies with its state.
  sent = h.step(Message{2, wire::encode(wire::PingRequest{.from = 2, .token = 1, .target = "n1"})});
  ASSERT_EQ(sent.size(), 1u);
  auto reply = wire::decode(sent[0]);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(std::get<wire::PingReply>(*reply).to, 2u);
  EXPECT_EQ(std::get<wire::PingReply>(*reply).state, state_name(h.c.state()));
}

TEST(ControllerTest, APromoteOrDemoteEndsTheOldRolesMonitorAndReportsItsCancellation) {
  Harness h(2);
  h.step(Membership{{1, 2}, {1, 2}, {}});
  h.step(Message{1, wire::encode(wire::JoinOffer{.dc = 1, .gen = 1})});
  wire::ExecOrder monitor{.target = "n2", .key = "5:0:0:1", .digest = "d", .rsc_id = "db", .rsc_class = "ocf",
                          .rsc_provider = "crm", .rsc_type = "Stateful", .operation = "monitor",
                          .interval_ms = 11000, .timeout_ms = 20000, .attributes = {{"CRM_meta_role", "Unpromoted"}}};
  h.step(Message{1, wire::encode(monitor)});
  wire::ExecOrder promote = monitor;
  promote.key = "6:0:0:1";
  promote.operation = "promote";
  promote.interval_ms = 0;
  promote.attributes.clear();
  auto messages = h.step(Message{1, wire::encode(promote)});
  ASSERT_EQ(h.cancels.size(), 1u);
  EXPECT_EQ(h.cancels[0].interval_ms, 11000u);
  EXPECT_EQ(h.requests.back().action, "promote");
  // The DC hears of the cancellation (it drops that monitor's history), outside the transition.
  ASSERT_EQ(messages.size(), 1u);
  auto decoded = wire::decode(messages[0]);
  ASSERT_TRUE(decoded.ok());
  const auto& cancelled = std::get<wire::OpResult>(*decoded);
  EXPECT_EQ(cancelled.op.operation, "cancel");
  EXPECT_EQ(cancelled.cancel_interval_ms, 11000u);
  EXPECT_TRUE(cancelled.op.transition_key.empty());
  // The promoted role's monitor, then a demote: that one ends too, and a
  // monitor for the new role the transition already started stays.
  monitor.key = "7:0:0:1";
  monitor.interval_ms = 10000;
  monitor.attributes = {{"CRM_meta_role", "Promoted"}};
  h.step(Message{1, wire::encode(monitor)});
  wire::ExecOrder unpromoted_monitor = monitor;
  unpromoted_monitor.key = "8:0:0:1";
  unpromoted_monitor.interval_ms = 11000;
  unpromoted_monitor.attributes = {{"CRM_meta_role", "Unpromoted"}};
  h.step(Message{1, wire::encode(unpromoted_monitor)});
  wire::ExecOrder demote = promote;
  demote.key = "9:0:0:1";
  demote.operation = "demote";
  h.step(Message{1, wire::encode(demote)});
  ASSERT_EQ(h.cancels.size(), 2u);
  EXPECT_EQ(h.cancels[1].interval_ms, 10000u);
}

TEST(ControllerTest, NonDcAnswersTheJoinOfferAndRunsWhatTheDcSends) {
  Harness h(2);
  h.step(Membership{{1, 2}, {1, 2}, {}});
  EXPECT_FALSE(h.c.is_dc());
  EXPECT_EQ(h.c.dc(), 1u);
  auto messages = h.step(Message{1, wire::encode(wire::JoinOffer{.dc = 1, .gen = 1})});
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("crmd_join_request"), std::string::npos);
  EXPECT_EQ(h.c.state(), State::kNotDc);
  wire::ExecOrder start{.target = "n2", .key = "3:0:0:1", .digest = "d", .rsc_id = "ip", .rsc_class = "ocf",
                        .rsc_provider = "heartbeat", .rsc_type = "IPaddr2", .operation = "start",
                        .timeout_ms = 20000, .attributes = {{"CRM_meta_timeout", "20000"}, {"ip", "10.0.0.1"}}};
  h.step(Message{1, wire::encode(start)});
  ASSERT_EQ(h.requests.size(), 1u);
  EXPECT_EQ(h.requests[0].action, "start");
  EXPECT_EQ(h.requests[0].params.at("ip"), "10.0.0.1");
  // An exec from a node that is not the DC is ignored.
  wire::ExecOrder stop = start;
  stop.operation = "stop";
  h.step(Message{2, wire::encode(stop)});
  EXPECT_EQ(h.requests.size(), 1u);
  // A recurring monitor, then a stop: the monitor is cancelled before the stop runs.
  wire::ExecOrder monitor = start;
  monitor.operation = "monitor";
  monitor.interval_ms = 10000;
  h.step(Message{1, wire::encode(monitor)});
  h.step(Message{1, wire::encode(stop)});
  ASSERT_EQ(h.cancels.size(), 1u);
  EXPECT_EQ(h.cancels[0].action, "monitor");
  EXPECT_EQ(h.cancels[0].interval_ms, 10000u);
  ASSERT_EQ(h.requests.size(), 3u);
  EXPECT_EQ(h.requests[2].action, "stop");
  // A request the executor refused comes back as an error result, reported to the DC.
  lrmd::ExecResult refused;
  refused.rsc_id = "ip";
  refused.action = "stop";
  refused.rc = crm::kOcfErrGeneric;
  refused.op_status = crm::ExecStatus::kError;
  refused.exit_reason = "lrmd unreachable";
  messages = h.step(LocalResult{refused});
  ASSERT_EQ(messages.size(), 1u);
  auto decoded = wire::decode(messages[0]);
  ASSERT_TRUE(decoded.ok());
  const auto& reported = std::get<wire::OpResult>(*decoded);
  EXPECT_EQ(reported.op.transition_key, "3:0:0:1");
  EXPECT_EQ(reported.op.op_status, 4);
  EXPECT_EQ(reported.op.exit_reason, "lrmd unreachable");
}

TEST(ControllerTest, EveryEffectIsAnOutputAndNothingHappensUntilItIsAcknowledged) {
  SimulatedClock clock;
  Controller c(1, "n1", {.clock = clock, .scheduler = policy_engine(), .log = nullptr});
  c.step(CibSnapshot{std::make_shared<const cib::Cib>(cib::Cib::empty())});
  c.step(Quorum{true});
  Outputs out = c.step(Membership{{1}, {1}, {}});
  ASSERT_FALSE(out.cib_writes.empty());  // dc-uuid, have-quorum, the node's entries
  ASSERT_TRUE(out.deadline.has_value() || c.state() == State::kIdle);
  // The controller plans from its own writes while they are in flight...
  StatusView v = read_status(c.planning_view());
  ASSERT_TRUE(v.nodes.count("n1"));
  EXPECT_TRUE(v.nodes.at("n1").online);
  // ...and a refused write is dropped from the view at the next snapshot.
  for (const CibWrite& w : out.cib_writes) c.step(CibWriteDone{w.id, invalid_argument("refused")});
  c.step(CibSnapshot{std::make_shared<const cib::Cib>(cib::Cib::empty())});
  EXPECT_FALSE(read_status(c.planning_view()).nodes.count("n1"));
}

TEST(ControllerTest, RestartedDcIsAnsweredAlthoughItCountsJoinOffersFromOneAgain) {
  Harness h(3);
  h.step(Membership{{1, 2, 3}, {1, 2, 3}, {}});
  auto answers = [&](uint64_t gen) {
    auto messages = h.step(Message{1, wire::encode(wire::JoinOffer{.dc = 1, .gen = gen})});
    return messages.size() == 1 && messages[0].find("crmd_join_request") != std::string::npos;
  };
  EXPECT_TRUE(answers(1));
  EXPECT_FALSE(answers(1));  // the same offer twice: answered once
  // n1 dies (n2 takes over) and comes back: it is the DC again, and its
  // offers start from generation 1.
  h.step(Membership{{2, 3}, {}, {1}});
  EXPECT_EQ(h.c.dc(), 2u);
  h.step(Membership{{1, 2, 3}, {1}, {}});
  EXPECT_EQ(h.c.dc(), 1u);
  EXPECT_TRUE(answers(1));
  EXPECT_EQ(h.c.state(), State::kNotDc);
}

std::string join_request(NodeId n, uint64_t gen) {
  return wire::encode(wire::JoinRequest{.node = n, .name = "n" + std::to_string(n), .gen = gen,
                                        .history_xml = "<lrm_resources/>"});
}

TEST(ControllerTest, ARestartedDcDoesNotPlanFromACibCopyOlderThanAMembersCopy) {
  Harness h(1);
  h.step(Quorum{true});
  h.step(Membership{{1, 2}, {1, 2}, {}});
  ASSERT_EQ(h.c.state(), State::kIntegration);
  // The member's copy is newer (it kept running while we were down).
  h.step(Message{2, wire::encode(wire::JoinRequest{.node = 2, .name = "n2", .gen = 1,
                                                   .history_xml = "<lrm_resources/>", .cib_version = "0.50.0"})});
  EXPECT_EQ(h.c.state(), State::kIntegration) << "must wait for the cluster's CIB";
  uint64_t runs = h.c.stats().pe_runs;
  // cibd brings our copy up to date: the join finishes and the DC plans.
  auto newer = cib::Cib::parse(R"(<cib admin_epoch="0" epoch="50" num_updates="3" validate-with="pacemaker-3.8">
      <configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>)");
  ASSERT_TRUE(newer.ok());
  h.cib = std::move(newer).value();
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy())});
  EXPECT_EQ(h.c.state(), State::kIdle);
  EXPECT_GT(h.c.stats().pe_runs, runs);
}

// Partitions that wrote apart merged and the other side's copy won (more
// status updates): it shows our members offline. The DC must not plan from
// it (it would fence them, and itself); it joins its members again, which
// rewrites their status from their executors, and plans after that.
TEST(ControllerTest, ADcWhoseCibWasReplacedByAnotherPartitionsCopyJoinsAgainBeforePlanning) {
  Harness h(1);
  h.step(Quorum{true});
  h.step(Membership{{1, 2}, {1, 2}, {}});
  h.step(Message{2, wire::encode(wire::JoinRequest{.node = 2, .name = "n2", .gen = 1,
                                                   .history_xml = "<lrm_resources/>",
                                                   .cib_version = h.cib.version().to_string()})});
  ASSERT_EQ(h.c.state(), State::kIdle);
  ASSERT_TRUE(read_status(h.cib).nodes.at("n2").online);
  auto theirs = cib::Cib::parse(R"(<cib admin_epoch="0" epoch="90" num_updates="40" validate-with="pacemaker-3.8">
      <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
      <resources/><constraints/></configuration><status>
      <node_state id="1" uname="n1" in_ccm="false" crmd="offline" join="down" expected="member"/>
      <node_state id="2" uname="n2" in_ccm="false" crmd="offline" join="down" expected="member"/>
      </status></cib>)");
  ASSERT_TRUE(theirs.ok()) << theirs.status().to_string();
  h.cib = std::move(theirs).value();
  uint64_t runs = h.c.stats().pe_runs;
  h.step(ClusterNodes{{1, 2, 3}});  // corosync merged first; n3's controller is not a member yet
  auto messages = h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy()), 3});
  EXPECT_EQ(h.c.state(), State::kIntegration);
  EXPECT_EQ(h.c.stats().pe_runs, runs) << "planned from the other partition's copy";
  EXPECT_TRUE(h.fencing.empty());
  bool offered = false;
  for (const auto& m : messages) offered = offered || m.find("crmd_join_offer") != std::string::npos;
  EXPECT_TRUE(offered);
  h.step(Message{2, wire::encode(wire::JoinRequest{.node = 2, .name = "n2", .gen = 2,
                                                   .history_xml = "<lrm_resources/>",
                                                   .cib_version = h.cib.version().to_string()})});
  EXPECT_EQ(h.c.state(), State::kIntegration) << "must wait for n3's controller, which corosync has";
  EXPECT_EQ(h.c.stats().pe_runs, runs);
  h.step(Membership{{1, 2, 3}, {3}, {}});  // a new round with n3
  for (NodeId n : {2u, 3u}) {
    h.step(Message{n, wire::encode(wire::JoinRequest{.node = n, .name = "n" + std::to_string(n), .gen = 3,
                                                     .history_xml = "<lrm_resources/>",
                                                     .cib_version = h.cib.version().to_string()})});
  }
  EXPECT_EQ(h.c.state(), State::kIdle);
  EXPECT_GT(h.c.stats().pe_runs, runs);
  StatusView v = read_status(h.cib);
  EXPECT_TRUE(v.nodes.at("n1").online);
  EXPECT_TRUE(v.nodes.at("n2").online);
  EXPECT_TRUE(v.nodes.at("n3").online);
  EXPECT_TRUE(h.fencing.empty());
}

// A restarted node's own writes raise its copy's num_updates on an old
// lineage, so versions cannot say whether it is the cluster's copy: once the
// CIB daemon reports its sync rounds, the DC plans only after a round that
// includes every member.
TEST(ControllerTest, TheJoinWaitsForTheCibDaemonsToSyncWithEveryMember) {
  Harness h(1);
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy()), 0, std::vector<NodeId>{1}});
  h.step(Quorum{true});
  h.step(Membership{{1, 2}, {1, 2}, {}});
  uint64_t runs = h.c.stats().pe_runs;
  answer_join(h, {2}, 1);
  EXPECT_EQ(h.c.state(), State::kIntegration) << "planned before the CIB daemons synced with n2";
  EXPECT_EQ(h.c.stats().pe_runs, runs);
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy()), 0, std::vector<NodeId>{1, 2}});
  EXPECT_EQ(h.c.state(), State::kIdle);
  EXPECT_GT(h.c.stats().pe_runs, runs);
}

// A node shutting down asks the next DC again when the DC changes: the
// request may have reached only the DC that left (the campaign's
// StopOnebyOne: the next node's request, made as the DC left, was lost and
// the node waited its 60 s shutdown timeout).
TEST(ControllerTest, AShutdownRequestIsRepeatedToANewDc) {
  Harness h(3);
  h.step(Quorum{true});
  h.step(Membership{{1, 2, 3}, {1, 2, 3}, {}});
  auto requests_in = [](const std::vector<std::string>& messages) {
    int n = 0;
    for (const auto& m : messages) {
      auto d = wire::decode(m);
      if (d.ok() && std::holds_alternative<wire::ShutdownRequest>(*d)) ++n;
    }
    return n;
  };
  EXPECT_EQ(requests_in(h.step(ShutdownRequest{})), 1);
  EXPECT_EQ(h.c.state(), State::kStopping);
  EXPECT_EQ(requests_in(h.step(Membership{{2, 3}, {}, {1}})), 1) << "the new DC n2 was not asked";
  EXPECT_EQ(requests_in(h.step(Membership{{2, 3}, {}, {}})), 0) << "asked again without a new DC";
}

// A node cut off alone (its own DC for a while) and merged back by corosync
// announces itself to the DC, whose own membership may never have changed
// (the campaign's PacketLoss, seed 1: n3 waited in S_PENDING forever while
// the DC planned from a status n3 no longer had); the DC joins it.
TEST(ControllerTest, ANodeBackUnderADcAnnouncesItselfAndIsJoined) {
  Harness h3(3);
  h3.step(Quorum{true});
  h3.step(Membership{{1, 2, 3}, {1, 2, 3}, {}});
  h3.step(Membership{{3}, {}, {1, 2}});
  ASSERT_TRUE(h3.c.is_dc());
  auto sent = h3.step(Membership{{1, 2, 3}, {1, 2}, {}});
  int announces = 0;
  for (const auto& m : sent) {
    auto d = wire::decode(m);
    if (d.ok() && std::holds_alternative<wire::JoinRequest>(*d) && std::get<wire::JoinRequest>(*d).gen == 0) ++announces;
  }
  EXPECT_EQ(announces, 1);
  EXPECT_EQ(h3.c.state(), State::kPending);

  Harness dc(1);
  dc.step(CibSnapshot{std::make_shared<const cib::Cib>(dc.cib.copy()), 0, std::vector<NodeId>{1, 2, 3}});
  dc.step(Quorum{true});
  dc.step(Membership{{1, 2, 3}, {1, 2, 3}, {}});
  answer_join(dc, {2, 3}, 1);
  ASSERT_EQ(dc.c.state(), State::kIdle);
  auto offers = dc.step(Message{3, sent.back()});
  EXPECT_EQ(dc.c.state(), State::kIntegration);
  bool offered = false;
  for (const auto& m : offers) {
    auto d = wire::decode(m);
    offered = offered || (d.ok() && std::holds_alternative<wire::JoinOffer>(*d));
  }
  EXPECT_TRUE(offered);
}

// A result a member reports after its join history (which showed the
// operation pending) is not overwritten when the join writes that history
// (sim_bench seed 1167: a stop ordered by the DC of a partition finished
// during the next DC's join; the CIB kept it pending and ip never started).
TEST(ControllerTest, AResultAfterTheJoinHistoryOutlivesTheHistory) {
  Harness h(1);
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy()), 0, std::vector<NodeId>{1}});
  h.step(Quorum{true});
  h.step(Membership{{1, 2}, {1, 2}, {}});
  const std::string pending = R"(<lrm_resources><lrm_resource id="ip" class="ocf" provider="heartbeat" type="IPaddr2">)"
                              R"(<lrm_rsc_op id="ip_last_0" operation_key="ip_stop_0" operation="stop" call-id="-1" )"
                              R"(rc-code="193" op-status="-1" interval="0" transition-key="0:0:0:aaaaaaaa-0000-0000-0000-000000000000" )"
                              R"(on_node="n2"/></lrm_resource></lrm_resources>)";
  h.step(Message{2, wire::encode(wire::JoinRequest{.node = 2, .name = "n2", .gen = 1, .history_xml = pending,
                                                   .cib_version = h.cib.version().to_string()})});
  ASSERT_EQ(h.c.state(), State::kIntegration);  // waiting for the CIB daemons' sync with n2
  h.step(ip_stopped_on_n2(7, "0:0:0:aaaaaaaa-0000-0000-0000-000000000000"));
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy()), 0, std::vector<NodeId>{1, 2}});
  ASSERT_NE(h.c.state(), State::kIntegration);
  auto rc = h.cib.query("//node_state[@id='2']/lrm/lrm_resources/lrm_resource[@id='ip']/lrm_rsc_op[@id='ip_last_0']");
  ASSERT_TRUE(rc.ok()) << rc.status().to_string();
  ASSERT_EQ(rc->size(), 1u);
  EXPECT_EQ(xml::attr_or((*rc)[0], "rc-code"), "0") << "the stop's result was overwritten by the pending entry";
  EXPECT_EQ(xml::attr_or((*rc)[0], "call-id"), "7");
}

// A one-shot result that no transition of this DC waits for (ordered by a
// DC before it) makes the DC plan again: it changed where something runs.
TEST(ControllerTest, AResultFromAnEarlierDcsTransitionIsPlannedOn) {
  Harness h(1);
  h.step(Quorum{true});
  h.step(Membership{{1, 2}, {1, 2}, {}});
  answer_join(h, {2}, 1);
  ASSERT_EQ(h.c.state(), State::kIdle);
  uint64_t runs = h.c.stats().pe_runs;
  h.step(ip_stopped_on_n2(9, "3:0:0:bbbbbbbb-0000-0000-0000-000000000000"));
  EXPECT_GT(h.c.stats().pe_runs, runs) << "a stop nobody here ordered changed nothing in the plan";
}

// A member leaves while the DC's join waits (here for the CIB daemons to
// sync with n2): the DC joins the remaining members again instead of
// planning from the unjoined view. (Found by the campaign, StopOnebyOne
// seed 2: the DC planned from the last leaver's copy it had just taken,
// where its own node looked lost, and asked for its own fencing.)
TEST(ControllerTest, AMemberLeavingDuringTheJoinRestartsItInsteadOfPlanning) {
  Harness h(1);
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy()), 0, std::vector<NodeId>{1}});
  h.step(Quorum{true});
  h.step(Membership{{1, 2, 3}, {1, 2, 3}, {}});
  answer_join(h, {2, 3}, 1);
  ASSERT_EQ(h.c.state(), State::kIntegration);
  uint64_t runs = h.c.stats().pe_runs;
  h.step(Membership{{1, 2}, {}, {3}});
  EXPECT_EQ(h.c.state(), State::kIntegration) << "planned from a join that never finished";
  EXPECT_EQ(h.c.stats().pe_runs, runs);
  answer_join(h, {2}, 2);
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy()), 0, std::vector<NodeId>{1, 2}});
  EXPECT_EQ(h.c.state(), State::kIdle);
  EXPECT_GT(h.c.stats().pe_runs, runs);
}

// Alone as DC (its partner was fenced), the rebooted partner's copy wins
// the merge and shows it online before its controller is a member: the DC
// must wait for it, not take it for a lost node and fence it again.
TEST(ControllerTest, ADcAloneWhoseCibWasReplacedWaitsForTheNodeCorosyncHas) {
  Harness h(1);
  h.step(Quorum{true});
  h.step(Membership{{1}, {1}, {}});
  ASSERT_EQ(h.c.state(), State::kIdle);
  h.step(ClusterNodes{{1, 2}});
  auto theirs = cib::Cib::parse(R"(<cib admin_epoch="0" epoch="90" num_updates="40" validate-with="pacemaker-3.8">
      <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
      <resources/><constraints/></configuration><status>
      <node_state id="1" uname="n1" in_ccm="false" crmd="offline" join="down" expected="member"/>
      <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
      </status></cib>)");
  ASSERT_TRUE(theirs.ok()) << theirs.status().to_string();
  h.cib = std::move(theirs).value();
  h.step(CibSnapshot{std::make_shared<const cib::Cib>(h.cib.copy()), 2});
  EXPECT_EQ(h.c.state(), State::kIntegration);
  EXPECT_TRUE(h.fencing.empty()) << "fenced the node whose controller is about to join";
  h.step(Membership{{1, 2}, {2}, {}});
  h.step(Message{2, wire::encode(wire::JoinRequest{.node = 2, .name = "n2", .gen = 3,
                                                   .history_xml = "<lrm_resources/>",
                                                   .cib_version = h.cib.version().to_string()})});
  EXPECT_EQ(h.c.state(), State::kIdle);
  EXPECT_TRUE(h.fencing.empty());
  EXPECT_TRUE(read_status(h.cib).nodes.at("n2").online);
}

TEST(ControllerTest, AStaleCibCopyDelaysTheJoinOnlyUntilItsDeadline) {
  Harness h(1, {.join_timeout = std::chrono::milliseconds(2000)});
  h.step(Quorum{true});
  h.step(Membership{{1, 2}, {1, 2}, {}});
  h.step(Message{2, wire::encode(wire::JoinRequest{.node = 2, .name = "n2", .gen = 1,
                                                   .history_xml = "<lrm_resources/>", .cib_version = "0.50.0"})});
  EXPECT_EQ(h.c.state(), State::kIntegration);
  h.clock.advance(std::chrono::milliseconds(2001));
  h.step(Tick{});
  EXPECT_EQ(h.c.state(), State::kIdle);
}

TEST(ControllerTest, AloneAtStartItWaitsDcDeadtimeUnlessTheOthersShowUp) {
  auto two = cib::Cib::parse(R"(<cib admin_epoch="0" epoch="3" num_updates="1" validate-with="pacemaker-3.8">
      <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
      <resources/><constraints/></configuration><status/></cib>)");
  ASSERT_TRUE(two.ok());
  Harness h(1, {}, std::move(two).value());
  h.step(Membership{{1}, {1}, {}});
  EXPECT_EQ(h.c.state(), State::kPending);
  ASSERT_TRUE(h.c.next_deadline().has_value());
  h.clock.advance(std::chrono::milliseconds(300));
  h.step(Membership{{1, 2}, {2}, {}});  // n2 shows up: the election runs at once
  EXPECT_TRUE(h.c.is_dc());
  EXPECT_EQ(h.c.state(), State::kIntegration);
}

TEST(ControllerTest, ANodeReportedFencedWhileItRunsLeavesAndStaysOut) {
  Harness h(2);
  h.step(Membership{{1, 2}, {1, 2}, {}});
  Outputs out = h.c.step(FenceEvent{.target = "n1"});  // someone else: nothing for a non-DC to do
  EXPECT_FALSE(out.exit);
  out = h.c.step(FenceEvent{.target = "n2"});  // us, alive (fence-reaction=stop, the default)
  EXPECT_TRUE(out.exit);
  EXPECT_EQ(out.exit_code, 100);
  EXPECT_EQ(h.c.state(), State::kStopped);
}

TEST(ControllerTest, DcMarksNodesItsCibShowsOnlineButAreNotMembersDown) {
  auto stale = cib::Cib::parse(R"(<cib admin_epoch="0" epoch="3" num_updates="1" validate-with="pacemaker-3.8">
      <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
      <resources/><constraints/></configuration><status>
      <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
      <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
      </status></cib>)");
  ASSERT_TRUE(stale.ok()) << stale.status().to_string();
  Harness h(1, {}, std::move(stale).value());
  h.step(Membership{{1}, {1}, {}});  // restarted alone: n2 is not a member
  // Alone with two nodes configured: dc-deadtime (20 s) before acting as DC
  // on this copy, in case the others are only slower to start.
  EXPECT_EQ(h.c.state(), State::kPending);
  EXPECT_FALSE(h.c.is_dc());
  EXPECT_TRUE(read_status(h.cib).nodes.at("n2").online);
  h.clock.advance(std::chrono::milliseconds(20001));
  h.step(Tick{});
  EXPECT_TRUE(h.c.is_dc());
  StatusView v = read_status(h.cib);
  EXPECT_TRUE(v.nodes.at("n1").online);
  EXPECT_FALSE(v.nodes.at("n2").online);
}

TEST(ControllerTest, CrashedControllerOnALiveNodeIsNotTakenForDeadUntilCorosyncDropsTheNode) {
  Harness h(1);
  h.step(Quorum{true});
  h.step(ClusterNodes{{1, 2, 3}});
  h.step(Membership{{1}, {1}, {}});
  h.step(Membership{{1, 2, 3}, {2, 3}, {}});
  for (NodeId n : {2u, 3u}) h.step(Message{n, join_request(n, 2)});
  ASSERT_TRUE(read_status(h.cib).nodes.at("n2").online);
  uint64_t runs = h.c.stats().pe_runs;
  // n2's controller leaves; corosync still has n2: no recovery, no planning.
  h.step(Membership{{1, 3}, {}, {2}});
  EXPECT_TRUE(read_status(h.cib).nodes.at("n2").online);
  EXPECT_EQ(h.c.stats().pe_runs, runs);
  ASSERT_TRUE(h.c.next_deadline().has_value());
  // corosync drops n2 as well: down, and the DC plans.
  h.step(ClusterNodes{{1, 3}});
  EXPECT_FALSE(read_status(h.cib).nodes.at("n2").online);
  EXPECT_GT(h.c.stats().pe_runs, runs);
}

TEST(ControllerTest, CrashedControllerThatDoesNotComeBackIsTakenForDeadAfterTheGrace) {
  Harness h(1, {.controller_return_grace = std::chrono::milliseconds(3000)});
  h.step(Quorum{true});
  h.step(ClusterNodes{{1, 2, 3}});
  h.step(Membership{{1, 2, 3}, {1, 2, 3}, {}});
  for (NodeId n : {2u, 3u}) h.step(Message{n, join_request(n, 1)});
  h.step(Membership{{1, 3}, {}, {2}});
  EXPECT_TRUE(read_status(h.cib).nodes.at("n2").online);
  h.clock.advance(std::chrono::milliseconds(3001));
  h.step(Tick{});
  EXPECT_FALSE(read_status(h.cib).nodes.at("n2").online);
}

std::optional<std::string> bootstrap(const cib::Cib& cib, const std::string& name) {
  auto found = cib.query("/cib/configuration/crm_config/cluster_property_set[@id='cib-bootstrap-options']/nvpair[@name='" +
                         name + "']");
  if (!found.ok() || found->size() != 1) return std::nullopt;
  return xml::attr_or(found->front(), "value");
}

TEST(ControllerTest, DcWritesDcVersionAndClusterInfrastructureOnlyWhenTheyDiffer) {
  EXPECT_STREQ(dc_version(), CRM_TEST_DC_VERSION);
  // A CIB last run by the peer: its version is replaced, the set's other
  // properties stay (stonith-enabled=false is just such a property here;
  // nothing is fenced in this test).
  auto old = cib::Cib::parse(R"(<cib admin_epoch="0" epoch="3" num_updates="1" validate-with="pacemaker-3.8">
      <configuration><crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
      <nvpair id="cib-bootstrap-options-dc-version" name="dc-version" value="2.1.5-a3f44794f94"/>
      </cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration><status/></cib>)");
  ASSERT_TRUE(old.ok()) << old.status().to_string();
  Harness h(1, {}, std::move(old).value());
  h.step(Membership{{1}, {1}, {}});  // no quorum yet: the CIB daemons would refuse the change
  EXPECT_EQ(bootstrap(h.cib, "dc-version"), "2.1.5-a3f44794f94");
  h.step(Quorum{true});
  EXPECT_EQ(bootstrap(h.cib, "dc-version"), std::string(dc_version()));
  EXPECT_EQ(bootstrap(h.cib, "cluster-infrastructure"), "corosync");
  EXPECT_EQ(bootstrap(h.cib, "stonith-enabled"), "false");
  // Already right: a new DC round writes nothing more to crm_config.
  auto crm_config = [&] { return xml::to_string(xml::first_child(h.cib.configuration(), "crm_config"), false); };
  std::string before = crm_config();
  h.step(Membership{{1, 2}, {2}, {}});
  h.step(Message{2, join_request(2, 2)});
  h.step(Quorum{false});
  h.step(Quorum{true});
  EXPECT_EQ(crm_config(), before);
}

// no-quorum-policy=suicide as the peer's: a partition that held quorum and
// lost it fences itself; one that never had quorum (a node starting alone)
// only stops. The controller tells its scheduler which (no-quorum-panic).
cib::Cib suicide_cib() {
  auto c = cib::Cib::parse(R"(<cib admin_epoch="0" epoch="3" num_updates="1" validate-with="pacemaker-3.8">
      <configuration><crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="o1" name="stonith-enabled" value="true"/>
      <nvpair id="o2" name="no-quorum-policy" value="suicide"/>
      </cluster_property_set></crm_config><nodes/>
      <resources><primitive id="fd" class="stonith" type="fence_dummy"/></resources>
      <constraints/></configuration><status/></cib>)");
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return std::move(c).value();
}

// A lone DC's round trip: its broadcasts come back to it (as CPG delivers
// them), its executor requests are answered as a quiet node would answer
// them (probes find nothing, the rest succeeds, recurring monitors go on),
// and the results it broadcasts come back too, until nothing more is sent.
void run_locally(Harness& h, std::vector<std::string> messages) {
  size_t answered = h.requests.size();
  for (int round = 0; round < 50 && !messages.empty(); ++round) {
    std::vector<std::string> next;
    for (const auto& m : messages) {
      auto more = h.step(Message{1, m});
      next.insert(next.end(), more.begin(), more.end());
    }
    for (; answered < h.requests.size(); ++answered) {
      const lrmd::ExecRequest req = h.requests[answered];
      if (req.interval_ms != 0) continue;
      lrmd::ExecResult r;
      r.rsc_id = req.rsc_id;
      r.action = req.action;
      r.call_id = static_cast<int>(answered) + 1;
      r.rc = req.action == "monitor" ? crm::kOcfNotRunning : crm::kOcfOk;
      r.op_status = crm::ExecStatus::kDone;
      r.standard = req.standard;
      r.provider = req.provider;
      r.type = req.type;
      auto more = h.step(LocalResult{r});
      next.insert(next.end(), more.begin(), more.end());
    }
    messages = std::move(next);
  }
}

bool fences(const Harness& h, const std::string& target) {
  return std::any_of(h.fencing.begin(), h.fencing.end(), [&](const FenceRequest& f) { return f.target == target; });
}

TEST(ControllerTest, SuicideFencesItselfOnlyAfterLosingQuorumItHeld) {
  Harness h(1, {}, suicide_cib());
  std::vector<std::string> sent;
  auto keep = [&](std::vector<std::string> m) { sent.insert(sent.end(), m.begin(), m.end()); };
  keep(h.step(Quorum{true}));
  keep(h.step(ClusterNodes{{1, 2, 3}}));
  keep(h.step(Membership{{1, 2, 3}, {1, 2, 3}, {}}));
  for (NodeId n : {2u, 3u}) keep(h.step(Message{n, join_request(n, 1)}));
  run_locally(h, sent);  // n2's and n3's probes stay in flight: they go with the nodes
  EXPECT_FALSE(fences(h, "n1"));
  // Cut off from the others: no quorum any more, so it fences itself.
  h.step(Quorum{false});
  h.step(ClusterNodes{{1}});
  h.step(Membership{{1}, {}, {2, 3}});
  h.clock.advance(std::chrono::milliseconds(1000));
  h.step(Tick{});
  EXPECT_TRUE(fences(h, "n1")) << h.fencing.size() << " fencing requests";
}

TEST(ControllerTest, SuicideIsNotTakenByANodeThatNeverHadQuorum) {
  Harness h(1, {}, suicide_cib());
  h.step(ClusterNodes{{1}});
  h.step(Membership{{1}, {1}, {}});
  h.step(Quorum{false});
  h.clock.advance(std::chrono::milliseconds(30000));  // past dc-deadtime
  h.step(Tick{});
  EXPECT_GT(h.c.stats().pe_runs, 0u);
  EXPECT_FALSE(fences(h, "n1"));
}

// A completed operation of the Dummy "d" as the executor reports it.
lrmd::ExecResult dummy_result(const char* action, uint32_t interval_ms, int call_id, int rc) {
  lrmd::ExecResult r;
  r.rsc_id = "d";
  r.action = action;
  r.interval_ms = interval_ms;
  r.call_id = call_id;
  r.rc = rc;
  r.op_status = crm::ExecStatus::kDone;
  r.standard = "ocf";
  r.provider = "heartbeat";
  r.type = "Dummy";
  return r;
}

TEST(ControllerTest, LastFailureOfARecurringMonitorStaysUntilCleanup) {
  Harness h(1);
  // The executor's history: a started Dummy and its (now successful) monitor.
  ExecutorHistory history;
  for (auto [action, interval, call] : {std::tuple{"start", 0u, 3}, std::tuple{"monitor", 10000u, 6}})
    history.last_results.push_back(dummy_result(action, interval, call, 0));
  h.step(history);
  h.step(Quorum{true});
  h.step(Membership{{1}, {1}, {}});
  auto result = [&](const char* op, long interval, int call, int rc) {
    wire::OpResult m{.node = 1, .name = "n1"};
    m.op = {.rsc_id = "d", .rsc_class = "ocf", .rsc_provider = "heartbeat", .rsc_type = "Dummy", .operation = op,
            .interval_ms = interval, .call_id = call, .rc = rc, .op_status = 0};
    if (std::string(op) == "cancel") m.cancel_interval_ms = 10000;
    h.step(Message{1, wire::encode(m)});
  };
  const std::string failure = "//lrm_resource[@id='d']/lrm_rsc_op[@id='d_last_failure_0']";
  auto count = [&](const std::string& xp) {
    auto r = h.cib.query(xp);
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
  h.step(Membership{{1, 2}, {2}, {}});
  h.step(Message{2, join_request(2, 2)});
  EXPECT_EQ(count("/cib/status/node_state[@id='1']//lrm_rsc_op[@id='d_monitor_10000']"), 1u);
  EXPECT_EQ(count(failure), 1u);
  EXPECT_EQ(count(failure + "[@operation_key='d_monitor_10000' and @rc-code='7']"), 1u);
  // Cancelling the monitor leaves it too.
  result("cancel", 0, 7, 0);
  EXPECT_EQ(count("//lrm_rsc_op[@id='d_monitor_10000']"), 0u);
  EXPECT_EQ(count(failure), 1u);
}

// A CIB with `resources` Dummy primitives and these cib-bootstrap-options.
// Fencing off: a lone node without a fence device, and what is counted is the
// probes the transition engine lets out; fencing is never throttled, which
// tengine's FencingNeverWaitsForASlot shows.
cib::Cib cib_with_dummies(int resources, const std::string& options) {
  std::string xml =
      "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" validate-with=\"pacemaker-3.9\"><configuration>"
      "<crm_config><cluster_property_set id=\"cib-bootstrap-options\">"
      "<nvpair id=\"o-stonith\" name=\"stonith-enabled\" value=\"false\"/>" + options +
      "</cluster_property_set></crm_config><nodes/><resources>";
  for (int i = 1; i <= resources; ++i) {
    xml += "<primitive id=\"d" + std::to_string(i) + "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>";
  }
  xml += "</resources><constraints/></configuration><status/></cib>";
  auto cib = cib::Cib::parse(xml, "test CIB");
  EXPECT_TRUE(cib.ok()) << cib.status().to_string();
  return std::move(cib).value();
}

// How many executor orders (crmd_exec) the DC sent as a lone node planning
// five probes under these options, and how many the engine held back.
std::pair<size_t, size_t> orders_sent(const std::string& options, int cores) {
  Harness h(1, ControllerOptions{.cores = cores}, cib_with_dummies(5, options));
  h.step(Quorum{true});
  auto messages = h.step(Membership{{1}, {1}, {}});
  size_t orders = 0;
  for (const auto& m : messages) orders += m.find("<crmd_exec") != std::string::npos ? 1 : 0;
  EXPECT_NE(h.c.transition(), nullptr);
  return {orders, h.c.transition() ? h.c.transition()->throttled() : 0};
}

TEST(ControllerTest, TheTransitionHonoursBatchLimitAndNodeActionLimit) {
  auto nvpair = [](const char* name, const char* value) {
    return std::string("<nvpair id=\"o-") + name + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
  };
  // batch-limit across the cluster.
  EXPECT_EQ(orders_sent(nvpair("batch-limit", "2") + nvpair("node-action-limit", "10"), 4), std::make_pair(2ul, 3ul));
  // node-action-limit per node.
  EXPECT_EQ(orders_sent(nvpair("node-action-limit", "3"), 4), std::make_pair(3ul, 2ul));
  // Neither set: twice the cores per node, as the peer.
  EXPECT_EQ(orders_sent("", 2), std::make_pair(4ul, 1ul));
  EXPECT_EQ(orders_sent("", 4), std::make_pair(5ul, 0ul));
}

TEST(ControllerTest, NotificationResultsLeaveNoHistory) {
  Harness h(1);
  // The executor's history: a started Dummy, then a (failed) notification.
  ExecutorHistory history;
  for (auto [action, call, rc] : {std::tuple{"start", 3, 0}, std::tuple{"notify", 4, 1}})
    history.last_results.push_back(dummy_result(action, 0, call, rc));
  h.step(history);
  h.step(Quorum{true});
  h.step(Membership{{1}, {1}, {}});
  auto count = [&](const std::string& xp) {
    auto r = h.cib.query(xp);
    return r.ok() ? r->size() : 0;
  };
  auto result = [&](const char* op, int call, int rc) {
    wire::OpResult m{.node = 1, .name = "n1"};
    m.op = {.rsc_id = "d", .rsc_class = "ocf", .rsc_provider = "heartbeat", .rsc_type = "Dummy", .operation = op,
            .interval_ms = 0, .call_id = call, .rc = rc, .op_status = 0};
    h.step(Message{1, wire::encode(m)});
  };
  result("start", 5, 0);
  result("notify", 6, 1);
  // The start stays the resource's last operation; no failure, no fail count.
  EXPECT_EQ(count("//lrm_rsc_op[@id='d_last_0' and @operation='start']"), 1u);
  EXPECT_EQ(count("//lrm_rsc_op[@operation='notify']"), 0u);
  EXPECT_EQ(count("//lrm_rsc_op[@id='d_last_failure_0']"), 0u);
  EXPECT_EQ(count("//nvpair[starts-with(@name, 'fail-count-d')]"), 0u);
  // Nor does a join round bring the notification back from the executor.
  h.step(Membership{{1, 2}, {2}, {}});
  h.step(Message{2, join_request(2, 2)});
  EXPECT_EQ(count("/cib/status/node_state[@id='1']//lrm_rsc_op[@id='d_last_0' and @operation='start']"), 1u);
  EXPECT_EQ(count("//lrm_rsc_op[@operation='notify']"), 0u);
}

}  // namespace
}  // namespace crm::crmd
