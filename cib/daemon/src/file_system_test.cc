#include "crm/cib/testing/fault_injecting_file_system.h"
#include "crm/cib/file_system.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace crm::cib {
namespace {

TEST(FaultInjectingFileSystemTest, UnsyncedDataAndNamesVanishOnCrash) {
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(fs.create_dirs("/d").ok());
  ASSERT_TRUE(fs.write_file("/d/a", "synced").ok());
  ASSERT_TRUE(fs.sync_file("/d/a").ok());
  ASSERT_TRUE(fs.sync_dir("/d").ok());
  ASSERT_TRUE(fs.write_file("/d/a", "overwritten").ok());  // not synced
  ASSERT_TRUE(fs.write_file("/d/b", "never synced").ok());
  ASSERT_TRUE(fs.sync_file("/d/b").ok());  // data synced but the name is not
  fs.crash();
  EXPECT_EQ(*fs.read_file("/d/a"), "synced");
  EXPECT_EQ(fs.read_file("/d/b").status().code(), StatusCode::kNotFound);
}

TEST(FaultInjectingFileSystemTest, RenameIsDurableOnlyAfterDirectorySync) {
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(fs.create_dirs("/d").ok());
  ASSERT_TRUE(fs.write_file("/d/t", "x").ok());
  ASSERT_TRUE(fs.sync_file("/d/t").ok());
  ASSERT_TRUE(fs.sync_dir("/d").ok());
  ASSERT_TRUE(fs.rename("/d/t", "/d/f").ok());
  fs.crash();
  EXPECT_TRUE(fs.exists("/d/t"));
  EXPECT_FALSE(fs.exists("/d/f"));
  ASSERT_TRUE(fs.rename("/d/t", "/d/f").ok());
  ASSERT_TRUE(fs.sync_dir("/d").ok());
  fs.crash();
  EXPECT_EQ(*fs.read_file("/d/f"), "x");
}

TEST(FaultInjectingFileSystemTest, RenamedButUnsyncedFileComesBackEmpty) {
  // The classic ext4 "zero-length file after crash" case.
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(fs.create_dirs("/d").ok());
  ASSERT_TRUE(fs.write_file("/d/t", "data").ok());
  ASSERT_TRUE(fs.rename("/d/t", "/d/f").ok());
  ASSERT_TRUE(fs.sync_dir("/d").ok());
  fs.crash();
  EXPECT_EQ(*fs.read_file("/d/f"), "");
}

TEST(FaultInjectingFileSystemTest, InjectedFailuresAndTornWrites) {
  FaultInjectingFileSystem fs(7);
  ASSERT_TRUE(fs.create_dirs("/d").ok());
  fs.fail_after(1);
  EXPECT_TRUE(fs.write_file("/d/a", "0123456789").ok());
  EXPECT_EQ(fs.sync_file("/d/a").code(), StatusCode::kIoError);
  fs.clear_failures();
  ASSERT_TRUE(fs.sync_dir("/d").ok());
  ASSERT_TRUE(fs.write_file("/d/b", "").ok());
  ASSERT_TRUE(fs.sync_file("/d/b").ok());
  ASSERT_TRUE(fs.sync_dir("/d").ok());
  ASSERT_TRUE(fs.write_file("/d/b", "abcdefghij").ok());
  fs.crash(FaultInjectingFileSystem::CrashMode::kTorn);
  std::string b = *fs.read_file("/d/b");
  EXPECT_LE(b.size(), 10u);
  EXPECT_EQ(b, std::string("abcdefghij").substr(0, b.size()));
}

TEST(PosixFileSystemTest, WriteSyncRenameListRemove) {
  char tmpl[] = "/tmp/crm-fs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/a/b";
  PosixFileSystem fs;
  ASSERT_TRUE(fs.create_dirs(dir).ok());
  ASSERT_TRUE(fs.write_file(dir + "/x.tmp", "hello").ok());
  ASSERT_TRUE(fs.sync_file(dir + "/x.tmp").ok());
  ASSERT_TRUE(fs.rename(dir + "/x.tmp", dir + "/x").ok());
  ASSERT_TRUE(fs.sync_dir(dir).ok());
  EXPECT_EQ(*fs.read_file(dir + "/x"), "hello");
  EXPECT_EQ(*fs.list_dir(dir), std::vector<std::string>{"x"});
  EXPECT_TRUE(fs.remove(dir + "/x").ok());
  EXPECT_EQ(fs.remove(dir + "/x").code(), StatusCode::kNotFound);
  EXPECT_EQ(fs.read_file(dir + "/x").status().code(), StatusCode::kNotFound);
  std::string cmd = std::string("rm -rf ") + tmpl;
  ASSERT_EQ(system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace crm::cib
