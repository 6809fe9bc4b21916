// Colocation: unpacking (pairs and resource sets) and the score arithmetic
// that moves a dependent towards (or away from) its primary and lets
// dependents' preferences influence where the primary goes.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "crm/core/xml.h"
#include "walk_cache.h"
#include "working_set.h"

namespace crm::pengine {
namespace {

bool node_can_run(const Node* n) { return n->available(); }

Resource* resolve(WorkingSet& ws, const std::string& id, const std::string& cons, Status& err) {
  Resource* r = ws.find_rsc(id);
  if (!r && err.ok()) err = config_invalid("colocation constraint '" + cons + "' names unknown resource '" + id + "'");
  return r;
}

void new_colocation(WorkingSet& ws, const std::string& id, Resource* dep, Resource* pri, Score score,
                    Role dep_role, Role pri_role, const std::string& attr, bool influence) {
  if (!dep || !pri || score == 0) return;
  if (dep == pri) return;
  Colocation& c = ws.colocations.emplace_back();
  c.id = id;
  c.dependent = dep;
  c.primary = pri;
  c.score = score;
  c.dependent_role = dep_role;
  c.primary_role = pri_role;
  c.node_attribute = attr.empty() ? "#uname" : attr;
  c.influence = influence;
  // A group keeps its own colocations until it is assigned; then
  // expand_group_colocations() hands them to its first and last members.
  dep->this_with.push_back(&c);
  pri->with_this.push_back(&c);
  if (score <= kMinusInfinity) {
    ws.anti_colocations.push_back({id, dep, dep_role, pri, pri_role});
    ws.anti_colocations.push_back({id, pri, pri_role, dep, dep_role});
  }
}

Role role_of(const std::string& s) {
  auto r = parse_role(s);
  if (!r.ok()) return Role::kUnknown;
  if (*r == Role::kStarted) return Role::kUnknown;
  return *r;
}

}  // namespace

bool has_influence(const Colocation* c) {
  if (c->influence) return true;
  for (const Resource* p : primitives_of(c->primary))
    if (!p->running_on.empty()) return false;
  return true;
}

Role fixed_role(const Resource* r) {
  return r->target_role && *r->target_role != Role::kStarted ? *r->target_role : Role::kUnknown;
}

bool role_applies(Score score, Role wanted, Role role) {
  if (wanted == Role::kUnknown) return true;
  // The peer's rule: a positive colocation needs the role, a negative one
  // is skipped when the role matches.
  return score > 0 ? role == wanted : role != wanted;
}

// The peer's processing order of a resource's colocations, by the other
// resource: higher priority first, clones before groups before primitives,
// promotable clones before other clones, then by id.
bool colocation_before(const Resource* a, const Resource* b) {
  auto rank = [](const Resource* r) { return r->is_clone() ? 2 : r->is_group() ? 1 : 0; };
  if (a->priority != b->priority) return a->priority > b->priority;
  if (rank(a) != rank(b)) return rank(a) > rank(b);
  if (a->is_clone() && a->promotable != b->promotable) return a->promotable;
  return a->id < b->id;
}

void add_this_with(Resource* rsc, Colocation* c) {
  auto& list = rsc->this_with;
  auto at = std::find_if(list.begin(), list.end(),
                         [&](Colocation* x) { return !colocation_before(x->primary, c->primary); });
  list.insert(at, c);
}

void add_with_this(Resource* rsc, Colocation* c) {
  auto& list = rsc->with_this;
  auto at = std::find_if(list.begin(), list.end(),
                         [&](Colocation* x) { return !colocation_before(x->dependent, c->dependent); });
  list.insert(at, c);
}

void expand_group_colocations(Resource* group) {
  if (group->children.empty()) return;
  if (!group->members_colocated) {
    // Each member on its own; a mandatory colocation cannot hold for
    // members that need not be together, so it is ignored (as the peer).
    for (Colocation* c : group->this_with)
      if (c->score < kInfinity)
        for (Resource* member : group->children) add_this_with(member, c);
  } else {
    Resource* first = group->children.front();
    for (Colocation* c : group->this_with) add_this_with(first, c);
    // Members after an unmanaged one are not held back by the internal
    // colocation chain, so they get the group's mandatory colocations too.
    bool any_unmanaged = !first->is_managed();
    for (size_t i = 1; i < group->children.size(); ++i) {
      Resource* member = group->children[i];
      if (any_unmanaged) {
        for (Colocation* c : group->this_with)
          if (c->score == kInfinity) add_this_with(member, c);
      } else if (!member->is_managed()) {
        any_unmanaged = true;
      }
    }
  }
  group->this_with.clear();
  for (Colocation* c : group->with_this) add_with_this(group->children.back(), c);
  group->with_this.clear();
}

Status unpack_colocations(WorkingSet& ws) {
  // Group members follow each other (later members with earlier ones).
  for (Resource& r : ws.resource_store) {
    if (!r.is_group() || !r.members_colocated) continue;
    for (size_t i = 1; i < r.children.size(); ++i) {
      new_colocation(ws, r.id, r.children[i], r.children[i - 1], kInfinity, Role::kUnknown, Role::kUnknown, "", true);
    }
  }
  // A resource in a container (a guest node's connection, or a filler) runs
  // where its container does, unless the container makes a remote node:
  // then it runs on that node (ban_remote_nodes).
  for (Resource& r : ws.resource_store) {
    if (!follows_container(r)) continue;
    new_colocation(ws, "resource-with-container", &r, r.container, kInfinity, Role::kUnknown, Role::kUnknown, "", true);
  }
  xmlNode* constraints = ws.constraints;
  Status err;
  for (xmlNode* cons : xml::children(constraints, "rsc_colocation")) {
    std::string id = xml::attr_or(cons, "id");
    auto score_r = parse_score(xml::attr_or(cons, "score", "0"));
    if (!score_r.ok()) return config_invalid("colocation constraint '" + id + "': " + score_r.status().message());
    Score score = *score_r;
    std::string attr = xml::attr_or(cons, "node-attribute");
    std::string infl = xml::attr_or(cons, "influence");
    auto influence_of = [&](Resource* dep) { return infl.empty() ? dep->critical : is_true(infl); };
    auto sets = xml::children(cons, "resource_set");
    if (sets.empty()) {
      Resource* dep = resolve(ws, xml::attr_or(cons, "rsc"), id, err);
      Resource* pri = resolve(ws, xml::attr_or(cons, "with-rsc"), id, err);
      if (!err.ok()) return err;
      new_colocation(ws, id, dep, pri, score, role_of(xml::attr_or(cons, "rsc-role")),
                     role_of(xml::attr_or(cons, "with-rsc-role")), attr, influence_of(dep));
      continue;
    }
    xmlNode* last = nullptr;
    for (xmlNode* set : sets) {
      Score s = score;
      if (auto ss = xml::attr(set, "score")) {
        auto v = parse_score(*ss);
        if (v.ok()) s = *v;
      }
      Role role = role_of(xml::attr_or(set, "role"));
      std::vector<Resource*> members;
      for (xmlNode* ref : xml::children(set, "resource_ref")) {
        Resource* r = resolve(ws, xml::attr_or(ref, "id"), id, err);
        if (!err.ok()) return err;
        members.push_back(r);
      }
      bool sequential = is_true(xml::attr_or(set, "sequential", "true"));
      if (sequential) {
        for (size_t i = 1; i < members.size(); ++i)
          new_colocation(ws, id, members[i], members[i - 1], s, role, role, attr, influence_of(members[i]));
      } else if (s < 0) {
        for (size_t i = 0; i < members.size(); ++i)
          for (size_t j = i + 1; j < members.size(); ++j)
            new_colocation(ws, id, members[i], members[j], s, role, role, attr, influence_of(members[i]));
      }
      if (last) {
        std::vector<Resource*> first_members, second_members;
        for (xmlNode* ref : xml::children(last, "resource_ref")) first_members.push_back(ws.find_rsc(xml::attr_or(ref, "id")));
        second_members = members;
        bool seq1 = is_true(xml::attr_or(last, "sequential", "true"));
        Role role1 = role_of(xml::attr_or(last, "role"));
        if (!first_members.empty() && !second_members.empty()) {
          std::vector<Resource*> deps = seq1 ? std::vector<Resource*>{first_members.front()} : first_members;
          std::vector<Resource*> pris = sequential ? std::vector<Resource*>{second_members.back()} : second_members;
          for (Resource* d : deps)
            for (Resource* p : pris) new_colocation(ws, id, d, p, score, role1, role, attr, influence_of(d));
        }
      }
      last = set;
    }
  }
  for (Resource& r : ws.resource_store) {
    std::stable_sort(r.this_with.begin(), r.this_with.end(),
                     [](Colocation* a, Colocation* b) { return colocation_before(a->primary, b->primary); });
    std::stable_sort(r.with_this.begin(), r.with_this.end(),
                     [](Colocation* a, Colocation* b) { return colocation_before(a->dependent, b->dependent); });
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Score arithmetic.
//
// add_colocated_scores() walks chains of colocations (every dependent of a
// dependent, ...): on big configurations millions of steps, many of them
// visiting the same resource again by another path. One call is a Walk: the
// node table becomes an array of scores (positions fixed for the whole walk,
// since a step never adds or removes nodes), and each resource's scores are
// read from its allowed map once per walk (allowed maps do not change during
// a walk) into a snapshot by Node::index, which serves walks over any set of
// nodes (a clone's instance order walks from each instance's current node
// alone). For the usual node-attribute "#uname" (unique per node) nodes are
// compared by identity, not by attribute strings.

namespace {

using Scores = std::vector<Score>;

using SnapshotMap = std::unordered_map<const Resource*, Scores>;

struct Walk {
  std::vector<Node*> nodes;     // node at each position
  std::vector<char> can_run;    // node_can_run() per position
  size_t node_count = 0;        // WorkingSet::nodes.size(): the width of a snapshot
  std::vector<Scores> spare;    // finished tables, reused
  SnapshotMap own;
  SnapshotMap* by_uname = &own;  // best_score_matching by Node::index, attribute #uname

  Scores take(const Scores& from) {
    Scores t;
    if (!spare.empty()) {
      t = std::move(spare.back());
      spare.pop_back();
    }
    t.assign(from.begin(), from.end());
    return t;
  }

  // rsc's score on each node (by Node::index) when that node can run it, else kMinusInfinity.
  const Scores& uname_scores(const Resource* rsc) {
    auto [it, added] = by_uname->try_emplace(rsc);
    if (!added) return it->second;
    Scores& out = it->second;
    out.assign(node_count, kMinusInfinity);
    for (const auto& [n, s] : rsc->allowed)
      if (node_can_run(n)) out[n->index] = s;
    return out;
  }

  bool can_run_any(const Scores& t) const {
    for (size_t i = 0; i < t.size(); ++i)
      if (t[i] >= 0 && can_run[i]) return true;
    return false;
  }
};

}  // namespace

struct WalkCacheScope::State {
  SnapshotMap snapshots;
};

namespace {

thread_local WalkCacheScope::State* t_walk_cache = nullptr;

void forget_tree(SnapshotMap& m, const Resource* rsc) {
  m.erase(rsc);
  for (const Resource* c : rsc->children) forget_tree(m, c);
}

// The best score of `rsc` on a node that can run it and has the same value of
// `attr` as `node` (kMinusInfinity when there is none).
Score best_score_matching(Resource* rsc, const std::string& attr, const std::string& value) {
  Score best = kMinusInfinity;
  for (auto& [n, s] : rsc->allowed) {
    if (s > best && node_can_run(n) && node_attr(n, attr) == value) best = s;
  }
  return best;
}

// A node marked unusable for the rest of a walk that only adds positive
// scores: a colocated resource's ban would have made an allowed node negative.
// It is skipped by later additions and reads 1 once the walk step that marked
// it (or any step after it) finishes, as in the peer.
constexpr Score kUnusable = kInfinity * -100;

struct MergeFlags {
  bool only_positive = false;  // never turn a node's score negative
  bool this_with = false;      // follow "this with" colocations (else "with this")
  bool active = false;         // roll a step back if it leaves no node usable
  bool init = false;           // the table already holds rsc's own scores
};

// Adds rsc's scores (times factor, on nodes matching `attr`) to `nodes`, then
// those of the resources colocated with it, recursively: each step's factor
// is the colocation's own score (signed like the step before), not a product.
void merge_scores(WorkingSet& ws, Walk& walk, Resource* rsc, Scores& nodes, const std::string& attr_in, float factor,
                  MergeFlags flags) {
  if (rsc->merging) return;
  rsc->merging = true;
  static const std::string kUname = "#uname";
  const std::string& attr = attr_in.empty() ? kUname : attr_in;
  Scores work = walk.take(nodes);
  if (rsc->is_group()) {
    if (rsc->children.empty()) {
      walk.spare.push_back(std::move(work));
      rsc->merging = false;
      return;
    }
    // The first member brings the others in through the group's internal
    // colocations (for a sort key, the last member through "this with").
    Resource* member = flags.init ? rsc->children.back() : rsc->children.front();
    merge_scores(ws, walk, member, work, attr, factor, flags);
    flags.init = false;
  } else if (flags.init) {
    flags.init = false;
  } else {
    const Scores* uname = attr == kUname ? &walk.uname_scores(rsc) : nullptr;
    for (size_t i = 0; i < work.size(); ++i) {
      Score& w = work[i];
      if (w == kUnusable) continue;
      Score score = uname ? (*uname)[walk.nodes[i]->index] : best_score_matching(rsc, attr, node_attr(walk.nodes[i], attr));
      if (score == 0) continue;  // adds nothing (the common case)
      if (factor < 0 && score < 0) continue;
      float wf = factor * static_cast<float>(score);
      long long weight = static_cast<long long>(wf < 0 ? wf - 0.5 : wf + 0.5);
      if (weight == 0) weight = factor > 0 ? 1 : (factor < 0 ? -1 : 0);
      Score new_score = score_add(score_clamp(weight), w);
      if (flags.only_positive && new_score < 0 && w > 0) { w = kUnusable; continue; }
      if (flags.only_positive && new_score < 0 && w == 0) continue;
      w = new_score;
    }
  }
  if (walk.can_run_any(work)) {
    const std::vector<Colocation*>* list = &rsc->with_this;
    if (flags.this_with) list = &rsc->this_with;
    else if (rsc->is_group()) list = &rsc->children.back()->with_this;
    const float multiplier = factor < 0 ? -1.0f : 1.0f;
    MergeFlags next = flags;
    next.active = true;
    for (Colocation* c : *list) {
      Resource* other;
      if (flags.this_with) {
        other = c->primary;
      } else {
        if (!has_influence(c)) continue;
        other = c->dependent;
      }
      float f = multiplier * static_cast<float>(c->score) / static_cast<float>(kInfinity);
      merge_scores(ws, walk, other, work, c->node_attribute, f, next);
    }
  } else if (flags.active) {
    walk.spare.push_back(std::move(work));
    rsc->merging = false;
    return;
  }
  if (flags.only_positive)
    for (Score& w : work)
      if (w == kUnusable) w = 1;
  std::swap(nodes, work);
  walk.spare.push_back(std::move(work));
  rsc->merging = false;
}

}  // namespace

void add_colocated_scores(WorkingSet& ws, Resource* rsc, std::map<Node*, Score>& nodes, const std::string& attr_in,
                          double factor, bool only_positive, bool this_with, bool rollback, bool init) {
  Walk walk;
  walk.node_count = ws.nodes.size();
  Scores table;
  walk.nodes.reserve(nodes.size());
  table.reserve(nodes.size());
  for (auto& [n, s] : nodes) {
    walk.nodes.push_back(n);
    walk.can_run.push_back(node_can_run(n));
    table.push_back(s);
  }
  if (WalkCacheScope::State* shared = t_walk_cache) walk.by_uname = &shared->snapshots;
  MergeFlags flags;
  flags.only_positive = only_positive;
  flags.this_with = this_with;
  flags.active = rollback;
  flags.init = init;
  merge_scores(ws, walk, rsc, table, attr_in, static_cast<float>(factor), flags);
  size_t i = 0;
  for (auto& [n, s] : nodes) s = table[i++];  // same keys, same order
}

WalkCacheScope::WalkCacheScope() : state_(new State), previous_(t_walk_cache) { t_walk_cache = state_; }

WalkCacheScope::~WalkCacheScope() {
  t_walk_cache = previous_;
  delete state_;
}

void WalkCacheScope::forget(const Resource* rsc) { forget_tree(state_->snapshots, rsc); }

namespace {

Node* assigned_node(Resource* r) {
  if (r->is_primitive()) return r->assigned;
  if (r->is_group()) return r->children.empty() ? nullptr : r->children.front()->assigned;
  return nullptr;
}

Role next_role_of(Resource* r) {
  if (r->is_primitive()) return r->next_role;
  if (r->is_group()) return r->children.empty() ? Role::kStopped : r->children.front()->next_role;
  Role best = Role::kStopped;
  for (Resource* c : r->children) {
    Role cr = next_role_of(c);
    if (cr > best) best = cr;
  }
  return best;
}

void apply_to_weights(Resource* dep, Node* primary_node, const Colocation& c) {
  std::string attr = c.node_attribute.empty() ? "#uname" : c.node_attribute;
  if (!primary_node && c.score < 0) return;
  std::string value = primary_node ? node_attr(primary_node, attr) : "";
  std::map<Node*, Score> work = dep->allowed;
  for (auto& [n, w] : work) {
    if (!primary_node) {
      w = score_add(-c.score, w);  // the primary will not run: its score counts against every node
    } else if (node_attr(n, attr) == value) {
      if (c.score < kInfinity) w = score_add(c.score, w);
    } else if (c.score >= kInfinity) {
      w = score_add(kMinusInfinity, w);
    }
  }
  bool any = false;
  for (auto& [n, w] : work)
    if (w >= 0 && node_can_run(n)) any = true;
  if (c.score <= kMinusInfinity || c.score >= kInfinity || any) dep->allowed = std::move(work);
}

// A mandatory colocation with a clone: only nodes with an instance remain.
void restrict_to_nodes(Resource* dep, const std::vector<Node*>& nodes, const Colocation& c) {
  for (auto& [n, w] : dep->allowed) {
    bool found = false;
    for (Node* x : nodes) if (node_attr(x, c.node_attribute) == node_attr(n, c.node_attribute)) found = true;
    if (!found) w = kMinusInfinity;
  }
}

}  // namespace

Resource* find_compatible_instance(Resource* dep_inst, Resource* primary_clone, Role role);

void apply_colocation_to_dependent(WorkingSet& ws, Colocation& c, Resource* dep) {
  // Called while assigning dep (a primitive standing for c.dependent); c.primary is assigned.
  Resource* pri = c.primary;
  if (pri->is_group() && !pri->children.empty()) pri = c.score >= kInfinity ? pri->children.back() : pri->children.front();
  if (pri->provisional && !pri->is_clone()) return;
  // Role colocations place the dependent only when its role is already
  // fixed (its target-role); otherwise they count when roles are chosen.
  if (!role_applies(c.score, c.dependent_role, fixed_role(dep))) return;
  if (pri->is_clone()) {
    Resource* dep_clone = dep->clone_parent();
    bool interleave = dep_clone && dep_clone->interleave && dep_clone != pri && c.dependent == dep_clone &&
                      dep_clone->clone_node_max == pri->clone_node_max;
    if (interleave) {
      Resource* inst = find_compatible_instance(dep, pri, c.primary_role);
      if (inst) {
        // With a cloned group, a mandatory colocation needs the whole group:
        // its last member's node (none: nowhere); an optional one its first's.
        Node* n = assigned_node(inst);
        if (inst->is_group() && !inst->children.empty() && c.score >= kInfinity)
          n = inst->children.back()->assigned;
        apply_to_weights(dep, n, c);
      } else if (c.score >= kInfinity) {
        for (auto& [n, w] : dep->allowed) w = kMinusInfinity;
      }
      return;
    }
    // Role colocations with a promotable clone: the nodes of the instances
    // in that role. An optional one adds its score there; a mandatory one
    // bans every other node and adds the instance's own assignment score
    // (except promoted with promoted, which must not keep inactive
    // dependent instances from starting unpromoted).
    if (pri->promotable && c.primary_role != Role::kUnknown) {
      std::vector<std::pair<Node*, Score>> affected;
      const std::string& attr = c.node_attribute;
      for (Resource* inst : pri->children) {
        Node* n = assigned_node(inst);
        if (!n || next_role_of(inst) != c.primary_role) continue;
        if (c.score < kInfinity) {
          for (auto& [dn, w] : dep->allowed)
            if (node_attr(dn, attr) == node_attr(n, attr)) w = score_add(w, c.score);
        }
        Resource* first = inst->is_primitive() ? inst : inst->children.front();
        affected.push_back({n, first->assigned_score});
      }
      if (c.score >= kInfinity && !(c.dependent_role == Role::kPromoted && c.primary_role == Role::kPromoted)) {
        for (auto& entry : dep->allowed) {  // not a structured binding: clang 14 cannot capture one
          Node* dn = entry.first;
          auto it = std::find_if(affected.begin(), affected.end(), [&](auto& a) { return a.first == dn; });
          entry.second = it == affected.end() ? kMinusInfinity : score_add(entry.second, it->second);
        }
        for (auto& [n, s] : affected) dep->allowed.try_emplace(n, kMinusInfinity);
      }
      return;
    }
    if (c.score >= kInfinity) {
      std::vector<Node*> nodes;
      for (Resource* inst : pri->children) {
        Node* n = assigned_node(inst);
        if (!n) continue;
        if (c.primary_role != Role::kUnknown && next_role_of(inst) != c.primary_role) continue;
        if (inst->blocked) continue;
        nodes.push_back(n);
      }
      restrict_to_nodes(dep, nodes, c);
      return;
    }
    // Each instance adds its score where it runs; one that will not run
    // takes it away everywhere (the peer's per-instance arithmetic).
    for (Resource* inst : pri->children) {
      if (role_applies(c.score, c.primary_role, next_role_of(inst))) apply_to_weights(dep, assigned_node(inst), c);
    }
    return;
  }
  if (role_applies(c.score, c.primary_role, next_role_of(pri))) apply_to_weights(dep, assigned_node(pri), c);
}

}  // namespace crm::pengine
