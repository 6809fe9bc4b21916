// Several attrds over the simulated CPG (SimulatedNetwork, seeded
// interleaving), writing through a CibSink into one real Cib with the real
// apply_request: agreement, acknowledgement, the writer and its successor,
// dampening, joiners, nodes leaving, private attributes.
#include "attribute_daemon.h"

#include <gtest/gtest.h>

#include "crm/cluster/simulated.h"
#include "crm/core/clock.h"
#include "crm/core/xml.h"

namespace crm::attrd {
namespace {

using namespace std::chrono_literals;
using cluster::NodeId;
using cluster::SimulatedNetwork;

const char* kCib = R"(<cib epoch="1" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.9">
  <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/>
  <node id="9" uname="far"/></nodes><resources/><constraints/></configuration><status/></cib>)";

// The CIB daemon's role: each request applied with the real apply_request,
// the answer posted back to the loop, as cibd would answer later.
class CibFake final : public CibSink {
 public:
  explicit CibFake(EventLoop& loop) : loop_(loop), cib_(cib::Cib::parse(kCib).value()) {}
  void submit(cib::Request request, std::function<void(Status)> done) override {
    ++requests;
    auto r = cib::apply_request(cib_, request, nullptr);
    Status s = refuse ? unavailable("cibd is down") : r.status();
    loop_.post([done, s] { done(s); });
  }
  std::string node_id(const std::string& name) override {
    auto found = cib_.query("/cib/configuration/nodes/node[@uname='" + name + "']");
    if (!found.ok() || found->empty()) return "";
    return xml::attr_or(found->front(), "id");
  }
  // The value in the CIB's status section, "" when absent.
  std::string value(const std::string& node_id, const std::string& name) const {
    auto found = cib_.query("/cib/status/node_state[@id='" + node_id + "']/transient_attributes/instance_attributes/nvpair[@name='" + name + "']");
    if (!found.ok() || found->empty()) return "";
    return xml::attr_or(found->front(), "value");
  }
  int requests = 0;
  bool refuse = false;
  EventLoop& loop_;
  cib::Cib cib_;
};

class Lab {
 public:
  explicit Lab(uint64_t seed = 3) : net_({1, 2, 3}, {.seed = seed}), cib_(loop_) {
    for (NodeId id : {1u, 2u, 3u}) start(id);
    settle();
  }
  ~Lab() {
    daemons_.clear();
    groups_.clear();
  }
  void start(NodeId id) {
    std::string name = "n" + std::to_string(id);
    groups_[id] = net_.join(id, "crm_attrd").value();
    AttributeDaemon::Options o;
    o.node_name = name;
    o.log = [this, name](const std::string& l) { log_.push_back(name + ": " + l); };
    daemons_[id] = std::make_unique<AttributeDaemon>(loop_, *groups_[id], cib_, o);
  }
  void stop(NodeId id) {
    daemons_.erase(id);
    groups_.erase(id);
  }
  AttributeDaemon& d(NodeId id) { return *daemons_.at(id); }
  bool pump(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      net_.deliver_all();
      (void)loop_.run_once(net_.pending() ? 0ms : 2ms);
      if (done() && !net_.pending()) return true;
    }
    return done();
  }
  void settle(std::chrono::milliseconds t = 30ms) {
    pump([] { return false; }, t);
  }
  Status update(NodeId on, Update u) {
    std::optional<Status> r;
    d(on).update(u, [&](Status s) { r = s; });
    EXPECT_TRUE(pump([&] { return r.has_value(); })) << "no acknowledgement";
    return r.value_or(internal_error("no acknowledgement"));
  }
  std::string held(NodeId on, const std::string& name, const std::string& host) {
    auto a = d(on).attribute(name);
    if (!a) return "(none)";
    auto it = a->values.find(host);
    return it == a->values.end() ? "(unset)" : it->second;
  }

  SystemClock clock_;
  EventLoop loop_{clock_};
  SimulatedNetwork net_;
  CibFake cib_;
  std::map<NodeId, std::unique_ptr<cluster::GroupTransport>> groups_;
  std::map<NodeId, std::unique_ptr<AttributeDaemon>> daemons_;
  std::vector<std::string> log_;
};

TEST(ExpandValue, IncrementsAsThePeer) {
  EXPECT_EQ(expand_value("value++", ""), "1");
  EXPECT_EQ(expand_value("value++", "4"), "5");
  EXPECT_EQ(expand_value("value+=10", "5"), "15");
  EXPECT_EQ(expand_value("value+=INFINITY", "5"), "1000000");
  EXPECT_EQ(expand_value("value++", "INFINITY"), "1000000");
  EXPECT_EQ(expand_value("value++", "abc"), "1");  // a non-number counts as 0, as the peer's char2score
  EXPECT_EQ(expand_value("1000", "5"), "1000");
  EXPECT_EQ(expand_value("v++", "5"), "v++");
}

