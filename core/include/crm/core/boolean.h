// Booleans as the CIB and agents' meta-data write them. One rule for every
// component (the peer's crm_is_true): "true", "on", "yes", "y" and "1", in
// any case, are true; everything else (including "") is false.
//
//   if (crm::is_true(xml::attr_or(node, "in_ccm"))) ...
#pragma once

#include <string_view>

namespace crm {

bool is_true(std::string_view value);

}  // namespace crm
