#!/bin/bash
# vip-failover-bench.sh [--tokens "1000 500 300 200 120"] [--rounds R]
#                       [--load "STRESS-NG ARGS"|none] [--fencing on|off]
#                       [--power-wait S] [--quiet S] [--transport knet|udpu]
#                       [--nice N] [--keep]
#
# Benchmark (prints figures, asserts nothing): the fastest safe failover of a
# floating IP. On a 3-node lab of our stack (corosync over --transport,
# default knet: see lab-up.sh for why udpu below a 500 ms token), one ocf:heartbeat:IPaddr2 VIP
# (LAB_SUBNET.200/24 on eth0, monitor 10 s). For each corosync token in
# --tokens (the lab's totem.token, token_coefficient 0, consensus corosync's
# default 1.2 x token), R rounds: every process of the node holding the VIP
# gets SIGKILL (kill-node.sh, which also drops the node's addresses, as a
# power loss does); a client on the lab's switch (LAB_SUBNET.250 on lan0)
# pings the VIP every 5 ms (ping -D -O) the whole time. Measured per round:
#   detect    kill -> the first survivor's controller logs the membership
#             change (corosync's part: token + consensus)
#   fenced    kill -> the DC's controller learns the fencing succeeded
#             (--fencing on: stonith-enabled=true, stonith-action=off, the
#             lab's fence_ipmilan devices through the BMCs, with
#             power_wait=S, default 0: see below)
#   started   kill -> the VIP's start succeeded on a survivor (crmd log)
#   answered  kill -> the first echo reply after the replies stopped: the
#             VIP answering on the survivor (IPaddr2's gratuitous ARP
#             redirected the client)
# While the rounds run, stress-ng (--load, default "--cpu 2 --io 1", Debian's
# stress-ng) loads the machine the three nodes share; after them it keeps
# loading for --quiet S seconds (default 30) without a kill. A false failover
# is a node that a survivor's controller saw leave the membership when no
# kill explains it (no kill in the 10 s before): counted per token.
# --nice N: every daemon of ours (and so every agent) runs at nice N
# (crm-launcherd's "nice", docs/launcher.md); default: the launcher's 0.
# The victim is powered on again through its BMC (or restarted, --fencing
# off) and the next round waits for all three nodes online and the VIP on
# exactly one. Lab: LAB_NAME vfours, torn down at the end unless --keep.
#
# power_wait: fence_ipmilan waits power_wait seconds after "power off"
# before it reads the power state back and reports (its default 2 s covers
# BMCs that report a state before they reach it). The agent still checks
# that the power is off; 0 drops only the extra wait.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
TOKENS="1000 500 300 200 120" TRANSPORT=knet NICE= ROUNDS=5 LOAD="--cpu 2 --io 1" FENCING=on POWER_WAIT=0 QUIET=30 KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --tokens) TOKENS=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --load) LOAD=$2; shift 2 ;;
        --fencing) FENCING=$2; shift 2 ;;
        --power-wait) POWER_WAIT=$2; shift 2 ;;
        --quiet) QUIET=$2; shift 2 ;;
        --transport) TRANSPORT=$2; shift 2 ;;
        --nice) NICE=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        *) sed -n '2,40p' "$0" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
[ "$LOAD" = none ] || command -v stress-ng >/dev/null || { echo "stress-ng is not installed (apt-get install stress-ng)" >&2; exit 2; }
if [ "$FENCING" = on ]; then
    command -v ipmi_sim >/dev/null && command -v fence_ipmilan >/dev/null ||
        { echo "--fencing on needs ipmi_sim (openipmi) and fence_ipmilan (fence-agents)" >&2; exit 2; }
fi
OUR_LAB=$top/tests/e2e/lab
PEER_LAB=$OUR_LAB
BENCH_PREFIX=${BENCH_PREFIX:-vf}
N=3 TOKEN=1000
. "$top/tests/bench/bench-lab-lib.sh"
find_bin_dir crmd cibd crm-launcherd cibadmin
export CRM_BIN_DIR
OUT=$(mktemp -d /tmp/vip-failover-bench.XXXXXX)
S=ours
VIP=$(subnet ours).200
CLIENT=$(subnet ours).250
SW=$(lab_name ours)-sw
STRESS_PID=""
PING_PID=""
stop_bg() {
    [ -n "$PING_PID" ] && kill "$PING_PID" 2>/dev/null
    [ -n "$STRESS_PID" ] && kill "$STRESS_PID" 2>/dev/null
    wait 2>/dev/null
    PING_PID="" STRESS_PID=""
}
trap 'stop_bg; [ "$KEEP" = 1 ] || side_down ours' EXIT

