// check_configuration: what the schema cannot say. References to unknown
// resources, nodes, templates and id-refs; duplicate ids; bad scores; a
// resource in two groups; constraints with themselves.
#include <regex.h>

#include <map>
#include <set>

#include "crm/cib/cib.h"
#include "crm/core/boolean.h"
#include "crm/core/cluster_options.h"
#include "crm/core/duration.h"
#include "crm/core/score.h"

namespace crm::cib {
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

class Checker {
 public:
  explicit Checker(const Cib& cib) : cib_(cib) {}

  std::vector<Problem> run() {
    xmlNode* config = cib_.configuration();
    if (!config) {
      error(cib_.root(), "the CIB has no <configuration> section");
      return std::move(problems_);
    }
    // Versions: the schema says so too, but not under validate-with="none".
    for (const char* a : {"admin_epoch", "epoch", "num_updates"}) {
      auto v = xml::attr(cib_.root(), a);
      if (v && (v->empty() || v->find_first_not_of("0123456789") != std::string::npos)) {
        error(cib_.root(), std::string(a) + " '" + *v + "' is not a non-negative integer (counted as 0)");
      }
    }
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

  // References by id, not definitions of one.
  static bool is_reference(const xmlNode* n) {
    return xml::is(n, "resource_ref") || xml::is(n, "obj_ref");
  }

  void index(xmlNode* config) {
    std::vector<xmlNode*> stack{config};
    while (!stack.empty()) {
      xmlNode* n = stack.back();
      stack.pop_back();
      if (auto id = xml::attr(n, "id"); id && !is_reference(n)) {
        // Node ids are the cluster layer's ids (often "1", "2"): their own namespace.
        if (xml::is(n, "node")) {
          node_ids_[*id].push_back(n);
        } else {
          ids_[*id].push_back(n);
        }
      }
      if (xml::has_attr(n, "id-ref")) id_refs_.push_back(n);
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
    for (xmlNode* n : id_refs_) {
      std::string ref = xml::attr_or(n, "id-ref");
      auto it = ids_.find(ref);
      if (it == ids_.end()) {
        error(n, "id-ref '" + ref + "' names nothing");
      } else if (xml::name(it->second[0]) != xml::name(n)) {
        error(n, "id-ref '" + ref + "' names a <" + std::string(xml::name(it->second[0])) + ">, not a <" +
                     std::string(xml::name(n)) + ">");
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
      if (!templates_.count(t)) error(p, "uses template '" + t + "', which is not defined");
    }
  }

  // A template or tag: a name that stands for several resources.
  bool is_collection(const std::string& id) const {
    return !resources_.count(id) && (templates_.count(id) || tag_ids_.count(id));
  }

  // A name a constraint may refer to: a resource, a template or a tag.
  bool known(const std::string& id) const {
    return resources_.count(id) || templates_.count(id) || tag_ids_.count(id);
  }

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
    for (xmlNode* c : xml::children(constraints)) {
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
        if (auto node = xml::attr(c, "node"); node && !node_names_.count(*node)) {
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

  void check_options(xmlNode* config) {
    bool stonith_enabled = true;
    if (xmlNode* crm = xml::first_child(config, "crm_config")) {
      for (xmlNode* set : xml::children(crm, "cluster_property_set")) {
        for (xmlNode* nv : xml::children(set, "nvpair")) {
          // Every cluster option's value against the option table; the
          // peer's words (its daemons then use the default instead).
          std::string name = xml::attr_or(nv, "name");
          auto value = xml::attr(nv, "value");
          if (const ClusterOption* o = find_cluster_option(name); o && value && !cluster_option_valid(*o, *value)) {
            problems_.push_back({Problem::Severity::kError, invalid_cluster_option_message(name, *value)});
          }
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
  std::vector<Problem> problems_;
  std::map<std::string, std::vector<xmlNode*>> ids_;
  std::map<std::string, std::vector<xmlNode*>> node_ids_;
  std::vector<xmlNode*> id_refs_;
  std::set<std::string> node_names_;
  std::set<std::string> tag_ids_;
  std::set<std::string> resources_;
  std::set<std::string> templates_;
  std::vector<xmlNode*> template_users_;
};

}  // namespace

std::vector<Problem> check_configuration(const Cib& cib) { return Checker(cib).run(); }

}  // namespace crm::cib
