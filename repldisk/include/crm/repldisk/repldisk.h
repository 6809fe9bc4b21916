// repldisk: replicated block storage (the DRBD role; docs/repldisk.md). Each
// node keeps its own copy of a block image; the Primary serves it through a
// FUSE file and replicates every write synchronously to the other copies.
// This header holds what the daemon, its control client (crm-repldisk ctl,
// the OCF agent) and the tests share: roles, disk states, data generations
// and where a resource's files live.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "crm/core/status.h"

namespace crm::repldisk {

enum class Role { kSecondary, kPrimary };
const char* role_name(Role r);

// A copy's own verdict on its data. Outdated is also what the CIB mark says
// of a copy (the agent combines the two); Inconsistent is only ever the
// copy's own metadata: a resync began and has not finished.
enum class DiskState { kUpToDate, kOutdated, kInconsistent };
const char* disk_state_name(DiskState s);
Result<DiskState> parse_disk_state(std::string_view text);

// The identity of the data a copy holds. A Primary starts a new generation
// when it is promoted and whenever it stops replicating to a peer, so two
// copies with equal generations hold the same bytes (when both are UpToDate)
// and any difference means a full resync. `counter` only orders them for
// people; `id` is random so two Primaries of a split brain never agree.
// A fresh copy is 0:0 (all zeroes everywhere, hence equal everywhere).
struct Generation {
  uint64_t counter = 0;
  uint64_t id = 0;
  std::string to_string() const;  // "3:9f0c1a2b3c4d5e6f"
  static Result<Generation> parse(std::string_view text);
  bool operator==(const Generation&) const = default;
};

// Where a resource's files live by default.
std::string default_state_dir(std::string_view name);  // /var/lib/crm/repldisk/NAME
std::string default_run_dir(std::string_view name);    // $CRM_REPLDISK_RUN_DIR/NAME, else /run/crm-repldisk/NAME
inline std::string control_socket(const std::string& run_dir) { return run_dir + "/ctl"; }
inline std::string mount_point(const std::string& run_dir) { return run_dir + "/mnt"; }
inline std::string disk_path(const std::string& run_dir) { return run_dir + "/mnt/disk"; }

// One request on the control socket: a line ("status", "promote",
// "set-peers b=10.0.0.2:7790 c=...", "demote", "outdate", "stop"); the
// answer's first line is "ok" or "error <code-name>: <message>", then
// key=value lines. A refused request comes back as a non-OK Status.
Result<std::string> control_call(const std::string& run_dir, std::string_view request,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace crm::repldisk
