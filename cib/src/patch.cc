// diff/apply_patch: Pacemaker's v2 XML patch format (docs/cib.md).
//
// One engine, one format. Until the crmsh work we had a patch format of our
// own (<diff from to digest><set-attrs|remove|add|replace>); it is gone: the
// v2 format says the same things (paths to elements, positions, attribute
// sets), the peer's tools and crmsh speak it (crm_diff | cibadmin --patch),
// and keeping two engines would mean two sets of matching and ordering rules
// to keep correct. The replication between our CIB daemons sends v2 patches
// too, with <version> and our config-digest attribute.
//
// How diff() finds the changes (the peer's xml_calculate_changes followed by
// xml_create_patchset, so crm_diff prints what the peer's prints):
//  * Children match by element name and id (a child without id: the only
//    child of that name); comments match by content at the same position
//    once the deleted siblings before them are left out.
//  * Unmatched old children are deleted (all deletions come first, in
//    document order; a comment's deletion carries its position).
//  * Then, walking the new tree in order: a new child is created at its
//    position; a matched element's attribute changes become one modify
//    (change-list + change-result); children are visited; a matched child
//    whose position moved (counted as the peer counts, skipping what was
//    already accounted for) gets a move to its final position.
//
// Where the peer's rules would give a patch that does not apply correctly,
// diff() writes a coarser but correct one:
//  * Children that a path cannot tell apart (two elements of the same name
//    without ids, the same id twice, an id holding a quote) make their parent
//    "rebuilt": when that parent's subtree changed, all its old children are
//    deleted in order (each path then names the first remaining one, which is
//    the one meant) and all new children created.
//  * An element whose own text changed (the peer strips text; we keep it) is
//    deleted and created whole.
//  * When the peer's move detection leaves the unmoved children out of their
//    new relative order, or would move a comment (comments cannot be moved
//    by path), that parent's moves are recomputed as the fewest moves (the
//    unmoved children are a longest increasing subsequence) and comments not
//    in it are deleted and created.
//
// apply_patch() runs as the peer's apply_v2_patchset: deletions and modifies
// in order; creates and moves afterwards, sorted by position (stable), each
// inserted before the child at that position. Unlike the peer, every change
// must apply (a delete that matches nothing is an error, not skipped), and a
// failure leaves the document unchanged.
#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "crm/cib/canonical.h"
#include "crm/cib/cib.h"
#include "edit_log.h"

namespace crm::cib {
namespace {

std::string_view sv(const xmlChar* s) { return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view(); }

// Children that take part in positions: elements and comments (text is
// stripped by the peer and never has a position).
bool counts(const xmlNode* n) { return n->type == XML_ELEMENT_NODE || n->type == XML_COMMENT_NODE; }

std::vector<xmlNode*> positioned_children(const xmlNode* parent) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = parent->children; c; c = c->next)
    if (counts(c)) out.push_back(c);
  return out;
}

// Non-blank text directly under `n`, with a marker per element/comment so
// that where the text stands counts too ("" when there is none).
std::string own_text(const xmlNode* n) {
  std::string out;
  bool any = false;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (counts(c)) {
      out += '\x01';
    } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      std::string_view t = sv(c->content);
      if (std::all_of(t.begin(), t.end(), [](char ch) { return isspace(static_cast<unsigned char>(ch)); })) continue;
      any = true;
      out += '\x02';
      out += t;
    }
  }
  return any ? out : std::string();
}

std::string comment_text(const xmlNode* n) { return std::string(sv(n->content)); }

// The path step of an element as the peer writes it: name[@id='ID'], or the
// bare name without an id. An id holding ' is quoted with " (such children
// are only ever deleted in order, see "rebuilt" above, where the bare-name
// reading of the peer's parser finds the same element).
std::string step_with(const xmlNode* n, const std::optional<std::string>& id) {
  if (n->type == XML_COMMENT_NODE) return "comment";
  std::string out(xml::name(n));
  if (id) {
    if (id->find('\'') == std::string::npos) {
      out += "[@id='" + *id + "']";
    } else if (id->find('"') == std::string::npos) {
      out += "[@id=\"" + *id + "\"]";
    }
  }
  return out;
}

std::string step(const xmlNode* n) { return step_with(n, xml::attr(n, "id")); }

// The matching key of an element (name + id) or nullopt for a comment.
std::string key_of(const xmlNode* n) {
  auto id = xml::attr(n, "id");
  return std::string(xml::name(n)) + (id ? "\x01" + *id : std::string("\x02"));
}

