// Explanations on the development cases (shared/scheduler-cases): every
// explained node's total is the allocation score crm_simulate -s shows (ours,
// and the peer's scores.txt), the contributions add up to it, and on the
// cases below the decisive reason is the one a person reading the
// configuration would name.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "crm/core/xml.h"
#include "crm/pengine/pengine.h"

namespace crm::pengine {
namespace {

const std::string kCases = std::string(CRM_SHARED_DIR) + "/scheduler-cases";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CaseRun {
  Transition t;
  bool ok = false;
};

CaseRun explain_case(const std::string& name, std::vector<std::string> ids = {"*"}) {
  CaseRun run;
  auto doc = xml::parse_file(kCases + "/" + name + "/input.xml");
  if (!doc.ok()) return run;
  std::time_t now = 1795478400;  // as the scheduler suite: the cases' own execution-date wins
  if (auto ed = xml::attr(xml::root(*doc), "execution-date")) now = std::atol(ed->c_str());
  ScheduleOptions opts;
  opts.want_scores = true;
  opts.sanitized = true;
  opts.explain = std::move(ids);
  auto t = schedule(doc->get(), now, opts);
  if (!t.ok()) return run;
  run.t = std::move(*t);
  run.ok = true;
  return run;
}

Score add_up(const NodeExplanation& n) {
  Score acc = 0;
  for (const auto& c : n.contributions) acc = c.sets ? c.score : score_add(acc, c.score);
  return acc;
}

bool fully_explained(const NodeExplanation& n) {
  for (const auto& c : n.contributions)
    if (c.kind == ContributionKind::kOther) return false;
  return true;
}

// "pcmk__primitive_assign: R allocation score on N: S" lines, by "R N".
std::map<std::string, std::set<std::string>> primitive_scores(const std::string& text) {
  std::map<std::string, std::set<std::string>> out;
  std::istringstream in(text);
  std::string line;
  const std::string head = "pcmk__primitive_assign: ", mid = " allocation score on ";
  while (std::getline(in, line)) {
    if (line.rfind(head, 0) != 0) continue;
    auto m = line.find(mid);
    auto colon = line.rfind(": ");
    if (m == std::string::npos || colon <= m) continue;
    std::string rsc = line.substr(head.size(), m - head.size());
    std::string node = line.substr(m + mid.size(), colon - m - mid.size());
    out[rsc + " " + node].insert(line.substr(colon + 2));
  }
  return out;
}

TEST(ExplainTest, TotalsAreTheAllocationScoresAndTheContributionsAddUp) {
  int cases = 0, cases_full = 0, nodes = 0, nodes_full = 0, compared_with_peer = 0;
  std::vector<std::string> full_cases;
  for (const auto& entry : std::filesystem::directory_iterator(kCases)) {
    if (!entry.is_directory()) continue;
    std::string name = entry.path().filename();
    CaseRun run = explain_case(name);
    if (!run.ok) continue;
    ++cases;
    std::string ours_text;
    for (const auto& l : format_scores(run.t)) ours_text += l + "\n";
    auto ours = primitive_scores(ours_text);
    auto peer = primitive_scores(read_file(entry.path().string() + "/scores.txt"));
    bool case_full = !run.t.explanations.empty();
    bool case_matches_peer = true;
    for (const auto& e : run.t.explanations) {
      for (const auto& n : e.nodes) {
        if (!n.allowed) continue;
        ++nodes;
        std::string key = e.resource + " " + n.node;
        std::string total = score_to_string(n.total);
        auto o = ours.find(key);
        EXPECT_TRUE(o != ours.end() && o->second.count(total))
            << name << ": " << key << " explained as " << total << ", not among crm_simulate -s scores";
        auto p = peer.find(key);
        if (p != peer.end()) {
          ++compared_with_peer;
          EXPECT_TRUE(p->second.count(total)) << name << ": " << key << " explained as " << total
                                              << ", the peer's allocation score differs";
          if (!p->second.count(total)) case_matches_peer = false;
        }
        EXPECT_EQ(add_up(n), n.total) << name << ": " << key << ": the contributions do not add up";
        if (fully_explained(n)) ++nodes_full;
        else case_full = false;
      }
    }
    if (case_full && case_matches_peer) {
      ++cases_full;
      full_cases.push_back(name);
    }
  }
  std::printf("explanations: %d cases; %d of %d node scores broken down without an unexplained step (%.1f%%); "
              "%d compared with the peer's scores.txt; %d cases wholly explained\n",
              cases, nodes_full, nodes, nodes ? 100.0 * nodes_full / nodes : 0.0, compared_with_peer, cases_full);
  EXPECT_GE(cases, 200);
  EXPECT_GE(cases_full, 30) << "fewer than 30 development cases are wholly explained";
}

// The decisive reason on cases whose configuration says it plainly.
struct Expectation {
  const char* case_name;
  const char* resource;
  const char* decision;  // a part of ResourceExplanation::decision
};

class DecisionTest : public ::testing::TestWithParam<Expectation> {};

TEST_P(DecisionTest, NamesTheReasonAPersonWould) {
  const Expectation& want = GetParam();
  CaseRun run = explain_case(want.case_name, {want.resource});
  ASSERT_TRUE(run.ok) << want.case_name;
  const ResourceExplanation* e = nullptr;
  for (const auto& x : run.t.explanations)
    if (x.resource == want.resource) e = &x;
  ASSERT_NE(e, nullptr) << want.case_name << ": no explanation of " << want.resource;
  EXPECT_NE(e->decision.find(want.decision), std::string::npos)
      << want.case_name << " " << want.resource << ": decision is \"" << e->decision << "\"";
}

}  // namespace
}  // namespace crm::pengine

namespace crm::pengine {
namespace {

// One case per kind of reason; the decision names the constraint, option or
// state in the case's own words.
INSTANTIATE_TEST_SUITE_P(
    Cases, DecisionTest,
    ::testing::Values(
        // a ban left behind by crm_resource --ban, pointed out as such
        Expectation{"clone_min_interleave_stop_one", "FAKE1:0", "location cli-ban-FAKE1-clone-on-c7auto3 (left by crm_resource --ban"},
        // a colocation with a resource that is stopped
        Expectation{"group13", "resource_nfs", "colocation colocation_beekhof with fs (stopped), INFINITY"},
        // the fail count over migration-threshold
        Expectation{"bug-n-385265-2", "resource_idvscommon", "fail count 4 of resource_idvscommon reached migration-threshold=1"},
        // a node in standby
        Expectation{"anti-colocation-order", "rsc1", "moves from node1 to node2 (score 0): no other node can run it (node1 is in standby)"},
        // fencing enabled without a fencing device
        Expectation{"stop-failure-no-fencing", "ClusterIP", "stonith-enabled=true but no fencing device is configured"},
        // an ordering after a failed resource
        Expectation{"order7", "rscC", "cannot start there: it is ordered after rscA start (order4), which cannot run: rscA failed on node1"},
        // utilization
        Expectation{"colocated-utilization-group", "rsc1", "node1 has not enough free capacity (utilization)"},
        // target-role
        Expectation{"asymmetrical-order-restart", "sleep_a", "target-role=Stopped: the configuration says it should remain stopped"},
        // quorum
        Expectation{"promoted-9", "DcIPaddr", "cannot start there: the partition has no quorum (no-quorum-policy=stop)"},
        // stickiness
        Expectation{"bug-n-385265", "resource_ip_common", "stays on ih02 (score 10): ih01, the next best, has 0; the difference: stickiness: it is active here (resource-stickiness=10)"}));

}  // namespace
}  // namespace crm::pengine
