#include "cluster_commands.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "crm/cib/client.h"
#include "crm/core/boolean.h"
#include "crm/core/duration.h"
#include "crm/core/exec_status.h"
#include "crm/core/nvpair.h"
#include "crm/core/op_history.h"
#include "crm/core/op_key.h"
#include "crm/core/xml.h"
#include "crm/pengine/pengine.h"
#include "crm/tools/admin.h"
#include "crm/tools/status_format.h"

namespace crm::tools {
namespace {

using pengine::ClusterStatus;
using pengine::ResourceStatus;
using pengine::Role;

// Prints the peer-style error pair and returns the exit status.
int error(const std::string& what, int rc, const std::string& summary = "") {
  std::fprintf(stderr, "crm_resource: %s\n", what.c_str());
  if (!summary.empty()) std::fprintf(stderr, "Error performing operation: %s\n", summary.c_str());
  return rc;
}
int error(const Status& s, const std::string& what) {
  return error(what + ": " + s.message(), s.exit_code());
}
int no_such_resource(const std::string& id) {
  return error("Resource '" + id + "' not found", kExitNoSuch, "No such object");
}

class Session {
 public:
  Status open() {
    auto c = cib::connect();
    if (!c.ok()) return c.status().with_context("connecting to the CIB");
    client_ = std::move(*c);
    return reload();
  }
  Status reload() {
    auto info = load_cluster_info(*client_);
    if (!info.ok()) return info.status().with_context("reading the CIB");
    info_ = std::move(*info);
    auto st = pengine::read_cluster_status(info_->cib.doc(), std::time(nullptr));
    if (!st.ok()) return st.status().with_context("reading the cluster status");
    status_ = std::move(*st);
    return Status::Ok();
  }
  cib::CibClient& client() { return *client_; }
  const ClusterInfo& info() const { return *info_; }
  const cib::Cib& cib() const { return info_->cib; }
  const ClusterStatus& status() const { return status_; }

 private:
  std::unique_ptr<cib::CibClient> client_;
  std::optional<ClusterInfo> info_;
  ClusterStatus status_;
};

const ResourceStatus* find_status(const std::vector<ResourceStatus>& list, const std::string& id) {
  for (const auto& r : list) {
    if (r.id == id) return &r;
    if (const ResourceStatus* c = find_status(r.children, id)) return c;
  }
  return nullptr;
}

// Every primitive (instance) under `r`, or `r` itself.
void leaves(const ResourceStatus& r, std::vector<const ResourceStatus*>* out) {
  if (r.kind == ResourceStatus::Kind::kPrimitive) out->push_back(&r);
  for (const auto& c : r.children) leaves(c, out);
}

// Anonymous clone instances "db:2" of a primitive "db" (when asked by base id).
void instances_of(const std::vector<ResourceStatus>& list, const std::string& base,
                  std::vector<const ResourceStatus*>* out) {
  for (const auto& r : list) {
    if (r.kind == ResourceStatus::Kind::kPrimitive && r.id.rfind(base + ":", 0) == 0) out->push_back(&r);
    instances_of(r.children, base, out);
  }
}

// (node, promoted) pairs where the resource is active.
std::vector<std::pair<std::string, bool>> locations(const ClusterStatus& st, const std::string& id) {
  std::vector<const ResourceStatus*> prims;
  if (const ResourceStatus* r = find_status(st.resources, id)) leaves(*r, &prims);
  else instances_of(st.resources, id, &prims);
  std::vector<std::pair<std::string, bool>> out;
  std::set<std::string> seen;
  for (const auto* p : prims)
    for (const auto& n : p->nodes)
      if (seen.insert(n).second) out.emplace_back(n, p->role == Role::kPromoted);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return natural_less(a.first, b.first); });
  return out;
}

std::string quote_xpath(const std::string& s) { return "'" + s + "'"; }

bool valid_xpath_literal(const std::string& s) { return s.find('\'') == std::string::npos; }

// ---------------------------------------------------------------------------
int cmd_list(Session& s, bool raw) {
  if (raw) {
    std::vector<const ResourceStatus*> prims;
    for (const auto& r : s.status().resources) leaves(r, &prims);
    for (const auto* p : prims) std::cout << p->id << "\n";
    return kExitOk;
  }
  if (s.status().resources.empty()) {
    std::cout << "Full List of Resources:\n  * No resources\n";
    return error("Error performing operation: No such object", kExitNoSuch);
  }
  MonOptions opt;
  opt.inactive = true;
  opt.show_nodes = false;
  std::cout << "Full List of Resources:\n" << format_resources(s.info(), s.status(), opt);
  return kExitOk;
}

int cmd_locate(Session& s, const ClusterCommandOptions& o) {
  if (!find_resource(s.cib(), o.resource)) return no_such_resource(o.resource);
  auto where = locations(s.status(), o.resource);
  if (where.empty()) {
    std::fprintf(stderr, "resource %s is NOT running\n", o.resource.c_str());
    return kExitOk;
  }
  for (const auto& [node, promoted] : where) {
    if (o.quiet) std::cout << node << "\n";
    else std::cout << "resource " << o.resource << " is running on: " << node << (promoted ? " Promoted" : "") << "\n";
  }
  return kExitOk;
}

// "2026-11-24 21:10:32Z": now + lifetime, UTC.
Result<std::string> lifetime_end(const std::string& lifetime) {
  ASSIGN_OR_RETURN(auto secs, parse_iso8601_duration(lifetime));
  std::time_t end = std::time(nullptr) + secs.count();
  std::tm tmv;
  char buf[64];
  if (!gmtime_r(&end, &tmv) || std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tmv) == 0)
    return invalid_argument("lifetime " + lifetime + " is too long");
  return std::string(buf);
}

