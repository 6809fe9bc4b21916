// cibadmin on CIB_file: outputs, file contents and exit codes; where the
// peer's cibadmin is installed, the same commands must give the same exit codes.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

namespace {

struct Outcome {
  int rc;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CibadminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crm-cibadmin-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    file_ = dir_ + "/cib.xml";
    ASSERT_EQ(system((kOurs + " -a > " + file_).c_str()), 0);
  }
  void TearDown() override { (void)system(("rm -rf " + dir_).c_str()); }

  // Runs `binary args` with CIB_file set; `args` is shell text.
  Outcome run(const std::string& args, const std::string& binary = kOurs, const std::string& file = "") {
    std::string out = dir_ + "/out", err = dir_ + "/err";
    std::string cmd = "CIB_file='" + (file.empty() ? file_ : file) + "' " + binary + " " + args + " >" + out +
                      " 2>" + err;
    int status = system(cmd.c_str());
    return Outcome{WEXITSTATUS(status), slurp(out), slurp(err)};
  }
  std::string cib() { return slurp(file_); }

  static inline const std::string kOurs = std::string(CRM_BINARY_DIR) + "/bin/cibadmin";
  std::string dir_, file_;
};

const char* kDummy = R"('<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>')";

TEST_F(CibadminTest, EmptyCreateQuery) {
  EXPECT_NE(cib().find("epoch=\"1\""), std::string::npos) << cib();
  Outcome c = run(std::string("-C -o resources -X ") + kDummy);
  EXPECT_EQ(c.rc, 0) << c.err;
  Outcome q = run("-Q -o resources");
  EXPECT_EQ(q.rc, 0);
  EXPECT_NE(q.out.find("<primitive id=\"a\""), std::string::npos) << q.out;
  EXPECT_EQ(q.out.rfind("<resources>", 0), 0u) << q.out;
  EXPECT_NE(cib().find("epoch=\"2\""), std::string::npos);
  Outcome all = run("-Q");
  EXPECT_EQ(all.out.rfind("<cib ", 0), 0u) << all.out;
}

TEST_F(CibadminTest, ErrorsHaveClearMessagesAndPeerExitCodes) {
  ASSERT_EQ(run(std::string("-C -o resources -X ") + kDummy).rc, 0);
  const std::string before = cib();
  Outcome dup = run(std::string("-C -o resources -X ") + kDummy);
  EXPECT_EQ(dup.rc, 108);
  EXPECT_NE(dup.err.find("already-exists"), std::string::npos) << dup.err;
  Outcome invalid = run("-C -o resources -X '<primitive id=\"b\"/>'");
  EXPECT_EQ(invalid.rc, 78);
  EXPECT_NE(invalid.err.find("primitive 'b'"), std::string::npos) << invalid.err;
  EXPECT_EQ(run("-M -X '<primitive id=\"nope\" type=\"x\"/>'").rc, 105);
  EXPECT_EQ(run("-Q --xpath '//primitive[@id=\"zz\"]'").rc, 105);
  EXPECT_EQ(run("-Q -o bogus").rc, 2);
  EXPECT_EQ(run("-C -o resources -X '<primitive id=\"c\"'").rc, 65);
  Outcome erase = run("-E");
  EXPECT_EQ(erase.rc, 107);
  EXPECT_NE(erase.err.find("--force"), std::string::npos);
  EXPECT_EQ(run("-C -o resources").rc, 2);  // no XML
  EXPECT_EQ(run("").rc, 64);                // no command
  EXPECT_EQ(cib(), before) << "a failed command changed the file";
  // Deleting what is not there succeeds quietly, as the peer does.
  EXPECT_EQ(run("-D -X '<primitive id=\"zz\"/>'").rc, 0);
  EXPECT_EQ(run("-D --xpath '//primitive[@id=\"zz\"]'").rc, 0);
}

