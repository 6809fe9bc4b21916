// stonith_admin: the fencer's command-line tool, with the peer's options,
// output (text and --output-as=xml) and exit codes where we have them
// (docs/fenced.md). Talks to the local fenced over its socket; --metadata,
// --list-installed and --validate run the agent here, as the peer does.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "crm/core/clock.h"
#include "crm/core/event_loop.h"
#include "crm/core/xml.h"
#include "crm/tools/output.h"
#include "crm/fenced/fenced.h"

namespace {

using namespace crm;
using namespace std::chrono_literals;

// The peer's crm_exit_t values stonith_admin uses.
constexpr int kExitOk = 0, kExitError = 1, kExitInvalidParam = 2, kExitUsage = 64, kExitDisconnect = 102,
              kExitNoSuch = 105, kExitTimeout = 124;

struct Args {
  char command = 0;   // the short option of the command
  std::string value;  // its argument
  std::string agent;
  std::map<std::string, std::string> params;
  std::vector<std::string> devices;
  int index = 0;
  int timeout_s = 120;
  int delay_s = 0;
  int tolerance_s = 0;
  bool xml = false;  // structured output: xml, json or html (the same tree)
  crm::tools::OutputFormat format = crm::tools::OutputFormat::kText;
  bool quiet = false;
  int verbose = 0;
  std::string request;  // the command line, for <pacemaker-result request=...>
};

void usage(FILE* to) {
  std::fprintf(to,
               "Usage:\n  stonith_admin [OPTION?]\n\n"
               "stonith_admin - Access the fencing API (crm's fenced)\n\n"
               "Device Definition Commands:\n"
               "  -R, --register=DEVICE         Register the named stonith device. Requires: --agent. Optional: --option.\n"
               "  -D, --deregister=DEVICE       De-register the named stonith device.\n"
               "  -r, --register-level=TARGET   Register a stonith level for the named target (NAME, @PATTERN, ATTR=VALUE).\n"
               "                                Requires: --index and one or more --device entries.\n"
               "  -d, --deregister-level=TARGET Unregister a stonith level. Requires: --index\n\n"
               "Queries:\n"
               "  -l, --list=HOST               List devices that can terminate the specified host.\n"
               "  -L, --list-registered         List all registered devices.\n"
               "  -I, --list-installed          List all installed devices.\n"
               "  -s, --list-targets=DEVICE     List the targets that can be fenced by the named device.\n"
               "  -M, --metadata                Show agent metadata. Requires: --agent.\n"
               "  -Q, --query=DEVICE            Check the named device's status.\n"
               "  -H, --history=NODE            Show the fencing history of NODE (or '*' for all nodes).\n"
               "  -h, --last=NODE               Indicate when the named node was last fenced.\n"
               "  -K, --validate                Validate a fence device configuration. Requires: --agent.\n\n"
               "Fencing Commands:\n"
               "  -F, --fence=HOST              Fence named host. Optional: --timeout, --delay.\n"
               "  -U, --unfence=HOST            Unfence named host.\n"
               "  -B, --reboot=HOST             Reboot named host.\n"
               "  -C, --confirm=HOST            Tell cluster that named host is now safely down.\n\n"
               "Additional Options:\n"
               "  -a, --agent=AGENT   -o, --option=NAME=VALUE   -v, --device=DEVICE   -i, --index=LEVEL\n"
               "  -t, --timeout=SECONDS (default 120)   -y, --delay=SECONDS   --tolerance=SECONDS\n"
               "  -q, --quiet   -V, --verbose\n"
               "  --output-as=text|xml|json|html\n");
}

// ---- output ------------------------------------------------------------------

class Output {
 public:
  explicit Output(const Args& a) : a_(a) {
    if (a_.xml) {
      doc_ = xml::new_document("pacemaker-result");
      xml::set_attr(xml::root(doc_), "api-version", "2.25");
      xml::set_attr(xml::root(doc_), "request", a_.request);
    }
  }

