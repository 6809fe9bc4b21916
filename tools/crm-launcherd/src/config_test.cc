#include "config.h"

#include <gtest/gtest.h>

namespace crm::launcher {
namespace {

TEST(LauncherConfigTest, Defaults) {
  Config c = default_config();
  ASSERT_EQ(c.daemons.size(), 5u);
  EXPECT_EQ(c.daemons[0].name, "cibd");
  EXPECT_EQ(c.daemons[1].name, "lrmd");
  EXPECT_EQ(c.daemons[2].name, "fenced");  // after the executor, before the controller
  EXPECT_EQ(c.daemons[3].name, "attrd");   // agents' monitors set attributes once the controller runs them
  EXPECT_EQ(c.daemons[4].name, "crmd");
  EXPECT_EQ(c.daemons[0].stop_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.daemons[4].stop_timeout, std::chrono::seconds(300));  // crmd moves resources first
  EXPECT_EQ(c.max_restarts, 5);
}

TEST(LauncherConfigTest, ParsesAllKeys) {
  auto c = parse_config(
      "# comment\n"
      "daemons = a crmd b   # trailing comment\n"
      "bin_dir = /opt/crm\n"
      "log_file = /tmp/l.log\n"
      "max_restarts = 2\nrestart_window = 10\nrestart_delay_ms = 50\nrestart_delay_max_ms = 400\n"
      "start_delay_ms = 0\nstop_timeout = 7\nshutdown_timeout = 90\n"
      "args.a = --x 1\nstop_timeout.b = 3\n");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  ASSERT_EQ(c->daemons.size(), 3u);
  EXPECT_EQ(c->daemons[0].args, (std::vector<std::string>{"--x", "1"}));
  EXPECT_EQ(c->daemons[0].stop_timeout, std::chrono::seconds(7));
  EXPECT_EQ(c->daemons[1].stop_timeout, std::chrono::seconds(90));
  EXPECT_EQ(c->daemons[2].stop_timeout, std::chrono::seconds(3));
  EXPECT_EQ(c->bin_dir, "/opt/crm");
  EXPECT_EQ(c->max_restarts, 2);
  EXPECT_EQ(c->restart_delay_max, std::chrono::milliseconds(400));
  EXPECT_EQ(c->daemons[0].nice, 0);
}

TEST(LauncherConfigTest, NiceForAllAndPerDaemon) {
  auto c = parse_config("daemons = cibd lrmd crmd\nnice = -10\nnice.cibd = 5\n");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->daemons[0].nice, 5);
  EXPECT_EQ(c->daemons[1].nice, -10);
  EXPECT_EQ(c->daemons[2].nice, -10);
  EXPECT_FALSE(parse_config("nice = -21\n").ok());
  EXPECT_FALSE(parse_config("nice.lrmd = 20\n").ok());
  EXPECT_FALSE(parse_config("nice = high\n").ok());
  EXPECT_FALSE(parse_config("nice =\n").ok());
}

TEST(LauncherConfigTest, Errors) {
  EXPECT_FALSE(parse_config("nonsense\n").ok());
  EXPECT_FALSE(parse_config("unknown = 1\n").ok());
  EXPECT_FALSE(parse_config("max_restarts = many\n").ok());
  EXPECT_FALSE(parse_config("daemons = ../evil\n").ok());
  auto st = parse_config("a = b\n").status();
  EXPECT_NE(st.message().find("line 1"), std::string::npos);
}

}  // namespace
}  // namespace crm::launcher
