// The scheduler's in-memory model of one run: nodes, resources, constraints
// and actions, all owned by one WorkingSet. Private to pengine/.
//
// Every stage of schedule() (see pengine.cc) reads and extends this one
// structure; pointers between objects stay valid for the WorkingSet's life
// (objects live in std::deque / unique_ptr containers that never move them).
#pragma once

#include <libxml/tree.h>

#include <cstdint>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crm/core/boolean.h"
#include "crm/core/op_history.h"
#include "crm/core/op_key.h"
#include "crm/core/score.h"
#include "crm/core/status.h"
#include "crm/core/xml.h"
#include "crm/pengine/pengine.h"

namespace crm::pengine {

// Role is declared in the public header (pengine.h).

struct Resource;
struct Action;

using Attrs = std::map<std::string, std::string>;

struct Node {
  std::string id;     // node id (uuid)
  std::string uname;  // node name
  int index = 0;      // position in WorkingSet::nodes
  Score weight = 0;   // base score (the node's "score" attribute) every resource starts from there
  std::string type = "member";
  bool online = false;
  bool standby = false;
  bool standby_onfail = false;
  bool maintenance = false;
  bool unclean = false;
  bool pending = false;
  bool pending_in_cluster = false;  // pending, but a cluster member: the peer still probes there (unrunnably)
  bool shutdown = false;       // shutdown requested
  bool expected_up = false;
  std::string feature_set;     // its controller's (node_state feature_set), "" when not recorded
  bool unseen = true;          // no node_state entry
  bool remote = false;         // a Pacemaker Remote or guest node (type "remote")
  // A remote or guest node's connection resource (ocf:pacemaker:remote, the
  // node's name is its id); a guest's connection has a container (the VM or
  // container resource the node lives in). Null for cluster nodes, and for a
  // remote node entry whose connection is no longer configured.
  Resource* remote_rsc = nullptr;
  bool remote_requires_reset = false;  // to be fenced even if its connection comes back (the peer's name)
  bool remote_was_fenced = false;      // node_state node_fenced: fenced since it last connected
  bool rsc_discovery_enabled = true;   // resource-discovery-enabled node attribute (remote and guest nodes only)
  bool unpacked = false;               // its operation history has been read (unpack_status's passes)
  std::string fence_reason;    // why it must be fenced
  Attrs attrs;                 // node attributes + transient attributes + #uname/#id/#kind
  Attrs utilization;           // capacity
  std::map<std::string, long> remaining;  // capacity left during assignment
  int num_resources = 0;       // resources assigned (tie breaker)
  std::vector<Resource*> running;  // primitives active here at start

  bool is_guest() const;  // a remote node whose connection has a container
  // Its "shutdown" attribute asks for a shutdown (a time, not "0").
  bool shutdown_requested() const {
    auto it = attrs.find("shutdown");
    return it != attrs.end() && !it->second.empty() && it->second != "0";
  }
  bool available() const { return online && !unclean && !standby && !maintenance && !shutdown && !pending; }
};

// One recorded operation from the status section as the scheduler reads it:
// the fields of the shared record (crm::OpRecord, crm/core/op_history.h) that
// it uses, numbers parsed, texts pointing into the document (which outlives
// the working set), and the element it was read from. A large status section
// holds a hundred thousand of them: crm::OpRecord's eleven strings took four
// times the memory and a copy of each id and digest.
struct OpRecord {
  xmlNode* xml = nullptr;
  std::string_view id;
  std::string_view operation;  // "start", "stop", "monitor", ...
  std::string_view op_digest;
  long interval_ms = 0;
  int call_id = 0;
  int rc = 0;
  int op_status = 0;
  int target_rc = 0;
  std::time_t last_rc_change = 0;

