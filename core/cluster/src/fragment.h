// Wire framing of GroupTransport messages on CPG: every payload is cut into
// one or more frames, each small enough for corosync to take in one
// cpg_mcast_joined call without fragmenting it itself. Because CPG delivers
// in agreed order and frames of one sender arrive in the order sent,
// reassembly per sender (node id, pid) needs no reordering; a sender that
// leaves mid-message loses its partial message on every member alike
// (virtual synchrony), so all members deliver the same set of messages.
//
// Frame = 24-byte header (little-endian) + chunk:
//   u32 magic "CRMF" | u32 message id (per sender, wraps) |
//   u32 fragment index | u32 fragment count | u64 total payload length
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/core/status.h"

namespace crm::cluster::wire {

inline constexpr uint32_t kMagic = 0x464d5243;  // "CRMF"
inline constexpr size_t kHeaderBytes = 24;
// A hard upper bound on one reassembled message (protects the receivers).
inline constexpr uint64_t kMaxMessageBytes = 256ull << 20;

// Splits `payload` into frames of at most `max_frame_bytes` (> kHeaderBytes).
std::vector<std::string> split(std::string_view payload, uint32_t message_id, size_t max_frame_bytes);

// Reassembles the frames of many senders. Key = (node id, pid).
class Reassembler {
 public:
  using Sender = std::pair<uint32_t, uint32_t>;
  // Feeds one received frame. Returns the whole payload when `frame`
  // completes a message, nullopt when more frames are needed, or an error
  // for a malformed or out-of-sequence frame (the partial message is dropped).
  Result<std::optional<std::string>> feed(Sender from, std::string_view frame);
  // Drops the partial message of a sender that left the group.
  void forget(Sender from) { partial_.erase(from); }
  size_t partial_count() const { return partial_.size(); }

 private:
  struct Partial {
    uint32_t id = 0;
    uint32_t next = 0;
    uint32_t count = 0;
    uint64_t total = 0;
    std::string data;
  };
  std::map<Sender, Partial> partial_;
};

}  // namespace crm::cluster::wire
