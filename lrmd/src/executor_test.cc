// Executor tests against real agents: the installed heartbeat Dummy, our own
// agents from the source tree, small test agents written here (hanging,
// crashing, printing garbage), the LSB test service, fence_dummy.
#include <signal.h>
#include <sys/stat.h>

#include <set>
#include <sstream>

#include "crm/lrmd/metadata.h"
#include "test_util.h"

namespace crm::lrmd {
namespace {

using namespace crm::lrmd::testing;
using namespace std::chrono_literals;

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() : h_(make_options()) {}
  ExecutorOptions make_options() {
    ExecutorOptions o;
    o.paths.ocf_root = tree_.root();
    o.paths.lsb_dir = std::string(CRM_SOURCE_DIR) + "/agents/lsb";
    o.kill_grace = 300ms;
    o.extra_env["HA_RSCTMP"] = tree_.rsctmp();
    o.extra_env["CRM_ATTRIBUTE"] = "none";
    o.extra_env["CRM_TEST_SERVICE_PIDFILE"] = tree_.tmp() + "/svc.pid";
    return o;
  }
  OcfTree tree_;
  ExecutorHarness h_;
};

TEST_F(ExecutorTest, HeartbeatDummyStartMonitorStop) {
  if (!fs::exists("/usr/lib/ocf/resource.d/heartbeat/Dummy")) GTEST_SKIP() << "resource-agents not installed";
  std::string state = tree_.tmp() + "/hb-dummy.state";
  auto probe = h_.run(ocf("d1", "heartbeat", "Dummy", "monitor", {{"state", state}}));
  EXPECT_EQ(probe.op_status, ExecStatus::kDone);
  EXPECT_EQ(probe.rc, kOcfNotRunning) << probe.output;
  auto start = h_.run(ocf("d1", "heartbeat", "Dummy", "start", {{"state", state}}));
  EXPECT_TRUE(start.ok()) << start.summary() << start.output;
  EXPECT_TRUE(fs::exists(state));
  auto mon = h_.run(ocf("d1", "heartbeat", "Dummy", "monitor", {{"state", state}}));
  EXPECT_EQ(mon.rc, kOcfOk) << mon.output;
  auto stop = h_.run(ocf("d1", "heartbeat", "Dummy", "stop", {{"state", state}}));
  EXPECT_TRUE(stop.ok()) << stop.summary();
  EXPECT_FALSE(fs::exists(state));
  auto mon2 = h_.run(ocf("d1", "heartbeat", "Dummy", "monitor", {{"state", state}}));
  EXPECT_EQ(mon2.rc, kOcfNotRunning);
  EXPECT_GT(start.start_time, 0);
  EXPECT_EQ(start.standard, "ocf");
  EXPECT_EQ(start.type, "Dummy");
  auto history = h_.executor().last_results("d1");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 3u);  // monitor_0, start_0, stop_0 (last of each)
}

TEST_F(ExecutorTest, OcfEnvironmentFollowsTheSpec) {
  std::string envfile = tree_.tmp() + "/env";
  auto r = h_.run(ocf("st:1", "crm", "Stateful", "start",
                      {{"envfile", envfile}, {"CRM_meta_notify", "true"}, {"state", tree_.tmp() + "/st"}}, 0, 7000));
  ASSERT_TRUE(r.ok()) << r.summary() << r.output;
  std::string env = read_file(envfile);
  for (const char* want :
       {"start: OCF_ROOT=", "start: OCF_RA_VERSION_MAJOR=1", "start: OCF_RA_VERSION_MINOR=1",
        "start: OCF_RESOURCE_INSTANCE=st:1", "start: OCF_RESOURCE_TYPE=Stateful", "start: OCF_RESOURCE_PROVIDER=crm",
        "start: OCF_RESKEY_CRM_meta_timeout=7000", "start: OCF_RESKEY_CRM_meta_interval=0",
        "start: OCF_RESKEY_CRM_meta_notify=true", "start: OCF_EXIT_REASON_PREFIX=ocf-exit-reason:",
        "start: OCF_RESKEY_crm_feature_set=3.16.2",
        "start: HA_RSCTMP="}) {
    EXPECT_NE(env.find(want), std::string::npos) << want << " missing in\n" << env;
  }
  EXPECT_NE(env.find("OCF_ROOT=" + tree_.root()), std::string::npos);
}