  bool pending() const { return op_pending(op_status, call_id); }
};

// A configured <op> of a primitive.
struct OpConfig {
  std::string name;
  long interval_ms = 0;
  long timeout_ms = 20000;
  std::string role;   // "" any, or Started/Unpromoted/Promoted/Stopped
  std::string on_fail;
  bool enabled = true;
  bool duplicate = false;  // another <op> has its name and interval: neither recurs (the peer's is_op_dup)
  Attrs meta;         // other attributes
  xmlNode* xml = nullptr;
};

enum class Kind { kPrimitive, kGroup, kClone };

// How a resource's active operations on a node compare with its
// configuration (check_definition): a restart or reload, and the recurring
// operations whose definition changed (rescheduled).
enum class DefinitionChange { kNone, kReload, kRestart };
struct DefinitionCheck {
  DefinitionChange change = DefinitionChange::kNone;
  std::set<long> reschedule;  // intervals of recurring monitors
};

enum class Discovery { kAlways, kNever, kExclusive };

struct Resource {
  std::string id;        // "rsc" or "rsc:3" for clone instances
  std::string base_id;   // id without instance suffix
  Kind kind = Kind::kPrimitive;
  xmlNode* xml = nullptr;
  Resource* parent = nullptr;
  std::vector<Resource*> children;
  int clone_index = -1;  // instance number for clone children
  // The id an anonymous clone instance's history knows it by when that is not
  // its own ("db" or an old "db:1" for db:0; the peer's clone_name): graph
  // keys of its notifications use it.
  std::string clone_name;

  // Primitive definition.
  xmlNode* template_xml = nullptr;  // the <template> it is based on (its own settings win)
  std::string cls, provider, type;
  Attrs params;
  Attrs meta;
  std::vector<OpConfig> ops;

  // Meta.
  int priority = 0;
  Score stickiness = 0;
  int migration_threshold = kInfinity;
  long failure_timeout_s = 0;
  std::optional<Role> target_role;
  bool managed = true;
  bool maintenance = false;
  bool critical = true;
  std::string requires_;  // nothing, quorum, fencing, unfencing
  std::string multiple_active = "stop_start";
  bool orphan = false;

  // Group meta: members start in order / run together (both by default).
  bool members_ordered = true;
  bool members_colocated = true;
  // Clone meta.
  bool promotable = false;
  bool unique = false;
  bool interleave = false;
  bool ordered = false;
  bool notify = false;
  int clone_max = 0;
  int clone_node_max = 1;
  int clone_min = 0;
  int promoted_max = 1;
  int promoted_node_max = 1;

  // Current state (primitives).
  Role role = Role::kStopped;          // current role
  std::vector<Node*> running_on;       // nodes where active
  std::vector<Node*> pending_on;       // nodes with pending ops
  std::string pending_task;            // task of an operation in flight (not a probe)
  bool failure_ignored = false;        // failed with on-fail=ignore
  bool failed = false;
  bool blocked = false;                // a failure with on-fail=block
  bool stop_failed = false;
  // Operation histories by node (Node::index), each sorted by call id. A
  // node has one when its status section lists the resource (it was probed
  // there, "known on" it); a vector rather than a map because every
  // resource has one per node on a probed cluster.
  std::vector<std::optional<std::vector<OpRecord>>> history;
  const std::vector<OpRecord>* history_on(const Node* n) const {
    if (n->index >= static_cast<int>(history.size()) || !history[n->index]) return nullptr;
    return &*history[n->index];
  }
  bool known_on(const Node* n) const { return history_on(n) != nullptr; }
  bool known_anywhere() const {
    for (const auto& h : history)
      if (h) return true;
    return false;
  }
  std::map<Node*, int> failcount;
  // Fail counts by node and operation ("monitor_10000"; "" for the older
  // per-resource attribute, which counts for every operation), with each
  // one's last failure: what the clearing of expired failures looks at.
  struct OpFailure {
    Score count = 0;
    std::time_t last_failure = 0;
  };
  std::map<Node*, std::map<std::string, OpFailure>> op_failures;
  std::map<Node*, std::time_t> last_failure;
  std::map<Node*, std::string> on_fail_node;   // effective on-fail per node of last failure
  std::vector<std::pair<Node*, std::string>> failed_ops;  // for status text
  std::set<Node*> banned;                 // e.g. failed stops
  std::set<Node*> hard_banned;            // hard errors (an anonymous clone is banned as a whole)
  bool unrunnable_everywhere = false;     // fatal error
  bool multiply_blocked = false;          // unmanaged because multiple-active=block

