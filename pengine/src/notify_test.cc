// Clone notifications: the notify actions, their CRM_meta_notify_* values and
// orderings on small CIBs. Each expectation was checked against the peer's
// crm_simulate (Pacemaker 2.1.5) on the same CIB: same actions, values and
// edges between them.
#include <gtest/gtest.h>

#include <set>

#include "crm/core/xml.h"
#include "crm/pengine/pengine.h"

namespace crm::pengine {
namespace {

std::string history(const std::string& op, int rc) {
  return "<lrm_resource id=\"p\" class=\"ocf\" provider=\"pacemaker\" type=\"Stateful\">"
         "<lrm_rsc_op id=\"p_last_0\" operation_key=\"p_" + op + "_0\" operation=\"" + op +
         "\" interval=\"0\" call-id=\"2\" rc-code=\"" + std::to_string(rc) +
         "\" op-status=\"0\" transition-key=\"1:1:0:x\" transition-magic=\"0:" + std::to_string(rc) +
         ";1:1:0:x\" last-rc-change=\"1700000000\" op-digest=\"f2317cad3d54cec5d7d7aa7d0bf35cf8\"/></lrm_resource>";
}

std::string node_state(const std::string& id, const std::string& uname, const std::string& lrm) {
  return "<node_state id=\"" + id + "\" uname=\"" + uname +
         "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"><lrm id=\"" + id +
         "\"><lrm_resources>" + lrm + "</lrm_resources></lrm></node_state>";
}

// Clone "c" of primitive "p" on node1/node2; `node1_op`/`node2_op` are the
// last operation there ("start" rc 0: running; "monitor" rc 7: probed, stopped).
// Without fencing: with fencing on and no device the peer's scheduler (and
// ours) starts nothing ("no STONITH resources have been defined"), and these
// graphs are about the notifications around starts and stops; the fencing
// case below turns it on with a device.
std::string cib(const std::string& clone_meta, const std::string& node1_op, int node1_rc, const std::string& node2_op,
                int node2_rc, const std::string& constraints = "", const std::string& node2_attrs = "") {
  return "<cib have-quorum=\"1\" dc-uuid=\"n1\"><configuration><crm_config><cluster_property_set id=\"o\">"
         "<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config>"
         "<nodes><node id=\"n1\" uname=\"node1\"/><node id=\"n2\" uname=\"node2\">" + node2_attrs + "</node></nodes>"
         "<resources><clone id=\"c\"><meta_attributes id=\"cm\">" + clone_meta +
         "</meta_attributes><primitive id=\"p\" class=\"ocf\" provider=\"pacemaker\" type=\"Stateful\"/></clone>"
         "</resources><constraints>" + constraints + "</constraints></configuration><status>" +
         node_state("n1", "node1", history(node1_op, node1_rc)) + node_state("n2", "node2", history(node2_op, node2_rc)) +
         "</status></cib>";
}

const char* kNotify = "<nvpair id=\"cm1\" name=\"notify\" value=\"true\"/>";
const char* kPromotable = "<nvpair id=\"cm2\" name=\"promotable\" value=\"true\"/>";

Transition run(const std::string& text) {
  auto d = xml::parse(text);
  EXPECT_TRUE(d.ok()) << d.status().to_string();
  auto t = schedule(d->get(), 1700000000, {});
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  return t.ok() ? std::move(t).value() : Transition{};
}

const GraphAction* find(const Transition& t, const std::string& key, const std::string& node = "") {
  for (const auto& a : t.actions)
    if (a.key == key && a.node == node) return &a;
  return nullptr;
}

std::string attr(const GraphAction* a, const std::string& name) {
  if (!a) return "<no action>";
  auto it = a->attributes.find("CRM_meta_" + name);
  return it == a->attributes.end() ? "<unset>" : it->second;
}

// Whether `then` waits for `first` directly.
bool waits_for(const Transition& t, const GraphAction* then, const GraphAction* first) {
  if (!then || !first) return false;
  for (int in : then->inputs)
    if (t.actions[in].id == first->id) return true;
  return false;
}

std::set<std::string> notify_keys(const Transition& t) {
  std::set<std::string> out;
  for (const auto& a : t.actions)
    if (a.task == "notify" || a.task == "notified") out.insert(a.key + (a.node.empty() ? "" : "@" + a.node));
  return out;
}

TEST(Notify, StartTellsTheActiveInstanceBeforeAndEveryInstanceAfter) {
  // p runs on node1 (history under the anonymous name "p"); p:1 starts on
  // node2, where its probe's history also names it "p": the graph keys of
  // both instances use that name (the peer's internal keys are p:0_... and
  // p:1_...).
  Transition t = run(cib(kNotify, "start", 0, "monitor", 7));
  EXPECT_EQ(notify_keys(t), (std::set<std::string>{
                                "c_pre_notify_start_0", "c_confirmed-pre_notify_start_0", "c_post_notify_running_0",
                                "c_confirmed-post_notify_running_0", "p_pre_notify_start_0@node1",
                                "p_post_notify_start_0@node1", "p_post_notify_start_0@node2"}));
  const GraphAction* pre = find(t, "p_pre_notify_start_0", "node1");
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->type, GraphAction::Type::kRscOp);
  EXPECT_EQ(pre->task, "notify");
  EXPECT_EQ(pre->rsc_id, "p");
  EXPECT_EQ(attr(pre, "notify_type"), "pre");
  EXPECT_EQ(attr(pre, "notify_operation"), "start");
  EXPECT_EQ(attr(pre, "notify_key_type"), "pre");
  EXPECT_EQ(attr(pre, "notify_key_operation"), "start");
  EXPECT_EQ(attr(pre, "notify_start_resource"), "p:1");
  EXPECT_EQ(attr(pre, "notify_start_uname"), "node2");
  EXPECT_EQ(attr(pre, "notify_stop_resource"), " ");
  EXPECT_EQ(attr(pre, "notify_stop_uname"), " ");
  EXPECT_EQ(attr(pre, "notify_active_resource"), "p:0");
  EXPECT_EQ(attr(pre, "notify_active_uname"), "node1");
  EXPECT_EQ(attr(pre, "notify_inactive_resource"), "p:1");
  EXPECT_EQ(attr(pre, "notify_promoted_resource"), " ");
  EXPECT_EQ(attr(pre, "notify_master_resource"), " ");
  EXPECT_EQ(attr(pre, "notify_all_uname"), "node1 node2");
  EXPECT_EQ(attr(pre, "notify_available_uname"), "node1 node2");
  EXPECT_EQ(attr(pre, "timeout"), "20000");

