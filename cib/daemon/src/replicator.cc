#include "crm/cib/replicator.h"

#include "configuration_only.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace crm::cib {
namespace {

constexpr size_t kCompletedMemory = 8192;

uint64_t to_u64(const std::string& s) { return s.empty() ? 0 : std::strtoull(s.c_str(), nullptr, 10); }

// A bundle: several messages of one node sent as one group message, in
// order: "<cib-bundle count="K"/>\n" then, per message, its byte count on a
// line and the message itself.
constexpr size_t kMaxBundleBytes = 256 * 1024;

std::string encode_bundle(const std::vector<std::string>& parts) {
  std::string out = fmt::format("<cib-bundle count=\"{}\"/>\n", parts.size());
  for (const auto& p : parts) {
    out += std::to_string(p.size());
    out += '\n';
    out += p;
  }
  return out;
}

Result<std::vector<std::string_view>> decode_bundle(std::string_view payload) {
  size_t pos = payload.find('\n');
  if (pos == std::string_view::npos) return invalid_argument("no header line");
  std::vector<std::string_view> parts;
  ++pos;
  while (pos < payload.size()) {
    size_t eol = payload.find('\n', pos);
    if (eol == std::string_view::npos) return invalid_argument("a part without its length line");
    uint64_t len = to_u64(std::string(payload.substr(pos, eol - pos)));
    if (len > payload.size() - eol - 1) return invalid_argument("a part longer than the bundle");
    parts.push_back(payload.substr(eol + 1, len));
    pos = eol + 1 + len;
  }
  return parts;
}

}  // namespace

std::string last_written_text(std::time_t when) {
  std::tm tm{};
  if (!::localtime_r(&when, &tm)) return {};
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return std::string(buf, n);
}

void stamp_change(Cib& cib, const Request& request, const Clock* clock) {
  xmlNode* root = cib.root();
  if (!root) return;
  if (clock) cib.set_attribute("cib-last-written", last_written_text(clock->wall_now()));
  if (!request.origin.empty()) cib.set_attribute("update-origin", request.origin);
  if (!request.client_name.empty()) cib.set_attribute("update-client", request.client_name);
  if (!request.user.empty()) cib.set_attribute("update-user", request.user);
}

Replicator::Replicator(cluster::GroupTransport& group, CibStore* store, const Schema* schema, Cib initial,
                       ReplicatorOptions options)
    : group_(group),
      store_(store),
      schema_(schema),
      cib_(std::move(initial)),
      options_(std::move(options)),
      local_(group.local_node()) {
  group_.on_message = [this](cluster::NodeId from, std::string_view payload) { on_message(from, payload); };
  group_.on_membership = [this](const cluster::MembershipChange& c) { on_membership(c); };
  group_.on_lost = [this](const Status& s) { on_lost(s); };
}

std::string Replicator::members_tag() const {
  std::string tag;
  for (auto id : members_) tag += (tag.empty() ? "" : ",") + std::to_string(id);
  return tag;
}

std::string Replicator::hash_of(const Cib& cib) const { return CibStore::sha256_hex(cib.serialize(false)); }

void Replicator::send_or_log(const std::string& payload) {
  if (!options_.request_flush) {
    Status s = group_.send(payload);
    if (!s.ok()) log("cib: sending to the group failed: " + s.to_string());
    return;
  }
  // Sent at the next flush, together with whatever else this loop iteration
  // produces: under load, one group message carries many requests or results.
  outbox_bytes_ += payload.size();
  outbox_.push_back(payload);
  if (outbox_bytes_ >= kMaxBundleBytes) {
    send_outbox();
  } else {
    options_.request_flush();
  }
}

void Replicator::send_outbox() {
  if (outbox_.empty()) return;
  std::vector<std::string> parts = std::move(outbox_);
  std::vector<std::string> local_requests = std::move(outbox_requests_);
  outbox_.clear();
  outbox_requests_.clear();
  outbox_bytes_ = 0;
  Status s = group_.send(parts.size() == 1 ? parts.front() : encode_bundle(parts));
  if (s.ok()) return;
  log("cib: sending to the group failed: " + s.to_string());
  // Our own requests in it never reached the group: their clients hear it now.
  for (const auto& id : local_requests) {
    if (Waiter* w = find_waiter(id); w && !w->resolved)
      answer(id, s.with_context("submitting a CIB change"), cib_.version());
  }
}

