#include "shell.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <sstream>

#include "attribute.h"
#include "cluster_commands.h"
#include "crm/cib/client.h"
#include "crm/core/xml.h"
#include "crm/import/import.h"
#include "crm/pengine/pengine.h"
#include "crm/tools/admin.h"
#include "crm/tools/status_format.h"

namespace crm::tools {

Result<std::vector<std::string>> split_words(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
      continue;
    }
    if (c == '#' && out.empty() && !in_word) break;  // a comment line ("#uname" later is a word)
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
      continue;
    }
    cur += c;
    in_word = true;
  }
  if (quote) return invalid_argument("unterminated quote");
  if (in_word) out.push_back(cur);
  return out;
}

namespace {

int err(const std::string& msg, int rc = 1) {
  std::fprintf(stderr, "ERROR: %s\n", msg.c_str());
  return rc;
}

// crmsh scores: inf, +inf, -inf, INFINITY, numbers.
Result<std::string> score_of(std::string s) {
  if (!s.empty() && s.back() == ':') s.pop_back();
  std::string l = s;
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "inf" || l == "+inf" || l == "infinity" || l == "+infinity") return std::string("INFINITY");
  if (l == "-inf" || l == "-infinity") return std::string("-INFINITY");
  if (l.empty()) return invalid_argument("missing score");
  size_t i = (l[0] == '-' || l[0] == '+') ? 1 : 0;
  if (i == l.size() || !std::all_of(l.begin() + i, l.end(), [](char c) { return c >= '0' && c <= '9'; })) return invalid_argument("invalid score '" + s + "'");
  return s;
}

bool is_score_token(const std::string& s) { return !s.empty() && s.back() == ':'; }

// "name=value" -> pair.
Result<std::pair<std::string, std::string>> kv(const std::string& s) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0) return invalid_argument("expected name=value, got '" + s + "'");
  return std::make_pair(s.substr(0, eq), s.substr(eq + 1));
}

std::string nvset(const char* tag, const std::string& id, const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string x = std::string("<") + tag + " id=\"" + xml::escape(id) + "\">";
  for (const auto& [k, v] : pairs)
    x += "<nvpair id=\"" + xml::escape(xml::make_id(id + "-" + k)) + "\" name=\"" + xml::escape(k) + "\" value=\"" + xml::escape(v) + "\"/>";
  return x + "</" + tag + ">";
}

// primitive ID AGENT [params k=v...] [meta k=v...] [utilization k=v...] [op NAME k=v...]...
Result<std::string> primitive_xml(const std::vector<std::string>& w, size_t start) {
  if (w.size() < start + 2) return invalid_argument("usage: primitive ID CLASS:[PROVIDER:]TYPE [params ...] [meta ...] [op NAME ...]");
  std::string id = w[start], agent = w[start + 1];
  std::vector<std::string> parts;
  std::stringstream ss(agent);
  for (std::string p; std::getline(ss, p, ':');) parts.push_back(p);
  std::string cls, provider, type;
  if (parts.size() == 3 && parts[0] == "ocf") {
    cls = parts[0];
    provider = parts[1];
    type = parts[2];
  } else if (parts.size() == 2) {
    cls = parts[0];
    type = parts[1];
  } else {
    return invalid_argument("invalid agent '" + agent + "' (e.g. ocf:heartbeat:IPaddr2, lsb:foo, systemd:foo)");
  }
  std::vector<std::pair<std::string, std::string>> params, meta, util;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> ops;
  std::vector<std::pair<std::string, std::string>>* cur = nullptr;
  for (size_t i = start + 2; i < w.size(); ++i) {
    const std::string& t = w[i];
    if (t == "params") { cur = &params; continue; }
    if (t == "meta") { cur = &meta; continue; }
    if (t == "utilization") { cur = &util; continue; }
    if (t == "op") {
      if (i + 1 >= w.size()) return invalid_argument("op needs a name");
      ops.push_back({w[++i], {}});
      cur = &ops.back().second;
      continue;
    }
    if (!cur) return invalid_argument("unexpected '" + t + "' (params, meta, utilization or op expected)");
    ASSIGN_OR_RETURN(auto p, kv(t));
    cur->push_back(p);
  }
  std::string x = "<primitive id=\"" + xml::escape(id) + "\" class=\"" + xml::escape(cls) + "\"";
  if (!provider.empty()) x += " provider=\"" + xml::escape(provider) + "\"";
  x += " type=\"" + xml::escape(type) + "\">";
  if (!params.empty()) x += nvset("instance_attributes", id + "-instance_attributes", params);
  if (!meta.empty()) x += nvset("meta_attributes", id + "-meta_attributes", meta);
  if (!util.empty()) x += nvset("utilization", id + "-utilization", util);
  if (!ops.empty()) {
    x += "<operations>";
    std::map<std::string, int> seen;
    for (const auto& [name, attrs] : ops) {
      std::string interval = "0s";
      for (const auto& [k, v] : attrs)
        if (k == "interval") interval = v;
      std::string op_id = xml::make_id(id + "-" + name + "-" + interval);
      if (seen[op_id]++) op_id += "-" + std::to_string(seen[op_id]);
      x += "<op id=\"" + xml::escape(op_id) + "\" name=\"" + xml::escape(name) + "\" interval=\"" + xml::escape(interval) + "\"";
      for (const auto& [k, v] : attrs)
        if (k != "interval") x += " " + k + "=\"" + xml::escape(v) + "\"";
      x += "/>";
    }
    x += "</operations>";
  }
  return x + "</primitive>";
}