# holders — the nodes whose eth0 has the VIP
holders() {
    local k out=""
    for k in $(seq 1 "$N"); do
        on ours "$k" ip -o -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/" && out="$out $k"
    done
    echo $out
}
settled() { [ "$(online_count ours 1)" = "$N" ] || [ "$(online_count ours 2)" = "$N" ]; } 
configure() {
    local stonith=false
    if [ "$FENCING" = on ]; then
        stonith=true
        # The lab's devices, each with power_wait=$POWER_WAIT.
        cibadmin_on ours 1 --modify --allow-create -o configuration --xml-text \
            "$(fence_xml ours | sed "s#<nvpair id=\"fence-n\([0-9]*\)-hosts\"#<nvpair id=\"fence-n\1-pw-wait\" name=\"power_wait\" value=\"$POWER_WAIT\"/>&#g")" || return 1
    fi
    cibadmin_on ours 1 --modify --allow-create -o configuration --xml-text \
        '<configuration><crm_config><cluster_property_set id="bench-options"><nvpair id="bench-stonith" name="stonith-enabled" value="'$stonith'"/><nvpair id="bench-stonith-action" name="stonith-action" value="off"/></cluster_property_set></crm_config><rsc_defaults><meta_attributes id="bench-rsc-defaults"><nvpair id="bench-stickiness" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults><resources><primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2"><instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="'$VIP'"/><nvpair id="vip-cidr" name="cidr_netmask" value="24"/><nvpair id="vip-nic" name="nic" value="eth0"/></instance_attributes><operations><op id="vip-monitor-10s" name="monitor" interval="10s" timeout="20s"/></operations></primitive></resources></configuration>'
}
# answered_after PINGLOG T — epoch seconds of the first echo reply after the
# first missed one after T (ping -D -O lines: "[EPOCH] 64 bytes from ..." or
# "[EPOCH] no answer yet for icmp_seq=N").
answered_after() {
    awk -v t="$2" '{ ts = substr($1, 2, length($1) - 2) + 0 }
        ts > t && /no answer yet/ { missed = 1; next }
        missed && ts > t && / bytes from / { printf "%.3f\n", ts; exit }' "$1"
}
# left_events K — "EPOCH NODE..." of every membership change in which nodes
# left, as node K's controller logged them.
left_events() {
    cat "$(root_of ours)/n$1"/launcher.log 2>/dev/null | grep -E "crmd\[n[0-9]+\]: membership:.*\(left:" |
        awk '{ if (match($0, /\(left:[ 0-9]*/)) print $3, substr($0, RSTART + 6, RLENGTH - 6) }'
}

