// The importers' common target: a small model of the CIB configuration they
// build (properties, nodes, primitives, groups, clones, constraints, fencing
// levels) and its one writer to <configuration> XML, so every importer names
// ids and writes elements the same way.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crm/import/import.h"

namespace crm::import {

using NvPairs = std::vector<std::pair<std::string, std::string>>;

struct Op {
  std::string name;      // monitor, start, stop, promote
  std::string interval;  // "10s"
  std::string timeout;   // "" for none
  std::string role;      // "" or Promoted/Unpromoted
  std::string on_fail;   // "" or restart/ignore/block/stop/fence
};

struct Primitive {
  std::string id;
  std::string cls;       // ocf, lsb, stonith, systemd
  std::string provider;  // ocf only
  std::string type;
  NvPairs params;
  NvPairs meta;
  std::vector<Op> ops;
};

struct Group {
  std::string id;
  std::vector<Primitive> members;
  NvPairs meta;
};

struct Clone {
  std::string id;
  Primitive child;
  NvPairs meta;  // promotable=true for a promotable clone
};

struct Location {
  std::string id, rsc, node, score, role;
  // A rule instead of a node: score when `attribute operation value`.
  std::string rule_attribute, rule_operation, rule_value;
};

struct Colocation {
  std::string id, rsc, with_rsc, score, with_rsc_role;
};

struct Order {
  std::string id, first, first_action, then, then_action;
};

// An alert agent (the CIB's <alerts>) for resource events, with its
// instance attributes (its environment).
struct Alert {
  std::string id, path;
  NvPairs env;
};

struct FencingLevel {
  std::string target;
  int index = 1;
  std::vector<std::string> devices;
};

// Ids in use: unique() returns `base` made into a valid XML id, with "-2",
// "-3"... appended while it is taken.
class Ids {
 public:
  std::string unique(const std::string& base);
  bool taken(const std::string& id) const { return used_.count(id) > 0; }

 private:
  std::set<std::string> used_;
};

struct Config {
  NvPairs properties;
  NvPairs rsc_defaults;
  std::vector<std::string> nodes;               // node names; ids are 1, 2, ... in order
  std::map<std::string, std::string> node_ids;  // unless given here (cluster.conf's nodeid)
  std::vector<Primitive> primitives;
  std::vector<Group> groups;
  std::vector<Clone> clones;
  std::vector<Location> locations;
  std::vector<Colocation> colocations;
  std::vector<Order> orders;
  std::vector<FencingLevel> levels;
  std::vector<Alert> alerts;
  Ids ids;

  void add_node(const std::string& name);
  bool has_node(const std::string& name) const;
  void set_property(const std::string& name, const std::string& value);
};

// The <configuration> document, elements in a fixed order: crm_config,
// nodes, resources (primitives, groups, clones), constraints (locations,
// colocations, orders), fencing-topology, alerts, rsc_defaults.
xml::DocPtr write_configuration(const Config& config);

// The report collector the importers write to.
class Report {
 public:
  void add(Outcome o, std::string where, std::string what) { notes_.push_back({o, std::move(where), std::move(what)}); }
  std::vector<Note> take() { return std::move(notes_); }

 private:
  std::vector<Note> notes_;
};

// "FILE:LINE"
inline std::string at(const std::string& file, long line) { return file + ":" + std::to_string(line); }

// The fencing policy every importer applies: stonith-enabled stays true; a
// source without fencing gets a to-do note; two nodes get the settings of
// docs/crmd.md (priority-fencing-delay with a resource priority) and a note
// for corosync's two_node.
void apply_fencing_policy(Config& config, Report& report, const std::string& where, bool source_has_fencing);

// An IPv4 or IPv6 address (no prefix)?
bool is_ip_address(const std::string& text);

}  // namespace crm::import
