#include "rules.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "crm/core/xml.h"

namespace crm::pengine {
namespace {

std::optional<long long> to_int(const std::string& s) {
  if (s.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str()) return std::nullopt;
  // Integer parsing accepts a leading number (peer: "1.5" as integer is 1).
  return v;
}

std::optional<double> to_double(const std::string& s) {
  if (s.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end == s.c_str()) return std::nullopt;
  return v;
}

int compare_versions(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    long x = 0, y = 0;
    while (i < a.size() && a[i] != '.') { if (isdigit(a[i])) x = x * 10 + (a[i] - '0'); ++i; }
    while (j < b.size() && b[j] != '.') { if (isdigit(b[j])) y = y * 10 + (b[j] - '0'); ++j; }
    if (x != y) return x < y ? -1 : 1;
    ++i; ++j;
  }
  return 0;
}

template <typename T>
bool apply_op(T cmp, const std::string& op) {
  if (op == "lt") return cmp < 0;
  if (op == "gt") return cmp > 0;
  if (op == "lte") return cmp <= 0;
  if (op == "gte") return cmp >= 0;
  if (op == "eq") return cmp == 0;
  if (op == "ne") return cmp != 0;
  return false;
}

bool eval_expression(xmlNode* expr, const RuleContext& ctx) {
  std::string attr = xml::attr_or(expr, "attribute");
  std::string op = xml::attr_or(expr, "operation");
  std::string type = xml::attr_or(expr, "type");
  std::optional<std::string> value = xml::attr(expr, "value");
  std::optional<std::string> lhs;
  if (ctx.node_attrs) {
    auto it = ctx.node_attrs->find(attr);
    if (it != ctx.node_attrs->end()) lhs = it->second;
  }
  if (op == "defined") return lhs.has_value();
  if (op == "not_defined") return !lhs.has_value();
  if (!lhs || !value) return op == "ne" && lhs.has_value() != value.has_value();
  return compare_values(*lhs, *value, op, type);
}

// Broken-down UTC time helpers.
struct Tm {
  int year, month, mday, yday, hour, minute, second, wday, week, weekyear;
};

Tm break_down(std::time_t t) {
  struct tm tm{};
  gmtime_r(&t, &tm);
  Tm r{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_yday + 1, tm.tm_hour, tm.tm_min, tm.tm_sec,
       tm.tm_wday == 0 ? 7 : tm.tm_wday, 0, 0};
  char buf[16];
  strftime(buf, sizeof buf, "%V %G", &tm);
  sscanf(buf, "%d %d", &r.week, &r.weekyear);
  return r;
}

bool in_range_spec(const std::string& spec, int value) {
  if (spec.empty()) return true;
  auto dash = spec.find('-');
  if (dash == std::string::npos || dash == 0) {
    auto v = to_int(spec);
    return v && *v == value;
  }
  auto lo = to_int(spec.substr(0, dash));
  auto hi = to_int(spec.substr(dash + 1));
  if (!lo) return false;
  if (!hi) return value >= *lo;
  return value >= *lo && value <= *hi;
}

bool eval_date_spec(xmlNode* spec, std::time_t now) {
  Tm t = break_down(now);
  struct F { const char* name; int value; } fields[] = {
      {"hours", t.hour}, {"minutes", t.minute}, {"seconds", t.second}, {"monthdays", t.mday},
      {"weekdays", t.wday}, {"yeardays", t.yday}, {"months", t.month}, {"weeks", t.week},
      {"years", t.year}, {"weekyears", t.weekyear}};
  for (const F& f : fields) {
    std::string v = xml::attr_or(spec, f.name);
    if (!v.empty() && !in_range_spec(v, f.value)) return false;
  }
  return true;
}

std::time_t add_duration(std::time_t base, xmlNode* d) {
  struct tm tm{};
  gmtime_r(&base, &tm);
  auto get = [&](const char* n) { return to_int(xml::attr_or(d, n)).value_or(0); };
  tm.tm_year += static_cast<int>(get("years"));
  tm.tm_mon += static_cast<int>(get("months"));
  tm.tm_mday += static_cast<int>(get("weeks") * 7 + get("days"));
  tm.tm_hour += static_cast<int>(get("hours"));
  tm.tm_min += static_cast<int>(get("minutes"));
  tm.tm_sec += static_cast<int>(get("seconds"));
  return timegm(&tm);
}

bool eval_date_expression(xmlNode* expr, std::time_t now) {
  std::string op = xml::attr_or(expr, "operation", "in_range");
  std::optional<std::time_t> start, end;
  if (auto s = xml::attr(expr, "start")) start = parse_iso8601(*s);
  if (auto e = xml::attr(expr, "end")) end = parse_iso8601(*e);
  if (op == "in_range") {
    if (!end && start) {
      if (xmlNode* d = xml::first_child(expr, "duration")) end = add_duration(*start, d);
    }
    if (start && now < *start) return false;
    if (end && now > *end) return false;
    return start || end;
  }
  if (op == "gt") return start && now > *start;
  if (op == "lt") return end && now < *end;
  if (op == "date_spec") {
    xmlNode* spec = xml::first_child(expr, "date_spec");
    return spec && eval_date_spec(spec, now);
  }
  return false;
}

}  // namespace

