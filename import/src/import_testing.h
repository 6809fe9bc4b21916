// Helpers for the importers' tests: test data, golden files (rewritten when
// IMPORT_UPDATE_GOLDEN=1; commit a rewrite only when its diff is understood)
// and crm_verify on the imported configuration.
#pragma once

#include <string>

#include "crm/import/import.h"

namespace crm::import::testing {

// A file under import/testdata, named in messages by its path there.
Source testdata(const std::string& relative);
std::string testdata_path(const std::string& relative);

// Compares `actual` with testdata/`relative` (or rewrites it in update mode).
void expect_golden(const std::string& actual, const std::string& relative);

struct VerifyResult {
  int exit_code;
  std::string output;  // stdout + stderr
};
// Runs build/bin/crm_verify -V -x on the configuration wrapped in a <cib>;
// with `add_fence_device`, after adding a fence_ipmilan stonith primitive
// (what the report's fencing to-do asks the administrator for).
VerifyResult crm_verify(const Imported& imported, bool add_fence_device = false);

// crm_verify accepts the output. A source without fencing keeps
// stonith-enabled=true, which crm_verify refuses with exactly its three
// "no STONITH resources" lines and nothing else; with a fence device added
// it must pass.
void expect_verified(const Imported& imported, bool source_has_fencing);

}  // namespace crm::import::testing
