#include "parse_arena.h"

#include <libxml/xmlmemory.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace crm::simulate {
namespace {

// One region for the whole process (crm_simulate parses one big file).
char* g_base = nullptr;
size_t g_capacity = 0;
size_t g_used = 0;
bool g_active = false;

// Blocks carry no header: a tree of a large CIB is millions of blocks of
// 16 to 120 bytes (an attribute, its text node, its value), and a size
// header with 16-byte alignment added a fifth to it. libxml2's structures
// need pointer alignment only.
constexpr size_t kAlignment = alignof(void*);

bool in_region(const void* p) {
  auto* c = static_cast<const char*>(p);
  return g_base && c >= g_base && c < g_base + g_capacity;
}

void* region_alloc(size_t n) {
  size_t need = (n + kAlignment - 1) & ~(kAlignment - 1);
  if (!g_active || g_used + need > g_capacity) return std::malloc(n);
  char* block = g_base + g_used;
  g_used += need;
  return block;
}

void arena_free(void* p) {
  if (p && !in_region(p)) std::free(p);
}

void* arena_malloc(size_t n) { return region_alloc(n); }

// Without a header the old size is unknown; the new block gets the first n
// bytes from p, at most up to the region's end of use (the old block lies
// below it; bytes past it are the new block's unspecified part). libxml2
// reallocates rarely while parsing (a few growing buffers).
void* arena_realloc(void* p, size_t n) {
  if (!p) return region_alloc(n);
  if (!in_region(p)) return std::realloc(p, n);
  size_t available = static_cast<size_t>(g_base + g_used - static_cast<char*>(p));
  void* q = region_alloc(n);
  if (q) std::memcpy(q, p, std::min(n, available));
  return q;
}

char* arena_strdup(const char* s) {
  size_t n = std::strlen(s) + 1;
  auto* q = static_cast<char*>(region_alloc(n));
  if (q) std::memcpy(q, s, n);
  return q;
}

}  // namespace

ParseArena::ParseArena(size_t expected_bytes) {
  if (!g_base) {
    // The tree takes about ten times the text; reserve generously (address
    // space only: pages are touched as they are used).
    size_t capacity = 16 * expected_bytes + (size_t{64} << 20);
    void* region = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) return;  // libxml2 keeps using malloc
#ifdef MADV_HUGEPAGE
    madvise(region, capacity, MADV_HUGEPAGE);
#endif
    g_base = static_cast<char*>(region);
    g_capacity = capacity;
    xmlMemSetup(arena_free, arena_malloc, arena_realloc, arena_strdup);
  }
  g_active = true;
}

ParseArena::~ParseArena() { g_active = false; }

}  // namespace crm::simulate
