#include "fragment.h"

#include <gtest/gtest.h>

#include <random>

namespace crm::cluster::wire {
namespace {

std::string random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(FragmentTest, SmallMessageIsOneFrame) {
  auto frames = split("hello", 7, 1024);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].size(), kHeaderBytes + 5);
  Reassembler r;
  auto out = r.feed({1, 100}, frames[0]);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->has_value());
  EXPECT_EQ(**out, "hello");
}

TEST(FragmentTest, EmptyMessage) {
  auto frames = split("", 1, 1024);
  ASSERT_EQ(frames.size(), 1u);
  Reassembler r;
  auto out = r.feed({1, 1}, frames[0]);
  ASSERT_TRUE(out.ok() && out->has_value());
  EXPECT_EQ(**out, "");
}

TEST(FragmentTest, LargeMessagesInterleavedFromTwoSenders) {
  const std::string a = random_bytes(3 * 1024 * 1024 + 17, 1);
  const std::string b = random_bytes(1024 * 1024, 2);
  auto fa = split(a, 1, 64 * 1024);
  auto fb = split(b, 1, 64 * 1024);
  EXPECT_GT(fa.size(), 40u);
  for (auto& f : fa) EXPECT_LE(f.size(), 64u * 1024);
  Reassembler r;
  std::vector<std::string> got;
  size_t i = 0, j = 0;
  while (i < fa.size() || j < fb.size()) {
    if (i < fa.size()) {
      auto out = r.feed({1, 10}, fa[i++]);
      ASSERT_TRUE(out.ok()) << out.status().to_string();
      if (out->has_value()) got.push_back(std::move(**out));
    }
    if (j < fb.size()) {
      auto out = r.feed({2, 10}, fb[j++]);
      ASSERT_TRUE(out.ok()) << out.status().to_string();
      if (out->has_value()) got.push_back(std::move(**out));
    }
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], b);  // b has fewer frames and completes first
  EXPECT_EQ(got[1], a);
  EXPECT_EQ(r.partial_count(), 0u);
}

TEST(FragmentTest, SenderLeavingDropsPartial) {
  auto f = split(random_bytes(10000, 3), 5, 1000);
  Reassembler r;
  ASSERT_TRUE(r.feed({1, 1}, f[0]).ok());
  ASSERT_TRUE(r.feed({1, 1}, f[1]).ok());
  EXPECT_EQ(r.partial_count(), 1u);
  r.forget({1, 1});
  EXPECT_EQ(r.partial_count(), 0u);
  // A continuation without a start is rejected, not delivered.
  auto out = r.feed({1, 1}, f[2]);
  EXPECT_FALSE(out.ok());
}

TEST(FragmentTest, GarbageAndGapsAreErrors) {
  Reassembler r;
  EXPECT_FALSE(r.feed({1, 1}, "not a frame at all, but long enough").ok());
  auto f = split(random_bytes(5000, 4), 9, 1000);
  ASSERT_TRUE(r.feed({1, 1}, f[0]).ok());
  EXPECT_FALSE(r.feed({1, 1}, f[2]).ok());  // gap
  EXPECT_EQ(r.partial_count(), 0u);
  // A new start after an incomplete message: reported, and the new one proceeds.
  ASSERT_TRUE(r.feed({1, 1}, f[0]).ok());
  auto g = split("xyz", 10, 1000);
  auto out = r.feed({1, 1}, g[0]);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(**out, "xyz");
}

}  // namespace
}  // namespace crm::cluster::wire
