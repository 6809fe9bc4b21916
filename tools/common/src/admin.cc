#include "crm/tools/admin.h"

#include <cctype>
#include <cstdio>

#include "crm/core/boolean.h"
#include "crm/core/ipc.h"
#include "crm/core/nvpair.h"
#include "crm/core/xml.h"

namespace crm::tools {

Result<CrmdStatus> parse_crmd_status(const std::string& xml_text) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(xml_text, "controller reply"));
  xmlNode* r = xml::root(doc);
  if (!xml::is(r, "crmd_status")) return parse_error("controller reply is not <crmd_status>");
  CrmdStatus s;
  s.node_id = xml::attr_or(r, "node_id");
  s.name = xml::attr_or(r, "name");
  s.state = xml::attr_or(r, "state");
  s.dc_id = xml::attr_or(r, "dc", "0");
  s.dc_name = xml::attr_or(r, "dc_name");
  std::string q = xml::attr_or(r, "quorate", "0");
  s.quorate = q == "1" || q == "true";
  for (xmlNode* m : xml::children(r, "member")) s.members.push_back({xml::attr_or(m, "id"), xml::attr_or(m, "name")});
  return s;
}

Result<CrmdStatus> query_crmd(std::chrono::milliseconds timeout) {
  auto c = ipc::Client::connect(ipc::socket_path("crmd"));
  if (!c.ok()) return unavailable("cannot reach the controller: " + c.status().message());
  auto reply = c->call("<crmd_query/>", timeout);
  if (!reply.ok()) return reply.status().with_context("controller status query");
  return parse_crmd_status(*reply);
}

Result<std::string> ping_controller(const std::string& node, std::chrono::milliseconds timeout) {
  auto c = ipc::Client::connect(ipc::socket_path("crmd"));
  if (!c.ok()) return unavailable("cannot reach the controller: " + c.status().message());
  auto req = xml::new_document("crmd_ping");
  xml::set_attr(xml::root(req), "target", node);
  ASSIGN_OR_RETURN(std::string reply, c->call(xml::to_string(xml::root(req), false), timeout));
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(reply, "controller reply"));
  xmlNode* r = xml::root(doc);
  if (xml::is(r, "crmd_error")) return not_found(xml::attr_or(r, "message"));
  if (!xml::is(r, "crmd_ping_reply")) return parse_error("controller reply is not <crmd_ping_reply>");
  return xml::attr_or(r, "state");
}

ClusterInfo cluster_info_from_cib(cib::Cib cib) {
  ClusterInfo info;
  info.cib = std::move(cib);
  xmlNode* root = info.cib.root();
  info.dc_id = xml::attr_or(root, "dc-uuid");
  // As the peer: a dc-uuid naming no known node means no DC.
  if (!info.dc_id.empty()) info.dc_name = node_name_for(info.cib, info.dc_id);
  info.have_dc = !info.dc_name.empty();
  if (!info.have_dc) info.dc_id.clear();
  info.quorate = is_true(xml::attr_or(root, "have-quorum"));
  info.dc_version = cluster_property(info.cib, "dc-version");
  info.stack = cluster_property(info.cib, "cluster-infrastructure");
  if (info.stack.empty()) info.stack = "unknown";
  return info;
}

Result<ClusterInfo> load_cluster_info(cib::CibClient& client) {
  ASSIGN_OR_RETURN(cib::Cib cib, client.query_cib());
  ClusterInfo info = cluster_info_from_cib(std::move(cib));
  info.from_file = client.is_file();
  if (info.from_file) return info;
  auto crmd = query_crmd();
  if (!crmd.ok()) return info;  // controller down: what the CIB says
  info.crmd = *crmd;
  info.quorate = crmd->quorate;
  info.have_dc = !crmd->dc_id.empty() && crmd->dc_id != "0";
  info.dc_id = info.have_dc ? crmd->dc_id : "";
  info.dc_name = info.have_dc ? (crmd->dc_name.empty() ? crmd->dc_id : crmd->dc_name) : "";
  if (info.stack == "unknown") info.stack = "corosync";
  return info;
}

