#define FUSE_USE_VERSION 34
#include "fuse_disk.h"

#include <fuse3/fuse_lowlevel.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace crm::repldisk {

namespace {
constexpr fuse_ino_t kDiskIno = 2;
constexpr const char* kDiskName = "disk";
}  // namespace

struct FuseDisk::Impl {
  EventLoop& loop;
  FuseDisk::Handler& handler;
  uint64_t size;
  std::string mountpoint;
  fuse_session* se = nullptr;
  int fd = -1;
  fuse_buf buf{};
  FuseDisk* owner = nullptr;
  // Replies still owed when the mount goes away must not touch a dead session.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  Impl(EventLoop& l, FuseDisk::Handler& h, uint64_t s, std::string m)
      : loop(l), handler(h), size(s), mountpoint(std::move(m)) {}

  void fill_attr(fuse_ino_t ino, struct stat* st) const {
    std::memset(st, 0, sizeof *st);
    st->st_ino = ino;
    if (ino == FUSE_ROOT_ID) {
      st->st_mode = S_IFDIR | 0755;
      st->st_nlink = 2;
    } else {
      st->st_mode = S_IFREG | 0600;
      st->st_nlink = 1;
      st->st_size = static_cast<off_t>(size);
      st->st_blksize = 4096;
      st->st_blocks = static_cast<blkcnt_t>(size / 512);
    }
  }

  void on_readable() {
    int n = fuse_session_receive_buf(se, &buf);
    if (n == -EINTR || n == -EAGAIN) return;
    if (n <= 0 || fuse_session_exited(se)) {
      loop.unwatch_fd(fd);
      if (owner && owner->on_gone) owner->on_gone();
      return;
    }
    fuse_session_process_buf(se, &buf);
  }
};

namespace {

FuseDisk::Impl* impl_of(fuse_req_t req) { return static_cast<FuseDisk::Impl*>(fuse_req_userdata(req)); }

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  if (parent != FUSE_ROOT_ID || std::strcmp(name, kDiskName) != 0) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  fuse_entry_param e{};
  e.ino = kDiskIno;
  e.attr_timeout = 1.0;
  e.entry_timeout = 1.0;
  impl_of(req)->fill_attr(kDiskIno, &e.attr);
  fuse_reply_entry(req, &e);
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  if (ino != FUSE_ROOT_ID && ino != kDiskIno) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  struct stat st;
  impl_of(req)->fill_attr(ino, &st);
  fuse_reply_attr(req, &st, 1.0);
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  if (ino != FUSE_ROOT_ID) {
    fuse_reply_err(req, ENOTDIR);
    return;
  }
  // Three fixed entries, each with its index + 1 as the next offset.
  const char* names[] = {".", "..", kDiskName};
  fuse_ino_t inos[] = {FUSE_ROOT_ID, FUSE_ROOT_ID, kDiskIno};
  std::string out;
  for (off_t i = off; i < 3; ++i) {
    struct stat st {};
    st.st_ino = inos[i];
    st.st_mode = i == 2 ? S_IFREG : S_IFDIR;
    size_t need = fuse_add_direntry(req, nullptr, 0, names[i], nullptr, 0);
    if (out.size() + need > size) break;
    size_t at = out.size();
    out.resize(at + need);
    fuse_add_direntry(req, out.data() + at, need, names[i], &st, i + 1);
  }
  fuse_reply_buf(req, out.data(), out.size());
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (ino != kDiskIno) {
    fuse_reply_err(req, EISDIR);
    return;
  }
  int err = impl_of(req)->handler.open((fi->flags & O_ACCMODE) != O_RDONLY);
  if (err) {
    fuse_reply_err(req, err);
    return;
  }
  // keep_cache stays 0: each open drops the kernel's cached pages, so a
  // copy that received replicated writes while Secondary (behind the
  // kernel's back) is never read stale after its promotion.
  fuse_reply_open(req, fi);
}

void op_release(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  impl_of(req)->handler.release();
  fuse_reply_err(req, 0);
}

