// heartbeat v1: haresources (one resource group per line, started left to
// right on the line's node) and ha.cf (nodes, auto_failback, stonith).
#include <map>
#include <set>

#include "model.h"
#include "text.h"

namespace crm::import {
namespace {

// A heartbeat resource.d script and the OCF agent that replaces it: the
// `::`-separated arguments become `params` in order (IP-like scripts split
// their one argument on '/' first).
struct Script {
  const char* provider;
  const char* type;
  std::vector<const char*> params;
  size_t min_args;
  const char* usage;
  bool slash_args;  // "ip/cidr/nic/broadcast"
  const char* id_prefix;
};

const std::map<std::string, Script>& scripts() {
  // clang-format off
  static const std::map<std::string, Script> table = {
      {"IPaddr", {"heartbeat", "IPaddr2", {"ip", "cidr_netmask", "nic", "broadcast"}, 1, "IPaddr::IP[/CIDR[/NIC[/BROADCAST]]]", true, "ip"}},
      {"IPaddr2", {"heartbeat", "IPaddr2", {"ip", "cidr_netmask", "nic", "broadcast"}, 1, "IPaddr2::IP[/CIDR[/NIC[/BROADCAST]]]", true, "ip"}},
      {"IPv6addr", {"heartbeat", "IPv6addr", {"ipv6addr", "cidr_netmask", "nic"}, 1, "IPv6addr::IPV6[/PREFIX[/NIC]]", true, "ip"}},
      {"SendArp", {"heartbeat", "SendArp", {"ip", "nic"}, 1, "SendArp::IP/NIC", true, "arp"}},
      {"IPsrcaddr", {"heartbeat", "IPsrcaddr", {"ipaddress"}, 1, "IPsrcaddr::IP", false, "srcaddr"}},
      {"Filesystem", {"heartbeat", "Filesystem", {"device", "directory", "fstype", "options"}, 2, "Filesystem::DEVICE::DIRECTORY[::FSTYPE[::OPTIONS]]", false, "fs"}},
      {"MailTo", {"heartbeat", "MailTo", {"email", "subject"}, 1, "MailTo::EMAIL[,EMAIL...][::SUBJECT]", false, "mailto"}},
      {"Delay", {"heartbeat", "Delay", {"startdelay", "stopdelay"}, 1, "Delay::SECONDS[::SECONDS]", false, "delay"}},
      {"Raid1", {"heartbeat", "Raid1", {"raidconf", "raiddev"}, 2, "Raid1::RAIDCONF::DEVICE", false, "raid"}},
      {"Xinetd", {"heartbeat", "Xinetd", {"service"}, 1, "Xinetd::SERVICE", false, "xinetd"}},
      {"apache", {"heartbeat", "apache", {"configfile"}, 0, "apache[::CONFIGFILE]", false, "apache"}},
      {"portblock", {"heartbeat", "portblock", {"protocol", "portno", "action"}, 3, "portblock::PROTOCOL::PORTS::block|unblock", false, "portblock"}},
      {"AudibleAlarm", {"heartbeat", "AudibleAlarm", {"nodelist"}, 0, "AudibleAlarm[::NODES]", false, "alarm"}},
      {"WinPopup", {"heartbeat", "WinPopup", {"hostfile"}, 0, "WinPopup[::HOSTFILE]", false, "winpopup"}},
      {"LinuxSCSI", {"heartbeat", "LinuxSCSI", {"scsi"}, 1, "LinuxSCSI::HOST:CHANNEL:TARGET:LUN", false, "scsi"}},
      {"ServeRAID", {"heartbeat", "ServeRAID", {"serveraid", "mergegroup"}, 2, "ServeRAID::ADAPTER::MERGEGROUP", false, "serveraid"}},
      {"ICP", {"heartbeat", "ICP", {"driveid", "device"}, 2, "ICP::DRIVEID::DEVICE", false, "icp"}},
      {"db2", {"heartbeat", "db2", {"instance"}, 1, "db2::INSTANCE", false, "db2"}},
      {"LVSSyncDaemonSwap", {"heartbeat", "LVSSyncDaemonSwap", {"state"}, 1, "LVSSyncDaemonSwap::master|backup", false, "lvssync"}},
      {"LVM", {"heartbeat", "LVM-activate", {"vgname"}, 1, "LVM::VOLUMEGROUP", false, "lvm"}},
  };
  // clang-format on
  return table;
}

bool valid_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' && c != '@') return false;
  }
  return true;
}

