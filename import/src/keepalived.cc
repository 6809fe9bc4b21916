// keepalived.conf: VRRP instances -> IPaddr2 VIPs placed by the nodes'
// priorities; vrrp_script -> a location rule on a node attribute; LVS
// virtual_server -> ocf:heartbeat:ldirectord and its ldirectord.cf.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "model.h"
#include "text.h"

namespace crm::import {
namespace {

// One statement: its words, and its block's statements when it opened one.
struct Stmt {
  std::vector<std::string> words;
  std::vector<Stmt> children;
  bool block = false;
  std::string file;
  long line = 0;
  const std::string& key() const { return words[0]; }
  std::string arg(size_t i) const { return i < words.size() ? words[i] : ""; }
  std::string where() const { return at(file, line); }
};

struct Token {
  std::string text;  // "\n" ends a statement
  std::string file;
  long line;
  bool quoted = false;
};

const std::set<std::string> kTopLevel = {
    "global_defs",          "vrrp_instance",    "vrrp_sync_group",     "vrrp_script",         "virtual_server",
    "virtual_server_group", "static_ipaddress", "static_routes",       "static_rules",        "vrrp_track_process",
    "track_file",           "vrrp_track_file",  "linkbeat_interfaces", "bfd_instance",        "garp_group",
    "net_namespace",        "instance",         "use_pid_dir",         "local_address_group", "track_process"};

class Tokenizer {
 public:
  Tokenizer(const std::string& node, FileReader& files, Report& report) : node_(node), files_(files), report_(report) {}

  Status add(const Source& src, int depth = 0) {
    if (depth > 8) return parse_error(src.name + ": include nested deeper than 8 files");
    long number = 0;
    for (const std::string& raw : split(src.text, "\n")) {
      ++number;
      std::string line = raw;
      // Conditional configuration: "@id ..." only for keepalived -i id, "@^id" for every other id.
      if (!line.empty() && line.find_first_not_of(" \t") != std::string::npos &&
          line[line.find_first_not_of(" \t")] == '@') {
        size_t start = line.find_first_not_of(" \t") + 1;
        size_t end = line.find_first_of(" \t", start);
        std::string id = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
        bool negated = !id.empty() && id[0] == '^';
        if (negated) id.erase(0, 1);
        bool keep = !node_.empty() && ((id == node_) != negated);
        if (node_.empty() && !warned_conditional_) {
          report_.add(Outcome::kWarning, at(src.name, number),
                      "conditional lines (@id) are dropped: give the file with --node ID=FILE to keep that id's lines");
          warned_conditional_ = true;
        }
        if (!keep) continue;
        line = end == std::string::npos ? "" : line.substr(end);
      }
      std::vector<Token> here;
      RETURN_IF_ERROR(tokens_of(line, src.name, number, here));
      if (!here.empty() && here[0].text == "include" && !here[0].quoted) {
        if (here.size() != 2) return parse_error(at(src.name, number) + ": include takes one file or pattern");
        RETURN_IF_ERROR(include(here[1].text, src.name, number, depth));
        continue;
      }
      for (auto& t : here) tokens_.push_back(std::move(t));
      tokens_.push_back({"\n", src.name, number});
    }
    return Status::Ok();
  }

  std::vector<Token>& tokens() { return tokens_; }

 private:
  static Status tokens_of(const std::string& line, const std::string& file, long number, std::vector<Token>& out) {
    size_t i = 0;
    while (i < line.size()) {
      char c = line[i];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
      } else if (c == '#' || c == '!') {
        break;
      } else if (c == '{' || c == '}') {
        out.push_back({std::string(1, c), file, number});
        ++i;
      } else if (c == '"') {
        size_t end = line.find('"', i + 1);
        if (end == std::string::npos) return parse_error(at(file, number) + ": unterminated quoted string");
        out.push_back({line.substr(i + 1, end - i - 1), file, number, true});
        i = end + 1;
      } else {
        size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])) && line[i] != '{' &&
               line[i] != '}')
          ++i;
        out.push_back({line.substr(start, i - start), file, number});
      }
    }
    return Status::Ok();
  }

  Status include(const std::string& pattern, const std::string& from, long number, int depth) {
    std::filesystem::path p(pattern);
    if (p.is_relative()) p = std::filesystem::path(from).parent_path() / p;
    auto paths = files_.glob(p.string());
    if (!paths.ok()) return paths.status().with_context(at(from, number));
    if (paths->empty()) report_.add(Outcome::kWarning, at(from, number), "include " + pattern + " matches no file");
    for (const std::string& path : *paths) {
      auto text = files_.read(path);
      if (!text.ok()) return text.status().with_context(at(from, number));
      RETURN_IF_ERROR(add({path, *text}, depth + 1));
    }
    return Status::Ok();
  }

  std::string node_;
  FileReader& files_;
  Report& report_;
  std::vector<Token> tokens_;
  bool warned_conditional_ = false;
};

