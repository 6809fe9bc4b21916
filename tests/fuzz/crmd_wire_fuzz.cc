// libFuzzer target for the controllers' wire format (crmd/src/wire.h): the
// messages every controller decodes from the corosync group. Any input
// either decodes or is refused with an error; a decoded message encodes to
// bytes that decode again to the same encoding (no field lost or mangled).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crm::crmd;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto message = wire::decode(bytes);
  if (!message.ok()) return 0;
  const std::string once = wire::encode(*message);
  auto again = wire::decode(once);
  if (!again.ok()) {
    std::fprintf(stderr, "crmd_wire_fuzz: an encoded message does not decode: %s\n%s\n",
                 again.status().to_string().c_str(), once.c_str());
    std::abort();
  }
  if (wire::encode(*again) != once) {
    std::fprintf(stderr, "crmd_wire_fuzz: encode/decode is not stable:\n%s\n%s\n", once.c_str(),
                 wire::encode(*again).c_str());
    std::abort();
  }
  return 0;
}
