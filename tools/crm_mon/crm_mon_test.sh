#!/bin/bash
# crm_mon on CIB_file fixtures from the scheduler cases: text output against
# golden files (checked to match the peer's crm_mon 2.1.5 on the same input,
# "Last updated" line left out), XML well-formedness, simple status, errors.
# usage: crm_mon_test.sh BIN_DIR SHARED_DIR SOURCE_DIR [--regen]
set -u
BIN=$1/crm_mon
CASES=$2/scheduler-cases
DATA=$3/tools/crm_mon/testdata
REGEN=${4:-}
export TZ=UTC
fail=0
tmp=$(mktemp -d /tmp/crm_mon_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

golden() {  # golden NAME CASE ARGS...
  local name=$1 case=$2; shift 2
  CIB_file=$CASES/$case/input.xml "$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  grep -v "Last updated" "$tmp/out" >"$tmp/got"
  if [ "$REGEN" = "--regen" ]; then cp "$tmp/got" "$DATA/$name.txt"; return; fi
  if [ $rc -ne 0 ]; then echo "FAIL $name: exit $rc: $(cat "$tmp/err")"; fail=1; return; fi
  if ! diff -u "$DATA/$name.txt" "$tmp/got"; then echo "FAIL $name: output differs"; fail=1; else echo "ok $name"; fi
}

golden groups-failed bug-5028 -1 -f -A
golden unclean-clone-groups bug-lf-2508 -1
golden inactive-clones clone-interleave-1 -1 -r
golden standby-no-quorum bug-cl-5170 -1
golden failure-ignored-history bug-5069-op-disabled -1 -f
golden promotable on_fail_demote2 -1 -r
golden priority-order utilization-order2 -1
golden exec-error group13 -1 -r
golden maintenance-mode bug-5028-detach -1
golden not-installed failed-probe-clone -1 -r
golden migration-order coloc-list -1 -f
[ "$REGEN" = "--regen" ] && exit 0

# "Last updated" is present and well formed.
CIB_file=$CASES/bug-5028/input.xml "$BIN" -1 | grep -Eq '^  \* Last updated: [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] ' \
  || { echo "FAIL last-updated line"; fail=1; }

# XML form: well formed, DC, nodes, resources and failures present.
CIB_file=$CASES/bug-5028/input.xml "$BIN" -1 --output-as=xml -f -A >"$tmp/x.xml"
if ! xmllint --noout "$tmp/x.xml"; then echo "FAIL xml: not well formed"; fail=1; fi
for want in '<current_dc present="true"' 'name="bl460g6b"' 'with_quorum="true"' '<group id="dummy-g"' \
            '<resource id="dummy02"' 'failed="true"' '<failure op_key="dummy02_stop_0"' '<attribute name="probe_complete"' \
            '<resource_history id="dummy02" migration-threshold="1" fail-count="1000000"'; do
  grep -qF "$want" "$tmp/x.xml" || { echo "FAIL xml: missing $want"; fail=1; }
done

# Simple status: OK / WARN with exit codes.
out=$(CIB_file=$CASES/bug-5028/input.xml "$BIN" -s); rc=$?
[ "$out" = "CLUSTER OK: 2 nodes online, 2 resource instances configured" ] && [ $rc -eq 0 ] \
  || { echo "FAIL simple ok: rc=$rc '$out'"; fail=1; }
out=$(CIB_file=$CASES/bug-5069-op-disabled/input.xml "$BIN" -s); rc=$?
[ "$out" = "CLUSTER WARN: offline node: fc16-builder fc16-builder3" ] && [ $rc -eq 1 ] \
  || { echo "FAIL simple warn: rc=$rc '$out'"; fail=1; }

# Errors: missing file, bad option.
CIB_file=$tmp/nonexistent.xml "$BIN" -1 >/dev/null 2>&1 && { echo "FAIL missing CIB_file accepted"; fail=1; }
CIB_file=$CASES/bug-5028/input.xml "$BIN" -1 --output-as=yaml >/dev/null 2>&1
[ $? -eq 64 ] || { echo "FAIL bad --output-as: want exit 64"; fail=1; }

[ $fail -eq 0 ] && echo "crm_mon tests passed"
exit $fail
