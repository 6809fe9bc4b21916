// lrmd_bench: figures for the executor (no assertions on time).
//   1. operations per second for a no-op OCF agent with N resources at once;
//   2. the executor's own overhead per operation: one resource, operations in
//      sequence, against raw posix_spawn + waitpid of the same script with the
//      same environment;
//   3. memory (RSS) with 1000 recurring monitors registered.
// Usage: lrmd_bench [--quick]
#include <spawn.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crm/core/clock.h"
#include "crm/core/event_loop.h"
#include "crm/lrmd/lrmd.h"

extern char** environ;

namespace {

using namespace crm;
using namespace crm::lrmd;
using Steady = std::chrono::steady_clock;
namespace fs = std::filesystem;

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

double ms_since(Steady::time_point t) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

ExecRequest noop(const std::string& rsc, const std::string& action = "monitor", uint32_t interval = 0) {
  ExecRequest r;
  r.rsc_id = rsc;
  r.standard = "ocf";
  r.provider = "bench";
  r.type = "noop";
  r.action = action;
  r.interval_ms = interval;
  r.timeout_ms = 20000;
  r.params = {{"p", "v"}};
  return r;
}

struct Bench {
  SystemClock clock;
  EventLoop loop{clock};
  Executor ex;
  size_t done = 0;
  explicit Bench(ExecutorOptions o) : ex(loop, std::move(o)) {
    ex.set_result_callback([this](const ExecResult& r) {
      if (!r.ok()) std::fprintf(stderr, "unexpected: %s %s\n", r.summary().c_str(), r.output.c_str());
      ++done;
    });
  }
  void wait_for(size_t n) {
    while (done < n) (void)loop.run_once(std::chrono::milliseconds(100));
  }
};

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  char tmpl[] = "/tmp/crm-lrmd-bench.XXXXXX";
  std::string root = std::string(mkdtemp(tmpl)) + "/ocf";
  std::string agent = root + "/resource.d/bench/noop";
  fs::create_directories(fs::path(agent).parent_path());
  {
    std::ofstream out(agent);
    out << "#!/bin/sh\nexit 0\n";
  }
  fs::permissions(agent, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read |
                             fs::perms::group_exec | fs::perms::others_exec);
  ExecutorOptions opts;
  opts.paths.ocf_root = root;
  std::printf("lrmd_bench: no-op agent %s (#!/bin/sh exit 0), %ld CPUs\n", agent.c_str(), sysconf(_SC_NPROCESSORS_ONLN));

  // 3. Memory with 1000 recurring monitors.
  {
    const int n = 1000;
    Bench b(opts);
    long before = rss_kib();
    size_t heap_before = mallinfo2().uordblks;
    for (int i = 0; i < n; ++i) {
      if (!b.ex.exec(noop("m" + std::to_string(i), "monitor", 60000)).ok()) return 1;
    }
    auto t1 = Steady::now();
    b.wait_for(n);  // each has run once and waits for its next interval
    double first_ms = ms_since(t1);
    long after = rss_kib();
    size_t heap_after = mallinfo2().uordblks;
    auto ops = b.ex.recurring_ops();
    std::printf("\nmemory: %zu recurring monitors (interval 60 s), all run once in %.0f ms\n", ops->size(), first_ms);
    std::printf("   RSS before %ld KiB, after %ld KiB: +%ld KiB (%.2f KiB per monitor)\n", before, after,
                after - before, static_cast<double>(after - before) / n);
    std::printf("   heap in use +%zu KiB (%.2f KiB per monitor: request, params, timer, last result)\n",
                (heap_after - heap_before) / 1024, static_cast<double>(heap_after - heap_before) / 1024 / n);
    b.ex.shutdown();
  }
  // 1. Throughput with N resources at once.
  const int total = quick ? 400 : 2000;
  std::printf("\nthroughput: %d one-shot monitors spread over N resources (max_running %zu)\n", total,
              opts.max_running);
  for (int n : {1, 10, 50, 200}) {
    Bench b(opts);
    auto t0 = Steady::now();
    for (int i = 0; i < total; ++i) {
      if (!b.ex.exec(noop("r" + std::to_string(i % n))).ok()) return 1;
    }
    b.wait_for(total);
    double ms = ms_since(t0);
    std::printf("   N=%-4d %8.0f ops/s  (%d ops in %.0f ms)\n", n, total / (ms / 1000.0), total, ms);
  }

  // 2. Overhead per operation, sequential.
  const int seq = quick ? 100 : 500;
  double exec_ms;
  {
    Bench b(opts);
    (void)b.ex.exec(noop("warm"));
    b.wait_for(1);
    auto t0 = Steady::now();
    for (int i = 0; i < seq; ++i) {
      if (!b.ex.exec(noop("seq")).ok()) return 1;
      b.wait_for(static_cast<size_t>(i) + 2);
    }
    exec_ms = ms_since(t0) / seq;
  }
  // Raw: posix_spawn + waitpid, same script, an environment of the same size.
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  for (const char* v : {"OCF_ROOT=/x", "OCF_RA_VERSION_MAJOR=1", "OCF_RA_VERSION_MINOR=1", "OCF_RESOURCE_INSTANCE=seq",
                        "OCF_RESOURCE_TYPE=noop", "OCF_RESOURCE_PROVIDER=bench", "OCF_RESKEY_p=v",
                        "OCF_RESKEY_CRM_meta_timeout=20000", "OCF_RESKEY_CRM_meta_interval=0",
                        "OCF_EXIT_REASON_PREFIX=ocf-exit-reason:"}) {
    env_s.emplace_back(v);
  }
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string a0 = agent, a1 = "monitor";
  char* av[] = {a0.data(), a1.data(), nullptr};
  auto t0 = Steady::now();
  for (int i = 0; i < seq; ++i) {
    pid_t pid;
    if (posix_spawn(&pid, agent.c_str(), nullptr, nullptr, av, envp.data()) != 0) return 1;
    int st;
    waitpid(pid, &st, 0);
  }
  double raw_ms = ms_since(t0) / seq;
  std::printf("\nlatency, %d sequential operations on one resource\n", seq);
  std::printf("   executor           %.3f ms/op\n", exec_ms);
  std::printf("   raw spawn+waitpid  %.3f ms/op\n", raw_ms);
  std::printf("   executor overhead  %.3f ms/op\n", exec_ms - raw_ms);

  fs::remove_all(fs::path(root).parent_path());
  return 0;
}
