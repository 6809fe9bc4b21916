#include "crm/lrmd/metadata.h"
#include "crm/core/duration.h"

#include <cctype>

#include "crm/core/boolean.h"
#include "crm/core/xml.h"

namespace crm::lrmd {
namespace {

std::string text_of(xmlNode* node) {
  if (!node) return "";
  xmlChar* c = xmlNodeGetContent(node);
  std::string s = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  // Collapse surrounding whitespace.
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

const AgentParameter* AgentMetadata::parameter(const std::string& param_name) const {
  for (const auto& p : parameters) {
    if (p.name == param_name) return &p;
  }
  return nullptr;
}

const AgentAction* AgentMetadata::action(const std::string& action_name, uint32_t interval_ms) const {
  const AgentAction* best = nullptr;
  for (const auto& a : actions) {
    if (a.name != action_name) continue;
    if (interval_ms != 0) {
      if (a.interval_ms == interval_ms) return &a;
      continue;
    }
    if (!best || a.interval_ms < best->interval_ms) best = &a;
  }
  return best;
}

std::optional<uint32_t> AgentMetadata::default_timeout_ms(const std::string& action_name) const {
  const AgentAction* a = action(action_name);
  if (!a || a->timeout_ms == 0) return std::nullopt;
  return a->timeout_ms;
}

std::vector<std::string> AgentMetadata::missing_required(const std::map<std::string, std::string>& params,
                                                         const std::vector<std::string>& ignore) const {
  std::vector<std::string> missing;
  for (const auto& p : parameters) {
    if (!p.required) continue;
    bool ignored = false;
    for (const auto& i : ignore) ignored = ignored || i == p.name;
    if (ignored) continue;
    auto it = params.find(p.name);
    if (it == params.end() || it->second.empty()) missing.push_back(p.name);
  }
  return missing;
}

Result<AgentMetadata> parse_metadata(const std::string& xml_text, const std::string& source) {
  auto doc = xml::parse(xml_text, source + " meta-data");
  if (!doc.ok()) return doc.status();
  xmlNode* root = xml::root(*doc);
  if (!xml::is(root, "resource-agent")) {
    return parse_error(source + " meta-data: root element is <" + std::string(xml::name(root)) +
                       ">, expected <resource-agent>");
  }
  AgentMetadata md;
  md.name = xml::attr_or(root, "name");
  md.version = text_of(xml::first_child(root, "version"));
  md.shortdesc = xml::attr_or(root, "shortdesc");
  if (xmlNode* sd = xml::first_child(root, "shortdesc")) md.shortdesc = text_of(sd);
  md.longdesc = text_of(xml::first_child(root, "longdesc"));
  if (xmlNode* params = xml::first_child(root, "parameters")) {
    for (xmlNode* p : xml::children(params, "parameter")) {
      AgentParameter ap;
      ap.name = xml::attr_or(p, "name");
      if (ap.name.empty()) continue;
      ap.required = is_true(xml::attr_or(p, "required", "0"));
      ap.unique = is_true(xml::attr_or(p, "unique", "0"));
      ap.shortdesc = text_of(xml::first_child(p, "shortdesc"));
      ap.longdesc = text_of(xml::first_child(p, "longdesc"));
      if (xmlNode* c = xml::first_child(p, "content")) {
        ap.type = xml::attr_or(c, "type");
        if (auto d = xml::attr(c, "default")) ap.default_value = *d;
      }
      md.parameters.push_back(std::move(ap));
    }
  }
  if (xmlNode* actions = xml::first_child(root, "actions")) {
    for (xmlNode* a : xml::children(actions, "action")) {
      AgentAction aa;
      aa.name = xml::attr_or(a, "name");
      if (aa.name.empty()) continue;
      if (auto t = xml::attr(a, "timeout")) {
        auto ms = parse_duration(*t);
        if (ms.ok() && ms->count() <= UINT32_MAX) aa.timeout_ms = static_cast<uint32_t>(ms->count());
      }
      if (auto t = xml::attr(a, "interval")) {
        auto ms = parse_interval(*t);
        if (ms.ok() && ms->count() <= UINT32_MAX) aa.interval_ms = static_cast<uint32_t>(ms->count());
      }
      aa.depth = xml::attr_or(a, "depth");
      aa.role = xml::attr_or(a, "role");
      md.actions.push_back(std::move(aa));
    }
  }
  return md;
}

}  // namespace crm::lrmd
