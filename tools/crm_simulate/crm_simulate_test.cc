// Runs the crm_simulate binary on a small running cluster (testdata/small.xml:
// 3 nodes, groups g1 and g2 on node1, a ping clone everywhere, fencing off;
// made by shared/scheduler-cases-large/gen_large_cib.py --nodes 3
// --primitives 4 --groups 2 --clones 1 --promotable 0 --chain 2 --state running)
// and checks real outputs: what-if injections change the decisions, a forced
// failure stops the run and is recovered from on the next run, the artifacts
// (-G, -D, -O, -I, -X) are well formed, and bad input exits non-zero with a
// clear message. Expected decisions are those of the peer's crm_simulate
// 2.1.5 on the same input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "crm/core/xml.h"

namespace {

namespace fs = std::filesystem;

const std::string kSimulate = std::string(CRM_BINARY_DIR) + "/bin/crm_simulate";
const std::string kSmall = std::string(CRM_SOURCE_DIR) + "/tools/crm_simulate/testdata/small.xml";

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

Outcome run(const std::string& args, const std::string& env = "") {
  Outcome r;
  std::string cmd = env + " '" + kSimulate + "' " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The lines of one "Header:" section, up to the next blank line + header.
std::string section(const std::string& out, const std::string& header) {
  auto b = out.find(header + "\n");
  if (b == std::string::npos) return "";
  auto e = out.find("\n\n", b);
  return out.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

// "Revised Cluster Status" runs to the end of the output.
std::string revised(const std::string& out) {
  auto b = out.find("Revised Cluster Status:\n");
  return b == std::string::npos ? "" : out.substr(b);
}

class CrmSimulate : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kSimulate)) << kSimulate;
    ASSERT_TRUE(fs::exists(kSmall)) << kSmall;
    dir_ = fs::temp_directory_path() / ("crm_simulate_test." + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(CrmSimulate, IdleClusterHasNothingToDo) {
  Outcome r = run("-x '" + kSmall + "' -S");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Current cluster status:\n"), std::string::npos) << r.output;
  EXPECT_EQ(section(r.output, "Transition Summary:"), "Transition Summary:") << r.output;
  EXPECT_NE(revised(r.output).find("g1-r1\t(ocf:pacemaker:Dummy):\t Started node1"), std::string::npos) << r.output;
}

TEST_F(CrmSimulate, NodeFailureMovesItsResources) {
  Outcome r = run("-x '" + kSmall + "' -S -f node1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Status before the injection, then the modification.
  std::string before = section(r.output, "Current cluster status:");
  EXPECT_NE(before.find("Online: [ node1 node2 node3 ]"), std::string::npos) << r.output;
  EXPECT_NE(section(r.output, "Performing Requested Modifications:").find("* Failing node node1"), std::string::npos)
      << r.output;
  std::string summary = section(r.output, "Transition Summary:");
  for (const char* rsc : {"g1-r1", "g1-r2", "g2-r1", "g2-r2"}) {
    EXPECT_TRUE(std::regex_search(summary, std::regex(std::string("\\* Start +") + rsc + " +\\( node2 \\)")))
        << rsc << "\n" << r.output;
  }
  std::string after = revised(r.output);
  EXPECT_NE(after.find("OFFLINE: [ node1 ]"), std::string::npos) << r.output;
  EXPECT_NE(after.find("g1-r1\t(ocf:pacemaker:Dummy):\t Started node2"), std::string::npos) << r.output;
  EXPECT_EQ(after.find("Started node1"), std::string::npos) << r.output;
}

TEST_F(CrmSimulate, NodeDownAndUp) {
  Outcome r = run("-x '" + kSmall + "' -R -d node1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("* Taking node node1 offline"), std::string::npos) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("\\* Start +g1-r1 +\\( node2 \\)"))) << r.output;
  // Run with node1 down and save the result; bring node1 back. Like the
  // peer's, -d leaves node1's operation history in place, so g1/g2 now look
  // active on node1 and node2: both are stopped and started again on node1
  // (the peer's crm_simulate 2.1.5 decides the same four restarts).
  r = run("-x '" + kSmall + "' -d node1 -S -O '" + path("down.xml") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(revised(r.output).find("g1-r1\t(ocf:pacemaker:Dummy):\t Started node2"), std::string::npos) << r.output;
  r = run("-x '" + path("down.xml") + "' -S -u node1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("* Bringing node node1 online"), std::string::npos) << r.output;
  std::string summary = section(r.output, "Transition Summary:");
  for (const char* rsc : {"g1-r1", "g1-r2", "g2-r1", "g2-r2"}) {
    EXPECT_TRUE(std::regex_search(summary, std::regex(std::string("\\* Restart +") + rsc + " +\\( node1 \\)")))
        << rsc << "\n" << r.output;
  }
  EXPECT_NE(revised(r.output).find("Online: [ node1 node2 node3 ]"), std::string::npos) << r.output;
  EXPECT_NE(revised(r.output).find("g2-r2\t(ocf:pacemaker:Dummy):\t Started node1"), std::string::npos) << r.output;
}

TEST_F(CrmSimulate, InjectedMonitorFailureCausesARecovery) {
  Outcome r = run("-x '" + kSmall + "' -S -i g2-r1_monitor_10000@node1=7");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string mods = section(r.output, "Performing Requested Modifications:");
  EXPECT_NE(mods.find("* Injecting g2-r1_monitor_10000@node1=7 into the configuration"), std::string::npos) << r.output;
  EXPECT_NE(mods.find("fail-count-g2-r1#monitor_10000=value++"), std::string::npos) << r.output;
  std::string summary = section(r.output, "Transition Summary:");
  EXPECT_TRUE(std::regex_search(summary, std::regex("\\* Recover +g2-r1 +\\( node1 \\)"))) << r.output;
  EXPECT_TRUE(std::regex_search(summary, std::regex("\\* Restart +g2-r2 +\\( node1 \\)"))) << r.output;
  EXPECT_EQ(summary.find("g1-"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("g2-r1           stop on node1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("g2-r1           start on node1"), std::string::npos) << r.output;
}

TEST_F(CrmSimulate, ForcedFailureStopsTheRunAndIsRecoveredNextTime) {
  std::string out = path("after.xml");
  Outcome r = run("-x '" + kSmall + "' -S -f node1 -F g1-r1_start_0@node2=1 -O '" + out + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("Pretending action [0-9]+ failed with rc=1"))) << r.output;
  EXPECT_NE(r.output.find("fail-count-g1-r1#start_0=value++"), std::string::npos) << r.output;
  // Nothing after the failed start ran.
  EXPECT_EQ(r.output.find("g1-r2           start on node2"), std::string::npos) << r.output;
  std::string after = revised(r.output);
  EXPECT_NE(after.find("g1-r1\t(ocf:pacemaker:Dummy):\t FAILED node2"), std::string::npos) << r.output;
  EXPECT_NE(after.find("g1-r2\t(ocf:pacemaker:Dummy):\t Stopped"), std::string::npos) << r.output;
  // The saved CIB has the failure; running it again recovers.
  auto doc = crm::xml::parse_file(out);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  auto rec = crm::xml::xpath(doc->get(), "//node_state[@uname='node2']//lrm_resource[@id='g1-r1']/lrm_rsc_op[@rc-code='1']");
  ASSERT_TRUE(rec.ok());
  EXPECT_FALSE(rec->empty());
  r = run("-x '" + out + "' -S");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(section(r.output, "Transition Summary:"), std::regex("\\* Recover +g1-r1 +\\( node2 \\)")))
      << r.output;
}

TEST_F(CrmSimulate, NoQuorumStopsEverything) {
  Outcome r = run("-x '" + kSmall + "' -R -Q -q 0");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("\\* Stop +g1-r1 +\\( node1 \\) +due to no quorum"))) << r.output;
}

TEST_F(CrmSimulate, GraphAndDotFilesAreWellFormed) {
  std::string g = path("g.xml"), d = path("g.dot");
  Outcome r = run("-x '" + kSmall + "' -f node1 -Q -G '" + g + "' -D '" + d + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "");
  auto graph = crm::xml::parse_file(g);
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_TRUE(crm::xml::is(crm::xml::root(*graph), "transition_graph"));
  auto synapses = crm::xml::xpath(graph->get(), "/transition_graph/synapse");
  ASSERT_TRUE(synapses.ok());
  EXPECT_FALSE(synapses->empty());

  // DOT: a digraph of quoted node lines and edges between declared nodes.
  std::istringstream dot(read(d));
  std::string line;
  ASSERT_TRUE(std::getline(dot, line));
  EXPECT_EQ(line, "digraph \"g\" {");
  std::regex node_re("^\"([^\"]+)\" \\[ [^\\]]*\\]$");
  std::regex edge_re("^\"([^\"]+)\" -> \"([^\"]+)\" \\[ [^\\]]*\\]$");
  std::set<std::string> nodes;
  std::vector<std::pair<std::string, std::string>> edges;
  bool closed = false;
  while (std::getline(dot, line)) {
    ASSERT_FALSE(closed) << "text after the closing brace: " << line;
    std::smatch m;
    if (line == "}") closed = true;
    else if (std::regex_match(line, m, edge_re)) edges.push_back({m[1], m[2]});
    else if (std::regex_match(line, m, node_re)) nodes.insert(m[1]);
    else ADD_FAILURE() << "not a DOT node or edge line: " << line;
  }
  EXPECT_TRUE(closed);
  EXPECT_TRUE(nodes.count("g1-r1_start_0 node2")) << read(d);
  EXPECT_FALSE(edges.empty());
  for (auto& [a, b] : edges) {
    EXPECT_TRUE(nodes.count(a)) << "edge from undeclared " << a;
    EXPECT_TRUE(nodes.count(b)) << "edge to undeclared " << b;
  }
  EXPECT_EQ(static_cast<size_t>(synapses->size()), nodes.size());
}

TEST_F(CrmSimulate, InputModesAndSavedFiles) {
  // CIB_file with -L, stdin with -p, and -X writing back into the input.
  Outcome file = run("-L -R -f node1", "CIB_file='" + kSmall + "'");
  ASSERT_EQ(file.exit_code, 0) << file.output;
  Outcome piped = run("-p -R -f node1 < '" + kSmall + "'");
  ASSERT_EQ(piped.exit_code, 0) << piped.output;
  EXPECT_EQ(file.output, piped.output);

  std::string copy = path("inplace.xml"), in = path("input.xml");
  fs::copy_file(kSmall, copy);
  Outcome r = run("-x '" + copy + "' -X -f node1 -I '" + in + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto saved_in = crm::xml::parse_file(in);
  ASSERT_TRUE(saved_in.ok());
  auto st = crm::xml::xpath(saved_in->get(), "//node_state[@uname='node1'][@in_ccm='false']");
  EXPECT_EQ(st->size(), 1u) << "-I saves the input with the injection";
  r = run("-x '" + copy + "' -R");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("OFFLINE: [ node1 ]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("g1-r1\t(ocf:pacemaker:Dummy):\t Started node2"), std::string::npos) << r.output;
}

TEST_F(CrmSimulate, CrmshCallsAreAccepted) {
  // configure simulate: the CIB on stdin, -S -VV [-s] [-U]
  Outcome sim = run("-x - -S -VV -s -U < '" + kSmall + "'");
  ASSERT_EQ(sim.exit_code, 0) << sim.output;
  EXPECT_NE(sim.output.find("Allocation Scores and Utilization Information:\n"), std::string::npos) << sim.output;
  EXPECT_NE(sim.output.find("Original: node1 capacity:"), std::string::npos) << sim.output;
  EXPECT_NE(sim.output.find("Remaining: node1 capacity:"), std::string::npos) << sim.output;
  EXPECT_NE(sim.output.find("Revised Cluster Status:"), std::string::npos) << sim.output;
  // resource scores, and crm verify (hidden -j)
  Outcome scores = run("-sUL", "CIB_file='" + kSmall + "'");
  ASSERT_EQ(scores.exit_code, 0) << scores.output;
  EXPECT_NE(scores.output.find("pcmk__primitive_assign: g1-r1 allocation score on node1:"), std::string::npos);
  Outcome verify = run("-LjV -s", "CIB_file='" + kSmall + "'");
  ASSERT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_EQ(run("--help").output.find("--pending"), std::string::npos) << "-j stays hidden, as the peer's";
}

TEST_F(CrmSimulate, UtilizationAsThePeerShowsIt) {
  const std::string input = std::string(CRM_SHARED_DIR) + "/scheduler-cases/utilization-order2/input.xml";
  if (!fs::exists(input)) GTEST_SKIP() << input;
  Outcome r = run("-x '" + input + "' -U -S");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string info = section(r.output, "Utilization Information:");
  EXPECT_NE(info.find("\nOriginal: node1 capacity: memory=1024\n"), std::string::npos) << r.output;
  EXPECT_NE(info.find("\npcmk__assign_resource: rsc4 utilization on node1: memory=1024\n"), std::string::npos) << info;
  EXPECT_NE(info.find("\nRemaining: node1 capacity: memory=0"), std::string::npos) << info;
  Outcome quiet = run("-x '" + input + "' -U");
  EXPECT_EQ(quiet.output.rfind("Original: node1 capacity: memory=1024\n", 0), 0u) << quiet.output;
}

TEST_F(CrmSimulate, BadInputExitsNonZeroWithAClearMessage) {
  struct Case {
    std::string args, message;
  };
  std::ofstream(path("broken.xml")) << "<cib><configuration>\n";
  std::ofstream(path("notcib.xml")) << "<html/>\n";
  const std::vector<Case> cases = {
      {"", "no input"},
      {"-x '" + path("missing.xml") + "' -S", "missing.xml"},
      {"-x '" + path("broken.xml") + "' -S", "line "},
      {"-x '" + path("notcib.xml") + "' -S", "not a CIB"},
      {"-x '" + kSmall + "' -S -f nosuchnode", "node 'nosuchnode' is not in the CIB"},
      {"-x '" + kSmall + "' -S -i g1-r1_monitor@node1=7", "${resource}_${task}_${interval_in_ms}@${node}=${rc}"},
      {"-x '" + kSmall + "' -S -i ghost_monitor_0@node1=0", "no primitive resource 'ghost'"},
      {"-x '" + kSmall + "' -S -F g1-r1_start_0@node1=x", "bad return code 'x'"},
      {"-x '" + kSmall + "' -S -q maybe", "-q/--quorum"},
      {"-x '" + kSmall + "' -S -t not-a-date", "not-a-date"},
      {"-x '" + kSmall + "' -S --no-such-option", "no-such-option"},
  };
  for (const Case& c : cases) {
    Outcome r = run(c.args);
    EXPECT_NE(r.exit_code, 0) << c.args << "\n" << r.output;
    EXPECT_LT(r.exit_code, 128) << c.args << ": killed by a signal\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(r.output.find("AddressSanitizer"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("runtime error"), std::string::npos) << r.output;
  }
}

}  // namespace