// True when a path cannot name every element of `kids` on its own: a name
// shared by an element without id, an id used twice, an id with a quote.
bool ambiguous(const std::vector<xmlNode*>& kids) {
  std::unordered_map<std::string_view, int> per_name;
  std::unordered_set<std::string_view> without_id;
  std::unordered_set<std::string> keys;
  for (const xmlNode* k : kids) {
    if (k->type != XML_ELEMENT_NODE) continue;
    std::string_view name = xml::name(k);
    auto id = xml::attr(k, "id");
    if (!id) {
      if (per_name[name]++ > 0) return true;
      without_id.insert(name);
      continue;
    }
    if (without_id.count(name) || id->find('\'') != std::string::npos) return true;
    ++per_name[name];
    if (!keys.insert(key_of(k)).second) return true;
  }
  for (const xmlNode* k : kids)
    if (k->type == XML_ELEMENT_NODE && without_id.count(xml::name(k)) && per_name[xml::name(k)] > 1) return true;
  return false;
}

// Prefix counts with point updates (skipped old children before index i).
class Fenwick {
 public:
  explicit Fenwick(size_t n) : t_(n + 1, 0) {}
  void add(size_t i) {
    for (++i; i < t_.size(); i += i & (~i + 1)) ++t_[i];
  }
  int before(size_t i) const {  // sum over [0, i)
    int s = 0;
    for (; i > 0; i -= i & (~i + 1)) s += t_[i];
    return s;
  }

 private:
  std::vector<int> t_;
};

// Indices (into `seq`) of one longest strictly increasing subsequence.
std::vector<size_t> lis(const std::vector<int>& seq) {
  std::vector<size_t> tails, prev(seq.size(), SIZE_MAX);
  for (size_t i = 0; i < seq.size(); ++i) {
    auto it = std::lower_bound(tails.begin(), tails.end(), seq[i], [&](size_t t, int v) { return seq[t] < v; });
    if (it != tails.begin()) prev[i] = *(it - 1);
    if (it == tails.end()) {
      tails.push_back(i);
    } else {
      *it = i;
    }
  }
  std::vector<size_t> out;
  for (size_t i = tails.empty() ? SIZE_MAX : tails.back(); i != SIZE_MAX; i = prev[i]) out.push_back(i);
  std::reverse(out.begin(), out.end());
  return out;
}

struct AttrChange {
  std::string name;
  std::optional<std::string> value;  // nullopt: unset
};

// What the walk over the new tree has to write for one node of it.
struct Mark {
  bool dirty = false;    // something in this subtree changes
  bool created = false;  // a create (with its parent's path and this position)
  bool moved = false;    // a move to this position
  int position = 0;      // index among the parent's positioned children
  std::vector<AttrChange> attrs;
};

class Differ {
 public:
  Differ(xmlNode* out, bool attribute_order) : out_(out), attribute_order_(attribute_order) {}

  // Pass 1 over a matched pair: deletions (written at once, in the peer's
  // order) and marks on the new tree. Returns true when anything changed.
  bool mark(const xmlNode* a, const xmlNode* b, const std::string& path_b) {
    bool changed = attributes(a, b);
    std::vector<xmlNode*> ka = positioned_children(a), kb = positioned_children(b);
    const size_t na = ka.size(), nb = kb.size();
    std::vector<int> match_a(na, -1), match_b(nb, -1);
    const bool rebuild = (ambiguous(ka) || ambiguous(kb)) && !canonical_equal(a, b, {.comments = true});
    if (!rebuild) {
      std::unordered_map<std::string, int> index_b;
      for (size_t j = 0; j < nb; ++j)
        if (kb[j]->type == XML_ELEMENT_NODE) index_b.emplace(key_of(kb[j]), static_cast<int>(j));
      size_t deleted = 0;
      for (size_t i = 0; i < na; ++i) {
        int j = -1;
        if (ka[i]->type == XML_ELEMENT_NODE) {
          auto it = index_b.find(key_of(ka[i]));
          if (it != index_b.end() && own_text(ka[i]) == own_text(kb[static_cast<size_t>(it->second)])) j = it->second;
        } else {
          size_t p = i - deleted;
          if (p < nb && kb[p]->type == XML_COMMENT_NODE && match_b[p] < 0 && comment_text(kb[p]) == comment_text(ka[i]))
            j = static_cast<int>(p);
        }
        if (j < 0) {
          ++deleted;
        } else {
          match_a[i] = j;
          match_b[static_cast<size_t>(j)] = static_cast<int>(i);
        }
      }
    }
    std::vector<bool> moved(nb, false);
    if (!peer_moves(match_a, match_b, ka, moved)) fewest_moves(match_a, match_b, ka, moved);

    // Deletions in old document order, recursing into matched children first
    // as the peer does.
    size_t deleted = 0;
    for (size_t i = 0; i < na; ++i) {
      if (match_a[i] >= 0) {
        const xmlNode* nbj = kb[static_cast<size_t>(match_a[i])];
        if (mark(ka[i], nbj, path_b + "/" + step(nbj))) {
          marks_[nbj].dirty = true;
          changed = true;
        }
        continue;
      }
      xmlNode* change = xml::add_child(out_, "change");
      xml::set_attr(change, "operation", "delete");
      xml::set_attr(change, "path", path_b + "/" + step(ka[i]));
      if (ka[i]->type == XML_COMMENT_NODE) xml::set_attr(change, "position", std::to_string(i - deleted));
      ++deleted;
      changed = true;
    }
    for (size_t j = 0; j < nb; ++j) {
      if (match_b[j] >= 0 && !moved[j]) continue;
      Mark& m = marks_[kb[j]];
      m.dirty = true;
      m.created = match_b[j] < 0;
      m.moved = !m.created;
      m.position = static_cast<int>(j);
      changed = true;
    }
    if (changed) marks_[b].dirty = true;
    return changed;
  }

