// The replication state machine on the deterministic simulated corosync
// (crm/cluster/simulated.h), with each node's disk a fault-injecting file
// system.
#include "crm/cib/testing/fault_injecting_file_system.h"
#include "crm/cib/replicator.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>

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

constexpr std::time_t kWallStart = 1700000000;

struct Outcome {
  bool done = false;
  Status status;
  Version version;
};

class Cluster {
 public:
  // reorder: each node's deliveries interleave with the others' as the seed
  // says (otherwise one global order, every node in step).
  // majority_rule: configuration changes need a majority of the 3 nodes
  // (ReplicatorOptions::has_quorum), as cibd runs.
  explicit Cluster(uint64_t seed = 1, bool group_commit = false, bool reorder = false, bool majority_rule = false)
      : net_({1, 2, 3}, {.seed = seed, .reorder = reorder}), group_commit_(group_commit), majority_rule_(majority_rule) {}

  void start(NodeId id) {
    auto& disk = disks_[id];
    if (!disk) disk = std::make_unique<FaultInjectingFileSystem>(id);
    Node& n = nodes_[id];
    n.store = std::make_unique<CibStore>(*disk, StoreOptions{.dir = "/var/lib/crm/cib"});
    auto loaded = n.store->load();
    ASSERT_TRUE(loaded.ok());
    Cib initial = loaded->cib ? std::move(*loaded->cib) : base();
    if (!net_.is_up(id)) net_.start(id);  // corosync again, after a kill
    auto joined = net_.join(id, "crm_cib");
    ASSERT_TRUE(joined.ok()) << joined.status().to_string();
    n.transport = std::move(joined).value();
    cluster::GroupTransport& ep = *n.transport;
    ReplicatorOptions opts{.incarnation = std::to_string(++incarnations_)};
    n.incarnation = incarnations_;
    if (majority_rule_) opts.has_quorum = [](const std::vector<NodeId>& members) { return members.size() * 2 > 3; };
    // Each node's clock differs: only the master's may reach the CIB.
    auto& clock = clocks_[id];
    if (!clock) clock = std::make_unique<SimulatedClock>(kWallStart + 1000 * id);
    opts.clock = clock.get();
    opts.node_name = "node" + std::to_string(id);
    if (group_commit_) opts.request_flush = [this, id] { flush_wanted_.insert(id); };
    if (deferred_checks_) {
      opts.schedule = [this](std::chrono::milliseconds, std::function<void()> fn) { timers_.push_back(std::move(fn)); };
    }
    n.rep = std::make_unique<Replicator>(ep, n.store.get(), schema(), std::move(initial), opts);
  }
  // drop: the dead node's messages no survivor has delivered yet are lost
  // (1), delivered (0), or either as the seed says (-1).
  void kill(NodeId id, int drop = -1) {
    using InFlight = cluster::SimulatedNetwork::InFlight;
    net_.kill(id, drop < 0 ? InFlight::kSeeded : drop == 1 ? InFlight::kDrop : InFlight::kDeliver);
    nodes_.erase(id);
    flush_wanted_.erase(id);
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
  // One delivery, then the flushes it asked for (which may send bundles).
  bool step() {
    bool any = net_.step() || !flush_wanted_.empty();
    for (NodeId id : std::set<NodeId>(std::move(flush_wanted_))) {
      if (nodes_.count(id)) (void)nodes_.at(id).rep->flush();
    }
    flush_wanted_.clear();
    return any;
  }
  void settle() {
    for (int i = 0; i < 200000 && step(); ++i) {
    }
  }
  Replicator& rep(NodeId id) { return *nodes_.at(id).rep; }
  bool alive(NodeId id) const { return nodes_.count(id) > 0; }
  std::vector<NodeId> live() const {
    std::vector<NodeId> out;
    for (const auto& [id, n] : nodes_) out.push_back(id);
    return out;
  }
  cluster::SimulatedNetwork& net() { return net_; }
  int incarnation(NodeId id) const { return nodes_.count(id) ? nodes_.at(id).incarnation : 0; }
  // Configuration patches without digest; the checks wait for fire_timers().
  void defer_checks() { deferred_checks_ = true; }
  void fire_timers() {
    for (auto& fn : std::exchange(timers_, {})) fn();
  }
  // What node `id` would load from its disk after a crash now.
  Version durable_version(NodeId id) {
    FaultInjectingFileSystem& disk = *disks_.at(id);
    auto loaded = CibStore(disk, {.dir = "/var/lib/crm/cib"}).load();
    return loaded.ok() && loaded->cib ? loaded->cib->version() : Version{};
  }
  // Every live node holds the same CIB.
  void expect_converged() {
    auto ids = live();
    ASSERT_FALSE(ids.empty());
    const std::string first = rep(ids.front()).cib().serialize(false);
    for (NodeId id : ids) {
      EXPECT_TRUE(rep(id).synced()) << "node " << id;
      EXPECT_EQ(rep(id).cib().serialize(false), first) << "node " << id << " differs from node " << ids.front();
      EXPECT_EQ(rep(id).pending_count(), 0u) << "node " << id;
    }
  }
  size_t count(NodeId id, const std::string& xpath) {
    auto r = rep(id).cib().query(xpath);
    return r.ok() ? r->size() : 0;
  }

 private:
  struct Node {
    std::unique_ptr<CibStore> store;
    std::unique_ptr<cluster::GroupTransport> transport;
    std::unique_ptr<Replicator> rep;  // destroyed before its transport
    int incarnation = 0;
  };
  cluster::SimulatedNetwork net_;
  bool group_commit_;
  bool majority_rule_;
  int incarnations_ = 0;
  std::map<NodeId, std::unique_ptr<FaultInjectingFileSystem>> disks_;
  std::map<NodeId, Node> nodes_;
  std::map<NodeId, std::unique_ptr<SimulatedClock>> clocks_;
  std::set<NodeId> flush_wanted_;
  bool deferred_checks_ = false;
  std::vector<std::function<void()>> timers_;
};

Request create(const std::string& id) { return {.op = Op::kCreate, .section = "resources", .fragment = primitive(id)}; }

Request node_state(int node, const std::string& crmd) {
  return {.op = Op::kModify,
          .section = "status",
          .fragment = "<node_state id='" + std::to_string(node) + "' uname='node" + std::to_string(node) +
                      "' crmd='" + crmd + "'/>",
          .allow_create = true};
}

void start3(Cluster& c) {
  c.start(1);
  c.start(2);
  c.start(3);
  c.settle();
}

TEST(ReplicatorTest, ChangeOnAnyNodeReachesAll) {
  Cluster c;
  start3(c);
  EXPECT_EQ(c.rep(1).master(), 1u);
  EXPECT_TRUE(c.rep(1).is_master());
  EXPECT_FALSE(c.rep(2).is_master());
  auto a = c.submit(3, create("r3"));
  auto b = c.submit(2, create("r2"));
  auto d = c.submit(1, create("r1"));
  c.settle();
  for (auto& o : {a, b, d}) {
    ASSERT_TRUE(o->done);
    EXPECT_TRUE(o->status.ok()) << o->status.to_string();
  }
  c.expect_converged();
  EXPECT_EQ(c.count(2, "//primitive"), 3u);
  EXPECT_EQ(c.rep(3).cib().version(), (Version{0, 4, 0}));
  for (NodeId id : {1u, 2u, 3u}) EXPECT_EQ(c.durable_version(id), (Version{0, 4, 0})) << id;
}

TEST(ReplicatorTest, StatusChangesTakeTheFastPath) {
  Cluster c;
  start3(c);
  auto o = c.submit(2, node_state(2, "online"));
  auto p = c.submit(3, node_state(3, "online"));
  c.settle();
  ASSERT_TRUE(o->done && p->done);
  EXPECT_TRUE(o->status.ok()) << o->status.to_string();
  EXPECT_EQ(p->version, (Version{0, 1, 2}));
  c.expect_converged();
  EXPECT_EQ(c.count(1, "/cib/status/node_state"), 2u);
}

// With a timer, patches go without the configuration's digest; the master's
// later <cib-check> finds a copy that differs, which then takes the full CIB.
TEST(ReplicatorTest, ADeferredCheckFindsACopyThatDiffers) {
  Cluster c;
  c.defer_checks();
  start3(c);
  auto first = c.submit(2, create("r1"));
  c.settle();
  ASSERT_TRUE(first->done && first->status.ok()) << first->status.to_string();
  c.fire_timers();
  c.settle();
  c.expect_converged();
  EXPECT_EQ(c.rep(1).stats().checks, 1u);
  const uint64_t syncs = c.rep(1).stats().full_syncs;
  // Node 3's copy drifts (as a bug or a bad disk might make it) without a
  // version change: the next patch still applies there.
  auto& drifted = const_cast<Cib&>(c.rep(3).cib());
  xml::set_attr(xml::xpath(drifted.doc(), "//primitive[@id='r1']").value()[0], "description", "drift");
  auto second = c.submit(2, create("r2"));
  c.settle();
  ASSERT_TRUE(second->done && second->status.ok());
  EXPECT_EQ(c.count(3, "//primitive[@description='drift']"), 1u);
  c.fire_timers();
  c.settle();
  c.expect_converged();
  EXPECT_EQ(c.count(3, "//primitive[@description='drift']"), 0u);
  EXPECT_EQ(c.rep(1).stats().full_syncs, syncs + 1);
}

TEST(ReplicatorTest, MasterStampsConfigurationChangesIdenticallyEverywhere) {
  Cluster c;
  start3(c);
  Request r = create("r2");
  r.client_name = "cibadmin";
  r.user = "root";
  r.origin = "forged";  // the submitting node sets its own name
  auto o = c.submit(2, r);
  c.settle();
  ASSERT_TRUE(o->done && o->status.ok()) << o->status.to_string();
  c.expect_converged();
  const std::string written = last_written_text(kWallStart + 1000);  // node 1's clock: the master
  EXPECT_EQ(written.size(), 24u) << written;  // "Tue Nov 14 22:29:20 2023"
  for (NodeId id : {1u, 2u, 3u}) {
    xmlNode* root = c.rep(id).cib().root();
    EXPECT_EQ(xml::attr_or(root, "cib-last-written"), written) << id;
    EXPECT_EQ(xml::attr_or(root, "update-origin"), "node2") << id;
    EXPECT_EQ(xml::attr_or(root, "update-client"), "cibadmin") << id;
    EXPECT_EQ(xml::attr_or(root, "update-user"), "root") << id;
  }
  // A status change leaves them alone (as the peer's last change).
  Request st = node_state(3, "online");
  st.client_name = "crmd";
  c.submit(3, st);
  c.settle();
  c.expect_converged();
  EXPECT_EQ(xml::attr_or(c.rep(2).cib().root(), "update-client"), "cibadmin");
  // A configuration change without a client name keeps the previous one.
  c.submit(3, create("r3"));
  c.settle();
  c.expect_converged();
  EXPECT_EQ(xml::attr_or(c.rep(1).cib().root(), "update-origin"), "node3");
  EXPECT_EQ(xml::attr_or(c.rep(1).cib().root(), "update-client"), "cibadmin");
  EXPECT_EQ(xml::attr_or(c.rep(1).cib().root(), "update-user"), "root");
}

TEST(ReplicatorTest, NotifiesEveryNodeWithKindAndVersion) {
  Cluster c;
  start3(c);
  std::vector<std::pair<ChangeKind, Version>> seen;
  c.rep(3).on_change = [&](const CibChange& ch) { seen.emplace_back(ch.kind, ch.version); };
  (void)c.submit(1, create("r1"));
  (void)c.submit(2, node_state(1, "online"));
  c.settle();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, ChangeKind::kConfiguration);
  EXPECT_EQ(seen[0].second, (Version{0, 2, 0}));
  EXPECT_EQ(seen[1].first, ChangeKind::kStatus);
  EXPECT_EQ(seen[1].second, (Version{0, 2, 1}));
}

