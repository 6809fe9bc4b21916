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

TEST(Nvpair, FindsTheFirstByName) {
  auto doc = xml::parse(kPrimitive, "test");
  ASSERT_TRUE(doc.ok());
  xmlNode* p = xml::root(*doc);
  xmlNode* nv = find_nvpair(p, "instance_attributes", "ip");
  ASSERT_NE(nv, nullptr);
  EXPECT_EQ(xml::attr_or(nv, "id"), "a1");
  EXPECT_EQ(find_nvpair(p, "instance_attributes", "target-role"), nullptr);
  EXPECT_EQ(find_nvpair(nullptr, "instance_attributes", "ip"), nullptr);
}

}  // namespace
}  // namespace crm
