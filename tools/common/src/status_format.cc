#include "crm/tools/status_format.h"

#include <algorithm>
#include <functional>
#include <cctype>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

#include "crm/core/boolean.h"
#include "crm/core/duration.h"
#include "crm/core/exec_status.h"
#include "crm/core/ocf_rc.h"
#include "crm/core/op_history.h"
#include "crm/core/op_key.h"
#include "crm/core/transition_key.h"
#include "crm/core/score.h"
#include "crm/core/xml.h"

namespace crm::tools {

using pengine::ClusterStatus;
using pengine::NodeStatus;
using pengine::ResourceStatus;
using pengine::Role;

namespace {

// Calls fn(node name, <lrm_resource>) for every resource history in the status section.
template <typename Fn>
void for_each_lrm_resource(const cib::Cib& cib, Fn fn) {
  xmlNode* status = cib.status();
  if (!status) return;
  for (xmlNode* ns : xml::children(status, "node_state")) {
    std::string node = xml::attr_or(ns, "uname", xml::attr_or(ns, "id"));
    for (xmlNode* lrm : xml::children(ns, "lrm"))
      for (xmlNode* rscs : xml::children(lrm, "lrm_resources"))
        for (xmlNode* lr : xml::children(rscs, "lrm_resource")) fn(node, lr);
  }
}

long to_long(const std::string& s, long fallback = 0) {
  try {
    size_t used = 0;
    long v = std::stol(s, &used);
    return used == s.size() ? v : fallback;
  } catch (...) {
    return fallback;
  }
}

bool is_leaf(const ResourceStatus& r) { return r.kind == ResourceStatus::Kind::kPrimitive; }

bool any_active(const ResourceStatus& r) {
  if (is_leaf(r)) return !r.nodes.empty();
  for (const auto& c : r.children)
    if (any_active(c)) return true;
  return false;
}

void count_instances(const ResourceStatus& r, int* total, int* disabled, int* blocked, bool parent_disabled) {
  bool dis = (parent_disabled || r.disabled) && !r.orphan;
  if (is_leaf(r)) {
    ++*total;
    if (dis) ++*disabled;
    if (r.blocked) ++*blocked;
    return;
  }
  for (const auto& c : r.children) count_instances(c, total, disabled, blocked, dis);
}

std::string flags_text(const ResourceStatus& r) {
  std::vector<std::string> f;
  if (r.disabled && !r.orphan) f.push_back("disabled");
  if (!r.managed && !r.blocked) f.push_back("unmanaged");
  if (r.blocked) f.push_back("blocked");
  if (f.empty()) return "";
  std::string s = " (";
  for (size_t i = 0; i < f.size(); ++i) s += (i ? ", " : "") + f[i];
  return s + ")";
}

// An op interval from the configuration ("10s", "1m", "500ms", "PT10S", "10") in ms, -1 when unreadable.
long config_interval_ms(const std::string& text) {
  if (text.empty()) return 0;
  auto ms = parse_interval(text);
  return ms.ok() ? static_cast<long>(ms->count()) : -1;
}

// Resources (history ids) with a failure their configuration says to ignore (on-fail=ignore).
std::set<std::string> failures_ignored(const cib::Cib& cib) {
  std::set<std::string> out;
  for (const auto& f : failed_operations(cib)) {
    std::string base = f.rsc;
    if (auto colon = base.find(':'); colon != std::string::npos) base.resize(colon);
    xmlNode* r = find_resource(cib, base);
    if (!r) continue;
    for (xmlNode* ops : xml::children(r, "operations"))
      for (xmlNode* op : xml::children(ops, "op"))
        if (xml::attr_or(op, "name") == f.operation && config_interval_ms(xml::attr_or(op, "interval", "0")) == f.interval_ms &&
            xml::attr_or(op, "on-fail") == "ignore")
          out.insert(f.rsc);
  }
  return out;
}

// Per primitive base id, the nodes whose probe said "not installed".
std::map<std::string, std::set<std::string>> not_installed_nodes(const cib::Cib& cib) {
  std::map<std::string, std::set<std::string>> out;
  for_each_lrm_resource(cib, [&](const std::string& node, xmlNode* lr) {
    for (xmlNode* op : xml::children(lr, "lrm_rsc_op")) {
      const OpRecord r = read_op_record(op);
      if (r.operation != "monitor" || r.interval_ms != 0 || r.rc != kOcfErrInstalled || r.op_status != 0) continue;
      std::string id = xml::attr_or(lr, "id");
      out[id.substr(0, id.find(':'))].insert(node);
    }
  });
  return out;
}

class TextWriter {
 public:
  TextWriter(const ClusterStatus& st, const MonOptions& opt, std::set<std::string> ignored = {},
             std::map<std::string, std::set<std::string>> not_installed = {})
      : st_(st), opt_(opt), ignored_(std::move(ignored)), not_installed_(std::move(not_installed)) {
    for (const auto& n : st.nodes) {
      by_name_[n.name] = &n;
      all_nodes_.push_back(n.name);
    }
    std::sort(all_nodes_.begin(), all_nodes_.end(), natural_less);
  }

  void primitive(std::ostringstream& o, const ResourceStatus& r, const std::string& indent) {
    std::string id = r.id;
    // Instances of anonymous clones show under their base id.
    if (anonymous_depth_ > 0) {
      if (auto colon = id.find(':'); colon != std::string::npos) id.resize(colon);
    }
    o << indent << "* " << id << "\t(" << r.agent << "):\t ";
    if (r.orphan) o << "ORPHANED ";
    if (r.nodes.empty()) {
      o << "Stopped";
    } else {
      std::string role = r.failed ? "FAILED" : pengine::role_text(r.role);
      if (r.failed && r.role == Role::kPromoted) role = "FAILED Promoted";
      o << role;
      if (opt_.show_nodes) o << " ";
      if (!opt_.show_nodes) {
        // crm_resource -L: roles without locations.
      } else if (r.nodes.size() > 1) {
        o << "[";
        for (const auto& n : r.nodes) o << " " << n;
        o << " ]";
      } else {
        o << r.nodes.front();
        auto it = by_name_.find(r.nodes.front());
        if (it != by_name_.end() && it->second->unclean) o << " (UNCLEAN)";
      }
    }
    o << flags_text(r);
    if (!r.nodes.empty() && ignored_.count(r.id)) o << " (failure ignored)";
    o << "\n";
  }