  // A list as the peer prints it: the items, then "N <noun(s)> found";
  // in XML <list name=TITLE count=N><item name="device">...</item></list>.
  void list(const char* singular, const char* plural, const char* xml_title, const std::vector<std::string>& items) {
    if (a_.xml) {
      xmlNode* l = xml::add_child(xml::root(doc_), "list");
      xml::set_attr(l, "name", xml_title);
      xml::set_attr(l, "count", std::to_string(items.size()));
      for (const auto& i : items) {
        xmlNode* it = xml::add_child(l, "item");
        xml::set_attr(it, "name", "device");
        xmlNodeAddContent(it, reinterpret_cast<const xmlChar*>(i.c_str()));
      }
      return;
    }
    for (const auto& i : items) std::printf("%s\n", i.c_str());
    std::printf("%zu %s found\n", items.size(), items.size() == 1 ? singular : plural);
  }

  void history(const std::vector<fenced::HistoryEntry>& entries) {
    if (a_.xml) {
      // As the peer's stonith_admin (crm_mon wraps the same events in <fence_history>).
      xmlNode* h = xml::add_child(xml::root(doc_), "list");
      xml::set_attr(h, "name", "fencing history");
      xml::set_attr(h, "count", std::to_string(entries.size()));
      for (const auto& e : entries) fenced::add_history_xml(h, e);
      return;
    }
    for (const auto& e : entries) std::printf("%s\n", fenced::history_line(e).c_str());
    std::printf("%zu %s found\n", entries.size(), entries.size() == 1 ? "event" : "events");
  }

  void text(const std::string& line, const char* xml_element = nullptr,
            const std::map<std::string, std::string>& attrs = {}) {
    if (a_.xml) {
      if (!xml_element) return;
      xmlNode* n = xml::add_child(xml::root(doc_), xml_element);
      for (const auto& [k, v] : attrs) xml::set_attr(n, k.c_str(), v);
      return;
    }
    if (!a_.quiet) std::printf("%s\n", line.c_str());
  }

  // Agent meta-data: as is, in XML inside <metadata><![CDATA[...]]>.
  void metadata(const std::string& text) {
    if (a_.xml) {
      // Without the agent's XML declaration, as the peer embeds it.
      std::string body = text;
      if (body.rfind("<?xml", 0) == 0) {
        size_t end = body.find("?>");
        body = end == std::string::npos ? body : body.substr(body.find_first_not_of(" \t\r\n", end + 2));
      }
      xmlNode* m = xml::add_child(xml::root(doc_), "metadata");
      xmlAddChild(m, xmlNewCDataBlock(doc_.get(), reinterpret_cast<const xmlChar*>(body.c_str()),
                                      static_cast<int>(body.size())));
      return;
    }
    std::fputs(text.c_str(), stdout);
  }

  // validate-all's verdict and output, as the peer's "validate" message.
  void validate(const std::string& agent, const fenced::ValidateResult& v) {
    if (a_.xml) {
      xmlNode* n = xml::add_child(xml::root(doc_), "validate");
      xml::set_attr(n, "agent", agent);
      xml::set_attr(n, "valid", v.rc == 0 ? "true" : "false");
      xmlNode* c = xml::add_child(n, "command");
      xml::set_attr(c, "code", std::to_string(v.rc));
      for (auto [source, text] : {std::pair{"stdout", &v.output}, std::pair{"stderr", &v.error}}) {
        if (text->empty()) continue;
        xmlNode* o = xml::add_child(c, "output");
        xml::set_attr(o, "source", source);
        xmlNodeAddContent(o, reinterpret_cast<const xmlChar*>(text->c_str()));
      }
      return;
    }
    if (a_.quiet) return;
    std::printf("Validation of %s %s\n", agent.c_str(), v.rc == 0 ? "succeeded" : "failed");
    if (!v.output.empty()) std::printf("%s\n", v.output.c_str());
    if (!v.error.empty()) std::printf("%s\n", v.error.c_str());
  }

