// crm_shadow: shadow copies of the CIB, as the peer's crm_shadow. A shadow is
// a file, shadow_path(NAME) (cib::shadow_dir(): $CIB_shadow_dir, else
// /var/lib/pacemaker/cib for root, else ~/.cib); with CIB_shadow=NAME every
// tool reads and writes it instead of the cluster (cib::source_from_env()),
// and --commit replaces the cluster's configuration with it.
//
// Exit codes as the peer's: 0 ok; 1 --diff found differences; 64 usage, a
// dangerous command (--delete, --commit) without --force, or another shadow
// than the active one without --force; 73 the shadow exists (create without
// --force); 105 no such shadow / none active; others from the CIB.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crm/cib/client.h"
#include "crm/cib/file_system.h"
#include "crm/cib/request.h"

namespace {

using namespace crm;

constexpr int kExitError = 1;       // CRM_EX_ERROR
constexpr int kExitUsage = 64;      // CRM_EX_USAGE
constexpr int kExitCantCreat = 73;  // CRM_EX_CANTCREAT
constexpr int kExitNoSuch = 105;    // CRM_EX_NOSUCH
constexpr int kExitNotConfigured = 6;
constexpr int kExitOsFile = 72;

const char* kForceNeeded = "  To prevent accidental destruction of the cluster, the --force flag is required in order to proceed.\n";

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status write_atomically(const std::string& path, const std::string& text) {
  cib::PosixFileSystem fs;
  size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  RETURN_IF_ERROR(fs.create_dirs(dir));  // the peer's directory comes with its packages
  const std::string tmp = path + ".tmp";
  RETURN_IF_ERROR(fs.write_file(tmp, text));
  RETURN_IF_ERROR(fs.sync_file(tmp));
  RETURN_IF_ERROR(fs.rename(tmp, path));
  return fs.sync_dir(dir);
}

// The cluster's CIB as crm_shadow sees it: never the shadow itself (CIB_file still counts, as the peer's).
Result<std::unique_ptr<cib::CibClient>> real_cib() {
  cib::ClientOptions options;
  options.file = cib::source_from_env(/*honour_shadow=*/false).path;
  return cib::connect(options);
}

std::string prompt_for(const std::string& name) { return "shadow[" + name.substr(0, 40) + "] # "; }

// After create/reset/switch: a subshell on the shadow, or (batch) what to paste.
int setup(const std::string& name, bool batch, bool do_switch) {
  std::cout << "Setting up shadow instance\n";
  const char* ps1 = std::getenv("PS1");
  const char* shell = std::getenv("SHELL");
  if (ps1 && prompt_for(name) == ps1) return 0;
  if (!batch && shell && *shell) {
    std::cout << "Type Ctrl-D to exit the crm_shadow shell\n" << std::flush;
    ::setenv("PS1", prompt_for(name).c_str(), 1);
    ::setenv("CIB_shadow", name.c_str(), 1);
    if (std::strstr(shell, "bash")) {
      ::execl(shell, shell, "--norc", "--noprofile", static_cast<char*>(nullptr));
    } else {
      ::execl(shell, shell, static_cast<char*>(nullptr));
    }
    fmt::print(stderr, "Could not start {}: {}\n", shell, std::strerror(errno));
  } else if (do_switch) {
    std::cout << "To switch to the named shadow instance, paste the following into your shell:\n";
  } else {
    std::cout << "A new shadow instance was created.  To begin using it paste the following into your shell:\n";
  }
  std::cout << "  CIB_shadow=" << name << " ; export CIB_shadow\n";
  return 0;
}

void teardown(const std::string& name) {
  const char* ps1 = std::getenv("PS1");
  if (ps1 && std::strstr(ps1, prompt_for(name).c_str())) {
    std::cout << "Now type Ctrl-D to exit the crm_shadow shell\n";
  } else {
    std::cout << "Please remember to unset the CIB_shadow variable by pasting the following into your shell:\n"
                 "  unset CIB_shadow\n";
  }
}

int fail(const std::string& what, const Status& s) {
  fmt::print(stderr, "{}: {}\n", what, s.message());
  return s.exit_code();
}

int run(int argc, char** argv) {
  CLI::App app{
      "crm_shadow - perform configuration changes in a sandbox: with CIB_shadow=NAME set, the configuration "
      "tools (cibadmin, crm_resource, crm_attribute, ...) work on a shadow copy instead of the live cluster"};
  app.set_version_flag("-$,--version", "crm crm_shadow 0.1");
  bool which = false, display = false, edit = false, diff = false, file = false;
  std::string create, create_empty, reset, commit, del, switch_to, validate_with;
  bool force = false, batch = false, all = false;
  int verbose = 0;
  auto* queries = app.add_option_group("Queries");
  queries->add_flag("-w,--which", which, "Indicate the active shadow copy");
  queries->add_flag("-p,--display", display, "Display the contents of the active shadow copy");
  queries->add_flag("-E,--edit", edit, "Edit the contents of the active shadow copy with your $EDITOR");
  queries->add_flag("-d,--diff", diff, "Display the changes in the active shadow copy");
  queries->add_flag("-F,--file", file, "Display the location of the active shadow copy file");
  auto* commands = app.add_option_group("Commands");
  commands->add_option("-c,--create", create, "Create a shadow copy of the cluster's CIB, named NAME");
  commands->add_option("-e,--create-empty", create_empty, "Create an empty shadow CIB named NAME");
  commands->add_option("-C,--commit", commit, "Upload the contents of shadow NAME to the cluster (needs --force)");
  commands->add_option("-D,--delete", del, "Delete shadow NAME (needs --force)");
  commands->add_option("-r,--reset", reset, "Recreate shadow NAME from the cluster's CIB");
  commands->add_option("-s,--switch", switch_to, "Switch to shadow NAME");
  app.add_flag("-f,--force", force, "Allow dangerous commands and overwriting an existing shadow");
  app.add_flag("-b,--batch", batch, "Do not spawn a new shell");
  app.add_flag("-a,--all", all, "With --commit: upload the status section too");
  app.add_option("-v,--validate-with", validate_with, "With --create-empty: the schema the new CIB names");
  app.add_flag("-V,--verbose", verbose, "Increase debug output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& err) {
    int rc = app.exit(err);
    return rc == 0 ? 0 : kExitUsage;
  }

  // Exactly one command; the queries act on $CIB_shadow.
  char command = 0;
  std::string name;
  int given = 0;
  auto pick = [&](bool on, char c, const std::string& n) {
    if (!on) return;
    ++given;
    command = c;
    name = n;
  };
  const char* active_env = std::getenv("CIB_shadow");
  const std::string active = active_env ? active_env : "";
  pick(which, 'w', active);
  pick(display, 'p', active);
  pick(edit, 'E', active);
  pick(diff, 'd', active);
  pick(file, 'F', active);
  pick(!create.empty(), 'c', create);
  pick(!create_empty.empty(), 'e', create_empty);
  pick(!commit.empty(), 'C', commit);
  pick(!del.empty(), 'D', del);
  pick(!reset.empty(), 'r', reset);
  pick(!switch_to.empty(), 's', switch_to);
  if (given != 1) {
    std::cerr << (given == 0 ? "crm_shadow: give one command\n" : "crm_shadow: give only one command\n")
              << app.help();
    return kExitUsage;
  }
  if (std::strchr("wpEdF", command) && active.empty()) {
    std::cerr << (command == 'w' ? "No shadow instance provided\n" : "No active shadow configuration defined\n");
    return kExitNoSuch;
  }
  if (command == 'w') {
    std::cout << active << "\n";
    return 0;
  }
  if (command != 's' && command != 'c' && !active.empty() && active != name && !force) {
    std::cerr << "The supplied shadow instance (" << name << ") is not the same as the active one (" << active
              << ").\n"
              << kForceNeeded;
    return kExitUsage;
  }
  if ((command == 'C' || command == 'D') && !force) {
    std::cerr << "The supplied command is considered dangerous." << kForceNeeded;
    return kExitUsage;
  }
  const std::string path = cib::shadow_path(name);
  if (command == 'D') {
    int rc = 0;
    if (::unlink(path.c_str()) < 0 && errno != ENOENT) {
      fmt::print(stderr, "Could not remove shadow instance '{}': {}\n", name, std::strerror(errno));
      rc = errno == EACCES || errno == EPERM ? 4 : kExitError;
    }
    teardown(name);
    return rc;
  }
  if (command == 'F') {
    std::cout << path << "\n";
    return 0;
  }
  std::unique_ptr<cib::CibClient> real;
  if (std::strchr("drcC", command)) {
    auto client = real_cib();
    if (!client.ok()) return fail("Could not connect to CIB", client.status());
    real = std::move(client).value();
  }
  if (command == 'c' || command == 'e') {
    if (exists(path) && !force) {
      std::cerr << "A shadow instance '" << name << "' already exists.\n" << kForceNeeded;
      return kExitCantCreat;
    }
  } else if (command != 's' && !exists(path)) {
    fmt::print(stderr, "Could not access shadow instance '{}': {}\n", name, std::strerror(ENOENT));
    return kExitNoSuch;
  }

  if (command == 'c' || command == 'r' || command == 'e') {
    std::string text;
    if (command == 'e') {
      cib::Cib empty = cib::Cib::empty();
      if (!validate_with.empty()) xml::set_attr(empty.root(), "validate-with", validate_with);
      std::cout << "Created new " << xml::attr_or(empty.root(), "validate-with") << " configuration\n";
      text = empty.serialize(true);
    } else {
      auto q = real->query();
      if (!q.ok()) return fail("Could not connect to the CIB manager", q.status());
      text = *q;
    }
    Status w = write_atomically(path, text);
    if (!w.ok()) {
      return fail(fmt::format("Could not {} the shadow instance '{}'", command == 'r' ? "reset" : "create", name), w);
    }
    return setup(name, batch, false);
  }
  if (command == 's') return setup(name, batch, true);
  if (command == 'E') {
    const char* editor = std::getenv("EDITOR");
    if (!editor || !*editor) {
      std::cerr << "No value for EDITOR defined\n";
      return kExitNotConfigured;
    }
    ::execlp(editor, editor, path.c_str(), static_cast<char*>(nullptr));
    fmt::print(stderr, "Could not invoke EDITOR ({} {}): {}\n", editor, path, std::strerror(errno));
    return kExitOsFile;
  }
  auto shadow = cib::Cib::load_file(path);
  if (!shadow.ok()) return fail("Could not read shadow instance '" + name + "'", shadow.status());
  if (command == 'p') {
    std::cout << cib::strip_declaration(shadow->serialize(true));
    return 0;
  }
  if (command == 'd') {
    auto live = real->query_cib();
    if (!live.ok()) return fail("Could not query the CIB", live.status());
    auto patch = cib::diff(live->root(), shadow->root());
    if (!patch.ok()) return fail("Could not compare the shadow with the CIB", patch.status());
    if (patch->empty()) return 0;
    std::cout << xml::to_string(xml::root(patch->doc), true) << "\n";
    return kExitError;
  }
  // 'C': replace the cluster's configuration (or, with --all, the whole CIB).
  cib::Request request{.op = cib::Op::kReplace};
  if (all) {
    request.fragment = cib::strip_declaration(shadow->serialize(false));
  } else {
    request.section = "configuration";
    request.fragment = xml::to_string(shadow->configuration(), false);
  }
  auto replaced = real->call(request);
  int rc = 0;
  if (!replaced.ok()) {
    fmt::print(stderr, "Could not commit shadow instance '{}' to the CIB: {}\n", name, replaced.status().message());
    rc = replaced.status().exit_code();
  }
  teardown(name);
  return rc;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