// Statements until the matching '}' (or the end, at top level).
Status parse_block(const std::vector<Token>& tokens, size_t& i, const Stmt* opener, std::vector<Stmt>& out) {
  Stmt current;
  auto flush = [&] {
    if (!current.words.empty()) out.push_back(std::move(current));
    current = Stmt();
  };
  for (; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.text == "\n" && !t.quoted) {
      flush();
    } else if (t.text == "{" && !t.quoted) {
      if (current.words.empty()) {
        // "name\n{" is allowed: the block belongs to the previous statement.
        if (out.empty() || out.back().block) return parse_error(at(t.file, t.line) + ": '{' without a keyword");
        current = std::move(out.back());
        out.pop_back();
      }
      current.block = true;
      ++i;
      RETURN_IF_ERROR(parse_block(tokens, i, &current, current.children));
      flush();
    } else if (t.text == "}" && !t.quoted) {
      if (!opener) return parse_error(at(t.file, t.line) + ": unbalanced '}'");
      flush();
      return Status::Ok();
    } else {
      if (current.words.empty()) {
        current.file = t.file;
        current.line = t.line;
      }
      current.words.push_back(t.text);
    }
  }
  if (opener) {
    return parse_error(opener->where() + ": unbalanced '{': '" + opener->key() +
                       (opener->words.size() > 1 ? " " + opener->arg(1) : "") + "' is never closed");
  }
  flush();
  return Status::Ok();
}

struct Vip {
  std::string ip, prefix, dev, label;
  std::vector<std::string> ignored;
};
struct TrackScript {
  std::string name;
  std::string weight;  // "" when the script's own weight applies
};
struct Instance {
  std::string name;
  const Stmt* stmt = nullptr;
  std::string interface, state;
  int priority = 100;
  bool nopreempt = false;
  std::vector<Vip> vips;
  std::vector<TrackScript> scripts;
  std::vector<TrackScript> interfaces;  // track_interface: the interface's name and weight
  NvPairs notify;  // notify_master "cmd", ... (in order)
};
struct Script {
  std::string command, interval = "1", weight = "0";
  const Stmt* stmt = nullptr;
};

// One node's configuration, read.
struct NodeConf {
  std::string node;
  std::vector<Stmt> top;
  std::vector<Instance> instances;
  std::map<std::string, Script> scripts;
};

// The notify scripts keepalived_notify (agents/alerts) calls as keepalived would.
const std::set<std::string> kNotifyKeys = {"notify_master", "notify_backup", "notify_fault", "notify"};
const char* kNotifyAgent = "/usr/share/crm/alerts/keepalived_notify";

// A notify statement's command line: its words after the key, as one string.
std::string command_line(const Stmt& s) {
  std::string out;
  for (size_t i = 1; i < s.words.size(); ++i) out += (out.empty() ? "" : " ") + s.words[i];
  return out;
}

// What becomes of a notification keepalived_notify does not make.
std::string unsupported_notify(const Stmt& c) {
  std::string what = c.key() + (c.words.size() > 1 ? " " + c.arg(1) : "");
  if (c.key() == "smtp_alert") {
    return what + ": e-mail on state changes is an alert with the peer's alert_smtp.sh.sample; not configured";
  }
  return what + ": keepalived's " + c.key().substr(c.key().find('_') + 1) +
         " state has no cluster event (docs/alerts.md); not configured";
}

const Stmt* find(const Stmt& s, const std::string& key) {
  for (const auto& c : s.children) {
    if (c.key() == key) return &c;
  }
  return nullptr;
}

class KeepalivedImporter {
 public:
  KeepalivedImporter(const std::vector<KeepalivedNode>& nodes, const KeepalivedOptions& options)
      : inputs_(nodes), options_(options) {}

