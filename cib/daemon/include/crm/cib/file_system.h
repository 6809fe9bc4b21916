// Files behind a narrow interface with an explicit sync, so the durable CIB
// store is pure logic that tests can crash at any point (leveldb's Env and
// fault_injection_test). Daemons use PosixFileSystem; tests use
// FaultInjectingFileSystem, which remembers what was synced and can drop
// everything else as a power loss would.
//
//   PosixFileSystem fs;
//   RETURN_IF_ERROR(fs.write_file(dir + "/x.tmp", data));
//   RETURN_IF_ERROR(fs.sync_file(dir + "/x.tmp"));   // data durable
//   RETURN_IF_ERROR(fs.rename(dir + "/x.tmp", dir + "/x"));
//   RETURN_IF_ERROR(fs.sync_dir(dir));                // name durable
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "crm/core/status.h"

namespace crm::cib {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Creates `dir` and its parents (mode 0750); OK when it exists.
  virtual Status create_dirs(const std::string& dir) = 0;
  // The whole content of a file; not-found when absent.
  virtual Result<std::string> read_file(const std::string& path) = 0;
  // Creates or truncates `path` and writes `data`. Not durable until sync_file.
  virtual Status write_file(const std::string& path, const std::string& data) = 0;
  // Adds `data` at the end of `path` (created when missing). Not durable until
  // sync_file (and, for a new file, sync_dir of its parent).
  virtual Status append_file(const std::string& path, const std::string& data) = 0;
  // Makes the file's content durable (fsync).
  virtual Status sync_file(const std::string& path) = 0;
  // Atomically renames (replacing `to`). Not durable until sync_dir of the parent.
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // Makes the directory's entries (creations, renames, removals) durable.
  virtual Status sync_dir(const std::string& dir) = 0;
  // Removes a file; not-found when absent.
  virtual Status remove(const std::string& path) = 0;
  // Names (not paths) of the entries in `dir`, sorted.
  virtual Result<std::vector<std::string>> list_dir(const std::string& dir) = 0;
};

// The real thing: open/write/fsync/rename/fsync(dir) on POSIX.
class PosixFileSystem final : public FileSystem {
 public:
  Status create_dirs(const std::string& dir) override;
  Result<std::string> read_file(const std::string& path) override;
  Status write_file(const std::string& path, const std::string& data) override;
  Status append_file(const std::string& path, const std::string& data) override;
  Status sync_file(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status sync_dir(const std::string& dir) override;
  Status remove(const std::string& path) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;
};

}  // namespace crm::cib
