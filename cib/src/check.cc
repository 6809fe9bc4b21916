// check_configuration: what the schema cannot say. References to unknown
// resources, nodes, templates and id-refs; duplicate ids; bad scores; a
// resource in two groups; constraints with themselves.
#include <regex.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "crm/cib/cib.h"
#include "edit_log.h"
#include "crm/core/boolean.h"
#include "crm/core/cluster_options.h"
#include "crm/core/duration.h"
#include "crm/core/score.h"

namespace crm::cib {
namespace {

// Elements whose id names another element instead of defining one: a set's
// resource_ref, a tag's obj_ref, and an ACL target's or group's role (and
// role_ref, its 1.x form).
bool is_role_reference(const xmlNode* n) {
  return (xml::is(n, "role") || xml::is(n, "role_ref")) && xml::has_attr(n, "id");
}
bool is_id_reference(const xmlNode* n) {
  return xml::is(n, "resource_ref") || xml::is(n, "obj_ref") || is_role_reference(n);
}

}  // namespace

namespace {

std::string describe(const xmlNode* n) {
  std::string out(xml::name(n));
  if (auto id = xml::attr(n, "id")) {
    out += " '" + *id + "'";
  } else if (auto ref = xml::attr(n, "id-ref")) {
    out += " (id-ref '" + *ref + "')";
  }
  if (long l = xml::line(n); l > 0) out += " (line " + std::to_string(l) + ")";
  return out;
}

}  // namespace

// What a check looks names up in, kept per section member (see
// check_change): ids and what defines them, the kinds of names constraints
// refer to, and how often each name is referred to.
struct CheckIndex::Impl {
  struct Contribution {
    std::vector<std::pair<std::string, std::string>> ids;  // (id, element) of every definition
    std::vector<std::string> node_ids, node_names, resources, templates, tags, refs;
  };
  const xmlDoc* doc = nullptr;  // the CIB described; null: not built
  Version version;
  std::unordered_map<const xmlNode*, Contribution> members;
  std::unordered_map<std::string, std::vector<std::string>> ids;  // id -> the elements defining it
  std::unordered_map<std::string, int> node_ids, node_names, resources, templates, tags, refs;

  static bool has(const std::unordered_map<std::string, int>& m, const std::string& k) {
    auto it = m.find(k);
    return it != m.end() && it->second > 0;
  }
  static Contribution contribution_of(const xmlNode* member);
  // The names a member defines (whatever their kind), into `out`.
  static void defined_names(const Contribution& c, std::set<std::string>& out);
  void count(const Contribution& c, int delta);
  // `affected`: the names the member defines are added to it.
  void add(const xmlNode* member, std::set<std::string>* affected);
  void remove(const xmlNode* member);
  void build(const Cib& cib);
};

namespace {

class Checker {
 public:
  explicit Checker(const Cib& cib, const CheckIndex::Impl* index = nullptr) : cib_(cib), index_(index) {}

  // Versions: the schema says so too, but not under validate-with="none".
  std::vector<Problem> check_versions() {
    for (const char* a : {"admin_epoch", "epoch", "num_updates"}) {
      auto v = xml::attr(cib_.root(), a);
      if (v && (v->empty() || v->find_first_not_of("0123456789") != std::string::npos)) {
        error(cib_.root(), std::string(a) + " '" + *v + "' is not a non-negative integer (counted as 0)");
      }
    }
    return problems_;
  }

  // The checks of one section member (a change's touched member), names
  // looked up in the index; duplicates and references to it are the index's
  // business (check_change).
  std::vector<Problem> run_member(const xmlNode* member) {
    const std::string_view section = xml::name(member->parent);
    std::vector<xmlNode*> stack{const_cast<xmlNode*>(member)};
    while (!stack.empty()) {
      xmlNode* n = stack.back();
      stack.pop_back();
      if (xml::has_attr(n, "id-ref")) id_refs_.push_back(n);
      if (is_role_reference(n)) role_refs_.push_back(n);
      for (xmlNode* c : xml::children(n)) stack.push_back(c);
    }
    check_id_refs();
    if (section == "resources") check_resources(const_cast<xmlNode*>(member));
    if (section == "constraints") check_constraint(const_cast<xmlNode*>(member));
    check_scores(const_cast<xmlNode*>(member));
    if (section == "crm_config") check_option_values(const_cast<xmlNode*>(member));
    return std::move(problems_);
  }