  // Pass 2: creates, modifies and moves in the new tree's order.
  void emit(const xmlNode* b, const std::string& parent_path, const std::string& path) {
    auto it = marks_.find(b);
    if (it == marks_.end() || !it->second.dirty) return;
    const Mark& m = it->second;
    if (m.created) {
      xmlNode* change = xml::add_child(out_, "change");
      xml::set_attr(change, "operation", "create");
      xml::set_attr(change, "path", parent_path);
      xml::set_attr(change, "position", std::to_string(m.position));
      xmlAddChild(change, xmlDocCopyNode(const_cast<xmlNode*>(b), out_->doc, 1));
      return;
    }
    if (!m.attrs.empty()) {
      xmlNode* change = xml::add_child(out_, "change");
      xml::set_attr(change, "operation", "modify");
      xml::set_attr(change, "path", path);
      xmlNode* list = xml::add_child(change, "change-list");
      for (const AttrChange& c : m.attrs) {
        xmlNode* attr = xml::add_child(list, "change-attr");
        xml::set_attr(attr, "name", c.name);
        xml::set_attr(attr, "operation", c.value ? "set" : "unset");
        if (c.value) xml::set_attr(attr, "value", *c.value);
      }
      xmlNode* result = xml::add_child(xml::add_child(change, "change-result"), std::string(xml::name(b)).c_str());
      for (const xmlAttr* p = b->properties; p; p = p->next) {
        const char* name = reinterpret_cast<const char*>(p->name);
        xml::set_attr(result, name, xml::attr_or(b, name));
      }
    }
    for (xmlNode* c : positioned_children(b)) emit(c, path, path + "/" + step(c));
    if (m.moved) {
      xmlNode* change = xml::add_child(out_, "change");
      xml::set_attr(change, "operation", "move");
      xml::set_attr(change, "path", path);
      xml::set_attr(change, "position", std::to_string(m.position));
    }
  }

 private:
  // The peer's attribute comparison: changed values, created and deleted
  // attributes, and (unless attribute_order_ is off) attributes that moved,
  // with its skip rule for counting positions. Written in the new element's
  // order, then the unset ones in the old order.
  bool attributes(const xmlNode* a, const xmlNode* b) {
    std::vector<std::string> old_names, new_names;
    for (const xmlAttr* p = a->properties; p; p = p->next) old_names.emplace_back(sv(p->name));
    for (const xmlAttr* p = b->properties; p; p = p->next) new_names.emplace_back(sv(p->name));
    std::vector<bool> created(new_names.size(), true), dirty(new_names.size(), false);
    std::vector<bool> skip_old(old_names.size(), false), skip_new(new_names.size(), false);
    auto position = [](const std::vector<bool>& skip, size_t i) {
      return static_cast<int>(i) - static_cast<int>(std::count(skip.begin(), skip.begin() + static_cast<long>(i), true));
    };
    std::vector<AttrChange> unset;
    for (size_t k = 0; k < old_names.size(); ++k) {
      auto m_it = std::find(new_names.begin(), new_names.end(), old_names[k]);
      if (m_it == new_names.end()) {
        unset.push_back({old_names[k], std::nullopt});
        continue;
      }
      size_t m = static_cast<size_t>(m_it - new_names.begin());
      created[m] = false;
      if (xml::attr(a, old_names[k].c_str()) != xml::attr(b, old_names[k].c_str())) {
        dirty[m] = true;
      } else if (attribute_order_) {
        int p_old = position(skip_old, k), p_new = position(skip_new, m);
        if (p_old != p_new) {
          dirty[m] = true;
          (p_old > p_new ? skip_old[k] : skip_new[m]) = true;
        }
      }
    }
    std::vector<AttrChange> changes;
    for (size_t m = 0; m < new_names.size(); ++m)
      if (created[m] || dirty[m]) changes.push_back({new_names[m], xml::attr(b, new_names[m].c_str())});
    changes.insert(changes.end(), unset.begin(), unset.end());
    if (changes.empty()) return false;
    Mark& mk = marks_[b];
    mk.attrs = std::move(changes);
    mk.dirty = true;
    return true;
  }

