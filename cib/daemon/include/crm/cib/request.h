// A change to the CIB as tools and daemons ask for it (cibadmin's verbs), the
// one function that performs it with validation and versioning, and the wire
// form shared by local IPC and the replication messages.
//
//   Request r{.op = Op::kModify, .section = "status", .fragment = "<node_state id='1' .../>"};
//   ASSIGN_OR_RETURN(ChangeKind kind, apply_request(cib, r, &schema));
//
// Every message is "<header .../>\n<body>": a one-line XML element with the
// attributes, then an optional body (a fragment, a whole CIB or a patch)
// that is parsed only by whoever needs it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/core/status.h"

namespace crm::cib {

enum class Op {
  kQuery,    // read only; never replicated
  kCreate,   // add `fragment` under `section`
  kModify,   // merge `fragment` into the matching element (allow_create: add when absent)
  kReplace,  // replace the matching element / section / (section "") the whole CIB
  kDelete,   // delete the matching element, or (xpath) the first / every match
  kErase,    // empty configuration and status; admin_epoch+1, epoch+1 (as the peer)
  kBump,     // epoch+1
  // Apply the v2 patch in `fragment` (cibadmin --patch), all or nothing. As
  // the peer: a <version> source other than the CIB's is refused (outdated or,
  // when the CIB is behind, invalid-argument), a patch that would lower
  // admin_epoch/epoch is outdated; then epoch+1 when the configuration
  // changed, else num_updates+1, on top of what the patch set.
  kPatch,
};
const char* op_name(Op op);
Result<Op> op_from_name(std::string_view name);

struct Request {
  Op op = Op::kQuery;
  std::string section;   // "" = the whole CIB (modify/delete search everywhere)
  std::string xpath;     // query/delete by XPath instead of section+fragment
  std::string fragment;  // XML text
  bool allow_create = false;  // modify: create when missing (cibadmin -c)
  bool delete_all = false;    // delete with xpath: every match (cibadmin -d)
  bool no_children = false;   // query: the matches without their children (cibadmin -n)
  // Who asked (the peer's update-client / update-user / update-origin on
  // <cib>): the client program's name (the client library fills in the
  // program name when empty), the user the cib daemon saw on the socket,
  // and the node name of the cib daemon that broadcast the request (set by
  // Replicator::submit). The master writes them into the CIB on a
  // configuration change.
  std::string client_name;
  std::string user;
  std::string origin;
};

// What a successful change touched; decides which counter moved.
enum class ChangeKind {
  kConfiguration,  // epoch (or admin_epoch) moved: validated against the schema
  kStatus,         // num_updates moved: only the status section changed
};
const char* change_kind_name(ChangeKind kind);

// True when the request can only change the status section (section "status",
// or an XPath under /cib/status): such changes skip schema validation and
// replicate by replay (see docs/cib-daemon.md).
bool is_status_request(const Request& r);

// Performs `r` on `cib`, all or nothing. A configuration change is validated
// with `schema` (when not null) and check_configuration (errors only) and then
// bumps the epoch; a status change bumps num_updates. On failure `cib` is
// unchanged and the Status says why: invalid-argument, parse-error,
// not-found, already-exists, schema-invalid, config-invalid, outdated.
// A configuration change is made in place (a CibEdit undoes it on failure),
// so it costs what it touches plus the validation. With `index` (kept with
// this CIB across its changes, see check_change) the semantic checks look
// at what the change touched; without it, at the whole configuration.
Result<ChangeKind> apply_request(Cib& cib, const Request& r, const Schema* schema, CheckIndex* index = nullptr);

// apply_request for a change that is not a status request, also returning
// the v2 patch (with <version> and config-digest) that takes a copy of the
// CIB as it was to the CIB as it is now. `stamp` runs after a configuration
// change, before the patch is written (the master stamps
// cib-last-written and update-origin with Cib::set_attribute). The patch is
// written from the edit's record; only when that cannot name the touched
// nodes (edit.h's not-supported cases, a whole-CIB replace, an erase) are the
// documents compared.
struct RecordedChange {
  ChangeKind kind;
  Patch patch;
};
// `config_digest`: the patch carries config-digest, which the replica
// checks (costs what the configuration holds, on both sides).
Result<RecordedChange> apply_request_with_patch(Cib& cib, const Request& r, const Schema* schema,
                                                const std::function<void(Cib&)>& stamp, bool config_digest = true,
                                                CheckIndex* index = nullptr);

// Query: the serialized matches (several matches wrapped in <xpath-query>),
// the section, or the whole CIB for section "" and no xpath. not-found when
// nothing matches.
Result<std::string> run_query(const Cib& cib, const Request& r);

// ---- access control (acl.h): one rule for cibd's reads, the master's
// writes and the CIB_file client ----

// The groups of a user name (ipc::group_names in the daemons). Null: none.
using UserGroups = std::function<std::vector<std::string>(const std::string& user)>;

// run_query as `r.user` may see the CIB: with enable-acl and a user the ACLs
// restrict, on the part of the CIB that user may read (permission-denied
// when that is nothing); otherwise run_query.
Result<std::string> run_query_as_user(const Cib& cib, const Request& r, const UserGroups& groups);

// Guards one change of `cib` by `r.user`: built before the change (a copy is
// kept only when the ACLs restrict the user), check() after it. When the
// change went beyond what the user may write, check() puts the CIB back as
// it was and returns permission-denied.
//
//   AclGuard guard(cib, r.user, groups);
//   RETURN_IF_ERROR(apply_request(cib, r, &schema).status());
//   RETURN_IF_ERROR(guard.check(cib));
class AclGuard {
 public:
  AclGuard(const Cib& cib, const std::string& user, UserGroups groups);
  // True when the ACLs apply to this change (check() compares).
  bool active() const { return before_.has_value(); }
  Status check(Cib& cib);

 private:
  std::string user_;
  UserGroups groups_;
  std::optional<Cib> before_;
};

// ---- wire helpers ----

// Splits "<header/>\n<body>" and parses the header.
struct Message {
  xml::DocPtr header;
  std::string_view body;
  xmlNode* root() const { return xml::root(header); }
  std::string get(const char* attr_name) const { return xml::attr_or(root(), attr_name); }
};
Result<Message> split_message(std::string_view payload);
// Request <-> <cib_request ...> attributes + body.
void request_to_attrs(const Request& r, std::vector<std::pair<const char*, std::string>>& attrs);
// Reads op, section, xpath, flags from the header and the fragment from the body.
Result<Request> request_from_message(const Message& m);
// Builds "<name k1="v1" .../>\n" + body (values escaped).
using Attrs = std::vector<std::pair<const char*, std::string>>;
std::string encode(const char* name, const std::vector<std::pair<const char*, std::string>>& attrs,
                   std::string_view body = {});

// StatusCode <-> the stable names of status_code_name().
StatusCode status_code_from_name(std::string_view name);

// Serialized CIB text without the XML declaration, for embedding in a body.
std::string strip_declaration(std::string text);

}  // namespace crm::cib