// A cli-* location constraint: plain, or a rule ending at the lifetime.
std::string location_xml(const std::string& id, const std::string& rsc, const std::string& node, const char* score,
                         const std::string& end, bool promoted) {
  std::string role = promoted ? "Promoted" : "Started";
  std::ostringstream x;
  x << "<rsc_location id=\"" << xml::escape(id) << "\" rsc=\"" << xml::escape(rsc) << "\" role=\"" << role << "\"";
  if (end.empty()) {
    x << " node=\"" << xml::escape(node) << "\" score=\"" << score << "\"/>";
    return x.str();
  }
  bool prefer = id.rfind("cli-prefer-", 0) == 0;
  std::string rule = prefer ? "cli-prefer-rule-" + rsc : id + "-rule";
  std::string expr = prefer ? "cli-prefer-expr-" + rsc : id + "-expr";
  std::string date = prefer ? "cli-prefer-lifetime-end-" + rsc : id + "-lifetime";
  x << "><rule id=\"" << xml::escape(rule) << "\" score=\"" << score << "\" boolean-op=\"and\">"
    << "<expression id=\"" << xml::escape(expr) << "\" attribute=\"#uname\" operation=\"eq\" value=\"" << xml::escape(node)
    << "\" type=\"string\"/>"
    << "<date_expression id=\"" << xml::escape(date) << "\" operation=\"lt\" end=\"" << xml::escape(end) << "\"/>"
    << "</rule></rsc_location>";
  return x.str();
}

Status put_constraint(cib::CibClient& client, const std::string& id, const std::string& xml_text) {
  Status gone = client.remove_xpath("/cib/configuration/constraints/rsc_location[@id=" + quote_xpath(id) + "]", true);
  if (!gone.ok() && gone.code() != StatusCode::kNotFound) return gone;
  return client.create("constraints", xml_text);
}

// cli-* constraints of `rsc` ("" = any), optionally only those for `node`.
std::vector<std::string> cli_constraints(const cib::Cib& cib, const std::string& rsc, const std::string& node) {
  std::vector<std::string> ids;
  xmlNode* cfg = cib.configuration();
  xmlNode* cons = cfg ? xml::first_child(cfg, "constraints") : nullptr;
  if (!cons) return ids;
  for (xmlNode* c : xml::children(cons, "rsc_location")) {
    std::string id = xml::attr_or(c, "id"), r = xml::attr_or(c, "rsc");
    if (!rsc.empty() && r != rsc) continue;
    bool prefer = id == "cli-prefer-" + r;
    bool ban = id.rfind("cli-ban-" + r + "-on-", 0) == 0;
    if (!prefer && !ban) continue;
    if (!node.empty()) {
      std::string on = xml::attr_or(c, "node");
      if (on.empty()) {  // rule form: the #uname expression's value
        auto found = xml::xpath(cib.doc(), "//rsc_location[@id=" + quote_xpath(id) + "]//expression[@attribute='#uname']");
        if (found.ok() && !found->empty()) on = xml::attr_or(found->front(), "value");
      }
      if (on != node) continue;
    }
    ids.push_back(id);
  }
  return ids;
}

int cmd_ban(Session& s, const ClusterCommandOptions& o, std::string node) {
  if (node.empty()) {
    auto where = locations(s.status(), o.resource);
    if (where.size() != 1) {
      std::fprintf(stderr,
                   "crm_resource: Resource '%s' not moved: active in %zu locations.\n"
                   "To prevent '%s' from running on a specific location, specify a node.\n",
                   o.resource.c_str(), where.size(), o.resource.c_str());
      return kExitUsage;
    }
    node = where.front().first;
  }
  std::string end;
  if (!o.lifetime.empty()) {
    auto e = lifetime_end(o.lifetime);
    if (!e.ok()) return error(e.status(), "invalid --lifetime");
    end = *e;
  }
  std::string id = xml::make_id("cli-ban-" + o.resource + "-on-" + node);
  Status st = put_constraint(s.client(), id, location_xml(id, o.resource, node, "-INFINITY", end, o.promoted));
  if (!st.ok()) return error(st, "cannot create constraint " + id);
  if (o.quiet) return kExitOk;
  if (end.empty()) {
    std::cout << "WARNING: Creating rsc_location constraint '" << id << "' with a score of -INFINITY for resource "
              << o.resource << " on " << node << ".\n"
              << "\t" << o.resource << " will not run on " << node
              << " until the constraint is removed with the clear option (crm_resource -U) or by editing the CIB\n"
              << "\tThis holds even when " << node << " is the last node left in the cluster\n";
  } else {
    std::cout << "Ban will be in effect until: " << end << "\n";
  }
  return kExitOk;
}

int cmd_move(Session& s, const ClusterCommandOptions& o) {
  if (o.node.empty()) return cmd_ban(s, o, "");  // away from where it runs now
  auto where = locations(s.status(), o.resource);
  bool already = where.size() == 1 && where.front().first == o.node;
  if (already && !o.force) {
    return error(o.resource + " is already active on " + o.node + " (--force to move anyway)", 108,
                 "Requested item already exists");
  }
  std::string end;
  if (!o.lifetime.empty()) {
    auto e = lifetime_end(o.lifetime);
    if (!e.ok()) return error(e.status(), "invalid --lifetime");
    end = *e;
  }
  // A ban on the destination would defeat the move.
  for (const auto& id : cli_constraints(s.cib(), o.resource, o.node)) {
    if (id.rfind("cli-ban-", 0) != 0) continue;
    Status gone = s.client().remove_xpath("/cib/configuration/constraints/rsc_location[@id=" + quote_xpath(id) + "]");
    if (!gone.ok() && gone.code() != StatusCode::kNotFound) return error(gone, "cannot remove " + id);
  }
  std::string id = xml::make_id("cli-prefer-" + o.resource);
  Status st = put_constraint(s.client(), id, location_xml(id, o.resource, o.node, "INFINITY", end, o.promoted));
  if (!st.ok()) return error(st, "cannot create constraint " + id);
  if (!end.empty()) std::cout << "Migration will take effect until: " << end << "\n";
  // --force: also keep it off the node it runs on now.
  if (o.force && where.size() == 1 && where.front().first != o.node) return cmd_ban(s, o, where.front().first);
  return kExitOk;
}

