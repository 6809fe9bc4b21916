// The CIB document: parsing, sections, versions, digest and the cibadmin-style
// changes (create/modify/replace/remove/query) with the peer's semantics.
#include "crm/cib/cib.h"

#include <libxml/parser.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <set>

#include "crm/cib/canonical.h"
#include "edit_log.h"
#include "crm/core/score.h"

namespace crm::cib {
namespace {

constexpr std::string_view kConfigSections[] = {"crm_config", "nodes",  "resources", "constraints",
                                                "rsc_defaults", "op_defaults", "fencing-topology",
                                                "acls", "alerts", "tags"};

bool is_config_section(std::string_view name) {
  for (auto s : kConfigSections) {
    if (s == name) return true;
  }
  return false;
}

long to_long(const std::optional<std::string>& text) {
  if (!text) return 0;
  long v = 0;
  const char* b = text->data();
  auto [p, ec] = std::from_chars(b, b + text->size(), v);
  if (ec != std::errc() || p != b + text->size()) return 0;
  return v;
}

// "primitive 'db' (line 12)"
std::string describe(const xmlNode* n) {
  std::string out(xml::name(n));
  if (auto id = xml::attr(n, "id")) out += " '" + *id + "'";
  if (long l = xml::line(n); l > 0) out += " (line " + std::to_string(l) + ")";
  return out;
}

// The next node after `n` in document order within `scope`'s subtree
// (preorder), skipping `n`'s descendants when `descend` is false.
xmlNode* next_in(const xmlNode* scope, xmlNode* n, bool descend) {
  if (descend && n->children) return n->children;
  while (n != scope && !n->next) n = n->parent;
  return n == scope ? nullptr : n->next;
}

// The first element (document order) below `scope` (scope itself included
// unless told otherwise) named `element`, with `id` when given. A walk of the
// tree, iterative (no recursion on hostile depth) and without copying child
// lists or attribute values: the status section of a large cluster holds
// tens of thousands of elements.
xmlNode* find_element(xmlNode* scope, std::string_view element, const std::optional<std::string>& id,
                      bool include_scope = true) {
  for (xmlNode* n = scope; n; n = next_in(scope, n, n->type == XML_ELEMENT_NODE)) {
    if (n->type != XML_ELEMENT_NODE || (!include_scope && n == scope)) continue;
    if (xml::is(n, element) && (!id || xml::attr_equals(n, "id", *id) == true)) return n;
  }
  return nullptr;
}

xmlNode* find_by_id(xmlNode* scope, const std::string& id) {
  for (xmlNode* n = scope; n; n = next_in(scope, n, n->type == XML_ELEMENT_NODE)) {
    if (n->type == XML_ELEMENT_NODE && xml::attr_equals(n, "id", id) == true) return n;
  }
  return nullptr;
}

// cibadmin's "attr++" / "attr+=N" value expansion.
std::string expand_value(const xmlNode* target, const std::string& name, const std::string& value) {
  if (value.size() <= name.size() + 1 || value.compare(0, name.size(), name) != 0) return value;
  std::string_view rest = std::string_view(value).substr(name.size());
  long long delta = 0;
  if (rest == "++") {
    delta = 1;
  } else if (rest.size() > 2 && rest.substr(0, 2) == "+=") {
    auto inc = parse_score(rest.substr(2));
    if (!inc.ok()) return value;
    delta = *inc;
  } else {
    return value;
  }
  Score current = 0;
  if (auto old = xml::attr(target, name.c_str())) {
    auto parsed = parse_score(*old);
    if (parsed.ok()) current = *parsed;
  }
  return score_to_string(score_add(current, score_clamp(delta)));
}

// Merges `src`'s attributes and children into `target` (cibadmin --modify).
void merge(xmlNode* target, const xmlNode* src, EditLog* log) {
  if (src->properties) before_attributes(log, target);
  for (const xmlAttr* a = src->properties; a; a = a->next) {
    std::string name = reinterpret_cast<const char*>(a->name);
    std::string value = xml::attr_or(src, name.c_str());
    xml::set_attr(target, name.c_str(), expand_value(target, name, value));
  }
  for (xmlNode* child : xml::children(src)) {
    auto id = xml::attr(child, "id");
    xmlNode* match = nullptr;
    for (xmlNode* t : xml::children(target)) {
      if (xml::name(t) == xml::name(child) && (!id || xml::attr(t, "id") == id)) {
        match = t;
        break;
      }
    }
    if (match) {
      merge(match, child, log);
    } else {
      before_children(log, target);
      xmlAddChild(target, xmlDocCopyNode(child, target->doc, 1));
    }
  }
}

// True when every attribute of `pattern` has the same value in `n`.
bool attributes_match(const xmlNode* n, const xmlNode* pattern) {
  for (const xmlAttr* a = pattern->properties; a; a = a->next) {
    const char* name = reinterpret_cast<const char*>(a->name);
    if (xml::attr(n, name) != xml::attr(pattern, name)) return false;
  }
  return true;
}

void collect_matches(xmlNode* scope, const xmlNode* pattern, std::vector<xmlNode*>& out) {
  std::vector<xmlNode*> stack{scope};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (xml::name(n) == xml::name(pattern) && attributes_match(n, pattern)) {
      out.push_back(n);
      continue;  // its subtree goes with it
    }
    for (xmlNode* c : xml::children(n)) stack.push_back(c);
  }
}

// Frees every matched node that is not inside another matched one (decided
// before freeing anything, so no freed node is looked at again).
void free_outermost(const std::vector<xmlNode*>& matches, const std::set<xmlNode*>& doomed, EditLog* log) {
  std::vector<xmlNode*> outermost;
  for (xmlNode* n : matches) {
    bool under_other = false;
    for (xmlNode* p = n->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
      if (doomed.count(p)) under_other = true;
    }
    if (!under_other) outermost.push_back(n);
  }
  for (xmlNode* n : outermost) remove_node(log, n);
}

}  // namespace