TEST_F(ExecutorTest, PromotedCodesPassThrough) {
  std::map<std::string, std::string> p{{"state", tree_.tmp() + "/st"}};
  ASSERT_TRUE(h_.run(ocf("st", "crm", "Stateful", "start", p)).ok());
  EXPECT_EQ(h_.run(ocf("st", "crm", "Stateful", "monitor", p)).rc, kOcfOk);
  ASSERT_TRUE(h_.run(ocf("st", "crm", "Stateful", "promote", p)).ok());
  auto mon = h_.run(ocf("st", "crm", "Stateful", "monitor", p));
  EXPECT_EQ(mon.rc, kOcfRunningPromoted);
  EXPECT_TRUE(mon.ok());
  ASSERT_TRUE(h_.run(ocf("st", "crm", "Stateful", "demote", p)).ok());
  ASSERT_TRUE(h_.run(ocf("st", "crm", "Stateful", "stop", p)).ok());
  tree_.add_agent("failed_promoted", "#!/bin/sh\n[ \"$1\" = meta-data ] && exit 0\nexit 9\n");
  auto f = h_.run(ocf("fp", "test", "failed_promoted", "monitor"));
  EXPECT_EQ(f.rc, kOcfFailedPromoted);
  EXPECT_FALSE(f.ok());
}

TEST_F(ExecutorTest, ExitReasonIsTheLastPrefixedStderrLine) {
  tree_.add_agent("reasons",
                  "#!/bin/sh\n[ \"$1\" = meta-data ] && exit 0\n"
                  "echo 'some output'\n"
                  "echo \"${OCF_EXIT_REASON_PREFIX}first reason\" >&2\n"
                  "echo 'noise' >&2\n"
                  "echo \"${OCF_EXIT_REASON_PREFIX}config file /etc/x is missing\" >&2\n"
                  "exit 6\n");
  auto r = h_.run(ocf("r", "test", "reasons", "start"));
  EXPECT_EQ(r.rc, kOcfErrConfigured);
  EXPECT_EQ(r.op_status, ExecStatus::kDone);
  EXPECT_EQ(r.exit_reason, "config file /etc/x is missing");
  EXPECT_NE(r.output.find("some output"), std::string::npos);
  EXPECT_NE(r.output.find("noise"), std::string::npos);
}

// The agent forks children that sleep; at the timeout the whole group dies.
TEST_F(ExecutorTest, HangingAgentKilledAtTimeoutWithItsChildren) {
  std::string pids = tree_.tmp() + "/children";
  tree_.add_agent("hang",
                  "#!/bin/sh\n[ \"$1\" = meta-data ] && exit 0\n"
                  "sleep 1000 & echo $! >> " + pids + "\n"
                  "sh -c 'trap \"\" TERM; sleep 1000' & echo $! >> " + pids + "\n"  // ignores SIGTERM
                  "echo $$ >> " + pids + "\n"
                  "trap '' TERM\n"  // so does the agent: SIGKILL after the grace
                  "while :; do sleep 1; done\n");
  auto t0 = std::chrono::steady_clock::now();
  auto r = h_.run(ocf("h", "test", "hang", "start", {}, 0, 500));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.op_status, ExecStatus::kTimeout);
  EXPECT_EQ(r.rc, kOcfErrGeneric);
  EXPECT_NE(r.exit_reason.find("timed out after 500 ms"), std::string::npos) << r.exit_reason;
  EXPECT_LT(took, 10s);
  std::istringstream in(read_file(pids));
  std::vector<pid_t> all;
  for (pid_t p; in >> p;) all.push_back(p);
  ASSERT_EQ(all.size(), 3u);
  // SIGKILL has been sent to the group before the result; give the kernel a moment.
  h_.run_until([&] {
    for (pid_t p : all) {
      if (!process_gone(p)) return false;
    }
    return true;
  }, 5s);
  for (pid_t p : all) EXPECT_TRUE(process_gone(p)) << "pid " << p << " survived";
  EXPECT_EQ(h_.executor().running_count(), 0u);
}

