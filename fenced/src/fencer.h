// The fencer: one per node, all of them in one CPG group ("crm_fenced").
// A fence request is run by the fencer that received it (the origin):
//
//  1. query: the origin broadcasts <st_query>; every fencer answers with the
//     devices it holds that can fence the target (static list, the agent's
//     `list`, `status`, or none), waiting for all members or query_timeout;
//  2. plan: the target's topology levels (index order), else every capable
//     device on its own; a reboot over a level of several devices is
//     remapped to off on all, then on on all; unfencing with devices that
//     require it runs all of those;
//  3. execute: per device a capable fencer other than the target (the target
//     itself only when nothing else can: suicide) is told to run it
//     (<st_exec>); it applies pcmk_delay_base/max (and the requested delay on
//     the first device), pcmk_<action>_action/_timeout/_retries and
//     pcmk_action_limit, and broadcasts <st_exec_result>; all devices of a
//     level must succeed, the next level is tried when one fails;
//  4. done: the origin broadcasts <st_done>; every fencer records the
//     history entry, then the origin answers its client.
//
// An origin that leaves (the DC that asked died) does not take its operation
// with it while a step runs: every fencer saw the <st_exec>, keeps the entry
// pending, and the executor broadcasts the <st_done> when its agent returns
// (success if that step completed the operation). A request for the same
// target and action arriving meanwhile (from the new DC) is answered by it,
// so the target is not fenced twice. Without a step in flight, or when the
// executor leaves too, the operation is recorded as failed.
//
// Fencers that join get the history from the members (<st_history_sync>).
// All I/O goes through the GroupTransport, the AgentRunner and the loop's
// timers, so tests run several fencers over SimulatedNetwork.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "agent.h"
#include "config.h"
#include "crm/cluster/cluster.h"
#include "crm/core/event_loop.h"
#include "crm/fenced/fenced.h"

namespace crm::fenced {

struct FenceRequest {
  std::string target;
  std::string action;              // "" = stonith-action
  milliseconds timeout{0};         // per device; 0 = stonith-timeout
  milliseconds delay{0};           // requested delay before the first device
  std::string client = "client";
  // When > 0: an identical request (target, action) that succeeded less than
  // this long ago answers this one without fencing again (--tolerance).
  milliseconds tolerance{0};
};

class Fencer {
 public:
  struct Options {
    std::string node_name;               // this node's name (as targets name it)
    milliseconds query_timeout{5000};    // how long the origin waits for query replies
    milliseconds list_cache{60000};      // how long a dynamic list is trusted
    uint64_t seed = 0;                   // pcmk_delay_max randomness (0: from the clock)
    size_t max_history = 500;
    std::function<void(const std::string&)> log;  // one line each; default: stderr
  };

  Fencer(EventLoop& loop, cluster::GroupTransport& group, AgentRunner& runner, AgentCatalog& catalog,
         Options options);
  ~Fencer();
  Fencer(const Fencer&) = delete;
  Fencer& operator=(const Fencer&) = delete;

  // Replaces the CIB-derived devices, levels and options; devices and levels
  // registered by clients stay. Every problem is logged.
  void apply_config(const FencerConfig& config);
  // Client registrations (stonith_admin -R/-D/-r/-d).
  Status register_device(const std::string& id, const std::string& agent,
                         const std::map<std::string, std::string>& params);
  Status unregister_device(const std::string& id);
  Status register_level(const std::string& key, int index, const std::vector<std::string>& devices);
  Status unregister_level(const std::string& key, int index);

  const std::map<std::string, Device>& devices() const { return devices_; }
  const std::vector<Level>& levels() const { return levels_; }
  const ClusterOptions& cluster_options() const { return options_cluster_; }

