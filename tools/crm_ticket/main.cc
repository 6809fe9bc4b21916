// crm_ticket: query and change this site's tickets (status/tickets/
// ticket_state), with the peer's options, output and exit codes. What a
// ticket does to resources is the scheduler's (pengine/src/tickets.cc);
// granting or revoking one here is what a ticket manager such as booth does
// for a multi-site cluster. Granting and revoking take --force, because this
// tool cannot know whether another site holds the ticket, and a revocation
// triggers the loss-policy of everything that depends on it.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "crm/cib/client.h"
#include "crm/core/boolean.h"
#include "crm/core/ticket.h"
#include "crm/core/xml.h"
#include "crm/tools/admin.h"

namespace {

using namespace crm;

constexpr int kExitInsufficientPriv = 4;

int fail(const std::string& msg, int rc) {
  std::fprintf(stderr, "crm_ticket: %s\n", msg.c_str());
  return rc;
}

// Tickets at this site: those with a state, and those only constraints name
// (never granted here: revoked), by id.
std::map<std::string, crm::TicketState> read_tickets(const cib::Cib& cib) {
  std::map<std::string, crm::TicketState> out;
  for (crm::TicketState& t : crm::read_ticket_states(cib.root())) out[t.id] = std::move(t);
  auto named = cib.query("/cib/configuration/constraints/rsc_ticket[@ticket]");
  if (named.ok())
    for (xmlNode* c : *named) {
      std::string id = xml::attr_or(c, "ticket");
      if (!out.count(id)) out[id].id = id;
    }
  return out;
}

void print_ticket(const crm::TicketState& t, bool raw, bool details) {
  if (raw) {
    std::cout << t.id << "\n";
    return;
  }
  std::cout << t.id << "\t" << (t.granted ? "granted" : "revoked") << " " << (t.standby ? "[standby]" : "         ");
  auto date = [](const std::string& v) { return "'" + tools::format_time(std::strtoll(v.c_str(), nullptr, 10)) + "'"; };
  if (details && !t.attributes.empty()) {
    std::cout << " (";
    bool first = true;
    for (const auto& [name, value] : t.attributes) {
      std::cout << (first ? "" : ", ") << name << "="
                << (name == "last-granted" || name == "expires" ? date(value) : value);
      first = false;
    }
    std::cout << ")\n";
  } else {
    if (t.last_granted > -1) std::cout << " last-granted=" << date(std::to_string(t.last_granted));
    std::cout << "\n";
  }
}

void ticket_warning(const std::string& id, bool grant) {
  std::string w;
  if (grant) {
    w = "This command cannot help you verify whether '" + id + "' has been already granted elsewhere.\n";
  } else {
    w = "Revoking '" + id + "' can trigger the specified 'loss-policy'(s) relating to '" + id +
        "'.\n\nYou can check that with:\ncrm_ticket --ticket " + id + " --constraints\n\nOtherwise before revoking '" +
        id + "', you may want to make '" + id + "' standby with:\ncrm_ticket --ticket " + id + " --standby\n\n";
  }
  w += "If you really want to " + std::string(grant ? "grant" : "revoke") + " '" + id + "' " + (grant ? "to" : "from") +
       " this site now, and you know what you are doing,\nplease specify --force.";
  std::cout << w << "\n";
}

// The query results as the peer's CIB query returns them: one element, or
// several wrapped in <xpath-query>.
std::string matches_xml(const std::vector<xmlNode*>& found) {
  auto line = [](xmlNode* n) {
    std::string s = xml::to_string(n, true);
    return s.empty() || s.back() != '\n' ? s + "\n" : s;
  };
  if (found.size() == 1) return line(found.front());
  std::string out = "<xpath-query>\n";
  for (xmlNode* n : found) out += line(n);
  return out + "</xpath-query>\n";
}

std::string ticket_state_xpath(const std::string& id) {
  return "/cib/status/tickets" + (id.empty() ? "" : "/ticket_state[@id=\"" + id + "\"]");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crm_ticket - perform tasks related to cluster tickets"};
  app.set_version_flag("-$,--version", "crm crm_ticket 0.1");
  std::string ticket, get_attr, attr_value, default_value, set_name, nvpair_id;
  std::vector<std::string> set_attrs, delete_attrs;
  bool info = false, details = false, raw = false, query_xml = false, constraints = false;
  bool grant = false, revoke = false, standby = false, activate = false, cleanup = false, force = false, quiet = false;
  int verbose = 0;
  app.add_flag("-l,--info", info, "Display the information of ticket(s)");
  app.add_flag("-L,--details", details, "Display the details of ticket(s)");
  app.add_flag("-w,--raw", raw, "Display the IDs of ticket(s)");
  app.add_flag("-q,--query-xml", query_xml, "Query the XML of ticket(s)");
  app.add_flag("-c,--constraints", constraints, "Display the rsc_ticket constraints that apply to ticket(s)");
  app.add_flag("-g,--grant", grant, "Grant a ticket to this cluster site");
  app.add_flag("-r,--revoke", revoke, "Revoke a ticket from this cluster site");
  app.add_flag("-s,--standby", standby, "Tell this cluster site this ticket is standby");
  app.add_flag("-a,--activate", activate, "Tell this cluster site this ticket is active");
  auto* get_opt = app.add_option("-G,--get-attr", get_attr, "Display the named attribute for a ticket");
  app.add_option("-S,--set-attr", set_attrs, "Set the named attribute for a ticket");
  app.add_option("-D,--delete-attr", delete_attrs, "Delete the named attribute for a ticket");
  app.add_flag("-C,--cleanup", cleanup, "Delete all state of a ticket at this cluster site");
  app.add_option("-v,--attr-value", attr_value, "Attribute value to use with -S");
  auto* default_opt = app.add_option("-d,--default", default_value,
                                     "(Advanced) Default attribute value to display if none is found (for use with -G)");
  app.add_flag("-f,--force", force, "(Advanced) Force the action to be performed");
  app.add_option("-t,--ticket", ticket, "Ticket ID");
  app.add_option("-n,--set-name", set_name, "(Deprecated, ignored) ID of the instance_attributes object to change");
  app.add_option("-i,--nvpair", nvpair_id, "(Deprecated, ignored) ID of the nvpair object to change/delete");
  app.add_flag("-Q,--quiet", quiet, "Print only the value on stdout");
  app.add_flag("-V,--verbose", verbose, "Increase debug output");
  app.footer(
      "Examples:\n"
      "  crm_ticket --info                               the state of every ticket\n"
      "  crm_ticket --ticket ticketA --grant --force     grant ticketA to this site\n"
      "  crm_ticket --ticket ticketA --standby           hand ticketA over in order (its resources stop)\n"
      "  crm_ticket --ticket ticketA --revoke --force    revoke it (each dependent's loss-policy applies)\n"
      "  crm_ticket --ticket ticketA --constraints       what depends on ticketA");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : tools::kExitUsage;
  }

