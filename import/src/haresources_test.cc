#include <gtest/gtest.h>

#include "crm/import/import.h"
#include "import_testing.h"

namespace crm::import {
namespace {

using testing::expect_golden;
using testing::testdata;

std::string config_text(const Imported& imported) { return xml::to_string(imported.configuration.get()); }

// Imports haresources (+ ha.cf when present), checks the golden XML and
// report, and that crm_verify accepts the result.
void check_sample(const std::string& dir, bool with_ha_cf) {
  std::optional<Source> ha_cf;
  if (with_ha_cf) ha_cf = testdata("haresources/" + dir + "/ha.cf");
  auto out = from_haresources(testdata("haresources/" + dir + "/haresources"), ha_cf);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  expect_golden(config_text(*out), "haresources/" + dir + "/expected.xml");
  expect_golden(format_report(out->report), "haresources/" + dir + "/expected.report");
  testing::expect_verified(*out, false);
}

TEST(Haresources, DrbdWebWithHaCf) { check_sample("drbd-web", true); }
TEST(Haresources, NfsAndDatabaseOnTwoNodes) { check_sample("nfs-db", true); }
TEST(Haresources, WithoutHaCf) { check_sample("simple", false); }

TEST(Haresources, DrbdBecomesAPromotableCloneTheGroupFollows) {
  auto out = from_haresources(
      {"hr", "n1 drbddisk::r0 Filesystem::/dev/drbd0::/data::ext4 IPaddr::10.0.0.1/24/eth0 httpd\n"}, std::nullopt);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  std::string x = config_text(*out);
  EXPECT_NE(x.find("<clone id=\"ms_drbd_r0\">"), std::string::npos) << x;
  EXPECT_NE(x.find("name=\"promotable\" value=\"true\""), std::string::npos);
  EXPECT_NE(x.find("<group id=\"grp_httpd\">"), std::string::npos);
  EXPECT_NE(x.find("rsc=\"grp_httpd\" with-rsc=\"ms_drbd_r0\" with-rsc-role=\"Promoted\""), std::string::npos);
  EXPECT_NE(x.find("first=\"ms_drbd_r0\" first-action=\"promote\" then=\"grp_httpd\" then-action=\"start\""),
            std::string::npos);
  // The group keeps the line's order: filesystem, address, service.
  EXPECT_LT(x.find("id=\"fs_data\""), x.find("id=\"ip_10.0.0.1\""));
  EXPECT_LT(x.find("id=\"ip_10.0.0.1\""), x.find("id=\"httpd\""));
  EXPECT_NE(x.find("name=\"cidr_netmask\" value=\"24\""), std::string::npos);
  EXPECT_NE(x.find("name=\"nic\" value=\"eth0\""), std::string::npos);
}

TEST(Haresources, UnknownScriptIsLsbWithAWarning) {
  auto out = from_haresources({"hr", "n1 10.0.0.1 my-daemon::extra\n"}, std::nullopt);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_NE(config_text(*out).find("class=\"lsb\" type=\"my-daemon\""), std::string::npos);
  std::string report = format_report(out->report);
  EXPECT_NE(report.find("warning       hr:1: my-daemon is not a heartbeat resource script: taken as the LSB init "
                        "script /etc/init.d/my-daemon (lsb:my-daemon)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("no-equivalent hr:1: my-daemon::extra: LSB resources take no arguments"), std::string::npos);
}

TEST(Haresources, TwoNodesKeepFencingOnAndSayFencingIsMissing) {
  auto out = from_haresources(testdata("haresources/drbd-web/haresources"), testdata("haresources/drbd-web/ha.cf"));
  ASSERT_TRUE(out.ok());
  std::string x = config_text(*out);
  EXPECT_NE(x.find("name=\"stonith-enabled\" value=\"true\""), std::string::npos);
  EXPECT_EQ(x.find("value=\"false\""), std::string::npos);
  EXPECT_NE(format_report(out->report).find("the source configures no fencing"), std::string::npos);
}

// Malformed input: an error naming file and line, and no configuration.
void expect_error(const std::string& file, const std::optional<std::string>& ha_cf, const std::string& message) {
  std::optional<Source> cf;
  if (ha_cf) cf = testdata(*ha_cf);
  auto out = from_haresources(testdata(file), cf);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kParseError);
  EXPECT_EQ(out.status().message(), message);
}

TEST(Haresources, BadInputNamesFileAndLine) {
  expect_error("haresources/bad/ip.haresources", std::nullopt,
               "haresources/bad/ip.haresources:2: malformed resource spec 'IPaddr::10.0.0.300/24/eth0': '10.0.0.300' "
               "is not an IP address");
  expect_error("haresources/bad/filesystem.haresources", std::nullopt,
               "haresources/bad/filesystem.haresources:4: malformed resource spec 'Filesystem::/dev/drbd0': expected "
               "Filesystem::DEVICE::DIRECTORY[::FSTYPE[::OPTIONS]]");
  expect_error("haresources/bad/empty-arg.haresources", std::nullopt,
               "haresources/bad/empty-arg.haresources:1: malformed resource spec 'Filesystem::/dev/drbd0::::ext4': "
               "empty argument");
  expect_error("haresources/simple/haresources", "haresources/bad/auto_failback.ha.cf",
               "haresources/bad/auto_failback.ha.cf:2: auto_failback sometimes: expected on, off or legacy");
}

TEST(Haresources, BareAddressMustBeAnAddress) {
  auto out = from_haresources({"hr", "n1 10.0.0.256/24 httpd\n"}, std::nullopt);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "hr:1: malformed resource spec '10.0.0.256/24': '10.0.0.256' is not an IP address");
}

TEST(Haresources, LineWithoutResourcesIsAnError) {
  auto out = from_haresources({"hr", "\n# x\nn1\n"}, std::nullopt);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "hr:3: node n1 has no resources");
}

}  // namespace
}  // namespace crm::import
