#include "cluster_sim.h"

#include <cstdlib>

#include <algorithm>
#include <iostream>

#include "crm/cib/request.h"
#include "crm/core/xml.h"
#include "crm/crmd/status_view.h"

namespace crm::sim {

using namespace std::chrono_literals;

// ---- executor -------------------------------------------------------------

Result<int> SimExecutor::exec(const lrmd::ExecRequest& req) {
  if (req.rsc_id.empty() || req.action.empty()) return invalid_argument("empty request");
  int call = next_call_++;
  if (req.interval_ms > 0) recurring_.push_back({req, call});
  world_.schedule(world_.options_.op_time, node_, [this, req, call] { complete(req, call); });
  return call;
}

void SimExecutor::complete(const lrmd::ExecRequest& req, int call_id) {
  if (req.interval_ms > 0) {
    bool still = std::any_of(recurring_.begin(), recurring_.end(), [&](const lrmd::RecurringOp& r) {
      return r.call_id == call_id;
    });
    if (!still) return;  // cancelled meanwhile
  }
  lrmd::ExecResult r;
  r.rsc_id = req.rsc_id;
  r.action = req.action;
  r.interval_ms = req.interval_ms;
  r.call_id = call_id;
  r.op_status = crm::ExecStatus::kDone;
  r.standard = req.standard;
  r.provider = req.provider;
  r.type = req.type;
  r.start_time = world_.clock_.wall_now();
  r.duration_ms = static_cast<uint32_t>(world_.options_.op_time.count());
  if (req.action == "start") {
    if (fail_next_start.erase(req.rsc_id)) {
      r.rc = crm::kOcfErrGeneric;
    } else {
      running.insert(req.rsc_id);
      r.rc = crm::kOcfOk;
    }
  } else if (req.action == "stop") {
    if (fail_next_stop.erase(req.rsc_id)) {
      r.rc = crm::kOcfErrGeneric;  // still running
    } else {
      running.erase(req.rsc_id);
      r.rc = crm::kOcfOk;
    }
  } else if (req.action == "monitor") {
    r.rc = running.count(req.rsc_id) ? crm::kOcfOk : crm::kOcfNotRunning;
  } else {
    r.rc = crm::kOcfOk;
  }
  history_.erase(std::remove_if(history_.begin(), history_.end(),
                                [&](const lrmd::ExecResult& h) {
                                  return h.rsc_id == r.rsc_id && h.action == r.action &&
                                         h.interval_ms == r.interval_ms;
                                }),
                 history_.end());
  history_.push_back(r);
  if (cb_) cb_(r);
}

Status SimExecutor::cancel(const std::string& rsc_id, const std::string& action, uint32_t interval_ms) {
  auto it = std::find_if(recurring_.begin(), recurring_.end(), [&](const lrmd::RecurringOp& r) {
    return r.request.rsc_id == rsc_id && r.request.action == action && r.request.interval_ms == interval_ms;
  });
  if (it == recurring_.end()) return not_found("no such recurring operation");
  recurring_.erase(it);
  return Status::Ok();
}

Result<std::vector<lrmd::RecurringOp>> SimExecutor::recurring_ops() { return recurring_; }

Result<std::vector<lrmd::ExecResult>> SimExecutor::last_results(const std::string& rsc_id) {
  if (rsc_id.empty()) return history_;
  std::vector<lrmd::ExecResult> out;
  for (const auto& h : history_) {
    if (h.rsc_id == rsc_id) out.push_back(h);
  }
  return out;
}

// ---- CIB replica ------------------------------------------------------------

Status SimCib::replicate(const cib::Request& request) {
  Status mine = Status::Ok();
  for (int n : world_.component_members(node_)) {
    auto r = cib::apply_request(world_.nodes_[n - 1].cib->cib_, request, nullptr);
    if (n == node_) mine = r.ok() ? Status::Ok() : r.status();
    if (r.ok()) world_.schedule_snapshot(n);
  }
  return mine;
}

void SimCib::submit(const crmd::CibWrite& write) {
  Status mine = replicate(write.request);
  // After the writer's own snapshot (same delay, scheduled later).
  world_.schedule(world_.options_.latency, node_,
                  [this, id = write.id, mine] { world_.deliver(node_, crmd::CibWriteDone{id, mine}); });
}

// ---- world --------------------------------------------------------------------

World::World(WorldOptions options) : options_(options), rng_(options.seed), base_(cib::Cib::empty()) {
  // CRM_SIM_VERBOSE=<seed>: every controller's log for that seed on stderr.
  if (const char* v = getenv("CRM_SIM_VERBOSE"); v && std::to_string(options_.seed) == v) options_.verbose = true;
  for (int i = 1; i <= options_.nodes; ++i) {
    Node n;
    n.index = i;
    n.name = "n" + std::to_string(i);
    n.cib = std::make_unique<SimCib>(*this, i);
    nodes_.push_back(std::move(n));
  }
}

World::~World() = default;

void World::schedule(std::chrono::milliseconds delay, int node, std::function<void()> fn,
                     std::function<bool()> live) {
  uint64_t inc = node > 0 ? nodes_[node - 1].incarnation : 0;
  events_.push(Event{clock_.monotonic_now() + delay, seq_++, node, inc, std::move(fn), std::move(live)});
}

int World::component_of(int node) const {
  if (!nodes_[node - 1].up || nodes_[node - 1].hung) return -1;
  for (size_t i = 0; i < partitions_.size(); ++i) {
    if (partitions_[i].count(node)) return static_cast<int>(i);
  }
  return partitions_.empty() ? 0 : 1000 + node;  // unlisted nodes are alone
}

std::vector<int> World::component_members(int node) const {
  std::vector<int> out;
  int c = component_of(node);
  if (c < 0) return out;
  for (const Node& n : nodes_) {
    if (n.up && component_of(n.index) == c) out.push_back(n.index);
  }
  return out;
}

bool World::quorate(int node) const {
  return static_cast<int>(component_members(node).size()) * 2 > options_.nodes;
}

void World::configure(const std::string& configuration_xml) {
  cib::Request r{.op = cib::Op::kReplace, .section = "configuration", .fragment = configuration_xml};
  auto applied = cib::apply_request(base_, r, nullptr);
  if (!applied.ok()) std::cerr << "configure: " << applied.status().to_string() << "\n";
  resources.clear();
  if (auto prims = base_.query("/cib/configuration/resources//primitive[@class!='stonith']"); prims.ok()) {
    for (xmlNode* p : *prims) resources.push_back(xml::attr_or(p, "id"));
  }
  bool any_up = false;
  for (Node& n : nodes_) {
    if (n.up && !any_up) {
      any_up = true;
      Status st = n.cib->replicate(r);
      (void)st;
    }
  }
  for (Node& n : nodes_) {
    if (!n.up) {
      // Down nodes keep their (stale) copy; merge on start brings them up to date.
      if (!any_up) n.cib->cib_ = base_.copy();
    }
  }
}

void World::merge_cibs() {
  std::set<int> seen;
  for (const Node& n : nodes_) {
    if (!n.up || n.hung || seen.count(component_of(n.index))) continue;
    seen.insert(component_of(n.index));
    auto members = component_members(n.index);
    int best = members.front();
    for (int m : members) {
      if (nodes_[m - 1].cib->cib_.version() > nodes_[best - 1].cib->cib_.version()) best = m;
    }
    std::string text = nodes_[best - 1].cib->cib_.serialize(false);
    for (int m : members) {
      if (m == best || nodes_[m - 1].cib->cib_.serialize(false) == text) continue;
      nodes_[m - 1].cib->cib_ = nodes_[best - 1].cib->cib_.copy();
      schedule_snapshot(m);
    }
  }
}

void World::membership_changed(std::chrono::milliseconds delay) {
  merge_cibs();
  for (const Node& n : nodes_) {
    if (!n.up || n.hung) continue;
    int idx = n.index;
    schedule(delay, idx, [this, idx] {
      Node& node = nodes_[idx - 1];
      std::vector<uint32_t> now;
      std::map<uint32_t, uint64_t> incarnations;
      for (int m : component_members(idx)) {
        now.push_back(static_cast<uint32_t>(m));
        incarnations[static_cast<uint32_t>(m)] = nodes_[m - 1].incarnation;
      }
      // A member that died and came back between two deliveries left and
      // joined, as CPG reports it (its old process left the group).
      std::vector<uint32_t> restarted;
      for (uint32_t m : now) {
        auto it = node.seen_incarnations.find(m);
        if (m != static_cast<uint32_t>(idx) && it != node.seen_incarnations.end() && it->second != incarnations[m]) {
          restarted.push_back(m);
        }
      }
      if (now == node.seen_members && restarted.empty()) return;
      crmd::Membership change;
      for (uint32_t m : now) {
        if (std::count(restarted.begin(), restarted.end(), m)) continue;
        change.members.push_back(m);
        if (!std::count(node.seen_members.begin(), node.seen_members.end(), m)) change.joined.push_back(m);
      }
      for (uint32_t m : node.seen_members) {
        if (!std::count(now.begin(), now.end(), m) || std::count(restarted.begin(), restarted.end(), m)) {
          change.left.push_back(m);
        }
      }
      node.seen_members = now;
      node.seen_incarnations = incarnations;
      deliver(idx, change);
      if (!restarted.empty() && nodes_[idx - 1].up) deliver(idx, crmd::Membership{now, restarted, {}});
      if (nodes_[idx - 1].up) deliver(idx, crmd::Quorum{quorate(idx)});
    });
  }
}

void World::start(int idx) {
  Node& n = nodes_[idx - 1];
  if (n.up) return;
  n.up = true;
  ++n.incarnation;
  n.seen_members.clear();
  n.seen_incarnations.clear();
  n.snapshot_pending = false;
  n.exec = std::make_unique<SimExecutor>(*this, idx);
  n.exec->set_result_callback([this, idx](const lrmd::ExecResult& r) { deliver(idx, crmd::LocalResult{r}); });
  if (n.cib->cib_.configuration() == nullptr || n.cib->cib_.version() < base_.version()) {
    n.cib->cib_ = base_.copy();
  }
  crmd::ControllerDeps deps{.clock = clock_, .scheduler = crmd::policy_engine(), .log = nullptr};
  if (options_.verbose) {
    deps.log = [this, idx](const std::string& line) {
      std::cerr << clock_.monotonic_now().time_since_epoch().count() / 1000000 << "ms n" << idx << ": " << line
                << "\n";
    };
  }
  n.ctl = std::make_unique<crmd::Controller>(static_cast<uint32_t>(idx), n.name, std::move(deps));
  deliver_snapshot(idx);
  trace_ += "start n" + std::to_string(idx) + "\n";
  membership_changed(options_.latency);
}

void World::start_all() {
  for (int i = 1; i <= size(); ++i) start(i);
}

void World::kill(int idx) {
  Node& n = nodes_[idx - 1];
  if (!n.up) return;
  n.up = false;
  n.hung = false;
  ++n.incarnation;
  n.ctl.reset();
  n.exec.reset();  // resources die with the node
  trace_ += "kill n" + std::to_string(idx) + "\n";
  membership_changed(options_.detection);
}

void World::hang(int idx) {
  Node& n = nodes_[idx - 1];
  if (!n.up || n.hung) return;
  n.hung = true;
  trace_ += "hang n" + std::to_string(idx) + "\n";
  membership_changed(options_.detection);
}

void World::fence(int requester, const crmd::FenceRequest& request) {
  trace_ += "fence " + request.target + " (" + request.action + ") for n" + std::to_string(requester) + "\n";
  int target = 0;
  for (const Node& n : nodes_) {
    if (n.name == request.target) target = n.index;
  }
  // The fence device sits on the management network: it reaches the target
  // whatever the cluster's partitions are.
  schedule(options_.fence_time, 0, [this, requester, request, target] {
    Status result = Status::Ok();
    if (target == 0) {
      result = not_found("no node " + request.target);
    } else if (fence_fails.count(target)) {
      result = internal_error("fence agent failed for " + request.target);
      ++fence_failed[target];
    } else {
      ++fenced[target];
      kill(target);  // power off: every process gone, resources with them
      if (request.action == "reboot") schedule(options_.reboot_time, 0, [this, target] { start(target); });
    }
    trace_ += "fenced " + request.target + ": " + result.to_string() + "\n";
    deliver(requester, crmd::FenceResult{request.id, request.target, result});
    if (result.ok()) {
      // Every fencer tells its controller.
      for (const Node& n : nodes_) {
        if (n.index != requester && n.up && !n.hung) deliver(n.index, crmd::FenceEvent{.target = request.target, .action = request.action});
      }
    }
  });
}

void World::check_step() {
  for (const std::string& r : resources) {
    auto where = running(r);
    if (where.size() < 2) continue;
    std::string nodes;
    for (int n : where) nodes += " n" + std::to_string(n) + (hung(n) ? "(hung)" : "");
    if (step_violations_.size() < 20) {
      step_violations_.push_back(std::to_string(clock_.monotonic_now().time_since_epoch().count() / 1000000) +
                                 " ms: " + r + " active on" + nodes);
    }
  }
}

void World::shutdown(int idx) {
  if (!nodes_[idx - 1].up) return;
  trace_ += "shutdown n" + std::to_string(idx) + "\n";
  deliver(idx, crmd::ShutdownRequest{});
}

void World::partition(const std::vector<std::set<int>>& groups) {
  partitions_ = groups;
  trace_ += "partition\n";
  membership_changed(options_.detection);
}

void World::heal() {
  partitions_.clear();
  trace_ += "heal\n";
  membership_changed(options_.detection);
}

void World::broadcast(int from, const std::string& payload) {
  for (int to : component_members(from)) {
    schedule(options_.latency, to, [this, from, to, payload] {
      if (nodes_[from - 1].up && component_of(from) != component_of(to)) return;  // cut off meanwhile
      deliver(to, crmd::Message{static_cast<uint32_t>(from), payload});
    });
  }
}

void World::deliver(int idx, const crmd::Input& input) {
  Node& n = nodes_[idx - 1];
  if (!n.up || !n.ctl || n.hung) return;
  std::string line = std::to_string(clock_.monotonic_now().time_since_epoch().count() / 1000000) + " n" +
                     std::to_string(idx) + " " + std::to_string(input.index());
  if (auto* m = std::get_if<crmd::Message>(&input)) line += " " + m->payload.substr(0, 60);
  if (auto* r = std::get_if<crmd::LocalResult>(&input)) line += " result " + r->result.rsc_id + "_" + r->result.action;
  trace_ += line + "\n";
  if (options_.verbose) std::fprintf(stderr, "  input %s\n", line.c_str());
  crmd::Outputs out = n.ctl->step(input);
  for (const std::string& msg : out.messages) broadcast(idx, msg);
  for (const crmd::CibWrite& w : out.cib_writes) n.cib->submit(w);
  for (const crmd::FenceRequest& f : out.fencing) fence(idx, f);
  for (const crmd::ExecutorCall& call : out.executor) {
    if (!n.exec) break;
    const lrmd::ExecRequest& req = call.request;
    if (call.kind == crmd::ExecutorCall::Kind::kCancel) {
      Status st = n.exec->cancel(req.rsc_id, req.action, req.interval_ms);
      (void)st;  // gone already is as good as cancelled
      continue;
    }
    if (auto id = n.exec->exec(req); !id.ok()) {
      auto refused = lrmd::ExecResult::refused(req, crm::ExecStatus::kError, crm::kOcfErrGeneric, id.status());
      schedule(0ms, idx, [this, idx, refused] { deliver(idx, crmd::LocalResult{refused}); });
    }
  }
  if (out.exit) {
    trace_ += "exit n" + std::to_string(idx) + "\n";
    n.up = false;
    ++n.incarnation;
    n.ctl.reset();
    n.exec.reset();
    membership_changed(options_.latency);
    return;
  }
  if (auto d = out.deadline) {
    auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*d - clock_.monotonic_now());
    if (delay < 0ms) delay = 0ms;
    auto due = *d;
    schedule(
        delay + 1ms, idx,
        [this, idx] {
          Node& node = nodes_[idx - 1];
          if (node.ctl && node.ctl->next_deadline() && *node.ctl->next_deadline() <= clock_.monotonic_now()) {
            deliver(idx, crmd::Tick{});
          }
        },
        [this, idx, due] {
          Node& node = nodes_[idx - 1];
          return node.ctl && node.ctl->next_deadline() && *node.ctl->next_deadline() <= due;
        });
  }
}

