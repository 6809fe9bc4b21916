#include "crm/crmd/status_view.h"

#include <optional>

#include "crm/core/boolean.h"
#include "crm/core/nvpair.h"
#include "crm/core/op_history.h"
#include "crm/core/xml.h"

namespace crm::crmd {
bool history_active(const xmlNode* rsc, bool* promoted) {
  // Pick the latest non-recurring op by call-id ("last_0" wins on ties), as
  // the peer orders history; a pending op (call-id -1) is the newest.
  std::optional<OpRecord> last;
  long best = -2;
  bool monitor_running = false, monitor_promoted = false;
  for (const xmlNode* x : xml::children(rsc, "lrm_rsc_op")) {
    OpRecord op = read_op_record(x);
    if (op.interval_ms > 0) {
      if (op.op_status == 0 && (op.rc == 0 || op.rc == 8)) monitor_running = true;
      if (op.op_status == 0 && op.rc == 8) monitor_promoted = true;
      continue;
    }
    long call = op.op_status == -1 ? 1L << 40 : op.call_id;
    if (call > best || (call == best && crm::is_last_op_id(op.id))) {
      best = call;
      last = std::move(op);
    }
  }
  if (promoted) *promoted = false;
  if (!last) return monitor_running;
  const std::string& operation = last->operation;
  long status = last->op_status;
  long rc = last->rc;
  if (status == -1) {  // pending
    bool active = operation != "monitor";
    if (promoted) *promoted = operation == "promote";
    return active;
  }
  bool ok = status == 0 && (rc == 0 || rc == 8);
  if (operation == "stop") return !(status == 0 && rc == 0);  // a failed stop leaves it active
  if (operation == "monitor") {
    if (promoted) *promoted = status == 0 && rc == 8;
    return ok || (status == 0 && rc == 9) || monitor_running;
  }
  if (operation == "start" || operation == "promote" || operation == "demote" || operation == "migrate_from" ||
      operation == "notify" || operation == "reload" || operation == "reload-agent") {
    if (promoted) *promoted = operation == "promote" || rc == 8 || monitor_promoted;
    // A failed start may have left it half-running: the peer treats it as active.
    return true;
  }
  if (operation == "migrate_to") return !ok;
  return monitor_running;
}

StatusView read_status(const cib::Cib& cib) {
  StatusView v;
  xmlNode* root = cib.root();
  v.have_quorum = is_true(xml::attr_or(root, "have-quorum", "0"));
  v.dc_uuid = xml::attr_or(root, "dc-uuid");
  std::map<std::string, std::string> id_to_name;
  if (xmlNode* cfg = cib.configuration()) {
    if (xmlNode* nodes = xml::first_child(cfg, "nodes")) {
      for (xmlNode* n : xml::children(nodes, "node")) {
        std::string uname = xml::attr_or(n, "uname", xml::attr_or(n, "id"));
        NodeView& nv = v.nodes[uname];
        nv.id = xml::attr_or(n, "id");
        nv.uname = uname;
        nv.in_config = true;
        id_to_name[nv.id] = uname;
        if (xmlNode* p = find_nvpair(n, "instance_attributes", "standby")) nv.standby = is_true(xml::attr_or(p, "value"));
      }
    }
  }
  if (xmlNode* status = cib.status()) {
    for (xmlNode* ns : xml::children(status, "node_state")) {
      std::string id = xml::attr_or(ns, "id");
      std::string uname = xml::attr_or(ns, "uname");
      if (uname.empty()) uname = id_to_name.count(id) ? id_to_name[id] : id;
      NodeView& nv = v.nodes[uname];
      nv.id = id;
      nv.uname = uname;
      nv.online = is_true(xml::attr_or(ns, "in_ccm")) && xml::attr_or(ns, "crmd") == "online" &&
                  xml::attr_or(ns, "join") == "member";
      nv.expected_down = xml::attr_or(ns, "expected") == "down";
      nv.expected_member = xml::attr_or(ns, "expected") == "member";
      if (xmlNode* ta = xml::first_child(ns, "transient_attributes")) {
        for (auto& [name, value] : nvpair_values(ta, "instance_attributes")) {
          nv.attributes[name] = value;
          if (name == "standby") nv.standby = is_true(value);
          if (name == "shutdown") nv.shutdown = !value.empty() && value != "0";
        }
      }
      if (xmlNode* lrm = xml::first_child(ns, "lrm")) {
        if (xmlNode* rs = xml::first_child(lrm, "lrm_resources")) {
          for (xmlNode* r : xml::children(rs, "lrm_resource")) {
            bool promoted = false;
            std::string rid = xml::attr_or(r, "id");
            if (history_active(r, &promoted)) {
              nv.active.insert(rid);
              if (promoted) nv.promoted.insert(rid);
            }
            for (xmlNode* op : xml::children(r, "lrm_rsc_op")) {
              if (crm::is_last_failure_id(xml::attr_or(op, "id"))) {
                nv.failed_ops.push_back(xml::attr_or(op, "operation_key") + " (rc=" + xml::attr_or(op, "rc-code") +
                                        ", status=" + xml::attr_or(op, "op-status") + ")");
              }
            }
          }
        }
      }
    }
  }
  return v;
}

std::vector<std::string> StatusView::where(const std::string& rsc) const {
  std::vector<std::string> out;
  for (const auto& [name, n] : nodes) {
    if (n.active.count(rsc)) out.push_back(name);
  }
  return out;
}

const NodeView* StatusView::by_id(const std::string& id) const {
  for (const auto& [name, n] : nodes) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

}  // namespace crm::crmd
