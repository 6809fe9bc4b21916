// pengine_bench: our crm_simulate against the peer's (Pacemaker's, when
// installed), as separate processes: wall time, CPU time (user + sys) and
// peak memory (wait4's ru_maxrss of the child), and whether both take the
// same decisions on the large inputs. Prints figures; never asserts on time.
//
//   build/bench/pengine_bench [--sizes 8n-500p-cold,...] [--repeat N]
//       [--no-peer] [--no-suite] [--peer-simulate] [--work DIR]
//       [--ours PATH] [--peer PATH] [--timeout SECONDS]
//
// 1. Suite: every case of shared/scheduler-cases (229) run with `-S`, one
//    process per case; the sums (and the largest peak RSS) per program.
// 2. Large inputs made by shared/scheduler-cases-large/gen_large_cib.py
//    (into --work, default <build>/bench-data/pengine; made once, checked
//    against the README's md5 where it gives one). Timed command, the
//    scheduler only: `-x input.xml -R -G graph.xml` (status, Transition
//    Summary, graph; no simulated execution, which the peer needs minutes
//    for). --repeat N keeps each program's fastest run.
//    Decisions:
//      - summary: the Transition Summary lines of those two runs, compared as
//        sets of "verb resource nodes" (column padding and "due to" reasons
//        ignored; the strict count includes the reasons);
//      - placement: the resource lines of "Revised Cluster Status" of our
//        `-S` against the peer's: its stored summary.txt when the folder of
//        that name in shared/scheduler-cases-large has one for the same input
//        (md5 checked), else the peer's own `-S` run with --peer-simulate
//        (slow: minutes on 2000 resources), else not compared. On cold
//        inputs every resource has a Start line, so the summary already
//        fixes the placement.
#include <openssl/evp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Size {
  std::string name;  // 16n-2000p-running
  std::vector<std::string> args;
  std::string md5;   // from the README, "" when it gives none
};

// The generator's arguments per size (README of shared/scheduler-cases-large).
const std::vector<Size> kSizes = {
    {"8n-500p-cold", {"--nodes", "8", "--primitives", "500", "--groups", "50"}, "b1055dbd43d38faeff2112989894098a"},
    {"8n-500p-running",
     {"--nodes", "8", "--primitives", "500", "--groups", "50", "--state", "running", "--standby", "1", "--fail", "10"},
     "aecc252797126acf0df644e1c4a19735"},
    {"16n-2000p-cold", {"--nodes", "16", "--primitives", "2000", "--groups", "200"}, "3d8a5550aaf00b45aa7201e47f313c0e"},
    {"16n-2000p-running",
     {"--nodes", "16", "--primitives", "2000", "--groups", "200", "--state", "running", "--standby", "1", "--fail",
      "10"},
     "b2340b1824e0a281957f553d5645f82c"},
    {"32n-5000p-cold", {"--nodes", "32", "--primitives", "5000", "--groups", "500"}, "7d3722c531654f93b3d10cf0e6623c77"},
    {"32n-5000p-running",
     {"--nodes", "32", "--primitives", "5000", "--groups", "500", "--state", "running", "--standby", "1", "--fail",
      "10"},
     "e14f526fdf834b0132ad49191d49ae9c"},
};

struct Run {
  bool ok = false;       // exited 0 in time
  bool timed_out = false;
  int exit_code = -1;
  double wall_s = 0;
  double cpu_s = 0;      // user + sys
  long max_rss_kib = 0;
  std::string out;       // stdout
};

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string md5_of(const fs::path& p) {
  std::string data = read_file(p);
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), d, &len, EVP_md5(), nullptr);
  std::string hex;
  char b[3];
  for (unsigned i = 0; i < len; ++i) {
    snprintf(b, sizeof b, "%02x", d[i]);
    hex += b;
  }
  return hex;
}

