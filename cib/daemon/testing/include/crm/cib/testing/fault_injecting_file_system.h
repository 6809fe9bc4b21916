// Test-only: a FileSystem that forgets what was never synced, for proving
// that every acknowledged CIB change survives a power loss (leveldb's
// fault_injection_test idea). Linked by tests and the simulation only
// (target crm_cib_testing), never by the daemons.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "crm/cib/file_system.h"

namespace crm::cib {

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
  Status append_file(const std::string& path, const std::string& data) override;
  Status sync_file(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status sync_dir(const std::string& dir) override;
  Status remove(const std::string& path) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;

  // Simulates a power loss: afterwards only what was synced remains.
  void crash(CrashMode mode = CrashMode::kDropUnsynced);
  // After `n` more mutating calls (write/append/sync/rename/remove), every mutating
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
