// Helpers shared by the cib unit tests.
#pragma once

#include <gtest/gtest.h>

#include "crm/cib/cib.h"

namespace crm::cib::testing {

inline constexpr const char* kSmallCib = R"(<cib validate-with="pacemaker-3.7" admin_epoch="0" epoch="5" num_updates="2">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts">
        <nvpair id="opts-stonith" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="node1"><instance_attributes id="n1-attrs"><nvpair id="n1-a" name="rack" value="1"/></instance_attributes></node>
      <node id="2" uname="node2"/>
    </nodes>
    <resources>
      <primitive id="rsc1" class="ocf" provider="heartbeat" type="Dummy">
        <operations><op id="rsc1-mon" name="monitor" interval="10s"/></operations>
      </primitive>
      <group id="grp">
        <primitive id="g1" class="ocf" provider="pacemaker" type="Dummy"/>
        <primitive id="g2" class="ocf" provider="pacemaker" type="Dummy"/>
      </group>
      <clone id="cl"><meta_attributes id="cl-meta"><nvpair id="cl-p" name="promotable" value="true"/></meta_attributes>
        <primitive id="st" class="ocf" provider="pacemaker" type="Stateful"/>
      </clone>
    </resources>
    <constraints>
      <rsc_location id="loc1" rsc="rsc1" node="node1" score="100"/>
      <rsc_colocation id="col1" rsc="grp" with-rsc="cl" with-rsc-role="Promoted" score="INFINITY"/>
      <rsc_order id="ord1" first="cl" first-action="promote" then="grp" then-action="start"/>
    </constraints>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="rsc1" class="ocf" provider="heartbeat" type="Dummy">
          <lrm_rsc_op id="rsc1_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
  </status>
</cib>
)";

inline Cib small() {
  auto c = Cib::parse(kSmallCib, "small.xml");
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return std::move(c).value();
}

// A parsed fragment; the returned document owns it.
inline xml::DocPtr fragment(const std::string& text) {
  auto d = xml::parse(text, "fragment");
  EXPECT_TRUE(d.ok()) << d.status().to_string();
  return std::move(d).value();
}

}  // namespace crm::cib::testing
