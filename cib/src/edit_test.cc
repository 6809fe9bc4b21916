// CibEdit: changes in place that roll back exactly and write the patch that
// reproduces them, checked over random runs of every kind of change.
#include <gtest/gtest.h>

#include <random>

#include "crm/cib/cib.h"
#include "test_util.h"

namespace crm::cib {
namespace {

using testing::fragment;
using testing::small;

std::vector<xmlNode*> elements_with_id(const Cib& cib) {
  std::vector<xmlNode*> out, stack{cib.root()};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    if (xml::attr(n, "id")) out.push_back(n);
    for (xmlNode* c : xml::children(n)) stack.push_back(c);
  }
  return out;
}

std::string section_of(const xmlNode* n) {
  for (const xmlNode* a = n; a && a->parent && a->parent->type == XML_ELEMENT_NODE; a = a->parent) {
    if (xml::is(a->parent, "configuration")) return std::string(xml::name(a));
    if (xml::is(a, "status")) return "status";
  }
  return "status";
}

// One random change through the CIB's own operations; its result is ignored
// (a failing one must change nothing, which the final comparison checks).
void random_change(Cib& cib, std::mt19937& rng, int counter) {
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  std::vector<xmlNode*> els = elements_with_id(cib);
  xmlNode* n = els.empty() ? nullptr : els[pick(els.size())];
  const std::string c = std::to_string(counter);
  switch (pick(9)) {
    case 0: {  // create a primitive or a constraint
      auto f = pick(2) ? fragment(R"(<primitive id="p)" + c + R"(" class="ocf" provider="heartbeat" type="Dummy"/>)")
                       : fragment(R"(<rsc_location id="l)" + c + R"(" rsc="rsc1" node="node2" score="5"/>)");
      (void)cib.create(pick(4) == 0 ? "constraints" : (xml::is(xml::root(f), "primitive") ? "resources" : "constraints"),
                       xml::root(f));
      break;
    }
    case 1:
    case 2: {  // modify: an attribute and maybe a new or matching child
      if (!n) break;
      std::string text = "<" + std::string(xml::name(n)) + " id=\"" + *xml::attr(n, "id") + "\" description=\"d" + c + "\"";
      if (pick(2)) {
        text += "><nvpair id=\"" + (pick(2) ? "n" + c : std::string("opts-stonith")) + "\" name=\"x\" value=\"" + c + "\"/></" +
                std::string(xml::name(n)) + ">";
      } else {
        text += "/>";
      }
      auto f = fragment(text);
      (void)cib.modify(section_of(n), xml::root(f), pick(3) == 0);
      break;
    }
    case 3: {  // replace an element by a changed copy
      if (!n || n == cib.root()) break;
      xml::NodePtr copy(xmlCopyNode(n, 1));
      xml::set_attr(copy.get(), "replaced", c);
      if (xmlNode* first = copy->children) {
        xmlUnlinkNode(first);
        xmlFreeNode(first);
      }
      auto f = fragment(xml::to_string(copy.get()));
      (void)cib.replace(section_of(n), xml::root(f));
      break;
    }
    case 4: {  // remove by fragment
      if (!n) break;
      auto f = fragment("<" + std::string(xml::name(n)) + " id=\"" + *xml::attr(n, "id") + "\"/>");
      (void)cib.remove(section_of(n), xml::root(f));
      break;
    }
    case 5: {  // remove by XPath, the first match or all
      const char* xpaths[] = {"//nvpair", "//op", "//rsc_location", "//primitive[@id='g1']", "//lrm_rsc_op", "/cib"};
      (void)cib.remove_xpath(xpaths[pick(6)], pick(2));
      break;
    }
    case 6:
      cib.set_attribute("update-origin", "node" + c);
      break;
    case 7:
      if (pick(2)) {
        cib.bump_epoch();
      } else {
        cib.bump_num_updates();
      }
      break;
    case 8: {  // a patch made elsewhere: a changed copy compared with this one
      Cib other = cib.copy();
      auto f = fragment(R"(<primitive id="q)" + c + R"(" class="ocf" provider="heartbeat" type="Dummy"/>)");
      (void)other.create("resources", xml::root(f));
      if (xmlNode* m = xml::first_child(other.configuration(), "crm_config")) xml::set_attr(m, "x", c);
      if (pick(2)) (void)other.remove_xpath("//rsc_colocation");
      other.bump_epoch();
      auto p = diff(cib, other);
      if (p.ok()) (void)apply_patch(cib, *p);
      break;
    }
  }
}

TEST(CibEdit, RollbackRestoresTheDocumentExactly) {
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    Cib cib = small();
    const std::string before = cib.serialize(false);
    {
      CibEdit edit = cib.begin_edit();
      for (int i = 0; i < 12; ++i) random_change(cib, rng, i);
      edit.rollback();
    }
    ASSERT_EQ(cib.serialize(false), before) << "seed " << seed;
  }
}