// The top-level resource element of `id` (primitive, group, clone, master), detached copy as XML.
std::string element_text(const xmlNode* n) { return xml::to_string(n, false); }

// [meta k=v ...] tail of group/clone.
Result<std::vector<std::pair<std::string, std::string>>> meta_tail(const std::vector<std::string>& w, size_t i) {
  std::vector<std::pair<std::string, std::string>> out;
  if (i >= w.size()) return out;
  if (w[i] != "meta") return invalid_argument("unexpected '" + w[i] + "' (meta expected)");
  for (++i; i < w.size(); ++i) {
    ASSIGN_OR_RETURN(auto p, kv(w[i]));
    out.push_back(p);
  }
  return out;
}

// A resources section with `members` moved into a new container element.
Result<std::string> wrap_resources(const cib::Cib& cib, const std::string& tag, const std::string& id,
                                   const std::vector<std::string>& members,
                                   const std::vector<std::pair<std::string, std::string>>& meta) {
  xmlNode* cfg = cib.configuration();
  xmlNode* resources = cfg ? xml::first_child(cfg, "resources") : nullptr;
  if (!resources) return not_found("no resources section");
  if (find_resource(cib, id)) return already_exists("'" + id + "' already exists");
  std::map<std::string, std::string> texts;
  for (const auto& m : members) {
    xmlNode* e = find_resource(cib, m);
    if (!e) return not_found("resource '" + m + "' does not exist");
    if (e->parent != resources) return invalid_argument("'" + m + "' is already inside " + xml::attr_or(e->parent, "id"));
    if (tag == "group" && !xml::is(e, "primitive")) return invalid_argument("a group holds primitives; '" + m + "' is a " + std::string(xml::name(e)));
    if (texts.count(m)) return invalid_argument("'" + m + "' given twice");
    texts[m] = element_text(e);
  }
  std::string inner;
  if (!meta.empty()) inner += nvset("meta_attributes", id + "-meta_attributes", meta);
  for (const auto& m : members) inner += texts[m];
  std::string wrapped = "<" + tag + " id=\"" + xml::escape(id) + "\">" + inner + "</" + tag + ">";
  // The new section: every top-level element, members replaced by the container at the first one's place.
  std::string out = "<resources>";
  bool placed = false;
  for (xmlNode* c : xml::children(resources)) {
    std::string cid = xml::attr_or(c, "id");
    if (texts.count(cid)) {
      if (!placed) out += wrapped;
      placed = true;
      continue;
    }
    out += element_text(c);
  }
  return out + "</resources>";
}

std::string rsc_role(const std::string& spec, std::string* role) {
  auto colon = spec.find(':');
  if (colon == std::string::npos) return spec;
  *role = spec.substr(colon + 1);
  if (*role == "Master") *role = "Promoted";
  if (*role == "Slave") *role = "Unpromoted";
  return spec.substr(0, colon);
}

// ---- configure show ----

std::string nv_text(const xmlNode* set) {
  std::string s;
  for (xmlNode* nv : xml::children(set, "nvpair")) {
    std::string v = xml::attr_or(nv, "value");
    bool quote = v.empty() || v.find_first_of(" \t\"'") != std::string::npos;
    s += " " + xml::attr_or(nv, "name") + "=" + (quote ? "\"" + v + "\"" : v);
  }
  return s;
}

void show_sets(std::ostringstream& o, const xmlNode* e) {
  for (xmlNode* set : xml::children(e, "instance_attributes")) o << " \\\n\tparams" << nv_text(set);
  for (xmlNode* set : xml::children(e, "meta_attributes")) o << " \\\n\tmeta" << nv_text(set);
  for (xmlNode* set : xml::children(e, "utilization")) o << " \\\n\tutilization" << nv_text(set);
}

void show_resource(std::ostringstream& o, const xmlNode* e, std::vector<const xmlNode*>* later) {
  std::string id = xml::attr_or(e, "id");
  if (xml::is(e, "primitive")) {
    std::string agent = xml::attr_or(e, "class") + ":";
    if (xml::has_attr(e, "provider")) agent += xml::attr_or(e, "provider") + ":";
    agent += xml::attr_or(e, "type");
    o << "primitive " << id << " " << agent;
    show_sets(o, e);
    for (xmlNode* ops : xml::children(e, "operations"))
      for (xmlNode* op : xml::children(ops, "op")) {
        o << " \\\n\top " << xml::attr_or(op, "name");
        for (xmlAttr* a = op->properties; a; a = a->next) {
          std::string n = reinterpret_cast<const char*>(a->name);
          if (n == "id" || n == "name") continue;
          o << " " << n << "=" << xml::attr_or(op, n.c_str());
        }
      }
    o << "\n";
    return;
  }
  // Containers: children first (as crmsh lists primitives before their group).
  std::vector<std::string> members;
  for (xmlNode* c : xml::children(e)) {
    std::string_view n = xml::name(c);
    if (n == "primitive" || n == "group") {
      show_resource(o, c, later);
      members.push_back(xml::attr_or(c, "id"));
    }
  }
  std::string tag = xml::is(e, "master") ? "ms" : std::string(xml::name(e));
  std::ostringstream line;
  line << tag << " " << id;
  for (const auto& m : members) line << " " << m;
  std::ostringstream sets;
  for (xmlNode* set : xml::children(e, "meta_attributes")) sets << " \\\n\tmeta" << nv_text(set);
  (void)later;
  o << line.str() << sets.str() << "\n";
}

