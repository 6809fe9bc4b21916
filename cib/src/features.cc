#include "crm/cib/features.h"

#include <map>

namespace crm::cib {
namespace {

struct Rule {
  const char* feature;
  const char* xpath;
  const char* why;
};

// What the model parses, validates and round-trips, but whose meaning no part
// of crm interprets yet. Keep in step with docs/cib.md.
constexpr Rule kRules[] = {
    {"bundle", "/cib/configuration/resources/bundle", "container bundles are not modelled"},
    {"rsc-pattern", "//rsc_location[@rsc-pattern]", "location constraints by pattern are not expanded"},
    {"rsc_expression", "//rule/rsc_expression", "rsc_expression rules are not evaluated"},
    {"op_expression", "//rule/op_expression", "op_expression rules are not evaluated"},
    {"value-source", "//expression[@value-source and @value-source!='literal']",
     "expressions against resource parameters are not evaluated"},
    {"lifetime", "//lifetime", "legacy constraint lifetimes are ignored"},
};

}  // namespace

std::vector<Feature> unsupported_features(const Cib& cib) {
  std::vector<Feature> out;
  for (const Rule& r : kRules) {
    auto found = xml::xpath(cib.doc(), r.xpath);
    if (!found.ok() || found->empty()) continue;
    out.push_back({r.feature, r.why, xml::line(found->front()), found->size()});
  }
  return out;
}

}  // namespace crm::cib
