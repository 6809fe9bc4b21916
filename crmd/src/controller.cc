#include "crm/crmd/controller.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "crm/core/boolean.h"
#include "crm/core/duration.h"
#include "crm/core/op_key.h"
#include "crm/core/score.h"
#include "crm/core/xml.h"
#include "crm/crmd/status_view.h"
#include "crm/pengine/digest.h"
#include "crm/pengine/pengine.h"
#include "crm/core/op_history.h"
#include "alerts.h"
#include "wire.h"

namespace crm::crmd {

const char* state_name(State s) {
  switch (s) {
    case State::kStarting: return "S_STARTING";
    case State::kPending: return "S_PENDING";
    case State::kElection: return "S_ELECTION";
    case State::kIntegration: return "S_INTEGRATION";
    case State::kFinalizeJoin: return "S_FINALIZE_JOIN";
    case State::kIdle: return "S_IDLE";
    case State::kPolicyEngine: return "S_POLICY_ENGINE";
    case State::kTransitionEngine: return "S_TRANSITION_ENGINE";
    case State::kNotDc: return "S_NOT_DC";
    case State::kStopping: return "S_STOPPING";
    case State::kStopped: return "S_TERMINATE";
  }
  return "?";
}

namespace {

std::string id_str(NodeId id) { return std::to_string(id); }

long to_long(const std::string& s, long fallback = 0) {
  long v = fallback;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() ? v : fallback;
}

// The peer's numeric execution status (ExecStatus carries the peer's numbers).
int exec_status_code(ExecStatus s) { return static_cast<int>(s); }

// A CIB fragment "<name a="1" .../>" with escaping.
class ElementBuilder {
 public:
  explicit ElementBuilder(const char* name) : doc_(xml::new_document(name)) {}
  ElementBuilder& set(const char* k, const std::string& v) {
    xml::set_attr(xml::root(doc_), k, v);
    return *this;
  }
  std::string str() const { return xml::to_string(xml::root(doc_), false); }

 private:
  xml::DocPtr doc_;
};


// Clone notifications change no resource state: like the peer's controller
// (controld_execd.c), no history is kept of them (the scheduler ignores
// notify records anyway, and a "notify" under <rsc>_last_0 would replace the
// start or stop it must see).
bool kept_in_history(const std::string& operation) { return operation != "notify"; }

// An executor result as the status section records it (without the
// transition key and digest, which only the DC's request knows).
crm::OpRecord op_record(const lrmd::ExecResult& r, const std::string& node) {
  return crm::OpRecord{.rsc_id = r.rsc_id, .rsc_class = r.standard, .rsc_provider = r.provider,
                           .rsc_type = r.type, .operation = r.action, .interval_ms = r.interval_ms,
                           .call_id = r.call_id, .rc = r.rc, .op_status = exec_status_code(r.op_status),
                           .exec_time_ms = r.duration_ms, .queue_time_ms = r.queue_ms,
                           .last_rc_change = r.start_time + r.duration_ms / 1000, .on_node = node,
                           .exit_reason = r.exit_reason};
}

// Drops the recurring operation rsc/action/interval from `ops`.
void forget_recurring(std::vector<lrmd::ExecRequest>& ops, const std::string& rsc, const std::string& action,
                      uint32_t interval_ms) {
  ops.erase(std::remove_if(ops.begin(), ops.end(),
                           [&](const lrmd::ExecRequest& r) {
                             return r.rsc_id == rsc && r.action == action && r.interval_ms == interval_ms;
                           }),
            ops.end());
}

std::string xpath_node_state(NodeId id) { return "/cib/status/node_state[@id='" + id_str(id) + "']"; }

#ifndef CRM_DC_VERSION
#define CRM_DC_VERSION "0.0.0-crm"
#endif

// The value of the nvpair `name` in crm_config's cib-bootstrap-options, or nullopt.
}  // namespace

std::optional<std::string> bootstrap_option(const cib::Cib& cib, const std::string& name) {
  auto found = cib.query("/cib/configuration/crm_config/cluster_property_set[@id='cib-bootstrap-options']/nvpair[@name='" +
                         name + "']");
  if (!found.ok() || found->empty()) return std::nullopt;
  return xml::attr_or(found->front(), "value");
}

const char* dc_version() { return CRM_DC_VERSION; }

Scheduler policy_engine(SchedulerObserver observe) {
  return [observe](const cib::Cib& cib, std::time_t now) -> Result<tengine::Graph> {
    auto t = pengine::schedule(cib.doc(), now);
    Result<tengine::Graph> graph = t.ok() ? tengine::Graph::from(*t) : Result<tengine::Graph>(t.status());
    if (observe) observe(cib, now, graph, t.ok() ? t->warnings : std::vector<std::string>{});
    return graph;
  };
}

// ---------------------------------------------------------------------------
// The DC's executor for the transition engine: rsc_ops go to the target node's
// controller over the group (our own included), crm_events are handled here.
class Controller::DcExecutor final : public tengine::ActionExecutor {
 public:
  explicit DcExecutor(Controller& c) : c_(c) {}
  Status execute(const tengine::Action& a, const std::string& key) override {
    if (a.type == tengine::ActionType::kCrmEvent) return crm_event(a);
    auto target = c_.node_id(a.on_node);
    if (!target || std::find(c_.members_.begin(), c_.members_.end(), *target) == c_.members_.end()) {
      c_.log("cannot run " + a.operation_key + " on " + a.on_node + ": not a member");
      return unavailable("node " + a.on_node + " is not a member");
    }
    std::string digest = pengine::op_digest(a.attributes, a.interval_ms);
    bool probe = a.operation == "monitor" && a.interval_ms == 0;
    if (!probe && a.interval_ms == 0 && a.operation != "cancel" && a.operation != "delete" &&
        kept_in_history(a.operation)) {
      // Record the operation as pending first, so a DC that takes over sees it.
      crm::OpRecord rec{.rsc_id = a.rsc_id, .rsc_class = a.rsc_class, .rsc_provider = a.rsc_provider,
                            .rsc_type = a.rsc_type, .operation = a.operation, .interval_ms = a.interval_ms,
                            .call_id = -1, .rc = 193, .op_status = -1, .target_rc = a.target_rc,
                            .last_rc_change = c_.deps_.clock.wall_now(), .transition_key = key,
                            .op_digest = digest, .on_node = a.on_node,
                            .migrate_source = a.meta("migrate_source").value_or(""),
                            .migrate_target = a.meta("migrate_target").value_or("")};
      c_.record(*target, rec);
    }
    c_.send(wire::encode(wire::ExecOrder{.target = a.on_node, .key = key, .digest = digest, .rsc_id = a.rsc_id,
                                         .rsc_class = a.rsc_class, .rsc_provider = a.rsc_provider,
                                         .rsc_type = a.rsc_type, .operation = a.operation,
                                         .interval_ms = static_cast<uint32_t>(a.interval_ms),
                                         .timeout_ms = static_cast<uint32_t>(a.timeout.count()),
                                         .attributes = a.attributes}));
    return Status::Ok();
  }

