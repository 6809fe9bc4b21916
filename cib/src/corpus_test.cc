// Every input.xml of the peer's scheduler cases (development and advanced
// sets): parses, validates against our schema, round-trips (parse ->
// serialize -> parse gives a canonically equal document, comments included),
// checks without errors, and diff/patch between the case and an empty CIB
// reproduces it. Features the model does not interpret are reported by name.
#include <gtest/gtest.h>

#include <set>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "crm/cib/canonical.h"
#include "crm/cib/cib.h"
#include "crm/cib/features.h"

namespace crm::cib {
namespace {

namespace fs = std::filesystem;

struct Counts {
  int cases = 0, parsed = 0, valid = 0, round_tripped = 0, checked = 0, patched = 0, unsupported = 0;
  std::map<std::string, int> by_feature;
};

std::vector<fs::path> inputs(const std::string& folder) {
  std::vector<fs::path> out;
  fs::path dir = fs::path(CRM_SHARED_DIR) / folder;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && fs::exists(e.path() / "input.xml")) out.push_back(e.path() / "input.xml");
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Counts run_folder(const std::string& folder, const Schema& schema, bool expect_all) {
  Counts c;
  for (const fs::path& input : inputs(folder)) {
    const std::string name = input.parent_path().filename().string();
    ++c.cases;
    auto cib = Cib::parse(read(input), name);
    if (!cib.ok()) {
      ADD_FAILURE() << name << ": " << cib.status().to_string();
      continue;
    }
    ++c.parsed;
    Status valid = schema.validate(*cib);
    if (valid.ok()) {
      ++c.valid;
    } else {
      ADD_FAILURE() << name << ": " << valid.to_string();
    }
    auto again = Cib::parse(cib->serialize(true), name + " (re-read)");
    CanonicalOptions with_comments{.comments = true};
    if (again.ok() && canonical_equal(cib->root(), again->root(), with_comments) &&
        again->digest() == cib->digest()) {
      ++c.round_tripped;
    } else {
      ADD_FAILURE() << name << ": does not round-trip";
    }
    std::vector<Problem> problems = check_configuration(*cib);
    bool errors = false;
    for (const Problem& p : problems) {
      if (p.severity == Problem::Severity::kError) {
        errors = true;
        // Cases the peer's crm_verify rejects too (its own regression cases of bad input).
        static const std::set<std::string> kPeerRejects = {"template-coloc-3"};
        if (expect_all && !kPeerRejects.count(name)) ADD_FAILURE() << name << ": " << p.message;
      }
    }
    if (!errors) ++c.checked;
    // diff/patch from an empty CIB at an older version to the case.
    Cib base = Cib::empty();
    auto patch = diff(base, *cib);
    Cib target = base.copy();
    Status applied = patch.ok() ? apply_patch(target, *patch) : patch.status();
    if (applied.ok() && canonical_equal(target.root(), cib->root(), with_comments)) {
      ++c.patched;
    } else {
      ADD_FAILURE() << name << ": diff/patch from an empty CIB does not reproduce it: " << applied.to_string();
    }
    std::vector<Feature> features = unsupported_features(*cib);
    if (!features.empty()) {
      ++c.unsupported;
      std::string list;
      for (const Feature& f : features) {
        list += (list.empty() ? "" : ", ") + f.name + " (line " + std::to_string(f.line) + ")";
        ++c.by_feature[f.name];
      }
      std::cout << "  unsupported: " << folder << "/" << name << ": " << list << "\n";
    }
  }
  std::cout << folder << ": " << c.cases << " cases, " << c.parsed << " parsed, " << c.valid << " valid, "
            << c.round_tripped << " round-tripped, " << c.checked << " without semantic errors, " << c.patched
            << " rebuilt by diff/patch, " << c.unsupported << " using unsupported features\n";
  for (const auto& [f, n] : c.by_feature) std::cout << "    " << f << ": " << n << " cases\n";
  return c;
}

class CorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Schema::load(CRM_SCHEMA_DIR);
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    schema_ = std::make_unique<Schema>(std::move(s).value());
  }
  std::unique_ptr<Schema> schema_;
};

TEST_F(CorpusTest, DevelopmentCases) {
  Counts c = run_folder("scheduler-cases", *schema_, true);
  EXPECT_GT(c.cases, 200);
  EXPECT_EQ(c.parsed, c.cases);
  EXPECT_EQ(c.valid, c.cases);
  EXPECT_EQ(c.round_tripped, c.cases);
  EXPECT_EQ(c.patched, c.cases);
}

TEST_F(CorpusTest, AdvancedCases) {
  Counts c = run_folder("scheduler-cases-advanced", *schema_, true);
  EXPECT_EQ(c.parsed, c.cases);
  EXPECT_EQ(c.valid, c.cases);
  EXPECT_EQ(c.round_tripped, c.cases);
}

TEST_F(CorpusTest, LargeCases) {
  Counts c = run_folder("scheduler-cases-large", *schema_, true);
  EXPECT_EQ(c.valid, c.cases);
  EXPECT_EQ(c.round_tripped, c.cases);
}

}  // namespace
}  // namespace crm::cib
