// The public helpers for running fence agents locally (crm/fenced/fenced.h).
#include "agent.h"
#include "crm/core/clock.h"
#include "crm/fenced/fenced.h"

namespace crm::fenced {

std::vector<std::string> installed_agents() {
  SystemClock clock;
  EventLoop loop(clock);
  return ProcessAgentRunner(loop).installed();
}

Result<std::string> agent_metadata(const std::string& agent, std::chrono::milliseconds timeout) {
  SystemClock clock;
  EventLoop loop(clock);
  ASSIGN_OR_RETURN(std::string path, ProcessAgentRunner(loop).find(agent));
  AgentOutcome o = run_agent_blocking(path, "action=metadata\n", timeout, {"-o", "metadata"});
  if (!o.status.ok()) return o.status.with_context("meta-data of " + agent);
  if (o.rc != 0) return unavailable("meta-data of " + agent + " failed: " + o.reason());
  return o.output;
}

Result<ValidateResult> validate_agent(const std::string& agent, const std::map<std::string, std::string>& params,
                                      std::chrono::milliseconds timeout) {
  SystemClock clock;
  EventLoop loop(clock);
  ProcessAgentRunner runner(loop);
  ASSIGN_OR_RETURN(std::string path, runner.find(agent));
  Device d;
  d.agent = agent;
  d.params = params;
  d.host_argument = "none";
  AgentOutcome o = run_agent_blocking(path, d.agent_stdin("validate-all", ""), timeout);
  if (!o.status.ok()) return o.status.with_context("validate-all of " + agent);
  return ValidateResult{o.rc, o.output, o.error};
}

}  // namespace crm::fenced
