#include "crm/core/nvpair.h"

#include "crm/core/xml.h"

namespace crm {

std::map<std::string, std::string> nvpair_values(const xmlNode* parent, const char* set_tag) {
  std::map<std::string, std::string> out;
  if (!parent) return out;
  for (xmlNode* set : xml::children(parent, set_tag)) {
    for (xmlNode* nv : xml::children(set, "nvpair")) {
      auto name = xml::attr(nv, "name");
      if (!name) continue;
      auto value = xml::attr(nv, "value");
      if (!value) continue;
      out.emplace(std::move(*name), std::move(*value));
    }
  }
  return out;
}

xmlNode* find_nvpair(const xmlNode* parent, const char* set_tag, std::string_view name) {
  if (!parent) return nullptr;
  for (xmlNode* set : xml::children(parent, set_tag)) {
    for (xmlNode* nv : xml::children(set, "nvpair")) {
      if (xml::attr_or(nv, "name") == name) return nv;
    }
  }
  return nullptr;
}

}  // namespace crm