// A subscriber keeps its own copy from the changes alone (the controller's
// DaemonCib): each change repeated on a copy of the state before it gives
// the replica's CIB, configuration and status changes alike.
TEST(ReplicatorTest, EachChangeRepeatedOnACopyGivesTheReplicasCib) {
  Cluster c;
  start3(c);
  Cib copy = c.rep(3).cib().copy();
  std::vector<Status> applied;
  size_t whole = 0;
  c.rep(3).on_change = [&](const CibChange& ch) {
    if (!ch.entry) {
      ++whole;
      return;
    }
    applied.push_back(apply_journal_entry(copy, *ch.entry));
  };
  (void)c.submit(1, create("r1"));
  (void)c.submit(2, node_state(1, "online"));
  (void)c.submit(3, create("r2"));
  (void)c.submit(1, node_state(2, "online"));
  (void)c.submit(2, node_state(1, "offline"));
  (void)c.submit(3, {.op = Op::kDelete, .section = "resources", .fragment = "<primitive id='r1'/>"});
  c.settle();
  ASSERT_EQ(applied.size(), 6u);
  for (const Status& s : applied) EXPECT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(whole, 0u);
  EXPECT_EQ(copy.version(), c.rep(3).cib().version());
  EXPECT_EQ(copy.serialize(false), c.rep(3).cib().serialize(false));
  // A change applies to a copy at its `from`, and is refused (the copy left
  // as it was) on one at another version.
  Cib behind = c.rep(1).cib().copy();
  cib::JournalEntry again;
  c.rep(3).on_change = [&](const CibChange& ch) {
    if (ch.entry) again = *ch.entry;
  };
  (void)c.submit(1, create("r3"));
  c.settle();
  ASSERT_TRUE(apply_journal_entry(behind, again).ok());
  EXPECT_EQ(behind.serialize(false), c.rep(3).cib().serialize(false));
  const std::string before = behind.serialize(false);
  Status twice = apply_journal_entry(behind, again);
  EXPECT_EQ(twice.code(), StatusCode::kOutdated) << twice.to_string();
  EXPECT_EQ(behind.serialize(false), before);
}

