#include "alerts.h"

#include <ctime>

#include <fmt/format.h>

#include "crm/core/duration.h"
#include "crm/core/exec_status.h"
#include "crm/core/nvpair.h"
#include "crm/core/ocf_rc.h"
#include "crm/core/xml.h"
#include "crm/crmd/controller.h"

namespace crm::crmd::alerts {

const char* kind_name(Kind k) {
  switch (k) {
    case kNode: return "node";
    case kFencing: return "fencing";
    case kResource: return "resource";
    case kAttribute: return "attribute";
  }
  return "unknown";
}

namespace {

// An alert's or recipient's meta attributes onto `a`.
void apply_meta(Agent& a, const std::map<std::string, std::string>& meta, std::vector<std::string>* warnings) {
  if (auto it = meta.find("timeout"); it != meta.end()) {
    auto t = parse_duration(it->second, /*bare_unit_ms=*/1);
    if (t.ok() && t->count() > 0) {
      a.timeout = *t;
    } else if (warnings) {
      warnings->push_back(fmt::format("alert {} has an invalid timeout '{}': using {} ms", a.id, it->second,
                                      a.timeout.count()));
    }
  }
  if (auto it = meta.find("timestamp-format"); it != meta.end()) a.timestamp_format = it->second;
}

}  // namespace

std::vector<Agent> read_agents(const xmlNode* alerts, std::vector<std::string>* warnings) {
  std::vector<Agent> out;
  if (!alerts) return out;
  for (xmlNode* al : xml::children(alerts, "alert")) {
    Agent base;
    base.id = xml::attr_or(al, "id");
    base.path = xml::attr_or(al, "path");
    if (base.id.empty() || base.path.empty()) {
      if (warnings) warnings->push_back("an alert without an id or a path is ignored");
      continue;
    }
    if (xmlNode* sel = xml::first_child(al, "select")) {
      base.kinds = 0;
      if (xml::first_child(sel, "select_nodes")) base.kinds |= kNode;
      if (xml::first_child(sel, "select_fencing")) base.kinds |= kFencing;
      if (xml::first_child(sel, "select_resources")) base.kinds |= kResource;
      if (xmlNode* attrs = xml::first_child(sel, "select_attributes")) {
        base.kinds |= kAttribute;
        for (xmlNode* a : xml::children(attrs, "attribute")) base.attributes.insert(xml::attr_or(a, "name"));
      }
    }
    apply_meta(base, nvpair_values(al, "meta_attributes"), warnings);
    base.env = nvpair_values(al, "instance_attributes");
    std::vector<xmlNode*> recipients = xml::children(al, "recipient");
    if (recipients.empty()) {
      out.push_back(base);
      continue;
    }
    for (xmlNode* r : recipients) {
      Agent a = base;
      a.recipient = xml::attr_or(r, "value");
      apply_meta(a, nvpair_values(r, "meta_attributes"), warnings);
      for (auto& [k, v] : nvpair_values(r, "instance_attributes")) a.env[k] = v;
      out.push_back(std::move(a));
    }
  }
  return out;
}

Event node_event(const std::string& name, uint32_t id, const std::string& state) {
  return Event{kNode, {{"node", name}, {"nodeid", std::to_string(id)}, {"desc", state}}, ""};
}

Event fencing_event(const std::string& target, const std::string& action, const std::string& description, int rc) {
  return Event{kFencing, {{"node", target}, {"task", action}, {"desc", description}, {"rc", std::to_string(rc)}}, ""};
}

std::optional<Event> resource_event(const std::string& node, const lrmd::ExecResult& r, int target_rc) {
  if (r.action == "meta-data" || r.action == "metadata") return std::nullopt;
  // A probe that found what was expected says nothing (as the peer: even a
  // resource found running was probably cleaned up, not started behind our back).
  if (r.interval_ms == 0 && r.action == "monitor" && r.op_status == ExecStatus::kDone && r.rc == target_rc) {
    return std::nullopt;
  }
  Event e{kResource, {}, ""};
  e.values = {{"node", node},
              {"rsc", r.rsc_id},
              {"task", r.action},
              {"interval", std::to_string(r.interval_ms)},
              {"target_rc", std::to_string(target_rc)},
              {"status", std::to_string(static_cast<int>(r.op_status))},
              {"rc", std::to_string(r.rc)},
              {"exec_time", std::to_string(r.duration_ms)},
              {"desc", r.op_status == ExecStatus::kDone ? ocf_rc_text(r.rc) : exec_status_text(r.op_status)}};
  return e;
}

Event attribute_event(const std::string& node, const std::string& id, const std::string& attribute,
                      const std::string& value) {
  return Event{kAttribute,
               {{"node", node}, {"nodeid", id}, {"attribute_name", attribute}, {"attribute_value", value}},
               attribute};
}

std::string format_timestamp(const std::string& format, std::chrono::microseconds at) {
  const std::time_t secs = static_cast<std::time_t>(std::chrono::duration_cast<std::chrono::seconds>(at).count());
  const long usec = static_cast<long>(at.count() - static_cast<long long>(secs) * 1000000);
  struct tm tm {};
  localtime_r(&secs, &tm);
  auto strftime_piece = [&](const std::string& piece) {
    if (piece.empty()) return std::string();
    char buf[256];
    size_t n = strftime(buf, sizeof buf, piece.c_str(), &tm);
    return std::string(buf, n);
  };
  const std::string fraction = fmt::format("{:06d}", usec);
  std::string out, pending;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      pending += format[i];
      continue;
    }
    size_t j = i + 1;
    while (j < format.size() && format[j] >= '0' && format[j] <= '9') ++j;
    if (j < format.size() && format[j] == 'N') {
      // %<digits>N: the fraction of the second to that many digits (at most 6).
      out += strftime_piece(pending);
      pending.clear();
      size_t digits = j > i + 1 ? std::stoul(format.substr(i + 1, j - i - 1)) : 0;
      out += fraction.substr(0, std::min<size_t>(digits, 6));
      i = j;
      continue;
    }
    pending += format.substr(i, j - i + (j < format.size() ? 1 : 0));
    i = j;
  }
  out += strftime_piece(pending);
  return out;
}

