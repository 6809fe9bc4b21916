// crmd: the controller daemon. Glue only: corosync group + quorum, the local
// executor (lrmd), the CIB daemon, timers and signals feed Controller::step,
// and its outputs go out without waiting: messages on the "crm_crmd" group,
// CIB writes to DaemonCib's worker, executor requests as asynchronous lrmd
// requests. See docs/crmd.md.
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ctime>
#include <memory>
#include <string>
#include <thread>

#include "crm/core/cluster_options.h"
#include "crm/cluster/cluster.h"
#include "crm/core/event_loop.h"
#include "crm/core/ipc.h"
#include "crm/core/xml.h"
#include "crm/crmd/controller.h"
#include "input_archive.h"
#include "crm/fenced/fenced.h"
#include "crm/lrmd/lrmd.h"
#include "crm/core/log.h"
#include "daemon_cib.h"

namespace {

using namespace crm;

// One line to the log (core/log.h: wall clock with milliseconds and epoch
// seconds, so failover timings can be read from the logs); the identity
// "crmd[NODE]" is set once the node's name is known.
void log_line(const std::string& line) { crm::log::line(line); }

void usage() {
  fprintf(stderr,
          "usage: crmd [--log-file PATH] [--join-timeout MS]\n"
          "The cluster controller; started by crm-launcherd after cibd and lrmd.\n");
}

template <typename T, typename F>
Result<T> retry(const char* what, F f) {
  for (int i = 0;; ++i) {
    auto r = f();
    if (r.ok() || i >= 300) return r;
    if (i == 0) log_line(std::string("waiting for ") + what + ": " + r.status().to_string());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// $CRM_STATE_DIR, else /var/lib/crm (the CIB store's parent, cib/store.h).
std::string state_dir() {
  const char* env = std::getenv("CRM_STATE_DIR");
  return env && *env ? env : "/var/lib/crm";
}

}  // namespace

int main(int argc, char** argv) {
  // `crmd metadata` / `crmd version`: the peer's pacemaker-controld answers, without starting
  // (crmsh runs `crmd version` when pacemaker-controld is not on PATH).
  if (answer_metadata_or_version(kController, argc, argv)) return 0;
  std::string log_path;
  long join_timeout_ms = 5000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--log-file" && i + 1 < argc) log_path = argv[++i];
    else if (a == "--join-timeout" && i + 1 < argc) join_timeout_ms = atol(argv[++i]);
    else if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  if (!log_path.empty()) crm::log::set_file(log_path);
  signal(SIGPIPE, SIG_IGN);

  SystemClock clock;
  EventLoop loop(clock);
  std::string name = cluster::local_node_name();
  crm::log::set_identity("crmd[" + name + "]");

  auto group = retry<std::unique_ptr<cluster::GroupTransport>>("corosync (crm_crmd group)",
                                                              [&] { return cluster::join_cpg_group(loop, "crm_crmd"); });
  if (!group.ok()) {
    log_line("cannot join the crm_crmd group: " + group.status().to_string());
    return 1;
  }
  auto quorum = cluster::watch_quorum(loop);
  if (!quorum.ok()) {
    log_line("cannot watch quorum: " + quorum.status().to_string());
    return 1;
  }
  cluster::NodeId self = (*group)->local_node();

  lrmd::LrmdClient lrmd(loop);
  {
    auto connected = retry<int>("the executor (lrmd)", [&]() -> Result<int> {
      Status s = lrmd.connect();
      if (!s.ok()) return s;
      return 0;
    });
    if (!connected.ok()) {
      log_line("cannot connect to lrmd: " + connected.status().to_string());
      return 1;
    }
  }
  auto cibacc = retry<std::unique_ptr<crmd::DaemonCib>>("the CIB daemon",
                                                        [&] { return crmd::DaemonCib::connect(loop); });
  if (!cibacc.ok()) {
    log_line("cannot connect to cibd: " + cibacc.status().to_string());
    return 1;
  }

  // The local fencer. Without it (not configured in the launcher) fencing
  // requests fail, so nothing a lost node ran is recovered while fencing is on.
  std::unique_ptr<fenced::FencerClient> fencer;
  const std::time_t started_at = clock.wall_now();
  for (int i = 0; i < 50 && !fencer; ++i) {
    auto c = fenced::FencerClient::connect(loop, "", "crmd." + std::to_string(getpid()));
    if (c.ok()) fencer = std::move(c).value();
    else if (i == 0) log_line("waiting for the fencer (fenced): " + c.status().to_string());
    else std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!fencer) log_line("no fencer (fenced): fencing requests will fail");

  // The policy engine's warnings (e.g. fencing enabled without a fencing
  // device) are logged when they change, not on every transition. Every
  // input is kept (crmd/src/input_archive.h), logged with the fingerprint of
  // the graph it gave, so that a replay can be checked against it
  // (crm_simulate -x FILE --graph-fingerprint).
  auto last_warnings = std::make_shared<std::vector<std::string>>();
  auto archive = std::make_shared<crmd::InputArchive>(state_dir() + "/pengine",
                                                      log_line);
  crmd::Scheduler scheduler = crmd::policy_engine(
      [last_warnings, archive](const cib::Cib& cib, std::time_t now, const Result<tengine::Graph>& graph,
                                     const std::vector<std::string>& warnings) {
        if (warnings != *last_warnings) {
          for (const std::string& w : warnings) log_line("policy engine: warning: " + w);
          *last_warnings = warnings;
        }
        using Series = crmd::InputArchive::Series;
        const Series series = !graph.ok() ? Series::kError : !warnings.empty() ? Series::kWarn : Series::kInput;
        auto kept = archive->keep(cib, now, series);
        if (kept.path.empty()) return;
        std::string what = graph.ok() ? "graph fingerprint " + graph->fingerprint() + ", " +
                                            std::to_string(graph->actions.size()) + " actions"
                                      : "error: " + graph.status().message();
        log_line(std::string(kept.unchanged ? "scheduler input unchanged since " : "scheduler input saved in ") +
                           kept.path + " (" + what + ")");
      });

  // What the executor already knows (a controller respawned beside a running
  // lrmd): read once, before the loop runs.
  crmd::ExecutorHistory history;
  if (auto last = lrmd.last_results(); last.ok()) history.last_results = std::move(last).value();
  else log_line("cannot read the executor's history: " + last.status().to_string());
  if (auto rec = lrmd.recurring_ops(); rec.ok()) history.recurring = std::move(rec).value();

  crmd::ControllerOptions opts;
  opts.join_timeout = std::chrono::milliseconds(join_timeout_ms);
  opts.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto tn = cluster::two_node(); tn.ok() && *tn) {
    opts.two_node = true;
    log_line("corosync runs with two_node: 1");
  }
  crmd::Controller ctl(self, name,
                       {.clock = clock, .scheduler = scheduler,
                        .log = log_line},
                       opts);

  EventLoop::TimerId timer = 0;
  bool exiting = false;
  int exit_code = 0;
  // Tools waiting for a ToolAnswer (crmadmin -S), by token.
  std::unique_ptr<ipc::Server> tool_server;
  std::map<uint64_t, ipc::ClientId> pending_pings;
  uint64_t last_ping_token = 0;
  auto answer_ping = [&](const crmd::ToolAnswer& a) {
    auto it = pending_pings.find(a.token);
    if (it == pending_pings.end() || !tool_server) return;
    auto doc = xml::new_document(a.status.ok() ? "crmd_ping_reply" : "crmd_error");
    xmlNode* r = xml::root(doc);
    xml::set_attr(r, "name", a.name);
    if (a.status.ok()) xml::set_attr(r, "state", a.state);
    else xml::set_attr(r, "message", a.status.message());
    (void)tool_server->send(it->second, xml::to_string(r, false));  // the tool may have gone
    pending_pings.erase(it);
  };
  std::function<void(const crmd::Input&)> feed = [&](const crmd::Input& in) {
    if (exiting) return;
    crmd::Outputs out = ctl.step(in);
    for (const std::string& m : out.messages) {
      Status s = (*group)->send(m);
      if (!s.ok()) log_line("send failed: " + s.to_string());
    }
    for (crmd::CibWrite& w : out.cib_writes) (*cibacc)->submit(std::move(w));
    for (const crmd::ToolAnswer& a : out.tool_answers) answer_ping(a);
    for (const crmd::ExecutorCall& call : out.executor) {
      const lrmd::ExecRequest& req = call.request;
      if (call.kind == crmd::ExecutorCall::Kind::kCancel) {
        lrmd.cancel_async(req.rsc_id, req.action, req.interval_ms, [](Status) {});  // gone already is as good
        continue;
      }
      lrmd.exec_async(req, [&feed, req](Result<int> call_id) {
        if (call_id.ok()) return;
        log_line("executor refused " + req.rsc_id + " " + req.action + ": " + call_id.status().to_string());
        auto refused = lrmd::ExecResult::refused(req, crm::ExecStatus::kError, crm::kOcfErrGeneric, call_id.status());
        feed(crmd::LocalResult{refused});
      });
    }
    for (const crmd::FenceRequest& f : out.fencing) {
      auto answer = [&feed, id = f.id, target = f.target](const Status& st) {
        feed(crmd::FenceResult{id, target, st});
      };
      if (!fencer) {
        loop.post([answer] { answer(unavailable("no fencer (fenced) on this node")); });
        continue;
      }
      Status sent = fencer->fence(
          f.target, f.action, f.timeout, [answer](const fenced::FenceResult& r) { answer(r.status); }, f.delay);
      if (!sent.ok()) loop.post([answer, sent] { answer(sent); });
    }
    if (timer) loop.cancel_timer(timer);
    timer = 0;
    if (auto d = out.deadline) {
      auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*d - clock.monotonic_now());
      if (delay.count() < 0) delay = std::chrono::milliseconds(0);
      timer = loop.add_timer(delay + std::chrono::milliseconds(1), [&] {
        timer = 0;
        feed(crmd::Tick{});
      });
    }
    if (out.exit) {
      exiting = true;
      exit_code = out.exit_code;
      log_line("exiting" + (exit_code ? " with status " + std::to_string(exit_code) : std::string()));
      loop.stop();
    }
  };

