#include "crm/cib/cib.h"

#include <gtest/gtest.h>

#include "crm/cib/canonical.h"
#include "test_util.h"

namespace crm::cib {
namespace {

using testing::fragment;
using testing::small;

xmlNode* by_id(const Cib& cib, const std::string& id) {
  auto r = cib.query("//*[@id='" + id + "']");
  return r.ok() && !r->empty() ? r->front() : nullptr;
}

TEST(VersionTest, ComparesAdminEpochThenEpochThenUpdates) {
  EXPECT_LT((Version{0, 5, 9}), (Version{0, 6, 0}));
  EXPECT_LT((Version{0, 99, 99}), (Version{1, 0, 0}));
  EXPECT_LT((Version{1, 2, 3}), (Version{1, 2, 4}));
  EXPECT_EQ((Version{1, 2, 3}), (Version{1, 2, 3}));
  EXPECT_EQ((Version{0, 12, 3}).to_string(), "0.12.3");
}

TEST(VersionTest, ParsesItsOwnText) {
  auto v = Version::parse("3.14.15");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (Version{3, 14, 15}));
  EXPECT_FALSE(Version::parse("1.2").ok());
  EXPECT_FALSE(Version::parse("1.2.3.4").ok());
  EXPECT_FALSE(Version::parse("a.b.c").ok());
  EXPECT_FALSE(Version::parse("").ok());
  // A hand-edited negative part reads back as written (found by the fuzzer).
  auto neg = Version::parse("0.-1.0");
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(*neg, (Version{0, -1, 0}));
}

TEST(CibTest, MissingVersionAttributesAreZero) {
  auto c = Cib::parse("<cib><configuration/></cib>");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->version(), (Version{0, 0, 0}));
  auto d = Cib::parse(R"(<cib epoch="x" num_updates="4"/>)");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->version(), (Version{0, 0, 4}));
}

TEST(CibTest, ParseRejectsNonCibRootAndMalformedXml) {
  auto a = Cib::parse("<config/>", "a.xml");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kParseError);
  EXPECT_NE(a.status().message().find("expected <cib>"), std::string::npos);
  auto b = Cib::parse("<cib>\n<configuration>\n</cib>", "b.xml");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("b.xml: line"), std::string::npos) << b.status().message();
}

TEST(CibTest, BumpsVersions) {
  Cib cib = small();
  EXPECT_EQ(cib.version(), (Version{0, 5, 2}));
  cib.bump_num_updates();
  EXPECT_EQ(cib.version(), (Version{0, 5, 3}));
  cib.bump_epoch();
  EXPECT_EQ(cib.version(), (Version{0, 6, 0}));
  cib.set_version({2, 1, 1});
  EXPECT_EQ(xml::attr_or(cib.root(), "admin_epoch"), "2");
}

TEST(CibTest, EmptyHasAllSectionsAndSectionCreatesMissingOnes) {
  Cib cib = Cib::empty();
  EXPECT_EQ(cib.version(), (Version{0, 0, 0}));
  for (const char* s : {"crm_config", "nodes", "resources", "constraints"}) {
    EXPECT_NE(xml::first_child(cib.configuration(), s), nullptr) << s;
  }
  EXPECT_NE(cib.status(), nullptr);
  EXPECT_EQ(xml::first_child(cib.configuration(), "rsc_defaults"), nullptr);
  xmlNode* defaults = cib.section("rsc_defaults");
  ASSERT_NE(defaults, nullptr);
  EXPECT_EQ(xml::first_child(cib.configuration(), "rsc_defaults"), defaults);
  EXPECT_EQ(cib.section("nonsense"), nullptr);
  EXPECT_EQ(cib.section("status"), cib.status());
}

TEST(CibTest, SerializeRoundTripsAndCopyIsDeep) {
  Cib cib = small();
  auto again = Cib::parse(cib.serialize(), "again");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(canonical_equal(cib.root(), again->root()));
  Cib c2 = cib.copy();
  xml::set_attr(c2.root(), "epoch", "77");
  EXPECT_EQ(cib.version().epoch, 5);
  EXPECT_FALSE(cib.serialize(false).empty());
}

TEST(CibTest, DigestCoversConfigurationOnly) {
  Cib a = small();
  const std::string d = a.digest();
  EXPECT_EQ(d.size(), 32u);
  a.bump_epoch();
  a.bump_num_updates();
  ASSERT_TRUE(a.remove_xpath("//lrm_rsc_op").ok());
  EXPECT_EQ(a.digest(), d) << "status and versions do not count";
  // Formatting and attribute order do not count either.
  auto b = Cib::parse(R"(<cib><configuration><nodes><node uname="x" id="1"/></nodes></configuration></cib>)");
  auto c = Cib::parse("<cib>\n  <configuration>\n    <nodes>\n      <node id=\"1\"\n uname=\"x\"/>\n    </nodes>\n  </configuration>\n</cib>");
  ASSERT_TRUE(b.ok() && c.ok());
  EXPECT_EQ(b->digest(), c->digest());
  xml::set_attr(by_id(a, "rsc1"), "type", "Stateful");
  EXPECT_NE(a.digest(), d);
}