  Result<Imported> run() {
    FileReader& files = options_.files ? *options_.files : real_files();
    for (const auto& in : inputs_) {
      NodeConf conf;
      conf.node = in.node;
      Tokenizer tokenizer(in.node, files, report_);
      RETURN_IF_ERROR(tokenizer.add(in.conf));
      size_t i = 0;
      RETURN_IF_ERROR(parse_block(tokenizer.tokens(), i, nullptr, conf.top));
      for (const Stmt& s : conf.top) {
        if (!kTopLevel.count(s.key())) {
          if (options_.strict) return parse_error(s.where() + ": unknown top-level keyword '" + s.key() + "'");
          report_.add(Outcome::kWarning, s.where(), "unknown top-level keyword '" + s.key() + "': ignored");
        }
      }
      confs_.push_back(std::move(conf));
    }
    for (auto& conf : confs_) RETURN_IF_ERROR(read_node(conf, &conf == &confs_.front()));
    for (const auto& conf : confs_) {
      if (!conf.node.empty()) config_.add_node(conf.node);
    }
    if (config_.nodes.empty()) {
      report_.add(Outcome::kToDo, inputs_.front().conf.name,
                  "no node names: give each node's keepalived.conf as --node NAME=FILE to place the addresses by "
                  "the nodes' priorities");
    }
    translate();
    apply_fencing_policy(config_, report_, inputs_.front().conf.name, false);
    Imported out;
    out.configuration = write_configuration(config_);
    out.report = report_.take();
    out.files = std::move(files_);
    return out;
  }

 private:
  // Reads one node's instances and scripts; the first node also reports
  // what the rest of its configuration becomes.
  Status read_node(NodeConf& conf, bool first) {
    for (const Stmt& s : conf.top) {
      if (s.key() == "vrrp_instance") {
        if (!s.block || s.words.size() != 2) return parse_error(s.where() + ": expected vrrp_instance NAME { ... }");
        Instance inst;
        inst.name = s.arg(1);
        inst.stmt = &s;
        for (const Stmt& c : s.children) RETURN_IF_ERROR(read_instance_item(inst, c, first));
        conf.instances.push_back(std::move(inst));
      } else if (s.key() == "vrrp_script") {
        if (!s.block || s.words.size() != 2) return parse_error(s.where() + ": expected vrrp_script NAME { ... }");
        Script sc;
        sc.stmt = &s;
        for (const Stmt& c : s.children) {
          if (c.key() == "script") sc.command = c.arg(1);
          if (c.key() == "interval" && is_number(c.arg(1))) sc.interval = c.arg(1);
          if (c.key() == "weight") sc.weight = c.arg(1);
        }
        conf.scripts[s.arg(1)] = sc;
      } else if (!first) {
        continue;
      } else if (s.key() == "vrrp_sync_group") {
        sync_groups_.push_back(&s);
      } else if (s.key() == "virtual_server") {
        virtual_servers_.push_back(&s);
      } else if (s.key() == "global_defs") {
        for (const Stmt& c : s.children) {
          if (c.key() == "notification_email" || c.key() == "smtp_server") {
            report_.add(Outcome::kToDo, c.where(),
                        c.key() +
                            ": e-mail notification is an alert in the CIB (an alerts section with an SMTP "
                            "alert agent); not configured");
          }
        }
        report_.add(Outcome::kNoEquivalent, s.where(), "global_defs: keepalived's own settings (router_id, ...)");
      } else if (s.key() == "virtual_server_group") {
        report_.add(Outcome::kNoEquivalent, s.where(),
                    "virtual_server_group " + s.arg(1) + ": ldirectord has no groups of virtual addresses");
      } else if (s.key().rfind("static_", 0) == 0) {
        report_.add(Outcome::kNoEquivalent, s.where(),
                    s.key() + ": host network configuration (not a cluster resource); configure it on every node");
      } else if (kTopLevel.count(s.key())) {
        report_.add(Outcome::kNoEquivalent, s.where(), s.key() + " " + s.arg(1) + ": not translated");
      }
    }
    return Status::Ok();
  }