 private:
  Status crm_event(const tengine::Action& a) {
    if (a.operation == "do_shutdown" && a.on_node == c_.name_ && c_.others_stopping()) {
      // The DC goes last: maybe_release_shutdown_nodes() lets it exit once
      // the other stopping nodes have left.
      c_.log("this DC ran down its resources: it exits once the other stopping nodes have left");
    } else if (a.operation == "do_shutdown") {
      c_.send(wire::encode(wire::DoShutdown{.target = a.on_node}));
      if (auto id = c_.node_id(a.on_node)) {
        c_.shutdown_released_.insert(*id);
        c_.write_expected_down(*id);
      }
    } else if (a.operation == "clear_failcount") {
      if (auto id = c_.node_id(a.on_node)) c_.clear_failcount(*id, a.rsc_id.empty() ? a.operation_key : a.rsc_id);
    } else if (a.operation == "stonith") {
      return c_.start_fencing(a);  // done when the fencer answers
    }
    c_.transition_->action_done(a.id, {});
    return Status::Ok();
  }
  Controller& c_;
};

// ---------------------------------------------------------------------------

Controller::Controller(NodeId self, std::string name, ControllerDeps deps, ControllerOptions options)
    : self_(self),
      name_(std::move(name)),
      deps_(std::move(deps)),
      options_(options),
      replica_(std::make_shared<const cib::Cib>(cib::Cib::empty())),
      view_(cib::Cib::empty()) {
  names_[self_] = name_;
  dc_executor_ = std::make_unique<DcExecutor>(*this);
  alerts_ = std::make_unique<AlertState>();
}

struct Controller::AlertState {
  std::vector<alerts::Agent> agents;
  std::string warnings;               // the last ones logged
  uint64_t sequence = 0;              // CRM_alert_node_sequence
  // The DC's node attributes as of its last CIB copy, while some agent
  // selects attribute events (none before the first copy as DC).
  std::optional<alerts::NodeAttributes> attributes;
};

Controller::~Controller() = default;

void Controller::reload_alerts() {
  std::vector<std::string> warnings;
  alerts_->agents = alerts::read_agents(xml::first_child(replica_->configuration(), "alerts"), &warnings);
  std::string joined;
  for (const auto& w : warnings) joined += w + "; ";
  if (joined != alerts_->warnings && !joined.empty()) log("alerts: " + joined);
  alerts_->warnings = joined;
  // The DC alerts on attribute changes (one node does, as the peer's
  // attribute writer); the others do not read the status for it.
  bool selected =
      std::any_of(alerts_->agents.begin(), alerts_->agents.end(), [](const auto& a) { return a.kinds & alerts::kAttribute; });
  if (!selected || !is_dc()) {
    alerts_->attributes.reset();
    return;
  }
  alerts::NodeAttributes now = alerts::node_attributes(replica_->status());
  if (alerts_->attributes) {
    for (const alerts::Event& e : alerts::attribute_changes(*alerts_->attributes, now)) alert(e);
  }
  alerts_->attributes = std::move(now);
}

void Controller::alert(const alerts::Event& event) {
  if (alerts_->agents.empty()) return;
  for (lrmd::ExecRequest& req : alerts::requests(alerts_->agents, event, deps_.clock.wall_now_us(), &alerts_->sequence)) {
    out_.executor.push_back({.kind = ExecutorCall::Kind::kExec, .request = std::move(req)});
  }
}

void Controller::log(const std::string& line) const {
  if (deps_.log) deps_.log(line);
}

void Controller::set_state(State s) {
  if (s == state_) return;
  log(std::string("state ") + state_name(state_) + " -> " + state_name(s));
  state_ = s;
}

Outputs Controller::step(const Input& input) {
  finished_transitions_.clear();
  std::visit(
      [this](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, Membership>) on_membership(in);
        else if constexpr (std::is_same_v<T, Quorum>) on_quorum(in.quorate);
        else if constexpr (std::is_same_v<T, Message>) on_message(in.from, in.payload);
        else if constexpr (std::is_same_v<T, LocalResult>) on_local_result(in.result);
        else if constexpr (std::is_same_v<T, CibSnapshot>) {
          if (in.synced_members) cib_synced_members_ = std::set<NodeId>(in.synced_members->begin(), in.synced_members->end());
          on_cib_snapshot(in.cib, in.replaced_by);
        }
        else if constexpr (std::is_same_v<T, CibWriteDone>) on_cib_write_done(in.id, in.status);
        else if constexpr (std::is_same_v<T, ExecutorHistory>) on_executor_history(in);
        else if constexpr (std::is_same_v<T, FenceResult>) on_fence_result(in);
        else if constexpr (std::is_same_v<T, FenceEvent>) on_fence_event(in);
        else if constexpr (std::is_same_v<T, Tick>) on_tick();
        else if constexpr (std::is_same_v<T, ShutdownRequest>) on_shutdown();
        else if constexpr (std::is_same_v<T, ClusterNodes>) on_cluster_nodes(in.nodes);
        else if constexpr (std::is_same_v<T, ToolPing>) on_tool_ping(in);
      },
      input);
  // A transition that finished inside the handlers: plan again when needed.
  for (int guard = 0; guard < 8; ++guard) {
    if (transition_done_) {
      transition_done_ = false;
      finished_transitions_.push_back(std::move(transition_));
    }
    run_policy_engine_if_needed();
    if (!transition_done_) break;
  }
  Outputs out = std::move(out_);
  out_ = Outputs{};
  out.deadline = next_deadline();
  return out;
}

std::optional<Clock::Monotonic> Controller::next_deadline() const {
  std::optional<Clock::Monotonic> best;
  auto consider = [&](std::optional<Clock::Monotonic> t) {
    if (t && (!best || *t < *best)) best = t;
  };
  if (transition_ && !transition_->finished()) consider(transition_->next_deadline());
  if (state_ == State::kIntegration) consider(join_deadline_);
  consider(shutdown_deadline_);
  if (replan_) consider(fence_retry_at_);
  if (replan_ && pacing()) consider(paced_plan_at_);
  if (dc_ == 0 && !seen_others_) consider(dc_deadline_);
  for (const auto& [node, deadline] : controller_gone_) consider(deadline);
  return best;
}

std::string Controller::node_name(NodeId id) const {
  auto it = names_.find(id);
  if (it != names_.end()) return it->second;
  StatusView v = read_status(view_);
  if (const NodeView* n = v.by_id(id_str(id))) return n->uname;
  return "";
}

std::optional<NodeId> Controller::node_id(const std::string& name) const {
  for (const auto& [id, n] : names_) {
    if (n == name) return id;
  }
  StatusView v = read_status(view_);
  auto it = v.nodes.find(name);
  if (it != v.nodes.end() && !it->second.id.empty()) {
    long id = to_long(it->second.id, -1);
    if (id > 0) return static_cast<NodeId>(id);
  }
  return std::nullopt;
}

// ---- the CIB view -----------------------------------------------------------

void Controller::rebuild_view() {
  view_ = replica_->copy();
  ++view_generation_;
  for (const Outstanding& o : outstanding_) {
    auto applied = cib::apply_request(view_, o.request, nullptr);
    (void)applied;
  }
  decorate_view();
}

void Controller::decorate_view() {
  if (is_dc()) {
    bool q = effective_quorum();
    if (q) ever_had_quorum_ = true;
    xml::set_attr(view_.root(), "have-quorum", q ? "1" : "0");
    xml::set_attr(view_.root(), "dc-uuid", id_str(self_));
    // As the peer's controller tells its scheduler: quorum was held and is
    // lost. no-quorum-policy=suicide acts only then (a partition that never
    // had quorum, e.g. a node starting alone, stops instead).
    if (ever_had_quorum_ && !q) {
      xml::set_attr(view_.root(), "no-quorum-panic", "1");
    } else {
      xml::remove_attr(view_.root(), "no-quorum-panic");
    }
  }
}

cib::Cib Controller::planning_view() const { return view_.copy(); }

bool Controller::effective_quorum() const {
  // corosync's verdict, and never more than a strict majority of the nodes we
  // know of (quorum notifications may lag the membership change).
  size_t known = members_.size();
  if (xmlNode* cfg = view_.configuration()) {
    if (xmlNode* nodes = xml::first_child(cfg, "nodes")) known = std::max(known, xml::children(nodes, "node").size());
  }
  known = std::max(known, max_members_seen_);
  if (options_.two_node && known <= 2) return quorate_;
  return quorate_ && members_.size() * 2 > known;
}

void Controller::submit(cib::Request r, Fingerprint effect) {
  // Our own write must not look like someone else's change: when the view
  // was in step with the last plan, it still is after the write.
  bool in_sync = effect == Fingerprint::kMayChange && is_dc() && fingerprint(view_) == last_fingerprint_;
  auto applied = cib::apply_request(view_, r, nullptr);
  if (!applied.ok() && applied.status().code() == StatusCode::kNotFound) return;  // nothing to delete
  decorate_view();
  if (in_sync) last_fingerprint_ = fingerprint(view_);
  uint64_t seq = next_seq_++;
  outstanding_.push_back({seq, r});
  out_.cib_writes.push_back({seq, std::move(r)});
}

void Controller::on_cib_write_done(uint64_t id, const Status& st) {
  if (!st.ok() && st.code() != StatusCode::kNotFound) log("CIB update refused: " + st.to_string());
  for (auto it = outstanding_.begin(); it != outstanding_.end(); ++it) {
    if (it->seq == id) {
      outstanding_.erase(it);
      break;
    }
  }
}

std::string Controller::fingerprint(const cib::Cib& view) const {
  // What makes a new plan necessary when someone else changes it: the
  // configuration, node attributes, tickets (crm_ticket, a ticket manager),
  // the set of resources with history per node (cleanup removes them).
  // Operation results reach the DC as messages.
  // The configuration's text is serialized once per epoch of this copy, not
  // per CIB write: a transition of a thousand results writes thousands.
  const cib::Version v = view.version();
  const auto key = std::make_tuple(view_generation_, static_cast<uint64_t>(v.admin_epoch), static_cast<uint64_t>(v.epoch));
  if (&view != &view_ || config_fingerprint_key_ != key) {
    xmlNode* cfg = view.configuration();
    std::string text = cfg ? xml::to_string(cfg, false) : std::string();
    if (&view != &view_) return text + status_fingerprint(view);
    config_fingerprint_ = std::move(text);
    config_fingerprint_key_ = key;
  }
  return config_fingerprint_ + status_fingerprint(view);
}

std::string Controller::status_fingerprint(const cib::Cib& view) const {
  std::string fp;
  if (xmlNode* status = view.status()) {
    if (xmlNode* tickets = xml::first_child(status, "tickets")) fp += xml::to_string(tickets, false);
    for (xmlNode* ns : xml::children(status, "node_state")) {
      fp += "|" + xml::attr_or(ns, "id") + ":" + xml::attr_or(ns, "join");
      if (xmlNode* ta = xml::first_child(ns, "transient_attributes")) fp += xml::to_string(ta, false);
      if (xmlNode* lrm = xml::first_child(ns, "lrm")) {
        if (xmlNode* rs = xml::first_child(lrm, "lrm_resources")) {
          for (xmlNode* r : xml::children(rs, "lrm_resource")) fp += "," + xml::attr_or(r, "id");
        }
      }
    }
  }
  return fp;
}

