// Runs crm_verify on every input of tests/cib-bad-inputs: each NAME.xml has a
// NAME.expect with "exit N" and "expect <fragment>" lines. Checks the exit
// status, the message fragments, and that nothing crashed (under ASan+UBSan
// in CI a sanitizer report makes the run fail). Also the huge inputs, made
// here rather than stored, and the other input modes (-X, -p, -L, CIB_file).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

const std::string kVerify = std::string(CRM_BINARY_DIR) + "/bin/crm_verify";
const fs::path kCorpus = fs::path(CRM_SOURCE_DIR) / "tests" / "cib-bad-inputs";

struct Outcome {
  int exit_code = -1;
  std::string output;
};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Outcome run(const std::string& args, const std::string& env = "") {
  Outcome r;
  std::string cmd = env + " " + quote(kVerify) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

void expect_clean(const Outcome& r, const std::string& what) {
  EXPECT_EQ(r.output.find("AddressSanitizer"), std::string::npos) << what << "\n" << r.output;
  EXPECT_EQ(r.output.find("runtime error"), std::string::npos) << what << "\n" << r.output;
  EXPECT_LT(r.exit_code, 128) << what << ": killed by a signal\n" << r.output;
}

TEST(CrmVerifyCorpus, EveryBadInputGetsAClearMessageAndItsExitCode) {
  ASSERT_TRUE(fs::exists(kVerify)) << kVerify;
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(kCorpus)) {
    if (e.path().extension() == ".xml") inputs.push_back(e.path());
  }
  std::sort(inputs.begin(), inputs.end());
  ASSERT_GE(inputs.size(), 20u);
  int checked = 0, nonzero = 0;
  for (const fs::path& input : inputs) {
    const std::string name = input.stem().string();
    SCOPED_TRACE(name);
    fs::path expect_file = input;
    expect_file.replace_extension(".expect");
    std::ifstream expect(expect_file);
    ASSERT_TRUE(expect.good()) << "no " << expect_file;
    int want_exit = -1;
    std::vector<std::string> fragments;
    for (std::string line; std::getline(expect, line);) {
      if (line.rfind("exit ", 0) == 0) want_exit = std::stoi(line.substr(5));
      if (line.rfind("expect ", 0) == 0) fragments.push_back(line.substr(7));
    }
    Outcome r = run("-V -x " + quote(input.string()));  // -V: warnings too
    expect_clean(r, name);
    EXPECT_EQ(r.exit_code, want_exit) << r.output;
    EXPECT_FALSE(r.output.empty());
    for (const std::string& f : fragments) EXPECT_NE(r.output.find(f), std::string::npos) << "'" << f << "' not in:\n" << r.output;
    if (r.exit_code != 0) ++nonzero;
    ++checked;
  }
  std::cout << "crm_verify: " << checked << " corpus inputs checked, " << nonzero << " rejected with a non-zero exit\n";
}

