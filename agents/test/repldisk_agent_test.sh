#!/usr/bin/env bash
# ocf:crm:ReplDisk on two "nodes" of one machine (node names 127.0.0.1 and
# 127.0.0.2, so getent resolves them as the agent resolves learnt peers),
# with a fake crm_attribute keeping the CIB's attributes in files: peers are
# learnt from notifications; the Primary's outdate handler (the agent) marks
# a stopped peer; the marked copy refuses promotion; a resync clears the
# mark. Needs root, /dev/fuse, loop devices (77: skipped).
set -uo pipefail
agent=$(cd "$(dirname "$0")/.." && pwd)/ocf/ReplDisk
bin=${1:?usage: repldisk_agent_test.sh path/to/crm-repldisk}
if [[ $(id -u) -ne 0 || ! -c /dev/fuse || ! -e /dev/loop-control ]]; then echo "SKIP"; exit 77; fi
tmp=$(mktemp -d /tmp/repldisk-agent-test.XXXXXX)
port=$((20000 + ($$ + 7) % 20000))
cleanup() {
  set +e
  for n in 1 2; do [[ -f $tmp/n$n/run/pid ]] && kill "$(cat "$tmp/n$n/run/pid")" 2>/dev/null; done
  for n in 1 2; do [[ -L $tmp/n$n/run/device ]] && losetup -d "$(readlink "$tmp/n$n/run/device")" 2>/dev/null; done
  sleep 0.3
  for m in $(awk -v t="$tmp" 'index($2, t) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for n in 1 2; do echo "--- n$n"; tail -n 20 "$tmp/n$n/state/daemon.log"; done; exit 1; }

# crm_attribute [-t crm_config] [-N node] -n name [-l life] (-v value | -D | -G -q)
mkdir -p "$tmp/cib"
cat > "$tmp/crm_attribute" <<FAKE
#!/bin/sh
where=crm_config; name=; op=; value=
while [ \$# -gt 0 ]; do
  case "\$1" in
    -t) shift ;; -N) where=\$2; shift ;; -n) name=\$2; shift ;; -l) shift ;;
    -v) op=set; value=\$2; shift ;; -D) op=del ;; -G) op=get ;; -q) ;;
  esac
  shift
done
f="$tmp/cib/\$where.\$name"
case \$op in
  set) echo "\$value" > "\$f" ;;
  del) rm -f "\$f" ;;
  get) cat "\$f" 2>/dev/null || exit 6 ;;
esac
FAKE
chmod +x "$tmp/crm_attribute"

ra() {  # ra NODE ACTION [VAR=VALUE...]
  local n=$1 action=$2; shift 2
  env HA_RSCTMP="$tmp" CRM_ATTRIBUTE="$tmp/crm_attribute" OCF_ROOT=/usr/lib/ocf \
    OCF_RESOURCE_INSTANCE=disk:$n OCF_RESKEY_CRM_meta_on_node=127.0.0.$n \
    OCF_RESKEY_name=disk OCF_RESKEY_daemon="$bin" OCF_RESKEY_port=$port OCF_RESKEY_size=16M \
    OCF_RESKEY_address=127.0.0.$n OCF_RESKEY_state_dir="$tmp/n$n/state" OCF_RESKEY_run_dir="$tmp/n$n/run" \
    "$@" "$agent" "$action"
}
score() { cat "$tmp/cib/127.0.0.$1.master-disk" 2>/dev/null; }
peer_link() { "$bin" ctl disk --run-dir "$tmp/n$1/run" status | sed -n "s/^peer=127.0.0.$2 .*link=\([A-Za-z]*\).*/\1/p"; }
wait_link() { for _ in $(seq 100); do [[ $(peer_link "$1" "$2") == "$3" ]] && return 0; sleep 0.1; done; fail "n$2 is $(peer_link "$1" "$2") on n$1"; }

echo "== start both; fresh copies are promotable (score 5); notifications name the peers"
ra 1 start || fail "start n1"
ra 2 start || fail "start n2"
[[ $(score 1) == 5 && $(score 2) == 5 ]] || fail "fresh scores: $(score 1) $(score 2)"
for n in 1 2; do
  ra $n notify OCF_RESKEY_CRM_meta_notify_type=post OCF_RESKEY_CRM_meta_notify_operation=start \
    OCF_RESKEY_CRM_meta_notify_start_uname="127.0.0.1 127.0.0.2" OCF_RESKEY_CRM_meta_notify_active_uname="" || fail "notify n$n"
done

echo "== promote n1: loop device behind the symlink; n2 in sync"
ra 1 promote || fail "promote n1"
ra 1 monitor; [[ $? == 8 ]] || fail "n1 monitor is not 8"
ra 2 monitor; [[ $? == 0 ]] || fail "n2 monitor is not 0"
[[ -b $(readlink "$tmp/n1/run/device") ]] || fail "no loop device behind n1's symlink"
wait_link 1 2 InSync
dd if=/dev/urandom of="$tmp/n1/run/device" bs=64k count=4 seek=8 oflag=direct status=none || fail "write through the loop device"
cmp -s "$tmp/n1/state/image" "$tmp/n2/state/image" || fail "copies differ"
ra 2 monitor; [[ $(score 2) == 1000 ]] || fail "in-sync Secondary score $(score 2)"

echo "== n2 stops; a write outdates it in the CIB (through the agent as handler)"
ra 2 stop || fail "stop n2"
dd if=/dev/urandom of="$tmp/n1/run/device" bs=64k count=4 seek=32 oflag=direct status=none || fail "write with n2 gone"
[[ -s $tmp/cib/127.0.0.2.repldisk-outdated-disk ]] || fail "no outdated mark for n2"

echo "== n1 demotes; n2 starts marked: no score, promote refused"
ra 1 demote || fail "demote n1"
[[ ! -e $tmp/n1/run/device ]] || fail "symlink left after demote"
ra 2 start || fail "start n2 again"
[[ -z $(score 2) ]] || fail "a marked copy has score $(score 2)"
ra 2 promote 2>/dev/null && fail "a marked copy was promoted"
"$bin" ctl disk --run-dir "$tmp/n2/run" status | grep -q '^disk=Outdated' || fail "n2's daemon does not say Outdated"

echo "== n1 promotes again: n2 resyncs, the mark is cleared"
ra 1 promote || fail "promote n1 again"
wait_link 1 2 InSync
for _ in $(seq 30); do [[ -e $tmp/cib/127.0.0.2.repldisk-outdated-disk ]] || break; sleep 0.1; done
[[ ! -e $tmp/cib/127.0.0.2.repldisk-outdated-disk ]] || fail "mark not cleared after the resync"
cmp -s "$tmp/n1/state/image" "$tmp/n2/state/image" || fail "copies differ after the resync"
ra 2 monitor; [[ $(score 2) == 1000 ]] || fail "resynced Secondary score $(score 2)"

echo "== stop both (the Primary demotes on the way)"
ra 1 stop || fail "stop n1"
ra 2 stop || fail "stop n2"
ra 1 monitor; [[ $? == 7 ]] || fail "n1 still running"
[[ -z $(losetup -j "$tmp/n1/run/mnt/disk" 2>/dev/null) ]] || fail "loop device left"
echo PASS
