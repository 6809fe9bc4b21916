// A deterministic simulation of N nodes, each with a controller (crmd), a CIB
// replica and a simulated executor, over a simulated group transport with
// agreed-order delivery inside each partition, driven by one clock that moves
// only from event to event. One seed drives kills, restarts, partitions and
// heals; invariants are checked whenever the cluster has settled.
//
//   sim::World w({.nodes = 3, .seed = 42});
//   w.configure(kGroupCib);          // resources etc.
//   w.start_all(); w.settle();
//   w.kill(w.node_running("ip"));    // crash: resources die with the node
//   w.settle(); EXPECT_TRUE(w.check_invariants().empty());
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/core/clock.h"
#include "crm/crmd/controller.h"
#include "crm/lrmd/lrmd.h"

namespace crm::sim {

struct WorldOptions {
  int nodes = 3;
  uint64_t seed = 1;
  std::chrono::milliseconds latency{1};     // message delivery
  std::chrono::milliseconds detection{50};  // membership change after a fault
  std::chrono::milliseconds op_time{10};    // every agent action
  std::chrono::milliseconds fence_time{200};   // a fence agent's run (power off through the BMC)
  std::chrono::milliseconds reboot_time{1000};  // a rebooted node is back (empty) after this
  // Check after every event, not only when settled, that no resource is
  // active on two nodes (hung nodes count: their resources still run). Only
  // meaningful with fencing on: without it, a partition's minority may still
  // be stopping what the majority starts.
  bool check_every_step = false;
  // random_fault() also hangs nodes (only sensible with fencing on).
  bool hang_faults = false;
  bool verbose = false;
};

class World;

// A node's executor: resources are "running" in a set; every action takes op_time.
class SimExecutor final : public lrmd::ExecutorApi {
 public:
  SimExecutor(World& world, int node) : world_(world), node_(node) {}
  void set_result_callback(lrmd::ResultCallback cb) override { cb_ = std::move(cb); }
  Result<int> exec(const lrmd::ExecRequest& request) override;
  Status cancel(const std::string& rsc_id, const std::string& action, uint32_t interval_ms) override;
  Result<std::vector<lrmd::RecurringOp>> recurring_ops() override;
  Result<std::vector<lrmd::ExecResult>> last_results(const std::string& rsc_id = "") override;

  std::set<std::string> running;  // the truth the invariants check
  std::set<std::string> fail_next_start;
  std::set<std::string> fail_next_stop;  // the stop fails and the resource keeps running

 private:
  friend class World;
  void complete(const lrmd::ExecRequest& req, int call_id);
  World& world_;
  int node_;
  int next_call_ = 1;
  std::vector<lrmd::RecurringOp> recurring_;
  std::vector<lrmd::ExecResult> history_;
  lrmd::ResultCallback cb_;
};

// A node's CIB replica; a controller's writes go to every replica in the
// same partition, each replica's controller then gets a snapshot, and the
// writer the acknowledgement.
class SimCib final {
 public:
  SimCib(World& world, int node) : world_(world), node_(node), cib_(cib::Cib::empty()) {}
  void submit(const crmd::CibWrite& write);
  // Applies `request` to every replica of the partition; the result on this one.
  Status replicate(const cib::Request& request);
  cib::Cib cib_;

 private:
  World& world_;
  int node_;
};

class World {
 public:
  explicit World(WorldOptions options);
  ~World();

  // Replaces the configuration section on every replica (before or while running).
  void configure(const std::string& configuration_xml);
  void start(int node);  // boots node (1-based) with an empty executor
  void start_all();
  void kill(int node);   // crash: controller, executor and resources gone
  void shutdown(int node);  // SIGTERM: clean shutdown
  void partition(const std::vector<std::set<int>>& groups);
  // SIGSTOP of every process of the node: it answers nothing, corosync drops
  // it, its resources keep running until it is fenced.
  void hang(int node);
  bool hung(int node) const { return nodes_.at(node - 1).hung; }
  // Fencing of these nodes fails (a broken device) until removed.
  std::set<int> fence_fails;
  // Fencing actions carried out (power off), by target, and failed attempts.
  std::map<int, int> fenced, fence_failed;
  // Violations seen between settled states (check_every_step).
  const std::vector<std::string>& step_violations() const { return step_violations_; }
  void heal();
  // Runs events until nothing is left to do (or `limit` of simulated time passes).
  void settle(std::chrono::milliseconds limit = std::chrono::seconds(120));
  // A random fault (kill/start/partition/heal/shutdown, hang) chosen by the seed.
  std::string random_fault();

  // Violations of the invariants in the settled state; empty when all hold.
  std::vector<std::string> check_invariants() const;
  // Nodes (1-based) whose executor runs `rsc`.
  std::vector<int> running(const std::string& rsc) const;
  std::optional<int> node_running(const std::string& rsc) const;
  bool up(int node) const { return nodes_.at(node - 1).up; }
  crmd::Controller* controller(int node) { return nodes_.at(node - 1).ctl.get(); }
  const cib::Cib& cib(int node) const { return nodes_.at(node - 1).cib->cib_; }
  SimExecutor& executor(int node) { return *nodes_.at(node - 1).exec; }
  std::vector<int> dcs() const;
  const SimulatedClock& clock() const { return clock_; }
  // Every delivered input, for comparing two runs of the same seed.
  const std::string& trace() const { return trace_; }
  int size() const { return static_cast<int>(nodes_.size()); }
  std::mt19937_64& rng() { return rng_; }
  // Primitive ids in the configuration, fence devices left out: a device may
  // start elsewhere before its node is fenced (the peer's requires=quorum for
  // stonith resources), which is no double run of a service.
  std::vector<std::string> resources;

 private:
  friend class SimExecutor;
  friend class SimCib;
  struct Node {
    int index = 0;  // 1-based, also the node id
    std::string name;
    bool up = false;
    uint64_t incarnation = 0;
    std::unique_ptr<SimCib> cib;
    std::unique_ptr<SimExecutor> exec;
    std::unique_ptr<crmd::Controller> ctl;
    std::vector<uint32_t> seen_members;  // membership last delivered
    std::map<uint32_t, uint64_t> seen_incarnations;  // ... and which incarnation of each member
    bool snapshot_pending = false;       // one CibSnapshot covers every write before it
    bool hung = false;                   // SIGSTOPped: powered, silent
  };
  struct Event {
    Clock::Monotonic at;
    uint64_t seq;
    int node;
    uint64_t incarnation;
    std::function<void()> fn;
    std::function<bool()> live;  // ticks: still wanted? (a stale one must not move time)
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  void schedule(std::chrono::milliseconds delay, int node, std::function<void()> fn,
                std::function<bool()> live = nullptr);
  void deliver(int node, const crmd::Input& input);
  void deliver_snapshot(int node);
  void fence(int requester, const crmd::FenceRequest& request);
  void check_step();
  void schedule_snapshot(int node);
  void broadcast(int from, const std::string& payload);
  void membership_changed(std::chrono::milliseconds delay);
  int component_of(int node) const;
  std::vector<int> component_members(int node) const;  // up nodes in node's partition
  bool quorate(int node) const;
  void merge_cibs();

  WorldOptions options_;
  SimulatedClock clock_;
  std::mt19937_64 rng_;
  std::vector<Node> nodes_;
  std::vector<std::set<int>> partitions_;  // empty = fully connected
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  uint64_t seq_ = 0;
  std::string trace_;
  cib::Cib base_;
  std::vector<std::string> step_violations_;
};

}  // namespace crm::sim