  // Assignment.
  std::map<Node*, Score> allowed;  // allowed nodes and their scores (absent == not allowed)
  bool provisional = true;
  bool assigning = false;
  bool merging = false;
  Node* assigned = nullptr;
  Score assigned_score = 0;  // the chosen node's score when it was chosen
  Role next_role = Role::kUnknown;
  std::string stop_reason;
  Score promotion_score = 0;
  int stage_marker = 0;
  std::map<Node*, int> instances_on;  // a clone's instances assigned per node
  // A clone's instances active beyond its clone-max (orphan instances, which
  // only stop): the clone's stop and stopped stand for theirs too.
  std::vector<Resource*> orphan_instances;
  std::map<std::string, long> utilization;  // primitives: what it needs (read once per schedule)
  std::map<Node*, DefinitionCheck> definition_checks;  // check_definition()'s results

  // Colocations: this resource is the dependent (this_with) or the primary (with_this).
  std::vector<struct Colocation*> this_with;
  std::vector<struct Colocation*> with_this;

  // Actions keyed by task (a primitive can have several of one task, e.g. stop on two nodes).
  std::vector<Action*> actions;

  bool is_primitive() const { return kind == Kind::kPrimitive; }
  bool is_clone() const { return kind == Kind::kClone; }
  bool is_group() const { return kind == Kind::kGroup; }
  Resource* top() { Resource* r = this; while (r->parent) r = r->parent; return r; }
  Resource* clone_parent() {
    for (Resource* r = parent; r; r = r->parent) if (r->is_clone()) return r;
    return nullptr;
  }
  // Where the resource is active: the first node, or for resources that do
  // not need fencing the first node that is online and clean (as the peer).
  Node* current_node() const {
    if (running_on.empty()) return nullptr;
    if (partial_source) return partial_source;  // half migrated: where it comes from
    if (!needs_fencing) {
      for (Node* n : running_on)
        if (n->online && !n->unclean) return n;
    }
    return running_on.front();
  }
  bool needs_fencing = true;  // requires=fencing (default with fencing on, except fencing devices)
  bool allow_migrate = false;  // allow-migrate: moved by migrate_to + migrate_from instead of stop + start
  // resource-discovery of location constraints, per node (the peer's
  // rsc_discover_mode: always < never < exclusive, the strongest wins), and
  // whether any of them is exclusive (then only nodes marked exclusive probe
  // it or may run it).
  std::map<Node*, Discovery> discover_mode;
  bool exclusive_discover = false;
  Discovery discovery_on(Node* n) const {
    auto it = discover_mode.find(n);
    return it == discover_mode.end() ? Discovery::kAlways : it->second;
  }
  // A live migration left half done (migrate_to succeeded on the source, no
  // migrate_from yet on the target): active on both, the migration may go on.
  Node* partial_source = nullptr;
  Node* partial_target = nullptr;
  // Sources of migrations that completed without the stop on the source: stopped there for sure.
  std::vector<Node*> dangling_migrations;
  bool is_managed() const { return managed && !maintenance; }

