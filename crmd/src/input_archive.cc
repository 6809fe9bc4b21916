#include "input_archive.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "crm/core/compress.h"
#include "crm/crmd/controller.h"

namespace crm::crmd {

namespace {

struct SeriesInfo {
  const char* name;
  const char* option;
  long default_max;
};

SeriesInfo info(InputArchive::Series s) {
  switch (s) {
    case InputArchive::Series::kError: return {"pe-error", "pe-error-series-max", -1};
    case InputArchive::Series::kWarn: return {"pe-warn", "pe-warn-series-max", 5000};
    case InputArchive::Series::kInput: break;
  }
  return {"pe-input", "pe-input-series-max", 4000};
}

}  // namespace

const char* InputArchive::series_name(Series series) { return info(series).name; }

InputArchive::InputArchive(std::string dir, std::function<void(const std::string&)> log)
    : dir_(std::move(dir)), log_(std::move(log)) {
  // The worker takes no signals: a SIGTERM meant for the daemon's event
  // loop (which reads it from a signalfd) must not land here and kill the
  // process with the default action. Threads inherit the creator's mask.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  worker_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

InputArchive::~InputArchive() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

InputArchive::Kept InputArchive::keep(const cib::Cib& cib, std::time_t now, Series series) {
  const SeriesInfo si = info(series);
  long max = si.default_max;
  if (auto v = bootstrap_option(cib, si.option)) {
    char* end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    if (end != v->c_str()) max = n < -1 ? -1 : n;
  }
  if (max == 0) return {};
  std::string text = cib.serialize(false);
  const size_t hash = std::hash<std::string>{}(text);
  if (hash == last_hash_ && !last_path_.empty()) return {last_path_, true};
  // The time it ran at, on the root element (crm_simulate replays at it).
  if (size_t at = text.find("<cib"); at != std::string::npos)
    text.insert(at + 4, " execution-date=\"" + std::to_string(static_cast<long long>(now)) + "\"");
  auto it = next_.find(series);
  if (it == next_.end()) {
    long n = 0;
    std::ifstream in(dir_ + "/" + si.name + ".last");
    if (!(in >> n) || n < 0) n = 0;
    it = next_.emplace(series, n).first;
  }
  long& next = it->second;
  if (max > 0 && next >= max) next = 0;
  const std::string path = dir_ + "/" + si.name + "-" + std::to_string(next) + ".bz2";
  ++next;
  if (max > 0 && next >= max) next = 0;
  last_hash_ = hash;
  last_path_ = path;
  {
    std::unique_lock<std::mutex> lock(mu_);
    // The worker runs at the lowest priority; when inputs come faster than
    // it compresses them (a large CIB changed again and again), the DC waits
    // here rather than queue a copy of the CIB per plan without bound.
    if (queue_.size() >= kMaxQueued) {
      if (log_) log_("waiting for " + std::to_string(queue_.size()) + " scheduler inputs to be saved");
      cv_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
    }
    queue_.push_back({path, std::move(text), dir_ + "/" + si.name + ".last", std::to_string(next)});
  }
  cv_.notify_all();
  return {path, false};
}

void InputArchive::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void InputArchive::run() {
  // Saving inputs is on no path the cluster waits for: it gets the CPU the
  // daemons leave (nice 19 applies to this thread alone on Linux).
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    cv_.notify_all();  // room in the queue
    lock.unlock();
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    auto packed = bzip2_compress(job.text, 1);
    bool ok = false;
    if (packed.ok()) {
      // Written aside and renamed: a crash leaves the old file or the new one.
      const std::string tmp = job.path + ".tmp";
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << *packed;
      out.close();
      ok = out.good() && std::rename(tmp.c_str(), job.path.c_str()) == 0;
      if (ok) ok = static_cast<bool>(std::ofstream(job.last_path, std::ios::trunc) << job.next << "\n");
    }
    if (!ok && log_) log_("cannot save the scheduler input in " + job.path);
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace crm::crmd
