// The client library against a real fenced process (--standalone --no-cib):
// the asynchronous fence() the controller uses returns at once and answers on
// the caller's loop, notifications reach every client, and a daemon that goes
// away answers pending requests with unavailable.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "crm/core/clock.h"
#include "crm/core/event_loop.h"
#include "crm/core/ipc.h"
#include "crm/fenced/fenced.h"

namespace crm::fenced {
namespace {

using namespace std::chrono_literals;

class FencedProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crm-fenced-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    socket_ = dir_ + "/fenced.sock";
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      int fd = open((dir_ + "/fenced.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 2);
      std::string agents = std::string(CRM_SOURCE_DIR) + "/agents/fence:/usr/sbin";
      setenv("CRM_FENCE_AGENT_DIRS", agents.c_str(), 1);
      std::string bin = std::string(CRM_BINARY_DIR) + "/bin/fenced";
      execl(bin.c_str(), "fenced", "--standalone", "--no-cib", "--node-name", "node1", "--socket", socket_.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    // The socket file exists from bind(), before listen(): wait for a connection.
    for (int i = 0; i < 200; ++i) {
      struct stat st;
      if (stat(socket_.c_str(), &st) == 0 && ipc::Client::connect(socket_).ok()) return;
      std::this_thread::sleep_for(25ms);
    }
    FAIL() << "fenced did not start: " << log();
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    (void)system(("rm -rf " + dir_).c_str());
  }
  std::string log() const {
    std::ifstream in(dir_ + "/fenced.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  bool run_until(EventLoop& loop, const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) (void)loop.run_once(20ms);
    return done();
  }

  std::string dir_, socket_;
  pid_t pid_ = -1;
};

TEST_F(FencedProcess, AsyncFenceReturnsAtOnceAndAnswersOnTheLoop) {
  SystemClock clock;
  EventLoop loop(clock);
  auto admin = FencerClient::connect(loop, socket_, "test-admin");
  ASSERT_TRUE(admin.ok()) << admin.status().to_string();
  ASSERT_TRUE((*admin)->register_device("slow", "fence_crm_test",
                                        {{"mode", "pass"}, {"delay", "1"}, {"pcmk_host_list", "node2 node3"}})
                  .ok());
  auto devs = (*admin)->devices();
  ASSERT_TRUE(devs.ok());
  ASSERT_EQ(devs->size(), 1u);
  EXPECT_EQ((*devs)[0].agent, "fence_crm_test");

  auto ctl = FencerClient::connect(loop, socket_, "crmd.1");
  ASSERT_TRUE(ctl.ok());
  std::vector<HistoryEntry> events;
  (*admin)->on_fence_event = [&](const HistoryEntry& e) { events.push_back(e); };
  std::optional<FenceResult> result;
  auto t0 = std::chrono::steady_clock::now();
  Status sent = (*ctl)->fence("node3", "reboot", 10s, [&](const FenceResult& r) { result = r; });
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(sent.ok()) << sent.to_string();
  EXPECT_LT(took, 200ms) << "fence() must not wait for the agent (delay=1 s)";
  EXPECT_FALSE(result.has_value());
  ASSERT_TRUE(run_until(loop, [&] { return result.has_value() && !events.empty(); })) << log();
  EXPECT_TRUE(result->status.ok()) << result->status.to_string();
  EXPECT_EQ(result->entry.target, "node3");
  EXPECT_EQ(result->entry.action, "reboot");
  EXPECT_EQ(result->entry.device, "slow");
  EXPECT_EQ(result->entry.client, "crmd.1");
  EXPECT_EQ(events[0].id, result->entry.id);

  auto h = (*admin)->history("node3");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0].state, "success");
}

TEST_F(FencedProcess, FailedFencingAndTopologyThroughTheClient) {
  SystemClock clock;
  EventLoop loop(clock);
  auto c = FencerClient::connect(loop, socket_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->register_device("bad", "fence_crm_test", {{"mode", "fail"}, {"pcmk_host_list", "node2"}}).ok());
  auto r = (*c)->fence_sync("node2", "off", 5s);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(r->status.ok());
  EXPECT_EQ(r->entry.state, "failed");
  EXPECT_NE(r->entry.exit_reason.find("mode=fail"), std::string::npos) << r->entry.exit_reason;

  ASSERT_TRUE((*c)->register_device("good", "fence_crm_test", {{"mode", "pass"}, {"pcmk_host_list", "node2"}}).ok());
  ASSERT_TRUE((*c)->register_level("node2", 1, {"bad"}).ok());
  ASSERT_TRUE((*c)->register_level("node2", 2, {"good"}).ok());
  auto levels = (*c)->levels();
  ASSERT_TRUE(levels.ok());
  ASSERT_EQ(levels->size(), 2u);
  EXPECT_EQ((*levels)[1].devices, std::vector<std::string>{"good"});
  auto q = (*c)->query("node2", 5s);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, (std::vector<std::string>{"bad", "good"}));
  auto r2 = (*c)->fence_sync("node2", "off", 5s);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2->status.ok()) << r2->status.to_string();
  EXPECT_EQ(r2->entry.device, "good");
  EXPECT_EQ((*c)->monitor("nope", 5s).code(), StatusCode::kNotFound);
  EXPECT_TRUE((*c)->confirm("node9").ok());
  EXPECT_EQ((*c)->history("*")->size(), 3u);
}

