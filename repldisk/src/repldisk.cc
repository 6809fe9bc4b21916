#include "crm/repldisk/repldisk.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "crm/core/ipc.h"

namespace crm::repldisk {

const char* role_name(Role r) { return r == Role::kPrimary ? "Primary" : "Secondary"; }

const char* disk_state_name(DiskState s) {
  switch (s) {
    case DiskState::kUpToDate: return "UpToDate";
    case DiskState::kOutdated: return "Outdated";
    case DiskState::kInconsistent: return "Inconsistent";
  }
  return "?";
}

Result<DiskState> parse_disk_state(std::string_view text) {
  if (text == "UpToDate") return DiskState::kUpToDate;
  if (text == "Outdated") return DiskState::kOutdated;
  if (text == "Inconsistent") return DiskState::kInconsistent;
  return parse_error("unknown disk state '" + std::string(text) + "'");
}

std::string Generation::to_string() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%llu:%016llx", static_cast<unsigned long long>(counter),
                static_cast<unsigned long long>(id));
  return buf;
}

Result<Generation> Generation::parse(std::string_view text) {
  size_t colon = text.find(':');
  Generation g;
  if (colon == std::string_view::npos) return parse_error("generation '" + std::string(text) + "' is not COUNTER:ID");
  auto a = std::from_chars(text.data(), text.data() + colon, g.counter);
  auto b = std::from_chars(text.data() + colon + 1, text.data() + text.size(), g.id, 16);
  if (a.ec != std::errc() || a.ptr != text.data() + colon || b.ec != std::errc() || b.ptr != text.data() + text.size())
    return parse_error("generation '" + std::string(text) + "' is not COUNTER:ID");
  return g;
}

std::string default_state_dir(std::string_view name) { return "/var/lib/crm/repldisk/" + std::string(name); }

std::string default_run_dir(std::string_view name) {
  const char* base = std::getenv("CRM_REPLDISK_RUN_DIR");
  return std::string(base && *base ? base : "/run/crm-repldisk") + "/" + std::string(name);
}

Result<std::string> control_call(const std::string& run_dir, std::string_view request,
                                 std::chrono::milliseconds timeout) {
  std::string path = control_socket(run_dir);
  auto client = ipc::Client::connect(path);
  if (!client.ok()) return client.status().with_context("crm-repldisk control socket " + path);
  ASSIGN_OR_RETURN(std::string reply, client->call(request, timeout));
  if (reply.rfind("ok", 0) == 0) return reply;
  // "error <code-name>: <message>": keep the daemon's words, map back to a code
  // for the exit status the agent reads.
  std::string text = reply.substr(0, reply.find('\n'));
  if (text.rfind("error ", 0) == 0) text = text.substr(6);
  StatusCode code = StatusCode::kInternal;
  for (StatusCode c : {StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kPermissionDenied,
                       StatusCode::kUnavailable, StatusCode::kIoError, StatusCode::kOutdated,
                       StatusCode::kTimeout, StatusCode::kNotSupported}) {
    std::string n = status_code_name(c);
    if (text.rfind(n + ": ", 0) == 0) {
      code = c;
      text = text.substr(n.size() + 2);
      break;
    }
  }
  return Status(code, text);
}

}  // namespace crm::repldisk
