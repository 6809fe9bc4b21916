#include "crm/core/op_history.h"

#include <charconv>
#include <cstdio>
#include <vector>

#include "crm/core/op_key.h"
#include "crm/core/transition_key.h"
#include "crm/core/xml.h"
#include "crm/core/feature_set.h"

namespace crm {

std::string OpRecord::operation_key() const {
  return op_key(rsc_id, operation, interval_ms);
}

bool OpRecord::failed() const {
  if (op_status != 0) return true;
  if (rc == target_rc) return false;
  // A probe finds what it finds: running, stopped or promoted is information, not a failure.
  if (operation == "monitor" && interval_ms == 0 && (rc == 0 || rc == 7 || rc == 8)) return false;
  return true;
}

namespace {

void fill(xmlNode* e, const OpRecord& op, const std::string& id) {
  xml::set_attr(e, "id", id);
  xml::set_attr(e, "operation_key", op.operation_key());
  xml::set_attr(e, "operation", op.operation);
  xml::set_attr(e, "crm-debug-origin", "crmd");
  xml::set_attr(e, "crm_feature_set", kFeatureSet);
  if (!op.transition_key.empty()) {
    xml::set_attr(e, "transition-key", op.transition_key);
    xml::set_attr(e, "transition-magic", transition_magic(op.op_status, op.rc, op.transition_key));
  }
  xml::set_attr(e, "exit-reason", op.exit_reason);
  xml::set_attr(e, "on_node", op.on_node);
  xml::set_attr(e, "call-id", std::to_string(op.call_id));
  xml::set_attr(e, "rc-code", std::to_string(op.rc));
  xml::set_attr(e, "op-status", std::to_string(op.op_status));
  xml::set_attr(e, "interval", std::to_string(op.interval_ms));
  xml::set_attr(e, "last-rc-change", std::to_string(op.last_rc_change));
  xml::set_attr(e, "exec-time", std::to_string(op.exec_time_ms));
  xml::set_attr(e, "queue-time", std::to_string(op.queue_time_ms));
  if (!op.op_digest.empty()) xml::set_attr(e, "op-digest", op.op_digest);
  if (!op.migrate_source.empty()) xml::set_attr(e, "migrate_source", op.migrate_source);
  if (!op.migrate_target.empty()) xml::set_attr(e, "migrate_target", op.migrate_target);
}

void put(xmlNode* rsc, const OpRecord& op, const std::string& id) {
  for (xmlNode* e : xml::children(rsc, "lrm_rsc_op")) {
    if (xml::attr_or(e, "id") == id) {
      xmlUnlinkNode(e);
      xmlFreeNode(e);
    }
  }
  fill(xml::add_child(rsc, "lrm_rsc_op"), op, id);
}

}  // namespace

void record_op(xmlNode* lrm_resources, const OpRecord& op) {
  xmlNode* rsc = nullptr;
  for (xmlNode* r : xml::children(lrm_resources, "lrm_resource")) {
    if (xml::attr_or(r, "id") == op.rsc_id) rsc = r;
  }
  if (!rsc) {
    rsc = xml::add_child(lrm_resources, "lrm_resource");
    xml::set_attr(rsc, "id", op.rsc_id);
    xml::set_attr(rsc, "type", op.rsc_type);
    xml::set_attr(rsc, "class", op.rsc_class);
    if (!op.rsc_provider.empty()) xml::set_attr(rsc, "provider", op.rsc_provider);
  }
  if (op.op_status == -1) {  // pending: the operation was started, no result yet
    put(rsc, op, op.interval_ms > 0 ? op.operation_key() : last_op_id(op.rsc_id));
    return;
  }
  if (op.interval_ms > 0) {
    put(rsc, op, op.operation_key());
    if (op.failed()) put(rsc, op, last_failure_id(op.rsc_id));
    return;
  }
  if ((op.operation == "stop" || op.operation == "start") && !op.failed()) {
    // Recurring results go; the last failure stays until a cleanup (as the peer).
    for (xmlNode* e : xml::children(rsc, "lrm_rsc_op")) {
      if (xml::attr_or(e, "interval", "0") != "0" && xml::attr_or(e, "id") != last_failure_id(op.rsc_id)) {
        xmlUnlinkNode(e);
        xmlFreeNode(e);
      }
    }
  }
  put(rsc, op, last_op_id(op.rsc_id));
  if (op.failed()) put(rsc, op, last_failure_id(op.rsc_id));
}

OpRecord read_op_record(const xmlNode* x) {
  auto number = [&](const char* name, const char* fallback = nullptr) -> long {
    auto v = xml::attr(x, name);
    if (!v && fallback) v = xml::attr(x, fallback);
    long n = 0;
    if (v) std::from_chars(v->data(), v->data() + v->size(), n);
    return n;
  };
  OpRecord op;
  op.id = xml::attr_or(x, "id");
  if (const xmlNode* r = x ? x->parent : nullptr; r && r->type == XML_ELEMENT_NODE && xml::is(r, "lrm_resource")) {
    op.rsc_id = xml::attr_or(r, "id");
    op.rsc_class = xml::attr_or(r, "class");
    op.rsc_provider = xml::attr_or(r, "provider");
    op.rsc_type = xml::attr_or(r, "type");
  }
  op.operation = xml::attr_or(x, "operation");
  op.interval_ms = number("interval");
  op.call_id = static_cast<int>(number("call-id"));
  op.rc = static_cast<int>(number("rc-code"));
  op.op_status = static_cast<int>(number("op-status"));
  op.exec_time_ms = number("exec-time");
  op.queue_time_ms = number("queue-time");
  op.last_rc_change = number("last-rc-change", "last-run");
  op.transition_key = xml::attr_or(x, "transition-key");
  op.target_rc = transition_key_target_rc(op.transition_key).value_or(0);
  op.op_digest = xml::attr_or(x, "op-digest");
  op.on_node = xml::attr_or(x, "on_node");
  op.exit_reason = xml::attr_or(x, "exit-reason");
  op.migrate_source = xml::attr_or(x, "migrate_source");
  op.migrate_target = xml::attr_or(x, "migrate_target");
  return op;
}

}  // namespace crm
