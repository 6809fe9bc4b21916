#!/bin/bash
# crm_shell on a copy of a scheduler-case CIB (CIB_file): crmsh-syntax
# configuration to XML, "configure show", commit semantics, the resource
# and node levels, errors.
# usage: crm_shell_test.sh BIN_DIR SHARED_DIR
set -u
SH=$1/crm_shell
CASES=$2/scheduler-cases
export TZ=UTC
fail=0
tmp=$(mktemp -d /tmp/crm_shell_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
has() { grep -qF -- "$2" "$CIB_file" || { echo "FAIL $1: '$2' not in the CIB"; fail=1; }; }
hasnt() { grep -qF -- "$2" "$CIB_file" && { echo "FAIL $1: '$2' in the CIB"; fail=1; }; }
check() {  # check NAME WANT_RC WANT_OUT -- command...
  local name=$1 want_rc=$2 want_out=$3; shift 4
  local out rc
  out=$("$@" 2>"$tmp/err"); rc=$?
  if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
    echo "FAIL $name: rc=$rc (want $want_rc)"; echo "--- got:"; echo "$out"; echo "--- want:"; echo "$want_out"
    echo "--- stderr:"; cat "$tmp/err"; fail=1
  else echo "ok $name"; fi
}

cp "$CASES/bug-5028/input.xml" "$tmp/cib.xml"
export CIB_file=$tmp/cib.xml

# A configuration session; nothing reaches the CIB before commit.
cat >"$tmp/s1" <<'CMDS'
# comment line
configure
primitive vip ocf:heartbeat:IPaddr2 params ip=10.0.0.5 cidr_netmask=24 op monitor interval=10s timeout=20s
primitive site ocf:crm:WebServer \
    params port=80 "title=My site" \
    meta target-role=Started
group web vip site meta resource-stickiness=100
primitive cl ocf:crm:Dummy
clone cl-clone cl meta clone-max=2
location prefer-a web 100: bl460g6a
location not-b web rule -inf: #uname eq bl460g6b
colocation web-with-dummy inf: web dummy-g
order dummy-then-web Mandatory: dummy-g web
property stonith-enabled=true batch-limit=5
rsc_defaults resource-stickiness=50
op_defaults timeout=30s
CMDS
cp "$CIB_file" "$tmp/before.xml"
printf 'configure primitive p0 ocf:crm:Dummy\nconfigure discard\n' | "$SH" >/dev/null 2>&1
cmp -s "$CIB_file" "$tmp/before.xml" || { echo "FAIL discard: the CIB changed"; fail=1; }
( cat "$tmp/s1"; echo "configure bogus-command" ) | "$SH" >/dev/null 2>&1
[ $? -ne 0 ] || { echo "FAIL failing batch: exit 0"; fail=1; }
cmp -s "$CIB_file" "$tmp/before.xml" || { echo "FAIL failing batch: changes were committed"; fail=1; }
( cat "$tmp/s1"; echo commit ) | "$SH" >"$tmp/out" 2>&1 || { echo "FAIL session: $(cat "$tmp/out")"; fail=1; }

has primitive '<primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">'
has params '<nvpair id="vip-instance_attributes-ip" name="ip" value="10.0.0.5"/>'
has op '<op id="vip-monitor-10s" name="monitor" interval="10s" timeout="20s"/>'
has quoted-value '<nvpair id="site-instance_attributes-title" name="title" value="My site"/>'
has meta '<nvpair id="site-meta_attributes-target-role" name="target-role" value="Started"/>'
has group '<group id="web">'
has clone '<clone id="cl-clone">'
has location '<rsc_location id="prefer-a" rsc="web" node="bl460g6a" score="100"/>'
has rule '<expression id="not-b-rule-expression" attribute="#uname" operation="eq" value="bl460g6b"/>'
has colocation '<rsc_colocation id="web-with-dummy" score="INFINITY" rsc="web" with-rsc="dummy-g"/>'
has order '<rsc_order id="dummy-then-web" kind="Mandatory" first="dummy-g" then="web"/>'
has property-updated '<nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="true"/>'
has property-new '<nvpair id="cib-bootstrap-options-batch-limit" name="batch-limit" value="5"/>'
has rsc-defaults-kept-id '<nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="50"/>'
has op-defaults '<nvpair id="op-options-timeout" name="timeout" value="30s"/>'
# vip and site moved into the group (not left at the top level).
python3 - "$CIB_file" <<'PY' || { echo "FAIL group membership"; fail=1; }
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot().find("configuration/resources")
top = [e.get("id") for e in r]
g = r.find("group[@id='web']")
assert "vip" not in top and "site" not in top, top
assert [p.get("id") for p in g.findall("primitive")] == ["vip", "site"]
assert r.find("clone[@id='cl-clone']/primitive[@id='cl']") is not None
PY

check show-one 0 'primitive vip ocf:heartbeat:IPaddr2 \
	params ip=10.0.0.5 cidr_netmask=24 \
	op monitor interval=10s timeout=20s
primitive site ocf:crm:WebServer \
	params port=80 title="My site" \
	meta target-role=Started
group web vip site \
	meta resource-stickiness=100' -- "$SH" configure show web
check show-constraints 0 'location prefer-a web 100: bl460g6a' -- "$SH" configure show prefer-a
check show-rule 0 'location not-b web \
	rule -inf: #uname eq bl460g6b' -- "$SH" configure show not-b
check show-order 0 'order dummy-then-web Mandatory: dummy-g web' -- "$SH" configure show dummy-then-web
check show-clone 0 'primitive cl ocf:crm:Dummy
clone cl-clone cl \
	meta clone-max=2' -- "$SH" configure show cl-clone

# The whole configuration.
"$SH" configure show >"$tmp/shown"
grep -q '^group web vip site' "$tmp/shown" || { echo "FAIL show: no group line"; fail=1; }

# Errors: exit codes and messages, nothing staged.
check bad-agent 78 "" -- "$SH" configure primitive bad ocf:heartbeat
check unknown-ref 78 "" -- "$SH" configure colocation x inf: nosuch web
check duplicate 108 "" -- "$SH" configure primitive vip ocf:heartbeat:Dummy
check group-twice 2 "" -- "$SH" configure group g2 vip
check delete-unknown 105 "" -- "$SH" configure delete nosuch
check unknown-command 64 "" -- "$SH" bogus
check bad-score 2 "" -- "$SH" configure location l9 web abc: bl460g6a

# Resource and node levels act at once (no commit).
check move 0 "" -- "$SH" resource move web bl460g6b
has move '<rsc_location id="cli-prefer-web" rsc="web" role="Started" node="bl460g6b" score="INFINITY"/>'
check clear 0 "Removing constraint: cli-prefer-web" -- "$SH" resource clear web
check stop 0 "Set 'web' option: id=web-meta_attributes-target-role set=web-meta_attributes name=target-role value=Stopped" \
  -- "$SH" resource stop web
check meta-show 0 "Stopped" -- "$SH" resource meta web show target-role
check locate 0 "resource dummy01 is running on: bl460g6a" -- "$SH" resource locate dummy01
check why 0 "Resource web is not running
Configuration specifies 'web' should remain stopped" -- "$SH" resource why web
"$SH" resource explain web > "$tmp/explain.out" 2>&1
grep -q "^Decision: target-role=Stopped: the configuration says it should remain stopped" "$tmp/explain.out" \
  || { echo "FAIL explain: $(cat "$tmp/explain.out")"; fail=1; }
check cleanup 0 "Cleaned up dummy02 on bl460g6a
Cleaned up dummy02 on bl460g6b" -- "$SH" resource cleanup dummy02
check standby 0 "" -- "$SH" node standby bl460g6b
check node-list 0 "bl460g6a(11111111-1111-1111-1111-111111111111): online
bl460g6b(22222222-2222-2222-2222-222222222222): standby" -- "$SH" node list
check online 0 "" -- "$SH" node online bl460g6b
has online '<nvpair id="nodes-22222222-2222-2222-2222-222222222222-standby" name="standby" value="off"/>'
"$SH" status | grep -q "^  \* Online: \[ bl460g6a bl460g6b \]" || { echo "FAIL status"; fail=1; }
printf 'configure\ndelete not-b\ncommit\n' | "$SH" >/dev/null 2>&1
hasnt delete 'id="not-b"'

# configure import (docs/import.md): an RHCS cluster.conf replaces the
# resources and constraints; the nodes stay; a bad input changes nothing.
IMPORT=$(cd "$(dirname "$0")/../../import/testdata" && pwd)
cp "$CIB_file" "$tmp/before-import.xml"
check import-bad 65 "" -- "$SH" configure import cluster.conf "$IMPORT/cluster_conf/bad/unknown-node.conf"
cmp -s "$CIB_file" "$tmp/before-import.xml" || { echo "FAIL import-bad: the CIB changed"; fail=1; }
printf 'configure import cluster.conf %s\nconfigure commit\n' "$IMPORT/cluster_conf/three-node-nfs.conf" | "$SH" >"$tmp/out" 2>&1 ||
  { echo "FAIL import: $(cat "$tmp/out")"; fail=1; }
has import-group '<group id="nfs">'
has import-fencing '<fencing-level id="fl-n1-2" target="n1" index="2" devices="apc"/>'
has import-nodes-stay 'uname="bl460g6a"'
has import-property '<nvpair id="cib-bootstrap-options-cluster-name" name="cluster-name" value="storage"/>'
hasnt import-replaced '<group id="web">'

[ $fail -eq 0 ] && echo "crm_shell tests passed"
exit $fail
