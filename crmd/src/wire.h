// The controllers' messages on the "crm_crmd" group, typed: one struct per
// message, one encoder and one decoder (XML in the group's frames, as the
// lrmd and cib wire formats; docs/crmd.md lists the elements).
//
//   std::string bytes = wire::encode(wire::JoinOffer{.dc = 1, .gen = 3});
//   ASSIGN_OR_RETURN(wire::Message m, wire::decode(bytes));
//   if (auto* offer = std::get_if<wire::JoinOffer>(&m)) ...
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "crm/core/status.h"
#include "crm/core/op_history.h"

namespace crm::crmd::wire {

using NodeId = uint32_t;

// DC -> all: "send me your resource history" (join round `gen`).
struct JoinOffer {
  NodeId dc = 0;
  uint64_t gen = 0;
};

// Member -> DC: the answer, with the member's <lrm_resources> history.
struct JoinRequest {
  NodeId node = 0;
  std::string name;
  uint64_t gen = 0;
  std::string history_xml;  // "<lrm_resources>...</lrm_resources>"
  std::string cib_version;  // the member's CIB copy, "admin_epoch.epoch.num_updates"
};

// DC -> member `target`: run one resource operation of the transition.
struct ExecOrder {
  std::string target;  // node name
  std::string key;     // transition key the result carries back
  std::string digest;  // op-digest to record with the result
  std::string rsc_id, rsc_class, rsc_provider, rsc_type;
  std::string operation;
  uint32_t interval_ms = 0;
  uint32_t timeout_ms = 0;
  // Parameters and CRM_meta_* entries, as the graph action has them.
  std::map<std::string, std::string> attributes;
};

// Member -> DC: the result of an operation (or of a cancel, with
// cancel_interval_ms set), as it is recorded in the status section.
struct OpResult {
  NodeId node = 0;
  std::string name;
  crm::OpRecord op;  // on_node and target_rc are filled in by the receiver
  uint32_t cancel_interval_ms = 0;
};

// Member -> DC: "I am shutting down, move my resources away".
struct ShutdownRequest {
  NodeId node = 0;
  std::string name;
};

// DC -> member `target`: "you run nothing any more, exit".
struct DoShutdown {
  std::string target;
};

// Any -> all: "controller `target`, tell node `from` your state" (crmadmin -S
// for another node, crmsh's wait for the DC to be idle). `token` pairs the reply.
struct PingRequest {
  NodeId from = 0;
  uint64_t token = 0;
  std::string target;  // node name
};

// `target` -> all, for node `to`: its controller's state (state_name()).
struct PingReply {
  NodeId to = 0;
  uint64_t token = 0;
  std::string name;
  std::string state;
};

using Message =
    std::variant<JoinOffer, JoinRequest, ExecOrder, OpResult, ShutdownRequest, DoShutdown, PingRequest, PingReply>;

std::string encode(const Message& message);
// parse-error for bytes that are not XML; invalid-argument for an unknown
// message or one missing a required field.
Result<Message> decode(std::string_view bytes);

}  // namespace crm::crmd::wire
