#!/bin/bash
# e2e: the real crmsh (Debian 12's crmsh 4.4) drives a 3-node lab cluster
# that runs this project's installed tree (`cmake --install` into a staging
# directory, the layout the Debian package carries). Inside every node that
# tree is laid over /usr (tests/e2e/lab/node-install.sh) and every file of
# the peer's packages is hidden, so each program crmsh runs is ours. An
# administrator's session through `crm` only, each step checked against the
# cluster's real state: where resources run, the addresses on each node's
# interface, the CIB.
#
# Usage (ctest sets CRM_BIN_DIR to the build's bin/): cluster_crmsh_test.sh
# CRMSH_PEER=1 runs the same session against the peer's installed daemons
# and tools (Debian's pacemaker 2.1.5) instead: the lab runs the peer's stack
# (LAB_STACK=peer: pacemakerd in every node) and nothing is laid over /usr.
# Proof that it asks for the peer's behaviour (scripts/crmsh-peer-check.sh).
. "$(dirname "$0")/e2e-lib.sh"
command -v crm >/dev/null || e2e_skip "crmsh is not installed (scripts/setup.sh installs it)"
[ "$(id -u)" = 0 ] || e2e_skip "needs root (network namespaces)"
if [ "${CRMSH_PEER:-0}" = 1 ]; then
    [ -x /usr/sbin/pacemakerd ] || e2e_skip "the peer's pacemaker is not installed"
    export LAB_STACK=peer
else
    build=$(cd "${CRM_BIN_DIR:?set CRM_BIN_DIR to the bin directory of a build}/.." && pwd)
    STAGE=$(mktemp -d /tmp/crmsh-stage.XXXXXX)
    trap 'rm -rf "$STAGE"' EXIT  # until cluster_begin's trap (e2e_end, then e2e_on_end)
    DESTDIR=$STAGE cmake --install "$build" --prefix /usr >/dev/null || e2e_fail "cmake --install into $STAGE failed"
    export CRM_BIN_DIR=$STAGE/usr/sbin
fi
. "$(dirname "$0")/cluster-lib.sh"
# The staging tree goes after the lab (e2e_end calls e2e_on_end, then exits).
e2e_on_end() { [ -z "${STAGE:-}" ] || rm -rf "$STAGE"; }

NODES="1 2 3"
IP=10.99.0.100
cluster_begin crmsh 3
if [ "${CRMSH_PEER:-0}" != 1 ]; then
    for k in $NODES; do "$LAB/node-install.sh" "$k" "$STAGE" >/dev/null || e2e_fail "node-install.sh $k"; done
    # Nothing of the peer's is left where the nodes look: every file of its
    # packages is gone from the node's view or is ours.
    peer=$(dpkg-query -L pacemaker pacemaker-cli-utils pacemaker-common 2>/dev/null | grep -E '^/usr/(sbin|lib/pacemaker|share/pacemaker)/' || true)
    left=$( (node_exec 1 bash -c 'for f in "$@"; do [ -f "$f" ] || continue; cmp -s "$f" "$0$f" || echo "$f"; done' "$STAGE" $peer) )
    [ -z "$left" ] || e2e_fail "the peer's files are visible in the nodes: $left"
    e2e_note "the nodes see our installed tree over /usr, none of the peer's $(echo "$peer" | wc -w) files"
else
    for k in $NODES; do node_hosts "$k" || e2e_fail "node_hosts $k"; done
    e2e_note "the nodes run the peer's installed pacemaker $(dpkg-query -W -f '${Version}' pacemaker)"
fi
dc=$(wait_one_dc 3 40) || e2e_fail "no DC"
e2e_note "DC is n$dc"

