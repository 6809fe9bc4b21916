#include <gtest/gtest.h>

#include "crm/cib/cib.h"
#include "crm/cib/features.h"
#include "test_util.h"

namespace crm::cib {
namespace {

std::vector<Problem> problems(const std::string& resources, const std::string& constraints,
                              const std::string& nodes = R"(<node id="1" uname="node1"/>)") {
  auto c = Cib::parse(R"(<cib validate-with="pacemaker-3.7"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config><nodes>)" +
                      nodes + "</nodes><resources>" + resources + "</resources><constraints>" + constraints +
                      "</constraints></configuration><status/></cib>");
  EXPECT_TRUE(c.ok());
  return check_configuration(*c);
}

bool has(const std::vector<Problem>& ps, Problem::Severity sev, const std::string& fragment) {
  for (const Problem& p : ps) {
    if (p.severity == sev && p.message.find(fragment) != std::string::npos) return true;
  }
  return false;
}

const std::string kTwo = R"(<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"/>)";
constexpr auto kError = Problem::Severity::kError;
constexpr auto kWarning = Problem::Severity::kWarning;

TEST(CheckTest, SmallCibIsSound) { EXPECT_TRUE(check_configuration(testing::small()).empty()); }

TEST(CheckTest, UnknownResourceInConstraint) {
  auto ps = problems(kTwo, R"(<rsc_order id="o1" first="a" then="ghost"/>)");
  EXPECT_TRUE(has(ps, kError, "rsc_order 'o1'")) << ps.size();
  EXPECT_TRUE(has(ps, kError, "then 'ghost' is not a defined resource"));
  EXPECT_TRUE(has(problems(kTwo, R"(<rsc_colocation id="c" score="1"><resource_set id="s"><resource_ref id="zz"/></resource_set></rsc_colocation>)"),
                  kError, "resource_ref 'zz'"));
}

TEST(CheckTest, DuplicateIds) {
  auto ps = problems(kTwo + R"(<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"/>)", "");
  EXPECT_TRUE(has(ps, kError, "duplicate id 'a'"));
}

TEST(CheckTest, ResourceInTwoGroups) {
  auto ps = problems(R"(<group id="g1"><primitive id="x" class="ocf" provider="h" type="D"/></group>
                        <group id="g2"><primitive id="x" class="ocf" provider="h" type="D"/></group>)", "");
  EXPECT_TRUE(has(ps, kError, "member of group 'g1' and of group 'g2'"));
}

TEST(CheckTest, BadScoreAndSelfColocation) {
  EXPECT_TRUE(has(problems(kTwo, R"(<rsc_location id="l" rsc="a" node="node1" score="much"/>)"), kError,
                  "score 'much'"));
  EXPECT_TRUE(has(problems(kTwo, R"(<rsc_colocation id="c" rsc="a" with-rsc="a" score="INFINITY"/>)"), kError,
                  "with itself"));
}

TEST(CheckTest, DuplicateOperationsCompareIntervalsAsRead) {
  auto ps = problems(R"(<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations>
                          <op id="m1" name="monitor" interval="10s"/><op id="m2" name="monitor" interval="10000ms"/>
                        </operations></primitive>)", "");
  EXPECT_TRUE(has(ps, kWarning, "same operation name and interval")) << ps.size();
  EXPECT_FALSE(has(problems(R"(<primitive id="a" class="ocf" provider="heartbeat" type="Dummy"><operations>
                                 <op id="m1" name="monitor" interval="10s"/><op id="m2" name="monitor" interval="20s"/>
                               </operations></primitive>)", ""),
                   kWarning, "same operation name and interval"));
}

TEST(CheckTest, DuplicateOperationsWhateverTheirRoles) {
  // One interval for two roles: the peer schedules neither monitor.
  auto ps = problems(R"(<primitive id="a" class="ocf" provider="pacemaker" type="Stateful"><operations>
                          <op id="m1" name="monitor" interval="5s" role="Promoted"/>
                          <op id="m2" name="monitor" interval="5s" role="Unpromoted"/>
                        </operations></primitive>)", "");
  EXPECT_TRUE(has(ps, kWarning, "neither is scheduled")) << ps.size();
}

TEST(CheckTest, TwoTemplatesOrTagsCannotBeColocated) {
  std::string rsc = R"(<template id="t" class="ocf" provider="heartbeat" type="Dummy"/>
                       <primitive id="a" template="t"/><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"/>
                       </resources><tags><tag id="g"><obj_ref id="b"/></tag></tags><resources>)";
  EXPECT_TRUE(has(problems(rsc, R"(<rsc_colocation id="c" rsc="t" with-rsc="g" score="INFINITY"/>)"), kError,
                  "two templates or tags"));
  EXPECT_FALSE(has(problems(rsc, R"(<rsc_colocation id="c" rsc="t" with-rsc="b" score="INFINITY"/>)"), kError, ""));
}

TEST(CheckTest, UnknownNodeIsOnlyAWarning) {
  auto ps = problems(kTwo, R"(<rsc_location id="l" rsc="a" node="nodeX" score="10"/>)");
  EXPECT_TRUE(has(ps, kWarning, "node 'nodeX' is not a configured node"));
  EXPECT_FALSE(has(ps, kError, ""));
}

