// attrd's messages: XML elements, between attrds over CPG (typed, an
// encode/decode pair) and between clients and attrd over its socket
// (docs/attrd.md lists them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "attribute_daemon.h"
#include "crm/core/status.h"

namespace crm::attrd::wire {

// ---- between attrds (CPG group crm_attrd) ------------------------------------

// <attrd_update>: a client's update, applied by every member on delivery;
// `origin_seq` lets the origin acknowledge its client.
struct PeerUpdate {
  std::string from_name;
  uint64_t origin_seq = 0;
  Update update;
};
// <attrd_state>: attributes with their values. A full sync from the senior
// member after a join (announce = false), or a member's own node's values
// (announce = true).
struct State {
  std::string from_name;
  bool announce = false;
  std::vector<Attribute> attributes;
};
// <attrd_refresh>: the writer writes everything again.
struct Refresh {
  std::string from_name;
};
using PeerMessage = std::variant<PeerUpdate, State, Refresh>;

std::string encode(const PeerMessage& m);
// parse-error for malformed XML, an unknown element or a bad number.
Result<PeerMessage> decode(std::string_view payload);

// ---- client <-> attrd (socket) --------------------------------------------------
//   <attrd_update req_id= name= host= value= dampen_ms= set= private=/>
//   <attrd_query req_id= name= host= all=/>   -> <attrd_reply ...><value name= host= value=/>...
//   <attrd_refresh req_id=/>
//   <attrd_hello req_id=/>                    -> <attrd_reply node=/>
// Every reply is <attrd_reply req_id= status= message=> (xml::put_status).
void put_update(xmlNode* node, const Update& u);
Result<Update> get_update(const xmlNode* node);

}  // namespace crm::attrd::wire