void Controller::record(NodeId node, const crm::OpRecord& op) {
  // One lrm_rsc_op (and lrm_resource) merged into node_state/lrm.
  xml::DocPtr doc = xml::new_document("node_state");
  xmlNode* ns = xml::root(doc);
  xml::set_attr(ns, "id", id_str(node));
  xmlNode* lrm = xml::add_child(ns, "lrm");
  xml::set_attr(lrm, "id", id_str(node));
  xmlNode* rs = xml::add_child(lrm, "lrm_resources");
  crm::record_op(rs, op);
  // Entries merged onto an existing element keep stale attributes: delete the
  // ones we replace first when they have any.
  std::string rsc_xpath = xpath_node_state(node) + "/lrm/lrm_resources/lrm_resource[@id='" + op.rsc_id + "']";
  bool drop_recurring = op.op_status == 0 && op.interval_ms == 0 && !op.failed() &&
                        (op.operation == "stop" || op.operation == "start");
  // Below an lrm_resource the view has already, nothing fingerprint() reads changes.
  Fingerprint effect = Fingerprint::kMayChange;
  if (auto existing = view_.query(rsc_xpath); existing.ok() && !existing->empty()) {
    effect = Fingerprint::kUnchanged;
    if (drop_recurring) {
      // Recurring results go with the stop/start; the last failure stays until a
      // cleanup, as the peer keeps it (crm_mon's "Failed Resource Actions").
      submit({.op = cib::Op::kDelete,
              .xpath = rsc_xpath + "/lrm_rsc_op[@interval!='0' and @id!='" + crm::last_failure_id(op.rsc_id) + "']",
              .delete_all = true},
             effect);
    }
    for (xmlNode* r : xml::children(xml::first_child(rs, "lrm_resource"), "lrm_rsc_op")) {
      // Only an entry with an attribute the new one lacks needs deleting: a
      // merge overwrites every other (one CIB change per result instead of
      // two, a thousand fewer in a failover of a thousand resources).
      const std::string id = xml::attr_or(r, "id");
      xmlNode* old = nullptr;
      for (xmlNode* o : xml::children(existing->front(), "lrm_rsc_op")) {
        if (xml::attr_or(o, "id") == id) {
          old = o;
          break;
        }
      }
      if (!old) continue;
      bool stale = false;
      for (const xmlAttr* a = old->properties; a && !stale; a = a->next) {
        stale = !xmlHasProp(r, a->name);
      }
      if (stale) submit({.op = cib::Op::kDelete, .xpath = rsc_xpath + "/lrm_rsc_op[@id='" + id + "']"}, effect);
    }
  }
  submit({.op = cib::Op::kModify, .section = "status", .fragment = xml::to_string(ns, false), .allow_create = true},
         effect);
}

void Controller::set_node_attribute(NodeId node, const std::string& name, const std::string& value) {
  std::string sid = "status-" + id_str(node);
  std::string pid = sid + "-" + name;
  std::replace(pid.begin(), pid.end(), '#', '.');
  xml::DocPtr doc = xml::new_document("node_state");
  xmlNode* ns = xml::root(doc);
  xml::set_attr(ns, "id", id_str(node));
  xmlNode* ta = xml::add_child(ns, "transient_attributes");
  xml::set_attr(ta, "id", id_str(node));
  xmlNode* ia = xml::add_child(ta, "instance_attributes");
  xml::set_attr(ia, "id", sid);
  xmlNode* nv = xml::add_child(ia, "nvpair");
  xml::set_attr(nv, "id", pid);
  xml::set_attr(nv, "name", name);
  xml::set_attr(nv, "value", value);
  submit({.op = cib::Op::kModify, .section = "status", .fragment = xml::to_string(ns, false), .allow_create = true});
}

void Controller::clear_failcount(NodeId node, const std::string& rsc) {
  std::string base = xpath_node_state(node) + "/transient_attributes/instance_attributes/nvpair";
  for (const char* prefix : {"fail-count-", "last-failure-"}) {
    std::string xp = base + "[starts-with(@name,'" + prefix + rsc + "#')]";
    if (auto found = view_.query(xp); found.ok() && !found->empty()) {
      submit({.op = cib::Op::kDelete, .xpath = xp, .delete_all = true});
    }
  }
}

// ---- inputs -------------------------------------------------------------------

void Controller::on_membership(const Membership& m) {
  NodeId old_dc = dc_;
  bool was_dc = is_dc();
  // A join this DC had not finished: its view (a CIB copy that may have
  // replaced ours, members' states not yet written) is no plan's input.
  const bool join_unfinished = was_dc && (state_ == State::kIntegration || state_ == State::kFinalizeJoin);
  members_ = m.members;
  if (effective_quorum()) ever_had_quorum_ = true;
  std::sort(members_.begin(), members_.end());
  for (NodeId back : m.joined) {
    lost_unclean_.erase(back);
    fenced_members_.erase(back);
    fenced_while_not_dc_.erase(node_name(back));  // rebooted and back: what it reports now is the truth
    fence_failures_.erase(node_name(back));
    fence_given_up_.erase(node_name(back));
  }
  max_members_seen_ = std::max(max_members_seen_, members_.size());
  if (std::find(members_.begin(), members_.end(), self_) == members_.end()) {
    log("membership without this node; waiting");
    return;
  }
  if (last_join_dc_ != 0 && std::find(m.left.begin(), m.left.end(), last_join_dc_) != m.left.end()) {
    // The DC we answered left: a restarted one counts its join offers from 1
    // again, so its offers must not be taken for old ones.
    last_join_dc_ = 0;
    last_join_gen_answered_ = 0;
  }
  if (members_.size() > 1) seen_others_ = true;
  if (members_.size() == 1 && !seen_others_) {
    size_t configured = 0;
    if (xmlNode* cfg = replica_->configuration()) {
      if (xmlNode* nodes = xml::first_child(cfg, "nodes")) configured = xml::children(nodes, "node").size();
    }
    auto now = deps_.clock.monotonic_now();
    if (configured > 1 && !(dc_deadline_ && now >= *dc_deadline_)) {
      if (!dc_deadline_) {
        auto deadtime = options_.dc_deadtime;
        if (auto v = bootstrap_option(*replica_, "dc-deadtime")) {
          if (auto ms = crm::parse_interval(*v); ms.ok()) deadtime = *ms;
        }
        dc_deadline_ = now + deadtime;
        log("alone, with " + std::to_string(configured) + " nodes configured: waiting up to " +
            std::to_string(deadtime.count()) + " ms (dc-deadtime) for the others before acting as DC");
      }
      dc_ = 0;
      set_state(shutting_down_ ? State::kStopping : State::kPending);
      return;
    }
  }
  set_state(State::kElection);
  dc_ = members_.front();  // the election: lowest node id, no vote needed
  if (dc_ != old_dc) log("DC is now node " + id_str(dc_) + " (" + node_name(dc_) + ")");
  if (dc_ != old_dc && shutting_down_ && state_ != State::kStopped) {
    // Our request may have reached only the DC that left (or died with its
    // CIB write): the new DC hears it again. Repeating it is harmless.
    log("asking the new DC again to move resources away for our shutdown");
    send(wire::encode(wire::ShutdownRequest{.node = self_, .name = name_}));
  }
  if (transition_) {
    for (NodeId gone : m.left) transition_->node_lost(node_name(gone));
  }
  if (!is_dc()) {
    if (was_dc) {
      // A node with a lower id took over: stop driving our transition.
      if (transition_ && !transition_->finished()) transition_->abort("no longer the DC");
    }
    awaiting_join_.clear();
    set_state(shutting_down_ ? State::kStopping : (old_dc == dc_ && joined_ ? State::kNotDc : State::kPending));
    if (dc_ != old_dc) {
      // Announce ourselves, as the peer's join announce: the DC may have
      // seen no change at all (we were cut off alone, acted as our own DC,
      // and corosync merged us back without the others' membership ever
      // losing us), and then it would never offer us a join.
      send(wire::encode(wire::JoinRequest{.node = self_, .name = name_, .gen = 0, .history_xml = "<lrm_resources/>",
                                          .cib_version = replica_->version().to_string()}));
    }
    return;
  }
  rebuild_view();
  for (const std::string& target : fenced_while_not_dc_) {
    auto id = node_id(target);
    if (id && std::find(members_.begin(), members_.end(), *id) == members_.end()) {
      log("node " + target + " was fenced before we took over: it is down");
      write_node_down(*id);
    }
  }
  fenced_while_not_dc_.clear();
  // A new DC always runs a join round, also when it takes over from a DC
  // that left: its CIB copy may lag the old DC's last writes (results of
  // operations it had asked for), and planning on that copy would start
  // things that already run, or leave running what it should stop. The
  // members' executors know the truth; the round costs one exchange.
  bool need_join = !was_dc || !m.joined.empty();
  if (!was_dc && old_dc != 0 && old_dc != self_) log("taking over as DC from node " + id_str(old_dc));
  for (NodeId back : m.joined) {
    if (controller_gone_.erase(back)) log("the controller of node " + id_str(back) + " is back");
  }
  for (NodeId gone : m.left) controller_left(gone);
  if (join_unfinished) {
    need_join = true;
    log("a member left during the join: joining the remaining members again before planning");
  }
  write_cib_root_attributes();
  if (need_join) {
    start_integration();
  } else {
    set_state(State::kIdle);
    request_replan(m.left.empty() ? "membership change" : "node(s) left");
  }
}

void Controller::on_quorum(bool q) {
  if (q == quorate_) return;
  quorate_ = q;
  if (effective_quorum()) ever_had_quorum_ = true;
  log(std::string("quorum ") + (q ? "gained" : "lost"));
  if (is_dc()) {
    decorate_view();
    write_cib_root_attributes();
    request_replan("quorum changed");
  }
}