TEST(CrmVerifyCorpus, HugeInputs) {
  fs::path dir = fs::temp_directory_path() / ("crm_verify_test." + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string head = R"(<cib validate-with="pacemaker-3.7" epoch="1"><configuration><crm_config/><nodes/><resources>)";
  const std::string tail = "</resources><constraints/></configuration><status/></cib>\n";
  {  // One attribute longer than the parser's 10 MB limit.
    std::ofstream f(dir / "long-attribute.xml");
    f << head << R"(<primitive id="a" class="ocf" provider="h" type=")" << std::string(11u << 20, 'x') << R"("/>)" << tail;
  }
  Outcome a = run("-x " + quote((dir / "long-attribute.xml").string()));
  expect_clean(a, "long-attribute");
  EXPECT_EQ(a.exit_code, 65) << a.output.substr(0, 500);
  EXPECT_NE(a.output.find("line 1"), std::string::npos) << a.output.substr(0, 500);
  {  // 20000 primitives, every one with the same id.
    std::ofstream f(dir / "many-duplicates.xml");
    f << head;
    for (int i = 0; i < 20000; ++i) f << R"(<primitive id="same" class="ocf" provider="h" type="D"/>)" << "\n";
    f << tail;
  }
  Outcome b = run("-x " + quote((dir / "many-duplicates.xml").string()));
  expect_clean(b, "many-duplicates");
  EXPECT_EQ(b.exit_code, 78);
  EXPECT_NE(b.output.find("duplicate id 'same'"), std::string::npos) << b.output.substr(0, 500);
  fs::remove_all(dir);
}

TEST(CrmVerifyModes, TextPipeLiveAndUsage) {
  const std::string good = (fs::path(CRM_SHARED_DIR) / "scheduler-cases" / "1494" / "input.xml").string();
  if (fs::exists(good)) {
    // Clean: nothing on stderr at -VV, as the peer (crmsh shows every line as an error).
    Outcome r = run("-VV -x " + quote(good));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output, "");
    Outcome p = run("-p < " + quote(good));
    EXPECT_EQ(p.exit_code, 0) << p.output;
    Outcome live = run("-L", "CIB_file=" + quote(good));
    EXPECT_EQ(live.exit_code, 0) << live.output;
  }
  // Warnings show only with -V; errors always; the peer's closing lines and 78.
  // stonith-enabled=false: without a fence device the only finding would be the fencing error; this
  // input must produce a warning alone (a location on an unknown node).
  const std::string warn_only = R"(<cib validate-with="pacemaker-3.7"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config><nodes/><resources><primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/></resources><constraints><rsc_location id="l" rsc="a" node="nowhere" score="1"/></constraints></configuration></cib>)";
  Outcome quiet = run("-X " + quote(warn_only));
  EXPECT_EQ(quiet.exit_code, 78);
  EXPECT_EQ(quiet.output,
            "crm_verify: Warnings found during check: config may not be valid\n-V may provide more details\n");
  Outcome loud = run("-V -X " + quote(warn_only));
  EXPECT_EQ(loud.exit_code, 78);
  EXPECT_NE(loud.output.find("warning: rsc_location 'l'"), std::string::npos) << loud.output;
  EXPECT_EQ(loud.output.find("-V may provide"), std::string::npos) << loud.output;
  // crmsh's call: the configuration on stdin at -VV.
  const std::string bad_option = (kCorpus / "option-bad-values.xml").string();
  Outcome crmsh = run("-VV -p < " + quote(bad_option));
  EXPECT_EQ(crmsh.exit_code, 78);
  EXPECT_EQ(crmsh.output,
            "error: Using default value for cluster option 'no-quorum-policy' because 'panic' is invalid\n"
            "error: Using default value for cluster option 'dc-deadtime' because 'soon' is invalid\n"
            "crm_verify: Errors found during check: config not valid\n");
  Outcome t = run("-X " + quote(R"(<cib validate-with="pacemaker-3.7"><configuration><crm_config/><nodes/><resources/><constraints><rsc_order id="o" first="a" then="b"/></constraints></configuration></cib>)"));
  EXPECT_EQ(t.exit_code, 78) << t.output;
  EXPECT_NE(t.output.find("first 'a' is not a defined resource"), std::string::npos) << t.output;
  // allow-migrate on an agent that cannot migrate (IPaddr2, when resource-agents is installed) is
  // warned about; on one that can (Dummy) it is not. stonith-enabled=false: the configuration has no
  // fence device, whose absence would add an error of its own.
  if (std::filesystem::exists("/usr/lib/ocf/resource.d/heartbeat/IPaddr2")) {
    auto prim = [](const std::string& id, const std::string& type) {
      return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"heartbeat\" type=\"" + type +
             "\"><meta_attributes id=\"" + id + "-m\"><nvpair id=\"" + id +
             "-am\" name=\"allow-migrate\" value=\"true\"/></meta_attributes></primitive>";
    };
    const std::string cib = R"(<cib validate-with="pacemaker-3.7"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config><nodes/><resources>)" +
                            prim("ip", "IPaddr2") + prim("d", "Dummy") + "</resources><constraints/></configuration></cib>";
    Outcome m = run("-V -X " + quote(cib));
    EXPECT_EQ(m.exit_code, 78) << m.output;
    EXPECT_NE(m.output.find("primitive 'ip': allow-migrate is set, but its agent ocf:heartbeat:IPaddr2 has no "
                            "migrate_to/migrate_from action"),
              std::string::npos)
        << m.output;
    EXPECT_EQ(m.output.find("primitive 'd'"), std::string::npos) << m.output;
  }
  // -L without CIB_file asks the CIB daemon (none here): the peer's 102.
  Outcome not_connected = run("-L", "env -u CIB_file CRM_RUN_DIR=/nonexistent");
  EXPECT_EQ(not_connected.exit_code, 102) << not_connected.output;
  EXPECT_NE(not_connected.output.find("crm_verify: CIB query failed"), std::string::npos) << not_connected.output;
  Outcome missing = run("-x /nonexistent/cib.xml");
  EXPECT_EQ(missing.exit_code, 105) << missing.output;
  EXPECT_NE(missing.output.find("/nonexistent/cib.xml"), std::string::npos);
  Outcome usage = run("");
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  Outcome both = run("-x a -X b");
  EXPECT_EQ(both.exit_code, 2) << both.output;
  Outcome pipe_garbage = run("-p < /dev/null");
  EXPECT_EQ(pipe_garbage.exit_code, 65) << pipe_garbage.output;
}

}  // namespace
