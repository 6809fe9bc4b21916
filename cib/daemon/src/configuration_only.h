// Private to cib/daemon: configuration changes that cost what the
// configuration holds, not what the CIB holds. The status section is most of
// a busy cluster's CIB (every operation result of every resource on every
// node) and a configuration change never touches it, so such a change is
// made, validated and diffed on a copy without it, and only the
// configuration is put back.
#pragma once

#include "crm/cib/cib.h"
#include "crm/cib/request.h"

namespace crm::cib {

// True when `r` can change nothing but the configuration and <cib>'s own
// attributes: a section request on a configuration section, or a patch whose
// every change lies under /cib/configuration (or modifies <cib> itself).
bool changes_configuration_only(const Request& r);

// `cib` with an empty <status> (its attributes kept): everything else copied.
Cib without_status(const Cib& cib);

// Puts `from`'s configuration and <cib> attributes into `into` (whose status
// stays as it is).
void take_configuration(Cib& into, const Cib& from);

// apply_patch (all or nothing, so on a copy): a copy of the configuration
// alone when that is all the patch touches. Replicas and the store's journal
// replay apply patches with it.
Status apply_patch_text(Cib& cib, std::string_view patch_text);

}  // namespace crm::cib
