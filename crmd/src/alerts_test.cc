// Alerts: reading the <alerts> section, the events' CRM_alert_* values, and
// the controller sending them through its executor requests.
#include "alerts.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "crm/cib/request.h"
#include "crm/core/xml.h"
#include "crm/crmd/controller.h"

namespace crm::crmd {
namespace {

using namespace std::chrono_literals;

const char* kAlerts = R"(<alerts>
  <alert id="file" path="/usr/local/bin/alert_file.sh">
    <meta_attributes id="file-meta">
      <nvpair id="file-to" name="timeout" value="15s"/>
      <nvpair id="file-ts" name="timestamp-format" value="%Y-%m-%d %H:%M:%S.%03N"/>
    </meta_attributes>
    <instance_attributes id="file-env"><nvpair id="file-dbg" name="debug_exec_order" value="false"/></instance_attributes>
    <recipient id="file-a" value="/var/log/a.log"/>
    <recipient id="file-b" value="/var/log/b.log">
      <meta_attributes id="file-b-meta"><nvpair id="file-b-to" name="timeout" value="2000"/></meta_attributes>
      <instance_attributes id="file-b-env"><nvpair id="file-b-dbg" name="debug_exec_order" value="true"/></instance_attributes>
    </recipient>
  </alert>
  <alert id="ping" path="/bin/ping-alert">
    <select><select_fencing/><select_attributes><attribute id="ping-a" name="pingd"/></select_attributes></select>
    <meta_attributes id="ping-meta"><nvpair id="ping-to" name="timeout" value="soon"/></meta_attributes>
  </alert>
</alerts>)";

std::vector<alerts::Agent> agents(std::vector<std::string>* warnings = nullptr) {
  auto doc = xml::parse(kAlerts);
  EXPECT_TRUE(doc.ok());
  return alerts::read_agents(xml::root(*doc), warnings);
}

TEST(AlertsTest, EachRecipientIsOneAgentWithItsOwnMetaAndEnvironment) {
  std::vector<std::string> warnings;
  auto a = agents(&warnings);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].id, "file");
  EXPECT_EQ(a[0].recipient, "/var/log/a.log");
  EXPECT_EQ(a[0].timeout, 15s);
  EXPECT_EQ(a[0].timestamp_format, "%Y-%m-%d %H:%M:%S.%03N");
  EXPECT_EQ(a[0].env.at("debug_exec_order"), "false");
  EXPECT_EQ(a[0].kinds, alerts::kNode | alerts::kFencing | alerts::kResource);  // the default: no attributes
  EXPECT_EQ(a[1].recipient, "/var/log/b.log");
  EXPECT_EQ(a[1].timeout, 2000ms);  // a bare number is milliseconds, as the peer's
  EXPECT_EQ(a[1].env.at("debug_exec_order"), "true");
  EXPECT_FALSE(a[2].recipient.has_value());
  EXPECT_EQ(a[2].kinds, alerts::kFencing | alerts::kAttribute);
  EXPECT_EQ(a[2].attributes, std::set<std::string>{"pingd"});
  EXPECT_EQ(a[2].timeout, 30s);  // "soon" is no duration: the default, and a warning
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("alert ping has an invalid timeout 'soon'"), std::string::npos) << warnings[0];
  EXPECT_TRUE(alerts::read_agents(nullptr).empty());
}

TEST(AlertsTest, TimestampsFollowThePeersFormatWithFractions) {
  setenv("TZ", "UTC", 1);
  tzset();
  auto at = std::chrono::seconds(1700000000) + 123456us;  // 2023-11-14 22:13:20.123456 UTC
  EXPECT_EQ(alerts::format_timestamp("%H:%M:%S.%06N", at), "22:13:20.123456");
  EXPECT_EQ(alerts::format_timestamp("%Y-%m-%d %H:%M:%S.%03N", at), "2023-11-14 22:13:20.123");
  EXPECT_EQ(alerts::format_timestamp("%s %%N %9N", at), "1700000000 %N 123456");  // at most 6 digits
  EXPECT_EQ(alerts::format_timestamp("plain", at), "plain");
}

