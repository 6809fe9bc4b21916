#include <gtest/gtest.h>

#include <filesystem>

#include "crm/import/import.h"
#include "import_testing.h"

namespace crm::import {
namespace {

using testing::expect_golden;
using testing::expect_verified;
using testing::testdata;
using testing::testdata_path;

std::string config_text(const Imported& imported) { return xml::to_string(imported.configuration.get()); }

// Files named by their full path, so that `include` resolves beside them.
KeepalivedNode node_file(const std::string& node, const std::string& relative) {
  Source src = testdata(relative);
  src.name = testdata_path(relative);
  return {node, src};
}

// Every keepalived sample Debian ships (keepalived 2.2.7, copied into
// testdata/keepalived/samples) imports and passes crm_verify.
TEST(Keepalived, DebianSamplesImportAndVerify) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testdata_path("keepalived/samples"))) {
    std::string name = entry.path().filename().string();
    if (name.rfind("keepalived.conf.", 0) != 0) continue;
    SCOPED_TRACE(name);
    ++count;
    auto out = from_keepalived({{"", testdata("keepalived/samples/" + name)}});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    expect_verified(*out, false);
  }
  EXPECT_EQ(count, 25);
}

TEST(Keepalived, SampleGolden) {
  auto out = from_keepalived({{"", testdata("keepalived/samples/keepalived.conf.sample")}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  expect_golden(config_text(*out), "keepalived/sample.expected.xml");
  expect_golden(format_report(out->report), "keepalived/sample.expected.report");
  ASSERT_EQ(out->files.size(), 1u);
  expect_golden(out->files[0].text, "keepalived/sample.expected.ldirectord.cf");
}

TEST(Keepalived, SyncGroupGolden) {
  auto out = from_keepalived({{"", testdata("keepalived/samples/keepalived.conf.vrrp.sync")}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  expect_golden(config_text(*out), "keepalived/sync.expected.xml");
}

// Two nodes' files: priorities become location scores, scripts rules, the
// included virtual_server an ldirectord beside its address.
TEST(Keepalived, PairGolden) {
  auto out =
      from_keepalived({node_file("lb1", "keepalived/pair/lb1.conf"), node_file("lb2", "keepalived/pair/lb2.conf")});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  std::string report = format_report(out->report);
  // Paths in the report are absolute here; the golden keeps them relative.
  for (size_t at; (at = report.find(testdata_path(""))) != std::string::npos;)
    report.erase(at, testdata_path("").size());
  expect_golden(config_text(*out), "keepalived/pair/expected.xml");
  expect_golden(report, "keepalived/pair/expected.report");
  ASSERT_EQ(out->files.size(), 1u);
  expect_golden(out->files[0].text.substr(out->files[0].text.find('\n') + 1), "keepalived/pair/expected.ldirectord.cf");
  expect_verified(*out, false);
  std::string x = config_text(*out);
  EXPECT_NE(x.find("<rsc_location id=\"loc_grp_VI_WEB_lb1\" rsc=\"grp_VI_WEB\" node=\"lb1\" score=\"150\"/>"),
            std::string::npos);
  EXPECT_NE(x.find("<rsc_location id=\"loc_grp_VI_WEB_lb2\" rsc=\"grp_VI_WEB\" node=\"lb2\" score=\"100\"/>"),
            std::string::npos);
  EXPECT_NE(x.find("rsc=\"vip_10.0.5.20\" node=\"lb2\" score=\"110\""), std::string::npos);
}

TEST(Keepalived, ConditionalLinesFollowTheNodeName) {
  auto out = from_keepalived({{"high", testdata("keepalived/samples/keepalived.conf.conditional_conf")},
                              {"low", testdata("keepalived/samples/keepalived.conf.conditional_conf")}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  std::string x = config_text(*out);
  EXPECT_NE(x.find("node=\"high\" score=\"170\""), std::string::npos) << x;
  EXPECT_NE(x.find("node=\"low\" score=\"85\""), std::string::npos) << x;
  expect_verified(*out, false);
}

// keepalived before 1.2 listed a sync group's instances without "group { }".
TEST(Keepalived, OldStyleSyncGroupAndGroupOnlyVirtualServers) {
  auto out = from_keepalived({{"", testdata("keepalived/samples/keepalived.conf.vrrp.lvs_syncd")}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_NE(config_text(*out).find("<rsc_colocation id=\"col_grp_VI_3_with_grp_VI_2\" score=\"INFINITY\" "
                                   "rsc=\"grp_VI_3\" with-rsc=\"grp_VI_2\"/>"),
            std::string::npos)
      << config_text(*out);
  // Only a virtual_server_group: nothing ldirectord can take, so no ldirectord.
  out = from_keepalived({{"", testdata("keepalived/samples/keepalived.conf.virtual_server_group")}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_TRUE(out->files.empty());
  EXPECT_EQ(config_text(*out).find("ldirectord"), std::string::npos);
}

void expect_error(const std::string& relative, bool strict, const std::string& message) {
  auto out = from_keepalived({{"", testdata(relative)}}, {.strict = strict});
  ASSERT_FALSE(out.ok()) << relative;
  EXPECT_EQ(out.status().code(), StatusCode::kParseError);
  EXPECT_EQ(out.status().message(), message);
}

// track_interface: an ethmonitor clone per interface and a location rule on
// its attribute (the instance's FAULT state without a weight).
TEST(Keepalived, TrackInterfaceBecomesAnEthmonitorCloneAndARule) {
  auto out = from_keepalived({{"", Source{"k.conf", R"(vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        10.0.0.10/24
    }
    track_interface {
        eth0
        eth1 weight -20
    }
}
)"}}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  std::string text = config_text(*out);
  EXPECT_NE(text.find(R"(type="ethmonitor")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(name="interface" value="eth0")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(name="interface" value="eth1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(score="-INFINITY")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(attribute="ethmonitor-eth0" operation="eq" value="0")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(score="-20")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(attribute="ethmonitor-eth1" operation="eq" value="0")"), std::string::npos) << text;
  expect_verified(*out, false);
}

TEST(Keepalived, BadInputNamesFileAndLine) {
  expect_error("keepalived/bad/unclosed.conf", false,
               "keepalived/bad/unclosed.conf:1: unbalanced '{': 'vrrp_instance VI_1' is never closed");
  expect_error("keepalived/bad/extra-brace.conf", false, "keepalived/bad/extra-brace.conf:7: unbalanced '}'");
  expect_error("keepalived/bad/unknown-keyword.conf", true,
               "keepalived/bad/unknown-keyword.conf:9: unknown top-level keyword 'vrrp_instanse'");
  expect_error("keepalived/bad/address.conf", false,
               "keepalived/bad/address.conf:4: '192.168.1.300/24' is not an address (IP[/PREFIX])");
}

TEST(Keepalived, UnknownKeywordIsAWarningWhenNotStrict) {
  auto out = from_keepalived({{"", testdata("keepalived/bad/unknown-keyword.conf")}});
  ASSERT_TRUE(out.ok());
  EXPECT_NE(format_report(out->report)
                .find("warning       keepalived/bad/unknown-keyword.conf:9: unknown top-level "
                      "keyword 'vrrp_instanse': ignored"),
            std::string::npos);
}

}  // namespace
}  // namespace crm::import
