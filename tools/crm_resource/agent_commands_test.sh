#!/bin/bash
# crm_resource's agent questions (--list-standards, --list-ocf-providers,
# --list-agents, --list-ocf-alternatives, --show-metadata) on a scratch OCF
# root, and -O/-o (operation history) on a CIB_file fixture.
# usage: agent_commands_test.sh BIN_DIR SHARED_DIR
set -u
BIN=$1/crm_resource
CASES=$2/scheduler-cases
fail=0
tmp=$(mktemp -d /tmp/crm_resource_agents.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

. "$(cd "$(dirname "$0")/../.." && pwd)/tests/cli/check.sh"

# A scratch OCF root: two providers, one agent in both.
export CRM_OCF_ROOT=$tmp/ocf
mkdir -p "$CRM_OCF_ROOT/resource.d/alpha" "$CRM_OCF_ROOT/resource.d/beta"
agent() {
  cat >"$1" <<AGENT
#!/bin/sh
case "\$1" in
meta-data) cat <<'XML'
<?xml version="1.0"?>
<resource-agent name="$2" version="1.0">
  <version>1.1</version>
  <shortdesc lang="en">$2 test agent</shortdesc>
  <longdesc lang="en">test</longdesc>
  <parameters><parameter name="state"><content type="string"/></parameter></parameters>
  <actions><action name="start" timeout="20s"/><action name="meta-data" timeout="5s"/></actions>
</resource-agent>
XML
  exit 0;;
esac
exit 3
AGENT
  chmod +x "$1"
}
agent "$CRM_OCF_ROOT/resource.d/alpha/Thing" Thing
agent "$CRM_OCF_ROOT/resource.d/beta/Thing" Thing
agent "$CRM_OCF_ROOT/resource.d/beta/Other" Other
printf '#!/bin/sh\nexit 0\n' >"$CRM_OCF_ROOT/resource.d/beta/NotExecutable"

check standards 0 "ocf
lsb
service
systemd
stonith" -- "$BIN" --list-standards
check providers 0 "alpha
beta" -- "$BIN" --list-ocf-providers
check providers-of-type 0 "alpha
beta" -- "$BIN" --list-ocf-providers Thing
check alternatives 0 "beta" -- "$BIN" --list-ocf-alternatives Other
check alternatives-none 105 "" -- "$BIN" --list-ocf-alternatives Nothing
check_err alternatives-none "crm_resource: No OCF providers found for Nothing"
check agents-provider 0 "Other
Thing" -- "$BIN" --list-agents ocf:beta
check agents-ocf 0 "Other
Thing" -- "$BIN" --list-agents ocf
check agents-none 105 "" -- "$BIN" --list-agents ocf:gamma
check_err agents-none "crm_resource: No agents found for standard 'ocf' and provider 'gamma'"
out=$("$BIN" --show-metadata ocf:beta:Other 2>"$tmp/err"); rc=$?
if [ $rc = 0 ] && printf '%s\n' "$out" | grep -q '<resource-agent name="Other"' && printf '%s\n' "$out" | xmllint --noout - 2>/dev/null
then echo "ok show-metadata"; else echo "FAIL show-metadata: rc=$rc out=$out err=$(cat "$tmp/err")"; fail=1; fi
check show-metadata-missing 105 "" -- "$BIN" --show-metadata ocf:beta:Nothing
check_err show-metadata-missing "crm_resource: Metadata query for ocf:beta:Nothing failed: No such device or address"
check show-metadata-bad-spec 105 "" -- "$BIN" --show-metadata ocf:Thing
check_err show-metadata-bad-spec "crm_resource: 'ocf:Thing' is not a valid agent specification"
if ls /usr/sbin/fence_* >/dev/null 2>&1; then
  first=$(cd /usr/sbin && ls fence_* | sort | head -1)
  "$BIN" --list-agents stonith | grep -qx "$first" && echo "ok stonith agents" || { echo "FAIL stonith agents"; fail=1; }
fi

# -O / -o: the operation history in the peer's line format.
C=$CASES/utilization-order2/input.xml
if [ -f "$C" ]; then
  check list-operations-rsc 0 "rsc3	(ocf:pacemaker:Dummy):	 Started: rsc3_monitor_0 (node=node1, call=1, rc=7): complete
rsc3	(ocf:pacemaker:Dummy):	 Started: rsc3_start_0 (node=node1, call=2, rc=0): complete
rsc3	(ocf:pacemaker:Dummy):	 Started: rsc3_monitor_0 (node=node2, call=1, rc=7): complete" -- env CIB_file="$C" "$BIN" -O -r rsc3
  n_all=$(CIB_file="$C" "$BIN" -o | wc -l); n_node=$(CIB_file="$C" "$BIN" -o -N node2 | wc -l)
  [ "$n_all" -gt "$n_node" ] && [ "$n_node" -gt 0 ] && echo "ok list-all-operations -N" || { echo "FAIL -o -N: $n_all $n_node"; fail=1; }
fi
exit $fail