std::string cluster_property(const cib::Cib& cib, const std::string& name) {
  xmlNode* cfg = cib.configuration();
  xmlNode* crm_config = cfg ? xml::first_child(cfg, "crm_config") : nullptr;
  xmlNode* nv = find_nvpair(crm_config, "cluster_property_set", name);
  return nv ? xml::attr_or(nv, "value") : "";
}

namespace {
xmlNode* find_resource_in(xmlNode* parent, const std::string& id) {
  for (xmlNode* c : xml::children(parent)) {
    std::string_view n = xml::name(c);
    if (n == "primitive" || n == "group" || n == "clone" || n == "master" || n == "bundle") {
      if (xml::attr_or(c, "id") == id) return c;
      if (n != "primitive") {
        if (xmlNode* found = find_resource_in(c, id)) return found;
      }
    }
  }
  return nullptr;
}
}  // namespace

xmlNode* find_resource(const cib::Cib& cib, const std::string& id) {
  xmlNode* cfg = cib.configuration();
  xmlNode* resources = cfg ? xml::first_child(cfg, "resources") : nullptr;
  return resources ? find_resource_in(resources, id) : nullptr;
}

xmlNode* enclosing_clone(xmlNode* rsc) {
  for (xmlNode* x = rsc ? rsc->parent : nullptr; x && x->type == XML_ELEMENT_NODE; x = x->parent) {
    std::string_view n = xml::name(x);
    if (n == "clone" || n == "master") return x;
  }
  return nullptr;
}

bool anonymous_clone(xmlNode* clone) {
  xmlNode* nv = find_nvpair(clone, "meta_attributes", "globally-unique");
  return !nv || !is_true(xml::attr_or(nv, "value"));
}

Result<std::string> node_id_for(const cib::Cib& cib, const std::string& name) {
  xmlNode* cfg = cib.configuration();
  if (xmlNode* nodes = cfg ? xml::first_child(cfg, "nodes") : nullptr) {
    for (xmlNode* n : xml::children(nodes, "node")) {
      if (xml::attr_or(n, "uname") == name) return xml::attr_or(n, "id", name);
    }
  }
  if (xmlNode* st = cib.status()) {
    for (xmlNode* n : xml::children(st, "node_state")) {
      if (xml::attr_or(n, "uname") == name) return xml::attr_or(n, "id", name);
    }
  }
  return not_found("No node named '" + name + "' in the cluster configuration");
}

std::string node_name_for(const cib::Cib& cib, const std::string& id) {
  xmlNode* cfg = cib.configuration();
  if (xmlNode* nodes = cfg ? xml::first_child(cfg, "nodes") : nullptr) {
    for (xmlNode* n : xml::children(nodes, "node")) {
      if (xml::attr_or(n, "id") == id) return xml::attr_or(n, "uname", id);
    }
  }
  if (xmlNode* st = cib.status()) {
    for (xmlNode* n : xml::children(st, "node_state")) {
      if (xml::attr_or(n, "id") == id) return xml::attr_or(n, "uname", id);
    }
  }
  return "";
}

std::vector<std::string> configured_nodes(const cib::Cib& cib) {
  std::vector<std::string> out;
  xmlNode* cfg = cib.configuration();
  if (xmlNode* nodes = cfg ? xml::first_child(cfg, "nodes") : nullptr) {
    for (xmlNode* n : xml::children(nodes, "node")) out.push_back(xml::attr_or(n, "uname", xml::attr_or(n, "id")));
  }
  return out;
}


bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && digit(a[i2])) ++i2;
      while (j2 < b.size() && digit(b[j2])) ++j2;
      std::string x = a.substr(i, i2 - i), y = b.substr(j, j2 - j);
      while (x.size() > 1 && x[0] == '0') x.erase(0, 1);
      while (y.size() > 1 && y[0] == '0') y.erase(0, 1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i2;
      j = j2;
      continue;
    }
    char ca = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i])));
    char cb = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j])));
    if (ca != cb) return ca < cb;
    ++i;
    ++j;
  }
  return (a.size() - i) < (b.size() - j);
}

std::string format_time(std::time_t t) {
  std::tm tmv;
  if (!localtime_r(&t, &tmv)) return std::to_string(static_cast<long long>(t));
  char buf[64];
  if (std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tmv) == 0) return std::to_string(static_cast<long long>(t));
  return buf;
}

}  // namespace crm::tools