  // The state changes asked for, in the peer's terms: attributes to set and to delete.
  std::vector<std::pair<std::string, std::string>> to_set;
  if (grant || revoke) to_set.emplace_back("granted", grant ? "true" : "false");
  if (standby || activate) to_set.emplace_back("standby", standby ? "true" : "false");
  if (set_attrs.size() > 1) return fail("give one attribute with -S", tools::kExitUsage);
  if (!set_attrs.empty() && !attr_value.empty()) to_set.emplace_back(set_attrs.front(), attr_value);
  const bool modifies = !to_set.empty() || !delete_attrs.empty();

  auto client = cib::connect();
  if (!client.ok())
    return fail("Could not connect to the CIB: " + client.status().message(), client.status().exit_code());
  auto cib = (*client)->query_cib();
  if (!cib.ok()) return fail("Could not get local CIB: " + cib.status().message(), cib.status().exit_code());
  auto tickets = read_tickets(*cib);

  if (info || details || raw) {
    if (!ticket.empty()) {
      auto it = tickets.find(ticket);
      if (it == tickets.end()) return fail("No such ticket '" + ticket + "'", tools::kExitNoSuch);
      print_ticket(it->second, raw, details);
    } else {
      for (const auto& [id, t] : tickets) print_ticket(t, raw, details);
    }
    return tools::kExitOk;
  }
  if (query_xml) {
    auto found = cib->query(ticket_state_xpath(ticket));
    if (!found.ok() || found->empty())
      return fail("Could not query ticket XML: No such device or address", tools::kExitNoSuch);
    std::cout << "State XML:\n\n" << matches_xml(*found);
    return tools::kExitOk;
  }
  if (constraints) {
    auto found = cib->query("/cib/configuration/constraints/rsc_ticket" +
                            (ticket.empty() ? "" : "[@ticket=\"" + ticket + "\"]"));
    if (!found.ok() || found->empty())
      return fail("Could not show ticket constraints: No such device or address", tools::kExitNoSuch);
    std::cout << "Constraints XML:\n\n" << matches_xml(*found);
    return tools::kExitOk;
  }
  if (get_opt->count() > 0) {
    if (ticket.empty()) return fail("Must supply ticket ID with -t", tools::kExitNoSuch);
    auto it = tickets.find(ticket);
    if (it != tickets.end())
      for (const auto& [name, value] : it->second.attributes)
        if (name == get_attr) {
          std::cout << value << "\n";
          return tools::kExitOk;
        }
    if (default_opt->count() > 0) {
      std::cout << default_value << "\n";
      return tools::kExitOk;
    }
    return tools::kExitNoSuch;
  }
  if (cleanup) {
    if (ticket.empty()) return fail("Must supply ticket ID with -t", tools::kExitUsage);
    if (!force) {
      auto it = tickets.find(ticket);
      if (it == tickets.end()) return fail("No such ticket '" + ticket + "'", tools::kExitNoSuch);
      if (it->second.granted) {
        ticket_warning(ticket, false);
        return kExitInsufficientPriv;
      }
    }
    auto found = cib->query(ticket_state_xpath(ticket));
    if (!found.ok() || found->empty()) return tools::kExitOk;  // nothing to clean up
    Status st = (*client)->remove_xpath(ticket_state_xpath(ticket));
    if (!st.ok()) return fail("Could not clean up ticket: " + st.message(), st.exit_code());
    std::cout << "Cleaned up " << ticket << "\n";
    return tools::kExitOk;
  }
  if (modifies) {
    if (ticket.empty()) return fail("Must supply ticket ID with -t", tools::kExitUsage);
    if (!force) {
      for (const auto& [name, value] : to_set)
        if (name == "granted") {
          ticket_warning(ticket, is_true(value));
          return fail("Ticket modification not allowed", kExitInsufficientPriv);
        }
      for (const auto& name : delete_attrs)
        if (name == "granted") {
          ticket_warning(ticket, false);
          return fail("Ticket modification not allowed", kExitInsufficientPriv);
        }
    }
    auto found = cib->query(ticket_state_xpath(ticket));
    const bool exists = found.ok() && !found->empty();
    if (!exists && to_set.empty()) return tools::kExitOk;
    // The new state: the recorded one without the deleted attributes, with the set ones.
    xml::DocPtr doc = xml::new_document("ticket_state");
    xmlNode* state = xml::root(doc);
    if (exists)
      for (xmlAttr* a = found->front()->properties; a; a = a->next) {
        const char* name = reinterpret_cast<const char*>(a->name);
        xml::set_attr(state, name, xml::attr_or(found->front(), name));
      }
    xml::set_attr(state, "id", ticket);
    for (const auto& name : delete_attrs) xml::remove_attr(state, name.c_str());
    const auto it = tickets.find(ticket);
    const bool was_granted = it != tickets.end() && it->second.granted;
    for (const auto& [name, value] : to_set) {
      xml::set_attr(state, name.c_str(), value);
      if (name == "granted" && !was_granted && is_true(value))
        xml::set_attr(state, "last-granted", std::to_string(static_cast<long long>(std::time(nullptr))));
    }
    Status st = exists ? (*client)->replace("status", xml::to_string(state))
                       : (*client)->modify("status", "<status><tickets>" + xml::to_string(state) + "</tickets></status>",
                                           true);
    if (!st.ok()) return fail("Could not modify ticket: " + st.message(), st.exit_code());
    return tools::kExitOk;
  }
  if (!set_attrs.empty()) {
    if (ticket.empty()) return fail("Must supply ticket ID with -t", tools::kExitUsage);
    return fail("Must supply value with -v for -S " + set_attrs.front(), tools::kExitUsage);
  }
  return fail("Must supply a command", tools::kExitUsage);
}