std::string Version::to_string() const {
  return std::to_string(admin_epoch) + "." + std::to_string(epoch) + "." + std::to_string(num_updates);
}

Result<Version> Version::parse(std::string_view text) {
  Version v;
  long* parts[] = {&v.admin_epoch, &v.epoch, &v.num_updates};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, *parts[i]);
    if (ec != std::errc()) return invalid_argument("bad CIB version '" + std::string(text) + "'");
    p = next;
    if (i < 2) {
      if (p == end || *p != '.') return invalid_argument("bad CIB version '" + std::string(text) + "'");
      ++p;
    }
  }
  if (p != end) return invalid_argument("bad CIB version '" + std::string(text) + "'");
  return v;
}

Version Version::of(const xmlNode* cib_root) {
  return Version{to_long(xml::attr(cib_root, "admin_epoch")), to_long(xml::attr(cib_root, "epoch")),
                 to_long(xml::attr(cib_root, "num_updates"))};
}

Result<Cib> Cib::parse(std::string_view xml_text, const std::string& source) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(xml_text, source));
  xmlNode* r = xml::root(doc);
  if (!xml::is(r, "cib")) {
    return parse_error(source + ": line " + std::to_string(xml::line(r)) + ": root element is <" +
                       std::string(xml::name(r)) + ">, expected <cib>");
  }
  return Cib(std::move(doc));
}

Result<Cib> Cib::load_file(const std::string& path) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse_file(path));
  xmlNode* r = xml::root(doc);
  if (!xml::is(r, "cib")) {
    return parse_error(path + ": line " + std::to_string(xml::line(r)) + ": root element is <" +
                       std::string(xml::name(r)) + ">, expected <cib>");
  }
  return Cib(std::move(doc));
}

Cib Cib::empty() {
  xml::DocPtr doc = xml::new_document("cib");
  xmlNode* r = xml::root(doc);
  xml::set_attr(r, "admin_epoch", "0");
  xml::set_attr(r, "epoch", "0");
  xml::set_attr(r, "num_updates", "0");
  xml::set_attr(r, "validate-with", "pacemaker-3.8");
  xmlNode* config = xml::add_child(r, "configuration");
  for (const char* s : {"crm_config", "nodes", "resources", "constraints"}) xml::add_child(config, s);
  xml::add_child(r, "status");
  return Cib(std::move(doc));
}

Cib Cib::copy() const { return Cib(xml::copy(doc_.get())); }

CibEdit Cib::begin_edit() { return CibEdit(*this); }

xmlNode* Cib::configuration() const { return xml::first_child(root(), "configuration"); }
xmlNode* Cib::status() const { return xml::first_child(root(), "status"); }

