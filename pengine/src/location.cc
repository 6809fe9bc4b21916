// Node criteria: location constraints (scores and rules), the symmetric
// cluster default, stickiness, fail-count thresholds and hard-error bans.
#include <algorithm>
#include <cstring>

#include "crm/core/xml.h"
#include "rules.h"
#include "working_set.h"

namespace crm::pengine {

void add_location(WorkingSet& ws, Resource* rsc, Node* node, Score score) {
  if (!rsc) return;
  auto apply = [&](Resource* r) {
    const bool noted = ws.explain_any && explaining(ws, r);
    if (node) {
      auto it = r->allowed.find(node);
      if (it == r->allowed.end()) {
        r->allowed[node] = score_add(node->weight, score);
        if (noted) {
          // Only constraints let it here (an opt-in cluster, or an orphan).
          Reason start{ContributionKind::kOptIn, ws.reason ? ws.reason->source : "",
                       ws.symmetric ? "allowed here by this constraint only"
                                    : "opt-in cluster (symmetric-cluster=false): allowed here by this constraint"};
          const Reason* current = ws.reason;
          ws.reason = &start;
          note_score(ws, r, node, node->weight, true);
          ws.reason = current;
        }
      } else {
        it->second = score_add(it->second, score);
      }
      if (noted) note_score(ws, r, node, score, false);
    } else {
      for (auto& [n, s] : r->allowed) {
        s = score_add(s, score);
        if (noted) note_score(ws, r, n, score, false);
      }
    }
  };
  apply(rsc);
  // A colocated group passes the score to its first member only; the others
  // just get the node as allowed (they follow the first through colocation).
  // A group whose members are not colocated passes it to each.
  bool first = true;
  for (Resource* c : rsc->children) {
    add_location(ws, c, node, (rsc->is_group() && rsc->members_colocated && !first) ? 0 : score);
    first = false;
  }
}

namespace {

// A location constraint's contribution in words; the ones crm_resource
// --move/--ban leave behind are named as such, with their lifetime.
Reason location_reason(const std::string& id, xmlNode* rule, Score score, const std::string& node) {
  Reason r{ContributionKind::kLocation, id, ""};
  std::string what = rule ? "rule " + xml::attr_or(rule, "id") + " of location " + id : "location " + id;
  if (id.rfind("cli-ban-", 0) == 0) what += " (left by crm_resource --ban; crm_resource --clear removes it)";
  else if (id.rfind("cli-prefer-", 0) == 0) what += " (left by crm_resource --move; crm_resource --clear removes it)";
  if (rule) {
    for (xmlNode* d : xml::children(rule, "date_expression")) {
      if (auto end = xml::attr(d, "end")) what += ", until " + *end;
    }
  }
  r.text = what + ": " + score_to_string(score) + " on " + node;
  return r;
}

Status unpack_location(WorkingSet& ws, xmlNode* cons) {
  std::string id = xml::attr_or(cons, "id");
  std::vector<Resource*> targets;
  std::string role_s = xml::attr_or(cons, "role");
  if (auto rid = xml::attr(cons, "rsc")) {
    Resource* r = ws.find_rsc(*rid);
    if (!r) return config_invalid("location constraint '" + id + "' names unknown resource '" + *rid + "'");
    targets.push_back(r);
  } else if (auto pattern = xml::attr(cons, "rsc-pattern")) {
    ws.warnings.push_back("location constraint " + id + ": rsc-pattern is not supported; ignored");
    return Status::Ok();
  } else {
    for (xmlNode* set : xml::children(cons, "resource_set")) {
      for (xmlNode* ref : xml::children(set, "resource_ref")) {
        Resource* r = ws.find_rsc(xml::attr_or(ref, "id"));
        if (!r) return config_invalid("location constraint '" + id + "' names unknown resource '" + xml::attr_or(ref, "id") + "'");
        targets.push_back(r);
      }
      if (role_s.empty()) role_s = xml::attr_or(set, "role");
    }
  }
  Role role = Role::kUnknown;
  if (!role_s.empty()) {
    auto rr = parse_role(role_s);
    if (!rr.ok()) return config_invalid("location constraint '" + id + "': " + rr.status().message());
    role = *rr;
  }
  std::string discovery_s = xml::attr_or(cons, "resource-discovery", "always");
  Discovery discovery = Discovery::kAlways;
  if (discovery_s == "never") discovery = Discovery::kNever;
  else if (discovery_s == "exclusive") discovery = Discovery::kExclusive;
  else if (discovery_s != "always")
    return config_invalid("location constraint '" + id + "': resource-discovery '" + discovery_s +
                          "' is not always, never or exclusive");
  // The discovery mode goes with the constraint to every node it scores.
  auto note_discovery = [discovery](Resource* r, Node* n) {
    if (discovery == Discovery::kAlways) return;
    std::vector<Resource*> stack{r};
    while (!stack.empty()) {
      Resource* x = stack.back();
      stack.pop_back();
      Discovery& d = x->discover_mode[n];
      if (d < discovery) d = discovery;
      if (discovery == Discovery::kExclusive) x->exclusive_discover = true;
      for (Resource* c : x->children) stack.push_back(c);
    }
  };
  for (Resource* r : targets) {
    if (role == Role::kPromoted || role == Role::kUnpromoted) {
      // Role-specific preferences feed promotion, not placement.
      Resource* clone = r->is_clone() ? r : r->clone_parent();
      if (clone && clone->promotable) {
        if (role == Role::kPromoted) {
          if (auto node_name = xml::attr(cons, "node")) {
            Node* n = ws.find_node(*node_name);
            auto sc = parse_score(xml::attr_or(cons, "score", "0"));
            if (n && sc.ok()) {
              for (Resource* inst : clone->children) inst->meta["#promo-loc:" + n->uname] =
                  std::to_string(score_add(parse_score(inst->meta["#promo-loc:" + n->uname].empty() ? "0" : inst->meta["#promo-loc:" + n->uname]).value(), *sc));
            }
          }
          for (xmlNode* rule : xml::children(cons, "rule")) {
            if (auto rr = xml::attr(rule, "role"); rr && parse_role(*rr).ok() && *parse_role(*rr) != Role::kPromoted)
              continue;
            for (Node& n : ws.nodes) {
              RuleContext ctx{&n.attrs, ws.now, ""};
              if (!evaluate_rule(rule, ctx)) continue;
              auto sc = rule_score(rule, ctx);
              if (!sc) continue;
              for (Resource* inst : clone->children) {
                std::string& slot = inst->meta["#promo-loc:" + n.uname];
                slot = std::to_string(score_add(parse_score(slot.empty() ? "0" : slot).value(), *sc));
              }
            }
          }
        }
        continue;
      }
    }
    if (auto node_name = xml::attr(cons, "node")) {
      Node* n = ws.find_node(*node_name);
      if (!n) continue;  // unknown nodes are ignored, as by the peer
      auto sc = parse_score(xml::attr_or(cons, "score", "0"));
      if (!sc.ok()) return config_invalid("location constraint '" + id + "': " + sc.status().message());
      ReasonScope why(ws, [&] { return location_reason(id, nullptr, *sc, n->uname); });
      add_location(ws, r, n, *sc);
      note_discovery(r, n);
      continue;
    }
    for (xmlNode* rule : xml::children(cons, "rule")) {
      xmlNode* real = rule;
      if (auto ref = xml::attr(rule, "id-ref")) {
        auto found = xml::xpath(ws.doc, "//rule[@id='" + *ref + "']");
        if (found.ok() && !found->empty()) real = found->front();
      }
      if (auto rr = xml::attr(real, "role")) {
        // A role-specific rule of a promotable clone feeds promotion only.
        auto rrole = parse_role(*rr);
        if (!rrole.ok()) return config_invalid("location constraint '" + id + "': " + rrole.status().message());
        Resource* clone = r->is_clone() ? r : r->clone_parent();
        if (clone && clone->promotable && (*rrole == Role::kPromoted || *rrole == Role::kUnpromoted)) {
          if (*rrole == Role::kPromoted) {
            for (Node& n : ws.nodes) {
              RuleContext ctx{&n.attrs, ws.now, ""};
              if (!evaluate_rule(real, ctx)) continue;
              auto sc = rule_score(real, ctx);
              if (!sc) continue;
              for (Resource* inst : clone->children) {
                std::string& slot = inst->meta["#promo-loc:" + n.uname];
                slot = std::to_string(score_add(parse_score(slot.empty() ? "0" : slot).value(), *sc));
              }
            }
          }
          continue;
        }
      }
      for (Node& n : ws.nodes) {
        RuleContext ctx{&n.attrs, ws.now, ""};
        if (!evaluate_rule(real, ctx)) continue;
        auto sc = rule_score(real, ctx);
        if (!sc) continue;
        ReasonScope why(ws, [&] { return location_reason(id, real, *sc, n.uname); });
        add_location(ws, r, &n, *sc);
        note_discovery(r, &n);
      }
    }
  }
  return Status::Ok();
}

void apply_stickiness(WorkingSet& ws, Resource* r) {
  for (Resource* c : r->children) apply_stickiness(ws, c);
  if (!r->is_primitive()) return;
  if (!r->is_managed() || r->stickiness < 1 || r->running_on.size() != 1) return;
  Node* n = r->running_on.front();
  if (!ws.symmetric && !r->allowed.count(n)) return;
  ReasonScope why(ws, [&] {
    return Reason{ContributionKind::kStickiness, "resource-stickiness",
                  "stickiness: it is active here (resource-stickiness=" + score_to_string(r->stickiness) + ")"};
  });
  add_location(ws, r, n, r->stickiness);
}

}  // namespace

Score effective_failcount(const WorkingSet& ws, const Resource* r, Node* node) {
  auto fc = r->failcount.find(node);
  if (fc == r->failcount.end() || fc->second <= 0) return 0;
  if (r->failure_timeout_s > 0) {
    auto lf = r->last_failure.find(node);
    if (lf != r->last_failure.end() && lf->second > 0 && lf->second + r->failure_timeout_s <= ws.now) return 0;
  }
  return fc->second;
}

Status apply_locations(WorkingSet& ws) {
  // Every resource may run on every node in a symmetric cluster.
  for (Resource& r : ws.resource_store) {
    // Orphans (histories of resources no longer configured) are found after
    // this default is given to the configured ones in the peer: they start with no node.
    if (ws.symmetric && !r.orphan) {
      for (Node& n : ws.nodes) r.allowed[&n] = n.weight;
      if (ws.explain_any && explaining(ws, &r)) {
        ReasonScope why(ws, [] {
          return Reason{ContributionKind::kDefault, "symmetric-cluster",
                        "symmetric cluster: every node is allowed, from its node score"};
        });
        for (Node& n : ws.nodes) note_score(ws, &r, &n, n.weight, true);
      }
    }
  }
  xmlNode* constraints = ws.constraints;
  for (xmlNode* cons : xml::children(constraints, "rsc_location")) {
    RETURN_IF_ERROR(unpack_location(ws, cons));
  }
  RETURN_IF_ERROR(apply_tickets(ws));
  for (Resource* r : ws.resources) apply_stickiness(ws, r);
  // An unmanaged resource stays where it is active (the peer's
  // "not_managed_default" preference).
  for (Resource& r : ws.resource_store) {
    if (!r.is_primitive()) continue;
    if (r.multiply_blocked) continue;  // became unmanaged only after being seen active
    for (Node* n : r.running_on) {
      if (r.is_managed() && !n->maintenance) continue;
      ReasonScope why(ws, [&] {
        return Reason{ContributionKind::kUnmanaged, n->maintenance ? "node maintenance" : "is-managed",
                      n->maintenance ? "the node is in maintenance: the resource stays where it is active"
                                     : "not managed: stays where it is active"};
      });
      add_location(ws, &r, n, kInfinity);
    }
  }
  for (Resource& r : ws.resource_store) {
    if (!r.is_primitive()) continue;
    // Fail-count threshold; a container counts the failures of what it
    // holds too (the peer's pe_fc_fillers).
    std::map<Node*, Score> failed_nodes = r.failcount;
    for (Resource* f : r.fillers)
      for (auto& [node, total] : f->failcount) failed_nodes.emplace(node, 0);
    for (auto& [node, total] : failed_nodes) {
      Score count = effective_failcount(ws, &r, node);
      for (Resource* f : r.fillers) count = score_add(count, effective_failcount(ws, f, node));
      if (count <= 0) continue;
      if (r.migration_threshold > 0 && count >= r.migration_threshold) {
        Resource* target = &r;
        Resource* clone = r.clone_parent();
        if (clone && !clone->unique) target = clone;
        ReasonScope why(ws, [&] {
          return Reason{ContributionKind::kFailCount, "migration-threshold",
                        "fail count " + score_to_string(count) + " of " + r.id + " reached migration-threshold=" +
                            score_to_string(r.migration_threshold)};
        });
        add_location(ws, target, node, kMinusInfinity);
      }
    }
    for (Node* n : r.banned) {
      ReasonScope why(ws, [&] {
        return Reason{ContributionKind::kFailedStop, "",
                      "a failed operation of " + r.id + " here bans the node (on-fail, or a stop that failed)"};
      });
      add_location(ws, &r, n, kMinusInfinity);
    }
    for (Node* n : r.hard_banned) {
      Resource* clone = r.clone_parent();
      ReasonScope why(ws, [&] {
        return Reason{ContributionKind::kHardError, "",
                      "a hard error of " + r.id + " here (the agent is not installed or not configured)"};
      });
      add_location(ws, clone && !clone->unique ? r.top() : &r, n, kMinusInfinity);
    }
    if (r.unrunnable_everywhere) {
      ReasonScope why(ws, [&] {
        return Reason{ContributionKind::kUnrunnable, "", "a fatal error: " + r.id + " may run nowhere"};
      });
      add_location(ws, &r, nullptr, kMinusInfinity);
    }
  }
  // Exclusive discovery: a resource runs only where a constraint marks the
  // node for its discovery (the peer's apply_exclusive_discovery).
  for (Resource& r : ws.resource_store) {
    if (!r.exclusive_discover && !r.top()->exclusive_discover) continue;
    for (auto& [n, score] : r.allowed) {
      if (r.discovery_on(n) == Discovery::kExclusive) continue;
      if (ws.explain_any && explaining(ws, &r)) {
        ReasonScope why(ws, [&] {
          return Reason{ContributionKind::kLocation, "resource-discovery",
                        "resource-discovery=exclusive elsewhere: only nodes marked for its discovery may run it"};
        });
        note_score(ws, &r, n, kMinusInfinity, true);
      }
      score = kMinusInfinity;
    }
  }
  ban_remote_nodes(ws);
  return Status::Ok();
}

}  // namespace crm::pengine