  // The peer's move detection (positions skip created children, and of a
  // moved pair the one further along). False when its result cannot be
  // applied faithfully: a matched comment would move, or the unmoved
  // children are not in their new relative order.
  static bool peer_moves(const std::vector<int>& match_a, const std::vector<int>& match_b,
                         const std::vector<xmlNode*>& ka, std::vector<bool>& moved) {
    Fenwick skip_old(match_a.size());
    for (size_t i = 0; i < match_a.size(); ++i)
      if (match_a[i] < 0) skip_old.add(i);
    int skipped_new = 0, last_kept = -1;
    for (size_t j = 0; j < match_b.size(); ++j) {
      if (match_b[j] < 0) {
        ++skipped_new;
        continue;
      }
      size_t i = static_cast<size_t>(match_b[j]);
      int p_new = static_cast<int>(j) - skipped_new;
      int p_old = static_cast<int>(i) - skip_old.before(i);
      if (p_old == p_new) {
        if (static_cast<int>(i) < last_kept) return false;
        last_kept = static_cast<int>(i);
        continue;
      }
      if (ka[i]->type == XML_COMMENT_NODE) return false;
      moved[j] = true;
      if (p_old > p_new) {
        skip_old.add(i);
      } else {
        ++skipped_new;
      }
    }
    return true;
  }

  // The fewest moves: the matched children in a longest increasing
  // subsequence stay, the others move; comments outside it are unmatched.
  static void fewest_moves(std::vector<int>& match_a, std::vector<int>& match_b, const std::vector<xmlNode*>& ka,
                           std::vector<bool>& moved) {
    std::vector<size_t> js;
    std::vector<int> olds;
    for (size_t j = 0; j < match_b.size(); ++j) {
      moved[j] = false;
      if (match_b[j] >= 0) {
        js.push_back(j);
        olds.push_back(match_b[j]);
      }
    }
    std::vector<bool> keep(js.size(), false);
    for (size_t k : lis(olds)) keep[k] = true;
    for (size_t k = 0; k < js.size(); ++k) {
      if (keep[k]) continue;
      size_t j = js[k], i = static_cast<size_t>(olds[k]);
      if (ka[i]->type == XML_COMMENT_NODE) {
        match_a[i] = -1;
        match_b[j] = -1;
      } else {
        moved[j] = true;
      }
    }
  }

  xmlNode* out_;
  bool attribute_order_;
  std::unordered_map<const xmlNode*, Mark> marks_;
};

std::string root_path(const xmlNode* a, const xmlNode* b) {
  auto ia = xml::attr(a, "id");
  if (ia && ia == xml::attr(b, "id") && ia->find('\'') == std::string::npos) return "/" + step(b);
  return "/" + std::string(xml::name(b));
}

void write_version_of(xmlNode* parent, const char* name, const Version& v) {
  xmlNode* n = xml::add_child(parent, name);
  xml::set_attr(n, "admin_epoch", std::to_string(v.admin_epoch));
  xml::set_attr(n, "epoch", std::to_string(v.epoch));
  xml::set_attr(n, "num_updates", std::to_string(v.num_updates));
}

// ---- apply ----

// One parsed path step: name[@id='ID'] or name.
struct Step {
  std::string name;
  std::optional<std::string> id;
};

