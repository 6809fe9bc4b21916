// The fencer regression suite: the peer's cts-fencing tests (2.1.5 names),
// ported with their steps and expected results, run by several fencers over
// the simulated CPG (SimulatedNetwork) with real agent processes: our
// FenceAgentAPI test agent agents/fence/fence_crm_test (the role of the
// peer's cts fence_dummy: mode=pass|fail, monitor_mode, mock_dynamic_hosts)
// and Debian's fence_dummy where it can express the case.
//
// The peer's steps are stonith_admin calls against one fencer; here each
// step is the matching Fencer call on node1 (the "local" fencer, the peer's
// our_uname), and the peer's expected log patterns are checked in the
// fencers' logs. Where the peer's test ran one fencer, ours runs three, so
// the query/reply and delegation paths are exercised as well.
#include "fencer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "crm/cluster/simulated.h"
#include "crm/core/clock.h"

namespace crm::fenced {
namespace {

using namespace std::chrono_literals;
using cluster::NodeId;
using cluster::SimulatedNetwork;

const std::string kAgentDir = std::string(CRM_SOURCE_DIR) + "/agents/fence";

class Lab {
 public:
  explicit Lab(int n = 3) : net_(ids(n), {.seed = 7}) {
    for (int i = 1; i <= n; ++i) start(static_cast<NodeId>(i));
    settle();
  }
  ~Lab() {
    fencers_.clear();
    groups_.clear();
  }

  static std::vector<NodeId> ids(int n) {
    std::vector<NodeId> v;
    for (int i = 1; i <= n; ++i) v.push_back(static_cast<NodeId>(i));
    return v;
  }

  void start(NodeId id) {
    std::string name = "node" + std::to_string(id);
    net_.set_node_name(id, name);
    groups_[id] = net_.join(id, "crm_fenced").value();
    Fencer::Options o;
    o.node_name = name;
    o.query_timeout = 1000ms;
    o.seed = id;
    o.log = [this, name](const std::string& line) { log_.push_back(name + ": " + line); };
    fencers_[id] = std::make_unique<Fencer>(loop_, *groups_[id], runner_, runner_, o);
  }
  void stop(NodeId id) {
    fencers_.erase(id);
    groups_.erase(id);
  }

  Fencer& f(NodeId id) { return *fencers_.at(id); }

  // Delivers messages and runs the loop until `done` or `limit`.
  bool pump(const std::function<bool()>& done, std::chrono::milliseconds limit = 30s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      net_.deliver_all();
      if (done()) return true;
      (void)loop_.run_once(net_.pending() ? 0ms : 5ms);
    }
    return done();
  }
  void settle() {
    pump([] { return false; }, 50ms);
  }

  FenceResult fence(NodeId from, const std::string& target, const std::string& action,
                    std::chrono::milliseconds timeout = 5s, std::chrono::milliseconds delay = 0ms) {
    std::optional<FenceResult> r;
    FenceRequest req{target, action, timeout, delay, "stonith_admin"};
    f(from).fence(req, [&](const FenceResult& res) { r = res; });
    EXPECT_TRUE(pump([&] { return r.has_value(); }, 60s)) << "no answer to fencing " << target;
    return r.value_or(FenceResult{internal_error("no answer"), {}});
  }
  std::vector<std::string> query(NodeId from, const std::string& target) {
    std::optional<std::vector<std::string>> r;
    f(from).query(target, 5s, [&](std::vector<std::string> d) { r = d; });
    EXPECT_TRUE(pump([&] { return r.has_value(); }));
    return r.value_or(std::vector<std::string>{});
  }
  Status monitor(NodeId on, const std::string& device, std::chrono::milliseconds timeout = 5s) {
    std::optional<Status> r;
    f(on).monitor(device, timeout, [&](Status s) { r = s; });
    EXPECT_TRUE(pump([&] { return r.has_value(); }));
    return r.value_or(internal_error("no answer"));
  }
  // stonith_admin -R ID -a AGENT -o k=v ...
  void reg(NodeId on, const std::string& id, const std::string& agent, std::map<std::string, std::string> params) {
    Status s = f(on).register_device(id, agent, params);
    ASSERT_TRUE(s.ok()) << s.to_string();
  }
  void level(NodeId on, const std::string& target, int index, std::vector<std::string> devices) {
    Status s = f(on).register_level(target, index, devices);
    ASSERT_TRUE(s.ok()) << s.to_string();
  }

  bool logged(const std::string& pattern) const {
    return std::any_of(log_.begin(), log_.end(), [&](const std::string& l) { return l.find(pattern) != std::string::npos; });
  }
  size_t count(const std::string& pattern) const {
    return std::count_if(log_.begin(), log_.end(), [&](const std::string& l) { return l.find(pattern) != std::string::npos; });
  }
  std::string dump() const {
    std::string s;
    for (const auto& l : log_) s += l + "\n";
    return s;
  }

  SimulatedNetwork& net() { return net_; }