Replicator::Waiter* Replicator::find_waiter(const std::string& id) {
  // Our ids are "<node>:<incarnation>:<counter>".
  size_t colon = id.rfind(':');
  if (colon == std::string::npos || id.compare(0, colon, fmt::format("{}:{}", local_, options_.incarnation)) != 0)
    return nullptr;
  auto it = waiters_.find(to_u64(id.substr(colon + 1)));
  return it == waiters_.end() ? nullptr : &it->second;
}

void Replicator::remember_completed(const std::string& id) {
  if (!completed_.insert(id).second) return;
  completed_order_.push_back(id);
  if (completed_order_.size() > kCompletedMemory) {
    completed_.erase(completed_order_.front());
    completed_order_.pop_front();
  }
}

// ---- client side ----

void Replicator::submit(Request request, Reply done) {
  if (lost_) {
    done(unavailable("the cluster messaging layer is gone"), cib_.version());
    return;
  }
  if (!options_.node_name.empty()) request.origin = options_.node_name;
  uint64_t call = next_call_++;
  std::string id = fmt::format("{}:{}:{}", local_, options_.incarnation, call);
  // Before the first membership round completes (or during one) the request
  // waits here; finish_round() sends every unresolved request.
  if (joined_ && !syncing_) {
    Attrs attrs{{"id", id}};
    request_to_attrs(request, attrs);
    std::string message = encode("cib-request", attrs, request.fragment);
    if (!options_.request_flush) {
      Status s = group_.send(message);
      if (!s.ok()) {
        done(s.with_context("submitting a CIB change"), cib_.version());
        return;
      }
    } else {
      waiters_.emplace(call, Waiter{id, std::move(request), std::move(done)});
      outbox_requests_.push_back(id);
      send_or_log(message);
      return;
    }
  }
  waiters_.emplace(call, Waiter{id, std::move(request), std::move(done)});
}

void Replicator::answer(const std::string& id, const Status& status, const Version& version) {
  size_t colon = id.rfind(':');
  Waiter* w = find_waiter(id);
  if (!w) return;
  Reply reply = std::move(w->reply);
  waiters_.erase(to_u64(id.substr(colon + 1)));
  if (reply) reply(status, version);
}

Status Replicator::flush() {
  send_outbox();
  Status result;
  if (dirty_ && store_) {
    // The changes since the last flush go to the journal; a copy that came
    // whole (a sync, a full result) is written whole.
    result = snapshot_due_ || journal_.empty() ? store_->save(cib_) : store_->append(journal_, cib_);
    ++stats_.saves;
    if (!result.ok()) log("cib: saving the CIB failed: " + result.to_string());
  }
  dirty_ = false;
  journal_.clear();
  snapshot_due_ = false;
  auto ready = std::move(after_save_);
  after_save_.clear();
  for (const auto& [id, version] : ready) {
    answer(id, result.ok() ? Status::Ok() : result.with_context("change applied in the cluster but not saved here"),
           version);
  }
  return result;
}

void Replicator::changed(ChangeKind kind, cluster::NodeId replaced_by, const JournalEntry* entry) {
  dirty_ = true;
  if (on_change) on_change(CibChange{.kind = kind, .version = cib_.version(), .replaced_by = replaced_by, .entry = entry});
  if (options_.request_flush) {
    options_.request_flush();
  } else {
    (void)flush();
  }
}

// ---- transport events ----

void Replicator::on_lost(const Status& status) {
  lost_ = true;
  log("cib: lost the cluster messaging layer: " + status.to_string());
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& [call, w] : waiters) {
    if (w.reply) w.reply(unavailable("the cluster messaging layer is gone"), cib_.version());
  }
}

void Replicator::on_message(cluster::NodeId from, std::string_view payload) {
  if (payload.rfind("<cib-bundle", 0) == 0) {
    auto parts = decode_bundle(payload);
    if (!parts.ok()) {
      log(fmt::format("cib: ignoring a malformed bundle from node {}: {}", from, parts.status().to_string()));
      return;
    }
    for (std::string_view part : *parts) on_message(from, part);
    return;
  }
  auto m = split_message(payload);
  if (!m.ok()) {
    log(fmt::format("cib: ignoring a malformed message from node {}: {}", from, m.status().to_string()));
    return;
  }
  std::string_view kind = xml::name(m->root());
  if (kind == "cib-request") handle_request(from, *m);
  else if (kind == "cib-result") handle_result(from, *m);
  else if (kind == "cib-announce") handle_announce(from, *m);
  else if (kind == "cib-sync") handle_sync(from, *m);
  else if (kind == "cib-resync") handle_resync(from, *m);
  else if (kind == "cib-check") handle_check(from, *m);
  else log(fmt::format("cib: ignoring unknown message <{}> from node {}", kind, from));
}