TEST(CibEdit, AnUncommittedEditRollsBackWhenItEnds) {
  Cib cib = small();
  const std::string before = cib.serialize(false);
  {
    CibEdit edit = cib.begin_edit();
    ASSERT_TRUE(cib.remove_xpath("//constraints").ok());
    cib.bump_epoch();
  }
  EXPECT_EQ(cib.serialize(false), before);
}

TEST(CibEdit, ThePatchReproducesTheChanges) {
  int written = 0, substantial = 0;
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    Cib cib = small();
    const Cib original = cib.copy();
    CibEdit edit = cib.begin_edit();
    for (int i = 0; i < 1 + static_cast<int>(seed % 10); ++i) random_change(cib, rng, i);
    cib.bump_epoch();  // a patch always leads to a newer version
    auto patch = edit.patch(original.version(), cib.version());
    if (!patch.ok()) {
      // Only when paths cannot name what changed; never another failure.
      ASSERT_EQ(patch.status().code(), StatusCode::kNotSupported) << patch.status().to_string();
      continue;
    }
    ++written;
    // More than the version's own change: the run did change the document.
    if (xml::children(xml::root(patch->doc), "change").size() > 1) ++substantial;
    auto reread = parse_patch(xml::to_string(patch->doc.get()));
    ASSERT_TRUE(reread.ok());
    Cib replica = original.copy();
    Status applied = apply_patch(replica, *reread);
    ASSERT_TRUE(applied.ok()) << "seed " << seed << ": " << applied.to_string() << "\n"
                              << xml::to_string(patch->doc.get());
    ASSERT_EQ(replica.serialize(false), cib.serialize(false)) << "seed " << seed << "\n"
                                                              << xml::to_string(patch->doc.get());
    edit.commit();
  }
  EXPECT_GT(written, 250);  // the fallback stays the exception
  EXPECT_GT(substantial, 200);
}

TEST(CibEdit, InnerEditsRollBackAloneAndCommitIntoTheOuter) {
  Cib cib = small();
  const std::string start = cib.serialize(false);
  CibEdit outer = cib.begin_edit();
  ASSERT_TRUE(cib.remove_xpath("//rsc_location").ok());
  const std::string middle = cib.serialize(false);
  {
    CibEdit inner = cib.begin_edit();
    ASSERT_TRUE(cib.remove_xpath("//resources").ok());
    inner.rollback();
  }
  EXPECT_EQ(cib.serialize(false), middle);
  {
    CibEdit inner = cib.begin_edit();
    auto f = fragment(R"(<primitive id="new" class="ocf" provider="heartbeat" type="Dummy"/>)");
    ASSERT_TRUE(cib.create("resources", xml::root(f)).ok());
    cib.set_attribute("update-origin", "x");
    inner.commit();
  }
  EXPECT_TRUE(outer.changes_configuration());
  outer.rollback();
  EXPECT_EQ(cib.serialize(false), start);
}

TEST(CibEdit, OnlyAttributesOfTheRootAreNotAConfigurationChange) {
  Cib cib = small();
  CibEdit edit = cib.begin_edit();
  cib.set_attribute("update-client", "me");
  cib.bump_num_updates();
  EXPECT_FALSE(edit.changes_configuration());
  auto f = fragment(R"(<nvpair id="opts-stonith" value="false"/>)");
  ASSERT_TRUE(cib.modify("crm_config", xml::root(f)).ok());  // the same value: nothing changed
  EXPECT_FALSE(edit.changes_configuration());
  auto g = fragment(R"(<nvpair id="opts-stonith" value="true"/>)");
  ASSERT_TRUE(cib.modify("crm_config", xml::root(g)).ok());
  EXPECT_TRUE(edit.changes_configuration());
  edit.commit();
}

// What the edit gives the schema (the touched members) decides as the whole
// document would, valid or not.
TEST(CibEdit, ValidatingTheTouchedMembersAgreesWithTheWholeDocument) {
  auto schema = Schema::load(CRM_SCHEMA_DIR);
  ASSERT_TRUE(schema.ok()) << schema.status().to_string();
  ASSERT_TRUE(schema->validate(small()).ok());
  int valid = 0, invalid = 0;
  for (unsigned seed = 1; seed <= 400; ++seed) {
    std::mt19937 rng(seed);
    Cib cib = small();
    CibEdit edit = cib.begin_edit();
    random_change(cib, rng, static_cast<int>(seed));
    // Invalid changes of each kind a member can suffer.
    if (seed % 7 == 0) {
      auto f = fragment(R"(<primitive id="rsc1" clas="ocf"/>)");
      (void)cib.modify("resources", xml::root(f));
    }
    if (seed % 11 == 0) {
      auto f = fragment(R"(<rsc_location id="bad)" + std::to_string(seed) + R"(" rsc="rsc1" score="sometimes" node="node1"/>)");
      (void)cib.create("constraints", xml::root(f));
    }
    // The status is set aside, as the CIB daemon does when it validates.
    xmlNode* status = cib.status();
    xmlUnlinkNode(status);
    const bool whole = schema->validate(cib).ok();
    const bool touched = edit.validate(*schema).ok();
    xmlAddChild(cib.root(), status);
    ASSERT_EQ(touched, whole) << "seed " << seed << "\n" << cib.serialize();
    ++(whole ? valid : invalid);
  }
  EXPECT_GT(valid, 100);
  EXPECT_GT(invalid, 50);
}

