// The schemas a fuzz target validates with, loaded once ($CRM_SCHEMA_DIR,
// else the source tree's); a target cannot run without them.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "crm/cib/cib.h"

namespace crm::fuzz {

inline const cib::Schema* schema() {
  static const cib::Schema* s = [] {
    const char* dir = std::getenv("CRM_SCHEMA_DIR");
    auto loaded = cib::Schema::load(dir && *dir ? dir : CRM_SCHEMA_DIR);
    if (!loaded.ok()) {
      std::fprintf(stderr, "fuzz: %s\n", loaded.status().to_string().c_str());
      std::abort();
    }
    return new cib::Schema(std::move(loaded).value());
  }();
  return s;
}

}  // namespace crm::fuzz