  void resource(std::ostringstream& o, const ResourceStatus& r, const std::string& indent) {
    if (!opt_.inactive && !any_active(r)) return;
    if (is_leaf(r)) {
      primitive(o, r, indent);
      return;
    }
    if (r.kind == ResourceStatus::Kind::kGroup) {
      int inactive = 0;
      for (const auto& c : r.children)
        if (!any_active(c)) ++inactive;
      o << indent << "* Resource Group: " << r.id;
      std::string flags = flags_text(r);
      if (!opt_.inactive && inactive > 0) {
        o << " (" << inactive << (inactive == 1 ? " member" : " members") << " inactive";
        if (!flags.empty()) o << ", " << flags.substr(2);  // " (disabled)" -> "disabled)"
        else o << ")";
      } else {
        o << flags;
      }
      o << ":\n";
      for (const auto& c : r.children) resource(o, c, indent + "  ");
      return;
    }
    clone(o, r, indent);
  }

  void clone(std::ostringstream& o, const ResourceStatus& r, const std::string& indent) {
    std::string f;
    if (r.promotable) f = "promotable";
    if (r.unique) f += std::string(f.empty() ? "" : ", ") + "unique";
    o << indent << "* Clone Set: " << r.id << " [" << r.agent << "]" << (f.empty() ? "" : " (" + f + ")")
      << flags_text(r) << ":\n";
    std::string in = indent + "  ";
    if (r.unique) {
      // As the peer: an active unique clone lists every instance, stopped ones too.
      for (const auto& c : r.children) {
        if (is_leaf(c)) primitive(o, c, in);
        else resource(o, c, in);
      }
      return;
    }
    ++anonymous_depth_;
    std::vector<std::string> promoted, started;
    std::set<std::string> active_nodes;
    for (const auto& c : r.children) {
      std::vector<const ResourceStatus*> prims;
      if (is_leaf(c)) prims.push_back(&c);
      else
        for (const auto& m : c.children) prims.push_back(&m);
      bool simple = true, any = false, all = true;
      std::set<std::string> where;
      Role role = Role::kStopped;
      for (const auto* p : prims) {
        if (p->failed || !p->managed || p->nodes.size() > 1) simple = false;
        for (const auto& n : p->nodes) {
          auto it = by_name_.find(n);
          if (it != by_name_.end() && it->second->unclean) simple = false;
        }
        if (p->nodes.empty()) {
          all = false;
        } else {
          any = true;
          where.insert(p->nodes.front());
          if (p->role > role) role = p->role;
        }
      }
      if ((any && !all) || where.size() > 1) simple = false;
      for (const auto& w : where) active_nodes.insert(w);
      if (!any) continue;
      if (!simple) {
        if (is_leaf(c)) primitive(o, c, in);
        else resource(o, c, in);
        continue;
      }
      (role == Role::kPromoted ? promoted : started).push_back(*where.begin());
    }
    auto list = [&](const std::string& label, std::vector<std::string> v) {
      if (v.empty()) return;
      std::sort(v.begin(), v.end(), natural_less);
      o << in << "* " << label << ": [";
      for (const auto& n : v) o << " " << n;
      o << " ]\n";
    };
    list("Promoted", promoted);
    list(r.promotable ? "Unpromoted" : "Started", started);
    if (opt_.inactive) {
      std::set<std::string> missing;  // nodes where the agent is not installed
      for (const auto& c : r.children) {
        std::vector<const ResourceStatus*> prims;
        if (is_leaf(c)) prims.push_back(&c);
        else
          for (const auto& m : c.children) prims.push_back(&m);
        for (const auto* p : prims) {
          auto it = not_installed_.find(p->id.substr(0, p->id.find(':')));
          if (it != not_installed_.end()) missing.insert(it->second.begin(), it->second.end());
        }
      }
      std::vector<std::string> stopped, not_installed;
      for (const auto& n : all_nodes_) {
        if (active_nodes.count(n)) continue;
        (missing.count(n) ? not_installed : stopped).push_back(n);
      }
      list(r.disabled ? "Stopped (disabled)" : "Stopped", stopped);
      list("Stopped (not installed)", not_installed);
    }
    --anonymous_depth_;
  }

  // crm_mon -n: every node (its state) with the primitives active there, in
  // the order the node's status lists them (`order`: node -> resource ids).
  void nodes_with_resources(std::ostringstream& o, const cib::Cib& cib) {
    std::vector<const NodeStatus*> sorted;
    for (const auto& n : st_.nodes) sorted.push_back(&n);
    std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return natural_less(a->name, b->name); });
    MonOptions bare = opt_;
    bare.show_nodes = false;
    TextWriter w(st_, bare, ignored_, not_installed_);
    for (const auto* n : sorted) {
      std::string state = n->unclean    ? std::string("UNCLEAN (") + (n->online ? "online" : "offline") + ")"
                          : n->pending  ? "pending"
                          : n->standby  ? (n->online ? (n->standby_with_resources ? "standby (with active resources)" : "standby")
                                                     : "OFFLINE (standby)")
                          : n->maintenance ? (n->online ? "maintenance" : "OFFLINE (maintenance)")
                          : n->online   ? "online"
                                        : "OFFLINE";
      o << "  * " << n->kind_label() << " " << n->name << ": " << state << ":\n    * Resources:\n";
      for (const auto& a : active_on_node(cib, st_, n->name)) {
        w.anonymous_depth_ = a.anonymous ? 1 : 0;
        w.primitive(o, *a.rsc, "      ");
      }
    }
  }

  void nodes(std::ostringstream& o) { o << pengine::format_node_list(st_.nodes, "  "); }

 private:
  const ClusterStatus& st_;
  const MonOptions& opt_;
  std::map<std::string, const NodeStatus*> by_name_;
  std::vector<std::string> all_nodes_;
  std::set<std::string> ignored_;
  std::map<std::string, std::set<std::string>> not_installed_;
  int anonymous_depth_ = 0;
};

// Top-level resources in the peer's display order: by "priority" meta
// attribute, highest first, configuration order among equals.
std::vector<const ResourceStatus*> display_order(const cib::Cib& cib, const ClusterStatus& st) {
  std::vector<std::pair<long, const ResourceStatus*>> v;
  for (const auto& r : st.resources) {
    long prio = 0;
    if (xmlNode* e = find_resource(cib, r.id)) {
      if (xmlNode* nv = find_nvpair(e, "meta_attributes", "priority")) {
        std::string val = xml::attr_or(nv, "value");
        if (val == "INFINITY" || val == "+INFINITY") prio = kInfinity;
        else if (val == "-INFINITY") prio = kMinusInfinity;
        else prio = std::strtol(val.c_str(), nullptr, 10);
      }
    }
    v.emplace_back(prio, &r);
  }
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<const ResourceStatus*> out;
  for (const auto& [_, r] : v) out.push_back(r);
  return out;
}