TEST(AlertsTest, RequestsCarryTheEventToTheAgentsThatSelectIt) {
  auto a = agents();
  uint64_t seq = 0;
  auto now = std::chrono::seconds(1700000000) + 5us;
  auto node = alerts::requests(a, alerts::node_event("n2", 2, "lost"), now, &seq);
  ASSERT_EQ(node.size(), 2u);  // both recipients of "file"; "ping" selects no node events
  const auto& p = node[0].params;
  EXPECT_EQ(node[0].standard, lrmd::kClassAlert);
  EXPECT_EQ(node[0].type, "/usr/local/bin/alert_file.sh");
  EXPECT_EQ(node[0].rsc_id, "alert:file");
  EXPECT_EQ(node[0].timeout_ms, 15000u);
  EXPECT_EQ(node[1].timeout_ms, 2000u);
  EXPECT_EQ(p.at("CRM_alert_kind"), "node");
  EXPECT_EQ(p.at("CRM_alert_node"), "n2");
  EXPECT_EQ(p.at("CRM_alert_nodeid"), "2");
  EXPECT_EQ(p.at("CRM_alert_desc"), "lost");
  EXPECT_EQ(p.at("CRM_alert_recipient"), "/var/log/a.log");
  EXPECT_EQ(p.at("CRM_notify_recipient"), "/var/log/a.log");  // the older names too
  EXPECT_EQ(p.at("CRM_alert_timestamp_epoch"), "1700000000");
  EXPECT_EQ(p.at("CRM_alert_timestamp_usec"), "000005");
  EXPECT_EQ(p.at("CRM_alert_node_sequence"), "1");
  EXPECT_EQ(node[1].params.at("CRM_alert_node_sequence"), "2");
  EXPECT_EQ(p.at("debug_exec_order"), "false");
  EXPECT_EQ(node[1].params.at("debug_exec_order"), "true");
  EXPECT_FALSE(p.at("CRM_alert_version").empty());

  auto fence = alerts::requests(a, alerts::fencing_event("n3", "reboot", "Operation reboot of n3 ...: OK", 0), now, &seq);
  ASSERT_EQ(fence.size(), 3u);
  EXPECT_FALSE(fence[2].params.count("CRM_alert_recipient"));
  EXPECT_EQ(fence[2].params.at("CRM_alert_task"), "reboot");
  EXPECT_EQ(fence[2].params.at("CRM_alert_rc"), "0");

  auto pingd = alerts::requests(a, alerts::attribute_event("n1", "1", "pingd", "100"), now, &seq);
  ASSERT_EQ(pingd.size(), 1u);
  EXPECT_EQ(pingd[0].params.at("CRM_alert_attribute_name"), "pingd");
  EXPECT_EQ(pingd[0].params.at("CRM_alert_attribute_value"), "100");
  EXPECT_TRUE(alerts::requests(a, alerts::attribute_event("n1", "1", "other", "1"), now, &seq).empty());
}

TEST(AlertsTest, ResourceEventsSkipProbesThatFoundWhatWasExpected) {
  lrmd::ExecResult probe{.rsc_id = "ip", .action = "monitor", .rc = kOcfNotRunning, .op_status = ExecStatus::kDone};
  EXPECT_FALSE(alerts::resource_event("n1", probe, kOcfNotRunning));
  probe.rc = kOcfOk;  // found running where it should not be
  auto e = alerts::resource_event("n1", probe, kOcfNotRunning);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->values.at("desc"), "ok");
  EXPECT_EQ(e->values.at("target_rc"), "7");
  lrmd::ExecResult stop{.rsc_id = "ip", .action = "stop", .rc = kOcfErrGeneric, .op_status = ExecStatus::kTimeout,
                        .duration_ms = 20001};
  e = alerts::resource_event("n1", stop, kOcfOk);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->values.at("desc"), "Timed Out");
  EXPECT_EQ(e->values.at("status"), "2");
  EXPECT_EQ(e->values.at("exec_time"), "20001");
  lrmd::ExecResult mon{.rsc_id = "ip", .action = "monitor", .interval_ms = 10000, .rc = kOcfOk,
                       .op_status = ExecStatus::kCancelled};
  e = alerts::resource_event("n1", mon, kOcfOk);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->values.at("desc"), "Cancelled");
  EXPECT_EQ(e->values.at("interval"), "10000");
  lrmd::ExecResult md{.rsc_id = "ip", .action = "meta-data", .rc = kOcfOk, .op_status = ExecStatus::kDone};
  EXPECT_FALSE(alerts::resource_event("n1", md, kOcfOk));
}