void show_constraint(std::ostringstream& o, const xmlNode* c) {
  std::string id = xml::attr_or(c, "id");
  if (xml::is(c, "rsc_location")) {
    o << "location " << id << " " << xml::attr_or(c, "rsc");
    if (xml::has_attr(c, "role")) o << " role=" << xml::attr_or(c, "role");
    if (xml::has_attr(c, "node")) {
      std::string score = xml::attr_or(c, "score");
      if (score == "INFINITY" || score == "+INFINITY") score = "inf";
      if (score == "-INFINITY") score = "-inf";
      o << " " << score << ": " << xml::attr_or(c, "node") << "\n";
      return;
    }
    for (xmlNode* rule : xml::children(c, "rule")) {
      std::string score = xml::attr_or(rule, "score", "0");
      if (score == "INFINITY") score = "inf";
      if (score == "-INFINITY") score = "-inf";
      o << " \\\n\trule " << score << ":";
      bool first = true;
      for (xmlNode* ex : xml::children(rule)) {
        if (!first) o << " " << xml::attr_or(rule, "boolean-op", "and");
        first = false;
        if (xml::is(ex, "expression"))
          o << " " << xml::attr_or(ex, "attribute") << " " << xml::attr_or(ex, "operation") << " "
            << xml::attr_or(ex, "value");
        else if (xml::is(ex, "date_expression"))
          o << " date " << xml::attr_or(ex, "operation") << " \"" << xml::attr_or(ex, "end", xml::attr_or(ex, "start"))
            << "\"";
      }
    }
    o << "\n";
    return;
  }
  auto score = [](std::string s) {
    if (s == "INFINITY" || s == "+INFINITY") return std::string("inf");
    if (s == "-INFINITY") return std::string("-inf");
    return s;
  };
  if (xml::is(c, "rsc_colocation")) {
    o << "colocation " << id << " " << score(xml::attr_or(c, "score", "INFINITY")) << ": " << xml::attr_or(c, "rsc");
    if (xml::has_attr(c, "rsc-role")) o << ":" << xml::attr_or(c, "rsc-role");
    o << " " << xml::attr_or(c, "with-rsc");
    if (xml::has_attr(c, "with-rsc-role")) o << ":" << xml::attr_or(c, "with-rsc-role");
    o << "\n";
    return;
  }
  if (xml::is(c, "rsc_order")) {
    o << "order " << id << " ";
    if (xml::has_attr(c, "kind")) o << xml::attr_or(c, "kind") << ": ";
    else if (xml::has_attr(c, "score")) o << score(xml::attr_or(c, "score")) << ": ";
    else o << "Mandatory: ";
    o << xml::attr_or(c, "first");
    if (xml::has_attr(c, "first-action")) o << ":" << xml::attr_or(c, "first-action");
    o << " " << xml::attr_or(c, "then");
    if (xml::has_attr(c, "then-action")) o << ":" << xml::attr_or(c, "then-action");
    if (xml::has_attr(c, "symmetrical")) o << " symmetrical=" << xml::attr_or(c, "symmetrical");
    o << "\n";
    return;
  }
  o << "xml " << xml::to_string(c, false) << "\n";
}

}  // namespace

std::string configuration_text(const cib::Cib& cib, const std::string& only_id) {
  std::ostringstream o;
  xmlNode* cfg = cib.configuration();
  if (!cfg) return "";
  auto wanted = [&](const xmlNode* e) { return only_id.empty() || xml::attr_or(e, "id") == only_id; };
  if (xmlNode* nodes = xml::first_child(cfg, "nodes"))
    for (xmlNode* n : xml::children(nodes, "node")) {
      if (!wanted(n)) continue;
      o << "node " << xml::attr_or(n, "id") << ": " << xml::attr_or(n, "uname");
      for (xmlNode* set : xml::children(n, "instance_attributes")) o << " \\\n\tattributes" << nv_text(set);
      for (xmlNode* set : xml::children(n, "utilization")) o << " \\\n\tutilization" << nv_text(set);
      o << "\n";
    }
  if (xmlNode* resources = xml::first_child(cfg, "resources")) {
    std::vector<const xmlNode*> later;
    for (xmlNode* r : xml::children(resources))
      if (wanted(r)) show_resource(o, r, &later);
    if (!only_id.empty()) {
      if (xmlNode* r = find_resource(cib, only_id); r && r->parent != resources) show_resource(o, r, &later);
    }
  }
  if (xmlNode* cons = xml::first_child(cfg, "constraints"))
    for (xmlNode* c : xml::children(cons))
      if (wanted(c)) show_constraint(o, c);
  auto sets = [&](const char* section, const char* keyword, const char* set_tag) {
    xmlNode* s = xml::first_child(cfg, section);
    if (!s) return;
    for (xmlNode* set : xml::children(s, set_tag)) {
      if (!wanted(set) || xml::children(set, "nvpair").empty()) continue;
      o << keyword << " " << xml::attr_or(set, "id") << ":";
      for (xmlNode* nv : xml::children(set, "nvpair")) {
        std::string v = xml::attr_or(nv, "value");
        bool quote = v.empty() || v.find_first_of(" \t\"'") != std::string::npos;
        o << " \\\n\t" << xml::attr_or(nv, "name") << "=" << (quote ? "\"" + v + "\"" : v);
      }
      o << "\n";
    }
  };
  sets("crm_config", "property", "cluster_property_set");
  sets("rsc_defaults", "rsc_defaults", "meta_attributes");
  sets("op_defaults", "op_defaults", "meta_attributes");
  return o.str();
}

