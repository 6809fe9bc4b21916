// diff/apply_patch: our own patch format (docs/cib.md).
//
//   <diff from="0.5.2" to="0.6.0" digest="<md5 of the new configuration>">
//     <set-attrs xpath="/cib"><attr name="epoch" value="6"/><unset name="x"/></set-attrs>
//     <remove xpath="/cib/configuration/resources/primitive[@id='old']"/>
//     <add parent-xpath="/cib/configuration/resources" position="2"><primitive id="new" .../></add>
//     <replace xpath="..."><element .../></replace>
//   </diff>
//
// Operations apply in order; each xpath names exactly one element in the
// document as it is when that operation runs. diff() emits, per element, first
// its attribute changes, then removals of children (last first), then the
// children of the new version in order: added ones at their position, kept
// ones recursed into. Children are matched by name and id (or by position among
// same-name siblings without ids); kept children keep their relative order
// (longest increasing subsequence), others move by remove + add.
#include <algorithm>
#include <map>

#include "crm/cib/canonical.h"
#include "crm/cib/cib.h"

namespace crm::cib {
namespace {

struct Slot {
  std::string name;
  std::optional<std::string> id;
};

std::string xpath_literal_or_empty(const std::string& s) {
  if (s.find('\'') == std::string::npos) return "'" + s + "'";
  if (s.find('"') == std::string::npos) return "\"" + s + "\"";
  return "";
}

// The sibling list of one element as it is while the patch is being applied,
// with counts so that a path step costs O(1) when the element has a unique id.
class Siblings {
 public:
  size_t size() const { return slots_.size(); }
  void insert(size_t i, Slot slot) {
    count(slot, +1);
    slots_.insert(slots_.begin() + static_cast<long>(i), std::move(slot));
  }
  void erase(size_t i) {
    count(slots_[i], -1);
    slots_.erase(slots_.begin() + static_cast<long>(i));
  }
  // The path step for element i among its siblings.
  std::string step(size_t i) const {
    const Slot& me = slots_[i];
    if (me.id) {
      auto it = by_id_.find({me.name, *me.id});
      std::string lit = xpath_literal_or_empty(*me.id);
      if (it != by_id_.end() && it->second == 1 && !lit.empty()) return me.name + "[@id=" + lit + "]";
    } else if (auto it = by_name_.find(me.name); it != by_name_.end() && it->second == 1) {
      return me.name;
    }
    int k = 1;
    for (size_t j = 0; j < i; ++j) {
      if (slots_[j].name == me.name) ++k;
    }
    return me.name + "[" + std::to_string(k) + "]";
  }

 private:
  void count(const Slot& s, int delta) {
    by_name_[s.name] += delta;
    if (s.id) by_id_[{s.name, *s.id}] += delta;
  }
  std::vector<Slot> slots_;
  std::map<std::string, int> by_name_;
  std::map<std::pair<std::string, std::string>, int> by_id_;
};

Slot slot_of(const xmlNode* n) { return {std::string(xml::name(n)), xml::attr(n, "id")}; }

std::vector<std::string> keys_of(const std::vector<xmlNode*>& kids) {
  std::map<std::string, int> seen;
  std::vector<std::string> out;
  for (xmlNode* k : kids) {
    std::string base = std::string(xml::name(k)) + '\x01' + (xml::attr(k, "id") ? "i" + *xml::attr(k, "id") : "-");
    out.push_back(base + '\x01' + std::to_string(seen[base]++));
  }
  return out;
}

// Non-element content (text, comments) with elements as placeholders; empty
// when there is none, so adding or removing elements alone does not count.
std::string shape(const xmlNode* n) {
  std::string out;
  bool any_content = false;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      out += "\x02";
    } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE || c->type == XML_COMMENT_NODE) {
      std::string content = c->content ? reinterpret_cast<const char*>(c->content) : "";
      bool blank = std::all_of(content.begin(), content.end(), [](char ch) { return isspace(static_cast<unsigned char>(ch)); });
      if (c->type != XML_COMMENT_NODE && blank) continue;
      any_content = true;
      out += c->type == XML_COMMENT_NODE ? "\x03" : "\x04";
      out += content;
      out += '\x05';
    }
  }
  return any_content ? out : std::string();
}

// Indices (into `seq`) of one longest strictly increasing subsequence.
std::vector<size_t> lis(const std::vector<int>& seq) {
  std::vector<size_t> tails, prev(seq.size(), SIZE_MAX);
  for (size_t i = 0; i < seq.size(); ++i) {
    auto it = std::lower_bound(tails.begin(), tails.end(), seq[i], [&](size_t t, int v) { return seq[t] < v; });
    if (it != tails.begin()) prev[i] = *(it - 1);
    if (it == tails.end()) {
      tails.push_back(i);
    } else {
      *it = i;
    }
  }
  std::vector<size_t> out;
  for (size_t i = tails.empty() ? SIZE_MAX : tails.back(); i != SIZE_MAX; i = prev[i]) out.push_back(i);
  std::reverse(out.begin(), out.end());
  return out;
}

