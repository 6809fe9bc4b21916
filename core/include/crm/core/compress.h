// bzip2 compression, the format of the peer's kept scheduler inputs
// (pe-input-N.bz2): the DC writes them compressed, and every reader of a CIB
// file (xml::parse_file) takes one compressed or not.
//
//   ASSIGN_OR_RETURN(std::string packed, crm::bzip2_compress(text));
//   ASSIGN_OR_RETURN(std::string text, crm::bzip2_decompress(packed, 256u << 20));
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "crm/core/status.h"

namespace crm {

// Whether `data` starts as a bzip2 stream does ("BZh" and a block size digit).
bool is_bzip2(std::string_view data);
// `block_size_100k` is bzip2's level, 1-9: 1 compresses CIB text about twice
// as fast as 9 into about 7% more bytes (17 MB of status: 1.1 s against 2.0 s).
Result<std::string> bzip2_compress(std::string_view data, int block_size_100k = 9);
// parse-error for data that is not a whole bzip2 stream, and past `max_size` bytes of output (a hostile file cannot fill the memory).
Result<std::string> bzip2_decompress(std::string_view data, size_t max_size);

}  // namespace crm
