// cpg_probe: a small CPG + quorum client built on crm_cluster, for the lab's
// end-to-end tests and benchmarks. It joins a group, prints every membership
// change, delivered message and quorum change as one line with a wall-clock
// timestamp, and sends messages when told to.
//
//   cpg_probe -g GROUP [-q] [-w MEMBERS] [-n COUNT] [-i INTERVAL_MS] [-s SIZE]
//             [-e EXPECT] [-t SECONDS] [-c FIFO] [-b]
//
//   -q          also watch quorum (QUORUM lines)
//   -w MEMBERS  start sending only once the group has this many member nodes
//   -n COUNT    send COUNT messages (every INTERVAL_MS, default 0 = back to back)
//   -s SIZE     payload size in bytes (default: just the tag)
//   -e EXPECT   exit 0 once EXPECT messages were delivered (and all were sent)
//   -t SECONDS  give up after SECONDS (exit 4); default: run until killed
//   -c FIFO     read commands from FIFO: "send [SIZE]", "burst N [SIZE]", "quit"
//   -b          send the second half of COUNT only after a message from every
//               other member was delivered: when every sender does this, the
//               agreed order cannot be one block per sender, whatever the timing
//
// Output (stdout, line-buffered), first field = epoch seconds:
//   1700000000.123456 READY node=1 group=g
//   ... CONFCHG members=1,2,3 joined=3 left=
//   ... DELIVER from=2 len=1000 fnv=0123456789abcdef tag=n2-17
//   ... SENT len=1000 fnv=... tag=n1-4
//   ... QUORUM quorate=1 members=1,2,3
//   ... LOST <reason>                          (exit 3)
// Each payload starts with its tag "n<node>-<seq>|" followed by filler that
// depends on the tag, so a receiver can tell a corrupted payload: fnv is the
// 64-bit FNV-1a hash of the whole payload, and CORRUPT is printed instead of
// DELIVER when the filler does not match.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "crm/cluster/cluster.h"
#include "crm/core/clock.h"
#include "crm/core/event_loop.h"