void Controller::write_cib_root_attributes() {
  if (!is_dc()) return;
  const xmlNode* root = replica_->root();
  std::string q = effective_quorum() ? "1" : "0";
  if (xml::attr_or(root, "have-quorum") != q || xml::attr_or(root, "dc-uuid") != id_str(self_)) {
    ElementBuilder b("cib");
    b.set("have-quorum", q).set("dc-uuid", id_str(self_));
    submit({.op = cib::Op::kModify, .section = "cib", .fragment = b.str()});
  }
  write_cluster_properties();
}

void Controller::write_cluster_properties() {
  // As the peer's DC: dc-version and cluster-infrastructure in
  // cib-bootstrap-options (crm_mon prints them), written only when they
  // differ (each write is a new epoch) and only with quorum (the CIB daemons
  // refuse configuration changes without it; on_quorum calls us again).
  if (!is_dc() || !effective_quorum()) return;
  const std::pair<const char*, std::string> wanted[] = {{"dc-version", dc_version()},
                                                        {"cluster-infrastructure", "corosync"}};
  xml::DocPtr doc = xml::new_document("crm_config");
  xmlNode* set = xml::add_child(xml::root(doc), "cluster_property_set");
  xml::set_attr(set, "id", "cib-bootstrap-options");
  bool needed = false;
  for (const auto& [name, value] : wanted) {
    if (bootstrap_option(view_, name) == value) continue;
    needed = true;
    xmlNode* nv = xml::add_child(set, "nvpair");
    xml::set_attr(nv, "id", std::string("cib-bootstrap-options-") + name);
    xml::set_attr(nv, "name", name);
    xml::set_attr(nv, "value", value);
  }
  if (!needed) return;
  log(std::string("writing dc-version=") + dc_version() + " and cluster-infrastructure=corosync");
  submit({.op = cib::Op::kModify, .section = "crm_config", .fragment = xml::to_string(xml::root(doc), false),
          .allow_create = true});
}

void Controller::on_message(NodeId from, const std::string& payload) {
  auto decoded = wire::decode(payload);
  if (!decoded.ok()) {
    log("ignoring malformed message from node " + id_str(from) + ": " + decoded.status().to_string());
    return;
  }
  auto learn_name = [&](NodeId node, const std::string& name) {
    if (node == from && !name.empty()) names_[from] = name;
  };
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, wire::JoinOffer>) {
          if (from == dc_) send_join_request(m.gen);
        } else if constexpr (std::is_same_v<T, wire::JoinRequest>) {
          learn_name(m.node, m.name);
          if (is_dc()) handle_join_request(from, m);
        } else if constexpr (std::is_same_v<T, wire::ExecOrder>) {
          if (m.target == name_ && from == dc_) handle_exec(m);
        } else if constexpr (std::is_same_v<T, wire::OpResult>) {
          learn_name(m.node, m.name);
          if (is_dc()) handle_op_result(from, m);
        } else if constexpr (std::is_same_v<T, wire::ShutdownRequest>) {
          learn_name(m.node, m.name);
          if (is_dc()) handle_shutdown_request(from);
        } else if constexpr (std::is_same_v<T, wire::DoShutdown>) {
          if (m.target == name_ && from == dc_) {
            log("the DC released this node: exiting");
            set_state(State::kStopped);
            out_.exit = true;
          }
        } else if constexpr (std::is_same_v<T, wire::PingRequest>) {
          if (m.target == name_) {
            send(wire::encode(wire::PingReply{.to = m.from, .token = m.token, .name = name_, .state = state_name(state_)}));
          }
        } else if constexpr (std::is_same_v<T, wire::PingReply>) {
          if (m.to == self_) out_.tool_answers.push_back({.token = m.token, .name = m.name, .state = m.state});
        }
      },
      *decoded);
}

void Controller::on_tool_ping(const ToolPing& ping) {
  if (ping.target == name_) {
    out_.tool_answers.push_back({.token = ping.token, .name = name_, .state = state_name(state_)});
    return;
  }
  // Only a controller in the group can answer; asking any other name would
  // leave the tool waiting for its timeout.
  auto id = node_id(ping.target);
  if (!id || std::find(members_.begin(), members_.end(), *id) == members_.end()) {
    out_.tool_answers.push_back(
        {.token = ping.token, .name = ping.target, .status = not_found("no controller on " + ping.target + " in the group")});
    return;
  }
  send(wire::encode(wire::PingRequest{.from = self_, .token = ping.token, .target = ping.target}));
}

void Controller::on_cib_snapshot(std::shared_ptr<const cib::Cib> cib, NodeId replaced_by) {
  if (!cib) return;
  replica_ = std::move(cib);
  reload_alerts();
  if (!is_dc()) {
    view_ = replica_->copy();
    ++view_generation_;
    return;
  }
  rebuild_view();
  if (replaced_by != 0 && replaced_by != self_) {
    log("our CIB copy was replaced by node " + id_str(replaced_by) + "'s (" + replica_->version().to_string() +
        ") at a membership change: joining the members again before planning from it");
    join_after_replace_ = true;
    logged_replace_wait_ = false;
    if (state_ != State::kIntegration) {
      start_integration();
      return;
    }
  }
  if (state_ == State::kIntegration) maybe_finalize_join();
  if (state_ == State::kIntegration || state_ == State::kFinalizeJoin) return;
  std::string fp = fingerprint(view_);
  if (fp != last_fingerprint_) request_replan("CIB changed", Replan::kPaced);
}

void Controller::controller_left(NodeId node) {
  bool in_corosync = corosync_nodes_ &&
                     std::find(corosync_nodes_->begin(), corosync_nodes_->end(), node) != corosync_nodes_->end();
  // A node released to shut down (by us, or by a DC before us) left as it
  // was told to: it is down now, whatever corosync does next (a whole cluster
  // stopping at once must not wait the grace on each of its nodes).
  bool released = shutdown_released_.count(node) > 0;
  if (!released) {
    StatusView v = read_status(view_);
    const NodeView* nv = v.by_id(id_str(node));
    released = nv && nv->leaves_cleanly();
  }
  if (!in_corosync || released) {
    controller_gone_.erase(node);
    mark_node_down(node);
    return;
  }
  log("the controller of node " + id_str(node) + " (" + node_name(node) +
      ") left while the node is still in corosync's membership: recovering its resources waits until corosync drops "
      "the node too, or " + std::to_string(options_.controller_return_grace.count()) +
      " ms pass without its controller coming back");
  controller_gone_[node] = deps_.clock.monotonic_now() + options_.controller_return_grace;
}

void Controller::on_cluster_nodes(const std::vector<NodeId>& nodes) {
  std::vector<NodeId> before = corosync_nodes_.value_or(std::vector<NodeId>{});
  corosync_nodes_ = nodes;
  std::sort(corosync_nodes_->begin(), corosync_nodes_->end());
  // Every node's controller alerts on corosync's membership, as the peer's
  // (its first view counts: each node is new to it).
  for (NodeId n : *corosync_nodes_) {
    if (!std::binary_search(before.begin(), before.end(), n)) alert(alerts::node_event(node_name(n), n, "member"));
  }
  for (NodeId n : before) {
    if (!std::binary_search(corosync_nodes_->begin(), corosync_nodes_->end(), n)) {
      alert(alerts::node_event(node_name(n), n, "lost"));
    }
  }
  if (!is_dc()) {
    controller_gone_.clear();
    return;
  }
  std::vector<NodeId> down;
  for (const auto& [node, deadline] : controller_gone_) {
    if (!std::binary_search(corosync_nodes_->begin(), corosync_nodes_->end(), node)) down.push_back(node);
  }
  for (NodeId node : down) {
    controller_gone_.erase(node);
    log("node " + id_str(node) + " (" + node_name(node) + ") left corosync too");
    mark_node_down(node);
    request_replan("node(s) left");
  }
}

void Controller::on_tick() {
  auto now = deps_.clock.monotonic_now();
  std::vector<NodeId> expired;
  for (const auto& [node, deadline] : controller_gone_) {
    if (deadline <= now) expired.push_back(node);
  }
  for (NodeId node : expired) {
    controller_gone_.erase(node);
    log("the controller of node " + id_str(node) + " did not come back: taking the node for down");
    if (is_dc()) {
      mark_node_down(node, /*in_corosync=*/true);
      request_replan("controller of node " + id_str(node) + " gone");
    }
  }
  if (dc_ == 0 && !seen_others_ && dc_deadline_ && *dc_deadline_ <= now && members_.size() == 1) {
    log("dc-deadtime passed without other members: acting as DC");
    seen_others_ = true;
    on_membership(Membership{members_, {}, {}});
  }
  if (transition_ && !transition_->finished()) transition_->tick();
  if (state_ == State::kIntegration && join_deadline_ && *join_deadline_ <= now) {
    std::string missing;
    for (NodeId n : awaiting_join_) missing += " " + id_str(n);
    if (missing.empty()) {
      log("join: our CIB copy (" + replica_->version().to_string() + ") did not reach " +
          newest_member_cib_.to_string() + " in time: planning from it");
    } else {
      log("join timed out waiting for node(s)" + missing);
    }
    awaiting_join_.clear();
    finalize_join();
  }
  if (shutdown_deadline_ && *shutdown_deadline_ <= now && state_ != State::kStopped) {
    log("shutdown timed out: exiting");
    set_state(State::kStopped);
    out_.exit = true;
  }
}

