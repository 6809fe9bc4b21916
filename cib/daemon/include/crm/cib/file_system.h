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
  Status sync_file(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status sync_dir(const std::string& dir) override;
  Status remove(const std::string& path) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;
};

// An in-memory file system that models a page cache over a disk. Every file
// has its current content and its durable (synced) content; every directory
// has its current entries and its durable entries. crash() throws away all
// that was not synced, as a power loss does: a renamed file whose directory
// was not synced goes back to its old name, a file never fsynced comes back
// empty (or, with kTorn, with a random prefix of what was written).
// Directories themselves are durable once created.
class FaultInjectingFileSystem final : public FileSystem {
 public:
  enum class CrashMode {
    kDropUnsynced,  // unsynced data and directory changes vanish
    kTorn,          // unsynced data survives as a random prefix (torn write)
  };
  explicit FaultInjectingFileSystem(uint64_t seed = 1) : rng_(seed) {}

  Status create_dirs(const std::string& dir) override;
  Result<std::string> read_file(const std::string& path) override;
  Status write_file(const std::string& path, const std::string& data) override;
  Status sync_file(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status sync_dir(const std::string& dir) override;
  Status remove(const std::string& path) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;

  // Simulates a power loss: afterwards only what was synced remains.
  void crash(CrashMode mode = CrashMode::kDropUnsynced);
  // After `n` more mutating calls (write/sync/rename/remove), every mutating
  // call fails with io-error until clear_failures(). Models a full or dying disk.
  void fail_after(int n) { fail_after_ = n; }
  void clear_failures() { fail_after_ = -1; }
  // Test helpers: overwrite content directly (durably), as bit rot would.
  void corrupt(const std::string& path, size_t offset, char byte);
  void truncate(const std::string& path, size_t size);
  // Number of mutating calls so far (to crash at every possible point).
  int operations() const { return operations_; }
  bool exists(const std::string& path) const { return files_.count(path) > 0; }

 private:
  struct Inode {
    std::string data;
    std::string synced;
  };
  Status mutating(const char* what, const std::string& path);
  static std::string parent(const std::string& path);

  std::mt19937_64 rng_;
  int fail_after_ = -1;
  int operations_ = 0;
  std::map<std::string, bool> dirs_;
  std::map<std::string, std::shared_ptr<Inode>> files_;    // current names
  std::map<std::string, std::shared_ptr<Inode>> durable_;  // names as of the last sync_dir
};

}  // namespace crm::cib
