#!/bin/bash
# lab-up.sh N [--token MS] [--transport knet|udpu] [--launcher-conf LINE] [--no-daemons] [--daemons 'LIST'] [--stack ours|peer] [--keep-logs]
#
# Builds an N-node lab (see lab-common.sh for the layout): switch and node
# network namespaces, a persistent mount + UTS namespace per node, corosync 3
# (knet over the lab network, aes256/sha256 with one authkey, votequorum, two_node off unless --two-node) on every node. Waits
# until every node sees all N members, then starts our daemons on every node
# through crm-launcherd when $CRM_BIN_DIR/crm-launcherd exists (unless
# --no-daemons), or with --stack peer the peer's: Debian's pacemakerd.
# A lab of the same LAB_NAME is torn down first.
#
#   --token MS     totem.token (default $LAB_TOKEN_MS = 1000), token_coefficient 0:
#                  the token timeout is exactly MS whatever the node count.
#                  Below 126 ms token_retransmits_before_loss_const drops from
#                  corosync's 4 to 3: corosync refuses a retransmit timeout
#                  (token / (retransmits + 0.2)) under 30 ms
#   --transport T  knet (default: encrypted and authenticated, aes256/sha256)
#                  or udpu (UDP unicast, which corosync 3 cannot encrypt). On
#                  this lab knet 1.25 declares its links down every ~9 s at a
#                  token of 400 ms or less, even idle (docs/bench.md); udpu
#                  keeps a 120 ms token
#   --launcher-conf LINE  one more line for every node's launcher.conf
#                  (repeatable; e.g. "nice = -10", docs/launcher.md)
#   --no-daemons   corosync only
#   --daemons LIST the launcher starts only these (default: cibd lrmd fenced attrd crmd)
#   --two-node     votequorum two_node: 1 (a 2-node lab where one node keeps quorum)
#   --stack S      ours (default, or $LAB_STACK): crm-launcherd from $CRM_BIN_DIR;
#                  peer: Debian's Pacemaker 2.1.5 (/usr/sbin/pacemakerd) on every
#                  node, with the node's own /var/lib/pacemaker, /var/log/pacemaker
#   --keep-logs    do not wipe ${LAB_ROOT} from the previous run
#
# Prints "lab up: N nodes ..." and exits 0 when the membership is complete;
# exits 1 (after tearing down what it built) when it is not within 30 s.
set -euo pipefail
. "$(dirname "$0")/lab-common.sh"
need_root

usage() { sed -n '2,33p' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
N=$1; shift
[[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 32 ] || usage
TOKEN=$LAB_TOKEN_MS; TRANSPORT=knet; LAUNCHER_EXTRA=; DAEMONS=1; PURGE=--purge; TWO_NODE=0; DAEMON_LIST="cibd lrmd fenced attrd crmd"
STACK=${LAB_STACK:-ours}
while [ $# -gt 0 ]; do
    case "$1" in
        --token) TOKEN=$2; shift 2 ;;
        --no-daemons) DAEMONS=0; shift ;;
        --daemons) DAEMON_LIST=$2; shift 2 ;;
        --two-node) TWO_NODE=1; shift ;;
        --transport) TRANSPORT=$2; shift 2 ;;
        --launcher-conf) LAUNCHER_EXTRA="${LAUNCHER_EXTRA}$2"$'\n'; shift 2 ;;
        --stack) STACK=$2; shift 2 ;;
        --keep-logs) PURGE=; shift ;;
        *) usage ;;
    esac
done
command -v corosync >/dev/null || die "corosync is not installed (scripts/setup.sh)"
command -v nsenter >/dev/null || die "nsenter (util-linux) is missing"
case "$TRANSPORT" in knet|udpu) ;; *) usage ;; esac
case "$STACK" in
    ours) ;;
    peer) [ -x "$LAB_PEER_PACEMAKERD" ] && [ -d /var/lib/pacemaker ] && [ -d /var/log/pacemaker ] \
              || die "--stack peer: the peer's pacemaker is not installed (apt-get install pacemaker)" ;;
    *) usage ;;
esac

"$LAB_SCRIPTS/lab-down.sh" $PURGE >/dev/null

fail() { lab_log "$*"; lab_log "logs: ${LAB_ROOT}/n*/corosync.log"; "$LAB_SCRIPTS/lab-down.sh" >/dev/null 2>&1 || true; exit 1; }
trap 'fail "lab-up failed at line $LINENO"' ERR

mkdir -p "$LAB_ROOT"
echo "$N" > "$LAB_ROOT/size"
echo "$TOKEN" > "$LAB_ROOT/token"
printf %s "$LAUNCHER_EXTRA" > "$LAB_ROOT/launcher_extra"
echo "$DAEMONS" > "$LAB_ROOT/daemons"
echo "$DAEMON_LIST" > "$LAB_ROOT/daemon_list"
echo "${CRM_BIN_DIR:-}" > "$LAB_ROOT/bin_dir"
echo "$STACK" > "$LAB_ROOT/stack"