Result<std::vector<Step>> parse_path(std::string_view path) {
  std::vector<Step> steps;
  size_t i = 0;
  if (path.empty() || path[0] != '/') return parse_error("path '" + std::string(path) + "' does not start with /");
  while (i < path.size()) {
    if (path[i] != '/') return parse_error("path '" + std::string(path) + "': expected / at offset " + std::to_string(i));
    ++i;
    Step s;
    while (i < path.size() && path[i] != '/' && path[i] != '[') s.name += path[i++];
    if (s.name.empty()) return parse_error("path '" + std::string(path) + "': empty step");
    if (i < path.size() && path[i] == '[') {
      constexpr std::string_view kId = "[@id=";
      if (path.substr(i, kId.size()) != kId || i + kId.size() >= path.size())
        return parse_error("path '" + std::string(path) + "': only [@id='...'] is allowed in a step");
      i += kId.size();
      char quote = path[i++];
      if (quote != '\'' && quote != '"') return parse_error("path '" + std::string(path) + "': unquoted id");
      size_t close = path.find(quote, i);
      if (close == std::string_view::npos || close + 1 >= path.size() || path[close + 1] != ']')
        return parse_error("path '" + std::string(path) + "': unterminated [@id=...]");
      s.id = std::string(path.substr(i, close - i));
      i = close + 2;
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

int position_of(const xmlNode* n) {
  int p = 0;
  for (const xmlNode* c = n->prev; c; c = c->prev)
    if (counts(c)) ++p;
  return p;
}

// The peer's search: each step names the first child with that name (and
// id); a comment in the last step must also be at `position` when given.
xmlNode* find(xmlDoc* doc, const std::vector<Step>& steps, int position) {
  xmlNode* at = nullptr;  // the document itself before the first step
  for (size_t k = 0; k < steps.size(); ++k) {
    const Step& s = steps[k];
    const bool last = k + 1 == steps.size();
    xmlNode* found = nullptr;
    for (xmlNode* c = at ? at->children : doc->children; c && !found; c = c->next) {
      if (!counts(c) || xml::name(c) != s.name) continue;
      if (s.id && xml::attr(c, "id") != s.id) continue;
      if (c->type == XML_COMMENT_NODE && last && position >= 0 && position_of(c) != position) continue;
      found = c;
    }
    if (!found) return nullptr;
    at = found;
  }
  return at;
}

// Inserts `node` (unlinked) as the child at `position` of `parent`.
Status insert_at(xmlNode* parent, xmlNode* node, long position, const std::string& where) {
  std::vector<xmlNode*> kids = positioned_children(parent);
  if (position < 0 || static_cast<size_t>(position) > kids.size()) {
    return invalid_argument(where + ": position " + std::to_string(position) + " is outside 0.." +
                            std::to_string(kids.size()));
  }
  if (static_cast<size_t>(position) == kids.size()) {
    xmlAddChild(parent, node);
  } else {
    xmlAddPrevSibling(kids[static_cast<size_t>(position)], node);
  }
  return Status::Ok();
}

Result<long> int_attr(const xmlNode* n, const char* name, long fallback, const std::string& where) {
  auto v = xml::attr(n, name);
  if (!v) return fallback;
  long out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size()) return parse_error(where + ": bad " + name + " '" + *v + "'");
  return out;
}

Status check_version(const xmlNode* root, const xmlNode* patch_root) {
  xmlNode* version = xml::first_child(patch_root, "version");
  if (!version) return Status::Ok();
  Version at = Version::of(root);
  auto read = [&](const char* which, Version fallback) {
    xmlNode* n = xml::first_child(version, which);
    return n ? Version::of(n) : fallback;
  };
  Version source = read("source", at);
  Version target = read("target", Version{at.admin_epoch, at.epoch, at.num_updates + 1});
  if (at < source) {
    return invalid_argument("patch applies to version " + source.to_string() + " but the document is at " +
                            at.to_string() + " (older): a full copy is needed");
  }
  if (at > source) {
    return Status(StatusCode::kOutdated, "patch applies to version " + source.to_string() +
                                             " but the document is already at " + at.to_string());
  }
  if (!(target > source)) {
    return Status(StatusCode::kOutdated, "patch does not change the version (" + source.to_string() + " to " +
                                             target.to_string() + ")");
  }
  return Status::Ok();
}

// Applies the changes to `doc` in place, recorded in `log` when given (the
// caller rolls back on failure), else on a copy the caller discards.
Status apply_changes(xmlDoc* doc, const xmlNode* patch_root, EditLog* log) {
  struct Deferred {
    const xmlNode* change;
    xmlNode* match;
    long position;
    bool create;
    std::string where;
  };
  std::vector<Deferred> deferred;
  int index = 0;
  for (xmlNode* change : xml::children(patch_root, "change")) {
    ++index;
    auto op = xml::attr(change, "operation");
    const std::string path = xml::attr_or(change, "path");
    const std::string where =
        "change " + std::to_string(index) + " (" + op.value_or("?") + " " + path + ")";
    if (!op) return parse_error(where + ": no operation");
    auto steps = parse_path(path);
    if (!steps.ok()) return parse_error(where + ": " + steps.status().message());
    ASSIGN_OR_RETURN(long position, int_attr(change, "position", -1, where));
    xmlNode* match = find(doc, *steps, *op == "delete" ? static_cast<int>(position) : -1);
    if (!match) return not_found(where + ": nothing in the document matches the path");
    if (*op == "delete") {
      if (match == xmlDocGetRootElement(doc)) return invalid_argument(where + ": cannot delete the root");
      remove_node(log, match);
    } else if (*op == "modify") {
      std::vector<xmlNode*> results = xml::children(xml::first_child(change, "change-result"));
      xmlNode* result = results.empty() ? nullptr : results.front();
      if (!result) return parse_error(where + ": no <change-result> element");
      if (match->type != XML_ELEMENT_NODE) return invalid_argument(where + ": the path names a comment");
      before_attributes(log, match);
      while (match->properties) xmlRemoveProp(match->properties);
      for (const xmlAttr* p = result->properties; p; p = p->next) {
        const char* name = reinterpret_cast<const char*>(p->name);
        xml::set_attr(match, name, xml::attr_or(result, name));
      }
    } else if (*op == "create" || *op == "move") {
      if (position < 0) return parse_error(where + ": no position");
      if (*op == "move") {
        if (match == xmlDocGetRootElement(doc)) return invalid_argument(where + ": cannot move the root");
        // Out of the way until the moves and creates run, as the peer does.
        xmlNode* parent = match->parent;
        before_children(log, parent);
        xmlUnlinkNode(match);
        xmlAddChild(parent, match);
      }
      deferred.push_back({change, match, position, *op == "create", where});
    } else {
      return parse_error(where + ": unknown operation");
    }
  }
  std::stable_sort(deferred.begin(), deferred.end(),
                   [](const Deferred& x, const Deferred& y) { return x.position < y.position; });
  for (const Deferred& d : deferred) {
    if (d.create) {
      const xmlNode* content = nullptr;
      for (const xmlNode* c = d.change->children; c && !content; c = c->next)
        if (counts(c)) content = c;
      if (!content) return parse_error(d.where + ": nothing to create");
      xmlNode* fresh = xmlDocCopyNode(const_cast<xmlNode*>(content), doc, 1);
      before_children(log, d.match);
      Status s = insert_at(d.match, fresh, d.position, d.where);
      if (!s.ok()) {
        xmlFreeNode(fresh);
        return s;
      }
    } else {
      xmlNode* parent = d.match->parent;
      xmlUnlinkNode(d.match);
      Status s = insert_at(parent, d.match, d.position, d.where);
      if (!s.ok()) {
        xmlAddChild(parent, d.match);  // back where the rollback (or the discarded copy) finds it
        return s;
      }
    }
  }
  return Status::Ok();
}

Status check_format(const xmlNode* root) {
  if (!xml::is(root, "diff")) return parse_error("patch: root element is not <diff>");
  std::string format = xml::attr_or(root, "format", "1");
  if (format != "2") {
    return not_supported("patch format " + format + " (only the v2 format, <diff format=\"2\">, is supported)");
  }
  return Status::Ok();
}

}  // namespace

bool Patch::empty() const { return xml::children(xml::root(doc), "change").empty(); }

Result<Patch> diff(const xmlNode* older, const xmlNode* newer, const DiffOptions& options) {
  if (!older || !newer || xml::name(older) != xml::name(newer)) {
    return invalid_argument("cannot compare <" + std::string(xml::name(older)) + "> with <" +
                            std::string(xml::name(newer)) + ">: the root elements differ");
  }
  if (own_text(older) != own_text(newer)) {
    return invalid_argument("the text directly under <" + std::string(xml::name(older)) +
                            "> changed, which a v2 patch cannot express");
  }
  Patch patch{xml::new_document("diff")};
  xmlNode* out = xml::root(patch.doc);
  xml::set_attr(out, "format", "2");
  if (options.version) write_patch_version(out, Version::of(older), Version::of(newer));
  Differ differ(out, options.attribute_order);
  const std::string path = root_path(older, newer);
  differ.mark(older, newer, path);
  differ.emit(newer, "", path);
  return patch;
}

Result<Patch> diff(const Cib& older, const Cib& newer) {
  ASSIGN_OR_RETURN(Patch patch, diff(older.root(), newer.root(), DiffOptions{}));
  xml::set_attr(xml::root(patch.doc), "config-digest", newer.digest());
  return patch;
}

Result<Patch> parse_patch(std::string_view xml_text, const std::string& source) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(xml_text, source));
  if (!xml::is(xml::root(doc), "diff")) return parse_error(source + ": root element is not <diff>");
  return Patch{std::move(doc)};
}