void World::schedule_snapshot(int idx) {
  Node& n = nodes_[idx - 1];
  if (n.snapshot_pending) return;
  n.snapshot_pending = true;
  schedule(options_.latency, idx, [this, idx] { deliver_snapshot(idx); });
}

void World::deliver_snapshot(int idx) {
  Node& n = nodes_[idx - 1];
  n.snapshot_pending = false;
  if (!n.up || !n.ctl) return;
  deliver(idx, crmd::CibSnapshot{std::make_shared<const cib::Cib>(n.cib->cib_.copy())});
}

void World::settle(std::chrono::milliseconds limit) {
  auto end = clock_.monotonic_now() + limit;
  while (!events_.empty()) {
    if (events_.top().at > end) break;  // stays queued for the next settle()
    Event e = events_.top();
    events_.pop();
    if (e.node > 0 && e.incarnation != nodes_[e.node - 1].incarnation) continue;  // for a dead incarnation
    if (e.live && !e.live()) continue;
    if (e.node > 0 && nodes_[e.node - 1].hung) continue;  // a stopped node does nothing
    if (e.at > clock_.monotonic_now()) {
      // A tick for a deadline that went away must not move time.
      clock_.advance(std::chrono::duration_cast<std::chrono::milliseconds>(e.at - clock_.monotonic_now()));
    }
    e.fn();
    if (options_.check_every_step) check_step();
  }
}

