// crm_verify: checks a CIB for schema validity and meaning.
//
//   crm_verify -x cib.xml          a file          crm_verify -X '<cib ...>'   text
//   crm_verify -p < cib.xml        stdin           crm_verify -L               the live CIB (or $CIB_file)
//
// Output and exit status as the peer's crm_verify (2.1.5), which front ends
// such as crmsh parse: errors are printed ("error: ..."), warnings only with
// -V, nothing at all for a clean configuration; then
// "crm_verify: Errors found during check: config not valid" (or "Warnings
// found ...: config may not be valid") and exit 78. -VVV adds notes on what
// the configuration uses that this stack does not interpret. Input failures
// exit with Status::exit_code() (parse error 65, no such file 105, usage 2);
// an unreachable CIB daemon with -L is the peer's 102.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "crm/cib/cib.h"
#include "crm/cib/client.h"
#include "crm/cib/features.h"
#include "crm/core/boolean.h"
#include "crm/core/nvpair.h"
#include "crm/core/ocf_rc.h"
#include "crm/fenced/fenced.h"
#include "crm/lrmd/lrmd.h"
#include "crm/lrmd/metadata.h"

namespace {

using crm::Status;
using crm::cib::Cib;

constexpr int kExitConfig = 78;      // the peer's CRM_EX_CONFIG
constexpr int kExitDisconnect = 102;  // the peer's CRM_EX_DISCONNECT

int fail(const Status& s) {
  std::cerr << "crm_verify: " << s.message() << "\n";
  return s.exit_code();
}

// allow-migrate on a resource whose OCF agent has no migrate_to or
// migrate_from action: the peer (and our scheduler) tries migrate_to anyway,
// which fails, and then recovers the resource by stop and start. The agent's
// meta-data says so before it happens (read once per agent; agents that are
// not installed here are not judged).
std::vector<std::string> migration_warnings(const Cib& cib) {
  std::vector<std::string> out;
  auto found = cib.query("/cib/configuration/resources//primitive");
  if (!found.ok()) return out;
  xmlNode* config = cib.configuration();
  std::map<std::string, std::optional<bool>> can_migrate;  // by agent spec
  for (xmlNode* p : *found) {
    xmlNode* tmpl = nullptr;
    if (auto t = crm::xml::attr(p, "template")) {
      auto ts = cib.query("/cib/configuration/resources/template[@id='" + *t + "']");
      if (ts.ok() && !ts->empty()) tmpl = ts->front();
    }
    // The primitive's own setting, its template's, its group's and clone's, then rsc_defaults.
    std::optional<std::string> allow;
    for (xmlNode* n : {p, tmpl, p->parent, p->parent ? p->parent->parent : nullptr,
                       crm::xml::first_child(config, "rsc_defaults")}) {
      if (!n || allow) continue;
      if (xmlNode* nv = crm::find_nvpair(n, "meta_attributes", "allow-migrate")) allow = crm::xml::attr_or(nv, "value");
    }
    if (!allow || !crm::is_true(*allow)) continue;
    xmlNode* def = tmpl ? tmpl : p;
    std::string cls = crm::xml::attr_or(p, "class", crm::xml::attr_or(def, "class"));
    if (cls != "ocf") continue;
    std::string spec = "ocf:" + crm::xml::attr_or(p, "provider", crm::xml::attr_or(def, "provider")) + ":" +
                       crm::xml::attr_or(p, "type", crm::xml::attr_or(def, "type"));
    auto it = can_migrate.find(spec);
    if (it == can_migrate.end()) {
      std::optional<bool> verdict;
      crm::lrmd::ExecRequest req;
      if (crm::lrmd::parse_agent_spec(spec, &req).ok()) {
        req.rsc_id = req.type;
        req.action = "meta-data";
        req.timeout_ms = 30000;
        crm::lrmd::ExecResult r = crm::lrmd::run_sync(req, crm::lrmd::ExecutorOptions{});
        if (r.op_status == crm::ExecStatus::kDone && r.rc == crm::kOcfOk) {
          if (auto md = crm::lrmd::parse_metadata(r.output, spec); md.ok())
            verdict = md->action("migrate_to") && md->action("migrate_from");
        }
      }
      it = can_migrate.emplace(spec, verdict).first;
    }
    if (it->second && !*it->second) {
      out.push_back("primitive '" + crm::xml::attr_or(p, "id") + "': allow-migrate is set, but its agent " + spec +
                    " has no migrate_to/migrate_from action: a move will try migrate_to, fail, and recover the "
                    "resource by stop and start");
    }
  }
  return out;
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
    if (source.is_file()) {
      cib = Cib::load_file(source.path);
    } else {
      // The live CIB, from the local CIB daemon.
      auto client = crm::cib::connect(crm::cib::ClientOptions{});
      if (client.ok()) {
        cib = (*client)->query_cib();
      } else {
        cib = client.status();
      }
      if (!cib.ok()) {
        std::cerr << "crm_verify: CIB query failed: Transport endpoint is not connected (" << cib.status().message()
                  << ")\n";
        return kExitDisconnect;
      }
    }
  } else {
    std::cerr << "crm_verify: say what to check: -x FILE, -X TEXT, -p (stdin) or -L\n" << app.help();
    return crm::invalid_argument("").exit_code();
  }
  if (!cib.ok()) return fail(cib.status());