  std::vector<Problem> run() {
    xmlNode* config = cib_.configuration();
    if (!config) {
      error(cib_.root(), "the CIB has no <configuration> section");
      return std::move(problems_);
    }
    check_versions();
    index(config);
    check_ids();
    check_resources(xml::first_child(config, "resources"));
    check_constraints(xml::first_child(config, "constraints"));
    check_scores(config);
    check_options(config);
    return std::move(problems_);
  }

 private:
  void error(const xmlNode* n, const std::string& what) {
    problems_.push_back({Problem::Severity::kError, describe(n) + ": " + what});
  }
  void warning(const xmlNode* n, const std::string& what) {
    problems_.push_back({Problem::Severity::kWarning, describe(n) + ": " + what});
  }


  void index(xmlNode* config) {
    std::vector<xmlNode*> stack{config};
    while (!stack.empty()) {
      xmlNode* n = stack.back();
      stack.pop_back();
      if (auto id = xml::attr(n, "id"); id && !is_id_reference(n)) {
        // Node ids are the cluster layer's ids (often "1", "2"): their own namespace.
        if (xml::is(n, "node")) {
          node_ids_[*id].push_back(n);
        } else {
          ids_[*id].push_back(n);
        }
      }
      if (xml::has_attr(n, "id-ref")) id_refs_.push_back(n);
      if (is_role_reference(n)) role_refs_.push_back(n);
      auto kids = xml::children(n);
      for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
    }
    if (xmlNode* nodes = xml::first_child(config, "nodes")) {
      for (xmlNode* n : xml::children(nodes, "node")) {
        if (auto u = xml::attr(n, "uname")) node_names_.insert(*u);
        if (auto id = xml::attr(n, "id")) node_names_.insert(*id);
      }
    }
    if (xmlNode* tags = xml::first_child(config, "tags")) {
      for (xmlNode* t : xml::children(tags, "tag")) {
        if (auto id = xml::attr(t, "id")) tag_ids_.insert(*id);
      }
    }
  }

  void check_ids() {
    for (auto& [id, nodes] : ids_) {
      if (nodes.size() < 2) continue;
      // A primitive defined in two groups reads better said that way.
      if (xml::is(nodes[0], "primitive") && xml::is(nodes[1], "primitive") && nodes[0]->parent &&
          nodes[1]->parent && xml::is(nodes[0]->parent, "group") && xml::is(nodes[1]->parent, "group")) {
        error(nodes[1], "resource is a member of group '" + xml::attr_or(nodes[0]->parent, "id") +
                            "' and of group '" + xml::attr_or(nodes[1]->parent, "id") + "'");
        continue;
      }
      for (size_t i = 1; i < nodes.size(); ++i) {
        error(nodes[i], "duplicate id '" + id + "' (first used by " + describe(nodes[0]) + ")");
      }
    }
    for (auto& [id, nodes] : node_ids_) {
      for (size_t i = 1; i < nodes.size(); ++i) {
        error(nodes[i], "duplicate node id '" + id + "' (first used by " + describe(nodes[0]) + ")");
      }
    }
    check_id_refs();
  }

  // The element that defines `id` first, if any.
  std::optional<std::string> definition_of(const std::string& id) const {
    if (index_) {
      auto it = index_->ids.find(id);
      if (it == index_->ids.end() || it->second.empty()) return std::nullopt;
      return it->second.front();
    }
    auto it = ids_.find(id);
    if (it == ids_.end()) return std::nullopt;
    return std::string(xml::name(it->second[0]));
  }

  void check_id_refs() {
    for (xmlNode* n : role_refs_) {
      std::string ref = xml::attr_or(n, "id");
      auto element = definition_of(ref);
      if (!element) {
        error(n, "role '" + ref + "' names no acl_role");
      } else if (*element != "acl_role") {
        error(n, "role '" + ref + "' names a <" + *element + ">, not an <acl_role>");
      }
    }
    for (xmlNode* n : id_refs_) {
      std::string ref = xml::attr_or(n, "id-ref");
      auto element = definition_of(ref);
      if (!element) {
        error(n, "id-ref '" + ref + "' names nothing");
      } else if (*element != xml::name(n)) {
        error(n, "id-ref '" + ref + "' names a <" + *element + ">, not a <" + std::string(xml::name(n)) + ">");
      }
    }
  }

