#include "wire.h"

#include <cstdlib>

namespace crm::fenced::wire {
namespace {

const char* const kActionsWithTimeouts[] = {"reboot", "off", "on"};

void set_if(xmlNode* n, const char* name, const std::string& v) {
  if (!v.empty()) xml::set_attr(n, name, v);
}

Result<std::string> required(const xmlNode* n, const char* name) {
  auto v = xml::attr(n, name);
  if (!v || v->empty()) return parse_error("<" + std::string(xml::name(n)) + "> without " + name);
  return *v;
}

Result<long long> number(const xmlNode* n, const char* name, bool needed, long long fallback = 0) {
  auto v = xml::attr(n, name);
  if (!v || v->empty()) {
    if (needed) return parse_error("<" + std::string(xml::name(n)) + "> without " + name);
    return fallback;
  }
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(v->c_str(), &end, 10);
  if (*end != '\0' || errno != 0) {
    return parse_error("<" + std::string(xml::name(n)) + "> " + name + "=\"" + *v + "\" is not a number");
  }
  return x;
}

Status check_entry(const HistoryEntry& e, const char* where) {
  if (e.id.empty() || e.target.empty()) return parse_error(std::string(where) + ": entry without id or target");
  if (e.state != "success" && e.state != "failed" && e.state != "pending") {
    return parse_error(std::string(where) + ": entry state '" + e.state + "'");
  }
  return Status::Ok();
}

struct Encoder {
  xml::DocPtr doc;
  xmlNode* root() { return xml::root(doc); }
  void start(const char* name) {
    doc = message(name);
    xml::set_attr(root(), "version", kVersion);
  }
  void operator()(const Query& q) {
    start("st_query");
    xml::set_attr(root(), "op", q.op);
    xml::set_attr(root(), "target", q.target);
    xml::set_attr(root(), "action", q.action);
    xml::set_attr(root(), "origin", q.origin);
  }
  void operator()(const QueryReply& r) {
    start("st_query_reply");
    xml::set_attr(root(), "op", r.op);
    xml::set_attr(root(), "from", r.from);
    for (const auto& d : r.devices) {
      xmlNode* n = xml::add_child(root(), "device");
      xml::set_attr(n, "id", d.id);
      if (d.on_target) xml::set_attr(n, "on_target", "1");
      if (d.unfencing) xml::set_attr(n, "unfencing", "1");
      for (const auto& [a, t] : d.timeouts_ms) xml::set_attr(n, ("timeout_" + a).c_str(), std::to_string(t));
      if (d.delay_max_ms) xml::set_attr(n, "delay_max_ms", std::to_string(d.delay_max_ms));
      if (d.priority) xml::set_attr(n, "priority", std::to_string(d.priority));
    }
  }
  void operator()(const Exec& e) {
    start("st_exec");
    xml::set_attr(root(), "op", e.op);
    xml::set_attr(root(), "serial", std::to_string(e.serial));
    xml::set_attr(root(), "executor", e.executor);
    xml::set_attr(root(), "device", e.device);
    xml::set_attr(root(), "target", e.target);
    xml::set_attr(root(), "action", e.action);
    xml::set_attr(root(), "origin", e.origin);
    set_if(root(), "client", e.client);
    xml::set_attr(root(), "timeout_ms", std::to_string(e.timeout_ms));
    xml::set_attr(root(), "delay_ms", std::to_string(e.delay_ms));
    if (e.completes) xml::set_attr(root(), "completes", "1");
  }
  void operator()(const ExecResult& r) {
    start("st_exec_result");
    xml::set_attr(root(), "op", r.op);
    xml::set_attr(root(), "serial", std::to_string(r.serial));
    xml::set_attr(root(), "executor", r.executor);
    xml::set_attr(root(), "rc", std::to_string(r.rc));
    set_if(root(), "reason", r.reason);
  }
  void operator()(const Pending& p) {
    start("st_pending");
    put_entry(root(), p.entry);
  }
  void operator()(const Done& d) {
    start("st_done");
    put_entry(root(), d.entry);
    if (d.code) xml::set_attr(root(), "code", std::to_string(d.code));
  }
  void operator()(const HistorySync& h) {
    start("st_history_sync");
    xml::set_attr(root(), "from", h.from);
    for (const auto& e : h.entries) put_entry(xml::add_child(root(), "entry"), e);
  }
};

}  // namespace

void put_entry(xmlNode* n, const HistoryEntry& e) {
  xml::set_attr(n, "id", e.id);
  xml::set_attr(n, "target", e.target);
  xml::set_attr(n, "action", e.action);
  set_if(n, "device", e.device);
  xml::set_attr(n, "state", e.state);
  xml::set_attr(n, "origin", e.origin);
  set_if(n, "client", e.client);
  set_if(n, "delegate", e.delegate);
  if (e.requested) xml::set_attr(n, "requested", std::to_string(static_cast<long long>(e.requested)));
  xml::set_attr(n, "completed", std::to_string(static_cast<long long>(e.completed)));
  set_if(n, "exit_reason", e.exit_reason);
}

HistoryEntry get_entry(const xmlNode* n) {
  HistoryEntry e;
  e.id = xml::attr_or(n, "id");
  e.target = xml::attr_or(n, "target");
  e.action = xml::attr_or(n, "action");
  e.device = xml::attr_or(n, "device");
  e.state = xml::attr_or(n, "state");
  e.origin = xml::attr_or(n, "origin");
  e.client = xml::attr_or(n, "client");
  e.delegate = xml::attr_or(n, "delegate");
  e.requested = static_cast<std::time_t>(get_number(n, "requested", 0));
  e.completed = static_cast<std::time_t>(get_number(n, "completed", 0));
  e.exit_reason = xml::attr_or(n, "exit_reason");
  return e;
}

xml::DocPtr message(const char* name) { return xml::new_document(name); }

std::string text(const xml::DocPtr& doc) { return xml::to_string(xml::root(doc), false); }

long long get_number(const xmlNode* node, const char* name, long long fallback) {
  auto v = xml::attr(node, name);
  if (!v || v->empty()) return fallback;
  char* end = nullptr;
  long long n = std::strtoll(v->c_str(), &end, 10);
  return *end == '\0' ? n : fallback;
}

std::string encode(const PeerMessage& m) {
  Encoder enc;
  std::visit(enc, m);
  return text(enc.doc);
}

Result<PeerMessage> decode(std::string_view payload) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(payload, "fencer message"));
  xmlNode* m = xml::root(doc);
  if (xml::is(m, "st_query")) {
    Query q;
    ASSIGN_OR_RETURN(q.op, required(m, "op"));
    ASSIGN_OR_RETURN(q.target, required(m, "target"));
    ASSIGN_OR_RETURN(q.action, required(m, "action"));
    ASSIGN_OR_RETURN(q.origin, required(m, "origin"));
    return PeerMessage(q);
  }
  if (xml::is(m, "st_query_reply")) {
    QueryReply r;
    ASSIGN_OR_RETURN(r.op, required(m, "op"));
    ASSIGN_OR_RETURN(r.from, required(m, "from"));
    for (xmlNode* n : xml::children(m, "device")) {
      DeviceOffer d;
      ASSIGN_OR_RETURN(d.id, required(n, "id"));
      d.on_target = xml::attr_or(n, "on_target") == "1";
      d.unfencing = xml::attr_or(n, "unfencing") == "1";
      for (const char* a : kActionsWithTimeouts) {
        std::string key = std::string("timeout_") + a;
        if (!xml::has_attr(n, key.c_str())) continue;
        ASSIGN_OR_RETURN(long long t, number(n, key.c_str(), true));
        if (t > 0) d.timeouts_ms[a] = t;
      }
      ASSIGN_OR_RETURN(d.delay_max_ms, number(n, "delay_max_ms", false));
      ASSIGN_OR_RETURN(long long prio, number(n, "priority", false));
      d.priority = static_cast<int>(prio);
      r.devices.push_back(std::move(d));
    }
    return PeerMessage(r);
  }
  if (xml::is(m, "st_exec")) {
    Exec e;
    ASSIGN_OR_RETURN(e.op, required(m, "op"));
    ASSIGN_OR_RETURN(long long serial, number(m, "serial", true));
    e.serial = static_cast<uint64_t>(serial);
    ASSIGN_OR_RETURN(e.executor, required(m, "executor"));
    ASSIGN_OR_RETURN(e.device, required(m, "device"));
    ASSIGN_OR_RETURN(e.target, required(m, "target"));
    ASSIGN_OR_RETURN(e.action, required(m, "action"));
    ASSIGN_OR_RETURN(e.origin, required(m, "origin"));
    e.client = xml::attr_or(m, "client");
    ASSIGN_OR_RETURN(e.timeout_ms, number(m, "timeout_ms", true));
    ASSIGN_OR_RETURN(e.delay_ms, number(m, "delay_ms", false));
    if (e.timeout_ms <= 0 || e.delay_ms < 0) return parse_error("<st_exec> with a negative timeout or delay");
    e.completes = xml::attr_or(m, "completes") == "1";
    return PeerMessage(e);
  }
  if (xml::is(m, "st_exec_result")) {
    ExecResult r;
    ASSIGN_OR_RETURN(r.op, required(m, "op"));
    ASSIGN_OR_RETURN(long long serial, number(m, "serial", true));
    r.serial = static_cast<uint64_t>(serial);
    ASSIGN_OR_RETURN(r.executor, required(m, "executor"));
    ASSIGN_OR_RETURN(long long rc, number(m, "rc", true));
    r.rc = static_cast<int>(rc);
    r.reason = xml::attr_or(m, "reason");
    return PeerMessage(r);
  }
  if (xml::is(m, "st_pending")) {
    Pending p{get_entry(m)};
    RETURN_IF_ERROR(check_entry(p.entry, "<st_pending>"));
    return PeerMessage(p);
  }
  if (xml::is(m, "st_done")) {
    Done d{get_entry(m), 0};
    RETURN_IF_ERROR(check_entry(d.entry, "<st_done>"));
    ASSIGN_OR_RETURN(long long code, number(m, "code", false));
    d.code = static_cast<int>(code);
    return PeerMessage(d);
  }
  if (xml::is(m, "st_history_sync")) {
    HistorySync h;
    ASSIGN_OR_RETURN(h.from, required(m, "from"));
    for (xmlNode* n : xml::children(m, "entry")) {
      HistoryEntry e = get_entry(n);
      if (check_entry(e, "<st_history_sync>").ok()) h.entries.push_back(std::move(e));  // skip bad ones
    }
    return PeerMessage(h);
  }
  return parse_error("unknown fencer message <" + std::string(xml::name(m)) + ">");
}

}  // namespace crm::fenced::wire