  // Pacemaker Remote: a connection resource (ocf:pacemaker:remote, or the
  // implicit one of a guest node) and, for a guest's, the resource the guest
  // lives in; a container's fillers are the resources it holds (its guest's
  // connection).
  bool is_remote_node = false;
  Resource* container = nullptr;
  std::vector<Resource*> fillers;
  long remote_reconnect_ms = 0;
  bool restart_required = false;  // a container whose contents failed (on-fail=restart-container)  // reconnect_interval: the connection stays down that long after a failure
  bool fence_device() const { return is_primitive() && cls == "stonith"; }
  // The remote or guest node this connection resource makes (null if none).
  Node* remote_node = nullptr;
};

inline bool Node::is_guest() const { return remote_rsc && remote_rsc->container; }

struct Colocation {
  std::string id;
  Resource* dependent = nullptr;
  Resource* primary = nullptr;
  Score score = 0;
  Role dependent_role = Role::kUnknown;
  Role primary_role = Role::kUnknown;
  std::string node_attribute = "#uname";
  bool influence = true;
};

// Order flags, after the peer's documented semantics.
enum OrderFlags : uint32_t {
  kOrderOptional = 0,
  kImpliesThen = 1u << 0,     // first required => then required
  kImpliesFirst = 1u << 1,    // then required => first required
  kRunnableLeft = 1u << 2,    // first unrunnable => then unrunnable
  kRestart = 1u << 3,         // then (start) required & runnable => first (stop) required
  kSerialize = 1u << 4,
  kOneOrMore = 1u << 5,       // then runnable when enough firsts are runnable
  kImpliesFirstPrinted = 1u << 6,
  kThenCancelsFirst = 1u << 7,
  kAsymmetric = 1u << 8,      // mandatory, not symmetrical: first unrunnable => then required and unrunnable,
                              // unless then is an optional no-op (stopping a stopped / starting a started one)
  kAntiColocation = 1u << 9,  // from a -INFINITY colocation: alone, an edge of the graph only between
                              // actions on one node (or without one) whose first is required
  // Live migration (the peer's pe_order_implies_first_migratable, pe_order_pseudo_left,
  // pe_order_apply_first_non_migratable):
  kImpliesFirstMigratable = 1u << 10,  // then required => first required; then not runnable as a
                                       // migration => first unrunnable (and no edge once it is)
  kPseudoLeft = 1u << 11,              // first unrunnable => then is no longer a migration's
                                       // placeholder (the start becomes a real one)
  kApplyFirstNonMigratable = 1u << 12, // an edge only while first is not part of a migration
  kLoad = 1u << 13,        // the peer's pe_order_load (utilization): stop -> load_stopped_<node> ->
                           // start or migrate_to; an edge only for the same node (a migrate_to's
                           // node: where the resource goes) and a required first
  kCompletion = 1u << 14,  // a member's action before its collective's completion pseudo action
                           // (implies-then and runnable-left in the peer, derive() here): marks
                           // the ordering as more than optional for the graph
  kDisabled = 1u << 15,    // dropped from the graph (a load ordering that would close a loop)
};

// Whether the ordering `first` -> `then` with `flags` is an edge of the graph
// once both actions are in it (the peer's should_add_input_to_graph).
bool graph_edge(const Action* first, const Action* then, uint32_t flags);

struct Action {
  int id = -1;                 // graph id (assigned when building the graph)
  int seq = 0;                 // creation order
  std::string task;            // start stop monitor promote demote stonith do_shutdown running ...
  std::string key;             // rsc_task_interval
  Resource* rsc = nullptr;
  Node* node = nullptr;
  long interval_ms = 0;
  bool pseudo = false;
  bool optional = true;
  bool runnable = true;
  bool is_probe = false;
  bool in_graph = false;
  bool runnable_forced_off = false;
  bool print_always = false;   // in the graph even though optional (a required 'first' of a one-or-more)
  // Part of a live migration that can still happen (the peer's pe_action_migrate_runnable):
  // migrate_to, migrate_from, and the start (a pseudo action then) and stop they stand for.
  bool migrate_runnable = false;
  bool constrained = false;    // named by a constraint's ordering (the peer creates an action without
                               // a node only then, so only then does it count for its clone's)
  int priority = 0;            // synapse priority when above the resource's (post-notifications: INFINITY)
  int target_rc = -1;
  std::string reason;          // for summary "due to ..."
  std::string fence_action;    // reboot/off for stonith
  std::string cancel_task;     // cancel: the recurring operation's task ("monitor")
  long fence_delay_s = 0;      // stonith: priority-fencing-delay that applies to this target
  Attrs meta;                  // CRM_meta_* extras
  int one_or_more_needed = 0;  // for kOneOrMore thens
  std::vector<std::pair<Action*, uint32_t>> before;  // orderings where this is "then"
  std::vector<std::pair<Action*, uint32_t>> after;   // orderings where this is "first"
  std::string cons_id;          // constraint that created an ordering into this (for errors)
};

struct OrderingRef {
  Action* first;
  Action* then;
  uint32_t flags;
  std::string constraint;
};

// A ticket: its state at this site (crm/core/ticket.h; a ticket no
// ticket_state names is not granted) and whether the status section had one.
struct Ticket : crm::TicketState {
  bool has_state = false;  // a ticket_state records it (else only constraints name it)
};

// What a resource does when a ticket it depends on is lost (rsc_ticket loss-policy).
enum class LossPolicy { kStop, kDemote, kFence, kFreeze };

// One resource's dependency on a ticket (an rsc_ticket, or one member of its sets).
struct TicketConstraint {
  std::string id;
  Resource* rsc = nullptr;
  Ticket* ticket = nullptr;
  Role role = Role::kUnknown;  // rsc-role: kUnknown for Started or none
  LossPolicy loss_policy = LossPolicy::kStop;
};

struct ScoreRecord { std::string stage, rsc, node; Score score; bool promotion; };

// Explanations (ScheduleOptions::explain; explain.cc). While a Reason is
// current, each change add_location makes to an explained resource's scores
// is noted with it; ScoreChange notes what a larger step (a colocation)
// changed. Nothing is noted, or built, when nothing is explained.
struct Reason {
  Reason() = default;
  Reason(ContributionKind k, std::string src, std::string words, std::string words_against = "")
      : kind(k), source(std::move(src)), text(std::move(words)), text_against(std::move(words_against)) {}
  ContributionKind kind = ContributionKind::kOther;
  std::string source, text;
  std::string text_against;  // for a change that lowers the score, when it reads otherwise
};
struct ScoreNote {
  Node* node;
  ScoreContribution contribution;
};

struct WorkingSet {
  xmlDoc* doc = nullptr;
  std::time_t now = 0;
  ScheduleOptions options;

