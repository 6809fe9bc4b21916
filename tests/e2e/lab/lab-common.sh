# shellcheck shell=bash disable=SC2034
# lab-common.sh — settings and helpers shared by the lab scripts (sourced, not run).
#
# A lab is N simulated nodes on this machine. Every name carries LAB_NAME, so
# labs of different engineers (different LAB_NAME) never touch each other:
#
#   ${LAB_NAME}-sw        network namespace of the "switch": bridges lan0 and lan1
#   ${LAB_NAME}-nK        network namespace of node K: eth0 = 10.99.0.K/24 (LAB_SUBNET),
#                         veth peer "pK" on lan0 in the switch; no route leaves the lab
#   ${LAB_ROOT}/ns/nK.mnt persistent mount namespace of node K (bind-mounted file):
#                         tmpfs on /run and /dev/shm, and bind mounts of the node's own
#                         /etc/corosync /var/lib/corosync /var/log/corosync /etc/crm
#                         /var/lib/crm /var/log/crm (and /var/lib/pacemaker
#                         /var/log/pacemaker when the host has them) from ${LAB_ROOT}/nK/
#   ${LAB_ROOT}/ns/nK.uts persistent UTS namespace of node K (hostname nK)
#   ${LAB_ROOT}/nK/       the node's disk: etc-corosync/, var-lib-crm/, ..., and
#                         host-side logs corosync.log, launcher.log (or, with
#                         the peer's stack, pacemakerd.log and pacemaker.log), *.pid
#   ${LAB_NAME}-bK        network namespace of node K's BMC (when openipmi is
#                         installed): ipmi_sim on 10.98.0.K:623 (LAB_MGMT_SUBNET),
#                         IPMI 1.5 over LAN, user admin/secret, on the switch's
#                         management bridge "mgmt"; node K reaches every BMC from
#                         its mgmt0 = 10.98.0.(100+K). Chassis power drives the
#                         node (bmc-power.sh): off = kill-node.sh + links down,
#                         on = links up + node-start.sh. ${LAB_ROOT}/bK/ holds
#                         its lan.conf, command file, state and log.
#
# node_exec K CMD... runs CMD on node K with nsenter into those three
# namespaces; every process of node K thus sees the same private files, its
# own libqb sockets (abstract unix sockets are per network namespace) and
# its own /dev/shm ring buffers.

LAB_NAME=${LAB_NAME:-crmlab}
[[ "$LAB_NAME" =~ ^[a-z][a-z0-9]{0,19}$ ]] || { echo "LAB_NAME must be 1-20 of [a-z0-9], starting with a letter" >&2; exit 2; }
LAB_ROOT=${LAB_ROOT:-/tmp/${LAB_NAME}}
LAB_SUBNET=${LAB_SUBNET:-10.99.0}
LAB_TOKEN_MS=${LAB_TOKEN_MS:-1000}
LAB_MGMT_SUBNET=${LAB_MGMT_SUBNET:-10.98.0}
LAB_BMC_USER=admin
LAB_BMC_PASSWORD=secret
LAB_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_SRC=$(cd "$LAB_SCRIPTS/../../.." && pwd)

# Paths inside each node that get the node's own copy (host dir name -> mount
# point). An entry marked "?" is optional: bound only when the host has the
# mount point (the peer's /var/lib/pacemaker and /var/log/pacemaker, where
# Debian's pacemaker keeps its CIB and logs and every tool keeps shadow CIBs),
# and the node's copy starts as the host directory's skeleton (its
# directories, owners and modes; no files), as a fresh install would have it.
LAB_NODE_DIRS="etc-corosync:/etc/corosync var-lib-corosync:/var/lib/corosync var-log-corosync:/var/log/corosync etc-crm:/etc/crm var-lib-crm:/var/lib/crm var-log-crm:/var/log/crm ?var-lib-pacemaker:/var/lib/pacemaker ?var-log-pacemaker:/var/log/pacemaker"

# The lab's stack (lab-up.sh --stack, kept in ${LAB_ROOT}/stack): "ours"
# (crm-launcherd and our daemons from CRM_BIN_DIR) or "peer" (Debian's
# Pacemaker 2.1.5: /usr/sbin/pacemakerd, which starts its own daemons).
LAB_PEER_PACEMAKERD=/usr/sbin/pacemakerd
lab_stack() { cat "${LAB_ROOT}/stack" 2>/dev/null || echo "${LAB_STACK:-ours}"; }

