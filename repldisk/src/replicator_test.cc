// The Primary's safety rule, event by event: a request completes only when
// every known peer acked it, is durably Inconsistent, or was outdated.
#include "replicator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crm::repldisk {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class ReplicatorTest : public ::testing::Test {
 protected:
  Replicator make(std::set<std::string> peers) {
    Replicator::Options o;
    o.ack_timeout = std::chrono::milliseconds(2000);
    o.new_id = [this] { return ++ids_; };
    return Replicator(clock_, o, Generation{1, 100}, peers);
  }
  // Both peers connected with our generation: in sync.
  Replicator in_sync(std::set<std::string> peers) {
    Replicator r = make(peers);
    for (const auto& p : peers) {
      Actions a = r.connected(p, Generation{1, 100}, DiskState::kUpToDate);
      EXPECT_THAT(a.run_uptodate, ElementsAre(p));
      EXPECT_THAT(a.start_resync, IsEmpty());
    }
    return r;
  }
  SimulatedClock clock_;
  uint64_t ids_ = 500;
};

TEST_F(ReplicatorTest, WithoutPeersARequestCompletesAtOnce) {
  Replicator r = make({});
  Actions a = r.submit(1);
  EXPECT_THAT(a.send_to, IsEmpty());
  EXPECT_THAT(a.complete, ElementsAre(Pair(1u, true)));
}

TEST_F(ReplicatorTest, ARequestWaitsForEveryInSyncPeer) {
  Replicator r = in_sync({"b", "c"});
  Actions a = r.submit(7);
  EXPECT_THAT(a.send_to, UnorderedElementsAre("b", "c"));
  EXPECT_THAT(a.complete, IsEmpty());
  EXPECT_THAT(r.acked("b", 7).complete, IsEmpty());
  EXPECT_THAT(r.acked("c", 7).complete, ElementsAre(Pair(7u, true)));
  EXPECT_EQ(r.pending(), 0u);
}

TEST_F(ReplicatorTest, ALostPeerIsOutdatedBeforeTheWriteCompletes) {
  Replicator r = in_sync({"b", "c"});
  (void)r.submit(1);
  (void)r.acked("c", 1);
  Actions lost = r.lost("b");
  // The generation moves on first, so b resyncs whenever it returns...
  ASSERT_TRUE(lost.new_generation.has_value());
  EXPECT_EQ(lost.new_generation->counter, 2u);
  EXPECT_EQ(lost.new_generation->id, 501u);
  // ...and b's mark is set before anything is acknowledged.
  EXPECT_THAT(lost.run_outdate, ElementsAre("b"));
  EXPECT_THAT(lost.complete, IsEmpty());
  EXPECT_FALSE(r.wants_link("b"));  // not before the mark landed
  EXPECT_THAT(r.outdate_result("b", true).complete, ElementsAre(Pair(1u, true)));
  EXPECT_TRUE(r.wants_link("b"));
  // Later writes need only c.
  Actions next = r.submit(2);
  EXPECT_THAT(next.send_to, ElementsAre("c"));
  EXPECT_THAT(next.run_outdate, IsEmpty());
  EXPECT_THAT(r.acked("c", 2).complete, ElementsAre(Pair(2u, true)));
}

TEST_F(ReplicatorTest, AFailedOutdateFailsTheWriteAndIsRetriedByTheNext) {
  Replicator r = in_sync({"b"});
  (void)r.submit(1);
  (void)r.lost("b");
  Actions failed = r.outdate_result("b", false);
  EXPECT_THAT(failed.complete, ElementsAre(Pair(1u, false)));
  Actions next = r.submit(2);
  EXPECT_THAT(next.run_outdate, ElementsAre("b"));
  EXPECT_THAT(next.complete, IsEmpty());
  EXPECT_THAT(r.outdate_result("b", true).complete, ElementsAre(Pair(2u, true)));
}

TEST_F(ReplicatorTest, APeerThatKeepsARequestPastTheTimeoutIsDroppedAndOutdated) {
  Replicator r = in_sync({"b", "c"});
  (void)r.submit(1);
  (void)r.acked("c", 1);
  clock_.advance(std::chrono::milliseconds(1999));
  EXPECT_THAT(r.tick().disconnect, IsEmpty());
  clock_.advance(std::chrono::milliseconds(1));
  Actions a = r.tick();
  EXPECT_THAT(a.disconnect, ElementsAre("b"));
  EXPECT_THAT(a.run_outdate, ElementsAre("b"));
  EXPECT_TRUE(a.new_generation.has_value());
  EXPECT_THAT(a.complete, IsEmpty());
  EXPECT_THAT(r.outdate_result("b", true).complete, ElementsAre(Pair(1u, true)));
}

