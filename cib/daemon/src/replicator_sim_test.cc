// The replication state machine on the project's SimulatedNetwork
// (crm_cluster_sim): seeded reordering between nodes, kills, restarts and
// partitions, three nodes with fault-injecting disks.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>

#include "crm/cib/testing/fault_injecting_file_system.h"
#include "crm/cib/replicator.h"
#include "crm/cluster/simulated.h"
#include "daemon_test_util.h"

namespace crm::cib {
namespace {

using cluster::NodeId;
using daemon_testing::base;
using daemon_testing::primitive;

const Schema* schema() {
  static Schema* s = [] {
    auto loaded = Schema::load(CRM_SCHEMA_DIR);
    EXPECT_TRUE(loaded.ok()) << loaded.status().to_string();
    return loaded.ok() ? new Schema(std::move(loaded).value()) : nullptr;
  }();
  return s;
}

struct Outcome {
  bool done = false;
  Status status;
  Version version;
};

class SimCluster {
 public:
  SimCluster(uint64_t seed, bool majority_rule)
      : net_({1, 2, 3}, {.seed = seed, .reorder = true}), majority_rule_(majority_rule) {}
  ~SimCluster() { nodes_.clear(); }

  void start(NodeId id) {
    if (!net_.is_up(id)) net_.start(id);
    auto& disk = disks_[id];
    if (!disk) disk = std::make_unique<FaultInjectingFileSystem>(id);
    Node& n = nodes_[id];
    n.store = std::make_unique<CibStore>(*disk, StoreOptions{.dir = "/var/lib/crm/cib"});
    auto loaded = n.store->load();
    ASSERT_TRUE(loaded.ok());
    auto ep = net_.join(id, "crm_cib");
    ASSERT_TRUE(ep.ok()) << ep.status().to_string();
    n.ep = std::move(ep).value();
    ReplicatorOptions opts{.incarnation = std::to_string(++incarnations_)};
    if (majority_rule_)
      opts.has_quorum = [](const std::vector<NodeId>& members) { return members.size() * 2 > 3; };
    n.rep = std::make_unique<Replicator>(*n.ep, n.store.get(), schema(),
                                         loaded->cib ? std::move(*loaded->cib) : base(), opts);
  }
  void kill(NodeId id) {
    net_.kill(id);
    nodes_.erase(id);
    disks_[id]->crash();
  }
  std::shared_ptr<Outcome> submit(NodeId id, Request r) {
    auto out = std::make_shared<Outcome>();
    nodes_.at(id).rep->submit(std::move(r), [out](const Status& s, const Version& v) {
      EXPECT_FALSE(out->done) << "answered twice";
      out->done = true;
      out->status = s;
      out->version = v;
    });
    return out;
  }
  cluster::SimulatedNetwork& net() { return net_; }
  Replicator& rep(NodeId id) { return *nodes_.at(id).rep; }
  bool alive(NodeId id) const { return nodes_.count(id) > 0; }
  void settle() { net_.deliver_all(); }
  void expect_converged() {
    ASSERT_FALSE(nodes_.empty());
    const std::string first = nodes_.begin()->second.rep->cib().serialize(false);
    for (auto& [id, n] : nodes_) {
      EXPECT_TRUE(n.rep->synced()) << "node " << id;
      EXPECT_EQ(n.rep->cib().serialize(false), first) << "node " << id << " differs";
    }
  }
  size_t count(NodeId id, const std::string& xpath) {
    auto r = rep(id).cib().query(xpath);
    return r.ok() ? r->size() : 0;
  }

 private:
  struct Node {
    std::unique_ptr<cluster::GroupTransport> ep;
    std::unique_ptr<CibStore> store;
    std::unique_ptr<Replicator> rep;
  };
  cluster::SimulatedNetwork net_;
  bool majority_rule_;
  int incarnations_ = 0;
  std::map<NodeId, std::unique_ptr<FaultInjectingFileSystem>> disks_;
  std::map<NodeId, Node> nodes_;
};

Request create(const std::string& id) { return {.op = Op::kCreate, .section = "resources", .fragment = primitive(id)}; }
Request node_state(int node, const std::string& crmd) {
  return {.op = Op::kModify,
          .section = "status",
          .fragment = "<node_state id='" + std::to_string(node) + "' crmd='" + crmd + "'/>",
          .allow_create = true};
}

TEST(ReplicatorSimTest, ChangeOnAnyNodeReachesAllUnderReordering) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimCluster c(seed, false);
    for (NodeId id : {1u, 2u, 3u}) c.start(id);
    std::vector<std::shared_ptr<Outcome>> outs;
    for (int i = 0; i < 9; ++i) outs.push_back(c.submit(1 + i % 3, create("r" + std::to_string(i))));
    outs.push_back(c.submit(3, node_state(3, "online")));
    c.settle();
    for (auto& o : outs) {
      ASSERT_TRUE(o->done);
      EXPECT_TRUE(o->status.ok()) << o->status.to_string();
    }
    c.expect_converged();
    EXPECT_EQ(c.count(2, "//primitive"), 9u);
    // Nine configuration changes; the status change's num_updates bump is
    // reset by any configuration change the agreed order puts after it.
    const Version v = c.rep(1).cib().version();
    EXPECT_EQ(v.epoch, 10) << v.to_string();
    EXPECT_LE(v.num_updates, 1) << v.to_string();
    EXPECT_EQ(c.count(1, "//node_state[@id='3'][@crmd='online']"), 1u);
  }
}

