#!/bin/bash
# A randomized fault campaign on the lab (issue 9), in the style of the peer's
# CTS: real corosync, our daemons, stonith-enabled=true with fence_ipmilan
# through each node's lab BMC, the IPaddr2 + Dummy group "web".
#
#   CAMPAIGN_SEED=N      which faults, targets and order (default 1): a seed
#                        replays the same sequence of kinds and targets
#   CAMPAIGN_ROUNDS=N    rounds (default 8, as CI runs it)
#   CAMPAIGN_MINUTES=M   stop starting rounds after M minutes (default 20)
#   CAMPAIGN_NODES=N     lab size (default 3)
#   CAMPAIGN_KINDS="..." the kinds to draw from (default: all below)
#
# Kinds (the peer's CTS names): StopOnebyOne, SimulStop, StartOnebyOne,
# SimulStart, RestartOnebyOne, Flip, Standby, MaintenanceMode,
# ResourceRecover, ComponentFail (kill -9 of one daemon), SplitBrain (a node
# cut off: fenced by the majority), NearQuorumPoint (the most nodes that keep
# quorum lose power), Hang (SIGSTOP of a node: fenced), PacketLoss (25 % of a
# node's packets dropped for 8 s through iptables -m statistic; this kernel
# has no netem, so no delays or reordering).
#
# Every round: a CIB change acknowledged before the fault, the fault, the
# recovery (every node back), then the checks: a sampler reading every 0.1 s
# never saw the IP or the service on two nodes; the acknowledged change is on
# every node; every daemon of every node runs; one DC with every node joined
# and the group running once, within the settle bound. A table of rounds,
# faults, settle times and violations is printed; any violation fails.
# Long runs by hand, e.g.:
#   CRM_BIN_DIR=build/bin CAMPAIGN_ROUNDS=100 CAMPAIGN_MINUTES=60 CAMPAIGN_SEED=7 \
#     tests/e2e/cluster_campaign_test.sh
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
SEED=${CAMPAIGN_SEED:-1}
ROUNDS=${CAMPAIGN_ROUNDS:-8}
MINUTES=${CAMPAIGN_MINUTES:-20}
N=${CAMPAIGN_NODES:-3}
KINDS=${CAMPAIGN_KINDS:-"StopOnebyOne SimulStop StartOnebyOne SimulStart RestartOnebyOne Flip Standby MaintenanceMode ResourceRecover ComponentFail SplitBrain NearQuorumPoint Hang PacketLoss"}
SETTLE=${CAMPAIGN_SETTLE_S:-90}
cluster_begin cmp "$N"
NODES=$(seq -s ' ' 1 "$N")
VIP=${LAB_SUBNET}.100
RANDOM=$SEED
pick() { local a=($1); echo "${a[$((RANDOM % ${#a[@]}))]}"; }

dc=$(wait_one_dc "$N" 60) || e2e_fail "no single DC at start"
FENCING=1 configure_web_group "$dc" "$VIP" || e2e_fail "configuration refused"
wait_running_once "$VIP" app 60 "$NODES" >/dev/null || e2e_fail "group not running once: $(where_is "$VIP" app "$NODES")"
e2e_note "campaign: seed $SEED, $ROUNDS rounds (at most $MINUTES min), $N nodes, kinds: $KINDS"

start_sampler "$VIP" app "$NODES"

