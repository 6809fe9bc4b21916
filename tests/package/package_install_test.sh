#!/usr/bin/env bash
# package_install_test.sh BUILD_DIR — the Debian package of the build BUILD_DIR,
# installed with crmsh into a fresh Debian 12 root and started there by a real
# systemd. The host is left alone (its own pacemaker, the peer, stays there for
# comparisons):
#   package  cpack on BUILD_DIR into a temp dir (CRM_PACKAGE_DEB=path reuses a .deb)
#   root     a minbase bookworm root (debootstrap, with systemd), from the mirror
#            the host's apt uses; cached as a tar under $CRM_TEST_CACHE
#            (/var/cache/crm-test), so that reruns only unpack it
#   install  in a chroot: apt-get install -y ./crm-cluster_*.deb crmsh; then
#            none of the peer's packages is installed, dpkg -L lists our
#            programs, schemas, unit and configuration, hacluster/haclient
#            exist, and systemd-analyze verify accepts crm.service
#   boot     the root's /lib/systemd/systemd as PID 1 of its own PID, mount,
#            UTS, network, IPC and cgroup namespaces (as lrmd_systemd_test
#            runs one: a cgroup2 sub-hierarchy, /proc/sys read-only, the root
#            pivoted to so no host mount is left inside), with a one-node
#            corosync.conf (knet on 127.0.0.1, votequorum):
#            systemctl start corosync crm; crm_mon -1 shows the node online and
#            cibadmin -Q answers; systemctl stop crm stops it cleanly
# Each phase prints how long it took. Exit 77 (skipped, with the reason)
# without root, debootstrap, unshare/nsenter, a cgroup2 hierarchy, or the mirror.
# CRM_TEST_KEEP=1 keeps the work directory (the root, logs) for a look.
set -euo pipefail

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "[$(date +%T.%3N)] $*"; }

build=${1:-${CRM_BUILD_DIR:-}}
[ -n "$build" ] || { echo "usage: package_install_test.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$build" && pwd)
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, namespaces)"
for cmd in debootstrap unshare nsenter pivot_root setpriv curl; do
    command -v "$cmd" >/dev/null || skip "$cmd is not installed (scripts/setup.sh installs it)"
done
[ -n "${CRM_PACKAGE_DEB:-}" ] || [ -f "$build/CPackConfig.cmake" ] || skip "$build has no CPackConfig.cmake"

