#include "crm/core/xml.h"

#include "crm/core/compress.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>

#include <cctype>
#include <unordered_set>

#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>

namespace crm::xml {
namespace {

// Collects libxml2's structured errors for one parse (libxml2 keeps the
// handler per thread, so concurrent parses in other threads are unaffected).
struct ErrorCollector {
  std::string first;
  int count = 0;
  static void handler(void* ctx, xmlErrorPtr error) {
    auto* self = static_cast<ErrorCollector*>(ctx);
    if (self->count++ == 0 && error && error->message) {
      std::string msg = error->message;
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      self->first = "line " + std::to_string(error->line) + ": " + msg;
    }
  }
};

struct ErrorScope {
  explicit ErrorScope(ErrorCollector* collector) {
    xmlSetStructuredErrorFunc(collector, &ErrorCollector::handler);
  }
  ~ErrorScope() { xmlSetStructuredErrorFunc(nullptr, nullptr); }
};

struct XPathContextDeleter {
  void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
};
struct XPathObjectDeleter {
  void operator()(xmlXPathObject* o) const { xmlXPathFreeObject(o); }
};

// NONET: never fetch; no NOENT/DTDLOAD: entities are not expanded; no HUGE:
// libxml2 keeps its depth and size limits.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOBLANKS;

// The parse's result, or the first error libxml2 reported (with its line).
Result<DocPtr> checked(xmlDoc* doc, const ErrorCollector& errors, const std::string& source) {
  if (doc == nullptr || errors.count > 0) {
    if (doc) xmlFreeDoc(doc);
    std::string why = errors.first.empty() ? "not a well-formed XML document" : errors.first;
    return parse_error(source + ": " + why);
  }
  if (xmlDocGetRootElement(doc) == nullptr) {
    xmlFreeDoc(doc);
    return parse_error(source + ": document has no root element");
  }
  return DocPtr(doc);
}

}  // namespace

Result<DocPtr> parse(std::string_view text, const std::string& source) {
  if (text.size() > kMaxDocumentBytes) {
    return parse_error(source + ": document is " + std::to_string(text.size()) + " bytes, more than the " +
                       std::to_string(kMaxDocumentBytes) + " accepted");
  }
  xmlInitParser();
  ErrorCollector errors;
  ErrorScope scope(&errors);
  xmlDoc* doc = xmlReadMemory(text.data(), static_cast<int>(text.size()), source.c_str(), nullptr, kParseOptions);
  return checked(doc, errors, source);
}

Result<DocPtr> parse_file(const std::string& path) {
  if (path == "-") {
    std::string text(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>{});
    return parse(text, "stdin");
  }
  // A file is parsed as libxml2 reads it, in blocks: no copies of the text
  // (on a CIB of tens of MB they cost as much as the parse).
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return errno_error("cannot open " + path, errno);
  // A bzip2-compressed CIB (the peer's pe-input-N.bz2, and ours) is read whole and unpacked.
  char magic[4] = {0};
  size_t got = std::fread(magic, 1, sizeof magic, file.get());
  if (is_bzip2(std::string_view(magic, got))) {
    std::string packed(magic, got);
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) packed.append(buf, n);
    auto text = bzip2_decompress(packed, kMaxDocumentBytes);
    if (!text.ok()) return parse_error(path + ": " + text.status().message());
    return parse(*text, path);
  }
  std::rewind(file.get());
  struct stat st {};
  if (fstat(fileno(file.get()), &st) == 0 && S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > kMaxDocumentBytes) {
    return parse_error(path + ": document is " + std::to_string(st.st_size) + " bytes, more than the " +
                       std::to_string(kMaxDocumentBytes) + " accepted");
  }
  xmlInitParser();
  ErrorCollector errors;
  ErrorScope scope(&errors);
  xmlDoc* doc = xmlReadFd(fileno(file.get()), path.c_str(), nullptr, kParseOptions);
  return checked(doc, errors, path);
}

std::string to_string(const xmlDoc* doc, bool pretty) {
  if (!doc) return "";
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(const_cast<xmlDoc*>(doc), &mem, &size, "UTF-8", pretty ? 1 : 0);
  std::string out(reinterpret_cast<char*>(mem), static_cast<size_t>(size));
  xmlFree(mem);
  return out;
}

std::string to_string(const xmlNode* node, bool pretty) {
  if (!node) return "";
  xmlBuffer* buf = xmlBufferCreate();
  xmlNodeDump(buf, node->doc, const_cast<xmlNode*>(node), 0, pretty ? 1 : 0);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buf)), static_cast<size_t>(xmlBufferLength(buf)));
  xmlBufferFree(buf);
  return out;
}

DocPtr new_document(const char* root_name) {
  DocPtr doc(xmlNewDoc(BAD_CAST "1.0"));
  xmlNode* r = xmlNewDocNode(doc.get(), nullptr, BAD_CAST root_name, nullptr);
  xmlDocSetRootElement(doc.get(), r);
  return doc;
}

