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

Status PosixFileSystem::write_file(const std::string& path, const std::string& data) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (fd.get() < 0) return errno_error("create " + path, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write " + path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
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

// ---- FaultInjectingFileSystem ----

std::string FaultInjectingFileSystem::parent(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status FaultInjectingFileSystem::mutating(const char* what, const std::string& path) {
  ++operations_;
  if (fail_after_ == 0) return io_error(std::string(what) + " " + path + ": injected failure");
  if (fail_after_ > 0) --fail_after_;
  return Status::Ok();
}

Status FaultInjectingFileSystem::create_dirs(const std::string& dir) {
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (!partial.empty()) dirs_[partial] = true;
  }
  return Status::Ok();
}

Result<std::string> FaultInjectingFileSystem::read_file(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return not_found(path + " does not exist");
  return it->second->data;
}

Status FaultInjectingFileSystem::write_file(const std::string& path, const std::string& data) {
  RETURN_IF_ERROR(mutating("write", path));
  if (!dirs_.count(parent(path))) return not_found("directory " + parent(path) + " does not exist");
  auto& inode = files_[path];
  if (!inode) inode = std::make_shared<Inode>();
  inode->data = data;
  return Status::Ok();
}

Status FaultInjectingFileSystem::sync_file(const std::string& path) {
  RETURN_IF_ERROR(mutating("fsync", path));
  auto it = files_.find(path);
  if (it == files_.end()) return not_found(path + " does not exist");
  it->second->synced = it->second->data;
  return Status::Ok();
}

Status FaultInjectingFileSystem::rename(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(mutating("rename", from));
  auto it = files_.find(from);
  if (it == files_.end()) return not_found(from + " does not exist");
  auto inode = it->second;
  files_.erase(it);
  files_[to] = inode;
  return Status::Ok();
}

Status FaultInjectingFileSystem::sync_dir(const std::string& dir) {
  RETURN_IF_ERROR(mutating("fsync", dir));
  for (auto it = durable_.begin(); it != durable_.end();) {
    if (parent(it->first) == dir) it = durable_.erase(it);
    else ++it;
  }
  for (const auto& [path, inode] : files_) {
    if (parent(path) == dir) durable_[path] = inode;
  }
  return Status::Ok();
}

Status FaultInjectingFileSystem::remove(const std::string& path) {
  RETURN_IF_ERROR(mutating("unlink", path));
  if (files_.erase(path) == 0) return not_found(path + " does not exist");
  return Status::Ok();
}

Result<std::vector<std::string>> FaultInjectingFileSystem::list_dir(const std::string& dir) {
  if (!dirs_.count(dir)) return not_found(dir + " does not exist");
  std::vector<std::string> names;
  for (const auto& [path, inode] : files_) {
    if (parent(path) == dir) names.push_back(path.substr(dir.size() + 1));
  }
  return names;  // std::map keeps them sorted
}

void FaultInjectingFileSystem::crash(CrashMode mode) {
  files_ = durable_;
  for (auto& [path, inode] : files_) {
    if (inode->data == inode->synced) continue;
    if (mode == CrashMode::kTorn && inode->data.size() > inode->synced.size() &&
        inode->data.compare(0, inode->synced.size(), inode->synced) == 0) {
      // The synced prefix plus some of what followed it.
      size_t extra = inode->data.size() - inode->synced.size();
      size_t keep = inode->synced.size() + std::uniform_int_distribution<size_t>(0, extra)(rng_);
      inode->data.resize(keep);
    } else {
      inode->data = inode->synced;
    }
    inode->synced = inode->data;
  }
  fail_after_ = -1;
}

void FaultInjectingFileSystem::corrupt(const std::string& path, size_t offset, char byte) {
  auto it = files_.find(path);
  if (it == files_.end() || offset >= it->second->data.size()) return;
  it->second->data[offset] = byte;
  it->second->synced = it->second->data;
}

void FaultInjectingFileSystem::truncate(const std::string& path, size_t size) {
  auto it = files_.find(path);
  if (it == files_.end() || size >= it->second->data.size()) return;
  it->second->data.resize(size);
  it->second->synced = it->second->data;
}

}  // namespace crm::cib
