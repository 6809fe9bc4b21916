// pacemaker-controld, pacemaker-schedulerd, pacemaker-based, pacemaker-fenced:
// one program, named by how it is called (argv[0]'s last path component), that
// answers what front ends (crmsh, pcs) ask the peer's daemons without
// starting one:
//
//   pacemaker-controld metadata   the controller's cluster options (OCF-style XML)
//   pacemaker-controld version    CRM Version: 2.1.5 (0.1.0-crm)
//
// Our daemons are crmd, the policy engine inside it, cibd and fenced, started
// by crm-launcherd; they answer the same two words.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "crm/core/cluster_options.h"

namespace {

constexpr int kExitUsage = 64;  // the peer's CRM_EX_USAGE

bool owner_for(std::string_view prog, crm::OptionOwner* owner) {
  for (crm::OptionOwner o : {crm::kController, crm::kScheduler, crm::kCibManager, crm::kFenceDevice}) {
    if (prog == crm::daemon_name(o)) {
      *owner = o;
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view prog = argv[0];
  if (auto slash = prog.rfind('/'); slash != std::string_view::npos) prog.remove_prefix(slash + 1);
  crm::OptionOwner owner;
  if (!owner_for(prog, &owner)) {
    fprintf(stderr, "%.*s: call me as pacemaker-controld, pacemaker-schedulerd, pacemaker-based or pacemaker-fenced\n",
            static_cast<int>(prog.size()), prog.data());
    return kExitUsage;
  }
  if (crm::answer_metadata_or_version(owner, argc, argv)) return 0;
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "-?") == 0)) {
    printf("Usage: %.*s metadata|version\n", static_cast<int>(prog.size()), prog.data());
    return 0;
  }
  fprintf(stderr,
          "Usage: %.*s metadata|version\n"
          "This stack's daemons are crmd, cibd and fenced (the scheduler runs inside crmd),\n"
          "started by crm-launcherd; this program only describes their options.\n",
          static_cast<int>(prog.size()), prog.data());
  return kExitUsage;
}
