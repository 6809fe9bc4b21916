#include "systemd.h"

#include <systemd/sd-bus.h>

#include <cstring>

namespace crm::lrmd {
namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kUnitIface = "org.freedesktop.systemd1.Unit";
constexpr uint64_t kBusTimeoutUs = 5'000'000;

std::string bus_error_text(const sd_bus_error& e, int r) {
  if (e.message) return e.message;
  if (e.name) return e.name;
  return std::strerror(-r);
}

struct OpenFailure {
  bool connected = false;  // the connection was made, but systemd did not answer
  std::string reason;
};

// Opens `address` ("" system bus, "user", or a D-Bus address; as a bus client
// or as a direct peer) and checks that systemd answers on it. On failure
// returns the reason and leaves *out null.
OpenFailure open_and_check(const std::string& address, bool bus_client, sd_bus** out) {
  *out = nullptr;
  sd_bus* bus = nullptr;
  int r;
  if (address.empty()) {
    r = sd_bus_open_system(&bus);
  } else if (address == "user") {
    r = sd_bus_open_user(&bus);
  } else {
    r = sd_bus_new(&bus);
    if (r >= 0) r = sd_bus_set_address(bus, address.c_str());
    if (r >= 0) r = sd_bus_set_bus_client(bus, bus_client ? 1 : 0);
    if (r >= 0) r = sd_bus_start(bus);
  }
  if (r < 0) {
    if (bus) sd_bus_unref(bus);
    return {false, std::strerror(-r)};
  }
  sd_bus_set_method_call_timeout(bus, kBusTimeoutUs);
  // Is systemd on that bus? Read a Manager property.
  sd_bus_error err = SD_BUS_ERROR_NULL;
  char* version = nullptr;
  r = sd_bus_get_property_string(bus, kDest, kPath, kManager, "Version", &err, &version);
  if (r < 0) {
    std::string msg = bus_error_text(err, r);
    sd_bus_error_free(&err);
    sd_bus_flush_close_unref(bus);
    return {true, msg};
  }
  free(version);
  *out = bus;
  return {};
}

}  // namespace

Result<std::unique_ptr<SystemdBus>> SystemdBus::connect(const std::string& address) {
  sd_bus* bus = nullptr;
  std::string what = address.empty() ? "the system bus" : address == "user" ? "the user bus" : "bus " + address;
  OpenFailure fail = open_and_check(address, true, &bus);
  bool direct = false;
  if (!bus && fail.connected && !address.empty() && address != "user") {
    direct = true;
    // Connected, but no systemd answered through a bus: maybe this is
    // systemd's private socket, which speaks D-Bus peer to peer (no Hello, no
    // bus names).
    OpenFailure peer = open_and_check(address, false, &bus);
    if (!bus) fail.reason += "; as a direct connection: " + peer.reason;
  }
  if (!bus) {
    if (!fail.connected) return unavailable("systemd is not reachable: cannot connect to " + what + ": " + fail.reason);
    return unavailable("systemd is not running on " + what + ": " + fail.reason);
  }
  return std::unique_ptr<SystemdBus>(new SystemdBus(bus, direct));
}

SystemdBus::~SystemdBus() { sd_bus_flush_close_unref(bus_); }

std::string SystemdBus::unit_name(const std::string& type) {
  static const char* kSuffixes[] = {".service", ".socket", ".mount", ".timer", ".target", ".path", ".scope", ".slice"};
  for (const char* s : kSuffixes) {
    size_t n = std::strlen(s);
    if (type.size() > n && type.compare(type.size() - n, n, s) == 0) return type;
  }
  return type + ".service";
}

Result<std::string> SystemdBus::load_unit(const std::string& unit) {
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus_, kDest, kPath, kManager, "LoadUnit", &err, &reply, "s", unit.c_str());
  if (r < 0) {
    std::string msg = bus_error_text(err, r);
    sd_bus_error_free(&err);
    return unavailable("LoadUnit " + unit + ": " + msg);
  }
  const char* path = nullptr;
  r = sd_bus_message_read(reply, "o", &path);
  std::string out = r >= 0 && path ? path : "";
  sd_bus_message_unref(reply);
  if (out.empty()) return internal_error("LoadUnit " + unit + ": bad reply");
  return out;
}

Result<UnitState> SystemdBus::state(const std::string& unit) {
  ASSIGN_OR_RETURN(std::string path, load_unit(unit));
  UnitState st;
  const char* props[] = {"LoadState", "ActiveState", "SubState"};
  std::string* dst[] = {&st.load_state, &st.active_state, &st.sub_state};
  for (int i = 0; i < 3; ++i) {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    char* v = nullptr;
    int r = sd_bus_get_property_string(bus_, kDest, path.c_str(), kUnitIface, props[i], &err, &v);
    if (r < 0) {
      std::string msg = bus_error_text(err, r);
      sd_bus_error_free(&err);
      return unavailable(std::string("reading ") + props[i] + " of " + unit + ": " + msg);
    }
    *dst[i] = v ? v : "";
    free(v);
  }
  return st;
}

Result<std::string> SystemdBus::job(const char* method, const std::string& unit) {
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus_, kDest, kPath, kManager, method, &err, &reply, "ss", unit.c_str(), "replace");
  if (r < 0) {
    std::string msg = bus_error_text(err, r);
    sd_bus_error_free(&err);
    return unavailable(std::string(method) + " " + unit + ": " + msg);
  }
  const char* path = nullptr;
  r = sd_bus_message_read(reply, "o", &path);
  std::string out = r >= 0 && path ? path : "";
  sd_bus_message_unref(reply);
  if (out.empty()) return internal_error(std::string(method) + " " + unit + ": bad reply");
  return out;
}

Result<std::string> SystemdBus::start(const std::string& unit) { return job("StartUnit", unit); }
Result<std::string> SystemdBus::stop(const std::string& unit) { return job("StopUnit", unit); }
Result<std::string> SystemdBus::reload(const std::string& unit) { return job("ReloadOrRestartUnit", unit); }

Result<bool> SystemdBus::job_pending(const std::string& job_path) {
  sd_bus_error err = SD_BUS_ERROR_NULL;
  char* v = nullptr;
  int r = sd_bus_get_property_string(bus_, kDest, job_path.c_str(), "org.freedesktop.systemd1.Job", "State", &err, &v);
  if (r < 0) {
    // A finished job's object is gone.
    bool gone = sd_bus_error_has_names(&err, SD_BUS_ERROR_UNKNOWN_OBJECT, SD_BUS_ERROR_UNKNOWN_INTERFACE,
                                       SD_BUS_ERROR_UNKNOWN_PROPERTY, "org.freedesktop.systemd1.NoSuchJob");
    std::string msg = bus_error_text(err, r);
    sd_bus_error_free(&err);
    if (gone) return false;
    return unavailable("reading job " + job_path + ": " + msg);
  }
  free(v);
  return true;
}

Status SystemdBus::daemon_reload() {
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus_, kDest, kPath, kManager, "Reload", &err, &reply, "");
  if (r < 0) {
    std::string msg = bus_error_text(err, r);
    sd_bus_error_free(&err);
    return unavailable("Reload: " + msg);
  }
  sd_bus_message_unref(reply);
  return Status::Ok();
}

}  // namespace crm::lrmd
