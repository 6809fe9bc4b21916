#!/usr/bin/env bash
# Real crm-repldisk daemons on 127.0.0.1-3 in a temporary directory: writes
# through the Primary's FUSE disk reach every copy; a stopped peer is
# outdated (the handler ran) and the write still completes; a failing
# handler fails the write (EIO); a restarted peer resyncs and the uptodate
# handler runs; Outdated and Inconsistent copies refuse promotion; a
# Secondary's disk is read-only (EROFS); ext4 on a loop device over the
# Primary's disk is readable from the other copy after a switchover.
# Needs root, /dev/fuse and loop devices (exit 77: skipped). Every mount,
# loop device and daemon it makes is undone on exit, failed or not.
set -uo pipefail
bin=${1:?usage: repldisk_process_test.sh path/to/crm-repldisk}
if [[ $(id -u) -ne 0 || ! -c /dev/fuse || ! -e /dev/loop-control ]] || ! command -v losetup >/dev/null; then
  echo "SKIP: needs root, /dev/fuse and loop devices"
  exit 77
fi
tmp=$(mktemp -d /tmp/repldisk-test.XXXXXX)
port=$((20000 + $$ % 20000))
loops=()
cleanup() {
  set +e
  for m in $(awk -v t="$tmp" 'index($2, t) == 1 && $3 != "fuse.repldisk" {print $2}' /proc/mounts | sort -r); do umount -l "$m"; done
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null; done
  for n in a b c d; do
    [[ -f $tmp/$n/run/pid ]] && kill "$(cat "$tmp/$n/run/pid")" 2>/dev/null
  done
  sleep 0.3
  for n in a b c d; do
    [[ -f $tmp/$n/run/pid ]] && kill -9 "$(cat "$tmp/$n/run/pid")" 2>/dev/null
  done
  for m in $(awk -v t="$tmp" 'index($2, t) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for n in a b c d; do [[ -f $tmp/$n.log ]] && { echo "--- $n.log"; tail -n 25 "$tmp/$n.log"; }; done
  exit 1
}
step() { echo "== $*"; }

cat > "$tmp/handler" <<HANDLER
#!/bin/sh
# handler KIND PEER GENERATION: appends "PEER GENERATION" to $tmp/KIND
[ -e "$tmp/fail-\$1" ] && exit 1
echo "\$2 \$3" >> "$tmp/\$1"
HANDLER
chmod +x "$tmp/handler"

ip() { case $1 in a) echo 127.0.0.1 ;; b) echo 127.0.0.2 ;; c) echo 127.0.0.3 ;; d) echo 127.0.0.4 ;; esac; }
start() {  # start NODE [extra options]
  local n=$1; shift
  setsid "$bin" run --name r0 --node-name "$n" --listen "$(ip "$n"):$port" --size 32M \
    --state-dir "$tmp/$n/state" --run-dir "$tmp/$n/run" \
    --outdate-peer-cmd "$tmp/handler outdated" --uptodate-peer-cmd "$tmp/handler uptodate" "$@" \
    >> "$tmp/$n.log" 2>&1 < /dev/null &
  disown
  for _ in $(seq 50); do ctl "$n" status >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "daemon $n did not start"
}
ctl() { local n=$1; shift; "$bin" ctl r0 --run-dir "$tmp/$n/run" "$@"; }
disk() { echo "$tmp/$1/run/mnt/disk"; }
field() { ctl "$1" status | sed -n "s/^$2=//p"; }
peer_link() { ctl "$1" status | sed -n "s/^peer=$2 .*link=\([A-Za-z]*\).*/\1/p"; }
wait_link() {  # wait_link PRIMARY PEER STATE
  for _ in $(seq 100); do [[ $(peer_link "$1" "$2") == "$3" ]] && return 0; sleep 0.1; done
  fail "$2 is $(peer_link "$1" "$2") on $1, not $3"
}
same() { cmp -s "$tmp/$1/state/image" "$tmp/$2/state/image" || fail "the copies of $1 and $2 differ"; }
stop() { ctl "$1" stop >/dev/null; for _ in $(seq 50); do [[ -f $tmp/$1/run/pid ]] || return 0; sleep 0.1; done; fail "$1 did not stop"; }