  (*group)->on_message = [&](cluster::NodeId from, std::string_view payload) {
    feed(crmd::Message{from, std::string(payload)});
  };
  // corosync's own membership (the quorum view): lets the DC tell a crashed
  // controller (node still in corosync) from a dead node. Checked before
  // every group membership change and every 25 ms (a node's
  // death usually reaches the group a few ms before the quorum view).
  std::vector<cluster::NodeId> corosync_nodes;
  auto check_corosync_nodes = [&] {
    std::vector<cluster::NodeId> now = (*quorum)->members();
    if (now.empty() || now == corosync_nodes) return;
    corosync_nodes = now;
    std::string l;
    for (auto id : now) l += " " + std::to_string(id);
    log_line("corosync members:" + l);
    feed(crmd::ClusterNodes{now});
  };
  std::function<void()> poll_corosync_nodes = [&] {
    check_corosync_nodes();
    loop.add_timer(std::chrono::milliseconds(25), [&] { poll_corosync_nodes(); });
  };
  (*group)->on_membership = [&](const cluster::MembershipChange& c) {
    check_corosync_nodes();
    std::string m;
    for (auto id : c.members) m += " " + std::to_string(id);
    std::string left;
    for (auto id : c.left) left += " " + std::to_string(id);
    log_line("membership:" + m + (left.empty() ? "" : " (left:" + left + ")"));
    feed(crmd::Membership{c.members, c.joined, c.left});
  };
  (*group)->on_lost = [&](const Status& s) {
    log_line("lost corosync: " + s.to_string() + "; exiting to be respawned");
    exit(1);
  };
  (*quorum)->on_change = [&](bool q) { feed(crmd::Quorum{q}); };
  (*quorum)->on_lost = [&](const Status& s) {
    log_line("lost corosync quorum service: " + s.to_string());
    exit(1);
  };
  lrmd.set_result_callback([&](const lrmd::ExecResult& r) {
    log_line("result " + r.summary());
    feed(crmd::LocalResult{r});
  });
  lrmd.on_disconnect = [&] {
    log_line("lost the executor; exiting to be respawned");
    exit(1);
  };
  if (fencer) {
    fencer->on_fence_event = [&](const fenced::HistoryEntry& e) {
      log_line("fencer: " + e.action + " of " + e.target + " " + e.state +
                         (e.delegate.empty() ? "" : " (by " + e.delegate + ")") +
                         (e.exit_reason.empty() ? "" : ": " + e.exit_reason));
      // Only fencings that completed while we run: the fencer also replays
      // its history to a new client, and completion times are whole seconds.
      // Our own fencing (fence-reaction) counts only when it was requested
      // after this controller started: a node rebooted by a fencing starts
      // its controller while the agent still runs, so that fencing completes
      // after our start but was asked for before it. (An entry from a fencer
      // that does not record the request time: 5 s of grace after our start.)
      bool fenced_while_running = e.target != name ? e.completed >= started_at - 1
                                  : e.requested    ? e.requested > started_at
                                                   : e.completed >= started_at + 5;
      if (e.state != "pending" && fenced_while_running) {
        feed(crmd::FenceEvent{.target = e.target, .action = e.action, .succeeded = e.state == "success",
                              .description = fenced::event_description(e), .rc = fenced::event_rc(e)});
      }
    };
    fencer->on_disconnect = [&] {
      log_line("lost the fencer; exiting to be respawned");
      exit(1);
    };
  }
  (*cibacc)->on_snapshot = [&](std::shared_ptr<const cib::Cib> cib, uint32_t replaced_by,
                                std::optional<std::vector<uint32_t>> synced) {
    feed(crmd::CibSnapshot{std::move(cib), replaced_by, std::move(synced)});
  };
  (*cibacc)->on_write_done = [&](uint64_t id, const Status& st) { feed(crmd::CibWriteDone{id, st}); };
  (*cibacc)->on_lost = [&] {
    log_line("lost the CIB daemon; exiting to be respawned");
    exit(1);
  };

