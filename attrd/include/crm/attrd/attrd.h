// The attribute daemon's client library: how tools (attrd_updater,
// crm_attribute -l reboot, crm_master) and agents set, query and refresh
// transient node attributes through the local attrd (on
// ipc::socket_path("attrd")).
//
//   ASSIGN_OR_RETURN(auto attrd, attrd::AttrdClient::connect());
//   RETURN_IF_ERROR(attrd->update({.name = "pingd", .value = "1000", .dampen = 5s}));
//   ASSIGN_OR_RETURN(auto values, attrd->query("pingd", "", /*all_hosts=*/true));
//
// update() returns once every attrd of the cluster holds the new value (the
// update was delivered through CPG to all members, the local one included),
// not when it reaches the CIB: the elected writer writes it there, at once or
// after the attribute's dampening delay.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/status.h"

namespace crm::attrd {

struct Update {
  std::string name{};
  std::string host{};                   // "" = the node of the attrd asked
  std::optional<std::string> value{};   // the new value; "" unsets it; "value++"/"value+=N" increment
  std::optional<std::chrono::milliseconds> dampen{};  // the new dampening delay
  std::string set_id{};                 // the instance_attributes id ("" = status-<node id>)
  bool is_private = false;            // when it creates the attribute: never written to the CIB
};

struct HostValue {
  std::string name;
  std::string host;
  std::string value;
};

class AttrdClient {
 public:
  // Connects to attrd's socket (default ipc::socket_path("attrd")).
  static Result<std::unique_ptr<AttrdClient>> connect(const std::string& socket = "");
  virtual ~AttrdClient() = default;

  virtual Status update(const Update& update) = 0;
  // Values of `name` on `host` ("" = the local node), or on every host that
  // has one; not-found when the attribute is unknown.
  virtual Result<std::vector<HostValue>> query(const std::string& name, const std::string& host,
                                               bool all_hosts) = 0;
  // Has the writer write every value again (attrd_updater -R).
  virtual Status refresh() = 0;
  // The name of the node of the attrd connected to.
  virtual const std::string& node_name() const = 0;
};

}  // namespace crm::attrd