std::string Shell::prompt() const {
  const cib::CibSource source = cib::source_from_env();
  const std::string where = source.kind == cib::CibSource::Kind::kShadow ? source.shadow
                            : source.is_file()                          ? "file"
                                                                        : "live";
  return "crm(" + where + ")" + level_ + "# ";
}

Status Shell::ensure_copy() {
  if (copy_) return Status::Ok();
  ASSIGN_OR_RETURN(auto client, cib::connect());
  ASSIGN_OR_RETURN(cib::Cib cib, client->query_cib());
  copy_ = std::move(cib);
  return Status::Ok();
}

Status Shell::stage(cib::Request r) {
  RETURN_IF_ERROR(ensure_copy());
  auto applied = cib::apply_request(*copy_, r, nullptr);
  if (!applied.ok()) return applied.status();
  pending_.push_back(std::move(r));
  return Status::Ok();
}

int Shell::commit() {
  if (pending_.empty()) {
    if (interactive_) std::cout << "INFO: nothing to commit\n";
    return 0;
  }
  auto client = cib::connect();
  if (!client.ok()) return err("cannot connect to the CIB: " + client.status().message(), client.status().exit_code());
  for (size_t i = 0; i < pending_.size(); ++i) {
    auto reply = (*client)->call(pending_[i]);
    if (!reply.ok()) {
      // Keep what did not go in, so the user can fix it and commit again.
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(i));
      copy_.reset();
      return err("commit failed: " + reply.status().message(), reply.status().exit_code());
    }
  }
  pending_.clear();
  copy_.reset();
  warned_pending_ = false;
  return 0;
}

int Shell::show(const std::vector<std::string>& w) {
  if (Status s = ensure_copy(); !s.ok()) return err(s.message(), s.exit_code());
  if (w.size() > 1 && w[1] == "xml") {
    xmlNode* cfg = copy_->configuration();
    std::cout << (cfg ? xml::to_string(xml::copy(copy_->doc()).get(), true) : "") ;
    return 0;
  }
  std::cout << configuration_text(*copy_, w.size() > 1 ? w[1] : "");
  return 0;
}

