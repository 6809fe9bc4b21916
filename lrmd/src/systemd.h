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
  // anything else a D-Bus address ("unix:path=/run/x/bus"): first as a bus
  // (Hello to a dbus-daemon), then, when systemd is not reached that way, as a
  // direct peer-to-peer connection such as systemd's private socket
  // ("unix:path=/run/systemd/private", which systemctl uses as root; no
  // dbus-daemon needed). unavailable with the reason when there is no bus or no
  // systemd on it.
  static Result<std::unique_ptr<SystemdBus>> connect(const std::string& address);
  ~SystemdBus();

  // "foo" -> "foo.service"; names with a unit suffix are kept.
  static std::string unit_name(const std::string& type);

  Result<UnitState> state(const std::string& unit);
  // Queues a start/stop/reload job ("replace" mode); returns the job's object
  // path.
  Result<std::string> start(const std::string& unit);
  Result<std::string> stop(const std::string& unit);
  Result<std::string> reload(const std::string& unit);
  // True while the job (path from start/stop/reload) is still queued or
  // running; false once systemd has finished (and dropped) it.
  Result<bool> job_pending(const std::string& job_path);
  // Reloads unit files (after a test writes a new unit).
  Status daemon_reload();
  // True when connected peer to peer (systemd's private socket), false through a bus.
  bool direct() const { return direct_; }

 private:
  SystemdBus(sd_bus* bus, bool direct) : bus_(bus), direct_(direct) {}
  Result<std::string> load_unit(const std::string& unit);
  Result<std::string> job(const char* method, const std::string& unit);
  sd_bus* bus_;
  bool direct_ = false;
};

}  // namespace crm::lrmd