TEST(ReplicatorTest, InvalidChangeIsRejectedAndChangesNothingAnywhere) {
  Cluster c;
  start3(c);
  const std::string before = c.rep(1).cib().serialize(false);
  auto bad = c.submit(3, {.op = Op::kCreate, .section = "resources", .fragment = "<primitive id='x'/>"});
  auto dangling = c.submit(2, {.op = Op::kCreate,
                               .section = "constraints",
                               .fragment = "<rsc_location id='l' rsc='nope' node='node1' score='5'/>"});
  c.settle();
  ASSERT_TRUE(bad->done && dangling->done);
  EXPECT_EQ(bad->status.code(), StatusCode::kSchemaInvalid) << bad->status.to_string();
  EXPECT_EQ(dangling->status.code(), StatusCode::kConfigInvalid) << dangling->status.to_string();
  c.expect_converged();
  for (NodeId id : {1u, 2u, 3u}) EXPECT_EQ(c.rep(id).cib().serialize(false), before);
}

TEST(ReplicatorTest, TheMasterRefusesWhatAUsersAclsDoNotAllowAndKeepsGoing) {
  Cluster c;
  start3(c);
  auto as_root = [](Request r) {
    r.user = "root";
    return r;
  };
  auto setup = {
      as_root({.op = Op::kModify,
               .section = "crm_config",
               .fragment = "<crm_config><cluster_property_set id='o'><nvpair id='o-acl' name='enable-acl' "
                           "value='true'/></cluster_property_set></crm_config>",
               .allow_create = true}),
      as_root({.op = Op::kCreate,
               .section = "resources",
               .fragment = "<primitive id='db' class='ocf' provider='heartbeat' type='Dummy'><meta_attributes "
                           "id='db-meta'><nvpair id='db-role' name='target-role' value='Started'/></meta_attributes>"
                           "</primitive>"}),
      as_root({.op = Op::kCreate,
               .section = "acls",
               .fragment = "<acls><acl_target id='alice'><role id='op'/></acl_target><acl_role id='op'>"
                           "<acl_permission id='op-r' kind='read' xpath='/cib'/><acl_permission id='op-w' "
                           "kind='write' xpath=\"//nvpair[@name='target-role']\"/></acl_role></acls>"}),
  };
  for (const Request& r : setup) {
    auto o = c.submit(2, r);
    c.settle();
    ASSERT_TRUE(o->done && o->status.ok()) << o->status.to_string();
  }
  const std::string before = c.rep(1).cib().serialize(false);
  Request add = create("evil");
  add.user = "alice";
  Request status = node_state(3, "offline");
  status.user = "alice";
  auto refused_config = c.submit(3, add);
  auto refused_status = c.submit(2, status);
  c.settle();
  ASSERT_TRUE(refused_config->done && refused_status->done);
  EXPECT_EQ(refused_config->status.code(), StatusCode::kPermissionDenied) << refused_config->status.to_string();
  EXPECT_NE(refused_config->status.message().find("user 'alice' may not create"), std::string::npos)
      << refused_config->status.message();
  EXPECT_EQ(refused_status->status.code(), StatusCode::kPermissionDenied) << refused_status->status.to_string();
  c.expect_converged();
  for (NodeId id : {1u, 2u, 3u}) EXPECT_EQ(c.rep(id).cib().serialize(false), before) << id;

  // What the role allows goes through, and so does the next change after it.
  Request stop{.op = Op::kModify, .fragment = "<nvpair id='db-role' value='Stopped'/>", .user = "alice"};
  auto allowed = c.submit(3, stop);
  auto after = c.submit(2, as_root(create("r2")));
  c.settle();
  ASSERT_TRUE(allowed->done && after->done);
  EXPECT_TRUE(allowed->status.ok()) << allowed->status.to_string();
  EXPECT_TRUE(after->status.ok()) << after->status.to_string();
  c.expect_converged();
  EXPECT_EQ(c.count(1, "//nvpair[@id='db-role'][@value='Stopped']"), 1u);
  EXPECT_EQ(xml::attr_or(c.rep(3).cib().root(), "update-user"), "root");
}

