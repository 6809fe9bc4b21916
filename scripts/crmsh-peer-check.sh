#!/usr/bin/env bash
# crmsh-peer-check.sh — runs the crmsh e2e session (tests/e2e/cluster_crmsh_test.sh)
# against the peer: Debian's Pacemaker 2.1.5 installed on this host, started by
# the lab in every node (LAB_STACK=peer), with the peer's own tools. The same
# test passing here and against our stack shows it asks for the peer's
# behaviour, not ours. Outside CI; needs root, corosync, crmsh and the
# peer's pacemaker (scripts/setup.sh --peer). Nothing is built.
#
#   scripts/crmsh-peer-check.sh [--keep-logs]
#
# Prints the test's notes, then "PASS (N s)" / "FAIL (N s)" / "SKIP: why";
# exit 0 / 1 / 77. Lab: LAB_NAME=${CRMSH_PEER_LAB:-peer}crmsh; the whole output
# in $LOG (default /tmp/crmsh-peer-check.log), the lab's logs kept in
# /tmp/<lab name> when the test fails (or with --keep-logs).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
LOG=${LOG:-/tmp/crmsh-peer-check.log}
[ "${1:-}" = --keep-logs ] && export E2E_KEEP_LOGS=1
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (the lab's namespaces)"; exit 77; }
[ -x /usr/sbin/pacemakerd ] || { echo "SKIP: the peer's pacemaker is not installed (scripts/setup.sh --peer)"; exit 77; }
command -v crm >/dev/null || { echo "SKIP: crmsh is not installed"; exit 77; }

echo "crmsh $(dpkg-query -W -f '${Version}' crmsh 2>/dev/null) against pacemaker $(dpkg-query -W -f '${Version}' pacemaker 2>/dev/null), lab ${CRMSH_PEER_LAB:-peer}crmsh; log $LOG"
t0=$(date +%s)
env -u CRM_BIN_DIR CRMSH_PEER=1 LAB_NAME="${CRMSH_PEER_LAB:-peer}" \
    "$top/tests/e2e/cluster_crmsh_test.sh" > "$LOG" 2>&1
rc=$?
secs=$(( $(date +%s) - t0 ))
grep -E '^\[|^(FAIL|SKIP)' "$LOG"
case $rc in
    0) echo "PASS (${secs} s)" ;;
    77) echo "SKIP ($(grep -m1 '^SKIP' "$LOG"))" ;;
    *) echo "FAIL (${secs} s, rc=$rc): see $LOG"; rc=1 ;;
esac
exit $rc
