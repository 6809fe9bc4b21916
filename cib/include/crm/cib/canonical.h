// Canonical text of a CIB element, for digests and for comparing documents.
//
//   canonical(cib.configuration())  // "<configuration><crm_config>..."
//
// Attributes are sorted by name, whitespace-only text between elements is
// dropped and values are escaped the same way every time, so two documents
// with the same content give the same string whatever their formatting.
#pragma once

#include <libxml/tree.h>

#include <string>

namespace crm::cib {

struct CanonicalOptions {
  bool comments = false;  // keep <!-- comments --> (dropped by default, as for digests)
};

// The canonical serialization of `node` and its subtree ("" for nullptr).
std::string canonical(const xmlNode* node, CanonicalOptions options = {});
// True when both subtrees have the same canonical text.
bool canonical_equal(const xmlNode* a, const xmlNode* b, CanonicalOptions options = {});
// MD5 of `text`, as 32 lowercase hex digits (OpenSSL EVP).
std::string md5_hex(const std::string& text);

}  // namespace crm::cib