std::string last_change_text(const cib::Cib& cib) {
  xmlNode* root = cib.root();
  std::string s = xml::attr_or(root, "cib-last-written");
  if (auto u = xml::attr(root, "update-user")) s += " by " + *u;
  if (auto c = xml::attr(root, "update-client")) s += " via " + *c;
  if (auto n = xml::attr(root, "update-origin")) s += " on " + *n;
  return s;
}

// Online nodes' attributes: permanent (configuration/nodes) and transient (status).
std::map<std::string, std::map<std::string, std::string>> node_attributes(const cib::Cib& cib,
                                                                           const ClusterStatus& st) {
  std::map<std::string, std::map<std::string, std::string>> out;
  auto skip = [](const std::string& name) {
    return name.empty() || name[0] == '#' || name.rfind("fail-count-", 0) == 0 ||
           name.rfind("last-failure-", 0) == 0 || name == "shutdown" || name == "terminate" || name == "standby";
  };
  for (const auto& n : st.nodes) {
    if (!n.online) continue;
    std::map<std::string, std::string> attrs;
    xmlNode* cfg = cib.configuration();
    if (xmlNode* nodes = cfg ? xml::first_child(cfg, "nodes") : nullptr) {
      for (xmlNode* node : xml::children(nodes, "node")) {
        if (xml::attr_or(node, "uname") != n.name) continue;
        for (auto& [name, value] : nvpair_values(node, "instance_attributes"))
          if (!skip(name)) attrs[name] = value;
      }
    }
    if (xmlNode* status = cib.status()) {
      for (xmlNode* ns : xml::children(status, "node_state")) {
        if (xml::attr_or(ns, "uname") != n.name && xml::attr_or(ns, "id") != n.id) continue;
        for (xmlNode* ta : xml::children(ns, "transient_attributes"))
          for (auto& [name, value] : nvpair_values(ta, "instance_attributes"))
            if (!skip(name)) attrs[name] = value;
      }
    }
    if (!attrs.empty()) out[n.name] = std::move(attrs);
  }
  return out;
}

std::string pad(const std::string& s, size_t width) { return s.size() >= width ? s : s + std::string(width - s.size(), ' '); }


std::string failed_op_line(const FailedOp& f) {
  std::string s = f.rsc + " ";
  if (f.interval_ms > 0) s += interval_text(f.interval_ms) + "-interval ";
  s += (f.operation == "monitor" && f.interval_ms == 0 ? std::string("probe") : f.operation) + " on " + f.node + " ";
  if (f.op_status != 0) {
    s += std::string("could not be executed (") + exec_status_text(f.op_status);
    if (!f.exit_reason.empty()) s += ": " + f.exit_reason;
    s += ")";
  } else {
    s += std::string("returned '") + ocf_rc_text(f.rc) + "'";
    if (!f.exit_reason.empty()) s += " (" + f.exit_reason + ")";
  }
  if (f.last_rc_change) s += " at " + format_time(f.last_rc_change);
  if (f.exec_time_ms > 0) s += " after " + (f.exec_time_ms < 1000 ? std::to_string(f.exec_time_ms) + "ms" : interval_text(f.exec_time_ms));
  return s;
}

// "rsc_monitor_10000" -> "rsc" (the resource part of an operation key).
std::string rsc_of_key(const std::string& key, const std::string& task) {
  auto k = parse_op_key(key);
  return k && k->action == task ? k->rsc : key;
}

}  // namespace


std::string interval_text(long ms) {
  if (ms <= 0) return "0s";
  std::string s;
  long secs = ms / 1000, rest = ms % 1000;
  if (secs >= 3600) { s += std::to_string(secs / 3600) + "h"; secs %= 3600; }
  if (secs >= 60) { s += std::to_string(secs / 60) + "m"; secs %= 60; }
  if (secs > 0) s += std::to_string(secs) + "s";
  if (rest > 0) s += std::to_string(rest) + "ms";
  return s;
}

std::vector<FailedOp> failed_operations(const cib::Cib& cib) {
  std::vector<FailedOp> out;
  for_each_lrm_resource(cib, [&](const std::string& node, xmlNode* lr) {
    // The history of a resource no longer configured is not shown.
    std::string base = xml::attr_or(lr, "id");
    if (auto colon = base.find(':'); colon != std::string::npos) base.resize(colon);
    if (!find_resource(cib, base)) return;
    std::set<std::string> seen;
    for (xmlNode* op : xml::children(lr, "lrm_rsc_op")) {
      FailedOp f{read_op_record(op)};
      if (f.pending()) continue;
      f.node = node;
      f.op_key = xml::attr_or(op, "operation_key", f.id);
      f.keyed = xml::attr(op, "operation_key").has_value();
      f.rsc = rsc_of_key(f.op_key, f.operation);
      int expected = f.target_rc;
      // An "error" execution status with the expected rc is how old feature sets recorded success.
      bool failed = (f.op_status != 0 && f.op_status != 1 && !(f.op_status == 4 && f.rc == expected)) ||
                    f.rc != expected;
      // A probe that found the resource stopped, or running where expected, is fine.
      if (!failed) continue;
      if (f.operation == "monitor" && f.interval_ms == 0 && f.rc == 7) continue;
      // A probe saying "not installed" means the resource cannot run there (not a failure).
      if (f.operation == "monitor" && f.interval_ms == 0 && f.rc == 5 && f.op_status == 0) continue;
      if (f.op_status == 0 && f.operation == "monitor" && f.interval_ms == 0 && (f.rc == 0 || f.rc == 8)) continue;
      std::string key = f.operation + "/" + std::to_string(f.interval_ms) + "/" + std::to_string(f.call_id);
      if (!seen.insert(key).second) continue;
      out.push_back(std::move(f));
    }
  });
  return out;
}

