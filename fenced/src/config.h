// The fencer's pure core: fence devices, which device can fence which node,
// fencing topology, and the cluster options the fencer honours, built from
// the CIB (class="stonith" primitives, fencing-topology, crm_config) or from
// registrations (stonith_admin -R / -r). No I/O: agent meta-data comes in as
// parsed AgentInfo, dynamic host lists as text.
//
//   FencerConfig cfg = config_from_cib(cib_doc, catalog);
//   for (const Status& s : cfg.problems) log(s.to_string());
//   const Device& d = cfg.devices.at("ipmi-n1");
//   if (d.check == HostCheck::kStaticList && d.static_match("n1")) ...
//   auto levels = levels_for(cfg.levels, "n1", cfg.node_attrs);
#pragma once

#include <libxml/tree.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/status.h"

namespace crm::fenced {

using std::chrono::milliseconds;

// What a fence agent's meta-data says about it (FenceAgentAPI).
struct AgentInfo {
  std::vector<std::string> actions;     // advertised <action name=...>
  std::vector<std::string> parameters;  // <parameter name=...>
  bool on_target = false;               // <action name="on" on_target="1">: "on" runs on the target
  bool automatic_unfence = false;       // <action name="on" automatic="1">: unfencing required
  std::string metadata;                 // the raw text (stonith_admin -M)
  bool supports(const std::string& action) const;
  bool has_parameter(const std::string& name) const;
};
// Parses `agent -o metadata` output; parse-error when it is not a <resource-agent>.
Result<AgentInfo> parse_agent_metadata(const std::string& xml_text);

// Looks agents up (meta-data). The daemon's implementation runs the agent
// once and caches; tests may hand in fixed answers.
class AgentCatalog {
 public:
  virtual ~AgentCatalog() = default;
  // not-found for an agent that is not installed.
  virtual Result<AgentInfo> info(const std::string& agent) = 0;
};

enum class HostCheck { kStaticList, kDynamicList, kStatus, kNone };
const char* host_check_name(HostCheck c);
Result<HostCheck> parse_host_check(const std::string& text);

// "n1 n2,n3;n4" -> {n1, n2, n3, n4} (space, comma, semicolon, tab, newline).
std::vector<std::string> parse_host_list(const std::string& text);
// "n1:1;n2:2,3" (also "n1=1") -> {n1: "1", n2: "2,3"}; parse-error naming the bad entry.
Result<std::map<std::string, std::string>> parse_host_map(const std::string& text);

// A per-action override: pcmk_<action>_action / _timeout / _retries.
struct ActionOverride {
  std::string agent_action;              // empty: the action's own name
  std::optional<milliseconds> timeout;   // empty: the request's timeout
  std::optional<int> retries;            // empty: 2
};

struct Device {
  std::string id;
  std::string agent;
  std::map<std::string, std::string> params;  // every instance attribute
  std::vector<std::string> host_list;         // pcmk_host_list
  std::map<std::string, std::string> host_map;  // pcmk_host_map: node -> port
  HostCheck check = HostCheck::kDynamicList;
  std::string host_argument = "port";  // "none": no port is passed
  milliseconds delay_base{0};
  milliseconds delay_max{0};
  int action_limit = 1;  // concurrent actions on this device; -1 = unlimited
  bool provides_unfencing = false;  // meta provides=unfencing or automatic "on" in the meta-data
  std::map<std::string, ActionOverride> overrides;  // by action (reboot, off, on, list, status, monitor)
  AgentInfo info;
  bool from_cib = false;  // true: replaced on every CIB change; false: registered by a client
  int priority = 0;       // meta priority: devices with a higher one are tried first

  // The agent action to run for `action` (pcmk_<action>_action or itself).
  std::string agent_action(const std::string& action) const;
  milliseconds timeout(const std::string& action, milliseconds request_timeout) const;
  int retries(const std::string& action) const;
  // The port/plug value for `target`: pcmk_host_map's, else the name itself.
  std::string port_for(const std::string& target) const;
  // True when pcmk_host_list or pcmk_host_map names `target`.
  bool static_match(const std::string& target) const;
  // key=value lines for the agent's stdin: the parameters minus pcmk_* and
  // meta-like names, action=, and port=/plug= (host_argument) unless "none"
  // or no target; nodename= when the agent takes it.
  std::string agent_stdin(const std::string& agent_action, const std::string& target) const;
};

// Builds a device from its instance attributes. Errors (invalid-argument /
// not-found) name the device: unknown agent, bad pcmk_host_map,
// bad pcmk_host_check, a malformed timeout or delay.
Result<Device> make_device(const std::string& id, const std::string& agent,
                           const std::map<std::string, std::string>& params, AgentCatalog& catalog,
                           const std::map<std::string, std::string>& meta = {});

// Does the `list` output of an agent name `port`? (tokens split on
// whitespace and commas; each line's first token is the port, later ones aliases).
bool list_output_names(const std::string& list_output, const std::string& port);

// One fencing-topology level.
struct Level {
  enum class Kind { kTarget, kPattern, kAttribute };
  Kind kind = Kind::kTarget;
  std::string target;  // node name, regex, or attribute name
  std::string value;   // kAttribute: the attribute's value
  int index = 1;       // 1..9
  std::vector<std::string> devices;
  std::string id;
  bool from_cib = false;
  // "node3", "@regex" or "attr=value": the key stonith_admin -r uses.
  std::string key() const;
  bool matches(const std::string& node, const std::map<std::string, std::string>& node_attrs) const;
};
// Parses a stonith_admin -r key ("node", "@pattern", "attr=value").
Level level_from_key(const std::string& key, int index, std::vector<std::string> devices);
// The levels for `node`, in index order: those with an exact target win;
// else the levels of the first pattern/attribute key that matches.
std::vector<Level> levels_for(const std::vector<Level>& levels, const std::string& node,
                              const std::map<std::string, std::map<std::string, std::string>>& node_attrs);

struct ClusterOptions {
  std::string stonith_action = "reboot";  // reboot or off
  milliseconds stonith_timeout{60000};
  bool stonith_enabled = true;
  // stonith-watchdog-timeout: parsed only; watchdog (SBD) self-fencing
  // cannot run here (no /dev/watchdog), a non-zero value is reported.
  milliseconds stonith_watchdog_timeout{0};
};

struct FencerConfig {
  std::map<std::string, Device> devices;
  std::vector<Level> levels;
  ClusterOptions options;
  std::map<std::string, std::map<std::string, std::string>> node_attrs;  // uname -> attrs
  // Bad input: the devices/levels concerned are left out, the rest stands.
  std::vector<Status> problems;
};

// Reads devices (class="stonith" primitives, also inside groups/clones), the
// fencing-topology, crm_config and node attributes from a CIB document.
// Devices with target-role=Stopped are left out, and so are devices banned
// from `local_node` by a rule-less rsc_location with score -INFINITY (the
// peer registers a device only where its resource may run).
FencerConfig config_from_cib(const xmlDoc* cib, AgentCatalog& catalog, const std::string& local_node = "");

}  // namespace crm::fenced
