#include "cluster_sim.h"

#include <gtest/gtest.h>

#include <iostream>

#include "crm/core/xml.h"
#include "crm/crmd/status_view.h"

namespace crm::sim {
namespace {

using namespace std::chrono_literals;

// Fencing is off by default here on purpose: these scenarios test membership,
// quorum and placement as they behave without fencing (what
// stonith-enabled=false users get); the fencing scenarios below pass
// fencing = true, and WithoutFencingAHungNodesGroupRunsTwice shows why it matters.
std::string config(const std::string& extra_constraints = "", const std::string& nodes = "", bool fencing = false) {
  return R"(<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="o1" name="stonith-enabled" value=")" + std::string(fencing ? "true" : "false") + R"("/>
      <nvpair id="o2" name="no-quorum-policy" value="stop"/></cluster_property_set></crm_config>
    <nodes>)" + nodes + R"(</nodes>
    <resources>)" + (fencing ? R"(<primitive id="fencing" class="stonith" type="fence_sim"/>)" : "") + R"(<group id="web">
      <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="ip-ia"><nvpair id="ip-ip" name="ip" value="10.77.0.100"/></instance_attributes>
      </primitive>
      <primitive id="httpd" class="ocf" provider="crm" type="Dummy"/>
    </group></resources>
    <constraints>)" + extra_constraints + R"(</constraints></configuration>)";
}

std::string prefer(const std::string& node) {
  return R"(<rsc_location id="loc" rsc="web" node=")" + node + R"(" score="100"/>)";
}

void expect_ok(const World& w) {
  auto bad = w.check_invariants();
  for (const auto& b : bad) ADD_FAILURE() << b;
}

TEST(ClusterSimTest, ThreeNodesFormOneClusterAndStartTheGroup) {
  World w({.nodes = 3, .seed = 1});
  w.configure(config());
  w.start_all();
  w.settle();
  expect_ok(w);
  EXPECT_EQ(w.dcs(), std::vector<int>({1}));
  auto ip = w.running("ip");
  ASSERT_EQ(ip.size(), 1u);
  EXPECT_EQ(w.running("httpd"), ip);  // the group stays together
  // Every replica holds the same CIB, with the group's history recorded.
  EXPECT_EQ(w.cib(1).serialize(false), w.cib(2).serialize(false));
  EXPECT_EQ(w.cib(1).serialize(false), w.cib(3).serialize(false));
  auto st = crmd::read_status(w.cib(2));
  EXPECT_EQ(st.where("ip"), std::vector<std::string>({"n" + std::to_string(ip[0])}));
  EXPECT_TRUE(st.have_quorum);
  EXPECT_EQ(st.dc_uuid, "1");
  for (const auto& [name, n] : st.nodes) EXPECT_TRUE(n.online) << name;
}

TEST(ClusterSimTest, KillingTheActiveNonDcNodeMovesTheGroup) {
  World w({.nodes = 3, .seed = 2});
  w.configure(config(prefer("n2")));
  w.start_all();
  w.settle();
  ASSERT_EQ(w.running("ip"), std::vector<int>({2}));
  auto t0 = w.clock().monotonic_now();
  w.kill(2);
  w.settle();
  expect_ok(w);
  auto ip = w.running("ip");
  ASSERT_EQ(ip.size(), 1u);
  EXPECT_NE(ip[0], 2);
  EXPECT_EQ(w.running("httpd"), ip);
  EXPECT_EQ(w.dcs(), std::vector<int>({1}));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(w.clock().monotonic_now() - t0);
  // detection (50) + two agent actions (10 each) + a few message hops.
  EXPECT_LT(took, 150ms);
}

TEST(ClusterSimTest, KillingTheDcElectsTheNextAndMovesTheGroup) {
  World w({.nodes = 3, .seed = 3});
  w.configure(config(prefer("n1")));
  w.start_all();
  w.settle();
  ASSERT_EQ(w.running("ip"), std::vector<int>({1}));
  ASSERT_EQ(w.dcs(), std::vector<int>({1}));
  w.kill(1);
  w.settle();
  expect_ok(w);
  EXPECT_EQ(w.dcs(), std::vector<int>({2}));
  ASSERT_EQ(w.running("ip").size(), 1u);
  EXPECT_EQ(w.controller(2)->stats().pe_runs > 0, true);
  // The killed node comes back and is joined; the group stays where it is.
  int where = w.running("ip")[0];
  w.start(1);
  w.settle();
  expect_ok(w);
  EXPECT_EQ(w.dcs(), std::vector<int>({1}));
  // Location preference (100) beats staying put here: the group moves back once.
  EXPECT_EQ(w.running("ip"), std::vector<int>({1}));
  (void)where;
}

TEST(ClusterSimTest, MinorityStopsMajorityRunsAndHealRunsOnce) {
  World w({.nodes = 3, .seed = 4});
  w.configure(config(prefer("n1")));
  w.start_all();
  w.settle();
  ASSERT_EQ(w.running("ip"), std::vector<int>({1}));
  w.partition({{1}, {2, 3}});
  w.settle();
  expect_ok(w);
  EXPECT_EQ(w.executor(1).running.size(), 0u);
  auto ip = w.running("ip");
  ASSERT_EQ(ip.size(), 1u);
  EXPECT_NE(ip[0], 1);
  EXPECT_EQ(w.dcs(), std::vector<int>({1, 2}));  // one per partition
  w.heal();
  w.settle();
  expect_ok(w);
  EXPECT_EQ(w.dcs(), std::vector<int>({1}));
  EXPECT_EQ(w.running("ip").size(), 1u);
}

TEST(ClusterSimTest, StandbyAndCleanShutdownMoveResourcesAway) {
  World w({.nodes = 3, .seed = 5});
  w.configure(config(prefer("n3")));
  w.start_all();
  w.settle();
  ASSERT_EQ(w.running("ip"), std::vector<int>({3}));
  // Standby n3 (a node attribute in the nodes section, as crm_attribute writes
  // it; configure() replaces the whole section, so it lists every node).
  w.configure(config(prefer("n3"), R"(<node id="1" uname="n1"/><node id="2" uname="n2"/>
      <node id="3" uname="n3"><instance_attributes id="n3-ia">
      <nvpair id="n3-standby" name="standby" value="on"/></instance_attributes></node>)"));
  w.settle();
  expect_ok(w);
  auto ip = w.running("ip");
  ASSERT_EQ(ip.size(), 1u);
  EXPECT_NE(ip[0], 3);
  // Clean shutdown of the node now running it: resources leave first.
  int active = ip[0];
  w.shutdown(active);
  w.settle();
  EXPECT_FALSE(w.up(active));
  expect_ok(w);
  ASSERT_EQ(w.running("ip").size(), 1u);
  EXPECT_NE(w.running("ip")[0], active);
}

TEST(ClusterSimTest, FailedStartMovesTheResource) {
  World w({.nodes = 3, .seed = 6});
  w.configure(config(prefer("n2")));
  w.start_all();
  w.executor(2).fail_next_start.insert("ip");
  w.settle();
  expect_ok(w);
  auto ip = w.running("ip");
  ASSERT_EQ(ip.size(), 1u);
  EXPECT_NE(ip[0], 2);  // fail-count INFINITY bans n2
  auto st = crmd::read_status(w.cib(1));
  EXPECT_EQ(st.nodes.at("n2").attributes.at("fail-count-ip#start_0"), "INFINITY");
}

// Random faults from a seed; invariants after each settled step; a second
// run of the same seed must produce the same trace.
std::string run_seed(uint64_t seed, int steps, std::vector<std::string>* failures, std::string* faults = nullptr) {
  World w({.nodes = 5, .seed = seed});
  w.configure(config());
  w.start_all();
  w.settle();
  for (int i = 0; i < steps; ++i) {
    std::string what = w.random_fault();
    if (faults && what != "none") *faults += what + ", ";
    w.settle();
    for (const auto& b : w.check_invariants()) {
      failures->push_back("seed " + std::to_string(seed) + " step " + std::to_string(i) + " (" + what + "): " + b);
    }
  }
  return w.trace();
}

// configure() replaces the whole configuration, so it lists every node.
std::string fenced_config(const std::string& extra_constraints = "") {
  return config(extra_constraints, R"(<node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/>)",
                true);
}

TEST(ClusterSimTest, AHungNodeIsFencedBeforeItsGroupStartsElsewhere) {
  World w({.nodes = 3, .seed = 7, .check_every_step = true});
  w.configure(fenced_config());
  w.start_all();
  w.settle();
  expect_ok(w);
  auto where = w.node_running("ip");
  ASSERT_TRUE(where.has_value());
  w.hang(*where);
  w.settle();
  EXPECT_EQ(w.fenced[*where], 1) << w.trace();
  auto now = w.node_running("ip");
  ASSERT_TRUE(now.has_value());
  EXPECT_NE(*now, *where);
  EXPECT_TRUE(w.step_violations().empty()) << w.step_violations().front();
  expect_ok(w);
}

TEST(ClusterSimTest, WithoutFencingAHungNodesGroupRunsTwice) {
  // The same fault with stonith-enabled=false: the step check sees the group
  // on the hung node and on the survivor that started it. (What fencing is for.)
  World w({.nodes = 3, .seed = 7, .check_every_step = true});
  w.configure(config());
  w.start_all();
  w.settle();
  auto where = w.node_running("ip");
  ASSERT_TRUE(where.has_value());
  w.hang(*where);
  w.settle();
  EXPECT_FALSE(w.step_violations().empty());
  EXPECT_EQ(w.fenced.size(), 0u);
}

TEST(ClusterSimTest, AFailingFenceDeviceBlocksRecoveryAndIsRetriedWithBackoff) {
  World w({.nodes = 3, .seed = 3, .check_every_step = true});
  w.configure(fenced_config());
  w.start_all();
  w.settle();
  auto where = w.node_running("ip");
  ASSERT_TRUE(where.has_value());
  w.fence_fails.insert(*where);
  w.hang(*where);
  w.settle(10s);
  EXPECT_GE(w.fence_failed[*where], 3);
  EXPECT_LE(w.fence_failed[*where], 6) << "retries back off (1 s, 2 s, 4 s, ...)";
  EXPECT_EQ(w.running("ip"), std::vector<int>{*where}) << "nothing recovered while the fencing fails";
  w.fence_fails.clear();  // the device works again
  w.settle();
  EXPECT_EQ(w.fenced[*where], 1);
  ASSERT_TRUE(w.node_running("ip").has_value());
  EXPECT_NE(*w.node_running("ip"), *where);
  EXPECT_TRUE(w.step_violations().empty()) << w.step_violations().front();
}

TEST(ClusterSimTest, AFailedStopFencesTheNodeThenTheResourceRunsElsewhere) {
  World w({.nodes = 3, .seed = 5, .check_every_step = true});
  w.configure(fenced_config(prefer("n1")));
  w.start_all();
  w.settle();
  ASSERT_EQ(w.node_running("ip"), 1);
  w.executor(1).fail_next_stop.insert("httpd");
  w.configure(fenced_config(prefer("n2")));  // move the group: httpd's stop fails on n1
  w.settle();
  EXPECT_EQ(w.fenced[1], 1) << w.trace();
  EXPECT_EQ(w.node_running("ip"), 2);
  EXPECT_EQ(w.node_running("httpd"), 2);
  EXPECT_TRUE(w.step_violations().empty()) << w.step_violations().front();
}

TEST(ClusterSimTest, AHungDcIsFencedByTheNewDcBeforeItsResourcesMove) {
  World w({.nodes = 3, .seed = 9, .check_every_step = true});
  w.configure(fenced_config(prefer("n1")));
  w.start_all();
  w.settle();
  ASSERT_EQ(w.dcs(), std::vector<int>{1});
  ASSERT_EQ(w.node_running("ip"), 1);
  w.hang(1);
  w.settle(800ms);  // n1 is fenced (reboot) and not yet back
  EXPECT_EQ(w.fenced[1], 1);
  ASSERT_TRUE(w.node_running("ip").has_value());
  EXPECT_NE(w.node_running("ip"), 1);
  w.settle();  // back: it prefers n1 (no stickiness), so the group returns, once
  EXPECT_EQ(w.node_running("ip"), 1);
  EXPECT_TRUE(w.step_violations().empty()) << w.step_violations().front();
  expect_ok(w);
}

TEST(ClusterSimTest, RandomFaultsKeepInvariantsAndAreDeterministic) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::vector<std::string> failures;
    std::string faults;
    std::string a = run_seed(seed, 25, &failures, &faults);
    if (seed == 1) std::cout << "seed 1 faults: " << faults << "\n";
    for (const auto& f : failures) ADD_FAILURE() << f;
    if (!failures.empty()) break;
    std::vector<std::string> again;
    std::string b = run_seed(seed, 25, &again);
    EXPECT_EQ(a, b) << "seed " << seed << " is not deterministic";
  }
}

