// A ticket's state at this site, as the status section records it
// (status/tickets/ticket_state, written by crm_ticket or a ticket manager
// such as booth): the one reader, for the scheduler and crm_ticket.
//
//   for (const crm::TicketState& t : crm::read_ticket_states(cib_root)) ...
#pragma once

#include <libxml/tree.h>

#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace crm {

struct TicketState {
  std::string id;
  bool granted = false;           // not granted until granted="true"
  bool standby = false;
  std::time_t last_granted = -1;  // -1: not recorded
  std::vector<std::pair<std::string, std::string>> attributes;  // all but id, in document order
};

// Every ticket_state under `cib`'s status section, in document order (those without an id skipped).
std::vector<TicketState> read_ticket_states(const xmlNode* cib);

}  // namespace crm
