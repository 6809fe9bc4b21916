#include "wire.h"

#include <charconv>

#include "crm/core/xml.h"

namespace crm::crmd::wire {
namespace {

template <typename T>
T number(const xmlNode* n, const char* name, T fallback = 0) {
  std::string s = xml::attr_or(n, name);
  T v = fallback;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : fallback;
}

Result<std::string> required(const xmlNode* n, const char* name) {
  auto v = xml::attr(n, name);
  if (!v) return invalid_argument(std::string("<") + std::string(xml::name(n)) + "> without " + name);
  return *v;
}

void put(xmlNode* n, const char* name, const std::string& v) { xml::set_attr(n, name, v); }
template <typename T>
void put_number(xmlNode* n, const char* name, T v) {
  xml::set_attr(n, name, std::to_string(v));
}

struct Encoder {
  xml::DocPtr doc;
  xmlNode* root() const { return xml::root(doc); }

  void operator()(const JoinOffer& m) {
    doc = xml::new_document("crmd_join_offer");
    put_number(root(), "dc", m.dc);
    put_number(root(), "gen", m.gen);
  }
  void operator()(const JoinRequest& m) {
    doc = xml::new_document("crmd_join_request");
    put_number(root(), "node", m.node);
    put(root(), "name", m.name);
    put_number(root(), "gen", m.gen);
    if (!m.cib_version.empty()) put(root(), "cib-version", m.cib_version);
    if (auto hist = xml::parse(m.history_xml, "join history"); hist.ok()) {
      xmlAddChild(root(), xmlDocCopyNode(xml::root(*hist), doc.get(), 1));
    }
  }
  void operator()(const ExecOrder& m) {
    doc = xml::new_document("crmd_exec");
    put(root(), "target", m.target);
    put(root(), "key", m.key);
    put(root(), "digest", m.digest);
    put(root(), "rsc", m.rsc_id);
    put(root(), "class", m.rsc_class);
    if (!m.rsc_provider.empty()) put(root(), "provider", m.rsc_provider);
    put(root(), "type", m.rsc_type);
    put(root(), "operation", m.operation);
    put_number(root(), "interval", m.interval_ms);
    put_number(root(), "timeout", m.timeout_ms);
    xmlNode* attrs = xml::add_child(root(), "attributes");
    for (const auto& [k, v] : m.attributes) {
      xmlNode* a = xml::add_child(attrs, "nvpair");
      put(a, "name", k);
      put(a, "value", v);
    }
  }
  void operator()(const OpResult& m) {
    doc = xml::new_document("crmd_op_result");
    const crm::OpRecord& op = m.op;
    put_number(root(), "node", m.node);
    put(root(), "name", m.name);
    put(root(), "rsc", op.rsc_id);
    put(root(), "class", op.rsc_class);
    put(root(), "provider", op.rsc_provider);
    put(root(), "type", op.rsc_type);
    put(root(), "operation", op.operation);
    put_number(root(), "interval", op.interval_ms);
    put_number(root(), "call-id", op.call_id);
    put_number(root(), "rc-code", op.rc);
    put_number(root(), "op-status", op.op_status);
    put_number(root(), "exec-time", op.exec_time_ms);
    put_number(root(), "queue-time", op.queue_time_ms);
    put_number(root(), "last-rc-change", static_cast<long long>(op.last_rc_change));
    put(root(), "key", op.transition_key);
    put(root(), "digest", op.op_digest);
    put(root(), "exit-reason", op.exit_reason);
    if (!op.migrate_source.empty()) put(root(), "migrate-source", op.migrate_source);
    if (!op.migrate_target.empty()) put(root(), "migrate-target", op.migrate_target);
    if (op.operation == "cancel") put_number(root(), "cancel-interval", m.cancel_interval_ms);
  }
  void operator()(const ShutdownRequest& m) {
    doc = xml::new_document("crmd_shutdown_req");
    put_number(root(), "node", m.node);
    put(root(), "name", m.name);
  }
  void operator()(const DoShutdown& m) {
    doc = xml::new_document("crmd_do_shutdown");
    put(root(), "target", m.target);
  }
  void operator()(const PingRequest& m) {
    doc = xml::new_document("crmd_ping");
    put_number(root(), "from", m.from);
    put_number(root(), "token", m.token);
    put(root(), "target", m.target);
  }
  void operator()(const PingReply& m) {
    doc = xml::new_document("crmd_ping_reply");
    put_number(root(), "to", m.to);
    put_number(root(), "token", m.token);
    put(root(), "name", m.name);
    put(root(), "state", m.state);
  }
};

}  // namespace

std::string encode(const Message& message) {
  Encoder e;
  std::visit(e, message);
  return xml::to_string(e.root(), false);
}

Result<Message> decode(std::string_view bytes) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(bytes, "crmd message"));
  const xmlNode* n = xml::root(doc);
  std::string_view kind = xml::name(n);
  if (kind == "crmd_join_offer") {
    RETURN_IF_ERROR(required(n, "gen").status());
    return Message{JoinOffer{.dc = number<NodeId>(n, "dc"), .gen = number<uint64_t>(n, "gen")}};
  }
  if (kind == "crmd_join_request") {
    RETURN_IF_ERROR(required(n, "gen").status());
    JoinRequest m{.node = number<NodeId>(n, "node"), .name = xml::attr_or(n, "name"), .gen = number<uint64_t>(n, "gen")};
    xmlNode* hist = xml::first_child(n, "lrm_resources");
    m.history_xml = hist ? xml::to_string(hist, false) : "<lrm_resources/>";
    m.cib_version = xml::attr_or(n, "cib-version");
    return Message{std::move(m)};
  }
  if (kind == "crmd_exec") {
    ExecOrder m;
    ASSIGN_OR_RETURN(m.target, required(n, "target"));
    ASSIGN_OR_RETURN(m.rsc_id, required(n, "rsc"));
    ASSIGN_OR_RETURN(m.operation, required(n, "operation"));
    m.key = xml::attr_or(n, "key");
    m.digest = xml::attr_or(n, "digest");
    m.rsc_class = xml::attr_or(n, "class");
    m.rsc_provider = xml::attr_or(n, "provider");
    m.rsc_type = xml::attr_or(n, "type");
    m.interval_ms = number<uint32_t>(n, "interval");
    m.timeout_ms = number<uint32_t>(n, "timeout");
    if (xmlNode* attrs = xml::first_child(n, "attributes")) {
      for (xmlNode* a : xml::children(attrs, "nvpair")) m.attributes[xml::attr_or(a, "name")] = xml::attr_or(a, "value");
    }
    return Message{std::move(m)};
  }
  if (kind == "crmd_op_result") {
    OpResult m;
    m.node = number<NodeId>(n, "node");
    m.name = xml::attr_or(n, "name");
    crm::OpRecord& op = m.op;
    ASSIGN_OR_RETURN(op.rsc_id, required(n, "rsc"));
    ASSIGN_OR_RETURN(op.operation, required(n, "operation"));
    op.rsc_class = xml::attr_or(n, "class");
    op.rsc_provider = xml::attr_or(n, "provider");
    op.rsc_type = xml::attr_or(n, "type");
    op.interval_ms = number<long>(n, "interval");
    op.call_id = number<int>(n, "call-id");
    op.rc = number<int>(n, "rc-code");
    op.op_status = number<int>(n, "op-status");
    op.exec_time_ms = number<long>(n, "exec-time");
    op.queue_time_ms = number<long>(n, "queue-time");
    op.last_rc_change = static_cast<std::time_t>(number<long long>(n, "last-rc-change"));
    op.transition_key = xml::attr_or(n, "key");
    op.op_digest = xml::attr_or(n, "digest");
    op.exit_reason = xml::attr_or(n, "exit-reason");
    op.migrate_source = xml::attr_or(n, "migrate-source");
    op.migrate_target = xml::attr_or(n, "migrate-target");
    m.cancel_interval_ms = number<uint32_t>(n, "cancel-interval");
    return Message{std::move(m)};
  }
  if (kind == "crmd_shutdown_req") {
    return Message{ShutdownRequest{.node = number<NodeId>(n, "node"), .name = xml::attr_or(n, "name")}};
  }
  if (kind == "crmd_do_shutdown") {
    DoShutdown m;
    ASSIGN_OR_RETURN(m.target, required(n, "target"));
    return Message{std::move(m)};
  }
  if (kind == "crmd_ping") {
    PingRequest m{.from = number<NodeId>(n, "from"), .token = number<uint64_t>(n, "token")};
    ASSIGN_OR_RETURN(m.target, required(n, "target"));
    return Message{std::move(m)};
  }
  if (kind == "crmd_ping_reply") {
    PingReply m{.to = number<NodeId>(n, "to"), .token = number<uint64_t>(n, "token")};
    ASSIGN_OR_RETURN(m.name, required(n, "name"));
    ASSIGN_OR_RETURN(m.state, required(n, "state"));
    return Message{std::move(m)};
  }
  return invalid_argument("unknown controller message <" + std::string(kind) + ">");
}

}  // namespace crm::crmd::wire
