// The CIB client library: how tools and daemons read and change the CIB.
// connect() talks to the local cibd over ipc::socket_path("cib"), or, when
// the environment names a file (CIB_shadow or CIB_file, see CibSource), works
// directly on that XML file with the same validation and versioning, so
// tools are testable without daemons.
//
//   ASSIGN_OR_RETURN(auto cib, cib::connect());
//   ASSIGN_OR_RETURN(std::string xml, cib->query("resources"));
//   RETURN_IF_ERROR(cib->create("resources", "<primitive id='r1' class='ocf' provider='heartbeat' type='Dummy'/>"));
//   // The controller's fast path: a status change bumps num_updates only and
//   // is not checked against the schema beyond the status section.
//   RETURN_IF_ERROR(cib->modify_status("<node_state id='1' uname='n1' crmd='online'/>"));
//
// Notifications (daemon connections only): subscribe(), then watch fd() on an
// event loop and call read_notifications() when it is readable.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/cib/request.h"
#include "crm/cib/store.h"
#include "crm/core/status.h"

namespace crm::cib {

// Where a tool's CIB comes from, decided here and nowhere else, with the
// peer's rules (its cib_new()): $CIB_shadow=NAME names a shadow copy, the
// file shadow_path(NAME); else $CIB_file=PATH names a file; else the live
// cluster through the local cibd. A file or shadow is read and written like
// the daemon would (same validation and versioning), never touching the
// cluster.
//
//   cib::CibSource src = cib::source_from_env();
//   if (src.is_file()) ... src.path ...      // else: cib::connect() reaches cibd
struct CibSource {
  enum class Kind { kLive, kFile, kShadow };
  Kind kind = Kind::kLive;
  std::string path;    // kFile, kShadow: the XML file
  std::string shadow;  // kShadow: the shadow copy's name
  bool is_file() const { return kind != Kind::kLive; }
  // "the live CIB", "CIB_file /x.xml", "shadow CIB 'test' (/var/lib/pacemaker/cib/shadow.test)"
  std::string describe() const;
};
// `honour_shadow` false: as if CIB_shadow were unset (crm_shadow's "real"
// CIB, which its create, reset, diff and commit work against).
CibSource source_from_env(bool honour_shadow = true);
// Where shadow copies live: $CIB_shadow_dir, else /var/lib/pacemaker/cib
// for root and hacluster, else ~/.cib (created when missing), as the peer.
std::string shadow_dir();
// shadow_dir() + "/shadow." + name.
std::string shadow_path(const std::string& name);

struct ClientOptions {
  std::string file;    // work on this file instead of the daemon (CIB_file, CIB_shadow)
  std::string socket;  // the daemon's socket; "" = ipc::socket_path("cib")
  std::chrono::milliseconds timeout{30000};
  std::string schema_dir;  // file mode: schemas to validate with; "" = default_schema_dir()
  // The file of source_from_env(), if any.
  static ClientOptions from_env();
};

// $CRM_SCHEMA_DIR, else the installed schemas, else the source tree's.
std::string default_schema_dir();

// A change event: which counter moved and the CIB's new version.
struct Notification {
  ChangeKind kind = ChangeKind::kConfiguration;
  Version version;
  // The node whose copy replaced the daemon's at a membership change, else 0
  // (Replicator::on_change).
  uint32_t replaced_by = 0;
  // A sync round ended with these members holding the same CIB
  // (Replicator::on_synced); empty otherwise.
  std::vector<uint32_t> synced;
  // With subscribe(Subscription::kWithChanges): the change that led to
  // `version` (apply_journal_entry() repeats it on a copy at change->from),
  // when the daemon's copy moved by one change. Empty when a whole copy came
  // (a sync, a replacement at a membership change): the subscriber reads
  // the CIB again.
  std::optional<JournalEntry> change;
};

enum class Subscription {
  kVersions,     // kind and version of every change (crm_mon, crm_web: they read again)
  kWithChanges,  // also the change itself, to keep a copy without reading the CIB
};

class CibClient {
 public:
  virtual ~CibClient() = default;

  struct Reply {
    std::string xml;  // queries: the result; changes: empty
    Version version;  // the CIB's version after the call
  };
  // Performs one request. Errors: those of apply_request/run_query, plus
  // unavailable (daemon not running or lost), timeout, permission-denied.
  virtual Result<Reply> call(const Request& r) = 0;

  // Performs `requests` in order, keeping up to `window` of them in flight on
  // this connection (a persistent client's pipeline: it does not wait for
  // each reply before sending the next). One reply per request, in the
  // requests' order. File mode: one after another.
  virtual std::vector<Result<Reply>> call_pipelined(const std::vector<Request>& requests, size_t window);

  // Subscribes this connection to change notifications (not-supported in file mode).
  virtual Status subscribe(Subscription what = Subscription::kVersions) {
    (void)what;
    return not_supported("notifications need the cib daemon (not CIB_file)");
  }
  // Notifications received so far (without blocking); unavailable when the daemon went away.
  virtual Result<std::vector<Notification>> read_notifications() { return std::vector<Notification>{}; }
  // A descriptor to watch for notifications, or -1.
  virtual int fd() const { return -1; }
  // True in CIB_file mode.
  virtual bool is_file() const = 0;

  // ---- conveniences over call() ----
  Result<std::string> query(const std::string& section = "", const std::string& xpath = "");
  Result<Cib> query_cib();
  Status create(const std::string& section, const std::string& fragment);
  Status modify(const std::string& section, const std::string& fragment, bool allow_create = false);
  Status replace(const std::string& section, const std::string& fragment);
  Status remove(const std::string& section, const std::string& fragment);
  Status remove_xpath(const std::string& xpath, bool all = false);
  Status replace_cib(const std::string& cib_xml);
  Status erase();
  Status bump();
  // modify(status, fragment, allow_create=true): the cheap path for node_state / lrm records.
  Status modify_status(const std::string& fragment);
};

// Connects as `options` say (file or daemon).
Result<std::unique_ptr<CibClient>> connect(const ClientOptions& options = ClientOptions::from_env());

}  // namespace crm::cib
