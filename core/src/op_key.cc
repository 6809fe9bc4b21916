#include "crm/core/op_key.h"

#include <cctype>
#include <charconv>

namespace crm {
namespace {

std::string join(std::string_view a, std::string_view sep, std::string_view b, long long interval_ms) {
  std::string out;
  out.reserve(a.size() + b.size() + sep.size() + 12);
  out.append(a).append(sep).append(b).append("_").append(std::to_string(interval_ms));
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool all_lower(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < 'a' || c > 'z') return false;
  return true;
}

// The peer's regular expression for the actions with underscores:
// (migrate_(from|to)|(pre|post)_notify_([a-z]+|migrate_(from|to))).
bool underscored_action(std::string_view a) {
  if (a == "migrate_to" || a == "migrate_from") return true;
  for (std::string_view when : {"pre_notify_", "post_notify_"}) {
    if (a.substr(0, when.size()) == when) {
      std::string_view what = a.substr(when.size());
      return all_lower(what) || what == "migrate_to" || what == "migrate_from";
    }
  }
  return false;
}

}  // namespace

std::string op_key(std::string_view rsc, std::string_view action, long long interval_ms) {
  return join(rsc, "_", action, interval_ms);
}

std::string notify_key(std::string_view rsc, std::string_view notify_type, std::string_view action) {
  std::string out(rsc);
  out.append("_").append(notify_type).append("_notify_").append(action).append("_0");
  return out;
}

std::optional<OpKey> parse_op_key(std::string_view key) {
  size_t last = key.rfind('_');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  std::string_view interval = key.substr(last + 1);
  long n = 0;
  if (!all_digits(interval) || std::from_chars(interval.data(), interval.data() + interval.size(), n).ec != std::errc())
    return std::nullopt;
  std::string_view head = key.substr(0, last);  // "<rsc>_<action>"
  // An action with underscores is taken whole; as the peer's regular
  // expression "^(.*)_(...)_([0-9]+)$", the longest resource name wins.
  for (size_t u = head.rfind('_'); u != std::string_view::npos && u > 0; u = head.rfind('_', u - 1)) {
    if (underscored_action(head.substr(u + 1))) {
      return OpKey{std::string(head.substr(0, u)), std::string(head.substr(u + 1)), n};
    }
  }
  size_t split = head.rfind('_');
  if (split == std::string_view::npos || split == 0 || split + 1 == head.size()) return std::nullopt;
  return OpKey{std::string(head.substr(0, split)), std::string(head.substr(split + 1)), n};
}

std::string failcount_name(std::string_view rsc, std::string_view action, long long interval_ms) {
  return join(std::string("fail-count-").append(rsc), "#", action, interval_ms);
}

std::string last_failure_name(std::string_view rsc, std::string_view action, long long interval_ms) {
  return join(std::string("last-failure-").append(rsc), "#", action, interval_ms);
}

std::optional<FailureAttr> parse_failure_attr(std::string_view name) {
  FailureAttr out;
  constexpr std::string_view kCount = "fail-count-", kLast = "last-failure-";
  if (name.substr(0, kCount.size()) == kCount) {
    name.remove_prefix(kCount.size());
  } else if (name.substr(0, kLast.size()) == kLast) {
    name.remove_prefix(kLast.size());
    out.is_count = false;
  } else {
    return std::nullopt;
  }
  size_t hash = name.find('#');
  out.rsc = std::string(name.substr(0, hash));
  if (hash != std::string_view::npos) out.op_key = std::string(name.substr(hash + 1));
  if (out.rsc.empty()) return std::nullopt;
  return out;
}

}  // namespace crm
