#include "crm/core/compress.h"

#include <bzlib.h>

#include <limits>

namespace crm {

bool is_bzip2(std::string_view data) {
  return data.size() >= 4 && data.substr(0, 3) == "BZh" && data[3] >= '1' && data[3] <= '9';
}

Result<std::string> bzip2_compress(std::string_view data, int block_size_100k) {
  if (block_size_100k < 1 || block_size_100k > 9) return invalid_argument("bzip2 level must be 1-9");
  if (data.size() > std::numeric_limits<unsigned>::max() / 2) return invalid_argument("too much data to compress");
  // bzip2's bound for the output: 1% more than the input plus 600 bytes.
  std::string out(data.size() + data.size() / 100 + 600, '\0');
  unsigned len = static_cast<unsigned>(out.size());
  int rc = BZ2_bzBuffToBuffCompress(out.data(), &len, const_cast<char*>(data.data()), static_cast<unsigned>(data.size()),
                                    block_size_100k, 0, 0);
  if (rc != BZ_OK) return internal_error("bzip2 compression failed (" + std::to_string(rc) + ")");
  out.resize(len);
  return out;
}

Result<std::string> bzip2_decompress(std::string_view data, size_t max_size) {
  bz_stream s{};
  if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) return internal_error("bzip2: cannot start decompressing");
  std::string out;
  char buf[1 << 16];
  s.next_in = const_cast<char*>(data.data());
  s.avail_in = static_cast<unsigned>(data.size());
  int rc = BZ_OK;
  while (rc == BZ_OK) {
    s.next_out = buf;
    s.avail_out = sizeof buf;
    rc = BZ2_bzDecompress(&s);
    out.append(buf, sizeof buf - s.avail_out);
    if (out.size() > max_size) {
      BZ2_bzDecompressEnd(&s);
      return parse_error("bzip2: more than " + std::to_string(max_size) + " bytes once decompressed");
    }
    if (rc == BZ_OK && s.avail_in == 0 && s.avail_out != 0) break;  // input ended before the stream did
  }
  BZ2_bzDecompressEnd(&s);
  if (rc != BZ_STREAM_END) return parse_error("not a complete bzip2 stream (" + std::to_string(rc) + ")");
  return out;
}

}  // namespace crm