class Differ {
 public:
  explicit Differ(xmlNode* out) : out_(out) {}

  void element(const xmlNode* a, const xmlNode* b, const std::string& path) {
    std::vector<xmlNode*> ka = xml::children(a), kb = xml::children(b);
    std::vector<std::string> keys_a = keys_of(ka), keys_b = keys_of(kb);
    // Text or comments among the children: positions would have to count them
    // too; such elements are rare in a CIB, so they are replaced whole when
    // their content or their list of children changes.
    const std::string shape_a = shape(a);
    if (shape_a != shape(b) || (!shape_a.empty() && keys_a != keys_b)) {
      xmlNode* op = xml::add_child(out_, "replace");
      xml::set_attr(op, "xpath", path);
      xmlAddChild(op, xmlDocCopyNode(const_cast<xmlNode*>(b), out_->doc, 1));
      return;
    }
    attributes(a, b, path);
    std::map<std::string, int> index_b;
    for (size_t i = 0; i < keys_b.size(); ++i) index_b[keys_b[i]] = static_cast<int>(i);
    // Matched old children, in old order, with their new index.
    std::vector<size_t> matched_a;
    std::vector<int> matched_b;
    for (size_t i = 0; i < keys_a.size(); ++i) {
      auto it = index_b.find(keys_a[i]);
      if (it != index_b.end()) {
        matched_a.push_back(i);
        matched_b.push_back(it->second);
      }
    }
    std::vector<bool> keep_a(ka.size(), false);
    std::vector<int> partner_of_b(kb.size(), -1);
    for (size_t j : lis(matched_b)) {
      keep_a[matched_a[j]] = true;
      partner_of_b[matched_b[j]] = static_cast<int>(matched_a[j]);
    }
    // Removals, last first, so earlier siblings keep their positions.
    Siblings current;
    for (xmlNode* k : ka) current.insert(current.size(), slot_of(k));
    for (size_t i = ka.size(); i-- > 0;) {
      if (keep_a[i]) continue;
      xmlNode* op = xml::add_child(out_, "remove");
      xml::set_attr(op, "xpath", path + "/" + current.step(i));
      current.erase(i);
    }
    // The new children in order.
    for (size_t i = 0; i < kb.size(); ++i) {
      if (partner_of_b[i] >= 0) {
        element(ka[static_cast<size_t>(partner_of_b[i])], kb[i], path + "/" + current.step(i));
      } else {
        xmlNode* op = xml::add_child(out_, "add");
        xml::set_attr(op, "parent-xpath", path);
        xml::set_attr(op, "position", std::to_string(i));
        xmlAddChild(op, xmlDocCopyNode(kb[i], out_->doc, 1));
        current.insert(i, slot_of(kb[i]));
      }
    }
  }

 private:
  void attributes(const xmlNode* a, const xmlNode* b, const std::string& path) {
    xmlNode* op = nullptr;
    auto need_op = [&] {
      if (!op) {
        op = xml::add_child(out_, "set-attrs");
        xml::set_attr(op, "xpath", path);
      }
      return op;
    };
    for (const xmlAttr* p = b->properties; p; p = p->next) {
      const char* name = reinterpret_cast<const char*>(p->name);
      auto vb = xml::attr(b, name);
      if (xml::attr(a, name) != vb) {
        xmlNode* set = xml::add_child(need_op(), "attr");
        xml::set_attr(set, "name", name);
        xml::set_attr(set, "value", vb.value_or(""));
      }
    }
    for (const xmlAttr* p = a->properties; p; p = p->next) {
      const char* name = reinterpret_cast<const char*>(p->name);
      if (!xml::has_attr(b, name)) xml::set_attr(xml::add_child(need_op(), "unset"), "name", name);
    }
  }

  xmlNode* out_;
};

Result<xmlNode*> one(const xmlDoc* doc, const std::string& xpath, const xmlNode* op) {
  auto found = xml::xpath(doc, xpath);
  std::string where = "patch line " + std::to_string(xml::line(op)) + ": " + std::string(xml::name(op));
  if (!found.ok()) return parse_error(where + ": " + found.status().message());
  if (found->size() != 1) {
    return invalid_argument(where + ": '" + xpath + "' matches " + std::to_string(found->size()) +
                            " elements, expected exactly one");
  }
  return found->front();
}

