#!/bin/bash
# failover-bench.sh [--side ours|peer|both] [--rounds R] [--token MS] [--fenced] [--keep]
#
# Benchmark (prints figures, asserts nothing): failover time of one
# ocf:heartbeat:Dummy resource after kill -9 of the node running it, on a
# 3-node lab, for our stack (tests/e2e/lab, daemons from CRM_BIN_DIR) and for
# Debian's Pacemaker 2.1.5 (the reference lab in /work/shared/lab, PEER_LAB).
# Both labs use knet, token MS (default 1000) with token_coefficient 0.
#
# Per side, R rounds of each case:
#   nondc  the resource runs on a node that is not the DC; that node dies
#   dc     the resource runs on the DC; the DC dies
# The resource is put on the victim with a temporary INFINITY location
# constraint (removed again; resource-stickiness=100 keeps it there), then
# every process of the victim gets SIGKILL (kill-node.sh, KILL_TS). Measured:
#   detect  first survivor CPG client that logs the membership change
#           (peer: "Node nV state is now lost"; ours: crmd/cibd "membership:
#           ... (left: V)"); kill -> detect is corosync's part
#   start   the new node's controller logs the successful start of dummy
#           (peer: "Result of start operation for dummy ...: ok"; ours: crmd
#           "result dummy start ... ok"); detect -> start is the stack's part
#   plan    the (new) DC has computed the transition that starts it (peer:
#           schedulerd "Calculated transition"; ours: crmd "transition N (K
#           actions)"), reported as detect -> plan
#   agent   the start's own run time as the executor reports it (part of
#           detect -> start; bash + ocf-shellfuncs take ~15-35 ms)
#   seen    a probe (polled every 50 ms) finds Dummy's state file in the new
#           node's /run (independent of logs)
# The victim is restarted (fresh /run) and the next round waits for all
# nodes to be online in the CIB again.
#
# --fenced: stonith-enabled=true, stonith-action=off, one fence_ipmilan
# device per node through the lab's BMCs (ipmi_sim), for both sides in our
# lab (the peer's stack with lab-up.sh --stack peer, PEER_IN_OUR_LAB=1). The
# victim hangs (SIGSTOP of every process of the node) instead of dying, so it
# must be fenced before dummy may start elsewhere. Also measured:
#   request   the DC asks for the fencing (ours: crmd "fencing nV (off)";
#             peer: controld "Requesting fencing (off) targeting node nV")
#   agent     fence_ipmilan's own run, spawn to exit: in every node the
#             agent is replaced (a bind mount in the node's mount namespace)
#             by a wrapper that logs when the real one started and ended;
#             the run that sent the victim's BMC its power-off is the one
#             (the same for both sides)
#   confirm   the DC learns the fencing succeeded (ours: crmd "fencing of nV
#             confirmed"; peer: controld "Peer nV was terminated (off)")
#   stack     the stack's own part: kill->start minus corosync's detection,
#             the fence agent's run and the resource agent's start
# After the round the victim is powered on through its BMC (it boots). Prints one line per round and a
# summary with median and worst per side and case. Labs: LAB_NAME fbours /
# fbpeer (subnets 10.99.7 / 10.77.7), torn down at the end unless --keep.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
SIDE=both ROUNDS=5 TOKEN=1000 KEEP=0 FENCED=0
while [ $# -gt 0 ]; do
    case "$1" in
        --side) SIDE=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --token) TOKEN=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --fenced) FENCED=1; shift ;;
        *) sed -n '2,46p' "$0" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
PEER_LAB=${PEER_LAB:-/work/shared/lab}
OUR_LAB=$top/tests/e2e/lab
OUT=$(mktemp -d /tmp/failover-bench.XXXXXX)
N=3
if [ "$FENCED" = 1 ]; then
    command -v ipmi_sim >/dev/null && command -v fence_ipmilan >/dev/null ||
        { echo "--fenced needs ipmi_sim (openipmi) and fence_ipmilan (fence-agents)" >&2; exit 2; }
    export PEER_IN_OUR_LAB=1 BENCH_PREFIX=${BENCH_PREFIX:-ff}
fi


. "$top/tests/bench/bench-lab-lib.sh"
find_bin_dir crmd cibd crm-launcherd cibadmin
export CRM_BIN_DIR