std::vector<int> World::running(const std::string& rsc) const {
  std::vector<int> out;
  for (const Node& n : nodes_) {
    if (n.up && n.exec && n.exec->running.count(rsc)) out.push_back(n.index);
  }
  return out;
}

std::optional<int> World::node_running(const std::string& rsc) const {
  auto r = running(rsc);
  if (r.empty()) return std::nullopt;
  return r.front();
}

std::vector<int> World::dcs() const {
  std::vector<int> out;
  for (const Node& n : nodes_) {
    if (n.up && !n.hung && n.ctl && n.ctl->is_dc()) out.push_back(n.index);
  }
  return out;
}

std::vector<std::string> World::check_invariants() const {
  std::vector<std::string> bad = step_violations_;
  std::set<int> seen;
  bool some_quorate = false;
  for (const Node& n : nodes_) {
    if (!n.up || n.hung || seen.count(component_of(n.index))) continue;
    seen.insert(component_of(n.index));
    auto members = component_members(n.index);
    std::string label = "partition {";
    for (int m : members) label += " n" + std::to_string(m);
    label += " }";
    int dcs_here = 0;
    for (int m : members) {
      const auto& ctl = nodes_[m - 1].ctl;
      if (ctl->is_dc()) ++dcs_here;
      if (ctl->dc() != static_cast<uint32_t>(members.front())) {
        bad.push_back(label + ": n" + std::to_string(m) + " thinks the DC is " + std::to_string(ctl->dc()));
      }
    }
    if (dcs_here != 1) bad.push_back(label + ": " + std::to_string(dcs_here) + " DCs");
    bool q = quorate(n.index);
    some_quorate = some_quorate || q;
    for (int m : members) {
      if (!q && !nodes_[m - 1].exec->running.empty()) {
        bad.push_back(label + " has no quorum but n" + std::to_string(m) + " runs " +
                      *nodes_[m - 1].exec->running.begin());
      }
    }
    // Replicas inside a partition agree.
    for (int m : members) {
      if (nodes_[m - 1].cib->cib_.version() != nodes_[members.front() - 1].cib->cib_.version()) {
        bad.push_back(label + ": CIB versions differ");
        break;
      }
    }
  }
  for (const std::string& r : resources) {
    auto where = running(r);
    if (where.size() > 1) bad.push_back(r + " runs on " + std::to_string(where.size()) + " nodes");
    if (some_quorate && where.empty()) bad.push_back(r + " runs nowhere although a partition has quorum");
  }
  return bad;
}

