// Assignment of resources to nodes: resource processing order, primitives
// (colocation, best node, stickiness tie-breaks), groups, clones (instance
// distribution, clone-node-max), promotable clones (promotion scores) and
// utilization.
#include <algorithm>
#include <optional>
#include <cstring>

#include "crm/core/xml.h"
#include "walk_cache.h"
#include "working_set.h"

namespace crm::pengine {
namespace {

bool node_ok(const Node* n) { return n->available(); }

// The peer's node order: score, then (balanced) free capacity, then fewer
// assigned resources, then the preferred node, then name.
struct NodeCmp {
  const WorkingSet& ws;
  const std::map<Node*, Score>& scores;
  const Node* preferred;
  bool operator()(Node* a, Node* b) const {
    Score wa = scores.at(a), wb = scores.at(b);
    if (!node_ok(a)) wa = kMinusInfinity;
    if (!node_ok(b)) wb = kMinusInfinity;
    if (wa != wb) return wa > wb;
    if (ws.placement_strategy != "minimal") {
      if (ws.placement_strategy == "balanced") {
        long ra = 0, rb = 0;
        int more_a = 0, more_b = 0;
        for (auto& [k, v] : a->remaining) {
          auto it = b->remaining.find(k);
          long bv = it == b->remaining.end() ? 0 : it->second;
          if (v > bv) ++more_a;
          else if (v < bv) ++more_b;
          ra += v;
          rb += bv;
        }
        if (more_a != more_b) return more_a > more_b;
      }
      if (a->num_resources != b->num_resources) return a->num_resources < b->num_resources;
      if (preferred) {
        if (a == preferred) return true;
        if (b == preferred) return false;
      }
    }
    return a->uname < b->uname;
  }
};

std::vector<Node*> sorted_nodes(const WorkingSet& ws, const std::map<Node*, Score>& scores, const Node* preferred) {
  std::vector<Node*> v;
  v.reserve(scores.size());
  for (auto& [n, s] : scores) v.push_back(n);
  std::sort(v.begin(), v.end(), NodeCmp{ws, scores, preferred});
  return v;
}

long util_value(const std::string& v) {
  char* end = nullptr;
  long x = strtol(v.c_str(), &end, 10);
  return end == v.c_str() ? 0 : x;
}


Node* assign_primitive(WorkingSet& ws, Resource* r, Node* prefer);
Node* assign(WorkingSet& ws, Resource* r, Node* prefer);

// ---- utilization with colocated resources ------------------------------------

using Utilization = std::map<std::string, long>;

// What a primitive needs, from its utilization attributes.
Utilization read_utilization(WorkingSet& ws, Resource* r) {
  Utilization out;
  if (!r->xml) return out;
  Attrs values = unpack_nvpairs(ws, r->xml, "utilization", nullptr);
  if (r->template_xml)
    for (auto& [k, v] : unpack_nvpairs(ws, r->template_xml, "utilization", nullptr)) values.emplace(k, v);
  for (auto& [k, v] : values) out[k] += util_value(v);
  return out;
}

bool listed(const std::vector<Resource*>& list, const Resource* r) {
  return std::find(list.begin(), list.end(), r) != list.end();
}

// Whether a mandatory colocation will tie the two together wherever they go
// (the peer's "affects location" preview: roles must already agree).
bool ties_location(const Colocation& c, Resource* dep, Resource* pri) {
  Resource* clone = dep->clone_parent();
  if (c.dependent_role >= Role::kUnpromoted && dep->parent && clone && clone->promotable && !dep->provisional) return false;
  return role_applies(c.score, c.dependent_role, fixed_role(dep)) && role_applies(c.score, c.primary_role, fixed_role(pri));
}

// The resources that will be placed together with rsc through mandatory
// colocations, in either direction (rsc first).
void colocated_resources(Resource* rsc, Resource* orig, std::vector<Resource*>& out);

void colocated_through_constraints(Resource* rsc, Resource* orig, std::vector<Resource*>& out) {
  if (listed(out, rsc)) return;
  out.push_back(rsc);
  for (Colocation* c : rsc->this_with) {
    if (c->primary == orig) continue;
    if (c->score == kInfinity && ties_location(*c, rsc, c->primary)) colocated_resources(c->primary, orig, out);
  }
  for (Colocation* c : rsc->with_this) {
    if (c->dependent == orig) continue;
    if (rsc->is_clone() && !c->dependent->is_clone()) continue;  // may or may not go with an instance
    if (c->score == kInfinity && ties_location(*c, c->dependent, rsc)) colocated_resources(c->dependent, orig, out);
  }
}

void colocated_resources(Resource* rsc, Resource* orig, std::vector<Resource*>& out) {
  if (rsc->is_group()) {
    bool together = rsc->members_colocated || (rsc->parent && rsc->parent->is_clone());
    if (together) {
      for (Resource* m : rsc->children) colocated_resources(m, orig, out);
    } else if (!rsc->children.empty()) {
      colocated_resources(rsc->children.front(), orig, out);
    }
  }
  colocated_through_constraints(rsc, orig, out);
}

// What the not yet assigned resources of `all` will need, as the peer sums it.
void add_utilization(WorkingSet& ws, Resource* r, const std::vector<Resource*>& all, Utilization& sum) {
  if (!r->provisional) return;
  if (r->is_primitive()) {
    for (auto& [k, v] : r->utilization) sum[k] += v;
  } else if (r->is_group()) {
    bool together = r->members_colocated || (r->parent && r->parent->is_clone());
    for (Resource* m : r->children) {
      if (m->provisional && !listed(all, m)) add_utilization(ws, m, all, sum);
      if (!together) break;
    }
  } else {
    bool existing = false;
    for (Resource* child : r->children) {
      if (listed(all, child)) {
        existing = true;
        continue;
      }
      for (Resource* m : child->children) {
        if (listed(all, m)) {
          add_utilization(ws, child, all, sum);
          existing = true;
          break;
        }
      }
    }
    if (!existing && !r->children.empty()) add_utilization(ws, r->children.front(), all, sum);
  }
}

bool has_capacity_for(const Node* n, const Utilization& need) {
  for (auto& [k, want] : need) {
    auto it = n->remaining.find(k);
    long have = it == n->remaining.end() ? 0 : it->second;
    if (want > have) return false;
  }
  return true;
}

// Negative when a has more capacity left than b (counted per attribute).
int compare_capacities(const Node* a, const Node* b) {
  int result = 0;
  auto value = [](const Node* n, const std::string& k) {
    auto it = n->remaining.find(k);
    return it == n->remaining.end() ? 0L : it->second;
  };
  for (auto& [k, v] : a->remaining) {
    long bv = value(b, k);
    if (v > bv) --result;
    else if (v < bv) ++result;
  }
  for (auto& [k, v] : b->remaining) {
    if (a->remaining.count(k)) continue;
    if (0 > v) --result;
    else if (0 < v) ++result;
  }
  return result;
}

// Bans rsc from the nodes that cannot hold it together with what must go
// with it; when no node can, from those that cannot hold rsc alone, and then
// returns the node with the most capacity left (to prefer).
Node* ban_insufficient_capacity(WorkingSet& ws, Resource* rsc) {
  if (ws.placement_strategy == "default") return nullptr;
  std::vector<Resource*> together;
  colocated_resources(rsc, rsc, together);
  if (!listed(together, rsc)) together.push_back(rsc);
  Utilization all;
  for (Resource* r : together) add_utilization(ws, r, together, all);
  auto usable = [](Node* n, Score s) { return n->available() && s >= 0; };
  bool any_capable = false;
  Node* most_capable = nullptr;
  for (auto& [n, s] : rsc->allowed) {
    if (!usable(n, s)) continue;
    if (has_capacity_for(n, all)) any_capable = true;
    if (!most_capable || compare_capacities(n, most_capable) < 0) most_capable = n;
  }
  if (any_capable) {
    for (auto& [n, s] : rsc->allowed)
      if (usable(n, s) && !has_capacity_for(n, all)) s = kMinusInfinity;
    return nullptr;
  }
  for (auto& [n, s] : rsc->allowed)
    if (usable(n, s) && !has_capacity_for(n, rsc->utilization)) s = kMinusInfinity;
  return most_capable;
}

void do_assign(WorkingSet& ws, Resource* r, Node* chosen, bool force) {
  if (!force && chosen) {
    auto it = r->allowed.find(chosen);
    Score w = it == r->allowed.end() ? kMinusInfinity : it->second;
    if (w < 0 || !node_ok(chosen)) chosen = nullptr;
  }
  r->provisional = false;
  if (!chosen) {
    r->assigned = nullptr;
    r->next_role = Role::kStopped;
    return;
  }
  r->assigned = chosen;
  auto score = r->allowed.find(chosen);
  r->assigned_score = score == r->allowed.end() ? chosen->weight : score->second;
  chosen->num_resources++;
  for (auto& [k, v] : r->utilization) chosen->remaining[k] -= v;
  if (ws.options.want_utilization) {
    std::string line = "pcmk__assign_resource: " + r->id + " utilization on " + chosen->uname + ":";
    for (auto& [k, v] : r->utilization) line += " " + k + "=" + std::to_string(v);
    ws.utilization_lines.push_back(std::move(line));
  }
}

// "Original: n1 capacity: cpu=4", as the peer shows node capacities (-U).
void show_capacities(WorkingSet& ws, const char* what) {
  if (!ws.options.want_utilization) return;
  for (const Node& n : ws.nodes) {
    std::string line = std::string(what) + ": " + n.uname + " capacity:";
    for (auto& [k, v] : n.remaining) line += " " + k + "=" + std::to_string(v);
    ws.utilization_lines.push_back(std::move(line));
  }
}

void unassign(WorkingSet& ws, Resource* r) {
  if (r->assigned) {
    r->assigned->num_resources--;
    for (auto& [k, v] : r->utilization) r->assigned->remaining[k] += v;
  }
  r->assigned = nullptr;
  r->provisional = true;
  r->next_role = Role::kUnknown;
}

// The colocations that place r with others as the promotion logic reads them:
// r's own plus those of the clones it belongs to.
std::vector<Colocation*> role_colocations_of(Resource* r) {
  auto is_clone_ancestor = [&](const Resource* x) {
    for (Resource* p = r->parent; p; p = p->parent)
      if (p == x && p->is_clone()) return true;
    return false;
  };
  std::vector<Colocation*> out;
  for (Colocation* c : r->this_with)
    if (!is_clone_ancestor(c->dependent)) out.push_back(c);
  for (Resource* p = r->parent; p; p = p->parent) {
    if (p->is_clone()) out.insert(out.end(), p->this_with.begin(), p->this_with.end());
  }
  return out;
}

// A colocation's contribution in words: with what, and where that is.
Reason colocation_reason(const Colocation& c, const Resource* r) {
  const Resource* pri = c.primary;
  std::string where;
  if (pri->is_clone()) {
    where = "where its instances are";
  } else {
    const Resource* placed = pri->is_group() && !pri->children.empty() ? pri->children.front() : pri;
    where = placed->provisional ? "not placed yet"
            : placed->assigned  ? "on " + placed->assigned->uname
                                : "stopped";
  }
  if (r->parent && r->parent->is_group() && c.id == r->parent->id)
    return Reason{ContributionKind::kColocation, c.id, "group " + c.id + ": with the member before it, " + pri->id + " (" + where + ")"};
  return Reason{ContributionKind::kColocation, c.id,
                "colocation " + c.id + " with " + pri->id + " (" + where + "), " + score_to_string(c.score)};
}

Node* assign_primitive(WorkingSet& ws, Resource* r, Node* prefer) {
  if (!r->provisional) return r->assigned;
  if (r->assigning) return nullptr;
  r->assigning = true;
  // Copies: assigning a primary may add colocations to these lists.
  const std::vector<Colocation*> this_with = r->this_with;
  for (Colocation* c : this_with) {
    assign(ws, c->primary, prefer);
    ScoreChange change(ws, r);
    apply_colocation_to_dependent(ws, *c, r);
    change.done([&] { return colocation_reason(*c, r); });
  }
  const std::vector<Colocation*> with_this = r->with_this;
  for (Colocation* c : with_this) {
    if (!has_influence(c)) continue;
    Resource* dep = c->dependent;
    if (dep == r) continue;
    ScoreChange change(ws, r);
    add_colocated_scores(ws, dep, r->allowed, c->node_attribute, c->score / static_cast<double>(kInfinity), false, false,
                         true);
    change.done([&] {
      std::string what = "what is colocated with it (" + dep->id + " by " + c->id + ", " + score_to_string(c->score) +
                         ", and what goes with " + dep->id + ")";
      return Reason{ContributionKind::kDependents, c->id, what + " prefers this node", what + " counts against this node"};
    });
  }
  if (r->target_role && *r->target_role == Role::kStopped) {
    ScoreChange change(ws, r);
    // Every node, allowed or not, as the peer's resource_location (clone
    // instances are limited by their clone first, and keep theirs; orphans
    // have no node to begin with).
    if (r->clone_parent() || r->orphan) {
      for (auto& [n, s] : r->allowed) s = kMinusInfinity;
    } else {
      for (Node& n : ws.nodes) r->allowed[&n] = kMinusInfinity;
    }
    change.done([] { return Reason{ContributionKind::kTargetRole, "target-role", "target-role=Stopped"}; });
  }
  if (ws.explain_any) note_allocation_scores(ws, r);
  // Scores are shown before nodes without enough capacity are ruled out.
  if (ws.options.want_scores) record_scores(ws, "pcmk__primitive_assign", r);
  if (Node* most_free = ban_insufficient_capacity(ws, r); most_free && !prefer) prefer = most_free;

  // Fencing is on but nothing can fence: nothing may be started or stopped
  // safely, so every resource stays as it is.
  if (ws.stonith_enabled && !ws.have_stonith_resource) r->managed = false;
  if (!r->is_managed()) {
    do_assign(ws, r, r->current_node(), true);
    r->next_role = r->assigned ? r->role : Role::kStopped;
  } else if (!r->provisional) {
    // assigned meanwhile (colocation loop)
  } else {
    std::vector<Node*> nodes = sorted_nodes(ws, r->allowed, r->current_node());
    Node* chosen = nullptr;
    Node* best = nodes.empty() ? nullptr : nodes.front();
    if (prefer && best) {
      auto it = r->allowed.find(prefer);
      if (it != r->allowed.end() && it->second >= r->allowed[best] && node_ok(prefer) && it->second >= 0) chosen = prefer;
    }
    if (!chosen && best) {
      chosen = best;
      Resource* clone = r->clone_parent();
      bool unique_clone = clone && clone->unique;
      if (!unique_clone && r->allowed[chosen] > 0 && node_ok(chosen)) {
        Node* running = r->current_node();
        if (running && node_ok(running) && r->allowed.count(running) && r->allowed[running] >= 0) {
          for (size_t i = 1; i < nodes.size(); ++i) {
            if (r->allowed[nodes[i]] != r->allowed[chosen] || !node_ok(nodes[i])) break;
            if (nodes[i] == running) chosen = running;
          }
        }
      }
    }
    do_assign(ws, r, chosen, false);
  }
  if (r->assigned && r->next_role == Role::kUnknown) r->next_role = Role::kStarted;
  if (!r->assigned) r->next_role = Role::kStopped;
  r->assigning = false;
  if (r->is_remote_node) remote_connection_assigned(r);
  return r->assigned;
}

Node* assign_group(WorkingSet& ws, Resource* g, Node* prefer) {
  if (!g->provisional) return g->children.empty() ? nullptr : g->children.front()->assigned;
  if (g->assigning) return nullptr;
  g->assigning = true;
  expand_group_colocations(g);
  if (ws.options.want_scores) record_scores(ws, "pcmk__group_assign", g);
  Node* first = nullptr;
  for (Resource* c : g->children) {
    Node* n = assign(ws, c, prefer);
    if (!first && c == g->children.front()) first = n;
  }
  g->provisional = false;
  g->assigning = false;
  g->assigned = first;
  return first;
}

// ---- clones ----------------------------------------------------------------

Node* instance_node(Resource* inst) {
  if (inst->is_primitive()) return inst->assigned;
  return inst->children.empty() ? nullptr : inst->children.front()->assigned;
}

std::vector<Node*> instance_current(Resource* inst) {
  if (inst->is_primitive()) return inst->running_on;
  std::vector<Node*> out;
  for (Resource* c : inst->children)
    for (Node* n : c->running_on)
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  return out;
}

bool instance_failed(Resource* inst) {
  for (Resource* p : primitives_of(inst)) if (p->failed) return true;
  return false;
}

Role instance_role(Resource* inst) {
  Role r = Role::kStopped;
  for (Resource* p : primitives_of(inst)) if (!p->running_on.empty() && p->role > r) r = p->role;
  return r;
}

void set_score_all(WorkingSet& ws, Resource* inst, Node* n, Score s) {
  inst->allowed[n] = s;
  if (ws.explain_any && explaining(ws, inst)) note_score(ws, inst, n, s, true);
  for (Resource* c : inst->children) set_score_all(ws, c, n, s);
}

bool can_run_instance_on(WorkingSet& ws, Resource* clone, Resource* inst, Node* n, int limit,
                         std::map<Node*, int>& count) {
  auto out = [&](Score s, auto words) {
    ReasonScope why(ws, [&] { return Reason{ContributionKind::kClone, clone->id, words()}; });
    set_score_all(ws, inst, n, s);
    return false;
  };
  if (!node_ok(n)) return out(kMinusInfinity, [&] { return n->uname + " can run no instance of " + clone->id + " now"; });
  if (inst->orphan) return out(kMinusInfinity, [&] { return inst->id + " is an orphaned instance"; });
  auto it = clone->allowed.find(n);
  if (it == clone->allowed.end())
    return out(kMinusInfinity, [&] { return clone->id + " is not allowed here"; });
  if (it->second < 0)
    return out(it->second, [&] { return clone->id + " as a whole has score " + score_to_string(it->second) + " here"; });
  if (count[n] < limit) return true;
  return out(kMinusInfinity, [&] {
    return "clone-node-max=" + std::to_string(limit) + ": " + clone->id + " already has that many instances here";
  });
}

// The clone's colocations become the instance's own, as in the peer: all of
// them when not every node gets an instance, else only the mandatory and the
// negative "this with" ones and the negative "with this" ones. (The peer adds
// them again on each attempt to place the instance; so do we.)
void append_parent_colocations(Resource* clone, Resource* inst, bool all) {
  for (Colocation* c : clone->this_with)
    if (all || c->score < 0 || c->score == kInfinity) add_this_with(inst, c);
  bool inactive = instance_current(inst).empty();
  for (Colocation* c : clone->with_this) {
    if (!(c->influence || inactive)) continue;
    if (all || c->score < 0) add_with_this(inst, c);
  }
}

bool allocate_instance(WorkingSet& ws, Resource* clone, Resource* inst, Node* prefer, bool all_coloc, int limit,
                       std::map<Node*, int>& count) {
  if (!inst->provisional && !(inst->is_group() && inst->children.size() && !inst->children.front()->provisional))
    return instance_node(inst) != nullptr;
  if (!inst->provisional) return instance_node(inst) != nullptr;
  append_parent_colocations(clone, inst, all_coloc);
  if (prefer) {
    auto it = inst->allowed.find(prefer);
    if (it == inst->allowed.end() || it->second < 0) return false;
  }
  std::vector<Node*> keys;
  for (auto& [n, s] : inst->allowed) keys.push_back(n);
  for (Node* n : keys) can_run_instance_on(ws, clone, inst, n, limit, count);
  // Backup for rollback when the preferred node is not chosen.
  std::map<Resource*, std::map<Node*, Score>> backup;
  for (Resource* p : primitives_of(inst)) backup[p] = p->allowed;
  backup[inst] = inst->allowed;
  std::map<Resource*, size_t> notes_before;  // the explanations roll back too
  if (ws.explain_any)
    for (auto& [r, a] : backup) notes_before[r] = ws.score_notes[r].size();
  Node* chosen = assign(ws, inst, prefer);
  if (chosen && prefer && chosen != prefer) {
    for (auto& [r, a] : backup) r->allowed = a;
    for (auto& [r, n] : notes_before) ws.score_notes[r].resize(n);
    for (Resource* p : primitives_of(inst)) unassign(ws, p);
    inst->provisional = true;
    inst->assigned = nullptr;
    chosen = nullptr;
  }
  if (chosen) count[chosen]++;
  return chosen != nullptr;
}

// The peer sorts lists with GLib's merge sort; some of its comparisons call
// instances equal early (e.g. two inactive ones) without being a strict weak
// order, so the same merge sort is needed for the same order.
template <typename T, typename Cmp>
void glib_sort(std::vector<T>& v, Cmp cmp) {
  if (v.size() < 2) return;
  std::vector<T> left(v.begin(), v.begin() + static_cast<long>(v.size() / 2));
  std::vector<T> right(v.begin() + static_cast<long>(v.size() / 2), v.end());
  glib_sort(left, cmp);
  glib_sort(right, cmp);
  size_t i = 0, j = 0, k = 0;
  while (i < left.size() && j < right.size()) v[k++] = cmp(left[i], right[j]) <= 0 ? left[i++] : right[j++];
  while (i < left.size()) v[k++] = left[i++];
  while (j < right.size()) v[k++] = right[j++];
}

// An active instance's score on its current node from the clone's
// colocations (its primaries' and its dependents' scores there).
Score colocation_score_on_current(WorkingSet& ws, Resource* clone, Node* current) {
  std::map<Node*, Score> table{{current, current->weight}};
  for (Colocation* c : clone->this_with)
    add_colocated_scores(ws, c->primary, table, c->node_attribute, c->score / static_cast<double>(kInfinity), false,
                         false, false);
  for (Colocation* c : clone->with_this) {
    if (!c->influence) continue;  // (the instance is active, so only the option counts)
    add_colocated_scores(ws, c->dependent, table, c->node_attribute, c->score / static_cast<double>(kInfinity), true,
                         false, false);
  }
  return table[current];
}

// The peer's order of clone instances for assignment: active on fewer nodes,
// not active where no longer allowed, priority, active, current node usable,
// clone allowed there, fewer instances already there, not failed, higher
// colocation score there, lower instance number.
struct InstanceOrder {
  WorkingSet& ws;
  Resource* clone;
  std::map<Node*, Score> coloc_scores;  // per current node, computed on first use

