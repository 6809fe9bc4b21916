// lrmd: the local resource executor daemon. Listens on ipc::socket_path("lrmd")
// (root and haclient only), runs agents for the controller, logs to stderr.
// SIGTERM/SIGINT: cancel recurring operations, kill running agents' process
// groups, exit 0.
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "crm/core/clock.h"
#include "crm/core/event_loop.h"
#include "crm/core/ipc.h"
#include "crm/lrmd/lrmd.h"
#include "server.h"
#include "crm/core/log.h"

#include <fmt/format.h>

namespace {
void usage() {
  std::fprintf(stderr,
               "usage: lrmd [--socket PATH] [--ocf-root DIR] [--lsb-dir DIR]\n"
               "  Runs resource agents for the controller. Socket default: $CRM_RUN_DIR/lrmd.sock\n");
}
}  // namespace

int main(int argc, char** argv) {
  using namespace crm;
  std::string socket = ipc::socket_path("lrmd");
  lrmd::ExecutorOptions opts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--socket") socket = next();
    else if (a == "--ocf-root") opts.paths.ocf_root = next();
    else if (a == "--lsb-dir") opts.paths.lsb_dir = next();
    else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  // OCF agents keep state under HA_RSCTMP (default /run/resource-agents,
  // created at boot by resource-agents' tmpfiles.d entry). /run may be a
  // fresh tmpfs without it (lab nodes, containers): create it, as the peer's
  // pacemaker-execd does, or ocf:heartbeat:Dummy and friends fail to start.
  {
    const char* rsctmp = std::getenv("HA_RSCTMP");
    std::string dir = rsctmp && *rsctmp ? rsctmp : "/run/resource-agents";
    if (::mkdir(dir.c_str(), 01755) != 0 && errno != EEXIST)
      crm::log::line(fmt::format("cannot create {}: {}", dir, std::strerror(errno)));
  }
  // Agents call the cluster's tools by name (ocf:pacemaker:ping runs
  // attrd_updater) or under $HA_SBIN_DIR (crm_master, crm_attribute -p): this
  // stack's own binaries come first on their PATH, so an agent on a node
  // where it is not installed in /usr/sbin (the lab, a build tree) reaches
  // our daemons and not another stack's tools.
  {
    std::string bin_dir;
    if (const char* d = std::getenv("CRM_BIN_DIR"); d && *d) bin_dir = d;
    else if (std::error_code ec; true) {
      auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
      if (!ec) bin_dir = self.parent_path().string();
    }
    const char* path = std::getenv("PATH");
    std::string rest = path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    if (!bin_dir.empty()) {
      opts.extra_env["PATH"] = bin_dir + ":" + rest;
      // resource-agents' ocf-directories: ${HA_SBIN_DIR:=/usr/sbin}, where
      // Stateful and ocf_promotion_score find crm_attribute and crm_master.
      opts.extra_env["HA_SBIN_DIR"] = bin_dir;
    }
  }
  SystemClock clock;
  EventLoop loop(clock);
  lrmd::Executor executor(loop, opts);
  auto server = lrmd::LrmdServer::start(loop, executor, socket);
  if (!server.ok()) {
    crm::log::line(server.status().to_string());
    return server.status().exit_code() ? server.status().exit_code() : 1;
  }
  auto stop = [&] {
    crm::log::line(fmt::format("stopping: cancelling {} pending operations, killing {} running agents",
                 executor.pending_count(), executor.running_count()));
    executor.shutdown();
    loop.stop();
  };
  for (int sig : {SIGTERM, SIGINT}) {
    Status s = loop.watch_signal(sig, stop);
    if (!s.ok()) {
      crm::log::line(s.to_string());
      return 1;
    }
  }
  crm::log::line(fmt::format("listening on {} (OCF root {})", socket, executor.options().paths.ocf_root));
  Status s = loop.run();
  server->reset();
  crm::log::line("stopped");
  if (!s.ok()) {
    crm::log::line(s.to_string());
    return 1;
  }
  return 0;
}
