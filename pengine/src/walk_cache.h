// Sharing of colocation-walk score snapshots between add_colocated_scores()
// calls (colocation.cc). A walk reads each visited resource's allowed scores
// once; while a WalkCacheScope is alive, those snapshots are kept for the
// following walks too. Open one only over a stretch of the assignment in which
// no resource a walk may visit changes its allowed scores, or call forget()
// for the resources that do (e.g. a clone instance just assigned).
#pragma once

#include "working_set.h"

namespace crm::pengine {

class WalkCacheScope {
 public:
  WalkCacheScope();
  ~WalkCacheScope();
  WalkCacheScope(const WalkCacheScope&) = delete;
  WalkCacheScope& operator=(const WalkCacheScope&) = delete;
  // Drops the snapshots of `rsc` and its descendants.
  void forget(const Resource* rsc);

  struct State;  // defined in colocation.cc

 private:
  State* state_;
  State* previous_;
};

}  // namespace crm::pengine