Op monitor(const std::string& interval, const std::string& timeout) { return {"monitor", interval, timeout, "", ""}; }

class HaresourcesImporter {
 public:
  HaresourcesImporter(const Source& hr, const std::optional<Source>& ha_cf) : hr_(hr), ha_cf_(ha_cf) {}

  Result<Imported> run() {
    if (ha_cf_) RETURN_IF_ERROR(read_ha_cf());
    for (const Line& line : logical_lines(hr_.text, "#", true)) RETURN_IF_ERROR(read_line(line));
    if (!saw_line_) report_.add(Outcome::kWarning, hr_.name, "no resource line: the configuration has no resources");
    if (!config_.primitives.empty() || !config_.groups.empty()) {
      report_.add(Outcome::kApproximated, hr_.name,
                  "heartbeat v1 never monitored resources; every primitive gets a monitor operation, so a failed "
                  "resource is now restarted in place (LSB scripts must answer `status` correctly)");
    }
    connectivity();
    if (config_.nodes.empty()) report_.add(Outcome::kWarning, hr_.name, "no nodes known");
    if (config_.nodes.size() == 1) {
      report_.add(Outcome::kToDo, hr_.name,
                  "only " + config_.nodes[0] +
                      " is known (give ha.cf for the node list); the other nodes are added "
                      "when they join");
    }
    apply_fencing_policy(config_, report_, ha_cf_ ? ha_cf_->name : hr_.name, false);
    Imported out;
    out.configuration = write_configuration(config_);
    out.report = report_.take();
    return out;
  }

 private:
  // ha.cf's ping nodes: an ocf:pacemaker:ping clone keeps the node attribute
  // pingd (1000 per host that answers). heartbeat's ipfail moved resources
  // away from a node that lost its ping nodes: with ipfail, each line's
  // resources are banned where pingd is 0.
  void connectivity() {
    if (ping_hosts_.empty()) {
      if (!ipfail_where_.empty())
        report_.add(Outcome::kWarning, ipfail_where_, "ipfail without ping or ping_group nodes: nothing to translate");
      return;
    }
    std::string hosts;
    for (const auto& h : ping_hosts_) hosts += (hosts.empty() ? "" : " ") + h;
    Clone c;
    c.child = Primitive{config_.ids.unique("ping"), "ocf", "pacemaker", "ping",
                        {{"host_list", hosts}, {"multiplier", "1000"}, {"dampen", "5s"}}, {}, {monitor("10s", "60s")}};
    c.id = config_.ids.unique("ping-clone");
    report_.add(Outcome::kTranslated, ping_where_,
                "ping nodes " + hosts + ": clone " + c.id + " (ocf:pacemaker:ping) sets pingd on every node");
    config_.clones.push_back(std::move(c));
    if (ipfail_where_.empty()) {
      report_.add(Outcome::kToDo, ping_where_,
                  "without ipfail the ping nodes moved nothing; pingd is there for a location rule if wanted");
      return;
    }
    std::vector<std::string> resources;
    for (const auto& g : config_.groups) resources.push_back(g.id);
    for (const auto& p : config_.primitives) resources.push_back(p.id);
    for (const auto& rsc : resources) {
      Location l;
      l.id = config_.ids.unique("loc_" + rsc + "_connectivity");
      l.rsc = rsc;
      l.score = "-INFINITY";
      l.rule_attribute = "pingd";
      l.rule_operation = "lte";
      l.rule_value = "0";
      config_.locations.push_back(l);
    }
    report_.add(Outcome::kApproximated, ipfail_where_,
                "ipfail: every line's resources are banned where pingd is 0 (no ping node answers); ipfail also "
                "compared the two nodes' counts, which a rule on pingd's value would do");
  }

