// crm_simulate: run the policy engine on a CIB and show the transition.
//
//   crm_simulate -x cib.xml -S              # status, summary, simulated run, result
//   crm_simulate -x cib.xml -s -G g.xml -Q  # scores and the graph only
//   crm_simulate -L -f node2 -S             # what if node2 failed (CIB_file or cibd)
//   crm_simulate -x cib.xml -S -F rsc1_start_0@node2=1 -O after.xml   # a start fails
//   crm_simulate -sUL                       # scores and utilization of the live CIB (crmsh)
//
// -V (repeatable) and the hidden -j/--pending are accepted as the peer's.
//
// Exit codes follow crm::Status::exit_code(): bad options or OPSPECs give
// invalid-argument, an unknown node or resource not-found, an unreadable CIB
// its parse error, a CIB the engine refuses its config-invalid.
#include <CLI/CLI.hpp>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

#include "crm/cib/client.h"
#include "crm/core/clock.h"
#include "crm/core/xml.h"
#include "crm/tengine/graph.h"
#include "crm/pengine/pengine.h"
#include "parse_arena.h"
#include "simulate.h"

namespace {

using crm::Status;
namespace xml = crm::xml;
namespace pe = crm::pengine;
namespace sim = crm::simulate;

int fail(const Status& st) {
  std::cerr << "crm_simulate: " << st.message() << "\n";
  return st.exit_code() ? st.exit_code() : 1;
}

// Reads a CIB file; the parse's allocations go to a region advised for huge
// pages (parse_arena.h), sized from the file.
crm::Result<xml::DocPtr> read_cib_file(const std::string& path) {
  struct stat st{};
  std::optional<crm::simulate::ParseArena> arena;
  if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) arena.emplace(static_cast<size_t>(st.st_size));
  return xml::parse_file(path);
}