Status apply_patch(xml::DocPtr& doc, const Patch& patch, const ApplyOptions& options) {
  const xmlNode* root = xml::root(patch.doc);
  RETURN_IF_ERROR(check_format(root));
  if (options.check_version) RETURN_IF_ERROR(check_version(xml::root(doc), root));
  xml::DocPtr work = xml::copy(doc.get());
  RETURN_IF_ERROR(apply_changes(work.get(), root, nullptr));
  doc = std::move(work);
  return Status::Ok();
}

Status apply_patch(Cib& cib, const Patch& patch) {
  const xmlNode* root = xml::root(patch.doc);
  RETURN_IF_ERROR(check_format(root));
  RETURN_IF_ERROR(check_version(cib.root(), root));
  // In place: the edit undoes a patch that fails half way.
  CibEdit edit = cib.begin_edit();
  RETURN_IF_ERROR(apply_changes(cib.doc(), root, edit_log_of(cib)));
  if (!xml::is(cib.root(), "cib")) return parse_error("patch: the result's root is not <cib>");
  if (auto digest = xml::attr(root, "config-digest")) {
    std::string now = cib.digest();
    if (*digest != now) {
      return config_invalid("patch to " + cib.version().to_string() +
                            ": the configuration's digest after applying is " + now + ", the patch expects " + *digest);
    }
  }
  edit.commit();
  return Status::Ok();
}