// configure import KIND FILE... [NAME=FILE...] (docs/import.md): the
// imported resources, constraints, fencing topology and resource defaults
// replace the working copy's, imported alerts join its own; its cluster properties are set in
// cib-bootstrap-options; the nodes stay (the imported ones are taken only
// when the CIB has none). The report's to-dos and warnings go to stderr.
int Shell::import_configuration(const std::vector<std::string>& w) {
  if (w.size() < 3) return err("usage: import haresources|keepalived|cluster.conf FILE... [NODE=FILE...]");
  std::vector<std::string> files, nodes;
  for (size_t i = 2; i < w.size(); ++i) (w[i].find('=') != std::string::npos ? nodes : files).push_back(w[i]);
  auto imported = import::import_files(w[1], files, nodes);
  if (!imported.ok()) return err(imported.status().message(), imported.status().exit_code());
  if (Status s = ensure_copy(); !s.ok()) return err(s.message(), s.exit_code());
  xml::DocPtr doc = xml::new_document("configuration");
  xmlNode* config = xml::root(doc);
  xmlNode* live = xml::first_child(xml::root(copy_->doc()), "configuration");
  xmlNode* mine = xml::root(imported->configuration);
  auto copy_in = [&](xmlNode* n) { xmlAddChild(config, xmlDocCopyNode(n, doc.get(), 1)); };
  for (xmlNode* n : xml::children(live)) {
    static const std::vector<std::string> kReplaced = {"resources", "constraints", "fencing-topology", "rsc_defaults"};
    if (std::find(kReplaced.begin(), kReplaced.end(), xml::name(n)) != kReplaced.end()) continue;
    if (xml::is(n, "nodes") && xml::children(n).empty()) continue;
    copy_in(n);
  }
  if (!xml::first_child(config, "nodes")) copy_in(xml::first_child(mine, "nodes"));
  for (const char* section : {"resources", "constraints", "fencing-topology", "rsc_defaults"}) {
    if (xmlNode* n = xml::first_child(mine, section)) copy_in(n);
  }
  // Imported alerts (keepalived's notify scripts) join the copy's own.
  if (xmlNode* imported_alerts = xml::first_child(mine, "alerts")) {
    xmlNode* alerts = xml::first_child(config, "alerts");
    if (!alerts) alerts = xml::add_child(config, "alerts");
    std::set<std::string> ids;
    for (xmlNode* a : xml::children(alerts, "alert")) ids.insert(xml::attr_or(a, "id"));
    for (xmlNode* a : xml::children(imported_alerts, "alert")) {
      if (!ids.count(xml::attr_or(a, "id"))) xmlAddChild(alerts, xmlDocCopyNode(a, doc.get(), 1));
    }
  }
  xmlNode* crm_config = xml::first_child(config, "crm_config");
  if (!crm_config) crm_config = xml::add_child(config, "crm_config");
  xmlNode* bootstrap = nullptr;
  for (xmlNode* set : xml::children(crm_config, "cluster_property_set")) {
    if (xml::attr(set, "id") == "cib-bootstrap-options") bootstrap = set;
  }
  if (!bootstrap) {
    bootstrap = xml::add_child(crm_config, "cluster_property_set");
    xml::set_attr(bootstrap, "id", "cib-bootstrap-options");
  }
  for (xmlNode* set : xml::children(xml::first_child(mine, "crm_config"), "cluster_property_set")) {
    for (xmlNode* nv : xml::children(set, "nvpair")) {
      if (xmlNode* old = find_nvpair(crm_config, "cluster_property_set", xml::attr_or(nv, "name"))) {
        xml::set_attr(old, "value", xml::attr_or(nv, "value"));
      } else {
        xmlAddChild(bootstrap, xmlDocCopyNode(nv, doc.get(), 1));
      }
    }
  }
  cib::Request r;
  r.op = cib::Op::kReplace;
  r.section = "configuration";
  r.fragment = xml::to_string(config);
  for (const auto& note : imported->report) {
    if (note.outcome == import::Outcome::kToDo || note.outcome == import::Outcome::kWarning) {
      std::cerr << "WARNING: " << import::format_report({note});
    }
  }
  for (const auto& extra : imported->files) {
    std::cerr << "WARNING: " << extra.name << " is not written by the shell; crm_import writes it\n";
  }
  if (Status s = stage(std::move(r)); !s.ok()) return err(s.message(), s.exit_code());
  return 0;
}