// Runs argv as a child with stdout to `out_file`, stderr discarded, LC_ALL=C.
Run run(const std::vector<std::string>& argv, const fs::path& out_file, double timeout_s) {
  Run r;
  std::cout.flush();  // else the child's freopen flushes our pending output a second time
  std::fflush(stdout);
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid < 0) return r;
  if (pid == 0) {
    FILE* o = freopen(out_file.c_str(), "w", stdout);
    FILE* e = freopen("/dev/null", "w", stderr);
    (void)o;
    (void)e;
    setenv("LC_ALL", "C", 1);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execv(a[0], a.data());
    _exit(127);
  }
  int status = 0;
  struct rusage ru{};
  while (true) {
    pid_t w = wait4(pid, &status, WNOHANG, &ru);
    if (w == pid) break;
    if (std::chrono::duration<double>(Clock::now() - start).count() > timeout_s) {
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &ru);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  r.cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  r.max_rss_kib = ru.ru_maxrss;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  r.ok = !r.timed_out && r.exit_code == 0;
  r.out = read_file(out_file);
  return r;
}

// Fastest of n runs (peak RSS: the largest seen).
Run best_of(int n, const std::vector<std::string>& argv, const fs::path& out_file, double timeout_s) {
  Run best;
  long rss = 0;
  for (int i = 0; i < n; ++i) {
    Run r = run(argv, out_file, timeout_s);
    rss = std::max(rss, r.max_rss_kib);
    if (i == 0 || (r.ok && r.wall_s < best.wall_s) || !r.ok) best = r;
    if (!r.ok) break;
  }
  best.max_rss_kib = rss;
  return best;
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

// Items of one section ("Transition Summary:" up to the next unindented line).
std::vector<std::string> section(const std::string& text, const std::string& header) {
  std::vector<std::string> out;
  bool in = false;
  for (const std::string& l : lines_of(text)) {
    if (l == header) { in = true; continue; }
    if (!in) continue;
    if (!l.empty() && l[0] != ' ') break;
    if (!l.empty()) out.push_back(collapse(l));
  }
  return out;
}

// "* Move g1-r1 ( node1 -> node2 ) due to ..." -> "Move g1-r1 ( node1 -> node2 )".
std::string without_reason(const std::string& l) {
  auto p = l.find(')');
  std::string s = p == std::string::npos ? l : l.substr(0, p + 1);
  return s.rfind("* ", 0) == 0 ? s.substr(2) : s;
}

// Resource lines of "Revised Cluster Status" (the node list is left out).
std::vector<std::string> placement(const std::string& text) {
  std::vector<std::string> out;
  bool in = false;
  for (const std::string& l : section(text, "Revised Cluster Status:")) {
    if (l.find("Full List of Resources") != std::string::npos) { in = true; continue; }
    if (in) out.push_back(l);
  }
  return out;
}

struct Compare {
  size_t same = 0, only_ours = 0, only_peer = 0;
  std::vector<std::string> examples;
  bool match() const { return only_ours == 0 && only_peer == 0; }
};

Compare compare(const std::vector<std::string>& ours, const std::vector<std::string>& peer) {
  std::multiset<std::string> a(ours.begin(), ours.end()), b(peer.begin(), peer.end());
  Compare c;
  for (const auto& x : a) {
    auto it = b.find(x);
    if (it != b.end()) {
      ++c.same;
      b.erase(it);
    } else {
      ++c.only_ours;
      if (c.examples.size() < 3) c.examples.push_back("ours only: " + x);
    }
  }
  c.only_peer = b.size();
  for (const auto& x : b)
    if (c.examples.size() < 6) c.examples.push_back("peer only: " + x);
  return c;
}

std::string fmt(const char* f, double v) {
  char b[64];
  snprintf(b, sizeof b, f, v);
  return b;
}

std::string mib(long kib) { return fmt("%.0f MiB", kib / 1024.0); }

std::string ratio(double peer, double ours) {
  if (ours <= 0 || peer <= 0) return "-";
  return fmt("%.1fx", peer / ours);
}

std::string describe(const Run& r) {
  if (r.timed_out) return "timed out";
  if (!r.ok) return "failed (exit " + std::to_string(r.exit_code) + ")";
  return fmt("%.2f s", r.wall_s) + " wall, " + fmt("%.2f s", r.cpu_s) + " cpu, " + mib(r.max_rss_kib);
}

void usage() {
  std::cerr << "usage: pengine_bench [--sizes a,b,...] [--repeat N] [--no-peer] [--no-suite] [--peer-simulate]\n"
               "                     [--work DIR] [--ours PATH] [--peer PATH] [--timeout SECONDS]\n"
               "sizes:";
  for (const auto& s : kSizes) std::cerr << " " << s.name;
  std::cerr << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  fs::path shared = CRM_SHARED_DIR;
  std::string ours = std::string(CRM_BINARY_DIR) + "/bin/crm_simulate";
  std::string peer = "/usr/sbin/crm_simulate";
  fs::path work = fs::path(CRM_BINARY_DIR) / "bench-data" / "pengine";
  std::string sizes_arg = "8n-500p-cold,8n-500p-running,16n-2000p-cold,16n-2000p-running";
  int repeat = 1;
  bool use_peer = true, suite = true, peer_simulate = false;
  double timeout = 1200;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { usage(); std::exit(2); }
      return argv[++i];
    };
    if (a == "--sizes") sizes_arg = next();
    else if (a == "--repeat") repeat = std::max(1, std::atoi(next().c_str()));
    else if (a == "--no-peer") use_peer = false;
    else if (a == "--no-suite") suite = false;
    else if (a == "--peer-simulate") peer_simulate = true;
    else if (a == "--work") work = next();
    else if (a == "--ours") ours = next();
    else if (a == "--peer") peer = next();
    else if (a == "--timeout") timeout = std::atof(next().c_str());
    else { usage(); return 2; }
  }
  if (!fs::exists(ours)) {
    std::cerr << "pengine_bench: " << ours << " not found (build the crm_simulate target)\n";
    return 1;
  }
  if (use_peer && !fs::exists(peer)) {
    std::cout << "peer crm_simulate not installed (" << peer << "): our figures only\n";
    use_peer = false;
  }
  fs::create_directories(work);
  fs::path scratch = work / "runs";
  fs::create_directories(scratch);
  std::cout << "pengine_bench: ours " << ours << (use_peer ? ", peer " + peer : "") << "\n";

  // 1. The suite.
  if (suite) {
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(shared / "scheduler-cases"))
      if (fs::exists(e.path() / "input.xml")) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    struct Sum { double wall = 0, cpu = 0; long rss = 0; int failed = 0; };
    auto run_suite = [&](const std::string& bin) {
      Sum s;
      for (const auto& c : cases) {
        Run r = run({bin, "-x", (c / "input.xml").string(), "-S"}, scratch / "suite.out", 60);
        s.wall += r.wall_s;
        s.cpu += r.cpu_s;
        s.rss = std::max(s.rss, r.max_rss_kib);
        if (!r.ok) ++s.failed;
      }
      return s;
    };
    std::cout << "\nsuite: " << cases.size() << " cases of " << (shared / "scheduler-cases").string()
              << ", `crm_simulate -x input.xml -S` each (sum of wall and cpu, largest peak RSS)\n";
    Sum o = run_suite(ours);
    std::cout << "  ours: " << fmt("%.2f s", o.wall) << " wall, " << fmt("%.2f s", o.cpu) << " cpu, max " << mib(o.rss)
              << (o.failed ? ", " + std::to_string(o.failed) + " non-zero exits" : "") << "\n";
    if (use_peer) {
      Sum p = run_suite(peer);
      std::cout << "  peer: " << fmt("%.2f s", p.wall) << " wall, " << fmt("%.2f s", p.cpu) << " cpu, max "
                << mib(p.rss) << (p.failed ? ", " + std::to_string(p.failed) + " non-zero exits" : "") << "\n";
      std::cout << "  ratio (peer/ours): wall " << ratio(p.wall, o.wall) << ", cpu " << ratio(p.cpu, o.cpu)
                << ", memory " << ratio(static_cast<double>(p.rss), static_cast<double>(o.rss)) << "\n";
    }
  }

  // 2. Large inputs.
  std::cout << "\nlarge inputs: `crm_simulate -x input.xml -R -G graph.xml` (scheduler only), best of " << repeat
            << "\n";
  std::set<std::string> wanted;
  {
    std::stringstream s(sizes_arg);
    std::string x;
    while (std::getline(s, x, ',')) wanted.insert(x);
  }
  fs::path gen = shared / "scheduler-cases-large" / "gen_large_cib.py";
  int summary_mismatch = 0, placement_mismatch = 0;
  for (const Size& size : kSizes) {
    if (!wanted.count(size.name)) continue;
    wanted.erase(size.name);
    fs::path input = work / (size.name + ".xml");
    if (!fs::exists(input)) {
      std::vector<std::string> args = {"/usr/bin/python3", gen.string()};
      args.insert(args.end(), size.args.begin(), size.args.end());
      args.push_back("-o");
      args.push_back(input.string());
      Run g = run(args, scratch / "gen.out", 600);
      if (!g.ok) {
        std::cout << size.name << ": generator failed (exit " << g.exit_code << ")\n";
        continue;
      }
    }
    std::string md5 = md5_of(input);
    std::cout << "\n" << size.name << " (" << fs::file_size(input) / 1024 << " KiB, md5 " << md5
              << (size.md5.empty() ? "" : md5 == size.md5 ? " = README" : " != README " + size.md5) << ")\n";
    Run o = best_of(repeat, {ours, "-x", input.string(), "-R", "-G", (scratch / "ours-graph.xml").string()},
                    scratch / "ours.out", timeout);
    std::cout << "  ours: " << describe(o) << "\n";
    Run p;
    if (use_peer) {
      p = best_of(repeat, {peer, "-x", input.string(), "-R", "-G", (scratch / "peer-graph.xml").string()},
                  scratch / "peer.out", timeout);
      std::cout << "  peer: " << describe(p) << "\n";
      if (o.ok && p.ok)
        std::cout << "  ratio (peer/ours): wall " << ratio(p.wall_s, o.wall_s) << ", cpu " << ratio(p.cpu_s, o.cpu_s)
                  << ", memory " << ratio(static_cast<double>(p.max_rss_kib), static_cast<double>(o.max_rss_kib))
                  << "\n";
    }
    // Decisions.
    std::string peer_summary_text = p.ok ? p.out : "";
    fs::path stored = shared / "scheduler-cases-large" / size.name;
    if (peer_summary_text.empty() && fs::exists(stored / "transition.txt") && md5 == size.md5)
      peer_summary_text = read_file(stored / "transition.txt");
    if (peer_summary_text.empty() && fs::exists(stored / "summary.txt") && md5 == size.md5)
      peer_summary_text = read_file(stored / "summary.txt");
    if (o.ok && !peer_summary_text.empty()) {
      auto os = section(o.out, "Transition Summary:"), ps = section(peer_summary_text, "Transition Summary:");
      std::vector<std::string> oa, pa;
      for (auto& l : os) oa.push_back(without_reason(l));
      for (auto& l : ps) pa.push_back(without_reason(l));
      Compare c = compare(oa, pa), strict = compare(os, ps);
      std::cout << "  summary: " << (c.match() ? "match" : "MISMATCH") << ", " << c.same << " same, " << c.only_ours
                << " only ours, " << c.only_peer << " only peer (with reasons: " << strict.same << " same, "
                << strict.only_ours + strict.only_peer << " differ)\n";
      for (auto& e : c.examples) std::cout << "    " << e << "\n";
      if (!c.match()) ++summary_mismatch;
    } else if (o.ok) {
      std::cout << "  summary: not compared (no peer output)\n";
    }
    // Placement.
    std::string peer_revised;
    if (fs::exists(stored / "summary.txt") && md5 == size.md5) peer_revised = read_file(stored / "summary.txt");
    if (peer_revised.empty() && use_peer && peer_simulate) {
      Run ps = run({peer, "-x", input.string(), "-S"}, scratch / "peer-S.out", timeout);
      std::cout << "  peer -S: " << describe(ps) << "\n";
      if (ps.ok) peer_revised = ps.out;
    }
    if (peer_revised.empty()) {
      std::cout << "  placement: not compared (no stored peer -S output; --peer-simulate runs it)\n";
      continue;
    }
    Run os = run({ours, "-x", input.string(), "-S"}, scratch / "ours-S.out", timeout);
    if (!os.ok) {
      std::cout << "  placement: our -S " << describe(os) << "\n";
      ++placement_mismatch;
      continue;
    }
    Compare c = compare(placement(os.out), placement(peer_revised));
    std::cout << "  placement: " << (c.match() ? "match" : "MISMATCH") << ", " << c.same << " same lines, "
              << c.only_ours << " only ours, " << c.only_peer << " only peer (our -S: " << describe(os) << ")\n";
    for (auto& e : c.examples) std::cout << "    " << e << "\n";
    if (!c.match()) ++placement_mismatch;
  }
  for (const auto& w : wanted) std::cout << "unknown size '" << w << "'\n";
  std::cout << "\ndecisions: " << summary_mismatch << " summary mismatches, " << placement_mismatch
            << " placement mismatches\n";
  return 0;
}
