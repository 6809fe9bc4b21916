// The systemd class against a real systemd: the test starts Debian's
// /lib/systemd/systemd as PID 1 of its own PID, mount, UTS, network, IPC and
// cgroup namespaces (a "container" to systemd: $container=other), with only the
// test's unit files ($SYSTEMD_UNIT_PATH), and drives it through our Executor
// over the address x-machine-unix:pid=<its pid> (sd-bus connects from a helper
// inside its PID namespace; systemd refuses peers outside it): to systemd's
// private socket (peer-to-peer D-Bus, no dbus-daemon), or, in
// SystemdOverDBusTest, to a real dbus-daemon system bus started there by
// Debian's dbus units. Nothing of the host is changed: in its mount namespace every
// inherited mount is read-only; /run, /proc and /sys/fs/cgroup (cgroup2, rooted
// at a cgroup the test creates and removes) are its own, and its console is a
// log file. SIGKILL to that PID 1 ends every process in the namespace.
// Root only; skipped, with the measured reason, when systemd cannot start here.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "systemd.h"
#include "test_util.h"

namespace crm::lrmd {
namespace {

using namespace crm::lrmd::testing;
using namespace std::chrono_literals;

constexpr const char* kSystemd = "/lib/systemd/systemd";

// The cgroup2 hierarchy's mount point and this process's cgroup in it, as a
// directory path ("" when there is no cgroup2 mount).
std::string own_cgroup2_dir() {
  std::string mount_point, mount_root;
  std::ifstream mi("/proc/self/mountinfo");
  for (std::string line; std::getline(mi, line);) {
    // id parent maj:min root mount-point options ... - fstype source super
    size_t dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream f(line.substr(0, dash));
    std::string id, parent, dev;
    f >> id >> parent >> dev >> mount_root >> mount_point;
    break;
  }
  if (mount_point.empty()) return "";
  std::ifstream cg("/proc/self/cgroup");
  for (std::string line; std::getline(cg, line);) {
    if (line.rfind("0::", 0) != 0) continue;
    std::string path = line.substr(3);
    if (mount_root != "/" && path.rfind(mount_root, 0) == 0) path = path.substr(mount_root.size());
    else if (mount_root != "/") return "";
    return mount_point + (path == "/" ? "" : path);
  }
  return "";
}

// Removes a cgroup directory tree (children first); processes must be gone.
void remove_cgroup_tree(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  std::vector<std::string> dirs;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path());
  }
  dirs.push_back(dir);
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (int attempt = 0; attempt < 50; ++attempt) {
    bool all = true;
    for (const auto& d : dirs) {
      if (rmdir(d.c_str()) != 0 && errno != ENOENT) all = false;
    }
    if (all) return;
    usleep(20'000);
  }
}

// A real systemd in its own namespaces. start() returns "" or why it could not
// start; the destructor kills it (and so everything it runs) and removes its
// cgroup.
class NamespacedSystemd {
 public:
  explicit NamespacedSystemd(std::string dir) : dir_(std::move(dir)) {}
  ~NamespacedSystemd() { stop(); }

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int st;
      while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
    }
    if (!cgroup_.empty()) remove_cgroup_tree(cgroup_);
    cgroup_.clear();
  }

  pid_t pid() const { return pid_; }
  // sd-bus's "x-machine-unix:pid=" address connects from a helper it forks
  // into the PID and mount namespaces of that process (as machinectl reaches a
  // container), to /var/run/dbus/system_bus_socket there; see link_private_socket().
  std::string address() const { return "x-machine-unix:pid=" + std::to_string(pid_); }
  // Inside the namespace (its own /run): /run/dbus/system_bus_socket -> systemd/private,
  // so that address reaches systemd's private socket (there is no dbus-daemon).
  std::string link_private_socket() const {
    std::string run = "/proc/" + std::to_string(pid_) + "/root/run";
    std::error_code ec;
    fs::create_directories(run + "/dbus", ec);
    if (ec) return "mkdir " + run + "/dbus: " + ec.message();
    if (!fs::is_symlink(run + "/dbus/system_bus_socket", ec)) {
      fs::create_symlink("../systemd/private", run + "/dbus/system_bus_socket", ec);
      if (ec) return "symlink " + run + "/dbus/system_bus_socket: " + ec.message();
    }
    return "";
  }
  std::string console_log() const { return read_file(dir_ + "/console.log"); }
  // Host path of a unit's cgroup (cgroup.procs there lists host PIDs).
  std::string unit_cgroup(const std::string& unit) const { return cgroup_ + "/system.slice/" + unit; }

  std::string start(const std::string& unit_dir, const std::string& target) {
    if (access(kSystemd, X_OK) != 0) return std::string(kSystemd) + " is not installed";
    std::string parent = own_cgroup2_dir();
    if (parent.empty()) return "no cgroup2 hierarchy mounted (systemd 252 here needs one; /proc/self/mountinfo)";
    // Leftovers of runs killed before their cleanup (only those whose test
    // process is gone: a concurrent run's cgroups are left alone).
    std::error_code ec;
    const std::string prefix = "crm-lrmd-systemd-test-";
    for (auto& e : fs::directory_iterator(parent, ec)) {
      std::string name = e.path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      pid_t owner = static_cast<pid_t>(std::atoi(name.c_str() + prefix.size()));
      if (owner > 0 && owner != getpid() && kill(owner, 0) != 0 && errno == ESRCH) remove_cgroup_tree(e.path());
    }
    cgroup_ = parent + "/crm-lrmd-systemd-test-" + std::to_string(getpid());
    if (mkdir(cgroup_.c_str(), 0755) != 0) {
      std::string why = "mkdir " + cgroup_ + ": " + std::strerror(errno);
      cgroup_.clear();
      return why;
    }
    std::string console = dir_ + "/console.log";
    write_file(console, "");
    // Everything the child needs, prepared before the fork.
    std::string procs = cgroup_ + "/cgroup.procs";
    std::string unit_path_env = "SYSTEMD_UNIT_PATH=" + unit_dir;
    std::string unit_arg = "--unit=" + target;
    const char* argv[] = {"systemd", "--system", unit_arg.c_str(), "--log-level=info", "--log-target=console",
                          "--show-status=no", nullptr};
    const char* envp[] = {"container=other", unit_path_env.c_str(),
                          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", nullptr};
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) return std::string("pipe2: ") + std::strerror(errno);

    // Like fork(), but the child is PID 1 of a new PID namespace.
    long r = syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWIPC | SIGCHLD,
                     nullptr, nullptr, nullptr, nullptr);
    if (r < 0) {
      int e = errno;
      close(errpipe[0]);
      close(errpipe[1]);
      return std::string("clone(CLONE_NEWPID|CLONE_NEWNS|...): ") + std::strerror(e);
    }
    if (r == 0) child(errpipe[1], procs.c_str(), console.c_str(), argv, envp);
    pid_ = static_cast<pid_t>(r);
    close(errpipe[1]);
    // The pipe closes on exec (CLOEXEC); before that the child writes why it failed.
    std::string err;
    char buf[512];
    ssize_t n;
    while ((n = read(errpipe[0], buf, sizeof buf)) != 0) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      err.append(buf, static_cast<size_t>(n));
    }
    close(errpipe[0]);
    if (!err.empty()) {
      stop();
      return "namespace setup failed: " + err;
    }
    return "";
  }

  // True once the child has exited (it should not, while the test runs).
  bool exited(std::string* how) {
    int st;
    if (pid_ <= 0) return true;
    if (waitpid(pid_, &st, WNOHANG) != pid_) return false;
    *how = WIFEXITED(st) ? "exit status " + std::to_string(WEXITSTATUS(st))
                         : "signal " + std::to_string(WTERMSIG(st));
    pid_ = -1;
    return true;
  }

 private:
  [[noreturn]] static void fail(int fd, const char* step) {
    char msg[256];
    int e = errno;
    int len = snprintf(msg, sizeof msg, "%s: %s", step, strerror(e));
    if (len > 0) (void)!write(fd, msg, static_cast<size_t>(len));
    _exit(127);
  }

  // In the new PID namespace (PID 1) and mount namespace: only syscalls, then exec.
  [[noreturn]] static void child(int errfd, const char* procs, const char* console, const char* const* argv,
                                 const char* const* envp) {
    // If the test process dies, so does this systemd (and its namespace).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) fail(errfd, "moving into the test cgroup");
    close(fd);
    // systemd's cgroup root is that cgroup.
    if (unshare(CLONE_NEWCGROUP) != 0) fail(errfd, "unshare(CLONE_NEWCGROUP)");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail(errfd, "making / private");
    if (mount(console, "/dev/console", nullptr, MS_BIND, nullptr) != 0) fail(errfd, "bind-mounting the console log");
    // Every inherited mount read-only: systemd cannot write to the host's files.
    struct mount_attr ro {};
    ro.attr_set = MOUNT_ATTR_RDONLY;
    if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) != 0) fail(errfd, "mount_setattr(/, RDONLY)");
    if (mount(nullptr, "/dev/console", nullptr, MS_BIND | MS_REMOUNT, nullptr) != 0) {
      fail(errfd, "making the console log writable");
    }
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) fail(errfd, "mounting /proc");
    if (mount("/proc/sys", "/proc/sys", nullptr, MS_BIND, nullptr) != 0 ||
        mount(nullptr, "/proc/sys", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
      fail(errfd, "making /proc/sys read-only");
    }
    if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) fail(errfd, "mounting /run");
    if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
      fail(errfd, "mounting cgroup2 on /sys/fs/cgroup");
    }
    const char name[] = "crm-systemd-test";
    sethostname(name, sizeof name - 1);
    execve(kSystemd, const_cast<char* const*>(argv), const_cast<char* const*>(envp));
    fail(errfd, "execve /lib/systemd/systemd");
  }

  std::string dir_;
  pid_t pid_ = -1;
  std::string cgroup_;
};

class SystemdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, mounts, cgroups) to start a systemd; euid " << geteuid();
    units_ = tmp_.path() + "/units";
    std::string target = "[Unit]\nDescription=crm lrmd test target\n";
    if (with_dbus_) {
      // Debian's own D-Bus system bus units: systemd then also serves on the bus.
      for (const char* u : {"dbus.socket", "dbus.service"}) {
        if (!fs::exists(std::string("/lib/systemd/system/") + u) || access("/usr/bin/dbus-daemon", X_OK) != 0) {
          GTEST_SKIP() << "dbus-daemon or /lib/systemd/system/" << u << " not installed";
        }
        fs::create_directories(units_);
        fs::create_symlink(std::string("/lib/systemd/system/") + u, units_ + "/" + u);
      }
      target += "Wants=dbus.service\n";
    }
    write_file(units_ + "/crm-test.target", target);
    // What services' default dependencies name; empty here (no boot).
    for (const char* t : {"sysinit.target", "basic.target", "shutdown.target"}) {
      write_file(units_ + "/" + t, std::string("[Unit]\nDescription=") + t + " (empty, test)\nDefaultDependencies=no\n");
    }
    write_file(units_ + "/crm-test-sleep.service",
               "[Unit]\nDescription=crm lrmd test: sleeps\n[Service]\nExecStart=/bin/sleep infinity\n");
    // Type=exec: the start job fails when the binary cannot be executed.
    write_file(units_ + "/crm-test-broken.service",
               "[Unit]\nDescription=crm lrmd test: cannot start\n[Service]\nType=exec\n"
               "ExecStart=/nonexistent/crm-test-no-such-binary\n");
    // A oneshot whose start command fails.
    write_file(units_ + "/crm-test-false.service",
               "[Unit]\nDescription=crm lrmd test: start command fails\n[Service]\nType=oneshot\n"
               "RemainAfterExit=yes\nExecStart=/bin/false\n");
    sd_ = std::make_unique<NamespacedSystemd>(tmp_.path());
    auto t0 = std::chrono::steady_clock::now();
    std::string why = sd_->start(units_, "crm-test.target");
    if (!why.empty()) GTEST_SKIP() << "systemd cannot start here: " << why;
    // Wait until systemd answers on its private socket and has reached the target.
    std::string last;
    for (;;) {
      std::string how;
      if (sd_->exited(&how)) {
        GTEST_SKIP() << "systemd cannot start here: " << kSystemd << " exited (" << how << "); console:\n"
                     << sd_->console_log();
      }
      if (!with_dbus_) {
        if (std::string e = sd_->link_private_socket(); !e.empty()) last = e;
      }
      auto bus = SystemdBus::connect(sd_->address());
      if (bus.ok()) {
        auto st = (*bus)->state("crm-test.target");
        if (st.ok() && st->active_state == "active") break;
        last = st.ok() ? "crm-test.target " + st->active_state : st.status().to_string();
      } else {
        last = bus.status().to_string();
      }
      if (std::chrono::steady_clock::now() - t0 > 15s) {
        GTEST_SKIP() << "systemd started but did not become ready within 15 s: " << last << "; console:\n"
                     << sd_->console_log();
      }
      usleep(50'000);
    }
    boot_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  }
  void TearDown() override {
    if (sd_) {
      if (HasFailure()) std::cerr << "systemd console:\n" << sd_->console_log() << "\n";
      sd_->stop();
    }
  }

  ExecutorOptions options() {
    ExecutorOptions o;
    o.systemd_bus = sd_->address();
    return o;
  }
  static ExecRequest unit(const std::string& rsc, const std::string& type, const std::string& action,
                          uint32_t interval_ms = 0, uint32_t timeout_ms = 10000) {
    ExecRequest r;
    r.rsc_id = rsc;
    r.standard = "systemd";
    r.type = type;
    r.action = action;
    r.interval_ms = interval_ms;
    r.timeout_ms = timeout_ms;
    return r;
  }
  // Host PIDs in a unit's cgroup.
  std::vector<pid_t> unit_pids(const std::string& u) {
    std::vector<pid_t> out;
    std::ifstream in(sd_->unit_cgroup(u) + "/cgroup.procs");
    for (pid_t p; in >> p;) out.push_back(p);
    return out;
  }

  bool with_dbus_ = false;  // set by the subclass before SetUp
  TempDir tmp_;
  std::string units_;
  std::unique_ptr<NamespacedSystemd> sd_;
  long boot_ms_ = 0;

  void run_scenario();
};

