// crm_import as an administrator runs it: output, files written, the report
// on stderr, exit codes, and nothing written on an error.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
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

class CrmImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crm-import-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Outcome run(const std::string& bin, const std::string& args) {
    std::string out = dir_ + "/stdout", err = dir_ + "/stderr";
    std::string cmd = "cd " + dir_ + " && " + kBinDir + "/" + bin + " " + args + " </dev/null >" + out + " 2>" + err;
    int status = system(cmd.c_str());
    return Outcome{WEXITSTATUS(status), slurp(out), slurp(err)};
  }

  static inline const std::string kBinDir = std::string(CRM_BINARY_DIR) + "/bin";
  static inline const std::string kData = std::string(CRM_SOURCE_DIR) + "/import/testdata";
  std::string dir_;
};

TEST_F(CrmImportTest, HaresourcesToStdoutWithTheToDosOnStderr) {
  Outcome o = run("crm_import", "haresources " + kData + "/haresources/drbd-web/haresources " + kData +
                                    "/haresources/drbd-web/ha.cf");
  EXPECT_EQ(o.rc, 0) << o.err;
  EXPECT_EQ(o.out, slurp(kData + "/haresources/drbd-web/expected.xml"));
  EXPECT_NE(o.err.find("to-do         " + kData + "/haresources/drbd-web/ha.cf: the source configures no fencing"),
            std::string::npos)
      << o.err;
  EXPECT_EQ(o.err.find("translated    "), std::string::npos) << "only --report lists translated parts";
  EXPECT_NE(o.err.find("crm_import: 9 translated, 1 approximated, 6 without equivalent, 4 to do, 1 warnings"),
            std::string::npos)
      << o.err;
  Outcome all = run("crm_import", "--report haresources " + kData + "/haresources/drbd-web/haresources");
  EXPECT_NE(all.err.find("translated    "), std::string::npos);
}

TEST_F(CrmImportTest, ClusterConfCibPassesCrmVerify) {
  Outcome o = run("crm_import", "cluster.conf " + kData + "/cluster_conf/three-node-nfs.conf --cib -o cib.xml");
  EXPECT_EQ(o.rc, 0) << o.err;
  EXPECT_EQ(o.out, "");
  Outcome v = run("crm_verify", "-x cib.xml");
  EXPECT_EQ(v.rc, 0) << v.out << v.err;
}

TEST_F(CrmImportTest, KeepalivedWritesLdirectordCfBesideTheOutput) {
  std::filesystem::create_directory(dir_ + "/out");
  Outcome o = run("crm_import", "keepalived --node lb1=" + kData + "/keepalived/pair/lb1.conf --node lb2=" + kData +
                                    "/keepalived/pair/lb2.conf -o out/config.xml");
  EXPECT_EQ(o.rc, 0) << o.err;
  EXPECT_NE(o.err.find("crm_import: wrote out/ldirectord.cf"), std::string::npos) << o.err;
  EXPECT_NE(slurp(dir_ + "/out/ldirectord.cf").find("virtual=192.168.10.100:80"), std::string::npos);
  EXPECT_NE(slurp(dir_ + "/out/config.xml").find("type=\"ldirectord\""), std::string::npos);
}

TEST_F(CrmImportTest, ErrorsNameFileAndLineAndWriteNothing) {
  Outcome o = run("crm_import", "keepalived --strict " + kData + "/keepalived/bad/unknown-keyword.conf -o out.xml");
  EXPECT_EQ(o.rc, 65);
  EXPECT_EQ(o.err, "crm_import: " + kData +
                       "/keepalived/bad/unknown-keyword.conf:9: unknown top-level keyword 'vrrp_instanse'\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/out.xml"));
  o = run("crm_import", "haresources " + kData + "/haresources/bad/filesystem.haresources");
  EXPECT_EQ(o.rc, 65);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "crm_import: " + kData +
                       "/haresources/bad/filesystem.haresources:4: malformed resource spec "
                       "'Filesystem::/dev/drbd0': expected Filesystem::DEVICE::DIRECTORY[::FSTYPE[::OPTIONS]]\n");
  o = run("crm_import", "cluster.conf " + kData + "/cluster_conf/bad/unknown-node.conf");
  EXPECT_EQ(o.rc, 65);
  o = run("crm_import", "heartbeat x");
  EXPECT_EQ(o.rc, 64);
  EXPECT_EQ(o.err, "crm_import: unknown kind 'heartbeat': expected haresources, keepalived or cluster.conf\n");
  o = run("crm_import", "cluster.conf /nonexistent/cluster.conf");
  EXPECT_EQ(o.rc, 105) << o.err;
}

}  // namespace