# lab_node_dirs — the LAB_NODE_DIRS pairs this host binds ("name:/path", the
# optional ones only when /path exists here).
lab_node_dirs() {
    local pair out=
    for pair in $LAB_NODE_DIRS; do
        case "$pair" in
            \?*) pair=${pair#\?}; [ -d "${pair#*:}" ] || continue ;;
        esac
        out="$out $pair"
    done
    echo "${out# }"
}

# copy_dir_skeleton SRC DST — DST gets SRC's directories (not its files),
# each with SRC's owner, group and mode.
copy_dir_skeleton() {
    local src=$1 dst=$2 rel
    while IFS= read -r rel; do
        mkdir -p "$dst/$rel"
        chown --reference="$src/$rel" "$dst/$rel" 2>/dev/null || true
        chmod --reference="$src/$rel" "$dst/$rel" 2>/dev/null || true
    done < <(cd "$src" && find . -xdev -type d -print)
}

# node_hosts K — node K's /etc/hosts names every lab node (crmsh resolves
# and pings node names, as administrators' tools do).
node_hosts() {
    local k=$1 f i
    f=$(node_dir "$k")/hosts
    { echo "127.0.0.1 localhost"; for i in $(seq 1 "$(lab_size)"); do echo "$(node_ip "$i") n$i"; done; } > "$f"
    ( node_exec "$k" mount --bind "$f" /etc/hosts )
}