void Replicator::on_membership(const cluster::MembershipChange& change) {
  members_ = change.members;
  std::sort(members_.begin(), members_.end());
  if (std::find(members_.begin(), members_.end(), local_) == members_.end()) return;
  joined_ = true;
  master_ = members_.front();
  syncing_ = true;
  announces_.clear();
  tentative_.reset();
  processed_.clear();
  send_or_log(encode("cib-announce", {{"members", members_tag()},
                                      {"version", cib_.version().to_string()},
                                      {"hash", hash_of(cib_)},
                                      {"view", std::to_string(view_)},
                                      {"stale", stale_ ? "1" : ""}}));
}

void Replicator::handle_request(cluster::NodeId from, const Message& m) {
  std::string id = m.get("id");
  auto request = request_from_message(m);
  if (id.empty() || !request.ok()) {
    log(fmt::format("cib: ignoring a malformed request from node {}", from));
    return;
  }
  if (completed_.count(id)) return;  // a re-sent copy of a finished request
  for (const auto& p : pending_)
    if (p.id == id) return;  // already queued
  pending_.push_back(Pending{id, from, std::move(request).value()});
  if (is_master()) process_pending();
}

void Replicator::process_pending() {
  if (!is_master()) return;
  if (!tentative_) {
    tentative_.emplace(cib_.copy());
    // A new document (which may even sit where a freed one was): the index
    // is built again for it.
    check_index_.invalidate();
  }
  for (const auto& p : pending_) {
    if (processed_.count(p.id)) continue;
    processed_.insert(p.id);
    const Version from = tentative_->version();
    Attrs attrs{{"id", p.id}, {"view", std::to_string(view_)}, {"from", from.to_string()}};
    std::string body;
    Status status;
    std::optional<ChangeKind> kind;
    const char* form = nullptr;
    // A user the ACLs restrict: the change is made, compared with the copy
    // from before it, and undone when it goes beyond what the user may write
    // (the ACLs are those from before the change, as the peer reads them).
    AclGuard acl(*tentative_, p.request.user, options_.user_groups);
    if (is_status_request(p.request)) {
      auto applied = apply_request(*tentative_, p.request, schema_, &check_index_);
      status = applied.status();
      if (applied.ok()) kind = *applied, form = "replay";
    } else if (options_.has_quorum && !options_.has_quorum(members_)) {
      status = unavailable("this partition has no quorum: configuration changes are refused until it has");
    } else {
      // Stamped here, by the master, and carried in the patch / full CIB:
      // every replica gets the same text (never recomputed per replica).
      auto change = apply_request_with_patch(*tentative_, p.request, schema_,
                                             [&](Cib& c) { stamp_change(c, p.request, options_.clock); },
                                             /*config_digest=*/!options_.schedule, &check_index_);
      status = change.status();
      if (change.ok()) {
        kind = change->kind;
        if (!options_.full_cib_results) {
          form = "patch";
          body = strip_declaration(xml::to_string(change->patch.doc.get(), false));
        } else {
          form = "full";
          body = strip_declaration(tentative_->serialize(false));
        }
      }
    }
    if (status.ok() && acl.active()) {
      if (Status allowed = acl.check(*tentative_); !allowed.ok()) {
        check_index_.invalidate();  // it saw the change now undone
        status = allowed;
        body.clear();
      }
    }
    if (status.ok()) {
      attrs.emplace_back("kind", change_kind_name(*kind));
      attrs.emplace_back("form", form);
      if (*kind == ChangeKind::kConfiguration && form != std::string_view("replay") && options_.schedule &&
          !check_scheduled_) {
        check_scheduled_ = true;
        std::weak_ptr<bool> alive = alive_;
        options_.schedule(options_.check_interval, [this, alive] {
          if (!alive.expired()) send_check();
        });
      }
      attrs.emplace_back("rc", "ok");
      attrs.emplace_back("to", tentative_->version().to_string());
    } else {
      attrs.emplace_back("rc", status_code_name(status.code()));
      attrs.emplace_back("msg", status.message());
    }
    ++stats_.results_sent;
    send_or_log(encode("cib-result", attrs, body));
  }
}