int Shell::configure(const std::vector<std::string>& w) {
  if (w.empty()) {
    level_ = "configure";
    return 0;
  }
  const std::string& cmd = w[0];
  auto fail_status = [](const Status& s) { return err(s.message(), s.exit_code()); };
  if (cmd == "show") return show(w);
  if (cmd == "commit") return commit();
  if (cmd == "import") return import_configuration(w);
  if (cmd == "discard" || cmd == "refresh") {
    pending_.clear();
    copy_.reset();
    return 0;
  }
  if (cmd == "verify") {
    if (Status s = ensure_copy(); !s.ok()) return fail_status(s);
    auto problems = cib::check_configuration(*copy_);
    for (const auto& p : problems)
      std::cout << (p.severity == cib::Problem::Severity::kError ? "ERROR: " : "WARNING: ") << p.message << "\n";
    return problems.empty() ? 0 : 1;
  }
  cib::Request r;
  r.op = cib::Op::kCreate;
  if (cmd == "primitive") {
    auto x = primitive_xml(w, 1);
    if (!x.ok()) return fail_status(x.status());
    r.section = "resources";
    r.fragment = *x;
  } else if (cmd == "group" || cmd == "clone" || cmd == "ms") {
    if (w.size() < 3) return err("usage: " + cmd + " ID RSC" + (cmd == "group" ? "..." : "") + " [meta name=value ...]");
    if (Status s = ensure_copy(); !s.ok()) return fail_status(s);
    std::vector<std::string> members;
    size_t i = 2;
    for (; i < w.size() && w[i] != "meta"; ++i) members.push_back(w[i]);
    if (cmd != "group" && members.size() != 1) return err(cmd + " wraps exactly one resource");
    auto meta = meta_tail(w, i);
    if (!meta.ok()) return fail_status(meta.status());
    auto m = *meta;
    if (cmd == "ms") m.insert(m.begin(), {"promotable", "true"});
    auto section = wrap_resources(*copy_, cmd == "group" ? "group" : "clone", w[1], members, m);
    if (!section.ok()) return fail_status(section.status());
    r.op = cib::Op::kReplace;
    r.section = "resources";
    r.fragment = *section;
  } else if (cmd == "location") {
    // location ID RSC [role=ROLE] SCORE: NODE   |   location ID RSC rule [role=ROLE] SCORE: ATTR OP VALUE
    if (w.size() < 5) return err("usage: location ID RSC SCORE: NODE | location ID RSC rule SCORE: ATTR OP VALUE");
    std::string id = w[1], rsc = w[2], role;
    size_t i = 3;
    bool rule = false;
    if (w[i] == "rule") { rule = true; ++i; }
    if (i < w.size() && w[i].rfind("role=", 0) == 0) { role = w[i].substr(5); ++i; }
    if (i >= w.size() || !is_score_token(w[i])) return err("location: expected a score like 100: or inf:");
    auto score = score_of(w[i]);
    if (!score.ok()) return fail_status(score.status());
    ++i;
    std::string x = "<rsc_location id=\"" + xml::escape(id) + "\" rsc=\"" + xml::escape(rsc) + "\"";
    if (!role.empty()) x += " role=\"" + xml::escape(role) + "\"";
    if (!rule) {
      if (i + 1 != w.size()) return err("location: expected one node after the score");
      x += " node=\"" + xml::escape(w[i]) + "\" score=\"" + *score + "\"/>";
    } else {
      if (i + 3 != w.size()) return err("location rule: expected ATTRIBUTE OPERATION VALUE after the score");
      x += "><rule id=\"" + xml::escape(id + "-rule") + "\" score=\"" + *score + "\"><expression id=\"" +
           xml::escape(id + "-rule-expression") + "\" attribute=\"" + xml::escape(w[i]) + "\" operation=\"" + xml::escape(w[i + 1]) +
           "\" value=\"" + xml::escape(w[i + 2]) + "\"/></rule></rsc_location>";
    }
    r.section = "constraints";
    r.fragment = x;
  } else if (cmd == "colocation" || cmd == "collocation") {
    if (w.size() != 5 || !is_score_token(w[2])) return err("usage: colocation ID SCORE: RSC[:ROLE] WITH-RSC[:ROLE]");
    auto score = score_of(w[2]);
    if (!score.ok()) return fail_status(score.status());
    std::string role1, role2;
    std::string a = rsc_role(w[3], &role1), b = rsc_role(w[4], &role2);
    std::string x = "<rsc_colocation id=\"" + xml::escape(w[1]) + "\" score=\"" + *score + "\" rsc=\"" + xml::escape(a) + "\"";
    if (!role1.empty()) x += " rsc-role=\"" + xml::escape(role1) + "\"";
    x += " with-rsc=\"" + xml::escape(b) + "\"";
    if (!role2.empty()) x += " with-rsc-role=\"" + xml::escape(role2) + "\"";
    r.section = "constraints";
    r.fragment = x + "/>";
  } else if (cmd == "order") {
    // order ID [KIND:|SCORE:] FIRST[:ACTION] THEN[:ACTION] [symmetrical=true|false]
    if (w.size() < 4) return err("usage: order ID [Mandatory:|Optional:|Serialize:|SCORE:] FIRST[:ACTION] THEN[:ACTION]");
    size_t i = 2;
    std::string kind_attr;
    if (is_score_token(w[i])) {
      std::string k = w[i].substr(0, w[i].size() - 1);
      if (k == "Mandatory" || k == "Optional" || k == "Serialize") kind_attr = " kind=\"" + k + "\"";
      else {
        auto score = score_of(w[i]);
        if (!score.ok()) return fail_status(score.status());
        kind_attr = " score=\"" + *score + "\"";
      }
      ++i;
    }
    if (i + 2 > w.size()) return err("order: expected FIRST and THEN");
    std::string a1, a2;
    std::string first = rsc_role(w[i], &a1), then = rsc_role(w[i + 1], &a2);
    std::string x = "<rsc_order id=\"" + xml::escape(w[1]) + "\"" + kind_attr + " first=\"" + xml::escape(first) + "\"";
    if (!a1.empty()) x += " first-action=\"" + xml::escape(a1) + "\"";
    x += " then=\"" + xml::escape(then) + "\"";
    if (!a2.empty()) x += " then-action=\"" + xml::escape(a2) + "\"";
    for (i += 2; i < w.size(); ++i) {
      auto p = kv(w[i]);
      if (!p.ok() || p->first != "symmetrical") return err("order: unexpected '" + w[i] + "'");
      x += " symmetrical=\"" + xml::escape(p->second) + "\"";
    }
    r.section = "constraints";
    r.fragment = x + "/>";
  } else if (cmd == "property" || cmd == "rsc_defaults" || cmd == "op_defaults") {
    size_t i = 1;
    std::string set_id = cmd == "property" ? "cib-bootstrap-options" : cmd == "rsc_defaults" ? "rsc-options" : "op-options";
    if (i < w.size() && w[i].back() == ':' && w[i].find('=') == std::string::npos) {
      set_id = w[i].substr(0, w[i].size() - 1);
      ++i;
    }
    if (i >= w.size()) return err("usage: " + cmd + " [SET-ID:] name=value ...");
    std::vector<std::pair<std::string, std::string>> pairs;
    for (; i < w.size(); ++i) {
      auto p = kv(w[i]);
      if (!p.ok()) return fail_status(p.status());
      pairs.push_back(*p);
    }
    if (Status s = ensure_copy(); !s.ok()) return fail_status(s);
    std::string section = cmd == "property" ? "crm_config" : cmd;
    const char* tag = cmd == "property" ? "cluster_property_set" : "meta_attributes";
    // Keep existing nvpair ids for names already set.
    std::string x = std::string("<") + tag + " id=\"" + xml::escape(set_id) + "\">";
    auto existing = xml::xpath(copy_->doc(), "/cib/configuration/" + section + "/" + tag + "[@id='" + set_id + "']/nvpair");
    for (const auto& [k, v] : pairs) {
      std::string nv_id = xml::make_id(set_id + "-" + k);
      if (existing.ok())
        for (xmlNode* nv : *existing)
          if (xml::attr_or(nv, "name") == k) nv_id = xml::attr_or(nv, "id");
      x += "<nvpair id=\"" + xml::escape(nv_id) + "\" name=\"" + xml::escape(k) + "\" value=\"" + xml::escape(v) + "\"/>";
    }
    x += std::string("</") + tag + ">";
    r.op = cib::Op::kModify;
    r.allow_create = true;
    r.section = section;
    r.fragment = "<" + section + ">" + x + "</" + section + ">";
  } else if (cmd == "delete" || cmd == "rm") {
    if (w.size() < 2) return err("usage: delete ID ...");
    for (size_t i = 1; i < w.size(); ++i) {
      if (w[i].find('\'') != std::string::npos) return err("invalid id " + w[i]);
      cib::Request d;
      d.op = cib::Op::kDelete;
      d.xpath = "/cib/configuration/*[self::resources or self::constraints]//*[@id='" + w[i] + "']";
      if (Status s = stage(d); !s.ok()) {
        if (s.code() == StatusCode::kNotFound) return err("object " + w[i] + " does not exist", kExitNoSuch);
        return fail_status(s);
      }
    }
    return 0;
  } else {
    return err("unknown configure command '" + cmd + "' (show, primitive, group, clone, ms, location, colocation, order, "
               "property, rsc_defaults, op_defaults, delete, verify, commit, discard)");
  }
  if (Status s = stage(r); !s.ok()) return fail_status(s);
  return 0;
}

