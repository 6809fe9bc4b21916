#!/bin/sh
# Checks agents/ocf/IPVS against the OCF exit codes with stand-in ipvsadm
# programs: one answering as on a kernel without IPVS (exit 2, "Can't
# initialize ipvs: Protocol not available", measured in docs/services.md),
# one with a table. A stand-in modprobe keeps the host's modules alone.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
agent="$here/ocf/IPVS"
tmp=$(mktemp -d /tmp/crm-ipvs-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
printf '#!/bin/sh\nexit 1\n' > "$tmp/modprobe"
printf '#!/bin/sh\necho "modprobe: FATAL: Module ip_vs not found" >&2\necho "Can'"'"'t initialize ipvs: Protocol not available" >&2\necho "Are you sure that IP Virtual Server is built in the kernel or as module?" >&2\nexit 2\n' > "$tmp/noipvs"
printf '#!/bin/sh\necho "IP Virtual Server version 1.2.1 (size=4096)"\n' > "$tmp/ipvs"
chmod +x "$tmp/modprobe" "$tmp/noipvs" "$tmp/ipvs"
export PATH="$tmp:$PATH" HA_RSCTMP="$tmp" OCF_RESOURCE_INSTANCE=t
fail=0
check() {  # expected-rc description ipvsadm action [stderr-pattern]
	want=$1; what=$2
	err=$(OCF_RESKEY_ipvsadm="$tmp/$3" "$agent" "$4" 2>&1 >/dev/null); got=$?
	if [ "$got" -ne "$want" ]; then echo "FAIL: $what: rc $got, want $want ($err)"; fail=1
	elif [ -n "${5:-}" ] && ! echo "$err" | grep -qF "$5"; then echo "FAIL: $what: said '$err', want '$5'"; fail=1
	else echo "ok: $what"; fi
}
check 7 "probe, no IPVS" noipvs monitor
check 5 "start, no IPVS: not installed, with the kernel's answer" noipvs start \
	"ocf-exit-reason:this kernel has no IP Virtual Server: Can't initialize ipvs: Protocol not available"
check 7 "monitor after the refused start" noipvs monitor
check 0 "stop after the refused start" noipvs stop
check 0 "start with a table" ipvs start
check 0 "start again" ipvs start
check 0 "monitor" ipvs monitor
check 1 "monitor when the table is gone" noipvs monitor "ocf-exit-reason:the IP Virtual Server table is gone"
check 0 "stop" ipvs stop
check 7 "monitor when stopped" ipvs monitor
check 5 "start, no ipvsadm" missing-ipvsadm start "not found (Debian package ipvsadm)"
if command -v xmllint >/dev/null; then
	"$agent" meta-data | xmllint --noout - && echo "ok: meta-data is XML" || { echo "FAIL: meta-data"; fail=1; }
fi
exit $fail