DocPtr copy(const xmlDoc* doc) { return DocPtr(doc ? xmlCopyDoc(const_cast<xmlDoc*>(doc), 1) : nullptr); }

std::optional<std::string> attr(const xmlNode* node, const char* attr_name) {
  if (!node || node->type != XML_ELEMENT_NODE) return std::nullopt;
  xmlAttr* a = xmlHasProp(node, BAD_CAST attr_name);
  if (!a) return std::nullopt;
  // The usual single text child is read in place, without libxml2's copy.
  if (const xmlNode* c = a->children; c && c->type == XML_TEXT_NODE && !c->next && c->content)
    return std::string(reinterpret_cast<const char*>(c->content));
  xmlChar* v = xmlNodeListGetString(node->doc, a->children, 1);
  std::string out = v ? reinterpret_cast<char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string attr_or(const xmlNode* node, const char* attr_name, std::string fallback) {
  auto v = attr(node, attr_name);
  return v ? *v : std::move(fallback);
}

bool has_attr(const xmlNode* node, const char* attr_name) {
  return node && xmlHasProp(node, BAD_CAST attr_name) != nullptr;
}

std::optional<bool> attr_equals(const xmlNode* node, const char* attr_name, std::string_view value) {
  if (!node || node->type != XML_ELEMENT_NODE) return std::nullopt;
  const xmlAttr* a = node->properties;
  while (a && (a->ns != nullptr || !xmlStrEqual(a->name, BAD_CAST attr_name))) a = a->next;
  if (!a) return std::nullopt;
  if (const xmlNode* t = a->children; t && !t->next && t->type == XML_TEXT_NODE && t->content)
    return value == reinterpret_cast<const char*>(t->content);
  xmlChar* whole = xmlNodeListGetString(node->doc, a->children, 1);
  bool equal = value == (whole ? reinterpret_cast<const char*>(whole) : "");
  xmlFree(whole);
  return equal;
}

void set_attr(xmlNode* node, const char* attr_name, const std::string& value) {
  xmlSetProp(node, BAD_CAST attr_name, BAD_CAST value.c_str());
}

void remove_attr(xmlNode* node, const char* attr_name) {
  if (xmlAttr* a = xmlHasProp(node, BAD_CAST attr_name)) xmlRemoveProp(a);
}

std::vector<xmlNode*> children(const xmlNode* node, const char* element) {
  std::vector<xmlNode*> out;
  if (!node) return out;
  for (xmlNode* c = node->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (element && std::string_view(reinterpret_cast<const char*>(c->name)) != element) continue;
    out.push_back(c);
  }
  return out;
}

xmlNode* first_child(const xmlNode* node, const char* element) {
  if (!node) return nullptr;
  for (xmlNode* c = node->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && std::string_view(reinterpret_cast<const char*>(c->name)) == element) return c;
  }
  return nullptr;
}

xmlNode* add_child(xmlNode* parent, const char* element) {
  return xmlNewChild(parent, nullptr, BAD_CAST element, nullptr);
}

namespace {

// The XPaths the daemons use most (the controller's and the CIB's per
// operation result) are absolute child paths with attribute tests:
//   /cib/status/node_state[@id='1']/lrm/lrm_resources/lrm_resource[@id='d7']
//   .../lrm_rsc_op[@interval!='0' and @id!='d7_last_failure_0']
// libxml2 evaluates each predicate through its general machinery, node sets
// and all; walking the children directly gives the same elements in the same
// (document) order at a fraction of the cost. Anything else goes to libxml2.
struct AttrTest {
  std::string name, value;
  bool equal;  // '=' or '!='
};
struct Step {
  std::string name;
  std::vector<AttrTest> tests;  // all must hold
};

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

// The steps of `e`, or nothing when `e` is not of the simple form.
std::optional<std::vector<Step>> simple_path(std::string_view e) {
  std::vector<Step> steps;
  size_t i = 0;
  auto name = [&](std::string& out) {
    size_t start = i;
    while (i < e.size() && name_char(e[i])) ++i;
    if (i == start || std::isdigit(static_cast<unsigned char>(e[start])) || e[start] == '-' || e[start] == '.') return false;
    out.assign(e.substr(start, i - start));
    return true;
  };
  while (i < e.size()) {
    if (e[i] != '/' || i + 1 >= e.size() || e[i + 1] == '/') return std::nullopt;
    ++i;
    Step step;
    if (!name(step.name)) return std::nullopt;
    while (i < e.size() && e[i] == '[') {
      ++i;
      while (true) {
        AttrTest t;
        if (i >= e.size() || e[i] != '@') return std::nullopt;
        ++i;
        if (!name(t.name)) return std::nullopt;
        if (e.substr(i, 2) == "!=") {
          t.equal = false;
          i += 2;
        } else if (i < e.size() && e[i] == '=') {
          t.equal = true;
          ++i;
        } else {
          return std::nullopt;
        }
        if (i >= e.size() || (e[i] != '\'' && e[i] != '"')) return std::nullopt;
        char quote = e[i++];
        size_t end = e.find(quote, i);
        if (end == std::string_view::npos) return std::nullopt;
        t.value.assign(e.substr(i, end - i));
        i = end + 1;
        step.tests.push_back(std::move(t));
        if (e.substr(i, 5) == " and ") {
          i += 5;
          continue;
        }
        if (i < e.size() && e[i] == ']') {
          ++i;
          break;
        }
        return std::nullopt;
      }
    }
    steps.push_back(std::move(step));
  }
  if (steps.empty()) return std::nullopt;
  return steps;
}

bool passes(const xmlNode* n, const Step& step) {
  if (n->type != XML_ELEMENT_NODE || n->ns != nullptr || step.name != reinterpret_cast<const char*>(n->name)) return false;
  for (const AttrTest& t : step.tests) {
    // XPath 1.0: @a!='v' holds when the attribute exists with another value
    // (an empty node set compares false either way).
    std::optional<bool> equal = attr_equals(n, t.name.c_str(), t.value);
    if (!equal || *equal != t.equal) return false;
  }
  return true;
}

void walk(xmlNode* n, const std::vector<Step>& steps, size_t depth, std::vector<xmlNode*>& out) {
  if (!passes(n, steps[depth])) return;
  if (depth + 1 == steps.size()) {
    out.push_back(n);
    return;
  }
  for (xmlNode* c = n->children; c; c = c->next) walk(c, steps, depth + 1, out);
}

}  // namespace

