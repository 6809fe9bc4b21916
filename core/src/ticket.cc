#include "crm/core/ticket.h"

#include <cstdlib>

#include "crm/core/boolean.h"
#include "crm/core/xml.h"

namespace crm {

std::vector<TicketState> read_ticket_states(const xmlNode* cib) {
  std::vector<TicketState> out;
  xmlNode* tickets = xml::first_child(xml::first_child(cib, "status"), "tickets");
  for (xmlNode* st : xml::children(tickets, "ticket_state")) {
    TicketState t;
    t.id = xml::attr_or(st, "id");
    if (t.id.empty()) continue;
    for (xmlAttr* a = st->properties; a; a = a->next) {
      std::string name = reinterpret_cast<const char*>(a->name);
      if (name == "id") continue;
      std::string value = xml::attr_or(st, name.c_str());
      if (name == "granted") t.granted = is_true(value);
      else if (name == "standby") t.standby = is_true(value);
      else if (name == "last-granted") t.last_granted = std::strtoll(value.c_str(), nullptr, 10);
      t.attributes.emplace_back(name, std::move(value));
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace crm
