#include "crm/cib/acl.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace crm::cib {
namespace {

// A CIB with ACLs on (the peer's documented examples): an operator who reads
// everything but a secret and may only set target-role, an observer group,
// a resource admin, a reader of node names, and a user with no target.
constexpr const char* kAclCib = R"(<cib validate-with="pacemaker-3.7" admin_epoch="0" epoch="5" num_updates="2">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts">
        <nvpair id="opts-acl" name="enable-acl" value="true"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="node1"><instance_attributes id="n1-attrs"><nvpair id="n1-a" name="rack" value="1"/></instance_attributes></node>
      <node id="2" uname="node2"/>
    </nodes>
    <resources>
      <primitive id="db" class="ocf" provider="heartbeat" type="Dummy">
        <instance_attributes id="db-secret"><nvpair id="db-pw" name="password" value="hunter2"/></instance_attributes>
        <meta_attributes id="db-meta"><nvpair id="db-role" name="target-role" value="Started"/></meta_attributes>
      </primitive>
      <primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
    </resources>
    <constraints/>
    <acls>
      <acl_target id="alice"><role id="operator"/></acl_target>
      <acl_group id="admins"><role id="rsc-admin"/></acl_group>
      <acl_target id="nodereader"><role id="node-names"/></acl_target>
      <acl_target id="carol" name="carol2"><role id="operator"/></acl_target>
      <acl_role id="operator">
        <acl_permission id="op-read" kind="read" xpath="/cib"/>
        <acl_permission id="op-secret" kind="deny" reference="db-secret"/>
        <acl_permission id="op-role" kind="write" xpath="//nvpair[@name='target-role']"/>
      </acl_role>
      <acl_role id="rsc-admin">
        <acl_permission id="ra-read" kind="read" xpath="/cib"/>
        <acl_permission id="ra-write" kind="write" xpath="/cib/configuration/resources"/>
        <acl_permission id="ra-db" kind="deny" reference="db"/>
      </acl_role>
      <acl_role id="node-names">
        <acl_permission id="nn" kind="read" object-type="node" attribute="uname"/>
      </acl_role>
    </acls>
  </configuration>
  <status/>
</cib>
)";

Cib acl_cib() {
  auto c = Cib::parse(kAclCib, "acl.xml");
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return std::move(c).value();
}

// The CIB after `change` (a cibadmin-style change by a privileged hand).
template <class Change>
Cib changed(const Cib& before, Change change) {
  Cib after = before.copy();
  Status s = change(after);
  EXPECT_TRUE(s.ok()) << s.to_string();
  return after;
}

Status modify(Cib& c, const char* fragment) {
  auto f = testing::fragment(fragment);
  return c.modify("", xml::root(f), /*create_if_missing=*/false);
}
Status create(Cib& c, const char* section, const char* fragment) {
  auto f = testing::fragment(fragment);
  return c.create(section, xml::root(f));
}

TEST(AclTest, RootHaclusterAndNoUserAreNeverRestricted) {
  EXPECT_FALSE(acl_required("root"));
  EXPECT_FALSE(acl_required("hacluster"));
  EXPECT_FALSE(acl_required(""));
  EXPECT_TRUE(acl_required("alice"));
  Cib c = acl_cib();
  EXPECT_TRUE(acl_applies(c, "alice"));
  EXPECT_FALSE(acl_applies(c, "root"));
  EXPECT_FALSE(acl_applies(testing::small(), "alice")) << "enable-acl is off by default";
}

TEST(AclTest, AUserNoTargetNamesMayReadAndWriteNothing) {
  Cib c = acl_cib();
  Acl acl = Acl::of(c, {"mallory", {"users"}});
  EXPECT_TRUE(acl.empty());
  auto r = acl.readable(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("mallory"), std::string::npos) << r.status().message();
  Cib after = changed(c, [](Cib& x) { return modify(x, "<primitive id='web' description='x'/>"); });
  EXPECT_EQ(acl.check_change(c, after).code(), StatusCode::kPermissionDenied);
}

TEST(AclTest, ADeniedElementIsLeftOutOfWhatIsRead) {
  Cib c = acl_cib();
  auto r = Acl::of(c, {"alice", {}}).readable(c);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  std::string text = r->serialize();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_FALSE(r->query("//*[@id='db-secret']").ok()) << text;
  EXPECT_NE(text.find("target-role"), std::string::npos);
  EXPECT_NE(text.find("id=\"web\""), std::string::npos);
  EXPECT_EQ(r->version(), c.version());
}