  int finish(int exit_code, const std::string& error) {
    if (a_.xml) {
      xmlNode* st = xml::add_child(xml::root(doc_), "status");
      xml::set_attr(st, "code", std::to_string(exit_code));
      xml::set_attr(st, "message", exit_code == 0 ? "OK" : exit_name(exit_code));
      if (!error.empty()) {
        xmlNode* errs = xml::add_child(st, "errors");
        xmlNode* e = xml::add_child(errs, "error");
        xmlNodeAddContent(e, reinterpret_cast<const xmlChar*>(error.c_str()));
      }
      std::string out = xml::to_string(doc_.get(), true);
      auto rendered = crm::tools::render_output(a_.format, out, "stonith_admin");
      std::fputs((rendered.ok() ? *rendered : out).c_str(), stdout);
    } else if (!error.empty()) {
      std::fprintf(stderr, "stonith_admin: %s\n", error.c_str());
    }
    return exit_code;
  }


 private:
  static const char* exit_name(int code) {
    switch (code) {
      case kExitError: return "Error occurred";
      case kExitInvalidParam: return "Invalid parameter";
      case kExitUsage: return "Incorrect usage";
      case kExitDisconnect: return "Lost connection to something";
      case kExitNoSuch: return "No such object";
      case kExitTimeout: return "Timeout occurred";
      default: return "Error occurred";
    }
  }
  const Args& a_;
  xml::DocPtr doc_;
};

int exit_for(const Status& s) {
  if (s.ok()) return kExitOk;
  switch (s.code()) {
    case StatusCode::kTimeout: return kExitTimeout;
    case StatusCode::kInvalidArgument: return kExitInvalidParam;
    case StatusCode::kNotFound: return kExitNoSuch;  // "No such device", as the peer
    default: return kExitError;
  }
}

Result<Args> parse(int argc, char** argv) {
  Args a;
  for (int i = 0; i < argc; ++i) {
    a.request += (i ? " " : "") + std::string(argv[i]);
    std::string arg = argv[i];
    if (i > 0 && (arg == "-?" || arg == "--help" || arg == "--help-all")) {
      a.command = '?';
      return a;
    }
  }
  enum { kOutputAs = 1000, kTolerance };
  static const option longs[] = {
      {"register", required_argument, nullptr, 'R'},   {"deregister", required_argument, nullptr, 'D'},
      {"register-level", required_argument, nullptr, 'r'}, {"deregister-level", required_argument, nullptr, 'd'},
      {"list", required_argument, nullptr, 'l'},       {"list-registered", no_argument, nullptr, 'L'},
      {"list-installed", no_argument, nullptr, 'I'},   {"metadata", no_argument, nullptr, 'M'},
      {"list-targets", required_argument, nullptr, 's'},
      {"query", required_argument, nullptr, 'Q'},      {"history", required_argument, nullptr, 'H'},
      {"last", required_argument, nullptr, 'h'},       {"validate", no_argument, nullptr, 'K'},
      {"fence", required_argument, nullptr, 'F'},      {"unfence", required_argument, nullptr, 'U'},
      {"reboot", required_argument, nullptr, 'B'},     {"confirm", required_argument, nullptr, 'C'},
      {"agent", required_argument, nullptr, 'a'},      {"option", required_argument, nullptr, 'o'},
      {"device", required_argument, nullptr, 'v'},     {"index", required_argument, nullptr, 'i'},
      {"timeout", required_argument, nullptr, 't'},    {"delay", required_argument, nullptr, 'y'},
      {"quiet", no_argument, nullptr, 'q'},            {"verbose", no_argument, nullptr, 'V'},
      {"output-as", required_argument, nullptr, kOutputAs}, {"tolerance", required_argument, nullptr, kTolerance},
      {nullptr, 0, nullptr, 0}};
  optind = 1;
  opterr = 0;
  int c;
  auto number = [](const char* s, const char* what) -> Result<int> {
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (!*s || *end) return invalid_argument(std::string(what) + " '" + s + "' is not a number");
    return static_cast<int>(v);
  };
  while ((c = getopt_long(argc, argv, "R:D:r:d:l:LIMQ:H:h:KF:U:B:C:s:a:o:v:i:t:y:qV", longs, nullptr)) != -1) {
    switch (c) {
      case 'R': case 'D': case 'r': case 'd': case 'l': case 'Q': case 'H': case 'h': case 's':
      case 'F': case 'U': case 'B': case 'C':
        if (a.command && a.command != c) return invalid_argument("only one command may be given");
        a.command = static_cast<char>(c);
        a.value = optarg;
        break;
      case 'L': case 'I': case 'M': case 'K':
        if (a.command && a.command != c) return invalid_argument("only one command may be given");
        a.command = static_cast<char>(c);
        break;
      case 'a': a.agent = optarg; break;
      case 'o': {
        std::string kv = optarg;
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) return invalid_argument("option '" + kv + "' is not NAME=VALUE");
        a.params[kv.substr(0, eq)] = kv.substr(eq + 1);
        break;
      }
      case 'v': a.devices.push_back(optarg); break;
      case 'i': { ASSIGN_OR_RETURN(a.index, number(optarg, "index")); break; }
      case 't': { ASSIGN_OR_RETURN(a.timeout_s, number(optarg, "timeout")); break; }
      case 'y': { ASSIGN_OR_RETURN(a.delay_s, number(optarg, "delay")); break; }
      case 'q': a.quiet = true; break;
      case 'V': ++a.verbose; break;
      case kTolerance: { ASSIGN_OR_RETURN(a.tolerance_s, number(optarg, "tolerance")); break; }
      case kOutputAs:
      {
        ASSIGN_OR_RETURN(a.format, crm::tools::parse_output_format(optarg));
        a.xml = a.format != crm::tools::OutputFormat::kText;
        break;
      }
      default: return invalid_argument(std::string("unknown option or missing argument: ") + argv[optind - 1]);
    }
  }
  if (optind < argc) return invalid_argument(std::string("unexpected argument '") + argv[optind] + "'");
  if (a.timeout_s <= 0) a.timeout_s = 120;
  return a;
}

