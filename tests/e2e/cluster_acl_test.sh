#!/bin/bash
# e2e: access control on a 2-node lab (real corosync, our daemons):
#  1. a user outside the haclient group is refused by every daemon socket of
#     a node (cib, lrmd, crmd, fenced, attrd, ...), and cibadmin says so;
#  2. with enable-acl=true, a haclient member whose role reads /cib, is
#     denied a resource's secret parameters and may write only target-role:
#     reads the CIB without the secret (on either node), stops the resource
#     by its target-role (the cluster stops it), and is refused, with a clear
#     error, exit code 4 and nothing changed, a new resource, a deletion and
#     a change of another attribute;
#  3. root acting as that user (CIB_user, the peer's delegation) gets the
#     same view; a user no acl_target names reads nothing; enable-acl=false
#     lifts every restriction.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
command -v setpriv >/dev/null || e2e_skip "setpriv (util-linux) not installed"
[ -x /usr/bin/python3 ] || e2e_skip "no /usr/bin/python3 (the other users run the system one)"
command -v useradd >/dev/null || e2e_skip "useradd not installed"
need_lab_fencing
getent group haclient >/dev/null || e2e_skip "no haclient group (scripts/setup.sh creates it with the package users)"

ALICE=crmacl-alice STRANGER=crmacl-stranger NOBODY=crmacl-norole
e2e_on_end() { local u; for u in $ALICE $STRANGER $NOBODY; do userdel "$u" >/dev/null 2>&1 || true; done; }
for u in $ALICE $STRANGER $NOBODY; do userdel "$u" >/dev/null 2>&1 || true; done
useradd -M -N -s /usr/sbin/nologin -G haclient "$ALICE" || e2e_fail "useradd $ALICE"
useradd -M -N -s /usr/sbin/nologin -G haclient "$NOBODY" || e2e_fail "useradd $NOBODY"
useradd -M -N -s /usr/sbin/nologin "$STRANGER" || e2e_fail "useradd $STRANGER"

cluster_begin acl 2
NODES="1 2"
dc=$(wait_one_dc 2 60) || e2e_fail "no DC"
other=1; [ "$dc" = 1 ] && other=2

# as USER K CMD... — CMD on node K as USER (with the user's groups).
as() { local user=$1 k=$2; shift 2; ( node_exec "$k" setpriv --reuid "$user" --regid "$(id -g "$user")" --init-groups -- "$@" ); }

