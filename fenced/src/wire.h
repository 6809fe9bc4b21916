// The fencer's messages: XML elements, between fencers over CPG (typed,
// encode/decode pairs below) and between clients and fenced over its socket
// (docs/fenced.md lists them all).
#pragma once

#include <libxml/tree.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crm/core/status.h"
#include "crm/core/xml.h"
#include "crm/fenced/fenced.h"

namespace crm::fenced::wire {

inline constexpr const char* kVersion = "1";

// HistoryEntry <-> attributes of `node`.
void put_entry(xmlNode* node, const HistoryEntry& e);
HistoryEntry get_entry(const xmlNode* node);

// A new document with root `name`; its text without declaration.
xml::DocPtr message(const char* name);
std::string text(const xml::DocPtr& doc);

long long get_number(const xmlNode* node, const char* name, long long fallback);

// ---- between fencers (CPG group crm_fenced) ----------------------------------

// <st_query>: which of your devices can fence `target`?
struct Query {
  std::string op, target, action, origin;
};
// One device a fencer offers in its <st_query_reply>.
struct DeviceOffer {
  std::string id;
  bool on_target = false;   // its "on" runs on the target
  bool unfencing = false;   // required for unfencing
  std::map<std::string, long long> timeouts_ms;  // reboot/off/on: pcmk_<action>_timeout (absent: the request's)
  long long delay_max_ms = 0;
  int priority = 0;
};
struct QueryReply {
  std::string op, from;
  std::vector<DeviceOffer> devices;
};
// <st_exec>: `executor`, run `device` against `target`.
struct Exec {
  std::string op;
  uint64_t serial = 0;
  std::string executor, device, target, action, origin, client;
  long long timeout_ms = 0, delay_ms = 0;
  // This step's success completes the operation (the last device of its
  // level): what the executor reports if the origin is gone by then.
  bool completes = false;
};
// <st_exec_result>: rc 0 ok, -201 error, -62 timeout, -19 no such device.
struct ExecResult {
  std::string op;
  uint64_t serial = 0;
  std::string executor;
  int rc = 0;
  std::string reason;
};
// <st_pending>: an operation started; <st_done>: it completed (code: the
// StatusCode of a failure).
struct Pending {
  HistoryEntry entry;
};
struct Done {
  HistoryEntry entry;
  int code = 0;
};
// <st_history_sync>: a member's whole history, for fencers that joined.
struct HistorySync {
  std::string from;
  std::vector<HistoryEntry> entries;
};
using PeerMessage = std::variant<Query, QueryReply, Exec, ExecResult, Pending, Done, HistorySync>;

std::string encode(const PeerMessage& m);
// parse-error for malformed XML, an unknown element, or a missing or
// non-numeric required attribute.
Result<PeerMessage> decode(std::string_view payload);

}  // namespace crm::fenced::wire
