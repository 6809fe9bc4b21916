// The durable CIB store: every node keeps its copy of the CIB on disk so that
// an acknowledged change survives a crash or power loss.
//
// Layout of the directory ($CRM_STATE_DIR/cib, else /var/lib/crm/cib):
//   cib-<seq>.xml      a snapshot: the CIB as written (seq grows by one per save)
//   cib-<seq>.sig      "sha256 <hex of cib-<seq>.xml> <byte count>\n"
//   cib-<seq>.journal  the changes applied after snapshot <seq>, in order
// The newest `keep` generations are kept. A save writes both files under
// temporary names, fsyncs them, renames them into place and fsyncs the
// directory; only then does save() return OK. append() adds changes to the
// journal of the newest snapshot with one write and one fsync, so a change
// costs what it changes, not what the CIB holds; once the journal has grown
// as big as the snapshot, append() writes a new snapshot instead. load()
// takes the newest generation whose digest matches and which parses, replays
// its journal up to the first record that is torn or does not apply, and
// reports every newer generation it had to skip (truncated, corrupt, digest
// missing) and a journal's damaged tail.
//
// A journal record: "change <from> <to> <form> <bytes> <sha256 hex>\n<text>\n",
// <form> being "patch" (a v2 patch, cib.h) or "request" (a cib-request
// message, request.h, replayed with apply_request).
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
#include <string_view>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/cib/file_system.h"
#include "crm/core/status.h"

namespace crm::cib {

struct StoreOptions {
  std::string dir;
  int keep = 5;  // generations kept on disk (>= 1)
  // A journal smaller than this never triggers a snapshot (small CIBs would
  // otherwise write a snapshot every few changes).
  size_t min_journal_bytes = 1 << 20;
};

// One change as a replica applied it: the v2 patch it received, or the
// request it replayed (status changes), between two versions.
struct JournalEntry {
  enum class Form { kPatch, kRequest };
  Form form = Form::kPatch;
  std::string text;  // the patch, or encode("cib-request", ...) of the request
  Version from, to;
};

// "patch" / "request": a form's name in the journal and on the wire.
const char* journal_form_name(JournalEntry::Form form);
// The form named `name`, or none for any other name.
std::optional<JournalEntry::Form> journal_form_from_name(std::string_view name);

// Applies `entry` to `cib`, which must be at entry.from, and checks that it
// reached entry.to. All or nothing: on an error `cib` is as it was, except
// after a "reached another version" error (the change applied, to a
// different end). How a replica's journal replays, and how a subscriber of
// cibd keeps its own copy from the changes the notifications carry.
Status apply_journal_entry(Cib& cib, const JournalEntry& entry);

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
  // Makes `entries` (the changes that led to `now`, oldest first) durable:
  // appended to the newest snapshot's journal and fsynced, or, when there is
  // no snapshot yet or the journal has outgrown it, as a new snapshot of `now`.
  Status append(const std::vector<JournalEntry>& entries, const Cib& now);

  uint64_t last_seq() const { return seq_; }
  // Bytes in the newest snapshot's journal (0 right after a snapshot).
  size_t journal_bytes() const { return journal_bytes_; }
  const std::string& dir() const { return options_.dir; }
  // Hex SHA-256 of `data`.
  static std::string sha256_hex(const std::string& data);

 private:
  std::string path(uint64_t seq, const char* ext) const;
  FileSystem& fs_;
  StoreOptions options_;
  uint64_t seq_ = 0;
  bool dir_ready_ = false;
  size_t snapshot_bytes_ = 0;
  size_t journal_bytes_ = 0;
  // append() writes a snapshot rather than appending: until a snapshot is
  // known (load() found one, or save() wrote one), and when the newest
  // journal has a damaged tail, so nothing is ever appended after garbage.
  bool snapshot_due_ = true;
};

}  // namespace crm::cib
