// A node's copy: the image file and its metadata in the state directory.
// The metadata (generation, disk state, size, known peers) is a small
// key=value file written durably through the CIB store's cib::FileSystem
// (temp file, sync, rename, sync of the directory): a copy's claim to be
// UpToDate must survive a crash exactly as it was last written, never
// half-way; tests crash it with FaultInjectingFileSystem.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "crm/cib/file_system.h"
#include "crm/core/status.h"
#include "crm/repldisk/repldisk.h"

namespace crm::repldisk {

struct Metadata {
  Generation generation;
  DiskState state = DiskState::kUpToDate;
  uint64_t size = 0;
  // Every peer this copy has been told of (name -> host:port). Known peers
  // are never dropped by set-peers: a copy that stopped being talked about
  // must still be outdated before a Primary's writes complete.
  std::map<std::string, std::string> peers;

  std::string serialize() const;
  static Result<Metadata> parse(std::string_view text);
};

class Store {
 public:
  // Opens DIR/image and DIR/meta, creating both when missing: a fresh copy
  // is `size` zero bytes (sparse), generation 0:0, UpToDate. An existing
  // copy of another size is refused.
  static Result<Store> open(cib::FileSystem& fs, const std::string& dir, uint64_t size);
  Store(Store&& o) noexcept;
  Store& operator=(Store&&) = delete;
  ~Store();

  const Metadata& meta() const { return meta_; }
  // Replaces the metadata durably; on failure the old one stays in force.
  Status save(const Metadata& m);
  Status write(uint64_t offset, std::string_view data);
  Result<std::string> read(uint64_t offset, size_t length) const;
  Status sync();  // fdatasync of the image
  int fd() const { return fd_; }
  const std::string& dir() const { return dir_; }

 private:
  Store(cib::FileSystem& fs, std::string dir, int fd, Metadata m)
      : fs_(&fs), dir_(std::move(dir)), fd_(fd), meta_(std::move(m)) {}
  cib::FileSystem* fs_;
  std::string dir_;
  int fd_ = -1;
  Metadata meta_;
};

}  // namespace crm::repldisk
