#include "rules.h"

#include <gtest/gtest.h>

#include "crm/core/xml.h"

namespace crm::pengine {
namespace {

xml::DocPtr doc(const char* text) { return std::move(xml::parse(text).value()); }

TEST(Rules, NodeAttributeExpressions) {
  auto d = doc(R"(<rule id="r" score="10" boolean-op="and">
      <expression id="e1" attribute="#uname" operation="eq" value="node1"/>
      <expression id="e2" attribute="cpu" operation="gt" value="4"/></rule>)");
  std::map<std::string, std::string> a{{"#uname", "node1"}, {"cpu", "8"}};
  RuleContext ctx{&a, 0, ""};
  EXPECT_TRUE(evaluate_rule(xml::root(d), ctx));
  a["cpu"] = "2";
  EXPECT_FALSE(evaluate_rule(xml::root(d), ctx));
  EXPECT_EQ(rule_score(xml::root(d), ctx).value(), 10);
}

TEST(Rules, OrAndDefined) {
  auto d = doc(R"(<rule id="r" score="-INFINITY" boolean-op="or">
      <expression id="e1" attribute="pingd" operation="not_defined"/>
      <expression id="e2" attribute="pingd" operation="lte" value="0"/></rule>)");
  std::map<std::string, std::string> a;
  RuleContext ctx{&a, 0, ""};
  EXPECT_TRUE(evaluate_rule(xml::root(d), ctx));
  a["pingd"] = "100";
  EXPECT_FALSE(evaluate_rule(xml::root(d), ctx));
  a["pingd"] = "0";
  EXPECT_TRUE(evaluate_rule(xml::root(d), ctx));
}

TEST(Rules, ScoreAttribute) {
  auto d = doc(R"(<rule id="r" score-attribute="pref"><expression id="e" attribute="pref" operation="defined"/></rule>)");
  std::map<std::string, std::string> a{{"pref", "250"}};
  RuleContext ctx{&a, 0, ""};
  EXPECT_EQ(rule_score(xml::root(d), ctx).value(), 250);
  std::map<std::string, std::string> none;
  RuleContext ctx2{&none, 0, ""};
  EXPECT_FALSE(rule_score(xml::root(d), ctx2).has_value());
}

TEST(Rules, TypedComparisons) {
  EXPECT_TRUE(compare_values("10", "9", "gt", ""));        // integers, not text
  EXPECT_TRUE(compare_values("1.5", "1.25", "gt", "number"));
  EXPECT_TRUE(compare_values("2.10", "2.9", "gt", "version"));
  EXPECT_TRUE(compare_values("abc", "ABC", "eq", "string"));
  EXPECT_FALSE(compare_values("abc", "abd", "eq", ""));
}

TEST(Rules, DateExpressions) {
  auto now = parse_iso8601("2005-020").value();  // 2005-01-20
  auto in = doc(R"(<rule id="r"><date_expression id="d" operation="in_range" start="2005-001" end="2005-100"/></rule>)");
  auto out = doc(R"(<rule id="r"><date_expression id="d" operation="gt" start="2006-001"/></rule>)");
  auto spec = doc(R"(<rule id="r"><date_expression id="d" operation="date_spec"><date_spec id="s" months="1" monthdays="15-25"/></date_expression></rule>)");
  RuleContext ctx{nullptr, now, ""};
  EXPECT_TRUE(evaluate_rule(xml::root(in), ctx));
  EXPECT_FALSE(evaluate_rule(xml::root(out), ctx));
  EXPECT_TRUE(evaluate_rule(xml::root(spec), ctx));
  EXPECT_EQ(parse_iso8601("1970-01-01T00:01:00Z").value(), 60);
}

}  // namespace
}  // namespace crm::pengine