Result<std::vector<PatchTarget>> patch_targets(const Patch& patch, const xmlDoc* older, const xmlDoc* newer) {
  std::vector<PatchTarget> out;
  int index = 0;
  for (const xmlNode* change : xml::children(xml::root(patch.doc), "change")) {
    ++index;
    const std::string op = xml::attr_or(change, "operation");
    PatchTarget t;
    t.path = xml::attr_or(change, "path");
    const std::string where = "change " + std::to_string(index) + " (" + op + " " + t.path + ")";
    auto steps = parse_path(t.path);
    if (!steps.ok()) return parse_error(where + ": " + steps.status().message());
    ASSIGN_OR_RETURN(long position, int_attr(change, "position", -1, where));
    if (op == "create") {
      t.kind = PatchTarget::Kind::kCreate;
      if (xmlNode* parent = find(const_cast<xmlDoc*>(newer), *steps, -1)) {
        std::vector<xmlNode*> kids = positioned_children(parent);
        if (position >= 0 && static_cast<size_t>(position) < kids.size()) t.node = kids[position];
      }
    } else if (op == "delete" || op == "modify" || op == "move") {
      t.kind = op == "delete" ? PatchTarget::Kind::kDelete
               : op == "move" ? PatchTarget::Kind::kMove
                              : PatchTarget::Kind::kModify;
      t.node = find(const_cast<xmlDoc*>(older), *steps, op == "delete" ? static_cast<int>(position) : -1);
      if (op == "modify") {
        for (const xmlNode* a : xml::children(xml::first_child(change, "change-list"), "change-attr"))
          t.attributes.push_back(xml::attr_or(a, "name"));
      }
    } else {
      return parse_error(where + ": unknown operation");
    }
    out.push_back(std::move(t));
  }
  return out;
}

void write_patch_version(xmlNode* diff_root, const Version& source, const Version& target) {
  xmlNode* version = xml::add_child(diff_root, "version");
  write_version_of(version, "source", source);
  write_version_of(version, "target", target);
}

// ---- a patch from an edit's record (edit_log.h) ----

namespace {

using AttrList = std::vector<std::pair<std::string, std::string>>;

AttrList attr_list(const xmlAttr* props) {
  AttrList out;
  for (const xmlAttr* a = props; a; a = a->next) {
    xmlChar* v = xmlNodeListGetString(a->doc, a->children, 1);
    out.emplace_back(std::string(sv(a->name)), v ? std::string(reinterpret_cast<const char*>(v)) : std::string());
    xmlFree(v);
  }
  return out;
}

std::optional<std::string> id_in(const AttrList& attrs) {
  for (const auto& [name, value] : attrs)
    if (name == "id") return value;
  return std::nullopt;
}

// The step of an id holding both quotes is the bare name (see step()).
std::optional<std::string> step_id(std::optional<std::string> id) {
  if (id && id->find('\'') != std::string::npos && id->find('"') != std::string::npos) return std::nullopt;
  return id;
}

// True when exactly one of `siblings` has `n`'s name and (step) id, so a
// path step finds it whatever the order; `id_of` gives a sibling's id.
template <typename IdOf>
bool names_one(const xmlNode* n, const std::optional<std::string>& id, const std::vector<xmlNode*>& siblings,
               IdOf id_of) {
  int same = 0;
  for (const xmlNode* s : siblings) {
    if (s->type != XML_ELEMENT_NODE || xml::name(s) != xml::name(n)) continue;
    if (id && step_id(id_of(s)) != id) continue;
    ++same;
  }
  return same == 1;
}

// The path of an element in the document as it is now.
Result<std::string> path_now(const xmlNode* n) {
  std::vector<const xmlNode*> chain;
  for (const xmlNode* a = n; a && a->type != XML_DOCUMENT_NODE; a = a->parent) chain.push_back(a);
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const xmlNode* a = *it;
    if (a->parent && a->parent->type != XML_DOCUMENT_NODE) {
      auto id = step_id(xml::attr(a, "id"));
      if (!names_one(a, id, positioned_children(a->parent), [](const xmlNode* s) { return xml::attr(s, "id"); }))
        return not_supported("<" + std::string(xml::name(a)) + "> cannot be named by a path among its siblings");
    }
    path += "/" + step(a);
  }
  return path;
}