void Controller::on_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_deadline_ = deps_.clock.monotonic_now() + options_.shutdown_timeout;
  if (members_.empty()) {
    set_state(State::kStopped);
    out_.exit = true;
    return;
  }
  log("shutdown requested: asking the DC to move resources away");
  if (!is_dc()) set_state(State::kStopping);
  send(wire::encode(wire::ShutdownRequest{.node = self_, .name = name_}));
}

// ---- DC: join -------------------------------------------------------------------

void Controller::start_integration() {
  ++join_gen_;
  awaiting_join_.clear();
  join_histories_.clear();
  results_after_history_.clear();
  for (NodeId n : members_) {
    if (n != self_) awaiting_join_.insert(n);
  }
  if (transition_ && !transition_->finished()) transition_->abort("join in progress");
  set_state(State::kIntegration);
  join_deadline_ = deps_.clock.monotonic_now() + options_.join_timeout;
  newest_member_cib_ = cib::Version{};
  logged_cib_wait_ = false;
  send(wire::encode(wire::JoinOffer{.dc = self_, .gen = join_gen_}));
  if (awaiting_join_.empty()) maybe_finalize_join();  // alone: only the CIB conditions remain
}

void Controller::send_join_request(uint64_t gen) {
  if (gen <= last_join_gen_answered_ && dc_ == last_join_dc_) return;
  last_join_gen_answered_ = gen;
  last_join_dc_ = dc_;
  send(wire::encode(wire::JoinRequest{.node = self_, .name = name_, .gen = gen, .history_xml = history_xml(),
                                      .cib_version = replica_->version().to_string()}));
  if (!is_dc()) set_state(shutting_down_ ? State::kStopping : State::kNotDc);
  joined_ = true;
}

void Controller::handle_join_request(NodeId from, const wire::JoinRequest& msg) {
  if (msg.gen == 0) {  // an announce: a member that needs joining
    if (from == self_ || std::find(members_.begin(), members_.end(), from) == members_.end()) return;
    if (state_ == State::kIntegration) {
      send(wire::encode(wire::JoinOffer{.dc = self_, .gen = join_gen_}));  // it may have missed the offer
    } else {
      log("node " + id_str(from) + " (" + node_name(from) + ") announces itself: joining the members again");
      start_integration();
    }
    return;
  }
  if (state_ != State::kIntegration) {
    // A late answer (or to an earlier offer): nothing to integrate now.
    return;
  }
  if (msg.gen != join_gen_) return;
  join_histories_[from] = msg.history_xml;
  if (auto v = cib::Version::parse(msg.cib_version); v.ok() && *v > newest_member_cib_) newest_member_cib_ = *v;
  awaiting_join_.erase(from);
  if (awaiting_join_.empty()) maybe_finalize_join();
}

void Controller::maybe_finalize_join() {
  if (state_ != State::kIntegration || !awaiting_join_.empty()) return;
  cib::Version mine = replica_->version();
  if (mine < newest_member_cib_) {
    if (!logged_cib_wait_) {
      log("join: waiting for our CIB copy (" + mine.to_string() + ") to reach the newest a member has (" +
          newest_member_cib_.to_string() + ") before planning");
      logged_cib_wait_ = true;
    }
    return;  // a CibSnapshot or the join deadline finishes it
  }
  if (cib_synced_members_) {
    std::string missing;
    for (NodeId n : members_) {
      if (!cib_synced_members_->count(n)) missing += " " + id_str(n);
    }
    if (!missing.empty()) {
      if (!logged_sync_wait_) {
        log("join: waiting for the CIB daemons to sync our copy with node(s)" + missing + " before planning");
        logged_sync_wait_ = true;
      }
      return;  // a CibSnapshot or the join deadline finishes it
    }
  }
  logged_sync_wait_ = false;
  if (join_after_replace_ && corosync_nodes_) {
    std::string missing;
    for (NodeId n : *corosync_nodes_) {
      if (std::find(members_.begin(), members_.end(), n) == members_.end()) missing += " " + id_str(n);
    }
    if (!missing.empty()) {
      if (!logged_replace_wait_) {
        log("join: waiting for the controller of node(s)" + missing +
            " (in corosync's membership) before planning from the replaced CIB");
        logged_replace_wait_ = true;
      }
      return;  // their Membership starts a new round; the join deadline ends the wait
    }
  }
  finalize_join();
}

void Controller::finalize_join() {
  set_state(State::kFinalizeJoin);
  join_after_replace_ = false;
  join_histories_[self_] = history_xml();
  StatusView v = read_status(view_);
  for (auto& [node, hist] : join_histories_) {
    if (std::find(members_.begin(), members_.end(), node) == members_.end()) continue;
    std::string uname = node_name(node);
    auto it = v.nodes.find(uname);
    if (it == v.nodes.end() || !it->second.in_config) {
      ElementBuilder n("node");
      n.set("id", id_str(node)).set("uname", uname);  // no type, as the peer writes them (crmsh shows a type other than "normal")
      submit({.op = cib::Op::kCreate, .section = "nodes", .fragment = n.str()});
    }
    auto hdoc = xml::parse(hist, "join history");
    xml::DocPtr doc = xml::new_document("node_state");
    xmlNode* root = xml::root(doc);
    xml::set_attr(root, "id", id_str(node));
    xml::set_attr(root, "uname", uname);
    xml::set_attr(root, "in_ccm", "true");
    xml::set_attr(root, "crmd", "online");
    xml::set_attr(root, "crm-debug-origin", "do_lrm_query_internal");
    xml::set_attr(root, "join", "member");
    xml::set_attr(root, "expected", "member");
    xmlNode* lrm = xml::add_child(root, "lrm");
    xml::set_attr(lrm, "id", id_str(node));
    if (hdoc.ok()) {
      xmlNode* rs = xmlDocCopyNode(xml::root(*hdoc), doc.get(), 1);
      xmlAddChild(lrm, rs);
      keep_last_failures(node, rs);
    }
    // The node's history as its executor knows it replaces what the CIB had.
    submit({.op = cib::Op::kDelete, .xpath = xpath_node_state(node) + "/lrm"});
    submit({.op = cib::Op::kModify, .section = "status", .fragment = xml::to_string(root, false), .allow_create = true});
  }
  for (const auto& [node, op] : results_after_history_) {
    if (join_histories_.count(node)) record(node, op);
  }
  results_after_history_.clear();
  join_histories_.clear();
  join_deadline_.reset();
  // Nodes the CIB copy still shows online but that are not members (this
  // DC's copy predates their departure, e.g. it restarted while they left):
  // down, so nothing is planned on them.
  for (const auto& [uname, nv] : v.nodes) {
    long id = to_long(nv.id, -1);
    if (!nv.online || id <= 0) continue;
    if (std::find(members_.begin(), members_.end(), static_cast<NodeId>(id)) == members_.end()) {
      // Known from the CIB copy only, not seen leaving: not kept unclean
      // below if a newer copy says otherwise.
      bool seen_lost = lost_unclean_.count(static_cast<NodeId>(id)) > 0;
      mark_node_down(static_cast<NodeId>(id));
      if (!seen_lost) lost_unclean_.erase(static_cast<NodeId>(id));
    }
  }
  // Nodes this DC saw lost without a clean shutdown and not fenced since stay
  // unclean, whatever the CIB copy says now: after partitions merged it can
  // be the other side's, written before that node came back and was lost
  // again (down and clean there, its history gone), and recovering from it
  // would start what the node, hung, still runs. The peer's DC rewrites node
  // states from its own membership cache after a CIB replace.
  for (NodeId n : std::set<NodeId>(lost_unclean_)) {
    if (std::find(members_.begin(), members_.end(), n) != members_.end()) continue;
    const NodeView* nv = v.by_id(id_str(n));
    if (nv && !nv->online && !nv->leaves_cleanly() && nv->expected_member) continue;
    log("node " + id_str(n) + " (" + node_name(n) + ") was lost without a clean shutdown and is not fenced yet, " +
        "whatever the CIB copy says: it stays unclean");
    ElementBuilder ns("node_state");
    ns.set("id", id_str(n)).set("in_ccm", "false").set("crmd", "offline").set("expected", "member");
    ns.set("crm-debug-origin", "peer_update_callback");
    if (!node_name(n).empty()) ns.set("uname", node_name(n));
    submit({.op = cib::Op::kModify, .section = "status", .fragment = ns.str(), .allow_create = true});
  }
  set_state(State::kIdle);
  request_replan("join complete");
}

void Controller::keep_last_failures(NodeId node, xmlNode* lrm_resources) {
  // The executor reports each operation's latest result only: a recurring
  // monitor that failed and then succeeded again shows no failure there. The
  // CIB's "<rsc>_last_failure_0" stays (until a cleanup, as the peer keeps it)
  // for every resource the executor still knows.
  for (xmlNode* r : xml::children(lrm_resources, "lrm_resource")) {
    const std::string id = crm::last_failure_id(xml::attr_or(r, "id"));
    bool has = false;
    for (xmlNode* op : xml::children(r, "lrm_rsc_op")) has = has || xml::attr_or(op, "id") == id;
    if (has) continue;
    auto old = view_.query(xpath_node_state(node) + "/lrm/lrm_resources/lrm_resource[@id='" + xml::attr_or(r, "id") +
                           "']/lrm_rsc_op[@id='" + id + "']");
    if (old.ok() && !old->empty()) xmlAddChild(r, xmlDocCopyNode(old->front(), r->doc, 1));
  }
}

