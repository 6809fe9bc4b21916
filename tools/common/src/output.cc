#include "crm/tools/output.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "crm/core/xml.h"

namespace crm::tools {
namespace {

nlohmann::json element_json(xmlNode* e) {
  nlohmann::json j = nlohmann::json::object();
  for (xmlAttr* a = e->properties; a; a = a->next) {
    std::string name = reinterpret_cast<const char*>(a->name);
    j[name] = xml::attr_or(e, name.c_str());
  }
  std::string text;
  for (xmlNode* c = e->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      j[reinterpret_cast<const char*>(c->name)].push_back(element_json(c));
    } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (xmlChar* t = xmlNodeGetContent(c)) {
        text += reinterpret_cast<const char*>(t);
        xmlFree(t);
      }
    }
  }
  if (text.find_first_not_of(" \t\r\n") != std::string::npos) j["#text"] = text;
  return j;
}

void element_html(xmlNode* e, std::string& o, int depth) {
  std::string pad(static_cast<size_t>(depth) * 2, ' ');
  o += pad + "<li><span class=\"tag\">" + xml::escape(reinterpret_cast<const char*>(e->name)) + "</span>";
  for (xmlAttr* a = e->properties; a; a = a->next) {
    std::string name = reinterpret_cast<const char*>(a->name);
    o += " <span class=\"attr\">" + xml::escape(name) + "=<b>" + xml::escape(xml::attr_or(e, name.c_str())) + "</b></span>";
  }
  bool any = false;
  for (xmlNode* c = e->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (!any) o += "\n" + pad + "<ul>\n";
    any = true;
    element_html(c, o, depth + 1);
  }
  if (any) o += pad + "</ul>";
  o += "</li>\n";
}

}  // namespace

Result<OutputFormat> parse_output_format(const std::string& name) {
  if (name == "text") return OutputFormat::kText;
  if (name == "xml") return OutputFormat::kXml;
  if (name == "json") return OutputFormat::kJson;
  if (name == "html") return OutputFormat::kHtml;
  return invalid_argument("invalid --output-as '" + name + "' (text, xml, json or html)");
}

Result<std::string> render_output(OutputFormat format, const std::string& xml_text, const std::string& title) {
  if (format == OutputFormat::kXml || format == OutputFormat::kText) return xml_text;  // already the tool's own
  auto doc = xml::parse(xml_text, "output");
  if (!doc.ok()) return doc.status();
  xmlNode* root = xml::root(*doc);
  if (format == OutputFormat::kJson) {
    nlohmann::json j;
    j[reinterpret_cast<const char*>(root->name)] = element_json(root);
    return j.dump(2) + "\n";
  }
  std::string o = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + xml::escape(title) +
                  "</title>\n<style>.tag { font-weight: bold; } .attr { color: #555; } b { color: #000; "
                  "font-weight: normal; }</style>\n</head>\n<body>\n<h1>" +
                  xml::escape(title) + "</h1>\n<p>";
  for (xmlAttr* a = root->properties; a; a = a->next) {
    std::string name = reinterpret_cast<const char*>(a->name);
    o += "<span class=\"attr\">" + xml::escape(name) + "=<b>" + xml::escape(xml::attr_or(root, name.c_str())) + "</b></span> ";
  }
  o += "</p>\n";
  for (xmlNode* c = root->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    o += "<h2>" + xml::escape(reinterpret_cast<const char*>(c->name)) + "</h2>\n<ul>\n";
    element_html(c, o, 1);
    o += "</ul>\n";
  }
  return o + "</body>\n</html>\n";
}

Status write_output(const std::string& file, const std::string& text) {
  if (file.empty() || file == "-") {
    std::fputs(text.c_str(), stdout);
    return Status::Ok();
  }
  // Whole files only (a page rewritten on every change): a reader never sees half of one.
  std::string tmp = file + ".tmp";
  std::ofstream out(tmp, std::ios::trunc);
  if (!out) return io_error("cannot write " + tmp);
  out << text;
  out.close();
  if (!out || std::rename(tmp.c_str(), file.c_str()) != 0) return io_error("cannot write " + file);
  return Status::Ok();
}

}  // namespace crm::tools
