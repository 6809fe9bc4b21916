// RelaxNG validation of the CIB with libxml2, errors captured per call and
// rewritten to name the element, its id, the attribute and the line.
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include <charconv>
#include <map>
#include <set>

#include "crm/cib/cib.h"

namespace crm::cib {

namespace {
// Per element name, every attribute the schema declares for it anywhere
// (used to say which attribute is unknown; libxml2 does not).
struct AttributeIndex {
  std::map<std::string, std::set<std::string>, std::less<>> attributes;
  std::set<std::string, std::less<>> open_elements;  // elements that take any attribute
};
}  // namespace

struct Schema::Impl {
  xmlRelaxNGPtr rng = nullptr;
  AttributeIndex index;
  ~Impl() {
    if (rng) xmlRelaxNGFree(rng);
  }
};

namespace {

struct Collector {
  std::vector<std::string> raw;
  std::vector<std::pair<xmlNode*, std::string>> items;
  int line = 0;
  static void handler(void* ctx, xmlErrorPtr error) {
    auto* self = static_cast<Collector*>(ctx);
    if (!error) return;
    std::string msg = error->message ? error->message : "unknown error";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    if (self->items.size() >= 200) return;
    xmlNode* node = static_cast<xmlNode*>(error->node);
    if (node && node->type != XML_ELEMENT_NODE) node = nullptr;
    std::string where;
    if (!node && error->line > 0) where = "line " + std::to_string(error->line) + ": ";
    self->items.emplace_back(node, where + msg);
  }
};

// Gathers the attribute names declared inside `element` (following refs,
// stopping at nested elements).
void gather(const xmlNode* n, const std::map<std::string, std::vector<xmlNode*>>& defines,
            std::set<std::string>& names, bool& any, std::set<std::string>& seen_refs, int depth) {
  if (depth > 64) return;
  for (xmlNode* c : xml::children(n)) {
    if (xml::is(c, "element")) continue;
    if (xml::is(c, "attribute")) {
      if (auto name = xml::attr(c, "name")) {
        names.insert(*name);
      } else if (xml::first_child(c, "anyName")) {
        any = true;
      } else if (xmlNode* nm = xml::first_child(c, "name")) {
        xmlChar* t = xmlNodeGetContent(nm);
        if (t) names.insert(reinterpret_cast<char*>(t));
        xmlFree(t);
      }
      continue;
    }
    if (xml::is(c, "ref")) {
      std::string target = xml::attr_or(c, "name");
      if (!seen_refs.insert(target).second) continue;
      auto it = defines.find(target);
      if (it != defines.end()) {
        for (xmlNode* d : it->second) gather(d, defines, names, any, seen_refs, depth + 1);
      }
      continue;
    }
    gather(c, defines, names, any, seen_refs, depth + 1);
  }
}

void index_attributes(const std::vector<xml::DocPtr>& docs, AttributeIndex& impl) {
  std::map<std::string, std::vector<xmlNode*>> defines;
  std::vector<xmlNode*> elements;
  for (const auto& d : docs) {
    std::vector<xmlNode*> stack{xml::root(d)};
    while (!stack.empty()) {
      xmlNode* n = stack.back();
      stack.pop_back();
      if (xml::is(n, "define")) defines[xml::attr_or(n, "name")].push_back(n);
      if (xml::is(n, "element") && xml::has_attr(n, "name")) elements.push_back(n);
      for (xmlNode* c : xml::children(n)) stack.push_back(c);
    }
  }
  for (xmlNode* e : elements) {
    std::set<std::string> names;
    std::set<std::string> seen;
    bool any = false;
    gather(e, defines, names, any, seen, 0);
    std::string name = xml::attr_or(e, "name");
    impl.attributes[name].insert(names.begin(), names.end());
    if (any) impl.open_elements.insert(name);
  }
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// "line 12: primitive 'db'"
std::string where(const xmlNode* n) {
  std::string out = "line " + std::to_string(xml::line(n)) + ": " + std::string(xml::name(n));
  if (auto id = xml::attr(n, "id")) out += " '" + *id + "'";
  return out;
}

std::string explain(const AttributeIndex& impl, xmlNode* node, const std::string& msg) {
  if (!node) return msg;
  std::string prefix = where(node) + ": ";
  std::string_view name = xml::name(node);
  auto known = impl.attributes.find(name);
  if (msg.find("failed to validate attributes") != std::string::npos && known != impl.attributes.end() &&
      !impl.open_elements.count(std::string(name))) {
    std::set<std::string> unknown;
    for (const xmlAttr* a = node->properties; a; a = a->next) {
      std::string an = reinterpret_cast<const char*>(a->name);
      if (!known->second.count(an)) unknown.insert(an);
    }
    if (!unknown.empty()) {
      return prefix + "unknown attribute" + (unknown.size() > 1 ? "s '" : " '") + join(unknown) +
             "' (allowed: " + join(known->second) + ")";
    }
    return prefix + "attributes do not fit the schema: a required one is missing, a value is not allowed, "
                    "or two exclude each other (allowed: " + join(known->second) + ")";
  }
  // "Invalid attribute epoch for element cib": say what its value was.
  const std::string kInvalid = "Invalid attribute ";
  if (msg.compare(0, kInvalid.size(), kInvalid) == 0) {
    std::string an = msg.substr(kInvalid.size());
    an = an.substr(0, an.find(' '));
    if (auto value = xml::attr(node, an.c_str())) {
      return prefix + "attribute " + an + "=\"" + *value + "\" is not allowed here or has a bad value";
    }
  }
  // "Type integer doesn't allow value 'abc'" / "Error validating value": name the attribute.
  auto v = msg.find("value '");
  if (v != std::string::npos) {
    std::string value = msg.substr(v + 7);
    if (!value.empty() && value.back() == '\'') value.pop_back();
    for (const xmlAttr* a = node->properties; a; a = a->next) {
      const char* an = reinterpret_cast<const char*>(a->name);
      if (xml::attr(node, an) == value) return prefix + "attribute " + an + "=\"" + value + "\": " + msg;
    }
  }
  return prefix + msg;
}

bool supported_version(const std::string& v, std::string* why) {
  if (v == "none" || v == "pacemaker-next") return true;
  const std::string prefix = "pacemaker-";
  if (v.compare(0, prefix.size(), prefix) != 0) {
    *why = "validate-with=\"" + v + "\" is not a schema we know (pacemaker-1.0 .. pacemaker-3.x, or none)";
    return false;
  }
  int major = -1;
  const char* b = v.data() + prefix.size();
  auto [p, ec] = std::from_chars(b, v.data() + v.size(), major);
  if (ec != std::errc() || major < 1 || major > 3) {
    *why = "validate-with=\"" + v + "\" is outside the pacemaker-1.0 .. pacemaker-3.x family this schema covers";
    return false;
  }
  return true;
}

// libxml2's RelaxNG engine backtracks on a failing recursive pattern (a rule
// inside a rule), doubling its work per level: 16 nested invalid rules take
// half a second, 24 minutes. Real configurations nest rules two or three
// deep, so deeper documents are refused before validation.
constexpr int kMaxRuleNesting = 8;
constexpr int kMaxDepth = 40;

std::string too_deep(const xmlDoc* doc) {
  struct Item {
    const xmlNode* node;
    int depth;
    int rules;
  };
  std::vector<Item> stack{{xmlDocGetRootElement(doc), 1, 0}};
  while (!stack.empty()) {
    Item it = stack.back();
    stack.pop_back();
    if (!it.node) continue;
    int rules = it.rules + (xml::is(it.node, "rule") ? 1 : 0);
    if (rules > kMaxRuleNesting) {
      return where(it.node) + ": rules nested more than " + std::to_string(kMaxRuleNesting) +
             " deep are not accepted";
    }
    if (it.depth > kMaxDepth) {
      return where(it.node) + ": elements nested more than " + std::to_string(kMaxDepth) +
             " deep are not accepted";
    }
    for (const xmlNode* c = it.node->children; c; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) stack.push_back({c, it.depth + 1, rules});
    }
  }
  return "";
}

}  // namespace

Result<Schema> Schema::load(const std::string& schema_dir) {
  const std::string path = schema_dir + "/cib.rng";
  auto impl = std::make_shared<Impl>();
  Collector errors;
  xmlRelaxNGParserCtxtPtr pctx = xmlRelaxNGNewParserCtxt(path.c_str());
  if (!pctx) return io_error("cannot read schema " + path);
  xmlRelaxNGSetParserStructuredErrors(pctx, &Collector::handler, &errors);
  // Included files are read by the parser itself; keep its generic errors quiet too.
  xmlSetStructuredErrorFunc(&errors, &Collector::handler);
  impl->rng = xmlRelaxNGParse(pctx);
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  xmlRelaxNGFreeParserCtxt(pctx);
  if (!impl->rng) {
    std::string why = errors.items.empty() ? "unreadable or invalid schema" : errors.items.front().second;
    return io_error("loading schema " + path + ": " + why);
  }
  std::vector<xml::DocPtr> docs;
  for (const char* f : {"cib.rng", "rules.rng", "nodes.rng", "resources.rng", "constraints.rng", "status.rng",
                        "extras.rng"}) {
    auto d = xml::parse_file(schema_dir + "/" + f);
    if (d.ok()) docs.push_back(std::move(d).value());
  }
  index_attributes(docs, impl->index);
  Schema s;
  s.impl_ = std::move(impl);
  return s;
}

std::vector<std::string> Schema::errors(const xmlDoc* doc) const {
  std::vector<std::string> out;
  if (!impl_ || !impl_->rng) {
    out.push_back("no schema loaded");
    return out;
  }
  if (std::string deep = too_deep(doc); !deep.empty()) {
    out.push_back(deep);
    return out;
  }
  Collector errs;
  xmlRelaxNGValidCtxtPtr vctx = xmlRelaxNGNewValidCtxt(impl_->rng);
  xmlRelaxNGSetValidStructuredErrors(vctx, &Collector::handler, &errs);
  int rc = xmlRelaxNGValidateDoc(vctx, const_cast<xmlDoc*>(doc));
  xmlRelaxNGFreeValidCtxt(vctx);
  std::set<std::string> seen;
  for (auto& [node, msg] : errs.items) {
    // libxml2 follows a precise error with "X has extra content: Y" for each
    // ancestor; those say nothing new once the precise one is there.
    if (!out.empty() && msg.find("has extra content") != std::string::npos) continue;
    std::string text = explain(impl_->index, node, msg);
    if (seen.insert(text).second) out.push_back(text);
  }
  if (rc != 0 && out.empty()) out.push_back("document does not match the schema");
  return out;
}

std::vector<std::string> Schema::errors(const Cib& cib) const {
  std::string v = xml::attr_or(cib.root(), "validate-with");
  std::string why;
  if (!v.empty() && !supported_version(v, &why)) return {"line " + std::to_string(xml::line(cib.root())) + ": cib: " + why};
  if (v == "none") return {};
  return errors(cib.doc());
}

Status Schema::validate(const Cib& cib) const {
  std::string v = xml::attr_or(cib.root(), "validate-with");
  std::string why;
  if (!v.empty() && !supported_version(v, &why)) {
    return not_supported("line " + std::to_string(xml::line(cib.root())) + ": cib: " + why);
  }
  std::vector<std::string> errs = errors(cib);
  if (errs.empty()) return Status::Ok();
  std::string msg = "schema: " + errs.front();
  if (errs.size() > 1) msg += " (and " + std::to_string(errs.size() - 1) + " more)";
  return schema_invalid(msg);
}

}  // namespace crm::cib
