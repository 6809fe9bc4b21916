#include "wire.h"

#include <charconv>
#include <vector>

namespace crm::repldisk::wire {

namespace {

const char* type_word(Type t) {
  switch (t) {
    case Type::kHello: return "HELLO";
    case Type::kWrite: return "WRITE";
    case Type::kFlush: return "FLUSH";
    case Type::kAck: return "ACK";
    case Type::kGen: return "GEN";
    case Type::kResyncBegin: return "RESYNC-BEGIN";
    case Type::kBegun: return "BEGUN";
    case Type::kData: return "DATA";
    case Type::kResyncEnd: return "RESYNC-END";
    case Type::kDone: return "DONE";
    case Type::kError: return "ERROR";
  }
  return "?";
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

Result<uint64_t> number(std::string_view w) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec != std::errc() || p != w.data() + w.size()) return parse_error("not a number: '" + std::string(w) + "'");
  return v;
}

}  // namespace

std::string encode_block(Type type, uint64_t seq, uint64_t offset, std::string_view data) {
  std::string s = type_word(type);
  if (type == Type::kWrite) s += " " + std::to_string(seq);
  s += " " + std::to_string(offset) + "\n";
  s.append(data);
  return s;
}

std::string encode(const Message& m) {
  switch (m.type) {
    case Type::kWrite:
    case Type::kData:
      return encode_block(m.type, m.seq, m.offset, m.data);
    case Type::kHello:
      return std::string("HELLO ") + m.name + " " + m.gen.to_string() + " " + std::to_string(m.size) + " " +
             role_name(m.role) + " " + disk_state_name(m.state) + "\n";
    case Type::kFlush:
    case Type::kAck:
      return std::string(type_word(m.type)) + " " + std::to_string(m.seq) + "\n";
    case Type::kGen:
    case Type::kResyncBegin:
    case Type::kResyncEnd:
    case Type::kDone:
      return std::string(type_word(m.type)) + " " + m.gen.to_string() + "\n";
    case Type::kBegun:
      return "BEGUN\n";
    case Type::kError:
      return "ERROR " + m.data + "\n";
  }
  return "";
}

Result<Message> decode(std::string_view payload) {
  size_t nl = payload.find('\n');
  if (nl == std::string_view::npos) return parse_error("replication message without a header line");
  std::string_view header = payload.substr(0, nl);
  std::string_view body = payload.substr(nl + 1);
  auto w = words(header);
  if (w.empty()) return parse_error("empty replication message");
  Message m;
  auto need = [&](size_t n) -> Status {
    if (w.size() != n) return parse_error("malformed " + std::string(w[0]) + " message: '" + std::string(header) + "'");
    return Status::Ok();
  };
  std::string_view t = w[0];
  if (t == "ERROR") {
    m.type = Type::kError;
    m.data = std::string(header.substr(std::min(header.size(), size_t{6})));
    return m;
  }
  if (t == "HELLO") {
    m.type = Type::kHello;
    RETURN_IF_ERROR(need(6));
    m.name = std::string(w[1]);
    ASSIGN_OR_RETURN(m.gen, Generation::parse(w[2]));
    ASSIGN_OR_RETURN(m.size, number(w[3]));
    if (w[4] == "Primary") m.role = Role::kPrimary;
    else if (w[4] == "Secondary") m.role = Role::kSecondary;
    else return parse_error("unknown role '" + std::string(w[4]) + "'");
    ASSIGN_OR_RETURN(m.state, parse_disk_state(w[5]));
    return m;
  }
  if (t == "WRITE") {
    m.type = Type::kWrite;
    RETURN_IF_ERROR(need(3));
    ASSIGN_OR_RETURN(m.seq, number(w[1]));
    ASSIGN_OR_RETURN(m.offset, number(w[2]));
    m.data = std::string(body);
    return m;
  }
  if (t == "DATA") {
    m.type = Type::kData;
    RETURN_IF_ERROR(need(2));
    ASSIGN_OR_RETURN(m.offset, number(w[1]));
    m.data = std::string(body);
    return m;
  }
  if (t == "FLUSH" || t == "ACK") {
    m.type = t == "FLUSH" ? Type::kFlush : Type::kAck;
    RETURN_IF_ERROR(need(2));
    ASSIGN_OR_RETURN(m.seq, number(w[1]));
    return m;
  }
  if (t == "GEN" || t == "RESYNC-BEGIN" || t == "RESYNC-END" || t == "DONE") {
    m.type = t == "GEN" ? Type::kGen : t == "RESYNC-BEGIN" ? Type::kResyncBegin : t == "RESYNC-END" ? Type::kResyncEnd : Type::kDone;
    RETURN_IF_ERROR(need(2));
    ASSIGN_OR_RETURN(m.gen, Generation::parse(w[1]));
    return m;
  }
  if (t == "BEGUN") {
    m.type = Type::kBegun;
    return m;
  }
  return parse_error("unknown replication message '" + std::string(t) + "'");
}

}  // namespace crm::repldisk::wire