void Replicator::handle_result(cluster::NodeId from, const Message& m) {
  // Only the current master's results of the current view count; anything
  // else was overtaken by a membership change and will be redone.
  if (syncing_ || from != master_ || to_u64(m.get("view")) != view_) return;
  std::string id = m.get("id");
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.id == id; });
  if (it == pending_.end()) {
    log(fmt::format("cib: ignoring a result for unknown request {}", id));
    return;
  }
  Pending p = std::move(*it);
  pending_.erase(it);
  remember_completed(id);
  Waiter* waiter = find_waiter(id);
  if (waiter) waiter->resolved = true;

  std::string rc = m.get("rc");
  if (rc != "ok") {
    ++stats_.rejected;
    answer(id, Status(status_code_from_name(rc), m.get("msg")), cib_.version());
    return;
  }
  if (stale_) {
    if (waiter) after_sync_.push_back(id);
    return;
  }
  auto stale = [&](const std::string& why) {
    go_stale("cannot apply the result of " + id + " (" + why + ")", waiter, id);
  };
  auto from_version = Version::parse(m.get("from"));
  auto to_version = Version::parse(m.get("to"));
  if (!from_version.ok() || !to_version.ok()) return stale("bad version attributes");
  if (cib_.version() != *from_version)
    return stale("result is from " + from_version->to_string() + ", this copy is " + cib_.version().to_string());

  std::string form = m.get("form");
  ChangeKind kind = m.get("kind") == "status" ? ChangeKind::kStatus : ChangeKind::kConfiguration;
  JournalEntry entry{.from = *from_version, .to = *to_version};
  if (form == "replay") {
    auto applied = apply_request(cib_, p.request, nullptr);
    if (!applied.ok()) return stale("replay failed: " + applied.status().to_string());
    Attrs request_attrs;
    request_to_attrs(p.request, request_attrs);
    entry.form = JournalEntry::Form::kRequest;
    entry.text = encode("cib-request", request_attrs, p.request.fragment);
  } else if (form == "patch") {
    Status s = apply_patch_text(cib_, m.body);
    if (!s.ok()) return stale("patch failed: " + s.to_string());
    entry.form = JournalEntry::Form::kPatch;
    entry.text = std::string(m.body);
  } else {
    auto full = Cib::parse(m.body, "replicated CIB");
    if (!full.ok()) return stale(full.status().to_string());
    cib_ = std::move(full).value();
    snapshot_due_ = true;
  }
  if (cib_.version() != *to_version)
    return stale("applied to " + cib_.version().to_string() + ", master has " + to_version->to_string());
  if (form != "full") journal_.push_back(std::move(entry));
  ++stats_.requests_applied;
  if (waiter) after_save_.emplace_back(id, cib_.version());
  changed(kind, 0, form != "full" ? &journal_.back() : nullptr);
}

void Replicator::go_stale(const std::string& why, Waiter* waiter, const std::string& id) {
  log("cib: " + why + "; asking the master for the full CIB");
  stale_ = true;
  if (waiter) after_sync_.push_back(id);
  send_or_log(encode("cib-resync", {{"view", std::to_string(view_)}}));
}

void Replicator::send_check() {
  check_scheduled_ = false;
  if (!is_master() || !tentative_) return;
  // After every result sent so far: each copy that applied them all must
  // have this configuration.
  ++stats_.checks;
  send_or_log(encode("cib-check", {{"view", std::to_string(view_)},
                                   {"version", tentative_->version().to_string()},
                                   {"digest", tentative_->digest()}}));
}

void Replicator::handle_check(cluster::NodeId from, const Message& m) {
  if (syncing_ || stale_ || from != master_ || to_u64(m.get("view")) != view_) return;
  if (m.get("version") != cib_.version().to_string()) return;  // cannot be: the order says so; nothing to compare
  std::string digest = cib_.digest();
  if (digest == m.get("digest")) return;
  go_stale(fmt::format("this copy's configuration at {} differs from the master's (digest {}, master {})",
                       m.get("version"), digest, m.get("digest")));
}