Status apply_one(xmlDoc* doc, const xmlNode* op) {
  std::string_view kind = xml::name(op);
  std::string where = "patch line " + std::to_string(xml::line(op)) + ": " + std::string(kind);
  if (kind == "set-attrs") {
    ASSIGN_OR_RETURN(xmlNode * target, one(doc, xml::attr_or(op, "xpath"), op));
    for (xmlNode* c : xml::children(op)) {
      auto name = xml::attr(c, "name");
      if (!name || name->empty()) return parse_error(where + ": <" + std::string(xml::name(c)) + "> without a name");
      if (xml::is(c, "attr")) {
        xml::set_attr(target, name->c_str(), xml::attr_or(c, "value"));
      } else if (xml::is(c, "unset")) {
        xml::remove_attr(target, name->c_str());
      } else {
        return parse_error(where + ": unexpected <" + std::string(xml::name(c)) + ">");
      }
    }
    return Status::Ok();
  }
  if (kind == "remove") {
    ASSIGN_OR_RETURN(xmlNode * target, one(doc, xml::attr_or(op, "xpath"), op));
    if (target == xmlDocGetRootElement(doc)) return invalid_argument(where + ": cannot remove the root");
    xmlUnlinkNode(target);
    xmlFreeNode(target);
    return Status::Ok();
  }
  std::vector<xmlNode*> content = xml::children(op);
  if (kind == "add") {
    if (content.size() != 1) return parse_error(where + ": needs exactly one element to add");
    ASSIGN_OR_RETURN(xmlNode * parent, one(doc, xml::attr_or(op, "parent-xpath"), op));
    long position = -1;
    try {
      position = std::stol(xml::attr_or(op, "position", "-1"));
    } catch (...) {
      return parse_error(where + ": bad position");
    }
    xmlNode* fresh = xmlDocCopyNode(content[0], doc, 1);
    std::vector<xmlNode*> siblings = xml::children(parent);
    if (position < 0 || static_cast<size_t>(position) >= siblings.size()) {
      xmlAddChild(parent, fresh);
    } else {
      xmlAddPrevSibling(siblings[static_cast<size_t>(position)], fresh);
    }
    return Status::Ok();
  }
  if (kind == "replace") {
    if (content.size() != 1) return parse_error(where + ": needs exactly one replacement element");
    ASSIGN_OR_RETURN(xmlNode * target, one(doc, xml::attr_or(op, "xpath"), op));
    xmlNode* fresh = xmlDocCopyNode(content[0], doc, 1);
    if (target == xmlDocGetRootElement(doc)) {
      xmlDocSetRootElement(doc, fresh);
    } else {
      xmlReplaceNode(target, fresh);
    }
    xmlFreeNode(target);
    return Status::Ok();
  }
  return parse_error(where + ": unknown operation");
}

}  // namespace

Result<Patch> diff(const Cib& older, const Cib& newer) {
  Patch patch{xml::new_document("diff")};
  xmlNode* out = xml::root(patch.doc);
  xml::set_attr(out, "from", older.version().to_string());
  xml::set_attr(out, "to", newer.version().to_string());
  xml::set_attr(out, "digest", newer.digest());
  Differ(out).element(older.root(), newer.root(), "/cib");
  return patch;
}

Result<Patch> parse_patch(std::string_view xml_text, const std::string& source) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(xml_text, source));
  if (!xml::is(xml::root(doc), "diff")) return parse_error(source + ": root element is not <diff>");
  return Patch{std::move(doc)};
}

Status apply_patch(Cib& cib, const Patch& patch) {
  xmlNode* root = xml::root(patch.doc);
  if (!xml::is(root, "diff")) return parse_error("patch: root element is not <diff>");
  ASSIGN_OR_RETURN(Version from, Version::parse(xml::attr_or(root, "from")));
  ASSIGN_OR_RETURN(Version to, Version::parse(xml::attr_or(root, "to")));
  Version at = cib.version();
  if (at > from) {
    return Status(StatusCode::kOutdated, "patch from " + from.to_string() + " to " + to.to_string() +
                                             " is older than the CIB (" + at.to_string() + ")");
  }
  if (at < from) {
    return invalid_argument("patch applies to " + from.to_string() + " but the CIB is at " + at.to_string() +
                            ": a full copy is needed");
  }
  Cib work = cib.copy();
  for (xmlNode* op : xml::children(root)) RETURN_IF_ERROR(apply_one(work.doc(), op));
  if (!xml::is(work.root(), "cib")) return parse_error("patch: the result's root is not <cib>");
  if (work.version() != to) {
    return internal_error("patch to " + to.to_string() + " left the CIB at " + work.version().to_string());
  }
  if (auto digest = xml::attr(root, "digest"); digest && *digest != work.digest()) {
    return config_invalid("patch to " + to.to_string() + ": the configuration's digest after applying is " +
                          work.digest() + ", the patch expects " + *digest);
  }
  cib = std::move(work);
  return Status::Ok();
}

}  // namespace crm::cib
