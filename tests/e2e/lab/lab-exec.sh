#!/bin/bash
# lab-exec.sh K CMD [ARGS...] — runs CMD on node K (its network, mount and UTS
# namespaces). CMD replaces this script, so `lab-exec.sh 2 prog & echo $!`
# prints prog's PID. Example: lab-exec.sh 1 corosync-quorumtool -s
set -euo pipefail
. "$(dirname "$0")/lab-common.sh"
need_root
[ $# -ge 2 ] || { echo "usage: $0 K CMD [ARGS...]" >&2; exit 2; }
node_exec "$@"
