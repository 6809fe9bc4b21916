// crm_mon: cluster status at a glance, as the peer's crm_mon shows it.
// One-shot (-1), or a display redrawn when the CIB changes (and every
// --interval seconds), or a daemon (-d) rewriting --output-to FILE on every
// change; text, XML, JSON or HTML.
// Live: CIB from cibd, DC and quorum from the controller's status socket.
// With CIB_file: everything from the file (dc-uuid, have-quorum).
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <algorithm>
#include <iostream>
#include <set>
#include <sstream>
#include <vector>
#include <string>

#include <CLI/CLI.hpp>

#include "crm/cib/client.h"
#include "crm/core/clock.h"
#include "crm/core/event_loop.h"
#include "crm/core/xml.h"
#include "crm/fenced/fenced.h"
#include "crm/pengine/pengine.h"
#include "crm/tools/admin.h"
#include "crm/tools/output.h"
#include "crm/tools/status_format.h"

namespace {

using namespace crm;
using namespace crm::tools;

constexpr int kExitDisconnect = 102;  // CRM_EX_DISCONNECT
volatile std::sig_atomic_t g_stop = 0;

void on_signal(int) { g_stop = 1; }

// The fencing sections, as the peer's crm_mon prints them at --fence-history
// LEVEL: 1 (the default) failed and pending actions, 2 also "Fencing History"
// (the most recent of each target/action/result), 3 the whole history. The
// history comes from the local fencer; without one (or with CIB_file) none.
std::string fence_sections(int level, bool as_xml) {
  if (level <= 0) return "";
  SystemClock clock;
  EventLoop loop(clock);
  auto fencer = fenced::FencerClient::connect(loop, "", "crm_mon." + std::to_string(getpid()));
  if (!fencer.ok()) return "";
  auto history = (*fencer)->history("*");
  if (!history.ok()) return "";
  std::vector<fenced::HistoryEntry> entries(history->rbegin(), history->rend());  // newest first
  if (level < 3) {
    std::vector<fenced::HistoryEntry> latest;
    for (const auto& e : entries) {
      bool seen = false;
      for (const auto& l : latest) seen = seen || (l.target == e.target && l.action == e.action && l.state == e.state);
      if (!seen) latest.push_back(e);
    }
    entries = std::move(latest);
  }
  auto pick = [&](auto keep) {
    std::vector<fenced::HistoryEntry> out;
    for (const auto& e : entries) {
      if (keep(e)) out.push_back(e);
    }
    return out;
  };
  auto failed = pick([](const auto& e) { return e.state != "success" && e.state != "pending"; });
  auto pending = pick([](const auto& e) { return e.state == "pending"; });
  if (as_xml) {
    auto doc = xml::new_document("fence_history");
    for (const auto& e : level >= 2 ? entries : failed) fenced::add_history_xml(xml::root(doc), e);
    if (level < 2) {
      for (const auto& e : pending) fenced::add_history_xml(xml::root(doc), e);
    }
    return "  " + xml::to_string(xml::root(doc), false) + "\n";
  }
  std::string o;
  auto section = [&](const char* title, const std::vector<fenced::HistoryEntry>& list) {
    if (list.empty()) return;
    o += std::string("\n") + title + ":\n";
    for (const auto& e : list) o += fenced::history_line(e) + "\n";
  };
  if (level >= 2) {
    section("Fencing History", entries);
  } else {
    section("Failed Fencing Actions", failed);
    section("Pending Fencing Actions", pending);
  }
  return o;
}

// The sections --include/--exclude leave, applied in command-line order to
// the defaults (and what -A, -f, -o, -m ask for), as the peer's.
Result<std::set<std::string>> section_set(int argc, char** argv, const MonOptions& opt) {
  static const std::vector<std::string> kAll = {"stack", "dc", "times", "counts", "maint-mode", "nodes", "resources",
                                                "attributes", "failcounts", "operations", "failures",
                                                "fencing-failed", "fencing-pending", "fencing-succeeded", "tickets"};
  std::set<std::string> on = {"stack", "dc", "times", "counts", "maint-mode", "nodes", "resources", "failures"};
  if (opt.attributes) on.insert("attributes");
  if (opt.failcounts) on.insert("failcounts");
  if (opt.operations) on.insert("operations");
  if (opt.tickets) on.insert("tickets");
  if (opt.fence_history >= 1) on.insert({"fencing-failed", "fencing-pending"});
  if (opt.fence_history >= 2) on.insert("fencing-succeeded");
  auto expand = [](const std::string& name) -> std::vector<std::string> {
    if (name == "summary") return {"stack", "dc", "times", "counts", "maint-mode"};
    if (name == "fencing") return {"fencing-failed", "fencing-pending", "fencing-succeeded"};
    if (name == "all") return kAll;
    if (name == "none") return {};
    return {name};
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], value;
    bool include;
    auto take = [&](const std::string& long_name, const std::string& short_name) {
      if (a == long_name || a == short_name) {
        if (i + 1 < argc) value = argv[++i];
        return true;
      }
      if (a.rfind(long_name + "=", 0) == 0) { value = a.substr(long_name.size() + 1); return true; }
      if (a.rfind(short_name, 0) == 0 && a.size() > short_name.size()) { value = a.substr(short_name.size()); return true; }
      return false;
    };
    if (take("--include", "-I")) include = true;
    else if (take("--exclude", "-U")) include = false;
    else continue;
    std::stringstream names(value);
    std::string name;
    while (std::getline(names, name, ',')) {
      if (name.empty()) continue;
      if (name == "none" && include) { on.clear(); continue; }
      if (name != "summary" && name != "fencing" && name != "all" && name != "none" &&
          std::find(kAll.begin(), kAll.end(), name) == kAll.end())
        return invalid_argument(std::string("--") + (include ? "include" : "exclude") + ": unknown section '" + name + "'");
      for (const auto& s : expand(name)) {
        if (include) on.insert(s);
        else on.erase(s);
      }
      if (name == "none" && !include) continue;
    }
  }
  return on;
}