TEST(CibTest, CanonicalSortsAttributesAndEscapes) {
  auto d = xml::parse(R"(<a z="1" b="&lt;&quot;&amp;"><!-- c --><b/>t</a>)");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(canonical(xml::root(*d)), R"(<a b="&lt;&quot;&amp;" z="1"><b></b>t</a>)");
  EXPECT_EQ(canonical(xml::root(*d), {.comments = true}), R"(<a b="&lt;&quot;&amp;" z="1"><!-- c --><b></b>t</a>)");
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(CibOpsTest, CreateAddsUnderSection) {
  Cib cib = small();
  auto f = fragment(R"(<primitive id="new" class="ocf" provider="heartbeat" type="IPaddr2"/>)");
  ASSERT_TRUE(cib.create("resources", xml::root(f)).ok());
  xmlNode* n = by_id(cib, "new");
  ASSERT_NE(n, nullptr);
  EXPECT_TRUE(xml::is(n->parent, "resources"));
}

TEST(CibOpsTest, CreateRefusesATakenIdAndChangesNothing) {
  Cib cib = small();
  const std::string before = canonical(cib.root());
  auto f = fragment(R"(<primitive id="g1" class="ocf" provider="heartbeat" type="IPaddr2"/>)");
  Status s = cib.create("resources", xml::root(f));
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("g1"), std::string::npos);
  // A section-shaped fragment is all-or-nothing.
  auto g = fragment(R"(<constraints><rsc_location id="fresh" rsc="g1" node="node1" score="1"/><rsc_location id="loc1" rsc="g1" node="node1" score="1"/></constraints>)");
  EXPECT_EQ(cib.create("constraints", xml::root(g)).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(canonical(cib.root()), before);
}

TEST(CibOpsTest, CreateWithSectionFragmentAddsEachChild) {
  Cib cib = small();
  auto f = fragment(R"(<constraints><rsc_location id="l2" rsc="g1" node="node2" score="5"/><rsc_location id="l3" rsc="g2" node="node2" score="5"/></constraints>)");
  ASSERT_TRUE(cib.create("constraints", xml::root(f)).ok());
  EXPECT_NE(by_id(cib, "l2"), nullptr);
  EXPECT_NE(by_id(cib, "l3"), nullptr);
  EXPECT_EQ(cib.create("bogus", xml::root(f)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cib.create("constraints", nullptr).code(), StatusCode::kInvalidArgument);
}

TEST(CibOpsTest, CreateInStatusChecksOnlySiblings) {
  Cib cib = small();
  auto f = fragment(R"(<node_state id="2" uname="node2"/>)");
  ASSERT_TRUE(cib.create("status", xml::root(f)).ok());
  EXPECT_EQ(cib.create("status", xml::root(f)).code(), StatusCode::kAlreadyExists);
}

TEST(CibOpsTest, ModifyMergesAttributesAndChildren) {
  Cib cib = small();
  auto f = fragment(R"(<primitive id="rsc1" description="web"><meta_attributes id="rsc1-meta"><nvpair id="rsc1-tr" name="target-role" value="Stopped"/></meta_attributes><operations><op id="rsc1-mon" name="monitor" interval="10s" timeout="20s"/></operations></primitive>)");
  ASSERT_TRUE(cib.modify("resources", xml::root(f)).ok());
  xmlNode* p = by_id(cib, "rsc1");
  EXPECT_EQ(xml::attr_or(p, "description"), "web");
  EXPECT_EQ(xml::attr_or(p, "type"), "Dummy") << "other attributes stay";
  EXPECT_EQ(xml::attr_or(by_id(cib, "rsc1-tr"), "value"), "Stopped");
  EXPECT_EQ(xml::attr_or(by_id(cib, "rsc1-mon"), "timeout"), "20s");
  EXPECT_EQ(xml::children(xml::first_child(p, "operations"), "op").size(), 1u);
}

TEST(CibOpsTest, ModifyFindsNestedElementsAndReportsMissing) {
  Cib cib = small();
  auto f = fragment(R"(<primitive id="g2" description="in a group"/>)");
  ASSERT_TRUE(cib.modify("resources", xml::root(f)).ok());
  EXPECT_EQ(xml::attr_or(by_id(cib, "g2"), "description"), "in a group");
  auto missing = fragment(R"(<primitive id="nope" class="ocf" provider="heartbeat" type="Dummy"/>)");
  Status s = cib.modify("resources", xml::root(missing));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("nope"), std::string::npos);
  ASSERT_TRUE(cib.modify("resources", xml::root(missing), /*create_if_missing=*/true).ok());
  EXPECT_NE(by_id(cib, "nope"), nullptr);
}

TEST(CibOpsTest, ModifyExpandsPlusPlus) {
  Cib cib = small();
  auto f = fragment(R"(<cib epoch="epoch++" num_updates="num_updates+=10"/>)");
  ASSERT_TRUE(cib.modify("", xml::root(f)).ok());
  EXPECT_EQ(cib.version(), (Version{0, 6, 12}));
  auto g = fragment(R"(<nvpair id="n1-a" value="value+=INFINITY"/>)");
  ASSERT_TRUE(cib.modify("nodes", xml::root(g)).ok());
  EXPECT_EQ(xml::attr_or(by_id(cib, "n1-a"), "value"), "INFINITY");
}

TEST(CibOpsTest, ModifyWholeSection) {
  Cib cib = small();
  auto f = fragment(R"(<crm_config><cluster_property_set id="opts"><nvpair id="opts-nq" name="no-quorum-policy" value="ignore"/></cluster_property_set></crm_config>)");
  ASSERT_TRUE(cib.modify("crm_config", xml::root(f)).ok());
  EXPECT_NE(by_id(cib, "opts-nq"), nullptr);
  EXPECT_NE(by_id(cib, "opts-stonith"), nullptr);
}

TEST(CibOpsTest, ReplaceElementAndSection) {
  Cib cib = small();
  auto f = fragment(R"(<group id="grp"><primitive id="g9" class="ocf" provider="pacemaker" type="Dummy"/></group>)");
  ASSERT_TRUE(cib.replace("resources", xml::root(f)).ok());
  EXPECT_EQ(by_id(cib, "g1"), nullptr);
  EXPECT_NE(by_id(cib, "g9"), nullptr);
  auto s = fragment(R"(<constraints/>)");
  ASSERT_TRUE(cib.replace("constraints", xml::root(s)).ok());
  EXPECT_TRUE(xml::children(cib.section("constraints")).empty());
  auto missing = fragment(R"(<group id="none"/>)");
  EXPECT_EQ(cib.replace("resources", xml::root(missing)).code(), StatusCode::kNotFound);
}

TEST(CibOpsTest, ReplaceWholeCibRefusesOlderVersions) {
  Cib cib = small();
  auto older = fragment(R"(<cib admin_epoch="0" epoch="4" num_updates="9"><configuration/></cib>)");
  EXPECT_EQ(cib.replace("", xml::root(older)).code(), StatusCode::kOutdated);
  auto newer = fragment(R"(<cib admin_epoch="0" epoch="9" num_updates="0" validate-with="pacemaker-3.7"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>)");
  ASSERT_TRUE(cib.replace("", xml::root(newer)).ok());
  EXPECT_EQ(cib.version(), (Version{0, 9, 0}));
  EXPECT_EQ(by_id(cib, "rsc1"), nullptr);
}

TEST(CibOpsTest, RemoveByTagIdAndAttributes) {
  Cib cib = small();
  auto f = fragment(R"(<primitive id="g1"/>)");
  ASSERT_TRUE(cib.remove("resources", xml::root(f)).ok());
  EXPECT_EQ(by_id(cib, "g1"), nullptr);
  EXPECT_EQ(cib.remove("resources", xml::root(f)).code(), StatusCode::kNotFound);
  // Every given attribute must match.
  auto g = fragment(R"(<rsc_location id="loc1" rsc="other"/>)");
  EXPECT_EQ(cib.remove("constraints", xml::root(g)).code(), StatusCode::kNotFound);
  auto h = fragment(R"(<rsc_location id="loc1" rsc="rsc1"/>)");
  EXPECT_TRUE(cib.remove("constraints", xml::root(h)).ok());
}

TEST(CibOpsTest, RemoveXpathAndQuery) {
  Cib cib = small();
  auto ops = cib.query("//op");
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(ops->size(), 1u);
  EXPECT_EQ(cib.query("//nothing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(cib.query("//[").status().code(), StatusCode::kInvalidArgument);
  // Nested matches are removed once.
  ASSERT_TRUE(cib.remove_xpath("//group | //group/primitive").ok());
  EXPECT_EQ(by_id(cib, "grp"), nullptr);
  EXPECT_EQ(cib.remove_xpath("//group").code(), StatusCode::kNotFound);
  EXPECT_EQ(cib.remove_xpath("/cib").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::cib