std::vector<FailCount> fail_counts(const cib::Cib& cib) {
  std::vector<FailCount> out;
  xmlNode* status = cib.status();
  if (!status) return out;
  // migration-threshold: the resource's meta attribute, else rsc_defaults, else 1000000.
  long default_threshold = 1000000;
  if (xmlNode* cfg = cib.configuration()) {
    if (xmlNode* d = xml::first_child(cfg, "rsc_defaults")) {
      if (xmlNode* nv = find_nvpair(d, "meta_attributes", "migration-threshold")) {
        auto s = parse_score(xml::attr_or(nv, "value"));
        if (s.ok()) default_threshold = *s;
      }
    }
  }
  for (xmlNode* ns : xml::children(status, "node_state")) {
    std::string node = xml::attr_or(ns, "uname", xml::attr_or(ns, "id"));
    std::map<std::string, FailCount> per_rsc;
    std::vector<std::string> order;
    for (xmlNode* ta : xml::children(ns, "transient_attributes"))
      for (xmlNode* set : xml::children(ta, "instance_attributes"))
        for (xmlNode* nv : xml::children(set, "nvpair")) {
          std::string name = xml::attr_or(nv, "name"), value = xml::attr_or(nv, "value");
          bool fc = name.rfind("fail-count-", 0) == 0, lf = name.rfind("last-failure-", 0) == 0;
          if (!fc && !lf) continue;
          std::string rsc = name.substr(fc ? 11 : 13);
          if (auto hash = rsc.find('#'); hash != std::string::npos) rsc.resize(hash);
          if (!per_rsc.count(rsc)) order.push_back(rsc);
          FailCount& c = per_rsc[rsc];
          c.node = node;
          c.rsc = rsc;
          if (fc) {
            auto s = parse_score(value);
            long v = s.ok() ? *s : 0;
            c.count = std::min<long>(kInfinity, c.count + v);
          } else {
            c.last_failure = std::max<std::time_t>(c.last_failure, to_long(value));
          }
        }
    // As the peer: only resources with operation history on the node.
    std::set<std::string> history;
    for (xmlNode* lrm : xml::children(ns, "lrm"))
      for (xmlNode* rscs : xml::children(lrm, "lrm_resources"))
        for (xmlNode* lr : xml::children(rscs, "lrm_resource")) history.insert(xml::attr_or(lr, "id"));
    for (const auto& rsc : order) {
      FailCount c = per_rsc[rsc];
      if (c.count <= 0 || !history.count(rsc)) continue;
      c.threshold = default_threshold;
      std::string base = rsc;
      if (auto colon = base.find(':'); colon != std::string::npos) base.resize(colon);
      if (xmlNode* r = find_resource(cib, base)) {
        xmlNode* nv = find_nvpair(r, "meta_attributes", "migration-threshold");
        for (xmlNode* p = r->parent; !nv && p && xml::name(p) != "resources"; p = p->parent)
          nv = find_nvpair(p, "meta_attributes", "migration-threshold");
        if (nv) {
          auto s = parse_score(xml::attr_or(nv, "value"));
          if (s.ok()) c.threshold = *s;
        }
      }
      out.push_back(c);
    }
  }
  return out;
}

namespace {
const ResourceStatus* find_status(const std::vector<ResourceStatus>& list, const std::string& id) {
  for (const auto& r : list) {
    if (r.id == id) return &r;
    if (const ResourceStatus* c = find_status(r.children, id)) return c;
  }
  return nullptr;
}
}  // namespace

std::string format_one_resource(const ClusterInfo& info, const ClusterStatus& st, const std::string& id,
                                const MonOptions& opt) {
  const ResourceStatus* r = find_status(st.resources, id);
  if (!r) return "";
  TextWriter w(st, opt, failures_ignored(info.cib), not_installed_nodes(info.cib));
  std::ostringstream o;
  w.resource(o, *r, "");
  std::string s = o.str();
  if (s.rfind("* ", 0) == 0) s.erase(0, 2);
  return s;
}

namespace {
// Failures crm_mon lists: as the peer, the history of a node that is cleanly
// offline is not looked at.
std::vector<FailedOp> visible_failures(const cib::Cib& cib, const ClusterStatus& st) {
  std::set<std::string> hidden;
  for (const auto& n : st.nodes)
    if (!n.online && !n.unclean) hidden.insert(n.name);
  std::vector<FailedOp> out;
  for (auto& f : failed_operations(cib))
    if (!hidden.count(f.node)) out.push_back(std::move(f));
  return out;
}
}  // namespace

std::string format_resources(const ClusterInfo& info, const ClusterStatus& st, const MonOptions& opt) {
  TextWriter w(st, opt, failures_ignored(info.cib), not_installed_nodes(info.cib));
  std::ostringstream rs;
  for (const auto* r : display_order(info.cib, st)) w.resource(rs, *r, "  ");
  return rs.str();
}