namespace {
int run_resource_command(const std::string& command, const std::string& rsc, const std::string& node,
                         const std::string& param = "", const std::string& value = "", bool meta = false) {
  ClusterCommandOptions o;
  o.command = command;
  o.resource = rsc;
  o.node = node;
  o.parameter = param;
  o.value = value;
  o.meta = meta;
  return run_cluster_command(o);
}

int run_attribute(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return attribute_main(static_cast<int>(args.size()), argv.data(), AttributeTool::kCrmAttribute);
}
}  // namespace

int Shell::resource(const std::vector<std::string>& w) {
  if (w.empty()) {
    level_ = "resource";
    return 0;
  }
  const std::string& cmd = w[0];
  auto arg = [&](size_t i) { return i < w.size() ? w[i] : std::string(); };
  if (cmd == "status" || cmd == "show" || cmd == "list") {
    if (w.size() > 1) return run_resource_command("locate", w[1], "");
    return run_resource_command("list", "", "");
  }
  if (w.size() < 2) return err("usage: resource " + cmd + " RSC");
  if (cmd == "start") return run_resource_command("set-param", w[1], "", "target-role", "Started", true);
  if (cmd == "stop") return run_resource_command("set-param", w[1], "", "target-role", "Stopped", true);
  if (cmd == "manage") return run_resource_command("set-param", w[1], "", "is-managed", "true", true);
  if (cmd == "unmanage") return run_resource_command("set-param", w[1], "", "is-managed", "false", true);
  if (cmd == "move" || cmd == "migrate") {
    if (w.size() < 3) return err("usage: resource move RSC NODE");
    return run_resource_command("move", w[1], w[2]);
  }
  if (cmd == "ban") return run_resource_command("ban", w[1], arg(2));
  if (cmd == "clear" || cmd == "unmove" || cmd == "unmigrate") return run_resource_command("clear", w[1], arg(2));
  if (cmd == "cleanup") return run_resource_command("cleanup", w[1], arg(2));
  if (cmd == "refresh") return run_resource_command("refresh", w[1], arg(2));
  if (cmd == "locate") return run_resource_command("locate", w[1], "");
  if (cmd == "constraints") return run_resource_command("constraints", w[1], "");
  if (cmd == "why") return run_resource_command("why", w[1], arg(2));
  if (cmd == "explain") return run_resource_command("explain", w[1], arg(2));
  if (cmd == "param" || cmd == "meta") {
    // resource param RSC set|show|delete NAME [VALUE]
    if (w.size() < 4) return err("usage: resource " + cmd + " RSC set|show|delete NAME [VALUE]");
    bool meta = cmd == "meta";
    if (w[2] == "set" && w.size() == 5) return run_resource_command("set-param", w[1], "", w[3], w[4], meta);
    if (w[2] == "show") return run_resource_command("get-param", w[1], "", w[3], "", meta);
    if (w[2] == "delete") return run_resource_command("delete-param", w[1], "", w[3], "", meta);
    return err("usage: resource " + cmd + " RSC set|show|delete NAME [VALUE]");
  }
  return err("unknown resource command '" + cmd + "' (status, start, stop, manage, unmanage, move, ban, clear, "
             "cleanup, refresh, locate, constraints, why, explain, param, meta)");
}

