#include "simulate.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "crm/core/nvpair.h"
#include "crm/core/op_key.h"
#include "crm/core/xml.h"
#include "crm/pengine/digest.h"
#include "crm/core/clock.h"
#include "crm/core/op_history.h"
#include "crm/tengine/transition.h"

namespace crm::simulate {
namespace {

namespace pe = crm::pengine;

xmlNode* section(xmlDoc* doc, const char* name) {
  xmlNode* cib = xml::root(doc);
  if (std::string(name) == "status") {
    xmlNode* st = xml::first_child(cib, "status");
    return st ? st : xml::add_child(cib, "status");
  }
  return xml::first_child(xml::first_child(cib, "configuration"), name);
}

// The node's id as configured, or nullopt when the CIB does not know the node.
std::optional<std::string> node_id(xmlDoc* doc, const std::string& uname) {
  for (xmlNode* n : xml::children(section(doc, "nodes"), "node"))
    if (xml::attr_or(n, "uname") == uname) return xml::attr_or(n, "id", uname);
  for (xmlNode* st : xml::children(section(doc, "status"), "node_state"))
    if (xml::attr_or(st, "uname") == uname) return xml::attr_or(st, "id", uname);
  return std::nullopt;
}

Result<xmlNode*> node_state(xmlDoc* doc, const std::string& uname) {
  auto id = node_id(doc, uname);
  if (!id) return not_found("node '" + uname + "' is not in the CIB (no <node> or <node_state> with that uname)");
  xmlNode* status = section(doc, "status");
  for (xmlNode* st : xml::children(status, "node_state"))
    if (xml::attr_or(st, "uname") == uname || xml::attr_or(st, "id") == *id) return st;
  xmlNode* st = xml::add_child(status, "node_state");
  xml::set_attr(st, "id", *id);
  xml::set_attr(st, "uname", uname);
  return st;
}

void set_membership(xmlNode* st, bool in_ccm, bool crmd, bool join, bool expected) {
  xml::set_attr(st, "in_ccm", in_ccm ? "true" : "false");
  xml::set_attr(st, "crmd", crmd ? "online" : "offline");
  xml::set_attr(st, "join", join ? "member" : "down");
  xml::set_attr(st, "expected", expected ? "member" : "down");
}

xmlNode* lrm_resources(xmlNode* st) {
  xmlNode* lrm = xml::first_child(st, "lrm");
  if (!lrm) {
    lrm = xml::add_child(st, "lrm");
    xml::set_attr(lrm, "id", xml::attr_or(st, "id"));
  }
  xmlNode* lrs = xml::first_child(lrm, "lrm_resources");
  return lrs ? lrs : xml::add_child(lrm, "lrm_resources");
}

int next_call_id(xmlNode* st) {
  int call = 0;
  if (xmlNode* lrm = xml::first_child(st, "lrm"))
    for (xmlNode* r : xml::children(xml::first_child(lrm, "lrm_resources"), "lrm_resource"))
      for (xmlNode* op : xml::children(r, "lrm_rsc_op"))
        call = std::max(call, read_op_record(op).call_id);
  return call + 1;
}

// Sets (or with "value++" increments) a transient attribute of the node.
std::string set_transient(xmlNode* st, const std::string& name, const std::string& value) {
  std::string id = xml::attr_or(st, "id");
  xmlNode* ta = xml::first_child(st, "transient_attributes");
  if (!ta) {
    ta = xml::add_child(st, "transient_attributes");
    xml::set_attr(ta, "id", id);
  }
  xmlNode* ia = xml::first_child(ta, "instance_attributes");
  if (!ia) {
    ia = xml::add_child(ta, "instance_attributes");
    xml::set_attr(ia, "id", "status-" + id);
  }
  xmlNode* nv = nullptr;
  for (xmlNode* x : xml::children(ia, "nvpair"))
    if (xml::attr_or(x, "name") == name) nv = x;
  if (!nv) {
    nv = xml::add_child(ia, "nvpair");
    std::string nvid = "status-" + id + "-" + name;
    std::replace(nvid.begin(), nvid.end(), '#', '.');
    xml::set_attr(nv, "id", nvid);
    xml::set_attr(nv, "name", name);
  }
  std::string v = value;
  if (value == "value++") {
    std::string old = xml::attr_or(nv, "value", "0");
    long n = old == "INFINITY" ? 1000000 : std::atol(old.c_str());
    v = n >= 1000000 ? "INFINITY" : std::to_string(n + 1);
  }
  xml::set_attr(nv, "value", v);
  return "Injecting attribute " + name + "=" + value + " into /node_state '" + id + "'";
}

// The configured primitive for an id ("rsc", "rsc:2"), or nullptr.
xmlNode* find_primitive(xmlDoc* doc, const std::string& id) {
  std::string base = id.substr(0, id.find(':'));
  auto found = xml::xpath(doc, "/cib/configuration/resources//primitive[@id='" + base + "']");
  if (!found.ok() || found->empty()) return nullptr;
  return found->front();
}

// Anonymous clone instances are known to the executor by the primitive's id.
std::string executor_id(xmlNode* primitive, const std::string& id) {
  for (xmlNode* p = primitive->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
    if (!xml::is(p, "clone") && !xml::is(p, "master")) continue;
    if (xmlNode* nv = find_nvpair(p, "meta_attributes", "globally-unique"); nv && xml::attr_or(nv, "value") == "true")
      return id;
    return xml::attr_or(primitive, "id");
  }
  return id;
}

std::map<std::string, std::string> primitive_params(xmlNode* primitive) {
  return nvpair_values(primitive, "instance_attributes");
}

std::vector<std::string> record_failure(xmlNode* st, const std::string& rsc, const std::string& task, long interval_ms,
                                        std::time_t now) {
  return {set_transient(st, failcount_name(rsc, task, interval_ms), "value++"),
          set_transient(st, last_failure_name(rsc, task, interval_ms), std::to_string(now))};
}

}  // namespace

Result<OpSpec> parse_op_spec(const std::string& text) {
  const std::string want = " (want ${resource}_${task}_${interval_in_ms}@${node}=${rc}, e.g. rsc1_monitor_10000@node1=7)";
  auto at = text.rfind('@');
  auto eq = text.rfind('=');
  if (at == std::string::npos || eq == std::string::npos || eq < at)
    return invalid_argument("bad operation spec '" + text + "'" + want);
  OpSpec s;
  s.text = text;
  std::string key = text.substr(0, at);
  s.node = text.substr(at + 1, eq - at - 1);
  std::string rc = text.substr(eq + 1);
  char* end = nullptr;
  long rcv = std::strtol(rc.c_str(), &end, 10);
  if (rc.empty() || *end != '\0' || rcv < 0 || rcv > 255)
    return invalid_argument("bad return code '" + rc + "' in operation spec '" + text + "'" + want);
  s.rc = static_cast<int>(rcv);
  if (s.node.empty()) return invalid_argument("no node in operation spec '" + text + "'" + want);
  auto parsed = parse_op_key(key);
  if (!parsed) return invalid_argument("bad operation key '" + key + "' in '" + text + "'" + want);
  s.rsc = parsed->rsc;
  s.task = parsed->action;
  s.interval_ms = parsed->interval_ms;
  return s;
}

Result<std::vector<std::string>> apply_injections(xmlDoc* cib, const Injections& inj, std::time_t now) {
  if (!xml::root(cib) || !xml::is(xml::root(cib), "cib")) return invalid_argument("input is not a CIB (no <cib> root)");
  std::vector<std::string> lines;
  if (inj.quorum) {
    xml::set_attr(xml::root(cib), "have-quorum", *inj.quorum ? "1" : "0");
    lines.push_back(std::string("Setting quorum: ") + (*inj.quorum ? "1" : "0"));
  }
  for (const std::string& n : inj.node_up) {
    ASSIGN_OR_RETURN(xmlNode * st, node_state(cib, n));
    set_membership(st, true, true, true, true);
    lines.push_back("Bringing node " + n + " online");
  }
  for (const std::string& n : inj.node_down) {
    ASSIGN_OR_RETURN(xmlNode * st, node_state(cib, n));
    set_membership(st, false, false, false, false);
    lines.push_back("Taking node " + n + " offline");
  }
  for (const std::string& n : inj.node_fail) {
    ASSIGN_OR_RETURN(xmlNode * st, node_state(cib, n));
    // The peer: member of everything but gone from the membership layer.
    set_membership(st, false, true, true, true);
    lines.push_back("Failing node " + n);
  }
  for (const std::string& text : inj.op_inject) {
    ASSIGN_OR_RETURN(OpSpec s, parse_op_spec(text));
    xmlNode* prim = find_primitive(cib, s.rsc);
    if (!prim) return not_found("operation spec '" + text + "': no primitive resource '" + s.rsc + "' in the configuration");
    ASSIGN_OR_RETURN(xmlNode * st, node_state(cib, s.node));
    crm::OpRecord op;
    op.rsc_id = executor_id(prim, s.rsc);
    op.rsc_class = xml::attr_or(prim, "class");
    op.rsc_provider = xml::attr_or(prim, "provider");
    op.rsc_type = xml::attr_or(prim, "type");
    op.operation = s.task;
    op.interval_ms = s.interval_ms;
    op.call_id = next_call_id(st);
    op.rc = s.rc;
    op.target_rc = (s.task == "monitor" && s.interval_ms == 0) ? 7 : 0;
    op.last_rc_change = now;
    op.transition_key = transition_key(0, 0, op.target_rc, "crm-simulate-injected");
    op.op_digest = pengine::op_digest(primitive_params(prim));
    op.on_node = s.node;
    crm::record_op(lrm_resources(st), op);
    lines.push_back("Injecting " + text + " into the configuration");
    if (op.failed()) {
      for (auto& l : record_failure(st, op.rsc_id, s.task, s.interval_ms, now)) lines.push_back(l);
    }
  }
  return lines;
}

namespace {

// The transition engine's executor for a simulated run: it only queues what
// the engine fires; execute() below carries the actions out one at a time.
class QueueingExecutor final : public tengine::ActionExecutor {
 public:
  Status execute(const tengine::Action& action, const std::string& key) override {
    fired.emplace_back(action.id, key);
    return Status::Ok();
  }
  std::vector<std::pair<int, std::string>> fired;  // (action id, transition key)
};

}  // namespace

Result<Execution> execute(xmlDoc* cib, const pe::Transition& t, const std::vector<OpSpec>& failures, std::time_t now) {
  if (!xml::root(cib)) return invalid_argument("no CIB document");
  // The one transition engine decides what runs (triggers, and nothing new
  // after a failure); among the actions it has fired, the one earliest in the
  // policy engine's execution order runs first, so the lines keep that order.
  ASSIGN_OR_RETURN(tengine::Graph graph, tengine::Graph::from(t));
  std::map<int, const pe::GraphAction*> by_id;
  for (const pe::GraphAction& a : t.actions) by_id[a.id] = &a;
  std::map<int, size_t> rank;
  for (size_t r = 0; r < t.execution_order.size(); ++r) rank[t.actions[t.execution_order[r]].id] = r;
  QueueingExecutor queue;
  SimulatedClock clock;
  tengine::Transition run(std::move(graph), queue, clock, {.dc_uuid = "crm-simulate"});
  run.start();

  Execution ex;
  std::map<int, std::vector<std::string>> extra_lines;  // action id -> lines after its own
  std::map<xmlNode*, int> call_ids;  // next call-id per node_state (scanning per action is quadratic)
  while (!queue.fired.empty()) {
    auto next = std::min_element(queue.fired.begin(), queue.fired.end(),
                                 [&](const auto& x, const auto& y) { return rank[x.first] < rank[y.first]; });
    auto [id, key] = *next;
    queue.fired.erase(next);
    const pe::GraphAction& a = *by_id.at(id);
    tengine::ActionResult result;
    auto done = [&] { run.action_done(id, result); };
    if (a.type == pe::GraphAction::Type::kCrmEvent) {
      if (a.task == "stonith" || a.task == "do_shutdown") {
        if (auto st = node_state(cib, a.node); st.ok()) {
          set_membership(*st, false, false, false, false);
          if (a.task == "stonith") {
            for (const char* child : {"lrm", "transient_attributes"}) {
              if (xmlNode* c = xml::first_child(*st, child)) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
              }
            }
          }
        }
      }
      done();
      continue;
    }
    if (a.rsc_id.empty() || a.node.empty()) {
      done();
      continue;
    }
    ASSIGN_OR_RETURN(xmlNode * st, node_state(cib, a.node));
    auto attr = [&](const char* k, const char* fallback) {
      auto it = a.attributes.find(k);
      return it == a.attributes.end() ? std::string(fallback) : it->second;
    };
    long interval_ms = std::atol(attr("CRM_meta_interval", "0").c_str());
    if (a.task == "clear_failcount") {
      if (xmlNode* ta = xml::first_child(st, "transient_attributes")) {
        for (xmlNode* ia : xml::children(ta, "instance_attributes"))
          for (xmlNode* nv : xml::children(ia, "nvpair")) {
            if (auto failure = parse_failure_attr(xml::attr_or(nv, "name")); failure && failure->rsc == a.rsc_id) {
              xmlUnlinkNode(nv);
              xmlFreeNode(nv);
            }
          }
      }
      done();
      continue;
    }
    crm::OpRecord op;
    op.target_rc = std::atoi(attr("CRM_meta_op_target_rc", "0").c_str());
    result.rc = op.target_rc;
    if (a.task == "notify" || a.task == "cancel") {
      done();
      continue;
    }
    op.rsc_id = a.rsc_id;
    op.rsc_class = a.rsc_class;
    op.rsc_provider = a.rsc_provider;
    op.rsc_type = a.rsc_type;
    op.operation = a.task;
    op.interval_ms = interval_ms;
    auto call = call_ids.find(st);
    if (call == call_ids.end()) call = call_ids.emplace(st, next_call_id(st)).first;
    op.call_id = call->second++;
    op.rc = op.target_rc;
    op.last_rc_change = now;
    op.transition_key = key;
    op.op_digest = pengine::op_digest(a.attributes, interval_ms);
    op.on_node = a.node;
    const OpSpec* fail = nullptr;
    for (const OpSpec& s : failures) {
      if ((s.rsc == a.rsc_id || s.rsc == a.rsc_long_id) && s.task == a.task && s.interval_ms == interval_ms &&
          s.node == a.node)
        fail = &s;
    }
    if (fail) op.rc = fail->rc;
    crm::record_op(lrm_resources(st), op);
    if (fail) {
      auto& lines = extra_lines[id];
      lines.push_back("Pretending action " + std::to_string(a.id) + " failed with rc=" + std::to_string(fail->rc));
      if (op.failed()) {
        for (auto& l : record_failure(st, a.rsc_id, a.task, interval_ms, now)) lines.push_back("  * " + l);
      }
      ex.failed = true;
    }
    result.rc = op.rc;
    done();
  }
  for (int i : t.execution_order) {
    const pe::GraphAction& a = t.actions[i];
    if (!run.confirmed(a.id)) continue;  // never fired: after a failure
    ex.lines.push_back("  * " + a.summary);
    for (auto& l : extra_lines[a.id]) ex.lines.push_back(l);
  }
  return ex;
}

}  // namespace crm::simulate
