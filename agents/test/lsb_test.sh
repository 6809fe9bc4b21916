#!/bin/sh
# Checks agents/lsb/crm-test-service against the LSB exit codes directly.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
svc="$here/lsb/crm-test-service"
tmp=$(mktemp -d /tmp/crm-lsb-test.XXXXXX)
export CRM_TEST_SERVICE_PIDFILE="$tmp/svc.pid"
cleanup() {
	if [ -f "$CRM_TEST_SERVICE_PIDFILE" ]; then kill -KILL "-$(cat "$CRM_TEST_SERVICE_PIDFILE")" 2>/dev/null; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fail=0
check() {  # expected-rc description command...
	want=$1; what=$2; shift 2
	"$@" >/dev/null 2>&1; got=$?
	if [ "$got" -ne "$want" ]; then echo "FAIL: $what: rc $got, want $want"; fail=1; else echo "ok: $what"; fi
}
check 3 "status when stopped" "$svc" status
check 0 "stop when stopped" "$svc" stop
check 0 "start" "$svc" start
check 0 "status when running" "$svc" status
check 0 "start when running" "$svc" start
pid=$(cat "$CRM_TEST_SERVICE_PIDFILE")
kill -KILL "-$pid"; sleep 0.2
check 1 "status when dead with pid file" "$svc" status
check 0 "start after crash" "$svc" start
check 0 "stop" "$svc" stop
check 3 "status after stop" "$svc" status
check 2 "bad action" "$svc" frobnicate
exit $fail