int cmd_clear(Session& s, const ClusterCommandOptions& o) {
  auto ids = cli_constraints(s.cib(), o.resource, o.node);
  // With a node, a cli-prefer for another node stays.
  for (const auto& id : ids) {
    Status gone = s.client().remove_xpath("/cib/configuration/constraints/rsc_location[@id=" + quote_xpath(id) + "]");
    if (!gone.ok() && gone.code() != StatusCode::kNotFound) return error(gone, "cannot remove " + id);
    if (!o.quiet) std::cout << "Removing constraint: " << id << "\n";
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// Cleanup / refresh: delete operation history (lrm_resource) and fail counts
// so that the DC re-probes the resource.

struct HistoryTarget {
  std::string node_id, node_name;
  std::vector<std::string> xpaths;  // elements to delete
};

// Base ids of every primitive at or under `id` in the configuration.
std::vector<std::string> config_primitives(const cib::Cib& cib, const std::string& id) {
  std::vector<std::string> out;
  xmlNode* e = find_resource(cib, id);
  if (!e) return out;
  if (xml::is(e, "primitive")) return {id};
  auto found = xml::xpath(cib.doc(), "//resources//*[@id=" + quote_xpath(id) + "]//primitive");
  if (found.ok())
    for (xmlNode* p : *found) out.push_back(xml::attr_or(p, "id"));
  return out;
}

bool history_matches(const std::string& history_id, const std::set<std::string>& prims) {
  if (prims.count(history_id)) return true;
  auto colon = history_id.find(':');
  return colon != std::string::npos && prims.count(history_id.substr(0, colon));
}

bool failcount_matches(const std::string& name, const std::set<std::string>& prims) {
  auto failure = parse_failure_attr(name);
  return failure && history_matches(failure->rsc, prims);
}

// `prims` empty: every resource. `only_failed`: only resources with a failed operation on that node.
std::vector<HistoryTarget> history_targets(const cib::Cib& cib, const std::set<std::string>& prims,
                                           const std::string& node_id, bool only_failed) {
  std::vector<HistoryTarget> out;
  xmlNode* status = cib.status();
  if (!status) return out;
  std::set<std::pair<std::string, std::string>> failed;  // (node name, history id)
  if (only_failed)
    for (const auto& f : failed_operations(cib)) failed.insert({f.node, f.rsc});
  for (xmlNode* ns : xml::children(status, "node_state")) {
    HistoryTarget t;
    t.node_id = xml::attr_or(ns, "id");
    t.node_name = xml::attr_or(ns, "uname", t.node_id);
    if (!node_id.empty() && t.node_id != node_id) continue;
    if (!valid_xpath_literal(t.node_id)) continue;
    std::string base = "/cib/status/node_state[@id=" + quote_xpath(t.node_id) + "]";
    std::set<std::string> cleaned;
    for (xmlNode* lrm : xml::children(ns, "lrm"))
      for (xmlNode* rscs : xml::children(lrm, "lrm_resources"))
        for (xmlNode* lr : xml::children(rscs, "lrm_resource")) {
          std::string id = xml::attr_or(lr, "id");
          if (!prims.empty() && !history_matches(id, prims)) continue;
          if (only_failed && !failed.count({t.node_name, id})) continue;
          if (!valid_xpath_literal(id)) continue;
          t.xpaths.push_back(base + "/lrm/lrm_resources/lrm_resource[@id=" + quote_xpath(id) + "]");
          cleaned.insert(id);
        }
    for (xmlNode* ta : xml::children(ns, "transient_attributes"))
      for (xmlNode* set : xml::children(ta, "instance_attributes"))
        for (xmlNode* nv : xml::children(set, "nvpair")) {
          std::string name = xml::attr_or(nv, "name"), id = xml::attr_or(nv, "id");
          if (!parse_failure_attr(name)) continue;
          if (!prims.empty() && !failcount_matches(name, prims)) continue;
          if (only_failed && !failcount_matches(name, cleaned)) continue;
          if (!valid_xpath_literal(id)) continue;
          t.xpaths.push_back(base + "/transient_attributes/instance_attributes/nvpair[@id=" + quote_xpath(id) + "]");
        }
    out.push_back(std::move(t));
  }
  return out;
}

Status delete_history(cib::CibClient& client, const std::vector<HistoryTarget>& targets) {
  std::string expr;
  auto flush = [&]() -> Status {
    if (expr.empty()) return Status::Ok();
    Status st = client.remove_xpath(expr, true);
    expr.clear();
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
    return Status::Ok();
  };
  for (const auto& t : targets)
    for (const auto& x : t.xpaths) {
      if (!expr.empty()) expr += " | ";
      expr += x;
      if (expr.size() > 32768) RETURN_IF_ERROR(flush());
    }
  return flush();
}

int cmd_cleanup(Session& s, const ClusterCommandOptions& o, bool refresh) {
  std::string node_id;
  if (!o.node.empty()) {
    auto id = node_id_for(s.cib(), o.node);
    if (!id.ok()) return error("Node '" + o.node + "' not found", kExitNoSuch, "No such object");
    node_id = *id;
  }
  std::set<std::string> prims;
  if (!o.resource.empty()) {
    if (!find_resource(s.cib(), o.resource)) return no_such_resource(o.resource);
    for (const auto& p : config_primitives(s.cib(), o.resource)) prims.insert(p);
    if (prims.empty()) return kExitOk;
  }
  bool only_failed = !refresh && o.resource.empty();
  auto targets = history_targets(s.cib(), prims, node_id, only_failed);
  Status st = delete_history(s.client(), targets);
  if (!st.ok()) return error(st, "cannot delete the operation history");
  if (o.resource.empty()) {
    std::cout << (refresh ? "Refreshed" : "Cleaned up") << " all resources on "
              << (o.node.empty() ? "all nodes" : o.node) << "\n";
    return kExitOk;
  }
  std::vector<std::string> nodes;
  if (!o.node.empty()) nodes.push_back(o.node);
  else
    for (const auto& n : s.status().nodes) nodes.push_back(n.name);
  for (const auto& p : std::vector<std::string>(prims.begin(), prims.end()))
    for (const auto& n : nodes) std::cout << "Cleaned up " << p << " on " << n << "\n";
  return kExitOk;
}

// ---------------------------------------------------------------------------
// Parameters, meta attributes, utilization.

const char* set_tag(const ClusterCommandOptions& o) {
  return o.meta ? "meta_attributes" : o.utilization ? "utilization" : "instance_attributes";
}

xmlNode* find_attr(xmlNode* rsc, const ClusterCommandOptions& o, xmlNode** set_out) {
  return find_nvpair_in(
      rsc, set_tag(o), o.set_name, [&o](const xmlNode* nv) { return xml::attr_or(nv, "name") == o.parameter; }, set_out);
}

std::string unique_id(const cib::Cib& cib, const std::string& want) {
  std::string id = xml::make_id(want);
  for (int i = 1;; ++i) {
    std::string candidate = i == 1 ? id : id + "-" + std::to_string(i);
    auto found = xml::xpath(cib.doc(), "//*[@id=" + quote_xpath(candidate) + "]");
    if (found.ok() && found->empty()) return candidate;
    if (!found.ok()) return candidate;
  }
}

int cmd_get_param(Session& s, const ClusterCommandOptions& o) {
  xmlNode* rsc = find_resource(s.cib(), o.resource);
  if (!rsc) return no_such_resource(o.resource);
  xmlNode* nv = find_attr(rsc, o, nullptr);
  if (!nv) {
    std::fprintf(stderr, "Attribute '%s' not found for '%s'\n", o.parameter.c_str(), o.resource.c_str());
    return kExitOk;
  }
  std::cout << xml::attr_or(nv, "value") << "\n";
  return kExitOk;
}

int cmd_set_param(Session& s, const ClusterCommandOptions& o) {
  xmlNode* rsc = find_resource(s.cib(), o.resource);
  if (!rsc) return no_such_resource(o.resource);
  xmlNode* set = nullptr;
  xmlNode* nv = find_attr(rsc, o, &set);
  std::string set_id, nv_id;
  if (nv) {
    set_id = xml::attr_or(set, "id");
    nv_id = xml::attr_or(nv, "id");
  } else {
    for (xmlNode* candidate : xml::children(rsc, set_tag(o))) {
      if (!o.set_name.empty() && xml::attr_or(candidate, "id") != o.set_name) continue;
      if (xml::first_child(candidate, "rule")) continue;  // conditional sets stay as they are
      set_id = xml::attr_or(candidate, "id");
      break;
    }
    if (set_id.empty()) set_id = o.set_name.empty() ? unique_id(s.cib(), o.resource + "-" + set_tag(o)) : o.set_name;
    nv_id = unique_id(s.cib(), set_id + "-" + o.parameter);
  }
  std::ostringstream x;
  x << "<" << xml::name(rsc) << " id=\"" << xml::escape(o.resource) << "\"><" << set_tag(o) << " id=\""
    << xml::escape(set_id) << "\"><nvpair id=\"" << xml::escape(nv_id) << "\" name=\"" << xml::escape(o.parameter)
    << "\" value=\"" << xml::escape(o.value) << "\"/></" << set_tag(o) << "></" << xml::name(rsc) << ">";
  Status st = s.client().modify("resources", x.str());
  if (!st.ok()) return error(st, "cannot set " + o.parameter + " of " + o.resource);
  if (!o.quiet)
    std::cout << "Set '" << o.resource << "' option: id=" << nv_id << " set=" << set_id << " name=" << o.parameter
              << " value=" << o.value << "\n";
  return kExitOk;
}

int cmd_delete_param(Session& s, const ClusterCommandOptions& o) {
  xmlNode* rsc = find_resource(s.cib(), o.resource);
  if (!rsc) return no_such_resource(o.resource);
  xmlNode* nv = find_attr(rsc, o, nullptr);
  if (!nv) return kExitOk;  // nothing to delete, as the peer
  std::string id = xml::attr_or(nv, "id");
  if (!valid_xpath_literal(id)) return error("invalid id " + id, kExitInvalidParam);
  Status st = s.client().remove_xpath("/cib/configuration/resources//nvpair[@id=" + quote_xpath(id) + "]");
  if (!st.ok()) return error(st, "cannot delete " + o.parameter + " of " + o.resource);
  if (!o.quiet) std::cout << "Deleted '" << o.resource << "' option: id=" << id << " name=" << o.parameter << "\n";
  return kExitOk;
}

int cmd_query_xml(Session& s, const ClusterCommandOptions& o) {
  xmlNode* rsc = find_resource(s.cib(), o.resource);
  if (!rsc) return no_such_resource(o.resource);
  MonOptions opt;
  opt.inactive = true;
  std::cout << format_one_resource(s.info(), s.status(), o.resource, opt);
  xml::DocPtr doc = xml::new_document("x");
  xmlNode* copy = xmlDocCopyNode(rsc, doc.get(), 1);
  xmlNode* old_root = xmlDocSetRootElement(doc.get(), copy);
  if (old_root) xmlFreeNode(old_root);
  std::string text = xml::to_string(doc.get(), true);
  if (auto pos = text.find("?>"); text.rfind("<?xml", 0) == 0 && pos != std::string::npos) {
    text.erase(0, pos + 2);
    while (!text.empty() && text.front() == '\n') text.erase(0, 1);
  }
  std::cout << "Resource XML:\n" << text;
  if (!text.empty() && text.back() != '\n') std::cout << "\n";
  return kExitOk;
}

// ---------------------------------------------------------------------------
// Constraints of one resource.

std::string rsc_of(const xmlNode* c, const char* a) { return xml::attr_or(c, a); }

void colocations(const cib::Cib& cib, const std::string& rsc, bool with_me, bool recursive, const std::string& indent,
                 std::set<std::string>* seen, std::ostringstream& o) {
  xmlNode* cfg = cib.configuration();
  xmlNode* cons = cfg ? xml::first_child(cfg, "constraints") : nullptr;
  if (!cons) return;
  std::vector<xmlNode*> hits;
  for (xmlNode* c : xml::children(cons, "rsc_colocation")) {
    std::string a = rsc_of(c, "rsc"), b = rsc_of(c, "with-rsc");
    if ((with_me ? b : a) == rsc) hits.push_back(c);
  }
  if (hits.empty()) return;
  o << indent << (with_me ? "Resources colocated with " + rsc + ":" : "Resources " + rsc + " is colocated with:")
    << "\n";
  for (xmlNode* c : hits) {
    std::string other = rsc_of(c, with_me ? "rsc" : "with-rsc");
    o << indent << "  * " << other << " (score=" << xml::attr_or(c, "score", "INFINITY")
      << ", id=" << xml::attr_or(c, "id") << ")\n";
    if (recursive && seen->insert(other).second)
      colocations(cib, other, with_me, recursive, indent + "    ", seen, o);
  }
}

int cmd_constraints(Session& s, const ClusterCommandOptions& o) {
  if (!find_resource(s.cib(), o.resource)) return no_such_resource(o.resource);
  std::ostringstream out;
  xmlNode* cfg = s.cib().configuration();
  xmlNode* cons = cfg ? xml::first_child(cfg, "constraints") : nullptr;
  std::vector<std::string> locs;
  if (cons) {
    for (xmlNode* c : xml::children(cons, "rsc_location")) {
      if (xml::attr_or(c, "rsc") != o.resource) continue;
      std::string id = xml::attr_or(c, "id");
      if (auto node = xml::attr(c, "node")) {
        locs.push_back("  * Node " + *node + " (score=" + xml::attr_or(c, "score") + ", id=" + id + ", rsc=" +
                       o.resource + ")");
      } else {
        for (xmlNode* rule : xml::children(c, "rule"))
          locs.push_back("  * Rule " + xml::attr_or(rule, "id") + " (score=" +
                         xml::attr_or(rule, "score", xml::attr_or(rule, "score-attribute")) + ", id=" + id +
                         ", rsc=" + o.resource + ")");
      }
    }
  }
  if (!locs.empty()) {
    out << "Locations:\n";
    for (const auto& l : locs) out << l << "\n";
  }
  std::set<std::string> seen{o.resource};
  colocations(s.cib(), o.resource, true, o.recursive, "", &seen, out);
  seen = {o.resource};
  colocations(s.cib(), o.resource, false, o.recursive, "", &seen, out);
  std::cout << out.str();
  return kExitOk;
}

// -O / -o: the operation history, one line per operation as the peer prints
// it: node_states in CIB order, per resource its operations by call id.
// -O (active): only nodes that are members (in_ccm) with a running controller.
int cmd_list_operations(Session& s, const ClusterCommandOptions& o, bool active_only) {
  xmlNode* status = xml::first_child(s.cib().root(), "status");
  int printed = 0;
  for (xmlNode* ns : xml::children(status, "node_state")) {
    std::string uname = xml::attr_or(ns, "uname");
    if (!o.node.empty() && uname != o.node) continue;
    if (active_only && !(is_true(xml::attr_or(ns, "in_ccm")) && xml::attr_or(ns, "crmd") == "online")) continue;
    xmlNode* lrm = xml::first_child(ns, "lrm");
    for (xmlNode* lr : xml::children(xml::first_child(lrm, "lrm_resources"), "lrm_resource")) {
      std::string rsc = xml::attr_or(lr, "id");
      std::string base = rsc.substr(0, rsc.find(':'));
      if (!o.resource.empty() && rsc != o.resource && base != o.resource) continue;
      std::vector<std::pair<OpRecord, xmlNode*>> ops;
      for (xmlNode* op : xml::children(lr, "lrm_rsc_op")) ops.emplace_back(read_op_record(op), op);
      std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.first.call_id < b.first.call_id; });
      std::string who;
      if (const ResourceStatus* r = find_status(s.status().resources, rsc); r || (r = find_status(s.status().resources, base))) {
        who = rsc + "\t(" + r->agent + "):\t " + (r->nodes.empty() ? "Stopped" : pengine::role_text(r->role));
      } else {
        who = "Unknown resource " + rsc;
      }
      for (const auto& [rec, op] : ops) {
        std::string extra;
        if (auto lrc = xml::attr(op, "last-rc-change")) {
          std::time_t t = std::atol(lrc->c_str());
          char buf[64];
          ctime_r(&t, buf);
          std::string when(buf);
          while (!when.empty() && (when.back() == '\n' || when.back() == ' ')) when.pop_back();
          extra = ", last-rc-change='" + when + "', exec=" + xml::attr_or(op, "exec-time") + "ms";
        }
        std::printf("%s: %s (node=%s, call=%s, rc=%s%s): %s\n", who.c_str(),
                    xml::attr_or(op, "operation_key", xml::attr_or(op, "id")).c_str(), uname.c_str(),
                    xml::attr_or(op, "call-id").c_str(), xml::attr_or(op, "rc-code").c_str(), extra.c_str(),
                    exec_status_text(rec.op_status));
        ++printed;
      }
    }
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// --wait and --restart, as the peer's wait_till_stable and cli_resource_restart:
// both read the live CIB over and over and ask the policy engine what is
// still to be done.

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::seconds(1);
constexpr int kExitTimeout = 124;  // CRM_EX_TIMEOUT

bool running_on(const ResourceStatus& r, const std::string& host) {
  std::vector<const ResourceStatus*> prims;
  leaves(r, &prims);
  for (const auto* p : prims)
    for (const auto& n : p->nodes)
      if (host.empty() || n == host) return true;
  return false;
}

// What is active on `host` ("" = anywhere), named as the peer lists it: a
// group by its members, a clone by its own id, a primitive by its id.
void active_ids(const std::vector<ResourceStatus>& list, const std::string& host, std::set<std::string>* out) {
  for (const auto& r : list) {
    if (r.kind == ResourceStatus::Kind::kGroup) active_ids(r.children, host, out);
    else if (running_on(r, host)) out->insert(r.id);
  }
}
std::set<std::string> active_ids(const ClusterStatus& st, const std::string& host) {
  std::set<std::string> out;
  active_ids(st.resources, host, &out);
  return out;
}

std::set<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

void print_list(const std::set<std::string>& ids) {
  for (const auto& id : ids) std::cout << " * " << id << "\n";
}

// An action the cluster still has to carry out: the peer's action_is_pending
// (the graph holds only required, runnable actions; pseudo actions and
// notifications do not count).
bool is_pending(const pengine::GraphAction& a) {
  return a.type != pengine::GraphAction::Type::kPseudo && a.task != "notify";
}

Result<pengine::Transition> plan(const Session& s) {
  return pengine::schedule(s.cib().doc(), std::time(nullptr));
}

// ---------------------------------------------------------------------------
// --why: the peer's answer (running or not, and its configuration checks);
// --explain: the policy engine's own account of every node's score.

// The value of meta attribute `name` of the resource, or inherited from the
// group or clone it belongs to ("" when none sets it).
std::string effective_meta(xmlNode* rsc, const char* name) {
  for (xmlNode* x = rsc; x && x->type == XML_ELEMENT_NODE; x = x->parent) {
    std::string tag = reinterpret_cast<const char*>(x->name);
    if (tag != "primitive" && tag != "group" && tag != "clone" && tag != "master" && tag != "bundle") break;
    if (xmlNode* nv = find_nvpair(x, "meta_attributes", name)) return xml::attr_or(nv, "value");
  }
  return "";
}

xmlNode* top_resource(xmlNode* rsc) {
  xmlNode* top = rsc;
  for (xmlNode* x = rsc->parent; x && x->type == XML_ELEMENT_NODE; x = x->parent) {
    std::string tag = reinterpret_cast<const char*>(x->name);
    if (tag != "group" && tag != "clone" && tag != "master" && tag != "bundle") break;
    top = x;
  }
  return top;
}

// The peer's cli_resource_check lines for a resource.
void print_checks(xmlNode* rsc) {
  std::string top = xml::attr_or(top_resource(rsc), "id");
  std::string role = effective_meta(rsc, "target-role");
  if (!role.empty()) {
    auto r = pengine::Role::kUnknown;
    std::string l;
    for (char c : role) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == "stopped") r = Role::kStopped;
    if (l == "unpromoted" || l == "slave") r = Role::kUnpromoted;
    xmlNode* t = top_resource(rsc);
    bool promotable = xml::attr_or(t, "id").size() && (std::string(reinterpret_cast<const char*>(t->name)) == "master" ||
                                                       is_true(effective_meta(t, "promotable")));
    if (r == Role::kStopped) std::cout << "Configuration specifies '" << top << "' should remain stopped\n";
    if (r == Role::kUnpromoted && promotable)
      std::cout << "Configuration specifies '" << top << "' should not be promoted\n";
  }
  std::string managed = effective_meta(rsc, "is-managed");
  if (!managed.empty() && !is_true(managed))
    std::cout << "Configuration prevents cluster from stopping or starting unmanaged '" << top << "'\n";
}

// The configuration element of a primitive status id ("db:2" is db's).
xmlNode* config_of(const cib::Cib& cib, const std::string& id) {
  if (xmlNode* x = find_resource(cib, id)) return x;
  auto colon = id.rfind(':');
  return colon == std::string::npos ? nullptr : find_resource(cib, id.substr(0, colon));
}

int cmd_why(Session& s, const ClusterCommandOptions& o) {
  xmlNode* rsc = nullptr;
  std::string name = o.resource;
  if (!o.resource.empty()) {
    rsc = find_resource(s.cib(), o.resource);
    if (!rsc) return no_such_resource(o.resource);
    // A resource inside an anonymous clone is found as its first instance,
    // as the peer's; inside a globally unique one, by no name but its
    // instances' own.
    if (xmlNode* clone = enclosing_clone(rsc)) {
      if (!anonymous_clone(clone)) return no_such_resource(o.resource);
      name = o.resource + ":0";
    }
  }
  if (!o.node.empty() && !node_id_for(s.cib(), o.node).ok())
    return error("Node '" + o.node + "' not found", kExitNoSuch, "No such object");
  auto on = [&](const std::string& id, const std::string& node) {
    for (const auto& [n, promoted] : locations(s.status(), id))
      if (n == node) return true;
    return false;
  };
  if (rsc && !o.node.empty()) {
    std::cout << "Resource " << name << " is " << (on(name, o.node) ? "" : "not ") << "running on host " << o.node
              << "\n";
    print_checks(rsc);
  } else if (rsc) {
    std::cout << "Resource " << name << " is " << (locations(s.status(), name).empty() ? "not " : "") << "running\n";
    print_checks(rsc);
  } else if (!o.node.empty()) {
    for (const auto& a : active_on_node(s.cib(), s.status(), o.node)) {
      std::cout << "Resource " << a.rsc->id << " is running on host " << o.node << "\n";
      if (xmlNode* x = config_of(s.cib(), a.rsc->id)) print_checks(x);
    }
  } else {
    for (const auto& r : s.status().resources) {
      if (r.orphan && r.id.find(':') != std::string::npos) continue;  // an instance: its clone stands for it
      std::cout << "Resource " << r.id << " is " << (locations(s.status(), r.id).empty() ? "not " : "") << "running\n";
      if (xmlNode* x = find_resource(s.cib(), r.id)) print_checks(x);
    }
  }
  return kExitOk;
}

int cmd_explain(Session& s, const ClusterCommandOptions& o) {
  if (!o.node.empty() && !node_id_for(s.cib(), o.node).ok())
    return error("Node '" + o.node + "' not found", kExitNoSuch, "No such object");
  pengine::ScheduleOptions opts;
  opts.explain = {o.resource};
  auto t = pengine::schedule(s.cib().doc(), std::time(nullptr), opts);
  if (!t.ok()) return error(t.status(), "Error: the policy engine cannot schedule this CIB");
  // An instance ("db:1") is known to the policy engine only.
  if (t->explanations.empty()) return no_such_resource(o.resource);
  bool first = true;
  for (auto e : t->explanations) {
    if (!o.node.empty()) {
      std::erase_if(e.nodes, [&](const pengine::NodeExplanation& n) { return n.node != o.node; });
    }
    std::cout << (first ? "" : "\n") << format_explanation(e);
    first = false;
  }
  return kExitOk;
}

int cmd_wait(Session& s, const ClusterCommandOptions& o) {
  const auto deadline =
      Clock::now() + (o.timeout_ms > 0 ? std::chrono::milliseconds(o.timeout_ms) : std::chrono::hours(1));
  for (bool first = true;; first = false) {
    if (!first) std::this_thread::sleep_for(kPollInterval);
    if (!first) {
      if (Status st = s.reload(); !st.ok()) return error(st, "Error");
    }
    auto t = plan(s);
    if (!t.ok()) return error(t.status(), "cannot compute what the cluster has left to do");
    std::vector<const pengine::GraphAction*> pending;
    for (const auto& a : t->actions)
      if (is_pending(a)) pending.push_back(&a);
    if (pending.empty()) return kExitOk;
    if (Clock::now() >= deadline) {
      std::cout << "Pending actions:\n";
      for (const auto* a : pending) {
        std::cout << "\tAction " << a->id << ": " << a->key;
        if (!a->node.empty()) std::cout << "\ton " << a->node;
        std::cout << "\n";
      }
      return error("Error performing operation: Timeout occurred", kExitTimeout);
    }
  }
}

// The longest CRM_meta_timeout among the graph's actions of `task`, plus the
// peer's 5 s: how long one step of a restart may take without progress.
std::chrono::milliseconds step_timeout(const pengine::Transition& t, const std::string& task) {
  long longest = 0;
  for (const auto& a : t.actions) {
    if (a.task != task) continue;
    auto it = a.attributes.find("CRM_meta_timeout");
    if (it != a.attributes.end()) longest = std::max(longest, std::atol(it->second.c_str()));
  }
  return std::chrono::milliseconds(longest) + std::chrono::seconds(5);
}

// Polls until `remaining()` is empty. Gives up when a step passes without
// it shrinking (the peer's rule), or when `overall` (if set) runs out.
int wait_for(Session& s, const std::function<std::set<std::string>()>& remaining, std::chrono::milliseconds step,
             std::optional<Clock::time_point> overall, std::set<std::string>* left) {
  *left = remaining();
  auto step_end = Clock::now() + step;
  while (!left->empty()) {
    if (Clock::now() >= step_end || (overall && Clock::now() >= *overall)) return kExitTimeout;
    std::this_thread::sleep_for(kPollInterval);
    if (Status st = s.reload(); !st.ok()) return error(st, "Error");
    std::set<std::string> now = remaining();
    if (now.size() < left->size()) step_end = Clock::now() + step;
    *left = std::move(now);
  }
  return kExitOk;
}

int cmd_restart(Session& s, const ClusterCommandOptions& o) {
  xmlNode* cfg = find_resource(s.cib(), o.resource);
  if (!cfg) return no_such_resource(o.resource);
  const ResourceStatus* rs = find_status(s.status().resources, o.resource);
  if (!rs || !running_on(*rs, o.node)) {
    std::string where = o.node.empty() ? "anywhere" : "on " + o.node;
    return error(o.resource + " is not running " + where + " and so cannot be restarted", kExitNoSuch,
                 "No such object");
  }
  // A clone restarted on one node: stopped there by a ban, not by its
  // target-role (which would stop every instance).
  const std::string kind(xml::name(cfg));
  const bool via_ban = !o.node.empty() && (kind == "clone" || kind == "master");
  const std::optional<Clock::time_point> overall =
      o.timeout_ms > 0 ? std::optional(Clock::now() + std::chrono::milliseconds(o.timeout_ms)) : std::nullopt;

  ClusterCommandOptions role = o;
  role.meta = true;
  role.utilization = false;
  role.set_name.clear();
  role.parameter = "target-role";
  role.quiet = true;
  std::optional<std::string> original_role;
  if (xmlNode* nv = find_attr(cfg, role, nullptr)) original_role = xml::attr_or(nv, "value");
  auto restore = [&]() -> int {
    if (via_ban) return cmd_clear(s, role);
    if (original_role) {
      role.value = *original_role;
      return cmd_set_param(s, role);
    }
    return cmd_delete_param(s, role);
  };

  const std::set<std::string> to_restart = active_ids(s.status(), o.node);
  int rc = kExitOk;
  if (via_ban) {
    rc = cmd_ban(s, role, o.node);
  } else {
    role.value = "Stopped";
    rc = cmd_set_param(s, role);
  }
  if (rc != kExitOk) return error("Could not set target-role for " + o.resource, rc);

  // What stays active once the stop is done, as the policy engine sees it.
  if (Status st = s.reload(); !st.ok()) {
    restore();
    return error(st, "Could not determine which resources would be stopped");
  }
  auto stopping = plan(s);
  if (!stopping.ok()) {
    restore();
    return error(stopping.status(), "Could not determine which resources would be stopped");
  }
  const std::set<std::string> target = active_ids(stopping->after, o.node);
  std::set<std::string> left = minus(active_ids(s.status(), o.node), target);
  std::cout << "Waiting for " << left.size() << " resources to stop:\n";
  print_list(left);
  rc = wait_for(s, [&] { return minus(active_ids(s.status(), o.node), target); },
                o.timeout_ms > 0 ? std::chrono::milliseconds(o.timeout_ms) : step_timeout(*stopping, "stop"), overall,
                &left);
  if (rc != kExitOk) {
    restore();
    if (rc != kExitTimeout) return rc;
    std::fprintf(stderr, "Could not complete shutdown of %s, %zu resources remaining\n", o.resource.c_str(),
                 left.size());
    for (const auto& id : left) std::fprintf(stderr, " * %s\n", id.c_str());
    return error("Error performing operation: Timeout occurred", kExitTimeout);
  }

  rc = restore();
  if (rc != kExitOk) return error("Could not unset target-role for " + o.resource, rc);
  if (Status st = s.reload(); !st.ok()) return error(st, "Could not determine which resources were started");
  auto starting = plan(s);
  const auto start_step = o.timeout_ms > 0 ? std::chrono::milliseconds(o.timeout_ms)
                          : starting.ok()  ? step_timeout(*starting, "start")
                                           : std::chrono::milliseconds(25000);
  // Dependents may come back on other nodes: counted wherever they run.
  left = minus(to_restart, active_ids(s.status(), ""));
  std::cout << "Waiting for " << left.size() << " resources to start again:\n";
  print_list(left);
  auto not_back = [&] {
    std::set<std::string> missing = minus(to_restart, active_ids(s.status(), ""));
    const ResourceStatus* r = find_status(s.status().resources, o.resource);
    if (!r || !running_on(*r, o.node)) missing.insert(o.resource);
    return missing;
  };
  rc = wait_for(s, not_back, start_step, overall, &left);
  if (rc == kExitTimeout) {
    std::fprintf(stderr, "Could not complete restart of %s, %zu resources remaining\n", o.resource.c_str(),
                 left.size());
    for (const auto& id : left) std::fprintf(stderr, " * %s\n", id.c_str());
    return error("Error performing operation: Timeout occurred", kExitTimeout);
  }
  return rc;
}
}  // namespace

