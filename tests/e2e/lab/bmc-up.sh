#!/bin/bash
# bmc-up.sh K — gives node K a BMC (see lab-common.sh): the node's mgmt0 on
# the switch's management bridge, a namespace for the BMC, and ipmi_sim in it
# (PID in $LAB_ROOT/bK/ipmi_sim.pid, log ipmi_sim.log). Called by lab-up.sh.
#
# What ipmi_sim needs, found by trying on Debian 12's openipmi 2.0.33: the
# command file must name the BMC (mc_setbmc) before adding and enabling it,
# or ipmi_sim exits with "No bmc_ipmb specified or configured" before binding
# its port; IPMI 1.5 sessions (fence_ipmilan without --lanplus, ipmitool -I
# lan) reach the chassis_control program for status, off and on; RMCP+
# (lanplus) is refused ("Invalid authtype: 6") without more configuration.
set -euo pipefail
. "$(dirname "$0")/lab-common.sh"
need_root
[ $# -eq 1 ] || { echo "usage: $0 K" >&2; exit 2; }
k=$1
NS=$(node_ns "$k"); SW=$(switch_ns); B=$(bmc_ns "$k"); d=$(bmc_dir "$k")
netns_exists "$NS" || die "node $k does not exist"
mkdir -p "$d/state"

# The node's management interface.
ip link add name mgmt0 netns "$NS" type veth peer name "m$k" netns "$SW"
ip -n "$SW" link set "m$k" master mgmt up
ip -n "$NS" addr add "$(node_mgmt_ip "$k")/24" dev mgmt0
ip -n "$NS" link set mgmt0 up

# The BMC's namespace and address.
ip netns add "$B"
ip link add name eth0 netns "$B" type veth peer name "b$k" netns "$SW"
ip -n "$SW" link set "b$k" master mgmt up
ip -n "$B" link set lo up
ip -n "$B" addr add "$(bmc_ip "$k")/24" dev eth0
ip -n "$B" link set eth0 up

echo 1 > "$d/power"
cat > "$d/chassis" <<SH
#!/bin/sh
exec env LAB_NAME=$LAB_NAME LAB_ROOT=$LAB_ROOT LAB_SUBNET=$LAB_SUBNET LAB_MGMT_SUBNET=$LAB_MGMT_SUBNET \\
    "$LAB_SCRIPTS/bmc-power.sh" $k "\$@"
SH
chmod +x "$d/chassis"
cat > "$d/lan.conf" <<CONF
# Written by tests/e2e/lab/bmc-up.sh for node n$k of lab $LAB_NAME
name "${LAB_NAME}-bmc$k"
set_working_mc 0x20
  startlan 1
    addr $(bmc_ip "$k") 623
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcd$(printf %02x "$k")
  endlan
  chassis_control "$d/chassis 0x20"
  user 2 true "$LAB_BMC_USER" "$LAB_BMC_PASSWORD" admin 10 none md2 md5 straight
CONF
cat > "$d/commands.emu" <<EMU
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 dynsens
mc_enable 0x20
EMU
setsid nsenter --net="/run/netns/$B" -- ipmi_sim -n -c "$d/lan.conf" -f "$d/commands.emu" -s "$d/state" \
    >>"$d/ipmi_sim.log" 2>&1 </dev/null &
echo $! > "$d/ipmi_sim.pid"
bmc_listening() { grep -q "$(bmc_ip "$k"):623" <<< "$(nsenter --net="/run/netns/$B" -- ss -uln)"; }
wait_until 10 bmc_listening || die "n$k: ipmi_sim did not bind $(bmc_ip "$k"):623 (see $d/ipmi_sim.log)"
echo "n$k: BMC $(bmc_ip "$k"):623 (ipmi_sim pid $(cat "$d/ipmi_sim.pid"))"