TEST_F(FencedProcess, PendingFenceGetsUnavailableWhenTheDaemonDies) {
  SystemClock clock;
  EventLoop loop(clock);
  auto c = FencerClient::connect(loop, socket_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->register_device("slow", "fence_crm_test", {{"mode", "pass"}, {"delay", "2"}, {"pcmk_host_list", "node2"}}).ok());
  std::optional<FenceResult> result;
  bool disconnected = false;
  (*c)->on_disconnect = [&] { disconnected = true; };
  ASSERT_TRUE((*c)->fence("node2", "off", 30s, [&](const FenceResult& r) { result = r; }).ok());
  run_until(loop, [] { return false; }, 200ms);
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  ASSERT_TRUE(run_until(loop, [&] { return result.has_value() && disconnected; }, 5s));
  EXPECT_EQ(result->status.code(), StatusCode::kUnavailable);
}

TEST_F(FencedProcess, BadRequestsGetErrorRepliesAndTheDaemonCarriesOn) {
  auto raw = ipc::Client::connect(socket_);
  ASSERT_TRUE(raw.ok()) << raw.status().to_string();
  auto ask = [&](const std::string& msg) {
    auto r = raw->call(msg, 5s);
    EXPECT_TRUE(r.ok()) << msg << ": " << r.status().to_string();
    return r.ok() ? *r : std::string();
  };
  EXPECT_NE(ask("garbage").find("status=\"parse-error\""), std::string::npos);
  EXPECT_NE(ask("<st_dance req_id='2'/>").find("unknown fenced request"), std::string::npos);
  EXPECT_NE(ask("<st_fence req_id='3'/>").find("status=\"invalid-argument\""), std::string::npos);
  EXPECT_NE(ask("<st_fence req_id='4' target='n2' action='explode'/>").find("invalid-argument"), std::string::npos);
  EXPECT_NE(ask("<st_register req_id='5' id='x'/>").find("status=\"invalid-argument\""), std::string::npos);
  EXPECT_NE(ask("<st_level_add req_id='6' target='n2' index='x'/>").find("invalid-argument"), std::string::npos);
  SystemClock clock;
  EventLoop loop(clock);
  auto c = FencerClient::connect(loop, socket_);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE((*c)->devices().ok());
}

TEST(FencedClient, ConnectWithoutDaemonIsUnavailable) {
  SystemClock clock;
  EventLoop loop(clock);
  auto c = FencerClient::connect(loop, "/tmp/crm-no-such-fenced.sock");
  EXPECT_FALSE(c.ok());
}

}  // namespace
}  // namespace crm::fenced
