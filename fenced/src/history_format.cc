#include <fmt/format.h>

#include "crm/core/xml.h"
#include "crm/fenced/fenced.h"

namespace crm::fenced {

std::string history_time(std::time_t t) {
  if (t == 0) return "";
  char buf[64];
  std::tm tm;
  localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z", &tm);
  return buf;
}

std::string history_line(const HistoryEntry& e) {
  if (e.state == "pending") {
    return fmt::format("  * {} of {} pending: client={}, origin={}", e.action, e.target, e.client, e.origin);
  }
  if (e.state == "success") {
    return fmt::format("  * {} of {} successful: delegate={}, client={}, origin={}, completed='{}'", e.action, e.target,
                       e.delegate, e.client, e.origin, history_time(e.completed));
  }
  return fmt::format("  * {} of {} failed: delegate={}, client={}, origin={}, completed='{}'{}", e.action, e.target,
                     e.delegate.empty() ? "(null)" : e.delegate, e.client, e.origin, history_time(e.completed),
                     e.exit_reason.empty() ? "" : " (" + e.exit_reason + ")");
}

namespace {
bool timed_out(const HistoryEntry& e) { return e.exit_reason.find("timed out") != std::string::npos; }
}  // namespace

std::string event_description(const HistoryEntry& e) {
  const char* status = e.state == "success" ? "OK" : timed_out(e) ? "Timed Out" : "Error occurred";
  return fmt::format("Operation {} of {} by {} for {}@{}: {}{} (ref={})", e.action, e.target,
                     e.delegate.empty() ? "the cluster" : e.delegate, e.client.empty() ? "a client" : e.client,
                     e.origin.empty() ? "a node" : e.origin, status,
                     e.exit_reason.empty() || e.state == "success" ? "" : " (" + e.exit_reason + ")",
                     e.id.empty() ? "(none)" : e.id);
}

int event_rc(const HistoryEntry& e) {
  if (e.state == "success") return 0;
  return timed_out(e) ? -62 : -201;
}

void add_history_xml(xmlNode* parent, const HistoryEntry& e) {
  xmlNode* n = xml::add_child(parent, "fence_event");
  xml::set_attr(n, "status", e.state == "success" || e.state == "pending" ? e.state : "failed");
  if (!e.exit_reason.empty()) xml::set_attr(n, "exit-reason", e.exit_reason);
  xml::set_attr(n, "delegate", e.delegate);
  xml::set_attr(n, "action", e.action);
  xml::set_attr(n, "target", e.target);
  xml::set_attr(n, "client", e.client);
  xml::set_attr(n, "origin", e.origin);
  if (!e.device.empty()) xml::set_attr(n, "device", e.device);
  if (e.completed) xml::set_attr(n, "completed", history_time(e.completed));
}

}  // namespace crm::fenced
