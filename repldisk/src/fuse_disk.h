// The copy as a file: a FUSE mount with one regular file, `disk`, served
// with libfuse's low-level API on the daemon's EventLoop (the /dev/fuse fd
// is just another watched fd). Requests are answered later, from the loop:
// a write returns to the kernel (and so to the loop device above it) only
// when the Disk says so, after the peers acknowledged it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "crm/core/event_loop.h"
#include "crm/core/status.h"

namespace crm::repldisk {

class FuseDisk {
 public:
  // What the mount asks of the daemon. `done` takes 0 or a positive errno.
  struct Handler {
    virtual ~Handler() = default;
    virtual int open(bool for_write) = 0;  // 0, or an errno (EROFS on a Secondary)
    virtual void release() = 0;
    virtual Result<std::string> read(uint64_t offset, size_t length) = 0;
    virtual void write(uint64_t offset, std::string_view data, std::function<void(int)> done) = 0;
    virtual void fsync(std::function<void(int)> done) = 0;
  };

  // Mounts at `mountpoint` (created; a stale mount of a dead daemon is
  // lazily unmounted first) a file `disk` of `size` bytes.
  static Result<std::unique_ptr<FuseDisk>> mount(EventLoop& loop, const std::string& mountpoint, uint64_t size,
                                                 Handler& handler);
  ~FuseDisk();  // unmounts (lazily: a loop device still attached keeps the file until detached)
  FuseDisk(const FuseDisk&) = delete;
  FuseDisk& operator=(const FuseDisk&) = delete;

  // Set when the kernel ended the session (someone unmounted us).
  std::function<void()> on_gone;

  struct Impl;

 private:
  explicit FuseDisk(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crm::repldisk