bool Controller::fencing_enabled() const {
  auto v = bootstrap_option(view_, "stonith-enabled");
  return !v || is_true(*v);  // on unless configured off, as the peer's
}

void Controller::mark_node_down(NodeId node, bool in_corosync) {
  std::string uname = node_name(node);
  StatusView v = read_status(view_);
  const NodeView* nv = v.by_id(id_str(node));
  bool clean = nv == nullptr || nv->leaves_cleanly() || !fencing_enabled() || fenced_members_.erase(node) > 0;
  if (clean) {
    log("node " + id_str(node) + " (" + uname + ") left: marking it down, its resources stopped");
    controller_gone_.erase(node);  // nothing to wait for: it left as it should
    write_node_down(node);
    return;
  }
  // Lost without a clean shutdown: what it ran may still run (a hung node, a
  // node cut off but alive). The node stays a member as far as the join is
  // concerned and keeps its history, so the policy engine sees it unclean and
  // fences it before anything it held starts elsewhere.
  log("node " + id_str(node) + " (" + uname + ") lost without a clean shutdown: it must be fenced before its " +
      "resources are recovered");
  lost_unclean_.insert(node);
  ElementBuilder ns("node_state");
  ns.set("id", id_str(node)).set("in_ccm", in_corosync ? "true" : "false").set("crmd", "offline");
  ns.set("crm-debug-origin", "peer_update_callback");
  if (!uname.empty()) ns.set("uname", uname);
  submit({.op = cib::Op::kModify, .section = "status", .fragment = ns.str(), .allow_create = true});
  shutdown_released_.erase(node);
}

void Controller::write_node_down(NodeId node) {
  lost_unclean_.erase(node);
  std::string uname = node_name(node);
  ElementBuilder ns("node_state");
  ns.set("id", id_str(node)).set("in_ccm", "false").set("crmd", "offline").set("join", "down");
  ns.set("expected", "down").set("crm-debug-origin", "peer_update_callback");
  if (!uname.empty()) ns.set("uname", uname);
  submit({.op = cib::Op::kModify, .section = "status", .fragment = ns.str(), .allow_create = true});
  if (auto q = view_.query(xpath_node_state(node) + "/lrm"); q.ok()) {
    submit({.op = cib::Op::kDelete, .xpath = xpath_node_state(node) + "/lrm"});
  }
  if (auto q = view_.query(xpath_node_state(node) + "/transient_attributes"); q.ok()) {
    submit({.op = cib::Op::kDelete, .xpath = xpath_node_state(node) + "/transient_attributes"});
  }
  shutdown_released_.erase(node);
}

void Controller::write_expected_down(NodeId node) {
  // A node released to shut down: when it leaves, it left cleanly.
  ElementBuilder ns("node_state");
  ns.set("id", id_str(node)).set("expected", "down");
  submit({.op = cib::Op::kModify, .section = "status", .fragment = ns.str(), .allow_create = true});
}

// ---- DC: fencing -------------------------------------------------------------------

Status Controller::start_fencing(const tengine::Action& a) {
  const std::string& target = a.on_node;
  std::string action = a.meta("stonith_action").value_or("reboot");
  uint64_t id = next_fence_id_++;
  fence_ops_[id] = {target, a.id};
  ++stats_.fencing_requested;
  int attempt = fence_failures_.count(target) ? fence_failures_.at(target) + 1 : 1;
  log("fencing " + target + " (" + action + "), attempt " + std::to_string(attempt) + ": nothing it ran is " +
      "recovered before the fencer confirms");
  auto timeout = transition_ ? transition_->graph().stonith_timeout : std::chrono::milliseconds(60000);
  std::chrono::milliseconds delay{0};
  if (auto d = a.meta("priority_fencing_delay")) {
    delay = std::chrono::milliseconds(to_long(*d) * 1000);
    log("fencing of " + target + " delayed " + *d + " s (priority-fencing-delay: it runs the most important resources)");
  }
  out_.fencing.push_back({id, target, action, timeout, delay});
  return Status::Ok();
}

void Controller::on_fence_result(const FenceResult& r) {
  auto it = fence_ops_.find(r.id);
  std::string target = it == fence_ops_.end() ? r.target : it->second.target;
  if (r.status.ok()) {
    log("fencing of " + target + " confirmed");
    on_node_fenced(target);
    return;
  }
  ++stats_.fencing_failed;
  int failures = ++fence_failures_[target];
  int max_attempts = 10;
  if (auto v = bootstrap_option(view_, "stonith-max-attempts")) {
    long m = to_long(*v, 10);
    if (m > 0) max_attempts = static_cast<int>(m);
  }
  auto backoff = options_.fence_retry_backoff * (1 << std::min(failures - 1, 5));
  backoff = std::min<std::chrono::milliseconds>(backoff, std::chrono::milliseconds(30000));
  if (failures >= max_attempts) {
    fence_given_up_.insert(target);
    log("fencing of " + target + " failed (" + r.status.to_string() + "): " + std::to_string(failures) +
        " failures, stonith-max-attempts reached: giving up; what it ran stays where it is until it is fenced " +
        "(stonith_admin --confirm " + target + ") or rejoins");
  } else {
    log("fencing of " + target + " failed (" + r.status.to_string() + "), attempt " + std::to_string(failures) +
        " of " + std::to_string(max_attempts) + ": nothing is recovered; retrying in " +
        std::to_string(backoff.count()) + " ms");
    fence_retry_at_ = deps_.clock.monotonic_now() + backoff;
  }
  if (it != fence_ops_.end()) {
    int action_id = it->second.action_id;
    fence_ops_.erase(it);
    if (transition_ && !transition_->finished()) {
      tengine::ActionResult failed;
      failed.rc = crm::kOcfErrGeneric;
      failed.status = crm::ExecStatus::kError;
      failed.output = r.status.to_string();
      transition_->action_done(action_id, failed);
    }
  }
  request_replan("fencing of " + target + " failed");
}

void Controller::on_fence_event(const FenceEvent& e) {
  alert(alerts::fencing_event(e.target, e.action, e.description, e.rc));
  if (e.succeeded && e.action != "on") on_node_fenced(e.target);
}

void Controller::on_node_fenced(const std::string& target) {
  if (target == name_ && state_ != State::kStopped) {
    // We run, yet the fencers say we were fenced: fabric fencing that left
    // the cluster links up, or a misconfigured device. fence-reaction: stop
    // (the default) leaves the cluster and stays out; panic would reboot
    // the machine, which this process cannot do, so it stops as well.
    std::string reaction = bootstrap_option(view_, "fence-reaction").value_or("stop");
    log("this node was reported fenced while it runs: fence-reaction=" + reaction +
        (reaction == "panic" ? " (no reboot from here: stopping)" : "") +
        ": leaving the cluster and staying out (exit 100)");
    set_state(State::kStopped);
    out_.exit = true;
    out_.exit_code = 100;
    return;
  }
  fence_failures_.erase(target);
  fence_given_up_.erase(target);
  if (!is_dc()) {
    fenced_while_not_dc_.insert(target);
    return;
  }
  bool awaited = std::any_of(fence_ops_.begin(), fence_ops_.end(), [&](const auto& op) { return op.second.target == target; });
  auto member = node_id(target);
  bool is_member = member && std::find(members_.begin(), members_.end(), *member) != members_.end();
  if (!awaited && is_member) return;  // fenced earlier and back since: the join has its state
  if (!awaited) {
    // The fencers' notice of a fencing already handled (ours, confirmed
    // through FenceResult): nothing new unless the CIB still shows it up.
    StatusView v = read_status(view_);
    auto it = v.nodes.find(target);
    if (it == v.nodes.end() || (it->second.expected_down && !it->second.online && it->second.active.empty())) return;
  }
  if (auto id = node_id(target)) {
    if (std::find(members_.begin(), members_.end(), *id) != members_.end()) {
      // Still (or again) a member: either corosync has not yet noticed the
      // power cut, or the node already rebooted and rejoined, and the join
      // writes what it runs now. Its leaving will be clean.
      fenced_members_.insert(*id);
    } else {
      // As the peer's stonith update: down and clean, its history gone (a
      // fenced node runs nothing), so the policy engine recovers its resources.
      write_node_down(*id);
    }
  }
  for (auto it = fence_ops_.begin(); it != fence_ops_.end();) {
    if (it->second.target != target) {
      ++it;
      continue;
    }
    int action_id = it->second.action_id;
    it = fence_ops_.erase(it);
    if (transition_ && !transition_->finished()) transition_->action_done(action_id, {});
  }
  request_replan("node " + target + " fenced");
}

// ---- DC: results, planning ---------------------------------------------------------

