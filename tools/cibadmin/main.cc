// cibadmin: query and edit the CIB, as the peer's cibadmin does (same
// options, same exit codes for the common cases). Talks to cibd, or works on
// a file when CIB_file is set.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <sstream>
#include <fstream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crm/cib/client.h"
#include "crm/cib/request.h"

namespace {

using namespace crm;
using namespace crm::cib;

constexpr int kExitUnsafe = 107;  // CRM_EX_UNSAFE: refused without --force

int fail(const Status& s) {
  fmt::print(stderr, "cibadmin: Call failed: {}\n", s.to_string());
  return s.exit_code();
}

// As the peer's: a patch that does not apply is a plain error (1); an old one
// is CRM_EX_OLD (103); a result the schema refuses is CRM_EX_CONFIG (78).
int fail_patch(const Status& s) {
  fmt::print(stderr, "cibadmin: Call failed: {}\n", s.to_string());
  switch (s.code()) {
    case StatusCode::kNotFound:
    case StatusCode::kInvalidArgument:
    case StatusCode::kParseError:
    case StatusCode::kNotSupported:
      return 1;  // CRM_EX_ERROR
    default:
      return s.exit_code();
  }
}

// "/cib/configuration/resources/primitive[@id='a']", as cibadmin -e prints it.
std::string node_path(const xmlNode* n) {
  std::string path;
  for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
    std::string step = "/" + std::string(xml::name(n));
    if (auto id = xml::attr(n, "id")) step += "[@id='" + *id + "']";
    path = step + path;
  }
  return path;
}

