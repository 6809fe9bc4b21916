// Runs every case of shared/scheduler-cases through schedule() and compares:
//  - placement: each resource's role and node in "Revised Cluster Status";
//  - actions: the Transition Summary lines (verb, resource, nodes; reasons and
//    column padding ignored);
//  - scores: the final primitive-stage score per resource and node;
//  - graph: the transition graph's actions (tag, operation key, node) and
//    ordering inputs, ids and order dropped, against the peer's graph.xml;
//    "graph-attributes" also compares every action's attributes.
// Cases that do not match yet are listed, with a reason, in
// tests/scheduler/known-failures.txt; a case/aspect that matches and is not
// listed must keep matching (the list can only shrink). --update rewrites it.
// The advanced cases (shared/scheduler-cases-advanced) are run for
// information only.
//
// --notify compares, for the cases whose features (cases.tsv) include
// `notify`, the notification actions of our graph with the peer's graph.xml:
// the set of notify/notified actions as operation key, node and every
// CRM_meta_notify_* value. It prints each case's first difference and the
// count of cases with the same set (the development cases, none of which
// uses notify, are all checked for having no notification either), and of
// cases whose edges touching notification actions are the peer's (between
// actions both graphs have, instance numbers dropped).
//
//   scheduler_suite [--update] [--case NAME] [--verbose] [--dir DIR] [--notify]
#include <dirent.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crm/core/xml.h"
#include "crm/pengine/pengine.h"

namespace {

namespace pe = crm::pengine;

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return "";
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string l;
  while (std::getline(s, l)) out.push_back(l);
  return out;
}

std::string collapse(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '\t') c = ' ';
    if (c == ' ' && (o.empty() || o.back() == ' ')) continue;
    o += c;
  }
  while (!o.empty() && o.back() == ' ') o.pop_back();
  return o;
}

// Lines of one summary section ("Transition Summary:" ... up to the next header).
std::vector<std::string> section(const std::vector<std::string>& lines, const std::string& header) {
  std::vector<std::string> out;
  bool in = false;
  for (const auto& l : lines) {
    if (l == header) { in = true; continue; }
    if (in && !l.empty() && l[0] != ' ') break;
    if (in) out.push_back(l);
  }
  return out;
}

// Placement tuples from a status listing: "rsc role node".
std::multiset<std::string> placement(const std::vector<std::string>& status) {
  std::multiset<std::string> out;
  std::string clone;      // current clone id when inside one
  bool anon = false;
  size_t clone_indent = 0;
  bool in_resources = false;
  for (const auto& raw : status) {
    if (raw.find("Full List of Resources") != std::string::npos) { in_resources = true; continue; }
    if (!in_resources) continue;
    size_t indent = raw.find_first_not_of(' ');
    if (indent == std::string::npos) continue;
    std::string l = collapse(raw.substr(indent));
    if (l.rfind("* ", 0) != 0) continue;
    l = l.substr(2);
    if (!clone.empty() && indent <= clone_indent) clone.clear();
    if (l.rfind("Clone Set: ", 0) == 0) {
      clone = l.substr(11, l.find(' ', 11) - 11);
      anon = l.find("unique") == std::string::npos;
      clone_indent = indent;
      continue;
    }
    if (l.rfind("Resource Group: ", 0) == 0) continue;
    // "Started: [ a b ]" lists inside clones.
    for (const char* role : {"Started", "Promoted", "Unpromoted", "Slave", "Master"}) {
      std::string p = std::string(role) + ": [";
      if (l.rfind(p, 0) == 0) {
        std::stringstream s(l.substr(p.size()));
        std::string n;
        while (s >> n && n != "]") out.insert(clone + " " + role + " " + n);
        goto next;
      }
    }
    if (l.rfind("Stopped", 0) == 0 && l.find(": [") != std::string::npos) continue;
    {
      // "id (agent): Role node (flags)"
      std::string id = l.substr(0, l.find(' '));
      auto close = l.find("):");
      if (close == std::string::npos) continue;
      std::stringstream s(l.substr(close + 2));
      std::string role, node;
      s >> role;
      if (role == "ORPHANED") s >> role;
      if (role == "FAILED") {
        std::string maybe;
        s >> maybe;
        if (maybe == "Promoted" || maybe == "Master") { role = "FAILED-Promoted"; s >> node; } else node = maybe;
      } else {
        s >> node;
      }
      if (node == "[") {
        std::string n, all;
        while (s >> n && n != "]") all += n + ",";
        node = all;
      }
      if (!node.empty() && node[0] == '(') node.clear();
      if (role == "Stopped") node.clear();
      if (!clone.empty() && anon) {
        if (role == "Stopped") continue;
        id = clone;
      }
      out.insert(id + " " + role + " " + node);
    }
  next:;
  }
  return out;
}

