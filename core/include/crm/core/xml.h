// RAII ownership and small helpers over libxml2, used by every component that
// reads or writes the CIB.
//
//   ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(text, "cibadmin input"));
//   for (xmlNode* rsc : xml::children(xml::root(doc), "primitive")) { ... xml::attr(rsc, "id") ... }
//
// Parsing never touches the network, never expands external entities and
// rejects documents nested deeper than libxml2's safe default, so hostile
// input gets an error value instead of a crash or a fetch.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/status.h"

namespace crm::xml {

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct NodeDeleter {
  void operator()(xmlNode* node) const { xmlFreeNode(node); }
};
// An owned document; freeing it frees every node in it.
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;
// An owned node that is not (yet) linked into a document tree.
using NodePtr = std::unique_ptr<xmlNode, NodeDeleter>;

// Largest document parse() accepts (bytes); bigger input is refused up front.
inline constexpr size_t kMaxDocumentBytes = 256u << 20;

// Parses an XML document. On failure the error names `source` and the line,
// e.g. "cib.xml: line 4: Opening and ending tag mismatch: nodes and node".
Result<DocPtr> parse(std::string_view text, const std::string& source = "input");
// Reads and parses a file ("-" is stdin).
Result<DocPtr> parse_file(const std::string& path);

// Serializes a document or a node (with its subtree). `pretty` indents.
std::string to_string(const xmlDoc* doc, bool pretty = true);
std::string to_string(const xmlNode* node, bool pretty = false);

// A new empty document whose root element is `root_name`.
DocPtr new_document(const char* root_name);
// A deep copy of a document.
DocPtr copy(const xmlDoc* doc);

inline xmlNode* root(const xmlDoc* doc) { return doc ? xmlDocGetRootElement(doc) : nullptr; }
inline xmlNode* root(const DocPtr& doc) { return root(doc.get()); }

// The element's name ("primitive").
inline std::string_view name(const xmlNode* node) {
  return node && node->name ? std::string_view(reinterpret_cast<const char*>(node->name)) : std::string_view();
}
inline bool is(const xmlNode* node, std::string_view element) { return name(node) == element; }

std::optional<std::string> attr(const xmlNode* node, const char* attr_name);
std::string attr_or(const xmlNode* node, const char* attr_name, std::string fallback = "");
bool has_attr(const xmlNode* node, const char* attr_name);
// Whether `node`'s attribute `attr_name` (one without a namespace, as XPath's
// @name) equals `value`, compared in place; nullopt when there is no such
// attribute. For hot paths (look-ups by id) where attr() would copy.
std::optional<bool> attr_equals(const xmlNode* node, const char* attr_name, std::string_view value);
void set_attr(xmlNode* node, const char* attr_name, const std::string& value);
void remove_attr(xmlNode* node, const char* attr_name);
// Escapes text for an XML attribute value or text node (& < > " '), as the
// peer escapes parameter values before hashing them into operation digests.
std::string escape(std::string_view text);
// escape(text) appended to `out` (no temporary string: for large documents
// written piece by piece).
void append_escaped(std::string& out, std::string_view text);
// Whether `text` can be an XML element or attribute name (a letter, '_' or ':'
// first, then also digits, '-' and '.'; bytes of non-ASCII characters are
// taken as letters). "1" cannot: graphs write such parameters as <param>.
bool is_name(std::string_view text);
// A valid id (the schema's ID type) from any text: characters other than
// [A-Za-z0-9_.-] become '_', and a leading digit, '-' or '.' gets a '_'
// before it ("cli-prefer-ip 1" -> "cli-prefer-ip_1", "10.0.0.1" -> "_10.0.0.1").
std::string make_id(std::string_view text);

// Element children, optionally only those named `element`, in document order.
std::vector<xmlNode*> children(const xmlNode* node, const char* element = nullptr);
// First element child named `element`, or nullptr.
xmlNode* first_child(const xmlNode* node, const char* element);
// Appends a new element child and returns it.
xmlNode* add_child(xmlNode* parent, const char* element);
// Line of a parsed element in its source (0 when unknown).
inline long line(const xmlNode* node) { return node ? xmlGetLineNo(node) : 0; }

// A Status as the daemons' wire replies carry it: status="not-found" (its
// status_code_name) and message="..." attributes; and back. An unknown code
// reads as internal, naming `who` and the code.
void put_status(xmlNode* node, const Status& s);
Status get_status(const xmlNode* node, const std::string& who = "reply");

// Evaluates an XPath expression and returns the matching element nodes.
// kOwners: a matched attribute (or text) counts as the element holding it and
// the document as its root element, as the peer's ACLs read an XPath
// ("//@score" selects every element with a score). Each element once, in
// document order.
enum class XPathMatches { kElements, kOwners };
Result<std::vector<xmlNode*>> xpath(const xmlDoc* doc, const std::string& expression,
                                    XPathMatches matches = XPathMatches::kElements);

}  // namespace crm::xml