// The master dies after broadcasting its result for a change. Whether the
// result reached the survivors or not, the change is applied exactly once
// everywhere and the client is answered.
TEST(ReplicatorTest, MasterKilledMidChange) {
  for (int drop : {0, 1}) {
    Cluster c;
    start3(c);
    auto o = c.submit(2, create("mid"));
    while (c.net().pending_from(1) == 0) ASSERT_TRUE(c.step());
    c.kill(1, drop);
    c.settle();
    ASSERT_TRUE(o->done) << "drop=" << drop;
    EXPECT_TRUE(o->status.ok()) << o->status.to_string();
    c.expect_converged();
    EXPECT_EQ(c.rep(2).master(), 2u);
    EXPECT_EQ(c.count(3, "//primitive[@id='mid']"), 1u);
    EXPECT_EQ(c.rep(3).cib().version(), (Version{0, 2, 0}));
    // Later changes still work under the new master.
    auto next = c.submit(3, create("after"));
    c.settle();
    EXPECT_TRUE(next->status.ok());
    c.expect_converged();
  }
}

// The origin dies at every possible point of its change: the survivors end
// up identical, with the change applied on all of them or on none.
TEST(ReplicatorTest, UnacknowledgedChangeAppliedEverywhereOrNowhere) {
  for (int steps = 0; steps < 8; ++steps) {
    for (int drop : {0, 1}) {
      Cluster c;
      start3(c);
      (void)c.submit(3, create("maybe"));
      for (int i = 0; i < steps; ++i) c.step();
      c.kill(3, drop);
      c.settle();
      c.expect_converged();
      EXPECT_EQ(c.count(1, "//primitive[@id='maybe']"), c.count(2, "//primitive[@id='maybe']"));
    }
  }
}