TEST_F(ExecutorTest, CrashAndGarbageMapToGenericError) {
  tree_.add_agent("crash", "#!/bin/sh\n[ \"$1\" = meta-data ] && exit 0\necho about to crash\nkill -SEGV $$\n");
  auto c = h_.run(ocf("c", "test", "crash", "start"));
  EXPECT_EQ(c.op_status, ExecStatus::kError);
  EXPECT_EQ(c.rc, kOcfErrGeneric);
  EXPECT_NE(c.exit_reason.find("signal 11"), std::string::npos) << c.exit_reason;

  tree_.add_agent("garbage",
                  "#!/bin/sh\n[ \"$1\" = meta-data ] && { echo '<not xml'; exit 0; }\n"
                  "head -c 3000 /dev/urandom\nexit 42\n");
  auto g = h_.run(ocf("g", "test", "garbage", "monitor"));
  EXPECT_EQ(g.op_status, ExecStatus::kDone);
  EXPECT_EQ(g.rc, kOcfErrGeneric);
  EXPECT_NE(g.exit_reason.find("exited with 42"), std::string::npos) << g.exit_reason;

  // Not an executable format at all.
  write_file(tree_.root() + "/resource.d/test/notelf", "\x7f" "ELF garbage", true);
  auto n = h_.run(ocf("n", "test", "notelf", "start"));
  EXPECT_EQ(n.op_status, ExecStatus::kError);
  EXPECT_EQ(n.rc, kOcfErrGeneric);
}

TEST_F(ExecutorTest, NotInstalledAndNotExecutable) {
  auto r = h_.run(ocf("x", "crm", "NoSuchAgent", "start"));
  EXPECT_EQ(r.op_status, ExecStatus::kNotInstalled);
  EXPECT_EQ(r.rc, kOcfErrInstalled);
  EXPECT_NE(r.exit_reason.find("ocf:crm:NoSuchAgent"), std::string::npos) << r.exit_reason;
  write_file(tree_.root() + "/resource.d/test/noexec", "#!/bin/sh\nexit 0\n", false);
  auto n = h_.run(ocf("y", "test", "noexec", "start"));
  EXPECT_EQ(n.rc, kOcfErrPerm);
  EXPECT_FALSE(h_.executor().exec(ocf("z", "../..", "x", "start")).ok());
  ExecRequest bad = ocf("z", "crm", "Dummy", "start");
  bad.standard = "upstart";
  auto e = h_.executor().exec(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("unknown resource class 'upstart'"), std::string::npos);
}

TEST_F(ExecutorTest, MissingRequiredParameterRefusedBeforeRunning) {
  // ocf:test:needs_ip requires "ip"; its start would leave a mark if it ran.
  std::string mark = tree_.tmp() + "/ran";
  tree_.add_agent("needs_ip",
                  "#!/bin/sh\nif [ \"$1\" = meta-data ]; then cat <<END\n"
                  "<?xml version=\"1.0\"?><resource-agent name=\"needs_ip\"><version>1.0</version>"
                  "<parameters><parameter name=\"ip\" required=\"1\"><content type=\"string\"/></parameter>"
                  "<parameter name=\"nic\" required=\"1\"><content type=\"string\"/></parameter>"
                  "<parameter name=\"x\"><content type=\"string\" default=\"1\"/></parameter></parameters>"
                  "<actions><action name=\"start\" timeout=\"20s\"/></actions></resource-agent>\nEND\nexit 0; fi\n"
                  "touch " + mark + "\nexit 0\n");
  auto r = h_.run(ocf("ip1", "test", "needs_ip", "start", {{"nic", "eth0"}}));
  EXPECT_EQ(r.op_status, ExecStatus::kInvalid);
  EXPECT_EQ(r.rc, kOcfErrConfigured);
  EXPECT_EQ(r.exit_reason, "ocf:test:needs_ip start of ip1: required parameter 'ip' is missing");
  EXPECT_FALSE(fs::exists(mark)) << "the agent ran";
  // Stop always runs (a broken configuration must still be stoppable).
  auto stop = h_.run(ocf("ip1", "test", "needs_ip", "stop"));
  EXPECT_EQ(stop.op_status, ExecStatus::kDone);
  EXPECT_TRUE(fs::exists(mark));
  // With the parameter it runs.
  auto ok = h_.run(ocf("ip1", "test", "needs_ip", "start", {{"nic", "eth0"}, {"ip", "10.0.0.1"}}));
  EXPECT_TRUE(ok.ok()) << ok.summary();

  if (fs::exists("/usr/lib/ocf/resource.d/heartbeat/IPaddr2")) {
    auto ip = h_.run(ocf("vip", "heartbeat", "IPaddr2", "start", {{"cidr_netmask", "24"}}));
    EXPECT_EQ(ip.op_status, ExecStatus::kInvalid);
    EXPECT_EQ(ip.exit_reason, "ocf:heartbeat:IPaddr2 start of vip: required parameter 'ip' is missing");
  }
}

