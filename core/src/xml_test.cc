#include "crm/core/xml.h"

#include <gtest/gtest.h>

namespace crm::xml {
namespace {

TEST(XmlTest, ParsesAndQueries) {
  auto doc = parse("<cib><configuration><resources><primitive id='a'/><primitive id='b'/></resources>"
                   "</configuration></cib>");
  ASSERT_TRUE(doc.ok()) << doc.status().to_string();
  xmlNode* config = first_child(root(*doc), "configuration");
  ASSERT_NE(config, nullptr);
  auto prims = children(first_child(config, "resources"), "primitive");
  ASSERT_EQ(prims.size(), 2u);
  EXPECT_EQ(attr(prims[1], "id").value(), "b");
  EXPECT_FALSE(attr(prims[1], "class").has_value());
  auto hits = xpath(doc->get(), "//primitive[@id='a']");
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 1u);
}

TEST(XmlTest, MalformedInputNamesLine) {
  auto doc = parse("<cib>\n<nodes>\n</node></cib>", "bad.xml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kParseError);
  EXPECT_NE(doc.status().message().find("bad.xml: line 3"), std::string::npos) << doc.status().message();
}

TEST(XmlTest, RefusesDeepNesting) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "<a>";
  for (int i = 0; i < 5000; ++i) deep += "</a>";
  EXPECT_FALSE(parse(deep).ok());
}

TEST(XmlTest, DoesNotExpandExternalEntities) {
  auto doc = parse("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>");
  if (doc.ok()) {
    EXPECT_EQ(to_string(root(*doc)).find("root:"), std::string::npos);
  }
}

TEST(XmlTest, InvalidXPathIsAnError) { EXPECT_FALSE(xpath(parse("<a/>")->get(), "//[").ok()); }

TEST(XmlTest, MakeIdGivesTheSchemasIdType) {
  EXPECT_EQ(make_id("cli-prefer-ip"), "cli-prefer-ip");
  EXPECT_EQ(make_id("cli-ban-web on n1"), "cli-ban-web_on_n1");
  EXPECT_EQ(make_id("10.0.0.1"), "_10.0.0.1");
  EXPECT_EQ(make_id("-x"), "_-x");
  EXPECT_EQ(make_id("fail-count-ip#start_0"), "fail-count-ip_start_0");
  EXPECT_EQ(make_id(""), "_");
}

}  // namespace
}  // namespace crm::xml
