// libFuzzer target for the CIB model: parse, schema validation, semantic
// checks, feature detection, and the invariants that must hold for any
// document we accept: serialize -> parse is canonically equal, and a patch
// from an empty CIB rebuilds the document. A violated invariant aborts.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

#include "crm/cib/canonical.h"
#include "crm/cib/cib.h"
#include "crm/cib/features.h"

namespace {

const crm::cib::Schema* schema() {
  static const crm::cib::Schema* s = [] {
    const char* dir = std::getenv("CRM_SCHEMA_DIR");
    auto loaded = crm::cib::Schema::load(dir && *dir ? dir : CRM_SCHEMA_DIR);
    if (!loaded.ok()) {
      std::fprintf(stderr, "cib_fuzz: %s\n", loaded.status().to_string().c_str());
      std::abort();
    }
    return new crm::cib::Schema(std::move(loaded).value());
  }();
  return s;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "cib_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crm::cib;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cib = Cib::parse(text, "fuzz");
  if (!cib.ok()) return 0;
  const bool valid = schema()->validate(*cib).ok();
  (void)schema()->errors(*cib);
  (void)check_configuration(*cib);
  (void)unsupported_features(*cib);
  (void)cib->digest();
  (void)cib->version().to_string();
  if (!valid) return 0;
  // Invariants for schema-valid documents.
  const CanonicalOptions all{.comments = true};
  auto again = Cib::parse(cib->serialize(true), "fuzz-reread");
  check(again.ok(), "a serialized valid CIB parses again");
  check(canonical_equal(cib->root(), again->root(), all), "serialize -> parse round-trips");
  Cib base = Cib::empty();
  base.set_version(cib->version());
  auto patch = diff(base, *cib);
  check(patch.ok(), "diff succeeds");
  crm::Status applied = apply_patch(base, *patch);
  check(applied.ok(), "a fresh patch applies");
  check(canonical_equal(base.root(), cib->root(), all), "apply(diff(empty, cib)) == cib");
  // cibadmin-style changes must never crash, whatever they return.
  Cib work = cib->copy();
  for (xmlNode* section : crm::xml::children(work.configuration())) {
    for (xmlNode* child : crm::xml::children(section)) {
      (void)work.modify(crm::xml::name(section), child);
      (void)work.create(crm::xml::name(section), child);
      break;
    }
  }
  return 0;
}