int run(const Args& a) {
  Output out(a);
  auto timeout = std::chrono::milliseconds(static_cast<long long>(a.timeout_s) * 1000);
  // Local commands: no daemon needed.
  if (a.command == 'I') {
    out.list("fence device", "fence devices", "installed fence devices", fenced::installed_agents());
    return out.finish(kExitOk, "");
  }
  if (a.command == 'M') {
    if (a.agent.empty()) return out.finish(kExitUsage, "--metadata requires --agent");
    auto m = fenced::agent_metadata(a.agent, timeout);
    if (!m.ok()) return out.finish(m.status().code() == StatusCode::kNotFound ? kExitNoSuch : kExitError, m.status().message());
    out.metadata(*m);
    return out.finish(kExitOk, "");
  }
  if (a.command == 'K') {
    if (a.agent.empty()) return out.finish(kExitUsage, "--validate requires --agent");
    auto v = fenced::validate_agent(a.agent, a.params, timeout);
    if (!v.ok()) return out.finish(v.status().code() == StatusCode::kNotFound ? kExitNoSuch : kExitError, v.status().message());
    out.validate(a.agent, *v);
    return out.finish(v->rc == 0 ? kExitOk : kExitError, "");
  }

  SystemClock clock;
  EventLoop loop(clock);
  auto client = fenced::FencerClient::connect(loop, "", "stonith_admin." + std::to_string(getpid()));
  if (!client.ok()) return out.finish(kExitDisconnect, "Could not connect to fencer: " + client.status().message());
  fenced::FencerClient& f = **client;

  switch (a.command) {
    case 'R': {
      if (a.agent.empty()) return out.finish(kExitUsage, "--register requires --agent");
      Status s = f.register_device(a.value, a.agent, a.params);
      return out.finish(exit_for(s), s.ok() ? "" : "Can't register device " + a.value + ": " + s.message());
    }
    case 'D': {
      Status s = f.unregister_device(a.value);
      if (s.code() == StatusCode::kNotFound) s = Status::Ok();  // the peer succeeds too
      return out.finish(exit_for(s), s.ok() ? "" : "Can't unregister device " + a.value + ": " + s.message());
    }
    case 'r': {
      if (a.index <= 0 || a.devices.empty()) return out.finish(kExitUsage, "--register-level requires --index and --device");
      Status s = f.register_level(a.value, a.index, a.devices);
      return out.finish(exit_for(s), s.ok() ? "" : "Can't register topology level: " + s.message());
    }
    case 'd': {
      if (a.index <= 0) return out.finish(kExitUsage, "--deregister-level requires --index");
      Status s = f.unregister_level(a.value, a.index);
      if (s.code() == StatusCode::kNotFound) s = Status::Ok();  // the peer succeeds too
      return out.finish(exit_for(s), s.ok() ? "" : "Can't unregister topology level: " + s.message());
    }
    case 'L': {
      auto d = f.devices();
      if (!d.ok()) return out.finish(exit_for(d.status()), d.status().message());
      std::vector<std::string> ids;
      for (const auto& x : *d) ids.push_back(x.id);
      out.list("fence device", "fence devices", "registered fence devices", ids);
      return out.finish(kExitOk, "");
    }
    case 'l': {
      auto d = f.query(a.value, timeout);
      if (!d.ok()) return out.finish(exit_for(d.status()), d.status().message());
      out.list("fence device", "fence devices", "registered fence devices", *d);
      return out.finish(kExitOk, "");
    }
    case 's': {
      auto t = f.targets(a.value, timeout);
      if (!t.ok()) return out.finish(exit_for(t.status()), t.status().message());
      out.list("target", "targets", "fence targets", *t);
      return out.finish(kExitOk, "");
    }
    case 'Q': {
      Status s = f.monitor(a.value, timeout);
      return out.finish(exit_for(s), s.ok() ? "" : s.message());
    }
    case 'H': {
      auto h = f.history(a.value);
      if (!h.ok()) return out.finish(exit_for(h.status()), h.status().message());
      out.history(*h);
      return out.finish(kExitOk, "");
    }
    case 'h': {
      auto h = f.history(a.value);
      if (!h.ok()) return out.finish(exit_for(h.status()), h.status().message());
      std::time_t last = 0;
      for (const auto& e : *h) {
        if (e.state == "success" && e.action != "on") last = std::max(last, e.completed);
      }
      if (last == 0) {
        out.text("Node " + a.value + " has never been fenced", "last-fenced", {{"target", a.value}, {"last", "0"}});
      } else {
        char buf[64];
        std::tm tm;
        localtime_r(&last, &tm);
        std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
        out.text("Node " + a.value + " last fenced at: " + buf, "last-fenced",
                 {{"target", a.value}, {"last", std::to_string(static_cast<long long>(last))}});
      }
      return out.finish(kExitOk, "");
    }
    case 'C': {
      Status s = f.confirm(a.value);
      return out.finish(exit_for(s), s.ok() ? "" : "Could not confirm " + a.value + ": " + s.message());
    }
    case 'F': case 'B': case 'U': {
      std::string action = a.command == 'F' ? "off" : a.command == 'B' ? "reboot" : "on";
      std::string verb = a.command == 'F' ? "fence" : a.command == 'B' ? "reboot" : "unfence";
      auto r = f.fence_sync(a.value, action, timeout, std::chrono::milliseconds(std::max(0, a.delay_s) * 1000LL),
                            std::chrono::milliseconds(std::max(0, a.tolerance_s) * 1000LL));
      if (!r.ok()) return out.finish(exit_for(r.status()), "Couldn't " + verb + " " + a.value + ": " + r.status().message());
      if (!r->status.ok()) {
        std::string why = r->status.code() == StatusCode::kNotFound ? "No such device (" + r->status.message() + ")"
                          : r->status.code() == StatusCode::kTimeout ? "Timer expired (" + r->status.message() + ")"
                                                                     : "Error occurred (" + r->status.message() + ")";
        return out.finish(exit_for(r->status), "Couldn't " + verb + " " + a.value + ": " + why);
      }
      if (a.verbose) out.text(action + " of " + a.value + " by " + r->entry.delegate + " with " + r->entry.device + ": OK");
      return out.finish(kExitOk, "");
    }
    default:
      break;
  }
  return out.finish(kExitUsage, "no command given (see --help)");
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse(argc, argv);
  if (!args.ok()) {
    std::fprintf(stderr, "stonith_admin: %s\n", args.status().message().c_str());
    usage(stderr);
    return kExitUsage;
  }
  if (args->command == '?') {
    usage(stdout);
    return kExitOk;
  }
  if (args->command == 0) {
    std::fprintf(stderr, "stonith_admin: no command given\n");
    usage(stderr);
    return kExitUsage;
  }
  return run(*args);
}
