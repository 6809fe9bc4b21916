#include "crm/cib/testing/fault_injecting_file_system.h"
#include "crm/cib/store.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "crm/cib/request.h"

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

// A run of changes as the replicator journals them: even steps a status
// change (replayed as the request), odd steps a configuration change (a patch).
struct Step {
  JournalEntry entry;
  std::string text;  // the CIB after it
};
std::vector<Step> changes(const Cib& start, int count) {
  std::vector<Step> out;
  Cib cib = start.copy();
  for (int i = 0; i < count; ++i) {
    Request r;
    r.op = Op::kModify;
    JournalEntry e{.from = cib.version()};
    if (i % 2 == 0) {
      r.section = "status";
      r.allow_create = true;
      r.fragment = fmt::format(R"(<node_state id="1" uname="node1"><lrm id="1"><lrm_resources>)"
                               R"(<lrm_resource id="r{0}" class="ocf" provider="heartbeat" type="Dummy"/>)"
                               R"(</lrm_resources></lrm></node_state>)",
                               i);
      EXPECT_TRUE(apply_request(cib, r, nullptr).ok());
      Attrs attrs;
      request_to_attrs(r, attrs);
      e.form = JournalEntry::Form::kRequest;
      e.text = encode("cib-request", attrs, r.fragment);
    } else {
      Cib before = cib.copy();
      r.section = "crm_config";
      r.fragment = fmt::format(R"(<cluster_property_set id="opts"><nvpair id="opts-bench" name="bench" value="v{}"/>)"
                               R"(</cluster_property_set>)",
                               i);
      auto applied = apply_request(cib, r, nullptr);
      EXPECT_TRUE(applied.ok()) << applied.status().to_string();
      auto patch = diff(before, cib);
      EXPECT_TRUE(patch.ok());
      e.form = JournalEntry::Form::kPatch;
      e.text = xml::to_string(patch->doc.get(), false);
    }
    e.to = cib.version();
    out.push_back(Step{e, cib.serialize(false)});
  }
  return out;
}

TEST(CibStoreTest, AppendedChangesAreReplayedOnLoad) {
  FaultInjectingFileSystem fs;
  CibStore store(fs, {.dir = "/s"});
  ASSERT_TRUE(store.load().ok());
  Cib start = base();
  auto steps = changes(start, 6);
  ASSERT_TRUE(store.save(start).ok());
  // Two flushes: one change, then the other five at once (group commit).
  ASSERT_TRUE(store.append({steps[0].entry}, *Cib::parse(steps[0].text)).ok());
  std::vector<JournalEntry> rest;
  for (size_t i = 1; i < steps.size(); ++i) rest.push_back(steps[i].entry);
  ASSERT_TRUE(store.append(rest, *Cib::parse(steps.back().text)).ok());
  EXPECT_EQ(store.last_seq(), 1u) << "appends never write a snapshot while the journal is small";
  EXPECT_TRUE(fs.exists("/s/cib-1.journal"));
  auto loaded = CibStore(fs, {.dir = "/s"}).load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->cib.has_value());
  EXPECT_TRUE(loaded->warnings.empty()) << loaded->warnings.front();
  EXPECT_EQ(loaded->cib->serialize(false), steps.back().text);
}

TEST(CibStoreTest, AJournalAsBigAsTheSnapshotBecomesANewSnapshot) {
  FaultInjectingFileSystem fs;
  CibStore store(fs, {.dir = "/s", .keep = 2, .min_journal_bytes = 0});
  ASSERT_TRUE(store.load().ok());
  Cib start = base();
  auto steps = changes(start, 40);
  ASSERT_TRUE(store.save(start).ok());
  for (const auto& step : steps) ASSERT_TRUE(store.append({step.entry}, *Cib::parse(step.text)).ok());
  EXPECT_GT(store.last_seq(), 2u);
  EXPECT_LE(store.journal_bytes(), steps.back().text.size());
  EXPECT_FALSE(fs.exists("/s/cib-1.journal")) << "old generations' journals are pruned with them";
  auto loaded = CibStore(fs, {.dir = "/s"}).load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->cib->serialize(false), steps.back().text);
}