  Status read_ha_cf() {
    const std::string& f = ha_cf_->name;
    std::string auto_failback;
    long auto_failback_line = 0;
    for (const Line& line : logical_lines(ha_cf_->text, "#", false)) {
      std::vector<std::string> w = words(line.text);
      const std::string& key = w[0];
      const std::string where = at(f, line.number);
      std::string rest = line.text.substr(line.text.find(key) + key.size());
      while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.erase(0, 1);
      if (key == "node") {
        if (w.size() < 2) return parse_error(where + ": node needs at least one node name");
        for (size_t i = 1; i < w.size(); ++i) {
          config_.add_node(w[i]);
          ha_cf_nodes_ = true;
        }
        report_.add(Outcome::kTranslated, where, "node " + rest);
      } else if (key == "auto_failback") {
        if (w.size() != 2) return parse_error(where + ": auto_failback takes one value (on, off, legacy)");
        auto_failback = w[1];
        auto_failback_line = line.number;
      } else if (key == "stonith" || key == "stonith_host") {
        report_.add(Outcome::kToDo, where,
                    key + " " + rest +
                        ": heartbeat stonith plugins are not translated; configure the matching fence "
                        "agent (fence_*) as a stonith primitive for each node");
      } else if (key == "keepalive" || key == "deadtime" || key == "warntime" || key == "initdead") {
        std::string hint = key == "deadtime" ? " (deadtime is corosync's totem token, in ms)" : "";
        report_.add(Outcome::kNoEquivalent, where,
                    key + " " + rest + ": membership timing belongs to corosync.conf" + hint);
      } else if (key == "bcast" || key == "mcast" || key == "ucast" || key == "serial" || key == "baud" ||
                 key == "udpport") {
        report_.add(Outcome::kToDo, where,
                    key + " " + rest + ": cluster communication is corosync's (totem interfaces, nodelist)");
      } else if (key == "crm" || key == "pacemaker") {
        report_.add(Outcome::kWarning, where,
                    key + " " + rest + ": with the CRM enabled heartbeat ignores haresources; imported anyway");
      } else if (key == "ping" || key == "ping_group") {
        // ping HOST...; ping_group NAME HOST... (the group counts as up while one answers)
        size_t first = key == "ping" ? 1 : 2;
        if (w.size() <= first) return parse_error(where + ": " + key + " needs " + (first == 2 ? "a name and " : "") + "hosts");
        for (size_t i = first; i < w.size(); ++i) ping_hosts_.push_back(w[i]);
        if (ping_where_.empty()) ping_where_ = where;
        if (key == "ping_group")
          report_.add(Outcome::kApproximated, where,
                      "ping_group " + w[1] + ": its hosts are pinged one by one (each counts, not the group)");
      } else if (key == "respawn" && rest.find("ipfail") != std::string::npos) {
        ipfail_where_ = where;
      } else if (key == "respawn") {
        report_.add(Outcome::kNoEquivalent, where, key + " " + rest + ": run the program as a resource or a systemd unit");
      } else {
        report_.add(Outcome::kNoEquivalent, where, key + " " + rest + ": not a CIB setting");
      }
    }
    std::string where = auto_failback_line ? at(f, auto_failback_line) : f;
    if (auto_failback == "off") {
      config_.rsc_defaults.emplace_back("resource-stickiness", "200");
      report_.add(Outcome::kTranslated, where,
                  "auto_failback off: resource-stickiness=200 (above the preferred node's 100): resources stay where "
                  "they run when their node returns");
    } else if (auto_failback == "on") {
      config_.rsc_defaults.emplace_back("resource-stickiness", "0");
      report_.add(Outcome::kTranslated, where,
                  "auto_failback on: resource-stickiness=0: resources move back to their node when it returns");
    } else if (auto_failback.empty() || auto_failback == "legacy") {
      config_.rsc_defaults.emplace_back("resource-stickiness", "0");
      report_.add(Outcome::kApproximated, where,
                  std::string(auto_failback.empty() ? "no auto_failback (heartbeat's default: legacy)"
                                                    : "auto_failback legacy") +
                      ": taken as on, resource-stickiness=0");
    } else {
      return parse_error(where + ": auto_failback " + auto_failback + ": expected on, off or legacy");
    }
    return Status::Ok();
  }

