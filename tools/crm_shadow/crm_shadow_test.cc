// crm_shadow and CIB_shadow against a real (standalone) cibd: a shadow made
// from the live CIB, tools writing to it leave the live CIB alone, --diff
// shows the changes, --commit puts them in the live CIB; cibadmin --patch
// through the daemon.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "crm/cib/client.h"
#include "crm/cib/testing/standalone_cibd.h"

namespace crm::cib {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Outcome {
  int rc;
  std::string out, err;
};

class CrmShadowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crm-shadow-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    cibd_.emplace(dir_, std::string(CRM_BINARY_DIR) + "/bin/cibd", CRM_SCHEMA_DIR);
    Status s = cibd_->start();
    ASSERT_TRUE(s.ok()) << s.to_string();
  }
  void TearDown() override {
    cibd_.reset();
    (void)system(("rm -rf " + dir_).c_str());
  }

  // Runs a tool of ours with the daemon's run dir and the shadow dir set;
  // `env` adds assignments ("CIB_shadow=test").
  Outcome run(const std::string& tool, const std::string& args, const std::string& env = "") {
    std::string out = dir_ + "/out", err = dir_ + "/err";
    std::string cmd = "env -u CIB_file -u CIB_shadow CRM_RUN_DIR=" + cibd_->run_dir() + " CRM_SCHEMA_DIR=" + CRM_SCHEMA_DIR +
                      " CIB_shadow_dir=" + dir_ + "/shadows " + env + " " + CRM_BINARY_DIR + "/bin/" + tool + " " +
                      args + " </dev/null >" + out + " 2>" + err;
    int status = system(cmd.c_str());
    return Outcome{WEXITSTATUS(status), slurp(out), slurp(err)};
  }
  std::string live() { return run("cibadmin", "-Q").out; }
  std::string shadow_file() { return dir_ + "/shadows/shadow.test"; }

  std::string dir_;
  std::optional<testing::StandaloneCibd> cibd_;
};

