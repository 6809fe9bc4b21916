// Memory for crm_simulate's one big parse of -x FILE. libxml2 allocates an
// element, an attribute and a text node per attribute value: on a large CIB
// hundreds of thousands of small blocks, whose first-touch page faults cost
// as much as the parsing itself. While a ParseArena is active, libxml2's
// allocations come from one region advised for transparent huge pages; after
// it ends libxml2 allocates from malloc again, and frees of blocks from the
// region are ignored (the process ends soon after; nothing is reused).
#pragma once

#include <cstddef>

namespace crm::simulate {

class ParseArena {
 public:
  // `expected_bytes`: the file size; the region is sized from it.
  explicit ParseArena(size_t expected_bytes);
  ~ParseArena();
  ParseArena(const ParseArena&) = delete;
  ParseArena& operator=(const ParseArena&) = delete;
};

}  // namespace crm::simulate
