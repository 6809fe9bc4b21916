#include "crm/core/op_history.h"

#include <gtest/gtest.h>

#include <map>

#include "crm/core/xml.h"

namespace crm {
namespace {

TEST(OpRecordTest, PeerFormat) {
  xml::DocPtr doc = xml::new_document("lrm_resources");
  OpRecord op{.rsc_id = "ip", .rsc_class = "ocf", .rsc_provider = "heartbeat", .rsc_type = "IPaddr2",
              .operation = "start", .call_id = 4, .last_rc_change = 1700000000, .transition_key = "5:3:0:1",
              .on_node = "n1"};
  record_op(xml::root(doc), op);
  op.operation = "monitor";
  op.interval_ms = 10000;
  op.call_id = 5;
  record_op(xml::root(doc), op);
  std::string s = xml::to_string(doc.get(), false);
  EXPECT_NE(s.find(R"(<lrm_resource id="ip" type="IPaddr2" class="ocf" provider="heartbeat">)"), std::string::npos) << s;
  EXPECT_NE(s.find(R"(id="ip_last_0" operation_key="ip_start_0")"), std::string::npos) << s;
  EXPECT_NE(s.find(R"(transition-magic="0:0;5:3:0:1")"), std::string::npos) << s;
  EXPECT_NE(s.find(R"(id="ip_monitor_10000")"), std::string::npos) << s;
  // A stop replaces last_0 and drops the recurring monitor entry.
  op.operation = "stop";
  op.interval_ms = 0;
  op.call_id = 6;
  record_op(xml::root(doc), op);
  s = xml::to_string(doc.get(), false);
  EXPECT_EQ(s.find("ip_monitor_10000\""), std::string::npos) << s;
  EXPECT_NE(s.find(R"(operation_key="ip_stop_0")"), std::string::npos) << s;
  EXPECT_EQ(s.find("ip_start_0"), std::string::npos) << s;
  // A failed start also writes last_failure.
  op.operation = "start";
  op.rc = 1;
  record_op(xml::root(doc), op);
  s = xml::to_string(doc.get(), false);
  EXPECT_NE(s.find("ip_last_failure_0"), std::string::npos) << s;
}

TEST(OpRecordTest, RecurringFailureStaysAfterTheMonitorSucceedsAndAfterStopStart) {
  xml::DocPtr doc = xml::new_document("lrm_resources");
  OpRecord op{.rsc_id = "d", .rsc_class = "ocf", .rsc_provider = "heartbeat", .rsc_type = "Dummy",
              .operation = "start", .call_id = 2, .last_rc_change = 1700000000, .on_node = "n1"};
  record_op(xml::root(doc), op);
  auto ops = [&] {
    std::map<std::string, std::string> out;  // id -> operation_key:rc
    for (xmlNode* r : xml::children(xml::first_child(xml::root(doc), "lrm_resource"), "lrm_rsc_op"))
      out[xml::attr_or(r, "id")] = xml::attr_or(r, "operation_key") + ":" + xml::attr_or(r, "rc-code");
    return out;
  };
  op.operation = "monitor";
  op.interval_ms = 10000;
  op.call_id = 3;
  op.rc = 7;  // fails
  record_op(xml::root(doc), op);
  EXPECT_EQ(ops()["d_last_failure_0"], "d_monitor_10000:7");
  op.call_id = 4;
  op.rc = 0;  // and succeeds again
  record_op(xml::root(doc), op);
  EXPECT_EQ(ops()["d_monitor_10000"], "d_monitor_10000:0");
  EXPECT_EQ(ops()["d_last_failure_0"], "d_monitor_10000:7");
  for (const char* action : {"stop", "start"}) {  // the recovery
    op.operation = action;
    op.interval_ms = 0;
    ++op.call_id;
    record_op(xml::root(doc), op);
  }
  auto after = ops();
  EXPECT_EQ(after.count("d_monitor_10000"), 0u);
  EXPECT_EQ(after["d_last_0"], "d_start_0:0");
  EXPECT_EQ(after["d_last_failure_0"], "d_monitor_10000:7");
}

TEST(OpRecordTest, ReadsWhatWasRecorded) {
  xml::DocPtr doc = xml::new_document("lrm_resources");
  OpRecord op{.rsc_id = "ip", .rsc_class = "ocf", .rsc_provider = "heartbeat", .rsc_type = "IPaddr2",
              .operation = "monitor", .interval_ms = 10000, .call_id = 7, .rc = 7, .target_rc = 0,
              .exec_time_ms = 12, .last_rc_change = 1700000000, .transition_key = "5:3:0:1", .op_digest = "abc",
              .on_node = "n1", .exit_reason = "gone"};
  record_op(xml::root(doc), op);
  xmlNode* rsc = xml::first_child(xml::root(doc), "lrm_resource");
  std::map<std::string, OpRecord> read;
  for (xmlNode* x : xml::children(rsc, "lrm_rsc_op")) read[xml::attr_or(x, "id")] = read_op_record(x);
  ASSERT_EQ(read.size(), 2u);  // the monitor and its last failure
  const OpRecord& r = read["ip_monitor_10000"];
  EXPECT_EQ(r.id, "ip_monitor_10000");
  EXPECT_EQ(r.rsc_id, "ip");
  EXPECT_EQ(r.rsc_provider, "heartbeat");
  EXPECT_EQ(r.operation, "monitor");
  EXPECT_EQ(r.interval_ms, 10000);
  EXPECT_EQ(r.call_id, 7);
  EXPECT_EQ(r.rc, 7);
  EXPECT_EQ(r.target_rc, 0);
  EXPECT_EQ(r.exec_time_ms, 12);
  EXPECT_EQ(r.last_rc_change, 1700000000);
  EXPECT_EQ(r.op_digest, "abc");
  EXPECT_EQ(r.exit_reason, "gone");
  EXPECT_TRUE(r.failed());
  EXPECT_FALSE(r.pending());
  EXPECT_EQ(r.operation_key(), "ip_monitor_10000");
}

TEST(OpRecordTest, ReadsOldAndPendingRecords) {
  auto doc = xml::parse(R"(<lrm_rsc_op id="d_last_0" operation="start" call-id="-1" rc-code="193" op-status="-1"
                              interval="0" last-run="1600000000" transition-key="2:1:7:x"/>)", "test");
  ASSERT_TRUE(doc.ok());
  OpRecord r = read_op_record(xml::root(*doc));
  EXPECT_TRUE(r.pending());
  EXPECT_EQ(r.last_rc_change, 1600000000) << "last-run when there is no last-rc-change";
  EXPECT_EQ(r.target_rc, 7);
  EXPECT_EQ(r.rsc_id, "") << "no lrm_resource around it";
}

}  // namespace
}  // namespace crm