Result<std::string> read_input(const std::string& text, const std::string& file, bool pipe) {
  if (!text.empty()) return text;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return not_found("cannot read XML file " + file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  if (pipe) return std::string(std::istreambuf_iterator<char>(std::cin), {});
  return std::string();
}

int run(int argc, char** argv) {
  CLI::App app{"cibadmin - query and edit the cluster configuration (CIB)"};
  app.set_version_flag("-$,--version", "crm cibadmin 0.1");
  bool q = false, c = false, m = false, r = false, d = false, e = false, b = false, empty = false;
  bool delete_all = false, force = false, local = false, sync_call = false, allow_create = false;
  bool no_children = false, node_path_flag = false, patch = false, upgrade = false;
  int verbose = 0;
  int timeout_s = 30;
  std::string xml_text, xml_file, scope, xpath;
  bool xml_pipe = false;

  auto* cmds = app.add_option_group("Commands");
  cmds->add_flag("-Q,--query", q, "Query the contents of the CIB");
  cmds->add_flag("-E,--erase", e, "Erase the contents of the whole CIB (needs --force)");
  cmds->add_flag("-B,--bump", b, "Increase the CIB's epoch value by 1");
  cmds->add_flag("-C,--create", c, "Create an object in the CIB (fails if it exists)");
  cmds->add_flag("-M,--modify", m, "Find an object anywhere in the CIB and update it (fails if absent unless -c)");
  cmds->add_flag("-U,--update", m, "Deprecated alias of --modify");
  cmds->add_flag("-P,--patch", patch, "Apply a v2 patch (crm_diff's output) to the CIB, all or nothing");
  cmds->add_flag("-R,--replace", r, "Recursively replace an object in the CIB");
  cmds->add_flag("-D,--delete", d, "Delete the first object matching the supplied criteria");
  cmds->add_flag("-d,--delete-all", delete_all, "With --xpath, remove every matching object");
  cmds->add_flag("-a,--empty", empty, "Output an empty CIB");
  cmds->add_flag("-u,--upgrade", upgrade, "Upgrade the configuration to the latest schema (needs --force)");
  cmds->require_option(1);

  app.add_flag("-f,--force", force, "Allow dangerous commands (--erase); accepted with every command");
  app.add_option("-t,--timeout", timeout_s, "Seconds to wait for the daemon");
  app.add_flag("-s,--sync-call", sync_call, "Wait for the call to complete (always the case)");
  app.add_flag("-l,--local", local, "Command takes effect locally (queries are always local)");
  app.add_flag("-c,--allow-create", allow_create, "With --modify: create the object when absent");
  app.add_flag("-n,--no-children", no_children, "With --query: leave out the children of matches");
  app.add_flag("-V,--verbose", verbose, "More output");
  auto* data = app.add_option_group("Data");
  data->add_option("-X,--xml-text", xml_text, "XML from the supplied string");
  data->add_option("-x,--xml-file", xml_file, "XML from the named file");
  data->add_flag("-p,--xml-pipe", xml_pipe, "XML from stdin");
  app.add_option("-o,--scope,--obj_type", scope,
                 "Section: configuration, nodes, resources, constraints, crm_config, rsc_defaults, op_defaults, "
                 "acls, fencing-topology, tags, alerts, status");
  app.add_option("-A,--xpath", xpath, "An XPath to use instead of --scope");
  app.add_flag("-e,--node-path", node_path_flag, "With --xpath queries: print the path of each match");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& err) {
    int rc = app.exit(err);
    return rc == 0 ? 0 : 64;  // CRM_EX_USAGE
  }
  if (delete_all) d = true;

  if (empty) {
    Cib cib = Cib::empty();
    cib.set_version({0, 1, 0});
    std::cout << strip_declaration(cib.serialize(true));
    return 0;
  }
  if ((e || upgrade) && !force) {
    fmt::print(stderr,
               "The supplied command is considered dangerous.  To prevent accidental destruction of the cluster, "
               "the --force flag is required in order to proceed.\n");
    return kExitUnsafe;
  }

  // The CIB the environment names (CIB_shadow, CIB_file) or the daemon's.
  auto open_cib = [&] {
    ClientOptions options = ClientOptions::from_env();
    options.timeout = std::chrono::seconds(timeout_s > 0 ? timeout_s : 30);
    return connect(options);
  };

  if (upgrade) {
    // Our grammar accepts every older syntax as it is: upgrading names the
    // latest schema, without the peer's XSL transformations.
    auto client = open_cib();
    if (!client.ok()) return fail(client.status());
    auto current = (*client)->query_cib();
    if (!current.ok()) return fail(current.status());
    // The latest schema is what a new CIB gets (Cib::empty).
    const std::string latest = xml::attr_or(Cib::empty().root(), "validate-with");
    if (xml::attr_or(current->root(), "validate-with") == latest) {
      std::cout << "Upgrade unnecessary: Schema is already the latest available\n";
      return 0;
    }
    Request up;
    up.op = Op::kModify;
    up.section = "cib";
    up.fragment = "<cib validate-with=\"" + latest + "\"/>";
    auto reply = (*client)->call(up);
    if (!reply.ok()) return fail(reply.status());
    if (verbose) fmt::print(stderr, "cibadmin: validate-with is now {}\n", latest);
    return 0;
  }

  auto input = read_input(xml_text, xml_file, xml_pipe);
  if (!input.ok()) return fail(input.status());

  Request req;
  if (q) req.op = Op::kQuery;
  else if (c) req.op = Op::kCreate;
  else if (m) req.op = Op::kModify;
  else if (r) req.op = Op::kReplace;
  else if (d) req.op = Op::kDelete;
  else if (e) req.op = Op::kErase;
  else if (patch) req.op = Op::kPatch;
  else req.op = Op::kBump;
  req.section = scope;
  req.xpath = xpath;
  req.fragment = *input;
  req.allow_create = allow_create;
  req.delete_all = delete_all;
  req.no_children = no_children;
  if ((c || m || r || patch) && req.fragment.empty())
    return fail(invalid_argument("this command needs XML: give -X TEXT, -x FILE or -p"));
  if (d && req.fragment.empty() && req.xpath.empty())
    return fail(invalid_argument("--delete needs XML (-X/-x/-p) or --xpath"));
  if (d && !req.xpath.empty()) req.fragment.clear();

  auto client = open_cib();
  if (!client.ok()) return fail(client.status());

  if (q && node_path_flag && !xpath.empty()) {
    auto whole = (*client)->query_cib();
    if (!whole.ok()) return fail(whole.status());
    auto matches = whole->query(xpath);
    if (!matches.ok()) return fail(matches.status());
    for (xmlNode* n : *matches) std::cout << node_path(n) << "\n";
    return 0;
  }

  auto reply = (*client)->call(req);
  if (!reply.ok()) {
    // As the peer: deleting something that is not there is not an error.
    if (d && reply.status().code() == StatusCode::kNotFound) {
      if (verbose) fmt::print(stderr, "cibadmin: nothing matched: {}\n", reply.status().message());
      return 0;
    }
    if (patch) return fail_patch(reply.status());
    return fail(reply.status());
  }
  if (q) {
    std::cout << reply->xml;
    if (!reply->xml.empty() && reply->xml.back() != '\n') std::cout << '\n';
  } else if (verbose) {
    fmt::print(stderr, "cibadmin: done, CIB version {}\n", reply->version.to_string());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
