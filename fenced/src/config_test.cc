// The fencer's pure core: host lists, host maps, host checks, device
// parameters, topology selection and the CIB reader with bad input.
#include "config.h"

#include <gtest/gtest.h>

#include "crm/core/xml.h"

namespace crm::fenced {
namespace {

constexpr const char* kDummyMeta = R"(<?xml version="1.0"?>
<resource-agent name="fence_x"><parameters>
  <parameter name="port"/><parameter name="ipaddr"/></parameters>
<actions><action name="on" automatic="0"/><action name="off"/><action name="reboot"/>
  <action name="status"/><action name="list"/><action name="monitor"/><action name="metadata"/></actions>
</resource-agent>)";

constexpr const char* kPlugMeta = R"(<resource-agent name="fence_plug"><parameters>
  <parameter name="plug"/></parameters><actions><action name="off"/><action name="status"/>
  <action name="on" on_target="1" automatic="1"/></actions></resource-agent>)";

class FakeCatalog : public AgentCatalog {
 public:
  Result<AgentInfo> info(const std::string& agent) override {
    if (agent == "fence_x") return parse_agent_metadata(kDummyMeta);
    if (agent == "fence_plug") return parse_agent_metadata(kPlugMeta);
    return not_found("fence agent '" + agent + "' is not installed");
  }
};

TEST(HostList, SpaceCommaSemicolonDelimiters) {
  EXPECT_EQ(parse_host_list("node1 node2 node3"), (std::vector<std::string>{"node1", "node2", "node3"}));
  EXPECT_EQ(parse_host_list("node1,node2,node3"), (std::vector<std::string>{"node1", "node2", "node3"}));
  EXPECT_EQ(parse_host_list("pcmk1;pcmk2;pcmk3"), (std::vector<std::string>{"pcmk1", "pcmk2", "pcmk3"}));
  EXPECT_EQ(parse_host_list(" a ,b;; c\n"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(parse_host_list("").empty());
}

TEST(HostMap, PortsAndPortLists) {
  auto m = parse_host_map("n1:1;n2:2,3");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_EQ(m->at("n1"), "1");
  EXPECT_EQ(m->at("n2"), "2,3");
  auto eq = parse_host_map("n1=10 n2=20");
  ASSERT_TRUE(eq.ok());
  EXPECT_EQ(eq->at("n2"), "20");
}

TEST(HostMap, MalformedEntriesAreErrors) {
  for (const char* bad : {"n1", "n1:", ":1", "n1:1;n2", "n1:1:2"}) {
    auto m = parse_host_map(bad);
    EXPECT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().code(), StatusCode::kParseError) << bad;
  }
}

TEST(HostCheck, NamesAndDefaults) {
  FakeCatalog cat;
  EXPECT_EQ(*parse_host_check("static-list"), HostCheck::kStaticList);
  EXPECT_EQ(*parse_host_check("dynamic-list"), HostCheck::kDynamicList);
  EXPECT_EQ(*parse_host_check("status"), HostCheck::kStatus);
  EXPECT_EQ(*parse_host_check("none"), HostCheck::kNone);
  EXPECT_FALSE(parse_host_check("sometimes").ok());
  // A list or a map given: static-list; neither: dynamic-list (the agent's `list`).
  EXPECT_EQ(make_device("d", "fence_x", {{"pcmk_host_list", "n1"}}, cat)->check, HostCheck::kStaticList);
  EXPECT_EQ(make_device("d", "fence_x", {{"pcmk_host_map", "n1:1"}}, cat)->check, HostCheck::kStaticList);
  EXPECT_EQ(make_device("d", "fence_x", {}, cat)->check, HostCheck::kDynamicList);
  // Without a list action: status.
  EXPECT_EQ(make_device("d", "fence_plug", {}, cat)->check, HostCheck::kStatus);
  EXPECT_EQ(make_device("d", "fence_x", {{"pcmk_host_check", "none"}, {"pcmk_host_list", "n1"}}, cat)->check,
            HostCheck::kNone);
}

TEST(Device, HostArgumentFromMetadataAndOverride) {
  FakeCatalog cat;
  EXPECT_EQ(make_device("d", "fence_x", {}, cat)->host_argument, "port");
  EXPECT_EQ(make_device("d", "fence_plug", {}, cat)->host_argument, "plug");
  EXPECT_EQ(make_device("d", "fence_x", {{"pcmk_host_argument", "none"}}, cat)->host_argument, "none");
}

TEST(Device, AgentStdinDropsPcmkParametersAndMapsThePort) {
  FakeCatalog cat;
  auto d = make_device("d", "fence_x", {{"pcmk_host_map", "n1:1;n2:2,3"}, {"ipaddr", "10.0.0.1"},
                                        {"pcmk_reboot_action", "off"}}, cat);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->agent_action("reboot"), "off");
  EXPECT_EQ(d->agent_action("on"), "on");
  EXPECT_EQ(d->agent_stdin("off", "n2"), "action=off\nipaddr=10.0.0.1\nport=2,3\n");
  EXPECT_EQ(d->agent_stdin("off", "n9"), "action=off\nipaddr=10.0.0.1\nport=n9\n");
  EXPECT_EQ(d->agent_stdin("list", ""), "action=list\nipaddr=10.0.0.1\n");
  auto none = make_device("d", "fence_x", {{"pcmk_host_argument", "none"}}, cat);
  EXPECT_EQ(none->agent_stdin("off", "n1"), "action=off\n");
}

