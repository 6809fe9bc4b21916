#include "crm/core/boolean.h"

#include <strings.h>

#include <string>

namespace crm {

bool is_true(std::string_view value) {
  std::string v(value);
  for (const char* yes : {"true", "on", "yes", "y", "1"}) {
    if (strcasecmp(v.c_str(), yes) == 0) return true;
  }
  return false;
}

}  // namespace crm
