// Tickets: resources that may run only while a ticket is granted to this
// cluster (rsc_ticket constraints; the ticket's state in the status section,
// set by crm_ticket or a ticket manager such as booth). Semantics after the
// peer's documentation ("Multi-Site Clusters and Tickets") and its
// pcmk_sched_tickets.c (2.1.5):
//  - a ticket not granted bans what depends on it; if the resource is active
//    its loss-policy decides: stop (ban), demote (the promoted role is lost,
//    the resource keeps running unpromoted), fence (its nodes are fenced) or
//    freeze (left as it is, unmanaged);
//  - a granted ticket in standby bans its dependents (no loss-policy: standby
//    is an orderly hand-over);
//  - rsc-role=Promoted limits the dependency to the promoted role: without the
//    ticket the clone promotes nothing and keeps running.
#include "crm/core/ticket.h"
#include "crm/core/xml.h"
#include "working_set.h"

namespace crm::pengine {

void unpack_ticket_states(WorkingSet& ws) {
  for (crm::TicketState& state : crm::read_ticket_states(xml::root(ws.doc))) {
    Ticket& t = ws.tickets[state.id];
    static_cast<crm::TicketState&>(t) = std::move(state);
    t.has_state = true;
  }
}

namespace {

bool role_matches(const TicketConstraint& tc, const Resource* r) {
  return tc.role == Role::kUnknown || tc.role == r->role;
}

void ban(WorkingSet& ws, const TicketConstraint& tc, Resource* r, const char* why) {
  ReasonScope scope(ws, [&] {
    return Reason{ContributionKind::kTicket, tc.id,
                  std::string(why) + ": " + r->id + " depends on ticket " + tc.ticket->id + " (" + tc.id + ")"};
  });
  // On every node of the cluster, allowed or not (the peer's resource_location with the working set).
  for (Node& n : ws.nodes) add_location(ws, r, &n, kMinusInfinity);
}

// The peer's constraints_for_ticket: what a ticket that is not granted, or in
// standby, does to one resource (to each primitive of a collective one).
void apply_ticket(WorkingSet& ws, const TicketConstraint& tc, Resource* r) {
  const Ticket& t = *tc.ticket;
  if (t.granted && !t.standby) return;
  if (!r->is_primitive()) {
    for (Resource* c : r->children) apply_ticket(ws, tc, c);
    return;
  }
  if (!t.granted && !r->running_on.empty()) {
    switch (tc.loss_policy) {
      case LossPolicy::kStop:
        ban(ws, tc, r, "ticket lost (loss-policy=stop)");
        break;
      case LossPolicy::kDemote:
        // For rsc-role=Promoted only promotion is withheld (promotion_needs_missing_ticket).
        if (tc.role != Role::kPromoted) ban(ws, tc, r, "ticket lost (loss-policy=demote)");
        break;
      case LossPolicy::kFence:
        if (!role_matches(tc, r)) return;
        ban(ws, tc, r, "ticket lost (loss-policy=fence)");
        for (Node* n : r->running_on) {
          if (n->unclean) continue;
          n->unclean = true;
          n->fence_reason = "deadman ticket was lost";
        }
        break;
      case LossPolicy::kFreeze:
        if (!role_matches(tc, r)) return;
        r->managed = false;
        r->blocked = true;
        break;
    }
  } else if (!t.granted) {
    if (tc.role != Role::kPromoted || tc.loss_policy == LossPolicy::kStop) ban(ws, tc, r, "ticket not granted");
  } else if (tc.role != Role::kPromoted || tc.loss_policy == LossPolicy::kStop) {
    ban(ws, tc, r, "ticket in standby");
  }
}

// `id` is the constraint's, or its resource set's; `where` names it in errors.
Status add_ticket_constraint(WorkingSet& ws, const std::string& id, const std::string& where, const std::string& rsc_id,
                             Ticket* ticket, const std::string& role_text, const std::string& loss_text) {
  Resource* r = ws.find_rsc(rsc_id);
  if (!r) return config_invalid(where + " names unknown resource '" + rsc_id + "'");
  TicketConstraint tc;
  tc.id = id;
  tc.rsc = r;
  tc.ticket = ticket;
  if (!role_text.empty() && role_text != "Started") {
    auto role = parse_role(role_text);
    if (!role.ok()) return config_invalid(where + ": " + role.status().message());
    tc.role = *role == Role::kStarted ? Role::kUnknown : *role;
  }
  if (loss_text == "fence" && !ws.stonith_enabled) {
    ws.warnings.push_back(where + ": loss-policy=fence needs fencing (stonith-enabled); using stop");
    tc.loss_policy = LossPolicy::kStop;
  } else if (loss_text == "fence") {
    tc.loss_policy = LossPolicy::kFence;
  } else if (loss_text == "freeze") {
    tc.loss_policy = LossPolicy::kFreeze;
  } else if (loss_text == "demote") {
    tc.loss_policy = LossPolicy::kDemote;
  } else if (loss_text == "stop") {
    tc.loss_policy = LossPolicy::kStop;
  } else if (!loss_text.empty()) {
    return config_invalid(where + ": unknown loss-policy '" + loss_text +
                          "' (stop, demote, fence or freeze)");
  } else {
    tc.loss_policy = tc.role == Role::kPromoted ? LossPolicy::kDemote : LossPolicy::kStop;
  }
  const TicketConstraint& added = ws.ticket_constraints.emplace_back(std::move(tc));
  apply_ticket(ws, added, r);
  return Status::Ok();
}

}  // namespace

Status apply_tickets(WorkingSet& ws) {
  for (xmlNode* cons : xml::children(ws.constraints, "rsc_ticket")) {
    std::string id = xml::attr_or(cons, "id");
    std::string ticket_id = xml::attr_or(cons, "ticket");
    if (ticket_id.empty()) return config_invalid("ticket constraint '" + id + "' names no ticket");
    Ticket& ticket = ws.tickets[ticket_id];
    ticket.id = ticket_id;  // a ticket never granted has no state yet
    std::string loss = xml::attr_or(cons, "loss-policy");
    bool any_set = false;
    for (xmlNode* set : xml::children(cons, "resource_set")) {
      any_set = true;
      if (auto ref = xml::attr(set, "id-ref")) {
        auto found = xml::xpath(ws.doc, "//resource_set[@id='" + *ref + "']");
        if (!found.ok() || found->empty()) return config_invalid("ticket constraint '" + id + "': no resource set '" + *ref + "'");
        set = found->front();
      }
      std::string set_id = xml::attr_or(set, "id", id);
      std::string role = xml::attr_or(set, "role");
      for (xmlNode* ref : xml::children(set, "resource_ref"))
        RETURN_IF_ERROR(add_ticket_constraint(ws, set_id, "ticket constraint '" + id + "' (set '" + set_id + "')",
                                              xml::attr_or(ref, "id"), &ticket, role, loss));
    }
    if (any_set) continue;
    auto rsc = xml::attr(cons, "rsc");
    if (!rsc) return config_invalid("ticket constraint '" + id + "' names no resource");
    RETURN_IF_ERROR(add_ticket_constraint(ws, id, "ticket constraint '" + id + "'", *rsc, &ticket,
                                          xml::attr_or(cons, "rsc-role"), loss));
  }
  return Status::Ok();
}

bool promotion_needs_missing_ticket(const WorkingSet& ws, const Resource* clone) {
  for (const TicketConstraint& tc : ws.ticket_constraints) {
    if (tc.rsc == clone && tc.role == Role::kPromoted && (!tc.ticket->granted || tc.ticket->standby)) return true;
  }
  return false;
}

}  // namespace crm::pengine
