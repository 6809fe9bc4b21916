// The CIB (cluster information base): one XML document holding the cluster's
// configuration (crm_config, nodes, resources, constraints, defaults) and its
// status (node_state, resource operation history, transient attributes).
//
// This is the pure model: parse, validate, query, change, version, digest,
// diff/patch and serialize. No files except explicit load helpers, no sockets.
//
//   ASSIGN_OR_RETURN(Cib cib, Cib::parse(text, "cib.xml"));
//   ASSIGN_OR_RETURN(Schema schema, Schema::load(schema_dir));
//   RETURN_IF_ERROR(schema.validate(cib));
//   RETURN_IF_ERROR(cib.create("resources", fragment));  // cibadmin --create -o resources
//   cib.bump_epoch();
//
// The document is Pacemaker's CIB format (pacemaker-1.x .. 3.x schema family)
// so existing configurations load unchanged.
#pragma once

#include <libxml/tree.h>

#include <compare>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/status.h"
#include "crm/core/xml.h"

namespace crm::cib {

// A CIB's version as the peer compares it: admin_epoch, then epoch, then num_updates.
struct Version {
  long admin_epoch = 0;
  long epoch = 0;
  long num_updates = 0;
  auto operator<=>(const Version&) const = default;
  std::string to_string() const;  // "admin_epoch.epoch.num_updates", e.g. "0.12.3"
  // Parses "0.12.3" (as to_string writes it, so also a negative part that
  // Version::of read from a hand-edited CIB); invalid-argument otherwise.
  static Result<Version> parse(std::string_view text);
  // The version attributes of a <cib> element; a missing or non-numeric one counts as 0.
  static Version of(const xmlNode* cib_root);
};

// One problem found while checking a configuration's meaning (crm_verify).
struct Problem {
  enum class Severity { kWarning, kError };
  Severity severity = Severity::kError;
  std::string message;  // names the element, its id and line: "rsc_colocation 'c1' (line 40): ..."
  // A warning here (the CIB daemon accepts the configuration) that the peer's
  // crm_verify reports as an error (fencing enabled without a fence device).
  bool verify_error = false;
};

class CibEdit;
class EditLog;

class Cib {
 public:
  // Parses a CIB document; the root must be <cib>. Well-formedness only: call
  // Schema::validate and check_configuration for more.
  static Result<Cib> parse(std::string_view xml_text, const std::string& source = "input");
  static Result<Cib> load_file(const std::string& path);
  // A new CIB with empty configuration sections and status, version 0.0.0.
  static Cib empty();

  Cib(Cib&&) noexcept = default;
  Cib& operator=(Cib&&) noexcept = default;
  Cib copy() const;

  // Opens an edit: every change below (and apply_patch) is made in place and
  // recorded until the edit is committed or rolled back. Edits nest (an inner
  // one's commit hands its record to the outer one). The CIB must not be
  // moved or replaced by assignment while an edit is open.
  CibEdit begin_edit();

  xmlDoc* doc() const { return doc_.get(); }
  xmlNode* root() const { return xml::root(doc_); }
  xmlNode* configuration() const;
  xmlNode* status() const;
  // A configuration section by name ("crm_config", "nodes", "resources",
  // "constraints", "rsc_defaults", "op_defaults") or "status"; created empty when absent.
  xmlNode* section(std::string_view name);

  Version version() const;
  void set_version(const Version& v);
  // A configuration change: epoch+1, num_updates=0. A status-only change: num_updates+1.
  void bump_epoch();
  void bump_num_updates();
  // Sets one of <cib>'s own attributes (cib-last-written, update-origin, ...).
  void set_attribute(const char* name, const std::string& value);

  std::string serialize(bool pretty = true) const;
  // MD5 hex digest of the canonical configuration section (ignores status and versions).
  std::string digest() const;

  // Changes as `cibadmin` performs them. `section` is a section name or "" (whole CIB).
  // Section names: the configuration sections above plus "fencing-topology",
  // "acls", "alerts", "tags", and "configuration", "status", "cib". An unknown
  // name is invalid-argument. Every change is all-or-nothing: on failure the
  // CIB is unchanged. None of them bumps the version (the caller does).
  // create: adds `fragment` under the section; already-exists if its id is taken.
  Status create(std::string_view section, const xmlNode* fragment);
  // modify: finds the element with the fragment's tag and id (anywhere in the
  // section) and merges attributes and children into it; not-found when absent
  // unless `create_if_missing`.
  Status modify(std::string_view section, const xmlNode* fragment, bool create_if_missing = false);
  // `fragment` may be the section element itself (<resources>...</resources>):
  // create then adds each child, modify merges into the section. An attribute
  // value "name++" or "name+=N" (name being the attribute's own name) adds to
  // the current number as cibadmin does (scores saturate at +/-INFINITY).
  // replace: replaces the element with the fragment's tag and id (or the whole section).
  // A whole <cib> replaces the document unless its version is older than ours
  // (outdated), as the peer's cib_process_replace does.
  Status replace(std::string_view section, const xmlNode* fragment);
  // remove: deletes the element(s) matching the fragment's tag and id (every
  // attribute given in the fragment must match); not-found when none does.
  Status remove(std::string_view section, const xmlNode* fragment);
  // remove_xpath / query: by XPath expression. Both are not-found when nothing
  // matches (the peer's ENXIO), invalid-argument for a bad expression;
  // remove_xpath refuses to delete the <cib> root.
  // With `all` false only the first match goes (cibadmin -D --xpath without -d).
  Status remove_xpath(const std::string& xpath, bool all = true);
  Result<std::vector<xmlNode*>> query(const std::string& xpath) const;