 private:
  SystemClock clock_;
  EventLoop loop_{clock_};
  SimulatedNetwork net_;
  ProcessAgentRunner runner_{loop_, {kAgentDir, "/usr/sbin"}};
  std::map<NodeId, std::unique_ptr<cluster::GroupTransport>> groups_;
  std::map<NodeId, std::unique_ptr<Fencer>> fencers_;
  std::vector<std::string> log_;
};

const std::map<std::string, std::string> kPass3 = {{"mode", "pass"}, {"pcmk_host_list", "node1 node2 node3"}};
const std::map<std::string, std::string> kFail3 = {{"mode", "fail"}, {"pcmk_host_list", "node1 node2 node3"}};
const char* kAgent = "fence_crm_test";

#define EXPECT_LOG(lab, pattern) EXPECT_TRUE((lab).logged(pattern)) << "missing: " << (pattern) << "\n" << (lab).dump()
#define EXPECT_NO_LOG(lab, pattern) EXPECT_FALSE((lab).logged(pattern)) << "unexpected: " << (pattern) << "\n" << (lab).dump()

// ---- topology ----------------------------------------------------------------

TEST(CtsFencing, TopologySimple) {
  Lab lab;
  lab.reg(1, "true", kAgent, kPass3);
  lab.level(1, "node3", 1, {"true"});
  auto r = lab.fence(1, "node3", "off", 5s);
  EXPECT_TRUE(r.status.ok()) << r.status.to_string() << lab.dump();
  EXPECT_LOG(lab, "Total timeout set to 5");
  EXPECT_LOG(lab, "for host 'node3' with device 'true' returned: 0");
}

TEST(CtsFencing, TopologyAddRemove) {
  Lab lab;
  lab.reg(1, "true", kAgent, kPass3);
  lab.level(1, "node3", 1, {"true"});
  ASSERT_TRUE(lab.f(1).unregister_level("node3", 1).ok());
  EXPECT_TRUE(lab.f(1).levels().empty());
  auto r = lab.fence(1, "node3", "off", 5s);
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_LOG(lab, "Total timeout set to 5");
  EXPECT_LOG(lab, "for host 'node3' with device 'true' returned: 0");
}

TEST(CtsFencing, TopologyDeviceFails) {
  Lab lab;
  lab.reg(1, "false", kAgent, kFail3);
  lab.reg(1, "true", kAgent, kPass3);
  lab.level(1, "node3", 1, {"false"});
  lab.level(1, "node3", 2, {"true"});
  auto r = lab.fence(1, "node3", "off", 20s);
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_EQ(r.entry.device, "true");
  EXPECT_LOG(lab, "Total timeout set to 40");
  EXPECT_LOG(lab, "for host 'node3' with device 'false' returned: -201");
  EXPECT_LOG(lab, "for host 'node3' with device 'true' returned: 0");
}

void six_devices(Lab& lab) {
  for (const char* d : {"true1", "true2", "true3", "true4"}) lab.reg(1, d, kAgent, kPass3);
  for (const char* d : {"false1", "false2"}) lab.reg(1, d, kAgent, kFail3);
}

void three_levels(Lab& lab) {
  lab.level(1, "node3", 1, {"false1"});
  lab.level(1, "node3", 1, {"true1"});
  lab.level(1, "node3", 2, {"true2"});
  lab.level(1, "node3", 2, {"false2"});
  lab.level(1, "node3", 3, {"true3"});
  lab.level(1, "node3", 3, {"true4"});
}

TEST(CtsFencing, TopologyMultiLevelFails) {
  Lab lab;
  six_devices(lab);
  three_levels(lab);
  auto r = lab.fence(1, "node3", "off", 3s);
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_LOG(lab, "Total timeout set to 18");
  EXPECT_LOG(lab, "for host 'node3' with device 'false1' returned: -201");
  EXPECT_LOG(lab, "for host 'node3' with device 'false2' returned: -201");
  EXPECT_LOG(lab, "for host 'node3' with device 'true3' returned: 0");
  EXPECT_LOG(lab, "for host 'node3' with device 'true4' returned: 0");
  // The level's first device failed: its second is not tried.
  EXPECT_NO_LOG(lab, "with device 'true1' returned");
}

TEST(CtsFencing, TopologyMissingDevices) {
  Lab lab;
  for (const char* d : {"true2", "true3", "true4"}) lab.reg(1, d, kAgent, kPass3);
  lab.reg(1, "false2", kAgent, kFail3);
  three_levels(lab);  // false1 and true1 are not registered anywhere
  auto r = lab.fence(1, "node3", "off", 5s);
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_LOG(lab, "for host 'node3' with device 'true4' returned: 0");
}

TEST(CtsFencing, TopologyLevelRemoval) {
  Lab lab;
  six_devices(lab);
  three_levels(lab);
  ASSERT_TRUE(lab.f(1).unregister_level("node3", 2).ok());
  auto r = lab.fence(1, "node3", "off", 20s);
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_LOG(lab, "Total timeout set to 80");  // levels 1 and 3: 4 devices x 20 s (the peer counts 8: see docs)
  EXPECT_LOG(lab, "for host 'node3' with device 'false1' returned: -201");
  EXPECT_NO_LOG(lab, "for host 'node3' with device 'false2' returned: ");
  EXPECT_LOG(lab, "for host 'node3' with device 'true3' returned: 0");
  EXPECT_LOG(lab, "for host 'node3' with device 'true4' returned: 0");
}

TEST(CtsFencing, TopologyLevelPattern) {
  Lab lab;
  lab.reg(1, "true", kAgent, kPass3);
  lab.level(1, "@node.*", 1, {"true"});
  auto r = lab.fence(1, "node3", "off", 5s);
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_LOG(lab, "for host 'node3' with device 'true' returned: 0");
}

// ---- devices and host lists ------------------------------------------------

TEST(CtsFencing, HostListDelimiters) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node1,node2,node3"}});
  lab.reg(1, "true2", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "pcmk1;pcmk2;pcmk3"}});
  EXPECT_TRUE(lab.fence(1, "node2", "off").status.ok()) << lab.dump();
  EXPECT_TRUE(lab.fence(1, "pcmk3", "off").status.ok()) << lab.dump();
  EXPECT_LOG(lab, "for host 'node2' with device 'true1' returned: 0");
  EXPECT_LOG(lab, "for host 'pcmk3' with device 'true2' returned: 0");
}