# The mirror the host's apt uses (deb.debian.org when it names none).
sources=/etc/apt/sources.list.d/debian.sources
mirror=$(awk '/^URIs:/ { print $2; exit }' "$sources" 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
curl -fsI --max-time 15 "$mirror/dists/bookworm/InRelease" >/dev/null ||
    skip "the mirror $mirror is unreachable"

# The cgroup2 hierarchy and this process's cgroup in it (systemd 252 needs one).
cg2_mount=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
[ -n "$cg2_mount" ] || skip "no cgroup2 hierarchy mounted (/proc/self/mountinfo)"
cg2_self=$(sed -n 's/^0:://p' /proc/self/cgroup)
cg2_parent=$cg2_mount${cg2_self%/}

cache=${CRM_TEST_CACHE:-/var/cache/crm-test}
# Work directories (1.5 GB: the root) of runs killed before their cleanup.
for d in /var/tmp/crm-package-test.*; do
    [ -d "$d" ] || continue
    owner=${d#/var/tmp/crm-package-test.}
    owner=${owner%%.*}
    kill -0 "$owner" 2>/dev/null || rm -rf --one-file-system "$d"
done
work=$(mktemp -d "/var/tmp/crm-package-test.$$.XXXXXX")
root=$work/root
cgroup=
boot_pid=
declare -a timings=()

# phase NAME — starts timing a phase; phase_end closes it.
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
phase_start() { phase_name=$1; phase_t0=$(now); note "phase $1"; }
phase_end() {
    local s; s=$(since "$phase_t0")
    timings+=("$(printf '%-18s %6s s' "$phase_name" "$s")")
    note "phase $phase_name: $s s"
}
print_timings() { [ ${#timings[@]} -eq 0 ] || { echo "timings:"; printf '  %s\n' "${timings[@]}"; }; }

stop_boot() {
    if [ -n "$boot_pid" ] && kill -0 "$boot_pid" 2>/dev/null; then
        kill -KILL "$boot_pid" 2>/dev/null || true
        wait "$boot_pid" 2>/dev/null || true
    fi
    boot_pid=
    if [ -n "$cgroup" ] && [ -d "$cgroup" ]; then
        # Children first; the processes are gone once PID 1 is.
        for _ in $(seq 50); do
            find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
            [ -d "$cgroup" ] || break
            sleep 0.1
        done
    fi
}
cleanup() {
    local rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "${sd_pid:-}" ] && kill -0 "$sd_pid" 2>/dev/null; then
        echo "== the container's journal (tail)" >&2
        ns journalctl -b --no-pager 2>&1 | tail -n 40 >&2 || true
    fi
    stop_boot
    print_timings
    if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -d "$root" ]; then
        for f in "$work"/*.log "$root"/var/log/crm/*.log "$root"/var/log/corosync/corosync.log; do
            [ -s "$f" ] && { echo "== $f (tail)"; tail -n 25 "$f"; } >&2
        done
    fi
    if [ "${CRM_TEST_KEEP:-0}" = 1 ]; then
        echo "work directory kept: $work"
    else
        rm -rf --one-file-system "$work"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# in_root CMD... — CMD in a chroot of the root, in a private mount namespace
# with /proc, /sys, /dev and the shared apt archive cache mounted (all gone
# with the namespace).
in_root() {
    unshare --mount --propagation private -- bash -c '
        set -e
        r=$1 archives=$2; shift 2
        mount -t proc proc "$r/proc"
        mount -t sysfs -o ro sysfs "$r/sys"
        mount --rbind /dev "$r/dev"
        mount --bind "$archives" "$r/var/cache/apt/archives"
        exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
            DEBIAN_FRONTEND=noninteractive "$@"' in_root "$root" "$cache/apt-archives" "$@"
}

# ---- package -------------------------------------------------------------
phase_start package
if [ -n "${CRM_PACKAGE_DEB:-}" ]; then
    deb=$CRM_PACKAGE_DEB
    [ -f "$deb" ] || fail "CRM_PACKAGE_DEB=$deb: no such file"
else
    cpack --config "$build/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log" 2>&1 ||
        fail "cpack failed: $(tail -n 20 "$work/cpack.log")"
    deb=$(ls "$work"/cpack/crm-cluster_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || fail "cpack made no crm-cluster_*.deb: $(tail -n 5 "$work/cpack.log")"
fi
note "$(basename "$deb"): $(du -h "$deb" | cut -f1); Depends: $(dpkg-deb -f "$deb" Depends)"
phase_end

# ---- root ----------------------------------------------------------------
# The cache's name carries what makes the root, so a changed recipe makes a new one.
includes=systemd,systemd-sysv
key=$(echo "bookworm minbase $includes $mirror" | md5sum | cut -c1-8)
tarball=$cache/debootstrap-bookworm-$key.tar
mkdir -p "$cache/apt-archives/partial"
exec 9>"$cache/debootstrap.lock"
flock 9   # one debootstrap at a time; a concurrent run waits and then unpacks
if [ -f "$tarball" ]; then
    phase_start root-cached
else
    phase_start root-debootstrap
    staging=$(mktemp -d "$cache/staging.XXXXXX")
    if ! debootstrap --variant=minbase --include="$includes" bookworm "$staging" "$mirror" \
        >"$work/debootstrap.log" 2>&1; then
        rm -rf --one-file-system "$staging"
        fail "debootstrap failed: $(tail -n 20 "$work/debootstrap.log")"
    fi
    tar -C "$staging" --numeric-owner -cpf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf --one-file-system "$staging"
fi
flock -u 9
mkdir "$root"
tar -C "$root" --numeric-owner -xpf "$tarball"
phase_end

# ---- install -------------------------------------------------------------
phase_start install
# The host's sources (its mirror, its suites: bookworm, -updates, -security);
# debootstrap's sources.list (the mirror's bookworm) when the host has none.
if [ -f "$sources" ]; then
    rm -f "$root/etc/apt/sources.list"
    cp "$sources" "$root/etc/apt/sources.list.d/debian.sources"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service starts while packages install (nothing runs in the chroot).
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cp "$deb" "$root/tmp/"
# The shared archive cache's partial/ is where apt's sandbox user downloads.
in_root chown _apt:root /var/cache/apt/archives/partial
in_root dpkg-query -W -f='${Package}\n' | sort > "$work/packages-before"
t=$(now)
in_root apt-get update -q >"$work/apt-update.log" 2>&1 || fail "apt-get update failed: $(tail -n 20 "$work/apt-update.log")"
note "apt-get update: $(since "$t") s"
# What a user types (recommends included); dpkg without fsync (a throw-away root).
t=$(now)
in_root sh -c "cd /tmp && apt-get install -y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-unsafe-io \
    ./$(basename "$deb") crmsh" >"$work/apt-install.log" 2>&1 ||
    fail "apt-get install ./$(basename "$deb") crmsh failed: $(tail -n 30 "$work/apt-install.log")"
note "apt-get install ./$(basename "$deb") crmsh: $(since "$t") s ($(grep -oE 'Need to get [^ ]+ [kMG]?B' "$work/apt-install.log" | head -n 1 | sed 's/Need to get/downloaded/'))"
rm -f "$root/usr/sbin/policy-rc.d" "$root/tmp/$(basename "$deb")"
in_root dpkg-query -W -f='${Package} ${Version} ${db:Status-Status}\n' > "$work/packages-after"
pulled=$(awk '$3 == "installed" { print $1 }' "$work/packages-after" | sort | comm -13 "$work/packages-before" -)
note "apt installed $(echo "$pulled" | wc -l) packages: $(echo $pulled)"
phase_end

phase_start checks
# crmsh's pacemaker-cli-utils and pacemaker (Recommends) are met by ours:
# none of the peer's packages or libraries is installed.
peer=$(awk '$3 == "installed" { print $1 }' "$work/packages-after" |
    grep -E '^(pacemaker|libpacemaker|libcib|libcrmcommon|libcrmcluster|libcrmservice|liblrmd|libpe-|libstonithd)' || true)
pra=$(echo "$peer" | grep -x 'pacemaker-resource-agents' || true)
peer=$(echo "$peer" | grep -vx 'pacemaker-resource-agents' || true)
[ -z "$peer" ] || fail "the peer's packages were installed: $(echo $peer)"
if [ -n "$pra" ]; then
    note "pacemaker-resource-agents is installed (its agents need only resource-agents), pulled by: $(
        in_root sh -c 'apt-cache rdepends --installed pacemaker-resource-agents | tail -n +3' | xargs)"
else
    note "none of the peer's packages is installed (pacemaker-resource-agents neither)"
fi
grep -q '^crmsh .* installed$' "$work/packages-after" || fail "crmsh is not installed"
for p in libasan8 libubsan1; do
    if dpkg-deb -f "$deb" Depends | grep -qw "$p"; then
        grep -q "^$p .* installed$" "$work/packages-after" || fail "$p (a dependency) is not installed"
    fi
done
in_root dpkg -L crm-cluster > "$work/dpkg-L"
missing=
for f in /usr/sbin/{crm-launcherd,crmd,cibd,lrmd,fenced,attrd,cibadmin,crm_mon,crm_resource,crm_attribute,crm_node} \
    /usr/sbin/{crm_verify,crm_simulate,stonith_admin,attrd_updater} /usr/share/pacemaker/pacemaker-3.9.rng \
    /lib/systemd/system/crm.service /etc/crm/launcher.conf; do
    grep -qx "$f" "$work/dpkg-L" || missing+=" $f"
    [ -e "$root$f" ] || missing+=" $f(absent)"
done
[ -z "$missing" ] || fail "dpkg -L crm-cluster lacks:$missing"
note "dpkg -L crm-cluster: $(grep -c . "$work/dpkg-L") paths, every expected one among them"
in_root getent passwd hacluster >/dev/null || fail "no hacluster user"
in_root getent group haclient >/dev/null || fail "no haclient group"
[ "$(in_root id -gn hacluster)" = haclient ] || fail "hacluster's group is not haclient"
in_root systemd-analyze verify /lib/systemd/system/crm.service >"$work/verify.log" 2>&1 ||
    fail "systemd-analyze verify crm.service: $(cat "$work/verify.log")"
grep -i 'crm.service' "$work/verify.log" && fail "systemd-analyze verify warns about crm.service"
note "hacluster:haclient exist; systemd-analyze verify crm.service passes"
phase_end

# ---- boot ----------------------------------------------------------------
phase_start boot
node=crm-pkg-node
echo "$node" > "$root/etc/hostname"
printf '127.0.0.1 localhost %s\n' "$node" > "$root/etc/hosts"
mkdir -p "$root/etc/corosync" "$root/var/log/corosync"
cat > "$root/etc/corosync/corosync.conf" <<EOF
totem {
    version: 2
    cluster_name: crm-package-test
    transport: knet
    crypto_cipher: none
    crypto_hash: none
}
nodelist {
    node {
        ring0_addr: 127.0.0.1
        name: $node
        nodeid: 1
    }
}
quorum {
    provider: corosync_votequorum
}
logging {
    to_logfile: yes
    logfile: /var/log/corosync/corosync.log
    to_syslog: yes
    timestamp: on
}
EOF
# Nothing reads a console here (it is a log file): no getty on it.
ln -sf /dev/null "$root/etc/systemd/system/console-getty.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@.service"
console=$work/console.log
: > "$console"
# Leftovers of runs killed before their cleanup (their test process is gone).
for d in "$cg2_parent"/crm-package-test-*; do
    [ -d "$d" ] || continue
    owner=${d##*-}
    kill -0 "$owner" 2>/dev/null && continue
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
done
cgroup=$cg2_parent/crm-package-test-$$
mkdir "$cgroup"
# The outer shell moves into the test's cgroup; unshare makes that the new
# cgroup namespace's root, forks PID 1 of the new PID namespace (a shell that
# mounts the container's file systems and pivots into the root) and SIGKILLs
# it when unshare itself dies (--kill-child), which it does when this test
# dies (setpriv --pdeathsig): no container outlives the test.
bash -c '
    echo $$ > "$1/cgroup.procs"
    exec setpriv --pdeathsig KILL unshare --pid --mount --uts --net --ipc --cgroup --fork --kill-child --propagation private -- bash -c "$2" boot "$3" "$4" "$5"
' boot-outer "$cgroup" '
    set -e
    r=$1 console=$2 node=$3
    mount --bind "$r" "$r"
    mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
    mount --bind "$r/proc/sys" "$r/proc/sys"
    mount -o remount,bind,ro "$r/proc/sys"
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys"
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$r/sys/fs/cgroup"
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$r/run"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/tmp"
    # /dev: a tmpfs with the usual devices bound from the host, its own pts and shm.
    mount -t tmpfs -o mode=0755,nosuid tmpfs "$r/dev"
    for d in null zero full random urandom tty; do
        touch "$r/dev/$d"
        mount --bind "/dev/$d" "$r/dev/$d"
    done
    mkdir "$r/dev/pts" "$r/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts"
    ln -s pts/ptmx "$r/dev/ptmx"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/dev/shm"
    ln -s /proc/self/fd "$r/dev/fd"
    ln -s /proc/self/fd/0 "$r/dev/stdin"
    ln -s /proc/self/fd/1 "$r/dev/stdout"
    ln -s /proc/self/fd/2 "$r/dev/stderr"
    touch "$r/dev/console"
    mount --bind "$console" "$r/dev/console"
    hostname "$node"
    # The root becomes /; every mount of the host goes with the old root.
    mkdir -p "$r/.host"
    cd "$r"
    pivot_root . .host
    exec chroot . /bin/sh -c "umount -l /.host && rmdir /.host && exec env -i container=other \
        PATH=/usr/sbin:/usr/bin:/sbin:/bin /lib/systemd/systemd --system --log-target=console --show-status=no"
' "$root" "$console" "$node" >"$work/boot.log" 2>&1 </dev/null &
boot_pid=$!
# systemd is the child of unshare (PID 1 in there).
sd_pid=
for _ in $(seq 100); do
    kill -0 "$boot_pid" 2>/dev/null || fail "the namespace's init exited: $(cat "$work/boot.log" "$console")"
    sd_pid=$( { cat "/proc/$boot_pid/task/$boot_pid/children" 2>/dev/null || pgrep -P "$boot_pid"; } | awk '{ print $1; exit }')
    [ -n "$sd_pid" ] && [ "$(cat "/proc/$sd_pid/comm" 2>/dev/null)" = systemd ] && break
    sd_pid=
    sleep 0.1
done
[ -n "$sd_pid" ] || fail "systemd did not start in the namespace: $(cat "$work/boot.log" "$console")"
# ns CMD... — CMD inside the container (its namespaces and root).
ns() { nsenter --target "$sd_pid" --mount --uts --ipc --net --pid --cgroup --root --wd -- \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
state=
for _ in $(seq 300); do
    state=$(ns timeout 5 systemctl is-system-running 2>/dev/null || true)
    case $state in running|degraded) break ;; esac
    kill -0 "$boot_pid" 2>/dev/null || fail "systemd exited: $(tail -n 30 "$console")"
    sleep 0.1
done
case $state in
    running) ;;
    degraded) note "system degraded; failed units: $(ns systemctl --failed --no-legend --plain | awk '{ print $1 }' | xargs)" ;;
    *) fail "systemd did not finish booting within 30 s (state '$state'): $(tail -n 30 "$console")" ;;
esac
note "systemd booted ($state), host PID $sd_pid"
phase_end

phase_start cluster
ns timeout 120 systemctl start corosync crm || fail "systemctl start corosync crm failed: $(ns systemctl status --no-pager corosync crm 2>&1 | tail -n 30)"
online=
for _ in $(seq 120); do
    out=$(ns crm_mon -1 2>&1 || true)
    if echo "$out" | grep -qE "Online: \[.* $node .*\]" && ns cibadmin -Q >"$work/cib.xml" 2>&1; then
        online=1
        break
    fi
    ns systemctl is-active -q crm || fail "crm.service is not active: $(ns systemctl status --no-pager crm 2>&1 | tail -n 30)"
    sleep 0.5
done
[ -n "$online" ] || fail "crm_mon -1 did not show $node online within 60 s: $out"
grep -q '<cib ' "$work/cib.xml" || fail "cibadmin -Q answered no CIB: $(head -c 500 "$work/cib.xml")"
note "crm_mon -1 shows $node online, cibadmin -Q answers ($(wc -c < "$work/cib.xml") bytes), $(since "$phase_t0") s after systemctl start"
echo "$out" | sed 's/^/    /'
t2=$(now)
# (crm.service allows 30 min to stop: a controller moves resources away first;
# here there are none, so a stop that takes minutes is a failure.)
ns timeout 120 systemctl stop crm || fail "systemctl stop crm failed: $(ns systemctl status --no-pager crm 2>&1 | tail -n 30)"
st=$(for p in ActiveState Result ExecMainStatus; do ns systemctl show -p "$p" --value crm; done | xargs)
[ "$st" = "inactive success 0" ] || fail "crm.service after stop: ActiveState Result ExecMainStatus = $st; $(ns journalctl -u crm --no-pager | tail -n 30)"
left=$(ns sh -c 'cat /proc/[0-9]*/comm 2>/dev/null | grep -xE "crm-launcherd|cibd|lrmd|fenced|attrd|crmd"' || true)
[ -z "$left" ] || fail "daemons still running after the stop: $left"
note "systemctl stop crm: clean (inactive, success, exit 0) in $(since "$t2") s"
# What the daemons said under systemd (the journal): no sanitizer report.
ns journalctl -u crm --no-pager > "$work/crm-journal.log" 2>&1 || true
if grep -E 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$work/crm-journal.log"; then
    fail "a sanitizer reported an error (journalctl -u crm above)"
fi
note "the journal of crm.service: $(grep -c . "$work/crm-journal.log") lines, no sanitizer report; how the daemons ended: $(
    grep -oE '(crmd|attrd|fenced|lrmd|cibd) \(pid [0-9]+\) (exited with status [0-9]+|was killed by signal [0-9]+)' "$work/crm-journal.log" |
    sed -E 's/ \(pid [0-9]+\)//; s/exited with status/exit/; s/was killed by signal/signal/' | paste -sd, -)"
# Each daemon shut itself down on SIGTERM (crmd first moves its resources away).
if grep -E '(crmd|attrd|fenced|lrmd|cibd) \(pid [0-9]+\) was killed by signal' "$work/crm-journal.log"; then
    fail "a daemon was killed by its stop signal instead of shutting down (above)"
fi
ns timeout 60 systemctl stop corosync || fail "systemctl stop corosync failed"
stop_boot
phase_end
echo "PASS"
