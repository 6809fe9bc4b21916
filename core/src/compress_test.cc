#include "crm/core/compress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "crm/core/xml.h"

namespace crm {
namespace {

TEST(Bzip2, RoundTripAndLimits) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "<nvpair id=\"n" + std::to_string(i) + "\" name=\"a\" value=\"b\"/>\n";
  auto packed = bzip2_compress(text);
  ASSERT_TRUE(packed.ok()) << packed.status().to_string();
  EXPECT_TRUE(is_bzip2(*packed));
  EXPECT_LT(packed->size(), text.size() / 10);
  auto back = bzip2_decompress(*packed, text.size());
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, text);
  // Past the limit: an error, not the memory.
  auto big = bzip2_decompress(*packed, text.size() / 2);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kParseError);
  // Cut short, or not bzip2 at all.
  EXPECT_FALSE(bzip2_decompress(packed->substr(0, packed->size() / 2), text.size()).ok());
  EXPECT_FALSE(bzip2_decompress("BZh9 not really", 100).ok());
  EXPECT_FALSE(is_bzip2("<cib/>"));
  auto empty = bzip2_compress("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*bzip2_decompress(*empty, 10), "");
}

TEST(Bzip2, ParseFileReadsCompressedAndPlainCibs) {
  std::string dir = ::testing::TempDir();
  std::string cib = "<cib epoch=\"3\"><configuration/><status/></cib>";
  std::ofstream(dir + "/plain.xml") << cib;
  std::ofstream(dir + "/packed.bz2", std::ios::binary) << *bzip2_compress(cib);
  std::ofstream(dir + "/broken.bz2", std::ios::binary) << bzip2_compress(cib)->substr(0, 20);
  for (const char* f : {"/plain.xml", "/packed.bz2"}) {
    auto d = xml::parse_file(dir + f);
    ASSERT_TRUE(d.ok()) << f << ": " << d.status().to_string();
    EXPECT_EQ(xml::attr_or(xml::root(*d), "epoch"), "3") << f;
  }
  auto broken = xml::parse_file(dir + "/broken.bz2");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("broken.bz2"), std::string::npos) << broken.status().message();
}

}  // namespace
}  // namespace crm
