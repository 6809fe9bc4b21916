#!/bin/sh
# Runs the peer's ocf-tester (resource-agents) on one of our OCF agents from the
# source tree, with its state in a private temporary directory.
set -eu
agent=$1; shift  # further arguments: extra ocf-tester options (-o name=value)
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/crm-ocf-tester.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
export HA_RSCTMP="$tmp"
export CRM_ATTRIBUTE=none
if [ "$agent" = WebServer ]; then set -- -o docroot="$tmp/www" -o pidfile="$tmp/ws.pid" "$@"; else set -- -o state="$tmp/$agent.state" "$@"; fi
/usr/sbin/ocf-tester -v -n "test-$agent" "$@" "$here/ocf/$agent" > "$tmp/log" 2>&1 || {
	cat "$tmp/log"
	exit 1
}
tail -n 3 "$tmp/log"
grep -q "passed all tests" "$tmp/log"
