#include "crm/cluster/simulated.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace crm::cluster {
namespace {

// Records everything one endpoint delivers, as text lines.
struct Recorder {
  std::unique_ptr<GroupTransport> t;
  std::vector<std::string> log;
  std::vector<MembershipChange> changes;
  int lost = 0;

  void attach() {
    t->on_message = [this](NodeId from, std::string_view m) {
      log.push_back("msg " + std::to_string(from) + " " + std::string(m));
    };
    t->on_membership = [this](const MembershipChange& c) {
      changes.push_back(c);
      std::string s = "conf";
      for (NodeId n : c.members) s += " " + std::to_string(n);
      log.push_back(s);
    };
    t->on_lost = [this](const Status&) { ++lost; };
  }
};

// Heap-allocated: the callbacks capture the recorder's address.
std::unique_ptr<Recorder> join(SimulatedNetwork& net, NodeId n, const std::string& g) {
  auto r = std::make_unique<Recorder>();
  auto t = net.join(n, g);
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  r->t = std::move(t).value();
  r->attach();
  return r;
}

std::vector<std::string> messages_only(const std::vector<std::string>& log) {
  std::vector<std::string> out;
  for (const auto& l : log) {
    if (l.rfind("msg ", 0) == 0) out.push_back(l);
  }
  return out;
}

// A killed node's messages reach every survivor or none: kDrop loses those
// no survivor has delivered, kDeliver keeps them, and a message one survivor
// already delivered reaches the others even under kDrop.
TEST(SimulatedNetworkTest, AKilledSendersMessagesReachAllSurvivorsOrNone) {
  for (auto mode : {SimulatedNetwork::InFlight::kDrop, SimulatedNetwork::InFlight::kDeliver}) {
    SimulatedNetwork net({1, 2, 3}, {.seed = 3, .reorder = false});
    auto a = join(net, 1, "g");
    auto b = join(net, 2, "g");
    auto c = join(net, 3, "g");
    net.deliver_all();
    ASSERT_TRUE(a->t->send("first").ok());
    EXPECT_EQ(net.pending_from(1), 1u);
    // "first" reaches node 1 itself and node 2, not yet node 3.
    while (messages_only(b->log).empty()) ASSERT_TRUE(net.step());
    ASSERT_TRUE(messages_only(c->log).empty());
    ASSERT_TRUE(a->t->send("second").ok());  // nobody has it yet
    EXPECT_EQ(net.pending_from(1), 2u);
    net.kill(1, mode);
    net.deliver_all();
    const bool dropped = mode == SimulatedNetwork::InFlight::kDrop;
    std::vector<std::string> want = {"msg 1 first"};
    if (!dropped) want.push_back("msg 1 second");
    EXPECT_EQ(messages_only(b->log), want);
    EXPECT_EQ(messages_only(c->log), want);  // "first" though node 1 died: node 2 had it
    EXPECT_EQ(net.pending_from(1), 0u);
  }
}

TEST(SimulatedNetworkTest, JoinAndSendDeliversToAllIncludingSender) {
  SimulatedNetwork net({1, 2, 3});
  auto a = join(net, 1, "g");
  auto b = join(net, 2, "g");
  ASSERT_TRUE(a->t->send("hello").ok());
  net.deliver_all();
  EXPECT_EQ(a->log, (std::vector<std::string>{"conf 1", "conf 1 2", "msg 1 hello"}));
  EXPECT_EQ(b->log, (std::vector<std::string>{"conf 1 2", "msg 1 hello"}));
  ASSERT_EQ(b->changes.size(), 1u);
  EXPECT_EQ(b->changes[0].joined, (std::vector<NodeId>{2}));
  EXPECT_EQ(a->changes[1].joined, (std::vector<NodeId>{2}));
  EXPECT_EQ(a->t->local_node(), 1u);
  EXPECT_EQ(net.pending(), 0u);
}

TEST(SimulatedNetworkTest, GroupsAreSeparate) {
  SimulatedNetwork net({1, 2});
  auto a = join(net, 1, "cib");
  auto b = join(net, 2, "crmd");
  ASSERT_TRUE(a->t->send("x").ok());
  net.deliver_all();
  EXPECT_EQ(messages_only(b->log).size(), 0u);
  EXPECT_EQ(messages_only(a->log).size(), 1u);
}

TEST(SimulatedNetworkTest, TotalOrderAcrossMembersForManySeeds) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SimulatedNetwork net({1, 2, 3}, {.seed = seed});
    std::vector<std::unique_ptr<Recorder>> r;
    for (NodeId n = 1; n <= 3; ++n) r.push_back(join(net, n, "g"));
    net.deliver_all();
    // Senders interleave with partial delivery; callbacks also send replies.
    r[1]->t->on_message = [&](NodeId from, std::string_view m) {
      r[1]->log.push_back("msg " + std::to_string(from) + " " + std::string(m));
      if (from == 1 && m.size() < 8) (void)r[1]->t->send(std::string(m) + "-re");
    };
    for (int i = 0; i < 30; ++i) {
      for (auto& x : r) ASSERT_TRUE(x->t->send("m" + std::to_string(i)).ok());
      for (int s = 0; s < i % 4; ++s) net.step();
    }
    net.deliver_all();
    auto ref = messages_only(r[0]->log);
    EXPECT_EQ(ref.size(), 90u + 30u) << "seed " << seed;
    for (auto& x : r) EXPECT_EQ(messages_only(x->log), ref) << "seed " << seed;
  }
}

