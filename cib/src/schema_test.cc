#include <gtest/gtest.h>

#include "crm/cib/cib.h"
#include "test_util.h"

namespace crm::cib {
namespace {

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Schema::load(CRM_SCHEMA_DIR);
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    schema_ = std::make_unique<Schema>(std::move(s).value());
  }
  Status check(const std::string& text) {
    auto c = Cib::parse(text, "t.xml");
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return schema_->validate(*c);
  }
  std::unique_ptr<Schema> schema_;
};

std::string with_resources(const std::string& resources, const std::string& constraints = "") {
  return "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\">\n<configuration>\n<crm_config/>\n<nodes/>\n<resources>\n" +
         resources + "\n</resources>\n<constraints>\n" + constraints + "\n</constraints>\n</configuration>\n<status/>\n</cib>";
}

TEST_F(SchemaTest, AcceptsTheSmallCib) { EXPECT_TRUE(schema_->validate(testing::small()).ok()); }

TEST_F(SchemaTest, MissingSchemaDirIsAnError) { EXPECT_FALSE(Schema::load("/nonexistent").ok()); }

TEST_F(SchemaTest, UnknownAttributeIsNamedWithElementIdAndLine) {
  Status s = check(with_resources(R"(<primitive id="web" clas="ocf" type="Dummy"/>)"));
  ASSERT_EQ(s.code(), StatusCode::kSchemaInvalid);
  EXPECT_NE(s.message().find("line 6"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("primitive 'web'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("unknown attribute 'clas'"), std::string::npos) << s.message();
}

TEST_F(SchemaTest, BadValueNamesTheAttribute) {
  Status s = check(with_resources(R"(<primitive id="a" class="ocf" provider="p" type="T"/>)",
                                  R"(<rsc_location id="l1" rsc="a" node="n1" score="lots"/>)"));
  ASSERT_EQ(s.code(), StatusCode::kSchemaInvalid);
  EXPECT_NE(s.message().find("rsc_location 'l1'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("score=\"lots\""), std::string::npos) << s.message();
}

TEST_F(SchemaTest, UnknownElementAndMissingSection) {
  Status s = check(with_resources(R"(<primitve id="a" class="ocf" provider="p" type="T"/>)"));
  ASSERT_EQ(s.code(), StatusCode::kSchemaInvalid);
  EXPECT_NE(s.message().find("primitve"), std::string::npos) << s.message();
  Status t = check(R"(<cib validate-with="pacemaker-3.0"><configuration><crm_config/><resources/><constraints/></configuration></cib>)");
  EXPECT_EQ(t.code(), StatusCode::kSchemaInvalid);
}

TEST_F(SchemaTest, LegacySpellingsAndNone) {
  EXPECT_TRUE(check(with_resources(
                        R"(<master id="ms"><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></master>
                           <primitive id="b" class="ocf" provider="heartbeat" type="Dummy"/>)",
                        R"(<rsc_colocation id="c" rsc="b" with-rsc="ms" with-rsc-role="Master" score="INFINITY"/>
                           <rsc_order id="o" first="ms" then="b" score="0"/>)"))
                  .ok());
  EXPECT_TRUE(check(R"(<cib validate-with="none"><anything/></cib>)").ok());
}

TEST_F(SchemaTest, VersionsOutsideTheFamilyAreNotSupported) {
  EXPECT_EQ(check(R"(<cib validate-with="pacemaker-4.0"><configuration/></cib>)").code(), StatusCode::kNotSupported);
  EXPECT_EQ(check(R"(<cib validate-with="pacemaker-0.6"><configuration/></cib>)").code(), StatusCode::kNotSupported);
  EXPECT_EQ(check(R"(<cib validate-with="xyz"><configuration/></cib>)").code(), StatusCode::kNotSupported);
}

TEST_F(SchemaTest, ErrorsListsEveryProblemAndIsRepeatable) {
  auto c = Cib::parse(with_resources(R"(<primitive id="a" clas="ocf" type="T"/>)"));
  ASSERT_TRUE(c.ok());
  auto first = schema_->errors(*c);
  auto second = schema_->errors(*c);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace crm::cib
