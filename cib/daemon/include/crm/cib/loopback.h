// A one-member GroupTransport: every message sent comes back to the sender on
// the next loop iteration, and the membership is {local} from the start.
// cibd uses it only with --standalone (tests on a machine without corosync;
// never in production, where the CIB must be replicated).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crm/cluster/cluster.h"
#include "crm/core/event_loop.h"

namespace crm::cib {

class LoopbackTransport final : public cluster::GroupTransport {
 public:
  LoopbackTransport(EventLoop& loop, cluster::NodeId local);
  ~LoopbackTransport() override;
  cluster::NodeId local_node() const override { return local_; }
  Status send(std::string_view payload) override;

 private:
  void deliver();
  EventLoop& loop_;
  cluster::NodeId local_;
  std::vector<std::string> queue_;
  bool scheduled_ = false;
  std::shared_ptr<bool> alive_;
};

}  // namespace crm::cib
