// CibEdit and its record (edit_log.h): changes made in place, undone exactly
// or written as a patch.
#include <cassert>
#include <unordered_set>

#include "edit_log.h"

namespace crm::cib {
namespace {

void relink(xmlNode* parent, const std::vector<xmlNode*>& kids) {
  parent->children = kids.empty() ? nullptr : kids.front();
  parent->last = kids.empty() ? nullptr : kids.back();
  for (size_t i = 0; i < kids.size(); ++i) {
    kids[i]->parent = parent;
    kids[i]->prev = i > 0 ? kids[i - 1] : nullptr;
    kids[i]->next = i + 1 < kids.size() ? kids[i + 1] : nullptr;
  }
}

}  // namespace

EditLog::~EditLog() {
  for (auto& [n, props] : attrs_)
    if (props) xmlFreePropList(props);
}

bool EditLog::is_new(const xmlNode* n) const {
  for (const xmlNode* a = n; a && a->type != XML_DOCUMENT_NODE; a = a->parent) {
    xmlNode* p = a->parent;
    if (!p) return false;
    auto it = children_.find(p);
    if (it != children_.end() && !it->second.members.count(const_cast<xmlNode*>(a))) return true;
  }
  return false;
}

void EditLog::before_attributes(xmlNode* n) {
  if (attrs_.count(n) || is_new(n)) return;
  attrs_.emplace(n, n->properties ? xmlCopyPropList(n, n->properties) : nullptr);
  attr_order_.push_back(n);
}

void EditLog::before_children(xmlNode* parent) {
  if (children_.count(parent) || is_new(parent)) return;
  Children c;
  for (xmlNode* k = parent->children; k; k = k->next) {
    c.nodes.push_back(k);
    c.members.insert(k);
  }
  children_.emplace(parent, std::move(c));
  children_order_.push_back(parent);
}

void EditLog::unlinked(xmlNode* n) { unlinked_.push_back(n); }

void EditLog::replaced_document(xml::DocPtr old) {
  if (!old_document_) old_document_ = std::move(old);
}

void EditLog::rollback(xml::DocPtr& doc) {
  std::unordered_set<xmlNode*> keep;
  for (const auto& [p, c] : children_) keep.insert(c.nodes.begin(), c.nodes.end());
  std::unordered_set<xmlNode*> doomed;
  std::vector<xmlNode*> doomed_order;
  auto doom = [&](xmlNode* n) {
    if (!keep.count(n) && doomed.insert(n).second) doomed_order.push_back(n);
  };
  for (xmlNode* p : children_order_) {
    for (xmlNode* c = p->children; c; c = c->next) doom(c);
    relink(p, children_[p].nodes);
  }
  for (xmlNode* n : attr_order_) {
    if (n->properties) xmlFreePropList(n->properties);
    n->properties = attrs_[n];
    attrs_[n] = nullptr;
  }
  for (xmlNode* n : unlinked_) doom(n);
  // Added during the edit: every link to them is gone now.
  for (xmlNode* n : doomed_order) {
    n->parent = n->prev = n->next = nullptr;
    xmlFreeNode(n);
  }
  if (old_document_) doc = std::move(old_document_);
  attrs_.clear();
  attr_order_.clear();
  children_.clear();
  children_order_.clear();
  unlinked_.clear();
}

void EditLog::commit() {
  if (outer_) {
    // The outer edit keeps what it already knew (older) and takes the rest,
    // except about nodes that are new to it.
    for (xmlNode* n : attr_order_) {
      xmlAttr*& props = attrs_[n];
      if (!outer_->attrs_.count(n) && !outer_->is_new(n)) {
        outer_->attrs_.emplace(n, props);
        outer_->attr_order_.push_back(n);
        props = nullptr;
      }
    }
    for (xmlNode* p : children_order_) {
      if (!outer_->children_.count(p) && !outer_->is_new(p)) {
        outer_->children_.emplace(p, std::move(children_[p]));
        outer_->children_order_.push_back(p);
      }
    }
    outer_->unlinked_.insert(outer_->unlinked_.end(), unlinked_.begin(), unlinked_.end());
    if (old_document_) outer_->replaced_document(std::move(old_document_));
  } else {
    for (xmlNode* n : unlinked_) xmlFreeNode(n);
    old_document_.reset();
  }
  for (auto& [n, props] : attrs_)
    if (props) xmlFreePropList(props);
  attrs_.clear();
  attr_order_.clear();
  children_.clear();
  children_order_.clear();
  unlinked_.clear();
}

bool EditLog::changed_members(const xmlNode* config, std::vector<const xmlNode*>& touched,
                              std::vector<const xmlNode*>& removed) const {
  if (old_document_ || !config) return false;
  const xmlNode* root = config->parent;
  std::unordered_set<const xmlNode*> seen;
  auto touch = [&](const xmlNode* m) {
    if (seen.insert(m).second) touched.push_back(m);
  };
  auto add = [&](const xmlNode* n, bool its_children) {
    if (!attached(n)) return true;
    if (n == root || n == config) return !its_children;
    if (n->parent == config) {
      if (!its_children) return true;
      const Children& was = children_.at(const_cast<xmlNode*>(n));
      for (const xmlNode* c : was.nodes)
        if (c->type == XML_ELEMENT_NODE && c->parent != n && seen.insert(c).second) removed.push_back(c);
      for (const xmlNode* c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !was.members.count(const_cast<xmlNode*>(c))) touch(c);
      return true;
    }
    const xmlNode* a = n;
    while (a->parent && a->parent->parent && a->parent->parent != config) a = a->parent;
    if (a->parent && a->parent->parent == config) touch(a);
    return true;  // elsewhere (the status): not the configuration's business
  };
  for (xmlNode* n : attr_order_)
    if (!add(n, false)) return false;
  for (xmlNode* p : children_order_)
    if (!add(p, true)) return false;
  return true;
}

bool EditLog::touched_members(const xmlNode* config, std::unordered_set<const xmlNode*>& members) const {
  const xmlNode* root = config ? config->parent : nullptr;
  if (root && attrs_.count(const_cast<xmlNode*>(root))) {
    std::string before;
    for (const xmlAttr* a = attrs_.at(const_cast<xmlNode*>(root)); a; a = a->next) {
      if (xmlStrEqual(a->name, BAD_CAST "validate-with")) {
        xmlChar* v = xmlNodeListGetString(a->doc, a->children, 1);
        before = v ? reinterpret_cast<const char*>(v) : "";
        xmlFree(v);
      }
    }
    if (before != xml::attr_or(root, "validate-with")) return false;
  }
  std::vector<const xmlNode*> touched, removed;
  if (!changed_members(config, touched, removed)) return false;
  members.insert(touched.begin(), touched.end());
  return true;
}

void remove_node(EditLog* log, xmlNode* n) {
  if (n->parent) before_children(log, n->parent);
  xmlUnlinkNode(n);
  if (log) {
    log->unlinked(n);
  } else {
    xmlFreeNode(n);
  }
}

EditLog* edit_log_of(Cib& cib) { return cib.edit_; }

// ---- CibEdit ----

CibEdit::CibEdit(Cib& cib) : cib_(&cib), log_(std::make_unique<EditLog>(cib.edit_)) { cib.edit_ = log_.get(); }

CibEdit::~CibEdit() {
  if (log_) rollback();
}

void CibEdit::end() {
  assert(cib_->edit_ == log_.get() && "edits end innermost first");
  cib_->edit_ = log_->outer();
  log_.reset();
}

void CibEdit::commit() {
  if (!log_) return;
  log_->commit();
  end();
}

void CibEdit::rollback() {
  if (!log_) return;
  log_->rollback(cib_->doc_);
  end();
}

Result<Patch> CibEdit::patch(const Version& source, const Version& target) const {
  if (!log_) return internal_error("the edit has ended");
  Patch patch{xml::new_document("diff")};
  xmlNode* out = xml::root(patch.doc);
  xml::set_attr(out, "format", "2");
  write_patch_version(out, source, target);
  RETURN_IF_ERROR(log_->write_changes(out));
  return patch;
}

Status CibEdit::validate(const Schema& schema) const {
  const xmlNode* config = cib_->configuration();
  std::unordered_set<const xmlNode*> members;
  if (!log_ || !log_->touched_members(config, members)) return schema.validate(*cib_);
  // <cib> and <configuration> with their attributes, every section with its
  // own, and under them only the touched members.
  xml::DocPtr doc(xmlNewDoc(BAD_CAST "1.0"));
  xmlNode* root = xmlDocCopyNode(cib_->root(), doc.get(), 2);
  xmlDocSetRootElement(doc.get(), root);
  xmlNode* cfg = xmlAddChild(root, xmlDocCopyNode(const_cast<xmlNode*>(config), doc.get(), 2));
  for (xmlNode* s = config->children; s; s = s->next) {
    if (s->type != XML_ELEMENT_NODE) continue;
    xmlNode* section = xmlAddChild(cfg, xmlDocCopyNode(s, doc.get(), 2));
    if (members.empty()) continue;
    for (xmlNode* m = s->children; m; m = m->next)
      if (members.count(m)) xmlAddChild(section, xmlDocCopyNode(m, doc.get(), 1));
  }
  return schema.validate(Cib(std::move(doc)));
}

bool CibEdit::changes_configuration() const {
  if (!log_) return false;
  xml::DocPtr scratch = xml::new_document("diff");
  if (!log_->write_changes(xml::root(scratch)).ok()) return true;  // cannot tell: assume it did
  for (xmlNode* c : xml::children(xml::root(scratch), "change")) {
    std::string path = xml::attr_or(c, "path");
    if (path == "/cib/configuration" || path.rfind("/cib/configuration/", 0) == 0) return true;
    // A change of <cib> itself that creates or deletes the configuration.
    if (path == "/cib" && xml::attr_or(c, "operation") != "modify") return true;
  }
  return false;
}

}  // namespace crm::cib
