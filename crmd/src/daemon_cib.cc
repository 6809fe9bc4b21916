#include "daemon_cib.h"

namespace crm::crmd {

Result<std::unique_ptr<DaemonCib>> DaemonCib::connect(EventLoop& loop) {
  std::unique_ptr<DaemonCib> d(new DaemonCib(loop));
  cib::ClientOptions opts;  // the daemon, never CIB_file
  ASSIGN_OR_RETURN(d->query_, cib::connect(opts));
  ASSIGN_OR_RETURN(d->notify_, cib::connect(opts));
  ASSIGN_OR_RETURN(d->writer_, cib::connect(opts));
  RETURN_IF_ERROR(d->notify_->subscribe());
  DaemonCib* self = d.get();
  loop.watch_fd(d->notify_->fd(), [self] { self->on_notify_readable(); });
  d->thread_ = std::thread([self] { self->worker(); });
  return d;
}

DaemonCib::~DaemonCib() {
  *alive_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (notify_ && notify_->fd() >= 0) loop_.unwatch_fd(notify_->fd());
}

const cib::Cib& DaemonCib::current() const {
  if (stale_) {
    auto fresh = query_->query_cib();
    if (fresh.ok()) {
      cache_ = std::move(fresh).value();
      stale_ = false;
    }
  }
  return cache_;
}

void DaemonCib::submit(const cib::Request& request, std::function<void(const Status&)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back({request, std::move(done)});
  }
  cv_.notify_one();
}

size_t DaemonCib::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

void DaemonCib::worker() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    auto reply = writer_->call(job.request);
    Status st = reply.ok() ? Status::Ok() : reply.status();
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive, st, done = std::move(job.done)] {
      if (alive.expired()) return;
      stale_ = true;  // our change is in the replicated copy now
      if (done) done(st);
    });
  }
}

void DaemonCib::on_notify_readable() {
  auto n = notify_->read_notifications();
  if (!n.ok()) {
    loop_.unwatch_fd(notify_->fd());
    if (on_lost) on_lost();
    return;
  }
  if (n->empty()) return;
  stale_ = true;
  if (on_change) on_change();
}

}  // namespace crm::crmd
