// import: turns another HA stack's configuration into a CIB <configuration>
// an administrator can read and edit, with a report of what was translated,
// approximated, or has no equivalent. Pure logic: text in, XML and report
// out (keepalived's `include` reads files through a FileReader).
//
//   ASSIGN_OR_RETURN(import::Imported out,
//                    import::from_haresources({"haresources", text}, import::Source{"ha.cf", ha_cf}));
//   std::cout << xml::to_string(out.configuration.get());
//   std::cerr << import::format_report(out.report);
//
// Sources: heartbeat v1 (haresources + ha.cf), keepalived.conf (one per
// node), RHCS cluster.conf. Errors name the file and line ("haresources:3:
// ...") and nothing is produced; what is translated with reservations is in
// the report, never silently dropped (docs/import.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/core/status.h"
#include "crm/core/xml.h"

namespace crm::import {

// One input file: the name used in messages (a path) and its text.
struct Source {
  std::string name;
  std::string text;
};

// How one part of the source came across.
enum class Outcome {
  kTranslated,    // same meaning in the CIB
  kApproximated,  // close; the note says how it differs
  kNoEquivalent,  // dropped: nothing in the CIB does this
  kToDo,          // the administrator must act (fencing, alerts, corosync.conf)
  kWarning,       // taken as read, but probably not what was meant
};
const char* outcome_name(Outcome o);  // "translated", "approximated", ...

struct Note {
  Outcome outcome;
  std::string where;  // "haresources:3", or the file name alone
  std::string what;
};

// A file to write beside the configuration (keepalived's virtual_server ->
// ldirectord.cf), named by its base name.
struct ExtraFile {
  std::string name;
  std::string text;
};

struct Imported {
  xml::DocPtr configuration;  // root element <configuration>
  std::vector<Note> report;
  std::vector<ExtraFile> files;
};

// Reads what keepalived's `include` names. real_files() reads the local
// file system; tests may pass their own.
class FileReader {
 public:
  virtual ~FileReader() = default;
  // The paths matching a glob pattern, sorted; none is not an error.
  virtual Result<std::vector<std::string>> glob(const std::string& pattern) = 0;
  virtual Result<std::string> read(const std::string& path) = 0;
};
FileReader& real_files();

// heartbeat v1: haresources, and ha.cf when given (nodes, auto_failback,
// stonith). Fails with "FILE:LINE: ..." on a malformed resource spec.
Result<Imported> from_haresources(const Source& haresources, const std::optional<Source>& ha_cf);

// One keepalived.conf per node (node = the host's name, also keepalived's
// config id for `@name` conditional lines); a single file may come without
// a node (no location scores then).
struct KeepalivedNode {
  std::string node;
  Source conf;
};
struct KeepalivedOptions {
  bool strict = false;          // an unknown top-level keyword is an error
  FileReader* files = nullptr;  // for `include`; nullptr: real_files()
};
Result<Imported> from_keepalived(const std::vector<KeepalivedNode>& nodes, const KeepalivedOptions& options = {});

// RHCS cluster.conf (cman, fenced, rgmanager). Fails with "FILE:LINE: ..."
// on malformed XML, a failover domain naming an unknown node, an unknown
// resource reference or recovery policy.
Result<Imported> from_cluster_conf(const Source& conf);

// Reads the files and runs the importer `kind` names ("haresources",
// "keepalived", "cluster.conf"), as crm_import and crm_shell's `configure
// import` take them: haresources: the haresources file and optionally a
// file whose name ends in "ha.cf"; keepalived: files without a node and/or
// `nodes` as "NAME=FILE"; cluster.conf: one file. invalid-argument for a
// wrong kind or file list, the file's error when it cannot be read.
Result<Imported> import_files(const std::string& kind, const std::vector<std::string>& files,
                              const std::vector<std::string>& nodes = {}, bool strict = false,
                              FileReader* reader = nullptr);

// The report as text, one note a line: "approximated  haresources:2  ...".
std::string format_report(const std::vector<Note>& report);

// The configuration in a minimal <cib> (cib::Cib::empty(), epoch 1, empty <status/>),
// as crm_verify -x and cibadmin --replace take it.
std::string as_cib(const Imported& imported);

}  // namespace crm::import
