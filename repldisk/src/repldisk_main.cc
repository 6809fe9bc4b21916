// crm-repldisk: replicated block storage, one daemon per resource per node
// (docs/repldisk.md), and its control client.
//
//   crm-repldisk run --name r0 --node-name a --listen 10.0.0.1:7790 --size 64M
//                    [--peer b=10.0.0.2:7790]... [--outdate-peer-cmd CMD] [--uptodate-peer-cmd CMD]
//   crm-repldisk ctl r0 status|promote|demote|set-peers b=HOST:PORT...|outdate|forget-peer NAME|stop
//
// The daemon logs to stderr and runs in the foreground (the agent puts it in
// the background); SIGTERM/SIGINT end it as `stop` does, except that they do
// not wait for the disk to be closed.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include "crm/cib/file_system.h"
#include "crm/core/clock.h"
#include "crm/core/duration.h"
#include "crm/core/event_loop.h"
#include "crm/repldisk/repldisk.h"
#include "crm/core/log.h"
#include "daemon.h"

namespace {

using namespace crm;
using namespace crm::repldisk;

void usage() {
  std::fprintf(stderr,
               "usage: crm-repldisk run --name NAME --listen HOST:PORT [--size BYTES[K|M|G]] [--node-name NODE]\n"
               "                        [--state-dir DIR] [--run-dir DIR] [--peer NODE=HOST:PORT]...\n"
               "                        [--outdate-peer-cmd CMD] [--uptodate-peer-cmd CMD] [--ack-timeout 2s]\n"
               "       crm-repldisk ctl NAME [--run-dir DIR] REQUEST [ARGS...]\n"
               "  REQUEST: status, promote, demote, set-peers NODE=HOST:PORT..., outdate, forget-peer NODE, stop\n"
               "  Defaults: state dir /var/lib/crm/repldisk/NAME, run dir /run/crm-repldisk/NAME\n"
               "  (control socket RUN/ctl, disk RUN/mnt/disk). Handlers run as\n"
               "  /bin/sh -c 'CMD \"$@\"' crm-repldisk PEER GENERATION; exit 0 means done.\n");
}

// One line to the log (core/log.h); the identity "crm-repldisk[NAME]" is set
// once the disk's name is known (run_daemon).
void log_line(const std::string& s) { crm::log::line(s); }

Result<uint64_t> parse_size(const std::string& text) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  std::string unit = end ? end : "";
  uint64_t mult = 1;
  if (unit == "K" || unit == "k") mult = 1ull << 10;
  else if (unit == "M" || unit == "m") mult = 1ull << 20;
  else if (unit == "G" || unit == "g") mult = 1ull << 30;
  else if (!unit.empty() || end == text.c_str()) return invalid_argument("size '" + text + "' is not BYTES[K|M|G]");
  return static_cast<uint64_t>(v) * mult;
}

int run_ctl(int argc, char** argv) {
  if (argc < 4) {
    usage();
    return 2;
  }
  std::string name = argv[2];
  std::string run_dir = default_run_dir(name);
  int i = 3;
  if (std::string(argv[i]) == "--run-dir" && i + 2 < argc) {
    run_dir = argv[i + 1];
    i += 2;
  }
  std::string request;
  for (; i < argc; ++i) request += (request.empty() ? "" : " ") + std::string(argv[i]);
  auto reply = control_call(run_dir, request);
  if (!reply.ok()) {
    std::fprintf(stderr, "crm-repldisk %s: %s\n", name.c_str(), reply.status().to_string().c_str());
    return reply.status().exit_code() ? reply.status().exit_code() : 1;
  }
  size_t nl = reply->find('\n');
  if (nl != std::string::npos) std::fputs(reply->c_str() + nl + 1, stdout);
  return 0;
}

int run_daemon(int argc, char** argv) {
  DaemonOptions o;
  std::string size_text;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--name") o.name = next();
    else if (a == "--node-name") o.node_name = next();
    else if (a == "--listen") o.listen = next();
    else if (a == "--size") size_text = next();
    else if (a == "--state-dir") o.state_dir = next();
    else if (a == "--run-dir") o.run_dir = next();
    else if (a == "--outdate-peer-cmd") o.outdate_cmd = next();
    else if (a == "--uptodate-peer-cmd") o.uptodate_cmd = next();
    else if (a == "--peer") {
      std::string p = next();
      size_t eq = p.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "--peer %s: expected NODE=HOST:PORT\n", p.c_str());
        return 2;
      }
      o.peers[p.substr(0, eq)] = p.substr(eq + 1);
    } else if (a == "--ack-timeout") {
      auto d = parse_duration(next());
      if (!d.ok()) {
        std::fprintf(stderr, "--ack-timeout: %s\n", d.status().to_string().c_str());
        return 2;
      }
      o.ack_timeout = *d;
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  if (o.name.empty() || o.listen.empty()) {
    usage();
    return 2;
  }
  if (!size_text.empty()) {
    auto sz = parse_size(size_text);
    if (!sz.ok()) {
      std::fprintf(stderr, "%s\n", sz.status().to_string().c_str());
      return 2;
    }
    o.size = *sz;
  }
  if (o.node_name.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) o.node_name = host;
  }
  if (o.state_dir.empty()) o.state_dir = default_state_dir(o.name);
  if (o.run_dir.empty()) o.run_dir = default_run_dir(o.name);
  std::string name = o.name;
  crm::log::set_identity("crm-repldisk[" + name + "]");
  o.log = [](const std::string& l) { log_line(l); };
  // Handlers see which resource calls them (they inherit our environment).
  setenv("REPLDISK_NAME", name.c_str(), 1);
  signal(SIGPIPE, SIG_IGN);

  SystemClock clock;
  EventLoop loop(clock);
  cib::PosixFileSystem fs;
  auto daemon = Daemon::start(loop, fs, o);
  if (!daemon.ok()) {
    log_line(daemon.status().to_string());
    return daemon.status().exit_code() ? daemon.status().exit_code() : 1;
  }
  for (int sig : {SIGTERM, SIGINT}) {
    Status s = loop.watch_signal(sig, [&] { loop.stop(); });
    if (!s.ok()) {
      log_line(s.to_string());
      return 1;
    }
  }
  {
    std::ofstream pid(o.run_dir + "/pid");
    pid << getpid() << "\n";
  }
  Status s = loop.run();
  daemon->reset();
  ::unlink((o.run_dir + "/pid").c_str());
  log_line("stopped");
  return s.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "run") return run_daemon(argc, argv);
  if (mode == "ctl") return run_ctl(argc, argv);
  if (mode == "-h" || mode == "--help") {
    usage();
    return 0;
  }
  usage();
  return 2;
}