  Score coloc_score(Node* current) {
    auto it = coloc_scores.find(current);
    if (it == coloc_scores.end()) it = coloc_scores.emplace(current, colocation_score_on_current(ws, clone, current)).first;
    return it->second;
  }

  int operator()(Resource* a, Resource* b) {
    auto ca = instance_current(a), cb = instance_current(b);
    if (!ca.empty() && !cb.empty() && ca.size() != cb.size()) return ca.size() < cb.size() ? -1 : 1;
    Node* n1 = ca.empty() ? nullptr : ca.front();
    Node* n2 = cb.empty() ? nullptr : cb.front();
    auto allowed_on = [](Resource* r, Node* n) {
      auto it = r->allowed.find(n);
      return it != r->allowed.end() && it->second >= 0;
    };
    bool can1 = true, can2 = true;
    if (n1 && !allowed_on(a, n1)) { can1 = false; n1 = nullptr; }
    if (n2 && !allowed_on(b, n2)) { can2 = false; n2 = nullptr; }
    if (can1 != can2) return can1 ? -1 : 1;
    if (a->priority != b->priority) return a->priority > b->priority ? -1 : 1;
    if (!n1 && !n2) return 0;
    if (!n1) return 1;
    if (!n2) return -1;
    bool av1 = node_ok(n1), av2 = node_ok(n2);
    if (av1 != av2) return av1 ? -1 : 1;
    bool p1 = clone->allowed.count(n1) > 0, p2 = clone->allowed.count(n2) > 0;
    if (!p1 && !p2) return 0;
    if (!p1) return 1;
    if (!p2) return -1;
    auto on = [&](Node* n) { auto it = clone->instances_on.find(n); return it == clone->instances_on.end() ? 0 : it->second; };
    if (on(n1) != on(n2)) return on(n1) < on(n2) ? -1 : 1;
    bool fa = instance_failed(a), fb = instance_failed(b);
    if (fa != fb) return fa ? 1 : -1;
    Score s1 = coloc_score(n1), s2 = coloc_score(n2);
    if (s1 != s2) return s1 > s2 ? -1 : 1;
    if (a->clone_index != b->clone_index) return a->clone_index < b->clone_index ? -1 : 1;
    return 0;
  }
};

void set_instance_roles(WorkingSet& ws, Resource* clone, const std::vector<Resource*>& order, InstanceOrder& instance_order);

// True when assigning the clone's instances cannot assign (or change the
// scores of) anything outside them: no colocation of the clone with another
// resource, and none of an instance's members with a resource outside it.
bool instances_self_contained(Resource* clone) {
  if (!clone->this_with.empty()) return false;
  for (Resource* inst : clone->children) {
    if (!inst->this_with.empty()) return false;
    for (Resource* p : primitives_of(inst)) {
      for (Colocation* c : p->this_with) {
        Resource* x = c->primary;
        while (x && x != inst) x = x->parent;
        if (!x) return false;
      }
    }
  }
  return true;
}

Score promotion_attr(WorkingSet& ws, Resource* inst, Node* n, bool& is_default);

// Whether an instance's promotion score counts on a node (the peer's rules:
// the active instance there; else, if none is active, one probed there; else
// any instance never seen anywhere; else where it is known) and is allowed.
bool promotion_score_applies(Resource* p, Node* n) {
  Resource* clone = p->clone_parent();
  bool applies = false;
  if (clone && !clone->unique) {
    Resource* active = nullptr;
    bool known = false;
    for (Resource* q : primitives_of(clone)) {
      if (q->base_id != p->base_id) continue;
      if (std::find(q->running_on.begin(), q->running_on.end(), n) != q->running_on.end()) active = q;
      if (q->known_on(n)) known = true;
    }
    if (active == p || (!active && known)) applies = true;
  }
  if (!applies && p->running_on.empty() && !p->known_anywhere()) applies = true;
  if (!applies && (p->known_on(n) ||
                   std::find(p->running_on.begin(), p->running_on.end(), n) != p->running_on.end()))
    applies = true;
  if (!applies) return false;
  auto it = p->allowed.find(n);
  return it != p->allowed.end() && it->second >= 0;
}

// Positive promotion scores attract instances (before they are placed).
void add_promotion_scores(WorkingSet& ws, Resource* clone) {
  for (Resource* inst : clone->children) {
    if (!inst->is_primitive()) continue;
    for (auto& [n, s] : inst->allowed) {
      if (!node_ok(n)) continue;
      if (!promotion_score_applies(inst, n)) continue;
      bool is_default = true;
      Score score = promotion_attr(ws, inst, n, is_default);
      if (score > 0) s = score_add(s, score);
      if (score > inst->priority) inst->priority = static_cast<int>(score);
    }
  }
}

Node* assign_clone(WorkingSet& ws, Resource* clone, Node* prefer) {
  if (!clone->provisional) return nullptr;
  if (clone->assigning) return nullptr;
  clone->assigning = true;
  if (clone->promotable) add_promotion_scores(ws, clone);
  for (Colocation* c : clone->this_with) assign(ws, c->primary, prefer);
  // The instances' colocation walks repeat the clone's: share their score
  // snapshots while assigning instances changes nothing but the instances
  // (no colocation of the clone or of an instance with anything outside it).
  std::optional<WalkCacheScope> walk_cache;
  if (instances_self_contained(clone)) walk_cache.emplace();
  for (Colocation* c : clone->with_this) {
    if (!(c->influence || clone->running_on.empty())) continue;
    if (c->dependent == clone) continue;
    add_colocated_scores(ws, c->dependent, clone->allowed, c->node_attribute, c->score / static_cast<double>(kInfinity),
                         true, false, true);
  }
  if (ws.options.want_scores) record_scores(ws, "pcmk__clone_allocate", clone);

  std::vector<Resource*> order = clone->children;
  clone->instances_on.clear();
  InstanceOrder instance_order{ws, clone, {}};
  glib_sort(order, instance_order);
  std::map<Node*, int>& count = clone->instances_on;
  int available = 0;
  for (auto& [n, s] : clone->allowed) if (node_ok(n)) ++available;
  int max = clone->clone_max;
  bool all_coloc = max < available;
  int loop_max = available ? max / available : 0;
  if (loop_max < 1) loop_max = 1;
  int allocated = 0;
  for (Resource* inst : order) {
    if (allocated >= max) break;
    auto cur = instance_current(inst);
    if (cur.empty() || !inst->provisional || instance_failed(inst)) continue;
    Node* cn = cur.front();
    if (!node_ok(cn)) continue;
    auto it = clone->allowed.find(cn);
    if (it != clone->allowed.end() && count[cn] >= loop_max) continue;
    if (allocate_instance(ws, clone, inst, cn, all_coloc, clone->clone_node_max, count)) ++allocated;
    if (walk_cache) walk_cache->forget(inst);
  }
  for (Resource* inst : order) {
    if (!inst->provisional) continue;
    if (allocated >= max) {
      ReasonScope why(ws, [&] {
        return Reason{ContributionKind::kClone, clone->id,
                      "clone-max=" + std::to_string(max) + ": " + clone->id + " has enough instances placed"};
      });
      for (auto& [n, s] : inst->allowed) set_score_all(ws, inst, n, kMinusInfinity);
      for (Resource* p : primitives_of(inst)) {
        if (p->provisional) {
          if (ws.explain_any) note_allocation_scores(ws, p);
          if (ws.options.want_scores) record_scores(ws, "pcmk__primitive_assign", p);
          p->provisional = false;
          p->assigned = nullptr;
          p->next_role = Role::kStopped;
        }
      }
      inst->provisional = false;
      continue;
    }
    if (allocate_instance(ws, clone, inst, nullptr, all_coloc, clone->clone_node_max, count)) ++allocated;
    if (walk_cache) walk_cache->forget(inst);
  }
  walk_cache.reset();
  if (clone->promotable) set_instance_roles(ws, clone, order, instance_order);
  clone->provisional = false;
  clone->assigning = false;
  return nullptr;
}

// ---- promotion ---------------------------------------------------------------

Score promotion_attr(WorkingSet& ws, Resource* inst, Node* n, bool& is_default) {
  is_default = true;
  Score total = 0;
  for (Resource* p : primitives_of(inst)) {
    std::string v;
    bool found = false;
    for (const std::string& name : {"master-" + p->id, "master-" + p->base_id}) {
      auto it = n->attrs.find(name);
      if (it != n->attrs.end()) { v = it->second; found = true; break; }
    }
    if (found) {
      is_default = false;
      auto s = parse_score(v);
      if (s.ok()) total = score_add(total, *s);
    }
  }
  return total;
}

// `order` is the instances' assignment order: the peer sorts the same list again.
void set_instance_roles(WorkingSet& ws, Resource* clone, const std::vector<Resource*>& order,
                        InstanceOrder& instance_order) {
  struct Info { Resource* inst; Node* node; Score prio; Score sort; };
  std::vector<Info> infos;
  for (Resource* inst : order) {
    Info info{inst, instance_node(inst), 0, 0};
    if (info.node) {
      bool is_default = true;
      Score prio = promotion_attr(ws, inst, info.node, is_default);
      if (is_default) prio = -1;
      Resource* target = inst->is_primitive() ? inst : inst->children.front();
      // Location constraints for the promoted role.
      auto it = inst->meta.find("#promo-loc:" + info.node->uname);
      if (it != inst->meta.end()) prio = score_add(prio, parse_score(it->second).value());
      // Role colocations of this instance with other resources.
      std::vector<Colocation*> cons = role_colocations_of(target);
      for (Colocation* c : cons) {
        if (c->dependent_role < Role::kUnpromoted) continue;
        Resource* pri = c->primary;
        std::vector<Node*> pnodes;
        if (pri->is_clone()) {
          for (Resource* pi : pri->children) {
            Node* pn = instance_node(pi);
            if (!pn) continue;
            Role nr = pi->is_primitive() ? pi->next_role : pi->children.front()->next_role;
            if (c->primary_role != Role::kUnknown && nr != c->primary_role) continue;
            pnodes.push_back(pn);
          }
        } else {
          Resource* pp = pri->is_group() ? pri->children.back() : pri;
          if (pp->assigned && (c->primary_role == Role::kUnknown || pp->next_role == c->primary_role))
            pnodes.push_back(pp->assigned);
          else if (pp->assigned == nullptr && c->score >= kInfinity && c->dependent_role == Role::kPromoted) {
            prio = kMinusInfinity;
            continue;
          }
        }
        bool same = false;
        for (Node* pn : pnodes) if (node_attr(pn, c->node_attribute) == node_attr(info.node, c->node_attribute)) same = true;
        if (!same) {
          if (c->score >= kInfinity && c->dependent_role == Role::kPromoted) prio = kMinusInfinity;
          continue;
        }
        int mult = c->dependent_role == Role::kUnpromoted ? -1 : 1;
        prio = score_add(mult * c->score, prio);
      }
      info.prio = prio;
    } else {
      info.prio = 0;
    }
    info.sort = info.prio;
    infos.push_back(info);
  }
  // Sum priorities per node into the clone's scores, plus colocations with the
  // promoted role of this clone, then each instance takes its node's score.
  std::map<Node*, Score> node_scores = clone->allowed;
  for (Info& i : infos) {
    if (!i.node || i.sort < 0) continue;
    node_scores[i.node] = score_add(node_scores[i.node], i.sort);
  }
  for (Colocation* c : clone->with_this) {
    if (c->primary_role != Role::kPromoted) continue;
    Resource* dep = c->dependent;
    add_colocated_scores(ws, dep, node_scores, c->node_attribute, c->score / static_cast<double>(kInfinity), true, false,
                         true);
  }
  // Without a ticket its promoted role depends on, nothing is promoted.
  if (promotion_needs_missing_ticket(ws, clone))
    for (auto& [n, s] : node_scores) s = kMinusInfinity;
  for (Info& i : infos) {
    if (!i.inst->is_managed() && instance_role(i.inst) == Role::kPromoted) i.sort = kInfinity;
    else if (i.node && i.sort >= 0) i.sort = node_scores[i.node];
  }
  glib_sort(infos, [&](const Info& a, const Info& b) {
    if (a.sort != b.sort) return a.sort > b.sort ? -1 : 1;
    Role ra = instance_role(a.inst), rb = instance_role(b.inst);
    if (ra != rb) return ra > rb ? -1 : 1;
    return instance_order(a.inst, b.inst);
  });
  int promoted = 0;
  std::map<Node*, int> per_node;
  for (Info& i : infos) {
    if (ws.options.want_scores) {
      ws.score_records.push_back({"", i.inst->id, i.node ? i.node->uname : "none", i.sort, true});
    }
    bool promote = false;
    if (i.node && i.sort >= 0 && promoted < clone->promoted_max && node_ok(i.node) &&
        per_node[i.node] < clone->promoted_node_max) {
      promote = true;
    }
    if (promote && !ws.have_quorum && ws.no_quorum_policy == "freeze" && instance_role(i.inst) < Role::kPromoted) promote = false;
    for (Resource* p : primitives_of(i.inst)) {
      if (!p->assigned) continue;
      if (!p->is_managed()) continue;
      p->next_role = promote ? Role::kPromoted : Role::kUnpromoted;
      if (p->target_role && *p->target_role == Role::kUnpromoted) p->next_role = Role::kUnpromoted;
    }
    if (promote) {
      per_node[i.node]++;
      ++promoted;
    }
  }
}

Node* assign(WorkingSet& ws, Resource* r, Node* prefer) {
  switch (r->kind) {
    case Kind::kPrimitive: return assign_primitive(ws, r, prefer);
    case Kind::kGroup: return assign_group(ws, r, prefer);
    case Kind::kClone: return assign_clone(ws, r, prefer);
  }
  return nullptr;
}

Score score_on(const std::map<Node*, Score>& m, Node* n) {
  if (!n) return kMinusInfinity;
  auto it = m.find(n);
  return it == m.end() ? kMinusInfinity : it->second;
}

}  // namespace

Resource* find_compatible_instance(Resource* dep_inst, Resource* primary_clone, Role role) {
  auto match_on = [&](Node* n) -> Resource* {
    for (Resource* pi : primary_clone->children) {
      Node* pn = instance_node(pi);
      if (pn != n) continue;
      if (role != Role::kUnknown) {
        Role nr = pi->is_primitive() ? pi->next_role : pi->children.front()->next_role;
        if (nr != role) continue;
      }
      return pi;
    }
    return nullptr;
  };
  if (Node* n = dep_inst->assigned) return match_on(n);
  std::vector<Node*> nodes;
  for (auto& [n, s] : dep_inst->allowed) nodes.push_back(n);
  std::sort(nodes.begin(), nodes.end(), [&](Node* a, Node* b) {
    Score sa = dep_inst->allowed[a], sb = dep_inst->allowed[b];
    if (!node_ok(a)) sa = kMinusInfinity;
    if (!node_ok(b)) sb = kMinusInfinity;
    if (sa != sb) return sa > sb;
    if (a->num_resources != b->num_resources) return a->num_resources < b->num_resources;
    return a->uname < b->uname;
  });
  for (Node* n : nodes)
    if (Resource* r = match_on(n)) return r;
  return nullptr;
}

void record_scores(WorkingSet& ws, const char* stage, Resource* rsc) {
  auto emit = [&](Resource* r) {
    for (auto& [n, s] : r->allowed) ws.score_records.push_back({stage, r->id, n->uname, s, false});
  };
  emit(rsc);
  if (!rsc->is_primitive()) {
    std::vector<Resource*> stack(rsc->children.rbegin(), rsc->children.rend());
    while (!stack.empty()) {
      Resource* r = stack.back();
      stack.pop_back();
      emit(r);
      for (auto it = r->children.rbegin(); it != r->children.rend(); ++it) stack.push_back(*it);
    }
  }
}

namespace {

// The peer's resource order for placement strategies other than "default":
// priority, then the score on the current node, then the scores on each node
// (in the peer's node order), each merged from the colocation chain. The
// resource list itself is re-ordered, as the peer's: actions and the summary
// follow it too.
void sort_by_scores(WorkingSet& ws) {
  std::map<Node*, Score> base_scores;
  for (Node& n : ws.nodes) base_scores[&n] = n.weight;
  std::vector<Node*> node_order = sorted_nodes(ws, base_scores, nullptr);
  struct Key { Resource* r; std::map<Node*, Score> merged; Score current; };
  std::vector<Key> keys;
  keys.reserve(ws.resources.size());
  std::optional<WalkCacheScope> walk_cache(std::in_place);  // nothing changes scores in this loop
  for (Resource* r : ws.resources) {
    Key k{r, {}, kMinusInfinity};
    // The walk starts from the resource's own scores (a group's last member's).
    Resource* base = r->is_group() && !r->children.empty() ? r->children.back() : r;
    k.merged = base->allowed;
    add_colocated_scores(ws, r, k.merged, "#uname", 1.0, false, true, false, true);
    Node* cur = nullptr;
    for (Resource* p : primitives_of(r))
      if (!p->running_on.empty()) { cur = p->running_on.front(); break; }
    if (r->is_primitive()) cur = r->current_node();
    k.current = score_on(k.merged, cur);
    keys.push_back(std::move(k));
  }
  walk_cache.reset();
  std::stable_sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    if (a.r->priority != b.r->priority) return a.r->priority > b.r->priority;
    if (a.current != b.current) return a.current > b.current;
    for (Node* n : node_order) {
      Score sa = score_on(a.merged, n), sb = score_on(b.merged, n);
      if (sa != sb) return sa > sb;
    }
    return false;
  });
  for (size_t i = 0; i < keys.size(); ++i) ws.resources[i] = keys[i].r;
}

}  // namespace

Status assign_resources(WorkingSet& ws) {
  for (Node& n : ws.nodes) {
    for (auto& [k, v] : n.utilization) n.remaining[k] = util_value(v);
  }
  // With the default placement strategy the peer assigns in its list order
  // (by priority since unpack_resources); utilization counts only otherwise.
  // (Shown with -U whatever the strategy; only "balanced" compares what is left.)
  if (ws.placement_strategy != "default" || ws.options.want_utilization) {
    for (Resource& r : ws.resource_store)
      if (r.is_primitive()) r.utilization = read_utilization(ws, &r);
  }
  if (ws.placement_strategy != "default") sort_by_scores(ws);
  show_capacities(ws, "Original");
  const std::vector<Resource*> order = ws.resources;
  // Remote connections first (and what they are colocated with), so that
  // their nodes' states are known; a half-migrated one prefers its target.
  for (Resource* r : order)
    if (r->is_remote_node) assign(ws, r, r->partial_target);
  for (Resource* r : order)
    if (!r->is_remote_node) assign(ws, r, nullptr);
  show_capacities(ws, "Remaining");
  return Status::Ok();
}

}  // namespace crm::pengine