peers=(--peer a=127.0.0.1:$port --peer b=127.0.0.2:$port --peer c=127.0.0.3:$port)
step "three fresh copies; a is promoted and resyncs b and c"
for n in a b c; do start $n "${peers[@]}"; done
[[ $(field b disk) == UpToDate && $(field b generation) == 0:0000000000000000 ]] || fail "a fresh copy is not UpToDate 0:0"
ctl a promote >/dev/null || fail "a fresh copy refused promotion"
wait_link a b InSync
wait_link a c InSync
grep -q '^b ' "$tmp/uptodate" && grep -q '^c ' "$tmp/uptodate" || fail "uptodate handler did not run after the first resync"

step "a write through a's disk reaches b and c before dd returns"
head -c 2M /dev/urandom > "$tmp/data"
dd if="$tmp/data" of="$(disk a)" bs=64k seek=32 conv=notrunc,fsync status=none || fail "write through a's disk"
same a b; same a c
cmp -s <(dd if="$tmp/b/state/image" bs=64k skip=32 count=32 status=none) "$tmp/data" || fail "b does not hold the bytes"

step "a Secondary's disk is read-only (EROFS)"
out=$(dd if="$tmp/data" of="$(disk b)" bs=4k count=1 conv=notrunc 2>&1) && fail "wrote to a Secondary"
[[ $out == *"Read-only file system"* ]] || fail "writing a Secondary: $out"

step "c stops: the next write outdates c (handler ran) and completes"
stop c
dd if="$tmp/data" of="$(disk a)" bs=64k seek=100 count=8 conv=notrunc,fsync status=none || fail "write with c gone"
grep -q '^c ' "$tmp/outdated" || fail "outdate handler did not run for c"
[[ $(ctl a status | grep '^peer=c ') == *fence=outdated* ]] || fail "c not outdated on a"
same a b

step "c returns, resyncs, and the uptodate handler clears it"
: > "$tmp/uptodate"
start c
wait_link a c InSync
grep -q '^c ' "$tmp/uptodate" || fail "uptodate handler did not run for c"
same a c

step "a failing outdate handler fails the write (EIO); once it works, writes complete"
touch "$tmp/fail-outdated"
kill -9 "$(cat "$tmp/c/run/pid")"; umount -l "$tmp/c/run/mnt"; rm -f "$tmp/c/run/pid"
out=$(dd if="$tmp/data" of="$(disk a)" bs=4k count=1 seek=10 conv=notrunc,fsync 2>&1) && fail "write acknowledged though c could not be outdated"
[[ $out == *"Input/output error"* ]] || fail "expected EIO: $out"
rm -f "$tmp/fail-outdated"
dd if="$tmp/data" of="$(disk a)" bs=4k count=1 seek=11 conv=notrunc,fsync status=none || fail "write after the handler recovered"
grep -q '^c ' "$tmp/outdated" || fail "no outdate for the killed c"

step "Outdated and Inconsistent copies refuse promotion"
start d
ctl d outdate >/dev/null || fail "outdate d"
out=$(ctl d promote 2>&1) && fail "an Outdated copy was promoted"
[[ $out == *Outdated* ]] || fail "refusal does not say Outdated: $out"
stop d
sed -i 's/^state=.*/state=Inconsistent/' "$tmp/d/state/meta"
start d
[[ $(field d disk) == Inconsistent ]] || fail "d is not Inconsistent"
out=$(ctl d promote 2>&1) && fail "an Inconsistent copy was promoted"
[[ $out == *Inconsistent* ]] || fail "refusal does not say Inconsistent: $out"
stop d

step "ext4 on a loop device over a's disk; switchover; b reads the file"
loop=$(losetup --find --show "$(disk a)") || fail "losetup on a's FUSE disk"
loops+=("$loop")
mkfs.ext4 -q "$loop" || fail "mkfs.ext4 on $loop"
mkdir -p "$tmp/mnt"
mount "$loop" "$tmp/mnt" || fail "mount $loop"
echo "written on a" > "$tmp/mnt/file"
sync
ctl a demote 2>/dev/null && fail "a demoted with its disk in use"
umount "$tmp/mnt" || fail "umount"
losetup -d "$loop"; loops=()
ctl a demote >/dev/null || fail "demote a"
ctl b promote >/dev/null || fail "promote b"
wait_link b a InSync
loop=$(losetup --find --show "$(disk b)") || fail "losetup on b's FUSE disk"
loops+=("$loop")
mount "$loop" "$tmp/mnt" || fail "mount b's copy"
[[ $(cat "$tmp/mnt/file") == "written on a" ]] || fail "b does not read a's file"
umount "$tmp/mnt"; losetup -d "$loop"; loops=()
echo "PASS"