TEST(ReplicatorTest, RejoiningNodeGetsTheNewestCib) {
  Cluster c;
  start3(c);
  c.kill(3);
  c.settle();
  for (int i = 0; i < 3; ++i) (void)c.submit(1 + i % 2, create("while-away-" + std::to_string(i)));
  c.settle();
  EXPECT_LT(c.durable_version(3), (Version{0, 4, 0}));
  // Who replaced whose copy, as the controllers are told.
  std::map<cluster::NodeId, cluster::NodeId> replaced;
  for (cluster::NodeId n : {1u, 2u}) {
    c.rep(n).on_change = [&replaced, n](const CibChange& ch) {
      if (ch.replaced_by) replaced[n] = ch.replaced_by;
    };
  }
  c.start(3);
  c.rep(3).on_change = [&replaced](const CibChange& ch) {
    if (ch.replaced_by) replaced[3] = ch.replaced_by;
  };
  c.settle();
  c.expect_converged();
  EXPECT_EQ(replaced, (std::map<cluster::NodeId, cluster::NodeId>{{3, 1}}));  // the newest; ties: lowest id
  EXPECT_EQ(c.count(3, "//primitive"), 3u);
  EXPECT_EQ(c.durable_version(3), (Version{0, 4, 0}));
}

TEST(ReplicatorTest, NewestCopyWinsWhenTheWholeClusterRestarts) {
  Cluster c;
  start3(c);
  auto first = c.submit(2, create("a"));
  c.settle();
  c.kill(3);  // node 3 misses the next change
  c.settle();
  auto second = c.submit(2, create("b"));
  c.settle();
  ASSERT_TRUE(first->status.ok() && second->status.ok());
  c.kill(1);
  c.kill(2);
  c.settle();
  // Node 3 (older copy) comes back first, then the others.
  c.start(3);
  c.settle();
  EXPECT_EQ(c.count(3, "//primitive"), 1u);
  c.start(2);
  c.start(1);
  c.settle();
  c.expect_converged();
  EXPECT_EQ(c.count(3, "//primitive"), 2u);
  EXPECT_EQ(c.rep(1).cib().version(), (Version{0, 3, 0}));
}

