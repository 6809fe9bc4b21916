#!/usr/bin/env bash
# Write throughput through loop + ext4 on a crm-repldisk Primary: with one
# peer (127.0.0.2, same machine), with that peer gone (outdated), and on a
# loop device over a plain file for reference. Prints figures; asserts
# nothing. Root only. Usage: repldisk_dd_bench.sh path/to/crm-repldisk
set -uo pipefail
bin=${1:?usage: repldisk_dd_bench.sh path/to/crm-repldisk}
tmp=$(mktemp -d /tmp/repldisk-bench.XXXXXX)
port=$((20000 + ($$ + 13) % 20000))
loop=
cleanup() {
  set +e
  mountpoint -q "$tmp/m" && umount "$tmp/m"
  [[ -n $loop ]] && losetup -d "$loop"
  for n in a b; do [[ -f $tmp/$n/run/pid ]] && kill "$(cat "$tmp/$n/run/pid")"; done
  sleep 0.5
  for m in $(awk -v t="$tmp" 'index($2, t) == 1 {print $2}' /proc/mounts); do umount -l "$m"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
start() {
  setsid "$bin" run --name r0 --node-name "$1" --listen "$2:$port" --size 64M --state-dir "$tmp/$1/state" \
    --run-dir "$tmp/$1/run" --peer a=127.0.0.1:$port --peer b=127.0.0.2:$port --outdate-peer-cmd true \
    >> "$tmp/$1.log" 2>&1 < /dev/null &
  disown
  for _ in $(seq 50); do "$bin" ctl r0 --run-dir "$tmp/$1/run" status >/dev/null 2>&1 && return; sleep 0.1; done
}
measure() {  # measure LABEL DEVICE-OR-FILE
  loop=$(losetup --find --show "$2")
  mkfs.ext4 -q -F "$loop"
  mkdir -p "$tmp/m"
  mount "$loop" "$tmp/m"
  for spec in "bs=1M count=32 conv=fsync" "bs=4k count=1000 oflag=dsync"; do
    rm -f "$tmp/m/f"; sync
    # shellcheck disable=SC2086
    r=$(dd if=/dev/zero of="$tmp/m/f" $spec 2>&1 | tail -n 1)
    printf '%-22s dd %-30s %s\n' "$1" "$spec" "${r##*, }"
  done
  umount "$tmp/m"; losetup -d "$loop"; loop=
}
start a 127.0.0.1; start b 127.0.0.2
"$bin" ctl r0 --run-dir "$tmp/a/run" promote >/dev/null
for _ in $(seq 100); do "$bin" ctl r0 --run-dir "$tmp/a/run" status | grep -q 'link=InSync' && break; sleep 0.1; done
measure "Primary, one peer" "$tmp/a/run/mnt/disk"
"$bin" ctl r0 --run-dir "$tmp/b/run" stop >/dev/null; sleep 0.5
measure "Primary, no peer" "$tmp/a/run/mnt/disk"
truncate -s 64M "$tmp/plain.img"
measure "plain file (no FUSE)" "$tmp/plain.img"
