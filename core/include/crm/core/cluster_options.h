// The cluster options (the nvpairs of crm_config's cluster_property_sets) and
// the parameters every stonith-class resource accepts: one table, with each
// option's owning daemon, type, default, allowed values and descriptions as
// the peer's daemons (Pacemaker 2.1.5) list them in their `metadata` output.
//
// Everything that needs a fact about a cluster option asks here: crm_verify
// and the CIB daemon (cib::check_configuration) check values, the policy
// engine takes defaults and drops invalid values, and the daemons print the
// table as OCF-style metadata (`pacemaker-controld metadata`).
//
//   const ClusterOption* o = find_cluster_option("no-quorum-policy");
//   cluster_option_valid(*o, "panic");             // false
//   o->default_value;                              // "stop"
//   option_metadata(OptionOwner::kScheduler);      // "<?xml ...><resource-agent ..."
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

// Who reads an option (a bit set: no-quorum-policy is read by the controller
// and the scheduler). kFenceDevice marks stonith resource parameters, which
// are not cluster options.
enum OptionOwner : unsigned {
  kController = 1,    // pacemaker-controld (our crmd)
  kScheduler = 2,     // pacemaker-schedulerd (our policy engine)
  kCibManager = 4,    // pacemaker-based (our cibd)
  kFenceDevice = 8,   // pacemaker-fenced: parameters of every stonith resource
};
inline constexpr unsigned kClusterDaemons = kController | kScheduler | kCibManager;

// How a value is checked (the peer's validator functions).
enum class OptionCheck {
  kNone,            // any text
  kBoolean,         // true/false/on/off/yes/no/y/n/1/0, any case
  kNumber,          // an integer or (+/-)INFINITY
  kPositiveNumber,  // an integer > 0 or INFINITY
  kInterval,        // "30s", "5min", bare seconds, or an ISO 8601 duration "PT1M"
  kPercentage,      // "80%" (a non-negative integer, optionally followed by %)
  kSelect,          // one of `values`, exactly
  kSelectAnyCase,   // one of `values`, any case
};

struct ClusterOption {
  std::string_view name;
  unsigned owners;               // OptionOwner bits
  std::string_view type;         // metadata content type: string boolean integer time percentage select
  std::string_view values;       // "stop, freeze, ignore" for selects, free text for some, or ""
  const char* default_value;     // nullptr: no default
  OptionCheck check;
  std::string_view short_desc;
  std::string_view long_desc;
};

// Every option, in the order the peer's metadata lists them per daemon.
std::span<const ClusterOption> cluster_option_table();

// The option called `name` (case-sensitive) read by one of `owners`, or nullptr.
const ClusterOption* find_cluster_option(std::string_view name, unsigned owners = kClusterDaemons);

// True when `value` passes the option's check.
bool cluster_option_valid(const ClusterOption& option, std::string_view value);

// The peer's message for an invalid value (its crm_verify prints it as an error).
std::string invalid_cluster_option_message(std::string_view name, std::string_view value);

// For a daemon's view of configured options (name -> value): every invalid
// value is replaced by the option's default (the message for each goes to
// `problems` when not null), and the defaults of unset options are added.
// Names the daemon does not know are kept as they are.
void resolve_cluster_options(std::map<std::string, std::string>& options, unsigned owner,
                             std::vector<std::string>* problems = nullptr);

// The value of `name` in `options`, else its default ("" when none).
std::string cluster_option_or_default(const std::map<std::string, std::string>& options, std::string_view name);

// The daemon's OCF-style metadata, as `pacemaker-<daemon> metadata` prints
// it (owner: one of kController, kScheduler, kCibManager, kFenceDevice).
std::string option_metadata(OptionOwner owner);

// The peer's daemon name for an owner: "pacemaker-controld", ...
std::string_view daemon_name(OptionOwner owner);

// The Pacemaker version we are compatible with ("2.1.5") and the line
// `pacemaker-controld version` prints: "CRM Version: 2.1.5 (<build>)".
std::string_view compatible_pacemaker_version();
std::string crm_version_line();

// For a daemon's main(): when the only argument is "metadata" or "version"
// (any case, as the peer's daemons take them), prints the owner's metadata or
// crm_version_line() on stdout and returns true; otherwise does nothing and
// returns false. The daemon then exits 0 without starting.
bool answer_metadata_or_version(OptionOwner owner, int argc, char** argv);

}  // namespace crm
