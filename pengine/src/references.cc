// Constraints that name a resource template or a tag instead of a resource
// apply to every primitive based on that template, or every resource the tag
// names. As the peer (pcmk__expand_tags_in_sets, pcmk__tag_to_set), such a
// constraint is rewritten into the resource-set form the constraint readers
// already know: a reference inside a set becomes the resources it stands for,
// in place; a simple constraint naming one gets a set of them (not
// sequential, carrying the role or action), and for colocations and
// orderings the other side becomes a set too. The rewritten constraints live
// in a copy, so the caller's document is never changed; without templates or
// tags the configured section is read as it is.
#include <libxml/tree.h>

#include "crm/core/xml.h"
#include "working_set.h"

namespace crm::pengine {

namespace {

// The members a template or tag stands for; null for a resource or an unknown id.
const std::vector<std::string>* members_of(WorkingSet& ws, const std::string& id) {
  if (ws.find_rsc(id)) return nullptr;
  if (auto it = ws.templates.find(id); it != ws.templates.end()) return &it->second;
  if (auto it = ws.tags.find(id); it != ws.tags.end()) return &it->second;
  return nullptr;
}

bool names_reference(WorkingSet& ws, xmlNode* cons) {
  for (const char* a : {"rsc", "with-rsc", "first", "then"})
    if (auto id = xml::attr(cons, a); id && members_of(ws, *id)) return true;
  for (xmlNode* set : xml::children(cons, "resource_set"))
    for (xmlNode* ref : xml::children(set, "resource_ref"))
      if (members_of(ws, xml::attr_or(ref, "id"))) return true;
  return false;
}

// Replaces each reference inside the constraint's sets with its members.
void expand_sets(WorkingSet& ws, xmlNode* cons) {
  for (xmlNode* set : xml::children(cons, "resource_set")) {
    for (xmlNode* ref : xml::children(set, "resource_ref")) {
      const auto* members = members_of(ws, xml::attr_or(ref, "id"));
      if (!members) continue;
      xmlNode* last = ref;
      for (const std::string& m : *members) {
        xmlNode* added = xmlNewDocNode(set->doc, nullptr, BAD_CAST "resource_ref", nullptr);
        xml::set_attr(added, "id", m);
        last = xmlAddNextSibling(last, added);
      }
      xmlUnlinkNode(ref);
      xmlFreeNode(ref);
    }
  }
}

// Moves the constraint's `attr` (a resource, template or tag) into a set of
// its own, with `role_attr`'s value as the set's `set_role_attr`.
void attr_to_set(WorkingSet& ws, xmlNode* cons, const char* attr, const char* role_attr, const char* set_role_attr) {
  auto id = xml::attr(cons, attr);
  if (!id) return;
  xmlNode* set = xml::add_child(cons, "resource_set");
  xml::set_attr(set, "id", *id);
  if (const auto* members = members_of(ws, *id)) {
    for (const std::string& m : *members) xml::set_attr(xml::add_child(set, "resource_ref"), "id", m);
    xml::set_attr(set, "sequential", "false");
  } else {
    xml::set_attr(xml::add_child(set, "resource_ref"), "id", *id);
  }
  if (auto role = xml::attr(cons, role_attr)) {
    xml::set_attr(set, set_role_attr, *role);
    xml::remove_attr(cons, role_attr);
  }
  xml::remove_attr(cons, attr);
}

void expand(WorkingSet& ws, xmlNode* cons) {
  if (xml::first_child(cons, "resource_set")) {
    expand_sets(ws, cons);
  } else if (xml::is(cons, "rsc_location")) {
    attr_to_set(ws, cons, "rsc", "role", "role");
  } else if (xml::is(cons, "rsc_ticket")) {
    attr_to_set(ws, cons, "rsc", "rsc-role", "role");
  } else if (xml::is(cons, "rsc_colocation")) {
    attr_to_set(ws, cons, "rsc", "rsc-role", "role");
    attr_to_set(ws, cons, "with-rsc", "with-rsc-role", "role");
  } else if (xml::is(cons, "rsc_order")) {
    attr_to_set(ws, cons, "first", "first-action", "action");
    attr_to_set(ws, cons, "then", "then-action", "action");
  }
}

}  // namespace

void expand_constraint_references(WorkingSet& ws) {
  xmlNode* config = xml::first_child(xml::root(ws.doc), "configuration");
  ws.constraints = xml::first_child(config, "constraints");
  if (ws.templates.empty() && ws.tags.empty()) return;
  bool any = false;
  for (xmlNode* cons : xml::children(ws.constraints)) any = any || names_reference(ws, cons);
  if (!any) return;
  ws.expanded_constraints = xml::new_document("constraints");
  xmlNode* root = xml::root(ws.expanded_constraints);
  for (xmlNode* cons : xml::children(ws.constraints)) {
    if (xml::is(cons, "rsc_colocation") && !xml::first_child(cons, "resource_set") &&
        members_of(ws, xml::attr_or(cons, "rsc")) && members_of(ws, xml::attr_or(cons, "with-rsc"))) {
      // Which member would go with which? The peer ignores it too.
      ws.warnings.push_back("colocation constraint " + xml::attr_or(cons, "id") +
                            " ignored: it colocates two templates or tags (name resources, or use resource sets)");
      continue;
    }
    xmlNode* copy = xmlAddChild(root, xmlDocCopyNode(cons, ws.expanded_constraints.get(), 1));
    if (names_reference(ws, copy)) expand(ws, copy);
  }
  ws.constraints = root;
}

}  // namespace crm::pengine