# Node(s) whose /run holds Dummy's state file (a probe independent of logs).
where() {
    local s=$1 k out=""
    for k in $(seq 1 "$N"); do
        [ "${2:-}" = "$k" ] && continue
        on "$s" "$k" test -e /run/resource-agents/Dummy-dummy.state 2>/dev/null && out="$out $k"
    done
    echo $out
}
settled() {  # all N online (seen from node $2), dummy on exactly one node
    local s=$1 k=$2 w
    [ "$(online_count "$s" "$k")" = "$N" ] || return 1
    w=$(where "$s"); [ -n "$w" ] && [ "$(echo "$w" | wc -w)" = 1 ]
}

configure() {
    # Without --fenced fencing is off on purpose: this case measures a clean
    # node death (the figures above, and the peer's, were taken that way);
    # --fenced measures the hung node that must be fenced first.
    local s=$1 stonith=false
    if [ "$FENCED" = 1 ]; then
        stonith=true
        cibadmin_on "$s" 1 --modify --allow-create -o configuration --xml-text "$(fence_xml "$s")"
    fi
    # One change, sections created when missing (a fresh peer CIB has no
    # rsc_defaults section: a --create into it is refused).
    cibadmin_on "$s" 1 --modify --allow-create -o configuration --xml-text \
        '<configuration><crm_config><cluster_property_set id="bench-options"><nvpair id="bench-stonith" name="stonith-enabled" value="'$stonith'"/><nvpair id="bench-stonith-action" name="stonith-action" value="off"/></cluster_property_set></crm_config><rsc_defaults><meta_attributes id="bench-rsc-defaults"><nvpair id="bench-stickiness" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults><resources><primitive id="dummy" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="dummy-monitor-10s" name="monitor" interval="10s" timeout="20s"/></operations></primitive></resources></configuration>'
}

place_on() {  # place_on S V: make dummy run on V, then drop the constraint
    local s=$1 v=$2 obs=$3
    [ "$(where "$s")" = "$v" ] && return 0
    cibadmin_on "$s" "$obs" --create -o constraints --xml-text \
        "<rsc_location id=\"bench-loc\" rsc=\"dummy\" node=\"n$v\" score=\"INFINITY\"/>" || return 1
    local deadline=$((SECONDS + 60))
    until [ "$(where "$s")" = "$v" ]; do [ $SECONDS -lt $deadline ] || break; sleep 0.3; done
    cibadmin_on "$s" "$obs" --delete -o constraints --xml-text '<rsc_location id="bench-loc"/>'
    sleep 1
    [ "$(where "$s")" = "$v" ]
}

# Agent run time (ms) of dummy's start on node $2 after $3, as the executor reports it.
agent_ms() {
    local s=$1 d; d=$(root_of "$s")/n$2
    if [ "$s" = ours ]; then
        cat "$d"/launcher.log 2>/dev/null | grep -E "crmd\[n[0-9]+\]: result dummy_start_0 .*: ok" |
            awk -v a="$3" '$3 + 0 > a + 0 { for (i = 1; i < NF; i++) if ($i == "in") { print $(i + 1); exit } }'
    else
        grep -E "pacemaker-execd.*dummy start .*execution time" "$d/var-log-pacemaker/pacemaker.log" 2>/dev/null | tail -1 |
            sed -n 's/.*execution time \([0-9]*\)ms.*/\1/p'
    fi
}
# Every node runs fence_ipmilan through a wrapper that logs "START END RC
# ACTION IP" to $OUT/agent-runs-SIDE.log (bind-mounted over
# /usr/sbin/fence_ipmilan inside the node; the node's mount baseline is
# recorded again so that a power loss keeps it).
wrap_fence_agent() {
    local s=$1 k
    cp /usr/sbin/fence_ipmilan "$OUT/fence_ipmilan.real"
    cat > "$OUT/fence_ipmilan.wrap" <<WRAP
#!/bin/sh
start=\$(date +%s.%N)
args=\$(cat)  # the fencer's key=value lines
printf '%s\\n' "\$args" | "$OUT/fence_ipmilan.real" "\$@"
rc=\$?
action=\$(printf '%s\\n' "\$args" | sed -n 's/^action=//p')
ip=\$(printf '%s\\n' "\$args" | sed -n 's/^ip=//p')
echo "\$start \$(date +%s.%N) \$rc \${action:-\$*} \$ip" >> "$OUT/agent-runs-$s.log"
exit \$rc
WRAP
    chmod 0755 "$OUT" "$OUT/fence_ipmilan.wrap" "$OUT/fence_ipmilan.real"  # the peer's daemons run some calls as hacluster
    touch "$OUT/agent-runs-$s.log"; chmod 0666 "$OUT/agent-runs-$s.log"
    for k in $(seq 1 "$N"); do in_lab "$s" _bind_wrapper "$k" "$OUT/fence_ipmilan.wrap"; done
}
_bind_wrapper() {
    ( node_exec "$1" mount --bind "$2" /usr/sbin/fence_ipmilan )  # (node_exec execs)
    node_mount_baseline "$1"
}
# agent_run S V AFTER: "START END" of the first off/reboot run against node
# V's BMC that started after AFTER.
agent_run() {
    local ip; ip=$(in_lab "$1" bmc_ip "$2")
    awk -v a="$3" -v ip="$ip" '$1 + 0 > a + 0 && ($4 == "off" || $4 == "reboot") && $5 == ip { print $1, $2; exit }' \
        "$OUT/agent-runs-$1.log" 2>/dev/null
}
plan_re()   { [ "$1" = ours ] && echo "crmd\[n[0-9]+\]: transition [0-9]+ \([1-9][0-9]* actions\)" || echo "pacemaker-schedulerd.*Calculated transition"; }
start_re()  { [ "$1" = ours ] && echo "result dummy[_ ]start.*(ok|rc=0)" || echo "Result of start operation for dummy on n[0-9]+: ok"; }

