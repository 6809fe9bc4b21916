#include "crm/core/ipc.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

namespace crm::ipc {
namespace {

std::string temp_socket(const char* name) {
  return "/tmp/crm-ipc-test-" + std::to_string(getpid()) + "-" + name + ".sock";
}

TEST(FrameReaderTest, SplitsAcrossReads) {
  FrameReader r;
  std::string framed = std::string("\0\0\0\3abc\0\0\0\2de", 13);
  auto a = r.feed(framed.substr(0, 5));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->empty());
  auto b = r.feed(framed.substr(5));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, (std::vector<std::string>{"abc", "de"}));
}

TEST(FrameReaderTest, RefusesOversizedFrame) {
  FrameReader r;
  EXPECT_FALSE(r.feed(std::string("\x7f\xff\xff\xff", 4)).ok());
}

TEST(IpcTest, RequestReplyAndAccessCheck) {
  SystemClock clock;
  EventLoop loop(clock);
  const std::string path = temp_socket("echo");
  auto server = Server::listen(loop, path);
  ASSERT_TRUE(server.ok()) << server.status().to_string();
  PeerCredentials seen;
  (*server)->on_message = [&](ClientId id, const PeerCredentials& cred, std::string msg) {
    seen = cred;
    (void)(*server)->send(id, "echo:" + msg);
  };
  std::thread client([&] {
    auto c = Client::connect(path);
    ASSERT_TRUE(c.ok());
    auto reply = c->call("hello", std::chrono::seconds(5));
    ASSERT_TRUE(reply.ok()) << reply.status().to_string();
    EXPECT_EQ(*reply, "echo:hello");
    loop.post([&] { loop.stop(); });
  });
  loop.add_timer(std::chrono::seconds(10), [&] { loop.stop(); });
  ASSERT_TRUE(loop.run().ok());
  client.join();
  EXPECT_EQ(seen.pid, getpid());

  // A refused peer gets a clear permission error, not a hang.
  (*server)->admit = [](const PeerCredentials&) { return false; };
  std::thread refused([&] {
    auto c = Client::connect(path);
    ASSERT_TRUE(c.ok());
    auto reply = c->call("hello", std::chrono::seconds(5));
    EXPECT_EQ(reply.status().code(), StatusCode::kPermissionDenied);
    loop.post([&] { loop.stop(); });
  });
  ASSERT_TRUE(loop.run().ok());
  refused.join();
}

// A client that does not read (a busy subscriber) never stalls the server:
// what its socket cannot take waits in the server, in order, and the server
// goes on serving others. Past max_queued_bytes the client is evicted.
TEST(IpcTest, ASlowClientNeitherBlocksTheServerNorLosesMessages) {
  SystemClock clock;
  EventLoop loop(clock);
  const std::string path = temp_socket("slow");
  auto server = Server::listen(loop, path);
  ASSERT_TRUE(server.ok()) << server.status().to_string();
  Server& srv = **server;
  ClientId slow = 0;
  const std::string chunk(4096, 'x');
  const int kMessages = 2000;  // 8 MB: far more than a socket holds
  srv.on_message = [&](ClientId id, const PeerCredentials&, std::string msg) {
    if (msg == "flood") {
      slow = id;
      for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(srv.send(id, std::to_string(i) + ":" + chunk).ok());
      EXPECT_GT(srv.queued_bytes(id), 0u);  // the socket could not take it all: queued, not blocked
      return;
    }
    (void)srv.send(id, "echo:" + msg);
  };
  auto flooded = Client::connect(path);
  ASSERT_TRUE(flooded.ok());
  ASSERT_TRUE(flooded->send("flood").ok());
  // Another client is served while the first reads nothing.
  std::string other_reply;
  std::thread other([&] {
    auto c = Client::connect(path);
    ASSERT_TRUE(c.ok());
    auto reply = c->call("ping", std::chrono::seconds(5));
    other_reply = reply.ok() ? *reply : reply.status().to_string();
    loop.post([&] { loop.stop(); });
  });
  loop.add_timer(std::chrono::seconds(10), [&] { loop.stop(); });
  ASSERT_TRUE(loop.run().ok());
  other.join();
  EXPECT_EQ(other_reply, "echo:ping");
  // Now the slow client reads: everything, in order.
  std::thread reader([&] {
    for (int i = 0; i < kMessages; ++i) {
      auto m = flooded->receive(std::chrono::seconds(5));
      ASSERT_TRUE(m.ok()) << i << ": " << m.status().to_string();
      ASSERT_EQ(*m, std::to_string(i) + ":" + chunk);
    }
    loop.post([&] { loop.stop(); });
  });
  loop.add_timer(std::chrono::seconds(20), [&] { loop.stop(); });
  ASSERT_TRUE(loop.run().ok());
  reader.join();
  EXPECT_EQ(srv.queued_bytes(slow), 0u);

  // A client that leaves more than max_queued_bytes unread is evicted.
  srv.max_queued_bytes = 1 << 20;
  std::vector<std::string> logged;
  srv.on_log = [&](const std::string& line) { logged.push_back(line); };
  Status last = Status::Ok();
  for (int i = 0; i < kMessages && last.ok(); ++i) last = srv.send(slow, chunk);
  EXPECT_EQ(last.code(), StatusCode::kUnavailable);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("evicting IPC client"), std::string::npos) << logged[0];
  (void)loop.run_once(std::chrono::milliseconds(0));
  EXPECT_EQ(srv.client_count(), 0u);
}

TEST(IpcTest, ConnectToMissingDaemonIsUnavailable) {
  auto c = Client::connect(temp_socket("nobody"));
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
}

TEST(IpcTest, RootMayAdminister) { EXPECT_TRUE(may_administer(PeerCredentials{1, 0, 0})); }

}  // namespace
}  // namespace crm::ipc