xmlNode* Cib::section(std::string_view name) {
  xmlNode* r = root();
  if (name.empty() || name == "cib") return r;
  if (name == "status" || name == "configuration") {
    xmlNode* s = xml::first_child(r, std::string(name).c_str());
    if (!s) {
      s = xmlNewDocNode(doc(), nullptr, BAD_CAST std::string(name).c_str(), nullptr);
      before_children(edit_, r);
      xmlNode* st = xml::first_child(r, "status");
      if (name == "configuration" && st) {
        xmlAddPrevSibling(st, s);
      } else {
        xmlAddChild(r, s);
      }
    }
    return s;
  }
  if (!is_config_section(name)) return nullptr;
  xmlNode* config = section("configuration");
  std::string n(name);
  xmlNode* s = xml::first_child(config, n.c_str());
  if (!s) {
    before_children(edit_, config);
    s = xml::add_child(config, n.c_str());
  }
  return s;
}

Version Cib::version() const { return Version::of(root()); }

void Cib::set_version(const Version& v) {
  before_attributes(edit_, root());
  xml::set_attr(root(), "admin_epoch", std::to_string(v.admin_epoch));
  xml::set_attr(root(), "epoch", std::to_string(v.epoch));
  xml::set_attr(root(), "num_updates", std::to_string(v.num_updates));
}

void Cib::bump_epoch() {
  Version v = version();
  v.epoch += 1;
  v.num_updates = 0;
  set_version(v);
}

void Cib::set_attribute(const char* name, const std::string& value) {
  before_attributes(edit_, root());
  xml::set_attr(root(), name, value);
}

void Cib::bump_num_updates() {
  Version v = version();
  v.num_updates += 1;
  set_version(v);
}

std::string Cib::serialize(bool pretty) const { return xml::to_string(doc_.get(), pretty); }

std::string Cib::digest() const { return md5_hex(canonical(configuration())); }

Status Cib::create(std::string_view section_name, const xmlNode* fragment) {
  if (!fragment) return invalid_argument("create: no XML given");
  if (section_name.empty() || section_name == "cib") return modify(section_name, fragment, false);
  if (section_name != "status" && section_name != "configuration" && !is_config_section(section_name)) {
    return invalid_argument("create: unknown section '" + std::string(section_name) + "'");
  }
  xmlNode* target = section(section_name);
  std::vector<const xmlNode*> objects;
  if (xml::name(fragment) == section_name) {
    for (xmlNode* c : xml::children(fragment)) objects.push_back(c);
  } else {
    objects.push_back(fragment);
  }
  // Check everything first so a failure changes nothing.
  const bool in_status = section_name == "status";
  xmlNode* id_scope = in_status ? target : section("configuration");
  std::set<std::string> new_ids;
  for (const xmlNode* obj : objects) {
    auto id = xml::attr(obj, "id");
    if (id) {
      xmlNode* existing = nullptr;
      if (in_status) {
        for (xmlNode* c : xml::children(target)) {
          if (xml::name(c) == xml::name(obj) && xml::attr(c, "id") == id) existing = c;
        }
      } else {
        existing = find_by_id(id_scope, *id);
      }
      if (existing) {
        return already_exists("create: " + std::string(xml::name(obj)) + " '" + *id + "': id already used by " +
                              describe(existing));
      }
      if (!new_ids.insert(std::string(xml::name(obj)) + "\n" + *id).second) {
        return already_exists("create: id '" + *id + "' given twice");
      }
    } else if (xml::first_child(target, std::string(xml::name(obj)).c_str())) {
      return already_exists("create: " + std::string(section_name) + " already has a <" +
                            std::string(xml::name(obj)) + "> and the new one has no id");
    }
  }
  before_children(edit_, target);
  for (const xmlNode* obj : objects) xmlAddChild(target, xmlDocCopyNode(const_cast<xmlNode*>(obj), doc(), 1));
  return Status::Ok();
}

Status Cib::modify(std::string_view section_name, const xmlNode* fragment, bool create_if_missing) {
  if (!fragment) return invalid_argument("modify: no XML given");
  if (!section_name.empty() && section_name != "cib" && section_name != "status" &&
      section_name != "configuration" && !is_config_section(section_name)) {
    return invalid_argument("modify: unknown section '" + std::string(section_name) + "'");
  }
  xmlNode* scope = section(section_name);
  xmlNode* target = nullptr;
  if (xml::name(fragment) == xml::name(scope)) {
    target = scope;
  } else {
    target = find_element(scope, xml::name(fragment), xml::attr(fragment, "id"), false);
  }
  if (!target) {
    if (create_if_missing && !section_name.empty() && section_name != "cib") return create(section_name, fragment);
    std::string what = std::string(xml::name(fragment));
    if (auto id = xml::attr(fragment, "id")) what += " '" + *id + "'";
    return not_found("modify: no " + what + " in " + (section_name.empty() ? "cib" : std::string(section_name)));
  }
  merge(target, fragment, edit_);
  return Status::Ok();
}

