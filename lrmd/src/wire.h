// The lrmd wire format: XML documents in ipc frames (see docs/lrmd.md).
#pragma once

#include <libxml/tree.h>

#include <string>
#include <vector>

#include "crm/core/status.h"
#include "crm/core/xml.h"
#include "crm/lrmd/lrmd.h"

namespace crm::lrmd::wire {

// <exec_request>-like element attributes/children <-> ExecRequest.
void put_request(xmlNode* node, const ExecRequest& req);
Result<ExecRequest> get_request(const xmlNode* node);

// <lrmd_result> attributes + <output> child <-> ExecResult.
void put_result(xmlNode* node, const ExecResult& r);
Result<ExecResult> get_result(const xmlNode* node);

// Requests (client -> daemon).
std::string exec_message(uint64_t req_id, const ExecRequest& req);
std::string cancel_message(uint64_t req_id, const std::string& rsc_id, const std::string& action, uint32_t interval_ms);
std::string recurring_message(uint64_t req_id);
std::string history_message(uint64_t req_id, const std::string& rsc_id);

// Notification (daemon -> every client).
std::string result_message(const ExecResult& r);

// Status <-> reply attributes.
void put_status(xmlNode* reply, const Status& s);
Status get_status(const xmlNode* reply);

}  // namespace crm::lrmd::wire