 private:
  friend class CibEdit;
  friend EditLog* edit_log_of(Cib& cib);
  explicit Cib(xml::DocPtr doc) : doc_(std::move(doc)) {}
  xml::DocPtr doc_;
  EditLog* edit_ = nullptr;  // the innermost open edit's record
};

struct Patch;
class Schema;
class CheckIndex;

// An open edit of a Cib (Cib::begin_edit). Changes are made to the live
// document, so a change costs what it touches: before a node's attributes or
// children change for the first time, the edit keeps what they were, and
// removed nodes stay alive until it ends.
//
//   CibEdit edit = cib.begin_edit();
//   RETURN_IF_ERROR(cib.modify("resources", fragment));   // rolled back on return
//   ASSIGN_OR_RETURN(Patch p, edit.patch(before, cib.version()));
//   edit.commit();
class CibEdit {
 public:
  ~CibEdit();  // rolls back unless committed
  CibEdit(const CibEdit&) = delete;
  CibEdit& operator=(const CibEdit&) = delete;

  // True when something under /cib/configuration differs from the start of
  // the edit (also when that cannot be told: see patch()).
  bool changes_configuration() const;
  // The changes since the edit began as a v2 patch from `source` to
  // `target` (without config-digest), written by comparing only the touched
  // nodes with what they were. not-supported when paths cannot name the
  // touched nodes exactly (an id used twice among siblings, a changed id, a
  // deleted or moved comment, a replaced document): then diff() the whole
  // documents instead.
  Result<Patch> patch(const Version& source, const Version& target) const;
  // Schema::validate of the CIB as it is now, looking only at what the edit
  // touched: every configuration section is a list whose members the schema
  // checks one by one, so the touched members and the attributes of <cib>,
  // <configuration> and the sections are all that a change can make
  // invalid. The whole CIB when the edit changed <cib>'s or
  // <configuration>'s children or validate-with.
  Status validate(const Schema& schema) const;
  void commit();
  void rollback();

 private:
  friend class Cib;
  friend std::optional<std::vector<Problem>> check_change(const Cib&, const CibEdit&, CheckIndex&);
  explicit CibEdit(Cib& cib);
  void end();
  Cib* cib_;
  std::unique_ptr<EditLog> log_;
};

// The RelaxNG schemas in schemas/; validation errors name the element, its id and the line.
class Schema {
 public:
  // Loads schema_dir/cib.rng (and the files it includes). Errors name the file.
  static Result<Schema> load(const std::string& schema_dir);
  // OK when the document is valid, or when it says validate-with="none".
  // schema-invalid with the first problem ("line 12: primitive 'db': unknown
  // attribute 'clas' (allowed: ...)"); not-supported for a validate-with
  // outside the pacemaker-1.0 .. 3.x family.
  Status validate(const Cib& cib) const;
  // Every problem libxml2's RelaxNG engine reported, one message per entry
  // (empty when valid). Nothing is printed; errors are captured per call.
  std::vector<std::string> errors(const Cib& cib) const;
  // Validates any document (a fragment or a whole CIB) against the schema.
  std::vector<std::string> errors(const xmlDoc* doc) const;
 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Checks meaning beyond the schema: unknown references, duplicate ids, bad
// scores, a resource in two groups, ... Empty when the configuration is sound.
std::vector<Problem> check_configuration(const Cib& cib);

// What check_configuration learns from the whole configuration (the ids and
// what defines them, resources, templates, tags, node names, and which names
// are referred to), kept per member of the configuration's sections so that
// a change can be checked for what it touched (check_change).
class CheckIndex {
 public:
  CheckIndex();
  ~CheckIndex();
  CheckIndex(CheckIndex&&) noexcept;
  CheckIndex& operator=(CheckIndex&&) noexcept;
  // Forgets the CIB: the next check_change builds the index again. Call it
  // when a change that check_change saw is rolled back.
  void invalidate();
  // The version the CIB has after the change was made (bumped).
  void set_version(const Version& v);
  struct Impl;

