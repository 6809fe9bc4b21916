// libFuzzer target for the CIB daemon's request wire format (request.h),
// what cibd reads from every local client: "<cib_request .../>\n<body>".
// A request that decodes encodes again to the same message; it is then
// performed as cibd would, on a CIB with ACLs on, as root and as a user the
// ACLs restrict (query through the ACL filter, change through AclGuard): a
// refused change must leave the CIB exactly as it was.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crm/cib/acl.h"
#include "crm/cib/cib.h"
#include "fuzz_schema.h"
#include "crm/cib/request.h"

namespace {

// No cluster runs here: stonith-enabled=false keeps the configuration check
// from refusing every change of a CIB without fence devices (the model's
// requests, not fencing, are under test).
constexpr const char* kCib = R"(<cib validate-with="pacemaker-3.7" admin_epoch="0" epoch="5" num_updates="2">
  <configuration>
    <crm_config><cluster_property_set id="o">
      <nvpair id="o-acl" name="enable-acl" value="true"/>
      <nvpair id="o-st" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/></nodes>
    <resources>
      <primitive id="db" class="ocf" provider="heartbeat" type="Dummy">
        <instance_attributes id="db-secret"><nvpair id="db-fake" name="fake" value="x"/></instance_attributes>
        <meta_attributes id="db-meta"><nvpair id="db-role" name="target-role" value="Started"/></meta_attributes>
      </primitive>
    </resources>
    <constraints/>
    <acls>
      <acl_target id="alice"><role id="op"/></acl_target>
      <acl_role id="op">
        <acl_permission id="op-r" kind="read" xpath="/cib"/>
        <acl_permission id="op-d" kind="deny" reference="db-secret"/>
        <acl_permission id="op-w" kind="write" xpath="//nvpair[@name='target-role']"/>
        <acl_permission id="op-s" kind="write" xpath="/cib/status"/>
      </acl_role>
    </acls>
  </configuration>
  <status><node_state id="1" uname="node1" in_ccm="true" crmd="online"/></status>
</cib>)";

const crm::cib::Schema* schema() { return crm::fuzz::schema(); }

const crm::cib::Cib& base() {
  static const crm::cib::Cib* c = new crm::cib::Cib(crm::cib::Cib::parse(kCib, "fuzz-base").value());
  return *c;
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "cib_wire_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

std::string encoded(const crm::cib::Request& r) {
  crm::cib::Attrs attrs;
  crm::cib::request_to_attrs(r, attrs);
  return crm::cib::encode("cib_request", attrs, r.fragment);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crm::cib;
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  auto message = split_message(payload);
  if (!message.ok()) return 0;
  auto request = request_from_message(*message);
  if (!request.ok()) return 0;
  const std::string once = encoded(*request);
  auto again = split_message(once);
  if (!again.ok()) fail("an encoded request does not split", once);
  auto decoded = request_from_message(*again);
  if (!decoded.ok()) fail("an encoded request does not decode", once);
  if (encoded(*decoded) != once) fail("encode/decode is not stable", once);

  for (const char* user : {"root", "alice"}) {
    Request r = *request;
    r.user = user;
    if (r.op == Op::kQuery) {
      (void)run_query_as_user(base(), r, nullptr);
      continue;
    }
    Cib cib = base().copy();
    const std::string before = cib.serialize(false);
    AclGuard guard(cib, r.user, nullptr);
    auto applied = apply_request(cib, r, schema());
    if (!applied.ok()) {
      if (cib.serialize(false) != before) fail("a failed change left the CIB changed", once);
      continue;
    }
    crm::Status allowed = guard.check(cib);
    if (!allowed.ok() && cib.serialize(false) != before) fail("a refused change left the CIB changed", once);
  }
  return 0;
}
