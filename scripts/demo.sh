#!/usr/bin/env bash
# The main job: a highly available web service on a 3-node cluster, on this
# machine. Sets up the machine (scripts/setup.sh), builds the daemons and
# tools, brings up a 3-node lab cluster (network namespaces, real corosync,
# crm-launcherd -> cibd, lrmd, fenced, crmd on every node; docs/lab.md), configures a
# floating IP + web server group with cibadmin, fencing on (stonith-enabled=true:
# Debian's fence_ipmilan through each node's lab BMC), shows the cluster
# status, kills -9 the node serving the web site and measures how long the
# site is unreachable (curl from another node): the dead node is fenced
# (powered off through its BMC) before the group starts elsewhere; the fence
# history shows it; then the node is powered on through its BMC and rejoins. The lab keeps
# running at the end; the last lines tell how to look around and stop it.
#
# Needs root. Environment: CRM_BUILD_DIR (default build), LAB_NAME (default
# crmdemo), DEMO_TOKEN_MS (corosync token, default 1000).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${CRM_BUILD_DIR:-$top/build}
export LAB_NAME=${LAB_NAME:-crmdemo}
TOKEN=${DEMO_TOKEN_MS:-1000}
[ "$(id -u)" = 0 ] || { echo "demo: run as root (the lab uses network namespaces)" >&2; exit 1; }

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }

bold "1/8 set up the machine (Debian packages)"
"$top/scripts/setup.sh"

bold "2/8 build the daemons and tools in $build"
cmake -S "$top" -B "$build" -G Ninja >/dev/null
targets="cibd lrmd fenced attrd crmd crm-launcherd cibadmin stonith_admin attrd_updater crm_attribute"
avail=$(cmake --build "$build" --target help 2>/dev/null | sed -n 's/^\([A-Za-z0-9_-]*\): .*/\1/p')
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets
# The status tools, when they exist (optional: the demo has its own summary).
for t in crm_mon crm_node crm_resource; do
    if echo "$avail" | grep -qx "$t"; then
        if cmake --build "$build" -j"$(nproc)" --target "$t" >/dev/null 2>&1; then targets="$targets $t"
        else say "($t does not build yet: skipped)"; fi
    fi
done
export CRM_BIN_DIR=$build/bin
# Our resource agents (ocf:crm:*) where every node's executor finds them.
install -d /usr/lib/ocf/resource.d/crm
install -m 0755 "$top"/agents/ocf/* /usr/lib/ocf/resource.d/crm/
say "built: $targets; agents installed in /usr/lib/ocf/resource.d/crm"

LAB=$top/tests/e2e/lab
. "$LAB/lab-common.sh"
. "$top/tests/e2e/cluster-lib.sh"
VIP=${LAB_SUBNET}.100
NODES="1 2 3"

bold "3/8 bring up a 3-node cluster (lab $LAB_NAME)"
"$LAB/lab-up.sh" 3 --token "$TOKEN"
dc=$(wait_one_dc 3 60) || { echo "demo: the nodes did not agree on a DC; see $LAB_ROOT/n*/launcher.log" >&2; exit 1; }
wait_same_cib 30 "$NODES" || { echo "demo: the nodes' CIBs differ" >&2; exit 1; }
say "3 nodes, corosync membership complete; DC elected: n$dc; same CIB on all nodes"

