// The lrmd daemon as a real process: LrmdClient over its socket, result
// notifications, recurring ops and history for the controller's join, peer
// credential refusal, and a clean SIGTERM that kills running agents.
#include <signal.h>
#include <spawn.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "crm/core/ipc.h"
#include "test_util.h"

extern char** environ;

namespace crm::lrmd {
namespace {

using namespace crm::lrmd::testing;
using namespace std::chrono_literals;

// Whether the daemon accepts connections at `path`: its socket file appears
// at bind(), a moment before listen().
bool accepts(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = tree_.tmp() + "/lrmd.sock";
    std::string bin = std::string(CRM_BINARY_DIR) + "/bin/lrmd";
    std::vector<std::string> args = {bin, "--socket", socket_, "--ocf-root", tree_.root()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&pid_, bin.c_str(), nullptr, nullptr, argv.data(), environ), 0) << bin;
    for (int i = 0; i < 250 && !accepts(socket_); ++i) usleep(20000);
    ASSERT_TRUE(accepts(socket_)) << "lrmd does not accept connections on " << socket_;
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // SIGTERM and wait; returns the exit status.
  int stop_daemon() {
    kill(pid_, SIGTERM);
    int st = -1;
    for (int i = 0; i < 500; ++i) {
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return st;
      }
      usleep(10000);
    }
    return -1;
  }

  OcfTree tree_;
  std::string socket_;
  pid_t pid_ = -1;
};

TEST_F(DaemonTest, ClientRunsOperationsAndReceivesResults) {
  SystemClock clock;
  EventLoop loop(clock);
  LrmdClient client(loop);
  ASSERT_TRUE(client.connect(socket_).ok());
  std::vector<ExecResult> results;
  client.set_result_callback([&](const ExecResult& r) { results.push_back(r); });
  auto run_until = [&](const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!done() && std::chrono::steady_clock::now() < deadline) (void)loop.run_once(50ms);
    return done();
  };
  std::string state = tree_.tmp() + "/d.state";
  auto start = client.exec(ocf("d", "crm", "Dummy", "start", {{"state", state}}));
  ASSERT_TRUE(start.ok()) << start.status().to_string();
  ASSERT_TRUE(run_until([&] { return !results.empty(); }));
  EXPECT_EQ(results[0].call_id, *start);
  EXPECT_TRUE(results[0].ok()) << results[0].summary();
  EXPECT_TRUE(fs::exists(state));

  auto mon = client.exec(ocf("d", "crm", "Dummy", "monitor", {{"state", state}}, 200));
  ASSERT_TRUE(mon.ok());
  ASSERT_TRUE(run_until([&] { return results.size() >= 2; }));
  EXPECT_EQ(results[1].rc, kOcfOk);
  auto ops = client.recurring_ops();
  ASSERT_TRUE(ops.ok()) << ops.status().to_string();
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ((*ops)[0].request.op_key(), "d_monitor_200");
  EXPECT_EQ((*ops)[0].call_id, *mon);
  EXPECT_EQ((*ops)[0].request.params.at("state"), state);

  fs::remove(state);
  ASSERT_TRUE(run_until([&] { return results.size() >= 3; }));
  EXPECT_EQ(results[2].rc, kOcfNotRunning);

  auto hist = client.last_results("d");
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 2u);
  EXPECT_EQ((*hist)[0].action, "start");
  EXPECT_EQ((*hist)[1].interval_ms, 200u);

  ASSERT_TRUE(client.cancel("d", "monitor", 200).ok());
  ASSERT_TRUE(run_until([&] { return results.back().op_status == ExecStatus::kCancelled; }));
  auto gone = client.cancel("d", "monitor", 200);
  EXPECT_EQ(gone.code(), StatusCode::kNotFound) << gone.to_string();
  auto bad = client.exec(ocf("d", "", "Dummy", "start"));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);

  // Refused: a required parameter missing, reported as a result naming it.
  tree_.add_agent("needs",
                  "#!/bin/sh\n[ \"$1\" = meta-data ] && echo '<resource-agent name=\"needs\"><parameters>"
                  "<parameter name=\"path\" required=\"1\"/></parameters></resource-agent>'\nexit 0\n");
  ASSERT_TRUE(client.exec(ocf("n", "test", "needs", "start")).ok());
  ASSERT_TRUE(run_until([&] { return results.back().rsc_id == "n"; }));
  EXPECT_EQ(results.back().op_status, ExecStatus::kInvalid);
  EXPECT_EQ(results.back().exit_reason, "ocf:test:needs start of n: required parameter 'path' is missing");
}

TEST_F(DaemonTest, SigtermKillsRunningAgentsAndExitsCleanly) {
  std::string pidf = tree_.tmp() + "/slow.pid";
  tree_.add_agent("slow", "#!/bin/sh\n[ \"$1\" = meta-data ] && exit 0\nsleep 1000 &\necho $! > " + pidf +
                              "\nwait\n");
  SystemClock clock;
  EventLoop loop(clock);
  LrmdClient client(loop);
  ASSERT_TRUE(client.connect(socket_).ok());
  ASSERT_TRUE(client.exec(ocf("s", "test", "slow", "start", {}, 0, 600000)).ok());
  ASSERT_TRUE(client.exec(ocf("r", "crm", "Dummy", "monitor", {}, 1000)).ok());
  for (int i = 0; i < 200 && read_file(pidf).empty(); ++i) usleep(20000);
  ASSERT_FALSE(read_file(pidf).empty());
  pid_t child = std::stoi(read_file(pidf));
  bool disconnected = false;
  client.on_disconnect = [&] { disconnected = true; };
  int st = stop_daemon();
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
  for (int i = 0; i < 100 && !process_gone(child); ++i) usleep(10000);
  EXPECT_TRUE(process_gone(child)) << "agent's child survived the daemon";
  for (int i = 0; i < 100 && !disconnected; ++i) (void)loop.run_once(20ms);
  EXPECT_TRUE(disconnected);
  EXPECT_FALSE(fs::exists(socket_) && ipc::Client::connect(socket_).ok());
}

TEST_F(DaemonTest, RefusesClientsOutsideRootAndHaclient) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch to nobody";
  pid_t kid = fork();
  if (kid == 0) {
    chmod(tree_.tmp().c_str(), 0755);
    chmod(socket_.c_str(), 0777);
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    SystemClock clock;
    EventLoop loop(clock);
    LrmdClient client(loop);
    Status s = client.connect(socket_);
    if (s.code() != StatusCode::kPermissionDenied) std::fprintf(stderr, "child: %s\n", s.to_string().c_str());
    _exit(s.code() == StatusCode::kPermissionDenied ? 0 : 1);
  }
  int st;
  waitpid(kid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0) << "nobody was not refused (3 = could not switch user)";
}

}  // namespace
}  // namespace crm::lrmd
