// crm_attribute / crm_standby: get, set and delete one attribute in a CIB
// scope: cluster options (crm_config), resource and operation defaults,
// a node's permanent attributes (nodes section, lifetime "forever") or its
// transient ones (status section, lifetime "reboot").
#pragma once

namespace crm::tools {

enum class AttributeTool { kCrmAttribute, kCrmStandby };

// The whole tool: parses argv, performs the command, returns the exit status.
int attribute_main(int argc, char** argv, AttributeTool tool);

}  // namespace crm::tools
