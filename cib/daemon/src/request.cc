#include "crm/cib/request.h"

#include "crm/cib/acl.h"

#include <libxml/tree.h>

#include "configuration_only.h"

#include <array>
#include <cstring>
#include <tuple>

namespace crm::cib {
namespace {

struct OpName {
  Op op;
  const char* name;
};
constexpr std::array<OpName, 8> kOps = {{{Op::kQuery, "query"},
                                         {Op::kCreate, "create"},
                                         {Op::kModify, "modify"},
                                         {Op::kReplace, "replace"},
                                         {Op::kDelete, "delete"},
                                         {Op::kErase, "erase"},
                                         {Op::kBump, "bump"},
                                         {Op::kPatch, "patch"}}};

// The XPath of a section name as cibadmin's -o takes it.
Result<std::string> section_xpath(std::string_view section) {
  static constexpr std::array<const char*, 10> kConfigSections = {
      "crm_config", "nodes", "resources", "constraints", "rsc_defaults",
      "op_defaults", "fencing-topology", "acls", "alerts", "tags"};
  if (section.empty() || section == "cib") return std::string("/cib");
  if (section == "configuration") return std::string("/cib/configuration");
  if (section == "status") return std::string("/cib/status");
  for (const char* s : kConfigSections)
    if (section == s) return "/cib/configuration/" + std::string(section);
  return invalid_argument("unknown section '" + std::string(section) +
                          "' (valid: configuration, nodes, resources, constraints, crm_config, rsc_defaults, "
                          "op_defaults, acls, fencing-topology, tags, alerts, status)");
}

Result<xml::DocPtr> parse_fragment(const Request& r) {
  if (r.fragment.empty()) return invalid_argument(std::string(op_name(r.op)) + " needs an XML fragment");
  return xml::parse(r.fragment, "XML input");
}

// The configuration against the schema and check_configuration. The status
// is set aside meanwhile: the schema only says it is optional, and walking
// it would make every configuration change cost what the status holds.
// With an edit, only what it touched is given to the schema, and with an
// index too, only what it touched is checked when that can tell.
Status validate_configuration(Cib& cib, const Schema* schema, const CibEdit* edit = nullptr,
                              CheckIndex* index = nullptr) {
  xmlNode* status = cib.status();
  xmlNode* parent = status ? status->parent : nullptr;
  xmlNode* next = status ? status->next : nullptr;
  if (status) xmlUnlinkNode(status);
  Status valid = !schema ? Status::Ok() : edit ? edit->validate(*schema) : schema->validate(cib);
  if (status) {
    if (next) {
      xmlAddPrevSibling(next, status);
    } else {
      xmlAddChild(parent, status);
    }
  }
  RETURN_IF_ERROR(valid);
  std::optional<std::vector<Problem>> problems;
  if (edit && index) problems = check_change(cib, *edit, *index);
  if (!problems) problems = check_configuration(cib);
  std::string errors;
  for (const Problem& p : *problems) {
    if (p.severity != Problem::Severity::kError) continue;
    if (!errors.empty()) errors += "; ";
    errors += p.message;
  }
  if (!errors.empty()) {
    if (index) index->invalidate();  // it saw the change, which is undone now
    return config_invalid(errors);
  }
  return Status::Ok();
}

Status perform(Cib& cib, const Request& r) {
  switch (r.op) {
    case Op::kCreate: {
      ASSIGN_OR_RETURN(xml::DocPtr f, parse_fragment(r));
      return cib.create(r.section, xml::root(f));
    }
    case Op::kModify: {
      ASSIGN_OR_RETURN(xml::DocPtr f, parse_fragment(r));
      return cib.modify(r.section, xml::root(f), r.allow_create);
    }
    case Op::kReplace: {
      ASSIGN_OR_RETURN(xml::DocPtr f, parse_fragment(r));
      return cib.replace(r.section, xml::root(f));
    }
    case Op::kDelete: {
      if (!r.xpath.empty()) {
        // Without delete_all only the first match, as cibadmin -D --xpath does without -d.
        return cib.remove_xpath(r.xpath, r.delete_all);
      }
      ASSIGN_OR_RETURN(xml::DocPtr f, parse_fragment(r));
      return cib.remove(r.section, xml::root(f));
    }
    case Op::kPatch: {
      if (r.fragment.empty()) return invalid_argument("patch needs a <diff> document");
      ASSIGN_OR_RETURN(Patch patch, parse_patch(r.fragment, "patch"));
      const Version before = cib.version();
      RETURN_IF_ERROR(apply_patch(cib, patch));
      const Version after = cib.version();
      if (std::tie(after.admin_epoch, after.epoch) < std::tie(before.admin_epoch, before.epoch)) {
        return Status(StatusCode::kOutdated, "the patch would take the CIB back from " + before.to_string() +
                                                 " to " + after.to_string());
      }
      return Status::Ok();
    }
    default:
      return internal_error("perform called for " + std::string(op_name(r.op)));
  }
}

bool is_configuration_section(std::string_view section) {
  return section != "status" && section != "cib" && !section.empty() && section_xpath(section).ok();
}

void copy_attributes(xmlNode* to, const xmlNode* from) {
  while (to->properties) xmlRemoveProp(to->properties);
  to->properties = xmlCopyPropList(to, from->properties);  // returns the copies, attaches nothing
}

// Every <change> of a v2 patch lies under /cib/configuration or modifies
// <cib>'s own attributes.
bool patch_changes_configuration_only(const xmlNode* diff) {
  for (xmlNode* c : xml::children(diff, "change")) {
    std::string path = xml::attr_or(c, "path");
    bool under_configuration = path == "/cib/configuration" || path.rfind("/cib/configuration/", 0) == 0;
    bool root_attributes = path == "/cib" && xml::attr_or(c, "operation") == "modify";
    if (!under_configuration && !root_attributes) return false;
  }
  return true;
}

}  // namespace

bool changes_configuration_only(const Request& r) {
  if (!r.xpath.empty()) return false;
  switch (r.op) {
    case Op::kCreate:
    case Op::kModify:
    case Op::kReplace:
    case Op::kDelete:
      return is_configuration_section(r.section);
    case Op::kPatch: {
      auto doc = xml::parse(r.fragment, "patch");
      return doc.ok() && patch_changes_configuration_only(xml::root(*doc));
    }
    default:
      return false;
  }
}

Cib without_status(const Cib& cib) {
  Cib out = Cib::empty();
  xmlNode* root = out.root();
  copy_attributes(root, cib.root());
  while (xmlNode* c = root->children) {
    xmlUnlinkNode(c);
    xmlFreeNode(c);
  }
  for (xmlNode* c = cib.root()->children; c; c = c->next) {
    // 2: the element and its attributes; 1: with everything under it.
    bool status = c->type == XML_ELEMENT_NODE && xml::name(c) == "status";
    xmlAddChild(root, xmlDocCopyNode(c, out.doc(), status ? 2 : 1));
  }
  return out;
}

Status apply_patch_text(Cib& cib, std::string_view patch_text) {
  ASSIGN_OR_RETURN(auto doc, xml::parse(patch_text, "patch"));
  return apply_patch(cib, Patch{std::move(doc)});
}

const char* op_name(Op op) {
  for (const auto& o : kOps)
    if (o.op == op) return o.name;
  return "unknown";
}

Result<Op> op_from_name(std::string_view name) {
  for (const auto& o : kOps)
    if (name == o.name) return o.op;
  return invalid_argument("unknown CIB operation '" + std::string(name) + "'");
}

const char* change_kind_name(ChangeKind kind) {
  return kind == ChangeKind::kStatus ? "status" : "configuration";
}

bool is_status_request(const Request& r) {
  if (r.op != Op::kCreate && r.op != Op::kModify && r.op != Op::kReplace && r.op != Op::kDelete) return false;
  if (!r.xpath.empty()) return r.xpath.rfind("/cib/status/", 0) == 0 && r.xpath.find('|') == std::string::npos;
  return r.section == "status";
}

namespace {

// apply_request but for the index's version (set by the caller in one place).
Result<ChangeKind> apply_change(Cib& cib, const Request& r, const Schema* schema, CheckIndex* index) {
  if (r.op == Op::kQuery) return invalid_argument("a query changes nothing");
  if (!r.section.empty()) RETURN_IF_ERROR(section_xpath(r.section).status());
  const Version before = cib.version();

  if (r.op == Op::kBump) {
    cib.bump_epoch();
    return ChangeKind::kConfiguration;
  }
  if (r.op == Op::kErase) {
    Cib fresh = Cib::empty();
    for (xmlAttr* a = cib.root()->properties; a; a = a->next) {
      const char* n = reinterpret_cast<const char*>(a->name);
      if (!std::strcmp(n, "admin_epoch") || !std::strcmp(n, "epoch") || !std::strcmp(n, "num_updates")) continue;
      if (auto v = xml::attr(cib.root(), n)) xml::set_attr(fresh.root(), n, *v);
    }
    fresh.set_version({before.admin_epoch + 1, before.epoch + 1, 0});  // as the peer does
    cib = std::move(fresh);
    if (index) index->invalidate();
    return ChangeKind::kConfiguration;
  }

  if (is_status_request(r)) {
    // The fast path: only the status section can change, so the configuration
    // needs no revalidation. perform() is all-or-nothing.
    RETURN_IF_ERROR(perform(cib, r));
    cib.bump_num_updates();
    return ChangeKind::kStatus;
  }

  const bool whole = r.op == Op::kReplace && (r.section.empty() || r.section == "cib");
  if (whole) {
    // A new document: made on a copy, so that it is all or nothing.
    Cib work = cib.copy();
    RETURN_IF_ERROR(perform(work, r));
    RETURN_IF_ERROR(validate_configuration(work, schema).with_context("change rejected"));
    // A replacement CIB keeps its own version when newer; otherwise it counts as one more change.
    if (work.version() <= before) {
      work.set_version(before);
      work.bump_epoch();
    }
    cib = std::move(work);
    if (index) index->invalidate();
    return ChangeKind::kConfiguration;
  }
  // In place: the edit undoes everything when any step fails.
  CibEdit edit = cib.begin_edit();
  RETURN_IF_ERROR(perform(cib, r));
  if (!edit.changes_configuration()) {
    cib.bump_num_updates();
    edit.commit();
    return ChangeKind::kStatus;
  }
  RETURN_IF_ERROR(validate_configuration(cib, schema, &edit, index).with_context("change rejected"));
  cib.bump_epoch();
  edit.commit();
  return ChangeKind::kConfiguration;
}

}  // namespace

Result<ChangeKind> apply_request(Cib& cib, const Request& r, const Schema* schema, CheckIndex* index) {
  auto kind = apply_change(cib, r, schema, index);
  // Whatever the change, the index now describes this version (a replaced
  // document or a rejected change that it saw have invalidated it).
  if (index && kind.ok()) index->set_version(cib.version());
  return kind;
}

Result<RecordedChange> apply_request_with_patch(Cib& cib, const Request& r, const Schema* schema,
                                                const std::function<void(Cib&)>& stamp, bool config_digest,
                                                CheckIndex* index) {
  const Version from = cib.version();
  const bool whole = r.op == Op::kErase || (r.op == Op::kReplace && (r.section.empty() || r.section == "cib"));
  if (!whole) {
    CibEdit edit = cib.begin_edit();
    ASSIGN_OR_RETURN(ChangeKind kind, apply_request(cib, r, schema, index));
    if (kind == ChangeKind::kConfiguration && stamp) stamp(cib);
    auto patch = edit.patch(from, cib.version());
    if (patch.ok()) {
      if (config_digest) xml::set_attr(xml::root(patch->doc), "config-digest", cib.digest());
      edit.commit();
      return RecordedChange{kind, std::move(patch).value()};
    }
    // The index saw the change, which is undone now.
    if (index) index->invalidate();
    if (patch.status().code() != StatusCode::kNotSupported) return patch.status();
    edit.rollback();  // and again below, comparing the documents
  }
  // The patch is what changed; for a configuration-only request it is found
  // without walking (or copying) the status.
  const bool configuration_only = changes_configuration_only(r);
  Cib before = configuration_only ? without_status(cib) : cib.copy();
  ASSIGN_OR_RETURN(ChangeKind kind, apply_request(cib, r, schema, index));
  if (kind == ChangeKind::kConfiguration && stamp) stamp(cib);
  ASSIGN_OR_RETURN(Patch patch, configuration_only ? diff(before, without_status(cib)) : diff(before, cib));
  if (!config_digest) xml::remove_attr(xml::root(patch.doc), "config-digest");
  return RecordedChange{kind, std::move(patch)};
}

Result<std::string> run_query_as_user(const Cib& cib, const Request& r, const UserGroups& groups) {
  if (!acl_applies(cib, r.user)) return run_query(cib, r);
  std::vector<std::string> in = groups ? groups(r.user) : std::vector<std::string>{};
  ASSIGN_OR_RETURN(Cib visible, Acl::of(cib, {r.user, std::move(in)}).readable(cib));
  return run_query(visible, r);
}

AclGuard::AclGuard(const Cib& cib, const std::string& user, UserGroups groups) : user_(user), groups_(std::move(groups)) {
  if (acl_applies(cib, user)) before_.emplace(cib.copy());
}

Status AclGuard::check(Cib& cib) {
  if (!before_) return Status::Ok();
  std::vector<std::string> in = groups_ ? groups_(user_) : std::vector<std::string>{};
  Status allowed = Acl::of(*before_, {user_, std::move(in)}).check_change(*before_, cib);
  if (!allowed.ok()) cib = std::move(*before_);
  before_.reset();
  return allowed;
}

Result<std::string> run_query(const Cib& cib, const Request& r) {
  std::string expr;
  if (!r.xpath.empty()) {
    expr = r.xpath;
  } else {
    ASSIGN_OR_RETURN(expr, section_xpath(r.section));
  }
  if (expr == "/cib" && !r.no_children) return strip_declaration(cib.serialize(true));
  ASSIGN_OR_RETURN(auto matches, cib.query(expr));
  if (matches.empty()) return not_found("no element matches " + expr);
  std::string out;
  auto emit = [&](xmlNode* n) {
    if (r.no_children) {
      xml::NodePtr shallow(xmlCopyNode(n, 2));
      out += xml::to_string(shallow.get(), true);
    } else {
      out += xml::to_string(n, true);
    }
    if (out.empty() || out.back() != '\n') out += '\n';
  };
  if (matches.size() == 1) {
    emit(matches.front());
    return out;
  }
  out = "<xpath-query>\n";
  for (xmlNode* n : matches) emit(n);
  out += "</xpath-query>\n";
  return out;
}

// ---- wire ----

Result<Message> split_message(std::string_view payload) {
  size_t nl = payload.find('\n');
  std::string_view head = nl == std::string_view::npos ? payload : payload.substr(0, nl);
  Message m;
  ASSIGN_OR_RETURN(m.header, xml::parse(head, "message header"));
  m.body = nl == std::string_view::npos ? std::string_view() : payload.substr(nl + 1);
  return m;
}

std::string encode(const char* name, const std::vector<std::pair<const char*, std::string>>& attrs,
                   std::string_view body) {
  xml::NodePtr node(xmlNewNode(nullptr, reinterpret_cast<const xmlChar*>(name)));
  for (const auto& [k, v] : attrs)
    if (!v.empty()) xml::set_attr(node.get(), k, v);
  std::string out = xml::to_string(node.get(), false);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  out += '\n';
  out.append(body);
  return out;
}

void request_to_attrs(const Request& r, std::vector<std::pair<const char*, std::string>>& attrs) {
  attrs.emplace_back("op", op_name(r.op));
  attrs.emplace_back("section", r.section);
  attrs.emplace_back("xpath", r.xpath);
  std::string flags;
  if (r.allow_create) flags += "allow-create ";
  if (r.delete_all) flags += "delete-all ";
  if (r.no_children) flags += "no-children ";
  if (!flags.empty()) flags.pop_back();
  attrs.emplace_back("flags", flags);
  attrs.emplace_back("client", r.client_name);
  attrs.emplace_back("user", r.user);
  attrs.emplace_back("origin", r.origin);
}

Result<Request> request_from_message(const Message& m) {
  Request r;
  ASSIGN_OR_RETURN(r.op, op_from_name(m.get("op")));
  r.section = m.get("section");
  r.xpath = m.get("xpath");
  std::string flags = " " + m.get("flags") + " ";
  r.allow_create = flags.find(" allow-create ") != std::string::npos;
  r.delete_all = flags.find(" delete-all ") != std::string::npos;
  r.no_children = flags.find(" no-children ") != std::string::npos;
  r.client_name = m.get("client");
  r.user = m.get("user");
  r.origin = m.get("origin");
  r.fragment = std::string(m.body);
  return r;
}

StatusCode status_code_from_name(std::string_view name) {
  for (int c = 0; c <= static_cast<int>(StatusCode::kInternal); ++c) {
    auto code = static_cast<StatusCode>(c);
    if (name == status_code_name(code)) return code;
  }
  return StatusCode::kInternal;
}

std::string strip_declaration(std::string text) {
  if (text.rfind("<?xml", 0) == 0) {
    size_t end = text.find("?>");
    if (end != std::string::npos) {
      end += 2;
      while (end < text.size() && (text[end] == '\n' || text[end] == '\r')) ++end;
      text.erase(0, end);
    }
  }
  return text;
}

}  // namespace crm::cib