TEST(ReplicatorSimTest, MasterKilledMidChange) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimCluster c(seed, false);
    for (NodeId id : {1u, 2u, 3u}) c.start(id);
    c.settle();
    auto o = c.submit(3, create("mid"));
    while (c.rep(1).stats().results_sent == 0) ASSERT_TRUE(c.net().step());
    c.kill(1);
    c.settle();
    ASSERT_TRUE(o->done);
    EXPECT_TRUE(o->status.ok()) << o->status.to_string();
    c.expect_converged();
    EXPECT_EQ(c.count(2, "//primitive[@id='mid']"), 1u);
    c.start(1);
    c.settle();
    c.expect_converged();
    EXPECT_EQ(c.count(1, "//primitive[@id='mid']"), 1u);
  }
}

TEST(ReplicatorSimTest, MinorityRefusesConfigurationChangesAndMergeKeepsTheMajoritys) {
  SimCluster c(3, true);
  for (NodeId id : {1u, 2u, 3u}) c.start(id);
  c.settle();
  c.net().partition({{1}, {2, 3}});
  c.settle();
  auto minority = c.submit(1, create("lonely"));
  auto minority_status = c.submit(1, node_state(1, "online"));
  auto majority = c.submit(2, create("agreed"));
  c.settle();
  ASSERT_TRUE(minority->done && majority->done && minority_status->done);
  EXPECT_EQ(minority->status.code(), StatusCode::kUnavailable) << minority->status.to_string();
  EXPECT_TRUE(minority_status->status.ok());
  EXPECT_TRUE(majority->status.ok());
  EXPECT_EQ(c.rep(1).master(), 1u);
  EXPECT_EQ(c.rep(3).master(), 2u);
  c.net().heal();
  c.settle();
  c.expect_converged();
  EXPECT_EQ(c.count(1, "//primitive[@id='agreed']"), 1u);
  EXPECT_EQ(c.rep(1).master(), 1u);
}

TEST(ReplicatorSimTest, WithoutTheQuorumRuleTheNewestSideWinsTheMerge) {
  SimCluster c(5, false);
  for (NodeId id : {1u, 2u, 3u}) c.start(id);
  c.settle();
  c.net().partition({{1}, {2, 3}});
  c.settle();
  (void)c.submit(1, create("lost"));
  (void)c.submit(2, create("kept1"));
  (void)c.submit(3, create("kept2"));
  c.settle();
  c.net().heal();
  c.settle();
  c.expect_converged();
  EXPECT_EQ(c.count(1, "//primitive[@id='kept1']"), 1u);
  EXPECT_EQ(c.count(1, "//primitive[@id='lost']"), 0u);  // as with the peer: the older side's changes go
}

// Seeds drive changes, kills, restarts, partitions and heals; the majority
// rule is on. At the end (healed, all up): one CIB everywhere, and every
// acknowledged configuration change is in it.
TEST(ReplicatorSimTest, RandomizedFaultsKeepAcknowledgedChanges) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    std::mt19937_64 rng(seed * 7919);
    SimCluster c(seed, true);
    for (NodeId id : {1u, 2u, 3u}) c.start(id);
    std::vector<std::pair<std::string, std::shared_ptr<Outcome>>> creates;
    for (int op = 0; op < 80; ++op) {
      int dice = std::uniform_int_distribution<int>(0, 99)(rng);
      NodeId who = static_cast<NodeId>(std::uniform_int_distribution<int>(1, 3)(rng));
      if (dice < 40) {
        if (!c.alive(who)) continue;
        std::string id = "s" + std::to_string(seed) + "-" + std::to_string(op);
        creates.emplace_back(id, c.submit(who, create(id)));
      } else if (dice < 60) {
        if (c.alive(who)) (void)c.submit(who, node_state(who, op % 2 ? "online" : "offline"));
      } else if (dice < 66) {
        if (c.alive(who)) c.kill(who);
      } else if (dice < 74) {
        if (!c.alive(who)) c.start(who);
      } else if (dice < 78) {
        c.net().isolate(who);
      } else if (dice < 84) {
        c.net().heal();
      } else {
        int n = std::uniform_int_distribution<int>(0, 10)(rng);
        for (int i = 0; i < n; ++i) c.net().step();
      }
    }
    c.net().heal();
    for (NodeId id : {1u, 2u, 3u})
      if (!c.alive(id)) c.start(id);
    c.settle();
    SCOPED_TRACE("seed " + std::to_string(seed));
    c.expect_converged();
    int acked = 0;
    for (auto& [id, o] : creates) {
      if (o->done && o->status.ok()) {
        ++acked;
        EXPECT_EQ(c.count(1, "//primitive[@id='" + id + "']"), 1u) << id << " was acknowledged but is lost";
      }
    }
    RecordProperty("acked_seed_" + std::to_string(seed), acked);
  }
}

}  // namespace
}  // namespace crm::cib