  Status read_line(const Line& line) {
    saw_line_ = true;
    const std::string where = at(hr_.name, line.number);
    std::vector<std::string> w = words(line.text);
    const std::string& node = w[0];
    if (!valid_name(node)) return parse_error(where + ": '" + node + "' is not a node name");
    if (w.size() < 2) return parse_error(where + ": node " + node + " has no resources");
    if (!config_.has_node(node)) {
      if (ha_cf_nodes_) {
        report_.add(Outcome::kWarning, where,
                    "node " + node + " is not named by a node line in " + ha_cf_->name + "; added");
      }
      config_.add_node(node);
    }

    // Resolve every spec first, so that a malformed one leaves nothing half built.
    struct Resolved {
      std::string spec;
      std::string name;
      std::vector<std::string> args;
    };
    std::vector<Resolved> specs;
    for (size_t i = 1; i < w.size(); ++i) {
      const std::string& spec = w[i];
      std::vector<std::string> parts = split(spec, "::");
      std::string name = parts[0];
      std::vector<std::string> args(parts.begin() + 1, parts.end());
      // A bare address is IPaddr's shorthand: "10.0.0.1" or "10.0.0.1/24/eth0".
      if (is_ip_address(split(name, "/")[0])) {
        args.insert(args.begin(), name);
        name = "IPaddr";
      }
      auto bad = [&](const std::string& why) {
        return parse_error(where + ": malformed resource spec '" + spec + "': " + why);
      };
      if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0])) && name.find('.') != std::string::npos) {
        return bad("'" + split(name, "/")[0] + "' is not an IP address");
      }
      if (!valid_name(name)) return bad("'" + name + "' is not a resource script name");
      for (const auto& a : args) {
        if (a.empty()) return bad("empty argument");
      }
      auto it = scripts().find(name);
      if (name == "drbddisk") {
        if (args.size() != 1) return bad("expected drbddisk::RESOURCE (one DRBD resource name)");
      } else if (it != scripts().end()) {
        const Script& s = it->second;
        if (args.size() < s.min_args || args.size() > (s.slash_args ? 1 : s.params.size()))
          return bad("expected " + std::string(s.usage));
        if (s.slash_args) {
          std::vector<std::string> fields = split(args[0], "/");
          if (fields.size() > s.params.size()) return bad("expected " + std::string(s.usage));
          for (const auto& f : fields) {
            if (f.empty()) return bad("empty field in " + args[0]);
          }
          if (std::string(s.params[0]).find("ip") == 0 && !is_ip_address(fields[0])) {
            return bad("'" + fields[0] + "' is not an IP address");
          }
          if (fields.size() > 1 && s.params[1] == std::string("cidr_netmask") && !is_number(fields[1]) &&
              !is_ip_address(fields[1])) {
            return bad("'" + fields[1] + "' is not a prefix length or netmask");
          }
          args = fields;
        }
      }
      specs.push_back({spec, name, args});
    }

    std::vector<Primitive> members;
    std::vector<std::string> drbd_clones;
    bool drbd_after_member = false;
    for (const Resolved& r : specs) {
      if (r.name == "drbddisk") {
        drbd_clones.push_back(drbd_clone(r.args[0], where));
        drbd_after_member |= !members.empty();
        continue;
      }
      members.push_back(primitive(r.name, r.args, r.spec, where));
    }

    std::string target;
    if (!members.empty()) {
      Group g;
      // Named after the service it carries: the last member that is not an
      // address, a mount, a mail or the like (else the last member).
      static const std::set<std::string> kInfrastructure = {
          "IPaddr2", "IPv6addr",  "SendArp",      "IPsrcaddr", "Filesystem", "MailTo",    "Delay", "LVM-activate",
          "Raid1",   "portblock", "AudibleAlarm", "WinPopup",  "LinuxSCSI",  "ServeRAID", "ICP",   "LVSSyncDaemonSwap"};
      std::string service = members.back().id;
      for (const auto& m : members) {
        if (m.cls != "ocf" || !kInfrastructure.count(m.type)) service = m.id;
      }
      g.id = config_.ids.unique("grp_" + service);
      g.members = std::move(members);
      target = g.id;
      std::string ids;
      for (const auto& m : g.members) ids += " " + m.id;
      report_.add(Outcome::kTranslated, where, "group " + g.id + ":" + ids + " (started in this order)");
      config_.groups.push_back(std::move(g));
      Location l;
      l.id = config_.ids.unique("loc_" + target + "_" + node);
      l.rsc = target;
      l.node = node;
      l.score = "100";
      config_.locations.push_back(l);
      report_.add(Outcome::kTranslated, where, target + " prefers " + node + " (location score 100)");
    }
    for (const std::string& clone : drbd_clones) {
      if (target.empty()) {
        Location l;
        l.id = config_.ids.unique("loc_" + clone + "_" + node);
        l.rsc = clone;
        l.role = "Promoted";
        l.node = node;
        l.score = "100";
        config_.locations.push_back(l);
        continue;
      }
      config_.colocations.push_back(
          {config_.ids.unique("col_" + target + "_on_" + clone), target, clone, "INFINITY", "Promoted"});
      config_.orders.push_back(
          {config_.ids.unique("ord_" + clone + "_before_" + target), clone, "promote", target, "start"});
      report_.add(Outcome::kTranslated, where, target + " runs where " + clone + " is promoted, after the promotion");
    }
    if (drbd_after_member) {
      report_.add(Outcome::kApproximated, where,
                  "drbddisk is not first on the line: the whole group now starts after the DRBD promotion");
    }
    return Status::Ok();
  }

  std::string drbd_clone(const std::string& resource, const std::string& where) {
    auto known = drbd_.find(resource);
    if (known != drbd_.end()) return known->second;
    Clone c;
    c.child.id = config_.ids.unique("drbd_" + resource);
    c.child.cls = "ocf";
    c.child.provider = "linbit";
    c.child.type = "drbd";
    c.child.params = {{"drbd_resource", resource}};
    c.child.ops = {{"monitor", "29s", "20s", "Promoted", ""}, {"monitor", "31s", "20s", "Unpromoted", ""}};
    c.id = config_.ids.unique("ms_drbd_" + resource);
    c.meta = {{"promotable", "true"}, {"promoted-max", "1"},   {"promoted-node-max", "1"},
              {"clone-max", "2"},     {"clone-node-max", "1"}, {"notify", "true"}};
    report_.add(
        Outcome::kTranslated, where,
        "drbddisk::" + resource + ": promotable clone " + c.id + " of ocf:linbit:drbd drbd_resource=" + resource);
    drbd_[resource] = c.id;
    config_.clones.push_back(std::move(c));
    return drbd_[resource];
  }

  Primitive primitive(const std::string& name, const std::vector<std::string>& args, const std::string& spec,
                      const std::string& where) {
    Primitive p;
    auto it = scripts().find(name);
    if (it == scripts().end()) {
      p.cls = "lsb";
      p.type = name;
      p.id = config_.ids.unique(name);
      p.ops = {monitor("15s", "15s")};
      report_.add(Outcome::kWarning, where,
                  name + " is not a heartbeat resource script: taken as the LSB init script /etc/init.d/" + name +
                      " (lsb:" + name + ")");
      if (!args.empty()) {
        report_.add(Outcome::kNoEquivalent, where,
                    spec + ": LSB resources take no arguments; the arguments are dropped");
      }
      return p;
    }
    const Script& s = it->second;
    p.cls = "ocf";
    p.provider = s.provider;
    p.type = s.type;
    for (size_t i = 0; i < args.size(); ++i) p.params.emplace_back(s.params[i], args[i]);
    // The id says what it is: ip_10_0_0_1, fs_data, mailto_root.
    std::string detail;
    if (s.slash_args || name == "IPsrcaddr" || name == "LVM" || name == "Xinetd" || name == "db2") detail = args[0];
    if (name == "Filesystem") detail = args[1] == "/" ? "root" : args[1].substr(args[1].find_first_not_of('/'));
    if (name == "MailTo") detail = args[0].substr(0, args[0].find('@'));
    p.id = config_.ids.unique(std::string(s.id_prefix) + (detail.empty() ? "" : "_" + detail));
    if (name == "IPaddr2" || name == "IPaddr") {
      p.ops = {monitor("10s", "20s")};
    } else if (name == "Filesystem") {
      p.ops = {monitor("20s", "40s")};
    } else {
      p.ops = {monitor("30s", "30s")};
    }
    std::string agent = "ocf:" + p.provider + ":" + p.type;
    if (name == "LVM") {
      p.params.emplace_back("vg_access_mode", "system_id");
      report_.add(Outcome::kApproximated, where,
                  spec + ": " + agent +
                      " with vg_access_mode=system_id (heartbeat's LVM activated the volume group "
                      "exclusively by convention; check the LVM setup)");
    } else if (name == "IPaddr") {
      report_.add(Outcome::kTranslated, where, spec + ": " + agent + " (IPaddr's successor)");
    } else {
      report_.add(Outcome::kTranslated, where, spec + ": " + agent);
    }
    return p;
  }

  const Source& hr_;
  const std::optional<Source>& ha_cf_;
  Config config_;
  Report report_;
  bool saw_line_ = false;
  bool ha_cf_nodes_ = false;
  std::map<std::string, std::string> drbd_;  // DRBD resource -> clone id
  std::vector<std::string> ping_hosts_;      // ha.cf ping and ping_group hosts
  std::string ping_where_, ipfail_where_;    // where they were configured
};

}  // namespace

Result<Imported> from_haresources(const Source& haresources, const std::optional<Source>& ha_cf) {
  return HaresourcesImporter(haresources, ha_cf).run();
}

}  // namespace crm::import