  auto schema = crm::cib::Schema::load(schema_dir);
  if (!schema.ok()) return fail(schema.status());

  // Errors always; warnings with -V (the peer's log levels on stderr).
  int errors = 0, warnings = 0;
  auto report_error = [&](const std::string& message) {
    ++errors;
    std::cerr << "error: " << message << "\n";
  };
  auto report_warning = [&](const std::string& message) {
    ++warnings;
    if (verbose > 0) std::cerr << "warning: " << message << "\n";
  };
  const std::string validate_with = crm::xml::attr_or(cib->root(), "validate-with");
  if (validate_with == "none") {
    report_warning("Schema validation of configuration is disabled (enabling is encouraged and prevents common "
                   "misconfigurations)");
  }
  Status valid = schema->validate(*cib);
  if (!valid.ok()) {
    if (valid.code() == crm::StatusCode::kSchemaInvalid) {
      for (const std::string& e : schema->errors(*cib)) report_error("schema: " + e);
      report_error("CIB did not pass schema validation");
    } else {
      report_error(valid.message());
    }
  }
  if (valid.ok() || valid.code() == crm::StatusCode::kSchemaInvalid) {
    for (const crm::cib::Problem& problem : crm::cib::check_configuration(*cib)) {
      if (problem.severity == crm::cib::Problem::Severity::kError || problem.verify_error) {
        report_error(problem.message);
      } else {
        report_warning(problem.message);
      }
    }
    for (const std::string& w : migration_warnings(*cib)) report_warning(w);
    // Fence devices and topology as the fencer reads them (docs/fenced.md).
    for (const auto& problem : crm::fenced::check_fencing_configuration(cib->doc())) {
      if (problem.error) {
        report_error("fencing: " + problem.message);
      } else {
        report_warning("fencing: " + problem.message);
      }
    }
  }
  if (verbose > 2) {
    for (const auto& f : crm::cib::unsupported_features(*cib)) {
      std::cerr << "info: line " << f.line << ": " << f.name << " (" << f.count << "x): " << f.why << "\n";
    }
  }
  if (errors > 0) {
    std::cerr << "crm_verify: Errors found during check: config not valid\n";
    if (verbose == 0) std::cerr << "-V may provide more details\n";
    return kExitConfig;
  }
  if (warnings > 0) {
    std::cerr << "crm_verify: Warnings found during check: config may not be valid\n";
    if (verbose == 0) std::cerr << "-V may provide more details\n";
    return kExitConfig;
  }
  return 0;
}
