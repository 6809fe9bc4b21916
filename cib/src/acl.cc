#include "crm/cib/acl.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "crm/core/boolean.h"
#include "crm/core/nvpair.h"
#include "crm/core/xml.h"

namespace crm::cib {
namespace {

// The kinds given to each selected element (a bit set of Permission::Kind).
using Marks = std::unordered_map<const xmlNode*, unsigned>;

constexpr unsigned kRead = 1, kWrite = 2, kDeny = 4;

// The <cib> attributes the daemon writes, never the user.
bool daemon_stamp(std::string_view attribute) {
  static constexpr std::string_view kStamps[] = {"epoch",         "num_updates",   "cib-last-written", "update-origin",
                                                 "update-client", "update-user",   "have-quorum",      "dc-uuid"};
  return std::find(std::begin(kStamps), std::end(kStamps), attribute) != std::end(kStamps);
}

std::string quoted_literal(const std::string& text) {
  return text.find('\'') == std::string::npos ? "'" + text + "'" : "\"" + text + "\"";
}

// A permission's elements as an XPath, as the peer builds it from
// reference / object-type / attribute when there is no xpath.
std::string selection_of(const xmlNode* permission) {
  if (auto xpath = xml::attr(permission, "xpath")) return *xpath;
  auto tag = xml::attr(permission, "object-type");
  auto ref = xml::attr(permission, "reference");
  auto attribute = xml::attr(permission, "attribute");
  if (!tag && !ref) return {};
  std::string out = "//" + tag.value_or("*");
  if (ref) out += "[@id=" + quoted_literal(*ref) + "]";
  if (attribute) out += "[@" + *attribute + "]";
  return out;
}

std::string id_or_name(const xmlNode* n) {
  if (auto name = xml::attr(n, "name")) return *name;
  return xml::attr_or(n, "id");
}

// How an element may be accessed: the nearest element, itself or up, that
// has a mark decides. A read mark lets a write look further up.
bool allowed(const Marks& marks, const xmlNode* n, unsigned wanted) {
  for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
    auto it = marks.find(n);
    if (it == marks.end()) continue;
    if (it->second & kDeny) return false;
    if (it->second & (wanted | kWrite)) return true;
  }
  return false;
}

// The element a path names, as the ACL check reads it: comments stand for
// the element holding them.
const xmlNode* element_of(const xmlNode* n) {
  while (n && n->type != XML_ELEMENT_NODE) n = n->parent;
  return n;
}

// A path step as the patches write it: name[@id='ID'] or the bare name.
std::string step_of(const xmlNode* n) {
  std::string out(xml::name(n));
  if (auto id = xml::attr(n, "id")) out += "[@id=" + quoted_literal(*id) + "]";
  return out;
}

}  // namespace

bool acl_required(std::string_view user) { return !user.empty() && user != "root" && user != "hacluster"; }

bool acl_applies(const Cib& cib, std::string_view user) {
  if (!acl_required(user)) return false;
  const xmlNode* configuration = cib.configuration();
  const xmlNode* crm_config = configuration ? xml::first_child(configuration, "crm_config") : nullptr;
  const xmlNode* nv = find_nvpair(crm_config, "cluster_property_set", "enable-acl");
  return nv && is_true(xml::attr_or(nv, "value"));
}

Acl Acl::of(const Cib& cib, const AclSubject& subject) {
  Acl acl;
  acl.user_ = subject.user;
  const xmlNode* configuration = cib.configuration();
  const xmlNode* acls = configuration ? xml::first_child(configuration, "acls") : nullptr;
  if (!acls) return acl;
  std::vector<const xmlNode*> visiting;  // roles on the way, so a role naming itself ends
  std::function<void(const xmlNode*)> unpack = [&](const xmlNode* entry) {
    if (std::find(visiting.begin(), visiting.end(), entry) != visiting.end()) return;
    visiting.push_back(entry);
    for (const xmlNode* child : xml::children(entry)) {
      std::string_view name = xml::name(child);
      Permission::Kind kind{};
      if (name == "acl_permission") {
        std::string k = xml::attr_or(child, "kind");
        kind = k == "read" ? Permission::kRead : k == "write" ? Permission::kWrite : k == "deny" ? Permission::kDeny
                                                                                                 : Permission::Kind{};
      } else if (name == "read" || name == "write" || name == "deny") {  // acls 1.x
        kind = name == "read" ? Permission::kRead : name == "write" ? Permission::kWrite : Permission::kDeny;
      } else if (name == "role" || name == "role_ref") {
        std::string ref = xml::attr_or(child, "id");
        for (const xmlNode* role : xml::children(acls, "acl_role")) {
          if (xml::attr_or(role, "id") == ref) {
            unpack(role);
            break;
          }
        }
        continue;
      } else {
        continue;
      }
      std::string xpath = selection_of(child);
      if (kind != Permission::Kind{} && !xpath.empty()) acl.permissions_.push_back({kind, std::move(xpath)});
    }
    visiting.pop_back();
  };
  for (const xmlNode* entry : xml::children(acls)) {
    std::string_view name = xml::name(entry);
    std::string who = id_or_name(entry);
    if (name == "acl_target" || name == "acl_user") {
      if (who == subject.user) unpack(entry);
    } else if (name == "acl_group") {
      if (std::find(subject.groups.begin(), subject.groups.end(), who) != subject.groups.end()) unpack(entry);
    }
  }
  return acl;
}