# Namespace files live on a private bind mount (a persistent mount namespace
# can only be bound onto a mount point that does not propagate).
NSD=$(ns_dir)
mkdir -p "$NSD"
mountpoint -q "$NSD" || mount --bind "$NSD" "$NSD"
mount --make-private "$NSD"

# The switch.
SW=$(switch_ns)
ip netns add "$SW"
ip -n "$SW" link set lo up
for br in lan0 lan1 mgmt; do
    ip -n "$SW" link add "$br" type bridge
    ip -n "$SW" link set "$br" up
done

write_corosync_conf() {
    local j
    cat <<CONF
# Written by tests/e2e/lab/lab-up.sh for lab ${LAB_NAME}
totem {
    version: 2
    cluster_name: ${LAB_NAME}
    transport: ${TRANSPORT}
    crypto_cipher: $([ "$TRANSPORT" = knet ] && echo aes256 || echo none)
    crypto_hash: $([ "$TRANSPORT" = knet ] && echo sha256 || echo none)
    token: ${TOKEN}
    token_coefficient: 0$([ "$TOKEN" -lt 126 ] && printf '\n    token_retransmits_before_loss_const: 3')
}
logging {
    to_stderr: yes
    to_logfile: no
    to_syslog: no
    timestamp: hires
}
quorum {
    provider: corosync_votequorum
    two_node: ${TWO_NODE}
}
nodelist {
CONF
    for j in $(seq 1 "$N"); do
        printf '    node {\n        name: n%s\n        nodeid: %s\n        ring0_addr: %s\n    }\n' "$j" "$j" "$(node_ip "$j")"
    done
    echo "}"
}

for i in $(seq 1 "$N"); do
    NS=$(node_ns "$i"); d=$(node_dir "$i")
    # Network: veth created straight between the two namespaces.
    ip netns add "$NS"
    ip link add name eth0 netns "$NS" type veth peer name "p$i" netns "$SW"
    ip -n "$SW" link set "p$i" master lan0 up
    ip -n "$NS" link set lo up
    ip -n "$NS" addr add "$(node_ip "$i")/24" dev eth0
    ip -n "$NS" link set eth0 up

    # Disk (an optional directory starts as the host's skeleton).
    for pair in $LAB_NODE_DIRS; do
        case "$pair" in \?*) pair=${pair#\?}; [ -d "${pair#*:}" ] && copy_dir_skeleton "${pair#*:}" "$d/${pair%%:*}"; continue ;; esac
        mkdir -p "$d/${pair%%:*}"
    done
    write_corosync_conf > "$d/etc-corosync/corosync.conf"
    # knet encrypts and authenticates every packet with the lab's key, as a
    # production cluster does (corosync-keygen once, the same key on every node).
    [ -s "$LAB_ROOT/authkey" ] || corosync-keygen -k "$LAB_ROOT/authkey" >/dev/null
    install -m 0400 "$LAB_ROOT/authkey" "$d/etc-corosync/authkey"

    # Mount + UTS namespaces, persistent (bound to files), set up once. Mount
    # points missing on the host are created first (empty directories).
    dirs=$(lab_node_dirs)
    for pair in $dirs; do mkdir -p "${pair#*:}"; done
    touch "$NSD/n$i.mnt" "$NSD/n$i.uts"
    nsenter --net="/run/netns/$NS" -- unshare --mount="$NSD/n$i.mnt" --uts="$NSD/n$i.uts" --propagation private -- \
        /bin/sh -ec '
            node=$1 d=$2 dirs=$3
            hostname "$node"
            mount -t tmpfs -o mode=0755,size=64m "lab-$node-run" /run
            mkdir -m 1777 /run/lock
            mount -t tmpfs -o mode=1777,size=1g "lab-$node-shm" /dev/shm
            for pair in $dirs; do mount --bind "$d/${pair%%:*}" "${pair#*:}"; done' \
        lab-node "n$i" "$d" "$dirs"
    node_mount_baseline "$i"
done

# Management network and BMCs (as real BMCs sit on a network of their own).
if command -v ipmi_sim >/dev/null; then
    for i in $(seq 1 "$N"); do "$LAB_SCRIPTS/bmc-up.sh" "$i" >/dev/null; done
else
    lab_log "ipmi_sim (package openipmi) is not installed: no BMCs, no lab fencing"
fi

for i in $(seq 1 "$N"); do
    "$LAB_SCRIPTS/node-start.sh" "$i" --corosync-only >/dev/null
done

all_members() {
    local i
    for i in $(seq 1 "$N"); do [ "$(node_member_count "$i")" = "$N" ] || return 1; done
}
t0=$(date +%s%N)
wait_until 30 all_members || fail "timed out waiting for $N members"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))

if [ "$DAEMONS" = 1 ]; then
    for i in $(seq 1 "$N"); do "$LAB_SCRIPTS/node-start.sh" "$i" --daemons-only >/dev/null; done
fi
trap - ERR
echo "lab up: $N nodes (LAB_NAME=$LAB_NAME, token ${TOKEN} ms, stack $STACK), full membership after ${ms} ms; root $LAB_ROOT"