  Status read_instance_item(Instance& inst, const Stmt& c, bool first) {
    const std::string& k = c.key();
    auto note = [&](Outcome o, const std::string& what) {
      if (first) report_.add(o, c.where(), what);
    };
    if (k == "state") {
      inst.state = c.arg(1);
    } else if (k == "interface") {
      inst.interface = c.arg(1);
    } else if (k == "priority") {
      if (!is_number(c.arg(1))) return parse_error(c.where() + ": priority " + c.arg(1) + ": expected 1..255");
      inst.priority = std::stoi(c.arg(1));
    } else if (k == "nopreempt") {
      inst.nopreempt = true;
    } else if (k == "virtual_ipaddress") {
      for (const Stmt& a : c.children) {
        Vip v;
        std::string addr = a.key();
        size_t slash = addr.find('/');
        v.ip = addr.substr(0, slash);
        if (slash != std::string::npos) v.prefix = addr.substr(slash + 1);
        if (!is_ip_address(v.ip) || (slash != std::string::npos && !is_number(v.prefix))) {
          return parse_error(a.where() + ": '" + addr + "' is not an address (IP[/PREFIX])");
        }
        for (size_t i = 1; i < a.words.size(); ++i) {
          if ((a.words[i] == "dev" || a.words[i] == "label") && i + 1 < a.words.size()) {
            (a.words[i] == "dev" ? v.dev : v.label) = a.words[i + 1];
            ++i;
          } else {
            v.ignored.push_back(a.words[i]);
          }
        }
        inst.vips.push_back(v);
      }
    } else if (k == "track_script") {
      for (const Stmt& t : c.children) inst.scripts.push_back({t.key(), t.arg(1) == "weight" ? t.arg(2) : ""});
    } else if (k == "track_interface") {
      for (const Stmt& t : c.children) inst.interfaces.push_back({t.key(), t.arg(1) == "weight" ? t.arg(2) : ""});
    } else if (kNotifyKeys.count(k)) {
      inst.notify.emplace_back(k, command_line(c));
    } else if (k.rfind("notify", 0) == 0 || k == "smtp_alert") {
      note(Outcome::kToDo, unsupported_notify(c));
    } else if (k == "preempt_delay") {
      note(Outcome::kNoEquivalent, "preempt_delay " + c.arg(1) + ": the CIB moves resources back without delay");
    } else {
      note(Outcome::kNoEquivalent, k + ": VRRP protocol setting, no equivalent");
    }
    return Status::Ok();
  }

  void translate() {
    const NodeConf& first = confs_.front();
    std::map<std::string, std::string> rsc_of;   // instance -> resource id
    std::map<std::string, std::string> vip_rsc;  // address -> resource id
    for (const Instance& inst : first.instances) {
      const std::string where = inst.stmt->where();
      if (inst.vips.empty()) {
        report_.add(Outcome::kNoEquivalent, where, "vrrp_instance " + inst.name + " has no virtual_ipaddress");
        continue;
      }
      std::vector<Primitive> vips;
      for (const Vip& v : inst.vips) {
        Primitive p;
        p.id = config_.ids.unique("vip_" + v.ip);
        p.cls = "ocf";
        p.provider = "heartbeat";
        p.type = "IPaddr2";
        p.params = {
            {"ip", v.ip},
            {"cidr_netmask", v.prefix.empty() ? (v.ip.find(':') != std::string::npos ? "128" : "32") : v.prefix}};
        std::string nic = v.dev.empty() ? inst.interface : v.dev;
        if (!nic.empty()) p.params.emplace_back("nic", nic);
        if (!v.label.empty()) {
          size_t colon = v.label.find(':');
          if (colon != std::string::npos) p.params.emplace_back("iflabel", v.label.substr(colon + 1));
        }
        p.ops = {{"monitor", "10s", "20s", "", ""}};
        std::string ignored;
        for (const auto& w : v.ignored) ignored += " " + w;
        report_.add(ignored.empty() ? Outcome::kTranslated : Outcome::kApproximated, where,
                    "vrrp_instance " + inst.name + ": " + v.ip + " -> " + p.id + " (ocf:heartbeat:IPaddr2)" +
                        (ignored.empty() ? "" : "; not translated:" + ignored));
        vips.push_back(std::move(p));
      }
      std::string rsc;
      NvPairs meta = {{"resource-stickiness", inst.nopreempt ? "INFINITY" : "0"}};
      if (vips.size() == 1) {
        rsc = vips[0].id;
        vips[0].meta = meta;
        config_.primitives.push_back(std::move(vips[0]));
      } else {
        Group g;
        g.id = config_.ids.unique("grp_" + inst.name);
        g.members = std::move(vips);
        g.meta = meta;
        rsc = g.id;
        config_.groups.push_back(std::move(g));
        report_.add(Outcome::kTranslated, where,
                    "vrrp_instance " + inst.name + ": its addresses move together (group " + rsc + ")");
      }
      for (const Vip& v : inst.vips) vip_rsc[v.ip] = rsc;
      rsc_of[inst.name] = rsc;
      if (vips.size() == 1) {
        primitives_of_[rsc] = {rsc};
      } else {
        for (const Primitive& p : config_.groups.back().members) primitives_of_[rsc].push_back(p.id);
      }
      report_.add(Outcome::kTranslated, where,
                  inst.nopreempt ? "nopreempt: resource-stickiness=INFINITY (the addresses stay where they run)"
                                 : "preemption: resource-stickiness=0 (the addresses return to the highest priority)");
      place(inst, rsc);
      for (const TrackScript& ts : inst.scripts) track_script(inst, ts, rsc);
      for (const TrackScript& ti : inst.interfaces) track_interface(inst, ti, rsc);
      notify_alert(inst.notify, "INSTANCE", inst.name, rsc, where);
    }
    for (size_t n = 1; n < confs_.size(); ++n) {
      for (const Instance& inst : confs_[n].instances) {
        if (!rsc_of.count(inst.name) && std::none_of(first.instances.begin(), first.instances.end(),
                                                     [&](const Instance& i) { return i.name == inst.name; })) {
          report_.add(Outcome::kWarning, inst.stmt->where(),
                      "vrrp_instance " + inst.name + " is only in " + confs_[n].node +
                          "'s configuration; resources come from the first file's instances: not translated");
        }
      }
    }
    for (const Stmt* g : sync_groups_) sync_group(*g, rsc_of);
    if (!virtual_servers_.empty()) ldirectord(vip_rsc);
  }