TEST(CtsFencing, ListDevices) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3"}});
  lab.reg(1, "true2", kAgent, kPass3);
  lab.reg(1, "true3", kAgent, kPass3);
  EXPECT_EQ(lab.query(1, "node1"), (std::vector<std::string>{"true2", "true3"}));
}

TEST(CtsFencing, ListDevicesAcrossFencers) {
  Lab lab;
  lab.reg(2, "on2", kAgent, kPass3);
  lab.reg(3, "on3", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node1"}});
  EXPECT_EQ(lab.query(1, "node1"), (std::vector<std::string>{"on2", "on3"}));
  EXPECT_EQ(lab.query(1, "node2"), (std::vector<std::string>{"on2"}));
}

TEST(CtsFencing, Monitor) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3"}});
  lab.reg(1, "false1", kAgent, {{"mode", "fail"}, {"pcmk_host_list", "node3"}});
  EXPECT_TRUE(lab.monitor(1, "true1").ok());
  EXPECT_TRUE(lab.monitor(1, "false1").ok());  // monitor_mode=pass
  EXPECT_EQ(lab.monitor(1, "true2").code(), StatusCode::kNotFound);
}

TEST(CtsFencing, MonitorTimeout) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "fail"}, {"monitor_mode", "fail"}, {"pcmk_host_list", "node3"}});
  EXPECT_FALSE(lab.monitor(1, "true1", 5s).ok());
  EXPECT_LOG(lab, "Attempt 2 to execute");
}

TEST(CtsFencing, MonitorTimeoutMaxRetries) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "fail"}, {"monitor_mode", "fail"}, {"pcmk_host_list", "node3"}});
  EXPECT_FALSE(lab.monitor(1, "true1", 15s).ok());
  EXPECT_LOG(lab, "Attempted to execute agent fence_crm_test (monitor) the maximum number of times");
}

TEST(CtsFencing, Register) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3"}});
  EXPECT_TRUE(lab.monitor(1, "true1").ok());
  EXPECT_TRUE(lab.f(1).unregister_device("true1").ok());
  EXPECT_EQ(lab.monitor(1, "true1").code(), StatusCode::kNotFound);
}

TEST(CtsFencing, Reboot) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3"}});
  auto r = lab.fence(1, "node3", "reboot");
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_EQ(r.entry.action, "reboot");
  EXPECT_TRUE(lab.f(1).unregister_device("true1").ok());
  EXPECT_EQ(lab.monitor(1, "true1").code(), StatusCode::kNotFound);
}

TEST(CtsFencing, FenceHistory) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3"}});
  ASSERT_TRUE(lab.fence(1, "node3", "off").status.ok());
  for (NodeId n : {1, 2, 3}) {
    auto h = lab.f(n).history("node3");
    ASSERT_EQ(h.size(), 1u) << "node" << n;
    EXPECT_EQ(h[0].state, "success");
    EXPECT_EQ(h[0].action, "off");
    EXPECT_EQ(h[0].target, "node3");
    EXPECT_EQ(h[0].device, "true1");
    EXPECT_EQ(h[0].origin, "node1");
    EXPECT_EQ(h[0].delegate, "node1");
    EXPECT_EQ(h[0].client, "stonith_admin");
    EXPECT_GT(h[0].completed, 0);
    EXPECT_GT(h[0].requested, 0);  // every fencer knows when it was asked for
    EXPECT_LE(h[0].requested, h[0].completed);
  }
  EXPECT_TRUE(lab.f(1).history("node2").empty());
  EXPECT_EQ(lab.f(2).history("*").size(), 1u);
}

TEST(CtsFencing, DynamicListQuery) {
  Lab lab;
  for (const char* d : {"true1", "true2", "true3"}) lab.reg(1, d, kAgent, {{"mode", "pass"}, {"mock_dynamic_hosts", "fake_port_1"}});
  EXPECT_EQ(lab.query(1, "fake_port_1").size(), 3u) << lab.dump();
  EXPECT_TRUE(lab.query(1, "fake_port_2").empty());
}

TEST(CtsFencing, FenceDynamicListQuery) {
  Lab lab;
  for (const char* d : {"true1", "true2", "true3"}) lab.reg(1, d, kAgent, {{"mode", "pass"}, {"mock_dynamic_hosts", "fake_port_1"}});
  EXPECT_TRUE(lab.fence(1, "fake_port_1", "off").status.ok()) << lab.dump();
}

TEST(CtsFencing, StatusQuery) {
  Lab lab;
  for (const char* d : {"true1", "true2", "true3"}) lab.reg(1, d, kAgent, {{"mode", "pass"}, {"pcmk_host_check", "status"}});
  EXPECT_EQ(lab.query(1, "fake_port_1").size(), 3u) << lab.dump();
}

TEST(CtsFencing, NoRebootSupport) {
  Lab lab;
  lab.reg(1, "true1", "fence_crm_test_no_reboot", kPass3);
  EXPECT_TRUE(lab.fence(1, "node1", "reboot").status.ok()) << lab.dump();
  EXPECT_LOG(lab, "does not advertise support for 'reboot', performing 'off'");
  EXPECT_LOG(lab, "with device 'true1' returned: 0 (OK)");
}

TEST(CtsFencing, WithRebootSupport) {
  Lab lab;
  lab.reg(1, "true1", kAgent, kPass3);
  EXPECT_TRUE(lab.fence(1, "node1", "reboot").status.ok()) << lab.dump();
  EXPECT_NO_LOG(lab, "does not advertise support for 'reboot', performing 'off'");
  EXPECT_LOG(lab, "with device 'true1' returned: 0 (OK)");
}

