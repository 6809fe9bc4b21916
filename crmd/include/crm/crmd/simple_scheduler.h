// A small, deterministic policy engine, for the cluster simulator (and as the
// daemon's fallback with --scheduler=simple while the full one is missing): primitives
// and groups, location preferences, stickiness (keep running where it is),
// standby/shutdown, no-quorum-policy, probes. It writes the peer's graph
// format, so the controller and transition engine run exactly as they do with
// the real policy engine; it exists so the simulator does not depend on the
// full scheduler's coverage (and to be obviously right).
#pragma once

#include <ctime>
#include <string>

#include "crm/cib/cib.h"
#include "crm/core/status.h"

namespace crm::crmd {

Result<std::string> simple_schedule(const cib::Cib& cib, std::time_t now);

}  // namespace crm::crmd
