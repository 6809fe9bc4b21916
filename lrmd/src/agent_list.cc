// Listing installed agents (see lrmd.h: list_standards, list_ocf_providers,
// list_agents). Directory scans only; metadata comes from running the agent
// through the Executor.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "crm/lrmd/lrmd.h"

namespace crm::lrmd {
namespace {

namespace fs = std::filesystem;

bool executable_file(const fs::path& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
}

// Names of executable files in `dir` (hidden ones skipped), with `prefix`.
void scan(const fs::path& dir, std::set<std::string>& out, const std::string& prefix = "") {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || name.rfind(prefix, 0) != 0) continue;
    if (executable_file(e.path())) out.insert(name);
  }
}

void scan_systemd(std::set<std::string>& out) {
  std::error_code ec;
  for (const char* dir : {"/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"}) {
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      std::string name = e.path().filename().string();
      const std::string suffix = ".service";
      if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
      name.resize(name.size() - suffix.size());
      if (name.back() == '@') continue;  // templates are not startable as such
      out.insert(name);
    }
  }
}

std::vector<std::string> sorted(const std::set<std::string>& s) { return {s.begin(), s.end()}; }

}  // namespace

std::vector<std::string> list_standards() { return {"ocf", "lsb", "service", "systemd", "stonith"}; }

std::vector<std::string> list_ocf_providers(const AgentPaths& paths, const std::string& type) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(paths.ocf_root) / "resource.d", ec)) {
    if (!e.is_directory(ec)) continue;
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (!type.empty() && !executable_file(e.path() / type)) continue;
    out.insert(name);
  }
  return sorted(out);
}

std::vector<std::string> list_agents(const AgentPaths& paths, const std::string& standard,
                                     const std::string& provider) {
  std::set<std::string> out;
  if (standard == kClassOcf) {
    std::vector<std::string> providers = provider.empty() ? list_ocf_providers(paths) : std::vector{provider};
    for (const auto& p : providers) scan(fs::path(paths.ocf_root) / "resource.d" / p, out);
  } else if (standard == kClassLsb) {
    scan(paths.lsb_dir, out);
  } else if (standard == kClassSystemd) {
    scan_systemd(out);
  } else if (standard == kClassService) {
    scan(paths.lsb_dir, out);
    scan_systemd(out);
  } else if (standard == kClassStonith) {
    for (const auto& d : paths.stonith_dirs) scan(d, out, "fence_");
  }
  return sorted(out);
}

}  // namespace crm::lrmd