// One display; returns the exit status (simple mode: 0 ok, 1 warn, 2 crit).
int show_once(cib::CibClient& client, const MonOptions& opt, bool simple, std::string* out) {
  auto info = load_cluster_info(client);
  if (!info.ok()) {
    *out = "crm_mon: Error: cannot read the CIB: " + info.status().message() + "\n";
    return info.status().exit_code();
  }
  std::time_t now = std::time(nullptr);
  auto st = pengine::read_cluster_status(info->cib.doc(), now);
  if (!st.ok()) {
    *out = "crm_mon: Error: cannot read the cluster status: " + st.status().message() + "\n";
    return st.status().exit_code();
  }
  if (simple) {
    int rc = 0;
    *out = format_simple(*info, *st, &rc);
    return rc;
  }
  *out = opt.xml ? format_xml(*info, *st, opt, now) : format_text(*info, *st, opt, now);
  if (!client.is_file()) {
    std::string fencing = fence_sections(opt.fence_history, opt.xml);
    size_t end = out->rfind("</pacemaker-result>");
    if (opt.xml && end != std::string::npos) out->insert(end, fencing);
    else if (!opt.xml) *out += fencing;
  }
  // The peer's order: tickets after the fencing sections.
  if (shows_section(opt, "tickets")) {
    size_t end = out->rfind(opt.xml ? "  <status code=" : "</pacemaker-result>");
    if (opt.xml && end != std::string::npos) out->insert(end, tickets_xml(*st));
    else if (!opt.xml) *out += tickets_text(*st);
  }
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app{"crm_mon - display the cluster's state"};
  app.set_version_flag("-$,--version", "crm crm_mon 0.1");
  MonOptions opt;
  bool one_shot = false, simple = false;
  std::string output_as = "text";
  int interval = 5;
  app.add_flag("-1,--one-shot", one_shot, "Display the cluster status once and exit");
  app.add_flag("-r,--inactive", opt.inactive, "Display inactive resources");
  app.add_flag("-f,--failcounts", opt.failcounts, "Display resource fail counts (migration summary)");
  app.add_flag("-A,--show-node-attributes", opt.attributes, "Display node attributes");
  app.add_flag("-c,--tickets", opt.tickets, "Display cluster tickets");
  app.add_flag("-n,--group-by-node", opt.group_by_node, "Group resources by node");
  std::vector<std::string> includes, excludes;  // read again from argv below, in their order
  app.add_option("-I,--include", includes,
                 "Sections to show (comma-separated): stack, dc, times, counts, maint-mode, summary (those five), "
                 "nodes, resources, attributes, failcounts, operations, failures, fencing, fencing-failed, "
                 "fencing-pending, fencing-succeeded, all, none");
  app.add_option("-U,--exclude", excludes, "Sections to leave out (as --include)");
  app.add_flag("-o,--operations", opt.operations, "Display each node's resource operation history");
  app.add_flag("-t,--timing-details", opt.timing, "With -o: each operation's times and result");
  app.add_flag("-s,--simple-status", simple, "One line of status for monitoring scripts");
  auto* fence_opt = app.add_option("-m,--fence-history", opt.fence_history,
                                   "Fence history: 0 off, 1 failed and pending (default), 2 also successes "
                                   "(without a value), 3 the whole history")
                        ->expected(0, 1)
                        ->check(CLI::Range(0, 3));
  std::string output_to;
  app.add_option("--output-as", output_as, "Output format: text (default), xml, json or html (docs/tools.md)");
  app.add_option("--output-to", output_to, "Write the output to this file instead of stdout");
  app.add_option("-i,--interval", interval, "Seconds between refreshes at most (default 5); a CIB change redraws at once")
      ->check(CLI::Range(1, 3600));
  bool daemonize = false;
  std::string pid_file;
  app.add_flag("-d,--daemonize", daemonize, "Run in the background, rewriting --output-to FILE on every change");
  app.add_option("-p,--pid-file", pid_file, "With --daemonize: write the daemon's PID here");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  if (fence_opt->count() && fence_opt->results().empty()) opt.fence_history = 2;
  auto format = parse_output_format(output_as);
  if (!format.ok()) {
    std::fprintf(stderr, "crm_mon: %s\n", format.status().message().c_str());
    return kExitUsage;
  }
  opt.xml = *format != OutputFormat::kText;  // json and html are the XML tree written another way
  if (!includes.empty() || !excludes.empty()) {
    auto sections = section_set(argc, argv, opt);
    if (!sections.ok()) {
      std::fprintf(stderr, "crm_mon: %s\n", sections.status().message().c_str());
      return kExitUsage;
    }
    opt.sections = std::move(*sections);
    opt.attributes = opt.sections.count("attributes") > 0;
    opt.failcounts = opt.sections.count("failcounts") > 0;
    opt.operations = opt.sections.count("operations") > 0;
    bool failed = opt.sections.count("fencing-failed"), pending = opt.sections.count("fencing-pending"),
         worked = opt.sections.count("fencing-succeeded");
    opt.fence_history = worked ? std::max(opt.fence_history, 2) : (failed || pending) ? 1 : 0;
  }
  opt.request = "crm_mon";
  for (int i = 1; i < argc; ++i) opt.request += std::string(" ") + argv[i];
  if (!daemonize && (opt.xml || simple || !output_to.empty())) one_shot = true;

  auto client = cib::connect();
  if (!client.ok()) {
    std::fprintf(stderr, "crm_mon: Error: cluster is not available on this node (%s)\n",
                 client.status().message().c_str());
    return kExitDisconnect;
  }
  if (one_shot) {
    std::string out;
    int rc = show_once(**client, opt, simple, &out);
    if (rc != 0 && !simple) {
      std::fputs(out.c_str(), stderr);
      return rc;
    }
    if (!simple) {
      auto rendered = render_output(*format, out, "Cluster status");
      if (!rendered.ok()) {
        std::fprintf(stderr, "crm_mon: %s\n", rendered.status().message().c_str());
        return rendered.status().exit_code();
      }
      out = std::move(*rendered);
    }
    if (Status s = write_output(output_to, out); !s.ok()) {
      std::fprintf(stderr, "crm_mon: %s\n", s.message().c_str());
      return s.exit_code();
    }
    return rc;
  }
  if (daemonize) {
    // Relative paths would point elsewhere once the daemon has left this directory.
    if (output_to.empty() || output_to == "-") {
      std::fprintf(stderr, "crm_mon: --daemonize needs --output-to=FILE\n");
      return kExitUsage;
    }
    if (output_to.front() != '/') output_to = std::string(std::getenv("PWD") ? std::getenv("PWD") : ".") + "/" + output_to;
    if (!pid_file.empty() && pid_file.front() != '/')
      pid_file = std::string(std::getenv("PWD") ? std::getenv("PWD") : ".") + "/" + pid_file;
    if (daemon(0, 0) != 0) {
      std::perror("crm_mon: daemon");
      return kExitError;
    }
    if (!pid_file.empty()) (void)write_output(pid_file, std::to_string(getpid()) + "\n");
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  // Redrawn when the CIB changes (cibd's notifications), and every
  // --interval seconds in any case (the DC and the fence history are not
  // in the CIB).
  bool subscribed = !(*client)->is_file() && (*client)->subscribe().ok();
  while (!g_stop) {
    std::string out;
    int rc = show_once(**client, opt, false, &out);
    if (!output_to.empty()) {
      if (rc == 0) {
        auto rendered = render_output(*format, out, "Cluster status");
        if (rendered.ok()) out = std::move(*rendered);
      }
      (void)write_output(output_to, out);  // a daemon has no one to tell; the next change retries
    } else {
      std::fputs("\033[H\033[2J", stdout);
      std::fputs(out.c_str(), stdout);
      if (rc != 0) std::fputs("(retrying)\n", stdout);
      std::fflush(stdout);
    }
    bool changed = false;
    for (int i = 0; i < interval * 10 && !g_stop && !changed; ++i) {
      if (!subscribed) {
        usleep(100000);
        continue;
      }
      struct pollfd p{(*client)->fd(), POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        auto n = (*client)->read_notifications();
        changed = n.ok() && !n->empty();
        if (!n.ok()) subscribed = false;  // cibd went away: reconnect below
      }
    }
    if (changed) usleep(100000);  // a burst of changes (a transition's results): one redraw
    if ((rc != 0 || !subscribed) && !(*client)->is_file()) {
      auto again = cib::connect();
      if (again.ok()) {
        client = std::move(again);
        subscribed = (*client)->subscribe().ok();
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