// -L: CIB_file if set, else the cib daemon.
crm::Result<xml::DocPtr> live_cib() {
  if (const auto source = crm::cib::source_from_env(); source.is_file()) return read_cib_file(source.path);
  auto client = crm::cib::connect();
  if (!client.ok()) return crm::unavailable("-L: cannot reach the CIB (" + client.status().message() + ")");
  auto text = (*client)->query();
  if (!text.ok()) return crm::unavailable("-L: CIB query failed: " + text.status().message());
  return xml::parse(*text, "live CIB");
}

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.close();
  if (!f) return crm::io_error("cannot write " + path);
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crm_simulate: show what the policy engine would do with a CIB"};
  std::string xml_file, xml_text, graph_file, dot_file, date, save_input, save_output, quorum;
  bool live = false, pipe = false, simulate = false, in_place = false, scores = false, quiet = false, run = false;
  bool utilization = false, pending = false;
  int verbose = 0;
  sim::Injections inj;
  std::vector<std::string> opfail;
  app.add_option("-x,--xml-file", xml_file, "Retrieve XML from the named file");
  app.add_option("--xml-text", xml_text, "CIB as text");
  app.add_flag("-p,--xml-pipe", pipe, "Retrieve XML from stdin");
  app.add_flag("-L,--live-check", live, "Use the current CIB (CIB_file, else the cib daemon)");
  app.add_flag("-R,--run", run, "Show what actions the cluster will take");
  app.add_flag("-S,--simulate", simulate, "Like --run, but also simulate taking those actions and show the new status");
  app.add_flag("-X,--in-place", in_place, "Like --simulate, and store the result back to the input file");
  app.add_flag("-s,--show-scores", scores, "Show allocation scores");
  app.add_flag("-U,--show-utilization", utilization, "Show utilization information");
  app.add_flag("-Q,--quiet", quiet, "Display only essential output");
  app.add_flag("-V,--verbose", verbose, "Increase debug output (may be specified multiple times)");
  // The peer keeps -j hidden (crmsh's `crm verify` passes it): accepted, no effect.
  app.add_flag("-j,--pending", pending, "Display pending state if 'record-pending' is enabled")->group("");
  app.add_option("-G,--save-graph", graph_file, "Save the transition graph (XML) to the named file");
  app.add_option("-D,--save-dotfile", dot_file, "Save the transition graph (DOT) to the named file");
  bool fingerprint = false;
  app.add_flag("--graph-fingerprint", fingerprint,
               "Print the transition graph's fingerprint (what it does, whatever its ids), to compare a replay of a "
               "kept scheduler input with the fingerprint the DC logged for it");
  app.add_option("-I,--save-input", save_input, "Save the input CIB (after injections) to the named file");
  app.add_option("-O,--save-output", save_output, "Save the resulting CIB (after simulation) to the named file");
  app.add_option("-t,--set-datetime", date, "Time to use as 'now' (ISO 8601)");
  app.add_option("-u,--node-up", inj.node_up, "Simulate bringing a node online");
  app.add_option("-d,--node-down", inj.node_down, "Simulate taking a node offline");
  app.add_option("-f,--node-fail", inj.node_fail, "Simulate a node failing");
  app.add_option("-i,--op-inject", inj.op_inject, "Inject an operation result: ${rsc}_${task}_${interval_ms}@${node}=${rc}");
  app.add_option("-F,--op-fail", opfail, "Have this action fail during the simulation (same OPSPEC); the run stops there");
  app.add_option("-q,--quorum", quorum, "Set to '1' (or 'true') for a cluster with quorum, '0' without");
  CLI11_PARSE(app, argc, argv);
  if (in_place) simulate = true;
  if (in_place && xml_file.empty()) return fail(crm::invalid_argument("-X/--in-place needs -x FILE"));

  std::vector<sim::OpSpec> failures;
  for (const auto& s : opfail) {
    auto spec = sim::parse_op_spec(s);
    if (!spec.ok()) return fail(spec.status());
    failures.push_back(*spec);
  }
  if (!quorum.empty()) {
    if (quorum == "1" || quorum == "true" || quorum == "yes") inj.quorum = true;
    else if (quorum == "0" || quorum == "false" || quorum == "no") inj.quorum = false;
    else return fail(crm::invalid_argument("-q/--quorum: want 1/true or 0/false, not '" + quorum + "'"));
  }

  crm::Result<xml::DocPtr> doc = crm::invalid_argument("no input: use -x FILE, -p, --xml-text or -L");
  if (!xml_text.empty()) doc = xml::parse(xml_text, "--xml-text");
  else if (!xml_file.empty()) doc = read_cib_file(xml_file);
  else if (pipe) doc = xml::parse_file("-");
  else if (live) doc = live_cib();
  if (!doc.ok()) return fail(doc.status());
  xmlDoc* d = doc->get();
  if (!xml::is(xml::root(d), "cib")) return fail(crm::invalid_argument("input is not a CIB (root element is not <cib>)"));

  crm::SystemClock clock;
  std::time_t now = clock.wall_now();
  bool original_date = false;
  if (auto ed = xml::attr(xml::root(d), "execution-date")) {
    now = std::atol(ed->c_str());
    original_date = true;
  }
  if (!date.empty()) {
    auto t = pe::parse_date(date);
    if (!t.ok()) return fail(t.status());
    now = *t;
    original_date = false;
  }

  bool show_status = (simulate || run) && !quiet;
  bool injecting = !inj.node_up.empty() || !inj.node_down.empty() || !inj.node_fail.empty() ||
                   !inj.op_inject.empty() || inj.quorum.has_value();
  // The status shown first is the input's, before any injection.
  std::optional<pe::ClusterStatus> before;
  std::vector<std::string> modifications;
  if (injecting) {
    if (show_status) {
      auto b = pe::read_cluster_status(d, now);
      if (!b.ok()) return fail(b.status());
      before = std::move(*b);
    }
    auto m = sim::apply_injections(d, inj, now);
    if (!m.ok()) return fail(m.status());
    modifications = std::move(*m);
  }
  if (!save_input.empty()) {
    Status st = write_file(save_input, xml::to_string(d));
    if (!st.ok()) return fail(st);
  }

  pe::ScheduleOptions opts;
  opts.want_scores = scores;
  opts.want_utilization = utilization;
  // As the peer: an input read with -x is taken as sanitized (secrets masked), so a
  // matching op-secure-digest means only secret parameters differ.
  opts.sanitized = !xml_file.empty();
  opts.skip_teardown = true;  // the process ends with _Exit below
  auto t = pe::schedule(d, now, opts);
  if (!t.ok()) return fail(t.status());
  for (const auto& w : t->warnings) std::cerr << "crm_simulate: warning: " << w << "\n";

  std::string out;
  if (original_date && (simulate || run)) {
    char buf[64];
    struct tm tm{};
    gmtime_r(&now, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
    out += std::string("Using the original execution date of: ") + buf + "\n";
  }
  if (show_status) {
    // The peer's header lines before the status: maintenance mode, and the
    // resource instances kept stopped or blocked.
    const pe::ClusterStatus& current = before ? *before : t->before;
    bool printed = false;
    if (current.maintenance_mode) {
      out += "\n              *** Resource management is DISABLED ***\n"
             "  The cluster will not attempt to start, stop or recover services\n";
      printed = true;
    }
    if (current.disabled || current.blocked) {
      if (printed) out += "\n";
      out += std::to_string(current.disabled) + " of " + std::to_string(current.instances) +
             " resource instances DISABLED and " + std::to_string(current.blocked) +
             " BLOCKED from further action due to failure\n";
      printed = true;
    }
    if (printed) out += "\n";
    out += "Current cluster status:\n" + pe::format_cluster_status(current) + "\n";
  }
  if (!modifications.empty() && !quiet) {
    out += "Performing Requested Modifications:\n";
    for (const auto& l : modifications) out += "  * " + l + "\n";
    out += "\n";
  }
  if (scores || utilization) {
    if (show_status) {
      out += scores && utilization ? "Allocation Scores and Utilization Information:\n"
             : scores              ? "Allocation scores:\n"
                                   : "Utilization Information:\n";
    }
    if (scores) {
      for (const auto& l : pe::format_scores(*t)) out += l + "\n";
    }
    for (const auto& l : t->utilization) out += l + "\n";
  }
  if (simulate || run) out += pe::format_transition_summary(*t);
  bool need_run = simulate || !save_output.empty();
  sim::Execution ex;
  if (need_run) {
    auto e = sim::execute(d, *t, failures, now);
    if (!e.ok()) return fail(e.status());
    ex = std::move(*e);
  }
  if (simulate) {
    out += "\nExecuting Cluster Transition:\n";
    for (const auto& l : ex.lines) out += l + "\n";
    if (ex.failed) {
      // The engine's expected result no longer holds: read what the run left.
      auto after = pe::read_cluster_status(d, now);
      if (!after.ok()) return fail(after.status());
      out += "\nRevised Cluster Status:\n" + pe::format_cluster_status(*after);
    } else {
      out += "\nRevised Cluster Status:\n" + pe::format_cluster_status(t->after);
    }
  }
  if (fingerprint) {
    auto g = crm::tengine::Graph::from(*t);
    if (!g.ok()) return fail(g.status());
    out += "Transition graph fingerprint: " + g->fingerprint() + " (" + std::to_string(g->actions.size()) + " actions)\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!graph_file.empty()) {
    Status st = write_file(graph_file, pe::graph_to_xml(*t));
    if (!st.ok()) return fail(st);
  }
  if (!dot_file.empty()) {
    Status st = write_file(dot_file, pe::graph_to_dot(*t));
    if (!st.ok()) return fail(st);
  }
  if (!save_output.empty()) {
    Status st = write_file(save_output, xml::to_string(d));
    if (!st.ok()) return fail(st);
  }
  if (in_place) {
    Status st = write_file(xml_file, xml::to_string(d));
    if (!st.ok()) return fail(st);
  }
  std::fflush(stdout);
  // Big CIBs take a noticeable time to free; the process is ending anyway.
  std::_Exit(0);
}