TEST(Device, PerActionTimeoutsRetriesDelaysAndLimit) {
  FakeCatalog cat;
  auto d = make_device("d", "fence_x",
                       {{"pcmk_off_timeout", "4"}, {"pcmk_reboot_timeout", "90s"}, {"pcmk_off_retries", "5"},
                        {"pcmk_delay_base", "2s"}, {"pcmk_delay_max", "10"}, {"pcmk_action_limit", "-1"}},
                       cat);
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  EXPECT_EQ(d->timeout("off", milliseconds(60000)), milliseconds(4000));
  EXPECT_EQ(d->timeout("reboot", milliseconds(60000)), milliseconds(90000));
  EXPECT_EQ(d->timeout("on", milliseconds(60000)), milliseconds(60000));
  EXPECT_EQ(d->retries("off"), 5);
  EXPECT_EQ(d->retries("reboot"), 2);
  EXPECT_EQ(d->delay_base, milliseconds(2000));
  EXPECT_EQ(d->delay_max, milliseconds(10000));
  EXPECT_EQ(d->action_limit, -1);
  EXPECT_FALSE(make_device("d", "fence_x", {{"pcmk_off_timeout", "soon"}}, cat).ok());
}

TEST(Device, UnknownAgentAndBadMapAreClearErrors) {
  FakeCatalog cat;
  auto missing = make_device("fd1", "fence_missing", {}, cat);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("fence device 'fd1' (fence_missing)"), std::string::npos);
  auto bad = make_device("fd2", "fence_x", {{"pcmk_host_map", "n1:1;n2"}}, cat);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("pcmk_host_map entry 'n2' is not node:port"), std::string::npos)
      << bad.status().message();
}

TEST(Device, UnfencingFromMetadataOrMeta) {
  FakeCatalog cat;
  EXPECT_TRUE(make_device("d", "fence_plug", {}, cat)->provides_unfencing);
  EXPECT_TRUE(make_device("d", "fence_plug", {}, cat)->info.on_target);
  EXPECT_FALSE(make_device("d", "fence_x", {}, cat)->provides_unfencing);
  EXPECT_TRUE(make_device("d", "fence_x", {}, cat, {{"provides", "unfencing"}})->provides_unfencing);
}

TEST(DynamicList, PortsAndAliases) {
  EXPECT_TRUE(list_output_names("fake_port_1\nfake_port_2\n", "fake_port_1"));
  EXPECT_TRUE(list_output_names("1,node1\n2,node2\n", "node2"));
  EXPECT_FALSE(list_output_names("fake_port_10\n", "fake_port_1"));
}

