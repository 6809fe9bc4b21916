// The durable CIB store: every node keeps its copy of the CIB on disk so that
// an acknowledged change survives a crash or power loss.
//
// Layout of the directory ($CRM_STATE_DIR/cib, else /var/lib/crm/cib):
//   cib-<seq>.xml   the CIB as written (seq grows by one per save)
//   cib-<seq>.sig   "sha256 <hex of cib-<seq>.xml> <byte count>\n"
// The newest `keep` generations are kept. A save writes both files under
// temporary names, fsyncs them, renames them into place and fsyncs the
// directory; only then does save() return OK. load() takes the newest
// generation whose digest matches and which parses, and reports every newer
// one it had to skip (truncated, corrupt, digest missing).
//
//   PosixFileSystem fs;
//   CibStore store(fs, {.dir = CibStore::default_dir()});
//   ASSIGN_OR_RETURN(CibStore::Loaded loaded, store.load());
//   for (auto& w : loaded.warnings) log(w);
//   RETURN_IF_ERROR(store.save(cib));   // durable when OK
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/cib/file_system.h"
#include "crm/core/status.h"

namespace crm::cib {

struct StoreOptions {
  std::string dir;
  int keep = 5;  // generations kept on disk (>= 1)
};

class CibStore {
 public:
  CibStore(FileSystem& fs, StoreOptions options);

  // $CRM_STATE_DIR/cib, else /var/lib/crm/cib.
  static std::string default_dir();

  struct Loaded {
    std::optional<Cib> cib;             // empty when the directory holds no good copy
    std::string file;                   // the file it came from
    uint64_t seq = 0;
    std::vector<std::string> warnings;  // one per skipped generation, newest first
  };
  // Creates the directory if needed, removes leftover temporary files and
  // returns the newest good copy. Fails only when the directory cannot be
  // read; "no copy at all" is OK with `cib` empty (and a warning when files
  // existed but none was good).
  Result<Loaded> load();

  // Writes `cib` durably as the next generation and prunes old ones. On
  // failure the previous generations are untouched and the next load()
  // returns either the old or (if the failure came after the rename) the new copy.
  Status save(const Cib& cib);
  // The same for an already serialized CIB.
  Status save_text(const std::string& xml_text);

  uint64_t last_seq() const { return seq_; }
  const std::string& dir() const { return options_.dir; }
  // Hex SHA-256 of `data`.
  static std::string sha256_hex(const std::string& data);

 private:
  std::string path(uint64_t seq, const char* ext) const;
  FileSystem& fs_;
  StoreOptions options_;
  uint64_t seq_ = 0;
  bool dir_ready_ = false;
};

}  // namespace crm::cib