run_side() {
    local s=$1 case r dc victim obs kill_ts seen w detect plan start agent t k
    echo "== $s: bringing up $N nodes (lab $(lab_name "$s"))"
    side_down "$s"
    side_up "$s" >"$OUT/$s-up.log" 2>&1 || { echo "$s: lab-up failed, see $OUT/$s-up.log"; tail "$OUT/$s-up.log"; return 1; }
    deadline=$((SECONDS + 120))
    until [ -n "$(dc_of "$s" 1)" ]; do [ $SECONDS -lt $deadline ] || { echo "$s: no DC"; return 1; }; sleep 1; done
    [ "$FENCED" = 1 ] && wrap_fence_agent "$s"
    configure "$s" >"$OUT/$s-config.log" 2>&1
    for r in $(seq 1 "$ROUNDS"); do
        for case in nondc dc; do
            deadline=$((SECONDS + 120))
            until settled "$s" 1 || settled "$s" 2; do
                [ $SECONDS -lt $deadline ] || { echo "$s round $r $case: cluster not settled"; return 1; }
                sleep 1
            done
            obs=1; dc=$(dc_of "$s" $obs); [ -n "$dc" ] || { obs=2; dc=$(dc_of "$s" $obs); }
            if [ "$case" = dc ]; then victim=$dc; else
                victim=$(where "$s"); [ "$victim" = "$dc" ] && victim=$(( dc % N + 1 ))
            fi
            obs=$(( victim % N + 1 ))
            place_on "$s" "$victim" "$obs" || { echo "$s round $r $case: could not place dummy on n$victim"; return 1; }
            sleep 2
            if [ "$FENCED" = 1 ]; then
                kill_ts=$(labcmd "$s" kill-node.sh "$victim" --signal STOP | sed -n 's/^KILL_TS=//p')
            else
                kill_ts=$(labcmd "$s" kill-node.sh "$victim" | sed -n 's/^KILL_TS=//p')
            fi
            seen=""; w=""; deadline=$((SECONDS + 60))
            while [ $SECONDS -lt $deadline ]; do
                w=$(where "$s" "$victim")
                [ -n "$w" ] && { seen=$(now_s); break; }
                sleep 0.05
            done
            sleep 1
            detect=""
            for k in $(seq 1 "$N"); do
                [ "$k" = "$victim" ] && continue
                t=$(log_ts "$s" "$k" "$(detect_re "$s" "$victim")" "$kill_ts")
                [ -n "$t" ] && { [ -z "$detect" ] || awk -v a="$t" -v b="$detect" 'BEGIN{exit !(a<b)}'; } && detect=$t
            done
            plan=""
            for k in $(seq 1 "$N"); do
                [ "$k" = "$victim" ] && continue
                t=$(log_ts "$s" "$k" "$(plan_re "$s")" "$kill_ts")
                [ -n "$t" ] && { [ -z "$plan" ] || awk -v a="$t" -v b="$plan" 'BEGIN{exit !(a<b)}'; } && plan=$t
            done
            start=""; [ -n "$w" ] && start=$(log_ts "$s" "${w%% *}" "$(start_re "$s")" "$kill_ts")
            agent=""; [ -n "$w" ] && agent=$(agent_ms "$s" "${w%% *}" "$kill_ts")
            fenced=""
            if [ "$FENCED" = 1 ]; then
                request=$(first_ts "$s" "$victim" "$(request_re "$s" "$victim")" "$kill_ts")
                confirm=$(first_ts "$s" "$victim" "$(confirm_re "$s" "$victim")" "$kill_ts")
                read -r agent_start agent_end <<< "$(agent_run "$s" "$victim" "$kill_ts")"
                fence_agent=$(ms "${agent_start:-}" "${agent_end:-}")
                # The stack's own part: neither corosync's nor either agent's run.
                stack=$(awk -v ks="$(ms "$kill_ts" "$start")" -v d="$(ms "$kill_ts" "$detect")" -v a="$fence_agent" -v r="${agent:--}" \
                    'BEGIN { if (ks == "-" || d == "-" || a == "-" || r == "-") print "-"; else print ks - d - a - r }')
                fenced=$(printf ', detect->request=%s ms, request->confirm=%s ms, fence-agent=%s ms, confirm->start=%s ms, stack=%s ms' \
                    "$(ms "$detect" "$request")" "$(ms "$request" "$confirm")" "$fence_agent" "$(ms "$confirm" "$start")" "$stack")
            fi
            printf '%s %s round %d: killed n%s (DC n%s) -> dummy on n%s: detect=%s ms, detect->plan=%s ms, detect->start=%s ms (agent %s ms), kill->start=%s ms, kill->seen=%s ms%s\n' \
                "$s" "$case" "$r" "$victim" "$dc" "${w:-?}" "$(ms "$kill_ts" "$detect")" "$(ms "$detect" "$plan")" "$(ms "$detect" "$start")" "${agent:--}" \
                "$(ms "$kill_ts" "$start")" "$(ms "$kill_ts" "$seen")" "$fenced" | tee -a "$OUT/rounds"
            if [ "$FENCED" = 1 ]; then power_on "$s" "$victim"; else labcmd "$s" node-start.sh "$victim" >/dev/null 2>&1; fi
            [ -n "$seen" ] || { echo "$s round $r $case: dummy did not move within 60 s"; return 1; }
        done
    done
    [ "$KEEP" = 1 ] || side_down "$s"
}

