#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "crm/cib/canonical.h"
#include "crm/cib/cib.h"
#include "test_util.h"

namespace crm::cib {
namespace {

using testing::fragment;
using testing::small;

const CanonicalOptions kAll{.comments = true};

std::vector<xmlNode*> all_elements(const Cib& cib) {
  std::vector<xmlNode*> out, stack{cib.root()};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    out.push_back(n);
    for (xmlNode* c : xml::children(n)) stack.push_back(c);
  }
  return out;
}

// One random change somewhere in the document.
void mutate(Cib& cib, std::mt19937& rng) {
  std::vector<xmlNode*> els = all_elements(cib);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  xmlNode* n = els[pick(els.size())];
  static int counter = 0;
  ++counter;
  switch (pick(8)) {
    case 0:  // set an attribute
      xml::set_attr(n, pick(2) ? "id" : "value", "v" + std::to_string(counter) + (pick(3) == 0 ? "'q" : ""));
      break;
    case 1:  // drop an attribute
      if (n->properties) xmlRemoveProp(n->properties);
      break;
    case 2:  // remove an element
      if (n != cib.root()) {
        xmlUnlinkNode(n);
        xmlFreeNode(n);
      }
      break;
    case 3:
    case 4: {  // add an element at a random position, with or without id
      xmlNode* fresh = xmlNewDocNode(cib.doc(), nullptr, BAD_CAST(pick(2) ? "nvpair" : "op"), nullptr);
      if (pick(2)) xml::set_attr(fresh, "id", "new" + std::to_string(counter));
      xml::set_attr(fresh, "name", "x");
      auto kids = xml::children(n);
      if (kids.empty()) {
        xmlAddChild(n, fresh);
      } else {
        xmlAddPrevSibling(kids[pick(kids.size())], fresh);
      }
      break;
    }
    case 5: {  // move a child to another position among its siblings
      auto kids = xml::children(n);
      if (kids.size() >= 2) {
        xmlNode* moving = kids[pick(kids.size())];
        xmlNode* before = kids[pick(kids.size())];
        if (moving != before) {
          xmlUnlinkNode(moving);
          xmlAddPrevSibling(before, moving);
        }
      }
      break;
    }
    case 6:  // a comment
      xmlAddChild(n, xmlNewDocComment(cib.doc(), BAD_CAST "note"));
      break;
    case 7:
      if (pick(2)) {
        cib.bump_epoch();
      } else {
        cib.bump_num_updates();
      }
      break;
  }
}

void expect_patch_reproduces(const Cib& a, const Cib& b) {
  auto patch = diff(a, b);
  ASSERT_TRUE(patch.ok());
  // Through text, as a daemon would send it.
  auto reread = parse_patch(xml::to_string(patch->doc.get()));
  ASSERT_TRUE(reread.ok()) << reread.status().to_string();
  Cib target = a.copy();
  Status s = apply_patch(target, *reread);
  ASSERT_TRUE(s.ok()) << s.to_string() << "\n" << xml::to_string(patch->doc.get());
  ASSERT_EQ(canonical(target.root(), kAll), canonical(b.root(), kAll)) << xml::to_string(patch->doc.get());
}

TEST(PatchTest, IdenticalDocumentsGiveAnEmptyPatch) {
  Cib a = small();
  auto p = diff(a, a.copy());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(xml::children(xml::root(p->doc)).empty());
  EXPECT_EQ(xml::attr_or(xml::root(p->doc), "from"), "0.5.2");
}

TEST(PatchTest, FormatIsReadable) {
  Cib a = small();
  Cib b = a.copy();
  auto f = fragment(R"(<primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/>)");
  ASSERT_TRUE(b.create("resources", xml::root(f)).ok());
  ASSERT_TRUE(b.remove_xpath("//rsc_location[@id='loc1']").ok());
  xml::set_attr(xml::xpath(b.doc(), "//primitive[@id='g1']").value()[0], "description", "d");
  b.bump_epoch();
  auto p = diff(a, b);
  ASSERT_TRUE(p.ok());
  std::string text = xml::to_string(p->doc.get());
  EXPECT_NE(text.find(R"(<diff from="0.5.2" to="0.6.0")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(<remove xpath="/cib/configuration/constraints/rsc_location[@id='loc1']"/>)"),
            std::string::npos) << text;
  EXPECT_NE(text.find(R"(<add parent-xpath="/cib/configuration/resources" position="3">)"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(xpath="/cib/configuration/resources/group[@id='grp']/primitive[@id='g1']")"),
            std::string::npos) << text;
  expect_patch_reproduces(a, b);
}

TEST(PatchTest, RefusesTheWrongSourceVersionAndChangesNothing) {
  Cib a = small();
  Cib b = a.copy();
  b.bump_epoch();
  auto p = diff(a, b);
  ASSERT_TRUE(p.ok());
  Cib newer = b.copy();
  EXPECT_EQ(apply_patch(newer, *p).code(), StatusCode::kOutdated);
  Cib behind = a.copy();
  behind.set_version({0, 1, 0});
  EXPECT_EQ(apply_patch(behind, *p).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(behind.version(), (Version{0, 1, 0}));
}

TEST(PatchTest, DigestMismatchIsRejected) {
  Cib a = small();
  Cib b = a.copy();
  b.bump_epoch();
  auto p = diff(a, b);
  ASSERT_TRUE(p.ok());
  Cib drifted = a.copy();
  xml::set_attr(xml::xpath(drifted.doc(), "//primitive[@id='rsc1']").value()[0], "type", "Other");
  const std::string before = canonical(drifted.root());
  EXPECT_EQ(apply_patch(drifted, *p).code(), StatusCode::kConfigInvalid);
  EXPECT_EQ(canonical(drifted.root()), before);
}

TEST(PatchTest, MalformedPatchesFailCleanly) {
  Cib a = small();
  for (const char* text : {
           R"(<diff from="0.5.2" to="0.5.2"><bogus/></diff>)",
           R"(<diff from="0.5.2" to="0.5.2"><remove xpath="//primitive"/></diff>)",
           R"(<diff from="0.5.2" to="0.5.2"><remove xpath="/cib"/></diff>)",
           R"(<diff from="0.5.2" to="0.5.2"><add parent-xpath="/cib/x"><a/></add></diff>)",
           R"(<diff from="0.5.2" to="0.5.2"><set-attrs xpath="/cib"><attr/></set-attrs></diff>)",
           R"(<diff from="0.5.2" to="0.5.2"><replace xpath="/cib"><notcib/></replace></diff>)",
           R"(<diff from="x" to="0.5.2"/>)",
       }) {
    auto p = parse_patch(text);
    ASSERT_TRUE(p.ok()) << text;
    Cib target = a.copy();
    EXPECT_FALSE(apply_patch(target, *p).ok()) << text;
    EXPECT_TRUE(canonical_equal(target.root(), a.root())) << text;
  }
  EXPECT_FALSE(parse_patch("<notdiff/>").ok());
}

TEST(PatchTest, RandomMutationsOnSmallCib) {
  for (unsigned seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    Cib a = small();
    for (int i = 0; i < static_cast<int>(seed % 5); ++i) mutate(a, rng);
    Cib b = a.copy();
    const int changes = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < changes; ++i) mutate(b, rng);
    expect_patch_reproduces(a, b);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(PatchTest, RandomMutationsOnCorpusCases) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(CRM_SHARED_DIR) / "scheduler-cases";
  if (!fs::exists(dir)) GTEST_SKIP() << "no scheduler cases";
  int done = 0;
  for (const char* name : {"simple1", "promoted-0", "group1", "clone-anon-failcount", "rec-node-13", "bug-1718"}) {
    fs::path p = dir / name / "input.xml";
    if (!fs::exists(p)) continue;
    auto base = Cib::load_file(p.string());
    ASSERT_TRUE(base.ok());
    for (unsigned seed = 1; seed <= 40; ++seed) {
      SCOPED_TRACE(std::string(name) + " seed " + std::to_string(seed));
      std::mt19937 rng(seed * 7919u);
      Cib b = base->copy();
      for (int i = 0; i < 1 + static_cast<int>(seed % 20); ++i) mutate(b, rng);
      expect_patch_reproduces(*base, b);
      if (::testing::Test::HasFatalFailure()) return;
    }
    ++done;
  }
  EXPECT_GT(done, 0);
}

}  // namespace
}  // namespace crm::cib