void Replicator::handle_announce(cluster::NodeId from, const Message& m) {
  if (!syncing_ || m.get("members") != members_tag()) return;
  if (std::find(members_.begin(), members_.end(), from) == members_.end()) return;
  auto v = Version::parse(m.get("version"));
  if (!v.ok()) return;
  Announce a{*v, m.get("hash"), to_u64(m.get("view"))};
  if (m.get("stale") == "1") a.hash = "stale";
  announces_[from] = a;
  maybe_finish_round();
}

void Replicator::maybe_finish_round() {
  for (auto id : members_)
    if (!announces_.count(id)) return;
  uint64_t new_view = 0;
  bool all_equal = true;
  const std::string& first_hash = announces_.begin()->second.hash;
  for (const auto& [id, a] : announces_) {
    new_view = std::max(new_view, a.view);
    if (a.hash != first_hash || a.hash == "stale") all_equal = false;
  }
  ++new_view;
  if (all_equal) {
    finish_round(new_view);
    return;
  }
  // The newest copy wins; ties go to the lowest node id; stale copies lose.
  cluster::NodeId winner = 0;
  for (const auto& [id, a] : announces_) {
    if (winner == 0) {
      winner = id;
      continue;
    }
    const Announce& w = announces_[winner];
    bool a_stale = a.hash == "stale", w_stale = w.hash == "stale";
    if (a_stale != w_stale) {
      if (w_stale) winner = id;
      continue;
    }
    if (a.version > w.version) winner = id;
  }
  if (winner == local_) {
    Attrs attrs{{"reason", "membership"},
                {"members", members_tag()},
                {"view", std::to_string(new_view)},
                {"version", cib_.version().to_string()}};
    ++stats_.full_syncs;
    send_or_log(encode("cib-sync", attrs, strip_declaration(cib_.serialize(false))));
  }
}

void Replicator::handle_sync(cluster::NodeId from, const Message& m) {
  std::string reason = m.get("reason");
  if (reason == "membership") {
    if (!syncing_ || m.get("members") != members_tag() || !announces_.count(from) || !announces_.count(local_)) return;
    bool differs = stale_ || announces_[local_].hash != announces_[from].hash;
    if (differs) {
      auto state = Cib::parse(m.body, "CIB from node " + std::to_string(from));
      if (!state.ok()) {
        log("cib: cannot parse the winning CIB: " + state.status().to_string());
        return;
      }
      log(fmt::format("cib: taking the CIB {} from node {} (had {})", state->version().to_string(), from,
                      cib_.version().to_string()));
      adopt(std::move(state).value(), from);
    }
    finish_round(to_u64(m.get("view")));
    return;
  }
  // A resync: the master's state at this point of the total order.
  if (syncing_ || from != master_ || to_u64(m.get("view")) != view_) return;
  if (!stale_) return;  // our copy already matches: the results applied cleanly
  auto state = Cib::parse(m.body, "CIB from the master");
  if (!state.ok()) {
    log("cib: cannot parse the master's CIB: " + state.status().to_string());
    return;
  }
  adopt(std::move(state).value(), 0);
}

void Replicator::handle_resync(cluster::NodeId from, const Message& m) {
  if (!is_master() || to_u64(m.get("view")) != view_) return;
  const Cib& state = tentative_ ? *tentative_ : cib_;
  ++stats_.full_syncs;
  send_or_log(encode("cib-sync", {{"reason", "resync"}, {"view", std::to_string(view_)},
                                  {"version", state.version().to_string()}},
                     strip_declaration(state.serialize(false))));
}

void Replicator::adopt(Cib state, cluster::NodeId replaced_by) {
  cib_ = std::move(state);
  snapshot_due_ = true;
  stale_ = false;
  for (const auto& id : after_sync_) after_save_.emplace_back(id, cib_.version());
  after_sync_.clear();
  changed(ChangeKind::kConfiguration, replaced_by);
}

void Replicator::finish_round(uint64_t new_view) {
  view_ = new_view;
  syncing_ = false;
  if (on_synced) on_synced(members_);
  announces_.clear();
  tentative_.reset();
  processed_.clear();
  // Every node drops the same pending list at the same point of the order;
  // each origin re-sends its own unanswered requests, so the (possibly new)
  // master sees exactly the live ones, once.
  pending_.clear();
  for (auto& [call, w] : waiters_) {
    if (w.resolved) continue;
    Attrs attrs{{"id", w.id}};
    request_to_attrs(w.request, attrs);
    send_or_log(encode("cib-request", attrs, w.request.fragment));
  }
}

}  // namespace crm::cib
