#include "import_testing.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace crm::import::testing {

std::string testdata_path(const std::string& relative) { return std::string(IMPORT_TESTDATA) + "/" + relative; }

Source testdata(const std::string& relative) {
  std::ifstream in(testdata_path(relative));
  EXPECT_TRUE(in.good()) << "missing test data " << relative;
  std::ostringstream s;
  s << in.rdbuf();
  return {relative, s.str()};
}

void expect_golden(const std::string& actual, const std::string& relative) {
  const std::string path = testdata_path(relative);
  const char* update = std::getenv("IMPORT_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(path) << actual;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "no golden file " << relative << " (run with IMPORT_UPDATE_GOLDEN=1)";
  std::ostringstream s;
  s << in.rdbuf();
  EXPECT_EQ(actual, s.str()) << "differs from " << relative;
}

VerifyResult crm_verify(const Imported& imported, bool add_fence_device) {
  char path[] = "/tmp/import-test-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return {-1, "mkstemp failed"};
  std::string cib = as_cib(imported);
  if (add_fence_device) {
    const std::string device =
        "<primitive id=\"test-fence\" class=\"stonith\" type=\"fence_ipmilan\"><instance_attributes "
        "id=\"test-fence-ia\"><nvpair id=\"test-fence-ip\" name=\"ip\" "
        "value=\"192.0.2.1\"/></instance_attributes></primitive>";
    size_t at = cib.find("<resources>");
    if (at != std::string::npos) {
      cib.insert(at + 11, device);
    } else if ((at = cib.find("<resources/>")) != std::string::npos) {
      cib.replace(at, 12, "<resources>" + device + "</resources>");
    }
  }
  if (write(fd, cib.data(), cib.size()) != static_cast<ssize_t>(cib.size())) {
    close(fd);
    unlink(path);
    return {-1, "write failed"};
  }
  close(fd);
  std::string command = std::string(CRM_BINARY_DIR) + "/bin/crm_verify -V -x " + path + " 2>&1";
  VerifyResult result{-1, ""};
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) result.output.append(buf, n);
    int status = pclose(p);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  unlink(path);
  return result;
}

}  // namespace crm::import::testing

namespace crm::import::testing {

void expect_verified(const Imported& imported, bool source_has_fencing) {
  VerifyResult plain = crm_verify(imported);
  if (source_has_fencing) {
    EXPECT_EQ(plain.exit_code, 0) << plain.output;
    EXPECT_EQ(plain.output.find("error"), std::string::npos) << plain.output;
    return;
  }
  EXPECT_EQ(plain.exit_code, 78) << plain.output;
  EXPECT_EQ(plain.output,
            "error: Resource start-up disabled since no STONITH resources have been defined\n"
            "error: Either configure some or disable STONITH with the stonith-enabled option\n"
            "error: NOTE: Clusters with shared data need STONITH to ensure data integrity\n"
            "crm_verify: Errors found during check: config not valid\n");
  VerifyResult fenced = crm_verify(imported, true);
  EXPECT_EQ(fenced.exit_code, 0) << fenced.output;
  EXPECT_EQ(fenced.output.find("error"), std::string::npos) << fenced.output;
}

}  // namespace crm::import::testing
