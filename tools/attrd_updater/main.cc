// attrd_updater: query and update transient node attributes through attrd,
// with the peer's options, output and exit codes (docs/attrd.md).
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "crm/attrd/attrd.h"
#include "crm/core/duration.h"
#include "crm/tools/admin.h"

namespace {

using namespace crm;

constexpr int kExitConfig = 78;       // CRM_EX_CONFIG: what the peer returns for "attribute does not exist"
constexpr int kExitDisconnect = 102;  // CRM_EX_DISCONNECT

int fail(const std::string& msg, int rc) {
  std::fprintf(stderr, "attrd_updater: %s\n", msg.c_str());
  return rc;
}

int exit_for(const Status& s) {
  if (s.code() == StatusCode::kUnavailable) return kExitDisconnect;
  return s.exit_code() ? s.exit_code() : tools::kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"attrd_updater - query and update node attributes held by attrd"};
  app.set_version_flag("-$,--version", "crm attrd_updater 0.1");
  std::string name, value, delay, set, node, lifetime, output_as = "text";
  char command = 'Q';
  bool all = false, is_private = false;
  int verbose = 0;
  app.add_option("-n,--name", name, "The attribute's name");
  auto cmd = [&](char c) { return [&command, &value, c](const std::string& v) { command = c, value = v; }; };
  app.add_option_function<std::string>("-U,--update,-v", cmd('U'), "Update the attribute's value");
  app.add_option_function<std::string>("-B,--update-both", cmd('B'), "Update the value and the dampening (needs -d)");
  app.add_flag_callback("-Y,--update-delay", [&] { command = 'Y'; }, "Update the dampening (needs -d)");
  app.add_flag_callback("-Q,--query", [&] { command = 'Q'; }, "Query the attribute's value");
  app.add_flag_callback("-D,--delete", [&] { command = 'D'; }, "Unset the attribute's value");
  app.add_flag_callback("-R,--refresh", [&] { command = 'R'; }, "Have attrd write every value to the CIB again");
  app.add_option("-d,--delay", delay, "Dampening: how long to wait for further changes before writing (5s, 500ms; bare: seconds)");
  app.add_option("-s,--set", set, "The attribute set to place the value in");
  app.add_option("-N,--node", node, "The node (default: this one)");
  app.add_flag("-A,--all", all, "With -Q: the values on every node");
  app.add_option("-l,--lifetime", lifetime, "reboot (status) or forever (nodes): accepted, as the peer, and ignored");
  app.add_flag("-p,--private", is_private, "When it creates the attribute: never write it to the CIB");
  app.add_option("--output-as", output_as, "Output format")->check(CLI::IsMember({"text"}));
  app.add_flag("-V,--verbose", verbose, "More output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : tools::kExitUsage;
  }
  if (!lifetime.empty() && lifetime != "reboot" && lifetime != "status" && lifetime != "forever" &&
      lifetime != "nodes")
    return fail("Unknown value for --lifetime: " + lifetime, tools::kExitUsage);
  if (command != 'R' && name.empty()) return fail("Command requires --name argument", tools::kExitUsage);
  if ((command == 'B' || command == 'Y') && delay.empty())
    std::printf("Warning: '%c' command given without required --delay\n", command);

  attrd::Update u;
  u.name = name;
  u.host = node;
  u.set_id = set;
  u.is_private = is_private;
  if (!delay.empty() && (command == 'B' || command == 'Y')) {
    auto d = parse_duration(delay);
    if (!d.ok()) return fail("Invalid --delay: " + d.status().message(), tools::kExitUsage);
    u.dampen = *d;
  }

  auto client = attrd::AttrdClient::connect();
  if (!client.ok()) return fail("Could not connect to attrd: " + client.status().message(), kExitDisconnect);

  if (command == 'Q') {
    auto values = (*client)->query(name, all ? "" : node, all);
    if (!values.ok() && values.status().code() != StatusCode::kNotFound)
      return fail("Could not query value of " + name + ": " + values.status().message(), exit_for(values.status()));
    if (!values.ok() || values->empty())
      return fail("Could not query value of " + name + ": attribute does not exist", kExitConfig);
    for (const auto& v : *values)
      std::cout << "name=\"" << v.name << "\" host=\"" << v.host << "\" value=\"" << v.value << "\"\n";
    return tools::kExitOk;
  }
  Status s;
  if (command == 'R') {
    s = (*client)->refresh();
  } else {
    if (command == 'U' || command == 'B') u.value = value;
    if (command == 'D') u.value = "";
    if (command == 'Y' && !u.dampen) return tools::kExitOk;  // nothing to change, as the peer
    s = (*client)->update(u);
  }
  if (!s.ok()) return fail("Could not update " + name + "=" + value + ": " + s.message(), exit_for(s));
  return tools::kExitOk;
}