  void place(const Instance& inst, const std::string& rsc) {
    for (const NodeConf& conf : confs_) {
      if (conf.node.empty()) continue;
      const Instance* mine = nullptr;
      for (const Instance& i : conf.instances) {
        if (i.name == inst.name) mine = &i;
      }
      if (!mine) {
        report_.add(Outcome::kWarning, inst.stmt->where(),
                    "vrrp_instance " + inst.name + " is not in " + conf.node + "'s configuration: " + rsc +
                        " never runs there (location -INFINITY)");
        config_.locations.push_back(
            {config_.ids.unique("loc_" + rsc + "_" + conf.node), rsc, conf.node, "-INFINITY", "", "", "", ""});
        continue;
      }
      config_.locations.push_back({config_.ids.unique("loc_" + rsc + "_" + conf.node), rsc, conf.node,
                                   std::to_string(mine->priority), "", "", "", ""});
      report_.add(Outcome::kTranslated, mine->stmt->where(),
                  "priority " + std::to_string(mine->priority) + " on " + conf.node + ": location score for " + rsc);
    }
  }

  void track_script(const Instance& inst, const TrackScript& ts, const std::string& rsc) {
    const NodeConf& first = confs_.front();
    auto it = first.scripts.find(ts.name);
    std::string where = inst.stmt->where();
    if (it == first.scripts.end()) {
      report_.add(Outcome::kWarning, where, "track_script " + ts.name + ": no vrrp_script of that name; ignored");
      return;
    }
    const Script& sc = it->second;
    std::string weight = ts.weight.empty() ? sc.weight : ts.weight;
    long w = std::strtol(weight.c_str(), nullptr, 10);
    std::string attribute = "vrrp_script_" + xml::make_id(ts.name);
    Location l;
    l.id = config_.ids.unique("loc_" + rsc + "_" + ts.name);
    l.rsc = rsc;
    l.rule_attribute = attribute;
    l.rule_operation = "eq";
    if (w == 0) {
      l.score = "-INFINITY";
      l.rule_value = "0";
    } else if (w > 0) {
      l.score = std::to_string(w);
      l.rule_value = "1";
    } else {
      l.score = std::to_string(w);
      l.rule_value = "0";
    }
    config_.locations.push_back(l);
    report_.add(Outcome::kApproximated, sc.stmt->where(),
                "vrrp_script " + ts.name + " (\"" + sc.command + "\" every " + sc.interval + "s, weight " + weight +
                    "): location rule " + l.id + " scores " + l.score + " where node attribute " + attribute + " is " +
                    l.rule_value +
                    "; nothing runs the check: run it on every node and set the attribute with "
                    "`attrd_updater -n " +
                    attribute + " -U 1` (passing) or `-U 0` (failing)");
  }

