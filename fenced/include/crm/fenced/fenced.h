// The fencer's client library: how the controller and stonith_admin ask the
// local fenced (on ipc::socket_path("fenced")) to fence, unfence or confirm a
// node, and read the fence history and the registered devices.
//
//   ASSIGN_OR_RETURN(auto fencer, fenced::FencerClient::connect(loop));
//   RETURN_IF_ERROR(fencer->fence("node3", "reboot", std::chrono::seconds(60),
//       [](const fenced::FenceResult& r) {  // later, from the loop
//         if (r.status.ok()) { /* node3 is fenced: recover its resources */ }
//       }));
//
// fence() never blocks: the request is written to the socket and the answer
// comes back through the callback on the loop. Every other call waits for
// its reply (the daemon answers those at once, except query(), targets() and monitor(),
// which run agents), so they are for tools and for start-up, not for a busy
// controller loop.
#pragma once

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <libxml/tree.h>

#include "crm/core/event_loop.h"
#include "crm/core/status.h"

namespace crm::fenced {

// One fencing operation, as every fencer of the cluster records it: pending
// from its start, then completed (a pending operation whose origin leaves the
// cluster is recorded as failed).
struct HistoryEntry {
  std::string id;          // "<origin node>:<sequence>", unique in the cluster
  std::string target;      // the node fenced
  std::string action;      // reboot, off, on
  std::string device;      // the device that did it (last one tried on failure); "" for a manual confirmation
  std::string state;       // "success", "failed", or "pending" (in flight; completed = 0)
  std::string origin;      // node whose fencer ran the operation
  std::string client;      // who asked ("stonith_admin.1234", "crmd.567")
  std::string delegate;    // node that executed the device ("a human" for a manual confirmation)
  std::time_t requested = 0;  // when the origin's fencer accepted the request
  std::time_t completed = 0;
  std::string exit_reason; // why it failed
  bool operator==(const HistoryEntry&) const = default;
};

// How the peer's tools (stonith_admin --history, crm_mon's fencing sections)
// print an entry: "  * off of n3 successful: delegate=n1, client=crmd.12,
// origin=n1, completed='2026-12-02 15:08:29 +0000'" (pending and failed alike),
// and as a <fence_event status= action= target= ...> child of `parent`.
std::string history_line(const HistoryEntry& entry);
void add_history_xml(xmlNode* parent, const HistoryEntry& entry);
// A completed operation in one line, as the peer's fencing notifications
// describe it (what alert agents get as CRM_alert_desc): "Operation reboot of
// n3 by n1 for crmd.42@n1: OK (ref=n1:7)", or "...: Error occurred (the
// reason) (ref=...)" / "Timed Out" when it failed.
std::string event_description(const HistoryEntry& entry);
// Its result as the peer's legacy return code: 0, -62 (timed out) or -201.
int event_rc(const HistoryEntry& entry);
// "YYYY-MM-DD HH:MM:SS +ZZZZ" in local time ("" for 0).
std::string history_time(std::time_t t);

// The answer to fence()/confirm(): status ok when the target is fenced;
// timeout, not-found (no device can fence the target) or a generic error
// otherwise. `entry` is the history entry that was recorded.
struct FenceResult {
  Status status;
  HistoryEntry entry;
};

// A device as fenced lists it.
struct DeviceSummary {
  std::string id;
  std::string agent;
  bool from_cib = false;
};

// Fence agents on this machine, run here rather than through the daemon
// (stonith_admin --list-installed, --metadata, --validate). Agents are looked
// up in $CRM_FENCE_AGENT_DIRS, else /usr/sbin and /usr/bin.
std::vector<std::string> installed_agents();
// The agent's `-o metadata` output; not-found when it is not installed.
Result<std::string> agent_metadata(const std::string& agent, std::chrono::milliseconds timeout);
struct ValidateResult {
  int rc = 0;          // the agent's exit code for validate-all (0 = valid)
  std::string output;  // its stdout
  std::string error;   // its stderr
};
// Runs `validate-all` with `params` on stdin (pcmk_* parameters left out).
Result<ValidateResult> validate_agent(const std::string& agent, const std::map<std::string, std::string>& params,
                                      std::chrono::milliseconds timeout);

// What the fencer would refuse or complain about in a CIB (crm_verify):
// errors for a pcmk_host_map, pcmk_host_check, timeout or delay that does not
// parse, topology levels naming devices that do not exist, bad level indexes;
// warnings for agents that are not installed on this machine (the CIB may be
// meant for others). Agents are not run.
struct FencingProblem {
  bool error = true;
  std::string message;
};
std::vector<FencingProblem> check_fencing_configuration(const xmlDoc* cib);

class FencerClient {
 public:
  using FenceCallback = std::function<void(const FenceResult&)>;