TEST_F(ReplicatorTest, AKnownPeerThatNeverConnectedIsOutdatedByTheFirstWrite) {
  Replicator r = make({"b"});
  Actions a = r.submit(1);
  EXPECT_THAT(a.send_to, IsEmpty());
  EXPECT_THAT(a.run_outdate, ElementsAre("b"));
  EXPECT_THAT(a.complete, IsEmpty());
  // A second write waits for the same handler, it does not start another.
  EXPECT_THAT(r.submit(2).run_outdate, IsEmpty());
  EXPECT_THAT(r.outdate_result("b", true).complete, ElementsAre(Pair(1u, true), Pair(2u, true)));
  // Outdated for this generation: no handler for later writes.
  Actions later = r.submit(3);
  EXPECT_THAT(later.run_outdate, IsEmpty());
  EXPECT_THAT(later.complete, ElementsAre(Pair(3u, true)));
}

TEST_F(ReplicatorTest, APeerBehindResyncsAndCountsAsSafeOnceInconsistent) {
  Replicator r = make({"b"});
  Actions hello = r.connected("b", Generation{0, 0}, DiskState::kUpToDate);
  EXPECT_THAT(hello.start_resync, ElementsAre("b"));
  EXPECT_THAT(hello.run_uptodate, IsEmpty());
  // Before b confirmed its Inconsistent mark, a write must wait.
  Actions w1 = r.submit(1);
  EXPECT_THAT(w1.send_to, ElementsAre("b"));  // ordered after RESYNC-BEGIN
  EXPECT_THAT(w1.complete, IsEmpty());
  EXPECT_THAT(w1.run_outdate, IsEmpty());  // linked: on its way to safe
  EXPECT_THAT(r.resync_begun("b").complete, ElementsAre(Pair(1u, true)));
  // During the resync, writes go to b but do not wait for it.
  Actions w2 = r.submit(2);
  EXPECT_THAT(w2.send_to, ElementsAre("b"));
  EXPECT_THAT(w2.complete, ElementsAre(Pair(2u, true)));
  Actions done = r.resync_done("b");
  EXPECT_THAT(done.run_uptodate, ElementsAre("b"));
  EXPECT_EQ(r.peers().at("b").sync, PeerSync::kInSync);
  EXPECT_THAT(r.submit(3).complete, IsEmpty());  // now it waits for b
  EXPECT_THAT(r.acked("b", 3).complete, ElementsAre(Pair(3u, true)));
}

TEST_F(ReplicatorTest, ALostResyncingPeerNeedsNoOutdate) {
  Replicator r = make({"b"});
  (void)r.connected("b", Generation{0, 0}, DiskState::kUpToDate);
  (void)r.resync_begun("b");
  Actions lost = r.lost("b");
  EXPECT_THAT(lost.run_outdate, IsEmpty());  // its own metadata says Inconsistent
  EXPECT_FALSE(lost.new_generation.has_value());
  EXPECT_THAT(r.submit(1).complete, ElementsAre(Pair(1u, true)));
  // It comes back still Inconsistent: resync again, never straight to in sync.
  EXPECT_THAT(r.connected("b", Generation{1, 100}, DiskState::kInconsistent).start_resync, ElementsAre("b"));
}

TEST_F(ReplicatorTest, AnOutdatedOrInconsistentPeerWithOurGenerationStillResyncs) {
  Replicator r = make({"b"});
  EXPECT_THAT(r.connected("b", Generation{1, 100}, DiskState::kOutdated).start_resync, ElementsAre("b"));
}

TEST_F(ReplicatorTest, APeerConnectingWhileItsOutdateRunsIsTurnedAway) {
  Replicator r = in_sync({"b"});
  (void)r.submit(1);
  (void)r.lost("b");
  Actions a = r.connected("b", Generation{1, 100}, DiskState::kUpToDate);
  EXPECT_THAT(a.disconnect, ElementsAre("b"));
  EXPECT_EQ(r.peers().at("b").sync, PeerSync::kDisconnected);
}

TEST_F(ReplicatorTest, AfterItsOutdateAReturningPeerResyncsAndIsUpToDateAgain) {
  Replicator r = in_sync({"b"});
  (void)r.lost("b");
  (void)r.outdate_result("b", true);
  EXPECT_EQ(r.peers().at("b").fence, PeerFence::kDone);
  // Its copy still holds the old generation: behind.
  EXPECT_THAT(r.connected("b", Generation{1, 100}, DiskState::kUpToDate).start_resync, ElementsAre("b"));
  (void)r.resync_begun("b");
  EXPECT_THAT(r.resync_done("b").run_uptodate, ElementsAre("b"));
  EXPECT_EQ(r.peers().at("b").fence, PeerFence::kNone);
}

TEST_F(ReplicatorTest, AHandshakeThatStallsIsDropped) {
  Replicator r = make({"b"});
  (void)r.connected("b", Generation{0, 0}, DiskState::kUpToDate);
  clock_.advance(std::chrono::milliseconds(2500));
  EXPECT_THAT(r.tick().disconnect, ElementsAre("b"));
  EXPECT_TRUE(r.wants_link("b"));
}

TEST_F(ReplicatorTest, AddedPeersAreNeverForgotten) {
  Replicator r = make({"b"});
  (void)r.add_peers({"c"});
  EXPECT_THAT(r.submit(1).run_outdate, UnorderedElementsAre("b", "c"));
}

}  // namespace
}  // namespace crm::repldisk
