#include "fencer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "crm/core/xml.h"
#include "wire.h"

namespace crm::fenced {
namespace {

constexpr milliseconds kStepSlack{5000};
constexpr milliseconds kDefaultListTimeout{20000};

std::string secs(milliseconds ms) { return std::to_string((ms.count() + 999) / 1000); }

std::string rc_text(int rc, bool timed_out) {
  if (rc == 0) return "0 (OK)";
  if (timed_out) return "-62 (Timer expired)";
  return "-201 (Generic Pacemaker error)";
}

}  // namespace

// A device some fencer offered for the target.
struct Offer {
  std::vector<std::string> nodes;  // fencers that hold it and can fence the target
  bool on_target = false;          // its "on" runs on the target
  bool unfencing = false;          // it is required for unfencing
  std::map<std::string, milliseconds> timeouts;  // per action, as the holder computes it
  milliseconds delay_max{0};                     // pcmk_delay_max/base of the holder's device
  int priority = 0;                              // meta priority: higher first
};

struct Fencer::Op {
  enum class Kind { kFence, kQuery };
  Kind kind = Kind::kFence;
  std::string id;
  FenceRequest req;
  std::vector<FenceCallback> callbacks;
  std::function<void(std::vector<std::string>)> query_done;
  std::set<cluster::NodeId> awaiting;
  std::map<std::string, Offer> offers;
  EventLoop::TimerId timer = 0;
  std::vector<std::vector<Step>> levels;
  size_t level = 0;
  size_t step = 0;
  size_t serial = 0;  // increments per executed step; stale results are ignored
  std::vector<bool> remapped;  // per level: a reboot remapped to off + on
  bool unfence_all = false;
  std::string last_device, last_delegate, last_reason;
  bool timed_out = false;
  std::string executor;  // of the step in flight
  std::time_t requested = 0;
};

struct Fencer::Job {
  std::string op_id;
  size_t step = 0;
  std::string device, target, action, origin, client;
  std::string agent_action;
  milliseconds timeout{0};
  milliseconds delay{0};
  int attempts = 0;
  int max_attempts = 2;
  Clock::Monotonic deadline;
  bool report = true;  // broadcast the result (fencing), else call done (local monitor/list)
  std::function<void(const AgentOutcome&)> done;
};

Fencer::Fencer(EventLoop& loop, cluster::GroupTransport& group, AgentRunner& runner, AgentCatalog& catalog,
               Options options)
    : loop_(loop), group_(group), runner_(runner), catalog_(catalog), opts_(std::move(options)) {
  uint64_t seed = opts_.seed ? opts_.seed
                             : static_cast<uint64_t>(loop.clock().monotonic_now().time_since_epoch().count());
  rng_.seed(seed ^ std::hash<std::string>()(opts_.node_name));
  group_.on_message = [this](cluster::NodeId from, std::string_view payload) { on_message(from, payload); };
  group_.on_membership = [this](const cluster::MembershipChange& c) { on_membership(c); };
}

Fencer::~Fencer() {
  *alive_ = false;
  for (auto& [id, op] : ops_) {
    if (op->timer) loop_.cancel_timer(op->timer);
  }
  group_.on_message = nullptr;
  group_.on_membership = nullptr;
}

void Fencer::log(const std::string& line) const {
  if (opts_.log) opts_.log(line);
  else std::fprintf(stderr, "fenced[%s]: %s\n", opts_.node_name.c_str(), line.c_str());
}

void Fencer::send(const std::string& msg) {
  Status s = group_.send(msg);
  if (!s.ok()) log("cannot send to the fencer group: " + s.to_string());
}

// ---- configuration ---------------------------------------------------------

void Fencer::apply_config(const FencerConfig& config) {
  for (const Status& p : config.problems) log("configuration problem: " + p.to_string());
  for (auto it = devices_.begin(); it != devices_.end();) {
    if (it->second.from_cib && !config.devices.count(it->first)) {
      log("Removed '" + it->first + "' from device list (" + std::to_string(devices_.size() - 1) + " active devices)");
      list_cache_.erase(it->first);
      it = devices_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, d] : config.devices) {
    auto it = devices_.find(id);
    bool changed = it == devices_.end() || it->second.agent != d.agent || it->second.params != d.params;
    devices_[id] = d;
    if (changed) {
      list_cache_.erase(id);
      log("Added '" + id + "' to device list (" + std::to_string(devices_.size()) + " active devices)");
    }
  }
  levels_.erase(std::remove_if(levels_.begin(), levels_.end(), [](const Level& l) { return l.from_cib; }),
                levels_.end());
  for (const Level& l : config.levels) levels_.push_back(l);
  options_cluster_ = config.options;
  node_attrs_ = config.node_attrs;
}

Status Fencer::register_device(const std::string& id, const std::string& agent,
                               const std::map<std::string, std::string>& params) {
  auto d = make_device(id, agent, params, catalog_);
  if (!d.ok()) {
    log(d.status().to_string());
    return d.status();
  }
  devices_[id] = std::move(*d);
  list_cache_.erase(id);
  log("Added '" + id + "' to device list (" + std::to_string(devices_.size()) + " active devices)");
  return Status::Ok();
}

Status Fencer::unregister_device(const std::string& id) {
  if (!devices_.erase(id)) return not_found("no fence device '" + id + "'");
  list_cache_.erase(id);
  log("Removed '" + id + "' from device list (" + std::to_string(devices_.size()) + " active devices)");
  return Status::Ok();
}

Status Fencer::register_level(const std::string& key, int index, const std::vector<std::string>& devices) {
  if (key.empty()) return invalid_argument("a fencing level needs a target");
  if (index < 1 || index > 9) return invalid_argument("fencing level index " + std::to_string(index) + " is not 1..9");
  if (devices.empty()) return invalid_argument("a fencing level needs at least one device");
  Level l = level_from_key(key, index, devices);
  for (Level& existing : levels_) {
    if (!existing.from_cib && existing.key() == l.key() && existing.index == index) {
      for (const auto& d : devices) {
        if (std::find(existing.devices.begin(), existing.devices.end(), d) == existing.devices.end()) {
          existing.devices.push_back(d);
        }
      }
      log("Added level " + std::to_string(index) + " for " + key);
      return Status::Ok();
    }
  }
  levels_.push_back(std::move(l));
  log("Added level " + std::to_string(index) + " for " + key);
  return Status::Ok();
}

Status Fencer::unregister_level(const std::string& key, int index) {
  std::string want = level_from_key(key, index, {}).key();
  size_t before = levels_.size();
  levels_.erase(std::remove_if(levels_.begin(), levels_.end(),
                               [&](const Level& l) { return !l.from_cib && l.key() == want && (index == 0 || l.index == index); }),
                levels_.end());
  if (levels_.size() == before) return not_found("no fencing level " + std::to_string(index) + " for " + key);
  log("Removed level " + std::to_string(index) + " for " + key);
  return Status::Ok();
}

std::vector<HistoryEntry> Fencer::history(const std::string& target) const {
  std::vector<HistoryEntry> out;
  for (const auto& e : history_) {
    if (target.empty() || target == "*" || e.target == target) out.push_back(e);
  }
  return out;
}

// ---- membership and messages ----------------------------------------------

void Fencer::on_membership(const cluster::MembershipChange& change) {
  members_ = change.members;
  // Members that left will not answer queries.
  std::vector<std::string> done;
  for (auto& [id, op] : ops_) {
    if (op->awaiting.empty()) continue;
    for (cluster::NodeId n : change.left) op->awaiting.erase(n);
    if (op->awaiting.empty()) done.push_back(id);
  }
  // A step whose executor left fails now rather than at its timeout.
  std::vector<std::pair<std::string, std::pair<size_t, std::string>>> lost_steps;
  for (auto& [id, op] : ops_) {
    auto n = node_ids_.find(op->executor);
    if (op->executor.empty() || n == node_ids_.end()) continue;
    if (std::find(change.left.begin(), change.left.end(), n->second) != change.left.end()) {
      lost_steps.push_back({id, {op->serial, op->executor}});
    }
  }
  // Operations of an origin that left complete only if one of their steps
  // still runs on a member (its executor reports for the origin); the others,
  // and those whose executor left too, are recorded as failed by every
  // fencer at the same point of the agreed order.
  std::vector<HistoryEntry> orphaned;
  for (const auto& h : history_) {
    if (h.state != "pending" || !departed(h.origin)) continue;
    if (awaiting_takeover(h)) {
      const auto& step = steps_in_flight_.at(h.id);
      cluster::NodeId origin = node_ids_.at(h.origin);
      if (std::find(change.left.begin(), change.left.end(), origin) != change.left.end()) {
        log("The origin " + h.origin + " of '" + h.action + "' targeting " + h.target + " (" + h.id +
            ") left: waiting for " + step.executor + " to complete it with " + step.device);
      }
      continue;
    }
    HistoryEntry f = h;
    f.state = "failed";
    f.completed = loop_.clock().wall_now();
    f.exit_reason = "the fencer of " + h.origin + " left before the operation completed";
    orphaned.push_back(f);
  }
  for (const auto& f : orphaned) {
    log("Failing " + f.action + " of " + f.target + " (" + f.id + "): its origin " + f.origin + " left");
    steps_in_flight_.erase(f.id);
    record(f);
  }
  // Newcomers get our history (every member sends it; merging is idempotent).
  bool others_joined = false;
  for (cluster::NodeId n : change.joined) others_joined = others_joined || n != group_.local_node();
  if (others_joined && !history_.empty()) {
    send(wire::encode(wire::HistorySync{opts_.node_name, history_}));
  }
  for (const auto& id : done) query_complete(id);
  for (const auto& [id, step] : lost_steps) {
    if (!ops_.count(id)) continue;
    log("Fencer " + step.second + " left while running a step of " + id);
    step_result(id, step.first, -201, step.second, step.second + " left the cluster");
  }
}

void Fencer::on_message(cluster::NodeId from, std::string_view payload) {
  auto decoded = wire::decode(payload);
  if (!decoded.ok()) {
    log("dropping a malformed message from node " + std::to_string(from) + ": " + decoded.status().to_string());
    return;
  }
  wire::PeerMessage& msg = *decoded;
  // Which node id each fencer name has (every fencer sees the same messages).
  if (auto* q = std::get_if<wire::Query>(&msg)) node_ids_[q->origin] = from;
  if (auto* r = std::get_if<wire::QueryReply>(&msg)) node_ids_[r->from] = from;
  if (auto* r = std::get_if<wire::ExecResult>(&msg)) node_ids_[r->executor] = from;
  if (auto* p = std::get_if<wire::Pending>(&msg)) node_ids_[p->entry.origin] = from;
  if (auto* h = std::get_if<wire::HistorySync>(&msg)) node_ids_[h->from] = from;

  if (auto* q = std::get_if<wire::Query>(&msg)) {
    std::weak_ptr<bool> alive = alive_;
    std::string op_id = q->op;
    capable_devices(q->target, q->action, [this, alive, op_id](std::vector<std::string> devs) {
      if (alive.expired()) return;
      wire::QueryReply reply{op_id, opts_.node_name, {}};
      for (const auto& id : devs) {
        const Device& d = devices_.at(id);
        wire::DeviceOffer o;
        o.id = id;
        o.on_target = d.info.on_target;
        o.unfencing = d.provides_unfencing;
        o.delay_max_ms = std::max(d.delay_max, d.delay_base).count();
        o.priority = d.priority;
        for (const char* a : {"reboot", "off", "on"}) {
          if (auto t = d.timeout(a, milliseconds(0)); t.count() > 0) o.timeouts_ms[a] = t.count();
        }
        reply.devices.push_back(std::move(o));
      }
      send(wire::encode(reply));
    });
  } else if (auto* r = std::get_if<wire::QueryReply>(&msg)) {
    auto it = ops_.find(r->op);
    if (it == ops_.end() || it->second->awaiting.empty()) return;
    Op& op = *it->second;
    for (const auto& d : r->devices) {
      Offer& o = op.offers[d.id];
      o.nodes.push_back(r->from);
      o.on_target = d.on_target;
      o.unfencing = d.unfencing;
      o.delay_max = std::max(o.delay_max, milliseconds(d.delay_max_ms));
      o.priority = std::max(o.priority, d.priority);
      for (const auto& [a, t] : d.timeouts_ms) o.timeouts[a] = milliseconds(t);
    }
    op.awaiting.erase(from);
    if (op.awaiting.empty()) query_complete(r->op);
  } else if (auto* x = std::get_if<wire::Exec>(&msg)) {
    node_ids_[x->origin] = from;
    steps_in_flight_[x->op] = StepInFlight{x->executor, x->device, x->completes};
    if (x->executor != opts_.node_name) return;
    execute(x->op, x->serial, x->device, x->target, x->action, milliseconds(x->timeout_ms), milliseconds(x->delay_ms),
            x->origin);
  } else if (auto* res = std::get_if<wire::ExecResult>(&msg)) {
    auto step = steps_in_flight_.find(res->op);
    std::optional<StepInFlight> in_flight;
    if (step != steps_in_flight_.end()) {
      in_flight = step->second;
      steps_in_flight_.erase(step);
    }
    if (ops_.count(res->op)) {
      step_result(res->op, res->serial, res->rc, res->executor, res->reason);
      return;
    }
    // The result of a departed origin's step: its executor completes the
    // operation for everyone.
    if (res->executor != opts_.node_name || !in_flight) return;
    for (const auto& h : history_) {
      if (h.id == res->op && h.state == "pending" && departed(h.origin)) {
        complete_for_departed_origin(h, *in_flight, res->rc, res->reason);
        break;
      }
    }
  } else if (auto* done = std::get_if<wire::Done>(&msg)) {
    const HistoryEntry& e = done->entry;
    steps_in_flight_.erase(e.id);
    record(e);
    auto it = ops_.find(e.id);
    if (it != ops_.end() && e.origin == opts_.node_name) {
      std::unique_ptr<Op> op = std::move(it->second);
      ops_.erase(it);
      if (op->timer) loop_.cancel_timer(op->timer);
      Status st = Status::Ok();
      if (e.state != "success") {
        bool known = done->code > 0 && done->code <= static_cast<int>(StatusCode::kInternal);
        StatusCode code = known ? static_cast<StatusCode>(done->code) : StatusCode::kUnavailable;
        st = Status(code, e.exit_reason.empty() ? "fencing of " + e.target + " failed" : e.exit_reason);
      }
      for (auto& cb : op->callbacks) cb(FenceResult{st, e});
    }
  } else if (auto* p = std::get_if<wire::Pending>(&msg)) {
    record(p->entry);
  } else if (auto* h = std::get_if<wire::HistorySync>(&msg)) {
    for (const auto& entry : h->entries) record(entry);
  }
}

void Fencer::record(const HistoryEntry& e) {
  if (e.id.empty() || e.target.empty() || (e.state != "success" && e.state != "failed" && e.state != "pending")) {
    log("dropping a malformed history entry (id '" + e.id + "', target '" + e.target + "', state '" + e.state + "')");
    return;
  }
  // In the order completions were delivered (the same on every fencer); a
  // pending entry is replaced by its completion.
  for (auto it = history_.begin(); it != history_.end(); ++it) {
    if (it->id != e.id) continue;
    if (it->state != "pending" || e.state == "pending") return;
    history_.erase(it);
    break;
  }
  history_.push_back(e);
  if (history_.size() > opts_.max_history) {
    auto oldest_done = std::find_if(history_.begin(), history_.end(),
                                    [](const HistoryEntry& h) { return h.state != "pending"; });
    history_.erase(oldest_done == history_.end() ? history_.begin() : oldest_done);
  }
  if (on_history && e.state != "pending") on_history(e);
  if (auto a = adopted_.find(e.id); a != adopted_.end() && e.state != "pending") {
    std::vector<FenceCallback> callbacks = std::move(a->second);
    adopted_.erase(a);
    Status st = e.state == "success"
                    ? Status::Ok()
                    : unavailable(e.exit_reason.empty() ? "fencing of " + e.target + " failed" : e.exit_reason);
    for (auto& cb : callbacks) cb(FenceResult{st, e});
  }
}

bool Fencer::departed(const std::string& name) const {
  auto n = node_ids_.find(name);
  return n != node_ids_.end() && std::find(members_.begin(), members_.end(), n->second) == members_.end();
}

bool Fencer::awaiting_takeover(const HistoryEntry& pending) const {
  auto s = steps_in_flight_.find(pending.id);
  return s != steps_in_flight_.end() && !departed(s->second.executor) && node_ids_.count(s->second.executor);
}

void Fencer::complete_for_departed_origin(const HistoryEntry& pending, const StepInFlight& step, int rc,
                                          const std::string& reason) {
  HistoryEntry e = pending;
  bool success = rc == 0 && step.completes;
  e.state = success ? "success" : "failed";
  e.device = step.device;
  e.delegate = opts_.node_name;
  e.completed = loop_.clock().wall_now();
  e.exit_reason = success ? ""
                  : rc != 0 ? (reason.empty() ? step.device + " failed" : reason)
                            : "the fencer of " + pending.origin + " left before the operation completed";
  log("Operation '" + e.action + "' targeting " + e.target + " by " + opts_.node_name + " for " + e.client + "@" +
      e.origin + " (origin left, completed by its executor): " + (success ? "OK" : "Error (" + e.exit_reason + ")"));
  send(wire::encode(wire::Done{e, success ? 0 : static_cast<int>(StatusCode::kUnavailable)}));
}

// ---- capability ------------------------------------------------------------

void Fencer::capable_devices(const std::string& target, const std::string& action,
                             std::function<void(std::vector<std::string>)> done) {
  struct Pending {
    std::vector<std::string> yes;
    size_t waiting = 1;  // released after the loop below
    std::function<void(std::vector<std::string>)> done;
  };
  auto p = std::make_shared<Pending>();
  p->done = std::move(done);
  auto release = [p] {
    if (--p->waiting == 0) {
      std::sort(p->yes.begin(), p->yes.end());
      auto cb = std::move(p->done);
      cb(p->yes);
    }
  };
  for (const auto& [id, d] : devices_) {
    // An "on" that the agent runs on the target is offered by the target only.
    if (action == "on" && d.info.on_target && target != opts_.node_name) continue;
    switch (d.check) {
      case HostCheck::kNone:
        p->yes.push_back(id);
        break;
      case HostCheck::kStaticList:
        if (d.static_match(target)) p->yes.push_back(id);
        break;
      case HostCheck::kDynamicList: {
        auto cached = list_cache_.find(id);
        auto now = loop_.clock().monotonic_now();
        if (cached != list_cache_.end() && now - cached->second.first < opts_.list_cache) {
          if (list_output_names(cached->second.second, d.port_for(target))) p->yes.push_back(id);
          break;
        }
        ++p->waiting;
        auto job = std::make_shared<Job>();
        job->device = id;
        job->action = "list";
        job->agent_action = d.agent_action("list");
        job->timeout = d.timeout("list", kDefaultListTimeout);
        job->max_attempts = 1;
        job->report = false;
        std::string port = d.port_for(target);
        std::weak_ptr<bool> alive = alive_;
        job->done = [this, alive, p, id, port, release](const AgentOutcome& o) {
          if (alive.expired()) return;
          if (o.ok()) {
            list_cache_[id] = {loop_.clock().monotonic_now(), o.output};
            if (list_output_names(o.output, port)) p->yes.push_back(id);
          } else {
            log("Could not list the hosts of " + id + ": " + o.reason());
          }
          release();
        };
        run_job(job);
        break;
      }
      case HostCheck::kStatus: {
        ++p->waiting;
        auto job = std::make_shared<Job>();
        job->device = id;
        job->target = target;
        job->action = "status";
        job->agent_action = d.agent_action("status");
        job->timeout = d.timeout("status", kDefaultListTimeout);
        job->max_attempts = 1;
        job->report = false;
        std::weak_ptr<bool> alive = alive_;
        job->done = [alive, p, id, release](const AgentOutcome& o) {
          if (alive.expired()) return;
          // FenceAgentAPI: status 0 = on, 2 = off; both mean the device knows the port.
          if (o.status.ok() && (o.rc == 0 || o.rc == 2)) p->yes.push_back(id);
          release();
        };
        run_job(job);
        break;
      }
    }
  }
  // Answer from the loop, never from inside the caller.
  std::weak_ptr<bool> alive = alive_;
  loop_.post([alive, release] {
    if (!alive.expired()) release();
  });
}

// ---- origin: query, plan, steps ---------------------------------------------

void Fencer::start_query(const std::string& op_id, const std::string& target, const std::string& action) {
  Op& op = *ops_.at(op_id);
  op.awaiting = std::set<cluster::NodeId>(members_.begin(), members_.end());
  op.awaiting.insert(group_.local_node());
  send(wire::encode(wire::Query{op_id, target, action, opts_.node_name}));
  std::weak_ptr<bool> alive = alive_;
  op.timer = loop_.add_timer(opts_.query_timeout, [this, alive, op_id] {
    if (alive.expired()) return;
    auto it = ops_.find(op_id);
    if (it == ops_.end() || it->second->awaiting.empty()) return;
    it->second->timer = 0;
    it->second->awaiting.clear();
    query_complete(op_id);
  });
}

void Fencer::query_complete(const std::string& op_id) {
  auto it = ops_.find(op_id);
  if (it == ops_.end()) return;
  Op& op = *it->second;
  op.awaiting.clear();
  if (op.timer) {
    loop_.cancel_timer(op.timer);
    op.timer = 0;
  }
  if (op.kind == Op::Kind::kQuery) {
    std::vector<std::string> ids;
    for (const auto& [id, offer] : op.offers) ids.push_back(id);
    auto done = std::move(op.query_done);
    ops_.erase(it);
    done(ids);
    return;
  }
  plan(op);
  next_step(op_id);
}

void Fencer::plan(Op& op) {
  const std::string& target = op.req.target;
  const std::string& action = op.req.action;
  std::vector<Level> lv = levels_for(levels_, target, node_attrs_);
  auto timeout_of = [&](const std::string& dev, const std::string& a) {
    auto o = op.offers.find(dev);
    if (o != op.offers.end()) {
      auto t = o->second.timeouts.find(a);
      if (t != o->second.timeouts.end()) return t->second;
    }
    return op.req.timeout;
  };
  if (action == "on") {
    // Unfencing: every capable device that requires it must succeed.
    std::vector<Step> required;
    std::vector<std::string> order;
    for (const Level& l : lv) order.insert(order.end(), l.devices.begin(), l.devices.end());
    for (const auto& [id, o] : op.offers) {
      if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
    }
    for (const auto& id : order) {
      auto o = op.offers.find(id);
      if (o != op.offers.end() && o->second.unfencing &&
          std::none_of(required.begin(), required.end(), [&](const Step& s) { return s.device == id; })) {
        required.push_back({id, "on", false});
      }
    }
    if (!required.empty()) {
      op.unfence_all = true;
      op.levels.push_back(required);
    }
  }
  if (op.levels.empty()) {
    if (!lv.empty()) {
      for (const Level& l : lv) {
        std::vector<Step> steps;
        op.remapped.push_back(action == "reboot" && l.devices.size() > 1);
        if (op.remapped.back()) {
          for (const auto& d : l.devices) steps.push_back({d, "off", false});
          // Devices whose "on" is automatic (unfencing) turn the node on by themselves.
          for (const auto& d : l.devices) {
            auto o = op.offers.find(d);
            if (o == op.offers.end() || !o->second.unfencing) steps.push_back({d, "on", true});
          }
        } else {
          for (const auto& d : l.devices) steps.push_back({d, action, false});
        }
        op.levels.push_back(std::move(steps));
      }
    } else {
      // Without topology: every capable device on its own, higher priority first, then by id.
      std::vector<std::pair<int, std::string>> order;
      for (const auto& [id, o] : op.offers) order.push_back({-o.priority, id});
      std::sort(order.begin(), order.end());
      for (const auto& [prio, id] : order) op.levels.push_back({{id, action, false}});
    }
  }
  milliseconds total{0};
  for (const auto& level : op.levels) {
    for (const auto& s : level) {
      if (!s.ignore_failure) total += timeout_of(s.device, s.action);
    }
  }
  log("Total timeout set to " + secs(total) + " for peer's fencing targeting " + target + " for " + op.req.client);
}

void Fencer::next_step(const std::string& op_id) {
  Op& op = *ops_.at(op_id);
  while (op.level < op.levels.size()) {
    auto& level = op.levels[op.level];
    bool remapped = op.level < op.remapped.size() && op.remapped[op.level];
    if (op.step >= level.size()) {
      // Every device of the level succeeded.
      if (remapped) log("Undoing remap of reboot targeting " + op.req.target + " for " + op.req.client);
      finish(op_id, true, "", op.last_device, op.last_delegate, StatusCode::kOk);
      return;
    }
    Step& s = level[op.step];
    if (remapped && op.step > 0 && s.action == "on" && level[op.step - 1].action == "off") {
      log("Remapped 'off' targeting " + op.req.target + " complete, remapping to 'on' for " + op.req.client);
    }
    if (remapped && op.step == 0) log("Remapping multiple-device reboot targeting " + op.req.target + " to 'off'");
    auto offer = op.offers.find(s.device);
    std::string executor;
    if (offer != op.offers.end()) {
      const auto& nodes = offer->second.nodes;
      if (s.action == "on" && offer->second.on_target) {
        log("Device " + s.device + " requires 'on' (on) to be executed on the target node " + op.req.target);
        if (std::find(nodes.begin(), nodes.end(), op.req.target) != nodes.end()) executor = op.req.target;
      } else {
        for (const auto& n : nodes) {
          if (n != op.req.target) {
            executor = n;
            break;
          }
        }
        if (executor.empty() && !nodes.empty()) {
          executor = nodes.front();
          log("No other fencer can fence " + op.req.target + " with " + s.device + ": it fences itself (suicide)");
        }
      }
    }
    if (executor.empty()) {
      if (s.ignore_failure) {
        log("Ignoring " + s.device + " '" + s.action + "' failure (no capable peers) targeting " + op.req.target);
        ++op.step;
        continue;
      }
      log("No peer can perform '" + s.action + "' targeting " + op.req.target + " with " + s.device);
      op.last_reason = "no fencer can run " + s.device;
      op.last_device = s.device;
      ++op.level;
      op.step = 0;
      continue;
    }
    // The requested delay applies to the first device of the first level only.
    milliseconds delay = (op.level == 0 && op.step == 0) ? op.req.delay : milliseconds(0);
    milliseconds timeout = op.req.timeout;
    if (auto t = offer->second.timeouts.find(s.action); t != offer->second.timeouts.end()) timeout = t->second;
    ++op.serial;
    op.executor = executor;
    log("Requesting that " + executor + " perform '" + s.action + "' action targeting " + op.req.target +
        " using '" + s.device + "'");
    wire::Exec exec;
    exec.op = op_id;
    exec.serial = op.serial;
    exec.executor = executor;
    exec.device = s.device;
    exec.target = op.req.target;
    exec.action = s.action;
    exec.origin = opts_.node_name;
    exec.client = op.req.client;
    exec.timeout_ms = timeout.count();
    exec.delay_ms = delay.count();
    exec.completes = op.step + 1 == level.size();
    send(wire::encode(exec));
    // If no result comes (the executor died), the step fails.
    size_t serial = op.serial;
    std::weak_ptr<bool> alive = alive_;
    // pcmk_delay_base/max come on top, and every retry runs within `timeout`.
    milliseconds wait = timeout + delay + offer->second.delay_max + kStepSlack;
    if (op.timer) loop_.cancel_timer(op.timer);
    op.timer = loop_.add_timer(wait, [this, alive, op_id, serial, executor] {
      if (alive.expired() || !ops_.count(op_id)) return;
      ops_.at(op_id)->timer = 0;
      step_result(op_id, serial, -62, executor, "no result from " + executor);
    });
    return;
  }
  finish(op_id, false, op.last_reason.empty() ? "no fence device can fence " + op.req.target : op.last_reason,
         op.last_device, op.last_delegate,
         op.timed_out ? StatusCode::kTimeout : (op.offers.empty() ? StatusCode::kNotFound : StatusCode::kUnavailable));
}

void Fencer::step_result(const std::string& op_id, size_t serial, int rc, const std::string& executor,
                         const std::string& reason) {
  Op& op = *ops_.at(op_id);
  if (serial != op.serial || op.level >= op.levels.size()) return;  // stale
  if (op.timer) {
    loop_.cancel_timer(op.timer);
    op.timer = 0;
  }
  op.executor.clear();
  Step& s = op.levels[op.level][op.step];
  if (!s.ignore_failure || rc == 0) {
    op.last_device = s.device;
    op.last_delegate = executor;
  }
  if (rc == 0 || s.ignore_failure) {
    if (rc != 0) log("Ignoring " + s.device + " '" + s.action + "' failure targeting " + op.req.target);
    ++op.step;
  } else {
    op.last_reason = reason.empty() ? s.device + " failed" : reason;
    if (rc == -62) op.timed_out = true;
    if (op.level < op.remapped.size() && op.remapped[op.level]) {
      log("Undoing remap of reboot targeting " + op.req.target + " for " + op.req.client);
    }
    ++op.level;
    op.step = 0;
  }
  next_step(op_id);
}

void Fencer::finish(const std::string& op_id, bool success, const std::string& reason, const std::string& device,
                    const std::string& delegate, StatusCode code) {
  Op& op = *ops_.at(op_id);
  HistoryEntry e;
  e.id = op_id;
  e.target = op.req.target;
  e.action = op.req.action;
  e.device = device;
  e.state = success ? "success" : "failed";
  e.origin = opts_.node_name;
  e.client = op.req.client;
  e.delegate = delegate;
  e.requested = op.requested;
  e.completed = loop_.clock().wall_now();
  e.exit_reason = success ? "" : reason;
  log("Operation '" + e.action + "' targeting " + e.target + " by " + (delegate.empty() ? "no one" : delegate) +
      " for " + e.client + "@" + opts_.node_name + ": " + (success ? "OK" : "Error (" + reason + ")"));
  send(wire::encode(wire::Done{e, success ? 0 : static_cast<int>(code)}));
}

void Fencer::fence(const FenceRequest& request, FenceCallback done) {
  FenceRequest req = request;
  if (req.action.empty()) req.action = options_cluster_.stonith_action;
  if (req.action == "poweroff") req.action = "off";
  if (req.timeout.count() <= 0) req.timeout = options_cluster_.stonith_timeout;
  std::weak_ptr<bool> alive = alive_;
  if (req.target.empty() || (req.action != "reboot" && req.action != "off" && req.action != "on")) {
    Status st = invalid_argument("fence request needs a target and an action of reboot, off or on (got '" +
                                 req.action + "')");
    loop_.post([alive, done, st, req] {
      if (alive.expired()) return;
      FenceResult r;
      r.status = st;
      r.entry.target = req.target;
      r.entry.action = req.action;
      done(r);
    });
    return;
  }
  if (req.tolerance.count() > 0) {
    std::time_t now = loop_.clock().wall_now();
    for (auto it = history_.rbegin(); it != history_.rend(); ++it) {
      if (it->target != req.target || it->action != req.action || it->state != "success") continue;
      if ((now - it->completed) * 1000 > req.tolerance.count()) break;
      log("Target " + req.target + " was fenced (" + req.action + ") less than " + secs(req.tolerance) +
          "s ago by " + it->delegate + " on behalf of " + it->client);
      HistoryEntry e = *it;
      loop_.post([alive, done, e] {
        if (!alive.expired()) done(FenceResult{Status::Ok(), e});
      });
      return;
    }
  }
  // An identical operation in flight: its result answers this request too.
  for (auto& [id, op] : ops_) {
    if (op->kind == Op::Kind::kFence && op->req.target == req.target && op->req.action == req.action) {
      log("Merging stonith action '" + req.action + "' targeting " + req.target + " originating from client " +
          req.client + " with identical request from " + op->req.client);
      op->callbacks.push_back(std::move(done));
      return;
    }
  }
  // The same operation of an origin that left, still running on a member:
  // its completion answers this request (the new DC's, typically).
  for (const auto& h : history_) {
    if (h.state == "pending" && h.target == req.target && h.action == req.action && departed(h.origin) &&
        awaiting_takeover(h)) {
      log("Merging stonith action '" + req.action + "' targeting " + req.target + " originating from client " +
          req.client + " with the operation " + h.id + " of departed origin " + h.origin + " run by " +
          steps_in_flight_.at(h.id).executor);
      adopted_[h.id].push_back(std::move(done));
      return;
    }
  }
  std::string id = opts_.node_name + ":" + std::to_string(next_op_++) + "." +
                   std::to_string(loop_.clock().wall_now());
  auto op = std::make_unique<Op>();
  op->id = id;
  op->req = req;
  op->requested = loop_.clock().wall_now();
  op->callbacks.push_back(std::move(done));
  log("Client " + req.client + " wants to fence (" + req.action + ") " + req.target + " using any device");
  ops_[id] = std::move(op);
  // Every fencer shows the operation as pending until its st_done.
  HistoryEntry pending;
  pending.id = id;
  pending.target = req.target;
  pending.action = req.action;
  pending.state = "pending";
  pending.origin = opts_.node_name;
  pending.client = req.client;
  pending.requested = ops_[id]->requested;
  send(wire::encode(wire::Pending{pending}));
  start_query(id, req.target, req.action);
}

void Fencer::confirm(const std::string& target, const std::string& client, FenceCallback done) {
  std::string id = opts_.node_name + ":" + std::to_string(next_op_++) + "." +
                   std::to_string(loop_.clock().wall_now());
  auto op = std::make_unique<Op>();
  op->id = id;
  op->req.target = target;
  op->req.action = "off";
  op->req.client = client;
  op->callbacks.push_back(std::move(done));
  ops_[id] = std::move(op);
  log("Injecting manual confirmation that " + target + " is safely off/down");
  HistoryEntry e;
  e.id = id;
  e.target = target;
  e.action = "off";
  e.state = "success";
  e.origin = opts_.node_name;
  e.client = client;
  e.delegate = "a human";
  e.requested = e.completed = loop_.clock().wall_now();
  send(wire::encode(wire::Done{e, 0}));
}

void Fencer::query(const std::string& target, milliseconds timeout,
                   std::function<void(std::vector<std::string>)> done) {
  std::string id = opts_.node_name + ":q" + std::to_string(next_op_++);
  auto op = std::make_unique<Op>();
  op->kind = Op::Kind::kQuery;
  op->id = id;
  op->req.target = target;
  op->req.action = "off";
  op->query_done = std::move(done);
  ops_[id] = std::move(op);
  start_query(id, target, "off");
  (void)timeout;
}

// ---- executor ----------------------------------------------------------------

void Fencer::execute(const std::string& op_id, size_t step, const std::string& device_id, const std::string& target,
                     const std::string& action, milliseconds timeout, milliseconds requested_delay,
                     const std::string& origin) {
  auto reply = [this, op_id, step](int rc, const std::string& reason) {
    send(wire::encode(wire::ExecResult{op_id, step, opts_.node_name, rc, reason}));
  };
  auto it = devices_.find(device_id);
  if (it == devices_.end()) {
    reply(-19, "device " + device_id + " is not registered on " + opts_.node_name);
    return;
  }
  const Device& d = it->second;
  std::string act = action;
  if (act == "reboot" && !d.info.actions.empty() && !d.info.supports("reboot")) {
    log("Agent " + d.agent + " does not advertise support for 'reboot', performing 'off' action instead");
    act = "off";
  }
  milliseconds base = d.delay_base;
  milliseconds delay = base;
  if (d.delay_max > base) {
    std::uniform_int_distribution<long long> dist(base.count(), d.delay_max.count());
    delay = milliseconds(dist(rng_));
  }
  delay += requested_delay;
  if (delay.count() > 0) {
    log("Delaying '" + act + "' action targeting " + target + " on " + device_id + " for " + secs(delay) +
        "s (timeout=" + secs(timeout) + "s, requested_delay=" + secs(requested_delay) + "s, base=" + secs(base) +
        "s, max=" + secs(std::max(d.delay_max, base)) + "s)");
  }
  auto job = std::make_shared<Job>();
  job->op_id = op_id;
  job->step = step;
  job->device = device_id;
  job->target = target;
  job->action = act;
  job->agent_action = d.agent_action(act);
  job->timeout = timeout;
  job->delay = delay;
  job->origin = origin;
  job->max_attempts = d.retries(act);
  std::weak_ptr<bool> alive = alive_;
  // Not capturing `job` itself: done is a member of it.
  job->done = [this, alive, reply, act, op_id, origin, target, device_id](const AgentOutcome& o) {
    if (alive.expired()) return;
    bool timed_out = o.status.code() == StatusCode::kTimeout;
    log("Operation '" + act + "' (call " + op_id + " from " + origin + ") for host '" + target + "' with device '" +
        device_id + "' returned: " + rc_text(o.ok() ? 0 : o.rc, timed_out) + (o.ok() ? "" : " (" + o.reason() + ")"));
    reply(o.ok() ? 0 : (timed_out ? -62 : -201), o.ok() ? "" : device_id + ": " + o.reason());
  };
  if (delay.count() > 0) {
    loop_.add_timer(delay, [this, alive, job] {
      if (!alive.expired()) run_job(job);
    });
  } else {
    run_job(job);
  }
}

void Fencer::run_job(std::shared_ptr<Job> job) {
  std::string dev = job->device;
  device_queue_[dev].push_back(std::move(job));
  pump_device(dev);
}

void Fencer::pump_device(const std::string& dev) {
  // Start what pcmk_action_limit allows; the rest waits in order.
  auto& q = device_queue_[dev];
  auto it = devices_.find(dev);
  int limit = it == devices_.end() ? 1 : it->second.action_limit;
  while (!q.empty() && (limit < 0 || device_running_[dev] < limit)) {
    auto job = q.front();
    q.pop_front();
    ++device_running_[dev];
    job->deadline = loop_.clock().monotonic_now() + job->timeout;
    attempt(job);
  }
}

void Fencer::attempt(std::shared_ptr<Job> job) {
  auto it = devices_.find(job->device);
  std::weak_ptr<bool> alive = alive_;
  auto complete = [this, job](const AgentOutcome& o) {
    --device_running_[job->device];
    auto done = job->done;
    done(o);
    pump_device(job->device);
  };
  if (it == devices_.end()) {
    AgentOutcome o;
    o.status = not_found("device " + job->device + " was removed");
    loop_.post([alive, complete, o] {
      if (!alive.expired()) complete(o);
    });
    return;
  }
  const Device& d = it->second;
  ++job->attempts;
  auto left = std::chrono::duration_cast<milliseconds>(job->deadline - loop_.clock().monotonic_now());
  if (left.count() < 1) left = milliseconds(1);
  std::string stdin_text = d.agent_stdin(job->agent_action, job->target);
  std::string agent = d.agent;
  runner_.run(agent, stdin_text, left, [this, alive, job, complete, agent](const AgentOutcome& o) {
    if (alive.expired()) return;
    auto now = loop_.clock().monotonic_now();
    bool timed_out = o.status.code() == StatusCode::kTimeout;
    if (o.ok() || timed_out || o.status.code() == StatusCode::kNotFound || now >= job->deadline) {
      complete(o);
      return;
    }
    if (job->attempts >= job->max_attempts) {
      log("Attempted to execute agent " + agent + " (" + job->agent_action + ") the maximum number of times (" +
          std::to_string(job->max_attempts) + ") allowed");
      complete(o);
      return;
    }
    auto left2 = std::chrono::duration_cast<milliseconds>(job->deadline - now);
    log("Attempt " + std::to_string(job->attempts + 1) + " to execute " + agent + " (" + job->agent_action +
        "). remaining timeout is " + secs(left2));
    attempt(job);
  });
}

void Fencer::targets(const std::string& device, milliseconds timeout,
                     std::function<void(Result<std::vector<std::string>>)> done) {
  std::weak_ptr<bool> alive = alive_;
  auto answer = [this, alive, done](Result<std::vector<std::string>> r) {
    loop_.post([alive, done, r] {
      if (!alive.expired()) done(r);
    });
  };
  auto it = devices_.find(device);
  if (it == devices_.end()) return answer(not_found("no fence device '" + device + "'"));
  const Device& d = it->second;
  if (d.check != HostCheck::kDynamicList) {
    std::vector<std::string> out = d.check == HostCheck::kStaticList ? d.host_list : std::vector<std::string>{};
    if (d.check == HostCheck::kStaticList) {
      for (const auto& [node, port] : d.host_map) {
        if (std::find(out.begin(), out.end(), node) == out.end()) out.push_back(node);
      }
    }
    return answer(out);
  }
  auto job = std::make_shared<Job>();
  job->device = device;
  job->action = "list";
  job->agent_action = d.agent_action("list");
  job->timeout = timeout.count() > 0 ? timeout : d.timeout("list", kDefaultListTimeout);
  job->max_attempts = 1;
  job->report = false;
  job->done = [this, alive, done, device](const AgentOutcome& o) {
    if (alive.expired()) return;
    if (!o.ok()) {
      done(unavailable("list of " + device + " failed: " + o.reason()));
      return;
    }
    list_cache_[device] = {loop_.clock().monotonic_now(), o.output};
    // Each line: a port, then aliases ("1,node1"): the names are what can be fenced.
    std::vector<std::string> out;
    std::string line;
    for (size_t start = 0; start <= o.output.size();) {
      size_t nl = o.output.find('\n', start);
      line = o.output.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      auto tokens = parse_host_list(line);
      if (!tokens.empty()) out.push_back(tokens.back());
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    done(out);
  };
  run_job(job);
}

void Fencer::monitor(const std::string& device, milliseconds timeout, std::function<void(Status)> done) {
  std::weak_ptr<bool> alive = alive_;
  auto it = devices_.find(device);
  if (it == devices_.end()) {
    Status st = not_found("no fence device '" + device + "'");
    loop_.post([alive, done, st] {
      if (!alive.expired()) done(st);
    });
    return;
  }
  const Device& d = it->second;
  std::string act = d.info.supports("monitor") || d.info.actions.empty() ? "monitor"
                    : d.info.supports("list")                          ? "list"
                                                                       : "status";
  auto job = std::make_shared<Job>();
  job->device = device;
  job->action = act;
  job->agent_action = d.agent_action(act);
  job->timeout = timeout.count() > 0 ? timeout : d.timeout(act, kDefaultListTimeout);
  job->max_attempts = d.retries(act);
  job->report = false;
  job->done = [done, device](const AgentOutcome& o) {
    if (o.ok()) done(Status::Ok());
    else if (o.status.code() == StatusCode::kTimeout) done(timeout_error("monitor of " + device + " timed out"));
    else done(unavailable("monitor of " + device + " failed: " + o.reason()));
  };
  run_job(job);
}

}  // namespace crm::fenced
