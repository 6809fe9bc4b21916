#include "crm/crmd/simple_scheduler.h"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "crm/core/score.h"
#include "crm/core/xml.h"
#include "crm/crmd/status_view.h"

namespace crm::crmd {
namespace {

struct Prim {
  std::string id, cls, provider, type;
  std::map<std::string, std::string> params;
};
struct Unit {  // a group (several members) or a lone primitive
  std::string id;
  std::vector<Prim> members;
};

std::string opt(const cib::Cib& cib, const std::string& name, const std::string& fallback) {
  auto found = cib.query("/cib/configuration/crm_config//nvpair[@name='" + name + "']");
  if (found.ok() && !found->empty()) return xml::attr_or(found->front(), "value", fallback);
  return fallback;
}

Prim read_prim(xmlNode* p) {
  Prim out{xml::attr_or(p, "id"), xml::attr_or(p, "class"), xml::attr_or(p, "provider"), xml::attr_or(p, "type"), {}};
  for (xmlNode* ia : xml::children(p, "instance_attributes")) {
    for (xmlNode* nv : xml::children(ia, "nvpair")) out.params[xml::attr_or(nv, "name")] = xml::attr_or(nv, "value");
  }
  return out;
}

class GraphWriter {
 public:
  int add(const std::string& kind, const std::string& op, const Prim* p, const std::string& node,
          const std::string& node_id, int interval, int target_rc) {
    int id = next_++;
    std::ostringstream a;
    std::string key = (p ? p->id : node) + "_" + op + "_" + std::to_string(interval);
    a << "<" << kind << " id=\"" << id << "\" operation=\"" << op << "\" operation_key=\"" << key << "\"";
    if (!node.empty()) a << " on_node=\"" << node << "\" on_node_uuid=\"" << node_id << "\"";
    a << ">";
    if (p) {
      a << "<primitive id=\"" << p->id << "\" class=\"" << p->cls << "\"";
      if (!p->provider.empty()) a << " provider=\"" << p->provider << "\"";
      a << " type=\"" << p->type << "\"/>";
    }
    a << "<attributes CRM_meta_timeout=\"20000\"";
    if (target_rc) a << " CRM_meta_op_target_rc=\"" << target_rc << "\"";
    if (!node.empty()) a << " CRM_meta_on_node=\"" << node << "\" CRM_meta_on_node_uuid=\"" << node_id << "\"";
    if (p) {
      for (const auto& [k, v] : p->params) a << " " << k << "=\"" << v << "\"";
    }
    a << "/></" << kind << ">";
    actions_[id] = a.str();
    refs_[id] = "<" + kind + " id=\"" + std::to_string(id) + "\" operation=\"" + op + "\" operation_key=\"" + key +
                "\"" + (node.empty() ? "" : " on_node=\"" + node + "\"") + "/>";
    inputs_[id];
    return id;
  }
  void order(int first, int then) {
    if (first >= 0 && then >= 0) inputs_[then].push_back(first);
  }
  std::string str() const {
    std::ostringstream g;
    g << "<transition_graph cluster-delay=\"60s\" stonith-timeout=\"60s\" failed-stop-offset=\"INFINITY\" "
         "failed-start-offset=\"INFINITY\" transition_id=\"0\">";
    int syn = 0;
    for (const auto& [id, text] : actions_) {
      g << "<synapse id=\"" << syn++ << "\"><action_set>" << text << "</action_set><inputs>";
      for (int in : inputs_.at(id)) g << "<trigger>" << refs_.at(in) << "</trigger>";
      g << "</inputs></synapse>";
    }
    g << "</transition_graph>";
    return g.str();
  }

