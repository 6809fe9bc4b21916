// cib_bench: parse + validate (+ check, serialize, digest, diff) of the large
// CIBs, with time per step and peak memory per document. Each document runs
// in a fresh child process (this program re-executed with --one FILE) so its
// peak RSS (wait4's ru_maxrss) is its own; the baseline child only loads the
// schema, and "peak MiB" is the difference (parse, validate, check, serialize,
// two copies for diff/apply). "p+v RSS MiB" is the growth of VmHWM over
// reading the file, parsing and validating only (file text included).
//
//   build/bench/cib_bench [FILE...]   default: the large scheduler cases, and
//   /tmp/16n-2000p-running.xml when present (regenerate it with
//   shared/scheduler-cases-large/gen_large_cib.py, see its README).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "crm/cib/cib.h"

namespace {

using Clock = std::chrono::steady_clock;

// Peak resident set so far (VmHWM), KiB.
long peak_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Child: measure one document, print one line of figures.
int one(const std::string& path) {
  auto schema = crm::cib::Schema::load(CRM_SCHEMA_DIR);
  if (!schema.ok()) {
    std::cerr << schema.status().to_string() << "\n";
    return 1;
  }
  if (path == "-") {
    std::printf("baseline\n");
    return 0;
  }
  const long before_kb = peak_kb();
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();

  auto t = Clock::now();
  auto cib = crm::cib::Cib::parse(text, path);
  double parse_ms = ms_since(t);
  if (!cib.ok()) {
    std::cerr << cib.status().to_string() << "\n";
    return 1;
  }
  t = Clock::now();
  crm::Status valid = schema->validate(*cib);
  double validate_ms = ms_since(t);
  const long parse_validate_kb = peak_kb() - before_kb;  // includes the file text itself
  t = Clock::now();
  size_t problems = crm::cib::check_configuration(*cib).size();
  double check_ms = ms_since(t);
  t = Clock::now();
  std::string out = cib->serialize(false);
  double serialize_ms = ms_since(t);
  t = Clock::now();
  std::string digest = cib->digest();
  double digest_ms = ms_since(t);
  // A typical change: one status update; diff + apply.
  crm::cib::Cib changed = cib->copy();
  auto ops = changed.query("//lrm_rsc_op");
  if (ops.ok()) crm::xml::set_attr(ops->front(), "rc-code", "7");
  changed.bump_num_updates();
  t = Clock::now();
  auto patch = crm::cib::diff(*cib, changed);
  double diff_ms = ms_since(t);
  t = Clock::now();
  crm::cib::Cib target = cib->copy();
  crm::Status applied = patch.ok() ? crm::cib::apply_patch(target, *patch) : patch.status();
  double apply_ms = ms_since(t);
  std::printf("%.1f %.1f %.1f %.1f %.1f %.1f %.1f %s %zu %s %ld\n", parse_ms, validate_ms, check_ms, serialize_ms,
              digest_ms, diff_ms, apply_ms, valid.ok() ? "valid" : "INVALID", problems,
              applied.ok() ? "ok" : "FAILED", parse_validate_kb);
  return 0;
}

struct ChildResult {
  std::string line;
  long maxrss_kb = 0;
  bool ok = false;
};

ChildResult spawn(const std::string& self, const std::string& arg) {
  ChildResult r;
  int fds[2];
  if (pipe(fds) != 0) return r;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(self.c_str(), self.c_str(), "--one", arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) r.line.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  r.maxrss_kb = ru.ru_maxrss;
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--one") return one(argv[2]);
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) files.push_back(argv[i]);
  if (files.empty()) {
    fs::path large = fs::path(CRM_SHARED_DIR) / "scheduler-cases-large";
    for (const char* c : {"8n-500p-running", "16n-2000p-cold"}) files.push_back((large / c / "input.xml").string());
    if (fs::exists("/tmp/16n-2000p-running.xml")) {
      files.push_back("/tmp/16n-2000p-running.xml");
    } else {
      std::cout << "(16n-2000p-running skipped: generate /tmp/16n-2000p-running.xml with gen_large_cib.py "
                   "--nodes 16 --primitives 2000 --groups 200 --state running --standby 1 --fail 10)\n";
    }
  }
  const std::string self = fs::canonical("/proc/self/exe").string();
  ChildResult base = spawn(self, "-");
  std::printf("baseline process (schema loaded): peak RSS %ld KiB\n", base.maxrss_kb);
  std::printf("%-20s %6s %9s %11s %11s %9s %10s %7s %8s %8s %10s  %s\n", "document", "MiB", "parse ms",
              "validate ms", "p+v RSS MiB", "check ms", "serial. ms", "digest", "diff ms", "apply ms", "peak MiB",
              "result");
  for (const std::string& f : files) {
    std::error_code ec;
    double mib = static_cast<double>(fs::file_size(f, ec)) / (1 << 20);
    ChildResult r = spawn(self, f);
    if (!r.ok) {
      std::printf("%-28s failed\n", f.c_str());
      continue;
    }
    double p, v, c, s, d, df, ap;
    char valid[16], applied[16];
    size_t problems;
    long pv_kb = 0;
    std::sscanf(r.line.c_str(), "%lf %lf %lf %lf %lf %lf %lf %15s %zu %15s %ld", &p, &v, &c, &s, &d, &df, &ap, valid,
                &problems, applied, &pv_kb);
    std::string name = fs::path(f).parent_path().filename().string();
    if (name == "tmp") name = fs::path(f).stem().string();
    std::printf("%-20s %6.1f %9.1f %11.1f %11.1f %9.1f %10.1f %7.1f %8.1f %8.1f %10.1f  %s, %zu problems, patch %s\n",
                name.c_str(), mib, p, v, static_cast<double>(pv_kb) / 1024.0, c, s, d, df, ap,
                static_cast<double>(r.maxrss_kb - base.maxrss_kb) / 1024.0, valid, problems, applied);
  }
  return 0;
}
