// The copy's metadata survives a crash at any point of a save as either the
// old or the new version; a fresh copy is zeroes at generation 0:0.
#include "store.h"

#include <stdlib.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "crm/cib/testing/fault_injecting_file_system.h"

namespace crm::repldisk {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/repldisk-store-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(StoreTest, AFreshCopyIsZeroesAtGenerationZeroAndUpToDate) {
  cib::FaultInjectingFileSystem fs;
  auto s = Store::open(fs, dir_, 1 << 20);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->meta().generation, (Generation{0, 0}));
  EXPECT_EQ(s->meta().state, DiskState::kUpToDate);
  EXPECT_EQ(s->meta().size, 1u << 20);
  auto data = s->read(4096, 8);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, std::string(8, '\0'));
  ASSERT_TRUE(s->write(4096, "abcdefgh").ok());
  EXPECT_EQ(*s->read(4096, 8), "abcdefgh");
  EXPECT_FALSE(s->write((1 << 20) - 4, "too long").ok());
}

TEST_F(StoreTest, ACopyOfAnotherSizeIsRefused) {
  cib::FaultInjectingFileSystem fs;
  ASSERT_TRUE(Store::open(fs, dir_, 1 << 20).ok());
  auto again = Store::open(fs, dir_, 2 << 20);
  EXPECT_FALSE(again.ok());
  EXPECT_TRUE(Store::open(fs, dir_, 0).ok());  // 0: whatever size it has
}

TEST_F(StoreTest, MetadataSurvivesACrashAtEveryPointOfASaveAsOldOrNew) {
  Metadata before, after;
  for (int crash_at = 0;; ++crash_at) {
    cib::FaultInjectingFileSystem fs;
    auto s = Store::open(fs, dir_, 1 << 20);
    ASSERT_TRUE(s.ok());
    Metadata m = s->meta();
    m.peers["b"] = "10.0.0.2:7790";
    ASSERT_TRUE(s->save(m).ok());
    before = s->meta();
    after = before;
    after.state = DiskState::kInconsistent;
    after.generation = Generation{4, 5};
    int start = fs.operations();
    fs.fail_after(crash_at);
    Status saved = s->save(after);
    fs.clear_failures();
    fs.crash();
    auto reopened = Store::open(fs, dir_, 1 << 20);
    ASSERT_TRUE(reopened.ok()) << "crash after " << crash_at << ": " << reopened.status().to_string();
    std::string got = reopened->meta().serialize();
    if (saved.ok()) {
      EXPECT_EQ(got, after.serialize());
      EXPECT_GT(fs.operations(), start);
      break;
    }
    EXPECT_TRUE(got == before.serialize() || got == after.serialize()) << got;
    std::filesystem::remove(dir_ + "/image");
    ASSERT_LT(crash_at, 20);
  }
}

TEST(MetadataTest, ParsesWhatItWrites) {
  Metadata m;
  m.generation = Generation{3, 0xabc};
  m.state = DiskState::kOutdated;
  m.size = 4096;
  m.peers = {{"b", "10.0.0.2:7790"}, {"c", "[fe80::1]:7790"}};
  auto p = Metadata::parse(m.serialize());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->serialize(), m.serialize());
  EXPECT_FALSE(Metadata::parse("generation=1:2\n").ok());
}

}  // namespace
}  // namespace crm::repldisk
