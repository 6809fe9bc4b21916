#pragma once

#include <string>
#include <vector>

#include "crm/pengine/pengine.h"

namespace crm::pengine {
struct WorkingSet;
// Transition Summary lines (without the leading "  * ").
std::vector<std::string> transition_summary(WorkingSet& ws);
// Status before the transition (after=false) or once it has run (after=true).
ClusterStatus cluster_status(WorkingSet& ws, bool after);
}  // namespace crm::pengine