  // Status queries from tools (crm_node, crm_mon): <crmd_query/>.
  auto server = ipc::Server::listen(loop, ipc::socket_path("crmd"));
  if (!server.ok()) log_line("cannot listen for tools: " + server.status().to_string());
  else {
    tool_server = std::move(server).value();
    tool_server->on_message = [&](ipc::ClientId id, const ipc::PeerCredentials&, std::string request) {
      // <crmd_ping target="NODE"/>: that node's controller state, answered
      // when the controller's ToolAnswer comes (after a round trip over the
      // group for another node). Anything else: our own status.
      if (auto req = xml::parse(request, "tool request"); req.ok() && xml::is(xml::root(*req), "crmd_ping")) {
        const uint64_t token = ++last_ping_token;
        pending_pings[token] = id;
        // The tool gives up on its own; forget the request well after that.
        loop.add_timer(std::chrono::seconds(120), [&, token] { pending_pings.erase(token); });
        feed(crmd::ToolPing{token, xml::attr_or(xml::root(*req), "target")});
        return;
      }
      auto doc = xml::new_document("crmd_status");
      xmlNode* r = xml::root(doc);
      xml::set_attr(r, "node_id", std::to_string(self));
      xml::set_attr(r, "name", name);
      xml::set_attr(r, "state", crmd::state_name(ctl.state()));
      xml::set_attr(r, "dc", std::to_string(ctl.dc()));
      xml::set_attr(r, "dc_name", ctl.node_name(ctl.dc()));
      xml::set_attr(r, "quorate", (*quorum)->quorate() ? "1" : "0");
      for (auto m : ctl.members()) {
        xmlNode* n = xml::add_child(r, "member");
        xml::set_attr(n, "id", std::to_string(m));
        xml::set_attr(n, "name", ctl.node_name(m));
      }
      Status s = tool_server->send(id, xml::to_string(r, false));
      (void)s;
    };
  }

  Status s1 = loop.watch_signal(SIGTERM, [&] { feed(crmd::ShutdownRequest{}); });
  Status s2 = loop.watch_signal(SIGINT, [&] { feed(crmd::ShutdownRequest{}); });
  (void)s1;
  (void)s2;

  log_line("started as node " + std::to_string(self));
  feed(history);
  feed(crmd::Quorum{(*quorum)->quorate()});
  poll_corosync_nodes();
  Status ran = loop.run();
  if (!ran.ok()) log_line("event loop failed: " + ran.to_string());
  log_line("stopped");
  return exit_code;
}