namespace {

// Every permission's kind on the elements it selects in `doc`. A selection
// that is not a valid XPath selects nothing (the peer logs and goes on).
template <class Permissions>
Marks marks_of(const xmlDoc* doc, const Permissions& permissions) {
  Marks marks;
  for (const auto& p : permissions) {
    auto matches = xml::xpath(doc, p.xpath, xml::XPathMatches::kOwners);
    if (!matches.ok()) continue;
    for (const xmlNode* n : *matches) marks[n] |= p.kind;
  }
  return marks;
}

bool readable_itself(const Marks& marks, const xmlNode* n) {
  auto it = marks.find(n);
  return it != marks.end() && !(it->second & kDeny) && (it->second & (kRead | kWrite));
}

// The peer's purge: an element readable by its own mark stays whole; any
// other loses its attributes but id and keeps only the children that have
// something readable, and goes when none has. True when something stays.
bool purge(const Marks& marks, xmlNode* n) {
  if (readable_itself(marks, n)) return true;
  for (xmlAttr* a = n->properties; a;) {
    xmlAttr* next = a->next;
    if (std::strcmp(reinterpret_cast<const char*>(a->name), "id") != 0) xmlRemoveProp(a);
    a = next;
  }
  bool kept = false;
  for (xmlNode* c = n->children; c;) {
    xmlNode* next = c->next;
    if (c->type == XML_ELEMENT_NODE) {
      kept |= purge(marks, c);
    } else {
      xmlUnlinkNode(c);
      xmlFreeNode(c);
    }
    c = next;
  }
  if (!kept && n != xmlDocGetRootElement(n->doc)) {
    xmlUnlinkNode(n);
    xmlFreeNode(n);
  }
  return kept;
}

}  // namespace

Result<Cib> Acl::readable(const Cib& cib) const {
  auto denied = [&] { return permission_denied("user '" + user_ + "' may read nothing in the CIB (ACLs)"); };
  if (permissions_.empty()) return denied();
  Cib copy = cib.copy();
  Marks marks = marks_of(copy.doc(), permissions_);
  // Denied parts go first, each deny evaluated on what is left.
  for (const auto& p : permissions_) {
    if (p.kind != Permission::kDeny) continue;
    auto matches = xml::xpath(copy.doc(), p.xpath, xml::XPathMatches::kOwners);
    if (!matches.ok()) continue;
    // Innermost first: purging an element frees what it drops beneath it.
    for (auto it = matches->rbegin(); it != matches->rend(); ++it) {
      xmlNode* n = *it;
      const bool root = n == copy.root();
      if (!purge(marks, n) && root) return denied();
    }
  }
  if (!purge(marks, copy.root())) return denied();
  return copy;
}

Status Acl::check_change(const Cib& before, const Cib& after) const {
  auto refused = [&](const std::string& what, const std::string& path) {
    return permission_denied("user '" + user_ + "' may not " + what + " " + path + " (ACLs)");
  };
  ASSIGN_OR_RETURN(Patch patch, diff(before.root(), after.root(), DiffOptions{.version = false,
                                                                               .attribute_order = false}));
  if (patch.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<PatchTarget> targets, patch_targets(patch, before.doc(), after.doc()));
  Marks old_marks = marks_of(before.doc(), permissions_);
  Marks new_marks;
  bool new_marked = false;
  // A created element and everything in it: each is scaffolding (only an id,
  // outside <acls>) or writable where it now is.
  std::function<Status(const xmlNode*, const std::string&)> check_created = [&](const xmlNode* n,
                                                                                 const std::string& path) -> Status {
    if (n->type != XML_ELEMENT_NODE) return Status::Ok();
    bool scaffolding = true;
    for (const xmlAttr* a = n->properties; a && scaffolding; a = a->next)
      scaffolding = std::strcmp(reinterpret_cast<const char*>(a->name), "id") == 0;
    if (scaffolding) {
      for (const xmlNode* up = n; up && scaffolding; up = up->parent)
        if (up->type == XML_ELEMENT_NODE && xml::name(up) == "acls") scaffolding = false;
    }
    if (!scaffolding && !allowed(new_marks, n, kWrite)) return refused("create", path);
    for (const xmlNode* c : xml::children(n)) {
      RETURN_IF_ERROR(check_created(c, path + "/" + step_of(c)));
    }
    return Status::Ok();
  };
  for (const PatchTarget& t : targets) {
    if (t.kind == PatchTarget::Kind::kCreate) {
      if (!new_marked) {
        new_marks = marks_of(after.doc(), permissions_);
        new_marked = true;
      }
      if (!t.node) return refused("create under", t.path);
      if (t.node->type != XML_ELEMENT_NODE) {  // a comment: its parent's
        if (!allowed(new_marks, element_of(t.node), kWrite)) return refused("change", t.path);
        continue;
      }
      RETURN_IF_ERROR(check_created(t.node, t.path + "/" + step_of(t.node)));
      continue;
    }
    const xmlNode* n = element_of(t.node);
    if (!n) return refused("change", t.path);
    if (t.kind == PatchTarget::Kind::kModify && n == before.root()) {
      // Only what the user changed on <cib> itself (validate-with, admin_epoch, ...).
      bool users = std::any_of(t.attributes.begin(), t.attributes.end(),
                               [](const std::string& a) { return !daemon_stamp(a); });
      if (!users) continue;
    }
    if (!allowed(old_marks, n, kWrite)) {
      const char* what = t.kind == PatchTarget::Kind::kDelete ? "delete"
                         : t.kind == PatchTarget::Kind::kMove ? "move"
                                                               : "change";
      return refused(what, t.path);
    }
  }
  return Status::Ok();
}

}  // namespace crm::cib