  // track_interface: keepalived puts the instance in FAULT when the link is
  // down (or, with a weight, moves its priority). ocf:heartbeat:ethmonitor,
  // cloned on every node, keeps the node attribute ethmonitor-IFACE at 1
  // while the link is up and 0 when it is down; a location rule on it does
  // the rest. One clone per interface, shared by the instances tracking it.
  void track_interface(const Instance& inst, const TrackScript& ti, const std::string& rsc) {
    std::string where = inst.stmt->where();
    std::string monitor = "ethmonitor_" + xml::make_id(ti.name);
    std::string attribute = "ethmonitor-" + ti.name;
    if (!monitors_.count(ti.name)) {
      monitors_.insert(ti.name);
      Clone c;
      c.id = config_.ids.unique(monitor + "-clone");
      c.child = Primitive{config_.ids.unique(monitor), "ocf", "heartbeat", "ethmonitor", {{"interface", ti.name}},
                          {}, {{"monitor", "10s", "60s", "", ""}}};
      config_.clones.push_back(std::move(c));
      report_.add(Outcome::kTranslated, where,
                  "track_interface " + ti.name + ": clone " + monitor + " (ocf:heartbeat:ethmonitor) sets " +
                      attribute + " on every node");
    }
    long w = std::strtol(ti.weight.c_str(), nullptr, 10);
    Location l;
    l.id = config_.ids.unique("loc_" + rsc + "_" + monitor);
    l.rsc = rsc;
    l.rule_attribute = attribute;
    l.rule_operation = "eq";
    if (w > 0) {
      l.score = std::to_string(w);
      l.rule_value = "1";
    } else {
      l.score = w < 0 ? std::to_string(w) : "-INFINITY";
      l.rule_value = "0";
    }
    config_.locations.push_back(l);
    report_.add(w == 0 ? Outcome::kTranslated : Outcome::kApproximated, where,
                "track_interface " + ti.name + (w == 0 ? "" : " weight " + ti.weight) + ": location rule " + l.id +
                    " scores " + l.score + " where " + attribute + " is " + l.rule_value +
                    (w == 0 ? " (the instance's FAULT state)" : " (keepalived adds the weight to the priority)"));
  }

  void sync_group(const Stmt& g, const std::map<std::string, std::string>& rsc_of) {
    // "group { VI_1 VI_2 }", or (older keepalived) the instance names alone.
    const Stmt* group = find(g, "group");
    std::vector<std::string> members;
    for (const Stmt& m : group ? group->children : g.children) {
      if (!group && (m.block || m.words.size() > 1 || m.key().rfind("notify", 0) == 0 || m.key() == "smtp_alert" ||
                     m.key() == "global_tracking" || m.key() == "sync_group_tracking_weight")) {
        continue;
      }
      auto it = rsc_of.find(m.key());
      if (it != rsc_of.end())
        members.push_back(it->second);
      else
        report_.add(Outcome::kWarning, m.where(),
                    "vrrp_sync_group " + g.arg(1) + ": no translated instance " + m.key());
    }
    for (size_t i = 1; i < members.size(); ++i) {
      config_.colocations.push_back(
          {config_.ids.unique("col_" + members[i] + "_with_" + members[0]), members[i], members[0], "INFINITY", ""});
    }
    std::string list;
    for (const auto& m : members) list += " " + m;
    if (members.size() > 1)
      report_.add(Outcome::kApproximated, g.where(),
                  "vrrp_sync_group " + g.arg(1) + ":" + list +
                      " colocated (INFINITY) with the first; a failure of one "
                      "moves them all only through that colocation");
    NvPairs notify;
    for (const Stmt& c : g.children) {
      if (kNotifyKeys.count(c.key()) && c.words.size() > 1) {
        notify.emplace_back(c.key(), command_line(c));
      } else if (c.key().rfind("notify", 0) == 0 || c.key() == "smtp_alert") {
        report_.add(Outcome::kToDo, c.where(), unsupported_notify(c));
      }
    }
    if (!members.empty()) notify_alert(notify, "GROUP", g.arg(1), members[0], g.where());
  }

