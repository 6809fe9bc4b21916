// crm-launcherd's configuration: which daemons to start, in which order, and
// how to supervise them. A small "key = value" file (# starts a comment):
//
//   daemons = cibd lrmd fenced crmd # started in this order, stopped in reverse
//   bin_dir = /usr/sbin             # where the binaries are (else $CRM_BIN_DIR,
//                                   # else the launcher's own directory)
//   log_file = /var/log/crm/launcher.log
//   max_restarts = 5                # more crashes than this within
//   restart_window = 60             # this many seconds: give up on the daemon
//   restart_delay_ms = 500          # first respawn delay, doubled per crash,
//   restart_delay_max_ms = 30000    # up to this
//   start_delay_ms = 200            # pause after starting one daemon
//   stop_timeout = 30               # seconds from SIGTERM to SIGKILL, per daemon
//   shutdown_timeout = 300          # the same for crmd (it moves resources away first)
//   args.lrmd = --ocf-root /usr/lib/ocf    # extra arguments (split on blanks)
//   stop_timeout.cibd = 10          # per-daemon override
//   nice = -10                      # the daemons' nice value (-20..19, default 0);
//   nice.attrd = 0                  # per daemon. Agents inherit their executor's
//                                   # (lrmd, fenced): recovery ahead of a busy machine
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "crm/core/status.h"

namespace crm::launcher {

struct DaemonSpec {
  std::string name;
  std::vector<std::string> args;
  std::chrono::seconds stop_timeout{30};
  int nice = 0;  // setpriority() before exec; its children (agents) inherit it
};

struct Config {
  std::vector<DaemonSpec> daemons;
  std::string bin_dir;  // empty: decided by the caller
  std::string log_file = "/var/log/crm/launcher.log";
  int max_restarts = 5;
  std::chrono::seconds restart_window{60};
  std::chrono::milliseconds restart_delay{500};
  std::chrono::milliseconds restart_delay_max{30000};
  std::chrono::milliseconds start_delay{200};
};

// The default when no file exists: cibd, lrmd, fenced, crmd with the defaults above.
Config default_config();
// Parses the text of a configuration file; errors name the line.
Result<Config> parse_config(const std::string& text);
// Reads and parses `path`.
Result<Config> load_config(const std::string& path);

}  // namespace crm::launcher