void add_cluster_options(CLI::App& app, ClusterCommandOptions& opts) {
  auto cmd = [&opts](const char* name) { return [&opts, name](int64_t) { opts.command = name; }; };
  auto* q = app.add_option_group("Queries");
  q->add_flag("-L,--list", cmd("list"), "List all cluster resources with status");
  q->add_flag("-l,--list-raw", cmd("list-raw"), "List the id of every primitive (clone instances included)");
  q->add_flag("-W,--locate", cmd("locate"), "Show the node(s) the resource (-r) is running on");
  q->add_flag("-q,--query-xml", cmd("query-xml"), "Show the resource's status and configuration XML");
  q->add_flag("-O,--list-operations", cmd("list-operations"),
              "List the active resource operations (of -r, on -N), from the operation history");
  q->add_flag("-o,--list-all-operations", cmd("list-all-operations"),
              "List every resource operation (of -r, on -N), from the operation history");
  q->add_flag("-Y,--why", cmd("why"),
             "Show why resources are (not) running: -r RESOURCE, -N NODE, both or neither (the peer's checks)");
  q->add_flag("--explain", cmd("explain"),
              "Explain the placement of -r RESOURCE (on -N NODE): each node's score, what it is made of, and "
              "the reason that decides");
  q->add_flag("-a,--constraints", cmd("constraints"),
              "Show the location constraints and colocations that apply to the resource");
  q->add_flag("-A,--stack", [&opts](int64_t) { opts.command = "constraints"; opts.recursive = true; },
              "As --constraints, following colocations recursively");
  auto* c = app.add_option_group("Commands");
  c->add_flag("-M,--move", cmd("move"),
              "Move the resource to -N NODE (a cli-prefer location constraint), or away from its current node");
  c->add_flag("-B,--ban", cmd("ban"), "Keep the resource off -N NODE (default: its current node) with a cli-ban constraint");
  c->add_flag("-U,--clear", cmd("clear"), "Remove the cli-* constraints made by --move and --ban");
  c->add_flag("-C,--cleanup", cmd("cleanup"),
              "Delete the operation history and fail counts of failed resources (or -r, on -N) so they are re-probed");
  c->add_flag("-R,--refresh", cmd("refresh"), "Delete the whole operation history (of -r, on -N) so it is re-probed");
  c->add_flag("--restart", cmd("restart"),
              "Restart the resource (-r) and what depends on it: stop it, wait, start it again (on -N only, if given)");
  c->add_flag("--wait", cmd("wait"), "Wait until the cluster settles into a stable state (up to -T, default 1 hour)");
  c->add_option("-p,--set-parameter", opts.parameter, "Set a resource parameter (with -v)")
      ->each([&opts](const std::string&) { opts.command = "set-param"; });
  c->add_option("-g,--get-parameter", opts.parameter, "Show a resource parameter")
      ->each([&opts](const std::string&) { opts.command = "get-param"; });
  c->add_option("-d,--delete-parameter", opts.parameter, "Delete a resource parameter")
      ->each([&opts](const std::string&) { opts.command = "delete-param"; });
  auto* a = app.add_option_group("Additional options");
  a->add_option("-N,--node", opts.node, "Node name");
  a->add_option("-v,--parameter-value", opts.value, "Value for --set-parameter");
  a->add_option("-u,--lifetime", opts.lifetime, "Lifetime of --move/--ban constraints (ISO 8601 duration, e.g. PT1H)");
  a->add_flag("-m,--meta", opts.meta, "-p/-g/-d act on meta attributes instead of parameters");
  a->add_flag("-z,--utilization", opts.utilization, "-p/-g/-d act on utilization attributes");
  a->add_option("-s,--set-name", opts.set_name, "Id of the attribute set to use with -p/-g/-d");
  a->add_flag("-f,--force", opts.force, "--move: also ban the current node; move even when already there");
  a->add_flag("--promoted", opts.promoted, "--move/--ban: act on the promoted role only");
  a->add_flag("-Q,--quiet", opts.quiet, "Less output (--locate: node names only)");
}

