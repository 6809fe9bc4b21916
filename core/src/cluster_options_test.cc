#include "crm/core/cluster_options.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace crm {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The peer's test filter: versions and defaults are emptied.
std::string filtered(const std::string& xml) {
  std::string out = std::regex_replace(xml, std::regex(" default=\"[^\"]*\""), " default=\"\"");
  return std::regex_replace(out, std::regex(" version=\"[^\"]*\""), " version=\"\"");
}

TEST(ClusterOptions, MetadataIsThePeersForEachDaemon) {
  const std::string dir = std::string(CRM_SOURCE_DIR) + "/core/testdata/daemon-metadata/";
  for (auto [owner, file] : {std::pair{kController, "controld"}, std::pair{kScheduler, "schedulerd"},
                             std::pair{kCibManager, "based"}, std::pair{kFenceDevice, "fenced"}}) {
    SCOPED_TRACE(file);
    std::string want = read_file(dir + file + ".xml");
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(filtered(option_metadata(owner)), want);
  }
}

TEST(ClusterOptions, MetadataCarriesVersionAndDefaults) {
  std::string md = option_metadata(kController);
  EXPECT_EQ(md.rfind("<?xml version=\"1.0\"?>\n<resource-agent name=\"pacemaker-controld\" version=\"2.1.5\">", 0), 0u);
  EXPECT_NE(md.find("<content type=\"time\" default=\"20s\"/>"), std::string::npos);  // dc-deadtime
  EXPECT_NE(md.find("<content type=\"string\"/>"), std::string::npos);                // cluster-name: no default
  EXPECT_NE(option_metadata(kScheduler).find("<content type=\"select\" default=\"stop\">"), std::string::npos);
}

TEST(ClusterOptions, OwnersAndLookup) {
  ASSERT_NE(find_cluster_option("no-quorum-policy", kController), nullptr);
  ASSERT_NE(find_cluster_option("no-quorum-policy", kScheduler), nullptr);
  EXPECT_EQ(find_cluster_option("no-quorum-policy", kCibManager), nullptr);
  EXPECT_EQ(find_cluster_option("pcmk_host_list"), nullptr);  // a device parameter, not a cluster option
  EXPECT_NE(find_cluster_option("pcmk_host_list", kFenceDevice), nullptr);
  EXPECT_EQ(find_cluster_option("No-Quorum-Policy"), nullptr);
  std::set<std::string_view> names;
  for (const ClusterOption& o : cluster_option_table()) {
    EXPECT_TRUE(names.insert(o.name).second) << "twice: " << o.name;
    if (o.default_value) {
      EXPECT_TRUE(cluster_option_valid(o, o.default_value)) << o.name;
    }
  }
}

TEST(ClusterOptions, ValuesAreCheckedAsThePeerDoes) {
  auto valid = [](const char* name, const char* value) {
    const ClusterOption* o = find_cluster_option(name, kClusterDaemons | kFenceDevice);
    EXPECT_NE(o, nullptr) << name;
    return o && cluster_option_valid(*o, value);
  };
  EXPECT_TRUE(valid("no-quorum-policy", "freeze"));
  EXPECT_TRUE(valid("no-quorum-policy", "IGNORE"));
  EXPECT_FALSE(valid("no-quorum-policy", "panic"));
  EXPECT_TRUE(valid("stonith-action", "poweroff"));
  EXPECT_FALSE(valid("stonith-action", "Reboot"));  // the peer compares fencing actions exactly
  EXPECT_TRUE(valid("placement-strategy", "Balanced"));
  EXPECT_TRUE(valid("symmetric-cluster", "Yes"));
  EXPECT_FALSE(valid("symmetric-cluster", "maybe"));
  EXPECT_TRUE(valid("batch-limit", "30"));
  EXPECT_TRUE(valid("node-health-red", "-INFINITY"));
  EXPECT_FALSE(valid("batch-limit", "3x"));
  EXPECT_TRUE(valid("stonith-max-attempts", "INFINITY"));
  EXPECT_FALSE(valid("stonith-max-attempts", "0"));
  EXPECT_FALSE(valid("cluster-ipc-limit", "-INFINITY"));
  for (const char* t : {"60s", "15min", "2h", "500ms", "10", "PT1M", "P1DT2H", "P1H", "10sec"}) EXPECT_TRUE(valid("cluster-delay", t)) << t;
  for (const char* t : {"-5s", "soon", "", "P", "PT", "P1X"}) EXPECT_FALSE(valid("cluster-delay", t)) << t;
  EXPECT_TRUE(valid("load-threshold", "80%"));
  EXPECT_FALSE(valid("load-threshold", "80 percent"));
  EXPECT_TRUE(valid("fence-reaction", "anything"));  // no validator in the peer
}

TEST(ClusterOptions, ResolveReplacesInvalidValuesAndAddsDefaults) {
  std::map<std::string, std::string> opts{{"no-quorum-policy", "panic"}, {"batch-limit", "7"}, {"my-own", "x"}};
  std::vector<std::string> problems;
  resolve_cluster_options(opts, kScheduler, &problems);
  EXPECT_EQ(opts["no-quorum-policy"], "stop");
  EXPECT_EQ(opts["batch-limit"], "7");
  EXPECT_EQ(opts["my-own"], "x");
  EXPECT_EQ(opts["stonith-timeout"], "60s");
  EXPECT_EQ(opts.count("dc-deadtime"), 0u);  // a controller option
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "Using default value for cluster option 'no-quorum-policy' because 'panic' is invalid");
  EXPECT_EQ(cluster_option_or_default({}, "dc-deadtime"), "20s");
  EXPECT_EQ(cluster_option_or_default({{"dc-deadtime", "5s"}}, "dc-deadtime"), "5s");
}

TEST(ClusterOptions, VersionLine) {
  EXPECT_EQ(crm_version_line().rfind("CRM Version: 2.1.5 (", 0), 0u);
  EXPECT_EQ(crm_version_line().back(), ')');
}

}  // namespace
}  // namespace crm
