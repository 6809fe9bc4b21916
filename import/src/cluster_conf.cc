// RHCS cluster.conf (cman + fenced + rgmanager): nodes and their fence
// methods -> stonith primitives and fencing levels; failover domains ->
// location scores; services with their resource trees -> groups.
#include <algorithm>
#include <map>
#include <set>

#include "model.h"
#include "text.h"

namespace crm::import {
namespace {

// rgmanager's service.sh starts a node's children by type, then in
// document order: lvm, fs, clusterfs, netfs, nfsexport, nfsclient, ip,
// smb, script (others after).
int start_level(std::string_view type) {
  static const std::vector<std::string_view> order = {"lvm",       "fs", "clusterfs", "netfs", "nfsexport",
                                                      "nfsclient", "ip", "smb",       "script"};
  auto it = std::find(order.begin(), order.end(), type);
  return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

// Old fence attribute names and the ones today's fence agents document.
std::string fence_param(const std::string& name) {
  static const std::map<std::string, std::string> renamed = {{"ipaddr", "ip"},
                                                             {"login", "username"},
                                                             {"passwd", "password"},
                                                             {"passwd_script", "password_script"},
                                                             {"port", "plug"}};
  auto it = renamed.find(name);
  return it == renamed.end() ? name : it->second;
}

NvPairs attributes(const xmlNode* n, const std::set<std::string>& skip) {
  NvPairs out;
  for (const xmlAttr* a = n->properties; a; a = a->next) {
    std::string name = reinterpret_cast<const char*>(a->name);
    if (skip.count(name)) continue;
    out.emplace_back(name, xml::attr_or(n, name.c_str()));
  }
  return out;
}

class ClusterConfImporter {
 public:
  explicit ClusterConfImporter(const Source& src) : src_(src) {}

  Result<Imported> run() {
    auto parsed = xml::parse(src_.text, src_.name);
    if (!parsed.ok()) return parsed.status();
    doc_ = std::move(*parsed);
    xmlNode* cluster = xml::root(doc_);
    if (!xml::is(cluster, "cluster")) {
      return parse_error(where(cluster) + ": root element is <" + std::string(xml::name(cluster)) +
                         ">, expected <cluster>");
    }
    if (auto name = xml::attr(cluster, "name")) {
      config_.set_property("cluster-name", *name);
      report_.add(Outcome::kTranslated, where(cluster), "cluster name " + *name + ": cluster-name");
    }
    RETURN_IF_ERROR(read_nodes(cluster));
    read_fencing(cluster);
    for (xmlNode* c : xml::children(cluster)) {
      std::string n(xml::name(c));
      if (n == "clusternodes" || n == "fencedevices" || n == "rm") continue;
      if (n == "cman") {
        if (xml::attr_or(c, "two_node") == "1") {
          report_.add(Outcome::kTranslated, where(c), "cman two_node=\"1\": a two-node cluster (settings below)");
        }
      } else {
        report_.add(Outcome::kNoEquivalent, where(c),
                    "<" + n + ">: " +
                        (n == "totem" || n == "logging" || n == "quorumd" || n == "fence_daemon"
                             ? "corosync/daemon setting, not part of the CIB"
                             : "not translated"));
      }
    }
    if (xmlNode* rm = xml::first_child(cluster, "rm")) RETURN_IF_ERROR(read_rm(rm));
    apply_fencing_policy(config_, report_, src_.name, has_fencing_);
    Imported out;
    out.configuration = write_configuration(config_);
    out.report = report_.take();
    return out;
  }

 private:
  std::string where(const xmlNode* n) const { return at(src_.name, xml::line(n)); }

  Status read_nodes(xmlNode* cluster) {
    xmlNode* nodes = xml::first_child(cluster, "clusternodes");
    if (!nodes) return parse_error(where(cluster) + ": no <clusternodes>");
    for (xmlNode* n : xml::children(nodes, "clusternode")) {
      auto name = xml::attr(n, "name");
      if (!name || name->empty()) return parse_error(where(n) + ": <clusternode> without a name");
      config_.add_node(*name);
      if (auto id = xml::attr(n, "nodeid"); id && is_number(*id)) config_.node_ids[*name] = *id;
    }
    report_.add(Outcome::kTranslated, where(nodes), std::to_string(config_.nodes.size()) + " nodes");
    return Status::Ok();
  }

  // Devices: one stonith primitive per fencedevice, serving the nodes whose
  // methods name it (pcmk_host_list, or pcmk_host_map when each node gives
  // only a port); a device whose nodes give other attributes becomes one
  // primitive per node. Each method is a fencing level, in order.
  void read_fencing(xmlNode* cluster) {
    std::map<std::string, xmlNode*> devices;
    if (xmlNode* fds = xml::first_child(cluster, "fencedevices")) {
      for (xmlNode* d : xml::children(fds, "fencedevice")) devices[xml::attr_or(d, "name")] = d;
    }
    struct Use {
      std::string node;
      NvPairs attrs;
    };
    std::map<std::string, std::vector<Use>> uses;
    struct Method {
      std::string node;
      std::vector<std::string> devices;
      xmlNode* at;
    };
    std::vector<Method> methods;
    xmlNode* nodes = xml::first_child(cluster, "clusternodes");
    for (xmlNode* n : xml::children(nodes, "clusternode")) {
      std::string node = xml::attr_or(n, "name");
      xmlNode* fence = xml::first_child(n, "fence");
      if (!fence || xml::children(fence, "method").empty()) {
        report_.add(Outcome::kToDo, where(n), "node " + node + " has no fence method");
        continue;
      }
      for (xmlNode* m : xml::children(fence, "method")) {
        Method method{node, {}, m};
        for (xmlNode* d : xml::children(m, "device")) {
          std::string dev = xml::attr_or(d, "name");
          if (!devices.count(dev)) {
            report_.add(Outcome::kWarning, where(d), "node " + node + ": no fencedevice named '" + dev + "'; ignored");
            continue;
          }
          uses[dev].push_back({node, attributes(d, {"name"})});
          method.devices.push_back(dev);
        }
        methods.push_back(method);
      }
    }
    std::map<std::pair<std::string, std::string>, std::string> primitive_for;  // (device, node) -> id
    for (const auto& [name, d] : devices) {
      std::string agent = xml::attr_or(d, "agent");
      if (agent == "fence_manual" || agent.empty()) {
        report_.add(Outcome::kNoEquivalent, where(d),
                    "fencedevice " + name + " (" + (agent.empty() ? "no agent" : agent) +
                        "): manual fencing does not exist here; configure a real fence device");
        continue;
      }
      NvPairs base;
      for (auto& [k, v] : attributes(d, {"name", "agent"})) base.emplace_back(fence_param(k), v);
      auto& u = uses[name];
      // Attributes every node gives alike (lanplus="1") belong to the device.
      auto without_port = [](const NvPairs& attrs) {
        NvPairs out;
        for (const auto& kv : attrs) {
          if (kv.first != "port") out.push_back(kv);
        }
        return out;
      };
      if (!u.empty() && std::all_of(u.begin(), u.end(), [&](const Use& use) {
            return without_port(use.attrs) == without_port(u[0].attrs);
          })) {
        for (auto& [k, v] : without_port(u[0].attrs)) base.emplace_back(fence_param(k), v);
        for (Use& use : u) {
          NvPairs port;
          for (const auto& kv : use.attrs) {
            if (kv.first == "port") port.push_back(kv);
          }
          use.attrs = port;
        }
      }
      bool ports_only = !u.empty();
      bool none = true;
      for (const Use& use : u) {
        none &= use.attrs.empty();
        ports_only &= use.attrs.size() == 1 && use.attrs[0].first == "port";
      }
      auto make = [&](const std::string& id_base, const NvPairs& params) {
        Primitive p;
        p.id = config_.ids.unique(id_base);
        p.cls = "stonith";
        p.type = agent;
        p.params = params;
        p.ops = {{"monitor", "60s", "", "", ""}};
        config_.primitives.push_back(p);
        has_fencing_ = true;
        return p.id;
      };
      if (u.empty()) {
        report_.add(Outcome::kWarning, where(d), "fencedevice " + name + " is used by no node; translated anyway");
        make(name, base);
      } else if (none || ports_only) {
        NvPairs params = base;
        std::string list;
        for (const Use& use : u) {
          list += (list.empty() ? "" : none ? " " : ";") + use.node + (none ? "" : ":" + use.attrs[0].second);
        }
        params.emplace_back(none ? "pcmk_host_list" : "pcmk_host_map", list);
        std::string id = make(name, params);
        for (const Use& use : u) primitive_for[{name, use.node}] = id;
        report_.add(Outcome::kTranslated, where(d),
                    "fencedevice " + name + ": stonith:" + agent + " " + id + " (" +
                        (none ? "pcmk_host_list" : "pcmk_host_map") + "=" + list + ")");
      } else {
        for (const Use& use : u) {
          NvPairs params = base;
          for (const auto& [k, v] : use.attrs) params.emplace_back(fence_param(k), v);
          params.emplace_back("pcmk_host_list", use.node);
          std::string id = make(u.size() == 1 ? name : name + "_" + use.node, params);
          primitive_for[{name, use.node}] = id;
          report_.add(Outcome::kTranslated, where(d),
                      "fencedevice " + name + " for " + use.node + ": stonith:" + agent + " " + id);
        }
      }
      // A device never fences the node it runs on (as rgmanager's fenced never asked a node to fence itself).
      if (!u.empty() && config_.primitives.back().cls == "stonith") {
        for (const Use& use : u) {
          const std::string& id = primitive_for[{name, use.node}];
          bool single = std::count_if(u.begin(), u.end(), [&](const Use& o) {
                          return primitive_for[{name, o.node}] == id;
                        }) == 1;
          if (single) {
            config_.locations.push_back(
                {config_.ids.unique("loc_" + id + "_not_" + use.node), id, use.node, "-INFINITY", "", "", "", ""});
          }
        }
      }
    }
    std::map<std::string, int> level_of;
    for (const Method& m : methods) {
      FencingLevel level;
      level.target = m.node;
      for (const std::string& dev : m.devices) {
        auto it = primitive_for.find({dev, m.node});
        if (it != primitive_for.end()) level.devices.push_back(it->second);
      }
      if (level.devices.empty()) continue;
      level.index = ++level_of[m.node];
      report_.add(Outcome::kTranslated, where(m.at),
                  "node " + m.node + " method " + xml::attr_or(m.at, "name") + ": fencing level " +
                      std::to_string(level.index));
      config_.levels.push_back(level);
    }
  }

  struct Domain {
    std::vector<std::pair<std::string, int>> nodes;  // name, priority
    bool ordered = false, restricted = false, nofailback = false;
  };

  Status read_rm(xmlNode* rm) {
    for (xmlNode* c : xml::children(rm)) {
      std::string n(xml::name(c));
      if (n == "failoverdomains" || n == "resources" || n == "service") continue;
      report_.add(Outcome::kNoEquivalent, where(c), "<rm><" + n + ">: not translated");
    }
    if (xmlNode* fds = xml::first_child(rm, "failoverdomains")) {
      for (xmlNode* fd : xml::children(fds, "failoverdomain")) {
        Domain d;
        d.ordered = xml::attr_or(fd, "ordered") == "1";
        d.restricted = xml::attr_or(fd, "restricted") == "1";
        d.nofailback = xml::attr_or(fd, "nofailback") == "1";
        for (xmlNode* fn : xml::children(fd, "failoverdomainnode")) {
          std::string node = xml::attr_or(fn, "name");
          if (!config_.has_node(node)) {
            return parse_error(where(fn) + ": failoverdomain " + xml::attr_or(fd, "name") + ": unknown node '" + node +
                               "'");
          }
          std::string prio = xml::attr_or(fn, "priority", "1");
          if (!is_number(prio) || prio.size() > 3)
            return parse_error(where(fn) + ": priority '" + prio + "': expected 1..100");
          d.nodes.emplace_back(node, std::stoi(prio));
        }
        domains_[xml::attr_or(fd, "name")] = d;
      }
    }
    if (xmlNode* res = xml::first_child(rm, "resources")) {
      for (xmlNode* r : xml::children(res)) shared_[std::string(xml::name(r)) + "/" + primary(r)] = r;
    }
    std::vector<std::string> exclusive, services;
    for (xmlNode* s : xml::children(rm, "service")) {
      std::string id;
      RETURN_IF_ERROR(read_service(s, &id));
      if (id.empty()) continue;
      services.push_back(id);
      if (xml::attr_or(s, "exclusive") == "1") exclusive.push_back(id);
    }
    for (const std::string& e : exclusive) {
      for (const std::string& other : services) {
        if (other == e) continue;
        config_.colocations.push_back(
            {config_.ids.unique("col_" + other + "_not_with_" + e), other, e, "-INFINITY", ""});
      }
      report_.add(Outcome::kApproximated, src_.name,
                  "exclusive service " + e + ": every other service is kept off its node (colocation -INFINITY)");
    }
    return Status::Ok();
  }

  // The attribute a resource is referred to by (ip: address, others: name).
  static std::string primary(const xmlNode* r) {
    return xml::is(r, "ip") ? xml::attr_or(r, "address") : xml::attr_or(r, "name");
  }

  Status read_service(xmlNode* s, std::string* out_id) {
    std::string name = xml::attr_or(s, "name");
    if (name.empty()) return parse_error(where(s) + ": <service> without a name");
    std::vector<Primitive> members;
    RETURN_IF_ERROR(walk(s, name, "", members));
    if (members.empty()) {
      report_.add(Outcome::kWarning, where(s), "service " + name + " has no resource translated; dropped");
      return Status::Ok();
    }
    Group g;
    g.id = config_.ids.unique(name);
    std::string list;
    for (const auto& m : members) list += " " + m.id;
    g.members = std::move(members);
    report_.add(Outcome::kTranslated, where(s),
                "service " + name + ": group " + g.id + ":" + list +
                    " (parents before children, siblings in rgmanager's type order)");

    // Recovery policy.
    std::string recovery = xml::attr_or(s, "recovery", "restart");
    std::string max_restarts = xml::attr_or(s, "max_restarts", "0");
    std::string expire = xml::attr_or(s, "restart_expire_time");
    if (recovery == "relocate") {
      g.meta.emplace_back("migration-threshold", "1");
      report_.add(Outcome::kTranslated, where(s), "recovery relocate: migration-threshold=1");
    } else if (recovery == "disable") {
      for (auto& m : g.members) {
        for (auto& op : m.ops) op.on_fail = "stop";
      }
      report_.add(Outcome::kTranslated, where(s), "recovery disable: monitors on-fail=stop");
    } else if (recovery == "restart" || recovery == "restart-disable") {
      if (max_restarts != "0" && is_number(max_restarts)) {
        g.meta.emplace_back("migration-threshold", std::to_string(std::stoi(max_restarts) + 1));
        if (!expire.empty()) g.meta.emplace_back("failure-timeout", expire + "s");
        report_.add(Outcome::kTranslated, where(s),
                    "recovery restart, max_restarts " + max_restarts +
                        ": migration-threshold=" + std::to_string(std::stoi(max_restarts) + 1) +
                        (expire.empty() ? "" : ", failure-timeout=" + expire + "s"));
      } else {
        report_.add(Outcome::kTranslated, where(s), "recovery restart: restarted in place (the default)");
      }
      if (recovery == "restart-disable") {
        report_.add(Outcome::kApproximated, where(s),
                    "recovery restart-disable: taken as restart; a failed restart moves it");
      }
    } else {
      return parse_error(where(s) + ": service " + name + ": recovery '" + recovery +
                         "': expected restart, relocate, disable or restart-disable");
    }
    if (xml::attr_or(s, "autostart", "1") == "0") {
      g.meta.emplace_back("target-role", "Stopped");
      report_.add(Outcome::kTranslated, where(s), "autostart 0: target-role=Stopped");
    }

    // Placement.
    std::string domain = xml::attr_or(s, "domain");
    if (!domain.empty()) {
      auto it = domains_.find(domain);
      if (it == domains_.end())
        return parse_error(where(s) + ": service " + name + ": no failoverdomain '" + domain + "'");
      const Domain& d = it->second;
      int worst = 1;
      for (const auto& n : d.nodes) worst = std::max(worst, n.second);
      std::string scores;
      for (const auto& [node, prio] : d.nodes) {
        int score = d.ordered ? 100 * (worst + 1 - prio) : 100;
        config_.locations.push_back(
            {config_.ids.unique("loc_" + g.id + "_" + node), g.id, node, std::to_string(score), "", "", "", ""});
        scores += " " + node + "=" + std::to_string(score);
      }
      report_.add(Outcome::kTranslated, where(s),
                  "failoverdomain " + domain + (d.ordered ? " (ordered)" : "") + ":" + scores);
      if (d.restricted) {
        for (const std::string& node : config_.nodes) {
          bool member = std::any_of(d.nodes.begin(), d.nodes.end(), [&](const auto& n) { return n.first == node; });
          if (!member) {
            config_.locations.push_back(
                {config_.ids.unique("loc_" + g.id + "_not_" + node), g.id, node, "-INFINITY", "", "", "", ""});
          }
        }
        report_.add(Outcome::kTranslated, where(s), "restricted domain: -INFINITY on every other node");
      }
      if (d.ordered) {
        g.meta.emplace_back("resource-stickiness", d.nofailback ? "INFINITY" : "0");
        report_.add(Outcome::kTranslated, where(s),
                    d.nofailback ? "nofailback: resource-stickiness=INFINITY (no return to a preferred node)"
                                 : "failback: resource-stickiness=0 (returns to the preferred node)");
      }
    }
    *out_id = g.id;
    config_.groups.push_back(std::move(g));
    return Status::Ok();
  }

  // Depth first, a parent before its children; children sorted by
  // rgmanager's start level (stable).
  Status walk(xmlNode* parent, const std::string& service, const std::string& mountpoint, std::vector<Primitive>& out) {
    std::vector<xmlNode*> kids = xml::children(parent);
    std::stable_sort(kids.begin(), kids.end(),
                     [](xmlNode* a, xmlNode* b) { return start_level(xml::name(a)) < start_level(xml::name(b)); });
    for (xmlNode* k : kids) {
      xmlNode* def = k;
      if (auto ref = xml::attr(k, "ref")) {
        auto it = shared_.find(std::string(xml::name(k)) + "/" + *ref);
        if (it == shared_.end()) {
          return parse_error(where(k) + ": service " + service + ": no <" + std::string(xml::name(k)) + "> named '" +
                             *ref + "' in <resources>");
        }
        def = it->second;
      }
      if (xml::attr_or(k, "__independent_subtree") == "1") {
        report_.add(Outcome::kApproximated, where(k),
                    "__independent_subtree: a failure restarts the whole group from there");
      }
      std::string here = mountpoint;
      if (xml::is(def, "fs") || xml::is(def, "clusterfs") || xml::is(def, "netfs"))
        here = xml::attr_or(def, "mountpoint");
      if (auto p = resource(def, k, here)) out.push_back(std::move(*p));
      RETURN_IF_ERROR(walk(k, service, here, out));
      if (def != k) RETURN_IF_ERROR(walk(def, service, here, out));
    }
    return Status::Ok();
  }

  std::optional<Primitive> resource(xmlNode* r, xmlNode* use, const std::string& mountpoint) {
    std::string type(xml::name(r));
    Primitive p;
    p.cls = "ocf";
    p.provider = "heartbeat";
    auto a = [&](const char* n) { return xml::attr_or(r, n); };
    auto param = [&](const char* name, const std::string& v) {
      if (!v.empty()) p.params.emplace_back(name, v);
    };
    const std::string w = where(use);
    // An approximated resource is reported once, as approximated.
    bool approximated = false;
    auto approximate = [&](const std::string& what) {
      report_.add(Outcome::kApproximated, w, what);
      approximated = true;
    };
    const std::string name = a("name").empty() ? type : a("name");
    if (type == "ip") {
      std::string address = a("address");
      size_t slash = address.find('/');
      p.type = "IPaddr2";
      p.id = config_.ids.unique("ip_" + address.substr(0, slash));
      param("ip", address.substr(0, slash));
      if (slash != std::string::npos) param("cidr_netmask", address.substr(slash + 1));
      p.ops = {{"monitor", "10s", "20s", "", ""}};
    } else if (type == "fs" || type == "clusterfs" || type == "netfs") {
      p.type = "Filesystem";
      p.id = config_.ids.unique("fs_" + a("name"));
      param("device", type == "netfs" ? a("host") + ":" + a("export") : a("device"));
      param("directory", a("mountpoint"));
      param("fstype", type == "netfs" ? (a("fstype").empty() ? "nfs" : a("fstype")) : a("fstype"));
      param("options", a("options"));
      if (a("force_unmount") == "1") param("force_unmount", "true");
      p.ops = {{"monitor", "20s", "40s", "", ""}};
      if (type == "clusterfs") {
        approximate("clusterfs " + a("name") + ": ocf:heartbeat:Filesystem " + p.id +
                    " in the service's group; a GFS2 mount on every node would be a clone");
      }
    } else if (type == "script") {
      std::string file = a("file");
      std::string base = file.substr(file.find_last_of('/') + 1);
      p.cls = "lsb";
      p.provider.clear();
      p.type = base;
      p.id = config_.ids.unique(a("name").empty() ? base : a("name"));
      p.ops = {{"monitor", "15s", "15s", "", ""}};
      if (file.rfind("/etc/init.d/", 0) != 0 && file.rfind("/etc/rc.d/init.d/", 0) != 0) {
        report_.add(Outcome::kWarning, w,
                    "script " + file + ": taken as lsb:" + base + " (install it as /etc/init.d/" + base + ")");
      }
    } else if (type == "lvm") {
      p.type = "LVM-activate";
      p.id = config_.ids.unique("lvm_" + a("vg_name"));
      param("vgname", a("vg_name"));
      param("vg_access_mode", "system_id");
      approximate("lvm " + a("name") + ": ocf:heartbeat:LVM-activate " + p.id +
                  " with vg_access_mode=system_id (HA-LVM tagging differs)");
    } else if (type == "apache") {
      p.type = "apache";
      p.id = config_.ids.unique(name);
      param("configfile", a("config_file"));
    } else if (type == "mysql") {
      p.type = "mysql";
      p.id = config_.ids.unique(name);
      param("config", a("config_file"));
    } else if (type == "nfsexport") {
      approximate("nfsexport " + a("name") +
                  ": its nfsclient children become ocf:heartbeat:exportfs; start the NFS server (nfs-server) on "
                  "every node");
      return std::nullopt;
    } else if (type == "nfsclient") {
      p.type = "exportfs";
      p.id = config_.ids.unique("export_" + a("name"));
      param("clientspec", a("target"));
      param("directory", mountpoint);
      param("options", a("options"));
      param("fsid", std::to_string(++fsid_));
      approximate("nfsclient " + a("name") + ": ocf:heartbeat:exportfs " + p.id + " of " + mountpoint +
                  " with fsid=" + std::to_string(fsid_));
    } else {
      report_.add(Outcome::kNoEquivalent, w,
                  "<" + type + "> " + primary(r) + ": no translation; configure the matching OCF agent by hand");
      return std::nullopt;
    }
    if (p.ops.empty()) p.ops = {{"monitor", "30s", "30s", "", ""}};
    if (!approximated) {
      report_.add(Outcome::kTranslated, w,
                  "<" + type + "> " + primary(r) + ": " + p.cls + (p.provider.empty() ? "" : ":" + p.provider) + ":" +
                      p.type + " " + p.id);
    }
    return p;
  }

  const Source& src_;
  xml::DocPtr doc_;
  Config config_;
  Report report_;
  bool has_fencing_ = false;
  int fsid_ = 0;
  std::map<std::string, Domain> domains_;
  std::map<std::string, xmlNode*> shared_;  // "type/primary" -> <resources> child
};

}  // namespace

Result<Imported> from_cluster_conf(const Source& conf) { return ClusterConfImporter(conf).run(); }

}  // namespace crm::import