TEST(SimulatedNetworkTest, SameSeedSameInterleavingAcrossGroups) {
  auto run = [](uint64_t seed) {
    SimulatedNetwork net({1, 2}, {.seed = seed});
    std::vector<std::string> trace;
    auto a = net.join(1, "a").value();
    auto b = net.join(2, "b").value();
    a->on_message = [&](NodeId, std::string_view m) { trace.push_back("a:" + std::string(m)); };
    b->on_message = [&](NodeId, std::string_view m) { trace.push_back("b:" + std::string(m)); };
    for (int i = 0; i < 20; ++i) {
      (void)a->send(std::to_string(i));
      (void)b->send(std::to_string(i));
    }
    net.deliver_all();
    return trace;
  };
  EXPECT_EQ(run(7), run(7));
  bool differs = false;
  for (uint64_t s = 8; s < 20 && !differs; ++s) differs = run(s) != run(7);
  EXPECT_TRUE(differs) << "the seed should change how groups interleave";
}

TEST(SimulatedNetworkTest, FifoModeDeliversInSendOrder) {
  SimulatedNetwork net({1, 2}, {.seed = 3, .reorder = false});
  std::vector<std::string> trace;
  auto a = net.join(1, "a").value();
  auto b = net.join(2, "b").value();
  net.deliver_all();
  a->on_message = [&](NodeId, std::string_view m) { trace.push_back("a:" + std::string(m)); };
  b->on_message = [&](NodeId, std::string_view m) { trace.push_back("b:" + std::string(m)); };
  (void)a->send("1");
  (void)b->send("2");
  (void)a->send("3");
  net.deliver_all();
  EXPECT_EQ(trace, (std::vector<std::string>{"a:1", "b:2", "a:3"}));
}