bool has_error(const std::vector<Problem>& problems) {
  for (const Problem& p : problems)
    if (p.severity == Problem::Severity::kError) return true;
  return false;
}

// check_change on a run of changes, each kept only when the whole
// configuration is sound: whenever it answers, it answers as
// check_configuration does (and it answers for most changes).
TEST(CheckChange, AgreesWithTheWholeCheckOverRandomRuns) {
  int answered = 0, undecided = 0, rejected = 0;
  for (unsigned seed = 1; seed <= 150; ++seed) {
    std::mt19937 rng(seed);
    Cib cib = small();
    CheckIndex index;
    bool index_current = false;  // built on the first change
    for (int i = 0; i < 15; ++i) {
      CibEdit edit = cib.begin_edit();
      const Version version = cib.version();
      random_change(cib, rng, i);
      const std::string c = std::to_string(seed) + "-" + std::to_string(i);
      switch (rng() % 8) {
        case 0: {  // a definition others refer to goes
          (void)cib.remove_xpath("//primitive[@id='rsc1']");
          break;
        }
        case 1: {  // an id used twice, made by a patch (create refuses it)
          Cib other = cib.copy();
          auto sets = xml::xpath(other.doc(), "//cluster_property_set");
          if (sets.ok() && !sets->empty()) {
            xmlNode* set = sets->front();
            xmlNode* nv = xml::add_child(set, "nvpair");
            xml::set_attr(nv, "id", rng() % 2 ? "loc1" : "nv" + c);
            xml::set_attr(nv, "name", "n" + c);
            xml::set_attr(nv, "value", "1");
            other.bump_epoch();
            if (auto p = diff(cib, other); p.ok()) (void)apply_patch(cib, *p);
          }
          break;
        }
        case 2: {  // a constraint naming something unknown, or known
          auto f = fragment(R"(<rsc_order id="o)" + c + R"(" first="rsc1" then=")" + (rng() % 2 ? "ghost" : "grp") + R"("/>)");
          (void)cib.create("constraints", xml::root(f));
          break;
        }
        case 3: {  // a bad score on an existing constraint
          auto f = fragment(R"(<rsc_location id="loc1" score="high"/>)");
          (void)cib.modify("constraints", xml::root(f));
          break;
        }
        default:
          break;
      }
      // The version moves after the check, as in apply_request.
      cib.set_version(version);
      auto incremental = check_change(cib, edit, index);
      const bool wrong = has_error(check_configuration(cib));
      if (incremental) {
        ASSERT_EQ(has_error(*incremental), wrong) << "seed " << seed << " step " << i << "\n" << cib.serialize();
        ++answered;
      } else if (index_current) {
        ++undecided;
      }
      index_current = !wrong;  // a rejected change leaves the index to be rebuilt
      if (wrong) {
        ++rejected;
        edit.rollback();
        index.invalidate();
      } else {
        cib.bump_epoch();
        edit.commit();
        index.set_version(cib.version());
      }
    }
  }
  // Undecided with a current index: the changes made on purpose to break a
  // reference or duplicate an id, and the random ones that do so.
  EXPECT_GT(answered, 3 * undecided) << answered << " answered, " << undecided << " undecided";
  EXPECT_GT(rejected, 100);
}

TEST(CibEdit, AFailedPatchLeavesTheCibUnchanged) {
  Cib cib = small();
  const std::string before = cib.serialize(false);
  Cib other = cib.copy();
  ASSERT_TRUE(other.remove_xpath("//rsc_order").ok());
  other.bump_epoch();
  auto p = diff(cib, other);
  ASSERT_TRUE(p.ok());
  // Make the patch's last change fail after the first applied.
  xmlNode* bad = xml::add_child(xml::root(p->doc), "change");
  xml::set_attr(bad, "operation", "delete");
  xml::set_attr(bad, "path", "/cib/configuration/nothing");
  EXPECT_FALSE(apply_patch(cib, *p).ok());
  EXPECT_EQ(cib.serialize(false), before);
}

}  // namespace
}  // namespace crm::cib
