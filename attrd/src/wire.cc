#include "wire.h"

#include <charconv>

#include "crm/core/xml.h"

namespace crm::attrd::wire {
namespace {

Result<long long> number(const xmlNode* n, const char* name, long long fallback) {
  auto v = xml::attr(n, name);
  if (!v || v->empty()) return fallback;
  long long x = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || end != v->data() + v->size()) {
    return parse_error("<" + std::string(xml::name(n)) + "> " + name + "=\"" + *v + "\" is not a number");
  }
  return x;
}

void put_attribute(xmlNode* parent, const Attribute& a) {
  xmlNode* n = xml::add_child(parent, "attribute");
  xml::set_attr(n, "name", a.name);
  if (!a.set_id.empty()) xml::set_attr(n, "set", a.set_id);
  if (a.dampen.count()) xml::set_attr(n, "dampen_ms", std::to_string(a.dampen.count()));
  if (a.is_private) xml::set_attr(n, "private", "1");
  for (const auto& [h, v] : a.values) {
    xmlNode* c = xml::add_child(n, "value");
    xml::set_attr(c, "host", h);
    xml::set_attr(c, "value", v);
  }
}

}  // namespace

void put_update(xmlNode* n, const Update& u) {
  xml::set_attr(n, "name", u.name);
  if (!u.host.empty()) xml::set_attr(n, "host", u.host);
  if (u.value) xml::set_attr(n, "value", *u.value);
  if (u.dampen) xml::set_attr(n, "dampen_ms", std::to_string(u.dampen->count()));
  if (!u.set_id.empty()) xml::set_attr(n, "set", u.set_id);
  if (u.is_private) xml::set_attr(n, "private", "1");
}

Result<Update> get_update(const xmlNode* n) {
  Update u;
  u.name = xml::attr_or(n, "name");
  if (u.name.empty()) return invalid_argument("an attribute name is needed");
  u.host = xml::attr_or(n, "host");
  u.value = xml::attr(n, "value");
  if (xml::has_attr(n, "dampen_ms")) {
    ASSIGN_OR_RETURN(long long d, number(n, "dampen_ms", 0));
    if (d < 0) return invalid_argument("a negative dampening delay");
    u.dampen = milliseconds(d);
  }
  u.set_id = xml::attr_or(n, "set");
  u.is_private = xml::attr_or(n, "private") == "1";
  return u;
}

std::string encode(const PeerMessage& m) {
  xml::DocPtr doc;
  if (const auto* u = std::get_if<PeerUpdate>(&m)) {
    doc = xml::new_document("attrd_update");
    xmlNode* r = xml::root(doc);
    xml::set_attr(r, "from_name", u->from_name);
    xml::set_attr(r, "origin_seq", std::to_string(u->origin_seq));
    put_update(r, u->update);
  } else if (const auto* s = std::get_if<State>(&m)) {
    doc = xml::new_document("attrd_state");
    xmlNode* r = xml::root(doc);
    xml::set_attr(r, "from_name", s->from_name);
    if (s->announce) xml::set_attr(r, "announce", "1");
    for (const Attribute& a : s->attributes) put_attribute(r, a);
  } else {
    doc = xml::new_document("attrd_refresh");
    xml::set_attr(xml::root(doc), "from_name", std::get<Refresh>(m).from_name);
  }
  return xml::to_string(xml::root(doc), false);
}

Result<PeerMessage> decode(std::string_view payload) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(payload, "attrd message"));
  xmlNode* r = xml::root(doc);
  std::string from = xml::attr_or(r, "from_name");
  if (xml::is(r, "attrd_update")) {
    PeerUpdate u;
    u.from_name = from;
    ASSIGN_OR_RETURN(long long seq, number(r, "origin_seq", 0));
    u.origin_seq = static_cast<uint64_t>(seq);
    auto up = get_update(r);
    if (!up.ok()) return parse_error("<attrd_update>: " + up.status().message());
    u.update = std::move(up).value();
    if (u.update.host.empty()) return parse_error("<attrd_update> without host");
    return PeerMessage{std::move(u)};
  }
  if (xml::is(r, "attrd_state")) {
    State s;
    s.from_name = from;
    s.announce = xml::attr_or(r, "announce") == "1";
    for (xmlNode* an : xml::children(r, "attribute")) {
      Attribute a;
      a.name = xml::attr_or(an, "name");
      if (a.name.empty()) return parse_error("<attrd_state>: an attribute without name");
      a.set_id = xml::attr_or(an, "set");
      ASSIGN_OR_RETURN(long long d, number(an, "dampen_ms", 0));
      a.dampen = milliseconds(d);
      a.is_private = xml::attr_or(an, "private") == "1";
      for (xmlNode* v : xml::children(an, "value")) a.values[xml::attr_or(v, "host")] = xml::attr_or(v, "value");
      s.attributes.push_back(std::move(a));
    }
    return PeerMessage{std::move(s)};
  }
  if (xml::is(r, "attrd_refresh")) return PeerMessage{Refresh{from}};
  return parse_error("unknown attrd message <" + std::string(xml::name(r)) + ">");
}

}  // namespace crm::attrd::wire