int Shell::node(const std::vector<std::string>& w) {
  if (w.empty()) {
    level_ = "node";
    return 0;
  }
  const std::string& cmd = w[0];
  if (cmd == "list" || cmd == "show") {
    auto client = cib::connect();
    if (!client.ok()) return err(client.status().message(), client.status().exit_code());
    auto cib = (*client)->query_cib();
    if (!cib.ok()) return err(cib.status().message(), cib.status().exit_code());
    auto st = pengine::read_cluster_status(cib->doc(), std::time(nullptr));
    if (!st.ok()) return err(st.status().message(), st.status().exit_code());
    for (const auto& n : st->nodes) {
      std::string state = n.unclean ? "UNCLEAN" : !n.online ? "offline" : n.standby ? "standby"
                          : n.maintenance ? "maintenance" : "online";
      std::cout << n.name << "(" << n.id << "): " << state << "\n";
    }
    return 0;
  }
  if (w.size() < 2) return err("usage: node " + cmd + " NODE");
  const std::string& n = w[1];
  if (cmd == "standby") return run_attribute({"crm_attribute", "-N", n, "-n", "standby", "-v", "on"});
  if (cmd == "online") return run_attribute({"crm_attribute", "-N", n, "-n", "standby", "-v", "off"});
  if (cmd == "maintenance") return run_attribute({"crm_attribute", "-N", n, "-n", "maintenance", "-v", "true"});
  if (cmd == "ready") return run_attribute({"crm_attribute", "-N", n, "-n", "maintenance", "-v", "false"});
  if (cmd == "attribute" && w.size() >= 4) {
    // node attribute NODE set|show|delete NAME [VALUE]
    if (w[2] == "set" && w.size() == 5) return run_attribute({"crm_attribute", "-N", n, "-n", w[3], "-v", w[4]});
    if (w[2] == "show") return run_attribute({"crm_attribute", "-N", n, "-n", w[3], "-G"});
    if (w[2] == "delete") return run_attribute({"crm_attribute", "-N", n, "-n", w[3], "-D"});
  }
  return err("unknown node command '" + cmd + "' (list, standby, online, maintenance, ready, attribute)");
}

int Shell::status() {
  auto client = cib::connect();
  if (!client.ok()) return err(client.status().message(), client.status().exit_code());
  auto info = load_cluster_info(**client);
  if (!info.ok()) return err(info.status().message(), info.status().exit_code());
  std::time_t now = std::time(nullptr);
  auto st = pengine::read_cluster_status(info->cib.doc(), now);
  if (!st.ok()) return err(st.status().message(), st.status().exit_code());
  MonOptions opt;
  std::cout << format_text(*info, *st, opt, now);
  return 0;
}

int Shell::help() {
  std::cout << "Levels (enter with the name, leave with 'up' or 'end'; or prefix commands with them):\n"
               "  configure  import haresources|keepalived|cluster.conf FILE... [NODE=FILE...] (docs/import.md)\n"
               "  configure  show [ID|xml] | primitive ID CLASS:PROVIDER:TYPE [params k=v..] [meta k=v..] [op NAME k=v..]..\n"
               "             group ID RSC.. [meta ..] | clone ID RSC [meta ..] | ms ID RSC [meta ..]\n"
               "             location ID RSC [role=R] SCORE: NODE | location ID RSC rule SCORE: ATTR OP VALUE\n"
               "             colocation ID SCORE: RSC WITH-RSC | order ID [KIND:|SCORE:] FIRST THEN\n"
               "             property [SET:] k=v.. | rsc_defaults k=v.. | op_defaults k=v.. | delete ID..\n"
               "             verify | commit | discard\n"
               "  resource   status [RSC] | start|stop|manage|unmanage RSC | move RSC NODE | ban RSC [NODE]\n"
               "             clear RSC | cleanup RSC [NODE] | refresh RSC [NODE] | locate RSC | constraints RSC\n"
               "             why RSC [NODE] | explain RSC [NODE]\n"
               "             param|meta RSC set|show|delete NAME [VALUE]\n"
               "  node       list | standby NODE | online NODE | maintenance NODE | ready NODE\n"
               "             attribute NODE set|show|delete NAME [VALUE]\n"
               "  status     the cluster's state (as crm_mon -1)\n"
               "  quit       leave (batch input commits pending configure changes at the end)\n";
  return 0;
}

int Shell::execute(const std::string& line) {
  auto words = split_words(line);
  if (!words.ok()) return err(words.status().message(), kExitUsage);
  std::vector<std::string> w = *words;
  if (w.empty()) return 0;
  if (w[0] == "quit" || w[0] == "exit" || w[0] == "bye") {
    if (interactive_ && !pending_.empty() && !warned_pending_) {
      warned_pending_ = true;
      return err("there are changes pending; 'configure commit' them or 'quit' again to drop them");
    }
    if (interactive_) pending_.clear();
    done_ = true;
    return 0;
  }
  if (w[0] == "help" || w[0] == "?") return help();
  if (w[0] == "up" || w[0] == "end" || w[0] == "cd") {
    level_.clear();
    return 0;
  }
  std::string level = level_;
  if (w[0] == "configure" || w[0] == "resource" || w[0] == "node") {
    level = w[0];
    w.erase(w.begin());
  } else if (w[0] == "status" && level_.empty()) {
    return status();
  }
  if (level == "configure") return configure(w);
  if (level == "resource") return resource(w);
  if (level == "node") return node(w);
  if (w[0] == "status") return status();
  return err("unknown command '" + w[0] + "' (try help)", kExitUsage);
}

int Shell::finish() {
  if (!interactive_ && !pending_.empty()) return commit();
  return 0;
}

}  // namespace crm::tools