std::vector<lrmd::ExecRequest> requests(const std::vector<Agent>& agents, const Event& event,
                                        std::chrono::microseconds now, uint64_t* sequence) {
  std::vector<lrmd::ExecRequest> out;
  const long long epoch = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  const long long usec = now.count() - epoch * 1000000;
  for (const Agent& a : agents) {
    if (!(a.kinds & event.kind)) continue;
    if (event.kind == kAttribute && !a.attributes.empty() && !a.attributes.count(event.attribute)) continue;
    lrmd::ExecRequest req;
    req.rsc_id = "alert:" + a.id;  // ':' cannot be in a resource id: never serialised behind a resource
    req.standard = lrmd::kClassAlert;
    req.type = a.path;
    req.action = "notify";
    req.timeout_ms = static_cast<uint32_t>(a.timeout.count());
    std::map<std::string, std::string> values = event.values;
    values["kind"] = kind_name(event.kind);
    values["version"] = dc_version();
    values["node_sequence"] = std::to_string(++*sequence);
    values["timestamp"] = format_timestamp(a.timestamp_format, now);
    values["timestamp_epoch"] = std::to_string(epoch);
    values["timestamp_usec"] = fmt::format("{:06d}", usec);
    if (a.recipient) values["recipient"] = *a.recipient;
    req.params = a.env;
    for (const auto& [k, v] : values) {
      req.params["CRM_alert_" + k] = v;
      // The peer's older names, for scripts written against them (no
      // CRM_notify_node_sequence: the peer never had one).
      if (k != "node_sequence") req.params["CRM_notify_" + k] = v;
    }
    out.push_back(std::move(req));
  }
  return out;
}

NodeAttributes node_attributes(const xmlNode* status) {
  NodeAttributes out;
  if (!status) return out;
  for (xmlNode* ns : xml::children(status, "node_state")) {
    std::vector<xmlNode*> sets = xml::children(ns, "transient_attributes");
    if (sets.empty()) continue;  // wiped (the node left): not a change of any attribute
    auto& attrs = out[std::make_pair(xml::attr_or(ns, "uname"), xml::attr_or(ns, "id"))];
    for (xmlNode* ta : sets) {
      for (auto& [k, v] : nvpair_values(ta, "instance_attributes")) attrs.emplace(k, v);
    }
  }
  return out;
}

std::vector<Event> attribute_changes(const NodeAttributes& before, const NodeAttributes& after) {
  static const std::map<std::string, std::string> kNone;
  std::vector<Event> out;
  for (const auto& [node, attrs] : after) {
    auto b = before.find(node);
    const auto& old = b == before.end() ? kNone : b->second;
    for (const auto& [name, value] : attrs) {
      auto o = old.find(name);
      if (o == old.end() || o->second != value) out.push_back(attribute_event(node.first, node.second, name, value));
    }
    for (const auto& [name, value] : old) {
      if (!attrs.count(name)) out.push_back(attribute_event(node.first, node.second, name, ""));
    }
  }
  return out;
}

}  // namespace crm::crmd::alerts