run_token() {
    local token=$1 r victim kill_ts w detect fenced started answered k t
    TOKEN=$token
    echo "== token $token ms: bringing up $N nodes (lab $(lab_name ours))"
    side_down ours
    labcmd ours lab-up.sh "$N" --token "$TOKEN" --transport "$TRANSPORT" ${NICE:+--launcher-conf "nice = $NICE"} \
        >"$OUT/up-$token.log" 2>&1 || { echo "lab-up failed, see $OUT/up-$token.log"; tail "$OUT/up-$token.log"; return 1; }
    wait_for 120 settled || { echo "token $token: not all nodes online"; return 1; }
    configure >"$OUT/config-$token.log" 2>&1 || { echo "token $token: configuring failed, see $OUT/config-$token.log"; return 1; }
    ip -n "$SW" addr add "$CLIENT/24" dev lan0 2>/dev/null
    ip -n "$SW" link set lan0 up
    : > "$OUT/kills-$token"
    ip netns exec "$SW" ping -D -O -n -i 0.005 -W 0.1 "$VIP" > "$OUT/ping-$token.log" 2>&1 &
    PING_PID=$!
    if [ "$LOAD" != none ]; then
        # shellcheck disable=SC2086
        stress-ng $LOAD --quiet > "$OUT/stress-$token.log" 2>&1 &
        STRESS_PID=$!
    fi
    for r in $(seq 1 "$ROUNDS"); do
        local deadline=$((SECONDS + 180))
        until settled && [ "$(holders | wc -w)" = 1 ]; do
            [ $SECONDS -lt $deadline ] || { echo "token $token round $r: not settled"; stop_bg; return 1; }
            sleep 0.5
        done
        sleep 2
        victim=$(holders)
        kill_ts=$(labcmd ours kill-node.sh "$victim" | sed -n 's/^KILL_TS=//p')
        echo "$kill_ts $victim" >> "$OUT/kills-$token"
        w="" deadline=$((SECONDS + 60))
        while [ $SECONDS -lt $deadline ]; do
            w=$(holders); [ -n "$w" ] && break
            sleep 0.05
        done
        sleep 1
        detect=$(first_ts ours "$victim" "$(detect_re ours "$victim")" "$kill_ts")
        fenced=-; [ "$FENCING" = on ] && fenced=$(first_ts ours "$victim" "$(confirm_re ours "$victim")" "$kill_ts")
        started=$(first_ts ours "$victim" "result vip_start_0 .*ok" "$kill_ts")
        answered=$(answered_after "$OUT/ping-$token.log" "$kill_ts")
        printf 'token=%s round %d: killed n%s -> VIP on n%s: detect=%s ms, fenced=%s ms, started=%s ms, answered=%s ms\n' \
            "$token" "$r" "$victim" "${w:-?}" "$(ms "$kill_ts" "$detect")" \
            "$([ "$fenced" = - ] && echo - || ms "$kill_ts" "$fenced")" "$(ms "$kill_ts" "$started")" \
            "$(ms "$kill_ts" "$answered")" | tee -a "$OUT/rounds"
        if [ "$FENCING" = on ]; then power_on ours "$victim"; else labcmd ours node-start.sh "$victim" >/dev/null 2>&1; fi
        [ -n "$w" ] || { echo "token $token round $r: the VIP did not move within 60 s"; stop_bg; return 1; }
    done
    wait_for 180 settled
    [ "$QUIET" -gt 0 ] && sleep "$QUIET"
    stop_bg
    # False failovers: nodes seen leaving with no kill of that node in the 10 s before.
    local false=0
    false=$(for k in $(seq 1 "$N"); do left_events "$k"; done | sort -n |
        awk -v kills="$OUT/kills-$token" 'BEGIN { while ((getline l < kills) > 0) { split(l, a, " "); kt[++n] = a[1]; kv[n] = a[2] } }
            { for (i = 2; i <= NF; i++) { ok = 0
                for (j = 1; j <= n; j++) if (kv[j] == $i && $1 >= kt[j] && $1 - kt[j] < 10) ok = 1
                if (!ok) { key = $i " " int($1); if (!(key in seen)) { seen[key] = 1; f++ } } } }
            END { print f + 0 }')
    echo "token=$token false-failovers=$false (load: ${LOAD}; ${QUIET} s quiet under load after the rounds)" | tee -a "$OUT/rounds"
    [ "$KEEP" = 1 ] || side_down ours
}

for token in $TOKENS; do run_token "$token"; done
echo
echo "vip-failover-bench: 3 nodes ($TRANSPORT${NICE:+, daemons and agents at nice $NICE}), IPaddr2 $VIP, kill -9 of its node; fencing $FENCING$([ "$FENCING" = on ] && echo " (fence_ipmilan, stonith-action=off, power_wait=$POWER_WAIT)"); load: $LOAD"
echo "median/worst (n) in ms, kill -> ..."
printf '%-7s %-20s %-20s %-20s %-20s %s\n' token detect fenced started answered false-failovers
for token in $TOKENS; do
    grep -q "^token=$token round" "$OUT/rounds" 2>/dev/null || continue
    printf '%-7s %-20s %-20s %-20s %-20s %s\n' "$token" "$(field_stats "token=$token round" detect)" "$(field_stats "token=$token round" fenced)" \
        "$(field_stats "token=$token round" started)" "$(field_stats "token=$token round" answered)" \
        "$(sed -n "s/^token=$token false-failovers=\([0-9]*\).*/\1/p" "$OUT/rounds")"
done
echo "(logs in $OUT)"