  using FenceCallback = std::function<void(const FenceResult&)>;
  // Runs a fencing operation (steps above); `done` runs once, from the loop.
  void fence(const FenceRequest& request, FenceCallback done);
  // Records a manual confirmation that `target` is down.
  void confirm(const std::string& target, const std::string& client, FenceCallback done);
  // Devices on any fencer that can fence `target` (sorted, unique).
  void query(const std::string& target, milliseconds timeout,
             std::function<void(std::vector<std::string>)> done);
  // The nodes a local device can fence: pcmk_host_list and pcmk_host_map for
  // a static list, the agent's `list` for a dynamic one; empty for status/none.
  void targets(const std::string& device, milliseconds timeout,
               std::function<void(Result<std::vector<std::string>>)> done);
  // Runs a local device's monitor (else list, else status) with retries.
  void monitor(const std::string& device, milliseconds timeout, std::function<void(Status)> done);

  // Completed operations for `target` ("" = all), oldest first.
  std::vector<HistoryEntry> history(const std::string& target) const;
  // Called on every fencer for every operation recorded in the history.
  std::function<void(const HistoryEntry&)> on_history;

  const std::string& node_name() const { return opts_.node_name; }
  size_t operations_in_flight() const { return ops_.size(); }

 private:
  struct Op;
  struct Step {
    std::string device;
    std::string action;
    bool ignore_failure = false;  // the "on" half of a remapped reboot
  };
  struct Job;
  struct StepInFlight {
    std::string executor, device;
    bool completes = false;
  };

  void log(const std::string& line) const;
  void on_message(cluster::NodeId from, std::string_view payload);
  void on_membership(const cluster::MembershipChange& change);
  void send(const std::string& msg);

  // Local capability check (async when an agent has to be asked).
  void capable_devices(const std::string& target, const std::string& action,
                       std::function<void(std::vector<std::string>)> done);
  void start_query(const std::string& op_id, const std::string& target, const std::string& action);
  void query_complete(const std::string& op_id);
  void plan(Op& op);
  void next_step(const std::string& op_id);
  void step_result(const std::string& op_id, size_t step_index, int rc, const std::string& executor,
                   const std::string& reason);
  void finish(const std::string& op_id, bool success, const std::string& reason, const std::string& device,
              const std::string& delegate, StatusCode code);
  void record(const HistoryEntry& e);
  // The fencer named `name` is known and not in the group (any more).
  bool departed(const std::string& name) const;
  // A pending operation whose origin left and whose step still runs on a
  // member: its executor will complete it.
  bool awaiting_takeover(const HistoryEntry& pending) const;
  void complete_for_departed_origin(const HistoryEntry& pending, const StepInFlight& step, int rc,
                                    const std::string& reason);

  // Executor side.
  void execute(const std::string& op_id, size_t step_index, const std::string& device, const std::string& target,
               const std::string& action, milliseconds timeout, milliseconds requested_delay,
               const std::string& origin);
  void run_job(std::shared_ptr<Job> job);
  void attempt(std::shared_ptr<Job> job);
  void pump_device(const std::string& device);

  EventLoop& loop_;
  cluster::GroupTransport& group_;
  AgentRunner& runner_;
  AgentCatalog& catalog_;
  Options opts_;
  std::mt19937_64 rng_;

  std::map<std::string, Device> devices_;
  std::vector<Level> levels_;
  ClusterOptions options_cluster_;
  std::map<std::string, std::map<std::string, std::string>> node_attrs_;

  std::vector<cluster::NodeId> members_;
  std::map<std::string, cluster::NodeId> node_ids_;  // fencer names learned from query replies
  uint64_t next_op_ = 1;
  std::map<std::string, std::unique_ptr<Op>> ops_;
  // device -> (time of the list, its output)
  std::map<std::string, std::pair<Clock::Monotonic, std::string>> list_cache_;
  std::map<std::string, int> device_running_;
  std::map<std::string, std::deque<std::shared_ptr<Job>>> device_queue_;
  std::vector<HistoryEntry> history_;
  // Steps in flight as every fencer saw them (<st_exec> until its result).
  std::map<std::string, StepInFlight> steps_in_flight_;
  // Requests answered by an operation of a departed origin (op id -> callbacks).
  std::map<std::string, std::vector<FenceCallback>> adopted_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace crm::fenced
