// The replication protocol between a Primary and its peers over TCP. Each
// message is one core IPC frame (ipc::FrameReader / ipc::write_frame: 4-byte
// big-endian length, then the payload); the payload is a text header line
// ("WRITE 17 4096"), a newline, and the raw bytes of a block when the message
// carries one. Text headers keep tcpdump and the tests readable; the data
// stays binary.
//
//   Primary -> peer                        peer -> Primary
//   HELLO name gen size role               HELLO name gen size role state
//   WRITE seq offset  + data               ACK seq        (written to its image)
//   FLUSH seq                              ACK seq        (its image fsynced)
//   GEN gen        (in-sync peers adopt a new generation; no answer)
//   RESYNC-BEGIN gen                       BEGUN          (metadata says Inconsistent, fsynced)
//   DATA offset  + data                    (no answer)
//   RESYNC-END gen                         DONE gen       (image fsynced, metadata gen + UpToDate)
//   ERROR text     (either side, then closes)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crm/core/status.h"
#include "crm/repldisk/repldisk.h"

namespace crm::repldisk::wire {

enum class Type { kHello, kWrite, kFlush, kAck, kGen, kResyncBegin, kBegun, kData, kResyncEnd, kDone, kError };

struct Message {
  Type type = Type::kError;
  std::string name;          // HELLO
  Generation gen;            // HELLO GEN RESYNC-BEGIN RESYNC-END DONE
  uint64_t size = 0;         // HELLO: image bytes
  Role role = Role::kSecondary;          // HELLO
  DiskState state = DiskState::kUpToDate;  // HELLO from a peer
  uint64_t seq = 0;          // WRITE FLUSH ACK
  uint64_t offset = 0;       // WRITE DATA
  std::string data;          // WRITE DATA (bytes); ERROR (text)
};

std::string encode(const Message& m);
// The header's data view: WRITE and DATA carry their bytes after the
// header; encode_block builds such a payload without copying `data` twice.
std::string encode_block(Type type, uint64_t seq, uint64_t offset, std::string_view data);
Result<Message> decode(std::string_view payload);

}  // namespace crm::repldisk::wire