# crm K ARGS... — crmsh on node K as an administrator runs it (batch mode:
# stdin is not a terminal), its own environment only. Output in $CRM_OUT.
# The tools crmsh runs (dozens per command) skip the sanitizer's leak check at
# exit, about half of each one's run under ASan; the CLI tests leak-check them.
CRM_OUT=$LAB_ROOT/crm.out
crm_on() {
    local k=$1; shift
    ( node_exec "$k" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb PAGER=cat \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" crm "$@" ) > "$CRM_OUT" 2>&1
}
crm_ok() { crm_on "$@" || e2e_fail "crm $* failed: $(cat "$CRM_OUT")"; ! grep -q "ERROR" "$CRM_OUT" || e2e_fail "crm $* said: $(cat "$CRM_OUT")"; }
crm_refused() {
    crm_on "$@" && ! grep -q "ERROR" "$CRM_OUT" && e2e_fail "crm $* was accepted: $(cat "$CRM_OUT")"
    e2e_note "crm $*: $(grep -m1 -E 'ERROR|error' "$CRM_OUT" | sed 's/\x1b\[[0-9;]*m//g')"
}
# The CIB as the cluster holds it (the node's cibadmin on node 1).
cib_xpath() { ( node_exec 1 cibadmin -Q --xpath "$1" ) 2>/dev/null; }
has() { cib_xpath "$1" >/dev/null; }
epoch() { ( node_exec 1 cibadmin -Q ) > "$LAB_ROOT/cib.xml" && grep -m1 -o ' epoch="[0-9]*"' "$LAB_ROOT/cib.xml"; }
resource_role() {  # resource_role RSC NODE -> the role crm_mon reports there
    ( node_exec 1 crm_mon --output-as=xml ) | python3 -c '
import sys, xml.etree.ElementTree as ET
rsc, node = sys.argv[1], sys.argv[2]
for r in ET.parse(sys.stdin).getroot().iter("resource"):
    if r.get("id") == rsc and r.get("active") == "true" and any(n.get("name") == node for n in r.iter("node")):
        print(r.get("role")); break' "$1" "$2"
}

# ---- configure: properties, fencing, primitives, group -----------------
crm_ok 1 configure property stonith-enabled=true stonith-action=off
has "//cluster_property_set/nvpair[@name='stonith-action'][@value='off']" || e2e_fail "stonith-action not set"
for j in $NODES; do
    crm_ok 1 configure primitive "fence-n$j" stonith:fence_ipmilan params ip="$(bmc_ip "$j")" username="$LAB_BMC_USER" \
        password="$LAB_BMC_PASSWORD" pcmk_host_list="n$j" op monitor interval=60s
    crm_ok 1 configure location "fence-n$j-not-self" "fence-n$j" -inf: "n$j"
done
crm_ok 1 configure rsc_defaults resource-stickiness=100
crm_ok 1 configure primitive vip ocf:heartbeat:IPaddr2 params ip=$IP cidr_netmask=24 nic=eth0 op monitor interval=10s
has "//primitive[@id='vip']/operations/op[@name='monitor'][@interval='10s']" || e2e_fail "vip's monitor is not an op: $(cib_xpath "//primitive[@id='vip']")"
crm_ok 1 configure primitive app ocf:heartbeat:Dummy op monitor interval=10s timeout=20s
crm_ok 1 configure group web vip app
where=$(wait_running_once $IP app 40 "$NODES") || e2e_fail "web did not start once: $(where_is $IP app "$NODES")"
e2e_note "crm configure: fencing through each node's BMC, group web running on n$where"

# ---- an alert (docs/alerts.md): the peer's sample, for resource events ----
if [ -r /usr/share/pacemaker/alerts/alert_file.sh.sample ]; then
    install -m 0755 /usr/share/pacemaker/alerts/alert_file.sh.sample "$LAB_ROOT/alert_file.sh"
    crm_ok 1 configure alert file "$LAB_ROOT/alert_file.sh" select resources to "$LAB_ROOT/alerts.log"
    has "//alerts/alert[@id='file']/select/select_resources" && has "//alerts/alert[@id='file']/recipient[@value='$LAB_ROOT/alerts.log']" \
        || e2e_fail "crm configure alert did not make the alert: $(cib_xpath //alerts)"
    ALERT_LOG=$LAB_ROOT/alerts.log
fi

# ---- a clone, a promotable clone, constraints (one commit) -------------
crm_on 1 configure <<EOF || e2e_fail "configure session failed: $(cat "$CRM_OUT")"
primitive every ocf:heartbeat:Dummy op monitor interval=10s
clone every-clone every
primitive db ocf:pacemaker:Stateful op monitor role=Promoted interval=10s op monitor role=Unpromoted interval=11s
ms db-ms db meta promoted-max=1 notify=true
location web-likes-here web rule 50: #uname eq n$where
colocation web-with-every inf: web every-clone
order every-then-web Mandatory: every-clone web
commit
EOF
grep -q ERROR "$CRM_OUT" && e2e_fail "configure session: $(cat "$CRM_OUT")"
everywhere() { [ "$(dummy_nodes every "$NODES" | wc -w)" = 3 ]; }
wait_until 40 everywhere || e2e_fail "the clone does not run on every node: [$(dummy_nodes every "$NODES")]"
promoted_count() { local n=0 k; for k in $NODES; do [ "$(resource_role db "n$k")" = Promoted ] && n=$((n + 1)); done; echo $n; }
one_promoted() { [ "$(promoted_count)" = 1 ]; }
wait_until 60 one_promoted || e2e_fail "not exactly one promoted db: $(promoted_count)"
has "//rsc_location[@id='web-likes-here']/rule/expression[@attribute='#uname'][@value='n$where']" || e2e_fail "the rule is not in the CIB"
has "//rsc_colocation[@id='web-with-every']" && has "//rsc_order[@id='every-then-web']" || e2e_fail "constraints missing"
[ "$(wait_running_once $IP app 20 "$NODES")" = "$where" ] || e2e_fail "web moved against its stickiness: $(where_is $IP app "$NODES")"
e2e_note "clone on every node, one promoted db, rule/colocation/order in the CIB; web stays on n$where"
if [ -n "${ALERT_LOG:-}" ]; then
    alerted() { grep -q "Resource operation 'start' for 'every' on 'n$1': ok" "$ALERT_LOG" 2>/dev/null; }
    for k in $NODES; do wait_until 10 alerted "$k" || e2e_fail "no alert for every's start on n$k: $(cat "$ALERT_LOG")"; done
    e2e_note "the alert made with crm configure alert logged the clone's starts on every node"
fi

crm_ok 1 configure show
for id in vip app web every-clone db-ms web-likes-here web-with-every every-then-web fence-n1; do
    grep -q "$id" "$CRM_OUT" || e2e_fail "configure show lacks $id: $(cat "$CRM_OUT")"
done
crm_on 1 configure verify || e2e_fail "configure verify: $(cat "$CRM_OUT")"
grep -q ERROR "$CRM_OUT" && e2e_fail "configure verify: $(cat "$CRM_OUT")"
crm_ok 1 configure delete web-likes-here
has "//rsc_location[@id='web-likes-here']" && e2e_fail "web-likes-here is still in the CIB"
# edit with an EDITOR script (crmsh edits only from a terminal: a pty).
cat > "$LAB_ROOT/editor.sh" <<'EOF'
#!/bin/sh
sed -i 's/interval=10s timeout=20s/interval=15s timeout=20s/' "$1"
EOF
chmod +x "$LAB_ROOT/editor.sh"
( node_exec 1 env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb EDITOR="$LAB_ROOT/editor.sh" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
    script -qec "crm configure edit app" /dev/null ) > "$CRM_OUT" 2>&1 </dev/null || e2e_fail "configure edit: $(cat "$CRM_OUT")"
has "//primitive[@id='app']//op[@name='monitor'][@interval='15s']" || e2e_fail "the edit did not reach the CIB: $(cat "$CRM_OUT")"
e2e_note "configure show, verify, delete, edit (EDITOR script) done"

# ---- status ------------------------------------------------------------
crm_ok 1 status
grep -Eq "Online: \[ n1 n2 n3 \]" "$CRM_OUT" || e2e_fail "crm status: $(cat "$CRM_OUT")"
grep -Eq "app[[:space:]].*Started n$where" "$CRM_OUT" || e2e_fail "crm status does not show app on n$where: $(cat "$CRM_OUT")"

# ---- resource ----------------------------------------------------------
crm_ok 1 resource stop app
app_stopped() { [ -z "$(dummy_nodes app "$NODES")" ]; }
wait_until 30 app_stopped || e2e_fail "app still runs after resource stop: $(where_is $IP app "$NODES")"
crm_ok 1 resource start app
[ "$(wait_running_once $IP app 30 "$NODES")" = "$where" ] || e2e_fail "app did not start again on n$where"
other=$(( where % 3 + 1 ))
crm_ok 1 resource move web "n$other"
[ "$(wait_running_once $IP app 40 "$NODES")" = "$other" ] || e2e_fail "web did not move to n$other: $(where_is $IP app "$NODES")"
crm_ok 1 resource clear web
has "//rsc_location[starts-with(@id,'cli-prefer-web')]" && e2e_fail "resource clear left the move's constraint"
crm_ok 1 resource ban web "n$other"
moved_away() { local w; w=$(wait_running_once $IP app 1 "$NODES") && [ "$w" != "$other" ]; }
wait_until 40 moved_away || e2e_fail "web did not leave the banned n$other: $(where_is $IP app "$NODES")"
crm_ok 1 resource clear web
where=$(wait_running_once $IP app 10 "$NODES") || e2e_fail "web is not running once"
crm_ok 1 resource locate web
grep -q "is running on: n$where" "$CRM_OUT" || e2e_fail "locate: $(cat "$CRM_OUT")"
# restart from a node that is not the DC: between stop and start crmsh waits
# for the DC to be idle (crmadmin -S DC, answered by the DC over the cluster).
nondc=$(( dc % 3 + 1 ))
app_start_call() {  # call-id of app's last start on n$where
    cib_xpath "//node_state[@uname='n$where']//lrm_resource[@id='app']/lrm_rsc_op[@operation='start']" |
        grep -o 'call-id="[0-9]*"' | tr -dc '0-9\n' | sort -n | tail -1
}
( node_exec "$nondc" crmadmin -S "n$dc" ) > "$LAB_ROOT/crmadmin.out" 2>&1 || e2e_fail "crmadmin -S n$dc on n$nondc: $(cat "$LAB_ROOT/crmadmin.out")"
grep -Eq "^Controller on n$dc in state S_[A-Z_]+: ok$" "$LAB_ROOT/crmadmin.out" || e2e_fail "crmadmin -S: $(cat "$LAB_ROOT/crmadmin.out")"
before=$(app_start_call)
crm_ok "$nondc" resource restart app
[ "$(wait_running_once $IP app 30 "$NODES")" = "$where" ] || e2e_fail "app is not back on n$where after restart"
[ "$(app_start_call)" -gt "$before" ] || e2e_fail "crm resource restart did not start app again (call $before)"
# crm_resource --restart waits for the stop and the start itself.
before=$(app_start_call)
( node_exec "$nondc" crm_resource --restart -r app ) > "$LAB_ROOT/restart.out" 2>&1 || e2e_fail "crm_resource --restart: $(cat "$LAB_ROOT/restart.out")"
grep -q "^Waiting for 1 resources to stop:" "$LAB_ROOT/restart.out" && grep -q "^ \* app$" "$LAB_ROOT/restart.out" ||
    e2e_fail "crm_resource --restart said: $(cat "$LAB_ROOT/restart.out")"
[ "$(app_start_call)" -gt "$before" ] && [ "$(dummy_nodes app "$NODES")" = "$where" ] ||
    e2e_fail "crm_resource --restart returned before app ran again on n$where: $(where_is $IP app "$NODES")"
# crm -w: the change and then the wait for the DC; --wait: until nothing is left to do.
crm_ok "$nondc" -w resource stop app
app_stopped || e2e_fail "crm -w resource stop returned while app still runs: $(where_is $IP app "$NODES")"
( node_exec "$nondc" crm_resource -r app -m -p target-role -v Started ) >/dev/null 2>&1 || e2e_fail "target-role Started"
( node_exec "$nondc" crm_resource --wait -T 60s ) > "$LAB_ROOT/wait.out" 2>&1 || e2e_fail "crm_resource --wait: $(cat "$LAB_ROOT/wait.out")"
[ "$(dummy_nodes app "$NODES")" = "$where" ] || e2e_fail "crm_resource --wait returned before app ran: $(where_is $IP app "$NODES")"
e2e_note "restart (crm and crm_resource), crm -w and crm_resource --wait from n$nondc, the DC n$dc answering crmadmin -S"
crm_ok 1 resource cleanup app
crm_ok 1 resource param app set fake 42
crm_ok 1 resource param app show fake
grep -qx "42" "$CRM_OUT" || e2e_fail "param show: $(cat "$CRM_OUT")"
crm_ok 1 resource param app delete fake
has "//primitive[@id='app']//nvpair[@name='fake']" && e2e_fail "param delete left fake"
crm_ok 1 resource meta app set priority 5
crm_ok 1 resource meta app show priority
grep -qx "5" "$CRM_OUT" || e2e_fail "meta show: $(cat "$CRM_OUT")"
crm_ok 1 resource meta app delete priority
crm_ok 1 resource failcount app show "n$where"
grep -q "value=0" "$CRM_OUT" || e2e_fail "failcount show: $(cat "$CRM_OUT")"
crm_ok 1 resource scores
grep -q "app" "$CRM_OUT" || e2e_fail "scores: $(cat "$CRM_OUT")"
e2e_note "resource stop/start/move/clear/ban/locate/cleanup/param/meta/failcount/scores checked against the nodes"

# ---- node --------------------------------------------------------------
standby_node=$(( where % 3 + 1 ))
crm_ok 1 node standby "n$standby_node"
off_node() { ! dummy_nodes every "$NODES" | matches -w "$standby_node"; }
wait_until 30 off_node || e2e_fail "n$standby_node in standby still runs the clone"
crm_ok 1 node online "n$standby_node"
wait_until 30 everywhere || e2e_fail "the clone did not come back to n$standby_node"
crm_ok 1 node attribute n1 set rack r1
crm_ok 1 node attribute n1 show rack
grep -q "value=r1" "$CRM_OUT" || e2e_fail "node attribute show: $(cat "$CRM_OUT")"
crm_ok 1 node attribute n1 delete rack
crm_ok 1 node utilization n1 set memory 1024
has "//node[@uname='n1']/utilization/nvpair[@name='memory'][@value='1024']" || e2e_fail "utilization not in the CIB"
crm_ok 1 node list
for k in $NODES; do grep -q "n$k" "$CRM_OUT" || e2e_fail "node list: $(cat "$CRM_OUT")"; done
e2e_note "node standby/online/attribute/utilization/list"

# ---- ra ----------------------------------------------------------------
crm_ok 1 ra classes
grep -q "ocf / .*heartbeat" "$CRM_OUT" && grep -q stonith "$CRM_OUT" || e2e_fail "ra classes: $(cat "$CRM_OUT")"
crm_ok 1 ra list ocf heartbeat
grep -qw IPaddr2 "$CRM_OUT" || e2e_fail "ra list: $(cat "$CRM_OUT")"
crm_ok 1 ra info ocf:heartbeat:IPaddr2
grep -q "cidr_netmask" "$CRM_OUT" || e2e_fail "ra info: $(cat "$CRM_OUT")"

# ---- shadow CIB --------------------------------------------------------
crm_ok 1 cib new trial
crm_ok 1 -c trial configure primitive shadowed ocf:heartbeat:Dummy
has "//primitive[@id='shadowed']" && e2e_fail "a change to the shadow CIB reached the cluster"
crm_ok 1 cib commit trial
has "//primitive[@id='shadowed']" || e2e_fail "cib commit did not reach the cluster"
crm_ok 1 cib delete trial
e2e_note "cib new/use/commit: the change reached the cluster only on commit"

# ---- simulate ----------------------------------------------------------
crm_on 1 configure simulate nograph || e2e_fail "configure simulate: $(cat "$CRM_OUT")"
grep -qi "transition summary\|Revised Cluster Status\|Current cluster status" "$CRM_OUT" || e2e_fail "configure simulate: $(cat "$CRM_OUT")"

# ---- ACLs: crmsh's role and acl_target, enforced by the CIB daemon ------
# (issue 9: crmsh writes the peer's acls-2.0 elements; root acting as the
# user through CIB_user gets the user's view and is refused what the role
# does not grant.)
crm_ok 1 configure role web-operator read xpath:/cib write meta:app:target-role deny ref:vip
crm_ok 1 configure acl_target webop web-operator
has "//acl_target[@id='webop']/role[@id='web-operator']" || e2e_fail "crm configure acl_target: $(cib_xpath //acls)"
has "//acl_role[@id='web-operator']/acl_permission[@kind='deny'][@reference='vip']" \
    || e2e_fail "crm configure role: $(cib_xpath //acls)"
crm_ok 1 configure property enable-acl=true
as_webop() { ( node_exec 1 env CIB_user=webop cibadmin "$@" ) 2>&1; }
view=$(as_webop -Q) || e2e_fail "cibadmin -Q as webop: $view"
[[ $view == *'id="app"'* && $view != *'<primitive id="vip"'* ]] || e2e_fail "webop's view: $(echo "$view" | grep -m3 primitive)"
out=$(as_webop -C -o resources -X '<primitive id="webop-rsc" class="ocf" provider="heartbeat" type="Dummy"/>') \
    && e2e_fail "webop created a resource"
[[ $out == *permission-denied* ]] || e2e_fail "webop's refusal: $out"
crm_ok 1 configure property enable-acl=false
crm_ok 1 configure delete webop web-operator
e2e_note "crm configure role/acl_target: the peer's acls-2.0 elements; with enable-acl=true webop (CIB_user) reads all but vip and is refused a new resource: $out"

# ---- bad input: a clear error, the CIB unchanged -----------------------
before=$(epoch)
crm_refused 1 configure primitive broken ocf:heartbeat:NoSuchAgent
crm_refused 1 configure location on-missing missing-resource 100: n1
crm_refused 1 configure property no-quorum-policy=panic
[ "$(epoch)" = "$before" ] || e2e_fail "a refused change moved the CIB: $before -> $(epoch)"
has "//primitive[@id='broken']" || has "//rsc_location[@id='on-missing']" && e2e_fail "a refused change is in the CIB"
has "//nvpair[@name='no-quorum-policy'][@value='panic']" && e2e_fail "no-quorum-policy=panic was stored"
e2e_note "an unknown agent, a constraint on a missing resource, a bad property value: refused, CIB unchanged"

[ "$(wait_running_once $IP app 10 "$NODES")" != "" ] || e2e_fail "web is not running once at the end"
cluster_end
echo PASS
