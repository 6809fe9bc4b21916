#include <gtest/gtest.h>

#include "crm/core/exec_status.h"
#include "crm/core/ocf_rc.h"

namespace crm {
namespace {

TEST(OcfRc, ThePeersWords) {
  EXPECT_STREQ(ocf_rc_text(kOcfOk), "ok");
  EXPECT_STREQ(ocf_rc_text(kOcfNotRunning), "not running");
  EXPECT_STREQ(ocf_rc_text(kOcfRunningPromoted), "promoted");
  EXPECT_STREQ(ocf_rc_text(kOcfDegradedPromoted), "OCF_DEGRADED_PROMOTED");
  EXPECT_STREQ(ocf_rc_text(42), "unknown");
}

TEST(ExecStatus, ThePeersNumbersAndWords) {
  EXPECT_EQ(static_cast<int>(ExecStatus::kPending), -1);
  EXPECT_EQ(static_cast<int>(ExecStatus::kNotInstalled), 7);
  EXPECT_EQ(static_cast<int>(ExecStatus::kInvalid), 9);
  EXPECT_STREQ(exec_status_text(ExecStatus::kDone), "complete");
  EXPECT_STREQ(exec_status_text(2), "Timed Out");
  EXPECT_STREQ(exec_status_text(5), "Hard error");
  EXPECT_STREQ(exec_status_text(ExecStatus::kNotConnected), "Internal communication failure");
  EXPECT_STREQ(exec_status_text(42), "UNKNOWN!");
}

}  // namespace
}  // namespace crm
