#include "crm/core/boolean.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(BooleanTest, ThePeersSpellingsOfTrueInAnyCase) {
  for (const char* v : {"true", "TRUE", "True", "on", "ON", "yes", "Yes", "y", "Y", "1"}) EXPECT_TRUE(is_true(v)) << v;
  for (const char* v : {"", "false", "off", "no", "n", "0", "2", "truee", " true", "yes please"}) {
    EXPECT_FALSE(is_true(v)) << v;
  }
}

}  // namespace
}  // namespace crm
