#include "crm/core/xml.h"

#include <gtest/gtest.h>
#include <libxml/xpath.h>

#include <random>

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

// The elements libxml2's own evaluation selects (what xpath() did before it
// walked simple paths itself).
std::vector<xmlNode*> libxml2_xpath(xmlDoc* doc, const std::string& e) {
  std::vector<xmlNode*> out;
  xmlXPathContext* ctx = xmlXPathNewContext(doc);
  xmlXPathObject* obj = xmlXPathEvalExpression(BAD_CAST e.c_str(), ctx);
  if (obj && obj->type == XPATH_NODESET && obj->nodesetval) {
    for (int i = 0; i < obj->nodesetval->nodeNr; ++i) {
      xmlNode* n = obj->nodesetval->nodeTab[i];
      if (n && n->type == XML_ELEMENT_NODE) out.push_back(n);
    }
  }
  xmlXPathFreeObject(obj);
  xmlXPathFreeContext(ctx);
  return out;
}

// Simple absolute paths are walked directly: the same elements in the same
// order as libxml2's evaluation, on thousands of generated paths (names,
// equal and unequal attribute tests, missing attributes, both quotes, several
// predicates) and on forms the walk leaves to libxml2.
TEST(XmlTest, SimplePathsSelectWhatLibxml2Selects) {
  auto doc = parse(
      "<cib epoch='1'><status>"
      "<node_state id='1' uname='n1'><lrm id='1'><lrm_resources>"
      "<lrm_resource id='a'><lrm_rsc_op id='a_last_0' interval='0'/><lrm_rsc_op id='a_monitor_10000' interval='10000'/>"
      "<lrm_rsc_op id='a_last_failure_0' interval='0'/></lrm_resource>"
      "<lrm_resource id='b' type='x&amp;y'><lrm_rsc_op id='b_last_0' interval='0'/><lrm_rsc_op id=\"b'q\"/></lrm_resource>"
      "</lrm_resources></lrm></node_state>"
      "<node_state id='2' uname='n2'><lrm id='2'><lrm_resources><lrm_resource id='a'>"
      "<lrm_rsc_op id='a_last_0' interval='0'/><lrm_rsc_op id='a_monitor_5000' interval='5000'/></lrm_resource>"
      "</lrm_resources></lrm></node_state></status></cib>");
  ASSERT_TRUE(doc.ok());
  xmlDoc* d = doc->get();
  const std::vector<std::string> names = {"cib", "status", "node_state", "lrm", "lrm_resources", "lrm_resource",
                                          "lrm_rsc_op", "nodes"};
  const std::vector<std::string> attrs = {"id", "interval", "uname", "type", "missing"};
  const std::vector<std::string> values = {"1", "2", "a", "b", "0", "10000", "a_last_0", "x&y", "b'q", ""};
  std::mt19937 rng(7);
  auto pick = [&](const auto& v) { return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)]; };
  int compared = 0, nonempty = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string e;
    int depth = 1 + static_cast<int>(rng() % 7);
    for (int k = 0; k < depth; ++k) {
      // Mostly the real path, so that many expressions select something.
      e += "/" + (rng() % 4 ? names[std::min<size_t>(k, names.size() - 2)] : pick(names));
      for (int p = static_cast<int>(rng() % 3); p > 0; --p) {
        std::string cond;
        for (int c = 1 + static_cast<int>(rng() % 2); c > 0; --c) {
          std::string v = pick(values);
          char q = v.find('\'') != std::string::npos ? '"' : '\'';
          cond += (cond.empty() ? "" : " and ") + std::string("@") + pick(attrs) + (rng() % 3 ? "=" : "!=") + q + v + q;
        }
        e += "[" + cond + "]";
      }
    }
    auto ours = xpath(d, e);
    ASSERT_TRUE(ours.ok()) << e;
    EXPECT_EQ(*ours, libxml2_xpath(d, e)) << e;
    ++compared;
    nonempty += ours->empty() ? 0 : 1;
  }
  EXPECT_GT(nonempty, 200) << "too few generated paths select anything";  // 249 with this seed
  for (const char* e : {"//lrm_rsc_op[@interval!='0']", "/cib/status/node_state[1]", "/cib/status/*",
                        "/cib/status/node_state[@id = '1']", "/cib/status/node_state[@id='1' or @id='2']",
                        "/cib//lrm_resource[@id='a']", "/cib/status/node_state/@id"}) {
    auto ours = xpath(d, e);
    ASSERT_TRUE(ours.ok()) << e;
    EXPECT_EQ(*ours, libxml2_xpath(d, e)) << e;
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