std::string World::random_fault() {
  std::uniform_int_distribution<int> pick(0, 99);
  std::uniform_int_distribution<int> node(1, size());
  int roll = pick(rng_);
  int up_count = 0;
  for (const Node& n : nodes_) up_count += n.up;
  int target = node(rng_);
  if (options_.hang_faults && roll < 15 && up_count > 1) {
    if (!up(target) || hung(target)) return "none";
    hang(target);
    return "hang n" + std::to_string(target);
  }
  if (roll < 30 && up_count > 1) {
    if (!up(target)) return "none";
    kill(target);
    return "kill n" + std::to_string(target);
  }
  if (roll < 55) {
    for (int i = 0; i < size() && up(target); ++i) target = target % size() + 1;
    if (up(target)) return "none";
    start(target);
    return "start n" + std::to_string(target);
  }
  if (roll < 75 && partitions_.empty()) {
    std::set<int> a, b;
    for (int i = 1; i <= size(); ++i) ((pick(rng_) % 2) ? a : b).insert(i);
    if (a.empty() || b.empty()) return "none";
    partition({a, b});
    return "partition";
  }
  if (roll < 90) {
    if (partitions_.empty()) return "none";
    heal();
    return "heal";
  }
  if (up_count > 1 && up(target)) {
    shutdown(target);
    return "shutdown n" + std::to_string(target);
  }
  return "none";
}

}  // namespace crm::sim