  // Cluster options.
  bool symmetric = true;
  bool stonith_enabled = true;
  bool have_stonith_resource = false;  // a fencing device is configured
  bool unfencing = false;              // a resource provides or requires unfencing
  bool startup_fencing = true;
  bool have_quorum = true;
  std::string no_quorum_policy = "stop";
  std::string stonith_action = "reboot";
  std::string placement_strategy = "default";
  bool maintenance_mode = false;
  bool stop_orphans = true;
  bool stop_orphan_actions = true;  // cancel recurring operations no longer configured
  bool start_failure_fatal = true;
  bool concurrent_fencing = false;
  long priority_fencing_delay_s = 0;  // priority-fencing-delay
  std::string stonith_timeout = "60s";
  std::string cluster_delay = "60s";
  Attrs cluster_options;
  Attrs rsc_defaults;
  Attrs op_defaults;
  std::string dc_uuid;

  std::deque<Node> nodes;
  std::unordered_map<std::string, Node*> node_by_name;
  std::unordered_map<std::string, Node*> node_by_id;

  std::deque<Resource> resource_store;
  std::vector<Resource*> resources;  // top-level, document order
  std::unordered_map<std::string, Resource*> rsc_by_id;  // every resource incl. instances

  // Attribute values of operation records that libxml2 keeps as several
  // nodes (entity references), joined: OpRecord's texts point here then.
  std::deque<std::string> joined_attribute_values;