# Status: crm_mon -1 when it is built, otherwise a summary from the
# controller's status socket and the CIB.
status() {
    local k=$1
    if [ -x "$CRM_BIN_DIR/crm_mon" ] && ( node_exec "$k" "$CRM_BIN_DIR/crm_mon" -1 ) 2>/dev/null; then return; fi
    local st; st=$(crmd_status "$k" || true)
    say "seen from n$k: DC n$(echo "$st" | grep -o ' dc="[0-9]*"' | tr -dc 0-9), $(echo "$st" | grep -o '<member ' | wc -l) members, quorate=$(echo "$st" | grep -o ' quorate="[01]"' | tr -dc 01)"
    cib "$k" | python3 -c '
import sys, xml.etree.ElementTree as ET
cib = ET.fromstring(sys.stdin.read())
online = {ns.get("id"): ns.get("uname") for ns in cib.iter("node_state") if ns.get("crmd") == "online"}
print("   online: " + " ".join(sorted(online.values())))
where = {}
for ns in cib.iter("node_state"):
    if ns.get("id") not in online: continue
    for r in ns.iter("lrm_resource"):
        last = [o for o in r.iter("lrm_rsc_op") if o.get("id", "").endswith("_last_0")]
        if last and last[0].get("rc-code") == "0" and last[0].get("operation") in ("start", "monitor", "promote", "migrate_from"):
            where.setdefault(r.get("id"), []).append(ns.get("uname"))
for g in cib.iter("group"):
    print("   group %s:" % g.get("id"))
    for p in g.iter("primitive"):
        t = "%s:%s%s" % (p.get("class"), (p.get("provider") + ":") if p.get("provider") else "", p.get("type"))
        nodes = where.get(p.get("id"), [])
        print("     %-6s (%s): %s" % (p.get("id"), t, ("Started " + " ".join(nodes)) if nodes else "Stopped"))
'
}

bold "4/8 configure the HA web service with cibadmin (on n2)"
# Fencing: one fence_ipmilan device per node, through the node's BMC
# (ipmi_sim on the lab's management network), never run on the node it
# fences; stonith-action=off, so a fenced node stays off until powered on.
cib_do 2 -M -c -o configuration -X "<configuration><resources>$(lab_fence_devices "$NODES")</resources><constraints>$(lab_fence_constraints "$NODES")</constraints></configuration>"
cib_do 2 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="true"/><nvpair id="opt-stonith-action" name="stonith-action" value="off"/></cluster_property_set></crm_config>'
cib_do 2 -M -c -o rsc_defaults -X '<rsc_defaults><meta_attributes id="rsc-options"><nvpair id="rsc-stickiness" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>'
web="<group id=\"web\">
  <primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">
    <instance_attributes id=\"vip-ia\"><nvpair id=\"vip-ip\" name=\"ip\" value=\"$VIP\"/><nvpair id=\"vip-cidr\" name=\"cidr_netmask\" value=\"24\"/><nvpair id=\"vip-nic\" name=\"nic\" value=\"eth0\"/></instance_attributes>
    <operations><op id=\"vip-mon\" name=\"monitor\" interval=\"5s\"/></operations>
  </primitive>
  <primitive id=\"site\" class=\"ocf\" provider=\"crm\" type=\"WebServer\">
    <instance_attributes id=\"site-ia\"><nvpair id=\"site-ip\" name=\"ip\" value=\"$VIP\"/><nvpair id=\"site-port\" name=\"port\" value=\"80\"/></instance_attributes>
    <operations><op id=\"site-mon\" name=\"monitor\" interval=\"5s\"/></operations>
  </primitive>
</group>"
say "stonith-enabled=true (fence-n1..n3: fence_ipmilan via each node's BMC at $(bmc_ip 1)..$(bmc_ip 3)), stonith-action=off, resource-stickiness=100, and the group:"
echo "$web" | sed 's/^/     /'
cib_do 2 -C -o resources -X "$web"

web_node() { vip_nodes "$VIP" "$NODES"; }
served() { ( node_exec "$1" curl -s --max-time 1 "http://$VIP/" ) 2>/dev/null | sed -n 's/.*<h1>\(.*\)<\/h1>.*/\1/p'; }
deadline=$(( $(date +%s) + 60 ))
until on=$(web_node) && [ -n "$on" ] && [ "$(echo "$on" | wc -w)" = 1 ] && [ -n "$(served "$on")" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "demo: the web service did not start; see $LAB_ROOT/n*/launcher.log" >&2; exit 1; }
    sleep 0.2
done
client=1; [ "$on" = 1 ] && client=3
say "the group runs on n$on"

bold "5/8 cluster status"
status "$client"
say "curl http://$VIP/ from n$client: $(served "$client")"