Status Cib::replace(std::string_view section_name, const xmlNode* fragment) {
  if (!fragment) return invalid_argument("replace: no XML given");
  if (xml::is(fragment, "cib")) {
    if (!section_name.empty() && section_name != "cib") {
      return invalid_argument("replace: a whole <cib> cannot replace section '" + std::string(section_name) + "'");
    }
    Version incoming = Version::of(fragment);
    if (incoming < version()) {
      return Status(StatusCode::kOutdated, "replace: the new CIB's version " + incoming.to_string() +
                                               " is older than the current " + version().to_string());
    }
    xml::DocPtr fresh(xmlNewDoc(BAD_CAST "1.0"));
    xmlDocSetRootElement(fresh.get(), xmlDocCopyNode(const_cast<xmlNode*>(fragment), fresh.get(), 1));
    if (edit_) edit_->replaced_document(std::move(doc_));
    doc_ = std::move(fresh);
    return Status::Ok();
  }
  if (!section_name.empty() && section_name != "cib" && section_name != "status" &&
      section_name != "configuration" && !is_config_section(section_name)) {
    return invalid_argument("replace: unknown section '" + std::string(section_name) + "'");
  }
  xmlNode* scope = section(section_name);
  xmlNode* target = xml::name(fragment) == xml::name(scope)
                        ? scope
                        : find_element(scope, xml::name(fragment), xml::attr(fragment, "id"), false);
  if (!target) {
    std::string what = std::string(xml::name(fragment));
    if (auto id = xml::attr(fragment, "id")) what += " '" + *id + "'";
    return not_found("replace: no " + what + " in " + (section_name.empty() ? "cib" : std::string(section_name)));
  }
  xmlNode* fresh = xmlDocCopyNode(const_cast<xmlNode*>(fragment), doc(), 1);
  if (target->parent) before_children(edit_, target->parent);
  xmlReplaceNode(target, fresh);
  if (edit_) {
    edit_->unlinked(target);
  } else {
    xmlFreeNode(target);
  }
  return Status::Ok();
}

Status Cib::remove(std::string_view section_name, const xmlNode* fragment) {
  if (!fragment) return invalid_argument("remove: no XML given");
  if (!section_name.empty() && section_name != "cib" && section_name != "status" &&
      section_name != "configuration" && !is_config_section(section_name)) {
    return invalid_argument("remove: unknown section '" + std::string(section_name) + "'");
  }
  xmlNode* scope = section(section_name);
  std::vector<xmlNode*> matches;
  if (xml::name(fragment) == xml::name(scope) && scope != root()) {
    for (xmlNode* c : xml::children(fragment)) collect_matches(scope, c, matches);
  } else {
    collect_matches(scope, fragment, matches);
  }
  if (matches.empty()) {
    std::string what = std::string(xml::name(fragment));
    if (auto id = xml::attr(fragment, "id")) what += " '" + *id + "'";
    return not_found("remove: no " + what + " in " + (section_name.empty() ? "cib" : std::string(section_name)));
  }
  std::set<xmlNode*> doomed(matches.begin(), matches.end());
  if (doomed.count(root())) return invalid_argument("remove: cannot remove the <cib> root");
  free_outermost(matches, doomed, edit_);
  return Status::Ok();
}

Status Cib::remove_xpath(const std::string& xpath, bool all) {
  ASSIGN_OR_RETURN(std::vector<xmlNode*> matches, xml::xpath(doc(), xpath));
  if (matches.empty()) return not_found("no element matches '" + xpath + "'");
  if (!all) {
    if (matches.front() == root()) return invalid_argument("refusing to delete the <cib> root");
    remove_node(edit_, matches.front());
    return Status::Ok();
  }
  std::set<xmlNode*> doomed(matches.begin(), matches.end());
  if (doomed.count(root())) return invalid_argument("cannot remove the <cib> root ('" + xpath + "')");
  free_outermost(matches, doomed, edit_);
  return Status::Ok();
}

Result<std::vector<xmlNode*>> Cib::query(const std::string& xpath) const {
  ASSIGN_OR_RETURN(std::vector<xmlNode*> matches, xml::xpath(doc(), xpath));
  if (matches.empty()) return not_found("no element matches '" + xpath + "'");
  return matches;
}

}  // namespace crm::cib