  void check_resources(xmlNode* resources) {
    if (!resources) return;
    std::vector<xmlNode*> stack{resources};
    while (!stack.empty()) {
      xmlNode* n = stack.back();
      stack.pop_back();
      std::string_view name = xml::name(n);
      if (name == "primitive" || name == "template" || name == "group" || name == "clone" || name == "master" ||
          name == "bundle") {
        if (auto id = xml::attr(n, "id")) {
          if (name == "template") {
            templates_.insert(*id);
          } else {
            resources_.insert(*id);
          }
        }
        for (xmlNode* c : xml::children(n)) stack.push_back(c);
      }
      if (name == "resources") {
        for (xmlNode* c : xml::children(n)) stack.push_back(c);
      }
      if (name == "primitive") {
        if (auto t = xml::attr(n, "template")) {
          template_users_.push_back(n);
        } else if (xml::attr(n, "class") == "ocf" && !xml::has_attr(n, "provider")) {
          error(n, "class 'ocf' needs a provider");
        }
        if (xmlNode* ops = xml::first_child(n, "operations")) {
          std::map<std::string, xmlNode*> seen;
          for (xmlNode* op : xml::children(ops, "op")) {
            // Intervals compare as the peer reads them ("10s" is "10000ms").
            std::string interval = xml::attr_or(op, "interval", "0");
            if (auto ms = parse_interval(interval); ms.ok()) interval = std::to_string(ms->count());
            // Whatever the roles: the peer schedules neither (its is_op_dup).
            std::string key = xml::attr_or(op, "name") + "/" + interval;
            if (auto [it, fresh] = seen.emplace(key, op); !fresh && interval != "0") {
              warning(op, "same operation name and interval as " + describe(it->second) +
                              "; neither is scheduled (give each a different interval)");
            }
          }
        }
      }
    }
    for (xmlNode* p : template_users_) {
      std::string t = xml::attr_or(p, "template");
      if (!is_template(t)) error(p, "uses template '" + t + "', which is not defined");
    }
  }

  bool is_resource(const std::string& id) const {
    return index_ ? CheckIndex::Impl::has(index_->resources, id) : resources_.count(id) > 0;
  }
  bool is_template(const std::string& id) const {
    return index_ ? CheckIndex::Impl::has(index_->templates, id) : templates_.count(id) > 0;
  }
  bool is_tag(const std::string& id) const {
    return index_ ? CheckIndex::Impl::has(index_->tags, id) : tag_ids_.count(id) > 0;
  }
  bool is_node_name(const std::string& name) const {
    return index_ ? CheckIndex::Impl::has(index_->node_names, name) : node_names_.count(name) > 0;
  }

  // A template or tag: a name that stands for several resources.
  bool is_collection(const std::string& id) const { return !is_resource(id) && (is_template(id) || is_tag(id)); }

  // A name a constraint may refer to: a resource, a template or a tag.
  bool known(const std::string& id) const { return is_resource(id) || is_template(id) || is_tag(id); }

  void need(const xmlNode* c, const char* attr_name) {
    auto v = xml::attr(c, attr_name);
    if (v && !known(*v)) error(c, std::string(attr_name) + " '" + *v + "' is not a defined resource");
  }

  void check_sets(const xmlNode* c) {
    for (xmlNode* set : xml::children(c, "resource_set")) {
      for (xmlNode* ref : xml::children(set, "resource_ref")) {
        std::string id = xml::attr_or(ref, "id");
        if (!known(id)) error(set, "resource_ref '" + id + "' is not a defined resource");
      }
    }
  }

  void check_constraints(xmlNode* constraints) {
    if (!constraints) return;
    for (xmlNode* c : xml::children(constraints)) check_constraint(c);
  }

