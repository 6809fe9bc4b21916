// The cluster option table (see cluster_options.h). Names, types, defaults,
// allowed values and descriptions are the peer's (Pacemaker 2.1.5), so that
// crmsh and other front ends read the same metadata; the checks follow the
// peer's validators (pcmk__valid_boolean, pcmk__valid_number, ...).
#include "crm/core/cluster_options.h"

#include <strings.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "crm/core/duration.h"
#include "crm/core/score.h"

#ifndef CRM_BUILD_VERSION
#define CRM_BUILD_VERSION "crm"
#endif

namespace crm {
namespace {

// Longer texts are split over lines; adjacent literals join.
constexpr ClusterOption kOptions[] = {
    {"enable-acl", kCibManager, "boolean", "", "false", OptionCheck::kBoolean,
     "Enable Access Control Lists (ACLs) for the CIB",
     "Enable Access Control Lists (ACLs) for the CIB"},
    {"cluster-ipc-limit", kCibManager, "integer", "", "500", OptionCheck::kPositiveNumber,
     "Maximum IPC message backlog before disconnecting a cluster daemon",
     "Raise this if log has \"Evicting client\" messages for cluster daemon PIDs (a good value "
         "is the number of resources in the cluster multiplied by the number of nodes)."},
    {"dc-version", kController, "string", "", "none", OptionCheck::kNone,
     "Pacemaker version on cluster node elected Designated Controller (DC)",
     "Includes a hash which identifies the exact changeset the code was built from. Used for "
         "diagnostic purposes."},
    {"cluster-infrastructure", kController, "string", "", "corosync", OptionCheck::kNone,
     "The messaging stack on which Pacemaker is currently running",
     "Used for informational and diagnostic purposes."},
    {"cluster-name", kController, "string", "", nullptr, OptionCheck::kNone,
     "An arbitrary name for the cluster",
     "This optional value is mostly for users' convenience as desired in administration, but "
         "may also be used in Pacemaker configuration rules via the #cluster-name node attribute, "
         "and by higher-level tools and resource agents."},
    {"dc-deadtime", kController, "time", "", "20s", OptionCheck::kInterval,
     "How long to wait for a response from other nodes during start-up",
     "The optimal value will depend on the speed and load of your network and the type of "
         "switches used."},
    {"cluster-recheck-interval", kController, "time", "Zero disables polling, while positive values are an interval in seconds(unless other "
         "units are specified, for example \"5min\")", "15min", OptionCheck::kInterval,
     "Polling interval to recheck cluster state and evaluate rules with date specifications",
     "Pacemaker is primarily event-driven, and looks ahead to know when to recheck cluster "
         "state for failure timeouts and most time-based rules. However, it will also recheck the "
         "cluster after this amount of inactivity, to evaluate rules with date specifications and "
         "serve as a fail-safe for certain types of scheduler bugs."},
    {"load-threshold", kController, "percentage", "", "80%", OptionCheck::kPercentage,
     "Maximum amount of system load that should be used by cluster nodes",
     "The cluster will slow down its recovery process when the amount of system resources used "
         "(currently CPU) approaches this limit"},
    {"node-action-limit", kController, "integer", "", "0", OptionCheck::kNumber,
     "Maximum number of jobs that can be scheduled per node (defaults to 2x cores)",
     "Maximum number of jobs that can be scheduled per node (defaults to 2x cores)"},
    {"fence-reaction", kController, "string", "", "stop", OptionCheck::kNone,
     "How a cluster node should react if notified of its own fencing",
     "A cluster node may receive notification of its own fencing if fencing is misconfigured, "
         "or if fabric fencing is in use that doesn't cut cluster communication. Allowed values are "
         "\"stop\" to attempt to immediately stop Pacemaker and stay stopped, or \"panic\" to "
         "attempt to immediately reboot the local node, falling back to stop on failure."},
    {"election-timeout", kController, "time", "", "2min", OptionCheck::kInterval,
     "*** Advanced Use Only ***",
     "Declare an election failed if it is not decided within this much time. If you need to "
         "adjust this value, it probably indicates the presence of a bug."},
    {"shutdown-escalation", kController, "time", "", "20min", OptionCheck::kInterval,
     "*** Advanced Use Only ***",
     "Exit immediately if shutdown does not complete within this much time. If you need to "
         "adjust this value, it probably indicates the presence of a bug."},
    {"join-integration-timeout", kController, "time", "", "3min", OptionCheck::kInterval,
     "*** Advanced Use Only ***",
     "If you need to adjust this value, it probably indicates the presence of a bug."},
    {"join-finalization-timeout", kController, "time", "", "30min", OptionCheck::kInterval,
     "*** Advanced Use Only ***",
     "If you need to adjust this value, it probably indicates the presence of a bug."},
    {"transition-delay", kController, "time", "", "0s", OptionCheck::kInterval,
     "*** Advanced Use Only *** Enabling this option will slow down cluster recovery under all "
         "conditions",
     "Delay cluster recovery for this much time to allow for additional events to occur. Useful "
         "if your configuration is sensitive to the order in which ping updates arrive."},
    {"stonith-watchdog-timeout", kController, "time", "", "0", OptionCheck::kNone,
     "How long before nodes can be assumed to be safely down when watchdog-based self-fencing "
         "via SBD is in use",
     "If this is set to a positive value, lost nodes are assumed to self-fence using "
         "watchdog-based SBD within this much time. This does not require a fencing resource to be "
         "explicitly configured, though a fence_watchdog resource can be configured, to limit use "
         "to specific nodes. If this is set to 0 (the default), the cluster will never assume "
         "watchdog-based self-fencing. If this is set to a negative value, the cluster will use "
         "twice the local value of the `SBD_WATCHDOG_TIMEOUT` environment variable if that is "
         "positive, or otherwise treat this as 0. WARNING: When used, this timeout must be larger "
         "than `SBD_WATCHDOG_TIMEOUT` on all nodes that use watchdog-based SBD, and Pacemaker will "
         "refuse to start on any of those nodes where this is not true for the local value or SBD "
         "is not active. When this is set to a negative value, `SBD_WATCHDOG_TIMEOUT` must be set "
         "to the same value on all nodes that use SBD, otherwise data corruption or loss could "
         "occur."},
    {"stonith-max-attempts", kController, "integer", "", "10", OptionCheck::kPositiveNumber,
     "How many times fencing can fail before it will no longer be immediately re-attempted on a "
         "target",
     "How many times fencing can fail before it will no longer be immediately re-attempted on a "
         "target"},
    {"no-quorum-policy", kController | kScheduler, "select", "stop, freeze, ignore, demote, suicide", "stop", OptionCheck::kSelectAnyCase,
     "What to do when the cluster does not have quorum",
     "What to do when the cluster does not have quorum"},
    {"symmetric-cluster", kScheduler, "boolean", "", "true", OptionCheck::kBoolean,
     "Whether resources can run on any node by default",
     "Whether resources can run on any node by default"},
    {"maintenance-mode", kScheduler, "boolean", "", "false", OptionCheck::kBoolean,
     "Whether the cluster should refrain from monitoring, starting, and stopping resources",
     "Whether the cluster should refrain from monitoring, starting, and stopping resources"},
    {"start-failure-is-fatal", kScheduler, "boolean", "", "true", OptionCheck::kBoolean,
     "Whether a start failure should prevent a resource from being recovered on the same node",
     "When true, the cluster will immediately ban a resource from a node if it fails to start "
         "there. When false, the cluster will instead check the resource's fail count against its "
         "migration-threshold."},
    {"enable-startup-probes", kScheduler, "boolean", "", "true", OptionCheck::kBoolean,
     "Whether the cluster should check for active resources during start-up",
     "Whether the cluster should check for active resources during start-up"},
    {"shutdown-lock", kController | kScheduler, "boolean", "", "false", OptionCheck::kBoolean,
     "Whether to lock resources to a cleanly shut down node",
     "When true, resources active on a node when it is cleanly shut down are kept \"locked\" to "
         "that node (not allowed to run elsewhere) until they start again on that node after it "
         "rejoins (or for at most shutdown-lock-limit, if set). Stonith resources and Pacemaker "
         "Remote connections are never locked. Clone and bundle instances and the promoted role of "
         "promotable clones are currently never locked, though support could be added in a future "
         "release."},
    {"shutdown-lock-limit", kScheduler, "time", "", "0", OptionCheck::kInterval,
     "Do not lock resources to a cleanly shut down node longer than this",
     "If shutdown-lock is true and this is set to a nonzero time duration, shutdown locks will "
         "expire after this much time has passed since the shutdown was initiated, even if the node "
         "has not rejoined."},
    {"stonith-enabled", kScheduler, "boolean", "", "true", OptionCheck::kBoolean,
     "*** Advanced Use Only *** Whether nodes may be fenced as part of recovery",
     "If false, unresponsive nodes are immediately assumed to be harmless, and resources that "
         "were active on them may be recovered elsewhere. This can result in a \"split-brain\" "
         "situation, potentially leading to data loss and/or service unavailability."},
    {"stonith-action", kScheduler, "select", "reboot, off, poweroff", "reboot", OptionCheck::kSelect,
     "Action to send to fence device when a node needs to be fenced (\"poweroff\" is a "
         "deprecated alias for \"off\")",
     "Action to send to fence device when a node needs to be fenced (\"poweroff\" is a "
         "deprecated alias for \"off\")"},
    {"stonith-timeout", kScheduler, "time", "", "60s", OptionCheck::kInterval,
     "*** Advanced Use Only *** Unused by Pacemaker",
     "This value is not used by Pacemaker, but is kept for backward compatibility, and certain "
         "legacy fence agents might use it."},
    {"have-watchdog", kScheduler, "boolean", "", "false", OptionCheck::kBoolean,
     "Whether watchdog integration is enabled",
     "This is set automatically by the cluster according to whether SBD is detected to be in "
         "use. User-configured values are ignored. The value `true` is meaningful if diskless SBD "
         "is used and `stonith-watchdog-timeout` is nonzero. In that case, if fencing is required, "
         "watchdog-based self-fencing will be performed via SBD without requiring a fencing "
         "resource explicitly configured."},
    {"concurrent-fencing", kScheduler, "boolean", "", "false", OptionCheck::kBoolean,
     "Allow performing fencing operations in parallel",
     "Allow performing fencing operations in parallel"},
    {"startup-fencing", kScheduler, "boolean", "", "true", OptionCheck::kBoolean,
     "*** Advanced Use Only *** Whether to fence unseen nodes at start-up",
     "Setting this to false may lead to a \"split-brain\" situation,potentially leading to data "
         "loss and/or service unavailability."},
    {"priority-fencing-delay", kScheduler, "time", "", "0", OptionCheck::kInterval,
     "Apply fencing delay targeting the lost nodes with the highest total resource priority",
     "Apply specified delay for the fencings that are targeting the lost nodes with the highest "
         "total resource priority in case we don't have the majority of the nodes in our cluster "
         "partition, so that the more significant nodes potentially win any fencing match, which is "
         "especially meaningful under split-brain of 2-node cluster. A promoted resource instance "
         "takes the base priority + 1 on calculation if the base priority is not 0. Any "
         "static/random delays that are introduced by `pcmk_delay_base/max` configured for the "
         "corresponding fencing resources will be added to this delay. This delay should be "
         "significantly greater than, safely twice, the maximum `pcmk_delay_base/max`. By default, "
         "priority fencing delay is disabled."},
    {"cluster-delay", kScheduler, "time", "", "60s", OptionCheck::kInterval,
     "Maximum time for node-to-node communication",
     "The node elected Designated Controller (DC) will consider an action failed if it does not "
         "get a response from the node executing the action within this time (after considering the "
         "action's own timeout). The \"correct\" value will depend on the speed and load of your "
         "network and cluster nodes."},
    {"batch-limit", kScheduler, "integer", "", "0", OptionCheck::kNumber,
     "Maximum number of jobs that the cluster may execute in parallel across all nodes",
     "The \"correct\" value will depend on the speed and load of your network and cluster "
         "nodes. If set to 0, the cluster will impose a dynamically calculated limit when any node "
         "has a high load."},
    {"migration-limit", kScheduler, "integer", "", "-1", OptionCheck::kNumber,
     "The number of live migration actions that the cluster is allowed to execute in parallel "
         "on a node (-1 means no limit)",
     "The number of live migration actions that the cluster is allowed to execute in parallel "
         "on a node (-1 means no limit)"},
    {"stop-all-resources", kScheduler, "boolean", "", "false", OptionCheck::kBoolean,
     "Whether the cluster should stop all active resources",
     "Whether the cluster should stop all active resources"},
    {"stop-orphan-resources", kScheduler, "boolean", "", "true", OptionCheck::kBoolean,
     "Whether to stop resources that were removed from the configuration",
     "Whether to stop resources that were removed from the configuration"},
    {"stop-orphan-actions", kScheduler, "boolean", "", "true", OptionCheck::kBoolean,
     "Whether to cancel recurring actions removed from the configuration",
     "Whether to cancel recurring actions removed from the configuration"},
    {"remove-after-stop", kScheduler, "boolean", "", "false", OptionCheck::kBoolean,
     "*** Deprecated *** Whether to remove stopped resources from the executor",
     "Values other than default are poorly tested and potentially dangerous. This option will "
         "be removed in a future release."},
    {"pe-error-series-max", kScheduler, "integer", "", "-1", OptionCheck::kNumber,
     "The number of scheduler inputs resulting in errors to save",
     "Zero to disable, -1 to store unlimited."},
    {"pe-warn-series-max", kScheduler, "integer", "", "5000", OptionCheck::kNumber,
     "The number of scheduler inputs resulting in warnings to save",
     "Zero to disable, -1 to store unlimited."},
    {"pe-input-series-max", kScheduler, "integer", "", "4000", OptionCheck::kNumber,
     "The number of scheduler inputs without errors or warnings to save",
     "Zero to disable, -1 to store unlimited."},
    {"node-health-strategy", kScheduler, "select", "none, migrate-on-red, only-green, progressive, custom", "none", OptionCheck::kSelectAnyCase,
     "How cluster should react to node health attributes",
     "Requires external entities to create node attributes (named with the prefix \"#health\") "
         "with values \"red\", \"yellow\", or \"green\"."},
    {"node-health-base", kScheduler, "integer", "", "0", OptionCheck::kNumber,
     "Base health score assigned to a node",
     "Only used when node-health-strategy is set to progressive."},
    {"node-health-green", kScheduler, "integer", "", "0", OptionCheck::kNumber,
     "The score to use for a node health attribute whose value is \"green\"",
     "Only used when node-health-strategy is set to custom or progressive."},
    {"node-health-yellow", kScheduler, "integer", "", "0", OptionCheck::kNumber,
     "The score to use for a node health attribute whose value is \"yellow\"",
     "Only used when node-health-strategy is set to custom or progressive."},
    {"node-health-red", kScheduler, "integer", "", "-INFINITY", OptionCheck::kNumber,
     "The score to use for a node health attribute whose value is \"red\"",
     "Only used when node-health-strategy is set to custom or progressive."},
    {"placement-strategy", kScheduler, "select", "default, utilization, minimal, balanced", "default", OptionCheck::kSelectAnyCase,
     "How the cluster should allocate resources to nodes",
     "How the cluster should allocate resources to nodes"},
    {"pcmk_host_argument", kFenceDevice, "string", "", "port", OptionCheck::kNone,
     "Advanced use only: An alternate parameter to supply instead of 'port'",
     "some devices do not support the standard 'port' parameter or may provide additional ones. "
         "Use this to specify an alternate, device-specific, parameter that should indicate the "
         "machine to be fenced. A value of none can be used to tell the cluster not to supply any "
         "additional parameters."},
    {"pcmk_host_map", kFenceDevice, "string", "", "", OptionCheck::kNone,
     "A mapping of host names to ports numbers for devices that do not support host names.",
     "Eg. node1:1;node2:2,3 would tell the cluster to use port 1 for node1 and ports 2 and 3 "
         "for node2"},
    {"pcmk_host_list", kFenceDevice, "string", "", "", OptionCheck::kNone,
     "Eg. node1,node2,node3",
     "A list of machines controlled by this device (Optional unless pcmk_host_list=static-list)"},
    {"pcmk_host_check", kFenceDevice, "string", "", "dynamic-list", OptionCheck::kNone,
     "How to determine which machines are controlled by the device.",
     "Allowed values: dynamic-list (query the device via the 'list' command), static-list "
         "(check the pcmk_host_list attribute), status (query the device via the 'status' command), "
         "none (assume every device can fence every machine)"},
    {"pcmk_delay_max", kFenceDevice, "time", "", "0s", OptionCheck::kNone,
     "Enable a base delay for fencing actions and specify base delay value.",
     "Enable a delay of no more than the time specified before executing fencing actions. "
         "Pacemaker derives the overall delay by taking the value of pcmk_delay_base and adding a "
         "random delay value such that the sum is kept below this maximum."},
    {"pcmk_delay_base", kFenceDevice, "string", "", "0s", OptionCheck::kNone,
     "Enable a base delay for fencing actions and specify base delay value.",
     "This enables a static delay for fencing actions, which can help avoid \"death matches\" "
         "where two nodes try to fence each other at the same time. If pcmk_delay_max  is also "
         "used, a random delay will be added such that the total delay is kept below that "
         "value.This can be set to a single time value to apply to any node targeted by this device "
         "(useful if a separate device is configured for each target), or to a node map (for "
         "example, \"node1:1s;node2:5\") to set a different value per target."},
    {"pcmk_action_limit", kFenceDevice, "integer", "", "1", OptionCheck::kNone,
     "The maximum number of actions can be performed in parallel on this device",
     "Cluster property concurrent-fencing=true needs to be configured first.Then use this to "
         "specify the maximum number of actions can be performed in parallel on this device. -1 is "
         "unlimited."},
    {"pcmk_reboot_action", kFenceDevice, "string", "", "reboot", OptionCheck::kNone,
     "Advanced use only: An alternate command to run instead of 'reboot'",
     "Some devices do not support the standard commands or may provide additional ones.\\nUse "
         "this to specify an alternate, device-specific, command that implements the 'reboot' "
         "action."},
    {"pcmk_reboot_timeout", kFenceDevice, "time", "", "60s", OptionCheck::kNone,
     "Advanced use only: Specify an alternate timeout to use for reboot actions instead of "
         "stonith-timeout",
     "Some devices need much more/less time to complete than normal.Use this to specify an "
         "alternate, device-specific, timeout for 'reboot' actions."},
    {"pcmk_reboot_retries", kFenceDevice, "integer", "", "2", OptionCheck::kNone,
     "Advanced use only: The maximum number of times to retry the 'reboot' command within the "
         "timeout period",
     "Some devices do not support multiple connections. Operations may 'fail' if the device is "
         "busy with another task so Pacemaker will automatically retry the operation,      if there "
         "is time remaining. Use this option to alter the number of times Pacemaker retries "
         "'reboot' actions before giving up."},
    {"pcmk_off_action", kFenceDevice, "string", "", "off", OptionCheck::kNone,
     "Advanced use only: An alternate command to run instead of 'off'",
     "Some devices do not support the standard commands or may provide additional ones.Use this "
         "to specify an alternate, device-specific, command that implements the 'off' action."},
    {"pcmk_off_timeout", kFenceDevice, "time", "", "60s", OptionCheck::kNone,
     "Advanced use only: Specify an alternate timeout to use for off actions instead of "
         "stonith-timeout",
     "Some devices need much more/less time to complete than normal.Use this to specify an "
         "alternate, device-specific, timeout for 'off' actions."},
    {"pcmk_off_retries", kFenceDevice, "integer", "", "2", OptionCheck::kNone,
     "Advanced use only: The maximum number of times to retry the 'off' command within the "
         "timeout period",
     "Some devices do not support multiple connections. Operations may 'fail' if the device is "
         "busy with another task so Pacemaker will automatically retry the operation,      if there "
         "is time remaining. Use this option to alter the number of times Pacemaker retries 'off' "
         "actions before giving up."},
    {"pcmk_on_action", kFenceDevice, "string", "", "on", OptionCheck::kNone,
     "Advanced use only: An alternate command to run instead of 'on'",
     "Some devices do not support the standard commands or may provide additional ones.Use this "
         "to specify an alternate, device-specific, command that implements the 'on' action."},
    {"pcmk_on_timeout", kFenceDevice, "time", "", "60s", OptionCheck::kNone,
     "Advanced use only: Specify an alternate timeout to use for on actions instead of "
         "stonith-timeout",
     "Some devices need much more/less time to complete than normal.Use this to specify an "
         "alternate, device-specific, timeout for 'on' actions."},
    {"pcmk_on_retries", kFenceDevice, "integer", "", "2", OptionCheck::kNone,
     "Advanced use only: The maximum number of times to retry the 'on' command within the "
         "timeout period",
     "Some devices do not support multiple connections. Operations may 'fail' if the device is "
         "busy with another task so Pacemaker will automatically retry the operation,      if there "
         "is time remaining. Use this option to alter the number of times Pacemaker retries 'on' "
         "actions before giving up."},
    {"pcmk_list_action", kFenceDevice, "string", "", "list", OptionCheck::kNone,
     "Advanced use only: An alternate command to run instead of 'list'",
     "Some devices do not support the standard commands or may provide additional ones.Use this "
         "to specify an alternate, device-specific, command that implements the 'list' action."},
    {"pcmk_list_timeout", kFenceDevice, "time", "", "60s", OptionCheck::kNone,
     "Advanced use only: Specify an alternate timeout to use for list actions instead of "
         "stonith-timeout",
     "Some devices need much more/less time to complete than normal.Use this to specify an "
         "alternate, device-specific, timeout for 'list' actions."},
    {"pcmk_list_retries", kFenceDevice, "integer", "", "2", OptionCheck::kNone,
     "Advanced use only: The maximum number of times to retry the 'list' command within the "
         "timeout period",
     "Some devices do not support multiple connections. Operations may 'fail' if the device is "
         "busy with another task so Pacemaker will automatically retry the operation,      if there "
         "is time remaining. Use this option to alter the number of times Pacemaker retries 'list' "
         "actions before giving up."},
    {"pcmk_monitor_action", kFenceDevice, "string", "", "monitor", OptionCheck::kNone,
     "Advanced use only: An alternate command to run instead of 'monitor'",
     "Some devices do not support the standard commands or may provide additional ones.Use this "
         "to specify an alternate, device-specific, command that implements the 'monitor' action."},
    {"pcmk_monitor_timeout", kFenceDevice, "time", "", "60s", OptionCheck::kNone,
     "Advanced use only: Specify an alternate timeout to use for monitor actions instead of "
         "stonith-timeout",
     "Some devices need much more/less time to complete than normal.\\nUse this to specify an "
         "alternate, device-specific, timeout for 'monitor' actions."},
    {"pcmk_monitor_retries", kFenceDevice, "integer", "", "2", OptionCheck::kNone,
     "Advanced use only: The maximum number of times to retry the 'monitor' command within the "
         "timeout period",
     "Some devices do not support multiple connections. Operations may 'fail' if the device is "
         "busy with another task so Pacemaker will automatically retry the operation,      if there "
         "is time remaining. Use this option to alter the number of times Pacemaker retries "
         "'monitor' actions before giving up."},
    {"pcmk_status_action", kFenceDevice, "string", "", "status", OptionCheck::kNone,
     "Advanced use only: An alternate command to run instead of 'status'",
     "Some devices do not support the standard commands or may provide additional ones.Use this "
         "to specify an alternate, device-specific, command that implements the 'status' action."},
    {"pcmk_status_timeout", kFenceDevice, "time", "", "60s", OptionCheck::kNone,
     "Advanced use only: Specify an alternate timeout to use for status actions instead of "
         "stonith-timeout",
     "Some devices need much more/less time to complete than normal.Use this to specify an "
         "alternate, device-specific, timeout for 'status' actions."},
    {"pcmk_status_retries", kFenceDevice, "integer", "", "2", OptionCheck::kNone,
     "Advanced use only: The maximum number of times to retry the 'status' command within the "
         "timeout period",
     "Some devices do not support multiple connections. Operations may 'fail' if the device is "
         "busy with another task so Pacemaker will automatically retry the operation,      if there "
         "is time remaining. Use this option to alter the number of times Pacemaker retries "
         "'status' actions before giving up."},
};

// "a, b, c" -> a b c (the peer splits allowed values on commas and blanks).
std::vector<std::string_view> split_values(std::string_view values) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < values.size()) {
    while (i < values.size() && (values[i] == ',' || values[i] == ' ')) ++i;
    size_t j = i;
    while (j < values.size() && values[j] != ',' && values[j] != ' ') ++j;
    if (j > i) out.push_back(values.substr(i, j - i));
    i = j;
  }
  return out;
}