TEST(CtsFencing, TopologyDelay) {
  Lab lab;
  auto with_base = [](std::map<std::string, std::string> p) {
    p["pcmk_delay_base"] = "1";
    return p;
  };
  lab.reg(1, "true1", kAgent, with_base(kPass3));
  lab.reg(1, "false1", kAgent, with_base(kFail3));
  lab.reg(1, "true2", kAgent, kPass3);
  lab.reg(1, "true3", kAgent, kPass3);
  lab.level(1, "node3", 1, {"true1"});
  lab.level(1, "node3", 1, {"false1"});
  lab.level(1, "node3", 2, {"true2"});
  lab.level(1, "node3", 2, {"true3"});
  auto r = lab.fence(1, "node3", "off", 120s, 1s);
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_LOG(lab, "Delaying 'off' action targeting node3 on true1 for 2s (timeout=120s, requested_delay=1s, base=1s, max=1s)");
  EXPECT_LOG(lab, "Delaying 'off' action targeting node3 on false1 for 1s (timeout=120s, requested_delay=0s, base=1s, max=1s)");
  EXPECT_NO_LOG(lab, "Delaying 'off' action targeting node3 on true2");
  EXPECT_NO_LOG(lab, "Delaying 'off' action targeting node3 on true3");
}

// ---- timeouts, failures, merging --------------------------------------------

