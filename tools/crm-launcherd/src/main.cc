// crm-launcherd: starts a node's daemons (cibd, lrmd, fenced, crmd by default) in
// order, respawns them when they crash, and stops them in reverse order on
// SIGTERM/SIGINT. See docs/launcher.md.
//
//   crm-launcherd [--config FILE] [--bin-dir DIR] [--log-file FILE]
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "config.h"
#include "crm/core/clock.h"
#include "crm/core/cluster_options.h"
#include "crm/core/event_loop.h"
#include "crm/core/log.h"
#include "launcher.h"

namespace {

constexpr const char* kDefaultConfig = "/etc/crm/launcher.conf";

void usage() {
  std::fprintf(stderr,
               "usage: crm-launcherd [--config FILE] [--bin-dir DIR] [--log-file FILE] | --version\n"
               "  Starts the daemons listed in FILE (default %s; without it: cibd lrmd fenced attrd crmd),\n"
               "  respawns them when they crash and stops them in reverse order on SIGTERM.\n"
               "  Binaries: --bin-dir, else bin_dir in FILE, else $CRM_BIN_DIR, else this program's directory.\n",
               kDefaultConfig);
}

// One line to the log (core/log.h) with its level: "crm-launcherd[PID]: info: ...".
void log_line(const std::string& level, const std::string& msg) { crm::log::line(level + ": " + msg); }

std::string own_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/usr/sbin") : p.parent_path().string();
}

}  // namespace

int main(int argc, char** argv) {
  crm::log::set_identity("crm-launcherd[" + std::to_string(getpid()) + "]");
  using namespace crm;
  std::string config_path;
  std::string bin_dir;
  std::string log_file;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") config_path = next();
    else if (a == "--bin-dir") bin_dir = next();
    else if (a == "--log-file") log_file = next();
    else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else if (a == "--version" || a == "-$") {
      // As the peer's pacemakerd (installed under that name too): scripts
      // read the version from the first line.
      std::printf("Pacemaker %s\ncrm-launcherd, %s\n", std::string(compatible_pacemaker_version()).c_str(),
                  crm_version_line().c_str());
      return 0;
    } else {
      usage();
      return 2;
    }
  }

  launcher::Config config;
  std::string config_note;
  if (!config_path.empty() || access(kDefaultConfig, F_OK) == 0) {
    auto c = launcher::load_config(config_path.empty() ? kDefaultConfig : config_path);
    if (!c.ok()) {
      log_line("error", c.status().to_string());
      return 2;
    }
    config = std::move(c).value();
    config_note = "config " + (config_path.empty() ? std::string(kDefaultConfig) : config_path);
  } else {
    config = launcher::default_config();
    config_note = "no config file, built-in defaults";
  }
  if (bin_dir.empty()) bin_dir = config.bin_dir;
  if (bin_dir.empty() && std::getenv("CRM_BIN_DIR")) bin_dir = std::getenv("CRM_BIN_DIR");
  if (bin_dir.empty()) bin_dir = own_dir();
  if (!log_file.empty()) config.log_file = log_file;

  if (!config.log_file.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(config.log_file).parent_path(), ec);
    crm::log::set_file(config.log_file);
  }
  std::string names;
  for (auto& d : config.daemons) names += " " + d.name;
  log_line("info", "starting (" + config_note + "; daemons:" + names + ")");

  SystemClock clock;
  EventLoop loop(clock);
  launcher::Launcher launcher(loop, config, bin_dir, log_line);
  auto stop = [&](const char* why) {
    if (launcher.stopping()) {
      log_line("info", std::string(why) + " again: still stopping");
      return;
    }
    log_line("info", std::string(why) + ": shutting down");
    launcher.stop([&] { loop.stop(); });
  };
  launcher.on_fatal = [&](const std::string&) { stop("a daemon exited fatally"); };
  Status st = loop.watch_signal(SIGCHLD, [&] { launcher.reap(); });
  if (st.ok()) st = loop.watch_signal(SIGTERM, [&] { stop("SIGTERM"); });
  if (st.ok()) st = loop.watch_signal(SIGINT, [&] { stop("SIGINT"); });
  if (!st.ok()) {
    log_line("error", st.to_string());
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  launcher.start();
  st = loop.run();
  if (!st.ok()) {
    log_line("error", st.to_string());
    return 1;
  }
  log_line("info", "exiting");
  return 0;
}