TEST(ReplicatorTest, RequestsBeforeTheFirstMembershipWait) {
  Cluster c;
  c.start(1);
  auto early = c.submit(1, create("early"));
  c.start(2);
  c.settle();
  ASSERT_TRUE(early->done);
  EXPECT_TRUE(early->status.ok()) << early->status.to_string();
  c.expect_converged();
}

TEST(ReplicatorTest, GroupCommitSavesOncePerBatch) {
  Cluster c(1, /*group_commit=*/true);
  start3(c);
  std::vector<std::shared_ptr<Outcome>> outs;
  for (int i = 0; i < 20; ++i) outs.push_back(c.submit(2, node_state(1 + i % 3, i % 2 ? "online" : "offline")));
  c.settle();
  for (auto& o : outs) EXPECT_TRUE(o->done && o->status.ok());
  c.expect_converged();
  EXPECT_EQ(c.durable_version(2), c.rep(2).cib().version());
  // The 20 requests left node 2 as one bundle, and the master's 20 results as
  // few: far fewer saves than changes on every node.
  EXPECT_LT(c.rep(2).stats().saves, 10u);
}

// Seeds drive random changes on random nodes, random delivery interleavings,
// kills (never of the last two nodes) and restarts. At the end: one CIB
// everywhere, every acknowledged change in it, every live client answered.
TEST(ReplicatorTest, RandomizedKillsAndRestarts) {
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    std::mt19937_64 rng(seed);
    // Seeds alternate group commit, and every third one lets each node's
    // deliveries interleave with the others' (reorder).
    Cluster c(seed, seed % 2 == 0, seed % 3 == 0);
    start3(c);
    struct Submitted {
      NodeId node;
      int incarnation;
      std::shared_ptr<Outcome> outcome;
    };
    std::vector<std::pair<std::string, std::shared_ptr<Outcome>>> creates;
    std::vector<Submitted> all;
    for (int op = 0; op < 60; ++op) {
      int dice = std::uniform_int_distribution<int>(0, 99)(rng);
      auto live = c.live();
      NodeId who = live[std::uniform_int_distribution<size_t>(0, live.size() - 1)(rng)];
      if (dice < 45) {
        std::string id = "s" + std::to_string(seed) + "-" + std::to_string(op);
        auto o = c.submit(who, create(id));
        creates.emplace_back(id, o);
        all.push_back({who, c.incarnation(who), o});
      } else if (dice < 75) {
        all.push_back({who, c.incarnation(who), c.submit(who, node_state(1 + op % 3, op % 2 ? "online" : "offline"))});
      } else if (dice < 82 && live.size() == 3) {
        c.kill(who);
      } else if (dice < 90) {
        for (NodeId id : {1u, 2u, 3u})
          if (!c.alive(id)) {
            c.start(id);
            break;
          }
      } else {
        int n = std::uniform_int_distribution<int>(0, 6)(rng);
        for (int i = 0; i < n; ++i) c.step();
      }
    }
    for (NodeId id : {1u, 2u, 3u})
      if (!c.alive(id)) c.start(id);
    c.settle();
    SCOPED_TRACE("seed " + std::to_string(seed));
    c.expect_converged();
    for (auto& [id, o] : creates) {
      if (o->done && o->status.ok()) EXPECT_EQ(c.count(1, "//primitive[@id='" + id + "']"), 1u) << id << " lost";
    }
    // Every change submitted to an incarnation that is still alive was
    // answered (a dead incarnation's callbacks went with it).
    size_t answered = 0;
    for (const Submitted& sub : all) {
      if (c.incarnation(sub.node) != sub.incarnation) continue;
      EXPECT_TRUE(sub.outcome->done) << "a change submitted on node " << sub.node << " was never answered";
      ++answered;
    }
    EXPECT_GT(answered, 0u);
    for (NodeId id : {1u, 2u, 3u}) EXPECT_EQ(c.durable_version(id), c.rep(id).cib().version()) << id;
  }
}

// ---- under reordering, partitions and the majority rule --------------------------
// Each node's deliveries interleave with the others' as the seed says.

TEST(ReplicatorSimTest, ChangeOnAnyNodeReachesAllUnderReordering) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    Cluster c(seed, /*group_commit=*/false, /*reorder=*/true, /*majority_rule=*/false);
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
    Cluster c(seed, /*group_commit=*/false, /*reorder=*/true, /*majority_rule=*/false);
    start3(c);
    auto o = c.submit(3, create("mid"));
    while (c.rep(1).stats().results_sent == 0) ASSERT_TRUE(c.net().step());
    c.kill(1, /*drop=*/0);
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
  Cluster c(3, /*group_commit=*/false, /*reorder=*/true, /*majority_rule=*/true);
  start3(c);
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
  Cluster c(5, /*group_commit=*/false, /*reorder=*/true, /*majority_rule=*/false);
  start3(c);
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
    Cluster c(seed, /*group_commit=*/false, /*reorder=*/true, /*majority_rule=*/true);
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
        if (c.alive(who)) c.kill(who, /*drop=*/0);
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
