#!/bin/bash
# crm_attribute / crm_standby on a copy of a scheduler-case CIB (CIB_file):
# every scope, get/set/delete, outputs, resulting XML, exit codes.
# usage: crm_attribute_test.sh BIN_DIR SHARED_DIR
set -u
A=$1/crm_attribute
S=$1/crm_standby
MON=$1/crm_mon
CASES=$2/scheduler-cases
fail=0
tmp=$(mktemp -d /tmp/crm_attribute_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

. "$(cd "$(dirname "$0")/../.." && pwd)/tests/cli/check.sh"
has() { grep -qF -- "$3" "$2" || { echo "FAIL $1: '$3' not in the CIB"; fail=1; }; }
hasnt() { grep -qF -- "$3" "$2" && { echo "FAIL $1: '$3' still in the CIB"; fail=1; }; }

cp "$CASES/bug-5028/input.xml" "$tmp/a.xml"
export CIB_file=$tmp/a.xml
N1=11111111-1111-1111-1111-111111111111
N2=22222222-2222-2222-2222-222222222222

# Node attributes, permanent (nodes section): the standby shortcut.
check standby-on 0 "" -- "$A" -N bl460g6a -n standby -v on
has standby-on "$tmp/a.xml" "<nvpair id=\"nodes-$N1-standby\" name=\"standby\" value=\"on\"/>"
check standby-get 0 "scope=nodes  name=standby value=on" -- "$A" -N bl460g6a -n standby -G
check standby-get-quiet 0 "on" -- "$A" -N bl460g6a -n standby -G -q
check standby-default-query 0 "scope=nodes  name=standby value=on" -- "$A" -N bl460g6a -n standby
check get-missing 105 "" -- "$A" -N bl460g6a -n nope -G
check get-missing-default 0 "scope=nodes  name=nope value=dflt" -- "$A" -N bl460g6a -n nope -G -d dflt
"$MON" -1 | grep -q "Node bl460g6a: standby" || { echo "FAIL crm_mon does not show bl460g6a in standby"; fail=1; }
check unknown-node 105 "" -- "$A" -N nosuch -n a -v 1
check update-keeps-id 0 "" -- "$A" -N bl460g6a -n standby -v off
[ "$(grep -c 'name="standby"' "$tmp/a.xml")" = 1 ] || { echo "FAIL update-keeps-id: two standby nvpairs"; fail=1; }
check node-delete 0 "Deleted nodes attribute: id=nodes-$N1-standby name=standby" -- "$A" -N bl460g6a -n standby -D
check node-delete-missing 0 "" -- "$A" -N bl460g6a -n standby -D

# Transient (status section).
check reboot-set 0 "" -- "$A" -N bl460g6b -n x -v 5 -l reboot
has reboot-set "$tmp/a.xml" "<nvpair id=\"status-$N2-x\" name=\"x\" value=\"5\"/>"
check reboot-get 0 "scope=status  name=x value=5" -- "$A" -N bl460g6b -n x -G -l reboot
check status-type 0 "scope=status  name=x value=5" -- "$A" -N bl460g6b -n x -G -t status
check forever-does-not-see-reboot 105 "" -- "$A" -N bl460g6b -n x -G -l forever
check reboot-delete 0 "Deleted status attribute: id=status-$N2-x name=x" -- "$A" -N bl460g6b -n x -D -l reboot
hasnt reboot-delete "$tmp/a.xml" "status-$N2-x"

# Cluster options and defaults.
check crm-config-set 0 "" -- "$A" -n foo -v 1
has crm-config-set "$tmp/a.xml" '<nvpair id="cib-bootstrap-options-foo" name="foo" value="1"/>'
check crm-config-get 0 "scope=crm_config  name=foo value=1" -- "$A" -n foo -G
check increment 0 "" -- "$A" -n foo -v 'value++'
check increment-get 0 "2" -- "$A" -n foo -G -q
check crm-config-delete 0 "Deleted crm_config option: id=cib-bootstrap-options-foo name=foo" -- "$A" -n foo -D
check crm-config-delete-missing 0 "" -- "$A" -n foo -D
check rsc-defaults 0 "" -- "$A" -t rsc_defaults -n resource-stickiness -v 100
has rsc-defaults "$tmp/a.xml" '<nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="100"/>'
check op-defaults 0 "" -- "$A" -t op_defaults -n timeout -v 30s
has op-defaults "$tmp/a.xml" '<meta_attributes id="op-options">'
check op-defaults-get 0 "30s" -- "$A" -t op_defaults -n timeout -G -q
check own-set 0 "" -- "$A" -n bar -v x -s my-options
has own-set "$tmp/a.xml" '<cluster_property_set id="my-options">'
check bad-type 64 "" -- "$A" -t bogus -n a -G
check no-name 64 "" -- "$A" -G
check two-commands 64 "" -- "$A" -n a -G -D

# -P/--pattern: every attribute whose name matches (crmsh's "failcount set 0").
check pattern-setup1 0 "" -- "$A" -t status -N bl460g6a -n 'fail-count-r1#start_0' -v 3
check pattern-setup2 0 "" -- "$A" -t status -N bl460g6a -n 'fail-count-r1#monitor_10000' -v 2
check pattern-setup3 0 "" -- "$A" -t status -N bl460g6a -n 'fail-count-r2#start_0' -v 1
check pattern-get 0 "scope=status  name=fail-count-r1#start_0 value=3
scope=status  name=fail-count-r1#monitor_10000 value=2" -- "$A" -t status -N bl460g6a -P 'fail-count-r1#(start|monitor)' -G
check pattern-set 0 "" -- "$A" -t status -N bl460g6a -P 'fail-count-r1#(start|monitor)' -v 0
check pattern-after 0 "0
0
1" -- "$A" -t status -N bl460g6a -P '^fail-count-r[12]#' -G -q
check pattern-delete 0 "Deleted status attribute: id=status-$N1-fail-count-r1_start_0 name=fail-count-r1#start_0
Deleted status attribute: id=status-$N1-fail-count-r1_monitor_10000 name=fail-count-r1#monitor_10000" -- "$A" -t status -N bl460g6a -P 'fail-count-r1' -D
hasnt pattern-delete "$tmp/a.xml" 'fail-count-r1#'
has pattern-delete-keeps-others "$tmp/a.xml" 'fail-count-r2#start_0'
check pattern-get-none 105 "" -- "$A" -t status -N bl460g6a -P 'nothing-like-this' -G
check pattern-set-none 0 "" -- "$A" -t status -N bl460g6a -P 'nothing-like-this' -v 1
check pattern-bad-regex 2 "" -- "$A" -t status -N bl460g6a -P 'a(' -G
check pattern-and-name 64 "" -- "$A" -n x -P 'a' -G

# crm_standby.
check crm-standby-default 0 "scope=nodes  name=standby value=off" -- "$S" -N bl460g6b -G
check crm-standby-on 0 "" -- "$S" -N bl460g6b -v true
check crm-standby-get 0 "scope=nodes  name=standby value=on" -- "$S" -N bl460g6b
check crm-standby-off 0 "Deleted nodes attribute: id=nodes-$N2-standby name=standby" -- "$S" -N bl460g6b -D
check crm-standby-after 0 "scope=nodes  name=standby value=off" -- "$S" -N bl460g6b -G
[ "$(grep -c 'name="standby"' "$tmp/a.xml")" = 0 ] || { echo "FAIL crm_standby -D left a standby nvpair"; fail=1; }

[ $fail -eq 0 ] && echo "crm_attribute tests passed"
exit $fail