TEST(AttributeDaemon, AnUpdateIsHeldEverywhereAndWrittenOnceByTheWriter) {
  Lab lab;
  EXPECT_EQ(lab.d(1).writer(), 1u);
  EXPECT_TRUE(lab.d(1).is_writer());
  EXPECT_FALSE(lab.d(2).is_writer());
  ASSERT_TRUE(lab.update(2, {.name = "pingd", .value = "1000"}).ok());
  // Acknowledged: every member holds it already.
  for (NodeId n : {1u, 2u, 3u}) EXPECT_EQ(lab.held(n, "pingd", "n2"), "1000") << "node " << n;
  lab.settle();
  EXPECT_EQ(lab.cib_.value("2", "pingd"), "1000");
  EXPECT_EQ(lab.d(1).cib_requests(), lab.cib_.requests) << "only the writer writes";
  // "value++" is expanded once, on the node asked.
  ASSERT_TRUE(lab.update(3, {.name = "pingd", .host = "n2", .value = "value++"}).ok());
  lab.settle();
  for (NodeId n : {1u, 2u, 3u}) EXPECT_EQ(lab.held(n, "pingd", "n2"), "1001");
  EXPECT_EQ(lab.cib_.value("2", "pingd"), "1001");
  // Unset: gone from memory and the CIB.
  ASSERT_TRUE(lab.update(1, {.name = "pingd", .host = "n2", .value = ""}).ok());
  lab.settle();
  EXPECT_EQ(lab.held(3, "pingd", "n2"), "") << "held unset, as the peer";
  EXPECT_EQ(lab.cib_.value("2", "pingd"), "");
}

TEST(AttributeDaemon, DampeningWritesOncePerWindow) {
  Lab lab;
  ASSERT_TRUE(lab.update(2, {.name = "load", .value = "0", .dampen = 300ms}).ok());
  lab.pump([&] { return lab.cib_.value("2", "load") == "0"; }, 2s);
  int before = lab.cib_.requests;
  for (int i = 1; i <= 1000; ++i) lab.d(2).update({.name = "load", .value = std::to_string(i)}, [](Status) {});
  lab.pump([&] { return lab.held(1, "load", "n2") == "1000"; });
  EXPECT_EQ(lab.cib_.value("2", "load"), "0") << "nothing written inside the window";
  lab.pump([&] { return lab.cib_.value("2", "load") == "1000"; }, 2s);
  EXPECT_EQ(lab.cib_.value("2", "load"), "1000");
  EXPECT_LE(lab.cib_.requests - before, 2) << "1000 updates in one window: one write";
}

TEST(AttributeDaemon, TheWritersDeathLosesNothingAcknowledged) {
  Lab lab;
  ASSERT_TRUE(lab.update(3, {.name = "slow", .value = "7", .dampen = 60s}).ok());
  ASSERT_TRUE(lab.update(2, {.name = "fast", .value = "1"}).ok());
  lab.settle();
  EXPECT_EQ(lab.cib_.value("3", "slow"), "") << "still in its window";
  lab.net_.kill(1);
  lab.stop(1);
  lab.pump([&] { return lab.d(2).is_writer(); });
  ASSERT_TRUE(lab.d(2).is_writer());
  lab.pump([&] { return lab.cib_.value("3", "slow") == "7"; });
  EXPECT_EQ(lab.cib_.value("3", "slow"), "7") << "a new writer writes everything";
  EXPECT_EQ(lab.cib_.value("2", "fast"), "1");
}

TEST(AttributeDaemon, ARestartedAttrdGetsTheStateAndBecomesWriterAgain) {
  Lab lab;
  ASSERT_TRUE(lab.update(1, {.name = "master-db", .value = "10"}).ok());
  ASSERT_TRUE(lab.update(2, {.name = "master-db", .value = "5"}).ok());
  lab.settle();
  lab.stop(1);  // attrd alone dies; the node stays in the cluster
  lab.settle();
  EXPECT_TRUE(lab.d(2).is_writer());
  ASSERT_TRUE(lab.update(3, {.name = "master-db", .value = "3"}).ok());
  lab.start(1);
  lab.pump([&] { return lab.d(1).synced(); });
  EXPECT_EQ(lab.held(1, "master-db", "n1"), "10") << "its own node's value, from the others";
  EXPECT_EQ(lab.held(1, "master-db", "n3"), "3");
  lab.settle();
  EXPECT_TRUE(lab.d(1).is_writer());
  EXPECT_FALSE(lab.d(2).is_writer());
}

