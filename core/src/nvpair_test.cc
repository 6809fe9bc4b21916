#include "crm/core/nvpair.h"

#include <gtest/gtest.h>

#include "crm/core/xml.h"

namespace crm {
namespace {

constexpr const char* kPrimitive = R"(<primitive id="vip">
  <instance_attributes id="a">
    <nvpair id="a1" name="ip" value="10.0.0.1"/>
    <nvpair id="a2" name="no-value"/>
    <nvpair id="a3" value="no-name"/>
  </instance_attributes>
  <meta_attributes id="m"><nvpair id="m1" name="target-role" value="Started"/></meta_attributes>
  <instance_attributes id="b">
    <nvpair id="b1" name="ip" value="10.0.0.2"/>
    <nvpair id="b2" name="cidr_netmask" value="24"/>
  </instance_attributes>
</primitive>)";

TEST(Nvpair, ValuesOfEverySetFirstWins) {
  auto doc = xml::parse(kPrimitive, "test");
  ASSERT_TRUE(doc.ok());
  xmlNode* p = xml::root(*doc);
  auto v = nvpair_values(p, "instance_attributes");
  EXPECT_EQ(v, (std::map<std::string, std::string>{{"ip", "10.0.0.1"}, {"cidr_netmask", "24"}}));
  EXPECT_EQ(nvpair_values(p, "meta_attributes").at("target-role"), "Started");
  EXPECT_TRUE(nvpair_values(p, "utilization").empty());
  EXPECT_TRUE(nvpair_values(nullptr, "instance_attributes").empty());
}

TEST(Nvpair, HigherScoredSetsFirstIdRefsAndRules) {
  auto doc = xml::parse(R"(<cib><primitive id="p">
    <meta_attributes id="low"><nvpair id="l1" name="a" value="low"/></meta_attributes>
    <meta_attributes id="high" score="10"><nvpair id="h1" name="a" value="high"/></meta_attributes>
    <meta_attributes id="ruled" score="20"><rule id="r"/><nvpair id="r1" name="a" value="ruled"/></meta_attributes>
    <meta_attributes id-ref="shared"/>
    <meta_attributes id="refs"><nvpair id-ref="x1"/></meta_attributes>
  </primitive>
  <meta_attributes id="shared"><nvpair id="s1" name="b" value="shared"/></meta_attributes>
  <meta_attributes id="other"><nvpair id="x1" name="c" value="referenced"/></meta_attributes></cib>)", "test");
  ASSERT_TRUE(doc.ok());
  xmlNode* p = xml::first_child(xml::root(*doc), "primitive");
  auto without_rules = nvpair_values(p, "meta_attributes");
  EXPECT_EQ(without_rules.at("a"), "ruled") << "no rule evaluation: every set counts";
  EXPECT_EQ(without_rules.at("b"), "shared");
  EXPECT_EQ(without_rules.at("c"), "referenced");
  int asked = 0;
  auto rules_fail = nvpair_values(p, "meta_attributes", [&](xmlNode* rule) {
    ++asked;
    return xml::attr_or(rule, "id") != "r";
  });
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(rules_fail.at("a"), "high") << "the higher score before document order";
  EXPECT_EQ(nvpair_values(p, "meta_attributes", [](xmlNode*) { return true; }).at("a"), "ruled");
}

TEST(Nvpair, FindsTheFirstByName) {
  auto doc = xml::parse(kPrimitive, "test");
  ASSERT_TRUE(doc.ok());
  xmlNode* p = xml::root(*doc);
  xmlNode* nv = find_nvpair(p, "instance_attributes", "ip");
  ASSERT_NE(nv, nullptr);
  EXPECT_EQ(xml::attr_or(nv, "id"), "a1");
  EXPECT_EQ(find_nvpair(p, "instance_attributes", "target-role"), nullptr);
  EXPECT_EQ(find_nvpair(nullptr, "instance_attributes", "ip"), nullptr);
  xmlNode* set = nullptr;
  auto named_ip = [](const xmlNode* n) { return xml::attr_or(n, "name") == "ip"; };
  nv = find_nvpair_in(p, "instance_attributes", "b", named_ip, &set);
  ASSERT_NE(nv, nullptr);
  EXPECT_EQ(xml::attr_or(nv, "id"), "b1");
  EXPECT_EQ(xml::attr_or(set, "id"), "b");
  EXPECT_EQ(find_nvpair_in(p, "instance_attributes", "nope", named_ip), nullptr);
}

}  // namespace
}  // namespace crm
