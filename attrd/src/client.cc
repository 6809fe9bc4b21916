// AttrdClient: blocking calls over attrd's socket (wire format in wire.h).
#include "crm/attrd/attrd.h"
#include "crm/core/ipc.h"
#include "crm/core/xml.h"
#include "wire.h"

namespace crm::attrd {
namespace {

constexpr std::chrono::seconds kCallTimeout{30};

class SocketClient final : public AttrdClient {
 public:
  explicit SocketClient(ipc::Client c) : conn_(std::move(c)) {}

  Status hello() {
    ASSIGN_OR_RETURN(xml::DocPtr reply, call(xml::new_document("attrd_hello")));
    node_ = xml::attr_or(xml::root(reply), "node");
    return Status::Ok();
  }

  Status update(const Update& u) override {
    xml::DocPtr doc = xml::new_document("attrd_update");
    wire::put_update(xml::root(doc), u);
    return call(std::move(doc)).status();
  }

  Result<std::vector<HostValue>> query(const std::string& name, const std::string& host, bool all_hosts) override {
    xml::DocPtr doc = xml::new_document("attrd_query");
    xml::set_attr(xml::root(doc), "name", name);
    if (!host.empty()) xml::set_attr(xml::root(doc), "host", host);
    if (all_hosts) xml::set_attr(xml::root(doc), "all", "1");
    ASSIGN_OR_RETURN(xml::DocPtr reply, call(std::move(doc)));
    std::vector<HostValue> out;
    for (xmlNode* v : xml::children(xml::root(reply), "value"))
      out.push_back({xml::attr_or(v, "name"), xml::attr_or(v, "host"), xml::attr_or(v, "value")});
    return out;
  }

  Status refresh() override { return call(xml::new_document("attrd_refresh")).status(); }
  const std::string& node_name() const override { return node_; }

 private:
  Result<xml::DocPtr> call(xml::DocPtr doc) {
    std::string id = std::to_string(next_id_++);
    xml::set_attr(xml::root(doc), "req_id", id);
    ASSIGN_OR_RETURN(std::string text, conn_.call(xml::to_string(xml::root(doc), false), kCallTimeout));
    ASSIGN_OR_RETURN(xml::DocPtr reply, xml::parse(text, "attrd reply"));
    RETURN_IF_ERROR(xml::get_status(xml::root(reply), "attrd"));
    return reply;
  }

  ipc::Client conn_;
  std::string node_;
  uint64_t next_id_ = 1;
};

}  // namespace

Result<std::unique_ptr<AttrdClient>> AttrdClient::connect(const std::string& socket) {
  std::string path = socket.empty() ? ipc::socket_path("attrd") : socket;
  auto c = ipc::Client::connect(path);
  if (!c.ok()) return c.status().with_context("connecting to attrd at " + path);
  auto client = std::make_unique<SocketClient>(std::move(c).value());
  RETURN_IF_ERROR(client->hello());
  return std::unique_ptr<AttrdClient>(std::move(client));
}

}  // namespace crm::attrd