TEST(SimulatedNetworkTest, PartitionSplitsMembershipAndQuorumThenHeals) {
  SimulatedNetwork net({1, 2, 3});
  std::vector<std::unique_ptr<Recorder>> r;
  for (NodeId n = 1; n <= 3; ++n) r.push_back(join(net, n, "g"));
  auto q1 = net.watch_quorum(1).value();
  auto q3 = net.watch_quorum(3).value();
  std::vector<bool> q1_changes;
  q1->on_change = [&](bool q) { q1_changes.push_back(q); };
  net.deliver_all();
  EXPECT_TRUE(q1->quorate());
  EXPECT_EQ(q1->members(), (std::vector<NodeId>{1, 2, 3}));

  net.partition({{1}, {2, 3}});
  EXPECT_FALSE(net.quorate(1));
  EXPECT_TRUE(net.quorate(2));
  EXPECT_TRUE(q1->quorate()) << "not delivered yet";
  net.deliver_all();
  EXPECT_FALSE(q1->quorate());
  EXPECT_EQ(q1_changes, (std::vector<bool>{false}));
  EXPECT_TRUE(q3->quorate());
  EXPECT_EQ(q3->members(), (std::vector<NodeId>{2, 3}));
  EXPECT_EQ(r[0]->changes.back().members, (std::vector<NodeId>{1}));
  EXPECT_EQ(r[0]->changes.back().left, (std::vector<NodeId>{2, 3}));
  EXPECT_EQ(r[1]->changes.back().left, (std::vector<NodeId>{1}));

  // The minority's messages stay on its side.
  ASSERT_TRUE(r[0]->t->send("minority").ok());
  ASSERT_TRUE(r[2]->t->send("majority").ok());
  net.deliver_all();
  EXPECT_EQ(messages_only(r[0]->log), (std::vector<std::string>{"msg 1 minority"}));
  EXPECT_EQ(messages_only(r[1]->log), (std::vector<std::string>{"msg 3 majority"}));

  net.heal();
  net.deliver_all();
  EXPECT_TRUE(q1->quorate());
  EXPECT_EQ(q1_changes, (std::vector<bool>{false, true}));
  EXPECT_EQ(r[0]->changes.back().joined, (std::vector<NodeId>{2, 3}));
  EXPECT_EQ(r[2]->changes.back().joined, (std::vector<NodeId>{1}));
  for (auto& x : r) EXPECT_EQ(x->changes.back().members, (std::vector<NodeId>{1, 2, 3}));
}

TEST(SimulatedNetworkTest, InFlightMessagesReachSurvivorsBeforeTheChange) {
  SimulatedNetwork net({1, 2, 3});
  std::vector<std::unique_ptr<Recorder>> r;
  for (NodeId n = 1; n <= 3; ++n) r.push_back(join(net, n, "g"));
  net.deliver_all();
  ASSERT_TRUE(r[0]->t->send("before").ok());
  net.isolate(3);
  net.deliver_all();
  // Both sides deliver "before" in the old view, then the change.
  for (auto& x : r) {
    ASSERT_GE(x->log.size(), 2u);
    EXPECT_EQ(x->log[x->log.size() - 2], "msg 1 before");
  }
  EXPECT_EQ(r[0]->log.back(), "conf 1 2");
  EXPECT_EQ(r[2]->log.back(), "conf 3");
}

TEST(SimulatedNetworkTest, UnlistedNodesAreIsolated) {
  SimulatedNetwork net({1, 2, 3, 4, 5});
  net.partition({{1, 2, 3}});
  EXPECT_EQ(net.component_of(1), (std::vector<NodeId>{1, 2, 3}));
  EXPECT_EQ(net.component_of(4), (std::vector<NodeId>{4}));
  EXPECT_TRUE(net.quorate(1));
  EXPECT_FALSE(net.quorate(5));
}

TEST(SimulatedNetworkTest, KillSilencesNodeAndOthersSeeItLeave) {
  SimulatedNetwork net({1, 2, 3});
  std::vector<std::unique_ptr<Recorder>> r;
  for (NodeId n = 1; n <= 3; ++n) r.push_back(join(net, n, "g"));
  net.deliver_all();
  ASSERT_TRUE(r[2]->t->send("unsent").ok());  // still queued when node 3 dies
  size_t log3 = r[2]->log.size();
  net.kill(3);
  EXPECT_FALSE(net.is_up(3));
  EXPECT_TRUE(net.quorate(1));
  net.deliver_all();
  EXPECT_EQ(r[2]->log.size(), log3) << "a dead node runs no callbacks";
  EXPECT_EQ(r[2]->lost, 0);
  EXPECT_EQ(r[0]->changes.back().left, (std::vector<NodeId>{3}));
  EXPECT_EQ(r[0]->changes.back().members, (std::vector<NodeId>{1, 2}));
  EXPECT_FALSE(r[2]->t->send("x").ok());
  EXPECT_EQ(net.join(3, "g").status().code(), StatusCode::kUnavailable);

  // Back up: the old endpoint stays dead; a new process joins.
  net.start(3);
  EXPECT_FALSE(r[2]->t->send("x").ok());
  r[2] = join(net, 3, "g");
  net.deliver_all();
  EXPECT_EQ(r[0]->changes.back().joined, (std::vector<NodeId>{3}));
  EXPECT_EQ(r[2]->changes.back().members, (std::vector<NodeId>{1, 2, 3}));
}

