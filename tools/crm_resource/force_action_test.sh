#!/bin/sh
# crm_resource --force-*/--validate against ocf:crm:Dummy from the source tree,
# with the agent given by options and looked up in a CIB file.
set -u
bin=$1; src=$2
tmp=$(mktemp -d /tmp/crm-resource-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/ocf/resource.d"
ln -s "$src/agents/ocf" "$tmp/ocf/resource.d/crm"
export CRM_OCF_ROOT="$tmp/ocf" HA_RSCTMP="$tmp"
fail=0
expect() {  # rc pattern args...
	want=$1; pattern=$2; shift 2
	out=$("$@" 2>&1); got=$?
	if [ "$got" -ne "$want" ] || ! printf '%s' "$out" | grep -q -- "$pattern"; then
		echo "FAIL: $* -> rc $got (want $want), output:"; echo "$out"; fail=1
	else
		echo "ok: $*"
	fi
}
st="$tmp/d.state"
expect 7 "not running" "$bin" -r d1 --force-check --class ocf --provider crm --agent Dummy --option state="$st"
expect 0 "returned: 'ok'" "$bin" -r d1 --force-start --class ocf --provider crm --agent Dummy --option state="$st"
expect 0 "returned: 'ok'" "$bin" -r d1 --force-check --class ocf --provider crm --agent Dummy --option state="$st"
expect 0 "returned: 'ok'" "$bin" --validate --class ocf --provider crm --agent Dummy --option op_sleep=0
expect 6 "op_sleep must be a number" "$bin" --validate --class ocf --provider crm --agent Dummy --option op_sleep=x
expect 5 "not installed" "$bin" --validate --class ocf --provider crm --agent Nope
expect 124 "timed out" "$bin" -r d2 --force-start --class ocf --provider crm --agent Dummy --option op_sleep=5 --timeout 300ms
cat > "$tmp/cib.xml" <<END
<cib><configuration><resources>
  <primitive id="d1" class="ocf" provider="crm" type="Dummy">
    <instance_attributes id="d1-ia"><nvpair id="d1-s" name="state" value="$st"/></instance_attributes>
    <meta_attributes id="d1-ma"><nvpair id="d1-t" name="target-role" value="Started"/></meta_attributes>
  </primitive>
  <clone id="c"><primitive id="s1" class="ocf" provider="crm" type="Stateful"/></clone>
</resources></configuration><status/></cib>
END
export CIB_file="$tmp/cib.xml"
expect 0 "returned: 'ok'" "$bin" -r d1 --force-check
expect 0 "returned: 'ok'" "$bin" -r d1 --force-stop -V
expect 7 "not running" "$bin" -r d1 --force-check
expect 105 "not defined" "$bin" -r nosuch --force-check
unset CIB_file
expect 69 "set CIB_file" "$bin" -r d1 --force-check
exit $fail
