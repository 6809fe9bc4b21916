#include "crm/cib/request.h"

#include <gtest/gtest.h>

#include "daemon_test_util.h"

namespace crm::cib {
namespace {

using daemon_testing::base;
using daemon_testing::primitive;

const Schema& schema() {
  static Schema* s = [] {
    auto loaded = Schema::load(CRM_SCHEMA_DIR);
    EXPECT_TRUE(loaded.ok()) << loaded.status().to_string();
    return new Schema(std::move(loaded).value());
  }();
  return *s;
}

TEST(ApplyRequestTest, ConfigurationChangeIsValidatedAndBumpsEpoch) {
  Cib cib = base();
  auto kind = apply_request(cib, {.op = Op::kCreate, .section = "resources", .fragment = primitive("r1")}, &schema());
  ASSERT_TRUE(kind.ok()) << kind.status().to_string();
  EXPECT_EQ(*kind, ChangeKind::kConfiguration);
  EXPECT_EQ(cib.version(), (Version{0, 2, 0}));
  EXPECT_EQ(cib.query("//primitive[@id='r1']")->size(), 1u);
}

TEST(ApplyRequestTest, InvalidChangeIsRejectedWholeAndChangesNothing) {
  Cib cib = base();
  std::string before = cib.serialize();
  // Schema: a primitive needs class and type.
  auto bad = apply_request(cib, {.op = Op::kCreate, .section = "resources", .fragment = "<primitive id='x'/>"},
                           &schema());
  EXPECT_EQ(bad.status().code(), StatusCode::kSchemaInvalid) << bad.status().to_string();
  EXPECT_NE(bad.status().message().find("change rejected"), std::string::npos);
  // Meaning: a constraint naming a resource that does not exist.
  auto dangling = apply_request(
      cib, {.op = Op::kCreate, .section = "constraints", .fragment = "<rsc_location id='l' rsc='nope' node='node1' score='5'/>"},
      &schema());
  EXPECT_FALSE(dangling.ok());
  EXPECT_EQ(dangling.status().code(), StatusCode::kConfigInvalid) << dangling.status().to_string();
  auto malformed = apply_request(cib, {.op = Op::kCreate, .section = "resources", .fragment = "<primitive"}, &schema());
  EXPECT_EQ(malformed.status().code(), StatusCode::kParseError);
  auto section = apply_request(cib, {.op = Op::kCreate, .section = "bogus", .fragment = primitive("y")}, &schema());
  EXPECT_EQ(section.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cib.serialize(), before);
}

TEST(ApplyRequestTest, StatusChangeBumpsNumUpdatesOnly) {
  Cib cib = base();
  auto kind = apply_request(cib,
                            {.op = Op::kModify, .section = "status",
                             .fragment = "<node_state id='1' uname='node1' crmd='online'/>", .allow_create = true},
                            &schema());
  ASSERT_TRUE(kind.ok()) << kind.status().to_string();
  EXPECT_EQ(*kind, ChangeKind::kStatus);
  EXPECT_EQ(cib.version(), (Version{0, 1, 1}));
  EXPECT_EQ(cib.query("/cib/status/node_state[@id='1']")->size(), 1u);
}

TEST(ApplyRequestTest, DeleteEraseBumpAndReplaceWhole) {
  Cib cib = base();
  ASSERT_TRUE(apply_request(cib, {.op = Op::kCreate, .section = "resources", .fragment = primitive("a")}, &schema()).ok());
  ASSERT_TRUE(apply_request(cib, {.op = Op::kCreate, .section = "resources", .fragment = primitive("b")}, &schema()).ok());
  ASSERT_TRUE(apply_request(cib, {.op = Op::kDelete, .xpath = "//primitive"}, &schema()).ok());
  EXPECT_EQ(cib.query("//primitive")->size(), 1u);
  ASSERT_TRUE(apply_request(cib, {.op = Op::kDelete, .section = "resources", .fragment = "<primitive id='b'/>"}, &schema()).ok());
  EXPECT_EQ(cib.query("//primitive").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(apply_request(cib, {.op = Op::kDelete, .xpath = "//primitive"}, &schema()).status().code(), StatusCode::kNotFound);
  Version v = cib.version();
  ASSERT_TRUE(apply_request(cib, {.op = Op::kBump}, &schema()).ok());
  EXPECT_EQ(cib.version().epoch, v.epoch + 1);
  ASSERT_TRUE(apply_request(cib, {.op = Op::kErase}, &schema()).ok());
  EXPECT_EQ(cib.version().admin_epoch, 1);
  EXPECT_EQ(cib.query("//node").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(xml::attr_or(cib.root(), "validate-with"), "pacemaker-3.7");
  // Replacing the whole CIB with an older one is refused; with the same version it counts as a change.
  Cib older = base();
  EXPECT_EQ(apply_request(cib, {.op = Op::kReplace, .fragment = older.serialize()}, &schema()).status().code(),
            StatusCode::kOutdated);
  Cib same = base();
  same.set_version(cib.version());
  Version now = cib.version();
  ASSERT_TRUE(apply_request(cib, {.op = Op::kReplace, .fragment = same.serialize()}, &schema()).ok());
  EXPECT_EQ(cib.version(), (Version{now.admin_epoch, now.epoch + 1, 0}));
  EXPECT_EQ(cib.query("//node")->size(), 3u);
}

TEST(RunQueryTest, WholeSectionXpathAndMisses) {
  Cib cib = base();
  EXPECT_NE(run_query(cib, {})->find("<cib"), std::string::npos);
  EXPECT_EQ(run_query(cib, {.section = "nodes"})->rfind("<nodes>", 0), 0u);
  auto many = run_query(cib, {.xpath = "//node"});
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->rfind("<xpath-query>", 0), 0u);
  auto shallow = run_query(cib, {.section = "nodes", .no_children = true});
  EXPECT_EQ(shallow->find("node1"), std::string::npos);
  EXPECT_EQ(run_query(cib, {.xpath = "//primitive"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(run_query(cib, {.section = "rsc_defaults"}).status().code(), StatusCode::kNotFound);
}

TEST(WireTest, RequestRoundTrip) {
  Request r{.op = Op::kModify, .section = "status", .fragment = "<node_state id=\"1\"/>\n<x a='&quot;'/>",
            .allow_create = true};
  Attrs attrs{{"id", "1:x:2"}};
  request_to_attrs(r, attrs);
  std::string payload = encode("cib-request", attrs, r.fragment);
  auto m = split_message(payload);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->get("id"), "1:x:2");
  auto back = request_from_message(*m);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->op, Op::kModify);
  EXPECT_EQ(back->section, "status");
  EXPECT_EQ(back->fragment, r.fragment);
  EXPECT_TRUE(back->allow_create);
  EXPECT_FALSE(back->delete_all);
  EXPECT_EQ(status_code_from_name("schema-invalid"), StatusCode::kSchemaInvalid);
}

}  // namespace
}  // namespace crm::cib