  // Connects to the fencer socket (`path` "" = ipc::socket_path("fenced")).
  // unavailable when the daemon is not running, permission-denied when the
  // caller is neither root nor in haclient. Callbacks run on `loop`.
  static Result<std::unique_ptr<FencerClient>> connect(EventLoop& loop, const std::string& path = "",
                                                       const std::string& client_name = "");
  ~FencerClient();

  // Asynchronous: fences `target` with `action` (reboot, off, on; "" = the
  // cluster's stonith-action), waiting at most `timeout` per device (0 = the
  // cluster's stonith-timeout). `delay` is added before the first device.
  // With `tolerance` > 0, the same action on the same target that succeeded
  // less than `tolerance` ago answers at once (its entry) without fencing.
  // Fails at once only when the request cannot be written; otherwise
  // `done` runs exactly once (also with unavailable when the daemon goes away).
  Status fence(const std::string& target, const std::string& action, std::chrono::milliseconds timeout,
               FenceCallback done, std::chrono::milliseconds delay = std::chrono::milliseconds(0),
               std::chrono::milliseconds tolerance = std::chrono::milliseconds(0));

  // Blocking versions for tools.
  Result<FenceResult> fence_sync(const std::string& target, const std::string& action,
                                 std::chrono::milliseconds timeout,
                                 std::chrono::milliseconds delay = std::chrono::milliseconds(0),
                                 std::chrono::milliseconds tolerance = std::chrono::milliseconds(0));
  // Records that `target` was fenced by hand (stonith_admin --confirm).
  Status confirm(const std::string& target);
  // History of `target`, or of every node for "" or "*", oldest first.
  Result<std::vector<HistoryEntry>> history(const std::string& target);
  // Devices registered on the local fencer.
  Result<std::vector<DeviceSummary>> devices();
  // Devices (on any fencer of the cluster) that can fence `target`.
  Result<std::vector<std::string>> query(const std::string& target, std::chrono::milliseconds timeout);
  // The nodes a device of the local fencer can fence (its static list, or its agent's `list`).
  Result<std::vector<std::string>> targets(const std::string& device, std::chrono::milliseconds timeout);
  // Runs the device's monitor (or list/status) on the local fencer.
  Status monitor(const std::string& device, std::chrono::milliseconds timeout);
  // Registers a device on the local fencer (stonith_admin -R), or removes one (-D).
  Status register_device(const std::string& id, const std::string& agent,
                         const std::map<std::string, std::string>& params);
  Status unregister_device(const std::string& id);
  // Adds devices to topology level `index` of `target` ("node", "@regex",
  // "attr=value"), or removes that level.
  Status register_level(const std::string& target, int index, const std::vector<std::string>& devices);
  Status unregister_level(const std::string& target, int index);
  // The topology as the local fencer holds it: (target key, index, devices).
  struct LevelSummary {
    std::string target;
    int index = 0;
    std::vector<std::string> devices;
  };
  Result<std::vector<LevelSummary>> levels();

  // Called from the loop when the connection is lost (pending fence()
  // callbacks have then been called with unavailable).
  std::function<void()> on_disconnect;
  // Called for every fencing operation completed anywhere in the cluster.
  std::function<void(const HistoryEntry&)> on_fence_event;

 private:
  class Impl;
  explicit FencerClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crm::fenced
