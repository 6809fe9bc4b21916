#!/bin/bash
# crm_resource cluster subcommands on copies of scheduler-case CIBs (CIB_file):
# outputs, the XML they leave in the file, exit codes.
# usage: cluster_commands_test.sh BIN_DIR SHARED_DIR
set -u
BIN=$1/crm_resource
CASES=$2/scheduler-cases
export TZ=UTC
fail=0
tmp=$(mktemp -d /tmp/crm_resource_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

check() {  # check NAME WANT_RC WANT_OUT -- command...   (WANT_OUT '*' = any)
  local name=$1 want_rc=$2 want_out=$3; shift 4
  local out rc
  out=$("$@" 2>"$tmp/err"); rc=$?
  if [ "$rc" != "$want_rc" ] || { [ "$want_out" != "*" ] && [ "$out" != "$want_out" ]; }; then
    echo "FAIL $name: rc=$rc (want $want_rc)"; echo "--- got:"; echo "$out"; echo "--- want:"; echo "$want_out"
    echo "--- stderr:"; cat "$tmp/err"; fail=1
  else echo "ok $name"; fi
}
has() {  # has NAME FILE TEXT: the file contains TEXT
  grep -qF -- "$3" "$2" || { echo "FAIL $1: '$3' not in $2"; fail=1; }
}
hasnt() {
  grep -qF -- "$3" "$2" && { echo "FAIL $1: '$3' still in $2"; fail=1; }
}

cp "$CASES/bug-5028/input.xml" "$tmp/a.xml"
export CIB_file=$tmp/a.xml

check list 0 "Full List of Resources:
  * Resource Group: dummy-g:
    * dummy01	(ocf:heartbeat:Dummy):	 Started
    * dummy02	(ocf:heartbeat:Dummy-stop-NG):	 FAILED (blocked)" -- "$BIN" -L
check list-raw 0 "dummy01
dummy02" -- "$BIN" -l
check locate 0 "resource dummy01 is running on: bl460g6a" -- "$BIN" -W -r dummy01
check locate-group 0 "resource dummy-g is running on: bl460g6a" -- "$BIN" --locate -r dummy-g
check locate-quiet 0 "bl460g6a" -- "$BIN" -W -r dummy01 -Q
check locate-unknown 105 "" -- "$BIN" -W -r nosuch
grep -q "Resource 'nosuch' not found" "$tmp/err" || { echo "FAIL locate-unknown message"; fail=1; }
check locate-needs-r 64 "" -- "$BIN" -W

# Move / ban / clear.
check move 0 "" -- "$BIN" -M -r dummy01 -N bl460g6b
has move "$tmp/a.xml" '<rsc_location id="cli-prefer-dummy01" rsc="dummy01" role="Started" node="bl460g6b" score="INFINITY"/>'
check move-again 0 "" -- "$BIN" --move -r dummy01 -N bl460g6b
[ "$(grep -c 'id="cli-prefer-dummy01"' "$tmp/a.xml")" = 1 ] || { echo "FAIL move twice: two constraints"; fail=1; }
check move-already-there 108 "" -- "$BIN" -M -r dummy01 -N bl460g6a
check move-unknown-node 105 "" -- "$BIN" -M -r dummy01 -N nosuch
check move-unknown-rsc 105 "" -- "$BIN" -M -r nosuch -N bl460g6a
check ban 0 "*" -- "$BIN" -B -r dummy02 -N bl460g6b
has ban "$tmp/a.xml" '<rsc_location id="cli-ban-dummy02-on-bl460g6b" rsc="dummy02" role="Started" node="bl460g6b" score="-INFINITY"/>'
check ban-current 0 "*" -- "$BIN" -B -r dummy01
has ban-current "$tmp/a.xml" 'id="cli-ban-dummy01-on-bl460g6a"'
check bad-lifetime 2 "" -- "$BIN" -M -r dummy02 -N bl460g6b -u tomorrow
check move-lifetime 0 "*" -- "$BIN" -M -r dummy02 -N bl460g6b -u PT1H
has move-lifetime "$tmp/a.xml" '<date_expression id="cli-prefer-lifetime-end-dummy02" operation="lt" end="'
has move-lifetime "$tmp/a.xml" 'attribute="#uname" operation="eq" value="bl460g6b"'
# Moving to bl460g6b removed the ban that kept dummy02 off it.
hasnt move-lifetime "$tmp/a.xml" 'cli-ban-dummy02-on-bl460g6b'

check constraints 0 "Locations:
  * Node bl460g6b (score=INFINITY, id=cli-prefer-dummy01, rsc=dummy01)
  * Node bl460g6a (score=-INFINITY, id=cli-ban-dummy01-on-bl460g6a, rsc=dummy01)" -- "$BIN" --constraints -r dummy01
check clear-node 0 "Removing constraint: cli-ban-dummy01-on-bl460g6a" -- "$BIN" -U -r dummy01 -N bl460g6a
check clear 0 "Removing constraint: cli-prefer-dummy01" -- "$BIN" -U -r dummy01
check clear-all 0 "Removing constraint: cli-prefer-dummy02" -- "$BIN" --clear
hasnt clear "$tmp/a.xml" 'cli-'

# Parameters and meta attributes.
check set-param 0 "Set 'dummy01' option: id=dummy01-instance_attributes-foo set=dummy01-instance_attributes name=foo value=bar" \
  -- "$BIN" -r dummy01 -p foo -v bar
check update-param 0 "*" -- "$BIN" -r dummy01 -p foo -v baz
[ "$(grep -c 'name="foo"' "$tmp/a.xml")" = 1 ] || { echo "FAIL update-param: duplicated nvpair"; fail=1; }
check get-param 0 "baz" -- "$BIN" -r dummy01 -g foo
check get-missing 0 "" -- "$BIN" -r dummy01 -g nothere
grep -q "Attribute 'nothere' not found for 'dummy01'" "$tmp/err" || { echo "FAIL get-missing message"; fail=1; }
check set-meta 0 "Set 'dummy01' option: id=dummy01-meta_attributes-target-role set=dummy01-meta_attributes name=target-role value=Stopped" \
  -- "$BIN" -r dummy01 --meta -p target-role -v Stopped
check get-meta 0 "Stopped" -- "$BIN" -r dummy01 --meta -g target-role
check param-not-meta 0 "" -- "$BIN" -r dummy01 -g target-role
check delete-param 0 "Deleted 'dummy01' option: id=dummy01-instance_attributes-foo name=foo" -- "$BIN" -r dummy01 -d foo
check delete-missing 0 "" -- "$BIN" -r dummy01 -d foo
check set-needs-value 64 "" -- "$BIN" -r dummy01 -p foo
check group-meta 0 "*" -- "$BIN" -r dummy-g -m -p is-managed -v false
has group-meta "$tmp/a.xml" '<nvpair id="dummy-g-meta_attributes-is-managed" name="is-managed" value="false"/>'
check query-xml 0 "dummy01	(ocf:heartbeat:Dummy):	 Started bl460g6a (disabled, unmanaged)
Resource XML:
<primitive class=\"ocf\" id=\"dummy01\" provider=\"heartbeat\" type=\"Dummy\">
  <operations>
    <op id=\"dummy01-start-0s\" interval=\"0s\" name=\"start\" on-fail=\"restart\" timeout=\"60s\"/>
    <op id=\"dummy01-monitor-7s\" interval=\"7s\" name=\"monitor\" on-fail=\"restart\" timeout=\"60s\"/>
    <op id=\"dummy01-stop-0s\" interval=\"0s\" name=\"stop\" on-fail=\"block\" timeout=\"60s\"/>
  </operations>
  <instance_attributes id=\"dummy01-instance_attributes\"/>
  <meta_attributes id=\"dummy01-meta_attributes\">
    <nvpair id=\"dummy01-meta_attributes-target-role\" name=\"target-role\" value=\"Stopped\"/>
  </meta_attributes>
</primitive>" -- "$BIN" -r dummy01 -q

# Cleanup: history and fail counts of the resource go; others stay.
cp "$CASES/bug-5028/input.xml" "$tmp/c.xml"
export CIB_file=$tmp/c.xml
check cleanup-rsc 0 "Cleaned up dummy02 on bl460g6a
Cleaned up dummy02 on bl460g6b" -- "$BIN" -C -r dummy02
hasnt cleanup-rsc "$tmp/c.xml" '<lrm_resource id="dummy02"'
hasnt cleanup-rsc "$tmp/c.xml" 'fail-count-dummy02'
has cleanup-rsc "$tmp/c.xml" '<lrm_resource id="dummy01"'
check cleanup-unknown 105 "" -- "$BIN" -C -r nosuch
check cleanup-unknown-node 105 "" -- "$BIN" -C -r dummy01 -N nosuch
cp "$CASES/bug-5028/input.xml" "$tmp/d.xml"
export CIB_file=$tmp/d.xml
check cleanup-failed 0 "Cleaned up all resources on all nodes" -- "$BIN" -C
hasnt cleanup-failed "$tmp/d.xml" 'fail-count-dummy02'
has cleanup-failed "$tmp/d.xml" '<lrm_resource id="dummy01"'
check refresh-node 0 "Refreshed all resources on bl460g6b" -- "$BIN" -R -N bl460g6b
[ "$(grep -c '<lrm_resource ' "$tmp/d.xml")" = 1 ] || { echo "FAIL refresh-node: want only bl460g6a's dummy01 history"; fail=1; }

# Clone instances: locate by the clone and by the primitive's base id.
cp "$CASES/bug-lf-2508/input.xml" "$tmp/e.xml"
export CIB_file=$tmp/e.xml
check locate-clone 0 "resource clnStonith2 is running on: srv01
resource clnStonith2 is running on: srv03
resource clnStonith2 is running on: srv04" -- "$BIN" -W -r clnStonith2
check ban-multi 64 "" -- "$BIN" -B -r clnStonith2
check locate-stopped 0 "" -- "$BIN" -W -r Dummy01
grep -q "resource Dummy01 is NOT running" "$tmp/err" || { echo "FAIL locate-stopped message"; fail=1; }

# Colocations (coloc-list: rsc2 with rsc1, rsc5 with rsc2).
export CIB_file=$CASES/coloc-list/input.xml
check colocations 0 "Resources colocated with rsc2:
  * rsc5 (score=INFINITY, id=colo-5-3)
Resources rsc2 is colocated with:
  * rsc1 (score=INFINITY, id=colo-2-1)" -- "$BIN" --constraints -r rsc2

# No resources at all.
cat >"$tmp/empty.xml" <<'XML'
<cib epoch="1" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.0">
  <configuration><crm_config/><nodes/><resources/><constraints/></configuration>
  <status/>
</cib>
XML
export CIB_file=$tmp/empty.xml
check list-empty 105 "Full List of Resources:
  * No resources" -- "$BIN" -L

[ $fail -eq 0 ] && echo "crm_resource tests passed"
exit $fail
