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

TEST(IpcTest, ConnectToMissingDaemonIsUnavailable) {
  auto c = Client::connect(temp_socket("nobody"));
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
}

TEST(IpcTest, RootMayAdminister) { EXPECT_TRUE(may_administer(PeerCredentials{1, 0, 0})); }

}  // namespace
}  // namespace crm::ipc