node_ns()   { echo "${LAB_NAME}-n$1"; }
switch_ns() { echo "${LAB_NAME}-sw"; }
node_dir()  { echo "${LAB_ROOT}/n$1"; }
node_ip()   { echo "${LAB_SUBNET}.$1"; }
bmc_ns()    { echo "${LAB_NAME}-b$1"; }
bmc_ip()    { echo "${LAB_MGMT_SUBNET}.$1"; }
node_mgmt_ip() { echo "${LAB_MGMT_SUBNET}.$((100 + $1))"; }
bmc_dir()   { echo "${LAB_ROOT}/b$1"; }
ns_dir()    { echo "${LAB_ROOT}/ns"; }
lab_size()  { cat "${LAB_ROOT}/size" 2>/dev/null || echo 0; }
lab_log()   { echo "lab[$LAB_NAME]: $*" >&2; }
die()       { lab_log "$*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

netns_exists() { [ -e "/run/netns/$1" ]; }

# Our namespaces only: exact ${LAB_NAME}-sw or ${LAB_NAME}-n<digits>.
lab_netns_list() {
    ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${LAB_NAME}-(sw|n[0-9]+|b[0-9]+)\$" || true
}

# node_exec K CMD [ARGS...] — exec CMD inside node K (replaces the shell, so a
# backgrounded node_exec's $! is CMD's own PID: nsenter execs without forking
# when no PID namespace is involved).
# lab_fence_devices NODES — one fence device per node, Debian's fence_ipmilan
# through the node's BMC (lab-common.sh), never run on the node it fences.
# Prints the resources XML; lab_fence_constraints NODES the constraints.
lab_fence_devices() {
    local j
    for j in $1; do
        printf '<primitive id="fence-n%s" class="stonith" type="fence_ipmilan"><instance_attributes id="fence-n%s-ia">' "$j" "$j"
        printf '<nvpair id="fence-n%s-ip" name="ip" value="%s"/><nvpair id="fence-n%s-user" name="username" value="%s"/>' "$j" "$(bmc_ip "$j")" "$j" "$LAB_BMC_USER"
        printf '<nvpair id="fence-n%s-pw" name="password" value="%s"/><nvpair id="fence-n%s-hosts" name="pcmk_host_list" value="n%s"/>' "$j" "$LAB_BMC_PASSWORD" "$j" "$j"
        printf '</instance_attributes><operations><op id="fence-n%s-mon" name="monitor" interval="60s"/></operations></primitive>' "$j"
    done
}
lab_fence_constraints() {
    local j
    for j in $1; do printf '<rsc_location id="fence-n%s-not-self" rsc="fence-n%s" node="n%s" score="-INFINITY"/>' "$j" "$j" "$j"; done
}

# node_mount_baseline K — records the mounts node K's namespace has now (the
# lab's own: /run, /dev/shm, the bind mounts, node-install.sh's overlays), so
# that a power loss (kill-node.sh) unmounts only what the node mounted since.
node_mount_baseline() {
    ( node_exec "$1" awk '{print $5}' /proc/self/mountinfo ) > "$(node_dir "$1")/mounts.base"
}

# node_unmount_made K — unmounts (lazily) what node K mounted since its
# baseline (a Filesystem resource, a FUSE disk), latest first, and detaches
# the loop devices under those mounts or named by a replicated disk's device
# link (loop devices are the host's, not the node's): the lab keeps a node's
# mount namespace across a power cycle, a real machine's mounts die with it.
node_unmount_made() {
    local base; base=$(node_dir "$1")/mounts.base
    [ -s "$base" ] && [ -e "$(ns_dir)/n$1.mnt" ] || return 0  # no baseline, or the namespace is gone
    ( node_exec "$1" /bin/sh -c '
        loops=$(for l in /run/crm-repldisk/*/device; do [ -L "$l" ] && readlink "$l"; done)
        # "MOUNTPOINT SOURCE" of what is not in the baseline, latest first.
        made=$(awk -v base="$1" "BEGIN { while ((getline l < base) > 0) keep[l] = 1 }
                                 !(\$5 in keep) { print \$5, \$(NF-1) }" /proc/self/mountinfo | tac)
        echo "$made" | while read -r m src; do [ -n "$m" ] && umount -l "$m" 2>/dev/null && echo "unmounted $m"; done
        loops="$loops $(echo "$made" | awk "\$2 ~ /^\/dev\/loop/ { print \$2 }")"
        for l in $(echo $loops | tr " " "\n" | sort -u); do losetup -d "$l" 2>/dev/null && echo "detached $l"; done
    ' sh "$base" ) || true
}

node_exec() {
    local k=$1; shift
    local d; d=$(ns_dir)
    [ -e "$d/n$k.mnt" ] || { echo "node $k does not exist in lab $LAB_NAME" >&2; return 1; }
    exec nsenter --net="/run/netns/$(node_ns "$k")" --mount="$d/n$k.mnt" --uts="$d/n$k.uts" -- "$@"
}

# PIDs of every process in node K (its network namespace).
node_pids() { netns_exists "$(node_ns "$1")" && ip netns pids "$(node_ns "$1")" 2>/dev/null || true; }

pid_alive() { [ -n "$1" ] && [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# wait_gone "PIDS" SECONDS — 0 when all exited in time.
wait_gone() {
    local pids=$1 limit=$2 deadline p left
    deadline=$(( $(date +%s%N) + limit * 1000000000 ))
    while :; do
        left=
        for p in $pids; do pid_alive "$p" && left="$left $p"; done
        [ -z "$left" ] && return 0
        [ "$(date +%s%N)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

# stop_pids "PIDS" GRACE — SIGTERM, then SIGKILL after GRACE seconds.
stop_pids() {
    local pids=$1 grace=${2:-5} p left
    [ -z "${pids// /}" ] && return 0
    kill -TERM $pids 2>/dev/null || true
    wait_gone "$pids" "$grace" && return 0
    left=; for p in $pids; do pid_alive "$p" && left="$left $p"; done
    [ -n "$left" ] && kill -KILL $left 2>/dev/null || true
    wait_gone "$left" 5 || lab_log "still alive after SIGKILL:$left"
}

now_ts() { date +%s.%N | cut -c1-17; }

# Number of member nodes corosync's quorum tool reports on node K (0 on error).
node_member_count() {
    ( node_exec "$1" corosync-quorumtool -s 2>/dev/null ) | awk '/^Nodes:/ {print $2; f=1} END {if (!f) print 0}'
}
node_quorate() {
    # Read whole first: under pipefail `grep -q` ending the pipe early fails it.
    grep -qE '^Quorate:[[:space:]]+Yes' <<< "$( ( node_exec "$1" corosync-quorumtool -s 2>/dev/null ) || true)"
}

# wait_until SECONDS CMD... — polls CMD every 0.1 s; 1 on timeout.
wait_until() {
    local limit=$1; shift
    local deadline=$(( $(date +%s%N) + limit * 1000000000 ))
    until "$@"; do
        [ "$(date +%s%N)" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}
