// Transition keys and magic, with which an operation's result names the
// transition and action that asked for it (the peer's pcmk__transition_key,
// decode_transition_key, decode_transition_magic):
//
//   transition key   "<action>:<transition>:<target-rc>:<dc-uuid>"  "5:3:0:1"
//   transition magic "<op-status>:<rc>;<transition key>"            "0:0;5:3:0:1"
//
//   auto k = parse_transition_key(xml::attr_or(op, "transition-key"));
//   if (k.ok() && rc != k->target_rc) ...
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "crm/core/status.h"

namespace crm {

struct TransitionKey {
  int action_id = 0, transition_id = 0, target_rc = 0;
  std::string dc_uuid;
};

std::string transition_key(int action_id, int transition_id, int target_rc, std::string_view dc_uuid);
// invalid-argument unless three whole numbers, each followed by ':', lead;
// the rest is the uuid.
Result<TransitionKey> parse_transition_key(std::string_view key);
// The same rule, for readers of large status sections: only the target rc,
// without copying the uuid; nullopt when `key` is not a transition key.
std::optional<int> transition_key_target_rc(std::string_view key);

struct TransitionMagic {
  int op_status = 0;  // an ExecStatus number
  int rc = 0;         // the agent's return code
  TransitionKey key;
};

std::string transition_magic(int op_status, int rc, std::string_view transition_key);
// invalid-argument unless "<number>:<number>;" leads a valid transition key.
Result<TransitionMagic> parse_transition_magic(std::string_view magic);

}  // namespace crm