DAEMONS="crm-launcherd cibd lrmd crmd attrd fenced"
daemons_missing() {  # the daemons not running on node K
    local k=$1 d comms="" p
    for p in $(node_pids "$k"); do comms="$comms $(cat "/proc/$p/comm" 2>/dev/null)"; done
    for d in $DAEMONS; do
        [ "$d" = attrd ] && [ ! -x "$CLUSTER_BIN/attrd" ] && continue
        [ "$d" = fenced ] && [ ! -x "$CLUSTER_BIN/fenced" ] && continue
        [[ " $comms " == *" $d "* ]] || echo -n "$d "
    done
}
node_up() { [ -n "$(node_pids "$1")" ] && pid_alive "$(cat "$(node_dir "$1")/launcher.pid" 2>/dev/null)"; }
node_whole() { node_up "$1" && pid_alive "$(cat "$(node_dir "$1")/corosync.pid" 2>/dev/null)" && [ -z "$(daemons_missing "$1")" ]; }
stop_node() {  # a clean stop: SIGTERM to the launcher (the cluster moves what the node runs), then corosync
    local d pid; d=$(node_dir "$1"); pid=$(cat "$d/launcher.pid" 2>/dev/null)
    if pid_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null
        wait_gone "$pid" 60 || { echo "n$1: the launcher did not stop within 60 s"; "$LAB/kill-node.sh" "$1" >/dev/null 2>&1; }
    fi
    pid=$(cat "$d/corosync.pid" 2>/dev/null)
    if pid_alive "$pid"; then kill -TERM "$pid" 2>/dev/null; wait_gone "$pid" 20 || kill -KILL "$pid" 2>/dev/null; fi
    wait_until 20 sh -c "[ -z \"\$(ip netns pids $(node_ns "$1") 2>/dev/null)\" ]" || "$LAB/kill-node.sh" "$1" >/dev/null 2>&1
    true
}
stop_all_at_once() { local k; for k in $NODES; do stop_node "$k" & done; wait; }
start_node() { "$LAB/node-start.sh" "$1" >/dev/null; }
# Everything back: every node started (powered on if it was fenced).
all_whole() { local k; for k in $NODES; do node_whole "$k" || return 1; done; }
recover_all() {
    local k pass
    # A node started while the cluster still fences it (a node in doubt at a
    # start: the copies the others hold show it running) is cut again by the
    # fence: up to three passes, as an administrator powers it on again.
    for pass in 1 2 3; do
        for k in $NODES; do
            if node_up "$k" && ! wait_until 15 node_whole "$k"; then
                # Up but not whole (a boot raced its fencing, a daemon given up):
                # power-cycle it.
                echo "n$k was up without $(daemons_missing "$k")(corosync $(pid_alive "$(cat "$(node_dir "$k")/corosync.pid" 2>/dev/null)" && echo up || echo down)): power-cycled" >> "$LAB_ROOT/recoveries"
                "$LAB/kill-node.sh" "$k" >/dev/null 2>&1
            fi
            node_up "$k" || start_node "$k"
        done
        wait_until 30 all_whole && return 0
    done
}
running_node() { _running_once "$VIP" app "$NODES" 2>/dev/null; }
# settle_after_recovery — settled within $SETTLE s of the recovery. A node in
# doubt at a start (the last to leave a whole-cluster stop, whose clean
# leaving the others' copies do not show) may be fenced after it came up,
# as the peer does with startup-fencing: it is powered on again then, as an
# administrator would, up to three times.
settle_after_recovery() {
    local t_end=$(( $(date +%s) + SETTLE )) again
    for again in 0 1 2 3; do
        while [ "$(date +%s)" -lt "$t_end" ]; do
            all_whole || break
            settled && return 0
            sleep 0.5
        done
        [ "$(date +%s)" -lt "$t_end" ] && [ "$again" -lt 3 ] || return 1
        echo "round $round: $(for k in $NODES; do node_whole "$k" || echo -n "n$k "; done)lost after the recovery (fenced at its start): started again" >> "$LAB_ROOT/recoveries"
        recover_all
    done
    return 1
}
settled() {
    wait_one_dc "$N" 1 >/dev/null 2>&1 && [ -n "$(running_node)" ] && \
        [ "$(crmd_attr "$(wait_one_dc "$N" 1)" state 2>/dev/null)" = S_IDLE ]
}

# fenced_count K — successful fencings of nK in a live node's fence history.
fenced_count() {
    local j
    for j in $NODES; do
        [ "$j" = "$1" ] && continue
        node_up "$j" || continue
        ( node_exec "$j" "$CLUSTER_BIN/stonith_admin" --history "n$1" ) 2>/dev/null | { grep -c "of n$1 successful" || true; }
        return
    done
    echo 0
}
# wait_fenced K BEFORE — until the cluster has confirmed a new fencing of nK
# (an administrator powers a fenced node on only after that; a fence agent
# still retrying would cut the node again while it boots).
_fenced_more() { [ "$(fenced_count "$1")" -gt "$2" ]; }
wait_fenced() { wait_until 90 _fenced_more "$1" "$2"; }