bool compare_values(const std::string& lhs, const std::string& rhs, const std::string& op,
                    const std::string& type_in) {
  std::string type = type_in;
  if (type.empty()) {
    // Automatic: ordering comparisons are numeric, equality is textual.
    if (op == "eq" || op == "ne") {
      type = "string";
    } else {
      type = (lhs.find('.') != std::string::npos || rhs.find('.') != std::string::npos) ? "number" : "integer";
    }
  }
  if (type == "integer") {
    auto a = to_int(lhs), b = to_int(rhs);
    if (a && b) return apply_op((*a > *b) - (*a < *b), op);
    type = "string";
  } else if (type == "number") {
    auto a = to_double(lhs), b = to_double(rhs);
    if (a && b) return apply_op((*a > *b) - (*a < *b), op);
    type = "string";
  } else if (type == "version") {
    return apply_op(compare_versions(lhs, rhs), op);
  }
  int c = strcasecmp(lhs.c_str(), rhs.c_str());
  return apply_op(c, op);
}

std::optional<std::time_t> parse_iso8601(const std::string& text) {
  int y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, yd = 0;
  const char* p = text.c_str();
  int n = 0;
  if (sscanf(p, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n >= 10) {
    p += n;
  } else if (sscanf(p, "%4d-%3d%n", &y, &yd, &n) == 2) {
    p += n;
    mo = 1;
    d = yd;
  } else {
    return std::nullopt;
  }
  if (*p == 'T' || *p == ' ') {
    ++p;
    int m = 0;
    if (sscanf(p, "%2d:%2d:%2d%n", &h, &mi, &s, &m) >= 2) p += m;
  }
  struct tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t t = timegm(&tm);
  // Optional offset "+hh:mm"/"-hh:mm" (Z or nothing: UTC).
  if (*p == '+' || *p == '-') {
    int oh = 0, om = 0;
    if (sscanf(p + 1, "%2d:%2d", &oh, &om) >= 1) t -= (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  }
  return t;
}

bool evaluate_rule(xmlNode* rule, const RuleContext& ctx) {
  std::string bop = xml::attr_or(rule, "boolean-op", "and");
  bool is_or = bop == "or";
  if (auto role = xml::attr(rule, "role")) {
    if (!ctx.rsc_role.empty() && strcasecmp(role->c_str(), ctx.rsc_role.c_str()) != 0) return false;
  }
  bool any = false;
  bool result = !is_or;
  for (xmlNode* child : xml::children(rule)) {
    bool v;
    if (xml::is(child, "expression")) {
      v = eval_expression(child, ctx);
    } else if (xml::is(child, "date_expression")) {
      v = eval_date_expression(child, ctx.now);
    } else if (xml::is(child, "rule")) {
      v = evaluate_rule(child, ctx);
    } else {
      continue;  // unknown kinds (op/rsc expressions) do not constrain placement here
    }
    any = true;
    if (is_or && v) return true;
    if (!is_or && !v) return false;
  }
  if (!any) return true;  // an empty rule passes
  return result;
}

std::optional<Score> rule_score(xmlNode* rule, const RuleContext& ctx) {
  if (auto s = xml::attr(rule, "score")) {
    auto v = parse_score(*s);
    return v.ok() ? *v : 0;
  }
  if (auto a = xml::attr(rule, "score-attribute")) {
    if (!ctx.node_attrs) return std::nullopt;
    auto it = ctx.node_attrs->find(*a);
    if (it == ctx.node_attrs->end()) return std::nullopt;
    auto v = parse_score(it->second);
    return v.ok() ? *v : 0;
  }
  return 0;
}

}  // namespace crm::pengine
