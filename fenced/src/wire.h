// The fencer's messages: XML elements, between fencers over CPG and between
// clients and fenced over its socket (docs/fenced.md lists them all).
#pragma once

#include <libxml/tree.h>

#include <string>

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

}  // namespace crm::fenced::wire