// Fencing on, hangs among the faults, and half the faults land before the
// cluster has settled (in the middle of a transition or a fencing).
std::string run_fenced_seed(uint64_t seed, int steps, std::vector<std::string>* failures, std::string* faults) {
  World w({.nodes = 5, .seed = seed, .check_every_step = true, .hang_faults = true});
  std::string nodes;
  for (int i = 1; i <= 5; ++i) nodes += "<node id=\"" + std::to_string(i) + "\" uname=\"n" + std::to_string(i) + "\"/>";
  w.configure(config("", nodes, true));
  w.start_all();
  w.settle();
  auto report = [&](int step, const std::string& what, const std::vector<std::string>& bad) {
    for (const auto& b : bad) {
      failures->push_back("seed " + std::to_string(seed) + " step " + std::to_string(step) + " (" + what + "): " + b);
    }
  };
  for (int i = 0; i < steps; ++i) {
    std::string what = w.random_fault();
    if (faults && what != "none") *faults += what + ", ";
    if (w.rng()() % 2) {
      w.settle(std::chrono::milliseconds(w.rng()() % 400));
      report(i, what, w.step_violations());
    } else {
      w.settle();
      report(i, what, w.check_invariants());
    }
    if (!failures->empty()) break;
  }
  w.heal();
  w.settle();
  report(steps, "end", w.check_invariants());
  return w.trace();
}