void Controller::handle_op_result(NodeId from, const wire::OpResult& msg) {
  crm::OpRecord op = msg.op;
  op.on_node = node_name(from);
  if (auto k = parse_transition_key(op.transition_key); k.ok()) op.target_rc = k->target_rc;
  else if (op.operation == "monitor" && op.interval_ms == 0) op.target_rc = crm::kOcfNotRunning;
  ++stats_.results_recorded;

  if (op.operation == "cancel") {
    long interval = msg.cancel_interval_ms;
    std::string xp = xpath_node_state(from) + "/lrm/lrm_resources/lrm_resource[@id='" + op.rsc_id +
                     "']/lrm_rsc_op[@interval='" + std::to_string(interval) + "' and @id!='" +
                     crm::last_failure_id(op.rsc_id) + "']";
    if (auto q = view_.query(xp); q.ok()) submit({.op = cib::Op::kDelete, .xpath = xp, .delete_all = true});
  } else if (kept_in_history(op.operation)) {
    record(from, op);
    if (state_ == State::kIntegration && join_histories_.count(from)) results_after_history_.emplace_back(from, op);
    if (op.failed()) {
      std::string failcount = failcount_name(op.rsc_id, op.operation, op.interval_ms);
      Score count = kInfinity;
      if (!(op.operation == "start" && op.interval_ms == 0)) {  // start-failure-is-fatal
        StatusView v = read_status(view_);
        Score current = 0;
        if (const NodeView* nv = v.by_id(id_str(from))) {
          auto it = nv->attributes.find(failcount);
          if (it != nv->attributes.end()) {
            auto parsed = parse_score(it->second);
            if (parsed.ok()) current = *parsed;
          }
        }
        count = score_add(current, 1);
      }
      set_node_attribute(from, failcount, score_to_string(count));
      set_node_attribute(from, last_failure_name(op.rsc_id, op.operation, op.interval_ms),
                         std::to_string(deps_.clock.wall_now()));
    }
  }

  bool matched = false;
  if (transition_ && !transition_->finished() && !op.transition_key.empty()) {
    if (auto id = transition_->in_flight_action(op.transition_key)) {
      tengine::ActionResult r;
      r.rc = op.rc;
      r.status = static_cast<crm::ExecStatus>(op.op_status == 0 ? 0 : (op.op_status == 2 ? 2 : 4));
      r.exec_time = std::chrono::milliseconds(op.exec_time_ms);
      if (op.operation == "cancel") r.rc = 0, r.status = crm::ExecStatus::kDone;
      matched = transition_->action_done(*id, r);
    }
  }
  if (!matched && op.failed() && op.operation != "cancel") {
    request_replan("unexpected result " + op.operation_key() + " rc=" + std::to_string(op.rc) + " on " + op.on_node);
  } else if (!matched && op.interval_ms == 0 && op.operation != "cancel") {
    // A one-shot result no transition of ours waits for: an action a DC
    // before us ordered (a partition's DC, replaced as the partitions
    // merged), finishing now. It changed where something runs, and the
    // CIB's fingerprint leaves results out: plan again (sim_bench seed
    // 1167: a stop done after the merge left ip stopped everywhere).
    request_replan("result " + op.operation_key() + " on " + op.on_node + " from an earlier transition");
  }
}

void Controller::handle_shutdown_request(NodeId from) {
  log("node " + node_name(from) + " asks to shut down");
  set_node_attribute(from, "shutdown", std::to_string(deps_.clock.wall_now()));
  request_replan("shutdown of " + node_name(from));
}

void Controller::request_replan(const std::string& why, Replan how) {
  if (!is_dc()) return;
  if (!replan_) {
    log("replan: " + why);
    replan_paced_ = how == Replan::kPaced;
  } else if (how == Replan::kNow) {
    replan_paced_ = false;
  }
  replan_ = true;
  replan_reason_ = why;
}

bool Controller::pacing() const {
  return replan_paced_ && paced_plan_at_ && deps_.clock.monotonic_now() < *paced_plan_at_;
}

void Controller::run_policy_engine_if_needed() {
  if (!is_dc() || !replan_) return;
  if (state_ == State::kIntegration || state_ == State::kFinalizeJoin || state_ == State::kStopped) return;
  if (!controller_gone_.empty() && !(transition_ && !transition_->finished())) return;  // see controller_left()
  if (fence_retry_at_ && !(transition_ && !transition_->finished())) {
    if (deps_.clock.monotonic_now() < *fence_retry_at_) return;  // backing off after a failed fencing
    fence_retry_at_.reset();
  }
  if (transition_ && !transition_->finished()) {
    if (!transition_->aborting()) transition_->abort(replan_reason_);
    return;  // in-flight actions finish first
  }
  if (pacing()) {
    if (!logged_pacing_) {
      logged_pacing_ = true;
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*paced_plan_at_ - deps_.clock.monotonic_now());
      log("planning again in " + std::to_string(wait.count()) + " ms: the last plan took as long");
    }
    return;
  }
  logged_pacing_ = false;
  replan_ = false;
  set_state(State::kPolicyEngine);
  decorate_view();
  last_fingerprint_ = fingerprint(view_);
  ++stats_.pe_runs;
  auto plan_start = deps_.clock.monotonic_now();
  auto graph = deps_.scheduler ? deps_.scheduler(view_, deps_.clock.wall_now())
                               : Result<tengine::Graph>(unavailable("no policy engine"));
  auto plan_end = deps_.clock.monotonic_now();
  paced_plan_at_ = plan_end + (plan_end - plan_start);
  if (!graph.ok()) {
    ++stats_.pe_errors;
    log("policy engine failed: " + graph.status().to_string());
    set_state(State::kIdle);
    return;
  }
  for (const auto& [id, a] : graph->actions) {
    if (a.type == tengine::ActionType::kCrmEvent && a.operation == "stonith" && fence_given_up_.count(a.on_node)) {
      // The peer's "too many failures to fence": nothing runs, since the
      // graph's recovery hangs on that fencing.
      log("not running the transition: it needs the fencing of " + a.on_node + ", given up after " +
          std::to_string(fence_failures_[a.on_node]) + " failures");
      set_state(State::kIdle);
      return;
    }
  }
  graph->transition_id = next_transition_id_++;
  ++stats_.transitions;
  size_t actions = graph->actions.size();
  std::string what;  // the resource operations, for the log
  int listed = 0;
  for (const auto& [id, a] : graph->actions) {
    if (a.type != tengine::ActionType::kRscOp) continue;
    if (++listed > 12) {
      what += " ...";
      break;
    }
    what += " " + a.operation_key + "@" + a.on_node;
  }
  tengine::TransitionOptions topts{.dc_uuid = id_str(self_)};
  // The peer's throttles: batch-limit across the cluster, node-action-limit
  // per node (0: twice the cores). Load-based throttling is not done.
  if (auto v = bootstrap_option(view_, "batch-limit")) topts.batch_limit = static_cast<int>(std::max(0L, to_long(*v, 0)));
  long node_limit = 0;
  if (auto v = bootstrap_option(view_, "node-action-limit")) node_limit = to_long(*v, 0);
  topts.node_action_limit = node_limit > 0 ? static_cast<int>(node_limit) : 2 * std::max(1, options_.cores);
  transition_ = std::make_unique<tengine::Transition>(std::move(graph).value(), *dc_executor_, deps_.clock, topts);
  transition_->on_finished = [this](tengine::Outcome o) { on_transition_finished(o); };
  transition_->on_action_result = [this](const tengine::Action& a, const tengine::ActionResult& r) {
    if (r.status != crm::ExecStatus::kDone || r.rc != a.target_rc) {
      log("action " + a.operation_key + " on " + a.on_node + " failed: rc=" + std::to_string(r.rc) +
          " (expected " + std::to_string(a.target_rc) + "), status " + std::to_string(static_cast<int>(r.status)));
    }
  };
  log("transition " + std::to_string(transition_->id()) + " (" + std::to_string(actions) + " actions): " +
      replan_reason_ + (what.empty() ? "" : " [" + what.substr(1) + "]"));
  set_state(State::kTransitionEngine);
  transition_->start();
}

void Controller::on_transition_finished(tengine::Outcome o) {
  log("transition " + std::to_string(transition_->id()) + " " + tengine::outcome_name(o) +
      (transition_->abort_reason().empty() ? "" : " (" + transition_->abort_reason() + ")"));
  transition_done_ = true;
  if (!is_dc()) return;
  if (o != tengine::Outcome::kComplete) {
    if (!replan_) replan_paced_ = false;
    replan_ = true;
    if (replan_reason_.empty()) replan_reason_ = std::string("transition ") + tengine::outcome_name(o);
  } else {
    maybe_release_shutdown_nodes();
  }
  if (state_ == State::kTransitionEngine) set_state(State::kIdle);
}

bool Controller::others_stopping() const {
  StatusView v = read_status(view_);
  for (NodeId n : members_) {
    const NodeView* nv = v.by_id(id_str(n));
    if (n != self_ && nv && nv->shutdown) return true;
  }
  return false;
}

void Controller::maybe_release_shutdown_nodes() {
  // A node that asked to shut down and runs nothing any more may go (for
  // policy engines that do not schedule do_shutdown themselves).
  StatusView v = read_status(view_);
  // The DC goes last, as the peer orders its shutdown after the others': a
  // DC leaving first hands the rest of a stopping cluster to a new DC, and
  // the last node, without quorum, may take the old DC's departure for a
  // failure and wait to fence it.
  bool waiting_for_others = others_stopping();
  for (NodeId n : members_) {
    const NodeView* nv = v.by_id(id_str(n));
    if (!nv || !nv->shutdown || !nv->active.empty() || shutdown_released_.count(n)) continue;
    if (n == self_ && waiting_for_others) continue;
    shutdown_released_.insert(n);
    if (n == self_) {
      write_expected_down(n);  // so the next DC does not take our leaving for a failure
      log("this DC ran down its resources: exiting");
      set_state(State::kStopped);
      out_.exit = true;
    } else {
      write_expected_down(n);
      send(wire::encode(wire::DoShutdown{.target = nv->uname}));
    }
  }
}

