#include "crm/cib/testing/fault_injecting_file_system.h"
#include "crm/cib/store.h"

#include <gtest/gtest.h>

#include <random>

#include "daemon_test_util.h"

namespace crm::cib {
namespace {

using daemon_testing::base;

Cib at_epoch(long epoch) {
  Cib c = base();
  c.set_version({0, epoch, 0});
  return c;
}

TEST(CibStoreTest, EmptyDirectoryLoadsNothing) {
  FaultInjectingFileSystem fs;
  CibStore store(fs, {.dir = "/var/lib/crm/cib"});
  auto loaded = store.load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_FALSE(loaded->cib.has_value());
  EXPECT_TRUE(loaded->warnings.empty());
}

TEST(CibStoreTest, SaveThenLoadReturnsNewestAndKeepsN) {
  FaultInjectingFileSystem fs;
  CibStore store(fs, {.dir = "/s", .keep = 3});
  ASSERT_TRUE(store.load().ok());
  for (long e = 1; e <= 10; ++e) ASSERT_TRUE(store.save(at_epoch(e)).ok());
  auto names = *fs.list_dir("/s");
  EXPECT_EQ(names, (std::vector<std::string>{"cib-10.sig", "cib-10.xml", "cib-8.sig", "cib-8.xml", "cib-9.sig",
                                             "cib-9.xml"}));
  CibStore again(fs, {.dir = "/s", .keep = 3});
  auto loaded = again.load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->cib.has_value());
  EXPECT_EQ(loaded->cib->version(), (Version{0, 10, 0}));
  EXPECT_EQ(loaded->file, "/s/cib-10.xml");
  EXPECT_TRUE(loaded->warnings.empty());
  ASSERT_TRUE(again.save(at_epoch(11)).ok());
  EXPECT_TRUE(fs.exists("/s/cib-11.xml"));
}

TEST(CibStoreTest, CorruptNewestFallsBackAndSaysSo) {
  FaultInjectingFileSystem fs;
  CibStore store(fs, {.dir = "/s"});
  for (long e = 1; e <= 3; ++e) ASSERT_TRUE(store.save(at_epoch(e)).ok());
  fs.corrupt("/s/cib-3.xml", 40, 'X');
  auto loaded = CibStore(fs, {.dir = "/s"}).load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->cib->version(), (Version{0, 2, 0}));
  ASSERT_EQ(loaded->warnings.size(), 2u);
  EXPECT_NE(loaded->warnings[0].find("cib-3.xml: digest mismatch"), std::string::npos) << loaded->warnings[0];
  EXPECT_NE(loaded->warnings[1].find("fell back to /s/cib-2.xml"), std::string::npos) << loaded->warnings[1];
}

TEST(CibStoreTest, TruncatedAndDigestlessCopiesAreSkipped) {
  FaultInjectingFileSystem fs;
  CibStore store(fs, {.dir = "/s"});
  for (long e = 1; e <= 3; ++e) ASSERT_TRUE(store.save(at_epoch(e)).ok());
  fs.truncate("/s/cib-3.xml", 100);
  ASSERT_TRUE(fs.remove("/s/cib-2.sig").ok());
  auto loaded = CibStore(fs, {.dir = "/s"}).load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->cib->version(), (Version{0, 1, 0}));
  EXPECT_EQ(loaded->warnings.size(), 3u);
  EXPECT_NE(loaded->warnings[1].find("no digest"), std::string::npos);
}

TEST(CibStoreTest, ParseFailureWithMatchingDigestIsSkipped) {
  FaultInjectingFileSystem fs;
  CibStore store(fs, {.dir = "/s"});
  ASSERT_TRUE(store.save(at_epoch(1)).ok());
  ASSERT_TRUE(store.save_text("<cib><unclosed></cib>").ok());
  auto loaded = CibStore(fs, {.dir = "/s"}).load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->cib->version(), (Version{0, 1, 0}));
  EXPECT_NE(loaded->warnings[0].find("parse-error"), std::string::npos) << loaded->warnings[0];
}

TEST(CibStoreTest, NoGoodCopyStartsEmptyWithWarning) {
  FaultInjectingFileSystem fs;
  CibStore store(fs, {.dir = "/s"});
  ASSERT_TRUE(store.save(at_epoch(1)).ok());
  fs.corrupt("/s/cib-1.xml", 3, '!');
  auto loaded = CibStore(fs, {.dir = "/s"}).load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->cib.has_value());
  EXPECT_NE(loaded->warnings.back().find("no good CIB copy"), std::string::npos);
}

// The durability property: crash at every point of a run of saves (every
// mutating file operation may be the last one that happened), in both crash
// modes; after restart the store holds the last acknowledged generation or
// the one in flight, never anything older, and never a damaged one.
TEST(CibStoreTest, EveryAcknowledgedSaveSurvivesACrashAtAnyPoint) {
  for (auto mode : {FaultInjectingFileSystem::CrashMode::kDropUnsynced, FaultInjectingFileSystem::CrashMode::kTorn}) {
    for (int crash_at = 0; crash_at < 80; ++crash_at) {
      FaultInjectingFileSystem fs(static_cast<uint64_t>(crash_at) + 1);
      long acked = 0, attempted = 0;
      {
        CibStore store(fs, {.dir = "/s", .keep = 2});
        ASSERT_TRUE(store.load().ok());
        fs.fail_after(crash_at);  // from here on the "machine" is dead
        for (long e = 1; e <= 8; ++e) {
          attempted = e;
          if (!store.save(at_epoch(e)).ok()) break;
          acked = e;
        }
      }
      fs.crash(mode);
      CibStore restarted(fs, {.dir = "/s", .keep = 2});
      auto loaded = restarted.load();
      ASSERT_TRUE(loaded.ok());
      long got = loaded->cib ? loaded->cib->version().epoch : 0;
      EXPECT_GE(got, acked) << "crash_at=" << crash_at << " lost an acknowledged save";
      EXPECT_LE(got, attempted) << "crash_at=" << crash_at;
      // And the store keeps working after the crash.
      ASSERT_TRUE(restarted.save(at_epoch(100)).ok());
      fs.crash(mode);
      auto again = CibStore(fs, {.dir = "/s"}).load();
      ASSERT_TRUE(again.ok());
      ASSERT_TRUE(again->cib.has_value());
      EXPECT_EQ(again->cib->version().epoch, 100);
    }
  }
}

TEST(CibStoreTest, PosixRoundTrip) {
  char tmpl[] = "/tmp/crm-store-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  PosixFileSystem fs;
  {
    CibStore store(fs, {.dir = std::string(tmpl) + "/cib"});
    ASSERT_TRUE(store.load().ok());
    ASSERT_TRUE(store.save(at_epoch(4)).ok());
  }
  auto loaded = CibStore(fs, {.dir = std::string(tmpl) + "/cib"}).load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->cib->version(), (Version{0, 4, 0}));
  std::string cmd = std::string("rm -rf ") + tmpl;
  ASSERT_EQ(system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace crm::cib