// Transition Summary actions: "Verb rsc ( details )" without reasons.
std::multiset<std::string> actions(const std::vector<std::string>& summary) {
  std::multiset<std::string> out;
  for (const auto& raw : summary) {
    std::string l = collapse(raw);
    if (l.rfind("* ", 0) == 0) l = l.substr(2);
    if (l.empty()) continue;
    if (l.rfind("Fence", 0) == 0) {
      auto q = l.find(" '");
      out.insert(q == std::string::npos ? l : l.substr(0, q));
      continue;
    }
    auto close = l.find(" )");
    if (close != std::string::npos) l = l.substr(0, close + 2);
    out.insert(l);
  }
  return out;
}

std::map<std::string, std::string> scores(const std::vector<std::string>& lines) {
  std::map<std::string, std::string> out;
  for (const auto& l : lines) {
    const std::string p = "pcmk__primitive_assign: ";
    if (l.rfind(p, 0) != 0) continue;
    auto colon = l.rfind(": ");
    out[l.substr(p.size(), colon - p.size())] = l.substr(colon + 2);
  }
  return out;
}

// A transition graph as sets of comparable lines, ids and order dropped:
// each action as "tag key@node", each ordering input as "from -> to", and
// each action's attributes (parameters and CRM_meta_*) as "key@node k=v".
// The same reader serves the peer's graph.xml and ours (graph_to_xml), so
// both pass through one normalisation.
struct GraphView {
  std::set<std::string> actions, edges, attributes;
};

std::string graph_name(xmlNode* a) {
  std::string name = crm::xml::attr_or(a, "operation_key");
  if (auto node = crm::xml::attr(a, "on_node")) name += "@" + *node;
  return name;
}

GraphView graph_view(const std::string& xml_text) {
  GraphView v;
  auto doc = crm::xml::parse(xml_text, "graph");
  if (!doc.ok()) return v;
  for (xmlNode* syn : crm::xml::children(crm::xml::root(*doc), "synapse")) {
    for (xmlNode* a : crm::xml::children(crm::xml::first_child(syn, "action_set"))) {
      std::string name = graph_name(a);
      v.actions.insert(reinterpret_cast<const char*>(a->name) + std::string(" ") + name);
      if (xmlNode* at = crm::xml::first_child(a, "attributes"))
        for (xmlAttr* p = at->properties; p; p = p->next) {
          std::string k = reinterpret_cast<const char*>(p->name);
          v.attributes.insert(name + " " + k + "=" + crm::xml::attr_or(at, k.c_str()));
        }
      if (xmlNode* at = crm::xml::first_child(a, "attributes"))
        for (xmlNode* param : crm::xml::children(at, "param"))
          v.attributes.insert(name + " " + crm::xml::attr_or(param, "name") + "=" + crm::xml::attr_or(param, "value"));
      if (xmlNode* inputs = crm::xml::first_child(syn, "inputs"))
        for (xmlNode* trig : crm::xml::children(inputs, "trigger"))
          for (xmlNode* f : crm::xml::children(trig)) v.edges.insert(graph_name(f) + " -> " + name);
    }
  }
  return v;
}

struct CaseResult {
  bool placement = false, actions = false, scores = false, graph = false, graph_attributes = false;
  std::string placement_why, actions_why, scores_why, graph_why, graph_attributes_why;
};

template <typename Set>
std::string first_diff(const Set& want, const Set& got) {
  for (const auto& w : want)
    if (!got.count(w)) return "missing '" + w + "'";
  for (const auto& g : got)
    if (!want.count(g)) return "unexpected '" + g + "'";
  return "count differs";
}

