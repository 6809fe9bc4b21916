#include "crm/cluster/simulated.h"

#include <algorithm>
#include <deque>
#include <random>
#include <set>

namespace crm::cluster {

namespace {

struct Event {
  enum class Kind { kMessage, kMembership, kQuorum, kLost };
  Kind kind = Kind::kMessage;
  uint64_t seq = 0;  // global order of the append (shared by all copies of one broadcast)
  NodeId from = 0;
  std::shared_ptr<const std::string> payload;
  MembershipChange change;
  bool quorate = false;
  std::vector<NodeId> quorum_members;
};

class SimGroup;
class SimQuorum;

struct Endpoint {
  uint64_t id = 0;
  NodeId node = 0;
  std::string group;  // empty for a quorum source
  bool connected = true;
  std::deque<Event> inbox;
  std::map<uint64_t, NodeId> view;  // group: endpoint id -> node, as last announced
  bool announced = false;           // group: a first membership change was queued
  bool last_quorate = false;        // quorum: as last announced
  std::vector<NodeId> last_quorum_members;
  SimGroup* transport = nullptr;
  SimQuorum* quorum = nullptr;
};

std::vector<NodeId> sorted_unique(std::vector<NodeId> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

struct SimulatedNetwork::State {
  Options options;
  std::vector<NodeId> nodes;
  std::map<NodeId, bool> up;
  std::map<NodeId, int> side;
  std::map<NodeId, std::string> names;
  std::map<uint64_t, std::unique_ptr<Endpoint>> endpoints;
  uint64_t next_id = 1;
  uint64_t next_seq = 1;
  int next_side = 1;
  bool closed = false;  // the SimulatedNetwork object is gone
  std::mt19937_64 rng;
  // Per broadcast still waiting somewhere: the node of each endpoint it was
  // appended to (for kill's all-or-none of a dead sender's messages).
  struct Copies {
    std::vector<NodeId> to_nodes;
    size_t waiting = 0;  // copies in some inbox
    size_t survivors(NodeId dead) const {
      return static_cast<size_t>(std::count_if(to_nodes.begin(), to_nodes.end(), [&](NodeId n) { return n != dead; }));
    }
  };
  std::map<uint64_t, Copies> copies;

  bool configured(NodeId n) const { return up.count(n) != 0; }
  bool is_up(NodeId n) const {
    auto it = up.find(n);
    return it != up.end() && it->second;
  }
  bool same_component(NodeId a, NodeId b) const {
    return is_up(a) && is_up(b) && side.at(a) == side.at(b);
  }
  std::vector<NodeId> component(NodeId n) const {
    std::vector<NodeId> out;
    if (!is_up(n)) return out;
    for (NodeId m : nodes) {
      if (same_component(n, m)) out.push_back(m);
    }
    return out;
  }
  bool quorate(NodeId n) const { return component(n).size() * 2 > nodes.size(); }

  // One copy of a message left its inbox (delivered or discarded).
  void copy_gone(const Event& ev) {
    if (ev.kind != Event::Kind::kMessage) return;
    auto it = copies.find(ev.seq);
    if (it != copies.end() && --it->second.waiting == 0) copies.erase(it);
  }
  void discard_inbox(Endpoint& ep) {
    for (const Event& ev : ep.inbox) copy_gone(ev);
    ep.inbox.clear();
  }

  Status check_node(NodeId n) const {
    if (closed) return unavailable("simulated network is gone");
    if (!configured(n)) return not_found("node " + std::to_string(n) + " is not configured");
    if (!is_up(n)) return unavailable("corosync is not running on node " + std::to_string(n));
    return Status::Ok();
  }

  // Brings every live endpoint's announced view in line with the current
  // topology, appending membership/quorum changes where they differ.
  void reconcile() {
    const uint64_t seq = next_seq++;
    for (auto& [id, ep] : endpoints) {
      if (!ep->connected || !is_up(ep->node)) continue;
      if (ep->group.empty()) {
        bool q = quorate(ep->node);
        std::vector<NodeId> members = component(ep->node);
        if (q != ep->last_quorate || members != ep->last_quorum_members) {
          ep->last_quorate = q;
          ep->last_quorum_members = members;
          Event ev;
          ev.kind = Event::Kind::kQuorum;
          ev.seq = seq;
          ev.quorate = q;
          ev.quorum_members = members;
          ep->inbox.push_back(std::move(ev));
        }
        continue;
      }
      std::map<uint64_t, NodeId> view;
      for (auto& [oid, other] : endpoints) {
        if (other->connected && other->group == ep->group && same_component(ep->node, other->node)) {
          view[oid] = other->node;
        }
      }
      if (view == ep->view) continue;
      MembershipChange change;
      for (auto& [oid, n] : view) {
        change.members.push_back(n);
        // A new member's first change lists only itself as joined (as CPG does).
        const bool joined = ep->announced ? !ep->view.count(oid) : oid == id;
        if (joined) change.joined.push_back(n);
      }
      for (auto& [oid, n] : ep->view) {
        if (!view.count(oid)) change.left.push_back(n);
      }
      change.members = sorted_unique(std::move(change.members));
      change.joined = sorted_unique(std::move(change.joined));
      change.left = sorted_unique(std::move(change.left));
      ep->view = std::move(view);
      ep->announced = true;
      Event ev;
      ev.kind = Event::Kind::kMembership;
      ev.seq = seq;
      ev.change = std::move(change);
      ep->inbox.push_back(std::move(ev));
    }
  }

  Status broadcast(uint64_t sender_id, std::string_view payload) {
    auto it = endpoints.find(sender_id);
    if (closed || it == endpoints.end()) return unavailable("simulated network is gone");
    Endpoint& sender = *it->second;
    if (!sender.connected || !is_up(sender.node)) {
      return unavailable("not connected to the messaging layer on node " + std::to_string(sender.node));
    }
    auto shared = std::make_shared<const std::string>(payload);
    const uint64_t seq = next_seq++;
    Copies& sent = copies[seq];
    for (auto& [id, ep] : endpoints) {
      // The announced view, not the current topology: they are equal, since
      // every topology change reconciles at once.
      if (!ep->connected || ep->group != sender.group || !sender.view.count(id)) continue;
      sent.to_nodes.push_back(ep->node);
      ++sent.waiting;
      Event ev;
      ev.kind = Event::Kind::kMessage;
      ev.seq = seq;
      ev.from = sender.node;
      ev.payload = shared;
      ep->inbox.push_back(std::move(ev));
    }
    if (sent.waiting == 0) copies.erase(seq);
    return Status::Ok();
  }
};

namespace {

class SimGroup final : public GroupTransport {
 public:
  SimGroup(std::shared_ptr<SimulatedNetwork::State> state, uint64_t id, NodeId node)
      : state_(std::move(state)), id_(id), node_(node) {}
  ~SimGroup() override {
    auto it = state_->endpoints.find(id_);
    if (it == state_->endpoints.end()) return;
    state_->discard_inbox(*it->second);
    state_->endpoints.erase(it);
    if (!state_->closed) state_->reconcile();
  }
  NodeId local_node() const override { return node_; }
  Status send(std::string_view payload) override { return state_->broadcast(id_, payload); }

 private:
  std::shared_ptr<SimulatedNetwork::State> state_;
  uint64_t id_;
  NodeId node_;
};

class SimQuorum final : public QuorumSource {
 public:
  SimQuorum(std::shared_ptr<SimulatedNetwork::State> state, uint64_t id, bool quorate, std::vector<NodeId> members)
      : state_(std::move(state)), id_(id), quorate_(quorate), members_(std::move(members)) {}
  ~SimQuorum() override { state_->endpoints.erase(id_); }
  bool quorate() const override { return quorate_; }
  std::vector<NodeId> members() const override { return members_; }

  void deliver(bool q, std::vector<NodeId> members) {
    quorate_ = q;
    bool members_changed = members != members_;
    members_ = std::move(members);
    auto cb = on_change;
    if (cb) cb(q);
    if (members_changed && on_members) on_members(members_);
  }

 private:
  std::shared_ptr<SimulatedNetwork::State> state_;
  uint64_t id_;
  bool quorate_;
  std::vector<NodeId> members_;
};

}  // namespace

SimulatedNetwork::SimulatedNetwork(std::vector<NodeId> nodes, Options options) : state_(std::make_shared<State>()) {
  state_->options = options;
  state_->rng.seed(options.seed);
  state_->nodes = sorted_unique(std::move(nodes));
  for (NodeId n : state_->nodes) {
    state_->up[n] = true;
    state_->side[n] = 0;
  }
}

SimulatedNetwork::~SimulatedNetwork() {
  state_->closed = true;
  for (auto& [id, ep] : state_->endpoints) {
    ep->connected = false;
    ep->inbox.clear();
  }
}

Result<std::unique_ptr<GroupTransport>> SimulatedNetwork::join(NodeId node, const std::string& group) {
  RETURN_IF_ERROR(state_->check_node(node).with_context("joining group " + group));
  if (group.empty()) return invalid_argument("empty group name");
  auto ep = std::make_unique<Endpoint>();
  ep->id = state_->next_id++;
  ep->node = node;
  ep->group = group;
  auto transport = std::make_unique<SimGroup>(state_, ep->id, node);
  ep->transport = transport.get();
  state_->endpoints[ep->id] = std::move(ep);
  state_->reconcile();
  return std::unique_ptr<GroupTransport>(std::move(transport));
}

Result<std::unique_ptr<QuorumSource>> SimulatedNetwork::watch_quorum(NodeId node) {
  RETURN_IF_ERROR(state_->check_node(node).with_context("watching quorum"));
  auto ep = std::make_unique<Endpoint>();
  ep->id = state_->next_id++;
  ep->node = node;
  ep->last_quorate = state_->quorate(node);
  ep->last_quorum_members = state_->component(node);
  auto q = std::make_unique<SimQuorum>(state_, ep->id, ep->last_quorate, ep->last_quorum_members);
  ep->quorum = q.get();
  state_->endpoints[ep->id] = std::move(ep);
  return std::unique_ptr<QuorumSource>(std::move(q));
}

void SimulatedNetwork::kill(NodeId node, InFlight in_flight) {
  if (!state_->configured(node)) return;
  state_->up[node] = false;
  for (auto& [id, ep] : state_->endpoints) {
    if (ep->node != node) continue;
    ep->connected = false;
    state_->discard_inbox(*ep);
  }
  bool drop = in_flight == InFlight::kDrop || (in_flight == InFlight::kSeeded && state_->rng() % 2 == 1);
  if (drop) {
    // A broadcast may go only when no survivor has delivered it: every copy
    // it was sent as is still waiting.
    std::map<uint64_t, size_t> waiting;
    for (auto& [id, ep] : state_->endpoints) {
      for (const Event& ev : ep->inbox) {
        if (ev.kind == Event::Kind::kMessage && ev.from == node) ++waiting[ev.seq];
      }
    }
    std::set<uint64_t> droppable;
    for (auto& [seq, n] : waiting) {
      auto sent = state_->copies.find(seq);
      if (sent != state_->copies.end() && sent->second.survivors(node) == n) droppable.insert(seq);
    }
    for (auto& [id, ep] : state_->endpoints) {
      std::erase_if(ep->inbox, [&](const Event& ev) {
        if (ev.kind != Event::Kind::kMessage || ev.from != node || !droppable.count(ev.seq)) return false;
        state_->copy_gone(ev);
        return true;
      });
    }
  }
  state_->reconcile();
}

void SimulatedNetwork::stop_messaging(NodeId node) {
  if (!state_->is_up(node)) return;
  state_->up[node] = false;
  const uint64_t seq = state_->next_seq++;
  for (auto& [id, ep] : state_->endpoints) {
    if (ep->node != node || !ep->connected) continue;
    ep->connected = false;
    state_->discard_inbox(*ep);
    if (!ep->group.empty()) {
      Event ev;
      ev.kind = Event::Kind::kLost;
      ev.seq = seq;
      ep->inbox.push_back(std::move(ev));
    }
  }
  state_->reconcile();
}

void SimulatedNetwork::start(NodeId node) {
  if (!state_->configured(node) || state_->is_up(node)) return;
  state_->up[node] = true;
  state_->reconcile();
}

void SimulatedNetwork::partition(const std::vector<std::vector<NodeId>>& sides) {
  std::set<NodeId> listed;
  for (const auto& s : sides) {
    const int id = state_->next_side++;
    for (NodeId n : s) {
      if (!state_->configured(n)) continue;
      state_->side[n] = id;
      listed.insert(n);
    }
  }
  for (NodeId n : state_->nodes) {
    if (!listed.count(n)) state_->side[n] = state_->next_side++;
  }
  state_->reconcile();
}

void SimulatedNetwork::isolate(NodeId node) {
  if (!state_->configured(node)) return;
  state_->side[node] = state_->next_side++;
  state_->reconcile();
}

void SimulatedNetwork::heal() {
  for (NodeId n : state_->nodes) state_->side[n] = 0;
  state_->reconcile();
}

bool SimulatedNetwork::step() {
  std::vector<Endpoint*> ready;
  for (auto& [id, ep] : state_->endpoints) {
    if (!ep->inbox.empty()) ready.push_back(ep.get());
  }
  if (ready.empty()) return false;
  Endpoint* ep = nullptr;
  if (state_->options.reorder) {
    ep = ready[state_->rng() % ready.size()];
  } else {
    ep = *std::min_element(ready.begin(), ready.end(),
                           [](Endpoint* a, Endpoint* b) { return a->inbox.front().seq < b->inbox.front().seq; });
  }
  Event ev = std::move(ep->inbox.front());
  ep->inbox.pop_front();
  state_->copy_gone(ev);
  // Copy the callback: it may destroy the endpoint that owns it.
  switch (ev.kind) {
    case Event::Kind::kMessage: {
      auto cb = ep->transport->on_message;
      if (cb) cb(ev.from, *ev.payload);
      break;
    }
    case Event::Kind::kMembership: {
      auto cb = ep->transport->on_membership;
      if (cb) cb(ev.change);
      break;
    }
    case Event::Kind::kLost: {
      auto cb = ep->transport->on_lost;
      if (cb) cb(unavailable("corosync on node " + std::to_string(ep->node) + " went away"));
      break;
    }
    case Event::Kind::kQuorum:
      ep->quorum->deliver(ev.quorate, std::move(ev.quorum_members));
      break;
  }
  return true;
}

size_t SimulatedNetwork::deliver_all(size_t max_steps) {
  size_t n = 0;
  while (n < max_steps && step()) ++n;
  return n;
}

size_t SimulatedNetwork::pending() const {
  size_t n = 0;
  for (auto& [id, ep] : state_->endpoints) n += ep->inbox.size();
  return n;
}

size_t SimulatedNetwork::pending_from(NodeId node) const {
  std::set<uint64_t> seqs;
  for (auto& [id, ep] : state_->endpoints) {
    for (const Event& ev : ep->inbox) {
      if (ev.kind == Event::Kind::kMessage && ev.from == node) seqs.insert(ev.seq);
    }
  }
  return seqs.size();
}

const std::vector<NodeId>& SimulatedNetwork::nodes() const { return state_->nodes; }
bool SimulatedNetwork::is_up(NodeId node) const { return state_->is_up(node); }
std::vector<NodeId> SimulatedNetwork::component_of(NodeId node) const { return state_->component(node); }
bool SimulatedNetwork::quorate(NodeId node) const { return state_->quorate(node); }

std::string SimulatedNetwork::node_name(NodeId node) const {
  auto it = state_->names.find(node);
  return it != state_->names.end() ? it->second : "n" + std::to_string(node);
}

void SimulatedNetwork::set_node_name(NodeId node, std::string name) { state_->names[node] = std::move(name); }

}  // namespace crm::cluster
