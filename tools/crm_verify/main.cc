// crm_verify: checks a CIB for schema validity and meaning.
//
//   crm_verify -x cib.xml          a file          crm_verify -X '<cib ...>'   text
//   crm_verify -p < cib.xml        stdin           crm_verify -L               the live CIB
//   -V (repeatable) prints more: warnings' context, unsupported features, a summary.
//
// Exit status 0 only when the configuration is valid (warnings allowed);
// otherwise Status::exit_code() of the first failure class (parse error 65,
// invalid configuration 78, not connected 69, usage 2, ...).
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "crm/cib/cib.h"
#include "crm/cib/client.h"
#include "crm/cib/features.h"
#include "crm/fenced/fenced.h"

namespace {

using crm::Status;
using crm::cib::Cib;

int fail(const Status& s) {
  std::cerr << "crm_verify: " << s.message() << "\n";
  return s.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Check a cluster configuration (CIB) for schema validity and meaning"};
  std::string file, text;
  bool pipe = false, live = false;
  int verbose = 0;
  const char* env_schema = std::getenv("CRM_SCHEMA_DIR");
  std::string schema_dir = env_schema && *env_schema ? env_schema : CRM_SCHEMA_DIR;
  auto* x = app.add_option("-x,--xml-file", file, "Check the configuration in this file");
  auto* t = app.add_option("-X,--xml-text", text, "Check the configuration given as text");
  auto* p = app.add_flag("-p,--xml-pipe", pipe, "Check the configuration read from standard input");
  auto* l = app.add_flag("-L,--live-check", live, "Check the running cluster's CIB (or $CIB_file)");
  x->excludes(t, p, l);
  t->excludes(p, l);
  p->excludes(l);
  app.add_flag("-V,--verbose", verbose, "Print more detail (repeatable)");
  app.add_option("--schema-dir", schema_dir, "Where the RelaxNG schemas are")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : crm::invalid_argument("").exit_code();
  }

  crm::Result<Cib> cib = crm::invalid_argument("no input");
  if (!file.empty()) {
    cib = Cib::load_file(file);
  } else if (t->count() > 0) {
    cib = Cib::parse(text, "xml-text");
  } else if (pipe) {
    cib = Cib::load_file("-");
  } else if (live) {
    const crm::cib::CibSource source = crm::cib::source_from_env();
    if (!source.is_file()) {
      return fail(crm::unavailable(
          "not connected to a live CIB (the CIB manager is not reachable); give a file with -x, or set "
          "CIB_file=PATH to check a saved CIB"));
    }
    cib = Cib::load_file(source.path);
  } else {
    std::cerr << "crm_verify: say what to check: -x FILE, -X TEXT, -p (stdin) or -L\n" << app.help();
    return crm::invalid_argument("").exit_code();
  }
  if (!cib.ok()) return fail(cib.status());

  auto schema = crm::cib::Schema::load(schema_dir);
  if (!schema.ok()) return fail(schema.status());

  Status result;
  const std::string validate_with = crm::xml::attr_or(cib->root(), "validate-with");
  if (validate_with == "none") {
    std::cerr << "warning: schema validation is disabled (validate-with=\"none\"); only the meaning is checked\n";
  }
  Status valid = schema->validate(*cib);
  if (!valid.ok()) {
    if (valid.code() == crm::StatusCode::kSchemaInvalid) {
      for (const std::string& e : schema->errors(*cib)) std::cerr << "error: schema: " << e << "\n";
    } else {
      std::cerr << "error: " << valid.message() << "\n";
    }
    result = valid;
  }

  int errors = 0, warnings = 0;
  if (valid.ok() || valid.code() == crm::StatusCode::kSchemaInvalid) {
    for (const crm::cib::Problem& problem : crm::cib::check_configuration(*cib)) {
      if (problem.severity == crm::cib::Problem::Severity::kError) {
        ++errors;
        std::cerr << "error: " << problem.message << "\n";
      } else {
        ++warnings;
        std::cerr << "warning: " << problem.message << "\n";
      }
    }
    // Fence devices and topology as the fencer reads them (docs/fenced.md).
    for (const auto& problem : crm::fenced::check_fencing_configuration(cib->doc())) {
      if (problem.error) {
        ++errors;
        std::cerr << "error: fencing: " << problem.message << "\n";
      } else {
        ++warnings;
        std::cerr << "warning: fencing: " << problem.message << "\n";
      }
    }
  }
  if (verbose > 0) {
    for (const auto& f : crm::cib::unsupported_features(*cib)) {
      std::cerr << "note: line " << f.line << ": " << f.name << " (" << f.count << "x): " << f.why << "\n";
    }
  }
  if (errors > 0 && result.ok()) result = crm::config_invalid(std::to_string(errors) + " errors");
  if (!result.ok()) {
    std::cerr << "Errors found during check: config not valid\n";
    if (verbose == 0) std::cerr << "  -V may provide more details\n";
    return result.exit_code();
  }
  if (verbose > 0) {
    std::cerr << "Configuration is valid (version " << cib->version().to_string() << ", " << warnings
              << " warnings, digest " << cib->digest() << ")\n";
  }
  return 0;
}