namespace {

// The operation history crm_mon shows (-o, and always in XML): per online
// node (in status order) each resource with history there (in the order the
// status lists them) and its operations by call id, as the peer's: probes
// show as "probe", probes that found the resource stopped and notifications
// are left out.
struct HistoryOp {
  OpRecord record;
  std::string task;
  bool has_exec = false, has_queue = false;
};
struct ResourceHistory {
  std::string id;  // an anonymous clone's instance by its primitive's name
  std::string threshold;
  long fail_count = 0;
  std::time_t last_failure = 0;
  bool orphan = false;
  std::vector<HistoryOp> ops;
};
std::vector<std::pair<std::string, std::vector<ResourceHistory>>> operation_history(const ClusterInfo& info,
                                                                                   const ClusterStatus& st) {
  std::map<std::string, std::vector<xmlNode*>> histories;  // node -> lrm_resource
  std::vector<std::string> order;                          // nodes as the status section lists them
  for_each_lrm_resource(info.cib, [&](const std::string& node, xmlNode* lr) {
    if (!histories.count(node)) order.push_back(node);
    histories[node].push_back(lr);
  });
  std::map<std::pair<std::string, std::string>, FailCount> counts;
  for (const auto& c : fail_counts(info.cib)) counts[{c.node, c.rsc}] = c;
  auto defaults = nvpair_values(xml::first_child(info.cib.configuration(), "rsc_defaults"), "meta_attributes");
  const std::string default_threshold = defaults.count("migration-threshold") ? defaults["migration-threshold"] : "1000000";
  std::vector<std::pair<std::string, std::vector<ResourceHistory>>> out;
  for (const auto& name : order) {
    auto node = std::find_if(st.nodes.begin(), st.nodes.end(), [&](const NodeStatus& x) { return x.name == name; });
    if (node == st.nodes.end() || !node->online) continue;
    std::vector<ResourceHistory> list;
    for (xmlNode* lr : histories[name]) {
      std::string id = xml::attr_or(lr, "id");
      std::string base = id.substr(0, id.find(':'));
      xmlNode* config = find_resource(info.cib, base);
      if (!config) continue;
      xmlNode* clone = enclosing_clone(config);
      ResourceHistory h;
      h.id = clone && anonymous_clone(clone) ? base : id;  // an anonymous instance by its primitive's name
      for (xmlNode* op : xml::children(lr, "lrm_rsc_op")) {
        HistoryOp o;
        o.record = read_op_record(op);
        o.task = o.record.operation;
        if (o.task == "monitor" && o.record.interval_ms == 0) o.task = "probe";
        if (o.task == "notify" || (o.task == "probe" && o.record.rc == 7)) continue;
        o.has_exec = xml::attr(op, "exec-time").has_value();
        o.has_queue = xml::attr(op, "queue-time").has_value();
        h.ops.push_back(std::move(o));
      }
      if (h.ops.empty()) continue;
      std::stable_sort(h.ops.begin(), h.ops.end(),
                       [](const HistoryOp& a, const HistoryOp& b) { return a.record.call_id < b.record.call_id; });
      auto own = nvpair_values(config, "meta_attributes");
      h.threshold = own.count("migration-threshold") ? own["migration-threshold"] : default_threshold;
      auto c = counts.find({name, id});
      if (auto t = parse_score(h.threshold); t.ok()) h.threshold = std::to_string(*t);  // INFINITY: 1000000
      if (c == counts.end()) c = counts.find({name, base});
      if (c != counts.end() && c->second.count > 0) {
        h.fail_count = c->second.count;
        h.last_failure = c->second.last_failure;
      }
      list.push_back(std::move(h));
    }
    if (!list.empty()) out.emplace_back(name, std::move(list));
  }
  return out;
}

std::string operations_text(const ClusterInfo& info, const ClusterStatus& st, const MonOptions& opt) {
  std::ostringstream o;
  o << "\nOperations:\n";
  for (const auto& [node, list] : operation_history(info, st)) {
    o << "  * Node: " << node << ":\n";
    for (const auto& h : list) {
      o << "    * " << h.id << ": migration-threshold=" << h.threshold;
      if (h.fail_count > 0) {
        o << " fail-count=" << h.fail_count;
        if (h.last_failure) o << " last-failure='" << format_time(h.last_failure) << "'";
      }
      o << ":\n";
      for (const auto& op : h.ops) {
        const OpRecord& r = op.record;
        std::string line = "(" + std::to_string(r.call_id) + ") " + op.task;
        std::string interval = r.interval_ms ? " interval=\"" + std::to_string(r.interval_ms) + "ms\"" : "";
        if (opt.timing) {
          line += ":" + interval;
          if (r.last_rc_change) line += " last-rc-change=\"" + format_time(r.last_rc_change) + "\"";
          if (op.has_exec) line += " exec-time=\"" + std::to_string(r.exec_time_ms) + "ms\"";
          if (op.has_queue) line += " queue-time=\"" + std::to_string(r.queue_time_ms) + "ms\"";
          line += " rc=" + std::to_string(r.rc) + " (" + ocf_rc_text(r.rc) + ")";
        } else if (!interval.empty()) {
          line += ":" + interval;
        }
        o << "      * " << line << "\n";
      }
    }
  }
  return o.str();
}

}  // namespace

std::vector<ActiveResource> active_on_node(const cib::Cib& cib, const ClusterStatus& st, const std::string& node) {
  std::vector<ActiveResource> out;
  std::function<void(const ResourceStatus&, bool)> walk = [&](const ResourceStatus& r, bool anonymous) {
    if (is_leaf(r)) {
      if (std::find(r.nodes.begin(), r.nodes.end(), node) != r.nodes.end()) out.push_back({&r, anonymous});
      return;
    }
    bool anon = anonymous || (r.kind == ResourceStatus::Kind::kClone && !r.unique);
    for (const auto& c : r.children) walk(c, anon);
  };
  for (const auto& r : st.resources) walk(r, false);
  std::vector<std::string> order;  // the node's lrm_resource ids
  for_each_lrm_resource(cib, [&](const std::string& n, xmlNode* lr) {
    if (n == node) order.push_back(xml::attr_or(lr, "id"));
  });
  auto rank = [&](const std::string& id) {
    for (size_t i = 0; i < order.size(); ++i)
      if (order[i] == id || order[i] == id.substr(0, id.find(':'))) return i;
    return order.size();
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const ActiveResource& a, const ActiveResource& b) { return rank(a.rsc->id) < rank(b.rsc->id); });
  return out;
}

std::string tickets_text(const ClusterStatus& st) {
  if (st.tickets.empty()) return "";
  std::string o = "\nTickets:\n";
  for (const auto& t : st.tickets) {
    o += "  * " + t.id + ": " + (t.granted ? "granted" : "revoked") + (t.standby ? " [standby]" : "");
    if (t.last_granted > -1) o += " last-granted=\"" + format_time(t.last_granted) + "\"";
    o += "\n";
  }
  return o;
}

std::string tickets_xml(const ClusterStatus& st) {
  if (st.tickets.empty()) return "";
  std::string o = "  <tickets>\n";
  for (const auto& t : st.tickets) {
    o += "    <ticket id=\"" + xml::escape(t.id) + "\" status=\"" + (t.granted ? "granted" : "revoked") +
         "\" standby=\"" + (t.standby ? "true" : "false") + "\"";
    if (t.last_granted > -1) o += " last-granted=\"" + format_time(t.last_granted) + "\"";
    o += "/>\n";
  }
  return o + "  </tickets>\n";
}

bool shows_section(const MonOptions& opt, const std::string& section) {
  if (!opt.sections.empty()) return opt.sections.count(section) > 0;
  if (section == "attributes") return opt.attributes;
  if (section == "failcounts") return opt.failcounts;
  if (section == "operations") return opt.operations;
  if (section == "tickets") return opt.tickets;
  return true;
}

