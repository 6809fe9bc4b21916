// libFuzzer target for the executor's wire format (lrmd/src/wire.h): the
// requests lrmd decodes from its clients (<lrmd_exec> ...), the results and
// replies the clients decode. Any input is decoded or refused; what decodes
// encodes to something that decodes to the same encoding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crm/core/xml.h"
#include "wire.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "lrmd_wire_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

template <class T, class Put, class Get>
void round_trip(const T& value, Put put, Get get, const char* what) {
  auto first = crm::xml::new_document("x");
  put(crm::xml::root(first), value);
  const std::string once = crm::xml::to_string(crm::xml::root(first), false);
  auto decoded = get(crm::xml::root(first));
  if (!decoded.ok()) fail(what, "re-encoded form refused: " + decoded.status().to_string() + "\n" + once);
  auto second = crm::xml::new_document("x");
  put(crm::xml::root(second), *decoded);
  if (crm::xml::to_string(crm::xml::root(second), false) != once) fail(what, "encode/decode is not stable: " + once);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crm::lrmd;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto doc = crm::xml::parse(text, "fuzz");
  if (!doc.ok()) return 0;
  const xmlNode* root = crm::xml::root(*doc);
  if (auto req = wire::get_request(root); req.ok()) round_trip(*req, wire::put_request, wire::get_request, "request");
  if (auto res = wire::get_result(root); res.ok()) round_trip(*res, wire::put_result, wire::get_result, "result");
  for (const xmlNode* child : crm::xml::children(root)) {
    (void)wire::get_request(child);
    (void)wire::get_result(child);
  }
  (void)wire::get_status(root);
  return 0;
}
