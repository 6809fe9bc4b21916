// Private to the CIB model: the record behind a CibEdit (cib.h).
//
// Changes are made to the live document; before a node's attributes or its
// list of children change for the first time in an edit, the record keeps
// what they were. Removed nodes are unlinked, never freed, until the edit
// ends. That is enough to undo every change exactly (rollback) and to write
// the changes as a v2 patch by comparing each touched node with what it was,
// without copying or walking anything the edit did not touch.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crm/cib/cib.h"

namespace crm::cib {

class EditLog {
 public:
  explicit EditLog(EditLog* outer) : outer_(outer) {}
  ~EditLog();  // frees what the record holds; undoes nothing
  EditLog(const EditLog&) = delete;
  EditLog& operator=(const EditLog&) = delete;

  // Called before `n`'s attributes change.
  void before_attributes(xmlNode* n);
  // Called before a child is added to, removed from or moved within `parent`.
  void before_children(xmlNode* parent);
  // `n` was unlinked by the caller: it stays alive until the edit ends.
  void unlinked(xmlNode* n);
  // The whole document was replaced: the old one is kept for a rollback.
  void replaced_document(xml::DocPtr old);

  // Undoes everything recorded; `doc` is the CIB's document, given back the
  // old one when the edit replaced it.
  void rollback(xml::DocPtr& doc);
  // Ends the edit keeping the changes: into the outer edit when there is one
  // (which then can still undo them), else freeing what was removed.
  void commit();

  // The recorded changes as the <change> elements of a v2 patch under
  // `out`; not-supported when a path could not name a touched node exactly
  // (same name and id twice, a changed id, a moved comment, a replaced
  // document): the caller then compares whole documents instead.
  Status write_changes(xmlNode* out) const;

  EditLog* outer() const { return outer_; }

  // The members of configuration sections (the children of the children of
  // `config`) that the edit changed or added, into `members`. False when
  // the edit touched more than members can say: <cib>'s or
  // <configuration>'s children, the schema named by validate-with, or the
  // whole document.
  bool touched_members(const xmlNode* config, std::unordered_set<const xmlNode*>& members) const;
  // The same split in two: the members in the document now whose subtree
  // changed or that are new (`touched`), and the members that were removed
  // (`removed`: still alive until the edit ends). False as above, except
  // that validate-with is not looked at.
  bool changed_members(const xmlNode* config, std::vector<const xmlNode*>& touched,
                       std::vector<const xmlNode*>& removed) const;

 private:
  struct Children {
    std::vector<xmlNode*> nodes;          // every child, in order
    std::unordered_set<xmlNode*> members;  // the same, for lookups
  };
  // True when `n` or one of its ancestors was added during this edit (its
  // state before the edit is "absent": nothing to keep about it).
  bool is_new(const xmlNode* n) const;

  EditLog* outer_;
  std::vector<xmlNode*> attr_order_;
  std::unordered_map<xmlNode*, xmlAttr*> attrs_;  // node -> copy of its attributes (may be null)
  std::vector<xmlNode*> children_order_;
  std::unordered_map<xmlNode*, Children> children_;
  std::vector<xmlNode*> unlinked_;
  xml::DocPtr old_document_;
};

// True when `n` is in its document's tree (not in a removed subtree).
inline bool attached(const xmlNode* n) {
  for (; n; n = n->parent)
    if (n->type == XML_DOCUMENT_NODE) return true;
  return false;
}

// The hooks the CIB's change code calls; all of them accept a null log
// (no edit open): then a removed node is simply freed.
inline void before_attributes(EditLog* log, xmlNode* n) {
  if (log) log->before_attributes(n);
}
inline void before_children(EditLog* log, xmlNode* parent) {
  if (log) log->before_children(parent);
}
// Unlinks `n` from its parent (recorded first) and frees it unless an edit keeps it.
void remove_node(EditLog* log, xmlNode* n);

// The open edit of a CIB (innermost), for code outside class Cib.
EditLog* edit_log_of(Cib& cib);

// <version><source .../><target .../></version> under a patch's root (patch.cc).
void write_patch_version(xmlNode* diff_root, const Version& source, const Version& target);

}  // namespace crm::cib