CaseResult run_case(const std::string& dir, bool verbose) {
  CaseResult r;
  std::string input = read_file(dir + "/input.xml");
  auto doc = crm::xml::parse(input, dir + "/input.xml");
  auto want_summary = lines_of(read_file(dir + "/summary.txt"));
  auto want_scores = lines_of(read_file(dir + "/scores.txt"));
  if (!doc.ok()) {
    r.placement_why = r.actions_why = r.scores_why = r.graph_why = r.graph_attributes_why =
        "error: " + doc.status().message();
    return r;
  }
  std::time_t now = 1795478400;  // 2026-11-24, the date the expected outputs were made
  if (auto ed = crm::xml::attr(crm::xml::root(*doc), "execution-date")) now = std::atol(ed->c_str());
  std::time_t scores_now = now;
  std::string args = read_file(dir + "/args.txt");
  if (auto p = args.find("-t "); p != std::string::npos) {
    std::string d = args.substr(p + 3);
    d = d.substr(0, d.find_first_of(" \n"));
    auto t = pe::parse_date(d);
    if (t.ok()) scores_now = *t;
  }
  pe::ScheduleOptions opts;
  opts.want_scores = true;
  opts.sanitized = true;  // the cases' secrets are masked, as for the peer's crm_simulate
  auto t = pe::schedule(doc->get(), now, opts);
  if (!t.ok()) {
    r.placement_why = r.actions_why = r.scores_why = r.graph_why = r.graph_attributes_why =
        "error: " + t.status().message();
    return r;
  }
  auto want_p = placement(section(want_summary, "Revised Cluster Status:"));
  auto got_p = placement(lines_of(pe::format_cluster_status(t->after)));
  r.placement = want_p == got_p;
  if (!r.placement) r.placement_why = first_diff(want_p, got_p);
  auto want_a = actions(section(want_summary, "Transition Summary:"));
  std::vector<std::string> ours;
  for (const auto& l : t->summary) ours.push_back("  * " + l);
  auto got_a = actions(ours);
  r.actions = want_a == got_a;
  if (!r.actions) r.actions_why = first_diff(want_a, got_a);
  // The graph: its actions and ordering inputs, then the actions' attributes.
  GraphView want_g = graph_view(read_file(dir + "/graph.xml")), got_g = graph_view(pe::graph_to_xml(*t));
  r.graph = want_g.actions == got_g.actions && want_g.edges == got_g.edges;
  if (want_g.actions != got_g.actions) r.graph_why = "action " + first_diff(want_g.actions, got_g.actions);
  else if (want_g.edges != got_g.edges) r.graph_why = "input " + first_diff(want_g.edges, got_g.edges);
  r.graph_attributes = r.graph && want_g.attributes == got_g.attributes;
  if (!r.graph) r.graph_attributes_why = "graph differs";
  else if (!r.graph_attributes) r.graph_attributes_why = "attribute " + first_diff(want_g.attributes, got_g.attributes);
  if (scores_now != now) {
    auto d2 = crm::xml::parse(input);
    auto t2 = pe::schedule(d2->get(), scores_now, opts);
    if (t2.ok()) t = std::move(t2);
  }
  auto want_s = scores(want_scores);
  auto got_s = scores(pe::format_scores(*t));
  r.scores = want_s == got_s;
  if (!r.scores) {
    for (const auto& [k, v] : want_s) {
      auto it = got_s.find(k);
      if (it == got_s.end()) { r.scores_why = "missing score " + k; break; }
      if (it->second != v) { r.scores_why = k + ": want " + v + ", got " + it->second; break; }
    }
    if (r.scores_why.empty()) r.scores_why = "extra scores";
  }
  if (verbose) {
    std::cout << "== " << dir << "\n-- placement want:\n";
    for (auto& x : want_p) std::cout << "   " << x << "\n";
    std::cout << "-- placement got:\n";
    for (auto& x : got_p) std::cout << "   " << x << "\n";
    std::cout << "-- actions want:\n";
    for (auto& x : want_a) std::cout << "   " << x << "\n";
    std::cout << "-- actions got:\n";
    for (auto& x : got_a) std::cout << "   " << x << "\n";
    std::cout << "-- scores: " << (r.scores ? "match" : r.scores_why) << "\n";
    std::cout << "-- graph: " << (r.graph ? "match" : r.graph_why) << "\n";
    std::cout << "-- graph attributes: " << (r.graph_attributes ? "match" : r.graph_attributes_why) << "\n";
  }
  return r;
}

