#include <gtest/gtest.h>

#include "crm/import/import.h"
#include "import_testing.h"

namespace crm::import {
namespace {

using testing::expect_golden;
using testing::expect_verified;
using testing::testdata;

std::string config_text(const Imported& imported) { return xml::to_string(imported.configuration.get()); }

Imported check_sample(const std::string& name, bool has_fencing) {
  auto out = from_cluster_conf(testdata("cluster_conf/" + name + ".conf"));
  EXPECT_TRUE(out.ok()) << out.status().to_string();
  if (!out.ok()) return {};
  expect_golden(config_text(*out), "cluster_conf/" + name + ".expected.xml");
  expect_golden(format_report(out->report), "cluster_conf/" + name + ".expected.report");
  expect_verified(*out, has_fencing);
  return std::move(*out);
}

TEST(ClusterConf, TwoNodeWeb) {
  Imported out = check_sample("two-node-web", true);
  std::string x = config_text(out);
  // Ordered domain: priority 1 scores highest; restricted: nothing else (two nodes: no other node).
  EXPECT_NE(x.find("rsc=\"web\" node=\"web1.example.com\" score=\"200\""), std::string::npos) << x;
  EXPECT_NE(x.find("rsc=\"web\" node=\"web2.example.com\" score=\"100\""), std::string::npos);
  // As rgmanager: the fs (type order before ip), then the script nested in it, then the ip.
  EXPECT_LT(x.find("id=\"fs_webdata\""), x.find("id=\"httpd\""));
  EXPECT_LT(x.find("id=\"httpd\""), x.find("id=\"ip_192.168.50.10\""));
  EXPECT_NE(x.find("name=\"migration-threshold\" value=\"1\""), std::string::npos);
  EXPECT_NE(x.find("<fencing-level id=\"fl-web1.example.com-1\" target=\"web1.example.com\" index=\"1\" "
                   "devices=\"ipmi-web1\"/>"),
            std::string::npos);
  EXPECT_NE(x.find("name=\"priority-fencing-delay\""), std::string::npos);
  EXPECT_NE(x.find("<node id=\"2\" uname=\"web2.example.com\"/>"), std::string::npos);
}

TEST(ClusterConf, ThreeNodesTwoFenceMethodsNfsAndDb) {
  Imported out = check_sample("three-node-nfs", true);
  std::string x = config_text(out);
  EXPECT_NE(x.find("name=\"pcmk_host_map\" value=\"n1:1;n2:2;n3:3\""), std::string::npos) << x;
  EXPECT_NE(x.find("target=\"n1\" index=\"2\" devices=\"apc\""), std::string::npos);
  EXPECT_NE(x.find("target=\"n3\" index=\"1\" devices=\"apc\""), std::string::npos);
  EXPECT_NE(x.find("rsc=\"db\" node=\"n1\" score=\"-INFINITY\""), std::string::npos);
  EXPECT_NE(x.find("name=\"migration-threshold\" value=\"4\""), std::string::npos);
  EXPECT_NE(x.find("name=\"failure-timeout\" value=\"600s\""), std::string::npos);
  EXPECT_NE(x.find("on-fail=\"stop\""), std::string::npos);
  EXPECT_NE(x.find("name=\"target-role\" value=\"Stopped\""), std::string::npos);
}

TEST(ClusterConf, TwoNodesWithoutFencingKeepStonithEnabled) {
  Imported out = check_sample("no-fencing", false);
  std::string x = config_text(out);
  EXPECT_NE(x.find("name=\"stonith-enabled\" value=\"true\""), std::string::npos);
  EXPECT_NE(format_report(out.report).find("the source configures no fencing"), std::string::npos);
}

void expect_error(const std::string& relative, const std::string& message) {
  auto out = from_cluster_conf(testdata(relative));
  ASSERT_FALSE(out.ok()) << relative;
  EXPECT_EQ(out.status().code(), StatusCode::kParseError);
  EXPECT_EQ(out.status().message(), message);
}

TEST(ClusterConf, BadInputNamesFileAndLine) {
  expect_error("cluster_conf/bad/unknown-node.conf",
               "cluster_conf/bad/unknown-node.conf:30: failoverdomain prefer-web1: unknown node 'web3.example.com'");
  expect_error("cluster_conf/bad/missing-ref.conf",
               "cluster_conf/bad/missing-ref.conf:40: service web: no <script> named 'apache' in <resources>");
  expect_error(
      "cluster_conf/bad/not-xml.conf",
      "cluster_conf/bad/not-xml.conf: line 8: Opening and ending tag mismatch: clusternodes line 5 and clusternode");
}

}  // namespace
}  // namespace crm::import
