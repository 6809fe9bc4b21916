#include "crm/cib/testing/fault_injecting_file_system.h"

#include <algorithm>

namespace crm::cib {

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

Status FaultInjectingFileSystem::append_file(const std::string& path, const std::string& data) {
  RETURN_IF_ERROR(mutating("append", path));
  if (!dirs_.count(parent(path))) return not_found("directory " + parent(path) + " does not exist");
  auto& inode = files_[path];
  if (!inode) inode = std::make_shared<Inode>();
  inode->data += data;
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