  // keepalived's notify scripts of an instance or sync group: an alert whose
  // agent (keepalived_notify) calls them when `rsc` starts (MASTER), stops
  // (BACKUP) or fails (FAULT) on a node.
  std::map<std::string, std::vector<std::string>> primitives_of_;  // resource -> its primitives, in start order

  void notify_alert(const NvPairs& notify, const std::string& type, const std::string& name, const std::string& rsc,
                    const std::string& where) {
    if (notify.empty()) return;
    Alert a;
    a.id = config_.ids.unique("notify_" + name);
    a.path = kNotifyAgent;
    std::string resources;
    for (const auto& id : primitives_of_[rsc]) resources += (resources.empty() ? "" : " ") + id;
    a.env = {{"resources", resources}, {"vrrp_type", type}, {"vrrp_name", name}};
    std::string priorities;
    for (const NodeConf& conf : confs_) {
      for (const Instance& i : conf.instances) {
        if (type == "INSTANCE" && i.name == name && !conf.node.empty()) {
          priorities += (priorities.empty() ? "" : " ") + conf.node + "=" + std::to_string(i.priority);
        }
      }
    }
    if (!priorities.empty()) a.env.emplace_back("priorities", priorities);
    std::string keys;
    for (const auto& [k, cmd] : notify) {
      a.env.emplace_back(k, cmd);
      keys += " " + k;
    }
    report_.add(Outcome::kApproximated, where,
                "vrrp_" + std::string(type == "GROUP" ? "sync_group " : "instance ") + name + ":" + keys +
                    " -> alert " + a.id + " (" + kNotifyAgent + " calls them when " + rsc +
                    " starts: MASTER, stops: BACKUP, fails: FAULT; keepalived's STOP state has no event)");
    config_.alerts.push_back(std::move(a));
  }