TEST_F(CrmShadowTest, ShadowLifecycle) {
  ASSERT_EQ(run("cibadmin", R"(-C -o resources -X '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>')").rc, 0);

  // No shadow active.
  EXPECT_EQ(run("crm_shadow", "-w").rc, 105);
  EXPECT_EQ(run("crm_shadow", "-b -d").rc, 105);

  // Create from the live CIB, at the path crmsh checks.
  Outcome c = run("crm_shadow", "-b -c test");
  ASSERT_EQ(c.rc, 0) << c.err;
  EXPECT_NE(c.out.find("  CIB_shadow=test ; export CIB_shadow\n"), std::string::npos) << c.out;
  ASSERT_EQ(access(shadow_file().c_str(), R_OK), 0);
  EXPECT_NE(slurp(shadow_file()).find(R"(<primitive id="a")"), std::string::npos);
  Outcome again = run("crm_shadow", "-b -c test");
  EXPECT_EQ(again.rc, 73);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(run("crm_shadow", "-b -c test --force").rc, 0);

  const std::string sh = "CIB_shadow=test";
  EXPECT_EQ(run("crm_shadow", "-w", sh).out, "test\n");
  EXPECT_EQ(run("crm_shadow", "-F", sh).out, shadow_file() + "\n");
  EXPECT_NE(run("crm_shadow", "-p", sh).out.find(R"(<primitive id="a")"), std::string::npos);
  EXPECT_EQ(run("crm_shadow", "-b -d", sh).rc, 0);  // no differences yet

  // Tools write to the shadow; the live CIB is left alone.
  const std::string live_before = live();
  Outcome w = run("cibadmin", R"(-C -o resources -X '<primitive id="b" class="ocf" provider="heartbeat" type="Dummy"/>')", sh);
  ASSERT_EQ(w.rc, 0) << w.err;
  Outcome attr = run("crm_attribute", "-n shadow-test -v yes", sh);
  EXPECT_EQ(attr.rc, 0) << attr.err;
  EXPECT_NE(slurp(shadow_file()).find(R"(<primitive id="b")"), std::string::npos);
  EXPECT_NE(slurp(shadow_file()).find(R"(name="shadow-test" value="yes")"), std::string::npos) << slurp(shadow_file());
  EXPECT_EQ(live(), live_before);
  EXPECT_NE(run("cibadmin", "-Q -o resources", sh).out.find(R"(<primitive id="b")"), std::string::npos);

  Outcome d = run("crm_shadow", "-b -d", sh);
  EXPECT_EQ(d.rc, 1);
  EXPECT_NE(d.out.find(R"(<primitive id="b")"), std::string::npos) << d.out;

  // Another shadow than the active one, dangerous commands: --force needed.
  EXPECT_EQ(run("crm_shadow", "-b -r test", "CIB_shadow=other").rc, 64);
  EXPECT_EQ(run("crm_shadow", "-b -C test", sh).rc, 64);
  EXPECT_EQ(run("crm_shadow", "-b -D test", sh).rc, 64);

  // Commit: the live configuration becomes the shadow's, as one more epoch.
  Outcome commit = run("crm_shadow", "-b -C test --force", sh);
  ASSERT_EQ(commit.rc, 0) << commit.err;
  EXPECT_NE(commit.out.find("unset CIB_shadow"), std::string::npos) << commit.out;
  EXPECT_NE(live().find(R"(<primitive id="b")"), std::string::npos) << live();
  EXPECT_NE(live().find(R"(name="shadow-test" value="yes")"), std::string::npos);
  // Only the version and the last-change stamps on <cib> differ now.
  Outcome after = run("crm_shadow", "-b -d", sh);
  EXPECT_EQ(after.out.find("/cib/configuration"), std::string::npos) << after.out;

  // Reset from live after a shadow-only change.
  ASSERT_EQ(run("cibadmin", R"(-D -X '<primitive id="a"/>')", sh).rc, 0);
  EXPECT_EQ(run("crm_shadow", "-b -d", sh).rc, 1);
  EXPECT_EQ(run("crm_shadow", "-b -r test", sh).rc, 0);
  EXPECT_EQ(run("crm_shadow", "-b -d", sh).rc, 0);

  // Empty shadows and deletion.
  Outcome e = run("crm_shadow", "-b -e empty -v pacemaker-3.7");
  EXPECT_EQ(e.rc, 0) << e.err;
  EXPECT_NE(e.out.find("Created new pacemaker-3.7 configuration"), std::string::npos) << e.out;
  EXPECT_EQ(run("cibadmin", "-Q -o resources", "CIB_shadow=empty").out, "<resources/>\n");
  EXPECT_EQ(run("crm_shadow", "-b -D test --force", sh).rc, 0);
  EXPECT_NE(access(shadow_file().c_str(), F_OK), 0);
  EXPECT_EQ(run("crm_shadow", "-b -r test --force").rc, 105);
  // A shadow named but missing: tools fail rather than touch the live CIB.
  EXPECT_EQ(run("cibadmin", "-Q", sh).rc, 105);
}

// crmsh's commit path against the daemon: crm_diff --no-version | cibadmin -p -P.
TEST_F(CrmShadowTest, PatchThroughTheDaemon) {
  ASSERT_EQ(run("cibadmin", R"(-C -o resources -X '<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>')").rc, 0);
  std::string before = live();
  std::ofstream(dir_ + "/old.xml") << before;
  std::string edited = before;
  const std::string from = R"(<primitive id="a")";
  edited.replace(edited.find(from), from.size(), R"(<primitive id="a" description="via patch")");
  std::ofstream(dir_ + "/new.xml") << edited;
  const std::string bin = std::string(CRM_BINARY_DIR) + "/bin/";
  ASSERT_EQ(system((bin + "crm_diff --no-version -o " + dir_ + "/old.xml -n " + dir_ + "/new.xml > " + dir_ +
                    "/patch.xml").c_str()) >> 8, 1);
  Outcome p = run("cibadmin", "-P --force -x " + dir_ + "/patch.xml");
  ASSERT_EQ(p.rc, 0) << p.err;
  auto v0 = Version::of(xml::root(xml::parse(before).value()));
  auto after = xml::parse(live()).value();
  EXPECT_EQ(Version::of(xml::root(after)).epoch, v0.epoch + 1);
  EXPECT_NE(live().find(R"(description="via patch")"), std::string::npos);
  // The same patch with a version whose source is gone: refused, nothing changes.
  ASSERT_EQ(system((bin + "crm_diff -o " + dir_ + "/old.xml -n " + dir_ + "/new.xml > " + dir_ + "/vpatch.xml").c_str()) >> 8, 1);
  const std::string now = live();
  EXPECT_EQ(run("cibadmin", "-P -x " + dir_ + "/vpatch.xml").rc, 103);
  EXPECT_EQ(live(), now);
}

}  // namespace
}  // namespace crm::cib
