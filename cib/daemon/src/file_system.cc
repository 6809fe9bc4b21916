#include "crm/cib/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace crm::cib {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status fsync_path(const std::string& path, int flags) {
  Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0) return errno_error("open " + path, errno);
  if (::fsync(fd.get()) != 0) return errno_error("fsync " + path, errno);
  return Status::Ok();
}

}  // namespace

// ---- PosixFileSystem ----

Status PosixFileSystem::create_dirs(const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0750) != 0 && errno != EEXIST) return errno_error("mkdir " + partial, errno);
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return errno_error("stat " + dir, errno);
  if (!S_ISDIR(st.st_mode)) return io_error(dir + " exists and is not a directory");
  return Status::Ok();
}

Result<std::string> PosixFileSystem::read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return not_found(path + " does not exist");
    return errno_error("open " + path, errno);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read " + path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

namespace {

Status write_all(int fd, const std::string& path, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write " + path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Status PosixFileSystem::write_file(const std::string& path, const std::string& data) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (fd.get() < 0) return errno_error("create " + path, errno);
  return write_all(fd.get(), path, data);
}

Status PosixFileSystem::append_file(const std::string& path, const std::string& data) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  if (fd.get() < 0) return errno_error("open " + path + " for appending", errno);
  return write_all(fd.get(), path, data);
}

// fsync through a fresh descriptor flushes the inode's dirty pages on Linux.
Status PosixFileSystem::sync_file(const std::string& path) { return fsync_path(path, O_RDONLY); }

Status PosixFileSystem::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return errno_error("rename " + from + " to " + to, errno);
  return Status::Ok();
}

Status PosixFileSystem::sync_dir(const std::string& dir) { return fsync_path(dir, O_RDONLY | O_DIRECTORY); }

Status PosixFileSystem::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return not_found(path + " does not exist");
    return errno_error("unlink " + path, errno);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> PosixFileSystem::list_dir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return not_found(dir + " does not exist");
    return errno_error("opendir " + dir, errno);
  }
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace crm::cib
