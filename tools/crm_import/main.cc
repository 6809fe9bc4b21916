// crm_import: another HA stack's configuration as a CIB configuration.
//
//   crm_import haresources /etc/ha.d/haresources /etc/ha.d/ha.cf [--output FILE] [--report] [--cib]
//   crm_import keepalived --node n1=n1/keepalived.conf --node n2=n2/keepalived.conf
//   crm_import cluster.conf /etc/cluster/cluster.conf
//
// Prints the <configuration> (or a whole minimal <cib> with --cib) on stdout
// or writes it to --output; the to-do items and warnings of the report go to
// stderr, the whole report with --report. Extra files (ldirectord.cf) are
// written beside --output, or in the current directory. Exit codes: 0 done,
// 64 usage, the input's error otherwise (65 data error, 105 no such file):
// then nothing is written.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "crm/import/import.h"

namespace {

using namespace crm;

constexpr int kExitUsage = 64;

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return errno_error("write " + path, errno);
  return Status::Ok();
}

int run(int argc, char** argv) {
  CLI::App app{"crm_import - turn another HA stack's configuration into a CIB configuration, with a report"};
  app.set_version_flag("-$,--version", "crm crm_import 0.1");
  std::string kind, output;
  std::vector<std::string> files, nodes;
  bool full_report = false, as_cib = false, strict = false;
  app.add_option("kind", kind, "haresources | keepalived | cluster.conf")->required();
  app.add_option("files", files, "The input files (haresources: haresources and ha.cf)");
  app.add_option("-o,--output", output, "Write the configuration to FILE instead of stdout");
  app.add_option("--node", nodes, "keepalived: NAME=FILE, that node's keepalived.conf (repeat per node)");
  app.add_flag("-r,--report", full_report, "Print the whole report on stderr (else only to-do items and warnings)");
  app.add_flag("--cib", as_cib, "Print a whole minimal CIB (for crm_verify -x, cibadmin --replace)");
  app.add_flag("--strict", strict, "keepalived: an unknown top-level keyword is an error");
  app.footer(
      "Examples:\n"
      "  crm_import haresources /etc/ha.d/haresources /etc/ha.d/ha.cf --cib -o cib.xml && crm_verify -x cib.xml\n"
      "  crm_import keepalived --node lb1=lb1.conf --node lb2=lb2.conf --report\n"
      "  crm_import cluster.conf /etc/cluster/cluster.conf -o config.xml");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& err) {
    int rc = app.exit(err);
    return rc == 0 ? 0 : kExitUsage;
  }

  auto imported = import::import_files(kind, files, nodes, strict);
  if (!imported.ok()) {
    fmt::print(stderr, "crm_import: {}\n", imported.status().message());
    return imported.status().code() == StatusCode::kInvalidArgument ? kExitUsage : imported.status().exit_code();
  }

  std::map<import::Outcome, int> counts;
  for (const auto& note : imported->report) {
    ++counts[note.outcome];
    if (full_report || note.outcome == import::Outcome::kToDo || note.outcome == import::Outcome::kWarning) {
      std::cerr << import::format_report({note});
    }
  }
  std::string text = as_cib ? import::as_cib(*imported) : xml::to_string(imported->configuration.get());
  std::filesystem::path dir = output.empty() ? std::filesystem::path(".") : std::filesystem::path(output).parent_path();
  if (dir.empty()) dir = ".";
  for (const auto& extra : imported->files) {
    std::string path = (dir / extra.name).string();
    if (Status s = write_file(path, extra.text); !s.ok()) {
      fmt::print(stderr, "crm_import: {}\n", s.message());
      return s.exit_code();
    }
    fmt::print(stderr, "crm_import: wrote {}\n", path);
  }
  if (output.empty()) {
    std::cout << text << std::flush;
  } else if (Status s = write_file(output, text); !s.ok()) {
    fmt::print(stderr, "crm_import: {}\n", s.message());
    return s.exit_code();
  }
  fmt::print(stderr, "crm_import: {} translated, {} approximated, {} without equivalent, {} to do, {} warnings{}\n",
             counts[import::Outcome::kTranslated], counts[import::Outcome::kApproximated],
             counts[import::Outcome::kNoEquivalent], counts[import::Outcome::kToDo], counts[import::Outcome::kWarning],
             full_report ? "" : " (--report lists them all)");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