int run_cluster_command(const ClusterCommandOptions& o) {
  static const std::set<std::string> kNeedsResource = {"locate", "move", "ban", "query-xml", "constraints", "restart", "explain",
                                                       "set-param", "get-param", "delete-param"};
  if (kNeedsResource.count(o.command) && o.resource.empty()) {
    std::fprintf(stderr, "crm_resource: this command needs a resource: -r RESOURCE\n");
    return kExitUsage;
  }
  if (o.command == "set-param" && o.value.empty()) {
    std::fprintf(stderr, "crm_resource: you need to supply a value with the -v option\n");
    return kExitUsage;
  }
  Session s;
  if (Status st = s.open(); !st.ok()) {
    // The peer's answer when the cluster cannot be reached: CRM_EX_DISCONNECT.
    return error("Could not connect to the CIB: " + st.message(), st.code() == StatusCode::kUnavailable ? kExitDisconnect : st.exit_code(),
                 st.code() == StatusCode::kUnavailable ? "Not connected" : "");
  }
  if ((o.command == "move" || o.command == "ban" || o.command == "clear") && !o.resource.empty() &&
      !find_resource(s.cib(), o.resource))
    return no_such_resource(o.resource);
  if ((o.command == "move" || o.command == "ban") && !o.node.empty() && !node_id_for(s.cib(), o.node).ok())
    return error("Node '" + o.node + "' not found", kExitNoSuch, "No such object");
  if (o.command == "restart" && !o.node.empty() && !node_id_for(s.cib(), o.node).ok())
    return error("Node '" + o.node + "' not found", kExitNoSuch, "No such object");
  if (o.command == "wait") return cmd_wait(s, o);
  if (o.command == "why") return cmd_why(s, o);
  if (o.command == "explain") return cmd_explain(s, o);
  if (o.command == "restart") return cmd_restart(s, o);
  if (o.command == "list") return cmd_list(s, false);
  if (o.command == "list-raw") return cmd_list(s, true);
  if (o.command == "locate") return cmd_locate(s, o);
  if (o.command == "move") return cmd_move(s, o);
  if (o.command == "ban") return cmd_ban(s, o, o.node);
  if (o.command == "clear") return cmd_clear(s, o);
  if (o.command == "cleanup") return cmd_cleanup(s, o, false);
  if (o.command == "refresh") return cmd_cleanup(s, o, true);
  if (o.command == "get-param") return cmd_get_param(s, o);
  if (o.command == "set-param") return cmd_set_param(s, o);
  if (o.command == "delete-param") return cmd_delete_param(s, o);
  if (o.command == "query-xml") return cmd_query_xml(s, o);
  if (o.command == "constraints") return cmd_constraints(s, o);
  if (o.command == "list-operations") return cmd_list_operations(s, o, true);
  if (o.command == "list-all-operations") return cmd_list_operations(s, o, false);
  std::fprintf(stderr, "crm_resource: unknown command %s\n", o.command.c_str());
  return kExitUsage;
}

}  // namespace crm::tools
