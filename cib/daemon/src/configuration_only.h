// Private to cib/daemon. Configuration changes are made in place and their
// patch is written from the edit's record (cib.h, CibEdit). When that record
// cannot be written as a patch, the documents are compared instead, and then
// the status, most of a busy cluster's CIB, is left out of the copies when
// the request cannot touch it.
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

// apply_patch from the patch's text (in place, all or nothing). Replicas and
// the store's journal replay apply patches with it.
Status apply_patch_text(Cib& cib, std::string_view patch_text);

}  // namespace crm::cib
