#include "input_archive.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <signal.h>
#include <unistd.h>

#include "crm/core/xml.h"

namespace crm::crmd {
namespace {

namespace fs = std::filesystem;

cib::Cib cib_with(const std::string& marker, const std::string& series_max = "") {
  std::string opts = series_max.empty() ? "" :
      "<nvpair id=\"o1\" name=\"pe-input-series-max\" value=\"" + series_max + "\"/>";
  auto c = cib::Cib::parse("<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\"><configuration><crm_config>"
                           "<cluster_property_set id=\"cib-bootstrap-options\">" + opts +
                           "</cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration>"
                           "<status><!--" + marker + "--></status></cib>");
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return std::move(c).value();
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(InputArchiveTest, KeepsCompressedInputsWithTheirDateInSeries) {
  const fs::path dir = fs::path(::testing::TempDir()) / "archive-series";
  fs::remove_all(dir);
  {
    InputArchive a(dir.string(), nullptr);
    auto k0 = a.keep(cib_with("a"), 1700000000, InputArchive::Series::kInput);
    EXPECT_EQ(k0.path, (dir / "pe-input-0.bz2").string());
    EXPECT_FALSE(k0.unchanged);
    // The same input again is not saved again.
    auto again = a.keep(cib_with("a"), 1700000005, InputArchive::Series::kInput);
    EXPECT_TRUE(again.unchanged);
    EXPECT_EQ(again.path, k0.path);
    auto k1 = a.keep(cib_with("b"), 1700000010, InputArchive::Series::kInput);
    EXPECT_EQ(k1.path, (dir / "pe-input-1.bz2").string());
    auto w = a.keep(cib_with("c"), 1700000020, InputArchive::Series::kWarn);
    EXPECT_EQ(w.path, (dir / "pe-warn-0.bz2").string());
    auto e = a.keep(cib_with("d"), 1700000030, InputArchive::Series::kError);
    EXPECT_EQ(e.path, (dir / "pe-error-0.bz2").string());
    a.flush();
    // Readable as any CIB file, with the time it was scheduled at.
    auto d = xml::parse_file(k1.path);
    ASSERT_TRUE(d.ok()) << d.status().to_string();
    EXPECT_EQ(xml::attr_or(xml::root(*d), "execution-date"), "1700000010");
    EXPECT_EQ(read((dir / "pe-input.last").string()), "2\n");
  }
  // A new archive (a restarted DC) numbers on.
  InputArchive b(dir.string(), nullptr);
  EXPECT_EQ(b.keep(cib_with("e"), 1700000040, InputArchive::Series::kInput).path, (dir / "pe-input-2.bz2").string());
}

TEST(InputArchiveTest, SeriesMaxWrapsAndZeroKeepsNothing) {
  const fs::path dir = fs::path(::testing::TempDir()) / "archive-wrap";
  fs::remove_all(dir);
  InputArchive a(dir.string(), nullptr);
  std::vector<std::string> paths;
  for (const char* m : {"a", "b", "c", "d"}) paths.push_back(a.keep(cib_with(m, "3"), 1, InputArchive::Series::kInput).path);
  EXPECT_EQ(paths[3], (dir / "pe-input-0.bz2").string());  // the oldest is overwritten
  EXPECT_TRUE(a.keep(cib_with("z", "0"), 1, InputArchive::Series::kInput).path.empty());
  a.flush();
  EXPECT_EQ(xml::attr_or(xml::root(*xml::parse_file(paths[3])), "execution-date"), "1");
  EXPECT_FALSE(fs::exists(dir / "pe-input-3.bz2"));
}

// The daemon reads SIGTERM from a signalfd; a thread that does not block it
// would take it and die of it (the whole crmd with it).
TEST(InputArchiveTest, TheWorkerTakesNoSignals) {
  // As in the daemon before its event loop blocks SIGTERM: the creator takes it.
  sigset_t term, previous;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_UNBLOCK, &term, &previous);
  InputArchive a((fs::path(::testing::TempDir()) / "archive-signals").string(), nullptr);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  const std::string self = std::to_string(gettid());
  int others = 0;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    if (task.path().filename() == self) continue;
    std::ifstream status(task.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("SigBlk:", 0) != 0) continue;
      unsigned long long blocked = std::stoull(line.substr(7), nullptr, 16);
      EXPECT_TRUE(blocked & (1ull << (SIGTERM - 1))) << "thread " << task.path().filename() << ": " << line;
      ++others;
    }
  }
  EXPECT_GE(others, 1);  // the worker
}

TEST(InputArchiveTest, AnUnwritableDirectoryIsLoggedNotFatal) {
  std::vector<std::string> lines;
  InputArchive a("/proc/no-such-dir/pengine", [&lines](const std::string& l) { lines.push_back(l); });
  auto k = a.keep(cib_with("a"), 1, InputArchive::Series::kInput);
  a.flush();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(k.path), std::string::npos);
}

}  // namespace
}  // namespace crm::crmd