stats() { field_stats "$1 $2 " "$3"; }  # stats SIDE CASE FIELD

run_sides "$SIDE"
echo
echo "failover-bench: 3 nodes, token ${TOKEN} ms (coefficient 0), rounds $ROUNDS; median/worst in ms"
printf '%-6s %-6s %-18s %-18s %-18s %-18s %-18s\n' side case "kill->detect" "detect->plan" "detect->start" "kill->start" "kill->seen(probe)"
for s in peer ours; do for c in nondc dc; do
    grep -q "^$s $c " "$OUT/rounds" 2>/dev/null || continue
    printf '%-6s %-6s %-18s %-18s %-18s %-18s %-18s\n' "$s" "$c" "$(stats $s $c detect)" "$(stats $s $c "detect->plan")" "$(stats $s $c "detect->start")" \
        "$(stats $s $c "kill->start")" "$(stats $s $c "kill->seen")"
done; done
if [ "$FENCED" = 1 ]; then
    echo
    echo "fenced (SIGSTOP, fence_ipmilan through the lab BMC, stonith-action=off); median/worst in ms"
    printf '%-6s %-6s %-18s %-18s %-18s %-18s %-18s %-18s\n' side case "detect->request" "request->confirm" "fence-agent" "confirm->start" "stack(ours)" "kill->start"
    for s in peer ours; do for c in nondc dc; do
        grep -q "^$s $c " "$OUT/rounds" 2>/dev/null || continue
        printf '%-6s %-6s %-18s %-18s %-18s %-18s %-18s %-18s\n' "$s" "$c" "$(stats $s $c "detect->request")" "$(stats $s $c "request->confirm")" \
            "$(stats $s $c fence-agent)" "$(stats $s $c "confirm->start")" "$(stats $s $c stack)" "$(stats $s $c "kill->start")"
    done; done
fi
echo "(rounds and logs in $OUT)"