TEST(AttributeDaemon, UpdatesRacingTheJoinSurviveTheSync) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Lab lab(seed);
    ASSERT_TRUE(lab.update(2, {.name = "a", .value = "old"}).ok());
    lab.stop(3);
    lab.settle();
    lab.start(3);
    // Sent before the join is processed anywhere: ordered after the join,
    // before the senior's state reaches the joiner in some interleavings.
    lab.d(2).update({.name = "a", .value = "new"}, [seed](Status s) { EXPECT_TRUE(s.ok()) << "seed " << seed << ": " << s.to_string(); });
    lab.settle(20ms);
    EXPECT_EQ(lab.held(3, "a", "n2"), "new") << "seed " << seed;
    EXPECT_EQ(lab.held(1, "a", "n2"), "new") << "seed " << seed;
  }
}

TEST(AttributeDaemon, ANodeThatLeavesLosesItsAttributes) {
  Lab lab;
  ASSERT_TRUE(lab.update(3, {.name = "pingd", .value = "100"}).ok());
  ASSERT_TRUE(lab.update(2, {.name = "pingd", .value = "100"}).ok());
  lab.settle();
  ASSERT_EQ(lab.cib_.value("3", "pingd"), "100");
  lab.net_.kill(3);
  lab.stop(3);
  for (NodeId n : {1u, 2u}) lab.d(n).node_left("n3");
  lab.settle();
  EXPECT_EQ(lab.held(1, "pingd", "n3"), "(unset)");
  EXPECT_EQ(lab.held(2, "pingd", "n3"), "(unset)");
  EXPECT_EQ(lab.cib_.value("3", "pingd"), "");
  EXPECT_EQ(lab.cib_.value("2", "pingd"), "100");
}

TEST(AttributeDaemon, PrivateAttributesAreNeverWritten) {
  Lab lab;
  ASSERT_TRUE(lab.update(2, {.name = "secret", .value = "x", .is_private = true}).ok());
  lab.settle();
  EXPECT_EQ(lab.held(3, "secret", "n2"), "x");
  EXPECT_EQ(lab.cib_.value("2", "secret"), "");
}

TEST(AttributeDaemon, UnknownHostsAreHeldButNotWritten) {
  Lab lab;
  ASSERT_TRUE(lab.update(1, {.name = "x", .host = "nosuch", .value = "1"}).ok());
  ASSERT_TRUE(lab.update(1, {.name = "x", .host = "far", .value = "2"}).ok());
  lab.settle();
  EXPECT_EQ(lab.held(2, "x", "nosuch"), "1");
  EXPECT_EQ(lab.cib_.value("9", "x"), "2") << "a node of the nodes section that runs no attrd";
  EXPECT_TRUE(std::any_of(lab.log_.begin(), lab.log_.end(),
                          [](const std::string& l) { return l.find("cannot write the attributes of nosuch") != std::string::npos; }));
}

TEST(AttributeDaemon, BadRequestsAreRefusedAndChangeNothing) {
  Lab lab;
  EXPECT_EQ(lab.update(1, {.name = "fail-count-web#start_0", .value = "1"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(lab.update(1, {.name = "a'b", .value = "1"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(lab.update(1, {.name = "a"}).code(), StatusCode::kInvalidArgument);
  lab.settle();
  EXPECT_TRUE(lab.d(2).attributes().empty());
  EXPECT_EQ(lab.cib_.requests, 0);
}

TEST(AttributeDaemon, AFailedWriteIsRetried) {
  Lab lab;
  lab.cib_.refuse = true;
  ASSERT_TRUE(lab.update(2, {.name = "a", .value = "1"}).ok());
  lab.settle(100ms);
  lab.cib_.refuse = false;
  lab.cib_.cib_ = cib::Cib::parse(kCib).value();  // what the refused calls applied is lost with cibd
  EXPECT_TRUE(lab.pump([&] { return lab.cib_.value("2", "a") == "1"; }, 5s));
}

TEST(AttributeDaemon, AfterAPartitionHealsEachNodesOwnValuesWin) {
  Lab lab;
  lab.net_.partition({{1, 2}, {3}});
  lab.settle();
  EXPECT_TRUE(lab.d(3).is_writer()) << "each side has its writer";
  ASSERT_TRUE(lab.update(3, {.name = "pingd", .value = "0"}).ok());
  ASSERT_TRUE(lab.update(1, {.name = "pingd", .value = "100"}).ok());
  lab.net_.heal();
  lab.settle(100ms);
  for (NodeId n : {1u, 2u, 3u}) {
    EXPECT_EQ(lab.held(n, "pingd", "n3"), "0") << "node " << n;
    EXPECT_EQ(lab.held(n, "pingd", "n1"), "100") << "node " << n;
  }
  EXPECT_TRUE(lab.d(1).is_writer());
  EXPECT_FALSE(lab.d(3).is_writer());
  EXPECT_EQ(lab.cib_.value("3", "pingd"), "0");
}

}  // namespace
}  // namespace crm::attrd
