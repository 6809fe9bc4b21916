// The op-digest the controller records (pengine::op_digest, also used by
// the controller and crm_simulate) is the one the policy engine compares:
// a history written for the graph's own actions is judged unchanged, and a
// parameter change afterwards is a definition change.
#include <gtest/gtest.h>

#include <string>

#include "crm/core/xml.h"
#include "crm/pengine/digest.h"
#include "crm/pengine/pengine.h"
#include "crm/core/op_history.h"

namespace crm::tengine {
namespace {

using pengine::op_digest;  // the digest the controller records

constexpr std::time_t kNow = 1700000000;

std::string cib_text(const std::string& ip, const std::string& monitor_timeout = "20s") {
  return "<cib><configuration><crm_config><cluster_property_set id=\"o\">"
         "<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config>"
         "<nodes><node id=\"n1\" uname=\"node1\"/></nodes><resources>"
         "<primitive id=\"a\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
         "<instance_attributes id=\"a-ia\">"
         "<nvpair id=\"a-ip\" name=\"ip\" value=\"" + ip + "\"/>"
         "<nvpair id=\"a-note\" name=\"note\" value=\"it&apos;s &quot;quoted&quot; &amp; &lt;odd&gt;\"/>"
         "</instance_attributes>"
         "<operations><op id=\"a-mon\" name=\"monitor\" interval=\"10s\" timeout=\"" + monitor_timeout + "\"/>"
         "</operations></primitive></resources><constraints/></configuration>"
         "<status><node_state id=\"n1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\""
         " expected=\"member\"><lrm id=\"n1\"><lrm_resources/></lrm></node_state></status></cib>";
}

xmlNode* lrm_resources(xmlDoc* doc) {
  xmlNode* st = xml::first_child(xml::first_child(xml::root(doc), "status"), "node_state");
  return xml::first_child(xml::first_child(st, "lrm"), "lrm_resources");
}

// Records every resource operation of `t` as succeeded, the way the
// controller does (digest from the action's graph attributes).
void record_all(xmlDoc* doc, const pengine::Transition& t) {
  int call = 1;
  for (int i : t.execution_order) {
    const pengine::GraphAction& a = t.actions[i];
    if (a.type != pengine::GraphAction::Type::kRscOp) continue;
    auto it = a.attributes.find("CRM_meta_interval");
    long interval = it == a.attributes.end() ? 0 : std::stol(it->second);
    auto trc = a.attributes.find("CRM_meta_op_target_rc");
    OpRecord op{.rsc_id = a.rsc_id, .rsc_class = a.rsc_class, .rsc_provider = a.rsc_provider,
                .rsc_type = a.rsc_type, .operation = a.task, .interval_ms = interval, .call_id = call++,
                .rc = trc == a.attributes.end() ? 0 : std::stoi(trc->second),
                .target_rc = trc == a.attributes.end() ? 0 : std::stoi(trc->second),
                .last_rc_change = kNow, .transition_key = std::to_string(a.id) + ":1:0:test",
                .op_digest = op_digest(a.attributes, interval), .on_node = a.node};
    record_op(lrm_resources(doc), op);
  }
}

pengine::Transition schedule_ok(xmlDoc* doc) {
  auto t = pengine::schedule(doc, kNow);
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  return t.ok() ? *t : pengine::Transition{};
}

int count(const pengine::Transition& t, const std::string& task, long interval = -1) {
  int n = 0;
  for (const auto& a : t.actions) {
    if (a.type != pengine::GraphAction::Type::kRscOp || a.task != task) continue;
    auto it = a.attributes.find("CRM_meta_interval");
    long iv = it == a.attributes.end() ? 0 : std::stol(it->second);
    if (interval < 0 || iv == interval) ++n;
  }
  return n;
}

std::string summary(const pengine::Transition& t) {
  std::string s;
  for (const auto& l : t.summary) s += l + "\n";
  return s;
}

// Brings `a` up on node1 (probe, start, monitor) and records the results.
xml::DocPtr running(const std::string& ip) {
  auto doc = xml::parse(cib_text(ip));
  EXPECT_TRUE(doc.ok());
  pengine::Transition t = schedule_ok(doc->get());
  EXPECT_EQ(count(t, "start"), 1) << summary(t);
  EXPECT_EQ(count(t, "monitor", 10000), 1) << summary(t);
  record_all(doc->get(), t);
  return std::move(*doc);
}

// Replaces the configuration of `doc` with that of `text`, keeping the status.
void reconfigure(xmlDoc* doc, const std::string& text) {
  auto fresh = xml::parse(text);
  ASSERT_TRUE(fresh.ok());
  xmlNode* status = xml::first_child(xml::root(doc), "status");
  xmlNode* copy = xmlDocCopyNode(status, fresh->get(), 1);
  xmlNode* old = xml::first_child(xml::root(fresh->get()), "status");
  xmlReplaceNode(old, copy);
  xmlFreeNode(old);
  xmlNode* cfg_new = xmlDocCopyNode(xml::first_child(xml::root(fresh->get()), "configuration"), doc, 1);
  xmlNode* cfg_old = xml::first_child(xml::root(doc), "configuration");
  xmlReplaceNode(cfg_old, cfg_new);
  xmlFreeNode(cfg_old);
}

TEST(OpDigest, IsThePolicyEnginesFormula) {
  // ' <parameters a="1" b="2"/>\n', CRM_meta_* dropped (timeout kept when recurring).
  EXPECT_EQ(op_digest({{"b", "2"}, {"a", "1"}, {"CRM_meta_name", "start"}}),
            pengine::parameters_digest({{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(op_digest({{"a", "1"}, {"CRM_meta_timeout", "20000"}, {"CRM_meta_interval", "10000"}}, 10000),
            pengine::parameters_digest({{"a", "1"}, {"CRM_meta_timeout", "20000"}}));
  EXPECT_EQ(op_digest({{"a", "1"}, {"CRM_meta_timeout", "20000"}}, 0), pengine::parameters_digest({{"a", "1"}}));
  // The peer's value for an empty parameter list: md5(" <parameters/>\n").
  EXPECT_EQ(op_digest({}), "f2317cad3d54cec5d7d7aa7d0bf35cf8");
}

TEST(OpDigest, RecordedHistoryIsUnchangedForThePolicyEngine) {
  xml::DocPtr doc = running("10.0.0.1");
  pengine::Transition t = schedule_ok(doc.get());
  EXPECT_EQ(count(t, "stop"), 0) << summary(t);
  EXPECT_EQ(count(t, "start"), 0) << summary(t);
  EXPECT_EQ(count(t, "reload-agent") + count(t, "reload"), 0) << summary(t);
  EXPECT_EQ(count(t, "monitor"), 0) << summary(t);
  EXPECT_EQ(summary(t).find("Restart"), std::string::npos) << summary(t);
}

TEST(OpDigest, ParameterChangeIsADefinitionChange) {
  xml::DocPtr doc = running("10.0.0.1");
  reconfigure(doc.get(), cib_text("10.0.0.2"));
  pengine::Transition t = schedule_ok(doc.get());
  EXPECT_EQ(count(t, "stop"), 1) << summary(t);
  EXPECT_EQ(count(t, "start"), 1) << summary(t);
  EXPECT_NE(summary(t).find("Restart"), std::string::npos) << summary(t);
}

TEST(OpDigest, MonitorTimeoutChangeReschedulesOnlyTheMonitor) {
  xml::DocPtr doc = running("10.0.0.1");
  reconfigure(doc.get(), cib_text("10.0.0.1", "30s"));
  pengine::Transition t = schedule_ok(doc.get());
  EXPECT_EQ(count(t, "stop"), 0) << summary(t);
  EXPECT_EQ(count(t, "start"), 0) << summary(t);
  EXPECT_EQ(count(t, "monitor", 10000), 1) << summary(t);
}

}  // namespace
}  // namespace crm::tengine