std::string format_text(const ClusterInfo& info, const ClusterStatus& st, const MonOptions& opt, std::time_t now) {
  std::ostringstream o;
  // Sections are separated by one blank line.
  auto sep = [&o]() { if (o.tellp() > 0) o << "\n"; };
  auto has = [&opt](const char* s) { return shows_section(opt, s); };
  TextWriter w(st, opt, failures_ignored(info.cib), not_installed_nodes(info.cib));
  int total = 0, disabled = 0, blocked = 0;
  for (const auto& r : st.resources) count_instances(r, &total, &disabled, &blocked, false);

  if (has("stack") || has("dc") || has("times") || has("counts")) o << "Cluster Summary:\n";
  if (has("stack")) o << "  * Stack: " << info.stack << "\n";
  if (has("dc") && info.have_dc) {
    o << "  * Current DC: " << info.dc_name << " (version " << (info.dc_version.empty() ? "unknown" : info.dc_version)
      << ") - partition " << (info.quorate ? "with quorum" : "WITHOUT quorum") << "\n";
  } else if (has("dc")) {
    o << "  * Current DC: NONE\n";
  }
  if (has("times")) {
    o << "  * Last updated: " << format_time(now) << "\n";
    o << "  * Last change:  " << last_change_text(info.cib) << "\n";
  }
  if (has("counts")) {
    o << "  * " << st.nodes.size() << (st.nodes.size() == 1 ? " node" : " nodes") << " configured\n";
    o << "  * " << total << (total == 1 ? " resource instance" : " resource instances") << " configured";
    if (disabled && blocked)
      o << " (" << disabled << " DISABLED, " << blocked << " BLOCKED from further action due to failure)";
    else if (disabled)
      o << " (" << disabled << " DISABLED)";
    else if (blocked)
      o << " (" << blocked << " BLOCKED from further action due to failure)";
    o << "\n";
  }

  std::string mm = cluster_property(info.cib, "maintenance-mode");
  if (is_true(mm) && has("maint-mode")) {
    sep();
    o << "              *** Resource management is DISABLED ***\n"
      << "  The cluster will not attempt to start, stop or recover services\n";
  }
  if (!has("nodes")) {
    // nothing
  } else {
  sep();
  o << "Node List:\n";
  if (opt.group_by_node) {
    w.nodes_with_resources(o, info.cib);
    if (opt.inactive && has("resources")) {
      // Every resource not wholly active, in the full layout, as the peer's.
      o << "\nInactive Resources:\n";
      std::ostringstream rs;
      for (const auto* r : display_order(info.cib, st)) {
        std::ostringstream one;
        w.resource(one, *r, "  ");
        if (one.str().find("Stopped") != std::string::npos) rs << one.str();
      }
      o << (rs.str().empty() ? "  * No inactive resources\n" : rs.str());
    }
  } else {
    w.nodes(o);
  }
  }
  if (has("resources") && !(opt.group_by_node && has("nodes"))) {
    sep();
    o << (opt.inactive ? "Full List of Resources:" : "Active Resources:") << "\n";
    std::ostringstream rs;
    for (const auto* r : display_order(info.cib, st)) w.resource(rs, *r, "  ");
    if (rs.str().empty()) o << (st.resources.empty() && opt.inactive ? "  * No resources\n" : "  * No active resources\n");
    else o << rs.str();
  }

  auto attrs = has("attributes") ? node_attributes(info.cib, st)
                                  : std::map<std::string, std::map<std::string, std::string>>{};
  if (!attrs.empty()) {
    sep();
    o << "Node Attributes:\n";
    std::vector<std::string> names;
    for (const auto& [n, _] : attrs) names.push_back(n);
    std::sort(names.begin(), names.end(), natural_less);
    for (const auto& n : names) {
      o << "  * Node: " << n << ":\n";
      for (const auto& [k, v] : attrs[n]) o << "    * " << pad(k, 32) << "\t: " << pad(v, 10) << "\n";
    }
  }
  bool any_online = std::any_of(st.nodes.begin(), st.nodes.end(), [](const NodeStatus& n) { return n.online; });
  if (has("operations") && any_online) {
    sep();
    o << operations_text(info, st, opt).substr(1);  // without its leading blank line
  } else if (has("failcounts") && any_online) {
    sep();
    o << "Migration Summary:\n";
    auto counts = fail_counts(info.cib);
    // Per node in resource configuration order.
    std::map<std::string, size_t> rank;
    {
      std::vector<const ResourceStatus*> stack;
      for (auto it = st.resources.rbegin(); it != st.resources.rend(); ++it) stack.push_back(&*it);
      while (!stack.empty()) {
        const ResourceStatus* r = stack.back();
        stack.pop_back();
        rank.emplace(r->id, rank.size());
        for (auto it = r->children.rbegin(); it != r->children.rend(); ++it) stack.push_back(&*it);
      }
    }
    auto rank_of = [&](const std::string& id) {
      auto it = rank.find(id);
      if (it == rank.end()) it = rank.find(id.substr(0, id.find(':')));
      return it == rank.end() ? rank.size() : it->second;
    };
    std::stable_sort(counts.begin(), counts.end(),
                     [&](const FailCount& a, const FailCount& b) { return rank_of(a.rsc) < rank_of(b.rsc); });
    std::map<std::string, std::vector<FailCount>> by_node;
    for (const auto& c : counts) by_node[c.node].push_back(c);
    std::vector<std::string> names;
    for (const auto& [n, _] : by_node) names.push_back(n);
    std::sort(names.begin(), names.end(), natural_less);
    for (const auto& n : names) {
      o << "  * Node: " << n << ":\n";
      for (const auto& c : by_node[n]) {
        o << "    * " << c.rsc << ": migration-threshold=" << c.threshold << " fail-count=" << c.count;
        if (c.last_failure) o << " last-failure='" << format_time(c.last_failure) << "'";
        o << "\n";
      }
    }
  }
  auto failed = visible_failures(info.cib, st);
  if (!failed.empty() && has("failures")) {
    sep();
    o << "Failed Resource Actions:\n";
    for (const auto& f : failed) o << "  * " << failed_op_line(f) << "\n";
  }
  return o.str();
}

namespace {

// The peer's API (2.1.5 crm_mon --output-as=xml), attribute for attribute:
// an anonymous clone's instances show the clone's primitive id (no ":N"),
// and every node a resource runs on carries its id.
void xml_resource(std::ostringstream& o, const ResourceStatus& r, const std::string& indent, const MonOptions& opt,
                  const ClusterStatus& st, bool anonymous_instance = false) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  if (!opt.inactive && !any_active(r)) return;
  if (is_leaf(r)) {
    std::string id = anonymous_instance ? r.id.substr(0, r.id.find(':')) : r.id;
    o << indent << "<resource id=\"" << xml::escape(id) << "\" resource_agent=\"" << xml::escape(r.agent)
      << "\" role=\"" << (r.nodes.empty() ? "Stopped" : pengine::role_text(r.role)) << "\" active=\""
      << b(!r.nodes.empty()) << "\" orphaned=\"" << b(r.orphan) << "\" blocked=\"" << b(r.blocked)
      << "\" managed=\"" << b(r.managed) << "\" failed=\"" << b(r.failed) << "\" failure_ignored=\""
      << b(r.failure_ignored) << "\" nodes_running_on=\"" << r.nodes.size() << "\"";
    if (r.nodes.empty()) {
      o << "/>\n";
      return;
    }
    o << ">\n";
    for (const auto& n : r.nodes) {
      auto node = std::find_if(st.nodes.begin(), st.nodes.end(), [&](const auto& x) { return x.name == n; });
      o << indent << "  <node name=\"" << xml::escape(n) << "\" id=\""
        << xml::escape(node == st.nodes.end() ? n : node->id) << "\" cached=\"true\"/>\n";
    }
    o << indent << "</resource>\n";
    return;
  }
  bool clone = r.kind != ResourceStatus::Kind::kGroup;
  if (!clone) {
    o << indent << "<group id=\"" << xml::escape(r.id) << "\" number_resources=\"" << r.children.size()
      << "\" managed=\"" << b(r.managed) << "\" disabled=\"" << b(r.disabled) << "\">\n";
  } else {
    o << indent << "<clone id=\"" << xml::escape(r.id) << "\" multi_state=\"" << b(r.promotable) << "\" unique=\""
      << b(r.unique) << "\" managed=\"" << b(r.managed) << "\" disabled=\"" << b(r.disabled) << "\" failed=\""
      << b(r.failed) << "\" failure_ignored=\"" << b(r.failure_ignored) << "\">\n";
  }
  // Instances of an anonymous clone (a group's members inside one too).
  bool anonymous = clone ? !r.unique : anonymous_instance;
  for (const auto& c : r.children) xml_resource(o, c, indent + "  ", opt, st, anonymous);
  o << indent << (clone ? "</clone>\n" : "</group>\n");
}