TEST(Topology, ExactTargetWinsThenFirstMatchingKeyInIndexOrder) {
  std::vector<Level> levels = {level_from_key("node3", 2, {"b"}), level_from_key("node3", 1, {"a"}),
                               level_from_key("@node.*", 1, {"p"}), level_from_key("rack=1", 1, {"r"})};
  std::map<std::string, std::map<std::string, std::string>> attrs = {{"node1", {{"rack", "1"}}}};
  auto l3 = levels_for(levels, "node3", attrs);
  ASSERT_EQ(l3.size(), 2u);
  EXPECT_EQ(l3[0].devices, std::vector<std::string>{"a"});
  EXPECT_EQ(l3[1].devices, std::vector<std::string>{"b"});
  auto l1 = levels_for(levels, "node1", attrs);  // pattern comes first in the list
  ASSERT_EQ(l1.size(), 1u);
  EXPECT_EQ(l1[0].devices, std::vector<std::string>{"p"});
  auto other = levels_for({level_from_key("rack=1", 1, {"r"})}, "node1", attrs);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].key(), "rack=1");
  EXPECT_TRUE(levels_for(levels, "pcmk1", attrs).empty());
}

constexpr const char* kCib = R"(<cib epoch="1" num_updates="0" admin_epoch="0">
<configuration>
 <crm_config><cluster_property_set id="o">
   <nvpair id="o1" name="stonith-action" value="off"/>
   <nvpair id="o2" name="stonith-timeout" value="90s"/>
 </cluster_property_set></crm_config>
 <nodes>
   <node id="1" uname="n1"><instance_attributes id="n1a"><nvpair id="n1r" name="rack" value="A"/></instance_attributes></node>
   <node id="2" uname="n2"/>
 </nodes>
 <resources>
   <primitive id="fd-ok" class="stonith" type="fence_x">
     <instance_attributes id="i1"><nvpair id="i1a" name="pcmk_host_map" value="n1:1;n2:2"/>
       <nvpair id="i1b" name="ipaddr" value="10.1.1.1"/></instance_attributes>
     <meta_attributes id="m1"><nvpair id="m1a" name="provides" value="unfencing"/></meta_attributes>
   </primitive>
   <primitive id="fd-ghost" class="stonith" type="fence_nonexistent"/>
   <primitive id="fd-badmap" class="stonith" type="fence_x">
     <instance_attributes id="i3"><nvpair id="i3a" name="pcmk_host_map" value="n1-1"/></instance_attributes>
   </primitive>
   <group id="g"><primitive id="fd-in-group" class="stonith" type="fence_plug">
     <meta_attributes id="gm"><nvpair id="gm1" name="priority" value="10"/></meta_attributes></primitive></group>
   <primitive id="fd-stopped" class="stonith" type="fence_x">
     <meta_attributes id="sm"><nvpair id="sm1" name="target-role" value="Stopped"/></meta_attributes></primitive>
   <primitive id="fd-banned" class="stonith" type="fence_x"/>
   <primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>
 </resources>
 <constraints><rsc_location id="ban" rsc="fd-banned" node="n1" score="-INFINITY"/></constraints>
 <fencing-topology>
   <fencing-level id="l1" index="1" target="n1" devices="fd-ok"/>
   <fencing-level id="l2" index="2" target="n1" devices="fd-in-group,fd-missing"/>
   <fencing-level id="l3" index="1" target-attribute="rack" target-value="A" devices="fd-ok"/>
   <fencing-level id="l4" index="1" target-pattern="n[0-9]+" devices="fd-in-group"/>
   <fencing-level id="l5" index="12" target="n2" devices="fd-ok"/>
 </fencing-topology>
</configuration><status/></cib>)";