# One fault of KIND; prints what it did.
fault() {
    local kind=$1 k on dcn
    on=$(running_node); on=${on:-1}
    dcn=$(wait_one_dc "$N" 5 2>/dev/null || echo 1)
    case "$kind" in
        StopOnebyOne)
            for k in $NODES; do stop_node "$k"; done; echo "all stopped one by one" ;;
        SimulStop)
            stop_all_at_once; echo "all stopped at once" ;;
        StartOnebyOne)
            stop_all_at_once
            for k in $NODES; do start_node "$k"; wait_until 60 node_up "$k"; sleep 1; done; echo "all stopped, started one by one" ;;
        SimulStart)
            stop_all_at_once
            for k in $NODES; do start_node "$k" & done; wait; echo "all stopped, started at once" ;;
        RestartOnebyOne)
            for k in $NODES; do stop_node "$k"; start_node "$k"; wait_until "$SETTLE" settled || true; done
            echo "each restarted in turn" ;;
        Flip)
            k=$(pick "$NODES"); stop_node "$k"; wait_until "$SETTLE" running_node >/dev/null || true; start_node "$k"
            echo "n$k stopped and started" ;;
        Standby)
            ( node_exec "$dcn" "$CLUSTER_BIN/crm_attribute" -N "n$on" -n standby -v on ) >/dev/null 2>&1
            for _ in $(seq 1 300); do r=$(running_node); [ -n "$r" ] && [ "$r" != "$on" ] && break; sleep 0.2; done
            [ "$(running_node)" != "$on" ] || echo "VIOLATION: group stayed on standby node n$on"
            ( node_exec "$dcn" "$CLUSTER_BIN/crm_attribute" -N "n$on" -n standby -D ) >/dev/null 2>&1
            echo "n$on standby on, then off" ;;
        MaintenanceMode)
            local before; before=$(running_node)
            cib_do "$dcn" -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-maint" name="maintenance-mode" value="true"/></cluster_property_set></crm_config>' >/dev/null 2>&1
            sleep 3
            [ "$(running_node)" = "$before" ] || echo "VIOLATION: the group changed under maintenance-mode: $(where_is "$VIP" app "$NODES")"
            cib_do "$dcn" -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-maint" name="maintenance-mode" value="false"/></cluster_property_set></crm_config>' >/dev/null 2>&1
            echo "maintenance-mode on 3 s, then off" ;;
        ResourceRecover)
            ( node_exec "$on" rm -f /run/resource-agents/Dummy-app.state ) 2>/dev/null
            for _ in $(seq 1 150); do
                ( node_exec "$on" test -e /run/resource-agents/Dummy-app.state ) 2>/dev/null && [ -n "$(running_node)" ] && break
                sleep 0.2
            done
            ( node_exec "$dcn" "$CLUSTER_BIN/crm_resource" -C -r app ) >/dev/null 2>&1
            echo "app's state removed on n$on (a failed service), recovered, cleaned up" ;;
        ComponentFail)
            local d p; k=$(pick "$NODES"); d=$(pick "cibd lrmd crmd attrd fenced")
            for p in $(node_pids "$k"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$d" ] && kill -9 "$p"; done
            echo "kill -9 of $d on n$k" ;;
        SplitBrain)
            k=$(pick "$NODES"); local before; before=$(fenced_count "$k")
            "$LAB/partition.sh" isolate "$k" >/dev/null
            wait_fenced "$k" "$before" || echo "VIOLATION: isolated n$k not fenced within 90 s"
            "$LAB/partition.sh" heal >/dev/null
            echo "n$k cut off, fenced, healed" ;;
        NearQuorumPoint)
            local victims=""
            while [ "$(echo $victims | wc -w)" -lt $(( (N - 1) / 2 )) ]; do
                k=$(pick "$NODES"); [[ " $victims " == *" $k "* ]] || victims="$victims $k"
            done
            declare -A before
            for k in $victims; do before[$k]=$(fenced_count "$k"); "$LAB/kill-node.sh" "$k" >/dev/null 2>&1; done
            for k in $victims; do wait_fenced "$k" "${before[$k]}" || echo "VIOLATION: n$k lost power but was not fenced within 90 s"; done
            echo "power lost on$(printf ' n%s' $victims) (quorum kept), fenced" ;;
        Hang)
            k=$(pick "$NODES"); local before; before=$(fenced_count "$k")
            "$LAB/kill-node.sh" "$k" --signal STOP >/dev/null
            wait_fenced "$k" "$before" || echo "VIOLATION: hung n$k not fenced within 90 s"
            echo "n$k hung (SIGSTOP), fenced" ;;
        PacketLoss)
            k=$(pick "$NODES")
            ip netns exec "$(node_ns "$k")" iptables -A INPUT -i eth0 -m statistic --mode random --probability 0.25 -j DROP
            ip netns exec "$(node_ns "$k")" iptables -A OUTPUT -o eth0 -m statistic --mode random --probability 0.25 -j DROP
            sleep 8
            ip netns exec "$(node_ns "$k")" iptables -F
            echo "25 % of n$k's packets dropped for 8 s" ;;
    esac
}