  const GraphAction* post = find(t, "p_post_notify_start_0", "node2");
  EXPECT_EQ(post ? post->rsc_long_id : "", "p:1");
  EXPECT_EQ(attr(post, "notify_type"), "post");
  EXPECT_EQ(attr(post, "notify_key_operation"), "running");
  EXPECT_EQ(post ? post->priority : 0, kInfinity);
  // The starting instance's own start carries the lists, not the type.
  const GraphAction* start = find(t, "p_start_0", "node2");
  EXPECT_EQ(attr(start, "notify_start_resource"), "p:1");
  EXPECT_EQ(attr(start, "notify_type"), "<unset>");

  // pre -> instance pre -> confirmed-pre -> clone start -> start -> running
  //   -> post -> instance posts -> confirmed-post -> recurring monitors.
  const GraphAction* c_pre = find(t, "c_pre_notify_start_0");
  const GraphAction* c_pre_done = find(t, "c_confirmed-pre_notify_start_0");
  const GraphAction* c_post = find(t, "c_post_notify_running_0");
  const GraphAction* c_post_done = find(t, "c_confirmed-post_notify_running_0");
  EXPECT_EQ(attr(c_pre_done, "notify_key_type"), "confirmed-pre");
  EXPECT_EQ(c_pre_done ? c_pre_done->task : "", "notified");
  EXPECT_TRUE(waits_for(t, pre, c_pre));
  EXPECT_TRUE(waits_for(t, c_pre_done, pre));
  EXPECT_TRUE(waits_for(t, find(t, "c_start_0"), c_pre_done));
  EXPECT_TRUE(waits_for(t, c_post, find(t, "c_running_0")));
  EXPECT_TRUE(waits_for(t, c_post, c_pre_done));
  EXPECT_TRUE(waits_for(t, post, c_post));
  EXPECT_TRUE(waits_for(t, c_post_done, post));
  EXPECT_TRUE(waits_for(t, c_post_done, find(t, "p_post_notify_start_0", "node1")));
  // Nothing stops: no stop notifications.
  EXPECT_FALSE(find(t, "c_pre_notify_stop_0"));
}

TEST(Notify, WhatIsOrderedAfterTheCloneWaitsForItsNotifications) {
  std::string text = cib(kNotify, "start", 0, "monitor", 7, "<rsc_order id=\"ord\" first=\"c\" then=\"d\"/>");
  text.replace(text.find("</clone>"), 8, "</clone><primitive id=\"d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>");
  Transition t = run(text);
  const GraphAction* d = find(t, "d_start_0", "node1");
  ASSERT_TRUE(d);
  EXPECT_TRUE(waits_for(t, d, find(t, "c_confirmed-post_notify_running_0")));
  EXPECT_FALSE(waits_for(t, d, find(t, "c_running_0")));
}

TEST(Notify, StoppingInstanceGetsNoPostNotificationOfItsOwnStop) {
  // node2 goes to standby: p:1 stops there.
  Transition t = run(cib(kNotify, "start", 0, "start", 0, "",
                         "<instance_attributes id=\"na\"><nvpair id=\"na1\" name=\"standby\" value=\"on\"/>"
                         "</instance_attributes>"));
  EXPECT_EQ(notify_keys(t), (std::set<std::string>{
                                "c_pre_notify_stop_0", "c_confirmed-pre_notify_stop_0", "c_post_notify_stopped_0",
                                "c_confirmed-post_notify_stopped_0", "p_pre_notify_stop_0@node1",
                                "p_pre_notify_stop_0@node2", "p_post_notify_stop_0@node1"}));
  const GraphAction* pre = find(t, "p_pre_notify_stop_0", "node2");
  EXPECT_EQ(attr(pre, "notify_stop_resource"), "p:1");
  EXPECT_EQ(attr(pre, "notify_stop_uname"), "node2");
  EXPECT_EQ(attr(pre, "notify_active_resource"), "p:0 p:1");
  EXPECT_EQ(attr(pre, "notify_inactive_resource"), " ");
  // The clone may no longer run on the standby node, but it is still allowed there.
  EXPECT_EQ(attr(pre, "notify_available_uname"), "node1 node2");
  EXPECT_TRUE(waits_for(t, find(t, "c_stop_0"), find(t, "c_confirmed-pre_notify_stop_0")));
  EXPECT_TRUE(waits_for(t, find(t, "p_stop_0", "node2"), find(t, "c_stop_0")));
}

TEST(Notify, PromotionListsPromotedAndUnpromotedAndTheirAliases) {
  Transition t = run(cib(std::string(kNotify) + kPromotable, "start", 0, "start", 0,
                         "<rsc_location id=\"l\" rsc=\"c\" role=\"Promoted\" node=\"node1\" score=\"100\"/>"));
  const GraphAction* pre = find(t, "p_pre_notify_promote_0", "node2");
  ASSERT_TRUE(pre);
  EXPECT_EQ(attr(pre, "notify_operation"), "promote");
  EXPECT_EQ(attr(pre, "notify_promote_resource"), "p:0");
  EXPECT_EQ(attr(pre, "notify_promote_uname"), "node1");
  EXPECT_EQ(attr(pre, "notify_unpromoted_resource"), "p:0 p:1");
  EXPECT_EQ(attr(pre, "notify_unpromoted_uname"), "node1 node2");
  EXPECT_EQ(attr(pre, "notify_slave_resource"), "p:0 p:1");  // the deprecated alias
  EXPECT_EQ(attr(pre, "notify_slave_uname"), "node1 node2");
  EXPECT_EQ(attr(pre, "notify_promoted_resource"), " ");
  EXPECT_EQ(attr(pre, "notify_master_resource"), " ");
  EXPECT_EQ(attr(pre, "notify_demote_resource"), " ");
  const GraphAction* post = find(t, "p_post_notify_promote_0", "node1");
  EXPECT_EQ(attr(post, "notify_key_operation"), "promoted");
  EXPECT_TRUE(waits_for(t, post, find(t, "c_post_notify_promoted_0")));
  EXPECT_TRUE(waits_for(t, find(t, "c_promote_0"), find(t, "c_confirmed-pre_notify_promote_0")));
  // The promote itself carries the lists.
  EXPECT_EQ(attr(find(t, "p_promote_0", "node1"), "notify_promote_resource"), "p:0");
  // Nothing starts, stops or is demoted: only the promotion is notified.
  for (const char* key : {"c_pre_notify_start_0", "c_pre_notify_stop_0", "c_pre_notify_demote_0"})
    EXPECT_FALSE(find(t, key)) << key;
}

TEST(Notify, AStopImpliedByFencingIsToldAfterTheFencing) {
  // node2 (running p:1) left the cluster: it is fenced, which stops p:1.
  std::string text = cib(kNotify, "start", 0, "start", 0);
  auto replace = [&](const std::string& from, const std::string& to) { text.replace(text.find(from), from.size(), to); };
  replace("name=\"stonith-enabled\" value=\"false\"", "name=\"stonith-enabled\" value=\"true\"");
  replace("<resources>", "<resources><primitive id=\"fence\" class=\"stonith\" type=\"fence_dummy\"/>");
  replace("uname=\"node2\" in_ccm=\"true\" crmd=\"online\"", "uname=\"node2\" in_ccm=\"false\" crmd=\"offline\"");
  Transition t = run(text);
  ASSERT_TRUE(find(t, "stonith-node2-reboot", "node2"));
  EXPECT_EQ(notify_keys(t), (std::set<std::string>{
                                "c_pre_notify_stop_0", "c_confirmed-pre_notify_stop_0", "c_post_notify_stopped_0",
                                "c_confirmed-post_notify_stopped_0", "p_pre_notify_stop_0@node1",
                                "p_post_notify_stop_0@node1", "p_post_notify_stop_0", "p_notified_0"}));
  // The fenced instance's own pseudo actions, named as its history names it
  // (the peer's internal keys: p:1_post_notify_stonith_0 and
  // p:1_confirmed-post_notify_stonith_0).
  const GraphAction* after_fencing = find(t, "p_post_notify_stop_0");
  const GraphAction* after_fencing_done = find(t, "p_notified_0");
  ASSERT_TRUE(after_fencing && after_fencing_done);
  EXPECT_EQ(after_fencing->type, GraphAction::Type::kPseudo);
  EXPECT_EQ(attr(after_fencing, "notify_key_operation"), "stonith");
  EXPECT_TRUE(waits_for(t, after_fencing, find(t, "stonith-node2-reboot", "node2")));
  // The survivor's "post stop" follows both the fencing and the clone's stop;
  // the fencing's values win.
  const GraphAction* post = find(t, "p_post_notify_stop_0", "node1");
  EXPECT_EQ(attr(post, "notify_key_operation"), "stonith");
  EXPECT_EQ(attr(post, "notify_stop_resource"), "p:1");
  EXPECT_EQ(attr(post, "notify_stop_uname"), "node2");
  EXPECT_EQ(attr(post, "notify_active_resource"), "p:0 p:1");
  EXPECT_TRUE(waits_for(t, post, after_fencing));
  EXPECT_TRUE(waits_for(t, post, find(t, "c_post_notify_stopped_0")));
  EXPECT_TRUE(waits_for(t, after_fencing_done, post));
  // The node being fenced is not notified.
  EXPECT_FALSE(find(t, "p_pre_notify_stop_0", "node2"));
}

TEST(Notify, NotifyRecordsInTheHistoryAreIgnored) {
  // A notify result recorded after the start, even a failed one, says
  // nothing about the state (the peer's unpack_rsc_op skips them; its
  // controller does not record them): p stays started, nothing is recovered.
  std::string text = cib(kNotify, "start", 0, "start", 0);
  std::string notify_op =
      "<lrm_rsc_op id=\"p_notify_0\" operation_key=\"p_notify_0\" operation=\"notify\" interval=\"0\" "
      "call-id=\"5\" rc-code=\"1\" op-status=\"0\" transition-key=\"2:1:0:x\" transition-magic=\"0:1;2:1:0:x\" last-rc-change=\"1700000100\"/>";
  auto at = text.find("</lrm_resource>");
  text.insert(at, notify_op);
  Transition t = run(text);
  EXPECT_TRUE(t.summary.empty());
  EXPECT_TRUE(t.actions.empty());
}

TEST(Notify, NothingWithoutNotifyTrue) {
  Transition t = run(cib("", "start", 0, "monitor", 7));
  EXPECT_TRUE(find(t, "p_start_0", "node2"));
  EXPECT_TRUE(notify_keys(t).empty());
  EXPECT_EQ(attr(find(t, "p_start_0", "node2"), "notify"), "false");
  EXPECT_EQ(attr(find(t, "p_start_0", "node2"), "notify_start_resource"), "<unset>");
}

}  // namespace
}  // namespace crm::pengine
