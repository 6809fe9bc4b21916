# shellcheck shell=bash
# cluster-lib.sh — helpers for the whole-stack e2e tests (sourced after
# e2e-lib.sh): a lab whose nodes run crm-launcherd -> cibd, lrmd, fenced, crmd, and
# questions to those daemons from inside a node.
#
# With LAB_STACK=peer (set before sourcing) the lab runs the peer's stack
# instead (Debian's pacemakerd and its daemons, lab-up.sh --stack peer), the
# tools are the peer's in /usr/sbin (CLUSTER_BIN), and crmd_status asks the
# peer's controller through its own tools: the same helpers, the same answers.
#
#   cluster_begin NAME N      skip (77) unless root, corosync, python3 and the
#                             daemons in $CRM_BIN_DIR (peer: pacemakerd,
#                             crmadmin, cibadmin, crm_mon in /usr/sbin); build
#                             the lab with daemons; tear it down however the test ends
#   crmd_status K             one line "<crmd_status node_id= state= dc= .../>"
#   crmd_attr K ATTR          one attribute of it (dc, state, quorate, ...)
#   cib K                     cibadmin -Q on node K
#   cib_do K ARGS...          cibadmin ARGS... on node K
#   wait_one_dc N SECONDS [NODES]  every listed node (default 1..N) names the
#                             same DC, which is one of them and says it is the
#                             DC, all see the same member count; prints the DC id
#   wait_same_cib SECONDS NODES    cibadmin -Q is byte-identical on the nodes
#   vip_nodes IP NODES        the nodes whose eth0 carries IP
#   dummy_nodes RSC NODES     the nodes where ocf:heartbeat:Dummy RSC's state file exists
#   wait_running_once IP RSC SECONDS NODES   both on exactly one node, the same;
#                             prints that node
#   service_nodes COMM NODES  the nodes running a process named COMM (a real
#                             service: apache2, nginx, mariadbd)
#   start_service_sampler NODES IP[=COMM]...  a 0.1 s sampler of VIPs and services
#   check_samples MIN WHAT    stop it; fail unless MIN samples, none doubled
#   configure_fenced_services K   fencing, stonith-enabled=true, stickiness 100
#   ocf_primitive ID PROV TYPE [k=v...]   a primitive's XML with a 10 s monitor
#   fenced_before_start VICTIM NODE RSC   VICTIM fenced before RSC started on NODE
#   matches GREP-ARGS...      grep -q that reads all its input (pipefail-safe)
# shellcheck disable=SC2317
CLUSTER_STACK=${LAB_STACK:-ours}
if [ "$CLUSTER_STACK" = peer ]; then CLUSTER_BIN=/usr/sbin; else CLUSTER_BIN=${CRM_BIN_DIR:-}; fi

# matches GREP-ARGS... — `grep -q` that reads all of its input first. Under
# pipefail `producer | grep -q` fails whenever grep stops at a match before the
# producer's last write (SIGPIPE): `ip -o addr` writes one line at a time, so
# the second of three addresses was "not there" about 40% of the time.
matches() { local input; input=$(cat); grep -q "$@" <<< "$input"; }
# (Here and not in e2e-lib.sh: scripts/demo.sh loads this file alone.)

cluster_begin() {
    local name=$1 n=$2; shift 2
    [ "$(id -u)" = 0 ] || e2e_skip "needs root (network namespaces)"
    command -v corosync >/dev/null || e2e_skip "corosync not installed"
    command -v python3 >/dev/null || e2e_skip "python3 not installed"
    local d
    if [ "$CLUSTER_STACK" = peer ]; then
        for d in pacemakerd crmadmin cibadmin crm_mon; do
            [ -x "$CLUSTER_BIN/$d" ] || e2e_skip "the peer's $d is not installed in $CLUSTER_BIN"
        done
    else
        for d in crm-launcherd cibd lrmd crmd cibadmin; do  # fenced runs when built (the launcher skips a missing one)
            [ -x "$CLUSTER_BIN/$d" ] || e2e_skip "no $d in CRM_BIN_DIR='$CLUSTER_BIN'"
        done
    fi
    export LAB_NAME="${LAB_NAME:-e2e}${name}"
    . "$LAB/lab-common.sh"
    trap e2e_end EXIT
    if [ "$CLUSTER_STACK" = peer ]; then
        e2e_note "lab $LAB_NAME: $n nodes running the peer's stack (Debian's pacemakerd)"
    else
        e2e_note "lab $LAB_NAME: $n nodes with daemons from $CLUSTER_BIN"
    fi
    "$LAB/lab-up.sh" "$n" --stack "$CLUSTER_STACK" "$@"
}