TEST(ConfigFromCib, DevicesLevelsOptionsAndProblems) {
  FakeCatalog cat;
  auto doc = xml::parse(kCib);
  ASSERT_TRUE(doc.ok());
  FencerConfig cfg = config_from_cib(doc->get(), cat, "n1");
  EXPECT_EQ(cfg.options.stonith_action, "off");
  EXPECT_EQ(cfg.options.stonith_timeout, milliseconds(90000));
  ASSERT_EQ(cfg.devices.size(), 2u);
  const Device& ok = cfg.devices.at("fd-ok");
  EXPECT_TRUE(ok.from_cib);
  EXPECT_TRUE(ok.provides_unfencing);
  EXPECT_EQ(ok.port_for("n2"), "2");
  EXPECT_TRUE(ok.static_match("n1"));
  EXPECT_FALSE(ok.static_match("n3"));
  EXPECT_TRUE(cfg.devices.count("fd-in-group"));
  EXPECT_EQ(cfg.devices.at("fd-in-group").priority, 10);
  // Stopped everywhere; banned from n1 only.
  EXPECT_FALSE(cfg.devices.count("fd-stopped"));
  EXPECT_FALSE(cfg.devices.count("fd-banned"));
  FencerConfig on_n2 = config_from_cib(doc->get(), cat, "n2");
  EXPECT_TRUE(on_n2.devices.count("fd-banned"));
  EXPECT_FALSE(on_n2.devices.count("fd-stopped"));
  EXPECT_EQ(cfg.node_attrs.at("n1").at("rack"), "A");
  // l5 (index 12) is refused; l2 is kept though it names a missing device.
  ASSERT_EQ(cfg.levels.size(), 4u);
  std::string all;
  for (const Status& s : cfg.problems) all += s.to_string() + "\n";
  EXPECT_NE(all.find("fence device 'fd-ghost' (fence_nonexistent): fence agent 'fence_nonexistent' is not installed"),
            std::string::npos) << all;
  EXPECT_NE(all.find("fence device 'fd-badmap' (fence_x): pcmk_host_map entry 'n1-1' is not node:port"),
            std::string::npos) << all;
  EXPECT_NE(all.find("fencing-level 'l2' (line 31): names device(s) that do not exist: fd-missing"),
            std::string::npos) << all;
  EXPECT_NE(all.find("fencing-level 'l5' (line 34): index '12' is not 1..9"), std::string::npos) << all;
  EXPECT_EQ(cfg.problems.size(), 4u) << all;
  auto n1 = levels_for(cfg.levels, "n1", cfg.node_attrs);
  ASSERT_EQ(n1.size(), 2u);
  EXPECT_EQ(n1[1].devices, (std::vector<std::string>{"fd-in-group", "fd-missing"}));
  auto n7 = levels_for(cfg.levels, "n7", cfg.node_attrs);
  ASSERT_EQ(n7.size(), 1u);
  EXPECT_EQ(n7[0].id, "l4");
}

TEST(ConfigFromCib, WatchdogTimeoutIsParsedAndReportedAsUnsupported) {
  FakeCatalog cat;
  auto doc = xml::parse(R"(<cib><configuration><crm_config><cluster_property_set id="o">
      <nvpair id="w" name="stonith-watchdog-timeout" value="10s"/></cluster_property_set></crm_config>
      <resources/></configuration></cib>)");
  ASSERT_TRUE(doc.ok());
  FencerConfig cfg = config_from_cib(doc->get(), cat);
  EXPECT_EQ(cfg.options.stonith_watchdog_timeout, milliseconds(10000));
  ASSERT_EQ(cfg.problems.size(), 1u);
  EXPECT_EQ(cfg.problems[0].code(), StatusCode::kNotSupported);
}

TEST(Metadata, NotAnAgentIsAParseError) {
  EXPECT_EQ(parse_agent_metadata("<html/>").status().code(), StatusCode::kParseError);
  EXPECT_EQ(parse_agent_metadata("garbage").status().code(), StatusCode::kParseError);
}

}  // namespace
}  // namespace crm::fenced
