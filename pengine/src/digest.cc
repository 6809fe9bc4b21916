// Resource definition changes: the digests recorded with each operation
// (op-digest, op-restart-digest) are compared with the digests of the
// current parameters, to decide whether an active resource must be
// restarted, reloaded, or only have a recurring monitor re-sent.
//
// A digest is the MD5 of ' <parameters a="1" b="2"/>\n' (parameters sorted
// by name, values XML-escaped); recurring operations add CRM_meta_timeout
// in milliseconds.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "crm/core/xml.h"
#include "crm/pengine/digest.h"
#include "working_set.h"

namespace crm::pengine {
namespace {

std::string md5_hex(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx, text.data(), text.size());
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    snprintf(buf, sizeof buf, "%02x", md[i]);
    out += buf;
  }
  return out;
}

const OpConfig* find_config(const Resource* r, std::string_view task, long interval) {
  for (const OpConfig& c : r->ops)
    if (c.name == task && c.interval_ms == interval) return &c;
  return nullptr;
}

// Resource parameters plus the operation's own instance attributes.
Attrs params_for(WorkingSet& ws, Resource* r, const OpConfig* cfg, bool* has_extra) {
  Attrs p = r->params;
  *has_extra = false;
  if (cfg && cfg->xml) {
    for (auto& [k, v] : unpack_nvpairs(ws, cfg->xml, "instance_attributes", nullptr)) {
      p[k] = v;
      *has_extra = true;
    }
  }
  return p;
}

// With masked secrets, a matching op-secure-digest (parameters without the
// secret ones and, for fencing devices, without pcmk_* ones) means nothing
// else changed.
bool only_secrets_changed(WorkingSet& ws, Resource* r, const OpRecord& op, const Attrs& params) {
  if (!ws.options.sanitized || !op.xml) return false;
  std::string secure = xml::attr_or(op.xml, "op-secure-digest");
  if (secure.empty()) return false;
  std::string secret = " " + xml::attr_or(op.xml, "op-secure-params") + " ";
  Attrs sp;
  for (auto& [k, v] : params)
    if (secret.find(" " + k + " ") == std::string::npos && !(r->cls == "stonith" && k.rfind("pcmk_", 0) == 0))
      sp[k] = v;
  return parameters_digest(sp) == secure;
}

}  // namespace

std::string parameters_digest(const std::map<std::string, std::string>& params) {
  std::string s = " <parameters";
  for (auto& [k, v] : params) s += " " + k + "=\"" + xml::escape(v) + "\"";
  s += "/>\n";
  return md5_hex(s);
}

std::string op_digest(const std::map<std::string, std::string>& attributes, long interval_ms) {
  std::map<std::string, std::string> p;
  for (const auto& [k, v] : attributes) {
    if (k == "crm_feature_set") continue;
    if (k.rfind("CRM_meta_", 0) == 0 && !(interval_ms > 0 && k == "CRM_meta_timeout")) continue;
    p.emplace(k, v);
  }
  return parameters_digest(p);
}

bool recorded_digest_differs(WorkingSet& ws, Resource* r, const OpRecord& op) {
  if (op.op_digest.empty()) return false;  // nothing to compare with
  bool extra = false;
  const OpConfig* cfg = find_config(r, op.operation, op.interval_ms);
  Attrs p = params_for(ws, r, cfg, &extra);
  if (op.interval_ms > 0) {
    if (!cfg) return false;
    p["CRM_meta_timeout"] = std::to_string(cfg->timeout_ms);
  }
  if (parameters_digest(p) == op.op_digest) return false;
  return !only_secrets_changed(ws, r, op, p);
}

std::vector<const OpRecord*> active_history(const Resource* r, const Node* node) {
  const std::vector<OpRecord>* history = r->history_on(node);
  if (!history) return {};
  std::vector<const OpRecord*> ops;
  for (const OpRecord& op : *history) ops.push_back(&op);
  std::stable_sort(ops.begin(), ops.end(), [](const OpRecord* a, const OpRecord* b) {
    int ca = a->call_id < 0 ? INT32_MAX : a->call_id;
    int cb = b->call_id < 0 ? INT32_MAX : b->call_id;
    return ca < cb;
  });
  // The active part of the history: from the last start (or what implies one).
  int start = -1, stop = -1, implied_monitor = -1, implied_clone = -1;
  for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
    const OpRecord* op = ops[i];
    if (op->operation == "stop" && op->op_status == 0) stop = i;
    else if (op->operation == "start" || op->operation == "migrate_from") start = i;
    else if (implied_monitor <= stop && op->operation == "monitor" && (op->rc == 0 || op->rc == 8)) implied_monitor = i;
    else if (op->operation == "promote" || op->operation == "demote") implied_clone = i;
  }
  if (start == -1) start = implied_clone != -1 ? implied_clone : implied_monitor;
  if (start < stop) return {};
  ops.erase(ops.begin(), ops.begin() + std::max(start, 0));
  return ops;
}

namespace {

DefinitionChange compare_definition(WorkingSet& ws, Resource* r, Node* node, std::set<long>* reschedule) {
  DefinitionChange result = DefinitionChange::kNone;
  for (const OpRecord* op : active_history(r, node)) {
    if (op->interval_ms > 0) {
      const OpConfig* cfg = find_config(r, op->operation, op->interval_ms);
      if (!cfg || op->op_digest.empty()) continue;
      bool extra = false;
      Attrs p = params_for(ws, r, cfg, &extra);
      p["CRM_meta_timeout"] = std::to_string(cfg->timeout_ms);
      if (parameters_digest(p) == op->op_digest) continue;
      if (only_secrets_changed(ws, r, *op, p)) continue;
      if (reschedule) reschedule->insert(op->interval_ms);
      continue;
    }
    std::string task(op->operation);
    if (task == "monitor" || task == "promote" || task == "migrate_from") task = "start";
    if (task != "start") continue;
    bool extra = false;
    Attrs p = params_for(ws, r, find_config(r, "start", 0), &extra);
    std::string restart_digest = op->xml ? xml::attr_or(op->xml, "op-restart-digest") : "";
    if (!restart_digest.empty()) {
      std::string keep = " " + (op->xml ? xml::attr_or(op->xml, "op-force-restart") : std::string()) + " ";
      Attrs rp;
      for (auto& [k, v] : p)
        if (keep.find(" " + k + " ") != std::string::npos) rp[k] = v;
      if (parameters_digest(rp) != restart_digest) return DefinitionChange::kRestart;
    }
    if (op->op_digest.empty() || parameters_digest(p) == op->op_digest) continue;
    if (only_secrets_changed(ws, r, *op, p)) continue;
    // Changed: a reload when the agent can reload and no operation-specific
    // parameter is involved, a restart otherwise.
    // (a start still pending is restarted rather than reloaded)
    if (!restart_digest.empty() && !extra && !op->pending()) result = DefinitionChange::kReload;
    else return DefinitionChange::kRestart;
  }
  return result;
}

}  // namespace

const DefinitionCheck& check_definition(WorkingSet& ws, Resource* r, Node* node) {
  auto [known, added] = r->definition_checks.try_emplace(node);
  if (added) known->second.change = compare_definition(ws, r, node, &known->second.reschedule);
  return known->second;
}

}  // namespace crm::pengine