bool one_of(std::string_view values, std::string_view value, bool any_case) {
  for (std::string_view v : split_values(values)) {
    if (v.size() != value.size()) continue;
    if (any_case ? strncasecmp(v.data(), value.data(), v.size()) == 0 : v == value) return true;
  }
  return false;
}

bool valid_boolean(std::string_view value) {
  for (const char* b : {"true", "on", "yes", "y", "1", "false", "off", "no", "n", "0"}) {
    if (value.size() == strlen(b) && strncasecmp(value.data(), b, value.size()) == 0) return true;
  }
  return false;
}

// An integer (as strtoll reads it, nothing after) or +/-INFINITY.
bool valid_number(std::string_view value, bool positive) {
  std::string v(value);
  if (strcasecmp(v.c_str(), "INFINITY") == 0 || strcasecmp(v.c_str(), "+INFINITY") == 0) return true;
  if (strcasecmp(v.c_str(), "-INFINITY") == 0) return !positive;
  if (v.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long n = strtoll(v.c_str(), &end, 10);
  if (errno != 0 || end == v.c_str() || *end != '\0') return false;
  return !positive || n > 0;
}

// The peer's pcmk__valid_interval_spec: what crm_parse_interval_spec reads
// (ISO 8601 or a number with an optional unit), through the one parser.
bool valid_interval(std::string_view value) { return parse_interval(value).ok(); }

bool valid_percentage(std::string_view value) {
  std::string v(value);
  char* end = nullptr;
  long n = strtol(v.c_str(), &end, 10);
  if (end && *end != '\0' && *end != '%') return false;
  return n >= 0;
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '&': out += "&amp;"; break;
      case '\t': out += "    "; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

void append_desc(std::string& out, const char* indent, const char* tag, std::string_view text,
                 std::string_view values = {}) {
  out += indent;
  out += "<";
  out += tag;
  out += " lang=\"en\">";
  append_escaped(out, text);
  if (!values.empty()) {
    out += "  Allowed values: ";
    out += values;
  }
  out += "</";
  out += tag;
  out += ">\n";
}

struct DaemonInfo {
  OptionOwner owner;
  std::string_view name, short_desc, long_desc;
};

constexpr DaemonInfo kDaemons[] = {
    {kController, "pacemaker-controld", "Pacemaker controller options",
     "Cluster options used by Pacemaker's controller"},
    {kScheduler, "pacemaker-schedulerd", "Pacemaker scheduler options", "Cluster options used by Pacemaker's scheduler"},
    {kCibManager, "pacemaker-based", "Cluster Information Base manager options",
     "Cluster options used by Pacemaker's Cluster Information Base manager"},
    {kFenceDevice, "pacemaker-fenced", "Instance attributes available for all \"stonith\"-class resources",
     "Instance attributes available for all \"stonith\"-class resources and used by Pacemaker's fence daemon, "
     "formerly known as stonithd"},
};

}  // namespace

std::span<const ClusterOption> cluster_option_table() { return kOptions; }

const ClusterOption* find_cluster_option(std::string_view name, unsigned owners) {
  for (const ClusterOption& o : kOptions) {
    if (o.name == name && (o.owners & owners) != 0) return &o;
  }
  return nullptr;
}

bool cluster_option_valid(const ClusterOption& option, std::string_view value) {
  switch (option.check) {
    case OptionCheck::kNone: return true;
    case OptionCheck::kBoolean: return valid_boolean(value);
    case OptionCheck::kNumber: return valid_number(value, false);
    case OptionCheck::kPositiveNumber: return valid_number(value, true);
    case OptionCheck::kInterval: return valid_interval(value);
    case OptionCheck::kPercentage: return valid_percentage(value);
    case OptionCheck::kSelect: return one_of(option.values, value, false);
    case OptionCheck::kSelectAnyCase: return one_of(option.values, value, true);
  }
  return true;
}

std::string invalid_cluster_option_message(std::string_view name, std::string_view value) {
  return "Using default value for cluster option '" + std::string(name) + "' because '" + std::string(value) +
         "' is invalid";
}

void resolve_cluster_options(std::map<std::string, std::string>& options, unsigned owner,
                             std::vector<std::string>* problems) {
  for (const ClusterOption& o : kOptions) {
    if ((o.owners & owner) == 0) continue;
    auto it = options.find(std::string(o.name));
    if (it != options.end() && !cluster_option_valid(o, it->second)) {
      if (problems) problems->push_back(invalid_cluster_option_message(o.name, it->second));
      if (o.default_value) {
        it->second = o.default_value;
      } else {
        options.erase(it);
      }
      continue;
    }
    if (it == options.end() && o.default_value) options.emplace(std::string(o.name), o.default_value);
  }
}

std::string cluster_option_or_default(const std::map<std::string, std::string>& options, std::string_view name) {
  if (auto it = options.find(std::string(name)); it != options.end()) return it->second;
  const ClusterOption* o = find_cluster_option(name, kClusterDaemons | kFenceDevice);
  return o && o->default_value ? o->default_value : "";
}

std::string_view daemon_name(OptionOwner owner) {
  for (const DaemonInfo& d : kDaemons) {
    if (d.owner == owner) return d.name;
  }
  return "";
}

std::string_view compatible_pacemaker_version() { return "2.1.5"; }

std::string crm_version_line() {
  return "CRM Version: " + std::string(compatible_pacemaker_version()) + " (" CRM_BUILD_VERSION ")";
}

bool answer_metadata_or_version(OptionOwner owner, int argc, char** argv) {
  if (argc != 2) return false;
  if (strcasecmp(argv[1], "metadata") == 0) {
    fputs(option_metadata(owner).c_str(), stdout);
  } else if (strcasecmp(argv[1], "version") == 0) {
    printf("%s\n", crm_version_line().c_str());
  } else {
    return false;
  }
  fflush(stdout);
  return true;
}

std::string option_metadata(OptionOwner owner) {
  const DaemonInfo* daemon = nullptr;
  for (const DaemonInfo& d : kDaemons) {
    if (d.owner == owner) daemon = &d;
  }
  if (!daemon) return "";
  std::string out = "<?xml version=\"1.0\"?>\n<resource-agent name=\"";
  out += daemon->name;
  out += "\" version=\"";
  out += compatible_pacemaker_version();
  out += "\">\n  <version>1.1</version>\n";
  append_desc(out, "  ", "longdesc", daemon->long_desc);
  append_desc(out, "  ", "shortdesc", daemon->short_desc);
  out += "  <parameters>\n";
  for (const ClusterOption& o : kOptions) {
    if ((o.owners & owner) == 0) continue;
    out += "    <parameter name=\"";
    out += o.name;
    out += "\">\n";
    append_desc(out, "      ", "longdesc", o.long_desc.empty() ? o.short_desc : o.long_desc, o.values);
    append_desc(out, "      ", "shortdesc", o.short_desc.empty() ? o.long_desc : o.short_desc);
    out += "      <content type=\"";
    out += o.type;
    out += "\"";
    if (o.default_value) {
      out += " default=\"";
      append_escaped(out, o.default_value);
      out += "\"";
    }
    if (!o.values.empty() && o.type == "select") {
      out += ">\n";
      for (std::string_view v : split_values(o.values)) {
        out += "        <option value=\"";
        out += v;
        out += "\" />\n";
      }
      out += "      </content>\n";
    } else {
      out += "/>\n";
    }
    out += "    </parameter>\n";
  }
  out += "  </parameters>\n</resource-agent>\n";
  return out;
}

}  // namespace crm
