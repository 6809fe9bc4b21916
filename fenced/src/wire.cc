#include "wire.h"

#include <cstdlib>

namespace crm::fenced::wire {

void put_entry(xmlNode* n, const HistoryEntry& e) {
  xml::set_attr(n, "id", e.id);
  xml::set_attr(n, "target", e.target);
  xml::set_attr(n, "action", e.action);
  if (!e.device.empty()) xml::set_attr(n, "device", e.device);
  xml::set_attr(n, "state", e.state);
  xml::set_attr(n, "origin", e.origin);
  if (!e.client.empty()) xml::set_attr(n, "client", e.client);
  if (!e.delegate.empty()) xml::set_attr(n, "delegate", e.delegate);
  xml::set_attr(n, "completed", std::to_string(static_cast<long long>(e.completed)));
  if (!e.exit_reason.empty()) xml::set_attr(n, "exit_reason", e.exit_reason);
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

}  // namespace crm::fenced::wire
