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
#include "fuzz_schema.h"
#include "crm/cib/features.h"

namespace {

const crm::cib::Schema* schema() { return crm::fuzz::schema(); }

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
  // A patch must go to a newer version (apply_patch checks it, as the
  // peer): from an empty CIB at 0.0.0, for a document past 0.0.0.
  if (Version{} < cib->version()) {
    Cib base = Cib::empty();
    auto patch = diff(base, *cib);
    // The one documented failure: text directly under <cib> (possible with
    // validate-with="none"), which a v2 patch cannot express.
    if (!patch.ok()) {
      check(patch.status().code() == crm::StatusCode::kInvalidArgument &&
                patch.status().message().find("directly under") != std::string::npos,
            "diff fails only as documented");
      return 0;
    }
    crm::Status applied = apply_patch(base, *patch);
    check(applied.ok(), "a fresh patch applies");
    check(canonical_equal(base.root(), cib->root(), all), "apply(diff(empty, cib)) == cib");
  }
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