  std::deque<Colocation> colocations;
  // Resource templates and tags, by id: the primitives based on each template
  // and the resources each tag names, in document order (constraints may name
  // either in place of resources).
  std::map<std::string, std::vector<std::string>> templates, tags;
  std::map<std::string, xmlNode*> template_xml;
  // The constraints section every constraint reader reads: the configured
  // one, or a copy in which references to templates and tags are expanded
  // (references.cc).
  xmlNode* constraints = nullptr;
  xml::DocPtr expanded_constraints;
  // The implicit connection resources of guest nodes (unpack.cc), which the
  // configured resources' XML does not hold.
  xml::DocPtr implicit_resources;
  std::map<std::string, Ticket> tickets;  // by id: from the status section and rsc_ticket constraints
  std::deque<TicketConstraint> ticket_constraints;
  std::deque<Action> action_store;
  std::unordered_map<std::string, Action*> action_index;  // key + "@" + node
  std::vector<OrderingRef> orderings;
  // "Stop this primitive, then that action of another resource" orderings at
  // the level of resources (configured, or a group's or clone's own): the
  // primitive's probes are ordered before `then` too (ordering.cc).
  struct StopThen {
    Resource* first;
    Action* then;
    uint32_t probe_flags = 0;  // of the probe orderings (an anti-colocation keeps its kind)
  };
  std::vector<StopThen> stop_thens;
  // -INFINITY colocations, which order the loss of one role before the gain
  // of the other (ordering.cc).
  struct AntiColocation {
    std::string id;
    Resource* first;
    Role first_role;
    Resource* then;
    Role then_role;
  };
  std::vector<AntiColocation> anti_colocations;
  std::vector<std::string> warnings;
  std::vector<Node*> fenced;  // in the order their fencing was decided
  // Each node's fencing action, made once (fencing.cc): a guest's fencing
  // may need its host's before the host's turn comes.
  std::unordered_map<const Node*, Action*> fencing;
  Action* fencing_of(const Node* node) const {
    auto it = fencing.find(node);
    return it == fencing.end() ? nullptr : it->second;
  }
  // Orphan instance numbers of anonymous clones, per node (members of one
  // orphaned cloned-group instance share its number).
  struct CloneOrphan { Resource* clone; Node* node; int number; std::set<std::string> bases; };
  std::vector<CloneOrphan> clone_orphans;
  std::vector<ScoreRecord> score_records;
  std::vector<std::string> utilization_lines;  // ScheduleOptions::want_utilization
  std::vector<Action*> topo;  // graph actions in topological order

  // Explanations (explain.cc).
  bool explain_any = false;                  // options.explain is not empty
  const Reason* reason = nullptr;            // what add_location applies now
  std::unordered_map<const Resource*, std::vector<ScoreNote>> score_notes;
  std::unordered_map<const Resource*, std::map<Node*, Score>> allocation_scores;  // as crm_simulate -s shows them

  // Whether `node` can be fenced, as the peer's pe_can_fence: fencing on, a
  // device configured, and quorum (or no-quorum-policy=ignore, or the node
  // in our own partition).
  bool can_fence(const Node& node) const {
    return stonith_enabled && have_stonith_resource && (have_quorum || no_quorum_policy == "ignore" || node.online);
  }
  Node* find_node(const std::string& name) {
    auto it = node_by_name.find(name);
    if (it != node_by_name.end()) return it->second;
    auto jt = node_by_id.find(name);
    return jt == node_by_id.end() ? nullptr : jt->second;
  }
  Resource* find_rsc(const std::string& id) {
    auto it = rsc_by_id.find(id);
    return it == rsc_by_id.end() ? nullptr : it->second;
  }
  Resource* new_resource() { return &resource_store.emplace_back(); }
  Action* find_action(const std::string& key, const Node* node) const;
  Action* new_action(Resource* rsc, const std::string& task, long interval_ms, Node* node, bool optional);
  // As new_action, under a key that is not "rsc_task_interval" (notifications).
  Action* new_keyed_action(Resource* rsc, const std::string& key, const std::string& task, Node* node, bool optional);
  Action* new_pseudo(const std::string& key, const std::string& task, Resource* rsc);
  void order(Action* first, Action* then, uint32_t flags, const std::string& cons = "");
};

// ---- explanations (explain.cc) ----
bool explaining(const WorkingSet& ws, const Resource* r);
// Notes that `r`'s score on `node` changed by `score` (or became it: sets)
// for the current reason.
void note_score(WorkingSet& ws, const Resource* r, Node* node, Score score, bool sets);
// The current reason while it lives; `make` (returning a Reason) is only
// called when something is explained.
class ReasonScope {
 public:
  template <typename Make>
  ReasonScope(WorkingSet& ws, Make make) : ws_(ws), previous_(ws.reason) {
    if (!ws.explain_any) return;
    reason_ = make();
    ws.reason = &reason_;
  }
  ~ReasonScope() { ws_.reason = previous_; }
  ReasonScope(const ReasonScope&) = delete;
  ReasonScope& operator=(const ReasonScope&) = delete;