  // Every virtual_server into one ldirectord.cf, run by one ldirectord
  // resource beside the address it serves.
  void ldirectord(const std::map<std::string, std::string>& vip_rsc) {
    std::string cf = "# ldirectord.cf written by crm_import from " + inputs_.front().conf.name + "\n";
    std::string timeout = "", interval = "";
    std::set<std::string> beside;
    std::string body;
    for (const Stmt* vs : virtual_servers_) {
      std::string where = vs->where();
      if (vs->arg(1) == "group") {
        report_.add(Outcome::kNoEquivalent, where, "virtual_server group " + vs->arg(2) + ": not translated");
        continue;
      }
      bool fwmark = vs->arg(1) == "fwmark";
      std::string virt = fwmark ? vs->arg(2) : vs->arg(1) + ":" + vs->arg(2);
      if (!fwmark) {
        auto it = vip_rsc.find(vs->arg(1));
        if (it != vip_rsc.end()) beside.insert(it->second);
      }
      std::string kind = "gate", lines, check_lines;
      bool have_check = false;
      for (const Stmt& c : vs->children) {
        const std::string& k = c.key();
        if (k == "lb_kind") {
          kind = c.arg(1) == "NAT" ? "masq" : c.arg(1) == "TUN" ? "ipip" : "gate";
        } else if (k == "lb_algo") {
          lines += "\tscheduler=" + c.arg(1) + "\n";
        } else if (k == "persistence_timeout") {
          lines += "\tpersistent=" + c.arg(1) + "\n";
        } else if (k == "protocol") {
          std::string proto = c.arg(1);
          for (auto& ch : proto) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          lines += "\tprotocol=" + proto + "\n";
        } else if (k == "delay_loop") {
          interval = c.arg(1);
        } else if (k == "sorry_server") {
          lines += "\tfallback=" + c.arg(1) + (c.arg(2).empty() ? "" : ":" + c.arg(2)) + "\n";
        } else if (k == "inhibit_on_failure") {
          lines += "\tquiescent=yes\n";
        } else if (k == "real_server") {
          std::string weight = "1";
          if (const Stmt* w = find(c, "weight")) weight = w->arg(1);
          std::string real = c.arg(1) + (c.arg(2).empty() ? "" : ":" + c.arg(2));
          // The check of the first real server stands for all (ldirectord checks per virtual service).
          for (const Stmt& chk : c.children) {
            std::string service, type;
            if (chk.key() == "TCP_CHECK")
              type = "connect";
            else if (chk.key() == "HTTP_GET") {
              type = "negotiate";
              service = "http";
            } else if (chk.key() == "SSL_GET") {
              type = "negotiate";
              service = "https";
            } else if (chk.key() == "SMTP_CHECK") {
              type = "negotiate";
              service = "smtp";
            } else if (chk.key() == "DNS_CHECK") {
              type = "negotiate";
              service = "dns";
            } else if (chk.key() == "PING_CHECK")
              type = "ping";
            else if (chk.key() == "MISC_CHECK")
              type = "external";
            else if (chk.key() == "UDP_CHECK")
              type = "connect";
            else
              continue;
            if (have_check) continue;
            have_check = true;
            check_lines += "\tchecktype=" + type + "\n";
            if (!service.empty()) check_lines += "\tservice=" + service + "\n";
            for (const Stmt& o : chk.children) {
              if (o.key() == "connect_timeout") timeout = o.arg(1);
              if (o.key() == "connect_port") check_lines += "\tcheckport=" + o.arg(1) + "\n";
              if (o.key() == "misc_path") check_lines += "\tcheckcommand=\"" + o.arg(1) + "\"\n";
              if (o.key() == "url") {
                if (const Stmt* path = find(o, "path")) check_lines += "\trequest=\"" + path->arg(1) + "\"\n";
                if (find(o, "digest") || find(o, "status_code")) {
                  report_.add(Outcome::kApproximated, o.where(),
                              "url digest/status_code: ldirectord checks a response string (receive=), not a digest "
                              "or status; set receive= in ldirectord.cf");
                }
              }
            }
            report_.add(Outcome::kApproximated, chk.where(),
                        chk.key() + ": ldirectord checktype=" + type + " for every real server of " + virt);
          }
          body += "\treal=" + real + " " + kind + " " + weight + "\n";
        }
      }
      body = "virtual=" + virt + "\n" + body + lines + check_lines;
      if (fwmark) body += "\tfwmark=" + vs->arg(2) + "\n";
      cf += "\n" + body;
      body.clear();
      report_.add(Outcome::kTranslated, where, "virtual_server " + virt + ": virtual=" + virt + " in ldirectord.cf");
    }
    if (cf.find("\nvirtual=") == std::string::npos) return;  // none translated
    std::string head;
    if (!timeout.empty()) head += "checktimeout=" + timeout + "\n";
    if (!interval.empty()) head += "checkinterval=" + interval + "\n";
    cf.insert(cf.find('\n') + 1, head + "quiescent=no\n");
    files_.push_back({"ldirectord.cf", cf});

    Primitive p;
    p.id = config_.ids.unique("ldirectord");
    p.cls = "ocf";
    p.provider = "heartbeat";
    p.type = "ldirectord";
    p.params = {{"configfile", "/etc/ha.d/ldirectord.cf"}};
    p.ops = {{"monitor", "20s", "10s", "", ""}};
    config_.primitives.push_back(p);
    for (const std::string& rsc : beside) {
      config_.colocations.push_back({config_.ids.unique("col_" + p.id + "_with_" + rsc), p.id, rsc, "INFINITY", ""});
      config_.orders.push_back({config_.ids.unique("ord_" + rsc + "_before_" + p.id), rsc, "start", p.id, "start"});
    }
    report_.add(Outcome::kToDo, inputs_.front().conf.name,
                "LVS: ldirectord.cf written beside the configuration; install it as /etc/ha.d/ldirectord.cf on every "
                "node (resource " +
                    p.id + ", ocf:heartbeat:ldirectord" + (beside.empty() ? ")" : ", runs with its virtual address)"));
  }

  const std::vector<KeepalivedNode>& inputs_;
  const KeepalivedOptions& options_;
  std::vector<NodeConf> confs_;
  std::vector<const Stmt*> sync_groups_;
  std::vector<const Stmt*> virtual_servers_;
  std::set<std::string> monitors_;  // interfaces with an ethmonitor clone
  std::vector<ExtraFile> files_;
  Config config_;
  Report report_;
};

}  // namespace

Result<Imported> from_keepalived(const std::vector<KeepalivedNode>& nodes, const KeepalivedOptions& options) {
  if (nodes.empty()) return invalid_argument("no keepalived.conf given");
  return KeepalivedImporter(nodes, options).run();
}

}  // namespace crm::import
