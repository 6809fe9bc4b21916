#include "wire.h"

#include <cstdlib>

namespace crm::lrmd::wire {
namespace {

Result<uint64_t> get_uint(const xmlNode* node, const char* name, uint64_t fallback) {
  auto v = xml::attr(node, name);
  if (!v) return fallback;
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno != 0 || (*v)[0] == '-') {
    return parse_error(std::string("attribute ") + name + "=\"" + *v + "\" is not a number");
  }
  return static_cast<uint64_t>(n);
}

Result<int64_t> get_int(const xmlNode* node, const char* name, int64_t fallback) {
  auto v = xml::attr(node, name);
  if (!v) return fallback;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno != 0) {
    return parse_error(std::string("attribute ") + name + "=\"" + *v + "\" is not a number");
  }
  return static_cast<int64_t>(n);
}

std::string doc_string(const xml::DocPtr& doc) { return xml::to_string(xml::root(doc), false); }

}  // namespace

void put_request(xmlNode* node, const ExecRequest& req) {
  xml::set_attr(node, "rsc_id", req.rsc_id);
  xml::set_attr(node, "standard", req.standard);
  if (!req.provider.empty()) xml::set_attr(node, "provider", req.provider);
  xml::set_attr(node, "type", req.type);
  xml::set_attr(node, "action", req.action);
  xml::set_attr(node, "interval_ms", std::to_string(req.interval_ms));
  xml::set_attr(node, "timeout_ms", std::to_string(req.timeout_ms));
  for (const auto& [k, v] : req.params) {
    xmlNode* p = xml::add_child(node, "param");
    xml::set_attr(p, "name", k);
    xml::set_attr(p, "value", v);
  }
}

Result<ExecRequest> get_request(const xmlNode* node) {
  ExecRequest req;
  req.rsc_id = xml::attr_or(node, "rsc_id");
  req.standard = xml::attr_or(node, "standard");
  req.provider = xml::attr_or(node, "provider");
  req.type = xml::attr_or(node, "type");
  req.action = xml::attr_or(node, "action");
  ASSIGN_OR_RETURN(uint64_t interval, get_uint(node, "interval_ms", 0));
  ASSIGN_OR_RETURN(uint64_t timeout, get_uint(node, "timeout_ms", 20000));
  if (interval > UINT32_MAX || timeout > UINT32_MAX) return parse_error("interval or timeout out of range");
  req.interval_ms = static_cast<uint32_t>(interval);
  req.timeout_ms = static_cast<uint32_t>(timeout);
  for (xmlNode* p : xml::children(node, "param")) {
    auto name = xml::attr(p, "name");
    if (!name || name->empty()) return parse_error("<param> without a name");
    req.params[*name] = xml::attr_or(p, "value");
  }
  return req;
}

void put_result(xmlNode* node, const ExecResult& r) {
  xml::set_attr(node, "rsc_id", r.rsc_id);
  xml::set_attr(node, "action", r.action);
  xml::set_attr(node, "interval_ms", std::to_string(r.interval_ms));
  xml::set_attr(node, "call_id", std::to_string(r.call_id));
  xml::set_attr(node, "rc", std::to_string(r.rc));
  xml::set_attr(node, "op_status", op_status_name(r.op_status));
  if (!r.exit_reason.empty()) xml::set_attr(node, "exit_reason", r.exit_reason);
  xml::set_attr(node, "start_time", std::to_string(static_cast<long long>(r.start_time)));
  xml::set_attr(node, "duration_ms", std::to_string(r.duration_ms));
  xml::set_attr(node, "queue_ms", std::to_string(r.queue_ms));
  xml::set_attr(node, "standard", r.standard);
  if (!r.provider.empty()) xml::set_attr(node, "provider", r.provider);
  xml::set_attr(node, "type", r.type);
  if (!r.output.empty()) {
    xmlNode* out = xml::add_child(node, "output");
    xmlNodeAddContent(out, reinterpret_cast<const xmlChar*>(r.output.c_str()));
  }
}

Result<ExecResult> get_result(const xmlNode* node) {
  ExecResult r;
  r.rsc_id = xml::attr_or(node, "rsc_id");
  r.action = xml::attr_or(node, "action");
  ASSIGN_OR_RETURN(uint64_t interval, get_uint(node, "interval_ms", 0));
  ASSIGN_OR_RETURN(int64_t call_id, get_int(node, "call_id", 0));
  ASSIGN_OR_RETURN(int64_t rc, get_int(node, "rc", kOcfErrGeneric));
  ASSIGN_OR_RETURN(int64_t start, get_int(node, "start_time", 0));
  ASSIGN_OR_RETURN(uint64_t duration, get_uint(node, "duration_ms", 0));
  ASSIGN_OR_RETURN(uint64_t queue, get_uint(node, "queue_ms", 0));
  r.interval_ms = static_cast<uint32_t>(interval);
  r.call_id = static_cast<int>(call_id);
  r.rc = static_cast<int>(rc);
  r.start_time = static_cast<std::time_t>(start);
  r.duration_ms = static_cast<uint32_t>(duration);
  r.queue_ms = static_cast<uint32_t>(queue);
  r.op_status = op_status_from_name(xml::attr_or(node, "op_status", "error"));
  r.exit_reason = xml::attr_or(node, "exit_reason");
  r.standard = xml::attr_or(node, "standard");
  r.provider = xml::attr_or(node, "provider");
  r.type = xml::attr_or(node, "type");
  if (xmlNode* out = xml::first_child(node, "output")) {
    xmlChar* c = xmlNodeGetContent(out);
    if (c) r.output = reinterpret_cast<const char*>(c);
    xmlFree(c);
  }
  return r;
}

std::string exec_message(uint64_t req_id, const ExecRequest& req) {
  auto doc = xml::new_document("lrmd_exec");
  xml::set_attr(xml::root(doc), "req_id", std::to_string(req_id));
  put_request(xml::root(doc), req);
  return doc_string(doc);
}

std::string cancel_message(uint64_t req_id, const std::string& rsc_id, const std::string& action, uint32_t interval_ms) {
  auto doc = xml::new_document("lrmd_cancel");
  xmlNode* n = xml::root(doc);
  xml::set_attr(n, "req_id", std::to_string(req_id));
  xml::set_attr(n, "rsc_id", rsc_id);
  xml::set_attr(n, "action", action);
  xml::set_attr(n, "interval_ms", std::to_string(interval_ms));
  return doc_string(doc);
}

std::string recurring_message(uint64_t req_id) {
  auto doc = xml::new_document("lrmd_recurring");
  xml::set_attr(xml::root(doc), "req_id", std::to_string(req_id));
  return doc_string(doc);
}

std::string history_message(uint64_t req_id, const std::string& rsc_id) {
  auto doc = xml::new_document("lrmd_history");
  xml::set_attr(xml::root(doc), "req_id", std::to_string(req_id));
  if (!rsc_id.empty()) xml::set_attr(xml::root(doc), "rsc_id", rsc_id);
  return doc_string(doc);
}

std::string result_message(const ExecResult& r) {
  auto doc = xml::new_document("lrmd_result");
  put_result(xml::root(doc), r);
  return doc_string(doc);
}

void put_status(xmlNode* reply, const Status& s) { xml::put_status(reply, s); }

Status get_status(const xmlNode* reply) { return xml::get_status(reply, "lrmd reply"); }

}  // namespace crm::lrmd::wire