  void check_constraint(xmlNode* c) {
    {
      std::string_view name = xml::name(c);
      check_sets(c);
      if (name == "rsc_location") {
        need(c, "rsc");
        if (auto pattern = xml::attr(c, "rsc-pattern")) {
          // POSIX extended, as the peer uses; bounded so hostile input stays cheap.
          regex_t re;
          if (pattern->size() > 1024) {
            error(c, "rsc-pattern is longer than 1024 characters");
          } else if (regcomp(&re, pattern->c_str(), REG_EXTENDED | REG_NOSUB) != 0) {
            error(c, "rsc-pattern '" + *pattern + "' is not a valid regular expression");
          } else {
            regfree(&re);
          }
        }
        if (auto node = xml::attr(c, "node"); node && !is_node_name(*node)) {
          warning(c, "node '" + *node + "' is not a configured node (the constraint applies if it joins)");
        }
        if (!xml::has_attr(c, "rsc") && !xml::has_attr(c, "rsc-pattern") && !xml::first_child(c, "resource_set")) {
          error(c, "names no resource (rsc, rsc-pattern or a resource_set)");
        }
        if (!xml::has_attr(c, "node") && !xml::first_child(c, "rule")) {
          error(c, "has neither node and score nor a rule");
        }
      } else if (name == "rsc_colocation") {
        need(c, "rsc");
        need(c, "with-rsc");
        auto a = xml::attr(c, "rsc");
        auto b = xml::attr(c, "with-rsc");
        if (a && a == b) error(c, "colocates '" + *a + "' with itself");
        else if (a && b && is_collection(*a) && is_collection(*b))
          error(c, "colocates two templates or tags ('" + *a + "' with '" + *b +
                       "'); the peer and the scheduler ignore it (name resources, or use resource sets)");
      } else if (name == "rsc_order") {
        need(c, "first");
        need(c, "then");
        auto a = xml::attr(c, "first");
        if (a && a == xml::attr(c, "then") &&
            xml::attr_or(c, "first-action", "start") == xml::attr_or(c, "then-action", "start")) {
          error(c, "orders '" + *a + "' after itself");
        }
        if (xml::has_attr(c, "score") && xml::has_attr(c, "kind")) {
          warning(c, "has both score and kind; kind wins (score is the legacy spelling)");
        }
      } else if (name == "rsc_ticket") {
        need(c, "rsc");
      }
    }
  }

  void check_scores(xmlNode* config) {
    std::vector<xmlNode*> stack{config};
    while (!stack.empty()) {
      xmlNode* n = stack.back();
      stack.pop_back();
      if (auto s = xml::attr(n, "score")) {
        if (!parse_score(*s).ok()) error(n, "score '" + *s + "' is not an integer or (+/-)INFINITY");
      }
      if (xml::is(n, "rule") && !xml::has_attr(n, "id-ref") && xml::children(n).empty()) {
        warning(n, "rule has no expressions");
      }
      for (xmlNode* c : xml::children(n)) stack.push_back(c);
    }
  }

  // Every cluster option's value in a property set against the option
  // table; the peer's words (its daemons then use the default instead).
  void check_option_values(xmlNode* set) {
    for (xmlNode* nv : xml::children(set, "nvpair")) {
      std::string name = xml::attr_or(nv, "name");
      auto value = xml::attr(nv, "value");
      if (const ClusterOption* o = find_cluster_option(name); o && value && !cluster_option_valid(*o, *value)) {
        problems_.push_back({Problem::Severity::kError, invalid_cluster_option_message(name, *value)});
      }
    }
  }

  void check_options(xmlNode* config) {
    bool stonith_enabled = true;
    if (xmlNode* crm = xml::first_child(config, "crm_config")) {
      for (xmlNode* set : xml::children(crm, "cluster_property_set")) {
        check_option_values(set);
        for (xmlNode* nv : xml::children(set, "nvpair")) {
          std::string name = xml::attr_or(nv, "name");
          if (name == "stonith-enabled") {
            std::string v = xml::attr_or(nv, "value");
            // An invalid value counts as the default (true), as the peer reads it.
            stonith_enabled = is_true(v) || !cluster_option_valid(*find_cluster_option(name), v);
          }
        }
      }
    }
    if (!stonith_enabled) return;
    bool has_stonith = false;
    std::vector<xmlNode*> stack;
    if (xmlNode* r = xml::first_child(config, "resources")) stack.push_back(r);
    while (!stack.empty() && !has_stonith) {
      xmlNode* n = stack.back();
      stack.pop_back();
      if ((xml::is(n, "primitive") || xml::is(n, "template")) && xml::attr(n, "class") == "stonith") has_stonith = true;
      for (xmlNode* c : xml::children(n)) stack.push_back(c);
    }
    if (!has_stonith) {
      // The peer's three lines; its crm_verify counts them as errors.
      for (const char* line : {"Resource start-up disabled since no STONITH resources have been defined",
                               "Either configure some or disable STONITH with the stonith-enabled option",
                               "NOTE: Clusters with shared data need STONITH to ensure data integrity"}) {
        problems_.push_back({Problem::Severity::kWarning, line, /*verify_error=*/true});
      }
    }
  }