std::vector<std::string> list_cases(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n[0] == '.') continue;
    if (read_file(dir + "/" + n + "/input.xml").empty()) continue;
    out.push_back(n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// "key node k=v k=v ..." for one notification action (CRM_meta_notify_* only).
std::string notify_line(const std::string& key, const std::string& node,
                        const std::map<std::string, std::string>& attributes) {
  std::string l = key + " " + node;
  for (const auto& [k, v] : attributes)
    if (k.rfind("CRM_meta_notify_", 0) == 0) l += " " + k.substr(9) + "=\"" + v + "\"";
  return l;
}

// A graph's notifications: the notify/notified actions with their values,
// every action as "key@node" with instance numbers dropped (the peer names
// anonymous instances by their history's name, which may carry another
// number), and the edges that touch a notification action.
struct NotifyView {
  std::set<std::string> actions, ids, edges;
};

std::string plain_id(const std::string& key, const std::string& node) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == ':' && i + 1 < key.size() && isdigit(static_cast<unsigned char>(key[i + 1]))) {
      while (i + 1 < key.size() && isdigit(static_cast<unsigned char>(key[i + 1]))) ++i;
      continue;
    }
    out += key[i];
  }
  return out + "@" + node;
}

bool is_notification(const std::string& operation) { return operation == "notify" || operation == "notified"; }

NotifyView peer_notifications(const std::string& graph_path) {
  NotifyView v;
  auto doc = crm::xml::parse(read_file(graph_path), graph_path);
  if (!doc.ok()) return v;
  for (xmlNode* syn : crm::xml::children(crm::xml::root(*doc), "synapse")) {
    xmlNode* set = crm::xml::first_child(syn, "action_set");
    for (xmlNode* a : crm::xml::children(set)) {
      std::string op = crm::xml::attr_or(a, "operation"), key = crm::xml::attr_or(a, "operation_key");
      std::string node = crm::xml::attr_or(a, "on_node");
      v.ids.insert(plain_id(key, node));
      if (xmlNode* inputs = crm::xml::first_child(syn, "inputs"))
        for (xmlNode* trig : crm::xml::children(inputs, "trigger"))
          for (xmlNode* f : crm::xml::children(trig))
            if (is_notification(op) || is_notification(crm::xml::attr_or(f, "operation")))
              v.edges.insert(plain_id(crm::xml::attr_or(f, "operation_key"), crm::xml::attr_or(f, "on_node")) +
                             " -> " + plain_id(key, node));
      if (!is_notification(op)) continue;
      std::map<std::string, std::string> attrs;
      if (xmlNode* at = crm::xml::first_child(a, "attributes"))
        for (xmlAttr* p = at->properties; p; p = p->next) {
          std::string k = reinterpret_cast<const char*>(p->name);
          attrs[k] = crm::xml::attr_or(at, k.c_str());
        }
      v.actions.insert(notify_line(key, node, attrs));
    }
  }
  return v;
}

NotifyView our_notifications(const pe::Transition& t) {
  NotifyView v;
  for (const auto& a : t.actions) {
    v.ids.insert(plain_id(a.key, a.node));
    for (int in : a.inputs) {
      const auto& f = t.actions[in];
      if (is_notification(a.task) || is_notification(f.task))
        v.edges.insert(plain_id(f.key, f.node) + " -> " + plain_id(a.key, a.node));
    }
    if (is_notification(a.task)) v.actions.insert(notify_line(a.key, a.node, a.attributes));
  }
  return v;
}

// Edges between actions both graphs have (the others differ for other reasons).
std::set<std::string> shared_edges(const NotifyView& v, const NotifyView& other) {
  std::set<std::string> out;
  for (const auto& e : v.edges) {
    auto arrow = e.find(" -> ");
    if (other.ids.count(e.substr(0, arrow)) && other.ids.count(e.substr(arrow + 4))) out.insert(e);
  }
  return out;
}

// Whether our notification actions of a case are the peer's (`why`: the
// first difference), and whether the edges touching them are (`edges_same`).
bool notify_matches(const std::string& dir, std::string& why, bool& edges_same) {
  edges_same = false;
  auto doc = crm::xml::parse(read_file(dir + "/input.xml"), dir + "/input.xml");
  if (!doc.ok()) { why = "error: " + doc.status().message(); return false; }
  std::time_t now = 1795478400;
  if (auto ed = crm::xml::attr(crm::xml::root(*doc), "execution-date")) now = std::atol(ed->c_str());
  pe::ScheduleOptions opts;
  opts.sanitized = true;
  auto t = pe::schedule(doc->get(), now, opts);
  if (!t.ok()) { why = "error: " + t.status().message(); return false; }
  NotifyView got = our_notifications(*t), want = peer_notifications(dir + "/graph.xml");
  edges_same = shared_edges(want, got) == shared_edges(got, want);
  if (want.actions == got.actions) return true;
  why = first_diff(want.actions, got.actions);
  return false;
}