int resources_running(const ClusterStatus& st, const std::string& node) {
  int n = 0;
  std::vector<const ResourceStatus*> stack;
  for (const auto& r : st.resources) stack.push_back(&r);
  while (!stack.empty()) {
    const ResourceStatus* r = stack.back();
    stack.pop_back();
    if (is_leaf(*r)) n += static_cast<int>(std::count(r->nodes.begin(), r->nodes.end(), node));
    for (const auto& c : r->children) stack.push_back(&c);
  }
  return n;
}

}  // namespace

// A node's health as the peer's XML shows it: red or yellow when one of its
// "#health-*" attributes says so, else green.
std::string node_health(const cib::Cib& cib, const std::string& node) {
  std::string worst = "green";
  xmlNode* status = cib.status();
  for (xmlNode* ns : xml::children(status, "node_state")) {
    if (xml::attr_or(ns, "uname") != node) continue;
    for (auto& [k, v] : nvpair_values(xml::first_child(ns, "transient_attributes"), "instance_attributes")) {
      if (k.rfind("#health", 0) != 0) continue;
      if (v == "red") worst = "red";
      else if (v == "yellow" && worst == "green") worst = "yellow";
    }
  }
  return worst;
}

std::string format_xml(const ClusterInfo& info, const ClusterStatus& st, const MonOptions& opt, std::time_t now) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  std::ostringstream o;
  int total = 0, disabled = 0, blocked = 0;
  for (const auto& r : st.resources) count_instances(r, &total, &disabled, &blocked, false);
  o << "<pacemaker-result api-version=\"2.25\" request=\"" << xml::escape(opt.request) << "\">\n";
  o << "  <summary>\n";
  o << "    <stack type=\"" << xml::escape(info.stack) << "\"/>\n";
  if (info.have_dc) {
    o << "    <current_dc present=\"true\" version=\"" << xml::escape(info.dc_version) << "\" name=\""
      << xml::escape(info.dc_name) << "\" id=\"" << xml::escape(info.dc_id) << "\" with_quorum=\"" << b(info.quorate)
      << "\" mixed_version=\"false\"/>\n";
  } else {
    o << "    <current_dc present=\"false\"/>\n";
  }
  o << "    <last_update time=\"" << xml::escape(format_time(now)) << "\"/>\n";
  xmlNode* root = info.cib.root();
  o << "    <last_change time=\"" << xml::escape(xml::attr_or(root, "cib-last-written")) << "\" user=\""
    << xml::escape(xml::attr_or(root, "update-user")) << "\" client=\"" << xml::escape(xml::attr_or(root, "update-client"))
    << "\" origin=\"" << xml::escape(xml::attr_or(root, "update-origin")) << "\"/>\n";
  o << "    <nodes_configured number=\"" << st.nodes.size() << "\"/>\n";
  o << "    <resources_configured number=\"" << total << "\" disabled=\"" << disabled << "\" blocked=\"" << blocked
    << "\"/>\n";
  auto option = [&](const char* name, const char* dflt) {
    std::string v = cluster_property(info.cib, name);
    return v.empty() ? std::string(dflt) : v;
  };
  auto ms = [&](const char* name, const char* dflt) {
    auto d = parse_duration(option(name, dflt));
    return std::to_string(d.ok() ? d->count() : 0);
  };
  o << "    <cluster_options stonith-enabled=\"" << b(is_true(option("stonith-enabled", "true")))
    << "\" symmetric-cluster=\"" << b(is_true(option("symmetric-cluster", "true"))) << "\" no-quorum-policy=\""
    << xml::escape(option("no-quorum-policy", "stop")) << "\" maintenance-mode=\""
    << b(is_true(option("maintenance-mode", "false"))) << "\" stop-all-resources=\""
    << b(is_true(option("stop-all-resources", "false"))) << "\" stonith-timeout-ms=\"" << ms("stonith-timeout", "60s")
    << "\" priority-fencing-delay-ms=\"" << ms("priority-fencing-delay", "0") << "\"/>\n";
  o << "  </summary>\n";
  o << "  <nodes>\n";
  std::vector<NodeStatus> by_name(st.nodes.begin(), st.nodes.end());
  std::stable_sort(by_name.begin(), by_name.end(), [](const auto& a, const auto& b) { return natural_less(a.name, b.name); });
  for (const auto& n : by_name) {
    o << "    <node name=\"" << xml::escape(n.name) << "\" id=\"" << xml::escape(n.id) << "\" online=\"" << b(n.online)
      << "\" standby=\"" << b(n.standby) << "\" standby_onfail=\"" << b(n.standby_onfail) << "\" maintenance=\""
      << b(n.maintenance) << "\" pending=\"" << b(n.pending) << "\" unclean=\"" << b(n.unclean)
      << "\" health=\"" << node_health(info.cib, n.name) << "\""
      // the peer knows a feature set for members only ("<3.15.1": before it was recorded)
      << (n.online ? " feature_set=\"" + xml::escape(n.feature_set.empty() ? "<3.15.1" : n.feature_set) + "\"" : std::string())
      << " shutdown=\""
      << b(n.shutdown) << "\" expected_up=\"" << b(n.expected_up) << "\" is_dc=\""
      << b(info.have_dc && (n.id == info.dc_id || n.name == info.dc_name)) << "\" resources_running=\""
      << resources_running(st, n.name) << "\" type=\"member\"/>\n";
  }
  o << "  </nodes>\n";
  o << "  <resources>\n";
  MonOptions every = opt;  // the peer's XML lists inactive resources too
  every.inactive = true;
  for (const auto* r : display_order(info.cib, st)) xml_resource(o, *r, "    ", every, st);
  o << "  </resources>\n";
  // The peer's XML holds every section whatever -A, -f or -o say.
  if (auto attrs = node_attributes(info.cib, st); !attrs.empty()) {
    o << "  <node_attributes>\n";
    for (const auto& [node, list] : attrs) {
      o << "    <node name=\"" << xml::escape(node) << "\">\n";
      for (const auto& [k, v] : list)
        o << "      <attribute name=\"" << xml::escape(k) << "\" value=\"" << xml::escape(v) << "\"/>\n";
      o << "    </node>\n";
    }
    o << "  </node_attributes>\n";
  }
  if (auto history = operation_history(info, st); history.empty()) {
    o << "  <node_history/>\n";
  } else {
    o << "  <node_history>\n";
    for (const auto& [node, list] : history) {
      o << "    <node name=\"" << xml::escape(node) << "\">\n";
      for (const auto& h : list) {
        o << "      <resource_history id=\"" << xml::escape(h.id) << "\" orphan=\"false\" migration-threshold=\""
          << xml::escape(h.threshold) << "\"";
        if (h.fail_count > 0) {
          o << " fail-count=\"" << h.fail_count << "\"";
          if (h.last_failure) o << " last-failure=\"" << xml::escape(format_time(h.last_failure)) << "\"";
        }
        o << ">\n";
        for (const auto& op : h.ops) {
          const OpRecord& r = op.record;
          o << "        <operation_history call=\"" << r.call_id << "\" task=\"" << xml::escape(op.task) << "\" rc=\""
            << r.rc << "\" rc_text=\"" << xml::escape(ocf_rc_text(r.rc)) << "\"";
          if (r.interval_ms) o << " interval=\"" << r.interval_ms << "ms\"";
          if (r.last_rc_change) o << " last-rc-change=\"" << xml::escape(format_time(r.last_rc_change)) << "\"";
          if (op.has_exec) o << " exec-time=\"" << r.exec_time_ms << "ms\"";
          if (op.has_queue) o << " queue-time=\"" << r.queue_time_ms << "ms\"";
          o << "/>\n";
        }
        o << "      </resource_history>\n";
      }
      o << "    </node>\n";
    }
    o << "  </node_history>\n";
  }
  auto failed = visible_failures(info.cib, st);
  if (!failed.empty()) {
    o << "  <failures>\n";
    for (const auto& f : failed) {
      o << "    <failure " << (f.keyed ? "op_key" : "id") << "=\"" << xml::escape(f.op_key) << "\" node=\""
        << xml::escape(f.node) << "\" exitstatus=\"" << xml::escape(ocf_rc_text(f.rc)) << "\" exitreason=\""
        << xml::escape(f.exit_reason.empty() ? "none" : f.exit_reason) << "\" exitcode=\"" << f.rc << "\" call=\""
        << f.call_id << "\" status=\"" << exec_status_text(f.op_status) << "\"";
      // The peer's API: these five together, when the record has its time.
      if (f.last_rc_change) {
        char when[32];
        std::tm tm{};
        gmtime_r(&f.last_rc_change, &tm);
        std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
        o << " last-rc-change=\"" << when << "\" queued=\"" << f.queue_time_ms << "\" exec=\"" << f.exec_time_ms
          << "\" interval=\"" << f.interval_ms << "\" task=\"" << xml::escape(f.operation) << "\"";
      }
      o << "/>\n";
    }
    o << "  </failures>\n";
  }
  o << "  <status code=\"0\" message=\"OK\"/>\n";
  o << "</pacemaker-result>\n";
  return o.str();
}

