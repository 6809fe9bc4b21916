// Real heartbeat agents that change the machine: IPaddr2 inside a network
// namespace the test creates, Filesystem on a loop device. Root only; every
// namespace, address, mount and loop device is removed by RAII guards even
// when an assertion fails.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>

#include "test_util.h"

namespace crm::lrmd {
namespace {

using namespace crm::lrmd::testing;
using namespace std::chrono_literals;

std::string sh(const std::string& cmd, int* rc = nullptr) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int st = pclose(p);
  if (rc) *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

class AgentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
  }
  ExecutorOptions options() {
    ExecutorOptions o;
    o.paths.ocf_root = "/usr/lib/ocf";
    o.extra_env["HA_RSCTMP"] = tmp_.path();
    return o;
  }
  TempDir tmp_;
};

// Enters a fresh network namespace (this process only: the test is single
// threaded, and agents inherit it) and leaves/deletes it on destruction.
class NetnsGuard {
 public:
  explicit NetnsGuard(std::string name) : name_(std::move(name)) {
    int rc;
    sh("ip netns del " + name_);
    std::string out = sh("ip netns add " + name_, &rc);
    if (rc != 0) {
      error_ = "ip netns add: " + out;
      return;
    }
    created_ = true;
    orig_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int fd = open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      error_ = "setns failed";
      if (fd >= 0) close(fd);
      return;
    }
    close(fd);
    entered_ = true;
  }
  ~NetnsGuard() {
    if (entered_) (void)setns(orig_, CLONE_NEWNET);
    if (orig_ >= 0) close(orig_);
    if (created_) sh("ip netns del " + name_);  // removes its interfaces and addresses
  }
  bool ok() const { return entered_; }
  const std::string& error() const { return error_; }

 private:
  std::string name_;
  std::string error_;
  bool created_ = false, entered_ = false;
  int orig_ = -1;
};

TEST_F(AgentsTest, IPaddr2AddsAndRemovesAnAddressInANetworkNamespace) {
  if (!fs::exists("/usr/lib/ocf/resource.d/heartbeat/IPaddr2")) GTEST_SKIP() << "resource-agents not installed";
  NetnsGuard ns("crm-lrmd-test-" + std::to_string(getpid()));
  ASSERT_TRUE(ns.ok()) << ns.error();
  int rc;
  std::string out = sh("ip link add crm0 type veth peer name crm1 && ip addr add 192.0.2.1/24 dev crm0 && "
                       "ip link set crm0 up && ip link set crm1 up && ip link set lo up", &rc);
  ASSERT_EQ(rc, 0) << out;
  ExecutorHarness h(options());
  std::map<std::string, std::string> p{{"ip", "192.0.2.10"}, {"cidr_netmask", "24"}, {"nic", "crm0"}};
  auto has_addr = [] { return sh("ip -4 -o addr show dev crm0").find("192.0.2.10/24") != std::string::npos; };
  auto probe = h.run(ocf("vip", "heartbeat", "IPaddr2", "monitor", p));
  EXPECT_EQ(probe.rc, kOcfNotRunning) << probe.output;
  auto start = h.run(ocf("vip", "heartbeat", "IPaddr2", "start", p));
  EXPECT_TRUE(start.ok()) << start.summary() << "\n" << start.output;
  EXPECT_TRUE(has_addr()) << sh("ip -4 -o addr");
  EXPECT_EQ(h.run(ocf("vip", "heartbeat", "IPaddr2", "monitor", p)).rc, kOcfOk);
  auto stop = h.run(ocf("vip", "heartbeat", "IPaddr2", "stop", p));
  EXPECT_TRUE(stop.ok()) << stop.summary() << "\n" << stop.output;
  EXPECT_FALSE(has_addr());
  EXPECT_EQ(h.run(ocf("vip", "heartbeat", "IPaddr2", "monitor", p)).rc, kOcfNotRunning);
  // Not in the host's namespace.
  std::printf("IPaddr2 start %u ms, stop %u ms\n", start.duration_ms, stop.duration_ms);
}

// A loop device with an ext4 filesystem; detaches and unmounts on destruction.
class LoopFs {
 public:
  explicit LoopFs(const std::string& dir) : image_(dir + "/fs.img"), mnt_(dir + "/mnt") {
    fs::create_directories(mnt_);
    int rc;
    std::string out = sh("truncate -s 16M " + image_ + " && mkfs.ext4 -q -F " + image_, &rc);
    if (rc != 0) {
      error_ = "mkfs.ext4: " + out;
      return;
    }
    out = sh("losetup -f --show " + image_, &rc);
    if (rc != 0) {
      error_ = "losetup: " + out;
      return;
    }
    while (!out.empty() && out.back() == '\n') out.pop_back();
    device_ = out;
  }
  ~LoopFs() {
    if (is_mounted()) umount2(mnt_.c_str(), MNT_DETACH);
    if (!device_.empty()) sh("losetup -d " + device_);
  }
  bool is_mounted() const {
    return read_file("/proc/mounts").find(" " + mnt_ + " ") != std::string::npos;
  }
  const std::string& device() const { return device_; }
  const std::string& mnt() const { return mnt_; }
  const std::string& error() const { return error_; }

 private:
  std::string image_, mnt_, device_, error_;
};

TEST_F(AgentsTest, FilesystemMountsAndUnmountsALoopDevice) {
  if (!fs::exists("/usr/lib/ocf/resource.d/heartbeat/Filesystem")) GTEST_SKIP() << "resource-agents not installed";
  LoopFs loopfs(tmp_.path());
  if (loopfs.device().empty()) GTEST_SKIP() << "no loop device here: " << loopfs.error();
  ExecutorHarness h(options());
  std::map<std::string, std::string> p{{"device", loopfs.device()}, {"directory", loopfs.mnt()}, {"fstype", "ext4"}};
  auto probe = h.run(ocf("fs", "heartbeat", "Filesystem", "monitor", p));
  EXPECT_EQ(probe.rc, kOcfNotRunning) << probe.output;
  auto start = h.run(ocf("fs", "heartbeat", "Filesystem", "start", p, 0, 60000));
  EXPECT_TRUE(start.ok()) << start.summary() << "\n" << start.output;
  EXPECT_TRUE(loopfs.is_mounted());
  auto mon = h.run(ocf("fs", "heartbeat", "Filesystem", "monitor", p));
  EXPECT_EQ(mon.rc, kOcfOk) << mon.output;
  // Depth 20: the agent writes and reads a status file on the filesystem.
  p["OCF_CHECK_LEVEL"] = "20";
  auto deep = h.run(ocf("fs", "heartbeat", "Filesystem", "monitor", p));
  EXPECT_EQ(deep.rc, kOcfOk) << deep.output;
  p.erase("OCF_CHECK_LEVEL");
  auto stop = h.run(ocf("fs", "heartbeat", "Filesystem", "stop", p, 0, 60000));
  EXPECT_TRUE(stop.ok()) << stop.summary() << "\n" << stop.output;
  EXPECT_FALSE(loopfs.is_mounted());
  std::printf("Filesystem start %u ms, stop %u ms\n", start.duration_ms, stop.duration_ms);
}

}  // namespace
}  // namespace crm::lrmd