TEST(CheckTest, TemplatesTagsAndIdRefs) {
  auto ok = problems(R"(<template id="t" class="ocf" provider="h" type="D"/><primitive id="p" template="t"/>)",
                     R"(<rsc_location id="l" rsc="t" node="node1" score="1"/>)");
  EXPECT_FALSE(has(ok, kError, ""));
  EXPECT_TRUE(has(problems(R"(<primitive id="p" template="nope"/>)", ""), kError, "template 'nope'"));
  EXPECT_TRUE(has(problems(R"(<primitive id="p" class="ocf" provider="h" type="D"><meta_attributes id-ref="missing"/></primitive>)", ""),
                  kError, "id-ref 'missing' names nothing"));
  EXPECT_TRUE(has(problems(R"(<primitive id="p" class="ocf" type="D"/>)", ""), kError, "needs a provider"));
}

TEST(CheckTest, StonithWithoutDevicesIsAWarningThatVerifyCountsAsAnError) {
  auto c = Cib::parse(R"(<cib><configuration><crm_config/><nodes/><resources/><constraints/></configuration></cib>)");
  ASSERT_TRUE(c.ok());
  auto ps = check_configuration(*c);
  EXPECT_TRUE(has(ps, kWarning, "Resource start-up disabled since no STONITH resources have been defined"));
  for (const Problem& p : ps) EXPECT_TRUE(p.verify_error) << p.message;
}

TEST(CheckTest, ClusterOptionValuesAreCheckedAgainstTheTable) {
  // stonith-enabled=false: this CIB has no fence device, and only the option
  // checks are under test (fencing without a device is an error of its own).
  auto c = Cib::parse(R"(<cib><configuration><crm_config><cluster_property_set id="o">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
      <nvpair id="o2" name="no-quorum-policy" value="panic"/>
      <nvpair id="o3" name="dc-deadtime" value="soon"/>
      <nvpair id="o4" name="placement-strategy" value="Balanced"/>
      <nvpair id="o5" name="my-own-option" value="whatever"/>
      <nvpair id="o6" name="enable-acl" value="maybe"/>
    </cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration></cib>)");
  ASSERT_TRUE(c.ok());
  auto ps = check_configuration(*c);
  EXPECT_TRUE(has(ps, kError, "Using default value for cluster option 'no-quorum-policy' because 'panic' is invalid"));
  EXPECT_TRUE(has(ps, kError, "cluster option 'dc-deadtime' because 'soon' is invalid"));
  EXPECT_TRUE(has(ps, kError, "cluster option 'enable-acl' because 'maybe' is invalid"));
  EXPECT_EQ(ps.size(), 3u);
}

TEST(CheckTest, AnAclTargetsRoleIsAReferenceThatMustNameARole) {
  // stonith-enabled=false: this CIB has no fence device, and only the ACL
  // checks are under test (fencing without a device is an error of its own).
  auto c = Cib::parse(R"(<cib><configuration><crm_config><cluster_property_set id="o">
      <nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
      <nodes/><resources><primitive id="p" class="ocf" provider="heartbeat" type="Dummy"/></resources><constraints/>
      <acls>
        <acl_target id="alice"><role id="operator"/></acl_target>
        <acl_group id="ops"><role id="operator"/><role id="missing"/><role id="p"/></acl_group>
        <acl_role id="operator"><acl_permission id="r" kind="read" xpath="/cib"/></acl_role>
      </acls></configuration></cib>)");
  ASSERT_TRUE(c.ok());
  auto ps = check_configuration(*c);
  EXPECT_TRUE(has(ps, kError, "role 'missing' names no acl_role"));
  EXPECT_TRUE(has(ps, kError, "role 'p' names a <primitive>, not an <acl_role>"));
  EXPECT_EQ(ps.size(), 2u) << "two targets naming one role are no duplicate id";
}

TEST(CheckTest, AnInvalidStonithEnabledCountsAsTrue) {
  auto c = Cib::parse(R"(<cib><configuration><crm_config><cluster_property_set id="o">
      <nvpair id="o1" name="stonith-enabled" value="nope"/></cluster_property_set></crm_config>
      <nodes/><resources/><constraints/></configuration></cib>)");
  ASSERT_TRUE(c.ok());
  auto ps = check_configuration(*c);
  EXPECT_TRUE(has(ps, kError, "'stonith-enabled' because 'nope'"));
  EXPECT_TRUE(has(ps, kWarning, "no STONITH resources"));
}

TEST(FeaturesTest, ReportsWhatTheModelDoesNotInterpret) {
  // Tickets are interpreted now (pengine/src/tickets.cc): only the bundle is reported.
  auto c = Cib::parse(R"(<cib><configuration><resources><bundle id="b"/></resources><constraints><rsc_ticket id="t" ticket="T" rsc="x"/><rsc_location id="l" rsc-pattern="x.*" node="n" score="1"/></constraints></configuration></cib>)");
  ASSERT_TRUE(c.ok());
  auto fs = unsupported_features(*c);
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].name, "bundle");
  EXPECT_EQ(fs[1].name, "rsc-pattern");
  EXPECT_TRUE(unsupported_features(testing::small()).empty());
}

}  // namespace
}  // namespace crm::cib