std::string format_simple(const ClusterInfo& info, const ClusterStatus& st, int* rc) {
  int total = 0, disabled = 0, blocked = 0;
  for (const auto& r : st.resources) count_instances(r, &total, &disabled, &blocked, false);
  int online = 0;
  std::vector<std::string> offline;
  for (const auto& n : st.nodes) {
    if (n.online) ++online;
    else offline.push_back(n.name);
  }
  std::ostringstream o;
  if (!info.have_dc) {
    *rc = 2;
    o << "CLUSTER CRIT: No DC\n";
    return o.str();
  }
  if (!offline.empty()) {
    *rc = 1;
    o << "CLUSTER WARN: offline node:";
    for (const auto& n : offline) o << " " << n;
    o << "\n";
    return o.str();
  }
  *rc = 0;
  o << "CLUSTER OK: " << online << (online == 1 ? " node online, " : " nodes online, ") << total
    << (total == 1 ? " resource instance configured\n" : " resource instances configured\n");
  return o.str();
}

}  // namespace crm::tools

namespace crm::tools {

std::string format_explanation(const pengine::ResourceExplanation& e) {
  std::string o = "Resource " + e.resource;
  if (!e.parent.empty()) o += " (in " + e.parent + ")";
  o += ": " + std::string(e.active_on.empty() ? "not active" : "active on ");
  for (size_t i = 0; i < e.active_on.size(); ++i) o += (i ? ", " : "") + e.active_on[i];
  o += "; after this transition " +
       (e.next_node.empty() ? std::string("stopped") : std::string(pengine::role_text(e.next_role)) + " on " + e.next_node) +
       "\n";
  o += "Decision: " + e.decision + "\n";
  for (const auto& l : e.leftovers) o += "Left behind: " + l + "\n";
  o += "Allocation scores, node by node (each the sum of its contributions, in the order applied):\n";
  for (const auto& n : e.nodes) {
    o += "  " + n.node + ": " + (n.allowed ? score_to_string(n.total) : std::string("not allowed"));
    if (!n.unavailable.empty()) o += " (the node is " + n.unavailable + ")";
    o += "\n";
    for (const auto& c : n.contributions) {
      std::string amount = c.sets ? "= " + score_to_string(c.score)
                                  : (c.score >= 0 ? "+" : "") + score_to_string(c.score);
      o += "      " + amount + std::string(amount.size() < 12 ? 12 - amount.size() : 1, ' ') +
           (c.text.empty() ? std::string(pengine::contribution_kind_text(c.kind)) : c.text) + "\n";
    }
  }
  return o;
}

}  // namespace crm::tools
