// Features of the CIB format that the model parses, validates and round-trips
// but whose meaning check_configuration does not check (and no crm component
// is known to interpret yet). crm_verify and the corpus tests report them by
// name so nothing is silently accepted.
//
//   for (const Feature& f : unsupported_features(cib)) warn(f.name + ": " + f.why);
#pragma once

#include <string>
#include <vector>

#include "crm/cib/cib.h"

namespace crm::cib {

struct Feature {
  std::string name;  // "bundle", "acls", "rsc_ticket", ...
  std::string why;   // what is missing
  long line = 0;     // first place it is used
  size_t count = 0;  // how many elements use it
};

// Empty when the document uses only what crm supports.
std::vector<Feature> unsupported_features(const Cib& cib);

}  // namespace crm::cib
