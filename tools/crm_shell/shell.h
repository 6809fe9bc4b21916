// crm_shell: a small crmsh-like shell. Levels "configure", "resource",
// "node" (enter them, or prefix commands with them), plus "status".
// Configuration commands in crmsh syntax are applied to a working copy of
// the CIB and submitted through the cib client on "commit":
//
//   configure primitive vip ocf:heartbeat:IPaddr2 params ip=10.0.0.5 op monitor interval=10s
//   configure group web vip site
//   configure location prefer-n1 web 100: n1
//   configure commit
//   configure import haresources /etc/ha.d/haresources /etc/ha.d/ha.cf
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/cib/request.h"
#include "crm/core/status.h"

namespace crm::tools {

// Splits a command line into words: blanks separate, "..." and '...' quote.
Result<std::vector<std::string>> split_words(const std::string& line);

class Shell {
 public:
  explicit Shell(bool interactive) : interactive_(interactive) {}

  // Runs one command line; returns 0 on success, an exit status otherwise.
  int execute(const std::string& line);
  // True after "quit"/"exit"/"bye".
  bool done() const { return done_; }
  // "crm(live)configure# "
  std::string prompt() const;
  // End of input: batch mode commits pending changes; returns the final status.
  int finish();
  bool has_pending() const { return !pending_.empty(); }

 private:
  int configure(const std::vector<std::string>& w);
  int resource(const std::vector<std::string>& w);
  int node(const std::vector<std::string>& w);
  int status();
  int help();

  Status ensure_copy();
  // Applies one change to the working copy and queues it for commit.
  Status stage(cib::Request r);
  int commit();
  int show(const std::vector<std::string>& w);
  int import_configuration(const std::vector<std::string>& w);

  bool interactive_;
  bool done_ = false;
  std::string level_;                      // "", "configure", "resource", "node"
  std::optional<cib::Cib> copy_;           // working copy for configure
  std::vector<cib::Request> pending_;      // changes since the last commit
  bool warned_pending_ = false;
};

// The configuration as crmsh's "configure show" prints it.
std::string configuration_text(const cib::Cib& cib, const std::string& only_id = "");

}  // namespace crm::tools
