// crm_shell: a small crmsh-like shell (see shell.h and docs/tools.md).
//   crm_shell                       interactive (readline), or commands from stdin
//   crm_shell -f FILE               commands from FILE
//   crm_shell configure show        one command from the arguments
// Batch input stops at the first failing command (exit status of that command)
// and commits pending configure changes at the end, as crmsh does.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#ifdef CRM_HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

#include "shell.h"

namespace {

bool read_line(bool tty, const std::string& prompt, std::istream& in, std::string* line) {
#ifdef CRM_HAVE_READLINE
  if (tty) {
    char* s = readline(prompt.c_str());
    if (!s) return false;
    *line = s;
    if (*s) add_history(s);
    free(s);
    return true;
  }
#else
  if (tty) {
    std::fputs(prompt.c_str(), stdout);
    std::fflush(stdout);
  }
#endif
  return static_cast<bool>(std::getline(in, *line));
}

int usage() {
  std::fprintf(stderr,
               "usage: crm_shell [-f FILE] [COMMAND...]\n"
               "A small crmsh-like shell: configure, resource, node, status (type 'help').\n");
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  std::string file;
  int first = 1;
  if (argc > 1 && (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0)) {
    usage();
    return 0;
  }
  if (argc > 2 && std::strcmp(argv[1], "-f") == 0) {
    file = argv[2];
    first = 3;
  }
  if (first < argc) {
    std::string line;
    for (int i = first; i < argc; ++i) {
      std::string a = argv[i];
      bool quote = a.empty() || a.find_first_of(" \t") != std::string::npos;
      line += (line.empty() ? "" : " ") + (quote ? "\"" + a + "\"" : a);
    }
    crm::tools::Shell shell(false);
    int rc = shell.execute(line);
    if (rc != 0) return rc;
    return shell.finish();
  }
  std::ifstream fin;
  if (!file.empty()) {
    fin.open(file);
    if (!fin) {
      std::fprintf(stderr, "crm_shell: cannot read %s\n", file.c_str());
      return 66;
    }
  }
  std::istream& in = file.empty() ? std::cin : fin;
  bool tty = file.empty() && isatty(0);
  crm::tools::Shell shell(tty);
  std::string line, pending;
  int rc = 0;
  while (!shell.done() && read_line(tty, pending.empty() ? shell.prompt() : "> ", in, &line)) {
    // A trailing backslash continues the command on the next line.
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    line = pending + line;
    pending.clear();
    rc = shell.execute(line);
    if (rc != 0 && !tty) return rc;
  }
  if (tty) std::fputs("\n", stdout);
  int fin_rc = shell.finish();
  return fin_rc != 0 ? fin_rc : (tty ? 0 : rc);
}