bold "6/8 kill -9 n$on (the node serving the site$([ "$on" = "$dc" ] && echo ", and the DC"))"
client=1; while [ "$client" = "$on" ]; do client=$((client + 1)); done
kill_ts=$("$LAB/kill-node.sh" "$on" | sed -n 's/^KILL_TS=//p')
say "killed every process of n$on at $(date -d "@${kill_ts%.*}" +%T); polling http://$VIP/ from n$client every 50 ms"
# The client measures how long the site was unreachable, counted from the kill.
ms_who=$( ( node_exec "$client" python3 - "$VIP" "$kill_ts" <<'PY'
import sys, time, urllib.request
ip, start = sys.argv[1], float(sys.argv[2])
while time.time() < start + 60:
    try:
        body = urllib.request.urlopen("http://%s/" % ip, timeout=0.3).read().decode()
        print("%d %s" % ((time.time() - start) * 1000, body.split("<h1>")[1].split("</h1>")[0]))
        sys.exit(0)
    except Exception:
        time.sleep(0.05)
sys.exit(1)
PY
) ) || { echo "demo: the site did not come back within 60 s; see $LAB_ROOT/n*/launcher.log" >&2; exit 1; }
ms=${ms_who%% *}; who=${ms_who#* }
rest=$(echo "$NODES" | tr ' ' '\n' | grep -vx "$on" | tr '\n' ' ' | sed 's/ $//')
newdc=$(wait_one_dc 3 30 "$rest") || newdc="?"
new=$(web_node)
say "the site answers again after ${ms} ms (\"$who\"); the group now runs on n$new; DC: n$newdc$([ "$on" = "$dc" ] && echo " (newly elected)")"
printf '\n   FAILOVER TIME: %s ms from kill -9 of n%s to the site answering on n%s\n' "$ms" "$on" "$new"
dclog=$LAB_ROOT/n$newdc/launcher.log
asked=$(grep "fencing n$on (" "$dclog" 2>/dev/null | tail -1 | awk '{print $3}')
done_at=$(grep "fencing of n$on confirmed" "$dclog" 2>/dev/null | tail -1 | awk '{print $3}')
if [ -n "$asked" ] && [ -n "$done_at" ]; then
    awk -v k="$kill_ts" -v a="$asked" -v d="$done_at" 'BEGIN { printf "   of which: %d ms until the DC asked to fence n'"$on"' (corosync noticing the death), %d ms fencing it (fence_ipmilan through the BMC)\n", (a - k) * 1000, (d - a) * 1000 }'
fi

bold "7/8 status after the failover, and the fence history"
status "$client"
say "stonith_admin --history n$on (on n$client):"
( node_exec "$client" "$CRM_BIN_DIR/stonith_admin" --history "n$on" ) 2>&1 | sed 's/^/     /'
say "n$on's BMC: power $( [ "$(cat "$(bmc_dir "$on")/power")" = 0 ] && echo off || echo on )"

bold "8/8 power n$on on through its BMC: it boots and rejoins"
( node_exec "$client" fence_ipmilan -a "$(bmc_ip "$on")" -l "$LAB_BMC_USER" -p "$LAB_BMC_PASSWORD" -o on ) 2>/dev/null | sed 's/^/   fence_ipmilan -o on: /'
"$LAB/node-start.sh" "$on" >/dev/null  # already booting (or booted) through the BMC: starts what is missing
d2=$(wait_one_dc 3 60) || { echo "demo: n$on did not rejoin" >&2; exit 1; }
wait_same_cib 30 "$NODES" || true
sleep 2
say "n$on is back: 3 members, DC n$d2; the group stays on n$(web_node) (stickiness)"
status "$on"

cat <<EOF

The cluster keeps running (lab $LAB_NAME). Look around:
  scripts/lab.sh status                                  processes, membership, quorum per node
  scripts/lab.sh exec 1 $CRM_BIN_DIR/cibadmin -Q          the CIB as node 1 sees it$([ -x "$CRM_BIN_DIR/crm_mon" ] && printf '\n  scripts/lab.sh exec 1 %s/crm_mon -1          cluster status' "$CRM_BIN_DIR")
  scripts/lab.sh exec 3 curl -s http://$VIP/           the web site through the floating IP
  scripts/lab.sh exec 2 ip -4 addr show dev eth0         which node holds $VIP
  scripts/lab.sh kill 2 ; scripts/lab.sh start 2         crash a node, bring it back
  less $LAB_ROOT/n1/launcher.log                      daemons' logs (crmd, cibd, lrmd, fenced) of node 1
(all with LAB_NAME=$LAB_NAME). Stop the lab:
  LAB_NAME=$LAB_NAME scripts/lab.sh down
EOF
