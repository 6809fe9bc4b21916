// Name/value sets as the CIB writes them:
//
//   <primitive id="vip" ...>
//     <instance_attributes id="vip-ia">
//       <nvpair id="vip-ia-ip" name="ip" value="10.0.0.1"/>
//     </instance_attributes>
//     <meta_attributes id="vip-meta"> ... </meta_attributes>
//
//   auto params = nvpair_values(primitive, "instance_attributes");   // {ip: 10.0.0.1}
//   auto meta = nvpair_values(primitive, "meta_attributes",
//                             [&](xmlNode* rule) { return evaluate_rule(rule, ctx); });
//   if (xmlNode* nv = find_nvpair(crm_config, "cluster_property_set", "stonith-enabled")) ...
//
// The one reader of these sets (instance_attributes, meta_attributes,
// utilization, cluster_property_set, the status section's transient
// attributes), for every component: with rules (the policy engine passes its
// rule evaluation) and without.
#pragma once

#include <libxml/tree.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace crm {

// Tells whether a set's <rule> holds (the caller's context: node, date).
using RulePredicate = std::function<bool(xmlNode* rule)>;

// The pairs of every <set_tag> child of `parent`, as the peer's
// pe__unpack_dataset_nvpairs: sets by their score, highest first (document
// order among equals); a set or nvpair given as id-ref="X" is the element
// with id X; a name given twice keeps its first value; an nvpair without a
// name or a value is passed over. A set with a <rule> counts only when
// `rule_holds` says so; without `rule_holds` rules are not evaluated and
// every set counts. Empty when `parent` is null.
std::map<std::string, std::string> nvpair_values(const xmlNode* parent, const char* set_tag,
                                                 const RulePredicate& rule_holds = nullptr);

// The first <nvpair name="`name`"> in any <set_tag> child of `parent`;
// nullptr when there is none (or `parent` is null).
xmlNode* find_nvpair(const xmlNode* parent, const char* set_tag, std::string_view name);

// The first nvpair `match` accepts, in the <set_tag> child of `parent` whose
// id is `set_id` (in any, when `set_id` is empty), in document order; its set
// in *set_out when given. nullptr when there is none. (The tools' lookups
// for editing: crm_resource -p/-g/-d, crm_attribute.)
xmlNode* find_nvpair_in(const xmlNode* parent, const char* set_tag, std::string_view set_id,
                        const std::function<bool(const xmlNode* nvpair)>& match, xmlNode** set_out = nullptr);

}  // namespace crm
