#include "force_action.h"

#include <cstdio>
#include <cstdlib>

#include "crm/cib/client.h"
#include "crm/core/nvpair.h"
#include "crm/core/xml.h"
#include "crm/lrmd/metadata.h"

namespace crm::tools {
namespace {

// The resource's <primitive> in the CIB (also inside groups, clones, bundles).
Result<lrmd::ExecRequest> from_cib(const std::string& path, const std::string& rsc) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse_file(path));
  std::string id = rsc.substr(0, rsc.find(':'));  // clone instance "db:1" -> "db"
  ASSIGN_OR_RETURN(auto found, xml::xpath(doc.get(), "//resources//primitive[@id='" + id + "']"));
  if (found.empty()) return not_found("resource '" + rsc + "' is not defined in " + path);
  xmlNode* p = found.front();
  lrmd::ExecRequest req;
  req.rsc_id = rsc;
  req.standard = xml::attr_or(p, "class");
  req.provider = xml::attr_or(p, "provider");
  req.type = xml::attr_or(p, "type");
  req.params = nvpair_values(p, "instance_attributes");
  for (const auto& [name, value] : nvpair_values(p, "meta_attributes")) {
    std::string key = "CRM_meta_" + name;
    for (char& c : key) c = c == '-' ? '_' : c;
    req.params[key] = value;
  }
  return req;
}

}  // namespace

void add_force_action_options(CLI::App& app, ForceActionOptions& opts) {
  auto set = [&opts](const char* action) { return [&opts, action](int64_t) { opts.action = action; }; };
  auto* g = app.add_option_group("Agent actions", "Run one agent action by hand, bypassing the cluster");
  g->add_flag("--force-start", set("start"), "Run the resource's start action here");
  g->add_flag("--force-stop", set("stop"), "Run the resource's stop action here");
  g->add_flag("--force-check", set("monitor"), "Run the resource's monitor action here (a probe)");
  g->add_flag("--force-promote", set("promote"), "Run the resource's promote action here");
  g->add_flag("--force-demote", set("demote"), "Run the resource's demote action here");
  g->add_flag("--validate", set("validate-all"), "Run the agent's validate-all action");
  auto* a = app.add_option_group("Agent", "The agent, when not taken from the CIB ($CIB_file)");
  a->add_option("--class", opts.agent_class, "Resource class: ocf, lsb, systemd, service, stonith");
  a->add_option("--provider", opts.provider, "OCF provider (heartbeat, pacemaker, crm, ...)");
  a->add_option("--agent", opts.agent, "Agent name (type)");
  a->add_option("--option", opts.options, "Agent parameter name=value (repeatable)");
}

Result<lrmd::ExecRequest> build_force_request(const ForceActionOptions& opts) {
  lrmd::ExecRequest req;
  const cib::CibSource source = cib::source_from_env();
  bool from_options = !opts.agent.empty() || !opts.agent_class.empty();
  if (!from_options) {
    if (opts.resource.empty()) return invalid_argument("give a resource (-r) or an agent (--class/--agent)");
    if (!source.is_file()) {
      return Status(StatusCode::kUnavailable,
                    "no CIB to look up '" + opts.resource +
                        "' in: set CIB_file to a CIB XML file (or CIB_shadow), or give --class/--provider/--agent");
    }
    ASSIGN_OR_RETURN(req, from_cib(source.path, opts.resource));
  } else {
    if (opts.agent_class.empty() || opts.agent.empty()) return invalid_argument("--class and --agent go together");
    req.rsc_id = opts.resource.empty() ? opts.agent : opts.resource;
    req.standard = opts.agent_class;
    req.provider = opts.provider;
    req.type = opts.agent;
    if (req.standard == "ocf" && req.provider.empty()) return invalid_argument("--class ocf needs --provider");
  }
  for (const auto& o : opts.options) {
    size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0) return invalid_argument("--option needs name=value, got '" + o + "'");
    req.params[o.substr(0, eq)] = o.substr(eq + 1);
  }
  req.action = opts.action;
  req.timeout_ms = opts.timeout_ms > 0 ? static_cast<uint32_t>(opts.timeout_ms) : 20000;
  return req;
}

int run_force_action(const ForceActionOptions& opts) {
  auto req = build_force_request(opts);
  if (!req.ok()) {
    std::fprintf(stderr, "crm_resource: %s\n", req.status().message().c_str());
    return req.status().exit_code();
  }
  lrmd::ExecutorOptions eo;
  eo.kill_grace = std::chrono::milliseconds(2000);
  if (opts.verbose) {
    std::fprintf(stderr, "Running %s of %s (%s), timeout %u ms\n", req->action.c_str(), req->rsc_id.c_str(),
                 req->agent_spec().c_str(), req->timeout_ms);
  }
  lrmd::ExecResult r = lrmd::run_sync(*req, eo);
  std::printf("Operation %s for %s (%s) returned: '%s' (%d)%s\n", r.action.c_str(), r.rsc_id.c_str(),
              req->agent_spec().c_str(), crm::ocf_rc_text(r.rc), r.rc,
              r.op_status == crm::ExecStatus::kDone ? "" : (std::string(" [") + lrmd::op_status_name(r.op_status) + "]").c_str());
  if (!r.exit_reason.empty()) std::printf("  exit reason: %s\n", r.exit_reason.c_str());
  if (opts.verbose && !r.output.empty()) {
    std::printf("  output:\n%s%s", r.output.c_str(), r.output.back() == '\n' ? "" : "\n");
  }
  if (opts.verbose) std::printf("  duration: %u ms\n", r.duration_ms);
  switch (r.op_status) {
    case crm::ExecStatus::kDone:
      return r.rc > 255 ? 1 : r.rc;
    case crm::ExecStatus::kTimeout:
      return 124;  // CRM_EX_TIMEOUT
    case crm::ExecStatus::kNotInstalled:
      return crm::kOcfErrInstalled;
    case crm::ExecStatus::kInvalid:
      return crm::kOcfErrConfigured;
    default:
      return 1;
  }
}

}  // namespace crm::tools
