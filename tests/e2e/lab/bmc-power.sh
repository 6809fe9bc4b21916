#!/bin/bash
# bmc-power.sh K MC get PARAM... | set PARAM VALUE...
#
# ipmi_sim's chassis_control program for node K's BMC (bmc-up.sh). "get
# power" prints "power:1|0" from the BMC's power state; "set power 0" is a
# power cut (every process of the node SIGKILLed by kill-node.sh, its cluster
# links down: a machine without power holds no address); "set power 1" brings
# the links up and boots the node (node-start.sh, in the background: the BMC
# answers at once, as a real one does). Every call is logged in
# $LAB_ROOT/bK/power.log.
set -uo pipefail
. "$(dirname "$0")/lab-common.sh"
k=$1; op=${3:-}; shift 3 || true  # $2: the MC's IPMB address (0x20)
d=$(bmc_dir "$k"); NS=$(node_ns "$k")
echo "$(now_ts) $op $*" >> "$d/power.log"
state=$(cat "$d/power" 2>/dev/null || echo 1)
case "$op" in
    get)
        for p in "$@"; do
            case "$p" in
                power) echo "power:$state" ;;
                *) echo "$p:0" ;;
            esac
        done ;;
    set)
        while [ $# -ge 2 ]; do
            if [ "$1" = power ]; then
                if [ "$2" = 0 ] && [ "$state" = 1 ]; then
                    echo 0 > "$d/power"
                    "$LAB_SCRIPTS/kill-node.sh" "$k" >> "$d/power.log" 2>&1 || true
                    ip -n "$NS" link set eth0 down
                    echo "$(now_ts) n$k powered off" >> "$d/power.log"
                elif [ "$2" = 1 ] && [ "$state" = 0 ]; then
                    echo 1 > "$d/power"
                    ip -n "$NS" link set eth0 up
                    setsid "$LAB_SCRIPTS/node-start.sh" "$k" >> "$d/power.log" 2>&1 </dev/null &
                    echo "$(now_ts) n$k powered on" >> "$d/power.log"
                fi
            fi
            shift 2
        done ;;
esac
exit 0
