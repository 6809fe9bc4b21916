#include "crm/core/nvpair.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "crm/core/score.h"
#include "crm/core/xml.h"

namespace crm {

namespace {

// The element an id-ref="X" stands for (the element itself without one, or
// when X is not found).
xmlNode* dereference(xmlNode* e, const char* tag) {
  auto ref = xml::attr(e, "id-ref");
  if (!ref) return e;
  auto found = xml::xpath(e->doc, "//" + std::string(tag) + "[@id='" + *ref + "']");
  return found.ok() && !found->empty() ? found->front() : e;
}

}  // namespace

std::map<std::string, std::string> nvpair_values(const xmlNode* parent, const char* set_tag,
                                                 const RulePredicate& rule_holds) {
  std::map<std::string, std::string> out;
  if (!parent) return out;
  std::vector<std::pair<int, xmlNode*>> sets;  // (-score * 1000 + position, set)
  int pos = 0;
  for (xmlNode* set : xml::children(parent, set_tag)) {
    xmlNode* real = dereference(set, set_tag);
    Score score = 0;
    if (auto s = xml::attr(real, "score")) {
      if (auto v = parse_score(*s); v.ok()) score = *v;
    }
    sets.push_back({-score * 1000 + pos++, real});
  }
  std::stable_sort(sets.begin(), sets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, set] : sets) {
    if (rule_holds) {
      if (xmlNode* rule = xml::first_child(set, "rule"); rule && !rule_holds(rule)) continue;
    }
    for (xmlNode* nv : xml::children(set, "nvpair")) {
      xmlNode* real = dereference(nv, "nvpair");
      auto name = xml::attr(real, "name");
      if (!name) continue;
      auto value = xml::attr(real, "value");
      if (!value) continue;
      out.emplace(std::move(*name), std::move(*value));
    }
  }
  return out;
}

xmlNode* find_nvpair_in(const xmlNode* parent, const char* set_tag, std::string_view set_id,
                        const std::function<bool(const xmlNode* nvpair)>& match, xmlNode** set_out) {
  if (!parent) return nullptr;
  for (xmlNode* set : xml::children(parent, set_tag)) {
    if (!set_id.empty() && xml::attr_or(set, "id") != set_id) continue;
    for (xmlNode* nv : xml::children(set, "nvpair")) {
      if (!match(nv)) continue;
      if (set_out) *set_out = set;
      return nv;
    }
  }
  return nullptr;
}

xmlNode* find_nvpair(const xmlNode* parent, const char* set_tag, std::string_view name) {
  return find_nvpair_in(parent, set_tag, {}, [name](const xmlNode* nv) { return xml::attr_or(nv, "name") == name; });
}

}  // namespace crm