TEST(CibStoreTest, ADamagedJournalTailIsReportedAndNeverAppendedTo) {
  FaultInjectingFileSystem fs;
  CibStore store(fs, {.dir = "/s"});
  ASSERT_TRUE(store.load().ok());
  Cib start = base();
  auto steps = changes(start, 4);
  ASSERT_TRUE(store.save(start).ok());
  for (const auto& step : steps) ASSERT_TRUE(store.append({step.entry}, *Cib::parse(step.text)).ok());
  // Bit rot in the third record's body.
  auto journal = *fs.read_file("/s/cib-1.journal");
  size_t third = 0;
  for (int i = 0; i < 2; ++i) third = journal.find("\nchange ", third + 1) + 1;
  fs.corrupt("/s/cib-1.journal", journal.find('\n', third) + 5, '#');
  CibStore again(fs, {.dir = "/s"});
  auto loaded = again.load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->cib->serialize(false), steps[1].text) << "replayed up to the damaged record";
  ASSERT_EQ(loaded->warnings.size(), 1u) << loaded->warnings[0] << " / " << loaded->warnings.back();
  EXPECT_NE(loaded->warnings[0].find("digest does not match"), std::string::npos) << loaded->warnings[0];
  // The next change is written as a new snapshot, not after the garbage.
  auto more = changes(*loaded->cib, 1);
  ASSERT_TRUE(again.append({more[0].entry}, *Cib::parse(more[0].text)).ok());
  EXPECT_EQ(again.last_seq(), 2u);
  auto last = CibStore(fs, {.dir = "/s"}).load();
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->warnings.empty());
  EXPECT_EQ(last->cib->serialize(false), more[0].text);
}

// The durability property with the journal: crash at every point of a run
// of flushes (appends, and the snapshots the journal's growth triggers);
// after restart the store holds exactly the CIB of the last acknowledged
// flush or of the one in flight, never anything else.
TEST(CibStoreTest, EveryAcknowledgedAppendSurvivesACrashAtAnyPoint) {
  Cib start = base();
  auto steps = changes(start, 12);
  for (auto mode : {FaultInjectingFileSystem::CrashMode::kDropUnsynced, FaultInjectingFileSystem::CrashMode::kTorn}) {
    for (int crash_at = 0; crash_at < 60; ++crash_at) {
      FaultInjectingFileSystem fs(static_cast<uint64_t>(crash_at) + 7);
      int acked = -1, attempted = -1;  // indexes into steps (-1: the first snapshot)
      {
        CibStore store(fs, {.dir = "/s", .keep = 2, .min_journal_bytes = 1500});
        ASSERT_TRUE(store.load().ok());
        ASSERT_TRUE(store.save(start).ok());
        fs.fail_after(crash_at);
        // Flushes of one and of two changes.
        for (int i = 0; i < static_cast<int>(steps.size());) {
          int n = i % 3 == 0 ? 2 : 1;
          std::vector<JournalEntry> batch;
          for (int j = i; j < i + n && j < static_cast<int>(steps.size()); ++j) batch.push_back(steps[j].entry);
          attempted = i + static_cast<int>(batch.size()) - 1;
          if (!store.append(batch, *Cib::parse(steps[attempted].text)).ok()) break;
          acked = attempted;
          i += static_cast<int>(batch.size());
        }
      }
      fs.crash(mode);
      CibStore restarted(fs, {.dir = "/s", .keep = 2, .min_journal_bytes = 1500});
      auto loaded = restarted.load();
      ASSERT_TRUE(loaded.ok());
      ASSERT_TRUE(loaded->cib.has_value()) << "crash_at=" << crash_at;
      std::string got = loaded->cib->serialize(false);
      int at = -2;
      if (got == start.serialize(false)) at = -1;
      for (int i = 0; i < static_cast<int>(steps.size()); ++i)
        if (got == steps[i].text) at = i;
      ASSERT_NE(at, -2) << "crash_at=" << crash_at << ": a CIB that no flush wrote";
      EXPECT_GE(at, acked) << "crash_at=" << crash_at << " lost an acknowledged change";
      EXPECT_LE(at, attempted) << "crash_at=" << crash_at;
      // And the store keeps working after the crash.
      auto more = changes(*loaded->cib, 2);
      ASSERT_TRUE(restarted.append({more[0].entry, more[1].entry}, *Cib::parse(more[1].text)).ok());
      fs.crash(mode);
      auto again = CibStore(fs, {.dir = "/s"}).load();
      ASSERT_TRUE(again.ok());
      ASSERT_TRUE(again->cib.has_value());
      EXPECT_EQ(again->cib->serialize(false), more[1].text) << "crash_at=" << crash_at;
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