crmd_status() {
    [ "$CLUSTER_STACK" = peer ] && { _peer_crmd_status "$1"; return; }
    ( node_exec "$1" python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(3)
s.connect("/run/crm/crmd.sock")
m = b"<crmd_query/>"
s.sendall(struct.pack(">I", len(m)) + m)
def get(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: sys.exit(1)
        b += c
    return b
n = struct.unpack(">I", get(4))[0]
print(get(n).decode().replace("\n", " "))
' 2>/dev/null )
}

# The same line from the peer's controller, asked with the peer's tools on
# node K: its FSM state (crmadmin -S), the DC it names (crmadmin -D), the
# members and quorum its CIB shows (crm_mon). Node K is "nK" with id K in the
# lab. crmadmin runs under timeout: 2.1.5's busy-loops when asked before its
# controller is up (docs/lab.md).
_peer_crmd_status() {
    local k=$1 st dc mon
    st=$( (node_exec "$k" timeout -k 1 5 "$CLUSTER_BIN/crmadmin" -t 3s --output-as=xml -S "n$k") 2>/dev/null \
        | grep -o ' state="S_[A-Z_]*"' | head -1 | sed 's/.*="\(.*\)"/\1/') || true
    [ -n "$st" ] || return 1
    dc=$( (node_exec "$k" timeout -k 1 5 "$CLUSTER_BIN/crmadmin" -t 3s --output-as=xml -D) 2>/dev/null \
        | grep -o ' node_name="[^"]*"' | head -1 | sed 's/.*="\(.*\)"/\1/') || true
    mon=$( (node_exec "$k" timeout -k 1 5 "$CLUSTER_BIN/crm_mon" --output-as=xml) 2>/dev/null) || return 1
    echo "$mon" | python3 -c '
import sys, xml.etree.ElementTree as ET
k, st, dc = sys.argv[1], sys.argv[2], sys.argv[3]
r = ET.fromstring(sys.stdin.read())
cur = r.find("summary/current_dc")
q = "1" if cur is not None and cur.get("with_quorum") == "true" else "0"
members = [n for n in r.iter("node") if n.get("online") == "true" and n.get("type", "member") == "member"]
dcid = dc[1:] if dc.startswith("n") and dc[1:].isdigit() else "0"
out = "<crmd_status node_id=\"%s\" name=\"n%s\" state=\"%s\" dc=\"%s\" dc_name=\"%s\" quorate=\"%s\">" % (k, k, st, dcid, dc, q)
out += "".join("<member id=\"%s\" name=\"%s\"/>" % (n.get("id"), n.get("name")) for n in members)
print(out + "</crmd_status>")' "$k" "$st" "$dc"
}

crmd_attr() {
    crmd_status "$1" | grep -o " $2=\"[^\"]*\"" | head -1 | sed 's/.*="\(.*\)"/\1/'
}

# Fails (and logs why in $LAB_ROOT/cibadmin.err) when cibadmin does.
cib() {
    local out
    out=$( ( node_exec "$1" "$CLUSTER_BIN/cibadmin" -Q ) 2>>"$LAB_ROOT/cibadmin.err" ) && [ -n "$out" ] || return 1
    echo "$out"
}
cib_do() { local k=$1; shift; ( node_exec "$k" "$CLUSTER_BIN/cibadmin" "$@" ); }

# States in which a controller acts as the DC.
is_dc_state() { case "$1" in S_IDLE|S_POLICY_ENGINE|S_TRANSITION_ENGINE|S_INTEGRATION|S_FINALIZE_JOIN) return 0 ;; esac; return 1; }

_one_dc() {
    local nodes=$1 dc= k st d m count=0 want
    want=$(echo "$nodes" | wc -w)
    for k in $nodes; do
        st=$(crmd_status "$k") || return 1
        d=$(echo "$st" | grep -o ' dc="[0-9]*"' | tr -dc 0-9)
        [ -n "$d" ] && [ "$d" != 0 ] || return 1
        [ -z "$dc" ] || [ "$dc" = "$d" ] || return 1
        dc=$d
        m=$(echo "$st" | grep -o '<member ' | wc -l)
        [ "$m" = "$want" ] || return 1
        if is_dc_state "$(echo "$st" | grep -o ' state="[A-Z_]*"' | sed 's/.*="\(.*\)"/\1/')"; then
            count=$((count + 1)); [ "$k" = "$dc" ] || return 1
        fi
    done
    [ "$count" = 1 ] || return 1
    echo "$dc" | matches -wE "$(echo "$nodes" | tr ' ' '|')" || return 1
    echo "$dc"
}
wait_one_dc() {
    local n=$1 limit=$2 nodes=${3:-} out deadline
    [ -n "$nodes" ] || nodes=$(seq -s ' ' 1 "$n")
    deadline=$(( $(date +%s) + limit ))
    while :; do
        if out=$(_one_dc "$nodes"); then echo "$out"; return 0; fi
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.2
    done
}

_same_cib() {
    local first= k c
    for k in $1; do
        c=$(cib "$k") || return 1
        c=$(echo "$c" | md5sum)
        [ -n "$first" ] || first=$c
        [ "$c" = "$first" ] || return 1
    done
}
wait_same_cib() { wait_until "$1" _same_cib "$2"; }

vip_nodes() {
    local ip=$1 k out=
    for k in $2; do
        ip -n "$(node_ns "$k")" -4 -o addr show dev eth0 2>/dev/null | matches " $ip/" && out="$out $k"
    done
    echo "${out# }"
}
# address_holders SECONDS NODES IP... — "a/b/...": the node holding each IP
# on its eth0, once each is on exactly one node and all have stayed so for
# $HOLDERS_STABLE_S s (default 3); "unsettled(IP=[nodes] ...)" when SECONDS
# pass first.
address_holders() {
    local secs=$1 nodes=$2; shift 2
    local deadline=$(( $(date +%s) + secs )) last="" now stable=0 ip n want=$(( ${HOLDERS_STABLE_S:-3} * 2 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        now=""
        for ip in "$@"; do
            n=$(vip_nodes "$ip" "$nodes")
            [ "$(echo "$n" | wc -w)" = 1 ] || n=x
            now="$now/$n"
        done
        now=${now#/}
        if [[ $now != *x* ]] && [ "$now" = "$last" ]; then
            stable=$((stable + 1))
            [ "$stable" -ge "$want" ] && { echo "$now"; return 0; }
        else
            stable=0
        fi
        last=$now
        sleep 0.5
    done
    now=""
    for ip in "$@"; do now="$now $ip=[$(vip_nodes "$ip" "$nodes")]"; done
    echo "unsettled(${now# })"
}
# kills_and_returns SECONDS NODES "IP..." RETURN K... — the address holders
# at the start, then after each kill -9 of node K (kill-node.sh) and after
# `RETURN K` brought it back: one word per step.
kills_and_returns() {
    local secs=$1 nodes=$2 ips=$3 back=$4 k out; shift 4
    # shellcheck disable=SC2086
    out=$(address_holders "$secs" "$nodes" $ips)
    for k in "$@"; do
        "$LAB/kill-node.sh" "$k" >/dev/null || { echo "kill-node.sh $k failed" >&2; return 1; }
        # shellcheck disable=SC2086
        out="$out $(address_holders "$secs" "$nodes" $ips)"
        "$back" "$k" || return 1
        # shellcheck disable=SC2086
        out="$out $(address_holders "$secs" "$nodes" $ips)"
    done
    echo "$out"
}
# power_on BY K — powers node K on through its lab BMC, asked from node BY.
power_on() { ( node_exec "$1" fence_ipmilan -a "$(bmc_ip "$2")" -l "$LAB_BMC_USER" -p "$LAB_BMC_PASSWORD" -o on ) >/dev/null 2>&1; }
# rejoin K — a fenced (powered off) node K is powered on from another node,
# started, and the whole lab has one DC again.
rejoin() {
    local k=$1 by=1
    [ "$k" = 1 ] && by=2
    power_on "$by" "$k" || { echo "could not power n$k on" >&2; return 1; }
    "$LAB/node-start.sh" "$k" >/dev/null
    wait_one_dc "$(lab_size)" 90 >/dev/null || { echo "n$k did not rejoin" >&2; return 1; }
}
# load_import K FILE — the <configuration> of crm_import's --cib FILE
# replaces node K's; the lab's fence devices are added (an import leaves
# fencing devices to the administrator).
load_import() {
    local config
    config=$(xmllint --xpath '/cib/configuration' "$2") || return 1
    cib_do "$1" -R -o configuration -X "$config" && configure_fencing "$1"
}
# import_placements FILE "IPS" "LAB-UP ARGS" K... — crm_import's --cib FILE
# on a fresh lab of our stack (the same size; LAB_ROOT kept), then
# kills_and_returns with rejoin for nodes K...: prints the placements.
import_placements() {
    local file=$1 ips=$2 args=$3 n dc; shift 3
    n=$(lab_size)
    # shellcheck disable=SC2086
    "$LAB/lab-up.sh" "$n" --keep-logs $args >/dev/null || { echo "lab-up failed" >&2; return 1; }
    dc=$(wait_one_dc "$n" 60) || { echo "no single DC on the cluster lab" >&2; return 1; }
    load_import "$dc" "$file" || { echo "the imported configuration was refused" >&2; return 1; }
    kills_and_returns 60 "$(seq -s ' ' 1 "$n")" "$ips" rejoin "$@"
}
# same_placements WHAT ORIGINAL IMPORT EXPECTED — fails unless the original
# stack's and its import's placements agree, and are what the
# configuration says.
same_placements() {
    [ "$2" = "$3" ] || e2e_fail "placements differ: $1 [$2], the import [$3]"
    [ "$2" = "$4" ] || e2e_fail "$1 itself did not place as its configuration says: $2 (expected $4)"
    e2e_note "the same placements: $2"
}
dummy_nodes() {
    local rsc=$1 k out=
    for k in $2; do
        ( node_exec "$k" test -e "/run/resource-agents/Dummy-$rsc.state" ) 2>/dev/null && out="$out $k"
    done
    echo "${out# }"
}
_running_once() {
    local v d
    v=$(vip_nodes "$1" "$3"); d=$(dummy_nodes "$2" "$3")
    [ -n "$v" ] && [ "$v" = "$d" ] && [ "$(echo "$v" | wc -w)" = 1 ] || return 1
    echo "$v"
}
wait_running_once() {
    local ip=$1 rsc=$2 limit=$3 nodes=$4 out deadline
    deadline=$(( $(date +%s%N) + limit * 1000000000 ))
    while :; do
        if out=$(_running_once "$ip" "$rsc" "$nodes"); then echo "$out"; return 0; fi
        [ "$(date +%s%N)" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}
# Prints where the service parts are, for failure messages.
where_is() { echo "vip on [$(vip_nodes "$1" "$3")], $2 on [$(dummy_nodes "$2" "$3")]"; }

# A group "web": IPaddr2 IP/24 on eth0 + Dummy "app", monitors every 10 s,
# stickiness 100. Fencing is on when the lab has BMCs (FENCING=0: off): one
# fence_ipmilan device per node (lab_fence_devices) and stonith-action=off,
# so a fenced node stays off until the test starts it again (node-start.sh
# powers it on). Extra constraints XML may follow.
configure_web_group() {
    # Without BMCs (ipmi_sim not installed) no node could ever be fenced, and
    # with fencing on nothing a lost node ran would be recovered: off then.
    local k=$1 ip=$2 constraints=${3:-} stonith=false fencing=${FENCING:-}
    [ -n "$fencing" ] || { [ -d "$LAB_ROOT/b1" ] && fencing=1 || fencing=0; }
    if [ "$fencing" = 1 ]; then
        stonith=true
        configure_fencing "$k" || return 1
    fi
    cib_do "$k" -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="'$stonith'"/></cluster_property_set></crm_config>' || return 1
    cib_do "$k" -M -c -o rsc_defaults -X '<rsc_defaults><meta_attributes id="rsc-options"><nvpair id="rsc-stickiness" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>' || return 1
    # Resources and constraints in one change (a constraint must name a
    # defined resource, and the group must not start before its constraints).
    cib_do "$k" -M -c -o configuration -X "<configuration><resources><group id=\"web\"><primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"><instance_attributes id=\"vip-ia\"><nvpair id=\"vip-ip\" name=\"ip\" value=\"$ip\"/><nvpair id=\"vip-cidr\" name=\"cidr_netmask\" value=\"24\"/><nvpair id=\"vip-nic\" name=\"nic\" value=\"eth0\"/></instance_attributes><operations><op id=\"vip-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive><primitive id=\"app\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"app-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive></group></resources><constraints>$constraints</constraints></configuration>"
}

# configure_fencing K — through node K's cibadmin: one fence_ipmilan device
# per lab node (never run on the node it fences) and stonith-action
# ($STONITH_ACTION, default off: a fenced node stays down until powered on).
# stonith-enabled is left to the caller.
configure_fencing() {
    local k=$1 nodes; nodes=$(seq -s ' ' 1 "$(lab_size)")
    cib_do "$k" -M -c -o configuration -X "<configuration><resources>$(lab_fence_devices "$nodes")</resources><constraints>$(lab_fence_constraints "$nodes")</constraints></configuration>" || return 1
    cib_do "$k" -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith-action" name="stonith-action" value="'"${STONITH_ACTION:-off}"'"/></cluster_property_set></crm_config>'
}

# configure_fenced_services K — through node K: configure_fencing,
# stonith-enabled=true and resource-stickiness=100, the frame of the tests of
# real services.
configure_fenced_services() {
    configure_fencing "$1" || return 1
    cib_do "$1" -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>' || return 1
    cib_do "$1" -M -c -o rsc_defaults -X '<rsc_defaults><meta_attributes id="rsc-options"><nvpair id="rsc-stickiness" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>'
}

# ocf_primitive ID PROVIDER TYPE [name=value...] — a primitive's XML with
# those instance attributes and a 10 s monitor.
ocf_primitive() {
    local id=$1 prov=$2 type=$3 nv= kv; shift 3
    for kv in "$@"; do nv="$nv<nvpair id=\"$id-${kv%%=*}\" name=\"${kv%%=*}\" value=\"${kv#*=}\"/>"; done
    echo "<primitive id=\"$id\" class=\"ocf\" provider=\"$prov\" type=\"$type\"><instance_attributes id=\"$id-ia\">$nv</instance_attributes><operations><op id=\"$id-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>"
}

# fenced_before_start VICTIM NODE RSC — fails unless VICTIM's fencing was
# confirmed (any node's log) before RSC's start on NODE (NODE's log; waited
# for up to 30 s: a server may answer before its agent's start returns);
# prints the fencing's epoch time.
fenced_before_start() {
    local f at
    f=$(grep -h "fencing of n$1 confirmed" "$LAB_ROOT"/n*/launcher.log | awk '{print $3}' | sort | tail -1)
    [ -n "$f" ] || e2e_fail "n$1 was never fenced"
    wait_until 30 grep -qE "result ${3}_start_0" "$LAB_ROOT/n$2/launcher.log" || e2e_fail "no start of $3 logged on n$2"
    at=$(grep -E "result ${3}_start_0" "$LAB_ROOT/n$2/launcher.log" | tail -1 | awk '{print $3}')
    awk -v f="$f" -v p="$at" 'BEGIN { exit !(f < p) }' || e2e_fail "$3 started on n$2 at $at, before n$1's fencing was confirmed at $f"
    echo "$f"
}

# need_lab_fencing — skip unless the lab can fence (BMCs: ipmi_sim; Debian's fence_ipmilan).
need_lab_fencing() {
    command -v ipmi_sim >/dev/null || e2e_skip "ipmi_sim (openipmi) not installed"
    command -v fence_ipmilan >/dev/null || e2e_skip "fence_ipmilan (fence-agents) not installed"
}

# start_sampler IP RSC NODES — sample_placement into $samples ($LAB_ROOT/samples)
# in the background; watch_sampler PID — the same for a test's own sampler.
# stop_sampler ends it; it is also stopped, before the lab goes down, however
# the test ends.
start_sampler() {
    samples=$LAB_ROOT/samples
    sample_placement "$1" "$2" "$3" "$samples" &
    watch_sampler $!
}
watch_sampler() {
    sampler=$1
    trap 'rc=$?; stop_sampler; set +e; (exit $rc); e2e_end' EXIT
}
stop_sampler() { [ -z "${sampler:-}" ] || { kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=; }; }

# sample_placement IP RSC NODES FILE — every 0.1 s until killed, one line
# "<epoch> vip=[nodes] RSC=[nodes]" per sample into FILE (the IP on each
# node's eth0, the Dummy's state file); a hung node is read from outside.
sample_placement() {
    local ip=$1 rsc=$2 nodes=$3 file=$4
    while :; do
        echo "$(date +%s.%N | cut -c1-14) vip=[$(vip_nodes "$ip" "$nodes")] $rsc=[$(dummy_nodes "$rsc" "$nodes")]" >> "$file"
        sleep 0.1
    done
}
# service_nodes COMM NODES — the nodes that run a process named COMM (its
# /proc/PID/comm, e.g. apache2, nginx, mariadbd) in their network namespace:
# a real service started by its agent, whatever its pid file says.
service_nodes() {
    local comm=$1 k p c out=
    for k in $2; do
        for p in $(node_pids "$k"); do
            c=; read -r c 2>/dev/null < "/proc/$p/comm" || true  # a builtin: the sampler reads every PID
            [ "$c" = "$comm" ] && { out="$out $k"; break; }
        done
    done
    echo "${out# }"
}
# start_service_sampler NODES IP=COMM|IP... — like start_sampler for real
# services: every 0.1 s one line "<epoch> IP=[nodes] COMM=[nodes] ..." into
# $samples ($LAB_ROOT/samples), stopped however the test ends;
# doubled_samples reads it the same way.
start_service_sampler() {
    local nodes=$1; shift
    samples=$LAB_ROOT/samples
    ( declare -A addrs comms
      while :; do
          local line pair k p c ip comm on_ip on_comm
          line=$(date +%s.%N | cut -c1-14)
          # One look at each node: its eth0 addresses and its processes' names.
          for k in $nodes; do
              addrs[$k]=" $(ip -n "$(node_ns "$k")" -4 -o addr show dev eth0 2>/dev/null | awk '{printf "%s ", $4}')"
              comms[$k]=" "
              for p in $(node_pids "$k"); do
                  c=; read -r c 2>/dev/null < "/proc/$p/comm" || true
                  comms[$k]+="$c "
              done
          done
          for pair in "$@"; do
              ip=${pair%%=*} comm=${pair#*=} on_ip= on_comm=
              for k in $nodes; do
                  [[ ${addrs[$k]} == *" $ip/"* ]] && on_ip="$on_ip $k"
                  [[ ${comms[$k]} == *" $comm "* ]] && on_comm="$on_comm $k"
              done
              line="$line $ip=[${on_ip# }]"
              [ "$comm" = "$pair" ] || line="$line $comm=[${on_comm# }]"  # IP alone: no process
          done
          echo "$line" >> "$samples"
          sleep 0.1
      done ) &
    watch_sampler $!
}
# check_samples MIN WHAT — stops the sampler and fails unless it took MIN
# samples, none of which saw something on two nodes; WHAT names what it read.
check_samples() {
    local n bad
    stop_sampler
    n=$(wc -l < "$samples")
    [ "$n" -ge "$1" ] || e2e_fail "only $n samples"
    bad=$(doubled_samples "$samples")
    [ -z "$bad" ] || e2e_fail "the sampler saw $2 on two nodes: $(echo "$bad" | head -3)"
    e2e_note "$n samples: never $2 on two nodes"
}
# doubled_samples FILE — the samples that saw the IP or the service on two nodes.
doubled_samples() { grep -E '=\[[0-9]+ [0-9]+' "$1" || true; }

# ms_since TS — milliseconds from epoch seconds TS (as kill-node.sh prints) to now.
ms_since() { echo "$(date +%s.%N) $1" | awk '{printf "%d", ($1 - $2) * 1000}'; }

# cluster_end — stops the lab (daemons get SIGTERM through their launchers)
# and fails when a daemon reported a sanitizer error or leak at any time.
cluster_end() {
    local t0 k running=""
    # Whether the launchers up now stopped every daemon on SIGTERM, the whole
    # cluster at once (lab-down.sh SIGKILLs what is left after 10 s). Said,
    # not failed: lab-down stops corosync with the daemons, so a node can
    # lose quorum before its controller is released.
    if [ "${LAB_STACK:-ours}" = ours ]; then
        for k in $(seq 1 "$(lab_size)"); do pid_alive "$(cat "$(node_dir "$k")/launcher.pid" 2>/dev/null)" && running="$running $k"; done
    fi
    t0=$(date +%s%N)
    "$LAB/lab-down.sh" >/dev/null 2>&1 || true
    e2e_note "lab down in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    local unclean=""
    for k in $running; do
        tail -5 "$(node_dir "$k")/launcher.log" | matches "all daemons stopped" || unclean="$unclean n$k"
    done
    [ -z "$unclean" ] || e2e_note "not stopped by SIGTERM within lab-down's 10 s (SIGKILLed):$unclean"
    local bad
    bad=$(grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$LAB_ROOT"/n*/*.log 2>/dev/null || true)
    [ -z "$bad" ] || e2e_fail "sanitizer reports in: $bad"
}

# cib_retry K — cib K, retried for up to 10 s (a busy node may be slow to answer).
cib_retry() {
    local i
    for i in $(seq 1 50); do cib "$1" && return 0; sleep 0.2; done
    echo "cibadmin -Q on n$1 kept failing: $(tail -n 2 "$LAB_ROOT/cibadmin.err")" >&2
    return 1
}