Result<std::vector<xmlNode*>> xpath(const xmlDoc* doc, const std::string& expression, XPathMatches matches) {
  if (!doc) return invalid_argument("xpath on an empty document");
  if (auto steps = simple_path(expression)) {
    std::vector<xmlNode*> out;
    if (xmlNode* root = xmlDocGetRootElement(const_cast<xmlDoc*>(doc))) walk(root, *steps, 0, out);
    return out;
  }
  ErrorCollector errors;
  ErrorScope scope(&errors);
  std::unique_ptr<xmlXPathContext, XPathContextDeleter> ctx(xmlXPathNewContext(const_cast<xmlDoc*>(doc)));
  std::unique_ptr<xmlXPathObject, XPathObjectDeleter> obj(
      xmlXPathEvalExpression(BAD_CAST expression.c_str(), ctx.get()));
  if (!obj) {
    return invalid_argument("invalid XPath '" + expression + "'" + (errors.first.empty() ? "" : ": " + errors.first));
  }
  std::vector<xmlNode*> out;
  std::unordered_set<const xmlNode*> owners;
  if (obj->type == XPATH_NODESET && obj->nodesetval) {
    for (int i = 0; i < obj->nodesetval->nodeNr; ++i) {
      xmlNode* n = obj->nodesetval->nodeTab[i];
      if (n && matches == XPathMatches::kOwners) {
        if (n->type == XML_DOCUMENT_NODE) n = xmlDocGetRootElement(reinterpret_cast<xmlDoc*>(n));
        else if (n->type != XML_ELEMENT_NODE) n = n->parent;
        if (n && n->type == XML_ELEMENT_NODE && owners.insert(n).second) out.push_back(n);
        continue;
      }
      if (n && n->type == XML_ELEMENT_NODE) out.push_back(n);
    }
  }
  return out;
}

std::string make_id(std::string_view text) {
  std::string o;
  o.reserve(text.size() + 1);
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    o += (std::isalnum(u) || c == '-' || c == '_' || c == '.') ? c : '_';
  }
  if (o.empty() || std::isdigit(static_cast<unsigned char>(o[0])) || o[0] == '-' || o[0] == '.') o = "_" + o;
  return o;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

void append_escaped(std::string& out, std::string_view text) {
  size_t plain = 0;  // start of the run of characters that need no escaping
  for (size_t i = 0; i < text.size(); ++i) {
    const char* entity;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      case '\'': entity = "&apos;"; break;
      default: continue;
    }
    out.append(text, plain, i - plain);
    out += entity;
    plain = i + 1;
  }
  out.append(text, plain, text.size() - plain);
}

bool is_name(std::string_view text) {
  if (text.empty()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool start = std::isalpha(c) || c == '_' || c == ':' || c >= 0x80;
    if (!start && (i == 0 || !(std::isdigit(c) || c == '-' || c == '.'))) return false;
  }
  return true;
}

void put_status(xmlNode* node, const Status& s) {
  set_attr(node, "status", status_code_name(s.code()));
  if (!s.ok()) set_attr(node, "message", s.message());
}

Status get_status(const xmlNode* node, const std::string& who) {
  std::string code = attr_or(node, "status", "internal");
  if (code == "ok") return Status::Ok();
  for (int c = static_cast<int>(StatusCode::kInvalidArgument); c <= static_cast<int>(StatusCode::kInternal); ++c) {
    if (code == status_code_name(static_cast<StatusCode>(c))) {
      return Status(static_cast<StatusCode>(c), attr_or(node, "message", code));
    }
  }
  return internal_error(who + " with unknown status '" + code + "': " + attr_or(node, "message"));
}

}  // namespace crm::xml
