// The real daemon as a process (standalone mode: no corosync needed): an
// acknowledged change survives kill -9; SIGTERM exits cleanly; a corrupt
// newest copy on disk is skipped with a warning; notifications arrive.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>

#include "crm/cib/client.h"
#include "crm/cib/testing/standalone_cibd.h"

namespace crm::cib {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CibdProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crm-cibd-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    cibd_.emplace(dir_, std::string(CRM_BINARY_DIR) + "/bin/cibd", CRM_SCHEMA_DIR);
  }
  void TearDown() override {
    cibd_.reset();
    (void)system(("rm -rf " + dir_).c_str());
  }

  void start() {
    Status s = cibd_->start();
    ASSERT_TRUE(s.ok()) << s.to_string();
  }
  int stop(int sig) { return cibd_->stop(sig); }
  std::string socket() const { return cibd_->socket(); }
  ClientOptions options() const { return cibd_->options(); }
  std::unique_ptr<CibClient> client() {
    auto c = connect(options());
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  std::string dir_;
  std::optional<testing::StandaloneCibd> cibd_;
};

TEST_F(CibdProcessTest, AcknowledgedChangeSurvivesKill9) {
  start();
  auto c = client();
  ASSERT_TRUE(c);
  Status s = c->create("resources", "<primitive id='keep' class='ocf' provider='heartbeat' type='Dummy'/>");
  ASSERT_TRUE(s.ok()) << s.to_string();
  ASSERT_TRUE(c->modify_status("<node_state id='1' uname='n1' crmd='online'/>").ok());
  auto before = c->query_cib();
  ASSERT_TRUE(before.ok());
  int status = stop(SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(status));
  start();
  auto after = client()->query_cib();
  ASSERT_TRUE(after.ok()) << after.status().to_string();
  EXPECT_EQ(after->version(), before->version());
  EXPECT_EQ(after->query("//primitive[@id='keep']")->size(), 1u);
  EXPECT_EQ(after->query("/cib/status/node_state[@id='1']")->size(), 1u);
}

TEST_F(CibdProcessTest, InvalidChangeIsRejectedAndSigtermExitsCleanly) {
  start();
  auto c = client();
  ASSERT_TRUE(c);
  auto before = c->query();
  Status s = c->create("resources", "<primitive id='bad'/>");
  EXPECT_EQ(s.code(), StatusCode::kSchemaInvalid) << s.to_string();
  EXPECT_EQ(*c->query(), *before);
  int status = stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(slurp(dir_ + "/cibd.log").find("stopped"), std::string::npos);
}

TEST_F(CibdProcessTest, ATornJournalTailIsDroppedWithWarning) {
  start();
  auto c = client();
  ASSERT_TRUE(c->create("resources", "<primitive id='one' class='ocf' provider='heartbeat' type='Dummy'/>").ok());
  ASSERT_TRUE(c->create("resources", "<primitive id='two' class='ocf' provider='heartbeat' type='Dummy'/>").ok());
  stop(SIGKILL);
  // Both changes are in the newest snapshot's journal; tear the last record,
  // as a crash in the middle of its write would leave it.
  std::string journal;
  for (int seq = 1; seq < 100; ++seq) {
    std::string p = dir_ + "/state/cib/cib-" + std::to_string(seq) + ".journal";
    if (access(p.c_str(), F_OK) == 0) journal = p;
  }
  ASSERT_FALSE(journal.empty());
  std::string text = slurp(journal);
  ASSERT_EQ(truncate(journal.c_str(), static_cast<off_t>(text.size() - 30)), 0);
  start();
  auto after = client()->query_cib();
  ASSERT_TRUE(after.ok()) << after.status().to_string();
  auto one = after->query("//primitive[@id='one']");
  ASSERT_TRUE(one.ok()) << one.status().to_string();
  EXPECT_EQ(one->size(), 1u);
  EXPECT_FALSE(after->query("//primitive[@id='two']").ok());
  std::string log = slurp(dir_ + "/cibd.log");
  EXPECT_NE(log.find("WARNING: " + journal + ": replayed up to byte"), std::string::npos) << log;
  // The next change goes into a new snapshot, and every change survives.
  ASSERT_TRUE(client()->create("resources", "<primitive id='three' class='ocf' provider='heartbeat' type='Dummy'/>").ok());
  stop(SIGKILL);
  start();
  auto last = client()->query_cib();
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->query("//primitive[@id='one']").ok());
  EXPECT_TRUE(last->query("//primitive[@id='three']").ok());
}

TEST_F(CibdProcessTest, SubscribersGetNotifications) {
  start();
  auto watcher = client();
  ASSERT_TRUE(watcher->subscribe().ok());
  auto c = client();
  ASSERT_TRUE(c->create("resources", "<primitive id='n' class='ocf' provider='heartbeat' type='Dummy'/>").ok());
  ASSERT_TRUE(c->modify_status("<node_state id='2' uname='n2' crmd='online'/>").ok());
  std::vector<Notification> got, synced;
  for (int i = 0; i < 100 && got.size() < 2; ++i) {
    auto n = watcher->read_notifications();
    ASSERT_TRUE(n.ok());
    for (const auto& note : *n) (note.synced.empty() ? got : synced).push_back(note);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // First, at the subscription: which members the copy is synced with.
  ASSERT_EQ(synced.size(), 1u);
  EXPECT_EQ(synced[0].synced.size(), 1u);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].kind, ChangeKind::kConfiguration);
  EXPECT_EQ(got[1].kind, ChangeKind::kStatus);
  EXPECT_EQ(got[1].version.num_updates, 1);
}

}  // namespace
}  // namespace crm::cib
