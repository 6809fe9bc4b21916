#include "crm/lrmd/metadata.h"

#include <gtest/gtest.h>

#include "crm/core/xml.h"
#include "crm/lrmd/lrmd.h"
#include "wire.h"

namespace crm::lrmd {
namespace {

constexpr const char* kMeta = R"(<?xml version="1.0"?>
<resource-agent name="IPaddr2" version="1.0">
  <version>1.0</version>
  <shortdesc lang="en">Manages virtual IPv4 and IPv6 addresses</shortdesc>
  <parameters>
    <parameter name="ip" unique="1" required="1"><shortdesc lang="en">IP</shortdesc><content type="string"/></parameter>
    <parameter name="nic" unique="0"><content type="string" default="eth0"/></parameter>
  </parameters>
  <actions>
    <action name="start" timeout="20s"/>
    <action name="monitor" timeout="30s" interval="10s" depth="0"/>
    <action name="monitor" timeout="40s" interval="5s"/>
    <action name="stop" timeout="2min"/>
  </actions>
</resource-agent>)";

TEST(MetadataTest, ParsesParametersAndActions) {
  auto md = parse_metadata(kMeta, "ocf:heartbeat:IPaddr2");
  ASSERT_TRUE(md.ok()) << md.status().to_string();
  EXPECT_EQ(md->name, "IPaddr2");
  ASSERT_EQ(md->parameters.size(), 2u);
  EXPECT_TRUE(md->parameter("ip")->required);
  EXPECT_TRUE(md->parameter("ip")->unique);
  EXPECT_EQ(md->parameter("ip")->shortdesc, "IP");
  EXPECT_EQ(md->parameter("nic")->default_value.value_or(""), "eth0");
  EXPECT_EQ(md->default_timeout_ms("start").value_or(0), 20000u);
  EXPECT_EQ(md->default_timeout_ms("stop").value_or(0), 120000u);
  EXPECT_EQ(md->action("monitor")->interval_ms, 5000u);
  EXPECT_EQ(md->action("monitor", 10000)->timeout_ms, 30000u);
  EXPECT_FALSE(md->default_timeout_ms("promote").has_value());
  EXPECT_EQ(md->missing_required({{"nic", "eth1"}}), std::vector<std::string>{"ip"});
  EXPECT_EQ(md->missing_required({{"ip", ""}}), std::vector<std::string>{"ip"});
  EXPECT_TRUE(md->missing_required({{"ip", "1.2.3.4"}}).empty());
  EXPECT_TRUE(md->missing_required({}, {"ip"}).empty());
}

TEST(MetadataTest, RejectsGarbage) {
  auto bad = parse_metadata("<not xml", "ocf:test:x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("ocf:test:x"), std::string::npos);
  EXPECT_FALSE(parse_metadata("<other/>", "x").ok());
}

TEST(MetadataTest, RealDebianFenceAgentMetadata) {
  // Produced by the agent at build time would need the agent; read the live one.
  FILE* p = popen("/usr/sbin/fence_ipmilan -o metadata 2>/dev/null", "r");
  if (!p) GTEST_SKIP();
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) text.append(buf, n);
  if (pclose(p) != 0 || text.empty()) GTEST_SKIP() << "fence_ipmilan not runnable";
  auto md = parse_metadata(text, "stonith:fence_ipmilan");
  ASSERT_TRUE(md.ok()) << md.status().to_string();
  EXPECT_EQ(md->name, "fence_ipmilan");
  ASSERT_NE(md->parameter("ip"), nullptr);
  EXPECT_NE(md->parameter("password"), nullptr);
  EXPECT_TRUE(md->default_timeout_ms("off").has_value() || md->action("off") != nullptr);
}

TEST(WireTest, RequestAndResultRoundTrip) {
  ExecRequest req{.rsc_id = "ip1", .standard = "ocf", .provider = "heartbeat", .type = "IPaddr2",
                  .action = "monitor", .interval_ms = 10000, .timeout_ms = 20000,
                  .params = {{"ip", "10.0.0.5"}, {"CRM_meta_on_node", "n1"}, {"weird", "a<b&\"c\""}}};
  auto doc = xml::parse(wire::exec_message(7, req));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(xml::attr_or(xml::root(*doc), "req_id"), "7");
  auto back = wire::get_request(xml::root(*doc));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->params, req.params);
  EXPECT_EQ(back->op_key(), "ip1_monitor_10000");
  EXPECT_EQ(back->agent_spec(), "ocf:heartbeat:IPaddr2");

  ExecResult r;
  r.rsc_id = "ip1";
  r.action = "monitor";
  r.interval_ms = 10000;
  r.call_id = 12;
  r.rc = kOcfNotRunning;
  r.op_status = ExecStatus::kTimeout;
  r.exit_reason = "gone <away>";
  r.output = "line1\nline2 & more\n";
  r.start_time = 1700000000;
  r.duration_ms = 35;
  r.standard = "ocf";
  auto rdoc = xml::parse(wire::result_message(r));
  ASSERT_TRUE(rdoc.ok());
  auto rb = wire::get_result(xml::root(*rdoc));
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb->output, r.output);
  EXPECT_EQ(rb->exit_reason, r.exit_reason);
  EXPECT_EQ(rb->op_status, ExecStatus::kTimeout);
  EXPECT_EQ(rb->rc, kOcfNotRunning);
  EXPECT_EQ(rb->start_time, r.start_time);
  EXPECT_EQ(rb->summary(), "ip1_monitor_10000 (call 12): not running (timeout) 'gone <away>' in 35 ms");
}

TEST(WireTest, BadNumbersRejected) {
  auto doc = xml::parse(R"(<lrmd_exec rsc_id="a" interval_ms="-5"/>)");
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(wire::get_request(xml::root(*doc)).ok());
}

TEST(WireTest, StatusRoundTrip) {
  auto doc = xml::new_document("lrmd_reply");
  wire::put_status(xml::root(doc), not_found("no operation x"));
  Status s = wire::get_status(xml::root(doc));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no operation x");
}

}  // namespace
}  // namespace crm::lrmd
