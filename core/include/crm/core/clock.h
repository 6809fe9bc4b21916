// Time behind a narrow interface, passed to constructors: daemons get the
// SystemClock, tests and the cluster simulator a SimulatedClock that moves
// only when told. Nothing in the project calls a global now() directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>

namespace crm {

class Clock {
 public:
  using Monotonic = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  // For timeouts and intervals; never jumps.
  virtual Monotonic monotonic_now() const = 0;
  // Seconds since the epoch, for CIB timestamps (last-rc-change, failure expiry).
  virtual std::time_t wall_now() const = 0;
  // The same instant to the microsecond since the epoch (alert timestamps).
  virtual std::chrono::microseconds wall_now_us() const { return std::chrono::seconds(wall_now()); }
};

class SystemClock final : public Clock {
 public:
  Monotonic monotonic_now() const override { return std::chrono::steady_clock::now(); }
  std::time_t wall_now() const override { return std::time(nullptr); }
  std::chrono::microseconds wall_now_us() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
  }
};

// A clock for tests: starts at the given wall time and moves only by advance().
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(std::time_t wall_start = 1700000000) : wall_start_(wall_start) {}
  Monotonic monotonic_now() const override { return Monotonic() + elapsed_; }
  std::time_t wall_now() const override {
    return wall_start_ + std::chrono::duration_cast<std::chrono::seconds>(elapsed_).count();
  }
  std::chrono::microseconds wall_now_us() const override {
    return std::chrono::seconds(wall_start_) + std::chrono::duration_cast<std::chrono::microseconds>(elapsed_);
  }
  void advance(std::chrono::milliseconds by) { elapsed_ += by; }

 private:
  std::time_t wall_start_;
  std::chrono::steady_clock::duration elapsed_{};
};

}  // namespace crm