TEST_F(CibadminTest, ModifyReplaceDeleteEraseInputs) {
  ASSERT_EQ(run(std::string("-C -o resources -X ") + kDummy).rc, 0);
  EXPECT_EQ(run("-M -X '<primitive id=\"a\" description=\"hello\"/>'").rc, 0);
  EXPECT_NE(cib().find("description=\"hello\""), std::string::npos);
  EXPECT_EQ(run("-M -c -o status -X '<node_state id=\"1\" uname=\"n1\" crmd=\"online\"/>'").rc, 0);
  EXPECT_NE(cib().find("num_updates=\"1\""), std::string::npos) << cib();
  {
    std::ofstream f(dir_ + "/frag.xml");
    f << "<primitive id=\"f\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>";
  }
  EXPECT_EQ(run("-C -o resources -x " + dir_ + "/frag.xml").rc, 0);
  EXPECT_EQ(run("-C -o resources -p < /dev/null").rc, 2);
  {
    std::ofstream f(dir_ + "/pipe.xml");
    f << "<primitive id=\"p\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>";
  }
  Outcome piped = run("-C -o resources -p < " + dir_ + "/pipe.xml");
  EXPECT_EQ(piped.rc, 0) << piped.err;
  Outcome paths = run("-Q --xpath //primitive -e");
  EXPECT_EQ(paths.out,
            "/cib/configuration/resources/primitive[@id='a']\n/cib/configuration/resources/primitive[@id='f']\n"
            "/cib/configuration/resources/primitive[@id='p']\n");
  Outcome shallow = run("-Q -o resources -n");
  EXPECT_EQ(shallow.out.find("primitive"), std::string::npos) << shallow.out;
  EXPECT_EQ(run("-R -o resources -X '<resources/>'").rc, 0);
  EXPECT_EQ(cib().find("<primitive"), std::string::npos);
  ASSERT_EQ(run(std::string("-C -o resources -X ") + kDummy).rc, 0);
  EXPECT_EQ(run("-D -X '<primitive id=\"a\"/>'").rc, 0);
  EXPECT_EQ(cib().find("<primitive"), std::string::npos);
  EXPECT_EQ(run("-B").rc, 0);
  EXPECT_EQ(run("-E --force").rc, 0);
  EXPECT_NE(cib().find("admin_epoch=\"1\""), std::string::npos) << cib();
}