void op_read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info*) {
  auto data = impl_of(req)->handler.read(static_cast<uint64_t>(off), size);
  if (!data.ok()) {
    fuse_reply_err(req, EIO);
    return;
  }
  fuse_reply_buf(req, data->data(), data->size());
}

void op_write(fuse_req_t req, fuse_ino_t, const char* buf, size_t size, off_t off, fuse_file_info*) {
  FuseDisk::Impl* impl = impl_of(req);
  if (off < 0 || static_cast<uint64_t>(off) >= impl->size) {
    fuse_reply_err(req, ENOSPC);
    return;
  }
  size = static_cast<size_t>(std::min<uint64_t>(size, impl->size - static_cast<uint64_t>(off)));
  std::weak_ptr<bool> alive = impl->alive;
  impl->handler.write(static_cast<uint64_t>(off), std::string_view(buf, size), [req, size, alive](int err) {
    if (alive.expired()) return;
    if (err) fuse_reply_err(req, err);
    else fuse_reply_write(req, size);
  });
}

void reply_synced(fuse_req_t req) {
  std::weak_ptr<bool> alive = impl_of(req)->alive;
  impl_of(req)->handler.fsync([req, alive](int err) {
    if (!alive.expired()) fuse_reply_err(req, err);
  });
}

void op_fsync(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) { reply_synced(req); }

void op_flush(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  // close(2): nothing is buffered here (every write went out before it
  // returned); fsync is what makes data durable.
  fuse_reply_err(req, 0);
}

const fuse_lowlevel_ops kOps = [] {
  fuse_lowlevel_ops o{};
  o.lookup = op_lookup;
  o.getattr = op_getattr;
  o.readdir = op_readdir;
  o.open = op_open;
  o.release = op_release;
  o.read = op_read;
  o.write = op_write;
  o.flush = op_flush;
  o.fsync = op_fsync;
  return o;
}();

}  // namespace

FuseDisk::FuseDisk(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->owner = this; }

Result<std::unique_ptr<FuseDisk>> FuseDisk::mount(EventLoop& loop, const std::string& mountpoint, uint64_t size,
                                                  Handler& handler) {
  // A daemon killed with its mount in place leaves "Transport endpoint is
  // not connected" behind, which mount(2) cannot mount over.
  ::umount2(mountpoint.c_str(), MNT_DETACH);
  std::error_code ec;
  std::filesystem::create_directories(mountpoint, ec);
  if (ec) return io_error("creating " + mountpoint + ": " + ec.message());
  auto impl = std::make_unique<Impl>(loop, handler, size, mountpoint);
  // default_permissions: the kernel checks the file's mode (0600, root).
  const char* argv[] = {"crm-repldisk", "-o", "fsname=crm-repldisk,subtype=repldisk,default_permissions", nullptr};
  fuse_args args = FUSE_ARGS_INIT(3, const_cast<char**>(argv));
  impl->se = fuse_session_new(&args, &kOps, sizeof kOps, impl.get());
  fuse_opt_free_args(&args);
  if (!impl->se) return io_error("fuse_session_new failed");
  if (fuse_session_mount(impl->se, mountpoint.c_str()) != 0) {
    fuse_session_destroy(impl->se);
    impl->se = nullptr;
    return io_error("cannot mount FUSE at " + mountpoint + " (is /dev/fuse there, are we root?)");
  }
  impl->fd = fuse_session_fd(impl->se);
  Impl* raw = impl.get();
  loop.watch_fd(impl->fd, [raw] { raw->on_readable(); });
  return std::unique_ptr<FuseDisk>(new FuseDisk(std::move(impl)));
}

FuseDisk::~FuseDisk() {
  if (!impl_ || !impl_->se) return;
  *impl_->alive = false;
  impl_->loop.unwatch_fd(impl_->fd);
  fuse_session_unmount(impl_->se);
  fuse_session_destroy(impl_->se);
  std::free(impl_->buf.mem);
}

}  // namespace crm::repldisk
