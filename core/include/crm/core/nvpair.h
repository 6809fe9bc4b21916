// Name/value sets as the CIB writes them, read without rules:
//
//   <primitive id="vip" ...>
//     <instance_attributes id="vip-ia">
//       <nvpair id="vip-ia-ip" name="ip" value="10.0.0.1"/>
//     </instance_attributes>
//     <meta_attributes id="vip-meta"> ... </meta_attributes>
//
//   auto params = nvpair_values(primitive, "instance_attributes");   // {ip: 10.0.0.1}
//   if (xmlNode* nv = find_nvpair(crm_config, "cluster_property_set", "stonith-enabled")) ...
//
// The one reader of rule-less sets (instance_attributes, meta_attributes,
// utilization, cluster_property_set, the status section's transient
// attributes). Sets whose <rule>s must be evaluated (against a node, a date)
// are the policy engine's (pengine/src/unpack.cc unpack_nvpairs).
#pragma once

#include <libxml/tree.h>

#include <map>
#include <string>
#include <string_view>

namespace crm {

// The pairs of every <set_tag> child of `parent`, in document order. A name
// given twice keeps its first value and an nvpair without a name or a value
// is passed over, as the peer's populate_hash; rules are not looked at.
// Empty when `parent` is null.
std::map<std::string, std::string> nvpair_values(const xmlNode* parent, const char* set_tag);

// The first <nvpair name="`name`"> in any <set_tag> child of `parent`;
// nullptr when there is none (or `parent` is null).
xmlNode* find_nvpair(const xmlNode* parent, const char* set_tag, std::string_view name);

}  // namespace crm
