#include "crm/cib/canonical.h"

#include <openssl/evp.h>

#include <algorithm>
#include <deque>
#include <string_view>
#include <utility>
#include <vector>

namespace crm::cib {
namespace {

void escape_into(std::string& out, std::string_view text, bool attribute) {
  // Most values need no escaping: copied whole.
  if (text.find_first_of(attribute ? "&<>\"\n\r\t" : "&<>\r") == std::string_view::npos) {
    out += text;
    return;
  }
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': if (attribute) { out += "&quot;"; } else { out += c; } break;
      case '\n': if (attribute) { out += "&#10;"; } else { out += c; } break;
      case '\r': out += "&#13;"; break;
      case '\t': if (attribute) { out += "&#9;"; } else { out += c; } break;
      default: out += c;
    }
  }
}

bool blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

std::string_view sv(const xmlChar* s) { return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view(); }

// Iterative walk: hostile, deeply nested input must not exhaust the stack.
void write(std::string& out, const xmlNode* top, const CanonicalOptions& options) {
  struct Frame {
    const xmlNode* node;
    bool closing;
  };
  std::vector<Frame> stack{{top, false}};
  // Attribute values are read in place (one text node, the usual case); the
  // rare entity-split value is joined into `joined`, which keeps it alive
  // for the element.
  std::vector<std::pair<std::string_view, std::string_view>> attrs;
  std::deque<std::string> joined;  // push_back keeps references to the others valid
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    const xmlNode* n = f.node;
    if (f.closing) {
      out += "</";
      out += sv(n->name);
      out += '>';
      continue;
    }
    switch (n->type) {
      case XML_ELEMENT_NODE: {
        out += '<';
        out += sv(n->name);
        attrs.clear();
        joined.clear();
        for (const xmlAttr* a = n->properties; a; a = a->next) {
          const xmlNode* t = a->children;
          if (!t) {
            attrs.emplace_back(sv(a->name), std::string_view());
          } else if (!t->next && t->type == XML_TEXT_NODE) {
            attrs.emplace_back(sv(a->name), sv(t->content));
          } else {
            xmlChar* v = xmlNodeListGetString(n->doc, t, 1);
            joined.emplace_back(v ? reinterpret_cast<const char*>(v) : "");
            xmlFree(v);
            attrs.emplace_back(sv(a->name), joined.back());
          }
        }
        if (attrs.size() > 1) std::sort(attrs.begin(), attrs.end());
        for (const auto& [name, value] : attrs) {
          out += ' ';
          out += name;
          out += "=\"";
          escape_into(out, value, true);
          out += '"';
        }
        out += '>';
        stack.push_back({n, true});
        for (const xmlNode* c = n->last; c; c = c->prev) stack.push_back({c, false});
        break;
      }
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        if (!blank(sv(n->content))) escape_into(out, sv(n->content), false);
        break;
      case XML_COMMENT_NODE:
        if (options.comments) {
          out += "<!--";
          out += sv(n->content);
          out += "-->";
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace

std::string canonical(const xmlNode* node, CanonicalOptions options) {
  std::string out;
  if (node) write(out, node, options);
  return out;
}

bool canonical_equal(const xmlNode* a, const xmlNode* b, CanonicalOptions options) {
  return canonical(a, options) == canonical(b, options);
}

std::string md5_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx, text.data(), text.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace crm::cib