 private:
  WorkingSet& ws_;
  const Reason* previous_;
  Reason reason_;
};
// Notes what a step changed in `r`'s scores, from a copy taken when it is
// made (only for explained resources).
class ScoreChange {
 public:
  ScoreChange(WorkingSet& ws, Resource* r);
  // Notes the differences for `reason` (built only when explained).
  template <typename Make>
  void done(Make make) {
    if (!active_) return;
    Reason reason = make();
    finish(reason);
  }

 private:
  void finish(const Reason& reason);
  WorkingSet& ws_;
  Resource* r_;
  bool active_ = false;
  std::map<Node*, Score> before_;
};
// The allocation scores of `r` as they are now (where crm_simulate -s reads them).
void note_allocation_scores(WorkingSet& ws, Resource* r);
// Transition::explanations, once everything is decided.
std::vector<ResourceExplanation> explain_resources(WorkingSet& ws);

// Stages of schedule(), one file each.
Status unpack_config(WorkingSet& ws);                // unpack.cc
Status unpack_nodes(WorkingSet& ws);                 // unpack.cc
Status unpack_resources(WorkingSet& ws);             // unpack.cc
Status unpack_status(WorkingSet& ws);                // status.cc
void expand_constraint_references(WorkingSet& ws);   // references.cc (from unpack_resources)
Status apply_locations(WorkingSet& ws);              // location.cc
void unpack_ticket_states(WorkingSet& ws);           // tickets.cc (from unpack_status)
Status apply_tickets(WorkingSet& ws);                // tickets.cc (from apply_locations)
// Whether a promotable clone may promote nothing: it depends for its
// promoted role on a ticket not granted or in standby (tickets.cc).
bool promotion_needs_missing_ticket(const WorkingSet& ws, const Resource* clone);
Status unpack_colocations(WorkingSet& ws);           // colocation.cc
Status assign_resources(WorkingSet& ws);             // assign.cc
Status create_actions(WorkingSet& ws);               // actions.cc
Status unpack_orderings(WorkingSet& ws);             // ordering.cc
Status create_fencing(WorkingSet& ws);               // fencing.cc
// Pacemaker Remote (remote.cc). Connections and fencing devices kept off
// remote nodes (with apply_locations); a remote node's state once its
// connection is assigned; actions on remote nodes ordered against their
// connections (after create_actions, before create_fencing: it may mark
// nodes to be fenced); the cluster node an action on a remote node is
// routed through (null for others).
void ban_remote_nodes(WorkingSet& ws);
void remote_connection_assigned(Resource* conn);
bool is_failed_remote_node(const Node& node);
Status order_remote_actions(WorkingSet& ws);
Node* connection_host(const Action* action);
// The connection of the remote or guest node that `container` makes (itself
// for a remote connection, the guest's connection for a guest's container).
Resource* contained_connection(Resource* container);
// Whether `r` runs where its container does (colocated with it, started
// after it, stopped before it): a guest's connection, or a managed filler
// whose container makes no remote node.
bool follows_container(Resource& r);
// Marks `node` to be fenced for `reason` (the first reason given stays), as
// the peer's pe_fence_node: a guest node by recovering its container, a
// remote node even while its connection is unmanaged (fencing.cc).
void fence_node(Node& node, const std::string& reason);
Status propagate_flags(WorkingSet& ws);              // graph.cc
Status create_notifications(WorkingSet& ws);         // notify.cc (needs the final flags)
Status check_graph(WorkingSet& ws);                  // graph.cc

// Resource definition changes (digest.cc): how the recorded digests of the
// resource's active operations on `node` compare with its configuration,
// computed once per resource and node (digests are MD5s of its parameters).
const DefinitionCheck& check_definition(WorkingSet& ws, Resource* r, Node* node);
// The operations of a resource's history on a node since its last start (or
// what implies one), by call id; empty when it is stopped there.
std::vector<const OpRecord*> active_history(const Resource* r, const Node* node);
// The fail count of a resource on a node that still counts: 0 once the last
// failure is older than failure-timeout (location.cc).
Score effective_failcount(const WorkingSet& ws, const Resource* r, Node* node);
// Whether an operation's recorded digest differs from the digest of its
// current definition (false when it recorded none).
bool recorded_digest_differs(WorkingSet& ws, Resource* r, const OpRecord& op);

// For an ordering of `first`'s `ftask` before `then`'s `ttask`, the orderings
// of a live migration standing for one of them (ordering.cc).
void order_migration_equivalents(WorkingSet& ws, Resource* first, const std::string& ftask, Resource* then,
                                 const std::string& ttask, const std::string& id);

// Helpers shared between stages.
// An interval or timeout in ms (crm::parse_interval), 0 when it cannot be read (as the peer).
long parse_interval_ms(const std::string& text);
Result<Role> parse_role(const std::string& text);
const char* role_name(Role role);
using crm::is_true;  // crm/core/boolean.h
// Name/value pairs of a *_attributes block list, rules evaluated against node (may be null).
Attrs unpack_nvpairs(WorkingSet& ws, xmlNode* parent, const char* element, const Node* node);
// Applies a location preference (rsc and descendants for groups/clones).
void add_location(WorkingSet& ws, Resource* rsc, Node* node, Score score);
// Colocation logic shared with assign.cc.
void apply_colocation_to_dependent(WorkingSet& ws, Colocation& c, Resource* dep);
Resource* find_compatible_instance(Resource* dep_inst, Resource* primary_clone, Role role);
void record_scores(WorkingSet& ws, const char* stage, Resource* rsc);
// The peer's colocation score walk (see colocation.cc). With `init` the table
// already holds rsc's own scores (for a group: its last member's), as for the
// sort keys of the assignment order.
void add_colocated_scores(WorkingSet& ws, Resource* rsc, std::map<Node*, Score>& nodes,
                          const std::string& attr, double factor, bool only_positive, bool this_with,
                          bool rollback, bool init = false);
// Processing order of colocations by the other resource, and sorted inserts.
bool colocation_before(const Resource* a, const Resource* b);
void add_this_with(Resource* rsc, Colocation* c);
void add_with_this(Resource* rsc, Colocation* c);
// The role a resource's target-role fixes before roles are chosen
// (kUnknown for none, Started or default).
Role fixed_role(const Resource* r);
// Whether a colocation with a role condition applies to a resource in `role`
// (positive: the role must match; negative: skipped when it matches).
bool role_applies(Score score, Role wanted, Role role);
// Whether a dependent's preferences count for its primary (influence, or the
// primary is not active anywhere).
bool has_influence(const Colocation* c);
// A group's own colocations go to its members when it is assigned.
void expand_group_colocations(Resource* group);
std::string node_attr(const Node* node, const std::string& name);
// The peer's node name order (pcmk__numeric_strcasecmp), in summary.cc.
bool natural_less(const std::string& a, const std::string& b);
// CRM_meta_timeout of a resource's non-recurring `task`: its own <op>, else
// its probe's, else op_defaults, else 20 s (actions.cc).
long action_timeout_ms(WorkingSet& ws, Resource* r, const std::string& task);
std::vector<Resource*> primitives_of(Resource* rsc);

}  // namespace crm::pengine
