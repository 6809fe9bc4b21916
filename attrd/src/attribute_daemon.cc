#include "attribute_daemon.h"

#include <algorithm>
#include <cstdio>

#include "crm/core/score.h"
#include "crm/core/xml.h"
#include "wire.h"

namespace crm::attrd {
namespace {

// How long the writer waits before writing again after the CIB refused or
// could not be reached.
constexpr milliseconds kRetryDelay{2000};

bool controller_owned(const std::string& name) {
  return name.rfind("fail-count-", 0) == 0 || name.rfind("last-failure-", 0) == 0;
}

// XPath literals are quoted with '; ids are made of the characters the
// schema's ID type takes (the peer's crm_xml_sanitize_id does the same).
bool quotable(const std::string& s) { return s.find('\'') == std::string::npos && s.find('"') == std::string::npos; }

std::string sanitize_id(std::string id) {
  for (char& c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.';
    if (!ok) c = '.';
  }
  return id;
}

}  // namespace

std::string expand_value(const std::string& value, const std::string& current) {
  constexpr size_t kPrefix = 5;  // "value"
  if (value.size() < kPrefix + 2 || value[kPrefix] != '+' || (value[kPrefix + 1] != '+' && value[kPrefix + 1] != '='))
    return value;
  auto as_score = [](const std::string& s) -> long long {
    if (s.empty()) return 0;
    auto p = parse_score(s);
    if (p.ok()) return *p;
    return std::atoll(s.c_str());  // the peer reads a leading number, else 0
  };
  long long offset = value[kPrefix + 1] == '+' ? 1 : as_score(value.substr(kPrefix + 2));
  long long sum = as_score(current) + offset;
  if (sum > kInfinity) sum = kInfinity;
  return std::to_string(sum);
}

AttributeDaemon::AttributeDaemon(EventLoop& loop, cluster::GroupTransport& group, CibSink& cib, Options options)
    : loop_(loop), group_(group), cib_(cib), opts_(std::move(options)) {
  group_.on_message = [this](cluster::NodeId from, std::string_view payload) { on_message(from, payload); };
  group_.on_membership = [this](const cluster::MembershipChange& c) { on_membership(c); };
  host_ids_[opts_.node_name] = group_.local_node();
}

AttributeDaemon::~AttributeDaemon() {
  *alive_ = false;
  for (const auto& [name, id] : dampen_timers_) loop_.cancel_timer(id);
  group_.on_message = nullptr;
  group_.on_membership = nullptr;
}

void AttributeDaemon::log(const std::string& line) const {
  if (opts_.log) opts_.log(line);
  else std::fprintf(stderr, "attrd: %s\n", line.c_str());
}

std::optional<Attribute> AttributeDaemon::attribute(const std::string& name) const {
  auto it = attributes_.find(name);
  if (it == attributes_.end()) return std::nullopt;
  return it->second;
}

// ---- requests -----------------------------------------------------------------

void AttributeDaemon::update(const Update& request, std::function<void(Status)> done) {
  Update u = request;
  if (u.name.empty()) return done(invalid_argument("an attribute name is needed"));
  if (!quotable(u.name) || !quotable(u.host) || !quotable(u.set_id))
    return done(invalid_argument("attribute names, hosts and set ids may not contain quotes"));
  if (controller_owned(u.name))
    return done(invalid_argument(u.name + ": fail counts are recorded by the controller; clear them with "
                                          "crm_resource --cleanup or crm_failcount -D"));
  if (!u.value && !u.dampen) return done(invalid_argument("an update needs a value or a dampening delay"));
  if (u.host.empty() || u.host == "localhost") u.host = opts_.node_name;
  if (u.value) {
    // Expanded here, as the peer's attrd does on the node asked, so every
    // member applies the same number.
    std::string current;
    if (auto it = attributes_.find(u.name); it != attributes_.end()) {
      if (auto v = it->second.values.find(u.host); v != it->second.values.end()) current = v->second;
    }
    u.value = expand_value(*u.value, current);
  }
  uint64_t seq = next_seq_++;
  wire::PeerUpdate pu{opts_.node_name, seq, u};
  acks_[seq] = std::move(done);
  Status s = group_.send(wire::encode(pu));
  if (!s.ok()) {
    auto ack = std::move(acks_[seq]);
    acks_.erase(seq);
    ack(s.with_context("broadcasting the update"));
  }
}

void AttributeDaemon::refresh() {
  Status s = group_.send(wire::encode(wire::Refresh{opts_.node_name}));
  if (!s.ok()) log("cannot broadcast a refresh: " + s.to_string());
}

void AttributeDaemon::node_left(const std::string& host) {
  if (host == opts_.node_name) return;
  bool any = false;
  for (auto& [name, a] : attributes_) {
    if (a.values.erase(host)) {
      any = true;
      if (!a.is_private) deleted_.insert({name, host});
    }
  }
  if (any) log("node " + host + " left: its attributes are dropped");
  if (any && is_writer()) schedule_flush();
}

// ---- messages -----------------------------------------------------------------

void AttributeDaemon::on_message(cluster::NodeId from, std::string_view payload) {
  auto decoded = wire::decode(payload);
  if (!decoded.ok()) {
    log("ignoring a message from node " + std::to_string(from) + ": " + decoded.status().to_string());
    return;
  }
  learn_host(std::visit([](const auto& m) { return m.from_name; }, *decoded), from);

  if (auto* pu = std::get_if<wire::PeerUpdate>(&*decoded)) {
    apply_update(pu->update);
    if (from == group_.local_node()) {
      if (auto it = acks_.find(pu->origin_seq); it != acks_.end()) {
        auto done = std::move(it->second);
        acks_.erase(it);
        done(Status::Ok());
      }
    }
  } else if (auto* st = std::get_if<wire::State>(&*decoded)) {
    if (st->announce) {
      // A member's own values: it knows its node best. Only from a member
      // that came from elsewhere (a partition that healed): one that was
      // here already holds what we hold, and its announce, built when it
      // saw the change, may be older than updates ordered before it.
      if (!synced_self_ || !foreign_.erase(from)) return;
      for (const Attribute& in : st->attributes) {
        auto [it, created] = attributes_.try_emplace(in.name, in);
        if (created) {
          it->second.values.clear();
        }
        if (auto v = in.values.find(st->from_name); v != in.values.end()) set_value(it->second, v->first, v->second);
      }
    } else {
      if (!synced_self_) {
        // Fill in what this member has not heard of since it joined.
        for (const Attribute& in : st->attributes) {
          auto [it, created] = attributes_.try_emplace(in.name, in);
          if (created) {
            it->second.values.clear();
          }
          for (const auto& [host, value] : in.values) {
            if (touched_.count({in.name, host})) continue;
            it->second.values[host] = value;
          }
        }
        synced_self_ = true;
        log("in sync with the cluster (" + std::to_string(attributes_.size()) + " attributes from " + st->from_name +
            ")");
      }
      synced_.insert(members_.begin(), members_.end());
      recompute_writer();
    }
  } else if (std::get_if<wire::Refresh>(&*decoded)) {
    if (is_writer()) {
      for (const auto& [name, a] : attributes_) dirty_.insert(name);
      schedule_flush();
    }
  }
}

void AttributeDaemon::learn_host(const std::string& host, cluster::NodeId id) {
  if (host.empty()) return;
  auto [it, inserted] = host_ids_.insert({host, id});
  if (!inserted && it->second == id) return;
  it->second = id;
  // A host the writer could not place before: write its values now.
  if (!is_writer()) return;
  for (const auto& [name, a] : attributes_)
    if (a.values.count(host)) dirty_.insert(name);
  schedule_flush();
}

void AttributeDaemon::apply_update(const Update& u) {
  auto [it, created] = attributes_.try_emplace(u.name);
  Attribute& a = it->second;
  if (created) {
    a.name = u.name;
    a.set_id = u.set_id;
    a.is_private = u.is_private;
  }
  if (u.dampen && *u.dampen != a.dampen) {
    a.dampen = *u.dampen;
    mark_changed(a);  // as the peer: a new delay is written out with the current values
  }
  if (u.value) {
    if (!synced_self_) touched_.insert({u.name, u.host});
    set_value(a, u.host, *u.value);
  }
}

void AttributeDaemon::set_value(Attribute& a, const std::string& host, const std::string& value) {
  // An unset value stays, empty, as the peer keeps it (attrd_updater -Q
  // shows value=""); in the CIB it is no nvpair.
  auto [it, created] = a.values.try_emplace(host, value);
  if (!created) {
    if (it->second == value) return;
    it->second = value;
  } else if (value.empty()) {
    return;
  }
  if (value.empty()) {
    if (!a.is_private) deleted_.insert({a.name, host});
  } else {
    deleted_.erase({a.name, host});
  }
  mark_changed(a);
}

void AttributeDaemon::mark_changed(Attribute& a) {
  if (a.is_private || !is_writer()) return;
  if (a.dampen.count() == 0) {
    dirty_.insert(a.name);
    schedule_flush();
    return;
  }
  if (dampen_timers_.count(a.name)) return;  // the window is open: the write at its end takes this too
  std::weak_ptr<bool> alive = alive_;
  std::string name = a.name;
  dampen_timers_[name] = loop_.add_timer(a.dampen, [this, alive, name] {
    if (alive.expired()) return;
    dampen_timers_.erase(name);
    dirty_.insert(name);
    schedule_flush();
  });
}

// ---- membership and the writer --------------------------------------------------

void AttributeDaemon::on_membership(const cluster::MembershipChange& change) {
  cluster::NodeId self = group_.local_node();
  members_ = change.members;
  foreign_.clear();  // announces answer the latest change only
  for (cluster::NodeId n : change.left) synced_.erase(n);
  for (cluster::NodeId n : change.joined) {
    synced_.erase(n);
    if (n != self) foreign_.insert(n);
  }
  bool self_joined = std::find(change.joined.begin(), change.joined.end(), self) != change.joined.end();
  if (self_joined) {
    touched_.clear();
    if (members_.size() == 1) {
      synced_self_ = true;  // the first one: its state is the cluster's
      log("first member of the group: in sync");
    } else {
      synced_self_ = false;
    }
  }
  if (members_.size() == 1 && members_.front() == self) synced_self_ = true;  // alone: nobody to wait for
  if (synced_self_) synced_.insert(self);
  bool others_joined = std::any_of(change.joined.begin(), change.joined.end(), [&](cluster::NodeId n) { return n != self; });
  if (others_joined && synced_self_) {
    std::vector<cluster::NodeId> senior;
    for (cluster::NodeId n : members_) if (synced_.count(n)) senior.push_back(n);
    if (!senior.empty() && senior.front() == self) send_state(false);
    send_state(true);
  }
  recompute_writer();
}

void AttributeDaemon::send_state(bool announce_only) {
  wire::State st;
  st.from_name = opts_.node_name;
  st.announce = announce_only;
  for (const auto& [name, a] : attributes_) {
    Attribute copy = a;
    if (announce_only) {
      copy.values.clear();
      if (auto v = a.values.find(opts_.node_name); v != a.values.end()) copy.values.insert(*v);
      if (copy.values.empty()) continue;
    }
    st.attributes.push_back(std::move(copy));
  }
  if (announce_only && st.attributes.empty()) return;
  Status s = group_.send(wire::encode(st));
  if (!s.ok()) log("cannot broadcast the attribute state: " + s.to_string());
}

void AttributeDaemon::recompute_writer() {
  cluster::NodeId writer = 0;
  for (cluster::NodeId n : members_) {
    if (synced_.count(n)) {
      writer = n;
      break;
    }
  }
  if (writer == writer_) return;
  writer_ = writer;
  if (is_writer()) {
    log("this node is the writer: writing every attribute");
    for (const auto& [name, a] : attributes_) dirty_.insert(name);
    schedule_flush();
  } else {
    for (const auto& [name, id] : dampen_timers_) loop_.cancel_timer(id);
    dampen_timers_.clear();
    dirty_.clear();
    deleted_.clear();
  }
}

// ---- writing ------------------------------------------------------------------

void AttributeDaemon::schedule_flush() {
  if (flush_posted_ || write_in_flight_) return;
  flush_posted_ = true;
  std::weak_ptr<bool> alive = alive_;
  loop_.post([this, alive] {
    if (alive.expired()) return;
    flush_posted_ = false;
    flush();
  });
}

std::string AttributeDaemon::node_id_of(const std::string& host) {
  if (auto it = host_ids_.find(host); it != host_ids_.end()) return std::to_string(it->second);
  return cib_.node_id(host);
}

void AttributeDaemon::flush() {
  if (!is_writer() || write_in_flight_) return;
  if (dirty_.empty() && deleted_.empty()) return;
  // host -> node id, nvpairs; one modify of the status section for the batch.
  xml::DocPtr doc = xml::new_document("status");
  std::map<std::string, xmlNode*> node_states;  // node id -> instance_attributes parent
  std::set<std::string> unplaced;
  size_t values = 0;
  for (const std::string& name : dirty_) {
    auto it = attributes_.find(name);
    if (it == attributes_.end() || it->second.is_private) continue;
    const Attribute& a = it->second;
    for (const auto& [host, value] : a.values) {
      if (value.empty()) continue;  // deleted_ has it
      std::string id = node_id_of(host);
      if (id.empty() || !quotable(id)) {
        unplaced.insert(host);
        continue;
      }
      xmlNode*& ta = node_states[id];
      if (!ta) {
        xmlNode* ns = xml::add_child(xml::root(doc), "node_state");
        xml::set_attr(ns, "id", id);
        ta = xml::add_child(ns, "transient_attributes");
        xml::set_attr(ta, "id", id);
      }
      std::string set_id = a.set_id.empty() ? "status-" + id : a.set_id;
      xmlNode* set = nullptr;
      for (xmlNode* s : xml::children(ta, "instance_attributes"))
        if (xml::attr_or(s, "id") == set_id) set = s;
      if (!set) {
        set = xml::add_child(ta, "instance_attributes");
        xml::set_attr(set, "id", set_id);
      }
      xmlNode* nv = xml::add_child(set, "nvpair");
      xml::set_attr(nv, "id", sanitize_id("status-" + id + "-" + name));
      xml::set_attr(nv, "name", name);
      xml::set_attr(nv, "value", value);
      ++values;
    }
  }
  for (const std::string& host : unplaced) {
    log("cannot write the attributes of " + host + ": its node id is not known (written once it is)");
  }
  std::string deletes;
  for (const auto& [name, host] : deleted_) {
    std::string id = node_id_of(host);
    if (id.empty() || !quotable(id)) continue;
    if (!deletes.empty()) deletes += " | ";
    deletes += "/cib/status/node_state[@id='" + id + "']/transient_attributes/instance_attributes/nvpair[@name='" +
               name + "']";
  }
  std::set<std::string> written = std::move(dirty_);
  auto removed = std::move(deleted_);
  dirty_.clear();
  deleted_.clear();

  int requests = (values ? 1 : 0) + (deletes.empty() ? 0 : 1);
  if (!requests) return;
  write_in_flight_ = true;
  auto remaining = std::make_shared<int>(requests);
  auto failed = std::make_shared<bool>(false);
  std::weak_ptr<bool> alive = alive_;
  auto finished = [this, alive, remaining, failed, written, removed](Status s, bool is_delete) {
    if (alive.expired()) return;
    if (!s.ok() && !(is_delete && s.code() == StatusCode::kNotFound)) {
      log("writing attributes to the CIB failed: " + s.to_string() + " (retrying in 2 s)");
      *failed = true;
    }
    if (--*remaining > 0) return;
    write_in_flight_ = false;
    if (*failed && is_writer()) {
      dirty_.insert(written.begin(), written.end());
      deleted_.insert(removed.begin(), removed.end());
      loop_.add_timer(kRetryDelay, [this, alive] {
        if (!alive.expired()) schedule_flush();
      });
      return;
    }
    if (!dirty_.empty() || !deleted_.empty()) schedule_flush();
  };
  if (values) {
    ++cib_requests_;
    cib::Request r;
    r.op = cib::Op::kModify;
    r.section = "status";
    r.fragment = xml::to_string(xml::root(doc), false);
    r.allow_create = true;
    r.client_name = "attrd";
    cib_.submit(std::move(r), [finished](Status s) { finished(s, false); });
  }
  if (!deletes.empty()) {
    ++cib_requests_;
    cib::Request r;
    r.op = cib::Op::kDelete;
    r.xpath = deletes;
    r.delete_all = true;
    r.client_name = "attrd";
    cib_.submit(std::move(r), [finished](Status s) { finished(s, true); });
  }
}

}  // namespace crm::attrd
