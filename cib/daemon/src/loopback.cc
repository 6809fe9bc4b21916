#include "crm/cib/loopback.h"

namespace crm::cib {

LoopbackTransport::LoopbackTransport(EventLoop& loop, cluster::NodeId local)
    : loop_(loop), local_(local), alive_(std::make_shared<bool>(true)) {
  std::weak_ptr<bool> alive = alive_;
  loop_.post([this, alive] {
    if (alive.expired() || !on_membership) return;
    on_membership(cluster::MembershipChange{{local_}, {local_}, {}});
  });
}

LoopbackTransport::~LoopbackTransport() = default;

Status LoopbackTransport::send(std::string_view payload) {
  queue_.emplace_back(payload);
  if (!scheduled_) {
    scheduled_ = true;
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive] {
      if (!alive.expired()) deliver();
    });
  }
  return Status::Ok();
}

void LoopbackTransport::deliver() {
  scheduled_ = false;
  auto batch = std::move(queue_);
  queue_.clear();
  for (const auto& msg : batch)
    if (on_message) on_message(local_, msg);
}

}  // namespace crm::cib