TEST(SimulatedNetworkTest, StopMessagingFiresOnLostOnce) {
  SimulatedNetwork net({1, 2, 3});
  std::vector<std::unique_ptr<Recorder>> r;
  for (NodeId n = 1; n <= 3; ++n) r.push_back(join(net, n, "g"));
  net.deliver_all();
  net.stop_messaging(2);
  net.deliver_all();
  EXPECT_EQ(r[1]->lost, 1);
  EXPECT_EQ(r[0]->lost, 0);
  EXPECT_EQ(r[0]->changes.back().left, (std::vector<NodeId>{2}));
  EXPECT_FALSE(r[1]->t->send("x").ok());
}

TEST(SimulatedNetworkTest, DestroyingAnEndpointLeavesTheGroup) {
  SimulatedNetwork net({1, 2});
  auto a = join(net, 1, "g");
  auto b = join(net, 2, "g");
  net.deliver_all();
  b->t.reset();
  net.deliver_all();
  EXPECT_EQ(a->changes.back().left, (std::vector<NodeId>{2}));
  EXPECT_EQ(a->changes.back().members, (std::vector<NodeId>{1}));
}

TEST(SimulatedNetworkTest, CallbackMayDestroyItsOwnEndpoint) {
  SimulatedNetwork net({1, 2});
  auto a = join(net, 1, "g");
  std::unique_ptr<GroupTransport> b = net.join(2, "g").value();
  b->on_message = [&](NodeId, std::string_view) { b.reset(); };
  net.deliver_all();
  ASSERT_TRUE(a->t->send("bye").ok());
  ASSERT_TRUE(a->t->send("again").ok());
  net.deliver_all();
  EXPECT_EQ(b, nullptr);
  EXPECT_EQ(a->changes.back().members, (std::vector<NodeId>{1}));
}

TEST(SimulatedNetworkTest, ProcessRestartOnSameNodeIsReportedAsLeaveAndJoin) {
  SimulatedNetwork net({1, 2});
  auto a = join(net, 1, "g");
  auto b = join(net, 2, "g");
  net.deliver_all();
  auto b2 = join(net, 2, "g");  // new process before the old one exits
  b->t.reset();
  net.deliver_all();
  // Two changes: joined 2 (members still {1,2}), then left 2 (members {1,2}).
  ASSERT_GE(a->changes.size(), 2u);
  EXPECT_EQ(a->changes[a->changes.size() - 2].joined, (std::vector<NodeId>{2}));
  EXPECT_EQ(a->changes.back().left, (std::vector<NodeId>{2}));
  EXPECT_EQ(a->changes.back().members, (std::vector<NodeId>{1, 2}));
}

TEST(SimulatedNetworkTest, ErrorsAndNames) {
  SimulatedNetwork net({1, 2});
  EXPECT_EQ(net.join(9, "g").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(net.watch_quorum(9).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(net.node_name(2), "n2");
  net.set_node_name(2, "beta");
  EXPECT_EQ(net.node_name(2), "beta");
  // Two of two nodes: quorate; one alone is not (no two_node).
  EXPECT_TRUE(net.quorate(1));
  net.kill(2);
  EXPECT_FALSE(net.quorate(1));
}

TEST(SimulatedNetworkTest, EndpointsMayOutliveTheNetwork) {
  std::unique_ptr<GroupTransport> t;
  {
    SimulatedNetwork net({1});
    t = net.join(1, "g").value();
  }
  EXPECT_EQ(t->send("x").code(), StatusCode::kUnavailable);
  t.reset();
}

}  // namespace
}  // namespace crm::cluster
