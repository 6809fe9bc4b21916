#include "fragment.h"

#include <algorithm>

namespace crm::cluster::wire {

namespace {

void put32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t get32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}
uint64_t get64(std::string_view s, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

}  // namespace

std::vector<std::string> split(std::string_view payload, uint32_t message_id, size_t max_frame_bytes) {
  const size_t chunk = max_frame_bytes > kHeaderBytes ? max_frame_bytes - kHeaderBytes : 1;
  const size_t count = std::max<size_t>(1, (payload.size() + chunk - 1) / chunk);
  std::vector<std::string> frames;
  frames.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    std::string f;
    const size_t off = i * chunk;
    const size_t len = std::min(chunk, payload.size() - std::min(off, payload.size()));
    f.reserve(kHeaderBytes + len);
    put32(f, kMagic);
    put32(f, message_id);
    put32(f, static_cast<uint32_t>(i));
    put32(f, static_cast<uint32_t>(count));
    put64(f, payload.size());
    f.append(payload.substr(std::min(off, payload.size()), len));
    frames.push_back(std::move(f));
  }
  return frames;
}

Result<std::optional<std::string>> Reassembler::feed(Sender from, std::string_view frame) {
  const std::string who = "from node " + std::to_string(from.first) + " pid " + std::to_string(from.second);
  if (frame.size() < kHeaderBytes || get32(frame, 0) != kMagic) {
    return parse_error("frame without our header " + who + " (" + std::to_string(frame.size()) + " bytes)");
  }
  const uint32_t id = get32(frame, 4);
  const uint32_t index = get32(frame, 8);
  const uint32_t count = get32(frame, 12);
  const uint64_t total = get64(frame, 16);
  const std::string_view chunk = frame.substr(kHeaderBytes);
  if (count == 0 || index >= count || total > kMaxMessageBytes) {
    partial_.erase(from);
    return parse_error("bad frame header " + who);
  }
  if (count == 1) {
    partial_.erase(from);
    if (chunk.size() != total) return parse_error("frame length mismatch " + who);
    return std::optional<std::string>(std::string(chunk));
  }
  auto it = partial_.find(from);
  if (index == 0) {
    Status dropped;
    if (it != partial_.end()) {
      dropped = parse_error("message " + std::to_string(it->second.id) + " " + who + " incomplete, dropped");
    }
    Partial p;
    p.id = id;
    p.next = 1;
    p.count = count;
    p.total = total;
    p.data.reserve(total);
    p.data.append(chunk);
    partial_[from] = std::move(p);
    if (!dropped.ok()) return dropped;
    return std::optional<std::string>();
  }
  if (it == partial_.end() || it->second.id != id || it->second.next != index || it->second.count != count ||
      it->second.total != total) {
    partial_.erase(from);
    return parse_error("out-of-sequence fragment " + std::to_string(index) + "/" + std::to_string(count) + " of message " +
                       std::to_string(id) + " " + who);
  }
  Partial& p = it->second;
  p.data.append(chunk);
  if (p.data.size() > p.total) {
    partial_.erase(it);
    return parse_error("message longer than announced " + who);
  }
  if (++p.next < p.count) return std::optional<std::string>();
  std::string done = std::move(p.data);
  partial_.erase(it);
  if (done.size() != total) return parse_error("message length mismatch " + who);
  return std::optional<std::string>(std::move(done));
}

}  // namespace crm::cluster::wire