TEST(AclTest, AReaderOfOneAttributeSeesOnlyThoseElementsAndTheIdsAboveThem) {
  Cib c = acl_cib();
  auto r = Acl::of(c, {"nodereader", {}}).readable(c);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  // <node> elements (whole: readable by their own mark), under bare
  // scaffolding: <cib> and <configuration> lose their attributes, the
  // rest of the document goes.
  EXPECT_EQ(r->query("//node").value().size(), 2u);
  EXPECT_TRUE(r->query("//nvpair[@id='n1-a']").ok()) << "a readable element stays whole";
  EXPECT_FALSE(r->query("//resources").ok());
  EXPECT_FALSE(r->query("//acls").ok());
  EXPECT_FALSE(xml::attr(r->root(), "epoch").has_value()) << r->serialize();
}

TEST(AclTest, AWriteOnOneAttributeAllowsChangingItAndNothingElse) {
  Cib c = acl_cib();
  Acl acl = Acl::of(c, {"alice", {}});
  Cib stop = changed(c, [](Cib& x) { return modify(x, "<nvpair id='db-role' value='Stopped'/>"); });
  EXPECT_TRUE(acl.check_change(c, stop).ok()) << acl.check_change(c, stop).to_string();

  Cib retype = changed(c, [](Cib& x) { return modify(x, "<primitive id='web' type='Stateful'/>"); });
  Status s = acl.check_change(c, retype);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("primitive[@id='web']"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("alice"), std::string::npos) << s.message();

  // A new set holding target-role: the set is scaffolding (only an id), the
  // nvpair is selected by the write's XPath where it now is.
  Cib web_meta = c.copy();
  {
    auto f = testing::fragment(
        "<meta_attributes id='web-meta'><nvpair id='web-role' name='target-role' value='Stopped'/></meta_attributes>");
    xmlNode* web = web_meta.query("//primitive[@id='web']").value().front();
    xmlAddChild(web, xmlDocCopyNode(xml::root(f), web_meta.doc(), 1));
  }
  EXPECT_TRUE(acl.check_change(c, web_meta).ok()) << acl.check_change(c, web_meta).to_string();

  Cib web_managed = c.copy();
  {
    auto f = testing::fragment(
        "<meta_attributes id='web-meta'><nvpair id='web-m' name='is-managed' value='false'/></meta_attributes>");
    xmlNode* web = web_managed.query("//primitive[@id='web']").value().front();
    xmlAddChild(web, xmlDocCopyNode(xml::root(f), web_managed.doc(), 1));
  }
  s = acl.check_change(c, web_managed);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("create"), std::string::npos) << s.message();
}

TEST(AclTest, AGroupsRoleAppliesToItsMembersAndADenyBelowAWriteWins) {
  Cib c = acl_cib();
  Acl admin = Acl::of(c, {"bob", {"users", "admins"}});
  ASSERT_FALSE(admin.empty());
  Cib added = changed(c, [](Cib& x) {
    return create(x, "resources", "<primitive id='new' class='ocf' provider='heartbeat' type='Dummy'/>");
  });
  EXPECT_TRUE(admin.check_change(c, added).ok()) << admin.check_change(c, added).to_string();
  Cib gone = changed(c, [](Cib& x) { return x.remove_xpath("//primitive[@id='db']"); });
  EXPECT_EQ(admin.check_change(c, gone).code(), StatusCode::kPermissionDenied);
  Cib constrained = changed(c, [](Cib& x) {
    return create(x, "constraints", "<rsc_location id='l' rsc='web' node='node1' score='5'/>");
  });
  EXPECT_EQ(admin.check_change(c, constrained).code(), StatusCode::kPermissionDenied)
      << "write covers resources only";
  EXPECT_TRUE(Acl::of(c, {"bob", {"users"}}).empty()) << "not in admins: nothing";
}

TEST(AclTest, ATargetMatchesByNameBeforeId) {
  Cib c = acl_cib();
  EXPECT_FALSE(Acl::of(c, {"carol2", {}}).empty());
  EXPECT_TRUE(Acl::of(c, {"carol", {}}).empty());
}

TEST(AclTest, EntriesInTheAclsSectionAreNeverScaffolding) {
  Cib c = acl_cib();
  Acl admin = Acl::of(c, {"bob", {"admins"}});
  Cib grant = changed(c, [](Cib& x) { return create(x, "acls", "<acl_target id='bob'/>"); });
  Status s = admin.check_change(c, grant);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << "a user may not grant itself a target";
}

TEST(AclTest, TheDaemonsVersionStampsAreNotTheUsers) {
  Cib c = acl_cib();
  Acl alice = Acl::of(c, {"alice", {}});
  Cib after = changed(c, [](Cib& x) { return modify(x, "<nvpair id='db-role' value='Stopped'/>"); });
  after.bump_epoch();
  after.set_attribute("cib-last-written", "Mon Dec  7 22:00:00 2026");
  after.set_attribute("update-user", "alice");
  EXPECT_TRUE(alice.check_change(c, after).ok()) << alice.check_change(c, after).to_string();
  Cib schema = changed(c, [](Cib& x) {
    x.set_attribute("validate-with", "pacemaker-2.0");
    return Status::Ok();
  });
  EXPECT_EQ(alice.check_change(c, schema).code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace crm::cib