// ---- member side: executing ----------------------------------------------------

void Controller::exec(const lrmd::ExecRequest& req) {
  if (req.interval_ms > 0) recurring_.push_back(req);
  out_.executor.push_back({ExecutorCall::Kind::kExec, req});
}

void Controller::cancel(const std::string& rsc, const std::string& action, uint32_t interval_ms) {
  forget_recurring(recurring_, rsc, action, interval_ms);
  lrmd::ExecRequest req;
  req.rsc_id = rsc;
  req.action = action;
  req.interval_ms = interval_ms;
  out_.executor.push_back({ExecutorCall::Kind::kCancel, std::move(req)});
}

void Controller::reply_exec(const wire::ExecOrder& order, int rc, int op_status, const std::string& reason) {
  wire::OpResult m{.node = self_, .name = name_};
  m.op = crm::OpRecord{.rsc_id = order.rsc_id, .rsc_class = order.rsc_class, .rsc_provider = order.rsc_provider,
                           .rsc_type = order.rsc_type, .operation = order.operation,
                           .interval_ms = order.interval_ms, .call_id = 0, .rc = rc, .op_status = op_status,
                           .last_rc_change = deps_.clock.wall_now(), .transition_key = order.key,
                           .op_digest = order.digest, .exit_reason = reason};
  if (order.operation == "cancel") m.cancel_interval_ms = order.interval_ms;
  send(wire::encode(m));
}

void Controller::handle_exec(const wire::ExecOrder& order) {
  lrmd::ExecRequest req;
  req.rsc_id = order.rsc_id;
  req.standard = order.rsc_class;
  req.provider = order.rsc_provider;
  req.type = order.rsc_type;
  req.action = order.operation;
  req.interval_ms = order.interval_ms;
  req.timeout_ms = order.timeout_ms > 0 ? order.timeout_ms : 20000;
  for (const auto& [k, v] : order.attributes) req.params[k] = v;

  if (order.operation == "cancel") {
    auto op = order.attributes.find("CRM_meta_operation");
    cancel(order.rsc_id, op == order.attributes.end() ? "monitor" : op->second, order.interval_ms);
    reply_exec(order, 0, 0, "");  // gone already is as good as cancelled
    return;
  }
  if (order.operation == "stop" || order.operation == "promote" || order.operation == "demote") {
    // Recurring monitors end before the stop runs (their cancellations are
    // not reported). Before a promote or demote, the old role's monitor ends
    // (the peer's scheduler cancels it first and the graph starts the new
    // role's after), and its cancellation is reported so that the DC drops
    // its history entry (else it would look active when the role comes back).
    std::vector<lrmd::ExecRequest> of_rsc;
    for (const auto& r : recurring_) {
      if (r.rsc_id == order.rsc_id) of_rsc.push_back(r);
    }
    // The old role's monitors only: a monitor for the new role (or for any
    // role) may already have been started by this transition.
    auto old_role = [&](const lrmd::ExecRequest& r) {
      auto it = r.params.find("CRM_meta_role");
      if (it == r.params.end()) return false;
      if (order.operation == "promote") return it->second == "Unpromoted" || it->second == "Slave";
      return it->second == "Promoted" || it->second == "Master";
    };
    for (const auto& r : of_rsc) {
      if (order.operation != "stop" && !old_role(r)) continue;
      cancel(r.rsc_id, r.action, r.interval_ms);
      if (order.operation == "stop") continue;
      wire::ExecOrder cancelled = order;
      cancelled.operation = "cancel";
      cancelled.interval_ms = r.interval_ms;
      cancelled.key.clear();  // not an action of the transition
      cancelled.digest.clear();
      reply_exec(cancelled, 0, 0, "");
    }
  }
  auto meta = [&order](const char* name) {
    auto it = order.attributes.find(name);
    return it == order.attributes.end() ? std::string() : it->second;
  };
  memos_[op_key(req.rsc_id, req.action, req.interval_ms)] = {
      order.key, order.digest, req.rsc_id, req.standard, req.provider, req.type, req.action, req.interval_ms,
      meta("CRM_meta_migrate_source"), meta("CRM_meta_migrate_target")};
  exec(req);
}

void Controller::remember_result(const lrmd::ExecResult& r) {
  // Mirrors the executor's last_results(): cancelled and pending results do
  // not change it, nor does a request it refused (it never ran).
  if (r.op_status == crm::ExecStatus::kCancelled || r.op_status == crm::ExecStatus::kPending) return;
  if (r.call_id == 0) {
    if (r.interval_ms > 0) forget_recurring(recurring_, r.rsc_id, r.action, r.interval_ms);
    return;
  }
  last_results_.erase(std::remove_if(last_results_.begin(), last_results_.end(),
                                     [&](const lrmd::ExecResult& h) {
                                       return h.rsc_id == r.rsc_id && h.action == r.action &&
                                              h.interval_ms == r.interval_ms;
                                     }),
                      last_results_.end());
  last_results_.push_back(r);
}

void Controller::on_executor_history(const ExecutorHistory& h) {
  last_results_.clear();
  for (const auto& r : h.last_results) remember_result(r);
  recurring_.clear();
  for (const auto& op : h.recurring) recurring_.push_back(op.request);
}

void Controller::on_local_result(const lrmd::ExecResult& r) {
  if (r.standard == lrmd::kClassAlert) {  // no resource's history; a failure is only worth a line
    if (!r.ok()) {
      log("alert agent " + r.type + " (" + r.rsc_id + ") failed: " + exec_status_text(r.op_status) + ", rc " +
          std::to_string(r.rc) + (r.exit_reason.empty() ? "" : ": " + r.exit_reason));
    }
    return;
  }
  remember_result(r);
  if (r.op_status == crm::ExecStatus::kPending) return;
  std::string key = op_key(r.rsc_id, r.action, r.interval_ms);
  OpMemo memo;
  if (auto it = memos_.find(key); it != memos_.end()) memo = it->second;
  {
    int target_rc = r.interval_ms == 0 && r.action == "monitor" ? crm::kOcfNotRunning : crm::kOcfOk;
    if (auto k = parse_transition_key(memo.key); k.ok()) target_rc = k->target_rc;
    if (auto e = alerts::resource_event(name_, r, target_rc)) alert(*e);
  }
  if (r.op_status == crm::ExecStatus::kCancelled) return;
  if (r.interval_ms == 0) memos_.erase(key);
  wire::OpResult m{.node = self_, .name = name_, .op = op_record(r, "")};
  if (!r.start_time) m.op.last_rc_change = deps_.clock.wall_now();
  m.op.transition_key = memo.key;
  m.op.op_digest = memo.digest;
  m.op.migrate_source = memo.migrate_source;
  m.op.migrate_target = memo.migrate_target;
  if (!memo.key.empty() || r.interval_ms > 0) memos_history_[key] = memo;
  send(wire::encode(m));
}

std::string Controller::history_xml() {
  xml::DocPtr doc = xml::new_document("lrm_resources");
  for (const lrmd::ExecResult& r : last_results_) {
    if (r.op_status == crm::ExecStatus::kCancelled || r.op_status == crm::ExecStatus::kPending) continue;
    if (!kept_in_history(r.action)) continue;
    crm::OpRecord op = op_record(r, name_);
    if (auto it = memos_history_.find(op_key(r.rsc_id, r.action, r.interval_ms)); it != memos_history_.end()) {
      op.transition_key = it->second.key;
      op.op_digest = it->second.digest;
      op.migrate_source = it->second.migrate_source;
      op.migrate_target = it->second.migrate_target;
    }
    if (auto k = parse_transition_key(op.transition_key); k.ok()) op.target_rc = k->target_rc;
    else if (op.operation == "monitor" && op.interval_ms == 0) op.target_rc = crm::kOcfNotRunning;
    crm::record_op(xml::root(doc), op);
  }
  // Operations the DC asked for that are still running here: pending, so a
  // DC that plans from this history neither repeats nor forgets them (a DC
  // that left may not have waited for them).
  for (const auto& [key, memo] : memos_) {
    if (memo.interval_ms != 0 || memo.rsc_id.empty() || memo.action == "monitor" || !kept_in_history(memo.action))
      continue;
    crm::OpRecord op{.rsc_id = memo.rsc_id, .rsc_class = memo.standard, .rsc_provider = memo.provider,
                         .rsc_type = memo.type, .operation = memo.action, .interval_ms = 0, .call_id = -1,
                         .rc = 193, .op_status = -1, .last_rc_change = deps_.clock.wall_now(),
                         .transition_key = memo.key, .op_digest = memo.digest, .on_node = name_,
                         .migrate_source = memo.migrate_source, .migrate_target = memo.migrate_target};
    if (auto k = parse_transition_key(op.transition_key); k.ok()) op.target_rc = k->target_rc;
    crm::record_op(xml::root(doc), op);
  }
  return xml::to_string(xml::root(doc), false);
}

}  // namespace crm::crmd
