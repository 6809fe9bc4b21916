// The tools' output formats. A tool with structured output builds one XML
// tree in the peer's API shape (<pacemaker-result>, validated against the
// peer's schemas where it has them); --output-as=json and --output-as=html
// write that same tree another way, so the three never disagree:
//
//  JSON: each element is an object holding its attributes as string
//  members, its text (if any) as "#text", and its child elements as arrays
//  under their tag names, in document order; the document is
//  {"<root tag>": {...}}. For crm_mon:
//    {"pacemaker-result": {"api-version": "2.25", "summary": [{"stack": [{"type": "corosync"}], ...}],
//                          "nodes": [{"node": [{"name": "n1", "online": "true", ...}]}], ...}}
//  HTML: a page with one section per child of the root (summary, nodes,
//  resources, ...), each element a list item with its tag and attributes;
//  every value escaped.
//
//   ASSIGN_OR_RETURN(OutputFormat f, parse_output_format(flag));
//   std::string out = render_output(f, xml_text, "Cluster status");
//   RETURN_IF_ERROR(write_output(output_to, out));
#pragma once

#include <string>

#include "crm/core/status.h"

namespace crm::tools {

enum class OutputFormat { kText, kXml, kJson, kHtml };

// "text", "xml", "json", "html"; anything else: invalid-argument naming them.
Result<OutputFormat> parse_output_format(const std::string& name);
// `xml_text` as `format`; kXml and kText return it unchanged (text output is
// the tool's own layout, not made from the tree).
Result<std::string> render_output(OutputFormat format, const std::string& xml_text, const std::string& title);
// Writes `text` to FILE (--output-to) whole (FILE.tmp, then renamed), or to
// stdout for "" and "-".
Status write_output(const std::string& file, const std::string& text);

}  // namespace crm::tools
