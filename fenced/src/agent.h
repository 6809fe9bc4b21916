// Running fence agents (FenceAgentAPI): the agent gets key=value lines on
// stdin (action=, port=/plug=, the device's parameters), its exit code is the
// answer (0 ok; status: 2 = off). A timed-out agent's process group is
// SIGKILLed before the outcome is reported. Spawning is core's
// spawn_child/reap_child (the code lrmd uses).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "crm/core/event_loop.h"
#include "crm/core/status.h"

namespace crm::fenced {

struct AgentOutcome {
  Status status;           // ok when the agent ran to an exit; not-found, timeout, io-error otherwise
  int rc = 1;              // exit code (1 when killed or not run)
  std::string output;      // stdout (last 64 KiB)
  std::string error;       // stderr (last 64 KiB)
  std::chrono::milliseconds duration{0};
  bool ok() const { return status.ok() && rc == 0; }
  // The last non-empty stderr line, else the status message.
  std::string reason() const;
};

// The interface the fencer core runs agents through (tests may fake it).
class AgentRunner {
 public:
  virtual ~AgentRunner() = default;
  using Done = std::function<void(const AgentOutcome&)>;
  // Runs `agent` with `stdin_text`. `done` is called later, from the loop,
  // never from inside run().
  virtual void run(const std::string& agent, const std::string& stdin_text, std::chrono::milliseconds timeout,
                   Done done) = 0;
};

// $CRM_FENCE_AGENT_DIRS (colon-separated), else /usr/sbin:/usr/bin.
std::vector<std::string> default_agent_dirs();

// Runs agents as processes on an event loop; also the AgentCatalog (meta-data
// read once per agent by running `-o metadata`, blocking up to 10 s).
class ProcessAgentRunner final : public AgentRunner, public AgentCatalog {
 public:
  explicit ProcessAgentRunner(EventLoop& loop, std::vector<std::string> dirs = default_agent_dirs());
  ~ProcessAgentRunner() override;

  void run(const std::string& agent, const std::string& stdin_text, std::chrono::milliseconds timeout,
           Done done) override;
  Result<AgentInfo> info(const std::string& agent) override;
  // Absolute path of an installed agent; not-found otherwise (names with '/' are refused).
  Result<std::string> find(const std::string& agent) const;
  // Names of the fence_* programs in the agent directories, sorted.
  std::vector<std::string> installed() const;
  // SIGKILLs every running agent's process group (daemon shutdown).
  void kill_all();
  size_t running() const;

 private:
  struct Running;
  void finish(int pid, bool timed_out);
  EventLoop& loop_;
  std::vector<std::string> dirs_;
  std::map<int, std::unique_ptr<Running>> running_;
  std::map<std::string, AgentInfo> info_cache_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Runs an agent to completion without a loop (tools: metadata, validate).
AgentOutcome run_agent_blocking(const std::string& path, const std::string& stdin_text,
                                std::chrono::milliseconds timeout, const std::vector<std::string>& extra_args = {});

}  // namespace crm::fenced