# From here every step's outcome is checked and counted, not fatal.
set +e
printf '%-5s %-16s %-48s %9s  %s\n' round kind fault settle_ms violations > "$LAB_ROOT/table"
total_violations=0
t_start=$(date +%s)
declare -A count
for round in $(seq 1 "$ROUNDS"); do
    [ $(( $(date +%s) - t_start )) -lt $(( MINUTES * 60 )) ] || { e2e_note "time bound reached after $((round - 1)) rounds"; break; }
    kind=$(pick "$KINDS")
    count[$kind]=$(( ${count[$kind]:-0} + 1 ))
    violations=""
    # A change acknowledged before the fault must survive it everywhere.
    dcn=$(wait_one_dc "$N" 30) || violations="$violations no-DC-before;"
    cib_do "${dcn:-1}" -M -c -o crm_config -X "<crm_config><cluster_property_set id=\"campaign\"><nvpair id=\"campaign-round\" name=\"campaign-round\" value=\"$SEED-$round\"/></cluster_property_set></crm_config>" >/dev/null 2>&1 \
        || violations="$violations ack-refused;"
    lines_before=$(wc -l < "$samples")
    what=$(fault "$kind" 2>&1 | tail -3 | tr '\n' ' ')
    [[ $what == *VIOLATION* ]] && violations="$violations ${what#*VIOLATION: };"
    recover_all
    t0=$(date +%s%N)
    if settle_after_recovery; then
        settle_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    else
        settle_ms=-1
        violations="$violations not settled in ${SETTLE}s ($(where_is "$VIP" app "$NODES"), DC: $(wait_one_dc "$N" 1 || echo none));"
    fi
    for k in $NODES; do
        m=$(daemons_missing "$k"); [ -z "$m" ] || violations="$violations n$k missing: $m;"
        v=$( ( node_exec "$k" "$CLUSTER_BIN/cibadmin" -Q -o crm_config ) 2>/dev/null | grep -o 'name="campaign-round" value="[^"]*"' | sed 's/.*value="//; s/"//')
        [ "$v" = "$SEED-$round" ] || violations="$violations n$k lost the acknowledged change (has '$v');"
    done
    bad=$(tail -n +"$((lines_before + 1))" "$samples" | { grep -E '=\[[0-9]+ [0-9]+' || true; } | head -2 | tr '\n' ' ')
    [ -z "$bad" ] || violations="$violations on two nodes: $bad;"
    [ -z "$violations" ] || total_violations=$((total_violations + 1))
    printf '%-5s %-16s %-48s %9s  %s\n' "$round" "$kind" "${what:0:48}" "$settle_ms" "${violations:-none}" >> "$LAB_ROOT/table"
    e2e_note "round $round: $kind: $what-> settled in $settle_ms ms; violations: ${violations:-none}"
done
stop_sampler
cat "$LAB_ROOT/table"
summary=""
for kind in "${!count[@]}"; do summary="$summary $kind=${count[$kind]}"; done
e2e_note "faults by kind:$summary; $(grep -c . "$samples") samples at 0.1 s; rounds with a violation: $total_violations"
[ ! -s "$LAB_ROOT/recoveries" ] || e2e_note "power-cycled by the campaign: $(tr '\n' ';' < "$LAB_ROOT/recoveries")"
[ "$total_violations" = 0 ] || e2e_fail "$total_violations round(s) with violations (table above)"
cluster_end
echo PASS
