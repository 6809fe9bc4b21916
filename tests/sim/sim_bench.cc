// sim_bench: many seeds of the deterministic cluster simulation with fencing
// on, hangs among the faults and half the faults landing before the cluster
// settles (as crm_cluster_sim_test's campaign, at scale). Prints the faults
// injected per kind, the violations found, and the wall time; a failing seed
// replays exactly with --first SEED --seeds 1 (CRM_SIM_VERBOSE=SEED for its
// controllers' logs). A benchmark: it reports, it asserts nothing.
//
//   sim_bench [--seeds N] [--first SEED] [--steps S] [--nodes K]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "cluster_sim.h"

namespace {

using namespace crm;
using namespace std::chrono_literals;

std::string config(int nodes) {
  std::string node_list;
  for (int i = 1; i <= nodes; ++i) node_list += "<node id=\"" + std::to_string(i) + "\" uname=\"n" + std::to_string(i) + "\"/>";
  return R"(<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="o1" name="stonith-enabled" value="true"/>
      <nvpair id="o2" name="no-quorum-policy" value="stop"/></cluster_property_set></crm_config>
    <nodes>)" + node_list + R"(</nodes>
    <resources><primitive id="fencing" class="stonith" type="fence_sim"/><group id="web">
      <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/>
      <primitive id="httpd" class="ocf" provider="crm" type="Dummy"/></group>
      <primitive id="db" class="ocf" provider="crm" type="Dummy"/></resources>
    <constraints/></configuration>)";
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seeds = 100, first = 1;
  int steps = 25, nodes = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seeds")) seeds = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--first")) first = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--steps")) steps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--nodes")) nodes = std::atoi(argv[i + 1]);
  }
  std::map<std::string, long> faults;
  long violations = 0, failed_seeds = 0, fenced = 0, fence_failed = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t seed = first; seed < first + seeds; ++seed) {
    sim::World w({.nodes = nodes, .seed = seed, .check_every_step = true, .hang_faults = true});
    w.configure(config(nodes));
    w.start_all();
    w.settle();
    std::vector<std::string> bad;
    for (int i = 0; i < steps && bad.empty(); ++i) {
      std::string what = w.random_fault();
      faults[what.substr(0, what.find(' '))]++;
      if (w.rng()() % 2) {
        w.settle(std::chrono::milliseconds(w.rng()() % 400));
        bad = w.step_violations();
      } else {
        w.settle();
        bad = w.check_invariants();
      }
    }
    if (bad.empty()) {
      w.heal();
      w.settle();
      bad = w.check_invariants();
    }
    for (const auto& [n, c] : w.fenced) fenced += c;
    for (const auto& [n, c] : w.fence_failed) fence_failed += c;
    if (!bad.empty()) {
      ++failed_seeds;
      violations += static_cast<long>(bad.size());
      if (failed_seeds <= 5) std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed), bad.front().c_str());
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("sim_bench: %llu seeds x %d faults, %d nodes, fencing on: %.1f s wall (%.1f ms/seed)\n",
              static_cast<unsigned long long>(seeds), steps, nodes, wall, wall * 1000 / static_cast<double>(seeds));
  std::printf("faults injected:");
  for (const auto& [kind, count] : faults) std::printf(" %s=%ld", kind.c_str(), count);
  std::printf("\nfencings carried out: %ld\nseeds with a violation: %ld (%ld violations)\n", fenced, failed_seeds,
              violations);
  return 0;
}