// Cases of a cases.tsv whose feature columns name `feature`.
std::vector<std::string> cases_with_feature(const std::string& dir, const std::string& feature) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(read_file(dir + "/cases.tsv"))) {
    std::stringstream s(l);
    std::string name, col;
    std::getline(s, name, '\t');
    bool has = false;
    while (std::getline(s, col, '\t')) {
      std::stringstream f(col);
      std::string x;
      while (std::getline(f, x, ',')) has = has || x == feature;
    }
    if (has && name != "case") out.push_back(name);
  }
  return out;
}

// Each case's advanced features (cases.tsv's "advanced_features" column).
std::map<std::string, std::vector<std::string>> advanced_features(const std::string& dir) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& l : lines_of(read_file(dir + "/cases.tsv"))) {
    std::vector<std::string> cols;
    std::stringstream s(l);
    std::string col;
    while (std::getline(s, col, '\t')) cols.push_back(col);
    if (cols.size() < 5 || cols[0] == "case") continue;
    std::stringstream f(cols[4]);
    std::string x;
    while (std::getline(f, x, ',')) if (!x.empty()) out[cols[0]].push_back(x);
  }
  return out;
}

int run_notify(const std::string& shared, const std::string& only, bool verbose) {
  int total = 0, same = 0;
  for (const char* sub : {"scheduler-cases", "scheduler-cases-advanced"}) {
    std::string dir = shared + "/" + sub;
    int t = 0, m = 0, same_decisions = 0, m_decisions = 0, same_edges = 0, schedulable = 0;
    // The development cases have no notify feature: all of them are run,
    // which checks that none gets a notification the peer does not make.
    bool dev = std::string(sub) == "scheduler-cases";
    for (const auto& c : dev ? list_cases(dir) : cases_with_feature(dir, "notify")) {
      if (!only.empty() && c != only) continue;
      std::string why;
      bool edges_same = false;
      bool ok = notify_matches(dir + "/" + c, why, edges_same);
      schedulable += why.rfind("error: ", 0) != 0;
      same_edges += edges_same;
      // A difference that follows from other decisions is marked as such.
      bool decisions = ok || run_case(dir + "/" + c, false).actions;
      if (!ok || verbose)
        std::cout << "  " << c << (decisions ? "" : " [Transition Summary differs too]") << ": " << (ok ? "same" : why)
                  << "\n";
      ++t;
      m += ok;
      same_decisions += decisions;
      m_decisions += ok;
    }
    std::cout << sub << ": notification actions the same as the peer's in " << m << "/" << t << (dev ? " cases (no notify feature)\n" : " notify cases\n")
              << "  of them with the peer's Transition Summary: " << m_decisions << "/" << same_decisions << "\n"
              << "  edges touching notifications (between actions both graphs have) the same: " << same_edges << "/"
              << schedulable << " schedulable cases\n";
    if (dev) continue;
    total += t;
    same += m;
  }
  std::cout << "advanced notify cases: " << same << "/" << total << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool update = false, verbose = false, advanced = true, notify = false, report = false;
  std::string only;
  std::string shared = CRM_SHARED_DIR;
  std::string known_path = std::string(CRM_SOURCE_DIR) + "/tests/scheduler/known-failures.txt";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--update") update = true;
    else if (a == "--verbose" || a == "-v") verbose = true;
    else if (a == "--no-advanced") advanced = false;
    else if (a == "--notify") notify = true;
    else if (a == "--report") report = true;
    else if (a == "--case" && i + 1 < argc) only = argv[++i];
    else if (a == "--dir" && i + 1 < argc) shared = argv[++i];
    else { std::cerr << "usage: scheduler_suite [--update] [--case NAME] [--verbose] [--no-advanced] [--notify] [--report]\n"; return 2; }
  }
  if (notify) return run_notify(shared, only, verbose);
  std::string dev = shared + "/scheduler-cases";
  auto cases = list_cases(dev);
  if (cases.empty()) {
    std::cerr << "no cases under " << dev << "\n";
    return 1;
  }
  // known-failures.txt: "case<TAB>aspect<TAB>reason", aspect in placement/actions/scores.
  std::set<std::string> known;
  for (const auto& l : lines_of(read_file(known_path))) {
    if (l.empty() || l[0] == '#') continue;
    auto t1 = l.find('\t');
    auto t2 = l.find('\t', t1 + 1);
    if (t1 == std::string::npos) continue;
    known.insert(l.substr(0, t1) + "\t" + l.substr(t1 + 1, t2 == std::string::npos ? std::string::npos : t2 - t1 - 1));
  }
  auto start = std::chrono::steady_clock::now();
  int np = 0, na = 0, ns = 0, ng = 0, nga = 0, total = 0;
  std::vector<std::string> regressions, new_list;
  for (const auto& c : cases) {
    if (!only.empty() && c != only) continue;
    CaseResult r = run_case(dev + "/" + c, verbose || !only.empty());
    ++total;
    np += r.placement;
    na += r.actions;
    ns += r.scores;
    ng += r.graph;
    nga += r.graph_attributes;
    auto check = [&](const char* aspect, bool ok, const std::string& why) {
      std::string k = c + "\t" + aspect;
      if (!ok) {
        std::string reason = why;
        for (char& ch : reason) if (ch == '\t' || ch == '\n') ch = ' ';
        new_list.push_back(k + "\t" + reason);
        if (!known.count(k)) regressions.push_back(c + " (" + aspect + "): " + why);
      }
    };
    check("placement", r.placement, r.placement_why);
    check("actions", r.actions, r.actions_why);
    check("scores", r.scores, r.scores_why);
    check("graph", r.graph, r.graph_why);
    check("graph-attributes", r.graph_attributes, r.graph_attributes_why);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "development cases: placement " << np << "/" << total << ", actions " << na << "/" << total
            << ", scores " << ns << "/" << total << ", graph " << ng << "/" << total << " (with attributes " << nga
            << ") (" << secs << " s)\n";
  if (advanced && only.empty()) {
    std::string adv_dir = shared + "/scheduler-cases-advanced";
    auto adv = list_cases(adv_dir);
    int ap = 0, aa = 0, as = 0, ag = 0, aga = 0;
    // Per advanced feature (cases.tsv's last column): cases, placement, summary, graph.
    std::map<std::string, std::array<int, 4>> by_feature;
    auto features = advanced_features(adv_dir);
    for (const auto& c : adv) {
      CaseResult r = run_case(adv_dir + "/" + c, false);
      ap += r.placement;
      aa += r.actions;
      as += r.scores;
      ag += r.graph;
      aga += r.graph_attributes;
      for (const auto& f : features[c]) {
        auto& n = by_feature[f];
        n[0] += 1;
        n[1] += r.placement;
        n[2] += r.actions;
        n[3] += r.graph;
      }
      if (report) std::cout << "  " << c << "\t" << (r.placement ? "placement" : "-") << "\t" << (r.actions ? "summary" : "-")
                            << "\t" << (r.graph ? "graph" : "-") << "\t" << (r.actions ? r.graph_why : r.actions_why) << "\n";
    }
    if (!adv.empty()) {
      std::cout << "advanced cases (information): placement " << ap << "/" << adv.size() << ", actions " << aa << "/"
                << adv.size() << ", scores " << as << "/" << adv.size() << ", graph " << ag << "/" << adv.size()
                << " (with attributes " << aga << ")\n";
      for (const auto& [f, n] : by_feature)
        std::cout << "  " << f << ": " << n[0] << " cases, placement " << n[1] << ", summary " << n[2] << ", graph "
                  << n[3] << "\n";
    }
  }
  if (!only.empty()) {
    // A case not among the development ones is looked for among the advanced ones.
    if (total == 0) run_case(shared + "/scheduler-cases-advanced/" + only, true);
    return 0;
  }
  if (update) {
    std::ofstream f(known_path);
    f << "# Scheduler cases (shared/scheduler-cases) whose outcome does not match the peer's yet.\n"
         "# case<TAB>aspect<TAB>first difference. Written by `scheduler_suite --update`; may only shrink.\n";
    for (const auto& l : new_list) f << l << "\n";
    std::cout << "wrote " << new_list.size() << " entries to " << known_path << "\n";
    return 0;
  }
  if (!regressions.empty()) {
    std::cout << "REGRESSIONS (matched before, listed as passing):\n";
    for (const auto& r : regressions) std::cout << "  " << r << "\n";
    return 1;
  }
  size_t fixed = known.size() > new_list.size() ? known.size() - new_list.size() : 0;
  if (fixed) std::cout << fixed << " known failures now pass; run with --update to shrink the list\n";
  return 0;
}
