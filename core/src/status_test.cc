#include "crm/core/status.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

Result<int> half(int v) {
  if (v % 2) return invalid_argument(std::to_string(v) + " is odd");
  return v / 2;
}

Result<int> quarter(int v) {
  ASSIGN_OR_RETURN(int h, half(v));
  ASSIGN_OR_RETURN(int q, half(h));
  return q;
}

TEST(StatusTest, ContextIsPrefixed) {
  Status s = not_found("no resource 'ip'").with_context("cibadmin --delete");
  EXPECT_EQ(s.message(), "cibadmin --delete: no resource 'ip'");
  EXPECT_EQ(s.to_string(), "not-found: cibadmin --delete: no resource 'ip'");
  EXPECT_EQ(Status::Ok().with_context("x"), Status::Ok());
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(quarter(8).value(), 2);
  EXPECT_FALSE(quarter(6).ok());
  EXPECT_EQ(quarter(6).status().message(), "3 is odd");
}

TEST(StatusTest, ExitCodesFollowPeer) {
  EXPECT_EQ(Status::Ok().exit_code(), 0);
  EXPECT_EQ(schema_invalid("x").exit_code(), 78);
  EXPECT_EQ(not_found("x").exit_code(), 105);
  EXPECT_EQ(timeout_error("x").exit_code(), 124);
}

}  // namespace
}  // namespace crm
