// crm_web's pure part: the view of a CIB, the changes between two views, and
// the pictures (DOT, then SVG through Graphviz) with hostile names escaped.
#include "view.h"

#include <gtest/gtest.h>

#include "crm/core/xml.h"
#include "svg.h"

namespace crm::web {
namespace {

xml::DocPtr case_cib(const std::string& name) {
  auto doc = xml::parse_file(std::string(CRM_SHARED_DIR) + "/scheduler-cases/" + name + "/input.xml");
  EXPECT_TRUE(doc.ok()) << name;
  return std::move(*doc);
}

TEST(ViewTest, NodesResourcesAndFailuresOfACib) {
  auto doc = case_cib("bug-5028");
  auto v = build_view(doc.get(), 0);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ((*v)["cluster"]["dc"], "bl460g6b");
  EXPECT_EQ((*v)["nodes"]["bl460g6a"]["state"], "online");
  EXPECT_EQ((*v)["resources"]["dummy01"]["parent"], "dummy-g");
  EXPECT_EQ((*v)["resources"]["dummy01"]["nodes"], nlohmann::json::array({"bl460g6a"}));
  EXPECT_TRUE((*v)["resources"]["dummy02"]["failed"].get<bool>());
  EXPECT_FALSE((*v)["failures"].empty());
}

TEST(ViewTest, ChangesNameWhatChangedOnly) {
  auto doc = case_cib("bug-5028");
  auto before = build_view(doc.get(), 0);
  ASSERT_TRUE(before.ok());
  nlohmann::json after = *before;
  EXPECT_TRUE(view_changes(*before, after).is_null());
  after["resources"]["dummy01"]["nodes"] = nlohmann::json::array({"bl460g6b"});
  after["nodes"].erase("bl460g6b");
  auto c = view_changes(*before, after);
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["set"].size(), 1u);
  EXPECT_EQ(c["set"]["resources/dummy01"]["nodes"][0], "bl460g6b");
  EXPECT_EQ(c["del"], nlohmann::json::array({"nodes/bl460g6b"}));
}

TEST(ViewTest, HostileNamesAreEscapedInThePictures) {
  // Not a valid CIB id; a hand-edited file or a future schema must still not
  // put markup into the page's pictures.
  const std::string evil = "<script>alert(1)</script>\"q";
  std::string cib =
      "<cib epoch='1' num_updates='0' admin_epoch='0' have-quorum='1' dc-uuid='1'><configuration><crm_config/>"
      "<nodes><node id='1' uname='n1'/></nodes><resources><primitive id='" +
      xml::escape(evil) +
      "' class='ocf' provider='heartbeat' type='Dummy'/></resources><constraints><rsc_location id='l' rsc='" +
      xml::escape(evil) +
      "' node='n1' score='5'/></constraints></configuration><status><node_state id='1' uname='n1' in_ccm='true' "
      "crmd='online' join='member' expected='member'/></status></cib>";
  auto doc = xml::parse(cib, "evil");
  ASSERT_TRUE(doc.ok());
  auto v = build_view(doc->get(), 0);
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_TRUE((*v)["resources"].contains(evil));
  for (const std::string& dot : {cluster_dot(*v), constraints_dot(doc->get())}) {
    auto svg = dot_to_svg(dot);
    ASSERT_TRUE(svg.ok()) << svg.status().message() << "\n" << dot;
    EXPECT_EQ(svg->find("<script"), std::string::npos) << *svg;
    EXPECT_NE(svg->find("&lt;script&gt;"), std::string::npos) << *svg;
  }
}

TEST(ViewTest, BadDotIsAnError) {
  EXPECT_FALSE(dot_to_svg("digraph { a -> ").ok());
}

}  // namespace
}  // namespace crm::web
