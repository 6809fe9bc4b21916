// crm_diff as crmsh and the peer's CLI tests run it: outputs, exit codes, stdin.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

#include "crm/core/xml.h"

namespace {

struct Outcome {
  int rc;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The document's text with formatting normalised (parse + serialize).
std::string normal(const std::string& text) {
  auto doc = crm::xml::parse(text, "test");
  EXPECT_TRUE(doc.ok()) << doc.status().to_string() << "\n" << text;
  return doc.ok() ? crm::xml::to_string(crm::xml::root(*doc), false) : "";
}

class CrmDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crm-diff-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)system(("rm -rf " + dir_).c_str()); }

  Outcome run(const std::string& args, const std::string& stdin_file = "/dev/null") {
    std::string out = dir_ + "/out", err = dir_ + "/err";
    std::string cmd = kBin + " " + args + " <" + stdin_file + " >" + out + " 2>" + err;
    int status = system(cmd.c_str());
    return Outcome{WEXITSTATUS(status), slurp(out), slurp(err)};
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }

  static inline const std::string kBin = std::string(CRM_BINARY_DIR) + "/bin/crm_diff";
  static inline const std::string kData = CRM_CIB_TESTDATA_DIR;
  std::string dir_;
};

// The peer's "Create an XML patchset" test: exit 1 and the same patch.
TEST_F(CrmDiffTest, PeerRegressionCreateAnXmlPatchset) {
  Outcome o = run("-o " + kData + "/crm_diff_old.xml -n " + kData + "/crm_diff_new.xml");
  EXPECT_EQ(o.rc, 1);
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(normal(o.out), normal(slurp(kData + "/crm_diff_expected.xml")));
  EXPECT_EQ(o.out.rfind("<diff format=\"2\">", 0), 0u) << o.out;
}

TEST_F(CrmDiffTest, ApplyingThePeersPatchGivesTheNewDocument) {
  Outcome o = run("--original " + kData + "/crm_diff_old.xml --patch " + kData + "/crm_diff_expected.xml");
  EXPECT_EQ(o.rc, 0) << o.err;
  EXPECT_EQ(normal(o.out), normal(slurp(kData + "/crm_diff_new.xml")));
  // With --cib the version is checked: source == target changes nothing, as the peer says.
  Outcome c = run("-c -o " + kData + "/crm_diff_old.xml -p " + kData + "/crm_diff_expected.xml");
  EXPECT_EQ(c.rc, 103);
  EXPECT_NE(c.err.find("Could not apply patch: "), std::string::npos) << c.err;
  EXPECT_EQ(c.out, "");
}

// crmsh's commit: crm_diff --no-version -o FILE -n - (new CIB on stdin).
TEST_F(CrmDiffTest, CrmshCommitNoVersionFromStdin) {
  std::string a = write("a.xml", R"(<cib epoch="3" num_updates="1" admin_epoch="0"><configuration><resources/></configuration></cib>)");
  std::string b = write("b.xml", R"(<cib epoch="3" num_updates="7" admin_epoch="0"><configuration><resources><primitive id="r" class="ocf" provider="heartbeat" type="Dummy"/></resources></configuration></cib>)");
  Outcome o = run("--no-version -o " + a + " -n -", b);
  EXPECT_EQ(o.rc, 1);
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(o.out.find("<version"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("num_updates"), std::string::npos) << o.out;  // versions copied, not diffed
  EXPECT_EQ(o.out.find("digest"), std::string::npos) << o.out;       // crmsh would take it for v1
  EXPECT_NE(o.out.find(R"(<change operation="create" path="/cib/configuration/resources" position="0">)"),
            std::string::npos) << o.out;
  // Nothing to do: exit 0, no output.
  Outcome same = run("--no-version -o " + a + " -n -", a);
  EXPECT_EQ(same.rc, 0);
  EXPECT_EQ(same.out, "");
  EXPECT_EQ(same.err, "");
}

TEST_F(CrmDiffTest, StringsAndStdin) {
  Outcome o = run(R"(-u -O '<a><b id="1" v="x"/></a>' -N '<a><b id="1" v="y"/></a>')");
  EXPECT_EQ(o.rc, 1);
  EXPECT_NE(o.out.find(R"(<change-attr name="v" operation="set" value="y"/>)"), std::string::npos) << o.out;
  std::string b = write("b.xml", R"(<a><b id="1" v="y"/></a>)");
  Outcome s = run(R"(-s -N '<a><b id="1" v="y"/></a>')", b);
  EXPECT_EQ(s.rc, 0) << s.err;
  std::string a = write("a.xml", R"(<a><b id="1" v="x"/></a>)");
  Outcome p = run("-o - -p " + write("p.xml", o.out), a);
  EXPECT_EQ(p.rc, 0) << p.err;
  EXPECT_EQ(normal(p.out), normal(R"(<a><b id="1" v="y"/></a>)"));
}

TEST_F(CrmDiffTest, UsageAndInputErrors) {
  std::string a = write("a.xml", "<cib/>");
  EXPECT_EQ(run("-c -u -o " + a + " -n " + a).rc, 64);
  EXPECT_EQ(run("--bogus").rc, 64);
  Outcome bad = run("-o " + write("bad.xml", "<cib>") + " -n " + a);
  EXPECT_EQ(bad.rc, 65);
  EXPECT_NE(bad.err.find("Could not parse the first XML fragment"), std::string::npos) << bad.err;
  Outcome missing = run("-o " + a);
  EXPECT_EQ(missing.rc, 65);
  EXPECT_NE(missing.err.find("Could not parse the second XML fragment"), std::string::npos);
  Outcome w = run("-u -o " + a + " -p " + write("p.xml", R"(<diff format="2"/>)"));
  EXPECT_EQ(w.rc, 0);
  EXPECT_NE(w.err.find("warning: -u/--no-version ignored with -p/--patch"), std::string::npos);
  Outcome fails = run("-o " + a + " -p " + write("q.xml", R"(<diff format="2"><change operation="delete" path="/cib/x"/></diff>)"));
  EXPECT_EQ(fails.rc, 1);
  EXPECT_NE(fails.err.find("change 1 (delete /cib/x)"), std::string::npos) << fails.err;
}

}  // namespace