TEST_F(ExecutorTest, RecurringMonitorCatchesInjectedFailureWithinOneInterval) {
  std::string state = tree_.tmp() + "/rec.state";
  std::map<std::string, std::string> p{{"state", state}};
  ASSERT_TRUE(h_.run(ocf("rec", "crm", "Dummy", "start", p)).ok());
  h_.results().clear();
  auto id = h_.executor().exec(ocf("rec", "crm", "Dummy", "monitor", p, 200));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(h_.run_until([&] { return !h_.results().empty(); }, 10s));
  EXPECT_EQ(h_.results()[0].rc, kOcfOk);
  EXPECT_EQ(h_.results()[0].call_id, *id);
  h_.run_for(1000ms);  // ~5 more runs, all OK: not reported again
  EXPECT_EQ(h_.results().size(), 1u);
  auto recurring = h_.executor().recurring_ops();
  ASSERT_EQ(recurring->size(), 1u);
  EXPECT_EQ((*recurring)[0].request.interval_ms, 200u);

  fs::remove(state);  // inject the failure
  auto injected = std::chrono::steady_clock::now();
  ASSERT_TRUE(h_.run_until([&] { return h_.results().size() >= 2; }, 10s));
  auto caught = std::chrono::steady_clock::now() - injected;
  EXPECT_EQ(h_.results()[1].rc, kOcfNotRunning);
  EXPECT_EQ(h_.results()[1].interval_ms, 200u);
  std::printf("failure caught %lld ms after injection (interval 200 ms)\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(caught).count()));
  EXPECT_LT(caught, 2000ms);
  // Every failing run is reported.
  ASSERT_TRUE(h_.run_until([&] { return h_.results().size() >= 4; }, 10s));
  EXPECT_EQ(h_.results()[3].rc, kOcfNotRunning);

  ASSERT_TRUE(h_.executor().cancel("rec", "monitor", 200).ok());
  ASSERT_TRUE(h_.run_until([&] { return h_.results().back().op_status == ExecStatus::kCancelled; }, 5s));
  size_t n = h_.results().size();
  h_.run_for(600ms);
  EXPECT_EQ(h_.results().size(), n) << "results after cancel";
  EXPECT_TRUE(h_.executor().recurring_ops()->empty());
  EXPECT_EQ(h_.executor().cancel("rec", "monitor", 200).code(), StatusCode::kNotFound);
}

// A thousand monitors started in the same second (a failover) run their
// second time spread over the second half of the interval, never later
// than the interval, each at the same offset on every node.
TEST(FirstRepeatDelayTest, SpreadsMonitorsStartedTogetherOverHalfTheInterval) {
  const uint32_t interval = 120000;
  std::vector<int> buckets(10, 0);  // tenths of the half interval
  for (int i = 0; i < 1000; ++i) {
    std::string key = "rsc" + std::to_string(i) + "_monitor_120000";
    auto d = first_repeat_delay(key, interval).count();
    ASSERT_GT(d, interval / 2) << key;
    ASSERT_LE(d, interval) << key;
    ++buckets[static_cast<size_t>((d - interval / 2 - 1) * 10 / (interval / 2))];
    EXPECT_EQ(first_repeat_delay(key, interval).count(), d);  // fixed per operation
  }
  for (int n : buckets) {  // about 100 each
    EXPECT_GT(n, 60);
    EXPECT_LT(n, 140);
  }
  EXPECT_EQ(first_repeat_delay("x_monitor_1", 1).count(), 1);  // too short to spread
}

TEST_F(ExecutorTest, ManyResourcesRunInParallelOneResourceSerially) {
  const int n = 20;
  auto t0 = std::chrono::steady_clock::now();
  std::set<int> ids;
  for (int i = 0; i < n; ++i) {
    auto id = h_.executor().exec(ocf("p" + std::to_string(i), "crm", "Dummy", "start",
                                     {{"op_sleep", "1"}, {"state", tree_.tmp() + "/p" + std::to_string(i)}}));
    ASSERT_TRUE(id.ok());
    ids.insert(*id);
  }
  ASSERT_TRUE(h_.run_until([&] { return h_.results().size() == n; }, 30s));
  auto took = std::chrono::steady_clock::now() - t0;
  for (const auto& r : h_.results()) EXPECT_TRUE(r.ok()) << r.summary();
  EXPECT_LT(took, 8s) << "20 one-second agents did not overlap";
  h_.results().clear();
  // Same resource: the second waits for the first.
  std::map<std::string, std::string> p{{"op_sleep", "1"}, {"state", tree_.tmp() + "/serial"}};
  ASSERT_TRUE(h_.executor().exec(ocf("serial", "crm", "Dummy", "start", p)).ok());
  ASSERT_TRUE(h_.executor().exec(ocf("serial", "crm", "Dummy", "monitor", p)).ok());
  ASSERT_TRUE(h_.run_until([&] { return h_.results().size() == 2; }, 30s));
  EXPECT_EQ(h_.results()[0].action, "start");
  EXPECT_EQ(h_.results()[1].action, "monitor");
  EXPECT_EQ(h_.results()[1].rc, kOcfOk);  // ran after start finished
  EXPECT_GE(h_.results()[1].queue_ms, 900u);
}

TEST_F(ExecutorTest, OutputIsBoundedToTheTail) {
  tree_.add_agent("chatty", "#!/bin/sh\n[ \"$1\" = meta-data ] && exit 0\n"
                            "i=0; while [ $i -lt 20000 ]; do echo \"line $i of chatter\"; i=$((i+1)); done\n"
                            "echo LAST\nexit 0\n");
  auto r = h_.run(ocf("c", "test", "chatty", "monitor"));
  EXPECT_TRUE(r.ok());
  EXPECT_LE(r.output.size(), h_.executor().options().max_output_bytes);
  EXPECT_NE(r.output.find("LAST"), std::string::npos);
  EXPECT_EQ(r.output.find("line 0 of"), std::string::npos);
}

TEST_F(ExecutorTest, LsbScriptStatusCodesMapped) {
  ExecRequest req;
  req.rsc_id = "svc";
  req.standard = "lsb";
  req.type = "crm-test-service";
  auto act = [&](const std::string& a) {
    ExecRequest r = req;
    r.action = a;
    return h_.run(r);
  };
  std::string pidfile = tree_.tmp() + "/svc.pid";
  struct Cleanup {
    std::string pidfile;
    ~Cleanup() {
      std::string pid = read_file(pidfile);
      if (!pid.empty()) kill(-std::stoi(pid), SIGKILL);
    }
  } cleanup{pidfile};
  EXPECT_EQ(act("monitor").rc, kOcfNotRunning);  // status 3
  EXPECT_EQ(act("stop").rc, kOcfOk);             // stop of stopped
  EXPECT_EQ(act("start").rc, kOcfOk);
  EXPECT_EQ(act("start").rc, kOcfOk);            // start of running
  EXPECT_EQ(act("monitor").rc, kOcfOk);          // status 0
  EXPECT_EQ(act("status").rc, kOcfOk);
  pid_t pid = std::stoi(read_file(pidfile));
  kill(-pid, SIGKILL);
  h_.run_until([&] { return process_gone(pid); }, 3s);
  EXPECT_EQ(act("monitor").rc, kOcfNotRunning);  // status 1: dead, pid file left
  EXPECT_EQ(act("start").rc, kOcfOk);
  EXPECT_EQ(act("stop").rc, kOcfOk);
  EXPECT_EQ(act("monitor").rc, kOcfNotRunning);
  auto md = act("meta-data");
  EXPECT_TRUE(parse_metadata(md.output, "lsb").ok());
  // service: resolves to lsb when the script exists.
  ExecRequest s = req;
  s.standard = "service";
  s.action = "monitor";
  auto r = h_.run(s);
  EXPECT_EQ(r.standard, "lsb");
  EXPECT_EQ(r.rc, kOcfNotRunning);
}

TEST_F(ExecutorTest, StonithWithFenceDummy) {
  if (!fs::exists("/usr/sbin/fence_dummy")) GTEST_SKIP() << "fence-agents not installed";
  ExecRequest req;
  req.rsc_id = "fence1";
  req.standard = "stonith";
  req.type = "fence_dummy";
  req.params = {{"type", "file"}, {"status_file", tree_.tmp() + "/fence.status"}, {"plug", "node1"}};
  req.timeout_ms = 20000;
  auto act = [&](const std::string& a) {
    ExecRequest r = req;
    r.action = a;
    return h_.run(r);
  };
  write_file(tree_.tmp() + "/fence.status", "on");
  EXPECT_EQ(act("monitor").rc, kOcfNotRunning);  // not started yet
  auto start = act("start");
  EXPECT_TRUE(start.ok()) << start.summary() << start.output;
  EXPECT_EQ(act("monitor").rc, kOcfOk);
  EXPECT_EQ(act("status").rc, kOcfOk) << "device on";
  auto off = act("off");
  EXPECT_TRUE(off.ok()) << off.summary() << off.output;
  EXPECT_EQ(act("status").rc, kOcfNotRunning) << "device off (exit 2)";
  auto on = act("on");
  EXPECT_TRUE(on.ok()) << on.output;
  auto md = act("metadata");
  ASSERT_TRUE(md.ok());
  auto parsed = parse_metadata(md.output, "stonith:fence_dummy");
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_NE(parsed->parameter("status_file"), nullptr);
  EXPECT_TRUE(act("stop").ok());
  EXPECT_EQ(act("monitor").rc, kOcfNotRunning);
}

TEST_F(ExecutorTest, SystemdWithoutBusIsNotInstalled) {
  ExecutorOptions o = make_options();
  o.systemd_bus = "unix:path=" + tree_.tmp() + "/no-bus-here";
  ExecutorHarness h(o);
  ExecRequest req;
  req.rsc_id = "sd";
  req.standard = "systemd";
  req.type = "crm-test";
  req.action = "start";
  auto r = h.run(req);
  EXPECT_EQ(r.op_status, ExecStatus::kNotInstalled);
  EXPECT_EQ(r.rc, kOcfErrInstalled);
  EXPECT_NE(r.exit_reason.find("systemd is not reachable"), std::string::npos) << r.exit_reason;
  req.action = "meta-data";
  EXPECT_TRUE(h.run(req).ok());
}

TEST_F(ExecutorTest, ShutdownKillsRunningAgentsAndStopsRecurring) {
  std::string pidf = tree_.tmp() + "/pid";
  tree_.add_agent("slow", "#!/bin/sh\n[ \"$1\" = meta-data ] && exit 0\necho $$ > " + pidf + "\nsleep 1000\n");
  ASSERT_TRUE(h_.executor().exec(ocf("s", "test", "slow", "start")).ok());
  ASSERT_TRUE(h_.executor().exec(ocf("r", "crm", "Dummy", "monitor", {}, 100)).ok());
  ASSERT_TRUE(h_.run_until([&] { return h_.executor().running_count() >= 1 && fs::exists(pidf) &&
                                        !read_file(pidf).empty(); }, 10s));
  pid_t pid = std::stoi(read_file(pidf));
  h_.executor().shutdown();
  EXPECT_TRUE(process_gone(pid));
  EXPECT_EQ(h_.executor().running_count(), 0u);
  EXPECT_EQ(h_.executor().pending_count(), 0u);
  EXPECT_FALSE(h_.executor().exec(ocf("s", "test", "slow", "start")).ok());
}

TEST(RunSyncTest, RunsOneOperation) {
  OcfTree tree;
  ExecutorOptions o;
  o.paths.ocf_root = tree.root();
  auto r = run_sync(ocf("x", "crm", "Dummy", "monitor", {{"state", tree.tmp() + "/none"}}), o);
  EXPECT_EQ(r.rc, kOcfNotRunning);
  EXPECT_EQ(r.op_status, ExecStatus::kDone);
}


// Alert agents (the CIB's <alerts>): the program runs with its event in the
// environment and no arguments; a failure is reported, never kept in the
// history; relative paths and recurring alerts are refused.
TEST_F(ExecutorTest, AlertAgentRunsWithItsEnvironmentAndLeavesNoHistory) {
  std::string out = tree_.tmp() + "/alert.out";
  std::string agent = tree_.tmp() + "/alert.sh";
  write_file(agent, "#!/bin/sh\necho \"args=$# $CRM_alert_kind $CRM_alert_node $MY_VAR\" >> " + out + "\n", true);
  ExecRequest req{.rsc_id = "alert:a1", .standard = kClassAlert, .type = agent, .action = "notify",
                  .timeout_ms = 5000, .params = {{"CRM_alert_kind", "node"}, {"CRM_alert_node", "n2"}, {"MY_VAR", "x y"}}};
  auto r = h_.run(req);
  EXPECT_TRUE(r.ok()) << r.summary() << r.output;
  EXPECT_EQ(read_file(out), "args=0 node n2 x y\n");
  auto history = h_.executor().last_results("");
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());

  write_file(agent, "#!/bin/sh\nexit 3\n", true);
  auto failed = h_.run(req);
  EXPECT_EQ(failed.op_status, ExecStatus::kDone);
  EXPECT_EQ(failed.rc, kOcfErrGeneric);
  EXPECT_NE(failed.exit_reason.find("exited with 3"), std::string::npos) << failed.exit_reason;

  ExecRequest relative = req;
  relative.type = "alert.sh";
  EXPECT_FALSE(h_.executor().exec(relative).ok());
  ExecRequest recurring = req;
  recurring.interval_ms = 1000;
  EXPECT_FALSE(h_.executor().exec(recurring).ok());
  ExecRequest missing = req;
  missing.type = tree_.tmp() + "/no-such-agent";
  EXPECT_EQ(h_.run(missing).op_status, ExecStatus::kNotInstalled);
}

