// The systemd class: units managed through systemd's D-Bus API
// (org.freedesktop.systemd1.Manager) with sd-bus. Calls are synchronous with a
// short bus timeout; waiting for a job to finish is done by the executor
// polling the unit's ActiveState from loop timers, so the loop never blocks
// for longer than one bus round trip.
#pragma once

#include <memory>
#include <string>

#include "crm/core/status.h"

struct sd_bus;

namespace crm::lrmd {

struct UnitState {
  std::string load_state;    // loaded, not-found, masked, error, ...
  std::string active_state;  // active, inactive, activating, deactivating, failed, reloading
  std::string sub_state;
};

class SystemdBus {
 public:
  // address: "" = the system bus (sd_bus_open_system), "user" = the user bus,
  // anything else a D-Bus address ("unix:path=/run/x/bus"). unavailable with
  // the reason when there is no bus or no systemd on it.
  static Result<std::unique_ptr<SystemdBus>> connect(const std::string& address);
  ~SystemdBus();

  // "foo" -> "foo.service"; names with a unit suffix are kept.
  static std::string unit_name(const std::string& type);

  Result<UnitState> state(const std::string& unit);
  // Queues a start/stop/reload job ("replace" mode).
  Status start(const std::string& unit);
  Status stop(const std::string& unit);
  Status reload(const std::string& unit);
  // Reloads unit files (after a test writes a new unit).
  Status daemon_reload();

 private:
  explicit SystemdBus(sd_bus* bus) : bus_(bus) {}
  Result<std::string> load_unit(const std::string& unit);
  Status job(const char* method, const std::string& unit);
  sd_bus* bus_;
};

}  // namespace crm::lrmd
