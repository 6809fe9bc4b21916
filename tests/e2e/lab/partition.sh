#!/bin/bash
# partition.sh split A,B,.. C,D,..   two segments: nodes of the 2nd list move to
#                                    bridge lan1 (unlisted nodes stay with the 1st)
# partition.sh isolate K             node K's switch port goes down
# partition.sh heal                  every port back on lan0 and up
# partition.sh show                  which bridge each port is on
#
# Faults are made in the switch namespace only (this kernel has no netem qdisc,
# so no delay/loss emulation). Prints PART_TS=<epoch seconds> when applied.
set -euo pipefail
. "$(dirname "$0")/lab-common.sh"
need_root
SW=$(switch_ns); N=$(lab_size)
[ "$N" -gt 0 ] || die "no lab $LAB_NAME running"
usage() { sed -n '2,9p' "$0" >&2; exit 2; }
case "${1:-}" in
    split)
        [ $# -eq 3 ] || usage
        echo "PART_TS=$(now_ts)"
        for k in ${3//,/ }; do ip -n "$SW" link set "p$k" master lan1; done
        echo "lan0: $2 (+ unlisted)  lan1: $3"
        ;;
    isolate)
        [ $# -eq 2 ] || usage
        echo "PART_TS=$(now_ts)"
        ip -n "$SW" link set "p$2" down
        ;;
    heal)
        echo "PART_TS=$(now_ts)"
        for k in $(seq 1 "$N"); do ip -n "$SW" link set "p$k" master lan0 up; done
        ;;
    show)
        for k in $(seq 1 "$N"); do
            ip -n "$SW" -o link show "p$k" | awk -v k="$k" '{m="-"; for (i=1;i<=NF;i++) if ($i=="master") m=$(i+1); print "n" k ": " m " " ($0 ~ /state UP|LOWER_UP/ ? "up" : "down")}'
        done
        ;;
    *) usage ;;
esac
