// The fencers' messages: every PeerMessage survives encode/decode, and
// malformed input (truncated, mutated, missing attributes) is an error value.
#include "wire.h"

#include <gtest/gtest.h>

#include <random>

namespace crm::fenced::wire {
namespace {

HistoryEntry entry(const std::string& state) {
  HistoryEntry e;
  e.id = "n1:3.1700000000";
  e.target = "n3";
  e.action = "reboot";
  e.device = "ipmi";
  e.state = state;
  e.origin = "n1";
  e.client = "crmd.7";
  e.delegate = "n2";
  e.requested = 1700000100;
  e.completed = 1700000123;
  e.exit_reason = state == "failed" ? "ipmi: timed out & <gone>" : "";
  return e;
}

std::vector<PeerMessage> samples() {
  DeviceOffer o;
  o.id = "ipmi";
  o.on_target = true;
  o.unfencing = true;
  o.timeouts_ms = {{"off", 4000}, {"reboot", 90000}};
  o.delay_max_ms = 2500;
  o.priority = 3;
  Exec e;
  e.op = "n1:3";
  e.serial = 2;
  e.executor = "n2";
  e.device = "ipmi";
  e.target = "n3";
  e.action = "off";
  e.origin = "n1";
  e.client = "crmd.7";
  e.timeout_ms = 60000;
  e.delay_ms = 1000;
  e.completes = true;
  return {Query{"n1:3", "n3", "reboot", "n1"},
          QueryReply{"n1:3", "n2", {o, DeviceOffer{"plain", false, false, {}, 0, 0}}},
          e,
          ExecResult{"n1:3", 2, "n2", -201, "ipmi: failed"},
          Pending{entry("pending")},
          Done{entry("failed"), 10},
          HistorySync{"n2", {entry("success"), entry("failed")}}};
}

TEST(PeerWire, RoundTrip) {
  for (const PeerMessage& m : samples()) {
    std::string text = encode(m);
    EXPECT_NE(text.find("version=\"1\""), std::string::npos) << text;
    auto back = decode(text);
    ASSERT_TRUE(back.ok()) << back.status().to_string() << "\n" << text;
    EXPECT_EQ(encode(*back), text);
    EXPECT_EQ(back->index(), m.index());
  }
  auto reply = std::get<QueryReply>(*decode(encode(samples()[1])));
  ASSERT_EQ(reply.devices.size(), 2u);
  EXPECT_TRUE(reply.devices[0].on_target);
  EXPECT_EQ(reply.devices[0].timeouts_ms.at("reboot"), 90000);
  EXPECT_EQ(reply.devices[0].priority, 3);
  EXPECT_TRUE(std::get<Exec>(*decode(encode(samples()[2]))).completes);
  auto done = std::get<Done>(*decode(encode(samples()[5])));
  EXPECT_EQ(done.entry, entry("failed"));
  EXPECT_EQ(done.code, 10);
}

TEST(PeerWire, MalformedMessagesAreErrors) {
  for (const char* bad : {"", "not xml", "<st_unknown/>", "<st_query op='1' target='n3' action='off'/>",
                          "<st_exec op='x' serial='zz' executor='n1' device='d' target='t' action='off' origin='o' timeout_ms='5'/>",
                          "<st_exec op='x' serial='1' executor='n1' device='d' target='t' action='off' origin='o' timeout_ms='-5'/>",
                          "<st_exec_result op='x' serial='1' executor='n1' rc='abc'/>", "<st_done id='' state='success'/>",
                          "<st_done id='a' target='n1' state='maybe'/>", "<st_query_reply op='1' from='n2'><device/></st_query_reply>",
                          "<st_pending id='a' state='pending'/>"}) {
    auto m = decode(bad);
    EXPECT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().code(), StatusCode::kParseError) << bad;
  }
  // A history sync keeps its good entries and skips the bad ones.
  auto h = decode("<st_history_sync from='n2'><entry/><entry id='a' target='n1' state='success'/></st_history_sync>");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(std::get<HistorySync>(*h).entries.size(), 1u);
}

TEST(PeerWire, MutatedMessagesNeverCrash) {
  std::mt19937 rng(42);
  int decoded = 0;
  for (const PeerMessage& m : samples()) {
    std::string text = encode(m);
    for (int i = 0; i < 300; ++i) {
      std::string t = text;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < edits && !t.empty(); ++k) {
        size_t pos = rng() % t.size();
        switch (rng() % 3) {
          case 0: t[pos] = static_cast<char>(rng() % 256); break;
          case 1: t.erase(pos, 1 + rng() % 8); break;
          default: t.insert(pos, 1, "<>\"'=&0-9"[rng() % 9]); break;
        }
      }
      auto r = decode(t);
      if (r.ok()) {
        ++decoded;
        (void)encode(*r);
      }
    }
  }
  EXPECT_GT(decoded, 0);  // some mutations stay valid (e.g. inside values)
}

}  // namespace
}  // namespace crm::fenced::wire
