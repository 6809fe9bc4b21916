// crm_simulate: run the policy engine on a CIB and show the transition.
//
//   crm_simulate -x cib.xml -S              # status, summary, simulated run, result
//   crm_simulate -x cib.xml -s -G g.xml -Q  # scores and the graph only
//   crm_simulate -L --node-fail node2 -S    # what if node2 failed (CIB from CIB_file)
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "crm/core/clock.h"
#include "crm/core/xml.h"
#include "crm/pengine/pengine.h"

namespace {

using crm::Status;
namespace xml = crm::xml;
namespace pe = crm::pengine;

xmlNode* node_state(xmlDoc* doc, const std::string& uname, bool create) {
  xmlNode* cib = xml::root(doc);
  xmlNode* status = xml::first_child(cib, "status");
  if (!status) status = xml::add_child(cib, "status");
  for (xmlNode* st : xml::children(status, "node_state"))
    if (xml::attr_or(st, "uname") == uname || xml::attr_or(st, "id") == uname) return st;
  if (!create) return nullptr;
  std::string id = uname;
  xmlNode* nodes = xml::first_child(xml::first_child(cib, "configuration"), "nodes");
  for (xmlNode* n : xml::children(nodes, "node"))
    if (xml::attr_or(n, "uname") == uname) id = xml::attr_or(n, "id", uname);
  xmlNode* st = xml::add_child(status, "node_state");
  xml::set_attr(st, "id", id);
  xml::set_attr(st, "uname", uname);
  return st;
}

void set_node(xmlDoc* doc, const std::string& uname, bool up, bool failed) {
  xmlNode* st = node_state(doc, uname, true);
  xml::set_attr(st, "in_ccm", up ? "true" : "false");
  xml::set_attr(st, "crmd", up ? "online" : "offline");
  xml::set_attr(st, "join", up ? "member" : "down");
  xml::set_attr(st, "expected", up || failed ? "member" : "down");
}

// rsc_task_interval@node=rc
Status inject_op(xmlDoc* doc, const std::string& spec) {
  auto at = spec.rfind('@');
  auto eq = spec.rfind('=');
  if (at == std::string::npos || eq == std::string::npos || eq < at)
    return crm::invalid_argument("bad operation spec '" + spec + "' (want rsc_task_interval@node=rc)");
  std::string key = spec.substr(0, at), node = spec.substr(at + 1, eq - at - 1), rc = spec.substr(eq + 1);
  auto u2 = key.rfind('_');
  auto u1 = u2 == std::string::npos ? u2 : key.rfind('_', u2 - 1);
  if (u1 == std::string::npos) return crm::invalid_argument("bad operation key '" + key + "'");
  std::string rsc = key.substr(0, u1), task = key.substr(u1 + 1, u2 - u1 - 1), interval = key.substr(u2 + 1);
  xmlNode* st = node_state(doc, node, true);
  xmlNode* lrm = xml::first_child(st, "lrm");
  if (!lrm) { lrm = xml::add_child(st, "lrm"); xml::set_attr(lrm, "id", xml::attr_or(st, "id")); }
  xmlNode* lrs = xml::first_child(lrm, "lrm_resources");
  if (!lrs) lrs = xml::add_child(lrm, "lrm_resources");
  xmlNode* lr = nullptr;
  for (xmlNode* x : xml::children(lrs, "lrm_resource"))
    if (xml::attr_or(x, "id") == rsc) lr = x;
  if (!lr) {
    lr = xml::add_child(lrs, "lrm_resource");
    xml::set_attr(lr, "id", rsc);
    auto found = xml::xpath(doc, "//primitive[@id='" + rsc + "']");
    if (found.ok() && !found->empty()) {
      for (const char* a : {"class", "provider", "type"})
        if (auto v = xml::attr(found->front(), a)) xml::set_attr(lr, a, *v);
    }
  }
  int call = 1;
  for (xmlNode* op : xml::children(lr, "lrm_rsc_op")) call = std::max(call, std::atoi(xml::attr_or(op, "call-id", "0").c_str()) + 1);
  xmlNode* op = xml::add_child(lr, "lrm_rsc_op");
  xml::set_attr(op, "id", key + "_injected");
  xml::set_attr(op, "operation", task);
  xml::set_attr(op, "interval", interval);
  xml::set_attr(op, "call-id", std::to_string(call));
  xml::set_attr(op, "rc-code", rc);
  xml::set_attr(op, "op-status", "0");
  xml::set_attr(op, "transition-key", "0:0:" + std::string(task == "monitor" && interval == "0" ? "7" : "0") + ":injected");
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crm_simulate: show what the policy engine would do with a CIB"};
  std::string xml_file, xml_text, graph_file, dot_file, date;
  bool live = false, simulate = false, scores = false, quiet = false, run = false;
  std::vector<std::string> up, down, fail, inject, opfail;
  app.add_option("-x,--xml-file", xml_file, "CIB to use");
  app.add_option("-X,--xml-text", xml_text, "CIB as text");
  app.add_flag("-L,--live-check", live, "Use the CIB from CIB_file");
  app.add_flag("-S,--simulate", simulate, "Show the transition and simulate running it");
  app.add_flag("-R,--run", run, "Show the transition without simulated execution");
  app.add_flag("-s,--show-scores", scores, "Show placement scores");
  app.add_flag("-Q,--quiet", quiet, "Show less (no status)");
  app.add_option("-G,--save-graph", graph_file, "Write the transition graph (XML) here");
  app.add_option("-D,--save-dotfile", dot_file, "Write the graph in dot format here");
  app.add_option("-t,--set-datetime", date, "Time to use as 'now' (ISO 8601)");
  app.add_option("-u,--node-up", up, "Bring a node online");
  app.add_option("-d,--node-down", down, "Take a node offline");
  app.add_option("-f,--node-fail", fail, "Mark a node as failed");
  app.add_option("-i,--op-inject", inject, "Inject an operation result: rsc_task_interval@node=rc");
  app.add_option("-F,--op-fail", opfail, "Have an action fail: rsc_task_interval@node=rc");
  CLI11_PARSE(app, argc, argv);

  crm::Result<xml::DocPtr> doc = crm::invalid_argument("no input: use -x FILE, --xml-text or -L");
  if (!xml_text.empty()) {
    doc = xml::parse(xml_text, "--xml-text");
  } else if (!xml_file.empty()) {
    doc = xml::parse_file(xml_file);
  } else if (live) {
    const char* f = std::getenv("CIB_file");
    if (!f) doc = crm::unavailable("-L: no live cluster connection here; set CIB_file");
    else doc = xml::parse_file(f);
  }
  if (!doc.ok()) {
    std::cerr << "crm_simulate: " << doc.status().message() << "\n";
    return doc.status().exit_code();
  }
  xmlDoc* d = doc->get();
  for (auto& n : up) set_node(d, n, true, false);
  for (auto& n : down) set_node(d, n, false, false);
  for (auto& n : fail) set_node(d, n, false, true);
  for (auto& s : inject) {
    Status st = inject_op(d, s);
    if (!st.ok()) { std::cerr << "crm_simulate: " << st.message() << "\n"; return st.exit_code(); }
  }
  for (auto& s : opfail) {
    // Approximation: the failure is recorded before scheduling rather than during simulated execution.
    Status st = inject_op(d, s);
    if (!st.ok()) { std::cerr << "crm_simulate: " << st.message() << "\n"; return st.exit_code(); }
  }

  crm::SystemClock clock;
  std::time_t now = clock.wall_now();
  bool original_date = false;
  if (auto ed = xml::attr(xml::root(d), "execution-date")) {
    now = std::atol(ed->c_str());
    original_date = true;
  }
  if (!date.empty()) {
    auto t = pe::parse_date(date);
    if (!t.ok()) { std::cerr << "crm_simulate: " << t.status().message() << "\n"; return t.status().exit_code(); }
    now = *t;
    original_date = false;
  }
  pe::ScheduleOptions opts;
  opts.want_scores = scores;
  auto t = pe::schedule(d, now, opts);
  if (!t.ok()) {
    std::cerr << "crm_simulate: " << t.status().message() << "\n";
    return t.status().exit_code();
  }
  for (const auto& w : t->warnings) std::cerr << "crm_simulate: warning: " << w << "\n";
  if (original_date && (simulate || run)) {
    char buf[64];
    std::time_t ed = now;
    struct tm tm{};
    gmtime_r(&ed, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
    std::cout << "Using the original execution date of: " << buf << "\n";
  }
  bool show_status = (simulate || run) && !quiet;
  if (show_status) std::cout << "Current cluster status:\n" << pe::format_cluster_status(t->before) << "\n";
  if (scores) {
    if (show_status) std::cout << "Allocation scores:\n";
    for (const auto& l : pe::format_scores(*t)) std::cout << l << "\n";
  }
  if (simulate || run) std::cout << pe::format_transition_summary(*t);
  if (simulate) {
    std::cout << "\n" << pe::format_execution(*t);
    std::cout << "\nRevised Cluster Status:\n" << pe::format_cluster_status(t->after);
  }
  if (!graph_file.empty()) {
    std::ofstream g(graph_file);
    g << pe::graph_to_xml(*t);
    if (!g) { std::cerr << "crm_simulate: cannot write " << graph_file << "\n"; return 1; }
  }
  if (!dot_file.empty()) {
    std::ofstream g(dot_file);
    g << pe::graph_to_dot(*t);
    if (!g) { std::cerr << "crm_simulate: cannot write " << dot_file << "\n"; return 1; }
  }
  return 0;
}