// The same through a dbus-daemon system bus (Debian's dbus.socket/dbus.service
// in the namespace): Hello, bus names, systemd reached as
// org.freedesktop.systemd1 on the bus — what sd_bus_open_system() does on a host.
class SystemdOverDBusTest : public SystemdTest {
 protected:
  SystemdOverDBusTest() { with_dbus_ = true; }
};

TEST_F(SystemdTest, StartMonitorStopFailuresAndRecurringMonitorAgainstARealSystemd) {
  auto bus = SystemdBus::connect(sd_->address());
  ASSERT_TRUE(bus.ok()) << bus.status().to_string();
  EXPECT_TRUE((*bus)->direct()) << "systemd's private socket speaks D-Bus peer to peer";
  std::cout << "systemd (pid " << sd_->pid() << ") ready in " << boot_ms_ << " ms at " << sd_->address()
            << " (its private socket, direct connection)\n";
  run_scenario();
}

TEST_F(SystemdOverDBusTest, StartMonitorStopFailuresAndRecurringMonitorThroughTheSystemBus) {
  std::string sock = "/proc/" + std::to_string(sd_->pid()) + "/root/run/dbus/system_bus_socket";
  ASSERT_TRUE(fs::is_socket(sock) && !fs::is_symlink(sock)) << sock << " should be dbus-daemon's socket";
  auto daemon = unit_pids("dbus.service");
  ASSERT_EQ(daemon.size(), 1u);
  EXPECT_EQ(read_file("/proc/" + std::to_string(daemon[0]) + "/comm"), "dbus-daemon\n");
  auto bus = SystemdBus::connect(sd_->address());
  ASSERT_TRUE(bus.ok()) << bus.status().to_string();
  EXPECT_FALSE((*bus)->direct()) << "should have gone through the bus (Hello, org.freedesktop.systemd1)";
  std::cout << "systemd (pid " << sd_->pid() << ") and dbus-daemon ready in " << boot_ms_ << " ms at "
            << sd_->address() << " (the namespace's system bus)\n";
  run_scenario();

  // The default bus (systemd_bus "" and no $CRM_SYSTEMD_BUS): sd_bus_open_system(),
  // pointed at this bus by $DBUS_SYSTEM_BUS_ADDRESS.
  const char* saved_crm = std::getenv("CRM_SYSTEMD_BUS");
  const char* saved_dbus = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
  std::string keep_crm = saved_crm ? saved_crm : "", keep_dbus = saved_dbus ? saved_dbus : "";
  unsetenv("CRM_SYSTEMD_BUS");
  setenv("DBUS_SYSTEM_BUS_ADDRESS", sd_->address().c_str(), 1);
  {
    ExecutorHarness h{ExecutorOptions{}};
    EXPECT_EQ(h.run(unit("sleep", "crm-test-sleep", "monitor")).rc, kOcfNotRunning);
    EXPECT_TRUE(h.run(unit("sleep", "crm-test-sleep", "start")).ok());
    EXPECT_EQ(h.run(unit("sleep", "crm-test-sleep", "monitor")).rc, kOcfOk);
    EXPECT_TRUE(h.run(unit("sleep", "crm-test-sleep", "stop")).ok());
  }
  if (saved_crm) setenv("CRM_SYSTEMD_BUS", keep_crm.c_str(), 1);
  if (saved_dbus) setenv("DBUS_SYSTEM_BUS_ADDRESS", keep_dbus.c_str(), 1);
  else unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

void SystemdTest::run_scenario() {
  ExecutorHarness h(options());

  // Probe, start, monitor, stop, monitor.
  auto probe = h.run(unit("sleep", "crm-test-sleep", "monitor"));
  EXPECT_EQ(probe.op_status, ExecStatus::kDone) << probe.summary();
  EXPECT_EQ(probe.rc, kOcfNotRunning) << probe.summary();
  auto start = h.run(unit("sleep", "crm-test-sleep", "start"));
  ASSERT_TRUE(start.ok()) << start.summary();
  EXPECT_EQ(start.standard, "systemd");
  auto pids = unit_pids("crm-test-sleep.service");
  ASSERT_EQ(pids.size(), 1u) << "the service's cgroup should hold just sleep";
  // Type=simple is active once forked; the child is "(sleep)" until its exec.
  std::string comm_path = "/proc/" + std::to_string(pids[0]) + "/comm";
  EXPECT_TRUE(h.run_until([&] { return read_file(comm_path) == "sleep\n"; }, 2s)) << read_file(comm_path);
  auto mon = h.run(unit("sleep", "crm-test-sleep.service", "monitor"));
  EXPECT_EQ(mon.op_status, ExecStatus::kDone);
  EXPECT_EQ(mon.rc, kOcfOk) << mon.summary();
  auto stop = h.run(unit("sleep", "crm-test-sleep", "stop"));
  EXPECT_TRUE(stop.ok()) << stop.summary();
  EXPECT_TRUE(h.run_until([&] { return process_gone(pids[0]); }, 2s)) << "sleep still runs after stop";
  auto mon2 = h.run(unit("sleep", "crm-test-sleep", "monitor"));
  EXPECT_EQ(mon2.op_status, ExecStatus::kDone);
  EXPECT_EQ(mon2.rc, kOcfNotRunning) << mon2.summary();

  // A unit that cannot start, and one whose start command fails: errors.
  auto broken = h.run(unit("broken", "crm-test-broken", "start"));
  EXPECT_EQ(broken.op_status, ExecStatus::kDone) << broken.summary();
  EXPECT_EQ(broken.rc, kOcfErrGeneric) << broken.summary();
  EXPECT_NE(broken.exit_reason.find("crm-test-broken.service failed to start"), std::string::npos)
      << broken.exit_reason;
  EXPECT_EQ(h.run(unit("broken", "crm-test-broken", "monitor")).rc, kOcfNotRunning);
  auto fals = h.run(unit("false", "crm-test-false", "start"));
  EXPECT_EQ(fals.rc, kOcfErrGeneric) << fals.summary();
  EXPECT_NE(fals.exit_reason.find("failed"), std::string::npos) << fals.exit_reason;
  EXPECT_TRUE(h.run(unit("false", "crm-test-false", "stop")).ok()) << "a failed unit stops";

  // A unit systemd does not know: not installed; stop of it succeeds.
  auto unknown = h.run(unit("nope", "crm-test-no-such-unit", "start"));
  EXPECT_EQ(unknown.op_status, ExecStatus::kNotInstalled) << unknown.summary();
  EXPECT_EQ(unknown.rc, kOcfErrInstalled);
  EXPECT_NE(unknown.exit_reason.find("crm-test-no-such-unit.service not found"), std::string::npos)
      << unknown.exit_reason;
  EXPECT_EQ(h.run(unit("nope", "crm-test-no-such-unit", "monitor")).rc, kOcfErrInstalled);
  EXPECT_TRUE(h.run(unit("nope", "crm-test-no-such-unit", "stop")).ok());

  // Recurring monitor notices the service's main process killed, within one interval.
  ASSERT_TRUE(h.run(unit("sleep", "crm-test-sleep", "start")).ok());
  constexpr uint32_t kInterval = 1000;
  auto id = h.executor().exec(unit("sleep", "crm-test-sleep", "monitor", kInterval));
  ASSERT_TRUE(id.ok()) << id.status().to_string();
  auto results_for = [&](int call_id) {
    std::vector<ExecResult> out;
    for (const auto& r : h.results()) {
      if (r.call_id == call_id) out.push_back(r);
    }
    return out;
  };
  ASSERT_TRUE(h.run_until([&] { return !results_for(*id).empty(); }, 5s));
  EXPECT_EQ(results_for(*id)[0].rc, kOcfOk) << results_for(*id)[0].summary();
  pids = unit_pids("crm-test-sleep.service");
  ASSERT_EQ(pids.size(), 1u);
  ASSERT_EQ(kill(pids[0], SIGKILL), 0) << std::strerror(errno);
  auto killed_at = std::chrono::steady_clock::now();
  // One interval, plus the executor's 100 ms poll and slack for a loaded machine.
  ASSERT_TRUE(h.run_until([&] { return results_for(*id).size() >= 2; }, std::chrono::milliseconds(kInterval + 1500)))
      << "the recurring monitor did not report the killed service";
  auto noticed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed_at).count();
  auto failed = results_for(*id)[1];
  EXPECT_EQ(failed.op_status, ExecStatus::kDone);
  EXPECT_EQ(failed.rc, kOcfNotRunning) << failed.summary();
  std::cout << "killed MainPID " << pids[0] << " noticed after " << noticed_ms << " ms (interval " << kInterval
            << " ms)\n";
  ASSERT_TRUE(h.executor().cancel("sleep", "monitor", kInterval).ok());

  // Recovery: the failed unit starts again (its stale "failed" state must not
  // be taken for the new start's result), and stops.
  auto restart = h.run(unit("sleep", "crm-test-sleep", "start"));
  EXPECT_TRUE(restart.ok()) << restart.summary();
  EXPECT_EQ(h.run(unit("sleep", "crm-test-sleep", "monitor")).rc, kOcfOk);
  EXPECT_TRUE(h.run(unit("sleep", "crm-test-sleep", "stop")).ok());
}

}  // namespace
}  // namespace crm::lrmd
