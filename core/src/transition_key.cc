#include "crm/core/transition_key.h"

#include <charconv>

namespace crm {
namespace {

// Reads a whole number ending at `sep` from the front of `rest`.
bool take_number(std::string_view& rest, char sep, int* out) {
  size_t end = rest.find(sep);
  if (end == std::string_view::npos || end == 0) return false;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + end, *out);
  if (ec != std::errc() || p != rest.data() + end) return false;
  rest.remove_prefix(end + 1);
  return true;
}

}  // namespace

std::string transition_key(int action_id, int transition_id, int target_rc, std::string_view dc_uuid) {
  std::string out = std::to_string(action_id) + ":" + std::to_string(transition_id) + ":" + std::to_string(target_rc) + ":";
  out.append(dc_uuid);
  return out;
}

namespace {

// The three numbers; `rest` is left at the uuid.
bool take_key_numbers(std::string_view& rest, TransitionKey* k) {
  return take_number(rest, ':', &k->action_id) && take_number(rest, ':', &k->transition_id) &&
         take_number(rest, ':', &k->target_rc);
}

}  // namespace

Result<TransitionKey> parse_transition_key(std::string_view key) {
  TransitionKey k;
  std::string_view rest = key;
  if (!take_key_numbers(rest, &k)) return invalid_argument("bad transition key '" + std::string(key) + "'");
  k.dc_uuid = std::string(rest);
  return k;
}

std::optional<int> transition_key_target_rc(std::string_view key) {
  TransitionKey k;
  if (!take_key_numbers(key, &k)) return std::nullopt;
  return k.target_rc;
}

std::string transition_magic(int op_status, int rc, std::string_view transition_key) {
  std::string out = std::to_string(op_status) + ":" + std::to_string(rc) + ";";
  out.append(transition_key);
  return out;
}

Result<TransitionMagic> parse_transition_magic(std::string_view magic) {
  TransitionMagic m;
  std::string_view rest = magic;
  if (!take_number(rest, ':', &m.op_status) || !take_number(rest, ';', &m.rc)) {
    return invalid_argument("bad transition magic '" + std::string(magic) + "'");
  }
  ASSIGN_OR_RETURN(m.key, parse_transition_key(rest));
  return m;
}

}  // namespace crm
