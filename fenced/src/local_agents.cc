// The public helpers for running fence agents locally (crm/fenced/fenced.h).
#include <algorithm>

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

namespace {

// Knows only whether an agent is installed; every agent gets empty meta-data.
class InstalledCatalog final : public AgentCatalog {
 public:
  explicit InstalledCatalog(ProcessAgentRunner& runner) : runner_(runner) {}
  Result<AgentInfo> info(const std::string& agent) override {
    if (!runner_.find(agent).ok()) missing.push_back(agent);
    return AgentInfo{};
  }
  std::vector<std::string> missing;

 private:
  ProcessAgentRunner& runner_;
};

}  // namespace

std::vector<FencingProblem> check_fencing_configuration(const xmlDoc* cib) {
  SystemClock clock;
  EventLoop loop(clock);
  ProcessAgentRunner runner(loop);
  InstalledCatalog catalog(runner);
  FencerConfig cfg = config_from_cib(cib, catalog);
  std::vector<FencingProblem> out;
  // Unsupported options (watchdog fencing) are warnings: the configuration itself is sound.
  for (const Status& p : cfg.problems) out.push_back({p.code() != StatusCode::kNotSupported, p.message()});
  std::vector<std::string> seen;
  for (const auto& agent : catalog.missing) {
    if (std::find(seen.begin(), seen.end(), agent) != seen.end()) continue;
    seen.push_back(agent);
    out.push_back({false, "fence agent '" + agent + "' is not installed on this machine"});
  }
  return out;
}

}  // namespace crm::fenced