 private:
  friend std::optional<std::vector<Problem>> check_change(const Cib&, const CibEdit&, CheckIndex&);
  std::unique_ptr<Impl> impl_;
};

// check_configuration for a change recorded by `edit` (still open): the
// checks of the section members it touched, names looked up in `index`,
// which it brings up to date with the CIB as it is now. nullopt when that
// cannot tell: the change may have made something it did not touch wrong (a
// name now defined twice, a definition that others refer to gone or changed
// kind), it touched more than section members, or the index described
// another CIB (it is rebuilt for this one). Then check_configuration
// decides. Problems found only elsewhere in the configuration are not the
// change's: a change that adds none is sound.
std::optional<std::vector<Problem>> check_change(const Cib& cib, const CibEdit& edit, CheckIndex& index);

// ---- Patches: Pacemaker's v2 XML patch format (docs/cib.md "Patch format") ----
//
//   <diff format="2">
//     <version><source admin_epoch="0" epoch="5" num_updates="2"/><target .../></version>
//     <change operation="delete" path="/cib/configuration/constraints/rsc_location[@id='l1']"/>
//     <change operation="create" path="/cib/configuration/resources" position="3"><primitive .../></change>
//     <change operation="modify" path="/cib/configuration/resources/primitive[@id='r1']">
//       <change-list><change-attr name="type" operation="set" value="Dummy"/></change-list>
//       <change-result><primitive id="r1" class="ocf" type="Dummy"/></change-result>
//     </change>
//     <change operation="move" path="..." position="1"/>
//   </diff>
//
// This is the one diff engine: the CIB daemons replicate configuration changes
// with it, crm_diff prints it, cibadmin --patch applies it. diff() finds the
// changes as the peer's crm_diff does (same matching of children by name and
// id, comments by position, the same moves and attribute order), so patches
// read the same; apply_patch() is all-or-nothing.
struct Patch {
  xml::DocPtr doc;  // the <diff format="2"> document
  // True when the patch holds no <change>.
  bool empty() const;
};

struct DiffOptions {
  // Write <version> with the source's and target's admin_epoch, epoch and
  // num_updates (crm_diff without -u).
  bool version = true;
  // Report attributes whose values did not change but whose order did (the
  // peer's crm_diff does, except with --cib), so the result keeps the order.
  bool attribute_order = true;
  // Write config-digest="<Cib::digest() of the target>" (our own attribute:
  // the peer's "digest" is a different hash and is never checked here).
  bool config_digest = false;
};

struct ApplyOptions {
  // Check <version> as the peer does: the document must be exactly at the
  // source (older: invalid-argument, a full copy is needed; newer: outdated),
  // and the target must be newer than the source (outdated otherwise). A
  // patch without <version> passes.
  bool check_version = false;
};

// The changes that turn `older` into `newer` (any two XML trees whose roots
// have the same name). Fails (invalid-argument) only when the change cannot be
// written in the format: different root names, or text content changed
// directly under the root.
Result<Patch> diff(const xmlNode* older, const xmlNode* newer, const DiffOptions& options = {});
// A CIB's patch for replication: with <version> and config-digest.
Result<Patch> diff(const Cib& older, const Cib& newer);

// Applies a patch to `doc`. All or nothing: the changes run on a copy, which
// replaces `doc` only when every change applied. Errors name the failing
// change ("change 3 (modify /cib/...): no element matches"): parse-error for a
// malformed patch, not-found when a path matches nothing, invalid-argument for
// a position past the end, not-supported for a v1 patch; version errors as in
// ApplyOptions.
Status apply_patch(xml::DocPtr& doc, const Patch& patch, const ApplyOptions& options = {});
// The same on a CIB, always checking the version; also config-invalid when
// the patch carries a config-digest that the result does not have, and
// parse-error when the result's root is not <cib>.
Status apply_patch(Cib& cib, const Patch& patch);
// Reads a patch from its XML text; parse-error unless the root is <diff>.
Result<Patch> parse_patch(std::string_view xml_text, const std::string& source = "patch");

// What each change of a patch touches, found in the documents it goes
// between (what the ACL check reads): a delete, modify or move names the
// node as it was in `older` (by the change's path), a create names the new
// node in `newer` (the child at the change's position under its path).
// `node` is null when the path names nothing there; `attributes` are those a
// modify sets or unsets. parse-error for a malformed change.
struct PatchTarget {
  enum class Kind { kCreate, kDelete, kModify, kMove };
  Kind kind = Kind::kModify;
  std::string path;
  const xmlNode* node = nullptr;
  std::vector<std::string> attributes;
};
Result<std::vector<PatchTarget>> patch_targets(const Patch& patch, const xmlDoc* older, const xmlDoc* newer);

}  // namespace crm::cib