void write_modify(xmlNode* out, const std::string& path, const xmlNode* n, const AttrList& before) {
  AttrList now = attr_list(n->properties);
  if (now == before) return;
  std::vector<std::string> common_before, common_now;
  for (const auto& [name, value] : before)
    for (const auto& [k, v] : now)
      if (k == name) common_before.push_back(name);
  for (const auto& [name, value] : now)
    for (const auto& [k, v] : before)
      if (k == name) common_now.push_back(name);
  const bool reordered = common_before != common_now;
  xmlNode* change = xml::add_child(out, "change");
  xml::set_attr(change, "operation", "modify");
  xml::set_attr(change, "path", path);
  xmlNode* list = xml::add_child(change, "change-list");
  // (Bindings by name, not structured: clang 14, which builds the fuzzers,
  // cannot capture a structured binding in a lambda.)
  for (const auto& entry : now) {
    const std::string& name = entry.first;
    const std::string& value = entry.second;
    auto old = std::find_if(before.begin(), before.end(), [&](const auto& p) { return p.first == name; });
    if (old != before.end() && old->second == value && !reordered) continue;
    xmlNode* attr = xml::add_child(list, "change-attr");
    xml::set_attr(attr, "name", name);
    xml::set_attr(attr, "operation", "set");
    xml::set_attr(attr, "value", value);
  }
  for (const auto& entry : before) {
    const std::string& name = entry.first;
    if (std::any_of(now.begin(), now.end(), [&](const auto& p) { return p.first == name; })) continue;
    xmlNode* attr = xml::add_child(list, "change-attr");
    xml::set_attr(attr, "name", name);
    xml::set_attr(attr, "operation", "unset");
  }
  xmlNode* result = xml::add_child(xml::add_child(change, "change-result"), std::string(xml::name(n)).c_str());
  for (const auto& [name, value] : now) xml::set_attr(result, name.c_str(), value);
}

}  // namespace

// Deletions first (their paths name the old children), then attribute
// changes, then creations and moves with their final positions (the applier
// inserts those in position order): what apply_changes() expects.
Status EditLog::write_changes(xmlNode* out) const {
  if (old_document_) return not_supported("the whole document was replaced");
  auto live = [&](const xmlNode* n) { return attached(n) && !is_new(n); };
  std::unordered_map<const xmlNode*, AttrList> before;
  for (xmlNode* n : attr_order_) {
    AttrList old = attr_list(attrs_.at(n));
    if (live(n) && id_in(old) != xml::attr(n, "id")) return not_supported("an element's id changed");
    before.emplace(n, std::move(old));
  }
  auto old_id = [&](const xmlNode* s) {
    auto it = before.find(s);
    return it != before.end() ? id_in(it->second) : xml::attr(s, "id");
  };

  for (xmlNode* p : children_order_) {
    if (!live(p)) continue;
    std::vector<xmlNode*> old;
    for (xmlNode* c : children_.at(p).nodes)
      if (counts(c)) old.push_back(c);
    std::string parent_path;
    for (xmlNode* o : old) {
      if (o->parent == p) continue;
      if (o->type == XML_COMMENT_NODE) return not_supported("a comment was deleted");
      auto id = step_id(old_id(o));
      if (!names_one(o, id, old, old_id)) return not_supported("a deleted element cannot be named by a path");
      if (parent_path.empty()) {
        ASSIGN_OR_RETURN(parent_path, path_now(p));
      }
      xmlNode* change = xml::add_child(out, "change");
      xml::set_attr(change, "operation", "delete");
      xml::set_attr(change, "path", parent_path + "/" + step_with(o, id));
    }
  }
  for (xmlNode* n : attr_order_) {
    if (!live(n)) continue;
    const AttrList& old = before.at(n);
    if (attr_list(n->properties) == old) continue;
    ASSIGN_OR_RETURN(std::string path, path_now(n));
    write_modify(out, path, n, old);
  }
  for (xmlNode* p : children_order_) {
    if (!live(p)) continue;
    const Children& was = children_.at(p);
    std::unordered_map<const xmlNode*, int> old_index;
    int i = 0;
    for (xmlNode* c : was.nodes)
      if (counts(c)) old_index.emplace(c, i++);
    std::vector<xmlNode*> now = positioned_children(p);
    std::vector<int> olds;
    std::vector<size_t> matched;
    for (size_t j = 0; j < now.size(); ++j) {
      auto it = old_index.find(now[j]);
      if (it == old_index.end()) continue;
      olds.push_back(it->second);
      matched.push_back(j);
    }
    std::vector<bool> stays(now.size(), false);
    for (size_t k : lis(olds)) stays[matched[k]] = true;
    std::string parent_path;
    for (size_t j = 0; j < now.size(); ++j) {
      xmlNode* c = now[j];
      const bool created = !old_index.count(c);
      if (!created && stays[j]) continue;
      if (created) {
        if (parent_path.empty()) {
          ASSIGN_OR_RETURN(parent_path, path_now(p));
        }
        xmlNode* change = xml::add_child(out, "change");
        xml::set_attr(change, "operation", "create");
        xml::set_attr(change, "path", parent_path);
        xml::set_attr(change, "position", std::to_string(j));
        xmlAddChild(change, xmlDocCopyNode(c, out->doc, 1));
        continue;
      }
      if (c->type == XML_COMMENT_NODE) return not_supported("a comment moved");
      ASSIGN_OR_RETURN(std::string path, path_now(c));
      xmlNode* change = xml::add_child(out, "change");
      xml::set_attr(change, "operation", "move");
      xml::set_attr(change, "path", path);
      xml::set_attr(change, "position", std::to_string(j));
    }
  }
  return Status::Ok();
}

}  // namespace crm::cib
