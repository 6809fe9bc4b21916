#include "wire.h"

#include <gtest/gtest.h>

namespace crm::repldisk::wire {
namespace {

Message round_trip(const Message& m) {
  auto d = decode(encode(m));
  EXPECT_TRUE(d.ok()) << d.status().to_string();
  return d.ok() ? *d : Message{};
}

TEST(WireTest, HelloCarriesNameGenerationSizeRoleAndState) {
  Message m;
  m.type = Type::kHello;
  m.name = "node-b";
  m.gen = Generation{7, 0xabcdef0123456789ull};
  m.size = 64ull << 20;
  m.role = Role::kSecondary;
  m.state = DiskState::kInconsistent;
  EXPECT_EQ(encode(m), "HELLO node-b 7:abcdef0123456789 67108864 Secondary Inconsistent\n");
  Message d = round_trip(m);
  EXPECT_EQ(d.name, "node-b");
  EXPECT_EQ(d.gen, m.gen);
  EXPECT_EQ(d.size, m.size);
  EXPECT_EQ(d.role, Role::kSecondary);
  EXPECT_EQ(d.state, DiskState::kInconsistent);
}

TEST(WireTest, BlocksKeepTheirBinaryBytes) {
  std::string data("a\nb\0c", 5);
  auto d = decode(encode_block(Type::kWrite, 42, 8192, data));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->type, Type::kWrite);
  EXPECT_EQ(d->seq, 42u);
  EXPECT_EQ(d->offset, 8192u);
  EXPECT_EQ(d->data, data);
  auto r = decode(encode_block(Type::kData, 0, 4096, data));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, Type::kData);
  EXPECT_EQ(r->offset, 4096u);
  EXPECT_EQ(r->data, data);
}

TEST(WireTest, ShortMessagesRoundTrip) {
  for (Type t : {Type::kFlush, Type::kAck}) {
    Message m;
    m.type = t;
    m.seq = 99;
    EXPECT_EQ(round_trip(m).seq, 99u);
  }
  for (Type t : {Type::kGen, Type::kResyncBegin, Type::kResyncEnd, Type::kDone}) {
    Message m;
    m.type = t;
    m.gen = Generation{3, 4};
    Message d = round_trip(m);
    EXPECT_EQ(d.type, t);
    EXPECT_EQ(d.gen, m.gen);
  }
  Message b;
  b.type = Type::kBegun;
  EXPECT_EQ(round_trip(b).type, Type::kBegun);
  Message e;
  e.type = Type::kError;
  e.data = "both Primary";
  EXPECT_EQ(round_trip(e).data, "both Primary");
}

TEST(WireTest, MalformedMessagesAreParseErrors) {
  for (std::string bad : {"", "WRITE 1 2", "WRITE x 2\n", "ACK\n", "HELLO a 1:2 3 Boss UpToDate\n",
                          "GEN 12\n", "NOPE\n", "HELLO a 1:2 3 Primary Sleepy\n"}) {
    auto d = decode(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kParseError) << bad;
    }
  }
}

TEST(GenerationTest, ParsesWhatItPrints) {
  Generation g{12, 0xfeedull};
  EXPECT_EQ(g.to_string(), "12:000000000000feed");
  auto p = Generation::parse(g.to_string());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, g);
  EXPECT_FALSE(Generation::parse("12").ok());
  EXPECT_FALSE(Generation::parse("12:zz").ok());
  EXPECT_FALSE(Generation::parse(":1").ok());
}

}  // namespace
}  // namespace crm::repldisk::wire
