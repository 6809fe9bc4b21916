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

void expect_patch_reproduces(const Cib& a, const Cib& b_in) {
  // A CIB patch always leads to a newer version (apply_patch refuses others, as the peer).
  Cib b = b_in.copy();
  if (!(b.version() > a.version())) b.set_version({a.version().admin_epoch, a.version().epoch, a.version().num_updates + 1});
  auto patch = diff(a, b);
  ASSERT_TRUE(patch.ok());
  // Through text, as a daemon would send it.
  auto reread = parse_patch(xml::to_string(patch->doc.get()));
  ASSERT_TRUE(reread.ok()) << reread.status().to_string();
  Cib target = a.copy();
  Status s = apply_patch(target, *reread);
  ASSERT_TRUE(s.ok()) << s.to_string() << "\n" << xml::to_string(patch->doc.get());
  ASSERT_EQ(canonical(target.root(), kAll), canonical(b.root(), kAll)) << xml::to_string(patch->doc.get());
  // Exactly, attribute order included: replicas hold the same text.
  ASSERT_EQ(xml::to_string(target.root()), xml::to_string(b.root())) << xml::to_string(patch->doc.get());
}

std::string read_testdata(const std::string& name) {
  std::ifstream in(std::string(CRM_CIB_TESTDATA_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

xml::DocPtr doc_of(const std::string& text) {
  auto d = xml::parse(text, "test");
  EXPECT_TRUE(d.ok()) << d.status().to_string();
  return std::move(d).value();
}

std::string patch_text(const Patch& p) { return xml::to_string(p.doc.get()); }

TEST(PatchTest, IdenticalDocumentsGiveAnEmptyPatch) {
  Cib a = small();
  auto p = diff(a, a.copy());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
  xmlNode* root = xml::root(p->doc);
  EXPECT_EQ(xml::attr_or(root, "format"), "2");
  EXPECT_EQ(xml::attr_or(xml::first_child(xml::first_child(root, "version"), "source"), "epoch"), "5");
}

TEST(PatchTest, FormatIsThePeersV2) {
  Cib a = small();
  Cib b = a.copy();
  auto f = fragment(R"(<primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/>)");
  ASSERT_TRUE(b.create("resources", xml::root(f)).ok());
  ASSERT_TRUE(b.remove_xpath("//rsc_location[@id='loc1']").ok());
  xml::set_attr(xml::xpath(b.doc(), "//primitive[@id='g1']").value()[0], "description", "d");
  b.bump_epoch();
  auto p = diff(a, b);
  ASSERT_TRUE(p.ok());
  std::string text = patch_text(*p);
  for (const char* want : {
           R"(<diff format="2" config-digest=")",
           R"(<source admin_epoch="0" epoch="5" num_updates="2"/>)",
           R"(<target admin_epoch="0" epoch="6" num_updates="0"/>)",
           R"(<change operation="delete" path="/cib/configuration/constraints/rsc_location[@id='loc1']"/>)",
           R"(<change operation="create" path="/cib/configuration/resources" position="3">)",
           R"(<change operation="modify" path="/cib/configuration/resources/group[@id='grp']/primitive[@id='g1']">)",
           R"(<change-attr name="description" operation="set" value="d"/>)",
           R"(<change-attr name="epoch" operation="set" value="6"/>)",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  // Deletions first.
  EXPECT_LT(text.find(R"(operation="delete")"), text.find(R"(operation="modify")")) << text;
  expect_patch_reproduces(a, b);
}

// The peer's own crm_diff test: the same patch, change for change.
TEST(PatchTest, PeerRegressionCrmDiffGivesThePeersPatch) {
  xml::DocPtr old_doc = doc_of(read_testdata("crm_diff_old.xml"));
  xml::DocPtr new_doc = doc_of(read_testdata("crm_diff_new.xml"));
  xml::DocPtr expected = doc_of(read_testdata("crm_diff_expected.xml"));
  auto p = diff(xml::root(old_doc), xml::root(new_doc));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(canonical(xml::root(p->doc), kAll), canonical(xml::root(expected), kAll))
      << "ours:\n" << patch_text(*p) << "\npeer:\n" << xml::to_string(expected.get());
  // Change order matters too (canonical keeps element order).
  std::vector<std::string> ours, theirs;
  for (xmlNode* c : xml::children(xml::root(p->doc), "change")) ours.push_back(xml::to_string(c));
  for (xmlNode* c : xml::children(xml::root(expected), "change")) theirs.push_back(xml::to_string(c));
  EXPECT_EQ(ours.size(), theirs.size());
}

TEST(PatchTest, PeerRegressionPatchAppliesToTheOldDocument) {
  xml::DocPtr doc = doc_of(read_testdata("crm_diff_old.xml"));
  xml::DocPtr new_doc = doc_of(read_testdata("crm_diff_new.xml"));
  auto patch = parse_patch(read_testdata("crm_diff_expected.xml"));
  ASSERT_TRUE(patch.ok());
  Status s = apply_patch(doc, *patch);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(canonical(xml::root(doc), kAll), canonical(xml::root(new_doc), kAll)) << xml::to_string(doc.get());
  // Attribute order follows the change-result.
  EXPECT_NE(xml::to_string(doc.get()).find(R"(<nvpair id="cib-bootstrap-options-cluster-name" value="mycluster" name="cluster-name"/>)"),
            std::string::npos);
  // As the peer's cibadmin would: source == target is no change.
  xml::DocPtr again = doc_of(read_testdata("crm_diff_old.xml"));
  EXPECT_EQ(apply_patch(again, *patch, {.check_version = true}).code(), StatusCode::kOutdated);
}

TEST(PatchTest, WithoutVersionAndWithoutAttributeOrder) {
  auto a = doc_of(R"(<cib epoch="1"><configuration><x id="1" a="1" b="2"/></configuration></cib>)");
  auto b = doc_of(R"(<cib epoch="7"><configuration><x id="1" b="2" a="1"/></configuration></cib>)");
  auto p = diff(xml::root(a), xml::root(b), {.version = false, .attribute_order = false});
  ASSERT_TRUE(p.ok());
  std::string text = patch_text(*p);
  EXPECT_EQ(text.find("<version"), std::string::npos) << text;
  EXPECT_EQ(text.find("x[@id"), std::string::npos) << text;  // the reorder is not reported
  EXPECT_NE(text.find(R"(<change-attr name="epoch" operation="set" value="7"/>)"), std::string::npos) << text;
  auto q = diff(xml::root(a), xml::root(b));
  ASSERT_TRUE(q.ok());
  EXPECT_NE(patch_text(*q).find(R"(path="/cib/configuration/x[@id='1']")"), std::string::npos);
}

TEST(PatchTest, VersionChecksAsThePeer) {
  auto base = doc_of(R"(<cib admin_epoch="0" epoch="5" num_updates="2"><configuration/></cib>)");
  auto make = [](const char* source, const char* target) {
    std::string t = std::string(R"(<diff format="2"><version><source )") + source + "/><target " + target +
                    R"(/></version><change operation="modify" path="/cib"><change-list/><change-result><cib admin_epoch="0" epoch="6" num_updates="0"/></change-result></change></diff>)";
    return parse_patch(t).value();
  };
  const ApplyOptions check{.check_version = true};
  auto doc = xml::copy(base.get());
  EXPECT_TRUE(apply_patch(doc, make(R"(admin_epoch="0" epoch="5" num_updates="2")", R"(admin_epoch="0" epoch="6" num_updates="0")"), check).ok());
  doc = xml::copy(base.get());
  EXPECT_EQ(apply_patch(doc, make(R"(admin_epoch="0" epoch="4" num_updates="2")", R"(admin_epoch="0" epoch="6" num_updates="0")"), check).code(),
            StatusCode::kOutdated);
  EXPECT_EQ(apply_patch(doc, make(R"(admin_epoch="0" epoch="6" num_updates="0")", R"(admin_epoch="0" epoch="7" num_updates="0")"), check).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(apply_patch(doc, make(R"(admin_epoch="0" epoch="5" num_updates="2")", R"(admin_epoch="0" epoch="5" num_updates="2")"), check).code(),
            StatusCode::kOutdated);
  EXPECT_EQ(xml::attr_or(xml::root(doc), "epoch"), "5");
  // Without a version element the check passes; without check_version nothing is checked.
  auto p = parse_patch(R"(<diff format="2"><change operation="delete" path="/cib/configuration"/></diff>)").value();
  EXPECT_TRUE(apply_patch(doc, p, check).ok());
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

TEST(PatchTest, AFailingChangeRejectsTheWholePatchAndIsNamed) {
  Cib a = small();
  auto p = parse_patch(R"(<diff format="2">
    <change operation="delete" path="/cib/configuration/constraints/rsc_location[@id='loc1']"/>
    <change operation="modify" path="/cib/configuration/resources/primitive[@id='ghost']">
      <change-list/><change-result><primitive id="ghost"/></change-result></change>
  </diff>)");
  ASSERT_TRUE(p.ok());
  Cib target = a.copy();
  Status s = apply_patch(target, *p);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("change 2 (modify /cib/configuration/resources/primitive[@id='ghost'])"),
            std::string::npos) << s.message();
  EXPECT_TRUE(canonical_equal(target.root(), a.root()));
}

TEST(PatchTest, MalformedPatchesFailCleanly) {
  Cib a = small();
  for (const char* text : {
           R"(<diff format="2"><change operation="bogus" path="/cib"/></diff>)",
           R"(<diff format="2"><change path="/cib"/></diff>)",
           R"(<diff format="2"><change operation="delete" path="//primitive"/></diff>)",
           R"(<diff format="2"><change operation="delete" path="/cib"/></diff>)",
           R"(<diff format="2"><change operation="delete" path="/cib/configuration[@name='x']"/></diff>)",
           R"(<diff format="2"><change operation="delete" path="/cib/configuration[@id='x"/></diff>)",
           R"(<diff format="2"><change operation="create" path="/cib/x" position="0"><a/></change></diff>)",
           R"(<diff format="2"><change operation="create" path="/cib" position="9"><a/></change></diff>)",
           R"(<diff format="2"><change operation="create" path="/cib" position="0"/></diff>)",
           R"(<diff format="2"><change operation="create" path="/cib"><a/></change></diff>)",
           R"(<diff format="2"><change operation="move" path="/cib/status" position="x"/></diff>)",
           R"(<diff format="2"><change operation="modify" path="/cib"><change-list/></change></diff>)",
           R"(<diff format="2"><version><source epoch="9"/></version></diff>)",
           R"(<diff><diff-removed/><diff-added/></diff>)",
       }) {
    auto p = parse_patch(text);
    ASSERT_TRUE(p.ok()) << text;
    Cib target = a.copy();
    EXPECT_FALSE(apply_patch(target, *p).ok()) << text;
    EXPECT_TRUE(canonical_equal(target.root(), a.root())) << text;
  }
  EXPECT_FALSE(parse_patch("<notdiff/>").ok());
  auto v1 = parse_patch("<diff><diff-removed/><diff-added/></diff>").value();
  Cib target = a.copy();
  EXPECT_EQ(apply_patch(target, v1).code(), StatusCode::kNotSupported);
}

TEST(PatchTest, MovesCommentsDuplicatesAndText) {
  const char* pairs[][2] = {
      // A swap: the peer moves both.
      {"<r><a id='1'/><a id='2'/></r>", "<r><a id='2'/><a id='1'/></r>"},
      {"<r><a id='1'/><a id='2'/><a id='3'/><a id='4'/></r>", "<r><a id='4'/><a id='3'/><a id='2'/><a id='1'/></r>"},
      {"<r><a id='1'/><!--c--><a id='2'/></r>", "<r><a id='2'/><!--c--><a id='1'/></r>"},
      {"<r><!--x--><!--y--></r>", "<r><!--y--><!--x--></r>"},
      {"<r><b/><b/></r>", "<r><b/><b x='1'/></r>"},
      {"<r><b id='1'/><b id='1' v='2'/></r>", "<r><b id='1' v='2'/><b id='1'/></r>"},
      {"<r><c><b/><b/></c><d/></r>", "<r><d/><c><b/><b y='1'/><b/></c></r>"},
      {"<r><p id=\"a'b\"/><p id='c'/></r>", "<r><p id='c'/><p id=\"a'b\" v='1'/></r>"},
      {"<r><t id='1'>text</t></r>", "<r><t id='1'>other</t></r>"},
      {"<r><t id='1'>text<u/></t></r>", "<r><t id='1'>text<u/><u/></t></r>"},
  };
  for (const auto& [from, to] : pairs) {
    SCOPED_TRACE(std::string(from) + " -> " + to);
    auto a = doc_of(from);
    auto b = doc_of(to);
    auto p = diff(xml::root(a), xml::root(b));
    ASSERT_TRUE(p.ok()) << p.status().to_string();
    auto reread = parse_patch(patch_text(*p));
    ASSERT_TRUE(reread.ok());
    Status s = apply_patch(a, *reread);
    ASSERT_TRUE(s.ok()) << s.to_string() << "\n" << patch_text(*p);
    EXPECT_EQ(xml::to_string(xml::root(a)), xml::to_string(xml::root(b))) << patch_text(*p);
  }
  auto a = doc_of("<r>x</r>");
  auto b = doc_of("<r>y</r>");
  EXPECT_EQ(diff(xml::root(a), xml::root(b)).status().code(), StatusCode::kInvalidArgument);
  auto c = doc_of("<q/>");
  EXPECT_EQ(diff(xml::root(a), xml::root(c)).status().code(), StatusCode::kInvalidArgument);
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
