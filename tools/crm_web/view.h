// crm_web's pure part: what the dashboard shows, from a CIB. The view is a
// JSON document of the nodes, the resources and the failures; the browser
// gets it once and then only the changes between two views. The pictures are
// Graphviz DOT text (the cluster, the constraints); rendering them as SVG is
// in svg.cc.
#pragma once

#include <libxml/tree.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "crm/core/status.h"

namespace crm::web {

// {"cluster": {dc, quorum, stonith, maintenance},
//  "nodes": {NAME: {state, standby, maintenance, resources: [ids]}},
//  "resources": {ID: {agent, role, nodes: [...], failed, managed, kind, parent}},
//  "failures": {KEY: {op, node, text}}}
Result<nlohmann::json> build_view(xmlDoc* cib, std::time_t now);

// What changed from `before` to `after`: {"set": {"nodes/n1": {...}, ...},
// "del": ["resources/x", ...]}, one entry per changed node, resource,
// failure or cluster field; null when nothing changed.
nlohmann::json view_changes(const nlohmann::json& before, const nlohmann::json& after);

// The cluster as a picture: one box per node with what runs there, a box
// for what runs nowhere.
std::string cluster_dot(const nlohmann::json& view);
// The constraints between resources: colocations (solid, with scores),
// orderings (dashed, first -> then), locations (to nodes, with scores).
std::string constraints_dot(xmlDoc* cib);
// A DOT string literal ("..." with quotes and backslashes escaped).
std::string dot_quote(const std::string& s);

}  // namespace crm::web
