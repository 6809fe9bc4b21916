// Fixtures shared by the cib/daemon tests.
#pragma once

#include <gtest/gtest.h>

#include "crm/cib/cib.h"

namespace crm::cib::daemon_testing {

inline constexpr const char* kBaseCib = R"(<cib validate-with="pacemaker-3.7" admin_epoch="0" epoch="1" num_updates="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts">
        <nvpair id="opts-stonith" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="node1"/>
      <node id="2" uname="node2"/>
      <node id="3" uname="node3"/>
    </nodes>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
)";

inline Cib base() {
  auto c = Cib::parse(kBaseCib, "base.xml");
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return std::move(c).value();
}

inline std::string primitive(const std::string& id) {
  return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>";
}

}  // namespace crm::cib::daemon_testing