TEST(CtsFencing, CustomTimeout1) {
  Lab lab;
  lab.reg(1, "false1", kAgent, kFail3);
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3"}, {"pcmk_off_timeout", "1"}});
  lab.reg(1, "false2", kAgent, {{"mode", "fail"}, {"pcmk_host_list", "node3"}, {"pcmk_off_timeout", "4"}});
  EXPECT_TRUE(lab.fence(1, "node3", "off", 5s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "Total timeout set to 10");
}

TEST(CtsFencing, CustomTimeout2) {
  Lab lab;
  lab.reg(1, "false1", kAgent, kFail3);
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3"}, {"pcmk_off_timeout", "1"}});
  lab.reg(1, "false2", kAgent, {{"mode", "fail"}, {"pcmk_host_list", "node3"}, {"pcmk_off_timeout", "4000"}});
  lab.level(1, "node3", 1, {"false1"});
  lab.level(1, "node3", 2, {"true1"});
  lab.level(1, "node3", 3, {"false2"});
  EXPECT_TRUE(lab.fence(1, "node3", "off", 5s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "Total timeout set to 4006");
}

TEST(CtsFencing, FenceMultiDeviceFailure) {
  Lab lab;
  for (const char* d : {"false1", "false2", "false3"}) lab.reg(1, d, kAgent, kFail3);
  auto r = lab.fence(1, "node3", "off", 2s);
  EXPECT_FALSE(r.status.ok());
  EXPECT_EQ(r.entry.state, "failed");
  EXPECT_LOG(lab, "Total timeout set to 6");
  for (const char* d : {"false1", "false2", "false3"}) {
    EXPECT_LOG(lab, std::string("for host 'node3' with device '") + d + "' returned: ");
  }
  // The failure is in every fencer's history.
  EXPECT_EQ(lab.f(3).history("node3").at(0).state, "failed");
}

TEST(CtsFencing, FenceDeviceFailureRollover) {
  Lab lab;
  lab.reg(1, "false1", kAgent, kFail3);
  lab.reg(1, "true1", kAgent, kPass3);
  lab.reg(1, "false2", kAgent, kFail3);
  auto r = lab.fence(1, "node3", "off", 5s);
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_EQ(r.entry.device, "true1");
  EXPECT_LOG(lab, "Total timeout set to 15");
}

TEST(CtsFencing, FenceMissingAgent) {
  Lab lab;
  Status bad = lab.f(1).register_device("true1", "fence_missing", {{"mode", "pass"}, {"pcmk_host_list", "node3"}});
  EXPECT_EQ(bad.code(), StatusCode::kNotFound);
  EXPECT_NE(bad.message().find("fence device 'true1' (fence_missing)"), std::string::npos) << bad.message();
  lab.reg(1, "true2", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node2"}});
  auto r = lab.fence(1, "node3", "off");
  EXPECT_EQ(r.status.code(), StatusCode::kNotFound) << r.status.to_string();
  EXPECT_TRUE(lab.fence(1, "node2", "off").status.ok());
}

TEST(CtsFencing, CustomMergeSingle) {
  Lab lab;
  lab.reg(1, "false1", kAgent, {{"mode", "fail"}, {"pcmk_host_list", "node3"}});
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3"}});
  lab.reg(1, "false2", kAgent, {{"mode", "fail"}, {"pcmk_host_list", "node3"}});
  int answers = 0;
  FenceRequest req{"node3", "off", 10s, 0ms, "stonith_admin.1"};
  lab.f(1).fence(req, [&](const FenceResult& r) { answers += r.status.ok(); });
  req.client = "stonith_admin.2";
  lab.f(1).fence(req, [&](const FenceResult& r) { answers += r.status.ok(); });
  EXPECT_TRUE(lab.pump([&] { return answers == 2; }));
  EXPECT_EQ(lab.count("Merging stonith action 'off' targeting node3 originating from client"), 1u);
  EXPECT_EQ(lab.f(2).history("node3").size(), 1u);
}

TEST(CtsFencing, CustomNoMerge) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3 node2"}});
  int answers = 0;
  lab.f(1).fence(FenceRequest{"node2", "off", 10s, 0ms, "a"}, [&](const FenceResult& r) { answers += r.status.ok(); });
  lab.f(1).fence(FenceRequest{"node3", "off", 10s, 0ms, "b"}, [&](const FenceResult& r) { answers += r.status.ok(); });
  EXPECT_TRUE(lab.pump([&] { return answers == 2; }));
  EXPECT_NO_LOG(lab, "Merging stonith action");
}

// ---- unfencing ---------------------------------------------------------------

TEST(CtsFencing, UnfenceRequired1) {
  Lab lab;
  lab.reg(1, "true1", "fence_crm_test_auto_unfence", {{"mode", "pass"}, {"pcmk_host_list", "node1"}});
  lab.reg(1, "true2", "fence_crm_test_auto_unfence", {{"mode", "pass"}, {"pcmk_host_list", "node1"}});
  EXPECT_TRUE(lab.fence(1, "node1", "on", 3s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "with device 'true1' returned: 0 (OK)");
  EXPECT_LOG(lab, "with device 'true2' returned: 0 (OK)");
}

TEST(CtsFencing, UnfenceRequired2) {
  Lab lab;
  lab.reg(1, "true1", "fence_crm_test_auto_unfence", {{"mode", "pass"}, {"pcmk_host_list", "node1"}});
  lab.reg(1, "true2", "fence_crm_test_auto_unfence", {{"mode", "fail"}, {"pcmk_host_list", "node1"}});
  EXPECT_FALSE(lab.fence(1, "node1", "on", 6s).status.ok()) << lab.dump();
}

TEST(CtsFencing, UnfenceRequired3) {
  Lab lab;
  lab.reg(1, "true1", "fence_crm_test_auto_unfence", {{"mode", "pass"}, {"pcmk_host_list", "node1 node3"}});
  lab.reg(1, "true2", "fence_crm_test_auto_unfence", {{"mode", "pass"}, {"pcmk_host_list", "node1 node3"}});
  lab.level(1, "node1", 1, {"true1"});
  lab.level(1, "node1", 2, {"true2"});
  EXPECT_TRUE(lab.fence(1, "node1", "on", 3s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "with device 'true1' returned: 0 (OK)");
  EXPECT_LOG(lab, "with device 'true2' returned: 0 (OK)");
}

TEST(CtsFencing, UnfenceRequired4) {
  Lab lab;
  std::map<std::string, std::string> pass = {{"mode", "pass"}, {"pcmk_host_list", "node1 node3"}};
  std::map<std::string, std::string> fail = {{"mode", "fail"}, {"pcmk_host_list", "node1 node3"}};
  for (const char* d : {"true1", "true2", "true3", "true4"}) lab.reg(1, d, "fence_crm_test_auto_unfence", pass);
  for (const char* d : {"false1", "false2", "false3", "false4"}) lab.reg(1, d, kAgent, fail);
  lab.level(1, "node1", 1, {"true1", "false1"});
  lab.level(1, "node1", 2, {"false2", "true2", "false3", "true3"});
  lab.level(1, "node1", 3, {"false4"});
  lab.level(1, "node1", 4, {"true4"});
  EXPECT_TRUE(lab.fence(1, "node1", "on", 3s).status.ok()) << lab.dump();
  for (const char* d : {"true1", "true2", "true3", "true4"}) {
    EXPECT_LOG(lab, std::string("with device '") + d + "' returned: 0 (OK)");
  }
}

TEST(CtsFencing, UnfenceOnTarget1) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node1"}});
  EXPECT_TRUE(lab.fence(1, "node1", "on", 3s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "(on) to be executed on the target node");
}

TEST(CtsFencing, UnfenceOnTarget2) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node1 node_fake_1234"}});
  EXPECT_FALSE(lab.fence(1, "node_fake_1234", "on", 3s).status.ok()) << lab.dump();
  // The device's "on" runs on the target only; node_fake_1234 runs no fencer, so nobody offers it.
  EXPECT_TRUE(lab.query(1, "node_fake_1234").size() == 1u);
}

TEST(CtsFencing, UnfenceOnTarget3) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node1 node3"}});
  lab.reg(1, "true2", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node1 node3"}});
  lab.level(1, "node1", 1, {"true1"});
  lab.level(1, "node1", 2, {"true2"});
  EXPECT_TRUE(lab.fence(1, "node1", "on", 3s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "(on) to be executed on the target node");
}

TEST(CtsFencing, UnfenceOnTarget4) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node1 node_fake"}});
  lab.reg(1, "true2", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node1 node_fake"}});
  lab.level(1, "node_fake", 1, {"true1"});
  lab.level(1, "node_fake", 2, {"true2"});
  EXPECT_FALSE(lab.fence(1, "node_fake", "on", 3s).status.ok()) << lab.dump();
}

// ---- remapping reboot to off + on --------------------------------------------

TEST(CtsFencing, RemapSimple) {
  Lab lab;
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node_fake"}, {"pcmk_off_timeout", "1"},
                               {"pcmk_reboot_timeout", "10"}});
  lab.reg(1, "true2", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node_fake"}, {"pcmk_off_timeout", "2"},
                               {"pcmk_reboot_timeout", "20"}});
  lab.level(1, "node_fake", 1, {"true1", "true2"});
  EXPECT_TRUE(lab.fence(1, "node_fake", "reboot", 5s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "Remapping multiple-device reboot targeting node_fake");
  EXPECT_LOG(lab, "Total timeout set to 3 for peer's fencing targeting node_fake");
  EXPECT_LOG(lab, "perform 'off' action targeting node_fake using 'true1'");
  EXPECT_LOG(lab, "perform 'off' action targeting node_fake using 'true2'");
  EXPECT_LOG(lab, "Remapped 'off' targeting node_fake complete, remapping to 'on'");
  EXPECT_LOG(lab, "Ignoring true1 'on' failure (no capable peers) targeting node_fake");
  EXPECT_LOG(lab, "Ignoring true2 'on' failure (no capable peers) targeting node_fake");
  EXPECT_LOG(lab, "Undoing remap of reboot targeting node_fake");
}

TEST(CtsFencing, RemapAutomatic) {
  Lab lab;
  for (const char* d : {"true1", "true2"}) {
    lab.reg(1, d, "fence_crm_test_auto_unfence", {{"mode", "pass"}, {"pcmk_host_list", "node_fake"}});
  }
  lab.level(1, "node_fake", 1, {"true1", "true2"});
  EXPECT_TRUE(lab.fence(1, "node_fake", "reboot", 5s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "Remapping multiple-device reboot targeting node_fake");
  EXPECT_LOG(lab, "perform 'off' action targeting node_fake using 'true1'");
  EXPECT_LOG(lab, "perform 'off' action targeting node_fake using 'true2'");
  EXPECT_LOG(lab, "Undoing remap of reboot targeting node_fake");
  EXPECT_NO_LOG(lab, "perform 'on' action targeting node_fake using");
  EXPECT_NO_LOG(lab, "'on' failure");
}

TEST(CtsFencing, RemapComplex1) {
  Lab lab;
  lab.reg(1, "false1", kAgent, {{"mode", "fail"}, {"pcmk_host_list", "node_fake"}});
  lab.reg(1, "true1", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node_fake"}});
  lab.reg(1, "true2", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node_fake"}});
  lab.level(1, "node_fake", 1, {"false1"});
  lab.level(1, "node_fake", 2, {"true1", "true2"});
  EXPECT_TRUE(lab.fence(1, "node_fake", "reboot", 5s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "perform 'reboot' action targeting node_fake using 'false1'");
  EXPECT_LOG(lab, "Remapping multiple-device reboot targeting node_fake");
  EXPECT_LOG(lab, "perform 'off' action targeting node_fake using 'true1'");
  EXPECT_LOG(lab, "perform 'off' action targeting node_fake using 'true2'");
  EXPECT_LOG(lab, "Remapped 'off' targeting node_fake complete, remapping to 'on'");
  EXPECT_LOG(lab, "Undoing remap of reboot targeting node_fake");
  // Only level 2 is remapped.
  EXPECT_EQ(lab.count("Remapping multiple-device reboot"), 1u) << lab.dump();
  EXPECT_EQ(lab.count("Undoing remap"), 1u) << lab.dump();
}

TEST(CtsFencing, RemapComplex2) {
  Lab lab;
  lab.reg(1, "false1", kAgent, {{"mode", "fail"}, {"pcmk_host_list", "node_fake"}});
  lab.reg(1, "false2", kAgent, {{"mode", "fail"}, {"pcmk_host_list", "node_fake"}});
  for (const char* d : {"true1", "true2", "true3"}) lab.reg(1, d, kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node_fake"}});
  lab.level(1, "node_fake", 1, {"false1"});
  lab.level(1, "node_fake", 2, {"true1", "false2", "true3"});
  lab.level(1, "node_fake", 3, {"true2"});
  EXPECT_TRUE(lab.fence(1, "node_fake", "reboot", 5s).status.ok()) << lab.dump();
  EXPECT_LOG(lab, "perform 'reboot' action targeting node_fake using 'false1'");
  EXPECT_LOG(lab, "Remapping multiple-device reboot targeting node_fake");
  EXPECT_LOG(lab, "perform 'off' action targeting node_fake using 'true1'");
  EXPECT_LOG(lab, "perform 'off' action targeting node_fake using 'false2'");
  EXPECT_LOG(lab, "Attempted to execute agent fence_crm_test (off) the maximum number of times");
  EXPECT_LOG(lab, "Undoing remap of reboot targeting node_fake");
  EXPECT_LOG(lab, "perform 'reboot' action targeting node_fake using 'true2'");
  EXPECT_NO_LOG(lab, "using 'true3'");
}

// ---- the cluster: delegation, suicide, history for joiners, confirm ------------

TEST(FencerCluster, DeviceOnlyAnotherFencerHoldsIsRunThere) {
  Lab lab;
  lab.reg(2, "ipmi", kAgent, kPass3);
  auto r = lab.fence(1, "node3", "off");
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_EQ(r.entry.delegate, "node2");
  EXPECT_EQ(r.entry.origin, "node1");
  EXPECT_LOG(lab, "node2: Operation 'off' (call node1:");
}

TEST(FencerCluster, TargetNeverFencesItselfWhenAnotherCan) {
  Lab lab;
  lab.reg(3, "d", kAgent, kPass3);
  lab.reg(2, "d", kAgent, kPass3);
  auto r = lab.fence(1, "node3", "off");
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_EQ(r.entry.delegate, "node2");
}

TEST(FencerCluster, SuicideOnlyWhenNothingElseCan) {
  Lab lab;
  lab.reg(3, "d", kAgent, kPass3);
  auto r = lab.fence(1, "node3", "off");
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_EQ(r.entry.delegate, "node3");
  EXPECT_LOG(lab, "it fences itself (suicide)");
}

TEST(FencerCluster, NewFencerGetsTheHistoryFromItsPeers) {
  Lab lab(4);
  lab.stop(4);
  lab.settle();
  lab.reg(1, "d", kAgent, kPass3);
  ASSERT_TRUE(lab.fence(1, "node3", "off").status.ok());
  ASSERT_TRUE(lab.fence(2, "node2", "reboot").status.ok());
  lab.start(4);
  ASSERT_TRUE(lab.pump([&] { return lab.f(4).history("").size() == 2; }, 5s)) << lab.dump();
  EXPECT_EQ(lab.f(4).history(""), lab.f(1).history(""));
}

TEST(FencerCluster, IsolatedNodeIsFencedByTheMajorityAndLearnsOfItAfterTheHeal) {
  Lab lab;
  lab.reg(1, "d", kAgent, kPass3);
  lab.reg(2, "d", kAgent, kPass3);
  lab.net().partition({{1, 2}, {3}});
  lab.settle();
  auto r = lab.fence(2, "node3", "reboot");
  EXPECT_TRUE(r.status.ok()) << lab.dump();
  EXPECT_TRUE(lab.f(3).history("node3").empty());
  lab.net().heal();
  ASSERT_TRUE(lab.pump([&] { return lab.f(3).history("node3").size() == 1; }, 5s)) << lab.dump();
  EXPECT_EQ(lab.f(3).history("node3")[0].state, "success");
}

TEST(FencerCluster, HistorySurvivesTheOriginsDeath) {
  Lab lab;
  lab.reg(1, "d", kAgent, kPass3);
  ASSERT_TRUE(lab.fence(1, "node3", "off").status.ok());
  lab.stop(1);
  lab.net().kill(1);
  lab.settle();
  EXPECT_EQ(lab.f(2).history("node3").size(), 1u);
  EXPECT_EQ(lab.f(3).history("node3").size(), 1u);
}

TEST(FencerCluster, ExecutorThatLeavesFailsItsStepAndTheNextLevelRuns) {
  Lab lab;
  lab.reg(2, "slow", kAgent, {{"mode", "pass"}, {"delay", "5"}, {"pcmk_host_list", "node3"}});
  lab.reg(1, "backup", kAgent, {{"mode", "pass"}, {"pcmk_host_list", "node3"}});
  lab.level(1, "node3", 1, {"slow"});
  lab.level(1, "node3", 2, {"backup"});
  std::optional<FenceResult> r;
  lab.f(1).fence(FenceRequest{"node3", "off", 20s, 0ms, "t"}, [&](const FenceResult& res) { r = res; });
  ASSERT_TRUE(lab.pump([&] { return lab.logged("Requesting that node2 perform 'off'"); }, 5s));
  lab.pump([] { return false; }, 100ms);
  auto start = std::chrono::steady_clock::now();
  lab.stop(2);
  lab.net().kill(2);
  ASSERT_TRUE(lab.pump([&] { return r.has_value(); }, 10s)) << lab.dump();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(r->status.ok()) << lab.dump();
  EXPECT_EQ(r->entry.device, "backup");
  EXPECT_LOG(lab, "Fencer node2 left while running a step");
}

TEST(FencerCluster, PendingOperationsAreInEveryHistoryUntilDone) {
  Lab lab;
  lab.reg(2, "slow", kAgent, {{"mode", "pass"}, {"delay", "1"}, {"pcmk_host_list", "node3"}});
  std::optional<FenceResult> r;
  lab.f(1).fence(FenceRequest{"node3", "reboot", 10s, 0ms, "crmd"}, [&](const FenceResult& res) { r = res; });
  ASSERT_TRUE(lab.pump([&] { return !lab.f(3).history("node3").empty(); }, 5s));
  auto h = lab.f(3).history("node3");
  EXPECT_EQ(h[0].state, "pending");
  EXPECT_EQ(h[0].origin, "node1");
  EXPECT_EQ(h[0].client, "crmd");
  ASSERT_TRUE(lab.pump([&] { return r.has_value(); }));
  for (NodeId n : {1, 2, 3}) {
    auto done = lab.f(n).history("node3");
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].state, "success");
  }
}

// The DC that asked for a fencing dies while the agent runs elsewhere: the
// executor completes the operation for everyone, and the new DC's request for
// the same fencing is answered by it (the agent runs once).
TEST(FencerCluster, AnOperationWhoseOriginLeftIsCompletedByItsExecutor) {
  Lab lab;
  lab.reg(2, "slow", kAgent, {{"mode", "pass"}, {"delay", "2"}, {"pcmk_host_list", "node3"}});
  lab.f(1).fence(FenceRequest{"node3", "off", 10s, 0ms, "crmd"}, [](const FenceResult&) {});
  ASSERT_TRUE(lab.pump([&] { return lab.logged("Requesting that node2 perform 'off'"); }, 5s));
  lab.stop(1);
  lab.net().kill(1);
  lab.pump([] { return false; }, 200ms);
  EXPECT_LOG(lab, "node3: The origin node1 of 'off' targeting node3");
  ASSERT_EQ(lab.f(3).history("node3").size(), 1u);
  EXPECT_EQ(lab.f(3).history("node3")[0].state, "pending");

  FenceResult r = lab.fence(2, "node3", "off");  // the new DC's request
  EXPECT_TRUE(r.status.ok()) << r.status.to_string() << "\n" << lab.dump();
  EXPECT_EQ(r.entry.origin, "node1");
  EXPECT_EQ(r.entry.delegate, "node2");
  EXPECT_EQ(r.entry.device, "slow");
  EXPECT_LOG(lab, "with the operation node1:");
  EXPECT_EQ(lab.count("node2: Operation 'off' (call"), 1u) << lab.dump();  // the agent ran once
  for (NodeId n : {2, 3}) {
    ASSERT_TRUE(lab.pump([&] { return !lab.f(n).history("node3").empty() &&
                                      lab.f(n).history("node3")[0].state == "success"; }, 5s)) << lab.dump();
    EXPECT_EQ(lab.f(n).history("node3").size(), 1u);
  }
}

// With its executor gone too, nobody can complete it: every fencer records
// the failure and a request merged into it gets the failure (and retries).
TEST(FencerCluster, AnOperationWhoseOriginAndExecutorLeftFails) {
  Lab lab;
  lab.reg(2, "slow", kAgent, {{"mode", "pass"}, {"delay", "5"}, {"pcmk_host_list", "node3"}});
  lab.f(1).fence(FenceRequest{"node3", "off", 20s, 0ms, "crmd"}, [](const FenceResult&) {});
  ASSERT_TRUE(lab.pump([&] { return lab.logged("Requesting that node2 perform 'off'"); }, 5s));
  lab.stop(1);
  lab.net().kill(1);
  lab.pump([] { return false; }, 200ms);
  std::optional<FenceResult> merged;
  lab.f(3).fence(FenceRequest{"node3", "off", 10s, 0ms, "crmd"}, [&](const FenceResult& res) { merged = res; });
  lab.pump([] { return false; }, 100ms);
  lab.stop(2);
  lab.net().kill(2);
  ASSERT_TRUE(lab.pump([&] { return merged.has_value(); }, 5s)) << lab.dump();
  EXPECT_FALSE(merged->status.ok());
  auto h = lab.f(3).history("node3");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].state, "failed");
  EXPECT_NE(h[0].exit_reason.find("node1 left"), std::string::npos) << h[0].exit_reason;
}

TEST(FencerCluster, DevicesWithAHigherPriorityAreTriedFirst) {
  Lab lab;
  FencerConfig cfg;
  SystemClock clock;
  EventLoop meta_loop(clock);
  ProcessAgentRunner catalog_runner(meta_loop, {kAgentDir});
  for (auto [id, prio] : {std::pair{"a-low", 0}, std::pair{"z-high", 5}}) {
    auto d = make_device(id, kAgent, kPass3, catalog_runner);
    ASSERT_TRUE(d.ok());
    d->priority = prio;
    d->from_cib = true;
    cfg.devices[id] = *d;
  }
  lab.f(1).apply_config(cfg);
  auto r = lab.fence(1, "node3", "off");
  EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(r.entry.device, "z-high");
}

TEST(FencerCluster, ManualConfirmation) {
  Lab lab;
  std::optional<FenceResult> r;
  lab.f(2).confirm("node3", "stonith_admin", [&](const FenceResult& res) { r = res; });
  ASSERT_TRUE(lab.pump([&] { return r.has_value(); }));
  EXPECT_TRUE(r->status.ok());
  auto h = lab.f(1).history("node3");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].delegate, "a human");
  EXPECT_EQ(h[0].state, "success");
}

TEST(FencerCluster, BadRequestsAndConfig) {
  Lab lab;
  auto r = lab.fence(1, "node3", "dance");
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(lab.f(1).register_level("node3", 10, {"d"}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(lab.f(1).register_device("d", kAgent, {{"pcmk_host_map", "node1"}}).code(), StatusCode::kParseError);
  EXPECT_EQ(lab.f(1).unregister_device("nope").code(), StatusCode::kNotFound);
  // The fencer still works.
  lab.reg(1, "d", kAgent, kPass3);
  EXPECT_TRUE(lab.fence(1, "node2", "off").status.ok());
}

TEST(FencerCluster, MalformedPeerMessagesAreDroppedAndNothingElseIsDisturbed) {
  Lab lab;
  lab.reg(1, "d", kAgent, kPass3);
  auto rogue = lab.net().join(2, "crm_fenced").value();
  for (const char* m : {"not xml", "<st_unknown/>", "<st_exec op='x' executor='node1' step='zz' timeout_ms='-5'/>",
                        "<st_exec_result op='nope' rc='abc'/>", "<st_done id='' state='success'/>",
                        "<st_query_reply op='missing' from='node9'><device/></st_query_reply>",
                        "<st_history_sync><entry/></st_history_sync>"}) {
    ASSERT_TRUE(rogue->send(m).ok());
  }
  lab.settle();
  EXPECT_LOG(lab, "dropping a malformed message");
  EXPECT_TRUE(lab.f(3).history("").empty());
  EXPECT_TRUE(lab.fence(1, "node3", "off").status.ok()) << lab.dump();
  EXPECT_EQ(lab.f(3).history("").size(), 1u);
}

TEST(FencerCluster, HostMapPortReachesTheAgent) {
  Lab lab;
  std::string log = std::filesystem::temp_directory_path() / ("fenced-test-" + std::to_string(getpid()) + ".log");
  lab.reg(1, "d", kAgent, {{"mode", "pass"}, {"pcmk_host_map", "node2:7;node3:8,9"}, {"log", log}});
  ASSERT_TRUE(lab.fence(1, "node3", "off").status.ok()) << lab.dump();
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(log);
  EXPECT_EQ(text, "off 8,9\n");
}

TEST(FencerCluster, TimeoutKillsAHangingAgent) {
  Lab lab;
  lab.reg(1, "hang", kAgent, {{"mode", "timeout"}, {"pcmk_host_list", "node3"}});
  auto start = std::chrono::steady_clock::now();
  auto r = lab.fence(1, "node3", "off", 1s);
  EXPECT_EQ(r.status.code(), StatusCode::kTimeout) << r.status.to_string() << lab.dump();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_LOG(lab, "returned: -62 (Timer expired)");
}

TEST(FencerCluster, DebianFenceDummyFencesThroughItsStatusFile) {
  if (access("/usr/sbin/fence_dummy", X_OK) != 0) GTEST_SKIP() << "fence_dummy (fence-agents) not installed";
  Lab lab;
  std::string status_file = std::filesystem::temp_directory_path() / ("fenced-dummy-" + std::to_string(getpid()));
  { std::ofstream(status_file) << "on"; }
  lab.reg(1, "dummy", "fence_dummy", {{"type", "file"}, {"status_file", status_file}, {"pcmk_host_list", "node3"}});
  EXPECT_EQ(lab.f(1).devices().at("dummy").host_argument, "port");
  auto r = lab.fence(1, "node3", "off", 10s);
  EXPECT_TRUE(r.status.ok()) << r.status.to_string() << lab.dump();
  std::ifstream in(status_file);
  std::string state;
  in >> state;
  EXPECT_EQ(state, "off");
  std::filesystem::remove(status_file);
}

}  // namespace
}  // namespace crm::fenced
