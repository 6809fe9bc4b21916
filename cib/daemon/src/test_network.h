// A small deterministic group network for the replication tests: one global
// agreed order of messages and membership changes with virtual synchrony
// (a member that joins sees only what is ordered after its join; a killed
// node's messages still in flight reach every survivor or none).
// TODO: switch to crm/cluster/simulated.h (crm_cluster_sim) when it lands.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crm/cluster/cluster.h"

namespace crm::cib::testing {

class TestNetwork {
 public:
  explicit TestNetwork(uint64_t seed = 1) : rng_(seed) {}

  class Endpoint final : public cluster::GroupTransport {
   public:
    Endpoint(TestNetwork* net, cluster::NodeId id) : net_(net), id_(id) {}
    cluster::NodeId local_node() const override { return id_; }
    Status send(std::string_view payload) override {
      if (!alive_) return unavailable("endpoint is dead");
      if (!active_) return unavailable("not joined yet");
      net_->queue_.push_back(Event{false, id_, std::string(payload), {}, {}, {}});
      return Status::Ok();
    }
    bool alive_ = true;
    bool active_ = false;  // its join has been delivered

   private:
    TestNetwork* net_;
    cluster::NodeId id_;
  };

  // A process joins; its membership change is ordered after everything queued.
  Endpoint& join(cluster::NodeId id) {
    auto ep = std::make_unique<Endpoint>(this, id);
    Endpoint& ref = *ep;
    endpoints_[id] = std::move(ep);
    pending_members_.insert(id);
    queue_membership({id}, {});
    return ref;
  }
  // A process dies now: it receives nothing more. Its messages still in flight
  // are delivered to all survivors or dropped for all (a coin toss, or `drop`).
  void kill(cluster::NodeId id, int drop = -1) {
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) return;
    it->second->alive_ = false;
    bool drop_all = drop < 0 ? std::uniform_int_distribution<int>(0, 1)(rng_) == 1 : drop == 1;
    if (drop_all) {
      std::erase_if(queue_, [&](const Event& e) { return !e.membership && e.from == id; });
    }
    dead_.push_back(std::move(it->second));  // keep the object alive for callbacks captured by tests
    endpoints_.erase(it);
    pending_members_.erase(id);
    queue_membership({}, {id});
  }

  // Delivers the next event; false when nothing is queued.
  bool step() {
    if (queue_.empty()) return false;
    Event e = std::move(queue_.front());
    queue_.pop_front();
    if (e.membership) {
      for (auto id : e.joined) {
        members_.insert(id);
        auto it = endpoints_.find(id);
        if (it != endpoints_.end()) it->second->active_ = true;
      }
      for (auto id : e.left) members_.erase(id);
      cluster::MembershipChange c;
      c.members.assign(members_.begin(), members_.end());
      c.joined = e.joined;
      c.left = e.left;
      for (auto id : std::vector<cluster::NodeId>(c.members)) {
        auto it = endpoints_.find(id);
        if (it != endpoints_.end() && it->second->active_ && it->second->on_membership) it->second->on_membership(c);
      }
    } else {
      for (auto id : std::vector<cluster::NodeId>(members_.begin(), members_.end())) {
        auto it = endpoints_.find(id);
        if (it != endpoints_.end() && it->second->active_ && it->second->on_message)
          it->second->on_message(e.from, e.payload);
      }
    }
    return true;
  }
  // Runs until nothing is queued (bounded); returns the number of steps.
  int run(int limit = 100000) {
    int n = 0;
    while (n < limit && step()) ++n;
    return n;
  }
  size_t queued() const { return queue_.size(); }
  // How many queued messages were sent by `from`.
  size_t queued_from(cluster::NodeId from) const {
    return std::count_if(queue_.begin(), queue_.end(), [&](const Event& e) { return !e.membership && e.from == from; });
  }

 private:
  struct Event {
    bool membership;
    cluster::NodeId from;
    std::string payload;
    std::vector<cluster::NodeId> joined, left;
    std::vector<cluster::NodeId> unused;
  };
  void queue_membership(std::vector<cluster::NodeId> joined, std::vector<cluster::NodeId> left) {
    Event e{true, 0, {}, std::move(joined), std::move(left), {}};
    queue_.push_back(std::move(e));
  }

  std::mt19937_64 rng_;
  std::deque<Event> queue_;
  std::set<cluster::NodeId> members_;
  std::set<cluster::NodeId> pending_members_;
  std::map<cluster::NodeId, std::unique_ptr<Endpoint>> endpoints_;
  std::vector<std::unique_ptr<Endpoint>> dead_;
};

}  // namespace crm::cib::testing
