// Names and small helpers for the public types in lrmd.h.
#include <cstdlib>

#include <fmt/format.h>

#include "crm/core/op_key.h"
#include "crm/lrmd/lrmd.h"

namespace crm::lrmd {

namespace {
struct OpStatusName {
  ExecStatus status;
  const char* name;
};
constexpr OpStatusName kOpStatusNames[] = {
    {ExecStatus::kPending, "pending"},           {ExecStatus::kDone, "done"},
    {ExecStatus::kCancelled, "cancelled"},       {ExecStatus::kTimeout, "timeout"},
    {ExecStatus::kNotSupported, "not-supported"}, {ExecStatus::kError, "error"},
    {ExecStatus::kNotInstalled, "not-installed"}, {ExecStatus::kInvalid, "invalid"},
};
}  // namespace

const char* op_status_name(ExecStatus s) {
  for (const auto& n : kOpStatusNames) {
    if (n.status == s) return n.name;
  }
  return "error";
}

ExecStatus op_status_from_name(const std::string& name) {
  for (const auto& n : kOpStatusNames) {
    if (name == n.name) return n.status;
  }
  return ExecStatus::kError;
}

std::string ExecRequest::agent_spec() const {
  if (standard == kClassOcf) return standard + ":" + provider + ":" + type;
  return standard + ":" + type;
}

std::string ExecRequest::op_key() const { return crm::op_key(rsc_id, action, interval_ms); }

std::string ExecResult::op_key() const { return crm::op_key(rsc_id, action, interval_ms); }


std::string ExecResult::summary() const {
  std::string s = fmt::format("{} (call {}): {} ({})", op_key(), call_id, ocf_rc_text(rc), op_status_name(op_status));
  if (!exit_reason.empty()) s += " '" + exit_reason + "'";
  s += fmt::format(" in {} ms", duration_ms);
  return s;
}

Status parse_agent_spec(const std::string& spec, ExecRequest* out) {
  auto bad = [&] { return invalid_argument("'" + spec + "' is not a valid agent specification"); };
  auto first = spec.find(':');
  if (first == std::string::npos || first == 0) return bad();
  out->standard = spec.substr(0, first);
  std::string rest = spec.substr(first + 1);
  auto second = rest.find(':');
  if (out->standard == kClassOcf) {
    if (second == std::string::npos || second == 0 || second + 1 == rest.size()) return bad();
    out->provider = rest.substr(0, second);
    out->type = rest.substr(second + 1);
  } else {
    if (second != std::string::npos || rest.empty()) return bad();
    out->provider.clear();
    out->type = rest;
  }
  return Status::Ok();
}

AgentPaths AgentPaths::defaults() {
  AgentPaths p;
  const char* env = std::getenv("CRM_OCF_ROOT");
  p.ocf_root = (env && *env) ? env : "/usr/lib/ocf";
  return p;
}

}  // namespace crm::lrmd