TEST(AlertsTest, AttributeChangesBetweenTwoStatusSections) {
  auto before = xml::parse(R"(<status>
    <node_state id="1" uname="n1"><transient_attributes id="1"><instance_attributes id="s-1">
      <nvpair id="a" name="pingd" value="100"/><nvpair id="b" name="gone" value="1"/></instance_attributes></transient_attributes></node_state>
    <node_state id="2" uname="n2"><transient_attributes id="2"><instance_attributes id="s-2">
      <nvpair id="c" name="pingd" value="100"/></instance_attributes></transient_attributes></node_state>
  </status>)");
  auto after = xml::parse(R"(<status>
    <node_state id="1" uname="n1"><transient_attributes id="1"><instance_attributes id="s-1">
      <nvpair id="a" name="pingd" value="0"/><nvpair id="d" name="new" value="x"/></instance_attributes></transient_attributes></node_state>
    <node_state id="2" uname="n2"/>
  </status>)");
  ASSERT_TRUE(before.ok() && after.ok());
  auto changes = alerts::attribute_changes(alerts::node_attributes(xml::root(*before)),
                                           alerts::node_attributes(xml::root(*after)));
  std::vector<std::string> seen;
  for (const auto& e : changes) {
    seen.push_back(e.values.at("node") + ":" + e.attribute + "=" + e.values.at("attribute_value"));
  }
  // n2's attributes were wiped (it left): no alert for that.
  EXPECT_EQ(seen, (std::vector<std::string>{"n1:new=x", "n1:pingd=0", "n1:gone="}));
}

// The controller: node, resource and fencing events become executor requests
// of class "alert"; their results are logged, not kept as any resource's history.
TEST(AlertsTest, TheControllerSendsAlertsThroughItsExecutor) {
  SimulatedClock clock;
  Controller c(1, "n1", {.clock = clock, .scheduler = policy_engine()});
  cib::Cib cib = cib::Cib::empty();
  auto section = xml::parse(kAlerts);
  ASSERT_TRUE(section.ok());
  ASSERT_TRUE(cib.replace("alerts", xml::root(*section)).ok());
  auto alert_calls = [](const Outputs& out) {
    std::vector<lrmd::ExecRequest> v;
    for (const auto& x : out.executor) {
      if (x.request.standard == lrmd::kClassAlert) v.push_back(x.request);
    }
    return v;
  };
  c.step(CibSnapshot{std::make_shared<const cib::Cib>(cib.copy())});
  auto out = c.step(ClusterNodes{{1, 2}});
  auto calls = alert_calls(out);
  ASSERT_EQ(calls.size(), 4u);  // two nodes, two recipients
  EXPECT_EQ(calls[0].params.at("CRM_alert_desc"), "member");
  calls = alert_calls(c.step(ClusterNodes{{1}}));
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].params.at("CRM_alert_nodeid"), "2");
  EXPECT_EQ(calls[0].params.at("CRM_alert_desc"), "lost");

  calls = alert_calls(c.step(FenceEvent{.target = "n2", .action = "off", .succeeded = true,
                                        .description = "Operation off of n2 by n1 for crmd.1@n1: OK (ref=n1:1)"}));
  ASSERT_EQ(calls.size(), 3u);  // "ping" selects fencing too
  EXPECT_EQ(calls[0].params.at("CRM_alert_kind"), "fencing");
  EXPECT_EQ(calls[0].params.at("CRM_alert_task"), "off");

  lrmd::ExecResult start{.rsc_id = "ip", .action = "start", .call_id = 4, .rc = kOcfOk, .op_status = ExecStatus::kDone,
                         .standard = "ocf", .provider = "heartbeat", .type = "IPaddr2"};
  calls = alert_calls(c.step(LocalResult{start}));
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].params.at("CRM_alert_rsc"), "ip");
  EXPECT_EQ(calls[0].params.at("CRM_alert_task"), "start");
  EXPECT_EQ(calls[0].params.at("CRM_alert_node"), "n1");
  EXPECT_EQ(calls[0].params.at("CRM_alert_desc"), "ok");

  // An alert's own result alerts nothing and is no resource's history.
  lrmd::ExecResult done{.rsc_id = "alert:file", .action = "notify", .call_id = 5, .rc = kOcfErrGeneric,
                        .op_status = ExecStatus::kDone, .standard = lrmd::kClassAlert, .type = "/usr/local/bin/alert_file.sh"};
  out = c.step(LocalResult{done});
  EXPECT_TRUE(out.executor.empty());
  EXPECT_TRUE(out.messages.empty());
}

}  // namespace
}  // namespace crm::crmd