// crmsh's commit: crm_diff --no-version ... | cibadmin -p -P [--force].
TEST_F(CibadminTest, PatchFromCrmDiffAppliesAtomicallyAndBumpsTheEpoch) {
  ASSERT_EQ(run(std::string("-C -o resources -X ") + kDummy).rc, 0);  // epoch 2
  const std::string crm_diff = std::string(CRM_BINARY_DIR) + "/bin/crm_diff";
  std::string edited = cib();
  const std::string from = R"(type="Dummy"/>)";
  ASSERT_NE(edited.find(from), std::string::npos) << edited;
  edited.replace(edited.find(from), from.size(),
                 R"(type="Dummy" description="patched"/><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"/>)");
  std::ofstream(dir_ + "/new.xml") << edited;
  ASSERT_EQ(system((crm_diff + " --no-version -o " + file_ + " -n - < " + dir_ + "/new.xml > " + dir_ +
                    "/patch.xml").c_str()) >> 8, 1);
  Outcome p = run("-p -P --force < " + dir_ + "/patch.xml");
  EXPECT_EQ(p.rc, 0) << p.err;
  EXPECT_EQ(p.out + p.err, "");
  EXPECT_NE(cib().find(R"(description="patched")"), std::string::npos) << cib();
  EXPECT_NE(cib().find(R"(<primitive id="b")"), std::string::npos) << cib();
  EXPECT_NE(cib().find(R"(epoch="3")"), std::string::npos) << cib();  // a configuration change: epoch+1

  // -x FILE and -X TEXT too; a status-only patch moves num_updates.
  std::ofstream(dir_ + "/status.xml")
      << R"(<diff format="2"><change operation="create" path="/cib/status" position="0"><node_state id="1" uname="n1"/></change></diff>)";
  EXPECT_EQ(run("-P -x " + dir_ + "/status.xml").rc, 0);
  EXPECT_NE(cib().find(R"(num_updates="1")"), std::string::npos) << cib();
  EXPECT_EQ(run(R"(--patch -X '<diff format="2"><change operation="delete" path="/cib/status/node_state[@id=&apos;1&apos;]"/></diff>')").rc, 0);
  EXPECT_EQ(cib().find("node_state"), std::string::npos) << cib();

  // All or nothing: a patch whose second change fails changes nothing.
  const std::string before = cib();
  Outcome half = run(R"(-P -X '<diff format="2"><change operation="delete" path="/cib/configuration/resources/primitive[@id=&apos;b&apos;]"/><change operation="delete" path="/cib/configuration/resources/primitive[@id=&apos;zz&apos;]"/></diff>')");
  EXPECT_EQ(half.rc, 1);
  EXPECT_NE(half.err.find("change 2 (delete /cib/configuration/resources/primitive[@id='zz'])"), std::string::npos)
      << half.err;
  EXPECT_EQ(cib(), before);
  // A result the schema refuses: 78, nothing changed.
  EXPECT_EQ(run(R"(-P -X '<diff format="2"><change operation="create" path="/cib/configuration/resources" position="0"><primitive id="bad"/></change></diff>')").rc, 78);
  EXPECT_EQ(cib(), before);
  // A <version> whose source is not the CIB's: refused as the peer (103 when the CIB is past it).
  Outcome old = run(R"(-P -X '<diff format="2"><version><source admin_epoch="0" epoch="2" num_updates="0"/><target admin_epoch="0" epoch="3" num_updates="0"/></version><change operation="delete" path="/cib/configuration/resources/primitive[@id=&apos;b&apos;]"/></diff>')");
  EXPECT_EQ(old.rc, 103) << old.err;
  EXPECT_EQ(run(R"(-P -X '<diff format="2"><version><source admin_epoch="0" epoch="9" num_updates="0"/><target admin_epoch="0" epoch="10" num_updates="0"/></version></diff>')").rc, 1);
  // A patch may not take the epoch back.
  EXPECT_EQ(run(R"(-P -X '<diff format="2"><change operation="modify" path="/cib"><change-list/><change-result><cib epoch="1" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.8"/></change-result></change></diff>')").rc, 103);
  EXPECT_EQ(cib(), before);
  EXPECT_EQ(run("-P").rc, 2);  // no XML
}

// -U is the peer's deprecated alias of --modify (crmsh sends <cib validate-with=.../> with it).
TEST_F(CibadminTest, UpdateIsModify) {
  ASSERT_EQ(run(std::string("-C -o resources -X ") + kDummy).rc, 0);
  std::ofstream(dir_ + "/u.xml") << R"(<primitive id="a" description="u"/>)";
  EXPECT_EQ(run("-p -U < " + dir_ + "/u.xml").rc, 0);
  EXPECT_NE(cib().find(R"(description="u")"), std::string::npos) << cib();
  EXPECT_EQ(run("-U -X '<primitive id=\"nope\"/>'").rc, 105);
}

TEST_F(CibadminTest, MissingFileIsNotFound) {
  Outcome r = run("-Q", kOurs, dir_ + "/absent.xml");
  EXPECT_EQ(r.rc, 105);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

// --upgrade as the peer's: refused without --force, names the latest schema,
// and says so when there is nothing to do.
TEST_F(CibadminTest, UpgradeNamesTheLatestSchema) {
  ASSERT_EQ(system(("sed -i 's/validate-with=\"[^\"]*\"/validate-with=\"pacemaker-2.10\"/' " + file_).c_str()), 0);
  Outcome refused = run("--upgrade");
  EXPECT_EQ(refused.rc, 107);
  EXPECT_NE(refused.err.find("considered dangerous"), std::string::npos) << refused.err;
  EXPECT_NE(cib().find("pacemaker-2.10"), std::string::npos);
  Outcome up = run("--upgrade --force");
  EXPECT_EQ(up.rc, 0) << up.err;
  EXPECT_NE(cib().find("validate-with=\"pacemaker-3.8\""), std::string::npos) << cib();
  Outcome again = run("--upgrade --force");
  EXPECT_EQ(again.rc, 0);
  EXPECT_EQ(again.out, "Upgrade unnecessary: Schema is already the latest available\n");
}

// ACLs on a CIB_file for the user named by CIB_user, as the peer's cibadmin
// applies them to a file: a filtered view, and refusals with exit code 4.
// Where the peer's cibadmin is installed, it must agree on every command.
TEST_F(CibadminTest, CibUserGetsTheFilesAclsAsWithThePeer) {
  const char* setup[] = {
      R"(-C -o resources -X '<primitive id="db" class="ocf" provider="heartbeat" type="Dummy"><instance_attributes id="db-secret"><nvpair id="db-fake" name="fake" value="hunter2"/></instance_attributes><meta_attributes id="db-meta"><nvpair id="db-role" name="target-role" value="Started"/></meta_attributes></primitive>')",
      R"(-C -o resources -X '<primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>')",
      R"(-C -o acls -X '<acls><acl_target id="alice"><role id="op"/></acl_target><acl_target id="bob"><role id="types"/></acl_target><acl_role id="types"><acl_permission id="t-r" kind="read" object-type="primitive" attribute="type"/><acl_permission id="t-d" kind="deny" xpath="//meta_attributes"/></acl_role><acl_role id="op"><acl_permission id="op-r" kind="read" xpath="/cib"/><acl_permission id="op-d" kind="deny" reference="db-secret"/><acl_permission id="op-w" kind="write" xpath="//nvpair[@name=&apos;target-role&apos;]"/></acl_role></acls>')",
      R"(-M -c -o crm_config -X '<crm_config><cluster_property_set id="o"><nvpair id="o-acl" name="enable-acl" value="true"/></cluster_property_set></crm_config>')",
  };
  for (const char* cmd : setup) ASSERT_EQ(run(cmd).rc, 0) << cmd << ": " << run(cmd).err;
  struct Step {
    const char* user;
    const char* args;
    int rc;
  };
  const Step steps[] = {
      {"alice", "-Q", 0},
      {"alice", R"(-C -o resources -X '<primitive id="evil" class="ocf" provider="heartbeat" type="Dummy"/>')", 4},
      {"alice", R"(-D -X '<primitive id="web"/>')", 4},
      {"alice", R"(-M -X '<primitive id="db" type="Stateful"/>')", 4},
      {"alice", R"(-M -X '<nvpair id="db-role" value="Stopped"/>')", 0},
      {"mallory", "-Q", 4},
      {"bob", "-Q", 0},
  };
  const std::string peer = "/usr/sbin/cibadmin";
  const bool with_peer = access(peer.c_str(), X_OK) == 0;
  std::string peer_file = dir_ + "/peer.xml";
  ASSERT_EQ(system(("cp " + file_ + " " + peer_file).c_str()), 0);
  for (const Step& step : steps) {
    const std::string as = std::string("CIB_user=") + step.user + " ";
    Outcome ours = run(step.args, as + kOurs);
    EXPECT_EQ(ours.rc, step.rc) << step.user << ": cibadmin " << step.args << "\n" << ours.err;
    if (step.rc == 4) EXPECT_NE(ours.err.find(step.user), std::string::npos) << ours.err;
    if (std::string(step.args) == "-Q" && std::string(step.user) == "alice") {
      EXPECT_EQ(ours.out.find("hunter2"), std::string::npos) << ours.out;
      EXPECT_NE(ours.out.find("<primitive id=\"web\""), std::string::npos) << ours.out;
    }
    if (!with_peer) continue;
    Outcome theirs = run(step.args, as + peer, peer_file);
    EXPECT_EQ(ours.rc, theirs.rc) << step.user << ": cibadmin " << step.args << "\nours: " << ours.err
                                  << "\npeer: " << theirs.err;
    if (std::string(step.args) == "-Q") {
      // The same document (the peer's writer escapes ' in attributes, ours need not).
      std::string peer_view = theirs.out;
      for (size_t at; (at = peer_view.find("&apos;")) != std::string::npos;) peer_view.replace(at, 6, "'");
      EXPECT_EQ(ours.out, peer_view) << step.user << "'s view differs from the peer's";
    }
  }
  const std::string now = cib();
  EXPECT_EQ(now.find("evil"), std::string::npos);
  EXPECT_NE(now.find("<primitive id=\"web\""), std::string::npos);
  EXPECT_NE(now.find("value=\"Stopped\""), std::string::npos);
  if (!with_peer) GTEST_SKIP() << "the peer's cibadmin is not installed: ours checked alone";
}

// The same commands through the peer's cibadmin give the same exit codes.
TEST_F(CibadminTest, ExitCodesMatchThePeer) {
  const std::string peer = "/usr/sbin/cibadmin";
  if (access(peer.c_str(), X_OK) != 0) GTEST_SKIP() << "the peer's cibadmin is not installed";
  const std::vector<std::string> commands = {
      std::string("-C -o resources -X ") + kDummy,
      std::string("-C -o resources -X ") + kDummy,
      "-C -o resources -X '<primitive id=\"b\"/>'",
      "-M -X '<primitive id=\"nope\" type=\"x\"/>'",
      "-M -X '<primitive id=\"a\" description=\"d\"/>'",
      "-Q -o resources",
      "-Q --xpath '//primitive[@id=\"zz\"]'",
      "-D -X '<primitive id=\"zz\"/>'",
      "-E",
      "-D -X '<primitive id=\"a\"/>'",
  };
  std::string peer_file = dir_ + "/peer.xml";
  ASSERT_EQ(system(("cp " + file_ + " " + peer_file).c_str()), 0);
  for (const auto& cmd : commands) {
    Outcome ours = run(cmd);
    Outcome theirs = run(cmd, peer, peer_file);
    EXPECT_EQ(ours.rc, theirs.rc) << "cibadmin " << cmd << "\nours: " << ours.err << "\npeer: " << theirs.err;
  }
}

}  // namespace
