#!/bin/bash
# e2e: the lab starts crm-launcherd on every node, which starts the node's
# daemons inside the node's namespaces. The "daemon" here is a stand-in
# (cibd = a script running cpg_probe), so the test does not depend on the
# real daemons being finished: it joins a CPG group on its node's corosync;
# killed by PID it is respawned by the launcher and rejoins; lab-down leaves
# no process behind.
. "$(dirname "$0")/e2e-lib.sh"
[ -x "${CRM_BIN_DIR:-}/crm-launcherd" ] || e2e_skip "no crm-launcherd in CRM_BIN_DIR"
[ "$(id -u)" = 0 ] || e2e_skip "needs root"
BIN=$(mktemp -d /tmp/crm-e2e-bin.XXXXXX)
cp "$CRM_BIN_DIR/crm-launcherd" "$BIN/"
printf '#!/bin/sh\nexec %s -g e2e-daemons -q\n' "$CPG_PROBE" > "$BIN/cibd"
chmod +x "$BIN/cibd"
export CRM_BIN_DIR=$BIN
LAB_NAME="${LAB_NAME:-e2e}lnch"
. "$(dirname "$0")/lab/lab-common.sh"
trap 'rc=$?; "$LAB/lab-down.sh" $([ $rc = 0 ] && echo --purge) >/dev/null 2>&1; rm -rf "$BIN"; exit $rc' EXIT
"$LAB/lab-up.sh" 2

probe_pid_on() { ps -o pid=,comm= -p "$(node_pids "$1" | tr '\n' ',' | sed 's/,$//')" | awk '$2=="cpg_probe"{print $1}'; }
both_members() { grep -q "CONFCHG members=1,2 " "$LAB_ROOT/n1/launcher.log" && grep -q "CONFCHG members=1,2 " "$LAB_ROOT/n2/launcher.log"; }
wait_until 15 both_members || e2e_fail "the launched daemons did not form a 2-node group"
wait_until 5 grep -q "lrmd: .* missing" "$LAB_ROOT/n1/var-log-crm/launcher.log" || e2e_fail "no warning for the missing lrmd in the node's /var/log/crm"
e2e_note "launcher started cibd on both nodes; they joined one CPG group"

old=$(probe_pid_on 2)
[ -n "$old" ] || e2e_fail "no daemon process on n2"
kill -KILL "$old"
respawned() { local p; p=$(probe_pid_on 2); [ -n "$p" ] && [ "$p" != "$old" ]; }
wait_until 10 respawned || e2e_fail "daemon on n2 not respawned"
grep -q "cibd (pid $old) was killed by signal 9" "$LAB_ROOT/n2/launcher.log" || e2e_fail "crash not logged"
rejoined() { [ "$(grep -c 'CONFCHG members=1,2 joined=2' "$LAB_ROOT/n1/launcher.log")" -ge 2 ]; }
wait_until 10 rejoined || e2e_fail "respawned daemon did not rejoin"
e2e_note "daemon killed by PID ($old) respawned as $(probe_pid_on 2) and rejoined the group"

"$LAB/lab-down.sh" >/dev/null
left=$(ip netns list | grep -c "^${LAB_NAME}-" || true)
[ "$left" = 0 ] || e2e_fail "$left namespaces left behind"
for p in $old; do [ ! -d /proc/"$p" ] || e2e_fail "process $p left behind"; done
e2e_note "lab down: no namespace left"
echo PASS
