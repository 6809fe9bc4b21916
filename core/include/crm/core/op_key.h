// Operation keys, the names the CIB status section, the transition graph and
// the executor give one operation of one resource (the peer's pcmk__op_key,
// parse_op_key and pcmk__notify_key), and the node attributes that count an
// operation's failures (pcmk__failcount_name, pcmk__lastfailure_name).
//
//   op_key("vip", "monitor", 10000)          // "vip_monitor_10000"
//   notify_key("db", "pre", "start")         // "db_pre_notify_start_0"
//   parse_op_key("db_migrate_to_0")          // {"db", "migrate_to", 0}
//   failcount_name("vip", "monitor", 10000)  // "fail-count-vip#monitor_10000"
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crm {

// "<rsc>_<action>_<interval_ms>".
std::string op_key(std::string_view rsc, std::string_view action, long long interval_ms);

// "<rsc>_<type>_notify_<action>_0": the key of a clone notification (type
// "pre", "post", "confirmed-pre" or "confirmed-post").
std::string notify_key(std::string_view rsc, std::string_view notify_type, std::string_view action);

struct OpKey {
  std::string rsc;
  std::string action;  // "monitor", "migrate_to", "pre_notify_start", ...
  long interval_ms = 0;
};

// Splits a key as the peer's parse_op_key does: with two underscores,
// "<rsc>_<action>_<interval>"; with more, a migration or notification action
// ("migrate_to", "migrate_from", "pre_notify_<action>", "post_notify_<action>")
// is taken whole, else the action is the part between the last two
// underscores and the resource everything before it ("my_rsc_start_0").
// nullopt when there are fewer than two underscores, an empty part, or the
// interval is not a plain number.
std::optional<OpKey> parse_op_key(std::string_view key);

// "fail-count-<rsc>#<action>_<interval_ms>" and "last-failure-<rsc>#..."
std::string failcount_name(std::string_view rsc, std::string_view action, long long interval_ms);
std::string last_failure_name(std::string_view rsc, std::string_view action, long long interval_ms);

struct FailureAttr {
  bool is_count = true;  // fail-count-..., else last-failure-...
  std::string rsc;       // the resource (its history id: "db:1", "vip")
  std::string op_key;    // "<action>_<interval>" after '#'; "" in the older per-resource name
};
// Splits a fail-count or last-failure attribute name, the per-operation
// ("fail-count-vip#monitor_10000") and the older per-resource
// ("fail-count-vip") form; nullopt for any other name or an empty resource.
std::optional<FailureAttr> parse_failure_attr(std::string_view name);

}  // namespace crm