namespace {

using crm::cluster::NodeId;

double wall_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void out(const std::string& line) {
  std::printf("%.6f %s\n", wall_seconds(), line.c_str());
  std::fflush(stdout);
}

std::string join_ids(const std::vector<NodeId>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

// Filler byte i of a payload with tag hash h: cheap, position- and tag-dependent.
char filler(uint64_t h, size_t i) { return static_cast<char>('a' + ((h >> (i % 29)) + i * 7) % 26); }

std::string make_payload(const std::string& tag, size_t size) {
  std::string p = tag + "|";
  const uint64_t h = fnv1a(tag);
  const size_t start = p.size();
  if (size > start) {
    p.resize(size);
    for (size_t i = start; i < size; ++i) p[i] = filler(h, i);
  }
  return p;
}

bool payload_intact(std::string_view p) {
  auto bar = p.find('|');
  if (bar == std::string_view::npos) return false;
  const uint64_t h = fnv1a(p.substr(0, bar));
  for (size_t i = bar + 1; i < p.size(); ++i) {
    if (p[i] != filler(h, i)) return false;
  }
  return true;
}

struct Options {
  std::string group = "probe";
  bool quorum = false;
  size_t wait_members = 0;
  long count = 0;
  long interval_ms = 0;
  size_t size = 0;
  long expect = -1;
  long timeout_s = 0;
  std::string fifo;
  bool halfway_barrier = false;
};

void usage() {
  std::fprintf(stderr,
               "usage: cpg_probe -g GROUP [-q] [-w MEMBERS] [-n COUNT] [-i INTERVAL_MS] [-s SIZE] [-e EXPECT]\n"
               "                 [-t SECONDS] [-c FIFO] [-b]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  int c;
  while ((c = getopt(argc, argv, "g:qw:n:i:s:e:t:c:bh")) != -1) {
    switch (c) {
      case 'g': o.group = optarg; break;
      case 'q': o.quorum = true; break;
      case 'w': o.wait_members = std::strtoul(optarg, nullptr, 10); break;
      case 'n': o.count = std::strtol(optarg, nullptr, 10); break;
      case 'i': o.interval_ms = std::strtol(optarg, nullptr, 10); break;
      case 's': o.size = std::strtoul(optarg, nullptr, 10); break;
      case 'e': o.expect = std::strtol(optarg, nullptr, 10); break;
      case 't': o.timeout_s = std::strtol(optarg, nullptr, 10); break;
      case 'c': o.fifo = optarg; break;
      case 'b': o.halfway_barrier = true; break;
      default: usage();
    }
  }

  crm::SystemClock clock;
  crm::EventLoop loop(clock);
  int exit_code = 0;

  auto group = crm::cluster::join_cpg_group(loop, o.group);
  if (!group.ok()) {
    out("ERROR " + group.status().to_string());
    return 1;
  }
  auto& g = **group;
  const NodeId me = g.local_node();
  const std::string me_s = "n" + std::to_string(me);

  long sent = 0;
  long delivered = 0;
  long seq = 0;
  bool sending_started = false;
  std::vector<NodeId> members;         // the group as of the last membership change
  std::vector<NodeId> heard_from;      // senders of delivered messages
  bool waiting_at_barrier = false;
  auto heard_from_all_others = [&] {
    for (NodeId n : members) {
      if (n != me && std::find(heard_from.begin(), heard_from.end(), n) == heard_from.end()) return false;
    }
    return true;
  };

  auto send_one = [&](size_t size) {
    const std::string tag = me_s + "-" + std::to_string(++seq);
    std::string p = make_payload(tag, size);
    crm::Status st = g.send(p);
    if (!st.ok()) {
      out("SEND_ERROR " + st.to_string());
      return;
    }
    ++sent;
    out("SENT len=" + std::to_string(p.size()) + " fnv=" + hex(fnv1a(p)) + " tag=" + tag);
  };
  auto maybe_done = [&] {
    if (o.expect >= 0 && delivered >= o.expect && sent >= o.count) loop.stop();
  };

  std::function<void()> send_next = [&] {
    if (sent >= o.count) {
      maybe_done();
      return;
    }
    send_one(o.size);
    if (o.halfway_barrier && sent == o.count / 2 && !heard_from_all_others()) {
      waiting_at_barrier = true;  // resumed by on_message
      return;
    }
    if (o.interval_ms > 0) {
      loop.add_timer(std::chrono::milliseconds(o.interval_ms), send_next);
    } else {
      loop.post(send_next);
    }
  };
  auto start_sending = [&] {
    if (sending_started || o.count <= 0) return;
    sending_started = true;
    send_next();
  };

  g.on_membership = [&](const crm::cluster::MembershipChange& ch) {
    members = ch.members;
    out("CONFCHG members=" + join_ids(ch.members) + " joined=" + join_ids(ch.joined) + " left=" + join_ids(ch.left));
    if (ch.members.size() >= o.wait_members) start_sending();
    if (waiting_at_barrier && heard_from_all_others()) {  // the missing sender left
      waiting_at_barrier = false;
      loop.post(send_next);
    }
  };
  g.on_message = [&](NodeId from, std::string_view p) {
    ++delivered;
    const auto bar = p.find('|');
    const std::string tag(p.substr(0, bar == std::string_view::npos ? std::min<size_t>(p.size(), 32) : bar));
    out(std::string(payload_intact(p) ? "DELIVER" : "CORRUPT") + " from=" + std::to_string(from) +
        " len=" + std::to_string(p.size()) + " fnv=" + hex(fnv1a(p)) + " tag=" + tag);
    if (std::find(heard_from.begin(), heard_from.end(), from) == heard_from.end()) heard_from.push_back(from);
    if (waiting_at_barrier && heard_from_all_others()) {
      waiting_at_barrier = false;
      loop.post(send_next);
    }
    maybe_done();
  };
  g.on_lost = [&](const crm::Status& why) {
    out("LOST " + why.to_string());
    exit_code = 3;
    loop.stop();
  };

  std::unique_ptr<crm::cluster::QuorumSource> quorum;
  if (o.quorum) {
    auto q = crm::cluster::watch_quorum(loop);
    if (!q.ok()) {
      out("ERROR " + q.status().to_string());
      return 1;
    }
    quorum = std::move(q).value();
    out(std::string("QUORUM quorate=") + (quorum->quorate() ? "1" : "0") + " members=" + join_ids(quorum->members()) +
        " initial");
    quorum->on_change = [&](bool quorate) {
      out(std::string("QUORUM quorate=") + (quorate ? "1" : "0") + " members=" + join_ids(quorum->members()));
    };
    quorum->on_lost = [&](const crm::Status& why) { out("QUORUM_LOST " + why.to_string()); };
  }

  int fifo_fd = -1;
  std::string fifo_buf;
  if (!o.fifo.empty()) {
    if (access(o.fifo.c_str(), F_OK) != 0) mkfifo(o.fifo.c_str(), 0600);
    fifo_fd = open(o.fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);  // O_RDWR: never sees EOF
    if (fifo_fd < 0) {
      out("ERROR cannot open " + o.fifo + ": " + std::strerror(errno));
      return 1;
    }
    loop.watch_fd(fifo_fd, [&] {
      char buf[4096];
      ssize_t n;
      while ((n = read(fifo_fd, buf, sizeof buf)) > 0) fifo_buf.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = fifo_buf.find('\n')) != std::string::npos) {
        std::istringstream line(fifo_buf.substr(0, nl));
        fifo_buf.erase(0, nl + 1);
        std::string cmd;
        line >> cmd;
        if (cmd == "send") {
          size_t size = o.size;
          line >> size;
          send_one(size);
        } else if (cmd == "burst") {
          long n_msgs = 1;
          size_t size = o.size;
          line >> n_msgs >> size;
          for (long i = 0; i < n_msgs; ++i) send_one(size);
        } else if (cmd == "quit") {
          loop.stop();
        } else if (!cmd.empty()) {
          out("UNKNOWN_COMMAND " + cmd);
        }
      }
    });
  }

  (void)loop.watch_signal(SIGTERM, [&] { loop.stop(); });
  (void)loop.watch_signal(SIGINT, [&] { loop.stop(); });
  if (o.timeout_s > 0) {
    loop.add_timer(std::chrono::seconds(o.timeout_s), [&] {
      out("TIMEOUT delivered=" + std::to_string(delivered) + " sent=" + std::to_string(sent));
      exit_code = 4;
      loop.stop();
    });
  }
  out("READY node=" + std::to_string(me) + " group=" + o.group + " name=" + crm::cluster::local_node_name());
  if (o.wait_members == 0) start_sending();

  crm::Status st = loop.run();
  if (!st.ok()) {
    out("ERROR " + st.to_string());
    return 1;
  }
  out("EXIT delivered=" + std::to_string(delivered) + " sent=" + std::to_string(sent) +
      " queued=" + std::to_string(g.queued()));
  if (fifo_fd >= 0) close(fifo_fd);
  return exit_code;
}