TEST(ClusterSimTest, RandomFaultsWithHangsAndFencingNeverRunAnythingTwice) {
  int hangs = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::vector<std::string> failures;
    std::string faults;
    std::string a = run_fenced_seed(seed, 25, &failures, &faults);
    for (size_t p = faults.find("hang"); p != std::string::npos; p = faults.find("hang", p + 1)) ++hangs;
    for (const auto& f : failures) ADD_FAILURE() << f;
    if (!failures.empty()) break;
    std::vector<std::string> again;
    EXPECT_EQ(a, run_fenced_seed(seed, 25, &again, nullptr)) << "seed " << seed << " is not deterministic";
  }
  std::cout << "hangs injected: " << hangs << "\n";
  EXPECT_GT(hangs, 10);
}

// The whole cluster stopped at once (SIGTERM everywhere): the DC releases
// the others first and leaves last, so nobody takes a departure for a
// failure; with fencing on, nobody is fenced.
TEST(ClusterSimTest, WholeClusterStopTheDcLeavesLast) {
  World w({.nodes = 3, .seed = 9});
  w.configure(fenced_config());
  w.start_all();
  w.settle();
  ASSERT_EQ(w.dcs(), std::vector<int>({1}));
  for (int n : {1, 2, 3}) w.shutdown(n);
  std::vector<int> order;
  for (int i = 0; i < 3000 && order.size() < 3; ++i) {
    w.settle(std::chrono::milliseconds(10));
    for (int n : {1, 2, 3}) {
      if (!w.up(n) && std::find(order.begin(), order.end(), n) == order.end()) order.push_back(n);
    }
  }
  ASSERT_EQ(order.size(), 3u) << w.trace();
  EXPECT_EQ(order.back(), 1) << "order: " << order[0] << order[1] << order[2] << "\n" << w.trace();
  EXPECT_TRUE(w.fenced.empty()) << w.trace();
}

}  // namespace

}  // namespace crm::sim