# --- 1. the sockets refuse a user outside haclient -----------------------------------
socks=$( ( node_exec "$other" sh -c 'ls /run/crm/*.sock' ) 2>/dev/null ) || e2e_fail "no sockets in n$other's /run/crm"
[ "$(echo "$socks" | wc -l)" -ge 4 ] || e2e_fail "fewer daemon sockets than expected: $socks"
for s in $socks; do
    out=$(as "$STRANGER" "$other" /usr/bin/python3 -c "import socket,sys
c=socket.socket(socket.AF_UNIX)
try:
    c.connect(sys.argv[1])
except PermissionError as e:
    print('refused:', e); sys.exit(0)
c.settimeout(2)
try:
    data=c.recv(4096)
except Exception as e:
    data=b''
print('refused:', data.decode(errors='replace')) if b'ipc-refused' in data or data == b'' else print('ADMITTED', data)
sys.exit(0 if b'ipc-refused' in data or data == b'' else 1)" "$s" 2>&1) || e2e_fail "$STRANGER was admitted by $s: $out"
    # A haclient member is admitted by the same socket.
    as "$ALICE" "$other" /usr/bin/python3 -c "import socket,sys; c=socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])" "$s" \
        || e2e_fail "$ALICE (haclient) could not connect to $s"
done
e2e_note "every socket of n$other refuses $STRANGER (not in haclient) and admits $ALICE: $(echo $socks | xargs -n1 basename | tr '\n' ' ')"
rc=0; out=$(as "$STRANGER" "$other" "$CLUSTER_BIN/cibadmin" -Q 2>&1) || rc=$?
[ "$rc" = 4 ] && [[ $out == *ermission* ]] || e2e_fail "cibadmin -Q as $STRANGER: rc $rc, '$out'"
e2e_note "cibadmin -Q as $STRANGER: exit 4, '$out'"

# --- 2. ACLs ---------------------------------------------------------------------------
# Fencing on, as a production cluster runs (a fence_ipmilan device per node
# through the lab's BMCs): the ACLs must not be in the way of the cluster's own writes.
configure_fenced_services "$dc" || e2e_fail "configuring fencing"
cib_do "$dc" -C -o resources -X '<primitive id="db" class="ocf" provider="heartbeat" type="Dummy"><instance_attributes id="db-secret"><nvpair id="db-fake" name="fake" value="hunter2"/></instance_attributes><meta_attributes id="db-meta"><nvpair id="db-role" name="target-role" value="Started"/></meta_attributes><operations><op id="db-mon" name="monitor" interval="10s"/></operations></primitive>' \
    || e2e_fail "creating db"
cib_do "$dc" -C -o resources -X '<primitive id="web" class="ocf" provider="heartbeat" type="Dummy"/>' || e2e_fail "creating web"
cib_do "$dc" -C -o acls -X "<acls><acl_target id=\"$ALICE\"><role id=\"operator\"/></acl_target><acl_role id=\"operator\"><acl_permission id=\"op-read\" kind=\"read\" xpath=\"/cib\"/><acl_permission id=\"op-secret\" kind=\"deny\" reference=\"db-secret\"/><acl_permission id=\"op-role\" kind=\"write\" xpath=\"//nvpair[@name='target-role']\"/></acl_role></acls>" \
    || e2e_fail "creating the ACLs"
db_running() { [ -n "$(dummy_nodes db "$NODES")" ]; }
wait_until 30 db_running || e2e_fail "db did not start"
e2e_note "db (secret parameter fake=hunter2) runs on n$(dummy_nodes db "$NODES"); ACLs configured, enable-acl not yet set"
out=$(as "$ALICE" "$other" "$CLUSTER_BIN/cibadmin" -Q 2>&1) || e2e_fail "cibadmin -Q as $ALICE with ACLs off: $out"
[[ $out == *hunter2* ]] || e2e_fail "with enable-acl unset $ALICE should read everything"
cib_do "$dc" -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-acl" name="enable-acl" value="true"/></cluster_property_set></crm_config>' \
    || e2e_fail "enable-acl"

for k in $NODES; do
    out=$(as "$ALICE" "$k" "$CLUSTER_BIN/cibadmin" -Q 2>&1) || e2e_fail "cibadmin -Q as $ALICE on n$k: $out"
    [[ $out != *hunter2* && $out != *'id="db-secret"'* ]] || e2e_fail "n$k: $ALICE read the denied secret"
    [[ $out == *'name="target-role"'* && $out == *'id="web"'* && $out == *'<node_state'* ]] \
        || e2e_fail "n$k: $ALICE's view lacks what the role reads: $(echo "$out" | head -c 600)"
done
out=$( ( node_exec "$other" env CIB_user="$ALICE" "$CLUSTER_BIN/cibadmin" -Q ) 2>&1) || e2e_fail "CIB_user=$ALICE cibadmin -Q as root: $out"
[[ $out != *hunter2* && $out == *'id="web"'* ]] || e2e_fail "root acting as $ALICE (CIB_user) read the secret"
rc=0; out=$(as "$NOBODY" "$other" "$CLUSTER_BIN/cibadmin" -Q 2>&1) || rc=$?
[ "$rc" = 4 ] && [[ $out == *ermission* ]] || e2e_fail "$NOBODY (no acl_target) read the CIB: rc $rc, $(echo "$out" | head -c 300)"
e2e_note "$ALICE reads the CIB without the secret on n1 and n2 (and root with CIB_user=$ALICE); $NOBODY is refused: '$out'"

before=$(cib "$dc" | sed -n '1s/.* epoch="\([0-9]*\)".*/\1/p')
refused() {  # refused WHAT cibadmin-args...
    local what=$1 out rc=0; shift
    out=$(as "$ALICE" "$other" "$CLUSTER_BIN/cibadmin" "$@" 2>&1) || rc=$?
    [ "$rc" = 4 ] && [[ $out == *ermission* && $out == *"$ALICE"* ]] || e2e_fail "$what as $ALICE: rc $rc, '$out'"
    e2e_note "$what refused: $out"
}
refused "a new resource" -C -o resources -X '<primitive id="evil" class="ocf" provider="heartbeat" type="Dummy"/>'
refused "deleting web" -D -X '<primitive id="web"/>'
refused "changing db's type" -M -X '<primitive id="db" type="Stateful"/>'
refused "reading then rewriting the secret" -M -X '<nvpair id="db-fake" value="pwned"/>'
after=$(cib "$dc" | sed -n '1s/.* epoch="\([0-9]*\)".*/\1/p')
[ "$before" = "$after" ] || e2e_fail "refused changes moved the epoch $before -> $after"
c=$(cib "$dc")
[[ $c != *evil* && $c == *'id="web"'* && $c == *hunter2* ]] || e2e_fail "a refused change left a trace in the CIB"

as "$ALICE" "$other" "$CLUSTER_BIN/cibadmin" -M -X '<nvpair id="db-role" value="Stopped"/>' || e2e_fail "$ALICE may set target-role"
db_stopped() { [ -z "$(dummy_nodes db "$NODES")" ]; }
wait_until 30 db_stopped || e2e_fail "db still runs after $ALICE set target-role=Stopped"
cib "$dc" | matches 'update-user="'"$ALICE"'"' || e2e_fail "the CIB does not name $ALICE as the last writer"
e2e_note "$ALICE set db's target-role=Stopped from n$other: db stopped; update-user=$ALICE"

# --- 3. enable-acl=false lifts the restrictions -----------------------------------------
cib_do "$dc" -M -X '<nvpair id="opt-acl" name="enable-acl" value="false"/>' || e2e_fail "enable-acl=false"
out=$(as "$ALICE" "$other" "$CLUSTER_BIN/cibadmin" -Q 2>&1) || e2e_fail "cibadmin -Q as $ALICE: $out"
[[ $out == *hunter2* ]] || e2e_fail "enable-acl=false: $ALICE still filtered"
as "$ALICE" "$other" "$CLUSTER_BIN/cibadmin" -C -o resources -X '<primitive id="ok2" class="ocf" provider="heartbeat" type="Dummy"/>' \
    || e2e_fail "enable-acl=false: $ALICE still refused"
e2e_note "enable-acl=false: $ALICE reads and writes everything"
cluster_end
echo PASS