// The peer's shipped sample runs unchanged and writes the event to its recipient.
TEST_F(ExecutorTest, ThePeersAlertFileSampleRunsUnchanged) {
  const std::string sample = "/usr/share/pacemaker/alerts/alert_file.sh.sample";
  if (!fs::exists(sample)) GTEST_SKIP() << "the peer's alert samples are not installed";
  std::string agent = tree_.tmp() + "/alert_file.sh";
  write_file(agent, read_file(sample), true);
  std::string log = tree_.tmp() + "/alerts.log";
  ExecRequest req{.rsc_id = "alert:file", .standard = kClassAlert, .type = agent, .action = "notify",
                  .timeout_ms = 5000,
                  .params = {{"CRM_alert_kind", "resource"}, {"CRM_alert_version", "0.1.0-crm"}, {"CRM_alert_node", "n1"}, {"CRM_alert_rsc", "ip"},
                             {"CRM_alert_task", "start"}, {"CRM_alert_desc", "ok"}, {"CRM_alert_rc", "0"},
                             {"CRM_alert_target_rc", "0"}, {"CRM_alert_status", "0"}, {"CRM_alert_interval", "0"},
                             {"CRM_alert_timestamp", "12:00:00.000001"}, {"CRM_alert_recipient", log}}};
  auto r = h_.run(req);
  EXPECT_TRUE(r.ok()) << r.summary() << r.output;
  EXPECT_NE(read_file(log).find("Resource operation 'start' for 'ip' on 'n1': ok"), std::string::npos) << read_file(log);
}

}  // namespace
}  // namespace crm::lrmd
