#!/bin/sh
# Runs the peer's ocf-tester (resource-agents) on one of our OCF agents from the
# source tree, with its state in a private temporary directory.
set -eu
agent=$1; shift  # further arguments: extra ocf-tester options (-o name=value)
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/crm-ocf-tester.XXXXXX)
# ReplDisk runs a daemon with a FUSE mount under $tmp: whatever a failed run
# left (daemon, loop device, mount) goes before the directory does.
cleanup() {
	[ -f "$tmp/run/pid" ] && kill "$(cat "$tmp/run/pid")" 2>/dev/null && sleep 0.5
	[ -L "$tmp/run/device" ] && losetup -d "$(readlink "$tmp/run/device")" 2>/dev/null
	for m in $(awk -v t="$tmp" 'index($2, t) == 1 {print $2}' /proc/mounts); do umount -l "$m"; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
export HA_RSCTMP="$tmp"
export CRM_ATTRIBUTE=none
case "$agent" in
	WebServer) set -- -o docroot="$tmp/www" -o pidfile="$tmp/ws.pid" "$@" ;;
	ReplDisk) set -- -o state_dir="$tmp/state" -o run_dir="$tmp/run" -o size=16M "$@" ;;
	*) set -- -o state="$tmp/$agent.state" "$@" ;;
esac
/usr/sbin/ocf-tester -v -n "test-$agent" "$@" "$here/ocf/$agent" > "$tmp/log" 2>&1 || {
	cat "$tmp/log"
	exit 1
}
tail -n 3 "$tmp/log"
grep -q "passed all tests" "$tmp/log"
