// Unit tests of crm_simulate's CIB edits: OPSPEC parsing, injections, simulated execution.
#include "simulate.h"

#include <gtest/gtest.h>

#include "crm/core/xml.h"

namespace crm::simulate {
namespace {

const char* kCib = R"(<cib have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources>
      <primitive id="r1" class="ocf" provider="pacemaker" type="Dummy"/>
      <clone id="c"><primitive id="p" class="ocf" provider="pacemaker" type="Dummy"/></clone>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>)";

xml::DocPtr cib() { return std::move(xml::parse(kCib).value()); }

xmlNode* state_of(xmlDoc* d, const std::string& uname) {
  auto found = xml::xpath(d, "//node_state[@uname='" + uname + "']");
  return found.ok() && !found->empty() ? found->front() : nullptr;
}

TEST(OpSpec, ParsesResourceTaskIntervalNodeRc) {
  auto s = parse_op_spec("my_rsc:0_monitor_10000@node-a.example.com=7");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->rsc, "my_rsc:0");
  EXPECT_EQ(s->task, "monitor");
  EXPECT_EQ(s->interval_ms, 10000);
  EXPECT_EQ(s->node, "node-a.example.com");
  EXPECT_EQ(s->rc, 7);
}

TEST(OpSpec, RejectsMalformedSpecsWithTheExpectedForm) {
  for (const char* bad : {"rsc_start_0@n1", "rsc_start_0=1", "rsc@n1=1", "rsc_start_x@n1=1", "rsc_start_0@n1=abc",
                          "rsc_start_0@=1", "_start_0@n1=1"}) {
    auto s = parse_op_spec(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) EXPECT_NE(s.status().message().find("${resource}_${task}"), std::string::npos) << s.status().message();
  }
}

TEST(Injections, NodeUpDownFailSetMembership) {
  auto d = cib();
  Injections inj;
  inj.node_up = {"n2"};
  inj.node_fail = {"n1"};
  inj.quorum = false;
  auto lines = apply_injections(d.get(), inj, 1000);
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  EXPECT_EQ(*lines, (std::vector<std::string>{"Setting quorum: 0", "Bringing node n2 online", "Failing node n1"}));
  xmlNode* n2 = state_of(d.get(), "n2");
  ASSERT_NE(n2, nullptr);
  EXPECT_EQ(xml::attr_or(n2, "id"), "2");
  EXPECT_EQ(xml::attr_or(n2, "in_ccm"), "true");
  EXPECT_EQ(xml::attr_or(n2, "crmd"), "online");
  xmlNode* n1 = state_of(d.get(), "n1");
  EXPECT_EQ(xml::attr_or(n1, "in_ccm"), "false");
  EXPECT_EQ(xml::attr_or(n1, "expected"), "member");
  EXPECT_EQ(xml::attr_or(xml::root(d), "have-quorum"), "0");

  Injections down;
  down.node_down = {"n2"};
  ASSERT_TRUE(apply_injections(d.get(), down, 1000).ok());
  EXPECT_EQ(xml::attr_or(n2, "crmd"), "offline");
  EXPECT_EQ(xml::attr_or(n2, "expected"), "down");
}

TEST(Injections, UnknownNodeOrResourceIsNotFound) {
  auto d = cib();
  Injections inj;
  inj.node_fail = {"nope"};
  auto r = apply_injections(d.get(), inj, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("'nope'"), std::string::npos);
  Injections op;
  op.op_inject = {"ghost_monitor_0@n1=0"};
  r = apply_injections(d.get(), op, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'ghost'"), std::string::npos);
}

TEST(Injections, FailedOperationIsRecordedWithFailCount) {
  auto d = cib();
  Injections inj;
  inj.op_inject = {"r1_monitor_10000@n1=7", "r1_monitor_10000@n1=7", "p:1_monitor_0@n1=0"};
  auto lines = apply_injections(d.get(), inj, 1234);
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  auto op = xml::xpath(d.get(), "//node_state[@uname='n1']//lrm_resource[@id='r1']/lrm_rsc_op[@id='r1_monitor_10000']");
  ASSERT_TRUE(op.ok());
  ASSERT_EQ(op->size(), 1u);  // the same recurring op is replaced, not duplicated
  EXPECT_EQ(xml::attr_or(op->front(), "rc-code"), "7");
  EXPECT_EQ(xml::attr_or(op->front(), "interval"), "10000");
  auto fc = xml::xpath(d.get(), "//nvpair[@name='fail-count-r1#monitor_10000']");
  ASSERT_TRUE(fc.ok());
  ASSERT_EQ(fc->size(), 1u);
  EXPECT_EQ(xml::attr_or(fc->front(), "value"), "2");
  auto lf = xml::xpath(d.get(), "//nvpair[@name='last-failure-r1#monitor_10000']");
  ASSERT_EQ(lf->size(), 1u);
  EXPECT_EQ(xml::attr_or(lf->front(), "value"), "1234");
  // Anonymous clone instance: recorded under the primitive's id, a probe is no failure.
  auto p = xml::xpath(d.get(), "//lrm_resource[@id='p']/lrm_rsc_op");
  ASSERT_EQ(p->size(), 1u);
  EXPECT_TRUE(xml::xpath(d.get(), "//nvpair[starts-with(@name,'fail-count-p')]")->empty());
}

TEST(Execute, RecordsResultsAndStopsAtAForcedFailure) {
  auto d = cib();
  Injections inj;
  inj.node_up = {"n2"};
  ASSERT_TRUE(apply_injections(d.get(), inj, 0).ok());
  auto t = pengine::schedule(d.get(), 1000);
  ASSERT_TRUE(t.ok()) << t.status().message();
  auto ok = execute(xml::copy(d.get()).get(), *t, {}, 1000);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->failed);
  EXPECT_EQ(ok->lines.size(), t->execution_order.size());

  // r1 starts somewhere: make that start fail.
  std::string node;
  for (const auto& a : t->actions)
    if (a.rsc_id == "r1" && a.task == "start") node = a.node;
  ASSERT_FALSE(node.empty());
  auto spec = parse_op_spec("r1_start_0@" + node + "=1");
  ASSERT_TRUE(spec.ok());
  auto bad = execute(d.get(), *t, {*spec}, 1000);
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->failed);
  ASSERT_GE(bad->lines.size(), 3u);
  EXPECT_NE(bad->lines[bad->lines.size() - 3].find("Pretending action"), std::string::npos);
  EXPECT_NE(bad->lines[bad->lines.size() - 2].find("fail-count-r1#start_0=value++"), std::string::npos);
  EXPECT_NE(bad->lines.back().find("last-failure-r1#start_0=1000"), std::string::npos);
  auto rec = xml::xpath(d.get(), "//node_state[@uname='" + node + "']//lrm_resource[@id='r1']/lrm_rsc_op");
  ASSERT_TRUE(rec.ok());
  ASSERT_FALSE(rec->empty());
  EXPECT_EQ(xml::attr_or(rec->back(), "rc-code"), "1");
  auto after = pengine::read_cluster_status(d.get(), 1000);
  ASSERT_TRUE(after.ok());
  bool failed_shown = false;
  for (const auto& r : after->resources)
    if (r.id == "r1") failed_shown = r.failed;
  EXPECT_TRUE(failed_shown);
}

}  // namespace
}  // namespace crm::simulate