  const Cib& cib_;
  const CheckIndex::Impl* index_;
  std::vector<Problem> problems_;
  std::map<std::string, std::vector<xmlNode*>> ids_;
  std::map<std::string, std::vector<xmlNode*>> node_ids_;
  std::vector<xmlNode*> role_refs_;  // acl_target's and acl_group's role elements
  std::vector<xmlNode*> id_refs_;
  std::set<std::string> node_names_;
  std::set<std::string> tag_ids_;
  std::set<std::string> resources_;
  std::set<std::string> templates_;
  std::vector<xmlNode*> template_users_;
};

}  // namespace

std::vector<Problem> check_configuration(const Cib& cib) { return Checker(cib).run(); }


namespace {

bool is_resource_element(std::string_view name) {
  return name == "primitive" || name == "template" || name == "group" || name == "clone" || name == "master" ||
         name == "bundle";
}

}  // namespace

// What one member says, by the same rules as Checker::index and
// Checker::check_resources: definitions, names of each kind, references.
CheckIndex::Impl::Contribution CheckIndex::Impl::contribution_of(const xmlNode* member) {
  Contribution c;
  const std::string_view section = xml::name(member->parent);
  std::vector<const xmlNode*> stack{member};
  while (!stack.empty()) {
    const xmlNode* n = stack.back();
    stack.pop_back();
    const std::string_view name = xml::name(n);
    auto id = xml::attr(n, "id");
    if (id && !is_id_reference(n)) {
      if (name == "node") {
        c.node_ids.push_back(*id);
      } else {
        c.ids.emplace_back(*id, std::string(name));
      }
    }
    if (auto ref = xml::attr(n, "id-ref")) c.refs.push_back(*ref);
    if (is_role_reference(n)) c.refs.push_back(*id);
    if (section == "constraints") {
      for (const char* a : {"rsc", "with-rsc", "first", "then"})
        if (n == member)
          if (auto v = xml::attr(n, a)) c.refs.push_back(*v);
      if (name == "resource_ref" && id) c.refs.push_back(*id);
    }
    if (section == "resources" && name == "primitive")
      if (auto t = xml::attr(n, "template")) c.refs.push_back(*t);
    for (const xmlNode* k = n->last; k; k = k->prev)
      if (k->type == XML_ELEMENT_NODE) stack.push_back(k);
  }
  if (section == "nodes" && xml::is(member, "node")) {
    if (auto u = xml::attr(member, "uname")) c.node_names.push_back(*u);
    if (auto id = xml::attr(member, "id")) c.node_names.push_back(*id);
  }
  if (section == "tags" && xml::is(member, "tag"))
    if (auto id = xml::attr(member, "id")) c.tags.push_back(*id);
  if (section == "resources") {
    // Through resource containers only, as check_resources walks.
    std::vector<const xmlNode*> rs{member};
    while (!rs.empty()) {
      const xmlNode* n = rs.back();
      rs.pop_back();
      if (!is_resource_element(xml::name(n))) continue;
      if (auto id = xml::attr(n, "id")) (xml::is(n, "template") ? c.templates : c.resources).push_back(*id);
      for (const xmlNode* k = n->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE) rs.push_back(k);
    }
  }
  return c;
}

void CheckIndex::Impl::defined_names(const Contribution& c, std::set<std::string>& out) {
  for (const auto& [id, element] : c.ids) out.insert(id);
  for (const auto* keys : {&c.node_ids, &c.resources, &c.templates, &c.tags}) out.insert(keys->begin(), keys->end());
}

// Adds (+1) or takes away (-1) what one member says.
void CheckIndex::Impl::count(const Contribution& c, int delta) {
  auto tally = [&](std::unordered_map<std::string, int>& m, const std::vector<std::string>& keys) {
    for (const auto& k : keys)
      if ((m[k] += delta) <= 0) m.erase(k);
  };
  for (const auto& [id, element] : c.ids) {
    auto& v = ids[id];
    if (delta > 0) {
      v.push_back(element);
    } else if (auto e = std::find(v.begin(), v.end(), element); e != v.end()) {
      v.erase(e);
    }
    if (v.empty()) ids.erase(id);
  }
  tally(node_ids, c.node_ids);
  tally(node_names, c.node_names);
  tally(resources, c.resources);
  tally(templates, c.templates);
  tally(tags, c.tags);
  tally(refs, c.refs);
}

void CheckIndex::Impl::add(const xmlNode* member, std::set<std::string>* affected) {
  Contribution c = contribution_of(member);
  count(c, +1);
  if (affected) defined_names(c, *affected);
  members[member] = std::move(c);
}

void CheckIndex::Impl::remove(const xmlNode* member) {
  auto it = members.find(member);
  if (it == members.end()) return;
  count(it->second, -1);
  members.erase(it);
}

void CheckIndex::Impl::build(const Cib& cib) {
  *this = Impl();
  const xmlNode* config = cib.configuration();
  if (!config) return;
  for (const xmlNode* section = config->children; section; section = section->next) {
    if (section->type != XML_ELEMENT_NODE) continue;
    for (const xmlNode* m = section->children; m; m = m->next)
      if (m->type == XML_ELEMENT_NODE) add(m, nullptr);
  }
  doc = cib.doc();
  version = cib.version();
}

CheckIndex::CheckIndex() : impl_(std::make_unique<Impl>()) {}
CheckIndex::~CheckIndex() = default;
CheckIndex::CheckIndex(CheckIndex&&) noexcept = default;
CheckIndex& CheckIndex::operator=(CheckIndex&&) noexcept = default;
void CheckIndex::invalidate() { impl_->doc = nullptr; }
void CheckIndex::set_version(const Version& v) {
  if (impl_->doc) impl_->version = v;
}

std::optional<std::vector<Problem>> check_change(const Cib& cib, const CibEdit& edit, CheckIndex& index) {
  CheckIndex::Impl& x = *index.impl_;
  const xmlNode* config = cib.configuration();
  std::vector<const xmlNode*> touched, removed;
  if (!config || !edit.log_ || !edit.log_->changed_members(config, touched, removed)) {
    x.doc = nullptr;
    return std::nullopt;
  }
  if (x.doc != cib.doc() || x.version != cib.version()) {
    // Nothing to compare the change with: the index describes the CIB as it
    // is now, and the whole configuration is checked this once.
    x.build(cib);
    return std::nullopt;
  }
  // The state of every name the change may have moved, before and after.
  std::set<std::string> affected;
  for (const auto* list : {&removed, &touched}) {
    for (const xmlNode* m : *list) {
      auto it = x.members.find(m);
      if (it != x.members.end()) CheckIndex::Impl::defined_names(it->second, affected);
    }
  }
  auto state = [&](const std::string& id) {
    std::string out;
    if (auto it = x.ids.find(id); it != x.ids.end())
      for (const auto& e : it->second) out += e + ",";
    for (const auto* m : {&x.node_ids, &x.resources, &x.templates, &x.tags}) {
      auto it = m->find(id);
      out += "|" + std::to_string(it == m->end() ? 0 : it->second);
    }
    return out;
  };
  std::map<std::string, std::string> before;
  for (const auto& id : affected) before[id] = state(id);
  for (const xmlNode* m : removed) x.remove(m);
  for (const xmlNode* m : touched) {
    x.remove(m);
    x.add(m, &affected);
  }
  // A name defined twice now, or one that others refer to and whose
  // definition changed (gone, or of another kind): the whole configuration
  // decides, and says where.
  for (const auto& id : affected) {
    auto b = before.find(id);
    if (b != before.end() && b->second == state(id)) continue;
    if (auto it = x.ids.find(id); it != x.ids.end() && it->second.size() > 1) return std::nullopt;
    if (auto it = x.node_ids.find(id); it != x.node_ids.end() && it->second > 1) return std::nullopt;
    if (CheckIndex::Impl::has(x.refs, id)) return std::nullopt;
  }
  std::vector<Problem> out = Checker(cib, &x).check_versions();
  for (const xmlNode* m : touched) {
    std::vector<Problem> p = Checker(cib, &x).run_member(m);
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

}  // namespace crm::cib
