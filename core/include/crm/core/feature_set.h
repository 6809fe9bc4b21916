// The CRM feature set this stack speaks: the peer's version number for what
// its components understand of each other (Pacemaker 2.1.5 says 3.16.2).
// Operation records carry it, and agents read it (OCF_RESKEY_crm_feature_set:
// resource-agents' ocf_promotion_score uses crm_attribute --promotion from
// 3.10.0 on).
#pragma once

namespace crm {

inline constexpr const char* kFeatureSet = "3.16.2";

}  // namespace crm