 private:
  int next_ = 1;
  std::map<int, std::string> actions_, refs_;
  std::map<int, std::vector<int>> inputs_;
};

}  // namespace

Result<std::string> simple_schedule(const cib::Cib& cib, std::time_t /*now*/) {
  crmd::StatusView st = crmd::read_status(cib);
  std::string nqp = opt(cib, "no-quorum-policy", "stop");
  bool can_run = st.have_quorum || nqp == "ignore";
  bool freeze = !st.have_quorum && nqp == "freeze";

  std::vector<Unit> units;
  if (xmlNode* cfg = cib.configuration()) {
    if (xmlNode* rscs = xml::first_child(cfg, "resources")) {
      for (xmlNode* r : xml::children(rscs)) {
        if (xml::is(r, "primitive")) units.push_back({xml::attr_or(r, "id"), {read_prim(r)}});
        if (xml::is(r, "group")) {
          Unit u{xml::attr_or(r, "id"), {}};
          for (xmlNode* p : xml::children(r, "primitive")) u.members.push_back(read_prim(p));
          if (!u.members.empty()) units.push_back(std::move(u));
        }
      }
    }
  }
  // Location scores per (unit, node) from simple rsc_location constraints.
  std::map<std::pair<std::string, std::string>, Score> loc;
  if (auto cons = cib.query("/cib/configuration/constraints/rsc_location"); cons.ok()) {
    for (xmlNode* c : *cons) {
      auto s = parse_score(xml::attr_or(c, "score", "0"));
      if (s.ok()) loc[{xml::attr_or(c, "rsc"), xml::attr_or(c, "node")}] = *s;
    }
  }
  std::vector<const crmd::NodeView*> eligible;
  for (const auto& [name, n] : st.nodes) {
    if (n.online && !n.standby && !n.shutdown) eligible.push_back(&n);
  }

  GraphWriter g;
  for (const Unit& u : units) {
    // Where it runs now (the first member decides for a group).
    std::vector<std::string> current = st.where(u.members.front().id);
    std::optional<std::string> target;
    if (freeze) {
      if (!current.empty()) target = current.front();
    } else if (can_run) {
      Score best = kMinusInfinity;
      for (const crmd::NodeView* n : eligible) {
        Score s = 0;
        if (auto it = loc.find({u.id, n->uname}); it != loc.end()) s = it->second;
        if (std::find(current.begin(), current.end(), n->uname) != current.end()) s = score_add(s, 1);  // stay
        for (const Prim& p : u.members) {  // a fail-count of INFINITY bans the node
          for (const auto& [attr, value] : n->attributes) {
            if (attr.rfind("fail-count-" + p.id + "#", 0) == 0 && value == "INFINITY") s = kMinusInfinity;
          }
        }
        if (s <= kMinusInfinity) continue;
        if (!target || s > best) best = s, target = n->uname;
      }
    }
    int prev_start = -1;
    std::vector<std::vector<int>> stops_per_member(u.members.size());
    for (size_t i = 0; i < u.members.size(); ++i) {
      const Prim& p = u.members[i];
      for (const std::string& node : st.where(p.id)) {
        if (freeze || (target && node == *target)) continue;
        const crmd::NodeView& nv = st.nodes.at(node);
        if (!nv.online) continue;  // its history is stale: the controller clears it
        stops_per_member[i].push_back(g.add("rsc_op", "stop", &p, node, nv.id, 0, 0));
      }
    }
    // Later members stop first.
    for (size_t i = 0; i + 1 < u.members.size(); ++i) {
      for (int later : stops_per_member[i + 1]) {
        for (int earlier : stops_per_member[i]) g.order(later, earlier);
      }
    }
    if (!target || freeze) continue;
    const crmd::NodeView& tn = st.nodes.at(*target);
    for (size_t i = 0; i < u.members.size(); ++i) {
      const Prim& p = u.members[i];
      auto active = st.where(p.id);
      if (std::find(active.begin(), active.end(), *target) != active.end()) {
        prev_start = -1;
        continue;
      }
      int start = g.add("rsc_op", "start", &p, *target, tn.id, 0, 0);
      for (size_t j = 0; j < u.members.size(); ++j) {
        for (int s : stops_per_member[j]) g.order(s, start);
      }
      g.order(prev_start, start);
      prev_start = start;
    }
  }
  return g.str();
}

}  // namespace crm::crmd
